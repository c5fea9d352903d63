"""The scale illusion: one model, the same per-accelerator work, from one node to a whole campus.

For each fleet size N (whole nodes of the template fleet, global batch = per-accelerator batch x N,
weak scaling) this composes the existing solvers, no new physics:

    communication share = 1 - eta_scale = (T_step - T_compute) / T_step   (DistributedModel)
    failures per day    = 24 h / MTBF_fleet                               (ReliabilityModel)
    facility power      = N x P_acc x PUE                                 (SustainabilityModel)
    cost per day        = TCO of one day                                  (EconomicsModel)
    time to train       = tokens / (tokens per second x goodput)          (Young-Daly goodput)

Cost: one solve is four solver calls (~0.1 ms); ``sweep`` is bounded to MAX_POINTS sizes.
"""
from __future__ import annotations

import dataclasses

from ..checks import integer, item_of, sequence
from ..errors import SpecError
from ..fmt import pct, si, usd
from ..results import Result
from ..specs import TransformerWorkload
from ._common import check_fleet, check_model
from .distributed import DistributedModel
from .economics import EconomicsModel
from .reliability import ReliabilityModel
from .sustainability import SustainabilityModel

MAX_POINTS = 64
_DIST, _REL, _SUS, _ECO = DistributedModel(), ReliabilityModel(), SustainabilityModel(), EconomicsModel()


class ScaleResult(Result):
    __slots__ = ()
    UNITS = {"step_time": ("s", 1.0), "compute_time": ("s", 1.0), "fleet_mtbf": ("hour", 1 / 3600.0),
             "facility_power": ("MW", 1e-6), "time_to_train": ("day", 1 / 86400.0),
             "memory_per_accelerator": ("GB", 1e-9), "shortfall": ("GB", 1e-9)}


class ScaleModel:
    """What changes from one node to N accelerators: communication, failures, power, cost."""

    def solve(self, model, fleet, n_accelerators, batch_per_replica=1, tp_size=1, pp_size=1,
              microbatch_count=1, precision="fp16", efficiency=0.5, seq_len=2048, zero_stage=1,
              overlap_comm=True, checkpoint_time_s=60.0, n_tokens=None) -> ScaleResult:
        """``fleet``: a template cluster (node, fabric, region); ``n_accelerators`` a multiple of its
        node size; each data-parallel replica trains on ``batch_per_replica`` samples per step
        (weak scaling). ``n_tokens`` (default: the model's training tokens) sets the time to train."""
        check_model(model)
        check_fleet(fleet)
        apn = fleet.node.accelerators_per_node
        n = integer("n_accelerators", n_accelerators, minimum=apn, maximum=10_000_000)
        if n % apn:
            raise SpecError("n_accelerators", n_accelerators, f"a multiple of the {apn} accelerators per node")
        b = integer("batch_per_replica", batch_per_replica, minimum=1, maximum=1_000_000)
        sized = dataclasses.replace(fleet, count=n // apn, name=f"{n:,} × {fleet.accelerator.name}")
        # weak scaling: every data-parallel replica keeps its batch, so the global batch grows with N
        # checked here (not only in DistributedModel) because the replica count divides by them
        tp_size = integer("tp_size", tp_size, minimum=1, maximum=n)
        pp_size = integer("pp_size", pp_size, minimum=1, maximum=n)
        replicas = max(1, n // (tp_size * pp_size))
        d = _DIST.solve(model, sized, batch_size=b * replicas,
                        precision=precision, efficiency=efficiency, tp_size=tp_size, pp_size=pp_size,
                        microbatch_count=microbatch_count, seq_len=seq_len, zero_stage=zero_stage,
                        overlap_comm=overlap_comm)
        rel = _REL.solve(sized, 24.0, checkpoint_time_s=checkpoint_time_s)
        mfu = min(1.0, max(d.mfu, 1e-6))
        sus = _SUS.solve(sized, 1.0, mfu=mfu)
        eco = _ECO.solve(sized, 1.0, mfu=mfu)
        tokens = n_tokens if n_tokens is not None else getattr(model, "training_tokens", None)
        step = d.raw("step_latency_total")
        per_s = d.raw("tokens_per_second") if isinstance(model, TransformerWorkload) else d.raw("effective_throughput")
        goodput = rel.goodput_ratio
        ttt = None
        if tokens:
            tokens = integer("n_tokens", tokens, minimum=1, maximum=10**16) if n_tokens is not None else tokens
            ttt = tokens / (per_s * goodput) if goodput > 0 else None
        r = {
            "n_accelerators": n, "n_nodes": n // apn, "step_time": step, "compute_time": d.raw("compute_latency"),
            "communication_share": 1.0 - d.scaling_efficiency, "scaling_efficiency": d.scaling_efficiency,
            "feasible": d.feasible, "memory_per_accelerator": d.raw("memory_per_accelerator"),
            "shortfall": d.raw("shortfall"), "tp_size": d.parallelism["tp"], "mfu": d.mfu, "throughput": per_s,
            "fleet_mtbf": rel.raw("fleet_mtbf"), "failures_per_day": rel.expected_failures,
            "goodput": goodput, "facility_power": sus.raw("it_power") * sus.pue,
            "energy_per_day_kwh": sus.total_energy_kwh, "cost_per_day_usd": eco.tco_usd,
            "time_to_train": ttt, "cost_to_train_usd": eco.tco_usd * ttt / 86400.0 if ttt else None,
            "global_batch": b * replicas, "model": model.name, "accelerator": fleet.accelerator.name,
        }
        return ScaleResult(r, lambda: _work(r, d, rel, sus, eco))

    def sweep(self, model, fleet, sizes, **kwargs) -> list[ScaleResult]:
        """``solve`` at each size (at most MAX_POINTS sizes); sizes that do not fit raise SpecError."""
        out = []
        for i, s in enumerate(sequence("sizes", sizes, max_len=MAX_POINTS)):
            with item_of(f"sizes[{i}]", s, "n_accelerators"):
                out.append(self.solve(model, fleet, s, **kwargs))
        return out


def _work(r, d, rel, sus, eco):
    n = r["n_accelerators"]
    rows = [("Step at this scale", "\\eta = T_{compute} / T_{step}",
             f"{si(r['compute_time'], 's')} compute / {si(r['step_time'], 's')} step = {pct(r['scaling_efficiency'])}: "
             f"**{pct(r['communication_share'])} of each step is communication and bubbles**")]
    rows += [(f"Communication: {name}", eq, num) for name, eq, num in d._work()[2:3]]
    rows += [
        ("Failures", "24\\,\\text{h} / \\text{MTBF}_{fleet}",
         f"{n:,} accelerators: MTBF {rel.fleet_mtbf.m_as('h'):,.3g} h → **{r['failures_per_day']:,.3g} failures/day**; "
         f"goodput at the Young-Daly interval {pct(r['goodput'])}"),
        ("Power", "P = N \\times P_{acc} \\times \\text{PUE}",
         f"{n:,} × {si(sus.raw('power_per_accelerator'), 'W')} × {sus.pue:g} = **{si(r['facility_power'], 'W')}**"),
        ("Cost per day", "\\text{TCO}_{1\\,day}", f"**{usd(r['cost_per_day_usd'])}** per day "
         f"(${eco.cost_per_gpu_hour:.2f} per accelerator-hour)"),
    ]
    if r["time_to_train"]:
        rows.append(("Time to train", "T = D / (\\text{tokens/s} \\times G)",
                     f"**{r['time_to_train'] / 86400.0:,.3g} days**, **{usd(r['cost_to_train_usd'])}**"))
    return rows
