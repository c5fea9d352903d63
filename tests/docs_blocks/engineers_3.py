# Source: reference/004 "For Engineers & Researchers", section "Hardware Sweep Pattern".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# --- block ---
import mlsysim_core
from mlsysim_core import Engine

model = mlsysim_core.Models.ResNet50

for hw in [mlsysim_core.Hardware.Cloud.H100,
           mlsysim_core.Hardware.Cloud.A100,
           mlsysim_core.Hardware.Cloud.T4,
           mlsysim_core.Hardware.Edge.JetsonAGX]:
    p = Engine.solve(model=model, hardware=hw, batch_size=32, precision="fp16")
    print(f"{hw.name:20s}  {p.bottleneck:16s}  {p.latency.to('ms'):>8.2f~}  {p.throughput:>8.0f} img/s")
