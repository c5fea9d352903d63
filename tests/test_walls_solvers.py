"""Wall solvers (3, 8, 9, 10, 16, 19, 20): golden worked examples from their sources, properties,
and one error test per argument."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import Models, Q_, Systems, SpecError, constants

C = constants()


# ---------------------------------------------------------------- Wall 19: CheckpointModel
from mlsysim_core import CheckpointModel  # noqa: E402

CK = CheckpointModel()
L70, H256 = Models.Llama3_70B, Systems.Clusters.H100_256


def test_golden_70b_adam_checkpoint_written_at_100_gbs():
    """ZeRO section 3.1: bf16 weights (2 B) + fp32 master, momentum, variance (12 B) = 14 B/param;
    a 70B model is ~1 TB, written in ~10 s at 100 GB/s."""
    r = CK.solve(L70, H256, filesystem_bandwidth=Q_(100, "GB/s"))
    p = L70.parameters_count
    assert r.raw("checkpoint_size") == pytest.approx(14 * p)
    assert 0.98e12 < r.raw("checkpoint_size") < 1.0e12
    assert r.raw("write_time") == pytest.approx(14 * p / 100e9)
    assert r.bottleneck == "filesystem"
    assert r.raw("checkpoint_time") == r.raw("write_time")      # synchronous: the whole write stalls


def test_node_links_bound_when_few_writers():
    r = CK.solve(L70, H256, n_writers=2, node_bandwidth="50 GB/s")
    assert r.raw("write_bandwidth") == pytest.approx(100e9) and r.bottleneck == "node links"


def test_sgd_checkpoint_smaller_than_adam():
    a, s = CK.solve(L70, H256), CK.solve(L70, H256, optimizer="sgd")
    assert s.raw("checkpoint_size") == pytest.approx(L70.parameters_count * (2 + C.sgd_state_bytes_per_param))
    assert s.raw("checkpoint_size") < a.raw("checkpoint_size")


def test_async_stalls_only_for_the_snapshot_when_persist_fits():
    r = CK.solve(L70, H256, asynchronous=True, interval_s=3600)
    assert r.raw("checkpoint_time") == pytest.approx(r.raw("checkpoint_size") / 256 / C.data_pcie_bandwidth)
    slow = CK.solve(L70, H256, asynchronous=True, interval_s=5, filesystem_bandwidth="10 GB/s")
    # persist (99 s) longer than the interval: the next checkpoint waits for the rest
    assert slow.raw("checkpoint_time") == pytest.approx(slow.raw("snapshot_time") + slow.raw("write_time") - 5)


def test_young_daly_interval_is_optimal_for_sync():
    r = CK.solve(L70, H256, filesystem_bandwidth="200 GB/s")
    mtbf = C.gpu_mtbf * 3600 / 256
    assert r.raw("interval") == pytest.approx(math.sqrt(2 * r.raw("write_time") * mtbf))
    for t in (0.5 * r.raw("interval"), 2 * r.raw("interval")):
        assert CK.solve(L70, H256, filesystem_bandwidth="200 GB/s", interval_s=t).waste_fraction > r.waste_fraction


@settings(max_examples=40, deadline=None)
@given(st.floats(1e9, 1e13), st.floats(10, 1e5), st.booleans())
def test_more_bandwidth_never_costs_more_mfu(bw, interval, asyn):
    a = CK.solve(L70, H256, filesystem_bandwidth=bw, interval_s=interval, asynchronous=asyn)
    b = CK.solve(L70, H256, filesystem_bandwidth=bw * 2, interval_s=interval, asynchronous=asyn)
    assert 0.0 <= b.mfu_loss <= a.mfu_loss < 1.0
    assert b.raw("write_time") <= a.raw("write_time")


@pytest.mark.parametrize("kw,name", [
    ({"model": "x"}, "model"), ({"fleet": 3}, "fleet"), ({"optimizer": "lamb"}, "optimizer"),
    ({"precision": "fp7"}, "precision"), ({"interval_s": 0}, "interval_s"),
    ({"asynchronous": "yes"}, "asynchronous"), ({"filesystem_bandwidth": -1}, "filesystem_bandwidth"),
    ({"filesystem_bandwidth": "2 s"}, "filesystem_bandwidth"), ({"node_bandwidth": 0}, "node_bandwidth"),
    ({"snapshot_bandwidth": "fast"}, "snapshot_bandwidth"), ({"n_writers": 0}, "n_writers"),
    ({"mtbf_hours": -3}, "mtbf_hours")])
def test_checkpoint_errors_name_the_argument(kw, name):
    args = {"model": L70, "fleet": H256, **kw}
    with pytest.raises(SpecError, match=f"^{name}="):
        CK.solve(**args)
