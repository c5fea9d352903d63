"""DriftModel: linear accuracy decay, the optimal retraining interval (Harris EOQ form), rollback risk."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import DriftModel, SpecError
from mlsysim_core.formulas import (calc_accuracy_under_drift, calc_bad_release_cost, calc_drift_cost_rate,
                                   calc_optimal_retraining_interval)

DM = DriftModel()


def test_eoq_textbook_example_harris_1913():
    """The textbook EOQ example (demand 1,000/yr, order cost $10, holding $0.50/unit-yr): Q* = 200,
    a cycle of 0.2 yr. In our terms C = 10, v r = D H = 500 per yr^2 (days here are the time unit)."""
    t = calc_optimal_retraining_interval(10.0, 500.0, 1.0).m_as("day")
    assert t == pytest.approx(0.2)
    assert 1000 * t == pytest.approx(200.0)


def test_cost_terms_equal_at_optimum_and_u_shape():
    r = DM.solve(50_000, decay_per_day=0.05, value_per_point_day=1000)
    assert r.optimal_interval.m_as("day") == pytest.approx(math.sqrt(2 * 50_000 / (1000 * 0.05)))
    assert r.retrain_cost_per_day == pytest.approx(r.drift_loss_per_day)
    for k in (0.3, 0.7, 1.5, 4.0):
        other = DM.solve(50_000, decay_per_day=0.05, value_per_point_day=1000,
                         interval_days=r.raw("optimal_interval") * k)
        assert other.cost_per_day > r.cost_per_day


def test_slo_interval_and_violation():
    r = DM.solve(50_000, initial_accuracy=90, decay_per_day=0.1, accuracy_slo=88, value_per_point_day=1000)
    assert r.slo_interval.m_as("day") == pytest.approx(20.0)
    assert r.meets_slo is (r.raw("interval") <= 20.0 + 1e-9)
    assert not DM.solve(50_000, decay_per_day=0.1, accuracy_slo=88, interval_days=30).meets_slo


def test_bad_release_cost_and_canary():
    assert calc_bad_release_cost(0.1, 1000, 2, 1, 0.05).m_as("USD") == pytest.approx(0.1 * 1000 * 0.05 * 3)
    full = DM.solve(50_000, p_bad_release=0.1, detection_days=3)
    canary = DM.solve(50_000, p_bad_release=0.1, detection_days=3, canary_fraction=0.05)
    assert canary.bad_release_cost_usd == pytest.approx(full.bad_release_cost_usd * 0.05)
    assert canary.optimal_interval < full.optimal_interval


def test_accuracy_never_negative():
    assert calc_accuracy_under_drift(50, 1.0, 80) == 0.0
    r = DM.solve(1.0, initial_accuracy=10, decay_per_day=5, interval_days=10)
    assert r.min_accuracy == 0.0 and r.drift_loss_per_day >= 0


@settings(max_examples=50, deadline=None)
@given(c=st.floats(1, 1e8), r=st.floats(1e-4, 10), v=st.floats(1, 1e6), t=st.floats(0.1, 3650))
def test_optimum_is_minimum(c, r, v, t):
    t_opt = calc_optimal_retraining_interval.raw(c, r, v)
    assert calc_drift_cost_rate.raw(c, t_opt, r, v) <= calc_drift_cost_rate.raw(c, t, r, v) * (1 + 1e-9)
    # dearer retraining -> retrain less often
    assert calc_optimal_retraining_interval.raw(2 * c, r, v) > t_opt


def test_curve_rows():
    rows = DM.curve(50_000, [10, 20, 40])
    assert [r["days"] for r in rows] == [10, 20, 40]
    assert all(r["total"] == pytest.approx(r["retraining"] + r["drift loss"]) for r in rows)


@pytest.mark.parametrize("kwargs,name", [
    (dict(retrain_cost_usd=0), "retrain_cost_usd"), (dict(initial_accuracy=120), "initial_accuracy"),
    (dict(decay_per_day=-1), "decay_per_day"), (dict(accuracy_slo=95), "accuracy_slo"),
    (dict(interval_days=0), "interval_days"), (dict(p_bad_release=2), "p_bad_release"),
    (dict(canary_fraction=0), "canary_fraction"), (dict(value_per_point_day=0), "value_per_point_day"),
])
def test_errors_name_the_argument(kwargs, name):
    args = dict(retrain_cost_usd=1000.0, initial_accuracy=90)
    args.update(kwargs)
    with pytest.raises(SpecError, match=rf"^{name}="):
        DM.solve(**args)


@pytest.mark.parametrize("call,name", [
    (lambda: calc_optimal_retraining_interval(1000, 0, 10), "decay_per_day"),
    (lambda: calc_optimal_retraining_interval(1000, 0.1, 0), "value_per_point_day"),
    (lambda: calc_drift_cost_rate(1000, 0, 0.1, 10), "interval"),
])
def test_formula_errors_name_the_argument(call, name):
    with pytest.raises(SpecError, match=rf"^{name}="):
        call()
