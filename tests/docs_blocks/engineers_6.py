# Source: reference/004 "For Engineers & Researchers", section "Composing Solvers for Real Questions",
# "Where should I train to minimize carbon?".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# Needs the fleet-scale SustainabilityModel.
# --- block ---
import mlsysim_core
from mlsysim_core import SustainabilityModel

sustain = SustainabilityModel()
for grid in [mlsysim_core.Infra.Grids.Quebec, mlsysim_core.Infra.Grids.US_Average,
             mlsysim_core.Infra.Grids.Poland]:
    r = sustain.solve(
        fleet=mlsysim_core.Systems.Clusters.H100_256,
        duration_days=30,
        datacenter=grid
    )
    print(f"{grid.name:12s}  {r['carbon_footprint_kg'].to('metric_ton'):>8.1f~}  "
          f"PUE={r['pue']:.2f}  Water={r['water_usage_liters']:,.0f} L")
