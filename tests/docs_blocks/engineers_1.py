# Source: reference/004 "For Engineers & Researchers", section "Quick Start: Roofline Analysis".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# --- block ---
import mlsysim_core
from mlsysim_core import Engine

# Single-node: Is ResNet-50 memory-bound on A100?
profile = Engine.solve(
    model=mlsysim_core.Models.ResNet50,
    hardware=mlsysim_core.Hardware.Cloud.A100,
    batch_size=1, precision="fp16"
)
print(f"{profile.bottleneck}, {profile.latency.to('ms'):~.2f}")
print(f"MFU: {profile.mfu:.1%}, Arithmetic Intensity: {profile.arithmetic_intensity:~.2f}")
