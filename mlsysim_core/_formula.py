"""The ``@formula`` decorator: one raw float function, one unit-aware public function.

Each equation is written once, on plain floats in canonical units (``calc_x.raw``), which is
what solvers and sweeps call. The public ``calc_x`` accepts pint Quantities or bare numbers
(taken to be in the canonical unit), checks every argument it is given, and returns a Quantity
(or a float for ratios).

Each keyword of ``@formula`` declares one argument (specs are parsed once, at import):

    "byte"        a quantity in that unit, finite, >= 0 (and <= checks.HUGE)
    "byte/s>0"    the same, strictly positive: it is divided by (so >= checks.TINY)
    "int>=1"      an integer >= 1 (8.0 is 8; True, 8.5, "8" are refused); "int>=0" likewise
    "int0..3"     an integer in 0..3
    "[0,1]"       a fraction in [0, 1]; "(0,1]" excludes 0 (and is at least checks.EFFICIENCY_MIN,
                  since it is divided by); "(0,1)" excludes both ends
    ">=0" / ">0" / ">=1"   a dimensionless number with that bound
    "{a,b,c}"     one of these strings
    a callable    ``check(value) -> value``, raising a SpecError that names the argument

An argument a formula does not declare is checked as a finite, non-negative dimensionless
number when it is a number (strings pass through to the raw function). Quantities are converted
with a factor cached per (unit, target unit) (``units.magnitude``), so a call costs a few µs.
Backstops for formulas written elsewhere: a ZeroDivisionError inside names the argument that
is 0; NaN, an inf the docstring does not document, or a negative result the docstring does not
document names the most extreme argument instead of returning nonsense.
"""
from __future__ import annotations

import functools
import inspect
import math

from .checks import EFFICIENCY_MIN, HUGE, MAX_COUNT, TINY, choice, integer, number
from .errors import SpecError
from .units import magnitude, q

_MAG = f"at most {HUGE:g}"


def _unit_check(name: str, unit: str, strict: bool):
    lo = TINY if strict else 0.0   # a tiny value is harmless unless it is divided by
    allowed = (f"a positive finite number in {unit} (it is divided by), from {TINY:g} to {HUGE:g}"
               if strict else f"a non-negative finite number in {unit}, {_MAG}")

    def check(v):
        m = v if type(v) is float else magnitude(v, unit, name)
        if lo <= m <= HUGE:
            return m
        raise SpecError(name, v, allowed)
    return check


def _int_check(name: str, lo: int, hi: int):
    what = f"an integer >= {lo}" + (f" and <= {hi}" if hi != MAX_COUNT else f" and <= {MAX_COUNT:,}")

    def check(v):
        if type(v) is int and lo <= v <= hi:
            return v
        return integer(name, v, minimum=lo, maximum=hi, what=what)
    return check


def _num_check(name: str, lo: float, lo_open: bool, hi: float, hi_open: bool, floor: float = 0.0):
    left, right = "(" if lo_open else "[", ")" if hi_open else "]"
    allowed = f"a number in {left}{lo:g}, {'inf' if hi == HUGE else f'{hi:g}'}{right}"
    if floor:
        allowed += f" (at least {floor:g}: it is divided by)"

    def check(v):
        m = v if type(v) is float else number(name, v, allowed=allowed)
        if ((m > lo) if lo_open else (m >= lo)) and ((m < hi) if hi_open else (m <= hi)) and m >= floor:
            return m
        raise SpecError(name, v, allowed)
    return check


def _choice_check(name: str, options: tuple):
    def check(v):
        return choice(name, v, options)
    return check


def _default_check(name: str):
    allowed = f"a non-negative finite number, {_MAG}"

    def check(v):
        if type(v) is int and 0 <= v <= MAX_COUNT:      # ints stay ints (counts, indices)
            return v
        if isinstance(v, bool) or not (isinstance(v, (int, float)) or hasattr(v, "_units")):
            return v    # strings, lists...: the formula's own code checks them
        m = v if type(v) is float else number(name, v, allowed=allowed)
        if 0.0 <= m <= HUGE:
            return m
        raise SpecError(name, v, allowed)
    return check


def parse_spec(name: str, spec: str):
    """The checker of one argument from its spec string (see the module docstring), or the
    spec itself when it is a callable ``check(value) -> value`` that names the argument."""
    if callable(spec):
        return spec
    s = spec.replace(" ", "")
    if s.startswith("{"):
        return _choice_check(name, tuple(s.strip("{}").split(",")))
    if s.startswith("int"):
        rest = s[3:]
        if ".." in rest:
            lo, hi = rest.split("..")
            return _int_check(name, int(lo), int(hi))
        return _int_check(name, int(rest[2:]) if rest.startswith(">=") else 0, MAX_COUNT)
    if s[0] in "[(":
        lo_open, hi_open = s[0] == "(", s[-1] == ")"
        lo, hi = (float(x) for x in s[1:-1].split(","))
        return _num_check(name, lo, lo_open, hi, hi_open, EFFICIENCY_MIN if lo_open and lo == 0.0 else 0.0)
    if s.startswith(">="):
        return _num_check(name, float(s[2:]), False, HUGE, False)
    if s.startswith(">"):
        lo = float(s[1:])
        return _num_check(name, lo, True, HUGE, False, TINY if lo == 0.0 else 0.0)
    if s.endswith(">0"):
        return _unit_check(name, s[:-2], True)
    return _unit_check(name, s, False)


def _unit_of(spec: str) -> str | None:
    """The canonical unit of a quantity spec ("byte/s>0" -> "byte/s"); None for counts and ratios."""
    if callable(spec):
        return None
    s = spec.replace(" ", "")
    if s[0] in "{[(<>" or s.startswith("int"):
        return None
    return s[:-2] if s.endswith(">0") else s


def _extreme(given: dict) -> tuple[str, object]:
    """The argument farthest from 1 in orders of magnitude (the likely cause of an overflow)."""
    best, score = None, -1.0
    for k, v in given.items():
        m = v if isinstance(v, float) else None
        if m is None and isinstance(v, int) and not isinstance(v, bool):
            m = float(v)
        if m is None:
            continue
        s = abs(math.log10(abs(m))) if m else 400.0
        if s > score:
            best, score = k, s
    return (best, given[best]) if best is not None else (next(iter(given), "arguments"), None)


def formula(output: str | None = None, *, may_be_inf: bool | None = None, signed: bool | None = None,
            **specs):
    """Declare the result's canonical unit (None: a plain float or str) and each argument's spec.

    ``may_be_inf``/``signed``: the result may be inf / negative. None (the default) reads the
    docstring: a formula that documents an infinite or a negative result may return one.
    """

    def wrap(raw):
        doc = (raw.__doc__ or "").lower()
        inf_ok = ("infinite" in doc or "inf " in doc or "``inf``" in doc) if may_be_inf is None else may_be_inf
        neg_ok = ("negative" in doc) if signed is None else signed
        sig = inspect.signature(raw)
        names = tuple(sig.parameters)
        checks = {n: parse_spec(n, specs[n]) if n in specs else _default_check(n) for n in names}
        ordered = tuple(checks[n] for n in names)
        out_unit = output

        @functools.wraps(raw)
        def public(*args, **kwargs):
            if kwargs:
                # Only arguments the caller passed are checked: defaults are canonical floats already
                # (some are float("inf"), e.g. "no NIC failures", which a caller may not pass).
                given = sig.bind(*args, **kwargs).arguments
                for k, v in given.items():
                    given[k] = checks[k](v)
                call_args, call_kwargs = (), given
            else:
                if len(args) > len(names):
                    sig.bind(*args)            # the usual TypeError for too many arguments
                call_args = tuple(c(v) for c, v in zip(ordered, args))
                call_kwargs = None
            try:
                result = raw(*call_args, **call_kwargs) if call_kwargs is not None else raw(*call_args)
            except ZeroDivisionError:
                vals = call_kwargs if call_kwargs is not None else dict(zip(names, call_args))
                zero = next((k for k, v in vals.items() if isinstance(v, (int, float)) and v == 0), None)
                name = zero or _extreme(vals)[0]
                raise SpecError(name, vals.get(name), "a non-zero value: it is divided by") from None
            except TypeError:
                # an argument the formula does not declare got a non-number (None, a str...)
                vals = call_kwargs if call_kwargs is not None else dict(zip(names, call_args))
                bad = next((k for k, v in vals.items() if k not in specs and (
                    isinstance(v, bool) or not isinstance(v, (int, float)))), None)
                if bad is None:
                    raise
                raise SpecError(bad, vals[bad], "a number") from None
            except OverflowError:
                vals = call_kwargs if call_kwargs is not None else dict(zip(names, call_args))
                name, v = _extreme(vals)
                raise SpecError(name, v, "a smaller value: the result overflows double precision") from None
            if isinstance(result, float) and not (0.0 <= result < math.inf):
                if not ((result == math.inf and inf_ok) or (-math.inf < result < 0.0 and neg_ok)):
                    vals = call_kwargs if call_kwargs is not None else dict(zip(names, call_args))
                    name, v = _extreme(vals)
                    what = "negative" if result < 0 else "not finite"
                    raise SpecError(name, v, f"inputs for which {raw.__name__} is defined",
                                    f"the result would be {what}")
            if not out_unit:
                return result
            if isinstance(result, tuple):  # several quantities of one unit (e.g. a breakdown)
                return tuple(q(x, out_unit) for x in result)
            return q(result, out_unit)

        public.raw = raw
        public.units = dict({k: u for k, u in ((k, _unit_of(v)) for k, v in specs.items()) if u},
                            result=output)
        public.specs = dict(specs)
        return public

    return wrap
