# Source: reference/004 "For Engineers & Researchers", section "Composing Solvers for Real Questions",
# "How reliable is a 30-day training run on 256 GPUs?".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# Needs the fleet-scale ReliabilityModel.
# --- block ---
import mlsysim_core
from mlsysim_core import ReliabilityModel

rel = ReliabilityModel()
result = rel.solve(
    fleet=mlsysim_core.Systems.Clusters.H100_256,
    job_duration_hours=720,       # 30 days
    checkpoint_time_s=120.0       # 2 minutes per checkpoint
)
print(f"Fleet MTBF:              {result['fleet_mtbf'].to('hour'):~.1f}")
print(f"P(failure before done):  {result['failure_probability']:.1%}")
print(f"Optimal ckpt interval:   {result['optimal_checkpoint_interval'].to('minute'):~.1f}")
print(f"Expected failures:       {result['expected_failures']:.1f}")
