"""The ``@formula`` decorator: one raw float function, one unit-aware public function.

Each equation is written once, on plain floats in canonical units (``calc_x.raw``), which is
what solvers and sweeps call. The public ``calc_x`` accepts pint Quantities or bare numbers
(taken to be in the canonical unit), rejects wrong dimensions, NaN, infinity and negative
values with a message naming the argument, and returns a Quantity (or a float for ratios).
"""
from __future__ import annotations

import functools
import inspect

from .errors import SpecError
from .units import Quantity, magnitude, q


def formula(output: str | None = None, **units: str):
    """Declare the canonical unit of each quantity argument and of the result."""

    def wrap(raw):
        sig = inspect.signature(raw)

        @functools.wraps(raw)
        def public(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            # Only arguments the caller passed are checked: defaults are canonical floats already
            # (some are float("inf"), e.g. "no NIC failures", which a caller may not pass).
            given = bound.arguments
            for name, v in given.items():
                if name in units:
                    v = magnitude(v, units[name], name)
                    if v < 0:
                        raise SpecError(name, v, "a non-negative value")
                    given[name] = v
                elif isinstance(v, Quantity):   # counts and ratios: only dimensionless quantities
                    given[name] = magnitude(v, "dimensionless", name)
            result = raw(*bound.args, **bound.kwargs)
            if not output:
                return result
            if isinstance(result, tuple):  # several quantities of one unit (e.g. a breakdown)
                return tuple(q(x, output) for x in result)
            return q(result, output)

        public.raw = raw
        public.units = dict(units, result=output)
        return public

    return wrap
