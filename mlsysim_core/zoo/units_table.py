"""Units the zoo files may use, as factors to the engine's canonical units.

A small table instead of pint keeps registry loading off the slow path and strict:
an unknown unit string is an error, not a guess.
"""
from __future__ import annotations

_T = {
    "flop/s": {"FLOP/s": 1.0, "MFLOP/s": 1e6, "GFLOP/s": 1e9, "TFLOP/s": 1e12, "PFLOP/s": 1e15,
               "MOPS": 1e6, "GOPS": 1e9, "TOPS": 1e12, "POPS": 1e15},
    "flop": {"FLOP": 1.0, "kFLOP": 1e3, "MFLOP": 1e6, "GFLOP": 1e9, "TFLOP": 1e12},
    "byte": {"B": 1.0, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
             "KiB": 2.0**10, "MiB": 2.0**20, "GiB": 2.0**30, "TiB": 2.0**40},
    "byte/s": {"B/s": 1.0, "MB/s": 1e6, "GB/s": 1e9, "TB/s": 1e12, "PB/s": 1e15,
               "Mbit/s": 1e6 / 8, "Gbit/s": 1e9 / 8},
    "W": {"mW": 1e-3, "W": 1.0, "kW": 1e3},
    "s": {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0},
    "hour": {"h": 1.0},
    "year": {"year": 1.0},
    "USD": {"USD": 1.0},
    "USD/hour": {"USD/h": 1.0},
    "USD/kWh": {"USD/kWh": 1.0},
    "count": {"count": 1.0},
    "g/kWh": {"g/kWh": 1.0},
    "L/kWh": {"L/kWh": 1.0},
    "1": {"1": 1.0, "%": 0.01},
}
# unit string -> (dimension, factor)
UNITS: dict[str, tuple[str, float]] = {u: (dim, f) for dim, us in _T.items() for u, f in us.items()}


def allowed_units(dimension: str) -> list[str]:
    return list(_T[dimension])
