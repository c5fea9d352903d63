#!/usr/bin/env python
"""Per-call speed of the wall solvers (walls 3, 8, 9, 10, 16, 19, 20) against the reference
implementation's solvers of the same name (PyPI mlsysim==0.3.0), side by side in one run.

    python benchmarks/bench_walls.py            # builds .bench-venv/ once (bench_core's helper)
    python benchmarks/bench_walls.py --json out.json
    python benchmarks/bench_walls.py --cpu      # CPU time of this process (steadier on a shared machine)

Each call is timed with timeit (best of 5 repeats, loop count from autorange) in a subprocess per
package, on the closest equivalent case (the reference's models are simpler and take fewer inputs:
see research/mlsysim-upstream.md section 1.5). Target: >= 100x faster per call. Reported, never asserted.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import ensure_reference, env_for, fmt_t, ref_version  # noqa: E402

CASES = ("EfficiencyModel", "DataModel", "TransformationModel", "TopologyModel", "OrchestrationModel",
         "CheckpointModel", "ResponsibleEngineeringModel")

REF_SETUP = r"""
import mlsysim
from mlsysim import solvers as S
u = mlsysim.ureg
H100, L8, L70 = mlsysim.Hardware.Cloud.H100, mlsysim.Models.Language.Llama3_8B, mlsysim.Models.Language.Llama3_70B
NDR, R256, P2K = mlsysim.Systems.Fabrics.InfiniBand_NDR, mlsysim.Systems.Clusters.Research_256, mlsysim.Systems.Clusters.Production_2K
EF, DM, TM, TP, OM, CK, RE = (S.EfficiencyModel(), S.DataModel(), S.TransformationModel(), S.TopologyModel(),
                              S.OrchestrationModel(), S.CheckpointModel(), S.ResponsibleEngineeringModel())
RATE, SAMPLE, CPU, STEP, BASE = u.Quantity(2.76, "GB/s"), u.Quantity(115, "kB"), u.Quantity(1, "GB/s"), u.Quantity(100, "ms"), u.Quantity(1000, "hour")
CALLS = {
    "EfficiencyModel": lambda: EF.solve(L8, H100, "attention", True),
    "DataModel": lambda: DM.solve(RATE, H100),
    "TransformationModel": lambda: TM.solve(256, SAMPLE, CPU, STEP),
    "TopologyModel": lambda: TP.solve(NDR, "fat_tree", 2048),
    "OrchestrationModel": lambda: OM.solve(P2K, 10.0, 1.0),
    "CheckpointModel": lambda: CK.solve(L70, H100),
    "ResponsibleEngineeringModel": lambda: RE.solve(BASE, 1.0),
}
"""
OURS_SETUP = r"""
import mlsysim_core as m
H100, L8, L70, R50 = m.Hardware.H100, m.Models.Llama3_8B, m.Models.Llama3_70B, m.Models.ResNet50
H256, P2K, F8K = m.Systems.Clusters.H100_256, m.Systems.Clusters.Production_2K, m.Systems.Clusters.Frontier_8192
EF, DM, TM, TP, OM, CK, RE = (m.EfficiencyModel(), m.DataModel(), m.TransformationModel(), m.TopologyModel(),
                              m.OrchestrationModel(), m.CheckpointModel(), m.ResponsibleEngineeringModel())
CALLS = {
    "EfficiencyModel": lambda: EF.solve(L8, H100, batch_size=1, seq_len=2048, mode="graph"),
    "DataModel": lambda: DM.solve(samples_per_second=3000, n_accelerators=8),
    "TransformationModel": lambda: TM.solve(cpu_cores=32, samples_per_second=1200, accelerators_per_node=8),
    "TopologyModel": lambda: TP.solve(P2K, oversubscription=2, placement="scattered", message_bytes=140e9),
    "OrchestrationModel": lambda: OM.solve(F8K, job_gpus=512, job_hours=24, utilization=0.85,
                                           priority_shares=(0.2, 0.8), preemptive=True),
    "CheckpointModel": lambda: CK.solve(L70, H256),
    "ResponsibleEngineeringModel": lambda: RE.solve(R50, H100, batch_size=256, epsilon=1.0, base_gpu_hours=1000,
                                                    subgroups=10, pgd_steps=7),
}
"""
PER_CALL = r"""
import json, time, timeit
{setup}
out = {{}}
for name, fn in CALLS.items():
    fn()
    t = timeit.Timer(fn, timer={timer})
    n, _ = t.autorange()
    out[name] = min(t.repeat(repeat=5, number=n)) / n
print(json.dumps(out))
"""


def per_call(py, setup, env, timer="time.perf_counter") -> dict:
    r = subprocess.run([str(py), "-c", PER_CALL.format(setup=setup, timer=timer)], env=env, capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit(f"per-call benchmark failed in {py}:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, help="also write the numbers to this file")
    ap.add_argument("--cpu", action="store_true",
                    help="time with the process's CPU time (time.process_time): time other programs take on a "
                         "loaded machine is not counted, so the ratio is steadier")
    args = ap.parse_args()
    timer = "time.process_time" if args.cpu else "time.perf_counter"
    ref_py = ensure_reference()
    print(f"[info] reference: mlsysim {ref_version(ref_py)} in {ref_py}; ours: {sys.executable}")
    ref = per_call(ref_py, REF_SETUP, env_for(False), timer)
    ours = per_call(Path(sys.executable), OURS_SETUP, env_for(True), timer)
    w = 30
    print(f"\n{'solver.solve per call':<{w}} {'mlsysim 0.3.0':>14} {'mlsysim_core':>13} {'ratio':>8} {'target':>8}  ok")
    print("-" * (w + 52))
    for name in CASES:
        ratio = ref[name] / ours[name]
        print(f"{name:<{w}} {fmt_t(ref[name]):>14} {fmt_t(ours[name]):>13} {ratio:>7.0f}x {'>= 100x':>8}  "
              f"{'yes' if ratio >= 100 else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps({"ref": ref, "ours": ours}, indent=2))


if __name__ == "__main__":
    main()
