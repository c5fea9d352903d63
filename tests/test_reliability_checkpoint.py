"""ReliabilityModel's checkpoint write time delta from CheckpointModel (issue 11 B), and
SensitivitySolver passing context parallelism through to the fleet step it perturbs (issue 11 C)."""
from __future__ import annotations

import math

import pytest

from mlsysim_core import (CheckpointModel, DistributedModel, Models, ReliabilityModel, SensitivitySolver, SpecError,
                          Systems, constants)

REL, CK = ReliabilityModel(), CheckpointModel()
H256, L70 = Systems.Clusters.H100_256, Models.Llama3_70B


def test_golden_70b_adam_delta_and_young_daly_interval():
    """Llama 3 70B (70.6 B parameters) in bf16 with Adam: 2 + 12 = 14 B/param = 988 GB; at a
    200 GB/s filesystem (below 32 nodes x 100 GB/s of links) delta = 988 GB / 200 GB/s = 4.94 s,
    and on 256 H100s at 50,000 h each (M = 195.3 h) tau* = sqrt(2 delta M) = 43.9 min."""
    p = L70.parameters_count
    assert constants().adam_state_bytes_per_param == 12.0
    delta = p * (2.0 + 12.0) / 200e9
    assert delta == pytest.approx(4.942, rel=1e-3)
    r = REL.solve(H256, 720, checkpoint_time_s=None, model=L70, optimizer="adam", precision="bf16",
                  filesystem_bandwidth=200e9)
    ck = CK.solve(L70, H256, optimizer="adam", precision="bf16", filesystem_bandwidth=200e9)
    assert r.raw("checkpoint_time") == ck.raw("checkpoint_time") == pytest.approx(delta, rel=1e-12)
    m = constants().gpu_mtbf * 3600.0 / 256
    assert r.raw("fleet_mtbf") == pytest.approx(m, rel=1e-12)
    assert r.raw("optimal_checkpoint_interval") == pytest.approx(math.sqrt(2.0 * delta * m), rel=1e-12)
    assert r.optimal_checkpoint_interval.m_as("minute") == pytest.approx(43.94, rel=1e-3)
    assert r.checkpoint_time_source == "CheckpointModel"
    assert r.raw("checkpoint_size") == pytest.approx(p * 14.0) and r.raw("checkpoint_write_bandwidth") == 200e9
    # the same delta given as a number gives the same answer
    same = REL.solve(H256, 720, checkpoint_time_s=ck.raw("checkpoint_time"))
    assert same.raw("optimal_checkpoint_interval") == r.raw("optimal_checkpoint_interval")
    assert same.raw("goodput_ratio") == r.raw("goodput_ratio")


def test_delta_follows_the_storage_and_the_optimizer():
    fast = REL.solve(H256, 720, checkpoint_time_s=None, model=L70, filesystem_bandwidth="2 TB/s")
    slow = REL.solve(H256, 720, checkpoint_time_s=None, model=L70, filesystem_bandwidth="200 GB/s")
    assert slow.raw("checkpoint_time") == pytest.approx(10 * fast.raw("checkpoint_time"))
    sgd = REL.solve(H256, 720, checkpoint_time_s=None, model=L70, optimizer="sgd")
    assert sgd.raw("checkpoint_time") < REL.solve(H256, 720, checkpoint_time_s=None, model=L70).raw("checkpoint_time")
    # node links bind when the writers are few: n_writers x node_bandwidth < the filesystem
    few = REL.solve(H256, 720, checkpoint_time_s=None, model=L70, n_writers=2, node_bandwidth=10e9)
    assert few.raw("checkpoint_write_bandwidth") == 20e9


def test_numeric_delta_stays_the_default_and_explain_says_where_delta_came_from():
    d = REL.solve(H256, 720)
    assert d.raw("checkpoint_time") == 60.0 and d.checkpoint_time_source == "checkpoint_time_s"
    assert d.checkpoint_size is None
    assert "checkpoint_time_s" in d.explain() and "60 s" in d.explain()
    r = REL.solve(H256, 720, checkpoint_time_s=None, model=L70, filesystem_bandwidth=200e9)
    text = r.explain()
    assert "CheckpointModel" in text and "988 GB" in text and "200 GB/s" in text and "4.94 s" in text


@pytest.mark.parametrize("kw,match", [
    (dict(checkpoint_time_s=None), r"^checkpoint_time_s=None .*model="),
    (dict(model=L70), r"^checkpoint_time_s=60.0 .*None when model= is given"),
    (dict(checkpoint_time_s=None, model="Llama"), r"^model='Llama'"),
    (dict(checkpoint_time_s=None, model=L70, optimizer="lion"), r"^optimizer='lion'"),
    (dict(checkpoint_time_s=None, model=L70, precision="fp3"), r"^precision='fp3'"),
    (dict(checkpoint_time_s=None, model=L70, filesystem_bandwidth=-1), r"^filesystem_bandwidth=-1"),
    (dict(checkpoint_time_s=None, model=L70, n_writers=0), r"^n_writers=0"),
])
def test_checkpoint_arguments_errors_name_the_argument(kw, match):
    with pytest.raises(SpecError, match=match):
        REL.solve(H256, 720, **kw)


def test_model_needs_a_fleet():
    from mlsysim_core import Hardware
    with pytest.raises(SpecError, match=r"^fleet=.*Systems.Clusters"):
        REL.solve(Hardware.H100, 720, checkpoint_time_s=None, model=L70, n_accelerators=256)


# --- SensitivitySolver with context parallelism

H64, L8 = Systems.Clusters.H100_64, Models.Llama3_8B
PLAN = dict(batch_size=64, precision="bf16", seq_len=8192, tp_size=8)


def test_sensitivity_passes_cp_size_to_the_step():
    """CP = 8 on 64 H100s (DP 1) changes the step; the sensitivity baseline is that step."""
    for cp in (1, 8):
        s = SensitivitySolver().solve(L8, H64, cp_size=cp, **PLAN)
        d = DistributedModel().solve(L8, H64, cp_size=cp, **PLAN)
        assert s.raw("baseline_latency") == d.raw("step_latency_total")
        assert s.feasible == d.feasible
    one = SensitivitySolver().solve(L8, H64, cp_size=1, **PLAN)
    eight = SensitivitySolver().solve(L8, H64, cp_size=8, **PLAN)
    assert eight.raw("baseline_latency") != one.raw("baseline_latency")
    assert eight.gains != one.gains


@pytest.mark.parametrize("cp,match", [(0, r"^cp_size=0 .*integer >= 1"), ("2", r"^cp_size='2'"),
                                      (2.5, r"^cp_size=2.5"), (True, r"^cp_size=True"),
                                      (3, r"^cp_size=3 .*divisor"), (16, r"^cp_size=16 .*divisor")])
def test_sensitivity_cp_size_errors_name_it(cp, match):
    with pytest.raises(SpecError, match=match):
        SensitivitySolver().solve(L8, H64, cp_size=cp, **PLAN)


def test_sensitivity_cp_size_must_divide_seq_len_and_needs_a_transformer():
    with pytest.raises(SpecError, match=r"^cp_size=8 .*seq_len = 1002"):
        SensitivitySolver().solve(L8, H64, batch_size=64, precision="bf16", seq_len=1002, tp_size=8, cp_size=8)
    with pytest.raises(SpecError, match=r"^cp_size=2 .*1 for ResNet"):
        SensitivitySolver().solve(Models.ResNet50, H64, batch_size=64, cp_size=2)
