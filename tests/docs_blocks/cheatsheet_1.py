# Source: reference/002 "mlsysim Cheat Sheet", section "Quick API Reference" > "1. Single-Node Roofline".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# --- block ---
from mlsysim_core import Engine, Hardware, Models

profile = Engine.solve(
    model=Models.Llama3_8B,
    hardware=Hardware.H100,
    batch_size=1,
    precision="fp16",       # "fp32", "fp16", "int8", "int4", "fp8"
    efficiency=0.5,
    is_training=False,      # True for training memory/FLOPs
)
# Returns: PerformanceProfile with .latency, .throughput, .bottleneck,
#          .memory_footprint, .mfu, .energy, .feasible
