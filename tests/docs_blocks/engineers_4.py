# Source: reference/004 "For Engineers & Researchers", section "Distributed Training Analysis".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# Needs the fleet-scale DistributedModel.
# --- block ---
import mlsysim_core
from mlsysim_core import DistributedModel

dist = DistributedModel()
result = dist.solve(
    model=mlsysim_core.Models.Language.Llama3_70B,
    fleet=mlsysim_core.Systems.Clusters.H100_64,
    batch_size=512, precision="fp16",
    tp_size=8, pp_size=4, microbatch_count=16
)
print(f"Scaling efficiency:  {result['scaling_efficiency']:.1%}")
print(f"DP all-reduce:       {result['dp_communication_latency'].to('ms'):~.1f}")
print(f"TP overhead:         {result['tp_communication_latency'].to('ms'):~.1f}")
print(f"Pipeline bubble:     {result['bubble_fraction']:.1%}")
print(f"Step latency:        {result['step_latency_total'].to('ms'):~.1f}")
