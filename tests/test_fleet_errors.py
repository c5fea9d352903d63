"""Bad input to the fleet-scale solvers: each documented error path, with its message checked."""
from __future__ import annotations

import pytest

from mlsysim_core import (DistributedModel, EconomicsModel, Hardware, MLSysError, Models, OOMError,
                          ParallelismOptimizer, Personas, ReliabilityModel, ScalingModel, Scenarios,
                          SpecError, SustainabilityModel, SynthesisSolver, Systems, UnitError, ureg)

L70, R256 = Models.Llama3_70B, Systems.Clusters.Research_256


def solve(**kw):
    args = dict(model=L70, fleet=R256, batch_size=1024)
    args.update(kw)
    return DistributedModel().solve(**args)


def test_indivisible_tp_names_the_size_and_the_divisor():
    """The DESIGN's example message: 'tp_size=3 ... choose a divisor of 256 / pp_size'."""
    with pytest.raises(SpecError) as e:
        solve(tp_size=3, pp_size=4)
    msg = str(e.value)
    assert "tp_size=3" in msg and "a divisor of 256 / pp_size = 64" in msg and "256 accelerators" in msg
    assert isinstance(e.value, ValueError) and isinstance(e.value, MLSysError)


def test_indivisible_pp_and_ep_name_their_size():
    with pytest.raises(SpecError, match=r"pp_size=3 .*divisor of 256 / tp_size = 32"):
        solve(tp_size=8, pp_size=3)
    with pytest.raises(SpecError, match=r"pp_size=5"):
        solve(pp_size=5)


def test_tp_larger_than_a_node_is_rejected():
    with pytest.raises(SpecError, match=r"tp_size=16 .*at most 8, the accelerators of one NVIDIA DGX H100 node"):
        solve(tp_size=16)


def test_expert_parallelism_needs_a_mixture_of_experts_model():
    with pytest.raises(SpecError, match=r"ep_size=2 .*1 for a dense model.*has no experts"):
        solve(ep_size=2)


def test_expert_parallelism_beyond_the_expert_count():
    with pytest.raises(SpecError, match=r"ep_size=16 .*at most the 8 experts"):
        DistributedModel().solve(Models.Mixtral_8x7B, R256, batch_size=1024, ep_size=16)


def test_batch_smaller_than_data_parallel_degree():
    with pytest.raises(SpecError, match=r"batch_size=16 .*>= dp = 256"):
        solve(batch_size=16)


def test_microbatches_more_than_the_replica_batch():
    with pytest.raises(SpecError, match=r"microbatch_count=300 .*per-replica batch 128"):
        solve(tp_size=8, pp_size=4, microbatch_count=300)


@pytest.mark.parametrize("kw,match", [
    (dict(dp_algorithm="butterfly"), r"dp_algorithm='butterfly' .*auto, ring, tree, hierarchical"),
    (dict(zero_stage=4), r"zero_stage=4 .*0, 1, 2, 3"),
    (dict(efficiency=0.0), r"efficiency=0.0"),
    (dict(efficiency=1.5), r"efficiency=1.5"),
    (dict(precision="fp12"), r"precision='fp12'"),
    (dict(batch_size=-4), r"batch_size=-4"),
    (dict(tp_size=0), r"tp_size=0"),
    (dict(v_stages=0, pp_size=2), r"v_stages=0"),
    (dict(pp_size=128, v_stages=1), r"pp_size=128 .*80 layers"),
    (dict(model=Hardware.H100), r"model=.* a workload"),
    (dict(fleet=Hardware.H100), r"fleet=.* a fleet"),
])
def test_distributed_bad_arguments(kw, match):
    with pytest.raises(SpecError, match=match):
        solve(**kw)


def test_tensor_parallelism_needs_a_transformer():
    fleet = Systems.Clusters.H100_8
    with pytest.raises(SpecError, match=r"tp_size=2 .*1 for ResNet-50"):
        DistributedModel().solve(Models.ResNet50, fleet, batch_size=64, tp_size=2)


def test_raise_errors_reports_the_memory_shortfall():
    with pytest.raises(OOMError, match=r"short by"):
        DistributedModel().solve(L70, Systems.Clusters.H100_8, batch_size=8, raise_errors=True)
    r = DistributedModel().solve(L70, Systems.Clusters.H100_8, batch_size=8)
    assert not r.feasible and r.shortfall.to("GB").magnitude > 0


@pytest.mark.parametrize("days", [-1, 0, float("nan")])
def test_non_positive_or_nan_duration_is_rejected(days):
    with pytest.raises(SpecError, match=r"duration_days="):
        SustainabilityModel().solve(R256, duration_days=days)
    with pytest.raises(SpecError, match=r"duration_days="):
        EconomicsModel().solve(R256, duration_days=days)


def test_duration_with_wrong_units_is_a_unit_error():
    with pytest.raises(UnitError, match=r"duration_days"):
        SustainabilityModel().solve(R256, duration_days=3 * ureg.GB)
    assert SustainabilityModel().solve(R256, duration_days=2 * ureg.week).duration_hours == pytest.approx(336)


def test_unknown_grid_names_it():
    with pytest.raises(SpecError, match=r"datacenter='Atlantis' .*Quebec.*unknown grid"):
        SustainabilityModel().solve(R256, 30, datacenter="Atlantis")
    with pytest.raises(SpecError, match=r"Atlantis"):
        EconomicsModel().solve(R256, 30, datacenter="Atlantis")
    with pytest.raises(SpecError, match=r"datacenter=42"):
        SustainabilityModel().solve(R256, 30, datacenter=42)


@pytest.mark.parametrize("kw,match", [(dict(pue=0.9), r"pue=0.9 .*>= 1.0"), (dict(mfu=1.2), r"mfu=1.2"),
                                      (dict(power_per_accelerator=-5), r"power_per_accelerator=-5")])
def test_sustainability_bad_overrides(kw, match):
    with pytest.raises(SpecError, match=match):
        SustainabilityModel().solve(R256, 30, **kw)


def test_economics_bad_money_and_years():
    with pytest.raises(SpecError, match=r"kwh_price=-0.1"):
        EconomicsModel().solve(R256, 30, kwh_price=-0.1)
    with pytest.raises(SpecError, match=r"depreciation_years=0"):
        EconomicsModel().solve(R256, 30, depreciation_years=0)
    with pytest.raises(SpecError, match=r"utilization=0"):
        EconomicsModel().compare_cloud(R256, utilization=0)


@pytest.mark.parametrize("kw,match", [(dict(job_duration_hours=-1), r"job_duration_hours=-1"),
                                      (dict(checkpoint_time_s=0), r"checkpoint_time_s=0"),
                                      (dict(component_mtbf_hours=-10), r"component_mtbf_hours=-10"),
                                      (dict(checkpoint_interval_s=0), r"checkpoint_interval_s=0")])
def test_reliability_bad_durations(kw, match):
    args = dict(fleet=R256, job_duration_hours=720)
    args.update(kw)
    with pytest.raises(SpecError, match=match):
        ReliabilityModel().solve(**args)


def test_scaling_and_synthesis_bad_input():
    with pytest.raises(SpecError, match=r"compute_budget=-1"):
        ScalingModel().solve(-1)
    with pytest.raises(SpecError, match=r"fleet=None .*when compute_budget is a duration"):
        ScalingModel().solve(30 * ureg.day)
    with pytest.raises(SpecError, match=r"target_latency=-5"):
        SynthesisSolver().solve(Models.Llama3_8B, -5)


def test_synthesis_reports_an_sla_no_zoo_hardware_meets():
    r = SynthesisSolver().solve(Models.Llama3_70B, 1e-4)
    assert r.feasible_in_zoo is False and r.best_candidate is None
    assert "none" in r.explain()


def test_optimizer_reports_infeasible_instead_of_raising():
    r = ParallelismOptimizer().solve(Models.GPT3, Systems.Clusters.H100_8, batch_size=8)
    assert r.feasible is False
    assert "short by" in r.reason
    with pytest.raises(SpecError, match=r"objective='speed'"):
        ParallelismOptimizer().solve(L70, R256, 1024, objective="speed")


def test_unknown_scenario_and_persona():
    with pytest.raises(SpecError, match=r"name='MarsRover' .*FrontierTraining"):
        Scenarios.get("MarsRover")
    with pytest.raises(SpecError, match=r"name='Wizard' .*CloudTitan"):
        Personas.get("Wizard")
    with pytest.raises(SpecError, match=r"tp_size=2 .*single-device"):
        Scenarios.SmartDoorbell.evaluate(tp_size=2)
