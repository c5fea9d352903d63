# Source: reference/002 "mlsysim Cheat Sheet", section "Quick API Reference" > "4. Compression (Quantization / Pruning)".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# --- block ---
from mlsysim_core import CompressionModel, Hardware, Models

result = CompressionModel().solve(
    model=Models.Llama3_8B,
    hardware=Hardware.H100,
    method="quantization",   # "quantization", "pruning", "distillation"
    target_bitwidth=4,       # 4, 8, 16
)
# Returns: CompressionResult with .compression_ratio, .compressed_size_gb,
#          .memory_savings_pct, .inference_speedup, .estimated_accuracy_delta
