# Source: reference/004 "For Engineers & Researchers", section "Composing Solvers for Real Questions",
# "Can I serve Llama-70B on H100s within budget?".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# Needs the fleet-scale EconomicsModel.
# --- block ---
import mlsysim_core
from mlsysim_core import ServingModel, EconomicsModel

# Step 1: Does it fit and what's the latency?
serving = ServingModel()
result = serving.solve(
    model=mlsysim_core.Models.Language.Llama3_70B,
    hardware=mlsysim_core.Hardware.Cloud.H100,
    seq_len=4096, batch_size=1
)

# Step 2: What does that fleet cost?
econ = EconomicsModel()
cost = econ.solve(
    fleet=mlsysim_core.Systems.Clusters.H100_8,
    duration_days=365,
    kwh_price=0.08
)
print(f"Annual TCO: ${cost['tco_usd']:,.0f}")
print(f"  CapEx:    ${cost['capex_usd']:,.0f}")
print(f"  OpEx:     ${cost['total_opex_usd']:,.0f}")
