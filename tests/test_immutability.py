"""Shared data cannot be changed by a caller (issue 9): registries, their entries and nested
mappings, constants, calibration, the precision table, cached scenarios/personas, and every
container a result hands out."""
from __future__ import annotations

import dataclasses

import pytest

from mlsysim_core import (BYTES_PER_ELEMENT, DistributedModel, Engine, Hardware, Infra, Models,
                          ParallelismOptimizer, Personas, Scenarios, Systems, calibration, constants)

MUTATIONS = (TypeError, AttributeError, dataclasses.FrozenInstanceError)
REGISTRIES = [Hardware, Models, Infra, Systems, Systems.Clusters, Infra.Grids, Hardware.Cloud]


@pytest.mark.parametrize("reg", REGISTRIES, ids=lambda r: r._title)
def test_registry_attributes_cannot_be_rebound(reg):
    first = next(iter(reg))
    with pytest.raises(AttributeError):
        setattr(reg, first.key, None)
    with pytest.raises(AttributeError):
        reg.Cloud = None
    with pytest.raises(AttributeError):
        delattr(reg, first.key)
    assert getattr(reg, first.key) is first


@pytest.mark.parametrize("reg", REGISTRIES, ids=lambda r: r._title)
def test_every_entry_is_frozen_with_read_only_nested_mappings(reg):
    for entry in reg:
        with pytest.raises(MUTATIONS):
            entry.name = "x"
        with pytest.raises(TypeError):
            entry.sources["x"] = "y"
    hw = Hardware.H100
    with pytest.raises(TypeError):
        hw.compute.flops_by_precision["fp16"] = 1.0
    with pytest.raises(MUTATIONS):
        hw.memory.bandwidth_bytes_s = 1.0


def test_a_failed_mutation_changes_no_later_solve():
    before = Engine.solve(Models.Llama3_8B, Hardware.H100).raw("latency")
    with pytest.raises(TypeError):
        Hardware.H100.compute.flops_by_precision["fp16"] = 1.0
    assert Engine.solve(Models.Llama3_8B, Hardware.H100).raw("latency") == before


def test_constants_calibration_and_precision_table_are_read_only():
    c = constants()
    with pytest.raises(AttributeError):
        c.energy_idle_fraction = 0.0
    with pytest.raises(TypeError):
        c._sources["x"] = "y"
    cal = calibration.get()
    with pytest.raises(AttributeError):
        cal.gemm_16bit = 1.0
    with pytest.raises(TypeError):
        cal._values["gemm_16bit"] = 1.0
    with pytest.raises(TypeError):
        BYTES_PER_ELEMENT["fp17"] = 1
    assert "fp17" not in BYTES_PER_ELEMENT


def test_cached_scenarios_and_personas_are_read_only():
    sd = Scenarios.SmartDoorbell
    with pytest.raises(AttributeError):
        sd.sla_ms = -1
    with pytest.raises(AttributeError):
        Scenarios.SmartDoorbell = None
    with pytest.raises(MUTATIONS):
        Personas.CloudTitan.scale_factor = 0
    with pytest.raises(AttributeError):
        Personas.CloudTitan = None
    assert Scenarios.SmartDoorbell.sla_ms > 0


def test_evaluation_containers_are_read_only():
    ev = Scenarios.SmartDoorbell.evaluate()
    with pytest.raises(MUTATIONS):
        ev.details.clear()
    with pytest.raises(TypeError):
        ev.details["profile"] = None
    with pytest.raises(TypeError):
        ev.levels[0].metrics["x"] = 1
    assert isinstance(ev.levels, tuple)


def test_result_containers_are_copies():
    r = DistributedModel().solve(Models.Llama3_8B, Systems.Clusters.H100_64, 256, tp_size=8)
    r.parallelism["dp"] = 0
    r.raw("parallelism")["tp"] = 0
    r.raw()["parallelism"]["pp"] = 0
    assert r.parallelism == {"dp": 8, "tp": 8, "pp": 1, "ep": 1}
    opt = ParallelismOptimizer().solve(Models.Llama3_8B, Systems.Clusters.H100_64, 256)
    first = dict(opt.top_candidates[0])
    opt.top_candidates[0]["tp"] = -1
    opt.top_candidates.clear()
    assert opt.top_candidates[0] == first
    with pytest.raises(AttributeError):
        r.mfu = 1.0
