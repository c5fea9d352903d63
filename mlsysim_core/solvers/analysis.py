"""Analysis solvers: which constraint binds, what hardware an SLA needs, what a fleet delivers.

    SensitivitySolver   d ln T / d ln x for each resource x, by finite differences (Wall 21)
    SynthesisSolver     inverse roofline: Peak >= FLOPs / (T eta), BW >= Bytes / T (Wall 22)
    EffectiveFlopsModel Peak x MFU x eta_scale x goodput (equations page 9)
    ParallelismOptimizer (solvers/optimizer.py, re-exported here)
"""
from __future__ import annotations

import dataclasses
import math

from ..checks import choice, efficiency, flag, fraction, instance, number, positive, positive_int, sequence
from ..results_fleet import DistributedResult, ReliabilityResult
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import calc_effective_flops
from ..results_fleet import EffectiveFlopsResult, SensitivityResult, SynthesisResult
from ..specs import ComputeCore, Fleet, HardwareNode, MemoryHierarchy
from ..units import PRECISIONS, magnitude
from ..zoo import Hardware
from ._common import check_batch, check_efficiency, check_hardware, check_model, check_precision
from .distributed import Context, check_parallelism, plan
from .engine import roofline
from .optimizer import ParallelismOptimizer

__all__ = ["SensitivitySolver", "SynthesisSolver", "EffectiveFlopsModel", "ParallelismOptimizer"]

NODE_KNOBS = ("peak_flops", "memory_bandwidth", "memory_capacity")
FLEET_KNOBS = NODE_KNOBS + ("intra_node_bandwidth", "fabric_bandwidth", "fabric_latency")


def _scaled_hardware(hw: HardwareNode, knob: str, k: float) -> HardwareNode:
    if knob == "peak_flops":
        flops = {p: v * k for p, v in hw.compute.flops_by_precision.items()}
        return dataclasses.replace(hw, compute=ComputeCore(flops, hw.compute.default_precision))
    if knob == "memory_bandwidth":
        return dataclasses.replace(hw, memory=dataclasses.replace(hw.memory, bandwidth_bytes_s=hw.memory.bandwidth_bytes_s * k))
    return dataclasses.replace(hw, memory=dataclasses.replace(hw.memory, capacity_bytes=hw.memory.capacity_bytes * k))


def _scale_ctx(ctx: Context, knob: str, k: float) -> None:
    attr = {"peak_flops": "peak", "memory_bandwidth": "bw", "memory_capacity": "cap",
            "intra_node_bandwidth": "nv_bw", "fabric_bandwidth": "fab_bw"}.get(knob)
    if attr is not None:
        setattr(ctx, attr, getattr(ctx, attr) * k)
    else:                                      # an improvement of latency is a division
        ctx.fab_lat /= k


class SensitivitySolver:
    """Improve each resource by ``perturbation_pct`` and see how much faster the answer gets.

    ``gains[x]`` = ln(T / T') / ln(1 + p): 1.0 means the latency follows x one-for-one (x binds),
    0 means x does not matter here. Out of memory, capacity binds whatever the latency says.
    """

    def solve(self, model, hardware, batch_size=1, precision="fp16", efficiency=0.5,
              perturbation_pct=10.0, is_training=False, seq_len=2048, **plan_kwargs) -> SensitivityResult:
        """``hardware``: an accelerator (single-node roofline) or a Fleet (a DistributedModel step
        with ``tp_size``, ``pp_size``, ``ep_size``, ``cp_size``, ``microbatch_count``, ... in
        ``plan_kwargs``)."""
        check_model(model)
        precision, bpe = check_precision(precision)
        batch_size = check_batch(batch_size)
        efficiency = check_efficiency(efficiency)
        # below 1e-6 % the finite difference drowns in float round-off (ln(1+p) ~ 1e-8)
        p = number("perturbation_pct", perturbation_pct, lo=1e-6, hi=100.0,
                   allowed="a percentage in (0, 100], at least 1e-06")
        is_training = flag("is_training", is_training)
        seq_len = check_batch(seq_len, "seq_len")
        k = 1.0 + p / 100.0
        if isinstance(hardware, Fleet):
            knobs = FLEET_KNOBS
            latency_of = self._fleet(model, hardware, batch_size, precision, bpe, efficiency, seq_len, k,
                                     plan_kwargs)
        else:
            if plan_kwargs:
                name = next(iter(plan_kwargs))
                raise SpecError(name, plan_kwargs[name], "no parallelism arguments for a single accelerator")
            check_hardware(hardware)
            knobs = NODE_KNOBS

            def latency_of(knob):
                hw = hardware if knob is None else _scaled_hardware(hardware, knob, k)
                r = roofline(model, hw, batch_size, precision, bpe, efficiency, is_training, seq_len)
                return r["latency"], r["feasible"]
        base, feasible = latency_of(None)
        gains = {}
        for knob in knobs:
            t, _ = latency_of(knob)
            gains[knob] = math.log(base / t) / math.log(k)     # elasticity: 1.0 = binds fully
        binding = "memory_capacity" if not feasible else max(gains, key=lambda x: abs(gains[x]))
        r = {"sensitivities": {x: -g for x, g in gains.items()}, "gains": gains,
             "binding_constraint": binding, "baseline_latency": base, "feasible": feasible,
             "perturbation_pct": p}
        return SensitivityResult(r, lambda: [
            ("Sensitivity", "g_x = -\\frac{\\partial \\ln T}{\\partial \\ln x} \\approx \\frac{\\ln(T/T')}{\\ln(1+p)}",
             ", ".join(f"{x} {g:.2f}" for x, g in gains.items()) + f" → binds: **{binding}**"
             + ("" if feasible else " (out of memory)"))])

    @staticmethod
    def _fleet(model, fleet, batch_size, precision, bpe, efficiency, seq_len, k, kw):
        allowed = {"tp_size", "pp_size", "ep_size", "cp_size", "microbatch_count", "v_stages", "zero_stage",
                   "activation_recomputation", "overlap_comm", "dp_algorithm"}
        for name in kw:
            if name not in allowed:
                raise SpecError(name, kw[name], "a DistributedModel plan argument: " + ", ".join(sorted(allowed)))
        seq_len = check_batch(seq_len, "seq_len")
        # context parallelism as DistributedModel.solve takes it: an int >= 1 here, and a divisor of
        # the fleet's DP ways and of seq_len in check_parallelism (which names cp_size)
        cp = positive_int("cp_size", kw.get("cp_size", 1))
        tp, pp, ep, m, v = check_parallelism(model, fleet, batch_size, kw.get("tp_size", 1), kw.get("pp_size", 1),
                                             kw.get("ep_size", 1), kw.get("microbatch_count", 1),
                                             kw.get("v_stages", 1), kw.get("zero_stage", 0), cp, seq_len)
        from .distributed import DP_ALGORITHMS
        args = (tp, pp, ep, m, v, kw.get("zero_stage", 0),
                flag("activation_recomputation", kw.get("activation_recomputation", False)),
                flag("overlap_comm", kw.get("overlap_comm", False)),
                choice("dp_algorithm", kw.get("dp_algorithm", "auto"), DP_ALGORITHMS), cp)

        def latency_of(knob):
            ctx = Context(model, fleet, batch_size, precision, bpe, efficiency, seq_len)
            if knob is not None:
                _scale_ctx(ctx, knob, k)
            r = plan(ctx, *args)
            return r["step_latency_total"], r["feasible"]
        return latency_of


class SynthesisSolver:
    """Inverse roofline: the least peak FLOP/s, bandwidth and memory that meet a latency target."""

    def solve(self, model, target_latency, batch_size=1, precision="fp16", efficiency=0.5,
              is_training=False, seq_len=2048, candidates=None) -> SynthesisResult:
        check_model(model)
        precision, bpe = check_precision(precision)
        batch_size = check_batch(batch_size)
        efficiency = check_efficiency(efficiency)
        t = positive("target_latency", target_latency, unit="s", maximum=1e9,
                     what="a positive latency (seconds when a bare number), from 1e-30 to 1e9 s")
        is_training = flag("is_training", is_training)
        seq_len = check_batch(seq_len, "seq_len")
        probe = HardwareNode("demand probe", "probe", "probe", ComputeCore({p: 1.0 for p in PRECISIONS}),
                             MemoryHierarchy(float("inf"), 1.0), tdp_w=0.0)
        d = roofline(model, probe, batch_size, precision, bpe, 1.0, bool(is_training), seq_len)
        hw_flops, moved, mem = d["latency_compute"], d["bytes_moved"], d["memory_footprint"]
        need_flops, need_bw = hw_flops / (t * efficiency), moved / t
        pool = list(Hardware) if candidates is None else list(sequence("candidates", candidates, lambda n, v: check_hardware(v, n)))
        rows = []
        for hw in pool:
            r = roofline(model, hw, batch_size, precision, bpe, efficiency, bool(is_training), seq_len)
            rows.append({"hardware": hw.name, "latency_ms": r["latency"] * 1e3, "feasible": r["feasible"],
                         "meets": r["feasible"] and r["latency"] <= t, "bottleneck": r["bottleneck"]})
        rows.sort(key=lambda x: (not x["meets"], x["latency_ms"]))
        meeting = [x["hardware"] for x in rows if x["meets"]]
        r = {"target_latency": t, "required_flops": need_flops, "required_bandwidth": need_bw,
             "required_memory": mem, "total_flops": hw_flops, "bytes_moved": moved,
             "compute_memory_ratio": need_flops / need_bw if need_bw else float("inf"),
             "candidates_meeting": meeting, "best_candidate": meeting[0] if meeting else None,
             "feasible_in_zoo": bool(meeting), "candidates": rows}
        return SynthesisResult(r, lambda: [
            ("Required compute", "\\text{Peak} \\ge \\frac{\\text{FLOPs}}{T\\,\\eta}",
             f"{si(hw_flops, 'FLOP')} / ({si(t, 's')} × {efficiency:g}) = **{si(need_flops, 'FLOP/s')}**"),
            ("Required bandwidth", "\\text{BW} \\ge \\frac{\\text{Bytes}}{T}",
             f"{si(moved, 'B')} / {si(t, 's')} = **{si(need_bw, 'B/s')}**"),
            ("Required memory", "\\text{capacity} \\ge \\text{footprint}", f"**{si(mem, 'B')}**"),
            ("Zoo hardware that meets it", "T(hw) \\le T_{target}",
             ", ".join(meeting) if meeting else "**none**: relax the SLA, batch less, or compress the model"),
        ])


class EffectiveFlopsModel:
    """The goodput cascade: what a fleet really delivers, factor by factor (equations page 9)."""

    def solve(self, fleet, mfu=0.5, scaling_efficiency=1.0, goodput_ratio=1.0, precision="fp16",
              distributed=None, reliability=None) -> EffectiveFlopsResult:
        """Factors come from the arguments, or from a DistributedResult (MFU of the kernels and
        eta_scale) and a ReliabilityResult (goodput) when given."""
        if isinstance(fleet, Fleet):
            hw, n = fleet.node.accelerator, fleet.total_accelerators
        else:
            hw, n = check_hardware(fleet, "fleet"), 1
        precision, _ = check_precision(precision)
        if distributed is not None:
            instance("distributed", distributed, DistributedResult, "a DistributedResult (DistributedModel().solve(...))")
            mfu, scaling_efficiency = distributed["efficiency"], distributed["scaling_efficiency"]
        if reliability is not None:
            instance("reliability", reliability, ReliabilityResult, "a ReliabilityResult (ReliabilityModel().solve(...))")
            goodput_ratio = reliability["goodput_ratio"]
        mfu = efficiency("mfu", mfu)
        eta = efficiency("scaling_efficiency", scaling_efficiency)
        good = fraction("goodput_ratio", goodput_ratio, lo_open=False)
        peak = n * hw.compute.peak_flop_s(precision)
        eff = calc_effective_flops.raw(peak, mfu, eta, good)
        cascade = [{"stage": "Peak", "flops": peak, "fraction": 1.0},
                   {"stage": "× MFU", "flops": peak * mfu, "fraction": mfu},
                   {"stage": "× scaling", "flops": peak * mfu * eta, "fraction": mfu * eta},
                   {"stage": "× goodput", "flops": eff, "fraction": eff / peak}]
        r = {"peak_flops": peak, "effective_flops": eff, "fraction_of_peak": eff / peak,
             "factors": {"mfu": mfu, "scaling_efficiency": eta, "goodput_ratio": good},
             "cascade": cascade, "n_accelerators": n}
        return EffectiveFlopsResult(r, lambda: [
            ("Effective FLOP/s", "\\text{Peak} \\times \\text{MFU} \\times \\eta_{scale} \\times \\text{Goodput}",
             f"{si(peak, 'FLOP/s')} × {mfu:.2f} × {eta:.2f} × {good:.2f} = **{si(eff, 'FLOP/s')}** "
             f"({pct(eff / peak)} of peak)")])
