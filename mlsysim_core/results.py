"""Result containers: frozen, attribute and mapping access, Quantities built on access.

Solvers store plain floats in canonical units (cheap); ``r.latency`` builds a pint
Quantity only when read. ``r["ttft"]`` works too. ``r.explain()`` returns the work: each
equation with the numbers substituted, as Markdown (with LaTeX) that the labs render.
"""
from __future__ import annotations

from typing import Callable, ClassVar

from .units import q


class Result:
    """Base of every solver result."""

    __slots__ = ("_v", "_work")
    #: field -> (display unit, factor from the canonical unit); fields absent here are plain values
    UNITS: ClassVar[dict[str, tuple[str, float]]] = {}
    #: fields whose documented answer may be inf (e.g. "never breaks even"), and fields that may be
    #: negative by meaning (an accuracy delta, a saving): every other float is finite and >= 0
    MAY_BE_INF: ClassVar[frozenset] = frozenset()
    SIGNED: ClassVar[frozenset] = frozenset()

    def __init__(self, values: dict, work: Callable[[], list[tuple[str, str, str]]] | None = None):
        object.__setattr__(self, "_v", values)
        object.__setattr__(self, "_work", work)

    def __getattr__(self, name: str):
        try:
            value = self._v[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}; "
                                 f"fields: {', '.join(self._v)}") from None
        unit = self.UNITS.get(name)
        if unit is None or value is None:
            return _copy(value) if type(value) in _CONTAINERS else value
        return q(value * unit[1], unit[0])

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is frozen; cannot set {name!r}")

    def __getitem__(self, name: str):
        try:
            return self.__getattr__(name)
        except AttributeError as e:
            raise KeyError(str(e)) from None

    def __contains__(self, name: str) -> bool:
        return name in self._v

    def __iter__(self):
        return iter(self._v)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other._v == self._v

    __hash__ = None

    def keys(self):
        return self._v.keys()

    def items(self):
        return [(k, self[k]) for k in self._v]

    def to_dict(self) -> dict:
        return dict(self.items())

    def raw(self, name: str | None = None):
        """Magnitudes in canonical units (seconds, bytes, FLOP/s, ...): fast, for sweeps."""
        if name is None:
            return {k: _copy(v) if type(v) in _CONTAINERS else v for k, v in self._v.items()}
        try:
            v = self._v[name]
            return _copy(v) if type(v) in _CONTAINERS else v
        except (KeyError, TypeError):
            from .errors import SpecError
            raise SpecError("name", name, "a field of this result: " + ", ".join(self._v)) from None

    def explain(self) -> str:
        """The work, step by step: name, equation (LaTeX) and the numbers substituted."""
        if self._work is None:
            return ""
        lines = []
        for name, equation, numbers in self._work():
            numbers = numbers.replace("$", "\\$")   # money is not maths: keep Markdown renderers out of TeX
            lines.append(f"**{name}**: ${equation}$  \n&nbsp;&nbsp;= {numbers}")
        return "\n\n".join(lines)

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={_short(self[k])}" for k in self._v)
        return f"{type(self).__name__}({body})"

    def __dir__(self):
        return sorted(set(object.__dir__(self)) | set(self._v))


_CONTAINERS = (dict, list, set)


def _copy(v):
    """A copy of a nested container, so editing what a result hands out never changes the result."""
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return type(v)(_copy(x) for x in v)
    return v


def _short(v) -> str:
    if hasattr(v, "magnitude"):
        return f"{v:.4g~P}"
    if isinstance(v, float):
        return f"{v:.4g}"
    return repr(v)


_S, _MS, _GB = ("s", 1.0), ("ms", 1e3), ("GB", 1e-9)


class PerformanceProfile(Result):
    __slots__ = ()
    UNITS = {"latency": _MS, "latency_compute": _MS, "latency_memory": _MS, "latency_overhead": _MS, "latency_bound": _MS,
             "latency_calibrated": _MS, "throughput_calibrated": ("1/s", 1.0),
             "throughput_bound": ("1/s", 1.0), "throughput": ("1/s", 1.0),
             "arithmetic_intensity": ("FLOP/B", 1.0),
             "ridge_point": ("FLOP/B", 1.0), "memory_footprint": _GB, "memory_capacity": _GB,
             "shortfall": _GB, "energy": ("J", 1.0), "flops": ("GFLOP", 1e-9),
             "bytes_moved": ("MB", 1e-6), "peak_flops_actual": ("TFLOP/s", 1e-12),
             "peak_bw_actual": ("GB/s", 1e-9)}


class ServingResult(Result):
    __slots__ = ()
    # demand / capacity: above 1 when the request does not fit (finite; ``feasible`` says so)
    MAY_BE_INF = frozenset({"memory_utilization"})
    UNITS = {"ttft": _MS, "itl": _MS, "ttft_bound": _MS, "itl_bound": _MS,
             "ttft_calibrated": _MS, "itl_calibrated": _MS, "decode_throughput_calibrated": ("1/s", 1.0),
             "decode_throughput_bound": ("1/s", 1.0), "request_latency": _S, "kv_cache_size": _GB,
             "kv_cache_per_token": ("KB", 1e-3), "model_weights_size": _GB,
             "total_memory_required": _GB, "memory_capacity": _GB, "shortfall": _GB,
             "decode_throughput": ("1/s", 1.0),
             "tp_communication_prefill": _MS, "tp_communication_decode": _MS, "prefill_flops": ("TFLOP", 1e-12)}


class CompressionResult(Result):
    __slots__ = ()
    SIGNED = frozenset({"estimated_accuracy_delta"})
    UNITS = {"original_latency": _MS, "compressed_latency": _MS}
