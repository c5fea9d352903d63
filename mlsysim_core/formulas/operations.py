"""Energy, carbon, water and money."""
from __future__ import annotations

from .._formula import formula


@formula("W", tdp="W")
def calc_device_power(tdp, utilization=1.0, idle_fraction=0.3):
    """P = TDP x (idle + (1 - idle) x utilisation): a linear power model.

    Source: Barroso, Clidaras & Hoelzle (2018), The Datacenter as a Computer, 3rd ed.,
    section 5.4 (energy proportionality; idle servers draw a large fraction of peak).
    """
    return tdp * (idle_fraction + (1.0 - idle_fraction) * utilization)


@formula("kWh", power="kW", duration="hour")
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


@formula("USD", hardware_cost="USD", duration="year")
def calc_amortized_capex(hardware_cost, duration, depreciation_years=3.0):
    """CapEx for a period = hardware cost x duration / depreciation years (straight line)."""
    return hardware_cost * duration / depreciation_years


@formula("USD", hardware_cost="USD", energy="kWh", electricity_price="USD/kWh", duration="year")
def calc_tco(hardware_cost, energy, electricity_price, duration=1.0, depreciation_years=3.0,
             maintenance_ratio=0.05):
    """TCO = CapEx/years x T + E x price + maintenance x CapEx x T.

    Source: Barroso et al. (2018), The Datacenter as a Computer, chapter 6; equations page 6.
    """
    return (hardware_cost * duration / depreciation_years + energy * electricity_price
            + maintenance_ratio * hardware_cost * duration)


@formula(None, annual_fixed_cost="USD", cloud_rate="USD/hour", variable_rate="USD/hour")
def calc_breakeven_utilization(annual_fixed_cost, cloud_rate, variable_rate=0.0):
    """Utilisation u at which owning costs what renting does: F + v x 8760 u = c x 8760 u.

    Source: Barroso et al. (2018), chapter 6 (owning vs renting); equations page 6 example.
    """
    hours = 8760.0
    return annual_fixed_cost / ((cloud_rate - variable_rate) * hours)
