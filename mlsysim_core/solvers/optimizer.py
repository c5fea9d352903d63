"""ParallelismOptimizer: every valid TP x PP x EP (x CP) x microbatch (x V, ZeRO, recomputation) plan.

The search reuses one ``distributed.Context`` and calls the raw ``plan()`` per candidate (floats
only, a few µs each), so a 1,024-accelerator fleet is searched in milliseconds; a Result is
built only for the winner.
"""
from __future__ import annotations

import time

from ..checks import choice, flag, positive, positive_int, sequence
from ..errors import SpecError
from ..fmt import pct, si
from ..results_fleet import OptimizerResult
from ..specs import MoEWorkload
from ._common import check_batch, check_efficiency, check_fleet, check_model, check_precision
from ._distributed_comm import check_in_network, check_nic_rails, check_placement
from .distributed import DP_ALGORITHMS, Context, DistributedModel, plan

OBJECTIVES = ("throughput", "mfu", "memory")
# batch sizes (samples per step) up to 1e12: divisors by factorisation stay under ~1e6 steps
MAX_BATCH = 10 ** 12


MAX_PLANS = 200_000   # plans evaluated per search (~5 µs each): about a second at most


def _factor(n: int) -> dict[int, int]:
    """Prime factorisation by trial division over 2, 3 and 6k +- 1: the cost grows with the square
    root of n's second-largest prime factor, at most n ** (1/2) for n <= MAX_COUNT (2**53) only when
    n is prime or a product of two large primes, i.e. ~3e7 steps; counts here (batch sizes, fleet
    sizes) are far below that in practice, and callers cap n (see ``_divisors``)."""
    f, d = {}, 2
    while n % d == 0:
        f[d] = f.get(d, 0) + 1
        n //= d
    d = 3
    while n % d == 0:
        f[d] = f.get(d, 0) + 1
        n //= d
    d, step = 5, 2
    while d * d <= n:
        while n % d == 0:
            f[d] = f.get(d, 0) + 1
            n //= d
        d += step
        step = 6 - step
    if n > 1:
        f[n] = f.get(n, 0) + 1
    return f


def _divisors(n: int) -> list[int]:
    """Every divisor of n, built from its prime factorisation (cost: the factorisation above, plus
    one step per divisor; a number up to 1e12 has at most 6,720 divisors)."""
    divs = [1]
    for p, k in _factor(n).items():
        divs = [d * p ** e for d in divs for e in range(k + 1)]
    return sorted(divs)


def _as_tuple(name, value, allowed=None, item=None):
    vals = sequence(name, value, item) if isinstance(value, (tuple, list)) else (
        (item(name, value) if item else value),)
    if not vals:
        raise SpecError(name, value, "at least one value")
    if allowed is not None:
        for v in vals:
            choice(name, v, allowed)
    return vals


class ParallelismOptimizer:
    """Best parallelism plans for a model on a fleet under memory and step-time constraints."""

    def solve(self, model, fleet, batch_size, precision="fp16", efficiency=0.5, seq_len=2048,
              max_tp=None, max_pp=None, ep_sizes=None, microbatch_counts=None, v_stages=(1,),
              zero_stage=0, activation_recomputation=False, overlap_comm=True, dp_algorithm="auto",
              max_step_time=None, objective="throughput", top_k=5, cp_sizes=(1,), attention_flops=False,
              in_network_reduction=None, nic_rails=None, hierarchical_bound=False,
              placement=None) -> OptimizerResult:
        """Search every plan; ``zero_stage``/``activation_recomputation``/``v_stages`` may be tuples.

        Cost grows with the number of plans: divisors of the accelerators per node (TP) x of the
        fleet (PP, EP, CP) x of the per-replica batch (M) x V x ZeRO x recomputation; a search beyond
        MAX_PLANS (200,000) is refused with a hint to narrow it.
        ``cp_sizes``: context-parallel sizes to try, (1,) by default (no CP, as before); None: every
        divisor of the fleet that also divides seq_len (transformers; sizes that do not divide the
        fleet or seq_len are skipped). When CP is searched, each config carries "cp".
        ``attention_flops``, ``in_network_reduction`` (None: NVLS / SHARP where the zoo has them),
        ``nic_rails``, ``hierarchical_bound``, ``placement``: as in DistributedModel.solve, for every plan.
        ``microbatch_counts`` None: every divisor of the per-replica batch. ``max_step_time`` in
        seconds (or a time Quantity). The best plan is the fastest feasible one (``objective``:
        "throughput" = shortest step, "mfu", or "memory" = least memory per accelerator).
        """
        t0 = time.perf_counter()
        check_model(model)
        check_fleet(fleet)
        precision, bpe = check_precision(precision)
        batch_size = positive_int("batch_size", batch_size, maximum=MAX_BATCH)
        efficiency = check_efficiency(efficiency)
        seq_len = check_batch(seq_len, "seq_len")
        choice("dp_algorithm", dp_algorithm, DP_ALGORITHMS)
        choice("objective", objective, OBJECTIVES)
        overlap_comm = flag("overlap_comm", overlap_comm)
        zeros = _as_tuple("zero_stage", zero_stage, (0, 1, 2, 3))
        recomputes = _as_tuple("activation_recomputation", activation_recomputation, item=flag)
        vs = _as_tuple("v_stages", v_stages, item=positive_int)
        max_tp = None if max_tp is None else positive_int("max_tp", max_tp)
        max_pp = None if max_pp is None else positive_int("max_pp", max_pp)
        top_k = positive_int("top_k", top_k, maximum=10_000)
        if microbatch_counts is not None:
            microbatch_counts = sequence("microbatch_counts", microbatch_counts, positive_int, max_len=10_000)
        if ep_sizes is not None:
            ep_sizes = sequence("ep_sizes", ep_sizes, positive_int, max_len=10_000)
        if cp_sizes is not None:
            cp_sizes = sequence("cp_sizes", cp_sizes, positive_int, max_len=10_000)
        attention_flops = flag("attention_flops", attention_flops)
        in_network = check_in_network(in_network_reduction)
        placement = check_placement(placement)
        hier_bound = flag("hierarchical_bound", hierarchical_bound)
        rails = check_nic_rails(fleet, nic_rails)
        limit = None
        if max_step_time is not None:
            limit = positive("max_step_time", max_step_time, unit="s", maximum=1e9,
                             what="a positive step time (seconds when a bare number), at most 1e9 s")
        ctx = Context(model, fleet, batch_size, precision, bpe, efficiency, seq_len, attention_flops, rails,
                      placement)
        n, apn, layers = ctx.n, ctx.apn, model.layers or 1
        if not ctx.is_tf:
            cps = [1]
        elif cp_sizes is None:
            cps = [c for c in _divisors(n) if seq_len % c == 0]
        else:
            cps = sorted({c for c in cp_sizes if seq_len % c == 0})
        with_cp = cps != [1]
        tps = [t for t in _divisors(apn) if (max_tp is None or t <= max_tp)]
        if not ctx.is_tf:
            tps = [1]
        if isinstance(model, MoEWorkload):
            eps = [e for e in _divisors(n) if e <= model.experts] if ep_sizes is None else list(ep_sizes)
        else:
            eps = [1]
        budget = MAX_PLANS
        searched = 0
        rows = []          # (key, step, config tuple, plan arguments)
        cap, peak = ctx.cap, ctx.peak
        fallback = None    # least-short infeasible plan, if nothing fits
        fast_fallback = None   # fastest plan that fits in memory but misses the step-time limit
        for tp in tps:
            for ep in eps:
                if n % (tp * ep):
                    continue
                for pp, cp in ((p, c) for p in _divisors(n // (tp * ep)) for c in cps if (n // (tp * ep * p)) % c == 0):
                    if pp > layers or (max_pp is not None and pp > max_pp):
                        continue
                    dp = n // (tp * pp * ep * cp)
                    if batch_size < dp:
                        continue
                    local = -(-batch_size // dp)
                    ms = _divisors(local) if microbatch_counts is None else [m for m in microbatch_counts if m <= local]
                    for m in ms:
                        for v in (vs if pp > 1 else (1,)):
                            if pp * v > layers:
                                continue
                            for z in zeros:
                                for rc in recomputes:
                                    searched += 1
                                    if searched > budget:
                                        raise SpecError("batch_size", batch_size, "a search of at most "
                                                        f"{MAX_PLANS:,} plans", "pass microbatch_counts=[...], "
                                                        "max_tp or max_pp to narrow it")
                                    # lite: (step, memory, model FLOPs); the full dict only for kept plans
                                    args = (tp, pp, ep, m, v, z, rc, overlap_comm, dp_algorithm, cp,
                                            in_network, hier_bound)
                                    step, mem, flops = plan(ctx, *args, lite=True)
                                    cfg = (tp, pp, ep, dp, m, v, z, rc, cp if with_cp else 0)
                                    if mem > cap:          # not feasible: keep the least short
                                        if fallback is None or mem - cap < fallback[2]:
                                            fallback = (cfg, args, mem - cap)
                                        continue
                                    if limit is not None and step > limit:
                                        if fast_fallback is None or step < fast_fallback[2]:
                                            fast_fallback = (cfg, args, step)
                                        continue
                                    key = (step if objective == "throughput" else
                                           -(flops / (step * peak)) if objective == "mfu" else mem)
                                    rows.append((key, step, cfg, args))
        rows.sort(key=lambda x: (x[0], x[1]))
        kept = [(cfg, plan(ctx, *args)) for _, _, cfg, args in rows[:max(1, int(top_k))]]
        top = [_row(cfg, r) for cfg, r in kept]
        elapsed = time.perf_counter() - t0
        if rows:
            cfg, best = kept[0]
            feasible, reason = True, ""
        elif fast_fallback is not None:     # plans fit in memory; the step-time limit is what fails
            cfg, best = fast_fallback[0], plan(ctx, *fast_fallback[1])
            feasible = False
            reason = (f"no plan meets the step-time limit {si(limit, 's')}: the fastest that fits "
                      f"({_label(cfg)}) takes {si(best['step_latency_total'], 's')}")
        elif fallback is not None:
            cfg, best = fallback[0], plan(ctx, *fallback[1])
            feasible = False
            reason = f"no plan fits in memory: the closest ({_label(cfg)}) is short by {si(best['shortfall'], 'B')}"
        else:
            raise SpecError("batch_size", batch_size, f">= the smallest data-parallel degree for {n} accelerators",
                            "no plan divides the fleet")
        result = {
            "feasible": feasible, "reason": reason, "best_config": _config(cfg),
            "best_step_time": best["step_latency_total"], "best_mfu": best["mfu"],
            "best_throughput": best["effective_throughput"],
            "best_scaling_efficiency": best["scaling_efficiency"],
            "best_memory_per_accelerator_gb": best["memory_per_accelerator"] / 1e9,
            "objective_value": best["step_latency_total"] if objective == "throughput" else (
                best["mfu"] if objective == "mfu" else best["memory_per_accelerator"]),
            "top_candidates": top, "search_space_size": searched, "feasible_count": len(rows),
            "total_searched": searched, "search_time": elapsed, "objective": objective,
        }
        return OptimizerResult(result, lambda: [
            ("Search", "\\text{DP} = N / (TP \\times PP \\times EP)",
             f"{searched} plans evaluated, {len(rows)} feasible, in {elapsed * 1e3:.1f} ms"),
            ("Best plan", "\\min T_{step}\\ \\text{s.t. memory} \\le \\text{capacity}",
             f"{_label(cfg)}: step **{si(best['step_latency_total'], 's')}**, MFU {pct(best['mfu'])}, "
             f"η {pct(best['scaling_efficiency'])}" + ("" if feasible else f" — {reason}")),
        ])

    def best_result(self, model, fleet, batch_size, **kwargs):
        """The DistributedResult of the best plan (solves it once more, with its explanation)."""
        opt = self.solve(model, fleet, batch_size, **kwargs)
        c = opt.best_config
        keep = {k: kwargs[k] for k in ("precision", "efficiency", "seq_len", "overlap_comm", "dp_algorithm",
                                       "attention_flops", "in_network_reduction", "nic_rails",
                                       "hierarchical_bound", "placement") if k in kwargs}
        keep.setdefault("overlap_comm", True)
        return DistributedModel().solve(model, fleet, batch_size, tp_size=c["tp"], pp_size=c["pp"],
                                        ep_size=c["ep"], cp_size=c.get("cp", 1), microbatch_count=c["microbatch_count"],
                                        v_stages=c["v_stages"], zero_stage=c["zero_stage"],
                                        activation_recomputation=c["activation_recomputation"], **keep)


def _config(cfg) -> dict:
    tp, pp, ep, dp, m, v, z, rc, cp = cfg
    d = {"tp": tp, "pp": pp, "ep": ep, "dp": dp, "microbatch_count": m, "v_stages": v,
         "zero_stage": z, "activation_recomputation": rc}
    if cp:                  # 0: CP not searched (the config keeps its 4D keys)
        d["cp"] = cp
    return d


def _row(cfg, r) -> dict:
    d = _config(cfg)
    d.update(step_time_ms=r["step_latency_total"] * 1e3, mfu=r["mfu"],
             scaling_efficiency=r["scaling_efficiency"], bubble_fraction=r["bubble_fraction"],
             memory_gb=r["memory_per_accelerator"] / 1e9, throughput=r["effective_throughput"])
    return d


def _label(cfg) -> str:
    tp, pp, ep, dp, m, v, z, rc, cp = cfg
    s = f"TP={tp} PP={pp} EP={ep}" + (f" CP={cp}" if cp > 1 else "") + f" DP={dp} M={m}"
    if v > 1:
        s += f" V={v}"
    if z:
        s += f" ZeRO-{z}"
    if rc:
        s += " +recompute"
    return s
