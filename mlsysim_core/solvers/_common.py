"""Spec checks shared by the solvers (model, hardware, fleet, precision, batch, efficiency, tensor
parallelism), on top of ``mlsysim_core.checks`` (``flag`` is re-exported for the solvers)."""
from __future__ import annotations

from ..checks import MAX_COUNT, efficiency as _efficiency, flag, positive_int
from ..errors import SpecError
from ..specs import Fleet, HardwareNode, TransformerWorkload, Workload
from ..units import BYTES_PER_ELEMENT, PRECISIONS


def check_model(model, name: str = "model") -> Workload:
    if not isinstance(model, Workload):
        raise SpecError(name, model, "a workload from Models (e.g. Models.Llama3_8B) or a Workload spec")
    return model


def check_transformer(model, solver: str) -> TransformerWorkload:
    if not isinstance(model, TransformerWorkload):
        raise SpecError("model", getattr(model, "name", model),
                        f"a transformer (language) model: {solver} needs layers, heads and KV heads")
    return model


def check_hardware(hardware, name: str = "hardware") -> HardwareNode:
    if not isinstance(hardware, HardwareNode):
        raise SpecError(name, hardware, "an accelerator from Hardware (e.g. Hardware.H100)")
    return hardware


def check_fleet(fleet, name: str = "fleet") -> Fleet:
    if not isinstance(fleet, Fleet):
        raise SpecError(name, fleet, "a fleet from Systems.Clusters (e.g. Systems.Clusters.H100_64)")
    return fleet


def check_precision(precision, name: str = "precision") -> tuple[str, float]:
    """(canonical name, bytes per element); one dict lookup on the fast path."""
    bpe = BYTES_PER_ELEMENT.get(precision) if isinstance(precision, str) else None
    if bpe is None:
        p = precision.lower() if isinstance(precision, str) else None
        bpe = BYTES_PER_ELEMENT.get(p)
        if bpe is None:
            raise SpecError(name, precision, f"one of {', '.join(PRECISIONS)}")
        precision = p
    return precision, bpe


def check_batch(batch_size, name: str = "batch_size") -> int:
    if type(batch_size) is int and 1 <= batch_size <= MAX_COUNT:
        return batch_size
    return positive_int(name, batch_size)


def check_efficiency(efficiency, name: str = "efficiency") -> float:
    return _efficiency(name, efficiency)


# formats that need native tensor units: a device without them is refused, not silently upcast
# (int4 stays a weight-only format that falls back to the device's wider path)
NATIVE_ONLY = frozenset(("fp4", "fp6"))
_MAX_TP: dict[str, int] = {}


def check_device_precision(hardware, precision: str, name: str = "precision") -> None:
    """Refuse fp4/fp6 on a device whose datasheet gives no rate for them, naming what it supports."""
    flops = hardware.compute.flops_by_precision
    if precision in NATIVE_ONLY and precision not in flops:
        raise SpecError(name, precision, f"a precision {hardware.name} supports: {', '.join(flops)}",
                        "it has no fp4/fp6 tensor units; for 4-bit weights on it use int4 (weight-only)")


def max_tp(hardware) -> int:
    """Largest tensor-parallel group for ``hardware``: its largest node in the zoo, else an HGX node."""
    n = _MAX_TP.get(hardware.key)
    if n is None:
        from ..zoo import _nodes, constants
        sizes = [nd.accelerators_per_node for nd in _nodes().values() if nd.accelerator.key == hardware.key]
        n = _MAX_TP[hardware.key] = max(sizes) if sizes else int(constants().serving_default_node_size)
    return n


def check_tp(tp_size, model, hardware, name: str = "tp_size") -> int:
    if tp_size == 1:
        return 1
    tp = positive_int(name, tp_size)
    if hardware.interconnect is None:
        raise SpecError(name, tp_size, f"1: {hardware.name} has no accelerator interconnect "
                        "in the zoo to split a model over")
    cap = max_tp(hardware)
    if tp > cap:
        raise SpecError(name, tp_size, f"at most {cap}: the accelerators of one {hardware.name} node "
                        "(tensor parallelism stays inside one NVLink domain)")
    if model.heads % tp:
        raise SpecError(name, tp_size, f"a divisor of {model.heads} ({model.name}'s attention heads, "
                        "which tensor parallelism splits)")
    return tp
