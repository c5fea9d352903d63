"""Result containers of the fleet-scale solvers (distributed training, cost, carbon, failures,
analysis). Same contract as ``results.Result``: frozen, ``r.x`` and ``r["x"]``, floats stored in
canonical units, Quantities built on access from the ``UNITS`` map; ratios and money are floats.
"""
from __future__ import annotations

from .results import Result

_MS, _S, _GB = ("ms", 1e3), ("s", 1.0), ("GB", 1e-9)


class DistributedResult(Result):
    """One training step of a 4D-parallel plan (per accelerator)."""

    __slots__ = ()
    UNITS = {"step_latency_total": _MS, "compute_latency": _MS, "dp_communication_latency": _MS,
             "dp_communication_latency_raw": _MS, "dp_overlap_hidden": _MS, "tp_communication_latency": _MS,
             "ep_communication_latency": _MS, "pp_communication_latency": _MS,
             "pipeline_bubble_latency": _MS, "communication_latency": _MS,
             "effective_throughput": ("1/s", 1.0), "tokens_per_second": ("1/s", 1.0),
             "memory_per_accelerator": _GB, "memory_capacity": _GB, "shortfall": _GB,
             "weights_per_accelerator": _GB, "gradients_per_accelerator": _GB,
             "optimizer_state_per_accelerator": _GB, "activations_per_accelerator": _GB,
             "gradient_bytes": _GB, "flops_per_accelerator": ("TFLOP", 1e-12),
             "cp_communication_latency": _MS, "cp_exchange_bytes": _GB,
             "fabric_bandwidth_per_accelerator": ("GB/s", 1e-9)}

    _PARTS = ("compute", "dp", "tp", "ep", "pp", "bubble")
    _FIELDS = ("compute_latency", "dp_communication_latency", "tp_communication_latency",
               "ep_communication_latency", "pp_communication_latency", "pipeline_bubble_latency")

    def breakdown(self, unit: str = "ms") -> dict[str, float]:
        """Step time by component as plain floats in ``unit`` (s or ms): for stacked bar charts."""
        from .checks import choice
        f = {"s": 1.0, "ms": 1e3}[choice("unit", unit, ("s", "ms"))]
        parts = {p: self._v[k] * f for p, k in zip(self._PARTS, self._FIELDS)}
        if self._v.get("cp_communication_latency"):  # context parallelism's exposed K/V exchange
            parts["cp"] = self._v["cp_communication_latency"] * f
        return parts


class ScalingResult(Result):
    """Chinchilla compute-optimal size for a budget."""

    __slots__ = ()
    UNITS = {"compute_budget": ("FLOP", 1.0)}


class TrainingTimeResult(Result):
    __slots__ = ()
    UNITS = {"total_flops": ("FLOP", 1.0), "training_time": ("day", 1 / 86400.0),
             "fleet_peak_flops": ("PFLOP/s", 1e-15), "effective_flops": ("PFLOP/s", 1e-15)}


class SustainabilityResult(Result):
    __slots__ = ()
    UNITS = {"carbon_footprint_kg": ("kg", 1.0), "power_per_accelerator": ("W", 1.0),
             "it_power": ("kW", 1e-3)}


class EconomicsResult(Result):
    __slots__ = ()
    MAY_BE_INF = frozenset({"cost_per_tflop_hour"})   # no useful FLOPs (mfu=0): no price per FLOP
    UNITS = {"carbon_footprint_kg": ("kg", 1.0)}


class CloudComparisonResult(Result):
    __slots__ = ()
    MAY_BE_INF = frozenset({"breakeven_utilization"})   # inf: owning never breaks even
    SIGNED = frozenset({"savings_pct"})                 # negative: the cloud is cheaper


class ServingCostResult(Result):
    __slots__ = ()
    MAY_BE_INF = frozenset({"serving_to_training_ratio"})   # training cost 0: no ratio


class ReliabilityResult(Result):
    __slots__ = ()
    UNITS = {"fleet_mtbf": ("hour", 1 / 3600.0), "node_mtbf": ("hour", 1 / 3600.0),
             "optimal_checkpoint_interval": ("minute", 1 / 60.0),
             "checkpoint_interval": ("minute", 1 / 60.0), "checkpoint_time": _S,
             "recovery_time": _S, "job_duration": ("hour", 1 / 3600.0),
             "checkpoint_size": ("GB", 1e-9), "checkpoint_write_bandwidth": ("GB/s", 1e-9)}


class EffectiveFlopsResult(Result):
    __slots__ = ()
    UNITS = {"peak_flops": ("PFLOP/s", 1e-15), "effective_flops": ("PFLOP/s", 1e-15)}


class SensitivityResult(Result):
    __slots__ = ()
    SIGNED = frozenset({"sensitivities", "gains"})   # d ln T / d ln x: negative when x helps
    UNITS = {"baseline_latency": _MS}


class SynthesisResult(Result):
    __slots__ = ()
    UNITS = {"target_latency": _MS, "required_flops": ("TFLOP/s", 1e-12),
             "required_bandwidth": ("GB/s", 1e-9), "required_memory": _GB,
             "total_flops": ("GFLOP", 1e-9), "bytes_moved": _GB}


class OptimizerResult(Result):
    __slots__ = ()
    UNITS = {"best_step_time": _MS, "search_time": _MS}
