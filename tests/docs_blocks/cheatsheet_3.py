# Source: reference/002 "mlsysim Cheat Sheet", section "Quick API Reference" > "3. Distributed Training (3D Parallelism)".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# Needs the fleet-scale DistributedModel.
# --- block ---
from mlsysim_core import DistributedModel, Models, Systems

result = DistributedModel().solve(
    model=Models.Llama3_70B,
    fleet=Systems.Clusters.Research_256,
    batch_size=1024,
    tp_size=8,
    pp_size=4,
    precision="fp16",
    efficiency=0.4,
    overlap_comm=True,
)
# Returns: DistributedResult with .scaling_efficiency,
#          .step_latency_total, .dp_communication_latency,
#          .bubble_fraction, .effective_throughput, .parallelism
