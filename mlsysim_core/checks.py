"""The one argument-checking module: every public entry point checks its arguments here.

Each check takes the argument's name *as the caller wrote it*, the value, and what is allowed;
it returns the value in canonical form (a float, an int, a bool, a tuple...) or raises a
``SpecError`` (a ``ValueError`` under ``MLSysError``) naming the argument, the value (shortened
when long) and what is allowed:

    positive("bandwidth", bw, unit="byte/s")     # finite, > 0, <= HUGE; Quantity or bare number
    non_negative("latency", 0.0, unit="s")
    integer("batch_size", b, minimum=1)          # 8.0 is 8; 8.5, True, "8" are refused
    fraction("mfu", 0.4)                         # (0, 1]; probability(...) is [0, 1]
    efficiency("efficiency", 0.5)                # (0, 1], at least EFFICIENCY_MIN
    flag("overlap_comm", True)                   # a bool, not "no"
    choice("method", m, ("a", "b"))              # unhashable values are refused, not crashed on
    sequence("hardware_list", hws, item=...)     # a str is not a list of names
    quantity("budget_usd", q, "USD")             # a Quantity of the right dimension, or a number
    parse_quantity_str("bw", "2 TB/s", allowed)  # a str parsed into a Quantity (then checked as one)
    instance("result", r, DistributedResult, "a DistributedResult from DistributedModel().solve()")

Bounds, and why:
    HUGE = 1e30 and TINY = 1e-30 (canonical units): the largest and smallest non-zero magnitude
    an input may have. Real inputs span about 1e-9 (ns) to 1e27 (a frontier FLOP budget); the
    bound keeps a product or quotient of up to ten inputs inside double precision (1.8e308), so
    an accepted input can never turn into inf or 0/0 deep inside a solver.
    MAX_COUNT = 2**53: the largest count a float represents exactly (batch sizes, tokens...).
    EFFICIENCY_MIN = 1e-6: an efficiency below one in a million is a typo, and peak x eta is
    divided by.
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping

from .errors import SpecError

HUGE = 1e30
TINY = 1e-30
MAX_COUNT = 2 ** 53
EFFICIENCY_MIN = 1e-6


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _to_float(name: str, value, unit: str | None, allowed: str) -> float:
    """A finite float from a bare number or (with ``unit``) a Quantity; NaN/inf/others refused."""
    if unit is not None and hasattr(value, "_units") and hasattr(value, "magnitude"):
        from .units import magnitude
        return magnitude(value, unit, name)
    if not _is_number(value):
        if hasattr(value, "_units") and hasattr(value, "magnitude"):   # a Quantity where none is expected
            from .units import magnitude
            return magnitude(value, "dimensionless", name)
        raise SpecError(name, value, allowed)
    if isinstance(value, int):
        if abs(value) > 1e300:                  # float(10**400) would raise OverflowError
            raise SpecError(name, value, allowed)
        value = float(value)
    if not math.isfinite(value):
        raise SpecError(name, value, allowed)
    return value


def number(name: str, value, *, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False, hi_open: bool = False, unit: str | None = None,
           allowed: str | None = None) -> float:
    """A finite float in the interval [lo, hi] (open ends when ``lo_open``/``hi_open``)."""
    if allowed is None:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        what = "a finite number" + (f" in {unit}" if unit else "")
        if lo is not None or hi is not None:
            what += f" in {left}{_fmt(lo) if lo is not None else '-inf'}, {_fmt(hi) if hi is not None else 'inf'}{right}"
        allowed = what
    v = _to_float(name, value, unit, allowed)
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise SpecError(name, value, allowed)
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise SpecError(name, value, allowed)
    return v


def positive(name: str, value, *, allow_zero: bool = False, unit: str | None = None,
             maximum: float = HUGE, what: str | None = None) -> float:
    """A finite number > 0 (>= 0 with ``allow_zero``), between TINY and ``maximum`` when not zero."""
    unit_txt = f" ({unit} when a bare number)" if unit else ""
    allowed = what or (("a number >= 0" if allow_zero else "a positive number")
                       + f" (from {TINY:g} to {maximum:g}){unit_txt}")
    v = _to_float(name, value, unit, allowed)
    if v < 0 or v > maximum or (v == 0 and not allow_zero) or (0 < v < TINY):
        raise SpecError(name, value, allowed)
    return v


def non_negative(name: str, value, *, unit: str | None = None, maximum: float = HUGE,
                 what: str | None = None) -> float:
    """A finite number >= 0 (0, or from TINY to ``maximum``)."""
    return positive(name, value, allow_zero=True, unit=unit, maximum=maximum, what=what)


def integer(name: str, value, *, minimum: int | None = 0, maximum: int = MAX_COUNT,
            what: str | None = None) -> int:
    """An int (an integral float such as 8.0 is accepted); bools and strings are refused."""
    allowed = what or (f"an integer >= {minimum}" if minimum is not None else "an integer")
    if maximum is not None and what is None:
        allowed += f" and <= {maximum:,}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if hasattr(value, "_units") and hasattr(value, "magnitude"):   # a dimensionless Quantity
            # pint counts bytes and bits as dimensionless: 1 GB is not a count of 1e9 things
            if any(u in str(value.units) for u in ("byte", "bit", "flop")):
                raise SpecError(name, value, allowed + " (a plain number or count, not a quantity of data)")
            from .units import magnitude
            value = magnitude(value, "dimensionless", name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(name, value, allowed)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise SpecError(name, value, allowed)
        if maximum is not None and abs(value) > maximum:
            raise SpecError(name, value, allowed)
        value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise SpecError(name, value, allowed)
    return value


def positive_int(name: str, value, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    """An integer >= ``minimum`` (1 by default) and <= ``maximum``."""
    if type(value) is int and minimum <= value <= maximum:   # the fast path
        return value
    return integer(name, value, minimum=minimum, maximum=maximum)


def fraction(name: str, value, *, lo_open: bool = True, hi: float = 1.0) -> float:
    """A number in (0, hi] (or [0, hi] when ``lo_open`` is False)."""
    if type(value) is float and (0.0 < value if lo_open else 0.0 <= value) and value <= hi:   # the fast path
        return value
    allowed = f"a number in {'(' if lo_open else '['}0, {_fmt(hi)}]"
    v = _to_float(name, value, None, allowed)
    if (v <= 0 if lo_open else v < 0) or v > hi:
        raise SpecError(name, value, allowed)
    return v


def probability(name: str, value, *, lo_open: bool = False, hi_open: bool = False) -> float:
    """A probability in [0, 1] (ends open on request, e.g. (0, 1) for a quantile)."""
    return number(name, value, lo=0.0, hi=1.0, lo_open=lo_open, hi_open=hi_open,
                  allowed=f"a probability in {'(' if lo_open else '['}0, 1{')' if hi_open else ']'}")


def efficiency(name: str, value) -> float:
    """An efficiency or utilisation in [EFFICIENCY_MIN, 1]: it is divided by, so never ~0."""
    if type(value) is float and EFFICIENCY_MIN <= value <= 1.0:   # the fast path
        return value
    return number(name, value, lo=EFFICIENCY_MIN, hi=1.0,
                  allowed=f"a number in (0, 1] (at least {EFFICIENCY_MIN:g})")


def flag(name: str, value) -> bool:
    """A strict bool: ``"no"``, 0 or None are not silently read as True/False."""
    if value is True or value is False:
        return value
    raise SpecError(name, value, "True or False")


def optional_flag(name: str, value, none_means: str) -> bool | None:
    """None (``none_means``, e.g. "from the zoo") or a strict bool; 0, 1 and strings are refused."""
    if value is None or value is True or value is False:
        return value
    raise SpecError(name, value, f"None ({none_means}), True or False")


def choice(name: str, value, allowed):
    """One of ``allowed`` (exact match); unhashable or odd values are refused cleanly.

    A bool is not taken for 0 or 1 (``zero_stage=True`` is refused) unless ``allowed`` has bools."""
    try:
        ok = value in allowed
    except TypeError:       # e.g. a list tested against a set or dict
        ok = False
    if ok and isinstance(value, bool):
        ok = any(a is value for a in allowed)
    if not ok:
        raise SpecError(name, value, "one of " + ", ".join(map(str, allowed)))
    return value


def sequence(name: str, value, item=None, *, min_len: int = 1, max_len: int | None = None,
             what: str = "a list or tuple") -> tuple:
    """A list/tuple (or other non-string iterable) as a tuple; ``item(f"{name}[{i}]", v)``
    checks (and may convert) each element. A str, bytes or a mapping is not a sequence here."""
    allowed = what + (f" of {min_len} to {max_len} items" if max_len is not None else
                      f" of at least {min_len} item{'s' if min_len != 1 else ''}" if min_len else "")
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__") or hasattr(value, "_units"):
        raise SpecError(name, value, allowed)    # (a pint Quantity has __iter__ but is a scalar here)
    out = []
    try:
        for i, v in enumerate(value):
            if max_len is not None and i >= max_len:
                raise SpecError(name, value, allowed)
            out.append(item(f"{name}[{i}]", v) if item is not None else v)
    except TypeError:   # an object that claims to be iterable but is not
        raise SpecError(name, value, allowed) from None
    if len(out) < min_len:
        raise SpecError(name, value, allowed)
    return tuple(out)


@contextlib.contextmanager
def item_of(name: str, value, inner: str):
    """For a call made once per item of a list argument: a SpecError the call raises about its own
    argument ``inner`` is raised about the item instead (``name``, e.g. ``sizes[3]``, and its value),
    so the caller reads the argument they wrote."""
    try:
        yield
    except SpecError as e:
        if e.name != inner:
            raise
        raise SpecError(name, value, e.allowed) from None


def quantity(name: str, value, unit: str, *, allow_zero: bool = True, maximum: float = HUGE) -> float:
    """A Quantity convertible to ``unit`` (or a bare number taken to be in it), as a float in
    ``unit``: finite, non-negative (positive unless ``allow_zero``) and <= ``maximum``."""
    return positive(name, value, allow_zero=allow_zero, unit=unit, maximum=maximum)


def parse_quantity_str(name: str, value, allowed: str):
    """``value`` parsed into a pint Quantity when it is a str ("2 TB/s", "115 KB"), else ``value``
    unchanged (the caller's own check then takes it); a str pint cannot parse raises SpecError
    naming ``name`` with ``allowed``. The string step of the solvers' quantity arguments."""
    if not isinstance(value, str):
        return value
    from .units import Q_
    try:
        return Q_(value)
    except Exception:
        raise SpecError(name, value, allowed) from None


def instance(name: str, value, cls, what: str):
    """``value`` if it is an instance of ``cls`` (a type or tuple of types); ``what`` says which."""
    if not isinstance(value, cls):
        raise SpecError(name, value, what)
    return value


__all__ = ["HUGE", "TINY", "MAX_COUNT", "EFFICIENCY_MIN", "number", "positive", "non_negative",
           "integer", "positive_int", "fraction", "probability", "efficiency", "flag", "choice",
           "sequence", "quantity", "parse_quantity_str", "instance"]
