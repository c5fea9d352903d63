"""Errors. One root class; bad input is also a ``ValueError``.

Messages name the argument, the value given and what is allowed, e.g.
``tp_size=3 is invalid: choose a divisor of 256 / pp_size``.
"""
from __future__ import annotations


class MLSysError(Exception):
    """Root of every error raised on purpose by mlsysim_core."""


class SpecError(MLSysError, ValueError):
    """An argument or a registry value is not allowed."""

    def __init__(self, name: str, value, allowed: str, detail: str = ""):
        self.name, self.value, self.allowed = name, value, allowed
        msg = f"{name}={value!r} is invalid: expected {allowed}"
        super().__init__(msg + (f" ({detail})" if detail else ""))


class UnitError(SpecError):
    """A quantity has the wrong physical dimension."""


class ZooError(MLSysError, ValueError):
    """A registry data file is malformed (names the file, entry and field)."""


class InfeasibleError(MLSysError):
    """A plan does not fit (raised only when the caller asks for it)."""

    def __init__(self, message: str, required_bytes: float | None = None,
                 available_bytes: float | None = None):
        self.required_bytes, self.available_bytes = required_bytes, available_bytes
        super().__init__(message)


class OOMError(InfeasibleError):
    """Weights (and caches) exceed device memory."""
