"""ParallelismOptimizer: every valid TP x PP x EP x microbatch (x V, ZeRO, recomputation) plan.

The search reuses one ``distributed.Context`` and calls the raw ``plan()`` per candidate (floats
only, a few µs each), so a 1,024-accelerator fleet is searched in milliseconds; a Result is
built only for the winner.
"""
from __future__ import annotations

import time

from ..checks import choice
from ..errors import SpecError
from ..fmt import pct, si
from ..results_fleet import OptimizerResult
from ..specs import MoEWorkload
from ._common import check_batch, check_efficiency, check_fleet, check_model, check_precision
from .distributed import DP_ALGORITHMS, Context, DistributedModel, plan

OBJECTIVES = ("throughput", "mfu", "memory")


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, int(n ** 0.5) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def _as_tuple(name, value, allowed=None):
    vals = tuple(value) if isinstance(value, (tuple, list)) else (value,)
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
              max_step_time=None, objective="throughput", top_k=5) -> OptimizerResult:
        """Search every plan; ``zero_stage``/``activation_recomputation``/``v_stages`` may be tuples.

        ``microbatch_counts`` None: every divisor of the per-replica batch. ``max_step_time`` in
        seconds (or a time Quantity). The best plan is the fastest feasible one (``objective``:
        "throughput" = shortest step, "mfu", or "memory" = least memory per accelerator).
        """
        t0 = time.perf_counter()
        check_model(model)
        check_fleet(fleet)
        precision, bpe = check_precision(precision)
        batch_size = check_batch(batch_size)
        efficiency = check_efficiency(efficiency)
        seq_len = check_batch(seq_len, "seq_len")
        choice("dp_algorithm", dp_algorithm, DP_ALGORITHMS)
        choice("objective", objective, OBJECTIVES)
        zeros = _as_tuple("zero_stage", zero_stage, (0, 1, 2, 3))
        recomputes = tuple(bool(x) for x in _as_tuple("activation_recomputation", activation_recomputation))
        vs = tuple(check_batch(v, "v_stages") for v in _as_tuple("v_stages", v_stages))
        limit = None
        if max_step_time is not None:
            from ..units import magnitude
            limit = magnitude(max_step_time, "s", "max_step_time")
        ctx = Context(model, fleet, batch_size, precision, bpe, efficiency, seq_len)
        n, apn, layers = ctx.n, ctx.apn, model.layers or 1
        tps = [t for t in _divisors(apn) if (max_tp is None or t <= max_tp)]
        if not ctx.is_tf:
            tps = [1]
        if isinstance(model, MoEWorkload):
            eps = [e for e in _divisors(n) if e <= model.experts] if ep_sizes is None else list(ep_sizes)
        else:
            eps = [1]
        searched = 0
        rows = []          # (key, step, config tuple, raw)
        fallback = None    # least-short infeasible plan, if nothing fits
        for tp in tps:
            for ep in eps:
                if n % (tp * ep):
                    continue
                for pp in _divisors(n // (tp * ep)):
                    if pp > layers or (max_pp is not None and pp > max_pp):
                        continue
                    dp = n // (tp * pp * ep)
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
                                    r = plan(ctx, tp, pp, ep, m, v, z, rc, overlap_comm, dp_algorithm)
                                    searched += 1
                                    cfg = (tp, pp, ep, dp, m, v, z, rc)
                                    if not r["feasible"]:
                                        if fallback is None or r["shortfall"] < fallback[1]["shortfall"]:
                                            fallback = (cfg, r)
                                        continue
                                    step = r["step_latency_total"]
                                    if limit is not None and step > limit:
                                        continue
                                    key = (step if objective == "throughput" else
                                           -r["mfu"] if objective == "mfu" else r["memory_per_accelerator"])
                                    rows.append((key, step, cfg, r))
        rows.sort(key=lambda x: (x[0], x[1]))
        top = [_row(cfg, r) for _, _, cfg, r in rows[:max(1, int(top_k))]]
        elapsed = time.perf_counter() - t0
        if rows:
            _, _, cfg, best = rows[0]
            feasible = True
        elif fallback is not None:
            cfg, best = fallback
            feasible = False
        else:
            raise SpecError("batch_size", batch_size, f">= the smallest data-parallel degree for {n} accelerators",
                            "no plan divides the fleet")
        reason = "" if feasible else (
            f"no plan fits in memory: the closest ({_label(cfg)}) is short by {si(best['shortfall'], 'B')}"
            if limit is None or fallback is not None and not rows else
            f"no feasible plan meets the step-time limit {si(limit, 's')}")
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
        keep = {k: kwargs[k] for k in ("precision", "efficiency", "seq_len", "overlap_comm", "dp_algorithm")
                if k in kwargs}
        keep.setdefault("overlap_comm", True)
        return DistributedModel().solve(model, fleet, batch_size, tp_size=c["tp"], pp_size=c["pp"],
                                        ep_size=c["ep"], microbatch_count=c["microbatch_count"],
                                        v_stages=c["v_stages"], zero_stage=c["zero_stage"],
                                        activation_recomputation=c["activation_recomputation"], **keep)


def _config(cfg) -> dict:
    tp, pp, ep, dp, m, v, z, rc = cfg
    return {"tp": tp, "pp": pp, "ep": ep, "dp": dp, "microbatch_count": m, "v_stages": v,
            "zero_stage": z, "activation_recomputation": rc}


def _row(cfg, r) -> dict:
    d = _config(cfg)
    d.update(step_time_ms=r["step_latency_total"] * 1e3, mfu=r["mfu"],
             scaling_efficiency=r["scaling_efficiency"], bubble_fraction=r["bubble_fraction"],
             memory_gb=r["memory_per_accelerator"] / 1e9, throughput=r["effective_throughput"])
    return d


def _label(cfg) -> str:
    tp, pp, ep, dp, m, v, z, rc = cfg
    s = f"TP={tp} PP={pp} EP={ep} DP={dp} M={m}"
    if v > 1:
        s += f" V={v}"
    if z:
        s += f" ZeRO-{z}"
    if rc:
        s += " +recompute"
    return s
