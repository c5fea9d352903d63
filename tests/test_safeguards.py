"""Safeguards: secure aggregation, trusted execution, N-modular redundancy, intersectional audits."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import (FairnessAuditModel, Hardware, Models, PrivacyCostModel, ResponsibleEngineeringModel,
                          RobustnessBudgetModel, SecureAggregationModel, SpecError, constants)
from mlsysim_core.formulas import (calc_intersectional_subgroups, calc_nmr_detected, calc_nmr_failure,
                                   calc_secagg_expansion, calc_secagg_server_prg, calc_tee_slowdown)

SA, PC, RB, FA = SecureAggregationModel(), PrivacyCostModel(), RobustnessBudgetModel(), FairnessAuditModel()


def test_bonawitz_2017_expansion_both_published_points():
    """Abstract: 1.73x for 2^10 users x 2^20 entries (the per-peer constant is fitted to it) and
    1.98x for 2^14 users x 2^24 entries (an independent check of the model), 16-bit inputs."""
    assert SA.solve(2**10, vector_length=2**20).expansion == pytest.approx(1.73, abs=0.005)
    assert SA.solve(2**14, vector_length=2**24).expansion == pytest.approx(1.98, abs=0.005)


def test_server_unmasking_is_quadratic_in_dropouts():
    """No dropouts: one self-mask per survivor; d dropped: d pairwise masks per survivor too."""
    assert calc_secagg_server_prg(100, 10) == pytest.approx(10 * 100)
    assert calc_secagg_server_prg(100, 10, 0.1) == pytest.approx(10 * (90 + 10 * 90))


def test_tmr_lyons_vanderkulk_1962():
    """1 - R_TMR = 3 p^2 - 2 p^3; one copy fails with p; dual modular redundancy detects ties."""
    for p in (1e-4, 0.01, 0.2):
        assert calc_nmr_failure(3, p) == pytest.approx(3 * p**2 - 2 * p**3, rel=1e-12)
        assert calc_nmr_failure(1, p) == pytest.approx(p)
        assert calc_nmr_detected(2, p) == pytest.approx(2 * p * (1 - p))
    assert calc_nmr_detected(3, 0.1) == 0.0


def test_tee_zhu_2024_and_solver():
    """A 7 % throughput loss is a 1/0.93 time multiplier; the solver multiplies DP by it."""
    assert calc_tee_slowdown(0.07) == pytest.approx(1 / 0.93)
    plain = PC.solve(Models.ResNet50, Hardware.H100, epsilon=1.0)
    tee = PC.solve(Models.ResNet50, Hardware.H100, epsilon=1.0, tee=True, tee_workload="inference")
    assert tee.gpu_hours / plain.gpu_hours == pytest.approx(1 / (1 - constants().sg_tee_inference_overhead))
    dp = ResponsibleEngineeringModel().solve(Models.ResNet50, Hardware.H100, batch_size=256, epsilon=1.0,
                                             base_gpu_hours=1000)
    assert plain.gpu_hours == pytest.approx(dp.gpu_hours)
    assert plain.cost == pytest.approx(dp.gpu_hours * constants().cloud_gpu_hour_price)
    assert PC.solve(Models.ResNet50, Hardware.H100, epsilon=None).extra_cost == pytest.approx(0.0)


def test_gender_shades_four_subgroups_and_audit_counts():
    """Buolamwini & Gebru (2018): 2 genders x 2 skin types = 4 subgroups; +-1 % at 95 % needs 9,604 each."""
    assert calc_intersectional_subgroups([2, 2]) == 4
    r = FA.solve(Models.ResNet50, Hardware.H100, attribute_levels=(2, 2), ci_half_width=0.01,
                 deployments=3, audits_per_year=4)
    assert (r.subgroups, r.samples_per_subgroup, r.samples_per_audit) == (4, 9604, 4 * 9604)
    assert r.labelled_samples == 4 * 9604 * 12
    assert r.label_cost_total == pytest.approx(4 * 9604 * 12 * constants().sg_label_cost)
    assert r.traffic_pool_per_audit == 4 * 9604   # uniform prevalence 1/4


def test_pgd_and_redundancy_budget():
    """K = 7 PGD: 8x training; triple redundancy: 3x serving; money at the GPU-hour price."""
    r = RB.solve(base_gpu_hours=1000, pgd_steps=7, serving_gpu_hours=500, replicas=3, gpu_hour_price=2.0)
    assert r.training_gpu_hours == pytest.approx(8000)
    assert r.serving_gpu_hours == pytest.approx(1500)
    assert r.cost == pytest.approx(2.0 * 9500)


@settings(max_examples=60, deadline=None)
@given(p=st.floats(1e-9, 0.49), n=st.integers(0, 20))
def test_more_odd_replicas_vote_better_below_half(p, n):
    assert calc_nmr_failure(2 * n + 3, p) <= calc_nmr_failure(2 * n + 1, p) * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.51, 1.0), n=st.integers(0, 20))
def test_more_replicas_vote_worse_above_half(p, n):
    assert calc_nmr_failure(2 * n + 3, p) >= calc_nmr_failure(2 * n + 1, p) * (1 - 1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 10**6), m=st.integers(1, 10**8))
def test_expansion_at_least_one_and_falls_with_vector_length(n, m):
    k, b = constants().sg_secagg_bits_per_peer, 16
    e = calc_secagg_expansion(n, m, b, k)
    assert e >= 1.0 and math.isfinite(e)
    assert calc_secagg_expansion(n, 2 * m, b, k) <= e


@settings(max_examples=20, deadline=None)
@given(levels=st.lists(st.integers(1, 8), min_size=1, max_size=5), d=st.integers(1, 50))
def test_audit_cost_grows_with_subgroups_and_deployments(levels, d):
    a = FA.solve(Models.ResNet50, Hardware.H100, attribute_levels=levels, deployments=d)
    b = FA.solve(Models.ResNet50, Hardware.H100, attribute_levels=levels + [2], deployments=d)
    c = FA.solve(Models.ResNet50, Hardware.H100, attribute_levels=levels, deployments=d + 1)
    assert b.cost > a.cost and c.cost > a.cost and a.cost >= 0


@pytest.mark.parametrize("call,name", [
    (lambda: SA.solve(1, vector_length=10), "n_clients"),
    (lambda: SA.solve(10), "vector_length"),
    (lambda: SA.solve(10, vector_length=10, dropout=1.0), "dropout"),
    (lambda: PC.solve(Models.ResNet50, Hardware.H100, tee="yes"), "tee"),
    (lambda: PC.solve(Models.ResNet50, Hardware.H100, tee_workload="gaming"), "tee_workload"),
    (lambda: PC.solve(Models.ResNet50, Hardware.H100, gpu_hour_price=-1), "gpu_hour_price"),
    (lambda: PC.solve(Models.ResNet50, Hardware.H100, epsilon=0), "epsilon"),
    (lambda: RB.solve(replicas=0), "replicas"),
    (lambda: RB.solve(fault_probability=1.5), "fault_probability"),
    (lambda: RB.solve(pgd_steps=-1), "pgd_steps"),
    (lambda: FA.solve(Models.ResNet50, Hardware.H100, attribute_levels=(2, 0)), "attribute_levels[1]"),
    (lambda: FA.solve(Models.ResNet50, Hardware.H100, attribute_levels=(10_000,) * 3), "attribute_levels"),
    (lambda: FA.solve(Models.ResNet50, Hardware.H100, deployments=0), "deployments"),
    (lambda: FA.solve(Models.ResNet50, Hardware.H100, rarest_prevalence=0), "rarest_prevalence"),
    (lambda: calc_tee_slowdown(1.0), "overhead"),
    (lambda: calc_intersectional_subgroups("2x2"), "levels"),
])
def test_errors_name_the_argument(call, name):
    with pytest.raises(SpecError) as e:
        call()
    assert name in str(e.value)
