"""Failures and checkpoints at fleet scale (Wall 15 Fragility, Wall 19 Checkpoint).

    1/MTBF_node = n_gpu/MTBF_gpu (+ n_nic/MTBF_nic + n_psu/MTBF_psu)  (series system)
    MTBF_fleet  = MTBF_node / nodes   (or MTBF_component / N)           (equations page 7.1)
    P(>=1 failure) = 1 - exp(-T / MTBF)                                 (page 8)
    tau_opt = sqrt(2 delta MTBF)                                        (Young 1974; page 7.2)
    waste(tau) = delta / tau + tau / (2 MTBF) + R / MTBF                (writes + lost work + restart)

The page prints the write term as delta/(2 tau); that form's optimum would be sqrt(delta M),
contradicting its own tau_opt, so the consistent Young form is used (see calc_checkpoint_waste).
"""
from __future__ import annotations

from ..checks import flag, positive, sequence
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import (calc_checkpoint_waste, calc_checkpoint_write_overhead, calc_lost_work_fraction, calc_expected_failures, calc_failure_probability,
                        calc_mtbf_cluster, calc_mtbf_node, calc_young_daly_interval)
from ..results_fleet import ReliabilityResult
from ..specs import Fleet
from ..units import magnitude
from ..zoo import constants
from .checkpoint import CheckpointModel
from .sustainability import resolve_system

_CHECKPOINT = CheckpointModel()


def _positive(name, value, unit, allow_zero=False):
    return positive(name, value, unit=unit, allow_zero=allow_zero, maximum=1e12 if unit == "hour" else 1e15,
                    what=f"a {'non-negative' if allow_zero else 'positive'} duration (in {unit} when a bare "
                         f"number), from 1e-30 to {'1e12 hours' if unit == 'hour' else '1e15 s'}")


def fleet_mtbf_hours(fleet, component_mtbf_hours=None, n_accelerators=None,
                     node_components=False) -> tuple[float, float, int]:
    """(fleet MTBF h, node (or component) MTBF h, accelerators).

    Default: the zoo's all-cause MTBF per accelerator (50,000 h, derived from Llama 3's 419
    interruptions on 16k GPUs, which already include NIC, PSU, host and software causes), so a
    node of g accelerators fails every MTBF/g hours (``calc_mtbf_node`` with GPUs only).
    ``node_components=True`` adds the node's NICs and PSUs in series (the reference's model; it
    double-counts the causes the all-cause figure already contains, and predicts ~1.7x too many
    failures for the Llama 3 run). ``component_mtbf_hours`` replaces the per-accelerator figure.
    """
    c = constants()
    hw, n, _ = resolve_system(fleet, n_accelerators)
    comp = c.gpu_mtbf if component_mtbf_hours is None else _positive("component_mtbf_hours",
                                                                     component_mtbf_hours, "hour")
    if isinstance(fleet, Fleet) and n_accelerators is None:
        node = fleet.node
        extra = node_components and component_mtbf_hours is None
        node_mtbf = calc_mtbf_node.raw(comp, node.accelerators_per_node, c.nic_mtbf,
                                       node.nics_per_node if extra else 0, c.psu_mtbf,
                                       node.psus_per_node if extra else 0)
        return calc_mtbf_cluster.raw(node_mtbf, fleet.count), node_mtbf, n
    return calc_mtbf_cluster.raw(comp, n), comp, n


class ReliabilityModel:
    """Fleet MTBF, failure odds, the Young-Daly interval and the goodput it leaves."""

    def solve(self, fleet, job_duration_hours, checkpoint_time_s=60.0, component_mtbf_hours=None,
              checkpoint_interval_s=None, recovery_time_s=None, n_accelerators=None,
              node_components=False, model=None, optimizer="adam", precision="bf16",
              filesystem_bandwidth=None, node_bandwidth=None, n_writers=None) -> ReliabilityResult:
        """``checkpoint_interval_s`` None: checkpoint at the Young-Daly optimum. See
        ``fleet_mtbf_hours`` for ``component_mtbf_hours`` and ``node_components``.

        The checkpoint write time delta: ``checkpoint_time_s`` (60 s by default), or, with
        ``checkpoint_time_s=None`` and a ``model``, CheckpointModel's synchronous write of that
        model's weights and ``optimizer`` state at ``precision`` to the fleet's storage
        (``filesystem_bandwidth``, ``node_bandwidth``, ``n_writers``: CheckpointModel's arguments,
        the zoo's defaults when None):

            delta = S / min(n_writers x BW_node, BW_fs),   S = P (b_weights + b_optimizer)

            ReliabilityModel().solve(Systems.Clusters.H100_256, 720, checkpoint_time_s=None,
                                     model=Models.Llama3_70B, filesystem_bandwidth="200 GB/s")
        """
        job_h = _positive("job_duration_hours", job_duration_hours, "hour")
        ckpt_info = None
        if model is None:
            if checkpoint_time_s is None:
                raise SpecError("checkpoint_time_s", checkpoint_time_s,
                                "a write time in s, or None with model= given (delta then comes from "
                                "CheckpointModel)")
            delta = _positive("checkpoint_time_s", checkpoint_time_s, "s")
        else:
            if checkpoint_time_s is not None:
                raise SpecError("checkpoint_time_s", checkpoint_time_s,
                                "None when model= is given (checkpoint_time_s=None: delta then comes from "
                                "CheckpointModel), or a write time without model=")
            if not isinstance(fleet, Fleet) or n_accelerators is not None:
                raise SpecError("fleet", getattr(fleet, "name", fleet),
                                "a fleet from Systems.Clusters without n_accelerators when model= is given "
                                "(CheckpointModel writes from the fleet's nodes)")
            ck = _CHECKPOINT.solve(model, fleet, optimizer=optimizer, precision=precision,
                                   filesystem_bandwidth=filesystem_bandwidth, node_bandwidth=node_bandwidth,
                                   n_writers=n_writers)
            delta = ck.raw("checkpoint_time")
            ckpt_info = (ck.model, ck.optimizer, ck.precision, ck.raw("checkpoint_size"),
                         ck.raw("write_bandwidth"), ck.bottleneck)
        recovery = constants().failure_recovery_time if recovery_time_s is None else _positive(
            "recovery_time_s", recovery_time_s, "s", allow_zero=True)
        mtbf_h, node_h, n = fleet_mtbf_hours(fleet, component_mtbf_hours, n_accelerators,
                                             flag("node_components", node_components))
        mtbf_s = mtbf_h * 3600.0
        tau_opt = calc_young_daly_interval.raw(delta, mtbf_s)
        tau = tau_opt if checkpoint_interval_s is None else _positive("checkpoint_interval_s", checkpoint_interval_s, "s")
        ckpt = calc_checkpoint_waste.raw(tau, delta, mtbf_s)
        restart = recovery / mtbf_s
        waste = ckpt + restart
        goodput = 1.0 - waste
        r = {
            "fleet_mtbf": mtbf_s, "node_mtbf": node_h * 3600.0, "n_accelerators": n,
            "failure_probability": calc_failure_probability.raw(mtbf_h, job_h),
            "expected_failures": calc_expected_failures.raw(mtbf_h, job_h),
            "optimal_checkpoint_interval": tau_opt, "checkpoint_interval": tau,
            # fractions of time: beyond 1 the first-order model no longer holds (first_order_valid
            # False) and the answer is "all of it", so they are capped at 1
            "checkpoint_waste_fraction": min(1.0, ckpt), "recovery_waste_fraction": min(1.0, restart),
            "waste_fraction": min(1.0, waste), "goodput_ratio": min(1.0, max(0.0, goodput)),
            "first_order_valid": tau < mtbf_s and waste < 1.0,
            "job_duration": job_h * 3600.0, "checkpoint_time": delta, "recovery_time": recovery,
            "expected_lost_hours": job_h * min(1.0, waste),
            # where delta came from: "checkpoint_time_s" (given) or "CheckpointModel" (from model=)
            "checkpoint_time_source": "checkpoint_time_s" if ckpt_info is None else "CheckpointModel",
            "checkpoint_size": None if ckpt_info is None else ckpt_info[3],
            "checkpoint_write_bandwidth": None if ckpt_info is None else ckpt_info[4],
        }
        per_node = isinstance(fleet, Fleet) and n_accelerators is None
        return ReliabilityResult(r, lambda: _work(r, mtbf_h, node_h, job_h, per_node, node_components, ckpt_info))

    @staticmethod
    def waste_curve(checkpoint_time_s, mtbf_hours, intervals_s) -> list[dict]:
        """Waste (writes + lost work) at each interval: the Young-Daly U-curve, as chart rows.

        Cost grows with len(intervals_s) (at most 100,000 intervals)."""
        delta = _positive("checkpoint_time_s", checkpoint_time_s, "s")
        m = _positive("mtbf_hours", mtbf_hours, "hour") * 3600.0
        intervals = sequence("intervals_s", intervals_s, lambda n, t: _positive(n, t, "s"), max_len=100_000)
        rows = []
        for t in intervals:
            rows.append({"interval_min": t / 60.0, "write": calc_checkpoint_write_overhead.raw(t, delta),
                         "lost_work": calc_lost_work_fraction.raw(t, m),
                         "waste": calc_checkpoint_waste.raw(t, delta, m)})
        return rows


def _work(r, mtbf_h, node_h, job_h, per_node, node_components, ckpt_info=None):
    n = r["n_accelerators"]
    parts = "accelerators, NICs and PSUs in series" if node_components else "its accelerators in series"
    mtbf_line = (f"node MTBF {node_h:,.4g} h ({parts}) / {round(node_h / mtbf_h):,} nodes = **{mtbf_h:,.3g} h**"
                 if per_node else f"{node_h:,.4g} h / {n:,} = **{mtbf_h:,.3g} h**")
    if ckpt_info is None:
        delta_row = ("Checkpoint write time", "\\delta\\ \\text{(given)}",
                     f"checkpoint_time_s: **{si(r['checkpoint_time'], 's')}**")
    else:
        name, opt, prec, size, bw, bound = ckpt_info
        delta_row = ("Checkpoint write time (CheckpointModel)", "\\delta = P\\,(b_{w} + b_{opt}) / BW",
                     f"{name} weights ({prec}) + {opt} state = {si(size, 'B')} / {si(bw, 'B/s')} ({bound} bound) = "
                     f"**{si(r['checkpoint_time'], 's')}**")
    return [
        ("Fleet MTBF", "\\text{MTBF}_{fleet} = \\text{MTBF}_{component} / N", mtbf_line),
        ("Failure probability", "P = 1 - e^{-T/\\text{MTBF}}",
         f"1 - exp(-{job_h:,.4g} h / {mtbf_h:,.3g} h) = **{pct(r['failure_probability'])}**; "
         f"expected failures {r['expected_failures']:,.3g}"),
        delta_row,
        ("Young-Daly interval", "\\tau_{opt} = \\sqrt{2\\delta M}",
         f"sqrt(2 × {si(r['checkpoint_time'], 's')} × {mtbf_h:,.3g} h) = "
         f"**{r['optimal_checkpoint_interval'] / 60.0:,.1f} min**"),
        ("Waste", "\\frac{\\delta}{\\tau} + \\frac{\\tau}{2M} + \\frac{R}{M}",
         f"at τ = {r['checkpoint_interval'] / 60.0:,.1f} min: {pct(r['checkpoint_waste_fraction'])} "
         f"(writes + lost work) + {pct(r['recovery_waste_fraction'])} (restarts) = **{pct(r['waste_fraction'])}**; "
         f"goodput **{pct(r['goodput_ratio'])}**"),
    ]
