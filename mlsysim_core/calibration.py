"""Calibrated efficiencies per regime: the second answer next to the ideal bound.

Every solver can give two answers: the *ideal bound* (datasheet peaks, every efficiency 1, no
dispatch; no real run beats it) and a *calibrated estimate* that replaces each peak with the
fraction real software reaches in that regime. The fractions live in
``zoo/data/calibration.toml``; each comes from one published measurement (its source id is the
row id in ``shared/validation/published-measurements.json``) and is validated on the other rows
by ``benchmarks/validate.py``.

    from mlsysim_core import calibration
    calibration.gemm("fp8")            # 0.709, from MB-04
    calibration.get().decode_gemv      # 0.685, from SV-17
    calibration.source("decode_gemv")  # the measurement behind it
    calibration.fleet(Systems.Clusters.H100_64)   # links derated to the all-reduce figures
    calibration.calibration_rows()     # {"MB-01": "gemm_16bit", ...}
"""
from __future__ import annotations

import re
from types import MappingProxyType
import tomllib

from .errors import SpecError, ZooError
from .zoo.loader import parse_constants, read

#: regime -> what it covers (the keys of calibration.toml)
REGIMES = {
    "gemm_16bit": "large dense matrix multiplies at 16/32-bit (compute-bound roofline term)",
    "gemm_8bit": "large dense matrix multiplies at 8 bits and below (fp8, int8, int4)",
    "attention": "attention score/value FLOPs of a prefill (FlashAttention-class kernels)",
    "hbm_stream": "streaming memory-bound kernels (memory term of a non-transformer roofline)",
    "decode_gemv": "transformer decode: weights and KV cache read once per generated token",
    "allreduce_nvlink": "ring all-reduce inside a node over NVLink (bus bandwidth / link rate)",
    "allreduce_network": "ring all-reduce across nodes over the fabric (bus bandwidth / line rate)",
    "training_compute": "training step compute per accelerator, in 6PD FLOPs per second / peak",
}

def _bits_table() -> dict[str, int]:
    from .units import BYTES_PER_ELEMENT
    return {p: round(b * 8) for p, b in BYTES_PER_ELEMENT.items()}


_BITS = _bits_table()                # precision -> bits of storage (fp32 32 ... fp6 6, fp4 4)
_CANON = {p: p for p in _BITS}
_ROW_ID = re.compile(r"^([A-Z]{2}-\d\d)$")
_GEMM_KEY = re.compile(r"^gemm_\d+bit$")   # per-width GEMM figures beyond the required two are allowed


class Calibration:
    """The calibrated efficiencies as floats (attributes named as in ``REGIMES``)."""

    def __init__(self, values: dict, sources: dict):
        missing = set(REGIMES) - set(values)
        unknown = {k for k in set(values) - set(REGIMES) if not _GEMM_KEY.match(k)}
        if missing or unknown:
            raise ZooError(f"calibration.toml: missing {sorted(missing)}, unknown {sorted(unknown)}; "
                           f"expected exactly {sorted(REGIMES)}")
        for k, v in values.items():
            if not 0.0 < v <= 1.0:
                raise ZooError(f"calibration.toml: {k} = {v} is not an efficiency in (0, 1]")
        self.__dict__.update(values)
        self.__dict__["_values"] = MappingProxyType(dict(values))
        self.__dict__["_sources"] = MappingProxyType(dict(sources))

    def __setattr__(self, name, value):    # shared by every solver: read-only
        raise AttributeError(f"calibration is read-only; cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"calibration is read-only; cannot delete {name!r}")

    def source(self, regime: str) -> str:
        if not isinstance(regime, str) or regime not in self._sources:
            raise SpecError("regime", regime, "one of " + ", ".join(REGIMES))
        return self._sources[regime]

    def items(self) -> dict[str, float]:
        return dict(self._values)

    def gemm(self, precision: str = "fp16") -> float:
        """GEMM efficiency at ``precision``: ``gemm_<bits>bit`` when calibration.toml has that key
        (e.g. a ``gemm_4bit`` figure is used for fp4/int4), else the 8-bit figure for 8 bits and
        below, the 16-bit figure above. An unknown precision is refused."""
        from .units import canonical_precision
        p = _CANON.get(precision) if isinstance(precision, str) else None
        if p is None:
            p = canonical_precision(precision)    # raises a SpecError naming "precision"
        bits = _BITS[p]
        exact = self._values.get(f"gemm_{bits}bit")
        if exact is not None:
            return exact
        return self.gemm_8bit if bits <= 8 else self.gemm_16bit


_cached: Calibration | None = None


def get() -> Calibration:
    """The calibration table (read from the zoo on first use)."""
    global _cached
    if _cached is None:
        _cached = Calibration(*parse_constants(read("calibration.toml"), "calibration.toml"))
    return _cached


def gemm(precision: str = "fp16") -> float:
    """Achieved fraction of peak for large GEMMs at ``precision`` (8-bit formats: MB-04, else MB-01)."""
    return get().gemm(precision)


def source(regime: str) -> str:
    return get().source(regime)


def fleet(f):
    """``f`` with its links derated to the calibrated all-reduce efficiencies.

    NVLink inside a node x ``allreduce_nvlink`` (CO-04), the fabric x ``allreduce_network``
    (CO-06): pass the result to ``DistributedModel.solve`` with
    ``efficiency=get().training_compute`` for the calibrated estimate of a training step.
    """
    from dataclasses import replace

    from .solvers._common import check_fleet
    check_fleet(f, "f")
    cal = get()
    node = replace(f.node, intra_node_bandwidth_bytes_s=f.node.intra_node_bandwidth_bytes_s * cal.allreduce_nvlink)
    fabric = replace(f.fabric, bandwidth_bytes_s=f.fabric.bandwidth_bytes_s * cal.allreduce_network)
    return replace(f, node=node, fabric=fabric, name=f"{f.name} (calibrated links)")


def calibration_rows() -> dict[str, str]:
    """Measurement row id -> regime it calibrates (rows whose own figure sets a default).

    A figure taken from a row's *note* (source id ``XX-nn-note``) does not make that row a
    calibration row: the row's own measured value was not used.
    """
    doc = tomllib.loads(read("calibration.toml"))
    doc.pop("sources", None)
    out = {}
    for regime, value in doc.items():
        m = _ROW_ID.match(value[2])
        if m:
            out[m.group(1)] = regime
    return out


__all__ = ["REGIMES", "Calibration", "get", "gemm", "source", "fleet", "calibration_rows"]
