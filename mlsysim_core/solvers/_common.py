"""Spec checks shared by the solvers (model, hardware, fleet, precision, batch, efficiency), on
top of ``mlsysim_core.checks`` (``flag`` is re-exported for the solvers)."""
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
