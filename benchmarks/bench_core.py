#!/usr/bin/env python
"""Speed of mlsysim_core against the reference implementation (PyPI mlsysim==0.3.0), side by side.

    python benchmarks/bench_core.py              # builds .bench-venv/ once, then measures
    python benchmarks/bench_core.py --runs 9     # more cold-start runs
    python benchmarks/bench_core.py --json out.json

Measures, in one run, for both packages (DESIGN 11):
  (a) cold start to first result: a fresh interpreter imports the package and runs one
      Engine.solve(ResNet-50, A100); median of --runs runs (plus one unmeasured warm-up run
      that fills the OS file cache). Floor: `python -c "import pint; pint.UnitRegistry()"`.
  (b) Engine.solve(ResNet-50, A100), per call;
  (c) ServingModel.solve(Llama-3-70B, H100, seq_len=4096), per call;
  (d-g) the serving-depth solvers of issue 10, per call: ContinuousBatchingModel, WeightStreamingModel
      (CS-3), InferenceScalingModel, and ServingModel with a draft model, a cached prefix and chunks.
Per-call times come from timeit (best of 5 repeats, loop count from autorange) in a
subprocess for each package, so both are measured the same way. Targets: cold start >= 10x
sooner, per call >= 100x faster. Timings are reported, never asserted.

The reference is installed into .bench-venv/ (git-ignored by a .gitignore inside it) with pip;
a wheel in $MLSYSIM_REF_WHEELS (default /tmp/mlsysim_ref) is used if present, PyPI otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REF_VENV = ROOT / ".bench-venv"
REF_VERSION = "0.3.0"
WHEELS = Path(os.environ.get("MLSYSIM_REF_WHEELS", "/tmp/mlsysim_ref"))

# --- what each package runs. The reference's names moved between versions (layouts A/B/C of
# research/mlsysim-upstream.md): 0.3.0 has Engine at the top level, ServingModel in
# mlsysim.solvers, and only grouped registry names (Models.Vision.ResNet50); resolve them by
# inspection so the script survives small renames.
REF_SETUP = r"""
import mlsysim
def _pick(reg, name):
    # reg.name, or reg.<group>.name for the first group that has it
    if hasattr(reg, name):
        return getattr(reg, name)
    for g in dir(reg):
        sub = None if g.startswith("_") else getattr(reg, g, None)
        if sub is not None and hasattr(sub, name):
            return getattr(sub, name)
    raise LookupError(f"{reg!r} has no {name}")
try:
    Engine = mlsysim.Engine
except AttributeError:
    from mlsysim.solvers import SingleNodeModel as _S
    Engine = _S()
try:
    from mlsysim.solvers import ServingModel
except ImportError:
    ServingModel = mlsysim.ServingModel
RESNET, LLAMA70 = _pick(mlsysim.Models, "ResNet50"), _pick(mlsysim.Models, "Llama3_70B")
A100, H100 = _pick(mlsysim.Hardware, "A100"), _pick(mlsysim.Hardware, "H100")
SERVING = ServingModel()
def engine_call():
    return Engine.solve(model=RESNET, hardware=A100)
def serving_call():
    return SERVING.solve(model=LLAMA70, hardware=H100, seq_len=4096, batch_size=1)
# issue 10: the serving-depth solvers, the same questions on both sides
from mlsysim.solvers import ContinuousBatchingModel, InferenceScalingModel, WeightStreamingModel
LLAMA8, CS3 = _pick(mlsysim.Models, "Llama3_8B"), _pick(mlsysim.Hardware, "Cerebras_CS3")
EXTRA = {
    "batching": lambda: ContinuousBatchingModel().solve(LLAMA8, H100, max_seq_len=2048, mean_request_tokens=640,
                                                        max_batch_size=64),
    "streaming": lambda: WeightStreamingModel().solve(LLAMA70, CS3, seq_len=2048, batch_size=1),
    "reasoning": lambda: InferenceScalingModel().solve(LLAMA8, H100, reasoning_steps=8, context_length=2048),
    "serving_options": lambda: SERVING.solve(model=LLAMA70, hardware=H100, seq_len=4096, draft_model=LLAMA8,
                                             draft_acceptance_rate=0.7, cached_prefix_len=1024,
                                             prefill_chunk_tokens=512),
}
"""
OURS_SETUP = r"""
import mlsysim_core as m
RESNET, LLAMA70, A100, H100 = m.Models.ResNet50, m.Models.Llama3_70B, m.Hardware.A100, m.Hardware.H100
SERVING = m.ServingModel()
def engine_call():
    return m.Engine.solve(model=RESNET, hardware=A100)
def serving_call():
    return SERVING.solve(model=LLAMA70, hardware=H100, seq_len=4096, batch_size=1)
LLAMA8, CS3 = m.Models.Llama3_8B, m.Hardware.CS3
EXTRA = {
    "batching": lambda: m.ContinuousBatchingModel().solve(LLAMA8, H100, seq_len=2048, prompt_len=512,
                                                          output_tokens=256, max_batch_size=64),
    "streaming": lambda: m.WeightStreamingModel().solve(LLAMA70, CS3, seq_len=2048, batch_size=1),
    "reasoning": lambda: m.InferenceScalingModel().solve(LLAMA8, H100, reasoning_steps=8, context_length=2048),
    "serving_options": lambda: SERVING.solve(model=LLAMA70, hardware=H100, seq_len=4096, draft_model=LLAMA8,
                                             draft_acceptance_rate=0.7, cached_prefix_len=1024,
                                             prefill_chunk_tokens=512),
}
"""
COLD = {
    "ref": "import mlsysim; mlsysim.Engine.solve(model=mlsysim.Models.Vision.ResNet50, "
           "hardware=mlsysim.Hardware.Cloud.A100)",
    "ours": "import mlsysim_core as m; m.Engine.solve(m.Models.ResNet50, m.Hardware.A100)",
    "floor": "import pint; pint.UnitRegistry()",
    # mlsysim_core builds its registry with pint's on-disk definition cache, so it can start
    # below the plain floor; this is the same floor with that cache
    "floor_cached": "import pint; pint.UnitRegistry(cache_folder=':auto:')",
}
PER_CALL = r"""
import json, timeit
{setup}
r1, r2 = engine_call(), serving_call()          # warm caches; also proves the calls work
out = {{"check": [str(getattr(r1, "bottleneck", "")), float(r2.itl.to("ms").magnitude)]}}
for name, fn in (("engine", engine_call), ("serving", serving_call), *EXTRA.items()):
    fn()
    t = timeit.Timer(fn)
    n, _ = t.autorange()
    out[name] = min(t.repeat(repeat=5, number=n)) / n
print(json.dumps(out))
"""


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ref_version(py: Path) -> str | None:
    if not py.exists():
        return None
    r = subprocess.run([str(py), "-c", "import importlib.metadata as m; print(m.version('mlsysim'))"],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def ensure_reference() -> Path:
    """The reference venv's python, creating .bench-venv/ with mlsysim==0.3.0 once."""
    py = venv_python(REF_VENV)
    if ref_version(py) == REF_VERSION:
        return py
    print(f"[setup] creating {REF_VENV.relative_to(ROOT)}/ with mlsysim=={REF_VERSION} (once) ...", flush=True)
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(REF_VENV)], check=True)
    (REF_VENV / ".gitignore").write_text("*\n")            # the folder ignores itself
    cmd = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"mlsysim=={REF_VERSION}"]
    if WHEELS.is_dir() and any(WHEELS.glob(f"mlsysim-{REF_VERSION}-*.whl")):
        cmd[4:4] = ["--find-links", str(WHEELS)]
    subprocess.run(cmd, check=True)
    if ref_version(py) != REF_VERSION:
        raise SystemExit(f"[setup] failed: mlsysim=={REF_VERSION} not importable in {REF_VENV}")
    return py


def env_for(ours: bool) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if ours:
        env["PYTHONPATH"] = str(ROOT)
    return env


def cold_start(py: Path, code: str, env: dict, runs: int) -> list[float]:
    subprocess.run([str(py), "-c", code], env=env, check=True, capture_output=True)   # warm-up, not timed
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(py), "-c", code], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return times


def per_call(py: Path, setup: str, env: dict) -> dict:
    r = subprocess.run([str(py), "-c", PER_CALL.format(setup=setup)], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"per-call benchmark failed in {py}:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def fmt_t(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} us"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="cold-start runs per package (median; >= 5)")
    ap.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = ap.parse_args()
    runs = max(5, args.runs)

    ref_py, ours_py = ensure_reference(), Path(sys.executable)
    print(f"[info] ours: mlsysim_core from {ROOT} on {sys.version.split()[0]} ({ours_py})")
    print(f"[info] reference: mlsysim {ref_version(ref_py)} in {ref_py}")

    print(f"[run] cold start, {runs} runs each ...", flush=True)
    cold = {"ref": cold_start(ref_py, COLD["ref"], env_for(False), runs),
            "ours": cold_start(ours_py, COLD["ours"], env_for(True), runs),
            "floor": cold_start(ours_py, COLD["floor"], env_for(False), runs),
            "floor_cached": cold_start(ours_py, COLD["floor_cached"], env_for(False), runs)}
    print("[run] per call (timeit) ...", flush=True)
    ref_calls = per_call(ref_py, REF_SETUP, env_for(False))
    ours_calls = per_call(ours_py, OURS_SETUP, env_for(True))

    med = {k: statistics.median(v) for k, v in cold.items()}
    rows = [
        ("(a) cold start -> first Engine.solve", med["ref"], med["ours"], 10),
        ("(b) Engine.solve ResNet-50 / A100", ref_calls["engine"], ours_calls["engine"], 100),
        ("(c) ServingModel.solve Llama-3-70B / H100, 4K", ref_calls["serving"], ours_calls["serving"], 100),
        ("(d) ContinuousBatchingModel Llama-3-8B / H100", ref_calls["batching"], ours_calls["batching"], 100),
        ("(e) WeightStreamingModel Llama-3-70B / CS-3", ref_calls["streaming"], ours_calls["streaming"], 100),
        ("(f) InferenceScalingModel Llama-3-8B / H100, 8 steps", ref_calls["reasoning"], ours_calls["reasoning"], 100),
        ("(g) ServingModel + draft, prefix cache, chunks", ref_calls["serving_options"],
         ours_calls["serving_options"], 100),
    ]
    w = 48
    print()
    print(f"{'measure':<{w}} {'mlsysim 0.3.0':>14} {'mlsysim_core':>13} {'ratio':>8} {'target':>8}  ok")
    print("-" * (w + 52))
    for name, ref, ours, target in rows:
        ratio = ref / ours
        print(f"{name:<{w}} {fmt_t(ref):>14} {fmt_t(ours):>13} {ratio:>7.1f}x {'>= ' + str(target) + 'x':>8}  "
              f"{'yes' if ratio >= target else 'NO'}")
    print(f"{'    floor: import pint; pint.UnitRegistry()':<{w}} {'':>14} {fmt_t(med['floor']):>13}")
    print(f"{'    floor with pint cache (what mlsysim_core uses)':<{w}} {'':>14} {fmt_t(med['floor_cached']):>13}")
    print(f"{'    mlsysim_core cold start above that floor':<{w}} {'':>14} "
          f"{fmt_t(max(0.0, med['ours'] - med['floor_cached'])):>13}")
    print()
    print(f"cold-start runs (s): ref {[round(t, 3) for t in cold['ref']]}")
    print(f"                     ours {[round(t, 3) for t in cold['ours']]}")
    print(f"                     floor {[round(t, 3) for t in cold['floor']]}")
    print(f"              floor (cached) {[round(t, 3) for t in cold['floor_cached']]}")
    print(f"sanity: ref  bottleneck={ref_calls['check'][0]!r}, Llama-3-70B ITL={ref_calls['check'][1]:.2f} ms")
    print(f"        ours bottleneck={ours_calls['check'][0]!r}, Llama-3-70B ITL={ours_calls['check'][1]:.2f} ms")
    if args.json:
        args.json.write_text(json.dumps({"cold_start_s": cold, "cold_start_median_s": med,
                                         "per_call_s": {"ref": ref_calls, "ours": ours_calls}}, indent=2))
        print(f"[info] wrote {args.json}")


if __name__ == "__main__":
    main()
