"""Fleet health at scale (Wall 15 Fragility, Wall 16 Orchestration): the failures nobody reports.

    P(step slowed) = 1 - (1 - p)^N;  stretch = 1 + s P              (Dean & Barroso 2013)
    jitter stretch <= 1 + cv sqrt(2 ln N)                            (maximal inequality)
    E[SDC events] = N T / MTBSDC                                     (Llama 3, table 5: 6 in 54 days)
    scan overhead = delta / tau;  tau* = sqrt(2 delta M / b)         (Young-form trade-off)
    redundancy: compute x (1 + (k - 1) f)                            (k-modular redundancy)
    rolling upgrade: ceil(N / (u N)) waves x t_wave                  (Kubernetes maxUnavailable)

Straggler and jitter stretches are multiplied (independent causes, first order). Durations are
stored in hours (``r.raw("scan_interval")`` is hours; ``r.scan_interval`` a Quantity).
Each solve is O(1): no loop grows with the fleet size.
"""
from __future__ import annotations

import math

from ..checks import choice, fraction, integer, positive, probability
from ..fmt import pct
from ..formulas import calc_expected_failures, calc_failure_probability, calc_mtbf_cluster
from ..formulas.fleet_health import (calc_any_affected_probability, calc_jitter_stretch,
                                     calc_optimal_scan_interval, calc_redundant_compute,
                                     calc_rolling_upgrade_duration, calc_scan_overhead,
                                     calc_straggler_stretch)
from ..results import Result
from ..specs import Fleet
from ..zoo import constants
from .sustainability import resolve_system

REDUNDANCY = (1, 2, 3)   # none, dual (detect), triple (detect and correct by vote)
_H = ("hour", 1.0)


class FleetHealthResult(Result):
    __slots__ = ()
    UNITS = {"job_duration": _H, "scan_interval": _H, "optimal_scan_interval": _H, "scan_time": _H,
             "sdc_mtbf_fleet": _H, "upgrade_duration": _H, "upgrade_wave_time": _H,
             "upgrade_node_hours_lost": _H, "step_time": ("s", 1.0), "step_time_effective": ("s", 1.0)}


def _hours(name, value):
    return positive(name, value, unit="hour")


class FleetHealthModel:
    """Stragglers, silent data corruption, its detection, and rolling upgrades of a fleet."""

    def solve(self, fleet, job_duration_hours=24.0, step_time_s=1.0, n_accelerators=None,
              straggler_probability=None, straggler_slowdown=None, step_time_cv=None,
              sdc_mtbf_hours=None, defective_fraction=None, scan_interval_hours=None,
              scan_time_hours=None, blast_radius=None, redundancy=1, protected_fraction=1.0,
              upgrade_max_unavailable=None, upgrade_wave_hours=None) -> FleetHealthResult:
        """``fleet``: a cluster (nodes from it) or an accelerator with ``n_accelerators`` (each its
        own node). ``scan_interval_hours`` None: screen at the optimum. ``blast_radius`` (machine-
        hours of work spoiled per hour a defective machine runs undetected) defaults to the whole
        job's nodes: one bad node corrupts a synchronous job's gradients everywhere."""
        c = constants()
        if n_accelerators is not None:
            n_accelerators = integer("n_accelerators", n_accelerators, minimum=1)
        hw, n, _ = resolve_system(fleet, n_accelerators)
        apn = fleet.node.accelerators_per_node if isinstance(fleet, Fleet) else 1
        nodes = -(-n // apn)
        job = _hours("job_duration_hours", job_duration_hours)
        step = positive("step_time_s", step_time_s, unit="s")
        p = c.ops_straggler_probability if straggler_probability is None else probability(
            "straggler_probability", straggler_probability)
        s = c.ops_straggler_slowdown if straggler_slowdown is None else positive(
            "straggler_slowdown", straggler_slowdown, allow_zero=True, maximum=1e3)
        cv = c.ops_step_time_cv if step_time_cv is None else positive(
            "step_time_cv", step_time_cv, allow_zero=True, maximum=10.0)
        sdc_mtbf = c.ops_gpu_sdc_mtbf if sdc_mtbf_hours is None else _hours("sdc_mtbf_hours", sdc_mtbf_hours)
        f_bad = c.ops_defective_cpu_fraction if defective_fraction is None else probability(
            "defective_fraction", defective_fraction)
        delta = c.ops_sdc_test_time if scan_time_hours is None else _hours("scan_time_hours", scan_time_hours)
        blast = float(nodes) if blast_radius is None else positive("blast_radius", blast_radius, maximum=1e12)
        k = choice("redundancy", redundancy, REDUNDANCY)
        f_prot = fraction("protected_fraction", protected_fraction, lo_open=False)
        u = c.ops_upgrade_max_unavailable if upgrade_max_unavailable is None else fraction(
            "upgrade_max_unavailable", upgrade_max_unavailable)
        wave = c.ops_upgrade_wave_time if upgrade_wave_hours is None else _hours("upgrade_wave_hours",
                                                                                 upgrade_wave_hours)

        # stragglers: every synchronous step waits for the slowest of n workers
        p_slow = calc_any_affected_probability.raw(p, n)
        s_stretch = calc_straggler_stretch.raw(p, n, s)
        j_stretch = calc_jitter_stretch.raw(cv, n)
        stretch = s_stretch * j_stretch
        # silent data corruption: accelerators (Llama 3's rate) and defective host CPUs (Meta/Google)
        sdc_fleet = calc_mtbf_cluster.raw(sdc_mtbf, n)
        sdc_events = calc_expected_failures.raw(sdc_fleet, job)
        onset = c.ops_sdc_screening_window / f_bad if f_bad > 0 else math.inf   # h per machine per new defect
        tau_opt = calc_optimal_scan_interval.raw(delta, onset, blast) if math.isfinite(onset) else math.inf
        tau = (tau_opt if scan_interval_hours is None else _hours("scan_interval_hours", scan_interval_hours))
        if not math.isfinite(tau):           # no defects expected: never scan
            tau, scan, exposure = math.inf, 0.0, 0.0
        else:
            scan = calc_scan_overhead.raw(delta, tau)
            exposure = blast * tau / (2.0 * onset)     # spoiled machine-hours per machine-hour
        waves_h = calc_rolling_upgrade_duration.raw(nodes, u, wave)
        per_wave = max(1, math.floor(u * nodes + 1e-9))
        r = {
            "n_accelerators": n, "n_nodes": nodes, "job_duration": job, "step_time": step,
            "straggler_probability": p, "straggler_slowdown": s, "step_time_cv": cv,
            "p_step_slowed": p_slow, "straggler_stretch": s_stretch, "jitter_stretch": j_stretch,
            "step_stretch": stretch, "step_time_effective": step * stretch,
            "straggler_goodput": 1.0 / stretch,
            "sdc_mtbf_fleet": sdc_fleet, "expected_sdc_events": sdc_events,
            "sdc_events_per_day": calc_expected_failures.raw(sdc_fleet, 24.0),
            "p_sdc_in_job": calc_failure_probability.raw(sdc_fleet, job),
            "defective_fraction": f_bad, "expected_defective_nodes": nodes * f_bad,
            "p_any_defective_node": calc_any_affected_probability.raw(f_bad, nodes),
            "scan_time": delta, "scan_interval": tau if math.isfinite(tau) else None,
            "optimal_scan_interval": tau_opt if math.isfinite(tau_opt) else None,
            "scan_overhead": scan, "undetected_exposure": exposure, "blast_radius": blast,
            "detection_cost": scan + exposure,
            "redundancy": k, "protected_fraction": f_prot,
            "redundancy_multiplier": calc_redundant_compute.raw(k, f_prot),
            "upgrade_max_unavailable": u, "upgrade_nodes_per_wave": per_wave,
            "upgrade_waves": math.ceil(nodes / per_wave), "upgrade_wave_time": wave,
            "upgrade_duration": waves_h, "upgrade_node_hours_lost": nodes * wave,
            "upgrade_capacity_lost": min(1.0, per_wave / nodes),
        }
        return FleetHealthResult(r, lambda: _work(r))


def _work(r):
    n = r["n_accelerators"]
    rows = [
        ("Chance a step waits for a straggler", "P = 1 - (1 - p)^N",
         f"1 - (1 - {r['straggler_probability']:g})^{n:,} = **{pct(r['p_step_slowed'])}**"),
        ("Step stretch", "\\left(1 + s P\\right)\\left(1 + c_v\\sqrt{2 \\ln N}\\right)",
         f"(1 + {r['straggler_slowdown']:g} × {r['p_step_slowed']:.3g}) × (1 + {r['step_time_cv']:g} × "
         f"√(2 ln {n:,})) = {r['straggler_stretch']:.3f} × {r['jitter_stretch']:.3f} = **{r['step_stretch']:.3f}×**; "
         f"goodput {pct(r['straggler_goodput'])}"),
        ("Silent data corruptions in the job", "E = N T / \\text{MTB}_{SDC}",
         f"{n:,} × {r['job_duration']:,.4g} h / {r['sdc_mtbf_fleet'] * n:,.0f} h = **{r['expected_sdc_events']:.3g}** "
         f"(P ≥ 1: {pct(r['p_sdc_in_job'])})"),
        ("Defective hosts", "E = N_{nodes} f,\\ P = 1 - (1 - f)^{N_{nodes}}",
         f"{r['n_nodes']:,} × {r['defective_fraction']:g} = **{r['expected_defective_nodes']:.3g}** "
         f"(P ≥ 1: {pct(r['p_any_defective_node'])})"),
    ]
    if r["scan_interval"] is not None:
        rows.append(("SDC screening", "\\frac{\\delta}{\\tau} + \\frac{b\\,\\tau}{2M},\\quad \\tau^* = \\sqrt{2\\delta M / b}",
                     f"every {r['scan_interval']:,.4g} h (optimum {r['optimal_scan_interval']:,.4g} h): tests "
                     f"{pct(r['scan_overhead'], 2)} + undetected corruption {pct(r['undetected_exposure'], 2)} = "
                     f"**{pct(r['detection_cost'], 2)}** of fleet time"))
    rows += [
        ("Redundancy", "1 + (k - 1) f", f"k = {r['redundancy']}, f = {r['protected_fraction']:g}: "
         f"**{r['redundancy_multiplier']:.3g}×** compute"),
        ("Rolling upgrade", "\\lceil N / \\lfloor u N \\rfloor \\rceil \\times t_{wave}",
         f"{r['upgrade_waves']:,} waves of {r['upgrade_nodes_per_wave']:,} nodes × {r['upgrade_wave_time']:g} h = "
         f"**{r['upgrade_duration']:,.4g} h**; {pct(r['upgrade_capacity_lost'])} of capacity out during each wave"),
    ]
    return rows
