# Source: reference/004 "For Engineers & Researchers", section "LLM Serving Analysis".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# --- block ---
import mlsysim_core
from mlsysim_core import ServingModel

serving = ServingModel()
result = serving.solve(
    model=mlsysim_core.Models.Language.Llama3_70B,
    hardware=mlsysim_core.Hardware.Cloud.H100,
    seq_len=4096, batch_size=1
)
print(f"TTFT:       {result['ttft'].to('ms'):~.1f}")
print(f"ITL:        {result['itl'].to('ms'):~.2f}")
print(f"KV-cache:   {result['kv_cache_size'].to('GB'):~.1f}")
print(f"Feasible:   {result['feasible']}")
print(f"Mem util:   {result['memory_utilization']:.0%}")
