"""Errors. One root class; bad input is also a ``ValueError``.

Messages name the argument, the value given and what is allowed, e.g.
``tp_size=3 is invalid: choose a divisor of 256 / pp_size``.
"""
from __future__ import annotations


MAX_VALUE_CHARS = 80   # longer reprs are cut in the middle: a message stays one readable line


def short(value, limit: int = MAX_VALUE_CHARS) -> str:
    """``repr(value)``, readable in one line: huge ints in scientific notation, Quantities as
    ``100 USD``, specs by their name, anything else cut in the middle when long."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 15:
        digits = len(str(abs(value))) if abs(value) < 10 ** 4000 else None
        lead = f"{value:.3e}" if abs(value) < 1e308 else f"{'-' if value < 0 else ''}~10^{digits - 1 if digits else '4000+'}"
        return f"{lead} (a {digits or 'many'}-digit integer)"
    try:
        if hasattr(value, "_units") and hasattr(value, "magnitude"):    # a pint Quantity
            text = f"{value.magnitude!r} {value.units}"
        elif hasattr(value, "key") and hasattr(value, "name") and isinstance(getattr(value, "name"), str):
            text = f"<{type(value).__name__} {value.name}>"           # a zoo spec, not its dataclass repr
        else:
            text = repr(value)
    except Exception:  # a value whose repr itself fails must not hide the real message
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        half = (limit - 1) // 2
        text = text[:half] + "…" + text[-half:]
    return text


class MLSysError(Exception):
    """Root of every error raised on purpose by mlsysim_core."""


class SpecError(MLSysError, ValueError):
    """An argument or a registry value is not allowed."""

    def __init__(self, name: str, value, allowed: str, detail: str = ""):
        self.name, self.value, self.allowed = name, value, allowed
        msg = f"{name}={short(value)} is invalid: expected {allowed}"
        super().__init__(msg + (f" ({detail})" if detail else ""))


class UnknownEntryError(SpecError, AttributeError):
    """A registry has no entry of that name (attribute access: also an AttributeError, so
    ``hasattr`` and ``getattr(reg, name, default)`` keep working); the message suggests close names."""


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
