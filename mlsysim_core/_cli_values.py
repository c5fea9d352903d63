"""Raw result values for the command line: as JSON (``--json``) and as short numbers (the field
table under an explanation). Standard library only, like the rest of the command line's start-up."""
from __future__ import annotations

import math


def _jsonable(v):
    """Raw result values as JSON: finite floats stay, inf/NaN -> null, specs -> their name."""
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "magnitude"):   # a Quantity: SI base units
        return _jsonable(float(v.to_base_units().magnitude))
    return getattr(v, "name", None) or str(v)


def _value(result, name: str) -> str:
    v = result[name]
    if hasattr(v, "magnitude"):
        return f"{_number(float(v.magnitude))} {v.units:~P}"
    if isinstance(v, float):
        return _number(v)
    return str(v)


def _number(v: float) -> str:
    return f"{v:,.0f}" if 1e4 <= abs(v) < 1e15 else f"{v:.4g}"
