"""What one run of each lab costs in CPython, with and without mlsysim_core._lab_speed, side by side.

    python benchmarks/lab_run_bench.py [--reps N] [labs/v1_10_model_compression.py ...]

A run = marimo's script mode with every prediction answered (each unset radio at its first option,
so the cells it gates run) and every output formatted as the kernel formats it for the browser
(charts serialized, markdown rendered). Per lab, the fastest of N runs in each mode, the modes
interleaved so that machine load hits them alike:

  original     marimo's and altair's own code (``_lab_speed.originals()``)
  fast, cold   the speed-ups with the markdown memo emptied before each run: what a slider move
               pays when every text it re-renders is new (altair's part plus repeats within a run)
  fast, warm   the memo kept: every text seen before (a cell's static prose re-run by a slider)

A slider move in the browser re-runs only the cells that depend on it, in Pyodide (several times
slower than CPython), so these are not its latency (``site_bench.py`` measures that); they are the
Python work a move can at most repeat, and the ratio is what the speed-ups save of it.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import io
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "labs"))
from lab_harness import answer_unset_radios  # noqa: E402


def _run_ms(app) -> float:
    from marimo._output.formatting import try_format
    gc.collect()
    t0 = time.perf_counter()
    outputs, _ = app.run()
    for out in outputs:
        try_format(out)
    return (time.perf_counter() - t0) * 1e3


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labs", nargs="*", type=Path)
    ap.add_argument("--reps", type=int, default=5, help="runs per mode and lab (default 5)")
    args = ap.parse_args(argv)
    labs = args.labs or sorted((ROOT / "labs").glob("v[12]_[0-9][0-9]_*.py"))
    answer_unset_radios()
    from mlsysim_core import _lab_speed, labkit
    labkit.init()

    def cold(app):
        _lab_speed.clear_memo()
        return _run_ms(app)

    def original(app):
        with _lab_speed.originals():
            return _run_ms(app)

    modes = {"original": original, "fast, cold": cold, "fast, warm": _run_ms}
    totals = dict.fromkeys(modes, 0.0)
    print(f"{'lab':<36}" + "".join(f"{m + ' ms':>14}" for m in modes) + f"{'cold x':>9}{'warm x':>9}")
    for lab in labs:
        spec = importlib.util.spec_from_file_location(f"bench_{lab.stem}", lab)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        best = dict.fromkeys(modes, float("inf"))
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module.app.run()   # imports, zoo loading, caches warmed alike for every mode
            for _ in range(args.reps):
                for name, fn in modes.items():
                    best[name] = min(best[name], fn(module.app))
        for name in modes:
            totals[name] += best[name]
        row = "".join(f"{best[m]:>14.1f}" for m in modes)
        print(f"{lab.stem:<36}{row}{best['original'] / best['fast, cold']:>9.2f}"
              f"{best['original'] / best['fast, warm']:>9.2f}", flush=True)
    row = "".join(f"{totals[m]:>14.1f}" for m in modes)
    print(f"{'all labs':<36}{row}{totals['original'] / totals['fast, cold']:>9.2f}"
          f"{totals['original'] / totals['fast, warm']:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
