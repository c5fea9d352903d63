"""LifecycleModel: where a model's money goes across data, experiments, training, serving, retraining."""
from __future__ import annotations

import pytest

from mlsysim_core import Hardware, LifecycleModel, Models, SpecError, constants
from mlsysim_core.formulas import calc_experiment_gpu_hours, calc_people_cost, calc_serving_gpu_hours
from mlsysim_core.solvers.training import TrainingTimeModel

LM = LifecycleModel()


def test_training_phase_is_the_training_time_model():
    r = LM.solve(Models.Llama3_8B, Hardware.H100, n_accelerators=64, n_tokens=1e11)
    t = TrainingTimeModel().solve(Models.Llama3_8B, hardware=Hardware.H100, n_accelerators=64, n_tokens=1e11)
    assert r.training_gpu_hours == pytest.approx(t.gpu_hours)
    assert r.training_cost_usd == pytest.approx(t.gpu_hours * constants().cloud_gpu_hour_price)


def test_data_share_anaconda_2020():
    """45 % of people time on data loading + cleansing (Anaconda 2020 survey)."""
    r = LM.solve(Models.Llama3_8B, Hardware.H100, n_tokens=1e10, engineer_hours=1000, engineer_hour_cost=100)
    assert constants().lifecycle_data_prep_share == pytest.approx(0.45)
    assert r.data_cost_usd == pytest.approx(45_000.0)
    assert r.data_cost_usd + r.engineering_cost_usd == pytest.approx(100_000.0)


def test_phases_sum_and_tax():
    r = LM.solve(Models.Llama3_8B, Hardware.H100, n_tokens=1e11, queries_per_day=1e6)
    rows = r.breakdown()
    assert [x["phase"] for x in rows] == ["data", "experiments", "training", "engineering", "serving", "retraining"]
    assert sum(x["share"] for x in rows) == pytest.approx(1.0)
    assert r.constraint_tax == pytest.approx(r.total_cost_usd / r.training_cost_usd)
    assert r.constraint_tax > 1.0


def test_formulas():
    assert calc_experiment_gpu_hours(20, 0.05, 1000).m_as("hour") == pytest.approx(1000.0)
    assert calc_serving_gpu_hours(86400, 1.0, 1).m_as("hour") == pytest.approx(24.0)
    assert calc_people_cost(10, 100, 0.5).m_as("USD") == pytest.approx(500.0)


def test_more_queries_more_serving_only():
    a = LM.solve(Models.Llama3_8B, Hardware.H100, n_tokens=1e11, queries_per_day=1e5)
    b = LM.solve(Models.Llama3_8B, Hardware.H100, n_tokens=1e11, queries_per_day=1e7)
    assert b.serving_cost_usd == pytest.approx(100 * a.serving_cost_usd)
    assert b.training_cost_usd == a.training_cost_usd


@pytest.mark.parametrize("kwargs,name", [
    (dict(n_accelerators=0), "n_accelerators"), (dict(years=0), "years"),
    (dict(data_prep_share=1.5), "data_prep_share"), (dict(experiment_size=0), "experiment_size"),
    (dict(queries_per_day=-1), "queries_per_day"), (dict(serving_batch=0), "serving_batch"),
])
def test_errors_name_the_argument(kwargs, name):
    with pytest.raises(SpecError, match=rf"^{name}="):
        LM.solve(Models.Llama3_8B, Hardware.H100, n_tokens=1e10, **kwargs)


def test_model_and_hardware_checked():
    with pytest.raises(SpecError, match="^model="):
        LM.solve("llama", Hardware.H100)
    with pytest.raises(SpecError, match="^hardware="):
        LM.solve(Models.Llama3_8B, "H100")
