"""µs per call of the public ``calc_*`` formulas: Quantity arguments, bare floats, and ``.raw``.

    python benchmarks/bench_formulas.py

The Quantity path converts each argument with a conversion factor cached per (unit, target
unit), so it costs a few µs, not the ~100 µs of a pint conversion from a unit string.
"""
from __future__ import annotations

import timeit

from mlsysim_core import Q_, calc_ring_allreduce_time, calc_roofline_time, calc_ttft

CASES = {
    "calc_ring_allreduce_time(Q, 8, Q)": lambda: calc_ring_allreduce_time(Q_(140, "GB"), 8, Q_(50, "GB/s")),
    "calc_roofline_time(5 Quantities)": lambda: calc_roofline_time(
        Q_(1, "TFLOP"), Q_(1, "GB"), Q_(989, "TFLOP/s"), Q_(3.35, "TB/s"), 0.5),
    "calc_ttft(Q, Q)": lambda: calc_ttft(Q_(1e15, "FLOP"), Q_(989, "TFLOP/s")),
    "calc_ring_allreduce_time(floats)": lambda: calc_ring_allreduce_time(140e9, 8, 50e9),
    "calc_ring_allreduce_time.raw": lambda: calc_ring_allreduce_time.raw(140e9, 8, 50e9),
}


def main(number: int = 2000, repeat: int = 5) -> None:
    for name, fn in CASES.items():
        fn()
        best = min(timeit.repeat(fn, number=number, repeat=repeat)) / number
        print(f"{name:40s} {best * 1e6:8.2f} µs/call (incl. building the Quantity arguments)")
    pre = (Q_(140, "GB"), Q_(50, "GB/s"))
    f = lambda: calc_ring_allreduce_time(pre[0], 8, pre[1])  # noqa: E731
    best = min(timeit.repeat(f, number=number, repeat=repeat)) / number
    print(f"{'calc_ring_allreduce_time(prebuilt Q)':40s} {best * 1e6:8.2f} µs/call (Quantities built beforehand)")


if __name__ == "__main__":
    main()
