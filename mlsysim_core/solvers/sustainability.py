"""Energy, carbon and water of running a fleet (Wall 18 Sustainability).

    P_acc  = TDP x (idle + (1 - idle) x utilisation)        (Barroso et al. 2018, linear power)
    E_IT   = N x P_acc x hours;   E = E_IT x PUE            (equations page 5.1)
    CO2    = E x carbon intensity                           (page 5.2)
    Water  = E x WUE                                        (The Green Grid 2011)

Power counts the accelerators only (host CPUs, NICs and switches are not in the zoo); pass
``power_per_accelerator`` to model a whole server share instead.
"""
from __future__ import annotations

from ..checks import fraction, non_negative, number, positive
from ..errors import SpecError
from ..fmt import si
from ..formulas import calc_carbon, calc_device_power, calc_energy, calc_water
from ..results_fleet import SustainabilityResult
from ..specs import Datacenter, Fleet, GridProfile, HardwareNode
from ..units import magnitude
from ..zoo import Infra, constants

DEFAULT_REGION = "US_Average"   # registry key of the grid used when nothing else says where


def resolve_system(fleet, n_accelerators=None, name: str = "fleet") -> tuple:
    """(accelerator, count, region or None) of a Fleet, or of ``n_accelerators`` bare devices.

    ``n_accelerators`` may be fractional (a persona's scale times a duty cycle), but is positive
    and at most 1e15 devices."""
    if n_accelerators is not None:
        n_accelerators = positive("n_accelerators", n_accelerators, maximum=1e15)
        if n_accelerators == int(n_accelerators):
            n_accelerators = int(n_accelerators)
    if isinstance(fleet, Fleet):
        n = fleet.total_accelerators if n_accelerators is None else n_accelerators
        return fleet.node.accelerator, n, fleet.region
    if isinstance(fleet, HardwareNode):
        return fleet, 1 if n_accelerators is None else n_accelerators, None
    raise SpecError(name, fleet, "a fleet from Systems.Clusters or an accelerator from Hardware")


def resolve_site(datacenter, default=None, name: str = "datacenter") -> GridProfile | Datacenter:
    """A GridProfile or Datacenter from a spec, a registry name, or the default region."""
    if datacenter is None:
        datacenter = default if default is not None else DEFAULT_REGION
    if isinstance(datacenter, (GridProfile, Datacenter)):
        return datacenter
    if isinstance(datacenter, str):
        for reg in (Infra.Grids, Infra.Datacenters):
            if datacenter in reg:
                return reg.get(datacenter)
        known = list(Infra.Grids.names()) + list(Infra.Datacenters.names())
        raise SpecError(name, datacenter, "a grid or datacenter from Infra: " + ", ".join(known),
                        "unknown grid")
    raise SpecError(name, datacenter, "a GridProfile or Datacenter from Infra (e.g. Infra.Grids.Quebec)")


def positive_days(name: str, value) -> float:
    """A duration in days (a time Quantity, or a bare number of days): positive, at most 1e6 days."""
    return positive(name, value, unit="day", maximum=1e6,
                    what="a positive duration (days when a bare number), at most 1e6 days")


def footprint(hw, n: int, hours: float, site, mfu, pue, power_w, wue=None) -> dict:
    """Raw energy, carbon and water numbers (kWh, kg, L); no checks."""
    c = constants()
    if power_w is None:
        power_w = calc_device_power.raw(hw.tdp_w, 1.0 if mfu is None else mfu, c.energy_idle_fraction)
    pue = site.pue if pue is None else pue
    wue = site.wue_l_kwh if wue is None else wue
    it_kwh = calc_energy.raw(n * power_w / 1000.0, hours, 1.0)
    total = calc_energy.raw(n * power_w / 1000.0, hours, pue)
    ci = site.carbon_intensity_g_kwh
    return {"it_energy_kwh": it_kwh, "total_energy_kwh": total, "pue": pue,
            "carbon_footprint_kg": calc_carbon.raw(total, ci),
            "water_usage_liters": calc_water.raw(total, wue), "wue": wue,
            "carbon_intensity_g_kwh": ci, "region_name": site.name, "power_per_accelerator": power_w,
            "it_power": n * power_w, "n_accelerators": n, "duration_hours": hours,
            "utilization": 1.0 if mfu is None else mfu}


def check_wue(wue):
    if wue is None:
        return None
    return non_negative("wue", wue, unit="L/kWh", what="a non-negative water usage (L/kWh), at most 1e30")


def check_common(mfu, pue, power_per_accelerator):
    if mfu is not None:
        mfu = fraction("mfu", mfu, lo_open=False)
    if pue is not None:
        pue = number("pue", pue, lo=1.0, hi=10.0, allowed="a number >= 1.0 and <= 10 (facility energy / IT energy)")
    if power_per_accelerator is not None:
        power_per_accelerator = positive("power_per_accelerator", power_per_accelerator, unit="W", maximum=1e9,
                                         what="a positive power (W when a bare number), at most 1 GW")
    return mfu, pue, power_per_accelerator


class SustainabilityModel:
    """IT energy, facility energy (PUE), carbon by grid, water by WUE."""

    def solve(self, fleet, duration_days, datacenter=None, mfu=None, pue=None,
              power_per_accelerator=None, n_accelerators=None, wue=None) -> SustainabilityResult:
        """``mfu`` sets the power draw (None: full TDP, an upper bound); ``pue``/``wue`` override the
        site's (on-device deployments: ``pue=1.0, wue=0``)."""
        hw, n, region = resolve_system(fleet, n_accelerators)
        days = positive_days("duration_days", duration_days)
        site = resolve_site(datacenter, region)
        mfu, pue, power = check_common(mfu, pue, power_per_accelerator)
        r = footprint(hw, n, days * 24.0, site, mfu, pue, power, check_wue(wue))
        return SustainabilityResult(r, lambda: _work(r))


def _work(r):
    return [
        ("Power per accelerator", "P = \\text{TDP}\\,(f_{idle} + (1 - f_{idle})\\,u)",
         f"**{si(r['power_per_accelerator'], 'W')}** at utilisation {r['utilization']:g}"),
        ("IT energy", "E_{IT} = N \\times P \\times t",
         f"{r['n_accelerators']} × {si(r['power_per_accelerator'], 'W')} × {r['duration_hours']:,.0f} h = "
         f"**{r['it_energy_kwh']:,.0f} kWh**"),
        ("Facility energy", "E = E_{IT} \\times \\text{PUE}",
         f"{r['it_energy_kwh']:,.0f} kWh × {r['pue']:g} = **{r['total_energy_kwh']:,.0f} kWh**"),
        ("Carbon", "C = E \\times CI",
         f"{r['total_energy_kwh']:,.0f} kWh × {r['carbon_intensity_g_kwh']:g} g/kWh ({r['region_name']}) = "
         f"**{r['carbon_footprint_kg']:,.0f} kg CO₂e**"),
        ("Water", "W = E \\times \\text{WUE}",
         f"{r['total_energy_kwh']:,.0f} kWh × {r['wue']:g} L/kWh = **{r['water_usage_liters']:,.0f} L**"),
    ]
