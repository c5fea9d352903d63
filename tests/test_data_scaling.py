"""DataScalingModel and formulas/data_scaling.py: Chinchilla loss, Muennighoff effective data, dedup."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import DataScalingModel, SpecError, constants
from mlsysim_core.formulas import calc_chinchilla_loss, calc_effective_data, calc_repeated_token_value

DS = DataScalingModel()
R_D = constants().labs_v1_repeat_r_d_star


def _chinchilla(n, d):
    c = constants()
    return calc_chinchilla_loss.raw(n, d, c.labs_v1_chinchilla_e, c.labs_v1_chinchilla_a, c.labs_v1_chinchilla_b,
                                    c.labs_v1_chinchilla_alpha, c.labs_v1_chinchilla_beta)


def test_chinchilla_70b_on_1_4t_tokens_loss_1_94():
    """Hoffmann et al. (2022), eq. 10: Chinchilla (70B, 1.4T tokens) predicts L = 1.69 + 406.4 /
    N^0.34 + 410.7 / D^0.28 = 1.937."""
    assert _chinchilla(70e9, 1.4e12) == pytest.approx(1.937, abs=1e-3)
    assert DS.solve(70e9, 1.4e12).raw("loss_repeated") == pytest.approx(1.937, abs=1e-3)


def test_muennighoff_four_epochs_are_nearly_fresh_and_value_saturates():
    """Muennighoff et al. (2023): up to ~4 epochs repeated data is almost as good as unique (D'/D =
    (1 + 15.39 (1 - e^{-3/15.39})) / 4 = 0.93); the effective data never exceeds U (1 + R_D*)."""
    assert calc_repeated_token_value.raw(1e12, 4, R_D) == pytest.approx(
        (1 + R_D * (1 - math.exp(-3 / R_D))) / 4)
    assert 0.92 < calc_repeated_token_value.raw(1e12, 4, R_D) < 0.94
    assert calc_effective_data.raw(1e12, 0, R_D) == 1e12
    assert calc_effective_data.raw(1e12, 1e4, R_D) == pytest.approx(1e12 * (1 + R_D))
    r = DS.solve(70e9, 2e12, 4)
    assert r.raw("loss_penalty") < 0.005                       # "negligible" at 4 epochs
    forty = DS.solve(70e9, 2e12, 40)
    assert forty.raw("loss_penalty") > 5 * r.raw("loss_penalty") and forty.raw("token_value") < 0.4


def test_fresh_tokens_for_same_loss_equals_effective_data_when_params_are_not_excess():
    r = DS.solve(70e9, 2e12, 4)
    assert r.raw("effective_params") == pytest.approx(70e9)   # 70B < 2T / 20 = 100B
    assert r.raw("fresh_tokens_for_same_loss") == pytest.approx(r.raw("effective_tokens"), rel=1e-9)


def test_excess_parameters_decay_like_repeated_data():
    small = DS.solve(10e9, 100e9)                              # U_N = 5B: half the parameters are excess
    assert 5e9 < small.raw("effective_params") < 10e9


def test_dedup_saves_the_duplicate_share_of_compute_for_a_small_loss():
    r = DS.deduplicate(7e9, 1e12, 0.3)
    assert r.raw("compute_saving") == pytest.approx(0.3)
    assert r.raw("compute_flops") == pytest.approx(0.7 * r.raw("raw_compute_flops"))
    assert 0 < r.raw("loss_given_up") < 0.05
    assert "Loss given up" in r.explain()


@settings(max_examples=50, deadline=None)
@given(n=st.floats(1e8, 1e12), u=st.floats(1e9, 1e13), ep=st.floats(1, 100))
def test_properties(n, u, ep):
    r = DS.solve(n, u, ep)
    more = DS.solve(n, u, ep * 1.5)
    assert 0 < r.raw("token_value") <= 1 + 1e-12
    assert r.raw("loss_penalty") >= -1e-12                     # repeated data is never better than fresh
    assert more.raw("loss_repeated") <= r.raw("loss_repeated") + 1e-12   # more epochs never hurt here
    assert r.raw("effective_tokens") <= r.raw("asymptotic_tokens")


@pytest.mark.parametrize("call, name", [
    (lambda: DS.solve(0, 1e12), "n_params"), (lambda: DS.solve(7e9, -1), "unique_tokens"),
    (lambda: DS.solve(7e9, 1e12, 0.5), "epochs"), (lambda: DS.solve(7e9, 1e12, float("nan")), "epochs"),
    (lambda: DS.deduplicate(7e9, 1e12, 1.0), "duplicate_fraction"),
    (lambda: DS.deduplicate(7e9, 0, 0.1), "raw_tokens"),
])
def test_errors_name_the_argument(call, name):
    with pytest.raises(SpecError) as e:
        call()
    assert str(e.value).startswith(f"{name}=")
