"""Plain-float formatting with SI prefixes, for explanations and labs (no pint on this path)."""
from __future__ import annotations

import math

_PREFIXES = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""),
             (1e-3, "m"), (1e-6, "µ"), (1e-9, "n")]
_NO_PREFIX_BELOW_ONE = {"FLOP", "FLOP/s", "B", "B/s", "FLOP/B", "W", "USD", "/s"}


def si(value: float, unit: str = "", digits: int = 3) -> str:
    """``si(5.26e-5, "s") -> "52.6 µs"``; ``si(3.35e12, "B/s") -> "3.35 TB/s"``."""
    if value is None:
        return "n/a"
    if value == 0 or not math.isfinite(value):
        return f"{value:g} {unit}".strip()
    a = abs(value)
    for factor, p in _PREFIXES:
        if a >= factor * 0.9995 or (factor == 1.0 and unit in _NO_PREFIX_BELOW_ONE):
            if factor < 1.0 and unit in _NO_PREFIX_BELOW_ONE:
                continue
            return f"{value / factor:.{digits}g} {p}{unit}".strip()
    return f"{value:.{digits}g} {unit}".strip()


def pct(value: float, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f} %"


def usd(value: float) -> str:
    return f"${value:,.0f}"
