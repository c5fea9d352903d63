# Source: reference/002 "mlsysim Cheat Sheet", section "Quick API Reference" > "5. Sustainability and Economics".
# Verbatim from the document except the import name `mlsysim` -> `mlsysim_core`.
# Needs the fleet-scale SustainabilityModel and EconomicsModel.
# --- block ---
from mlsysim_core import SustainabilityModel, EconomicsModel, Systems, Infra

fleet = Systems.Clusters.Research_256
co2 = SustainabilityModel().solve(fleet, duration_days=30, datacenter=Infra.Quebec, mfu=0.4)
# Returns: SustainabilityResult with .total_energy_kwh, .carbon_footprint_kg,
#          .water_usage_liters, .pue

tco = EconomicsModel().solve(fleet, duration_days=365, mfu=0.4)
# Returns: EconomicsResult with .tco_usd, .capex_usd, .total_opex_usd,
#          .opex_energy_usd, .carbon_footprint_kg
