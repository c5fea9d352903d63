#!/usr/bin/env python
"""Cold-start wall time of the command line (a report, not a test; target < 0.5 s).

    python benchmarks/bench_cli.py              # 7 runs per row
    python benchmarks/bench_cli.py --runs 15 --json out.json

Rows, each a fresh process timed from spawn to exit, median of --runs after one unmeasured
warm-up (which fills the OS file cache and pint's definition cache); the CPU time (user + sys)
beside it is what the process itself cost, without waiting for a core on a busy machine:
  floor: python -c pass            the interpreter alone
  floor: import pint + registry    what any pint-based package pays (with pint's on-disk cache)
  import mlsysim_core              the package (registries load lazily)
  python -m mlsysim_core serve ... --json      the CLI: Llama3_70B on H100, 4K context
  mlsysim-core serve ... --json                the console script, if installed beside python
  python -m mlsysim_core serve --model <config.json> --json   a model read from a HF config
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SERVE = ["serve", "--model", "Llama3_70B", "--hardware", "H100", "--seq-len", "4096", "--json"]
HF = str(ROOT / "tests" / "fixtures" / "hf" / "llama-3.1-8b.json")


def rows() -> list[tuple[str, list[str]]]:
    out = [("floor: python -c pass", [PY, "-c", "pass"]),
           ("floor: import pint + registry (cached)",
            [PY, "-c", "import pint; pint.UnitRegistry(cache_folder=':auto:')"]),
           ("import mlsysim_core", [PY, "-c", "import mlsysim_core"]),
           ("python -m mlsysim_core serve --json", [PY, "-m", "mlsysim_core", *SERVE])]
    script = Path(PY).with_name("mlsysim-core")
    if script.exists():
        out.append(("mlsysim-core serve --json (console script)", [str(script), *SERVE]))
    out.append(("python -m mlsysim_core serve --model config.json --json",
                [PY, "-m", "mlsysim_core", "serve", "--model", HF, "--hardware", "H100", "--json"]))
    return out


def wall(cmd: list[str], runs: int) -> tuple[list[float], list[float]]:
    """(wall times, CPU times user+sys) of ``runs`` fresh processes. CPU time is reported too
    because on a shared machine the wall time also counts waiting for a core."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)   # warm-up
    times, cpu = [], []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return times, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", type=Path, default=None, help="also write the medians here")
    a = ap.parse_args()
    report = {}
    print(f"{'row':<58} {'median':>8} {'min':>8} {'cpu':>8}   (s, {a.runs} runs, cores: {os.cpu_count()}, "
          f"load {os.getloadavg()[0]:.1f})")
    for label, cmd in rows():
        t, c = wall(cmd, a.runs)
        report[label] = {"median_s": statistics.median(t), "min_s": min(t), "cpu_median_s": statistics.median(c),
                         "runs": t}
        print(f"{label:<58} {statistics.median(t):8.3f} {min(t):8.3f} {statistics.median(c):8.3f}")
    cli = report["python -m mlsysim_core serve --json"]["median_s"]
    print(f"\ntarget: serve --json cold < 0.5 s: {'met' if cli < 0.5 else 'NOT met'} ({cli:.3f} s); "
          f"above the package import: {cli - report['import mlsysim_core']['median_s']:.3f} s")
    if a.json:
        a.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
