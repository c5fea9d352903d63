"""Layer B: an accelerator as compute, memory, power, cost and links.

Fields hold plain floats in canonical units (FLOP/s, byte, byte/s, W, s, USD) so solvers
never touch pint; the un-suffixed properties return pint Quantities for people.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import SpecError
from ..units import canonical_precision, q


@dataclass(frozen=True, slots=True)
class ComputeCore:
    """Dense peak throughput per precision (FLOP/s; integer OP/s share the dimension)."""

    flops_by_precision: dict[str, float]
    default_precision: str = "fp16"

    @property
    def peak_flops(self):
        """Dense FP16/BF16 tensor peak (the reference convention), as a Quantity."""
        return q(self.peak_flop_s(self.default_precision), "flop/s")

    def peak_flop_s(self, precision: str = "fp16") -> float:
        """Peak FLOP/s at ``precision``; falls back to the nearest wider format the device has.

        A device without native fp8/int4 units runs them on its fp16 path, so their peak is
        the fp16 (or default) figure, never a made-up multiple.
        """
        f = self.flops_by_precision
        peak = f.get(precision) if isinstance(precision, str) else None
        if peak is not None:  # the fast path every solve takes
            return peak
        p = canonical_precision(precision)
        if p in f:
            return f[p]
        for alt in _FALLBACK.get(p, ()):
            if alt in f:
                return f[alt]
        return f[self.default_precision]

    def precision_flops(self, precision: str):
        return q(self.peak_flop_s(precision), "flop/s")


_FALLBACK = {
    "bf16": ("fp16",), "fp16": ("bf16",), "tf32": ("fp32", "fp16"), "fp32": ("tf32", "fp16"),
    "fp8": ("fp16", "bf16"), "int8": ("fp8", "fp16", "bf16"), "int4": ("int8", "fp8", "fp16"),
}


@dataclass(frozen=True, slots=True)
class MemoryHierarchy:
    capacity_bytes: float
    bandwidth_bytes_s: float
    sram_bytes: float = 0.0
    sram_bandwidth_bytes_s: float = 0.0

    @property
    def capacity(self):
        return q(self.capacity_bytes, "byte").to("GB")

    @property
    def bandwidth(self):
        return q(self.bandwidth_bytes_s, "byte/s").to("GB/s")


@dataclass(frozen=True, slots=True)
class Interconnect:
    """A point-to-point link; bandwidth is per direction, as collectives use it."""

    name: str
    bandwidth_bytes_s: float
    latency_s: float = 0.0

    @property
    def bandwidth(self):
        return q(self.bandwidth_bytes_s, "byte/s").to("GB/s")

    @property
    def latency(self):
        return q(self.latency_s, "s").to("us")


@dataclass(frozen=True, slots=True)
class HardwareNode:
    """One accelerator (or one device for edge and tiny tiers)."""

    name: str
    key: str
    tier: str
    compute: ComputeCore
    memory: MemoryHierarchy
    tdp_w: float
    dispatch_tax_s: float = 0.0
    unit_cost_usd: float | None = None
    release_year: int | None = None
    interconnect: Interconnect | None = None
    sources: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def tdp(self):
        return q(self.tdp_w, "W")

    @property
    def dispatch_tax(self):
        return q(self.dispatch_tax_s, "s").to("ms")

    @property
    def unit_cost(self):
        return None if self.unit_cost_usd is None else q(self.unit_cost_usd, "USD")

    def ridge_point(self, precision: str = "fp16"):
        """I* = peak FLOP/s / memory bandwidth, in FLOP/byte (Williams et al. 2009)."""
        from ..formulas import calc_ridge_point
        return calc_ridge_point(q(self.compute.peak_flop_s(precision), "flop/s"), self.memory.bandwidth)

    def source(self, field_name: str) -> str:
        """The citation behind one number of this entry."""
        try:
            return self.sources[field_name]
        except (KeyError, TypeError):
            raise SpecError("field_name", field_name, "one of " + ", ".join(sorted(self.sources))) from None

    def __hash__(self) -> int:
        # the generated hash would hash compute.flops_by_precision (a dict) and raise TypeError;
        # equal nodes share key and name, so this is consistent with the generated __eq__
        return hash((self.key, self.name))

    def __str__(self) -> str:
        return self.name
