"""Serving-fleet capacity: how many replicas keep the p99 latency under an SLO at a given traffic.

One replica is ``tp_size`` accelerators (tensor parallel, ServingModel) with B requests in flight:
each request holds one of its B slots for the service time S = TTFT + n_out x ITL, so a replica
completes B / S requests per second. Two batching pictures:

    batching="continuous" (default; Orca/vLLM in-flight batching): B = the active batch memory
        allows (paged KV at the mean context prompt + n_out/2, capped by ``batch_size``); a
        request's TTFT is half a decode step plus the prefill of its OWN prompt; ITL is the
        decode step at B plus the prefills of arriving requests, (B / n_out) t_prefill per step
        (ContinuousBatchingModel, calc_continuous_step_time).
    batching="static": B = ``batch_size`` requests prefill together (TTFT = the batch's prefill)
        and decode together (ITL at batch B).

The fleet of R replicas is an M/M/c queue with c = R x B slots, each of rate mu = 1/S, fed by
Poisson traffic of lambda requests per second (one central queue: a load balancer that sends each
request to any free slot):

    a = lambda S (erlangs),  rho = a / c,  P(wait) = C(c, a)                (Erlang C)
    P(W > t) = C e^{-(c mu - lambda) t}  ->  W_p = ln(C / (1-p)) / (c mu - lambda)
    service="fixed":        latency_p = S + W_p          (every reply has n_out tokens)
    service="exponential":  latency_p from the M/M/c response-time distribution (lengths vary)
    TTFT_p = TTFT + W_p

The answer is given three ways, like ServingModel's: with ``efficiency`` (used for sizing), and
at the same replica count with the calibrated (``*_calibrated``) and ideal-bound (``*_bound``)
replica times.

The fewest replicas meeting the SLO are found by bisection (the p99 never rises with more
replicas). Limits of the model: the queue is Markovian, so with fixed-length replies real waits
are shorter (M/D/c waits about half of M/M/c: Kingman's G/G/1 and the Allen-Cunneen G/G/c
approximations scale the wait by (c_a^2 + c_s^2)/2); TTFT and ITL are those of a full batch of B
(conservative at low load: continuous batching runs fewer requests when traffic is light); routing to the least-loaded replica is assumed (random routing to R
separate queues waits longer).

Sources: Kleinrock (1975), Queueing Systems, Vol. 1, section 3.5; Harchol-Balter (2013),
Performance Modeling and Design of Computer Systems, chapter 14; MLPerf Inference v4.0 rules
(server scenario: a p99 TTFT / per-token latency constraint at a Poisson query rate).
"""
from __future__ import annotations

import math

from ..checks import choice, positive, positive_int, sequence
from ..errors import SpecError
from ..fmt import pct, si, usd
from ..formulas import calc_continuous_step_time, calc_erlang_c, calc_mmc_response_quantile, calc_mmc_wait_quantile
from ..results import Result
from ..units import magnitude
from ..zoo import constants
from .serving import ServingModel

SERVICE = ("fixed", "exponential")
BATCHING = ("continuous", "static")
SLO_METRICS = ("latency", "ttft")
BINDING = ("memory", "service_time", "throughput", "tail_latency", "max_replicas")
_SECONDS_PER_HOUR = 3600.0
_HOURS_PER_YEAR = 365.0 * 24.0     # calendar, not a registry number
_P99, _P50 = 0.99, 0.5
_MAX_EXACT_LOAD = 1e7   # erlangs: the exact M/M/c formulas' range (calc_erlang_c accepts up to 1e8)


class ServingFleetResult(Result):
    """A serving fleet under Poisson traffic: replicas, utilisation, tail latency, cost."""

    __slots__ = ()
    _MS = ("ms", 1e3)
    UNITS = {"service_time": ("s", 1.0), "ttft": _MS, "itl": _MS, "mean_wait": _MS,
             "wait_p50": _MS, "wait_p99": _MS, "latency_p50": ("s", 1.0), "latency_p99": ("s", 1.0),
             "ttft_p50": _MS, "ttft_p99": _MS, "p99": _MS, "slo": _MS, "qps": ("1/s", 1.0),
             "replica_throughput": ("1/s", 1.0), "fleet_capacity": ("1/s", 1.0),
             "memory_required": ("GB", 1e-9), "memory_capacity": ("GB", 1e-9),
             "memory_shortfall": ("GB", 1e-9)}
    # An unstable queue (offered load a >= c slots, the "throughput" binding) has no steady state:
    # its waits and latency quantiles are inf (the queue grows without bound) and rho = a / c, the
    # traffic intensity of M/M/c (Kleinrock 1975, section 3.5), is >= 1; the same holds for the
    # calibrated and ideal-bound replica times evaluated at the sized fleet.
    _Q = ("mean_wait", "wait_p50", "wait_p99", "latency_p50", "latency_p99", "ttft_p50", "ttft_p99", "p99")
    MAY_BE_INF = frozenset(_Q + ("utilization",) + tuple(f"{k}{x}" for x in ("_calibrated", "_bound") for k in (
        "ttft_p99", "latency_p99", "ttft_p50", "utilization")))


_SFX = ("", "_calibrated", "_bound")


def _replica(model, hardware, seq_len, n_out, batch_size, precision, efficiency, kv_precision, tp_size,
             batching, chunk, memory_fraction):
    """(ServingModel dict of the replica at its full batch N, ``at``): ``at(n)`` gives, for n
    requests in flight, {suffix: (service time S, TTFT, ITL)} for the efficiency-based, calibrated
    and ideal-bound answers (static batching: the same at every n)."""
    sm = ServingModel()
    kw = dict(precision=precision, efficiency=efficiency, kv_precision=kv_precision, tp_size=tp_size)
    if batching == "static":
        sv = sm.solve(model, hardware, seq_len=seq_len, batch_size=batch_size, output_tokens=n_out, **kw).raw()
        fixed = {x: (sv["ttft" + x] + n_out * sv["itl" + x], sv["ttft" + x], sv["itl" + x]) for x in _SFX}
        return sv, lambda n: fixed
    from .batching import ContinuousBatchingModel
    cb = ContinuousBatchingModel().solve(model, hardware, seq_len=seq_len + n_out, prompt_len=seq_len,
                                         output_tokens=n_out, max_batch_size=batch_size, prefill_chunk_tokens=chunk,
                                         memory_fraction=memory_fraction, **kw).raw()
    n_max = cb["max_active_requests"]
    ctx = seq_len + n_out // 2
    fit = sm.solve(model, hardware, seq_len=ctx, batch_size=max(1, n_max), **kw).raw()
    pre = sm.solve(model, hardware, seq_len=seq_len, prefill_chunk_tokens=chunk, **kw).raw()
    cache: dict[int, dict] = {}

    def at(n):
        hit = cache.get(n)
        if hit is None:
            dec = sm.solve(model, hardware, seq_len=ctx, batch_size=n, **kw).raw()
            hit = {}
            for x in _SFX:
                step = calc_continuous_step_time.raw(dec["itl" + x], pre["ttft" + x], n, n_out)
                ttft = step / 2.0 + pre["ttft" + x]
                hit[x] = (ttft + n_out * step, ttft, step)
            cache[n] = hit
        return hit
    if n_max < 1:   # nothing fits: batch-1 times (finite) with feasible False; memory binds
        sv = dict(fit, request_latency=fit["ttft"] + n_out * fit["itl"], feasible=False, seq_len=seq_len)
        return sv, lambda n: {x: (fit["ttft" + x] + n_out * fit["itl" + x], fit["ttft" + x], fit["itl" + x])
                              for x in _SFX}
    # in-flight batching admits what memory holds (vLLM's scheduler), even below batch_size
    sv = dict(fit, batch_size=n_max, seq_len=seq_len, feasible=True)
    return sv, at


def _active(lam: float, r: int, n_max: int, at, batching: str) -> int:
    """Requests in flight per replica at steady state (Little's law): n = min(N, ceil(lambda S(n) / R)).

    S(n) grows with n, so iterating from n = 1 climbs monotonically to the fixed point (or N, where
    the queue takes over); at most 64 steps (each costs one ServingModel call, cached).
    """
    if batching == "static":
        return n_max
    n = 1
    for _ in range(64):
        nxt = min(n_max, max(1, math.ceil(lam * at(n)[""][0] / r)))
        if nxt <= n:
            break
        n = nxt
    return n


def _metrics(lam: float, service_time: float, ttft: float, slots: int, service: str) -> dict:
    """Queue numbers (seconds, floats; inf when unstable) for ``slots`` servers of mean ``service_time``."""
    mu = 1.0 / service_time
    a = lam * service_time
    stable = a < slots
    if not stable:
        inf = math.inf
        return {"utilization": a / slots, "offered_load": a, "stable": False, "prob_wait": 1.0,
                "mean_wait": inf, "wait_p50": inf, "wait_p99": inf, "latency_p50": inf,
                "latency_p99": inf, "ttft_p50": inf, "ttft_p99": inf}
    spare = slots * mu - lam
    if a <= _MAX_EXACT_LOAD:
        prob_wait = calc_erlang_c.raw(slots, a)
        w50 = calc_mmc_wait_quantile.raw(lam, mu, slots, _P50)
        w99 = calc_mmc_wait_quantile.raw(lam, mu, slots, _P99)
    else:
        # beyond the exact Erlang-C range: the many-server (Halfin-Whitt) limit,
        # C ~ 1 / (1 + beta Phi(beta) / phi(beta)), beta = (1 - rho) sqrt(c)
        # (Halfin & Whitt (1981), Operations Research 29(3), theorem 1)
        beta = (1.0 - a / slots) * math.sqrt(slots)
        phi = math.exp(-beta * beta / 2.0) / math.sqrt(2.0 * math.pi)
        big_phi = 0.5 * (1.0 + math.erf(beta / math.sqrt(2.0)))
        prob_wait = 1.0 / (1.0 + beta * big_phi / phi) if phi > 0 else 0.0
        w50 = max(0.0, math.log(prob_wait / (1 - _P50)) / spare) if prob_wait > 0 else 0.0
        w99 = max(0.0, math.log(prob_wait / (1 - _P99)) / spare) if prob_wait > 0 else 0.0
        if service != "fixed":
            service = "fixed"    # the response-time quantile formula is exact-range only; S + W is close here
    if service == "fixed":
        l50, l99 = service_time + w50, service_time + w99
    else:
        l50 = calc_mmc_response_quantile.raw(lam, mu, slots, _P50)
        l99 = calc_mmc_response_quantile.raw(lam, mu, slots, _P99)
    return {"utilization": a / slots, "offered_load": a, "stable": True, "prob_wait": prob_wait,
            "mean_wait": prob_wait / spare, "wait_p50": w50, "wait_p99": w99, "latency_p50": l50,
            "latency_p99": l99, "ttft_p50": ttft + w50, "ttft_p99": ttft + w99}


def _p99(m: dict, metric: str) -> float:
    return m["latency_p99"] if metric == "latency" else m["ttft_p99"]


def _floor_p99(service_time: float, ttft: float, service: str, metric: str) -> float:
    """The p99 with no queueing at all (infinitely many replicas): no fleet size beats it."""
    if metric == "ttft":
        return ttft
    return service_time if service == "fixed" else service_time * math.log(1.0 / (1.0 - _P99))


class ServingFleetModel:
    """Replicas, utilisation and tail latency of a serving fleet at a request rate (M/M/c)."""

    def solve(self, model, hardware, qps, slo_p99_ms, seq_len=2048, output_tokens=256, batch_size=1,
              precision="fp16", max_replicas=10_000, replicas=None, efficiency=0.5,
              kv_precision=None, service="fixed", slo_metric="latency",
              gpu_hour_price=None, tp_size=1, batching="continuous", prefill_chunk_tokens=None,
              memory_fraction=1.0) -> ServingFleetResult:
        """Size (``replicas=None``) or evaluate (``replicas=R``) a fleet of one-accelerator replicas.

        ``qps``: requests per second (or a Quantity in 1/s); ``slo_p99_ms``: the p99 target in ms
        (or a time Quantity) on the end-to-end latency (``slo_metric="latency"``) or on the time to
        first token (``"ttft"``); ``service``: "fixed" (every reply ``output_tokens`` long) or
        "exponential" (reply lengths vary, mean ``output_tokens``); ``gpu_hour_price``: USD per
        accelerator-hour (default: the zoo's cloud price); ``tp_size``: accelerators per replica
        (tensor parallel); ``batching``: "continuous" (in-flight: ``batch_size`` caps the requests
        in flight, None lets memory decide; a request's TTFT is its own prompt's prefill plus half
        a decode step, decode runs at the active batch with the prefills of arriving requests
        interleaved, calc_continuous_step_time) or "static" (a batch of ``batch_size`` prefills and
        decodes together: TTFT is the batch's prefill). Cost grows with log(max_replicas).
        """
        # bounded (checks.TINY..HUGE) so that costs per query and loads stay finite
        lam = positive("qps", qps, unit="1/s", what="a positive request rate (requests per second), 1e-30 to 1e30")
        slo = positive("slo_p99_ms", slo_p99_ms, unit="ms", what="a positive latency target in ms, 1e-30 to 1e30") / 1e3
        output_tokens = positive_int("output_tokens", output_tokens)
        # checked here so that errors name the caller's arguments (ContinuousBatchingModel calls
        # them prompt_len / max_batch_size)
        seq_len = positive_int("seq_len", seq_len)
        if batch_size is not None:
            batch_size = positive_int("batch_size", batch_size)
        max_replicas = positive_int("max_replicas", max_replicas)
        choice("batching", batching, BATCHING)
        if batch_size is None and batching == "static":
            raise SpecError("batch_size", batch_size, "a positive integer for batching='static'")
        if replicas is not None:
            replicas = positive_int("replicas", replicas)
        choice("service", service, SERVICE)
        choice("slo_metric", slo_metric, SLO_METRICS)
        price = constants().cloud_gpu_hour_price if gpu_hour_price is None else magnitude(
            gpu_hour_price, "USD/hour", "gpu_hour_price")
        if price < 0:
            raise SpecError("gpu_hour_price", gpu_hour_price, "a non-negative price per accelerator-hour")

        sv, at = _replica(model, hardware, seq_len, output_tokens, batch_size, precision, efficiency,
                          kv_precision, tp_size, batching, prefill_chunk_tokens, memory_fraction)
        b = sv["batch_size"]
        tp = sv["tp_size"]
        s_full = at(b)[""][0]
        s1, ttft1 = at(1)[""][0:2] if batching == "continuous" else at(b)[""][0:2]
        floor = _floor_p99(s1, ttft1, service, slo_metric)
        # fewest replicas whose B slots outrun the traffic: R B / S(B) > lambda
        r_stable = int(math.floor(lam * s_full / b)) + 1
        needed = None

        def at_r(r):
            return at(_active(lam, r, b, at, batching))
        # the fewest replicas that meet the SLO, searched up to max_replicas, or up to the fleet given
        # (so that a given fleet that meets the SLO is always compared with the fewest that would)
        limit = max_replicas if replicas is None else max(max_replicas, replicas)
        if sv["feasible"] and floor <= slo and r_stable <= limit:
            def meets(r):
                s_r, t_r, _ = at_r(r)[""]
                return _p99(_metrics(lam, s_r, t_r, r * b, service), slo_metric) <= slo
            # gallop up from the stable minimum (the answer is usually near it), then bisect
            lo, step, hi = r_stable, 1, None
            while hi is None and lo <= limit:
                probe = min(lo + step - 1, limit)
                if meets(probe):
                    hi = probe
                else:
                    lo, step = probe + 1, step * 2
            if hi is not None:
                while lo < hi:
                    mid = (lo + hi) // 2
                    lo, hi = (lo, mid) if meets(mid) else (mid + 1, hi)
                needed = lo
        r = replicas if replicas is not None else (needed if needed is not None else max_replicas)
        n_act = _active(lam, r, b, at, batching)
        times = at(n_act)
        s_time, ttft, itl = times[""]
        m = _metrics(lam, s_time, ttft, r * b, service)
        p99 = _p99(m, slo_metric)
        meets_slo = m["stable"] and p99 <= slo
        if not sv["feasible"]:
            binding = "memory"
            reason = (f"{model.name} does not fit on one {hardware.name}: weights + KV cache need "
                      f"{si(sv['total_memory_required'], 'B')} of {si(sv['memory_capacity'], 'B')} "
                      f"(short by {si(sv['shortfall'], 'B')}); quantize, shorten the context or lower the batch")
        elif floor > slo:
            binding = "service_time"
            reason = (f"even with no queueing the p99 {_metric_name(slo_metric)} is {si(floor, 's')}, over the "
                      f"{si(slo, 's')} SLO: no number of replicas helps; make each request faster "
                      "(smaller batch, lower precision, faster hardware, shorter replies)")
        elif replicas is None and needed is None:
            binding = "max_replicas"
            reason = (f"the SLO needs more than max_replicas={max_replicas} replicas"
                      + (f" (throughput alone needs {r_stable:,})" if r_stable > max_replicas else ""))
        elif not m["stable"]:
            binding = "throughput"
            reason = (f"{r:,} replicas serve at most {r * b / s_time:,.4g} requests/s but {lam:,.4g} arrive: "
                      f"utilisation {pct(m['utilization'])} >= 100 %, the queue grows without bound; "
                      f"at least {r_stable:,} replicas are needed")
        elif not meets_slo:
            binding = "tail_latency"
            reason = (f"at utilisation {pct(m['utilization'])} the p99 {_metric_name(slo_metric)} is "
                      f"{si(p99, 's')}, over the {si(slo, 's')} SLO"
                      + (f"; {needed:,} replicas meet it" if needed is not None else ""))
        else:
            binding = "throughput" if needed == r_stable else "tail_latency"
            reason = ("meets the SLO; " + (
                "capacity (utilisation < 100 %) is what sets the fleet size" if binding == "throughput" else
                f"the tail latency sets the fleet size: {r_stable:,} replicas would keep up with the "
                f"traffic, {needed:,} keep the p99 under the SLO"))
        annual = r * tp * price * _HOURS_PER_YEAR
        per_query = r * tp * price / _SECONDS_PER_HOUR / lam
        # the same fleet with the calibrated and the ideal-bound replica times
        other = {}
        for sfx in ("_calibrated", "_bound"):
            s_x, ttft_x, itl_x = times[sfx]
            mx = _metrics(lam, s_x, ttft_x, r * b, service)
            other.update({f"ttft{sfx}": ttft_x, f"itl{sfx}": itl_x, f"service_time{sfx}": s_x,
                          f"ttft_p99{sfx}": mx["ttft_p99"], f"latency_p99{sfx}": mx["latency_p99"],
                          f"ttft_p50{sfx}": mx["ttft_p50"], f"utilization{sfx}": mx["utilization"]})
        v = {
            "qps": lam, "replicas": r, "replicas_needed": needed, "replicas_for_throughput": r_stable,
            "batch_size": b, "active_batch": n_act, "slots": r * b, "service_time": s_time, "ttft": ttft,
            "itl": itl,
            "replica_throughput": b / s_time, "fleet_capacity": r * b / s_time, **m, "p99": p99,
            "slo": slo, "slo_metric": slo_metric, "service": service, "meets_slo": meets_slo,
            "feasible": bool(sv["feasible"] and meets_slo), "binding": binding, "reason": reason,
            "memory_feasible": sv["feasible"], "memory_required": sv["total_memory_required"],
            "memory_capacity": sv["memory_capacity"], "memory_shortfall": sv["shortfall"],
            "accelerators": r * tp, "tp_size": tp, "batching": batching, **other, "gpu_hour_price": price, "annual_cost_usd": annual,
            "cost_per_query": per_query, "cost_per_million_tokens": per_query / output_tokens * 1e6,
            "output_tokens": output_tokens, "seq_len": sv["seq_len"], "precision": sv["precision"],
            "model_name": model.name, "hardware_name": hardware.name,
        }
        return ServingFleetResult(v, lambda: _work(v, floor))

    @staticmethod
    def curve(result: ServingFleetResult, replicas=None, qps=None) -> list[dict]:
        """The result's fleet re-evaluated at other ``replicas`` or other ``qps`` (one list of 1 to
        1,000 values): rows of plain floats (seconds, inf when unstable), for charts."""
        if not isinstance(result, ServingFleetResult):
            raise SpecError("result", type(result).__name__, "a ServingFleetResult from ServingFleetModel().solve()")
        if (replicas is None) == (qps is None):
            raise SpecError("replicas", replicas, "exactly one of replicas=[...] or qps=[...]")
        v = result.raw()
        rows = []
        name = "replicas" if replicas is not None else "qps"
        for x in sequence(name, replicas if replicas is not None else qps, max_len=1000):
            r = positive_int("replicas", x) if replicas is not None else v["replicas"]
            lam = v["qps"] if replicas is not None else magnitude(x, "1/s", "qps")
            if lam <= 0:
                raise SpecError("qps", x, "a positive request rate")
            m = _metrics(lam, v["service_time"], v["ttft"], r * v["batch_size"], v["service"])
            p99 = _p99(m, v["slo_metric"])
            rows.append({"replicas": r, "qps": lam, **m, "p99": p99,
                         "meets_slo": m["stable"] and p99 <= v["slo"]})
        return rows


def _metric_name(metric: str) -> str:
    return "latency" if metric == "latency" else "time to first token"


def _work(v: dict, floor: float) -> list[tuple[str, str, str]]:
    b, r = v["batch_size"], v["replicas"]
    steps = [
        ("Service time per request (ServingModel)", "S = \\text{TTFT} + n_{out} \\times \\text{ITL}",
         f"{si(v['ttft'], 's')} + {v['output_tokens']:,} × {si(v['itl'], 's')} = **{si(v['service_time'], 's')}** "
         f"with {v['active_batch']} of {b} slots busy ({v['batching']} batching, TP {v['tp_size']}); one replica "
         f"completes {b} / S = **{v['replica_throughput']:.4g} requests/s**"),
        ("Offered load and utilisation", "a = \\lambda S, \\quad \\rho = \\frac{a}{c}, \\quad c = R \\times B",
         f"a = {v['qps']:,.4g}/s × {si(v['service_time'], 's')} = {v['offered_load']:,.4g} requests in service; "
         f"c = {r:,} × {b} = {v['slots']:,} slots; ρ = **{pct(v['utilization'])}**"),
    ]
    if not v["stable"]:
        steps.append(("Stability", "\\rho < 1",
                      f"**unstable**: the queue grows without bound; at least "
                      f"{v['replicas_for_throughput']:,} replicas are needed"))
    else:
        steps += [
            ("Probability of waiting (Erlang C)",
             "C(c, a) = \\frac{B(c,a)}{1 - \\rho\\,(1 - B(c,a))}",
             f"C({v['slots']:,}, {v['offered_load']:,.4g}) = **{pct(v['prob_wait'], 2)}**; "
             f"mean wait C / (cμ − λ) = {si(v['mean_wait'], 's')}"),
            ("Tail of the wait", "W_{p} = \\frac{\\ln(C / (1-p))}{c\\mu - \\lambda}",
             f"W_50 = {si(v['wait_p50'], 's')}, W_99 = **{si(v['wait_p99'], 's')}**"),
            ("p99 latency", "T_{99} = S + W_{99}" if v["service"] == "fixed" else
             "P(T > t) = (1-C)e^{-\\mu t} + C\\,P(\\text{Exp}(c\\mu-\\lambda) + \\text{Exp}(\\mu) > t) = 0.01",
             f"latency p50 {si(v['latency_p50'], 's')}, p99 **{si(v['latency_p99'], 's')}**; "
             f"TTFT p99 = {si(v['ttft'], 's')} + {si(v['wait_p99'], 's')} = {si(v['ttft_p99'], 's')}"),
        ]
    steps += [
        ("SLO", f"T_{{99}}^{{\\text{{{v['slo_metric']}}}}} \\le \\text{{SLO}}",
         f"{si(v['p99'], 's')} vs {si(v['slo'], 's')} (no fleet beats {si(floor, 's')}): "
         f"**{'met' if v['meets_slo'] else 'missed'}**; fewest replicas: "
         f"{'none within limits' if v['replicas_needed'] is None else format(v['replicas_needed'], ',')}; "
         f"{v['reason']}"),
        ("Cost", "R \\times TP \\times p \\times 8760\\,\\text{h}",
         f"{r:,} × {v['tp_size']} × ${v['gpu_hour_price']:.2f}/h × 8760 h = **{usd(v['annual_cost_usd'])}/year**, "
         f"${v['cost_per_query']:.3g} per request"),
    ]
    return steps
