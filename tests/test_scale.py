"""ScaleModel: one workload from one node to 100,000+ accelerators, composed from existing solvers."""
from __future__ import annotations

import pytest

from mlsysim_core import Models, ReliabilityModel, ScaleModel, SpecError, Systems, constants
from mlsysim_core.solvers.scale import MAX_POINTS

SM = ScaleModel()
FLEET = Systems.Clusters.Mega_100K
SIZES = [8, 64, 512, 4096, 16384, 131072]


@pytest.fixture(scope="module")
def sweep():
    return SM.sweep(Models.Llama3_8B, FLEET, SIZES, batch_per_replica=4)


def test_mtbf_at_16k_about_3_hours_equations_page_7_1(sweep):
    """16,384 GPUs at 50,000 h each: fleet MTBF ~3 h (equations page 7.1), 7.9 failures a day."""
    r = sweep[SIZES.index(16384)]
    assert r.fleet_mtbf.m_as("hour") == pytest.approx(constants().gpu_mtbf / 16384, rel=1e-9)
    assert r.fleet_mtbf.m_as("hour") == pytest.approx(3.05, abs=0.01)
    assert r.failures_per_day == pytest.approx(24 * 16384 / constants().gpu_mtbf, rel=1e-9)


def test_failures_power_cost_linear_in_n(sweep):
    a, b = sweep[1], sweep[-1]
    k = b.n_accelerators / a.n_accelerators
    assert b.failures_per_day == pytest.approx(k * a.failures_per_day)
    assert b.cost_per_day_usd / a.cost_per_day_usd == pytest.approx(k, rel=0.05)   # energy varies with MFU
    assert b.facility_power > a.facility_power


def test_communication_share_grows_and_goodput_falls(sweep):
    shares = [r.communication_share for r in sweep]
    assert all(0.0 <= s < 1.0 for s in shares)
    assert shares[-1] > shares[0]
    assert sweep[-1].goodput < sweep[0].goodput
    days = [r.time_to_train.m_as("day") for r in sweep]
    assert days == sorted(days, reverse=True)
    # the single-node view (linear speed-up) is optimistic at scale
    assert days[-1] > days[0] * SIZES[0] / SIZES[-1]


def test_reliability_matches_reliability_model():
    r = SM.solve(Models.Llama3_8B, FLEET, 1024)
    rel = ReliabilityModel().solve(Systems.Clusters.Training_1K, 24.0)
    assert r.failures_per_day == pytest.approx(rel.expected_failures)


def test_explain_mentions_every_wall():
    text = SM.solve(Models.Llama3_8B, FLEET, 4096).explain()
    for word in ("communication", "failures/day", "MW", "per day", "days"):
        assert word in text


@pytest.mark.parametrize("kwargs,name", [(dict(n_accelerators=12), "n_accelerators"),
                                         (dict(n_accelerators=0), "n_accelerators"),
                                         (dict(batch_per_replica=0), "batch_per_replica")])
def test_errors_name_the_argument(kwargs, name):
    args = dict(n_accelerators=64)
    args.update(kwargs)
    with pytest.raises(SpecError, match=rf"^{name}="):
        SM.solve(Models.Llama3_8B, FLEET, **args)


def test_sweep_is_bounded():
    with pytest.raises(SpecError, match="^sizes="):
        SM.sweep(Models.Llama3_8B, FLEET, [8] * (MAX_POINTS + 1))
    with pytest.raises(SpecError, match="^fleet="):
        SM.solve(Models.Llama3_8B, "Mega_100K", 8)
