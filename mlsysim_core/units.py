"""The one pint registry of the package, and precision sizes.

pint treats bytes as dimensionless and knows no FLOP, so ``flop`` is defined as its own
base dimension here: ``FLOP/s`` can never silently convert to ``B/s``.
Everything else in the package computes on plain floats in canonical units
(FLOP, FLOP/s, byte, byte/s, second, watt, joule, USD) and builds Quantities only at the
public boundary, because each pint operation costs microseconds.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import pint

from .errors import SpecError, UnitError


# The labs site's wheel carries pint's parsed definitions, made at build time by the site's own
# Pyodide and pint (build_wasm.pint_cache): a browser's file system starts empty on every page
# load, so pint's usual cache would never hit there. pint checks that the files match its
# definitions, version and interpreter, and parses (and caches) anew when they do not.
SHIPPED_PINT_CACHE = Path(__file__).with_name("_pint_cache")


def _cache_folder() -> Path | str:
    return SHIPPED_PINT_CACHE if SHIPPED_PINT_CACHE.is_dir() else ":auto:"


def _make_registry() -> pint.UnitRegistry:
    # separate_format_defaults: f"{q:,.0f}" formats the magnitude with ",.0f" and the unit with
    # the default "~P" (pint's announced future behaviour; without it pint warns on every such format)
    try:  # parsing pint's definition file dominates start-up; reuse its on-disk cache
        reg = pint.UnitRegistry(cache_folder=_cache_folder())
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
BYTES_PER_ELEMENT: Mapping[str, float] = MappingProxyType({
    "fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0,
    # 6- and 4-bit floats (OCP Microscaling MXFP6/MXFP4, NVIDIA NVFP4): the per-block scale
    # (8 bits per 32 elements for MX, per 16 for NVFP4) is ignored here, as for int4's scales.
    "fp6": 0.75, "fp4": 0.5, "int4": 0.5,
})   # read-only: a caller cannot make "fp17" a precision
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
    """Build a Quantity, parsing each unit string once.

    For a float magnitude the Quantity is assembled directly (what pint's constructor ends up
    doing, without its ~7 µs of argument dispatch): results build many Quantities.
    """
    u = _UNIT_CACHE.get(unit)
    if u is None:
        u = _UNIT_CACHE[unit] = ureg.Unit(unit)._units
    if type(magnitude) is float:
        obj = object.__new__(Q_)
        obj._magnitude = magnitude
        obj._units = u
        return obj
    return Q_(magnitude, u)


_FACTORS: dict = {}          # (units of the Quantity, target unit string) -> factor, or None
_MAX_FACTORS = 4096          # distinct units seen in practice are a few dozen; bound it anyway
_OFFSET = "offset"           # offset units (degC...): no single factor, pint converts each time


def _factor(units, unit: str):
    key = (units, unit)
    f = _FACTORS.get(key, False)
    if f is False:
        one = Q_(1.0, units)
        try:
            f = float(one.m_as(unit)) if one._is_multiplicative else _OFFSET
        except pint.DimensionalityError:
            f = None
        if len(_FACTORS) >= _MAX_FACTORS:
            _FACTORS.clear()
        _FACTORS[key] = f
    return f


def magnitude(value, unit: str, name: str) -> float:
    """``value`` in ``unit`` as a float; a bare number is taken to be in ``unit`` already.

    Rejects wrong dimensions, NaN and infinity with a message naming the argument. The
    conversion factor is cached per (the Quantity's units, ``unit``): one dict lookup and a
    multiply instead of a pint conversion (~100 µs) per call. (Only multiplicative units occur
    here; offset units such as degC are converted by pint every time.)
    """
    if isinstance(value, pint.Quantity):
        if value._REGISTRY is not ureg:
            raise SpecError(name, value, "a Quantity made with mlsysim_core's registry (mlsysim_core.Q_)")
        units = value._units
        m = value._magnitude
        if isinstance(m, bool) or not isinstance(m, (int, float)):
            raise SpecError(name, value, f"a Quantity with a single real number, in {unit}")
        f = _factor(units, unit)
        if f is None:
            raise UnitError(name, value, f"a quantity convertible to {unit}")
        if f is not _OFFSET:
            m = float(m) * f if abs(m) < 1e300 else math.inf
        else:
            try:
                m = float(value.m_as(unit))
            except pint.DimensionalityError:
                raise UnitError(name, value, f"a quantity convertible to {unit}") from None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(name, value, f"a number or a pint Quantity in {unit}")
    else:
        m = float(value) if abs(value) < 1e300 else math.inf
    if not math.isfinite(m):
        raise SpecError(name, value, "a finite number")
    return m
