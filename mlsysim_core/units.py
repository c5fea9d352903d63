"""The one pint registry of the package, and precision sizes.

pint treats bytes as dimensionless and knows no FLOP, so ``flop`` is defined as its own
base dimension here: ``FLOP/s`` can never silently convert to ``B/s``.
Everything else in the package computes on plain floats in canonical units
(FLOP, FLOP/s, byte, byte/s, second, watt, joule, USD) and builds Quantities only at the
public boundary, because each pint operation costs microseconds.
"""
from __future__ import annotations

import math

import pint

from .errors import SpecError, UnitError


def _make_registry() -> pint.UnitRegistry:
    # separate_format_defaults: f"{q:,.0f}" formats the magnitude with ",.0f" and the unit with
    # the default "~P" (pint's announced future behaviour; without it pint warns on every such format)
    try:  # parsing pint's definition file dominates start-up; reuse its on-disk cache
        reg = pint.UnitRegistry(cache_folder=":auto:")
    except Exception:  # no writable cache (e.g. some browser sandboxes): parse every time
        reg = pint.UnitRegistry()
    reg.define("flop = [flop] = FLOP = FLOPs = flops")
    reg.define("USD = [currency] = _ = usd")  # no symbol: abbreviated formats print "USD", not "usd"
    # Decimal "KB" (pint would read K as kelvin); kB, MB, GB, TB are decimal in pint already.
    reg.define("KB = 1000 * byte")
    reg.formatter.default_format = "~P"
    reg.separate_format_defaults = True
    return reg


ureg = _make_registry()
Q_ = ureg.Quantity
Quantity = pint.Quantity
DimensionalityError = pint.DimensionalityError

# Bytes per element, per storage format (tf32 is stored in 32-bit containers).
BYTES_PER_ELEMENT: dict[str, float] = {
    "fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0,
    # 6- and 4-bit floats (OCP Microscaling MXFP6/MXFP4, NVIDIA NVFP4): the per-block scale
    # (8 bits per 32 elements for MX, per 16 for NVFP4) is ignored here, as for int4's scales.
    "fp6": 0.75, "fp4": 0.5, "int4": 0.5,
}
PRECISIONS = tuple(BYTES_PER_ELEMENT)


def bytes_per_element(precision: str) -> float:
    """Bytes per stored element of ``precision`` (case-insensitive); unknown strings are rejected."""
    try:
        return BYTES_PER_ELEMENT[precision.lower()]
    except (KeyError, AttributeError):
        raise SpecError("precision", precision, f"one of {', '.join(PRECISIONS)}") from None


def canonical_precision(precision: str) -> str:
    bytes_per_element(precision)
    return precision.lower()


_UNIT_CACHE: dict[str, object] = {}


def q(magnitude: float, unit: str) -> pint.Quantity:
    """Build a Quantity, parsing each unit string once."""
    u = _UNIT_CACHE.get(unit)
    if u is None:
        u = _UNIT_CACHE[unit] = ureg.Unit(unit)
    return Q_(magnitude, u)


def magnitude(value, unit: str, name: str) -> float:
    """``value`` in ``unit`` as a float; a bare number is taken to be in ``unit`` already.

    Rejects wrong dimensions, NaN and infinity with a message naming the argument.
    """
    if isinstance(value, pint.Quantity):
        try:
            m = float(value.m_as(unit))
        except pint.DimensionalityError:
            raise UnitError(name, value, f"a quantity convertible to {unit}") from None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(name, value, f"a number or a pint Quantity in {unit}")
    else:
        m = float(value)
    if not math.isfinite(m):
        raise SpecError(name, value, "a finite number")
    return m
