# Source: reference/002 "mlsysim Cheat Sheet", section "Quick API Reference" > "2. LLM Serving (Prefill + Decode)".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# --- block ---
from mlsysim_core import ServingModel, Hardware, Models

result = ServingModel().solve(
    model=Models.Llama3_8B,
    hardware=Hardware.H100,
    seq_len=4096,
    batch_size=32,
    precision="fp16",
)
# Returns: ServingResult with .ttft, .itl, .kv_cache_size,
#          .total_memory_required, .feasible
