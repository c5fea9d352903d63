"""FleetHealthModel: stragglers, silent data corruption, screening, redundancy, rolling upgrades."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import FleetHealthModel, Hardware, SpecError, Systems, constants
from mlsysim_core.formulas import (calc_any_affected_probability, calc_jitter_stretch,
                                   calc_optimal_scan_interval, calc_redundant_compute,
                                   calc_rolling_upgrade_duration, calc_young_daly_interval)

FH = FleetHealthModel()


def test_tail_at_scale_63pct_dean_barroso_2013():
    """1 server in 100 slow, fan-out to 100: 1 - 0.99^100 = 63 % of requests slow (CACM 56(2))."""
    assert calc_any_affected_probability(0.01, 100) == pytest.approx(0.634, abs=5e-4)
    r = FH.solve(Hardware.H100, n_accelerators=100, straggler_probability=0.01, straggler_slowdown=1.0)
    assert r.p_step_slowed == pytest.approx(0.634, abs=5e-4)
    assert r.straggler_stretch == pytest.approx(1.634, abs=5e-4)


def test_llama3_six_sdc_interruptions_in_54_days_on_16k_gpus():
    """Llama 3 (arXiv:2407.21783) table 5: 6 silent-data-corruption interruptions, 54 days, 16,384 GPUs."""
    r = FH.solve(Hardware.H100, job_duration_hours=54 * 24, n_accelerators=16384)
    assert r.expected_sdc_events == pytest.approx(6.0, rel=1e-9)


def test_defective_hosts_one_in_a_thousand_dixit_hochschild_2021():
    """~1 defective CPU per 1,000 machines: a 12,500-node campus holds ~12.5, almost surely >= 1."""
    r = FH.solve(Systems.Clusters.Mega_100K)
    assert r.n_nodes == 12500
    assert r.expected_defective_nodes == pytest.approx(12500 * constants().ops_defective_cpu_fraction)
    assert r.p_any_defective_node > 0.99999


def test_rolling_upgrade_waves():
    """12,500 nodes, 5 % at a time: 625 per wave, 20 waves; 10 nodes at 5 %: one node per wave."""
    assert calc_rolling_upgrade_duration(12500, 0.05, 1.0).m_as("hour") == pytest.approx(20.0)
    assert calc_rolling_upgrade_duration(10, 0.05, 2.0).m_as("hour") == pytest.approx(20.0)
    r = FH.solve(Systems.Clusters.Mega_100K, upgrade_max_unavailable=0.05, upgrade_wave_hours=1.0)
    assert (r.upgrade_waves, r.upgrade_nodes_per_wave) == (20, 625)
    assert r.upgrade_node_hours_lost.m_as("hour") == pytest.approx(12500.0)


@pytest.mark.parametrize("n,exact", [(2, 1 / math.sqrt(math.pi)), (3, 1.5 / math.sqrt(math.pi)),
                                     (10, 1.5388), (100, 2.5076)])
def test_jitter_bound_above_exact_gaussian_max(n, exact):
    """E[max of n standard normals] (order-statistics tables, e.g. Harter 1961) <= sqrt(2 ln n)."""
    stretch = calc_jitter_stretch(1.0, n) - 1.0
    assert exact <= stretch < 1.0 + exact


def test_scan_interval_is_young_form():
    """tau* = sqrt(2 delta M / b) is Young's interval with M / b; both cost terms equal there."""
    t = calc_optimal_scan_interval(0.5, 1e7, 100.0).m_as("hour")
    assert t == pytest.approx(calc_young_daly_interval(0.5 * 3600, 1e5 * 3600).m_as("hour"))
    r = FH.solve(Systems.Clusters.Training_10K)
    assert r.scan_overhead == pytest.approx(r.undetected_exposure)
    worse = FH.solve(Systems.Clusters.Training_10K, scan_interval_hours=r.scan_interval.m_as("hour") * 3)
    assert worse.detection_cost > r.detection_cost


def test_redundancy_multipliers():
    assert calc_redundant_compute(2) == 2.0 and calc_redundant_compute(3, 0.5) == 2.0
    assert FH.solve(Hardware.H100, redundancy=3).redundancy_multiplier == 3.0


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 200_000), p=st.floats(0, 1), s=st.just(0.0) | st.floats(1e-6, 5),
       cv=st.just(0.0) | st.floats(1e-6, 1))
def test_stretch_properties(n, p, s, cv):
    r = FH.solve(Hardware.H100, n_accelerators=n, straggler_probability=p, straggler_slowdown=s, step_time_cv=cv)
    assert 0.0 <= r.p_step_slowed <= 1.0 and 0.0 < r.straggler_goodput <= 1.0
    bigger = FH.solve(Hardware.H100, n_accelerators=n + 1, straggler_probability=p, straggler_slowdown=s,
                      step_time_cv=cv)
    assert bigger.step_stretch >= r.step_stretch
    assert math.isfinite(r.step_time_effective.m_as("s"))


def test_no_defects_means_no_screening():
    r = FH.solve(Hardware.H100, n_accelerators=8, defective_fraction=0.0)
    assert r.scan_interval is None and r.scan_overhead == 0.0 and r.p_any_defective_node == 0.0


@pytest.mark.parametrize("kwargs,name", [
    (dict(redundancy=4), "redundancy"), (dict(straggler_probability=1.5), "straggler_probability"),
    (dict(n_accelerators=0), "n_accelerators"), (dict(job_duration_hours=-1), "job_duration_hours"),
    (dict(upgrade_max_unavailable=0), "upgrade_max_unavailable"), (dict(step_time_cv=-0.1), "step_time_cv"),
    (dict(scan_interval_hours=0), "scan_interval_hours"), (dict(protected_fraction=2), "protected_fraction"),
])
def test_errors_name_the_argument(kwargs, name):
    with pytest.raises(SpecError, match=rf"^{name}="):
        FH.solve(Hardware.H100, **kwargs)


def test_fleet_must_be_a_fleet_or_accelerator():
    with pytest.raises(SpecError, match="^fleet="):
        FH.solve("H100")


@pytest.mark.parametrize("call,name", [
    (lambda: calc_any_affected_probability(1.5, 10), "probability"),
    (lambda: calc_optimal_scan_interval(0.5, 1e6, 0), "blast_radius"),
])
def test_formula_errors_name_the_argument(call, name):
    with pytest.raises(SpecError, match=rf"^{name}="):
        call()
