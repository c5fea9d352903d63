"""The M/M/c queueing formulas and the serving-fleet capacity solver.

Golden values from closed forms (M/M/1: Kleinrock 1975 vol. 1 section 3.2; M/M/2), the standard
Erlang B traffic table (Iversen, ITU-D Teletraffic Engineering Handbook, Erlang B table: the
load in erlangs that N lines carry at a given blocking), exact rational arithmetic and the
classical Erlang B recursion; properties (hypothesis); and every error path with its message.
"""
from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsysim_core import (Hardware, Models, Q_, ServingFleetModel, ServingModel, SpecError, UnitError,
                          calc_erlang_b, calc_erlang_c, calc_mmc_mean_wait, calc_mmc_response_quantile,
                          calc_mmc_wait_quantile, calc_queue_utilization)

L8, L70, H100 = Models.Llama3_8B, Models.Llama3_70B, Hardware.H100


def _exact_erlang_b(c: int, a: Fraction) -> Fraction:
    num = a ** c / math.factorial(c)
    return num / sum(a ** k / math.factorial(k) for k in range(c + 1))


def _recursive_erlang_b(c: int, a: float) -> float:
    """B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)): the classical stable recursion (O(c))."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


# --- golden values ----------------------------------------------------------------------------

@pytest.mark.parametrize("lam,mu", [(0.5, 1.0), (9.0, 10.0), (1.0, 4.0), (99.0, 100.0)])
def test_mm1_closed_forms_kleinrock_section_3_2(lam, mu):
    """M/M/1: P(wait) = rho, W_q = rho / (mu - lambda), T ~ Exp(mu - lambda), W tail rho e^{-(mu-lambda)t}."""
    rho = lam / mu
    assert calc_queue_utilization(lam, mu, 1) == pytest.approx(rho)
    assert calc_erlang_c(1, rho) == pytest.approx(rho, rel=1e-12)
    assert calc_mmc_mean_wait(lam, mu, 1).m_as("s") == pytest.approx(rho / (mu - lam), rel=1e-12)
    for p in (0.5, 0.9, 0.99, 0.999):
        assert calc_mmc_response_quantile(lam, mu, 1, p).m_as("s") == pytest.approx(
            math.log(1 / (1 - p)) / (mu - lam), rel=1e-9)
        expected_wait = max(0.0, math.log(rho / (1 - p)) / (mu - lam))
        assert calc_mmc_wait_quantile(lam, mu, 1, p).m_as("s") == pytest.approx(expected_wait, rel=1e-12, abs=1e-15)


def test_mm1_worked_numbers():
    """lambda = 9/s, mu = 10/s: rho 0.9, mean wait 0.9 s, mean response 1 s, p99 response ln(100) s."""
    assert calc_mmc_mean_wait(Q_(9, "1/s"), Q_(10, "1/s"), 1).m_as("ms") == pytest.approx(900.0)
    assert calc_mmc_response_quantile(9, 10, 1, 0.99).m_as("s") == pytest.approx(math.log(100), rel=1e-9)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.8, 0.95])
def test_mm2_probability_of_waiting_is_2rho2_over_1_plus_rho(rho):
    assert calc_erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho), rel=1e-12)


@pytest.mark.parametrize("lines,erlangs,blocking", [
    (1, 0.0101, 0.01), (5, 1.361, 0.01), (10, 4.461, 0.01), (10, 5.084, 0.02), (10, 6.216, 0.05),
    (20, 12.03, 0.01), (20, 13.18, 0.02), (20, 15.25, 0.05)])
def test_erlang_b_matches_the_traffic_table(lines, erlangs, blocking):
    """Erlang B table rows (offered erlangs at 1 / 2 / 5 % blocking), printed to 3-4 digits."""
    assert calc_erlang_b(lines, erlangs) == pytest.approx(blocking, rel=0.01)


@pytest.mark.parametrize("c,a", [(1, 1), (3, 2), (10, 5), (30, 29), (40, 55), (60, 20), (25, 100)])
def test_erlang_b_equals_exact_rational_arithmetic(c, a):
    exact = float(_exact_erlang_b(c, Fraction(a)))
    assert calc_erlang_b(c, a) == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("c,a", [(500, 480.0), (2000, 1950.5), (9120, 9113.0), (20000, 19000.0),
                                 (3000, 3500.0), (1200, 900.0)])
def test_erlang_b_large_fleets_match_the_recursion(c, a):
    """Thousands of servers: no overflow, and the same answer as the O(c) recursion."""
    assert calc_erlang_b(c, a) == pytest.approx(_recursive_erlang_b(c, a), rel=1e-10)


def test_erlang_b_far_tail_is_tiny_not_nan():
    assert 0.0 <= calc_erlang_b(160000, 9113.0) < 1e-300 or calc_erlang_b(160000, 9113.0) == 0.0
    assert calc_erlang_b(400, 300.0) == pytest.approx(_recursive_erlang_b(400, 300.0), rel=1e-10)
    assert calc_erlang_b(7, 0) == 0.0


def test_unstable_queue_always_waits_forever():
    assert calc_erlang_c(4, 4.0) == 1.0 and calc_erlang_c(4, 9.0) == 1.0
    assert math.isinf(calc_mmc_mean_wait(10, 1, 10).m_as("s"))
    assert math.isinf(calc_mmc_wait_quantile(11, 1, 10).m_as("s"))
    assert math.isinf(calc_mmc_response_quantile(10, 1, 10).m_as("s"))


# --- properties -------------------------------------------------------------------------------

SETTINGS = settings(deadline=None, max_examples=150)


@SETTINGS
@given(c=st.integers(1, 3000), rho=st.floats(0.01, 0.999))
def test_erlang_c_is_a_probability_above_erlang_b(c, rho):
    a = rho * c
    b, w = calc_erlang_b(c, a), calc_erlang_c(c, a)
    assert 0.0 <= b <= w <= 1.0


@SETTINGS
@given(c=st.integers(1, 400), a=st.floats(0.01, 300.0))
def test_more_servers_never_wait_longer(c, a):
    mu = 1.0
    lam = a * mu
    if c <= a:
        c = int(a) + 1
    p99 = calc_mmc_wait_quantile(lam, mu, c).m_as("s")
    p99_more = calc_mmc_wait_quantile(lam, mu, c + 1).m_as("s")
    t99, t99_more = (calc_mmc_response_quantile(lam, mu, k).m_as("s") for k in (c, c + 1))
    assert p99_more <= p99 + 1e-12
    assert t99_more <= t99 * (1 + 1e-9)
    assert calc_erlang_c(c + 1, a) <= calc_erlang_c(c, a) + 1e-15


@SETTINGS
@given(c=st.integers(1, 200), mu=st.floats(0.01, 100.0))
def test_p99_grows_without_bound_as_utilisation_goes_to_one(c, mu):
    rhos = [0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999]
    t = [calc_mmc_response_quantile(r * c * mu, mu, c).m_as("s") for r in rhos]
    assert all(x <= y * (1 + 1e-9) for x, y in zip(t, t[1:]))
    assert t[-1] * mu > 100.0     # over 100 mean service times at 99.999 %: it diverges like 1/(1 - rho)


@SETTINGS
@given(c=st.integers(1, 300), rho=st.floats(0.0, 0.99), p=st.floats(0.5, 0.999))
def test_response_quantile_brackets(c, rho, p):
    """The p-quantile of wait + service lies between the service quantile and the wait + service quantiles."""
    mu = 2.0
    lam = rho * c * mu
    t = calc_mmc_response_quantile(lam, mu, c, p).m_as("s")
    service_q = math.log(1 / (1 - p)) / mu
    assert t >= service_q * (1 - 1e-9)
    assert t <= calc_mmc_wait_quantile(lam, mu, c, p).m_as("s") + service_q + math.log(2) / mu + 1e-9


# --- the capacity solver ----------------------------------------------------------------------

FLEET = ServingFleetModel()
BASE = dict(model=L70, hardware=H100, qps=50.0, slo_p99_ms=20_000, seq_len=2048, output_tokens=256,
            batch_size=8, precision="fp8")


def fleet(**kw):
    args = dict(BASE)
    args.update(kw)
    return FLEET.solve(**args)


def test_fleet_composes_the_serving_model():
    r = fleet(batching="static")
    one = ServingModel().solve(L70, H100, seq_len=2048, batch_size=8, precision="fp8", output_tokens=256)
    assert r.raw("service_time") == pytest.approx(one.raw("request_latency"))
    assert r.raw("replica_throughput") == pytest.approx(8 / one.raw("request_latency"))
    assert r.raw("utilization") == pytest.approx(50.0 * one.raw("request_latency") / (8 * r.replicas))
    assert r.service_time.to("s").magnitude == pytest.approx(one.raw("request_latency"))
    assert r.latency_p99.to("ms").magnitude == pytest.approx(r.raw("latency_p99") * 1e3)
    assert isinstance(r["utilization"], float)
    assert r.feasible and r.meets_slo and r.raw("p99") <= r.raw("slo")


def test_fleet_sizes_to_the_fewest_replicas_that_meet_the_slo():
    r = fleet()
    need = r.replicas_needed
    assert need == r.replicas and need >= r.replicas_for_throughput
    assert fleet(replicas=need).meets_slo
    assert not fleet(replicas=need - 1).meets_slo


def test_fleet_cost_is_replicas_times_price():
    r = fleet(gpu_hour_price=2.5)
    assert r.annual_cost_usd == pytest.approx(r.replicas * 2.5 * 8760)
    assert r.cost_per_query == pytest.approx(r.replicas * 2.5 / 3600 / 50.0)
    assert r.cost_per_million_tokens == pytest.approx(r.cost_per_query / 256 * 1e6)


def test_tail_latency_binds_for_a_small_fleet_and_throughput_for_a_huge_one():
    small = fleet(model=L8, precision="fp16", qps=2.0, batch_size=4, slo_p99_ms=6000)
    assert small.binding == "tail_latency" and small.replicas_needed > small.replicas_for_throughput
    # thousands of slots pool so well that being just able to keep up already meets a lax SLO
    big = fleet(qps=578.7, batch_size=32, slo_p99_ms=30_000)
    assert big.feasible and big.binding == "throughput" and big.replicas_needed == big.replicas_for_throughput
    assert big.utilization > 0.99


def test_underprovisioned_fleet_is_unstable_with_infinite_tail():
    r = fleet(replicas=1)
    assert not r.stable and not r.feasible and r.binding == "throughput"
    assert r.utilization >= 1.0 and math.isinf(r.raw("latency_p99"))
    assert "grows without bound" in r.reason and f"{r.replicas_for_throughput:,} replicas" in r.reason
    assert "unstable" in r.explain()


def test_slo_missed_between_stability_and_the_needed_fleet():
    r = fleet(model=L8, precision="fp16", qps=20.0, batch_size=4, slo_p99_ms=5000, batching="static")
    assert r.replicas_needed > r.replicas_for_throughput
    mid = fleet(model=L8, precision="fp16", qps=20.0, batch_size=4, slo_p99_ms=5000,
                replicas=r.replicas_for_throughput, batching="static")
    assert mid.stable and not mid.meets_slo and mid.binding == "tail_latency"
    assert "over the 5 s SLO" in mid.reason and f"{r.replicas_needed:,} replicas meet it" in mid.reason


def test_model_that_does_not_fit_binds_on_memory():
    r = fleet(precision="fp16")
    assert not r.feasible and r.binding == "memory" and r.replicas_needed is None
    assert r.memory_shortfall.to("GB").magnitude > 0 and "short by" in r.reason


def test_slo_below_the_service_time_cannot_be_bought_with_replicas():
    r = fleet(slo_p99_ms=1000)
    assert not r.feasible and r.binding == "service_time" and r.replicas_needed is None
    assert "no number of replicas helps" in r.reason


def test_max_replicas_binds():
    r = fleet(qps=5000.0, max_replicas=100)
    assert not r.feasible and r.binding == "max_replicas" and r.replicas == 100
    assert "max_replicas=100" in r.reason


def test_exponential_replies_have_a_longer_tail_than_fixed_ones():
    fixed, expo = fleet(replicas=60), fleet(replicas=60, service="exponential", slo_p99_ms=100_000)
    assert expo.raw("latency_p99") > fixed.raw("latency_p99")
    # at zero load the exponential p99 is ln(100) mean service times
    idle = fleet(qps=1e-6, replicas=1000, service="exponential", slo_p99_ms=1e6)
    assert idle.raw("latency_p99") == pytest.approx(math.log(100) * idle.raw("service_time"), rel=1e-6)


def test_ttft_slo_uses_the_wait_plus_prefill():
    r = fleet(slo_metric="ttft", slo_p99_ms=4000)
    assert r.raw("p99") == pytest.approx(r.raw("ttft") + r.raw("wait_p99"))
    assert r.raw("ttft_p99") <= 4.0


@settings(deadline=None, max_examples=40)
@given(qps=st.floats(0.5, 200.0), extra=st.integers(0, 50), batch=st.sampled_from([1, 4, 16]))
def test_more_replicas_never_raise_the_p99(qps, extra, batch):
    r = fleet(model=L8, precision="fp16", qps=qps, batch_size=batch, slo_p99_ms=1e7)
    start = r.replicas_for_throughput
    rows = FLEET.curve(r, replicas=list(range(max(1, start - 2), start + extra + 3)))
    p99 = [row["latency_p99"] for row in rows]
    assert all(b <= a for a, b in zip(p99, p99[1:]))
    assert all(row["utilization"] < 1.0 for row in rows if row["stable"])


def test_curve_over_traffic_diverges_at_capacity():
    r = fleet(replicas=50)
    cap = r.raw("fleet_capacity")
    rows = FLEET.curve(r, qps=[cap * x for x in (0.5, 0.9, 0.99, 0.999, 1.0, 1.2)])
    p99 = [row["latency_p99"] for row in rows]
    assert p99[:4] == sorted(p99[:4]) and math.isinf(p99[4]) and math.isinf(p99[5])
    assert p99[3] - r.raw("service_time") > 10 * (p99[0] - r.raw("service_time"))


def test_explain_shows_erlang_c_and_cost():
    text = fleet().explain()
    for part in ("Erlang C", "W_{p}", "Service time", "/year", "SLO"):
        assert part in text


# --- error paths ------------------------------------------------------------------------------

@pytest.mark.parametrize("servers", [0, -1, 2.5, True, float("nan")])
def test_servers_must_be_a_whole_positive_number(servers):
    with pytest.raises(SpecError, match=r"servers=.* whole number of servers >= 1"):
        calc_erlang_c(servers, 1.0)


@pytest.mark.parametrize("p", [0, 1, 1.5, -0.1])
def test_quantile_must_be_strictly_inside_0_1(p):
    with pytest.raises(SpecError, match=r"quantile=.*strictly between 0 and 1"):
        calc_mmc_wait_quantile(1, 2, 1, p)


def test_rates_are_checked():
    with pytest.raises(SpecError, match=r"arrival_rate=-1"):
        calc_mmc_mean_wait(-1, 2, 1)
    with pytest.raises(SpecError, match=r"service_rate=0.*positive rate"):
        calc_mmc_mean_wait(1, 0, 1)
    with pytest.raises(UnitError, match=r"arrival_rate="):
        calc_mmc_mean_wait(Q_(1, "s"), 2, 1)
    with pytest.raises(SpecError, match=r"offered_load=.*erlangs"):
        calc_erlang_b(3, -2.0)


@pytest.mark.parametrize("kw,match", [
    (dict(qps=0), r"qps=0 .*positive request rate"),
    (dict(qps=Q_(5, "s")), r"qps="),
    (dict(slo_p99_ms=-5), r"slo_p99_ms=-5"),
    (dict(slo_p99_ms=0), r"slo_p99_ms=0 .*positive latency target"),
    (dict(service="gamma"), r"service='gamma' .*fixed, exponential"),
    (dict(slo_metric="itl"), r"slo_metric='itl' .*latency, ttft"),
    (dict(replicas=0), r"replicas=0 .*integer >= 1"),
    (dict(max_replicas=2.5), r"max_replicas=2.5"),
    (dict(output_tokens=0), r"output_tokens=0"),
    (dict(precision="fp12"), r"precision='fp12'"),
    (dict(model=Models.ResNet50), r"model=.*transformer"),
    (dict(gpu_hour_price=-1), r"gpu_hour_price=-1"),
])
def test_fleet_bad_input_names_the_argument(kw, match):
    with pytest.raises(SpecError, match=match):
        fleet(**kw)


def test_curve_needs_exactly_one_axis():
    r = fleet()
    with pytest.raises(SpecError, match="exactly one of replicas"):
        FLEET.curve(r)
    with pytest.raises(SpecError, match="exactly one of replicas"):
        FLEET.curve(r, replicas=[1], qps=[1.0])
    with pytest.raises(SpecError, match=r"qps=0"):
        FLEET.curve(r, qps=[0])


def test_a_given_fleet_beyond_max_replicas_is_compared_with_the_fewest_that_meet_the_slo():
    """A fleet given with replicas= above max_replicas that meets the SLO: the search for the fewest
    replicas goes up to it (it stopped at max_replicas, and formatting the missing answer raised
    TypeError: seen in lab II.9 with Llama-4-Scout on an MI355X and 200,000 replicas)."""
    kw = dict(batch_size=8, max_replicas=5)
    sized = FLEET.solve(Models.Llama3_8B, H100, 200.0, 2000.0, **kw)
    assert not sized.feasible and sized.binding == "max_replicas" and sized.replicas_needed is None
    given = FLEET.solve(Models.Llama3_8B, H100, 200.0, 2000.0, replicas=400, **kw)
    assert given.feasible and given.replicas == 400
    assert given.replicas_for_throughput <= given.replicas_needed <= 400
    wide = FLEET.solve(Models.Llama3_8B, H100, 200.0, 2000.0, batch_size=8, max_replicas=10_000)
    assert given.replicas_needed == wide.replicas_needed
    assert f"{given.replicas_needed:,} keep the p99 under the SLO" in given.reason or given.binding == "throughput"
