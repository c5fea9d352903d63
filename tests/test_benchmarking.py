"""BenchmarkModel and formulas/benchmarking.py: percentiles, run counts, warm-up, MLPerf scenarios, MFU/HFU."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import BenchmarkModel, SpecError
from mlsysim_core.formulas import (calc_hfu, calc_lognormal_percentile, calc_runs_for_confidence,
                                   calc_sample_percentile, calc_warmup_bias)

BM = BenchmarkModel()


def test_jain_sample_size_example():
    """Jain (1991), section 13.9: mean response 20 s, standard deviation 5 s, accuracy +-5 % at
    95 % confidence: n = (100 x 1.96 x 5 / (5 x 20))^2 = 96.04, so 97 runs."""
    assert calc_runs_for_confidence.raw(5 / 20, 0.05, 0.95) == 97


def test_lognormal_percentiles_use_normal_quantiles():
    assert calc_lognormal_percentile.raw(1.0, 1.0, 0.5) == pytest.approx(1.0)
    assert calc_lognormal_percentile.raw(1.0, 1.0, 0.99) == pytest.approx(math.exp(2.326348), rel=1e-6)
    r = BM.solve(0.010, 0.3)
    assert r.raw("single_stream_latency") == r.raw("p90")       # MLPerf single-stream reports p90
    assert r.raw("p99") > r.raw("p90") > r.raw("mean") > r.raw("median")


def test_sample_percentile_nearest_rank():
    xs = list(range(1, 101))
    assert calc_sample_percentile(xs, 0.9) == 90
    assert calc_sample_percentile(xs, 0.99) == 99
    assert calc_sample_percentile([5.0], 0.5) == 5.0


def test_warmup_bias_closed_form_matches_the_sum():
    w, tau, k, n = 2.0, 7.0, 3, 50
    direct = sum(w * math.exp(-i / tau) for i in range(k, k + n)) / n
    assert calc_warmup_bias.raw(w, tau, k, n) == pytest.approx(direct)
    assert BM.solve(0.01, 0.2, warmup_excess=2, skip_iters=50).raw("warmup_bias") < \
        BM.solve(0.01, 0.2, warmup_excess=2, skip_iters=0).raw("warmup_bias")


def test_mlperf_server_single_queue_matches_mm1_closed_form():
    """M/M/1: t_99 = ln(100) / (mu - lambda), so the largest lambda within bound T is mu - ln(100)/T."""
    r = BM.mlperf(0.010, 0.100, servers=1)
    assert r.raw("server_qps") == pytest.approx(100 - math.log(100) / 0.100, rel=1e-6)
    assert r.raw("offline_qps") == pytest.approx(100)
    assert r.raw("server_qps") < r.raw("offline_qps")


def test_mlperf_server_infeasible_when_even_idle_p99_misses():
    r = BM.mlperf(0.010, 0.030, servers=1)                        # idle p99 = ln(100) x 10 ms = 46 ms
    assert not r.server_feasible and r.raw("server_qps") == 0
    assert r.raw("idle_p99") == pytest.approx(math.log(100) * 0.010)
    assert "0 QPS" in r.explain()


def test_hfu_is_four_thirds_of_mfu_with_full_recompute():
    r = BM.utilization(6e15, 10.0, 1e15, recompute_fraction=1.0)
    assert r.raw("mfu") == pytest.approx(0.6)
    assert r.raw("hfu") == pytest.approx(0.8)
    assert BM.utilization(6e15, 10.0, 1e15).raw("hfu") == pytest.approx(0.6)


@settings(max_examples=50, deadline=None)
@given(m=st.floats(1e-4, 1.0), s=st.floats(0.01, 1.5), e=st.floats(0.005, 0.3))
def test_properties(m, s, e):
    r = BM.solve(m, s, relative_error=e)
    wider = BM.solve(m, s * 1.2, relative_error=e)
    assert wider.raw("p99") > r.raw("p99")
    assert wider.raw("runs_needed") >= r.raw("runs_needed") >= 2
    assert BM.solve(m, s, relative_error=e / 2).raw("runs_needed") >= r.raw("runs_needed")


@settings(max_examples=30, deadline=None)
@given(t=st.floats(1e-3, 0.1), c=st.integers(1, 16), k=st.floats(5, 50))
def test_server_qps_monotone_in_bound_and_below_offline(t, c, k):
    r = BM.mlperf(t, k * t, c)
    looser = BM.mlperf(t, 2 * k * t, c)
    assert 0 <= r.raw("server_qps") <= looser.raw("server_qps") <= looser.raw("offline_qps")
    assert 0 <= r.raw("server_utilisation") <= 1


@pytest.mark.parametrize("call, name", [
    (lambda: BM.solve(0), "median_latency"), (lambda: BM.solve(0.01, -1), "sigma"),
    (lambda: BM.solve(0.01, relative_error=0), "relative_error"),
    (lambda: BM.solve(0.01, skip_iters=-1), "skip_iters"),
    (lambda: BM.mlperf(0.01, 0), "latency_bound"), (lambda: BM.mlperf(0.01, 0.1, 0), "servers"),
    (lambda: BM.utilization(6e15, 1.0, 1e15), "step_time"),
    (lambda: calc_sample_percentile([], 0.5), "samples"),
    (lambda: calc_sample_percentile([1, -2], 0.5), "samples[1]"),
    (lambda: calc_hfu(1e15, 1e15, 1e15), "model_flops_rate"),
])
def test_errors_name_the_argument(call, name):
    with pytest.raises(SpecError) as e:
        call()
    assert str(e.value).startswith(f"{name}=")
