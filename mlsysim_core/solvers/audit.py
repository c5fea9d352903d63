"""The architect's audit: one design checked end to end, and the constraint that binds (Walls 21-22).

A design is a model, a device (any tier), a weight precision, where its users are and what it
must achieve. The audit composes the engine's solvers, it adds no physics of its own:

    CompressionModel      accuracy cost of the chosen bit width          (Wall 13)
    DeploymentModel       memory fit, latency with the round trip, energy, battery life
    EconomicsModel        a year of owning and powering the devices the traffic needs
    SustainabilityModel   a year of their carbon

Each requirement becomes a check ``value / limit`` (<= 1 passes). The binding constraint is the
check with the largest ratio: the one that fails worst, or, when all pass, the one with the least
headroom; a failed memory check binds whatever else fails. Devices needed = ceil(request rate x compute latency / batch): each device serves
1 / latency requests per second at the chosen batch (no queueing headroom; lab II.9 adds it).
"""
from __future__ import annotations

import math

from ..checks import choice, positive
from ..fmt import pct, si, usd
from ..results import Result
from .compression import CompressionModel
from .deployment import DeploymentModel
from .deployment import _work as _deployment_work
from .economics import EconomicsModel
from .sustainability import SustainabilityModel

BITS = {16: "fp16", 8: "int8", 4: "int4"}
_DAYS = 365.0        # one year of operation (calendar, not a registry number)


class AuditResult(Result):
    __slots__ = ()
    UNITS = {"total_latency": ("ms", 1e3), "energy_per_inference": ("J", 1.0), "battery_life": ("hour", 1 / 3600.0),
             "memory_footprint": ("GB", 1e-9), "memory_capacity": ("GB", 1e-9)}

    def table(self) -> list[dict]:
        """The checks as fresh dicts (name, value, limit, unit, ratio, ok), for a lab's table or chart."""
        return [dict(zip(("name", "value", "limit", "unit", "ratio", "ok"), c)) for c in self._v["checks"]]


class AuditModel:
    """Evaluate one Volume I design against its requirements; name the binding constraint."""

    def solve(self, model, hardware, bits=16, latency_slo=None, distance_km=0.0, payload_bytes=0.0,
              uplink_bandwidth=None, max_accuracy_drop=None, battery_hours=None, inference_rate=None,
              requests_per_day=None, budget_usd_per_year=None, carbon_kg_per_year=None,
              efficiency=0.5) -> AuditResult:
        """``bits``: weight precision (16, 8 or 4). ``latency_slo`` (s), ``max_accuracy_drop``
        (fraction), ``battery_hours`` (at ``inference_rate`` per second, battery devices),
        ``budget_usd_per_year`` and ``carbon_kg_per_year`` (for ``requests_per_day``) are the
        requirements; each one given becomes a check, memory fit is always checked."""
        choice("bits", bits, tuple(BITS))
        precision = BITS[bits]
        comp = CompressionModel().solve(model, hardware, method="quantization", target_bitwidth=bits,
                                        efficiency=efficiency)
        dep = DeploymentModel().solve(model, hardware, precision=precision, efficiency=efficiency,
                                      distance_km=distance_km, payload_bytes=payload_bytes,
                                      uplink_bandwidth=uplink_bandwidth, latency_slo=latency_slo,
                                      inference_rate=inference_rate)
        d = dep.raw()
        checks = [("memory", d["memory_footprint"], d["memory_capacity"], "B",
                   d["memory_footprint"] / d["memory_capacity"])]
        if latency_slo is not None:
            checks.append(("latency", d["total_latency"], d["latency_slo"], "s", d["total_latency"] / d["latency_slo"]))
        drop = max(0.0, -comp.raw("estimated_accuracy_delta"))
        if max_accuracy_drop is not None:
            limit = positive("max_accuracy_drop", max_accuracy_drop, maximum=1.0, what="a fraction in (0, 1]")
            checks.append(("accuracy", drop, limit, "", drop / limit))
        if battery_hours is not None and d["battery_life"] is not None:
            target = positive("battery_hours", battery_hours, maximum=1e6) * 3600.0
            checks.append(("battery", d["battery_life"], target, "s", target / d["battery_life"]))
        devices = tco = carbon = None
        if requests_per_day is not None:
            rate = positive("requests_per_day", requests_per_day, maximum=1e15) / 86400.0
            devices = max(1, math.ceil(rate * d["compute_latency"] / d["batch_size"]))
            tco = EconomicsModel().solve(hardware, duration_days=_DAYS, n_accelerators=devices).raw("tco_usd")
            carbon = SustainabilityModel().solve(hardware, _DAYS, n_accelerators=devices).raw("carbon_footprint_kg")
            if budget_usd_per_year is not None:
                budget = positive("budget_usd_per_year", budget_usd_per_year)
                checks.append(("cost", tco, budget, "USD", tco / budget))
            if carbon_kg_per_year is not None:
                cap = positive("carbon_kg_per_year", carbon_kg_per_year)
                checks.append(("carbon", carbon, cap, "kg", carbon / cap))
        checks = tuple((n, v, lim, u, r, r <= 1.0) for n, v, lim, u, r in checks)
        # a model that does not fit has no latency, energy or cost: fit comes first
        worst = checks[0] if not checks[0][5] else max(checks, key=lambda c: c[4])
        r = {"model": model.name, "hardware": hardware.name, "tier": hardware.tier, "precision": precision,
             "checks": checks, "binding": worst[0], "binding_ratio": worst[4],
             "passed": all(c[5] for c in checks), "total_latency": d["total_latency"],
             "energy_per_inference": d["energy_per_inference"], "battery_life": d["battery_life"],
             "memory_footprint": d["memory_footprint"], "memory_capacity": d["memory_capacity"],
             "accuracy_drop": drop, "devices": devices, "tco_usd_per_year": tco, "carbon_kg_per_year": carbon,
             "cost_per_1k_usd": None if tco is None else tco / (requests_per_day * _DAYS) * 1000.0}
        return AuditResult(r, lambda: _work(r) + _deployment_work(d))


def format_check_value(value, unit):
    """An audit check's value or limit in a readable unit: dollars, a percentage (unit ""), hours
    past two hours (grouped digits, never e-notation), else an SI prefix. Used by explain() and lab I.16."""
    if unit == "USD":
        return usd(value)
    if unit == "":
        return pct(value, 2)
    if unit == "s" and value > 7200:
        hours = value / 3600
        return f"{hours:,.0f} h" if hours >= 100 else f"{hours:.3g} h"
    return si(value, unit)


def _work(r):
    rows = [(f"Check: {n}", "\\text{value} / \\text{limit} \\le 1",
             f"{format_check_value(v, u)} / {format_check_value(lim, u)} = **{ratio:.3g}** ({'pass' if ok else 'FAIL'})")
            for n, v, lim, u, ratio, ok in r["checks"]]
    if r["devices"] is not None:
        rows.append(("Devices for the traffic", "n = \\lceil \\lambda\\,T_c / B \\rceil",
                     f"**{r['devices']:,}** × {r['hardware']}: {usd(r['tco_usd_per_year'])} and "
                     f"{r['carbon_kg_per_year']:,.0f} kg CO₂e a year"))
    rows.append(("Binding constraint", "\\arg\\max_i\\ \\text{value}_i / \\text{limit}_i",
                 f"**{r['binding']}** at {r['binding_ratio']:.3g}× its limit"))
    return rows
