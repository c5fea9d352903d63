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
from .units import magnitude, q


def formula(output: str | None = None, **units: str):
    """Declare the canonical unit of each quantity argument and of the result."""

    def wrap(raw):
        sig = inspect.signature(raw)
        names = tuple(sig.parameters)

        @functools.wraps(raw)
        def public(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            vals = []
            for name in names:
                v = bound.arguments[name]
                if name in units:
                    v = magnitude(v, units[name], name)
                    if v < 0:
                        raise SpecError(name, v, "a non-negative value")
                vals.append(v)
            result = raw(*vals)
            return q(result, output) if output else result

        public.raw = raw
        public.units = dict(units, result=output)
        return public

    return wrap
