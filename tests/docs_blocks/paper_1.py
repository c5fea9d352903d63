# Source: reference/003 paper "MLSYSIM: A First-Principles Analytical Engine ...",
# section 3.1 "SingleNodeModel: The Roofline Model" (the code listing).
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# --- block ---
from mlsysim_core import Engine, Hardware, Models
profile = Engine.solve(
    model=Models.ResNet50,
    hardware=Hardware.Cloud.H100,
    batch_size=1,
    precision="fp16"
)
print(f"Bottleneck: {profile.bottleneck}") # -> Memory Bound
print(f"Latency: {profile.latency}") # -> 0.03 ms
