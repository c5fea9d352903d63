"""Energy, carbon, water and money."""
from __future__ import annotations

from .._formula import formula


@formula("W", tdp="W", utilization="[0,1]", idle_fraction="[0,1]")
def calc_device_power(tdp, utilization=1.0, idle_fraction=0.3):
    """P = TDP x (idle + (1 - idle) x utilisation): a linear power model.

    Source: Barroso, Clidaras & Hoelzle (2018), The Datacenter as a Computer, 3rd ed.,
    section 5.4 (energy proportionality; idle servers draw a large fraction of peak).
    """
    return tdp * (idle_fraction + (1.0 - idle_fraction) * utilization)


@formula("kWh", power="kW", duration="hour", pue=">=1")
def calc_energy(power, duration, pue=1.0):
    """E = IT power x hours x PUE (equations page 5.1; The Green Grid 2007 PUE definition)."""
    return power * duration * pue


@formula("kg", energy="kWh", carbon_intensity="g/kWh")
def calc_carbon(energy, carbon_intensity):
    """CO2e = E x carbon intensity (equations page 5.2; Patterson et al. 2021, arXiv:2104.10350)."""
    return energy * carbon_intensity / 1000.0


@formula("L", energy="kWh", wue="L/kWh")
def calc_water(energy, wue):
    """Water = E x WUE (The Green Grid 2011, WUE white paper #35)."""
    return energy * wue


@formula("USD", hardware_cost="USD", duration="year", depreciation_years="year>0")
def calc_amortized_capex(hardware_cost, duration, depreciation_years=3.0):
    """CapEx for a period = hardware cost x duration / depreciation years (straight line)."""
    return hardware_cost * duration / depreciation_years


@formula("USD", hardware_cost="USD", energy="kWh", electricity_price="USD/kWh", duration="year",
         depreciation_years="year>0", maintenance_ratio="[0,1]")
def calc_tco(hardware_cost, energy, electricity_price, duration=1.0, depreciation_years=3.0,
             maintenance_ratio=0.05):
    """TCO = CapEx/years x T + E x price + maintenance x CapEx x T.

    Source: Barroso et al. (2018), The Datacenter as a Computer, chapter 6; equations page 6.
    """
    return (hardware_cost * duration / depreciation_years + energy * electricity_price
            + maintenance_ratio * hardware_cost * duration)


@formula(None, may_be_inf=True, annual_fixed_cost="USD", cloud_rate="USD/hour", variable_rate="USD/hour")
def calc_breakeven_utilization(annual_fixed_cost, cloud_rate, variable_rate=0.0):
    """Utilisation u at which owning costs what renting does: F + v x 8760 u = c x 8760 u.

    ``inf`` when the cloud rate is at or below the variable cost of an owned hour (energy): then
    owning never breaks even at any utilisation. A value above 1 means it would need more
    hours than a year has (it never breaks even in practice either).
    Source: Barroso et al. (2018), chapter 6 (owning vs renting); equations page 6 example.
    """
    hours = 8760.0
    margin = cloud_rate - variable_rate
    if margin <= 0.0:
        return float("inf")
    return annual_fixed_cost / (margin * hours)
