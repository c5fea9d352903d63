"""Total cost of ownership, on-prem vs cloud, and serving vs training cost (Wall 17 Capital).

    TCO = HW cost x T / depreciation + E x price + maintenance x HW cost x T   (equations page 6)
    break-even u: F + v x 8760 u = cloud x 8760 u  (per accelerator-year)    (page 6 example)
    C_total = C_training + C_query x T_deploy x Q_rate                       (page 4.4)

Money is plain USD floats (``f"{r.tco_usd:,.0f}"``). Energy comes from the SustainabilityModel.
CapEx for a period is the straight-line share of the purchase (the fleet is assumed refreshed at
the end of its depreciation life, so periods longer than it keep paying CapEx).
"""
from __future__ import annotations

from ..checks import efficiency, fraction, non_negative, positive
from ._common import check_precision
from ..errors import SpecError
from ..fmt import pct, usd
from ..formulas import (calc_amortized_capex, calc_breakeven_utilization, calc_device_power,
                        calc_energy, calc_tco, calc_total_cost_with_serving)
from ..results_fleet import CloudComparisonResult, EconomicsResult, ServingCostResult
from ..units import magnitude
from ..zoo import constants
from .sustainability import (check_common, check_wue, footprint, positive_days, resolve_site,
                             resolve_system)

_HOURS_PER_YEAR = 365.0 * 24.0     # calendar, not a registry number


def _money(name, value, unit="USD"):
    return non_negative(name, value, unit=unit, maximum=1e15,
                        what=f"a non-negative amount of money ({unit} when a bare number), at most 1e15")


def _unit_cost(hw, unit_cost, node_cost, apn):
    if unit_cost is not None:
        return _money("unit_cost", unit_cost), True
    if node_cost is not None:
        return _money("node_cost", node_cost) / apn, True
    return (hw.unit_cost_usd or 0.0), hw.unit_cost_usd is not None


def _defaults(kwh_price, depreciation_years, maintenance_ratio):
    c = constants()
    price = c.electricity_price if kwh_price is None else _money("kwh_price", kwh_price, "USD/kWh")
    years = c.depreciation_years if depreciation_years is None else positive(
        "depreciation_years", depreciation_years, unit="year", maximum=100.0,
        what="a positive number of years, at most 100")
    if years < 1 / 365.0:
        raise SpecError("depreciation_years", depreciation_years, "at least one day (1/365 year)")
    maint = c.maintenance_ratio if maintenance_ratio is None else fraction("maintenance_ratio", maintenance_ratio, lo_open=False)
    return price, years, maint


class EconomicsModel:
    """CapEx (amortised) + energy OpEx + maintenance for running a fleet for a period."""

    def solve(self, fleet, duration_days, kwh_price=None, datacenter=None, mfu=None,
              depreciation_years=None, maintenance_ratio=None, unit_cost=None, node_cost=None,
              pue=None, power_per_accelerator=None, utilization=None, n_accelerators=None,
              grid=None, wue=None) -> EconomicsResult:
        hw, n, region = resolve_system(fleet, n_accelerators)
        apn = getattr(getattr(fleet, "node", None), "accelerators_per_node", 1)
        days = positive_days("duration_days", duration_days)
        site = resolve_site(datacenter if datacenter is not None else grid, region)
        mfu, pue, power = check_common(mfu, pue, power_per_accelerator)
        util = 1.0 if utilization is None else efficiency("utilization", utilization)
        price, dep, maint = _defaults(kwh_price, depreciation_years, maintenance_ratio)
        cost_each, known = _unit_cost(hw, unit_cost, node_cost, apn)
        hours = days * 24.0
        years = days / 365.0
        env = footprint(hw, n, hours, site, mfu, pue, power, check_wue(wue))
        hardware = cost_each * n
        capex = calc_amortized_capex.raw(hardware, years, dep)
        energy = env["total_energy_kwh"] * price
        tco = calc_tco.raw(hardware, env["total_energy_kwh"], price, years, dep, maint)
        gpu_hours = n * hours * util
        peak = hw.compute.peak_flop_s("fp16")
        useful_tflop_hours = gpu_hours * peak * (1.0 if mfu is None else mfu) / 1e12
        r = dict(env)
        r.update({
            "tco_usd": tco, "capex_usd": capex, "hardware_cost_usd": hardware,
            "opex_energy_usd": energy, "opex_maintenance_usd": tco - capex - energy,
            "total_opex_usd": tco - capex, "cost_per_gpu_hour": tco / gpu_hours,
            "cost_per_tflop_hour": tco / useful_tflop_hours if useful_tflop_hours else float("inf"),
            "kwh_price": price, "depreciation_years": dep, "maintenance_ratio": maint,
            "duration_days": days, "unit_cost_usd": cost_each, "unit_cost_known": known,
            "utilization_hours": util,
        })
        return EconomicsResult(r, lambda: _work(r))

    def compare_cloud(self, fleet, utilization=None, cloud_gpu_hour_price=None, kwh_price=None,
                      unit_cost=None, node_cost=None, depreciation_years=None, maintenance_ratio=None,
                      datacenter=None, pue=None) -> CloudComparisonResult:
        """Owning vs renting per accelerator-hour at a sustained utilisation, and the break-even.

        ``breakeven_utilization`` is inf when the cloud rate does not even cover the energy of an
        owned busy hour (owning never breaks even); above 1 it would need more hours than a year has.

        Fixed per accelerator-year: CapEx / depreciation + maintenance + idle power; variable per
        used hour: the extra (busy - idle) power. Cloud bills only the hours used.
        """
        c = constants()
        hw, n, region = resolve_system(fleet)
        apn = getattr(getattr(fleet, "node", None), "accelerators_per_node", 1)
        u = c.target_cluster_utilization if utilization is None else efficiency("utilization", utilization)
        cloud = c.cloud_gpu_hour_price if cloud_gpu_hour_price is None else positive(
            "cloud_gpu_hour_price", cloud_gpu_hour_price, unit="USD/hour", maximum=1e6,
            what="a positive price per accelerator-hour (USD/hour when a bare number), at most 1e6")
        price, dep, maint = _defaults(kwh_price, depreciation_years, maintenance_ratio)
        cost_each, known = _unit_cost(hw, unit_cost, node_cost, apn)
        site = resolve_site(datacenter, region)
        _, pue, _ = check_common(None, pue, None)
        pue = site.pue if pue is None else pue
        p_idle = calc_device_power.raw(hw.tdp_w, 0.0, c.energy_idle_fraction) / 1000.0
        p_busy = calc_device_power.raw(hw.tdp_w, 1.0, c.energy_idle_fraction) / 1000.0
        fixed = (cost_each / dep + maint * cost_each
                 + calc_energy.raw(p_idle, _HOURS_PER_YEAR, pue) * price)
        variable = calc_energy.raw(p_busy - p_idle, 1.0, pue) * price
        breakeven = calc_breakeven_utilization.raw(fixed, cloud, variable)
        onprem_year = fixed + variable * _HOURS_PER_YEAR * u
        onprem_rate = onprem_year / (_HOURS_PER_YEAR * u)
        cloud_year = cloud * _HOURS_PER_YEAR * u
        r = {"utilization": u, "onprem_cost_per_gpu_hour": onprem_rate, "cloud_cost_per_gpu_hour": cloud,
             "breakeven_utilization": breakeven, "onprem_annual_cost_usd": onprem_year * n,
             "cloud_annual_cost_usd": cloud_year * n, "onprem_annual_cost_per_node": onprem_year * apn,
             "cloud_annual_cost_per_node": cloud_year * apn, "fixed_cost_per_gpu_year": fixed,
             "variable_cost_per_gpu_hour": variable, "cheaper": "on-prem" if onprem_rate < cloud else "cloud",
             "savings_pct": (1.0 - onprem_rate / cloud) * 100.0, "unit_cost_usd": cost_each,
             "unit_cost_known": known, "n_accelerators": n, "kwh_price": price, "pue": pue,
             "depreciation_years": dep}
        return CloudComparisonResult(r, lambda: [
            ("Fixed cost per accelerator-year", "F = \\frac{C_{hw}}{Y} + m\\,C_{hw} + E_{idle}\\,p",
             f"{usd(cost_each)} / {dep:g} + {maint:g} × {usd(cost_each)} + idle power = **{usd(fixed)}**"),
            ("On-prem rate", "c(u) = \\frac{F}{8760\\,u} + v",
             f"{usd(fixed)} / (8760 × {u:g}) + ${variable:.3f} = **${onprem_rate:.2f}/GPU-h** vs cloud ${cloud:.2f}"),
            ("Break-even utilisation", "u^* = \\frac{F}{(c_{cloud} - v)\\,8760}",
             f"{usd(fixed)} / ((${cloud:.2f} - ${variable:.3f}) × 8760) = **{pct(breakeven)}**"
             if breakeven != float("inf") else
             f"the cloud's ${cloud:.2f} is at or below the ${variable:.3f} energy cost of an owned hour: "
             "**owning never breaks even**"),
        ])

    def serving_vs_training(self, training_cost_usd, daily_users, requests_per_user_per_day,
                            cost_per_query, deploy_days=365) -> ServingCostResult:
        """Lifetime cost: training once, then every query served (equations page 4.4)."""
        train = _money("training_cost_usd", training_cost_usd)
        cpq = _money("cost_per_query", cost_per_query)
        users = non_negative("daily_users", daily_users, maximum=1e11, what="a number of users >= 0, at most 1e11")
        per_user = non_negative("requests_per_user_per_day", requests_per_user_per_day, maximum=1e6,
                                what="a number of requests per user per day >= 0, at most 1e6")
        days = positive_days("deploy_days", deploy_days)
        rate = users * per_user / 86400.0
        total = calc_total_cost_with_serving.raw(train, cpq, days * 86400.0, rate)
        serving = total - train
        r = {"training_cost_usd": train, "serving_cost_usd": serving, "total_cost_usd": total,
             "serving_to_training_ratio": serving / train if train else float("inf"),
             "queries": rate * days * 86400.0, "cost_per_query": cpq, "deploy_days": days}
        return ServingCostResult(r, lambda: [
            ("Lifetime cost", "C = C_{train} + C_{query} \\times T \\times Q",
             f"{usd(train)} + ${cpq:g} × {r['queries']:,.0f} queries = **{usd(total)}** "
             f"(serving is {r['serving_to_training_ratio']:.1f}× training)")])

    @staticmethod
    def cost_per_tflop_hour(hardware, gpu_hour_price, mfu=1.0, precision="fp16") -> float:
        """USD per useful TFLOP-hour: price / (peak TFLOP/s x MFU) (equations page 6)."""
        hw, _, _ = resolve_system(hardware, name="hardware")
        price = _money("gpu_hour_price", gpu_hour_price, "USD/hour")
        precision, _ = check_precision(precision)
        return price / (hw.compute.peak_flop_s(precision) / 1e12 * efficiency("mfu", mfu))


def _work(r):
    return [
        ("CapEx (amortised)", "\\text{CapEx} = C_{hw} \\times T / Y",
         f"{usd(r['hardware_cost_usd'])} × {r['duration_days']:g} d / ({r['depreciation_years']:g} × 365 d) = "
         f"**{usd(r['capex_usd'])}**" + ("" if r["unit_cost_known"] else " (unit cost unknown: taken as $0)")),
        ("Energy OpEx", "E \\times p", f"{r['total_energy_kwh']:,.0f} kWh × ${r['kwh_price']:g}/kWh = "
         f"**{usd(r['opex_energy_usd'])}**"),
        ("Maintenance", "m \\times C_{hw} \\times T", f"{r['maintenance_ratio']:g} × {usd(r['hardware_cost_usd'])} × "
         f"{r['duration_days'] / 365.0:.3g} y = **{usd(r['opex_maintenance_usd'])}**"),
        ("TCO", "\\text{CapEx} + \\text{OpEx}", f"**{usd(r['tco_usd'])}**, "
         f"${r['cost_per_gpu_hour']:.2f} per accelerator-hour"),
    ]
