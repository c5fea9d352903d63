"""Wall 9 Transformation: can the CPUs decode, augment and tokenize as fast as the accelerators train?

    supply = cores x per-core rate (samples/s; text: bytes/s per core / bytes per sample)
    demand = accelerators per node x samples/s per accelerator
    cores needed = ceil(demand / per-core rate)
    step = max(T_compute, T_data) with prefetching, T_compute + T_data without; slowdown = step / T_compute

Sources: Mohan et al. (2021), VLDB 14(5) (prep stalls; 3-24 cores per GPU); Murray et al. (2021),
'tf.data', VLDB 14(12) (parallel map and prefetch); formulas/dataflow.py.
"""
from __future__ import annotations

from ..checks import choice
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import calc_cores_needed, calc_pipelined_step_time, calc_transform_throughput
from ..results import Result
from ..specs import Fleet
from ..zoo import constants
from ._common import check_batch
from .data import demand_rate, quantity

KINDS = ("image", "text")


class TransformationResult(Result):
    """CPU preprocessing against the accelerators: cores needed, utilisation, slowdown."""

    __slots__ = ()
    UNITS = {"demand_rate": ("1/s", 1.0), "supply_rate": ("1/s", 1.0), "per_core_rate": ("1/s", 1.0),
             "compute_time": ("ms", 1e3), "transform_time": ("ms", 1e3), "step_time": ("ms", 1e3)}


class TransformationModel:
    """CPU preprocessing throughput per node against the accelerators' step.

        from mlsysim_core import TransformationModel, Models, Hardware
        r = TransformationModel().solve(model=Models.ResNet50, hardware=Hardware.H100, batch_size=256,
                                        cpu_cores=64, accelerators_per_node=8)
        r.cores_needed, r.accelerator_utilization, r.slowdown_factor, r.explain()
        TransformationModel().solve(samples_per_second=4000, cpu_cores=16, kind="text",
                                    bytes_per_sample="8 KB")

    ``samples_per_second`` per accelerator (or derived from ``model`` on ``hardware`` in training;
    ``efficiency`` None: the measured achievable training MFU, see ``data.demand_rate``);
    ``per_core_rate`` samples/s per core (default: the zoo's per-core rate for ``kind``: ImageNet
    decode + augment, or text tokenisation of ``bytes_per_sample`` bytes); ``overlapped``: input
    prefetching on (max of the stages) or off (their sum). Cost: O(1).
    """

    def solve(self, cpu_cores, samples_per_second=None, model=None, hardware=None, fleet=None,
              accelerators_per_node=None, per_core_rate=None, kind="image", bytes_per_sample=None,
              batch_size=32, precision="bf16", efficiency=None, overlapped=True) -> TransformationResult:
        c = constants()
        batch_size = check_batch(batch_size)
        if fleet is not None and not isinstance(fleet, Fleet):
            raise SpecError("fleet", fleet, "a fleet from Systems.Clusters (or None)")
        if hardware is None and fleet is not None:
            hardware = fleet.accelerator
        cores = check_batch(cpu_cores, "cpu_cores")
        if kind != "image" and kind != "text":
            choice("kind", kind, KINDS)
        if overlapped is not True and overlapped is not False:
            raise SpecError("overlapped", overlapped, "True or False")
        rate = demand_rate(samples_per_second, model, hardware, batch_size, precision, efficiency)
        g = (fleet.node.accelerators_per_node if fleet else 1) if accelerators_per_node is None else \
            check_batch(accelerators_per_node, "accelerators_per_node")
        if per_core_rate is not None:
            core = quantity("per_core_rate", per_core_rate, "1/s")
        elif kind == "image":
            core = c.xform_image_samples_per_core
        else:
            if bytes_per_sample is None:
                raise SpecError("bytes_per_sample", bytes_per_sample, "the text bytes per sample (kind='text')")
            core = c.xform_text_bytes_per_core / quantity("bytes_per_sample", bytes_per_sample, "byte")
        demand = rate * g
        supply = calc_transform_throughput.raw(cores, core)
        t_compute = batch_size / rate          # one step: each accelerator trains on batch_size samples
        t_data = g * batch_size / supply       # while the node's CPUs prepare the next g x batch_size
        step = calc_pipelined_step_time.raw(t_compute, t_data, overlapped)
        needed = calc_cores_needed.raw(demand, core)
        r = {"cpu_cores": cores, "accelerators_per_node": g, "kind": kind, "per_core_rate": core,
             "demand_rate": demand, "supply_rate": supply,
             "cores_needed": int(needed), "cores_per_accelerator": needed / g,
             "is_bottleneck": supply < demand, "overlapped": overlapped,
             "compute_time": t_compute, "transform_time": t_data, "step_time": step, "accelerator_utilization": t_compute / step,
             "slowdown_factor": step / t_compute, "batch_size": batch_size}
        return TransformationResult(r, lambda: _work(r))


def _work(r):
    return [
        ("CPU supply", "R_{cpu} = c \\times r_{core}",
         f"{r['cpu_cores']:,} cores × {r['per_core_rate']:,.4g}/s = **{r['supply_rate']:,.4g} samples/s** "
         f"({r['kind']})"),
        ("Accelerator demand", "R_{accel} = g \\times \\text{samples/s}",
         f"{r['accelerators_per_node']} × {r['demand_rate'] / r['accelerators_per_node']:,.4g}/s = "
         f"**{r['demand_rate']:,.4g} samples/s**; cores needed **{r['cores_needed']:,}** "
         f"({r['cores_per_accelerator']:.3g} per accelerator)"),
        ("Step", "T = \\max(T_{compute}, T_{data})" if r["overlapped"] else "T = T_{compute} + T_{data}",
         f"batch {r['batch_size']} per accelerator: compute {si(r['compute_time'], 's')}"
         f" vs transform {si(r['transform_time'], 's')} → **{si(r['step_time'], 's')}**; accelerators busy "
         f"{pct(r['accelerator_utilization'])}, slowdown ×{r['slowdown_factor']:.3g}"),
    ]
