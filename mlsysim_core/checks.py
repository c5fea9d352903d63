"""Argument checks shared by every solver: each raises a SpecError naming the argument."""
from __future__ import annotations

import math

from .errors import SpecError


def positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise SpecError(name, value, f"an integer >= {minimum}")
    if value < minimum:
        raise SpecError(name, value, f"an integer >= {minimum}")
    return value


def fraction(name: str, value, *, lo_open: bool = True, hi: float = 1.0) -> float:
    """A number in (0, hi] (or [0, hi] when ``lo_open`` is False)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SpecError(name, value, f"a number in {'(' if lo_open else '['}0, {hi}]")
    if (value <= 0 if lo_open else value < 0) or value > hi:
        raise SpecError(name, value, f"a number in {'(' if lo_open else '['}0, {hi}]")
    return float(value)


def positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    if value < 0 or (value == 0 and not allow_zero):
        raise SpecError(name, value, "a positive value" if not allow_zero else "a value >= 0")
    return value


def choice(name: str, value, allowed) -> str:
    if value not in allowed:
        raise SpecError(name, value, "one of " + ", ".join(map(str, allowed)))
    return value
