#!/usr/bin/env python
"""Speed of the fleet-scale solvers: DistributedModel per call and the full parallelism search.

    python benchmarks/bench_fleet.py

(1) DistributedModel.solve(Llama-3-70B, Research_256 = 32 DGX H100 on 100GbE, batch 1024, TP 8,
    PP 4, 16 microbatches), per call, for mlsysim_core and for the reference (PyPI
    mlsysim==0.3.0) side by side, with the ratio (target >= 100x, DESIGN 11).
(2) ParallelismOptimizer: every valid TP x PP x microbatch plan for a 1,024-GPU fleet
    (Training_1K, 128 DGX H100), and the extended search that also tries ZeRO 0-3, activation
    recomputation and interleaving V in {1, 2, 4} (target: well under 1 s). The reference's own
    optimizer (power-of-two TP x PP, no microbatch choice) is timed next to it for scale.
(3) The full search with context parallelism added (cp_sizes=None: every CP size dividing the
    fleet and the 2,048-token sequence) on the same 1,024 GPUs (target < 50 ms, issue 11).

This script installs nothing. The reference is used if ``import mlsysim`` works here, or in the
interpreter named by $MLSYSIM_REF_PYTHON, or in ``.bench-venv/`` (created by bench_core.py);
otherwise the comparison is skipped and the reason printed. Per-call times: timeit, loop count
from autorange, best of 5 repeats, in a subprocess per package. Nothing is asserted.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REF_VERSION = "0.3.0"

OURS = r"""
import dataclasses, json, time, timeit
import mlsysim_core as m
from mlsysim_core.solvers.optimizer import ParallelismOptimizer
M, F = m.Models.Llama3_70B, m.Systems.Clusters.Research_256
D = m.DistributedModel()
def call():
    return D.solve(model=M, fleet=F, batch_size=1024, tp_size=8, pp_size=4, microbatch_count=16)
r = call()
out = {"check": [r.raw("step_latency_total"), r.bubble_fraction, r.scaling_efficiency]}
t = timeit.Timer(call); n, _ = t.autorange()
out["distributed"] = min(t.repeat(repeat=5, number=n)) / n
F1 = m.Systems.Clusters.Training_1K if "Training_1K" in m.Systems.Clusters else dataclasses.replace(F, count=128)
O = ParallelismOptimizer()
for name, kw in (("search", {}), ("search_ext", dict(zero_stage=(0, 1, 2, 3), activation_recomputation=(False, True),
                                                     v_stages=(1, 2, 4))), ("search_cp", dict(cp_sizes=None))):
    res = O.solve(M, F1, batch_size=1024, **kw)
    t = timeit.Timer(lambda: O.solve(M, F1, batch_size=1024, **kw)); n, _ = t.autorange()
    out[name] = min(t.repeat(repeat=5, number=n)) / n
    out[name + "_size"] = res.search_space_size
    out[name + "_best"] = [res.best_config, res.raw("best_step_time")]
out["fleet_1k"] = [F1.name, F1.total_accelerators]
print(json.dumps(out))
"""

REF = r"""
import json, time, timeit
import mlsysim
from mlsysim.solvers import DistributedModel
M, F = mlsysim.Models.Language.Llama3_70B, mlsysim.Systems.Clusters.Research_256
D = DistributedModel()
def call():
    return D.solve(model=M, fleet=F, batch_size=1024, tp_size=8, pp_size=4, microbatch_count=16)
r = call()
out = {"check": [float(r.step_latency_total.to("s").magnitude), float(r.bubble_fraction), float(r.scaling_efficiency)]}
t = timeit.Timer(call); n, _ = t.autorange()
out["distributed"] = min(t.repeat(repeat=5, number=n)) / n
try:
    from mlsysim.solvers import ParallelismOptimizer
    F1 = mlsysim.Systems.Clusters.Training_1K
    O = ParallelismOptimizer()
    res = O.solve(model=M, fleet=F1, batch_size=1024)
    t = timeit.Timer(lambda: O.solve(model=M, fleet=F1, batch_size=1024))
    out["search"] = min(t.repeat(repeat=3, number=1))
    out["search_size"] = res.search_space_size
except Exception as e:  # the optimizer is optional for the comparison
    out["search_error"] = repr(e)
print(json.dumps(out))
"""


def has_reference(py: str) -> tuple[bool, str]:
    r = subprocess.run([py, "-c", "import importlib.metadata as m, mlsysim; print(m.version('mlsysim'))"],
                       capture_output=True, text=True, env=env_for(False))
    if r.returncode != 0:
        return False, (r.stderr.strip().splitlines() or ["import failed"])[-1]
    return True, r.stdout.strip()


def find_reference() -> tuple[str | None, str]:
    """The interpreter that can import the reference, or None and why not."""
    tried = []
    candidates = [sys.executable]
    if os.environ.get("MLSYSIM_REF_PYTHON"):
        candidates.append(os.environ["MLSYSIM_REF_PYTHON"])
    venv_py = ROOT / ".bench-venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if venv_py.exists():
        candidates.append(str(venv_py))
    for py in candidates:
        ok, info = has_reference(py)
        if ok:
            if info != REF_VERSION:
                tried.append(f"{py}: mlsysim {info} (want {REF_VERSION}; used anyway)")
            return py, info
        tried.append(f"{py}: {info}")
    if not venv_py.exists():
        tried.append(f"{venv_py.relative_to(ROOT)} does not exist (python benchmarks/bench_core.py creates it)")
    return None, "; ".join(tried)


def env_for(ours: bool) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if ours:
        env["PYTHONPATH"] = str(ROOT)
    return env


def run(py: str, code: str, ours: bool) -> dict:
    r = subprocess.run([py, "-c", code], capture_output=True, text=True, env=env_for(ours))
    if r.returncode != 0:
        raise SystemExit(f"benchmark failed in {py}:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def fmt_t(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} us"


def main() -> None:
    print(f"[info] ours: mlsysim_core from {ROOT} on Python {sys.version.split()[0]}")
    ours = run(sys.executable, OURS, True)
    ref_py, why = find_reference()
    ref = None
    if ref_py is None:
        print(f"[skip] reference comparison skipped: mlsysim=={REF_VERSION} is not importable ({why})")
    else:
        print(f"[info] reference: mlsysim {why} via {ref_py}")
        ref = run(ref_py, REF, False)

    w = 58
    print()
    print(f"{'measure':<{w}} {'mlsysim 0.3.0':>14} {'mlsysim_core':>13} {'ratio':>8}  target")
    print("-" * (w + 48))
    r_d = ref["distributed"] if ref else None
    ratio_d = r_d / ours["distributed"] if r_d else None
    print(f"{'DistributedModel.solve 70B / Research_256, TP8 PP4 M16':<{w}} "
          f"{fmt_t(r_d) if r_d else 'n/a':>14} {fmt_t(ours['distributed']):>13} "
          f"{f'{ratio_d:.0f}x' if ratio_d else 'n/a':>8}  >= 100x"
          + ("" if ratio_d is None else ("  yes" if ratio_d >= 100 else "  NO")))
    name, n = ours["fleet_1k"]
    r_s = ref.get("search") if ref else None
    ratio_s = r_s / ours["search"] if r_s else None
    ref_size = ref.get("search_size", "?") if ref else "-"
    label = f"full search, {n:,} GPUs: {ours['search_size']} plans (ref: {ref_size})"
    print(f"{label:<{w}} {fmt_t(r_s) if r_s else 'n/a':>14} {fmt_t(ours['search']):>13} "
          f"{f'{ratio_s:.0f}x' if ratio_s else 'n/a':>8}  < 1 s" + ("  yes" if ours["search"] < 1.0 else "  NO"))
    label = f"extended search (ZeRO 0-3, recompute, V 1/2/4): {ours['search_ext_size']} plans"
    print(f"{label:<{w}} {'':>14} {fmt_t(ours['search_ext']):>13} {'':>8}  < 1 s"
          + ("  yes" if ours["search_ext"] < 1.0 else "  NO"))
    print(f"{'  per plan in the extended search':<{w}} {'':>14} {fmt_t(ours['search_ext'] / ours['search_ext_size']):>13}")
    label = f"full search with CP (cp_sizes=None): {ours['search_cp_size']} plans"
    print(f"{label:<{w}} {'':>14} {fmt_t(ours['search_cp']):>13} {'':>8}  < 50 ms"
          + ("  yes" if ours["search_cp"] < 0.05 else "  NO"))
    print()
    s, b, e = ours["check"]
    print(f"sanity: ours step {s * 1e3:,.0f} ms, bubble {b:.1%}, scaling efficiency {e:.1%}")
    if ref:
        s, b, e = ref["check"]
        print(f"        ref  step {s * 1e3:,.0f} ms, bubble {b:.1%}, scaling efficiency {e:.1%}"
              "  (same bubble; step models differ, see solvers/distributed.py)")
        if "search_error" in ref:
            print(f"        ref optimizer not timed: {ref['search_error']}")
    print(f"best plan on {name}: {ours['search_best'][0]} step {ours['search_best'][1] * 1e3:,.0f} ms")
    print(f"extended best:        {ours['search_ext_best'][0]} step {ours['search_ext_best'][1] * 1e3:,.0f} ms")
    print(f"best with CP:         {ours['search_cp_best'][0]} step {ours['search_cp_best'][1] * 1e3:,.0f} ms")


if __name__ == "__main__":
    main()
