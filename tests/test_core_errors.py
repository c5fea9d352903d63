"""Bad input (DESIGN 7 and 10.4): each documented error path, and its message.

Every message must name the argument, the bad value and what is allowed; input errors are
SpecError (a ValueError) and never a traceback from deep inside the engine. Infeasible plans
report feasible=False with the shortfall, and raise OOMError only when asked to.
"""
from __future__ import annotations

import math

import pytest

from mlsysim_core import (CompressionModel, Engine, Hardware, InfeasibleError, MLSysError, Models,
                          OOMError, Q_, ServingModel, SpecError, UnitError, calc_energy,
                          calc_ring_allreduce_time, calc_ridge_point, calc_roofline_time)

H100, A100 = Hardware.H100, Hardware.A100


def raises(exc, fn, *parts):
    """Call fn, expect ``exc``; every part must appear in the message. Returns the exception."""
    with pytest.raises(exc) as info:
        fn()
    msg = str(info.value)
    for part in parts:
        assert part in msg, f"{part!r} not in {msg!r}"
    return info.value


# ----------------------------------------------------------------------------- precision

@pytest.mark.parametrize("solve", [
    lambda p: Engine.solve(Models.ResNet50, H100, precision=p),
    lambda p: ServingModel().solve(Models.Llama3_8B, H100, precision=p),
    lambda p: ServingModel().solve(Models.Llama3_8B, H100, kv_precision=p),
    lambda p: CompressionModel().solve(Models.Llama3_8B, H100, baseline_precision=p),
], ids=["engine", "serving", "serving-kv", "compression-baseline"])
def test_unknown_precision(solve):
    e = raises(SpecError, lambda: solve("fp7"), "precision", "'fp7'", "fp32", "fp16", "int8", "int4")
    assert isinstance(e, ValueError) and isinstance(e, MLSysError)


@pytest.mark.parametrize("bad", [None, 16, ""])
def test_non_string_precision(bad):
    raises(SpecError, lambda: Engine.solve(Models.ResNet50, H100, precision=bad), "precision", repr(bad), "fp16")


def test_precision_is_case_insensitive():
    assert Engine.solve(Models.ResNet50, H100, precision="FP16").precision == "fp16"


# ----------------------------------------------------------------------------- batch size

@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "8"])
@pytest.mark.parametrize("solver", ["engine", "serving", "compression"])
def test_bad_batch_size(bad, solver):
    call = {"engine": lambda: Engine.solve(Models.ResNet50, H100, batch_size=bad),
            "serving": lambda: ServingModel().solve(Models.Llama3_8B, H100, batch_size=bad),
            "compression": lambda: CompressionModel().solve(Models.ResNet50, H100, batch_size=bad)}[solver]
    raises(SpecError, call, "batch_size", repr(bad), "integer >= 1")


def test_integral_float_batch_is_accepted():
    assert Engine.solve(Models.ResNet50, H100, batch_size=8.0).batch_size == 8


@pytest.mark.parametrize("bad", [0, -5, 2.5])
def test_bad_seq_len(bad):
    raises(SpecError, lambda: ServingModel().solve(Models.Llama3_8B, H100, seq_len=bad), "seq_len", repr(bad),
           "integer >= 1")


# ----------------------------------------------------------------------------- efficiency

@pytest.mark.parametrize("bad", [0, 0.0, 1.5, -0.1, float("nan"), float("inf"), "0.5"])
@pytest.mark.parametrize("solver", ["engine", "serving", "compression"])
def test_bad_efficiency(bad, solver):
    call = {"engine": lambda: Engine.solve(Models.ResNet50, H100, efficiency=bad),
            "serving": lambda: ServingModel().solve(Models.Llama3_8B, H100, efficiency=bad),
            "compression": lambda: CompressionModel().solve(Models.ResNet50, H100, efficiency=bad)}[solver]
    raises(SpecError, call, "efficiency", repr(bad), "(0, 1")


def test_efficiency_one_is_allowed():
    assert Engine.solve(Models.ResNet50, H100, efficiency=1.0).efficiency == 1.0


# ----------------------------------------------------------------------------- calc_* inputs

@pytest.mark.parametrize("bad", [-1, -1e-9, Q_(-2, "FLOP")])
def test_negative_quantity_to_calc(bad):
    raises(SpecError, lambda: calc_roofline_time(bad, Q_(1, "B"), Q_(1, "TFLOP/s"), Q_(1, "TB/s")),
           "flops", "-", "non-negative")


@pytest.mark.parametrize("bad", [float("nan"), Q_(float("nan"), "GB"), float("inf")])
def test_nan_or_inf_quantity_to_calc(bad):
    raises(SpecError, lambda: calc_ring_allreduce_time(bad, 8, Q_(50, "GB/s")), "message_size",
           "finite number")


def test_wrong_units_to_calc():
    e = raises(UnitError, lambda: calc_ridge_point(Q_(3.35, "TB/s"), Q_(3.35, "TB/s")),
               "peak_flops", "3.35 TB/s", "flop/s")
    assert isinstance(e, SpecError) and isinstance(e, ValueError)
    raises(UnitError, lambda: calc_energy(Q_(1, "kWh"), Q_(1, "hour")), "power", "kW")
    raises(UnitError, lambda: calc_ring_allreduce_time(Q_(1, "GB"), Q_(8, "s"), Q_(1, "GB/s")),
           "n_workers", "8 s", "dimensionless")


def test_non_number_to_calc():
    raises(SpecError, lambda: calc_ridge_point("989 TFLOP/s", Q_(1, "TB/s")), "peak_flops", "'989 TFLOP/s'",
           "a number or a pint Quantity")


def test_bare_numbers_are_canonical_units():
    assert calc_ridge_point(989e12, 3.35e12).magnitude == pytest.approx(295.2, rel=1e-3)


# ----------------------------------------------------------------------------- wrong kinds of spec

@pytest.mark.parametrize("bad", ["ResNet50", None, 42, H100])
def test_non_model_as_model(bad):
    for call in (lambda: Engine.solve(bad, H100), lambda: CompressionModel().solve(bad, H100)):
        raises(SpecError, call, "model=", "Models")


@pytest.mark.parametrize("bad", ["H100", None, 3.35e12, Models.ResNet50])
def test_non_hardware_as_hardware(bad):
    for call in (lambda: Engine.solve(Models.ResNet50, bad), lambda: ServingModel().solve(Models.Llama3_8B, bad),
                 lambda: CompressionModel().solve(Models.ResNet50, bad)):
        raises(SpecError, call, "hardware=", "Hardware")


@pytest.mark.parametrize("name", ["ResNet50", "MobileNetV2", "DLRM"])
def test_non_transformer_to_serving(name):
    model = getattr(Models, name)
    raises(SpecError, lambda: ServingModel().solve(model, H100), "model=", model.name, "transformer")


def test_string_to_serving():
    raises(SpecError, lambda: ServingModel().solve("Llama3_8B", H100), "model=", "'Llama3_8B'", "transformer")


# ----------------------------------------------------------------------------- compression

def test_compression_bad_method():
    raises(SpecError, lambda: CompressionModel().solve(Models.Llama3_8B, H100, method="magic"),
           "method", "'magic'", "quantization", "pruning", "distillation")


@pytest.mark.parametrize("bad", [3, 2, 0, 12, "4"])
def test_compression_bad_bitwidth(bad):
    raises(SpecError, lambda: CompressionModel().solve(Models.Llama3_8B, H100, target_bitwidth=bad),
           "target_bitwidth", repr(bad), "32", "16", "8", "4")


@pytest.mark.parametrize("bad", [1.0, 1.5, -0.1, float("nan")])
def test_compression_bad_sparsity(bad):
    raises(SpecError, lambda: CompressionModel().solve(Models.Llama3_8B, H100, method="pruning", sparsity=bad),
           "sparsity", repr(bad), "[0, 0.99]")


def test_compression_bad_sparsity_type():
    raises(SpecError, lambda: CompressionModel().solve(Models.Llama3_8B, H100, method="pruning", sparsity=0.5,
                                                       sparsity_type="diagonal"),
           "sparsity_type", "'diagonal'", "unstructured", "structured", "n_m")


@pytest.mark.parametrize("bad", [0, 1.5, -0.5])
def test_compression_bad_distillation_size_ratio(bad):
    raises(SpecError, lambda: CompressionModel().solve(Models.Llama3_8B, H100, method="distillation",
                                                       size_ratio=bad), "size_ratio", repr(bad), "(0, 1")


# ----------------------------------------------------------------------------- infeasible plans

def test_infeasible_engine_reports_shortfall_without_raising():
    p = Engine.solve(Models.Llama3_70B, H100)       # 141 GB of fp16 weights vs 80 GiB of HBM
    assert p.feasible is False
    short = p.raw("memory_footprint") - H100.memory.capacity_bytes
    assert short > 50e9
    assert p.raw("shortfall") == pytest.approx(short)
    assert p.shortfall.to("GB").magnitude == pytest.approx(short / 1e9)
    assert math.isfinite(p.raw("latency"))            # still a full answer


def test_infeasible_engine_raises_oom_only_when_asked():
    with pytest.raises(OOMError) as info:
        Engine.solve(Models.Llama3_70B, H100, raise_errors=True)
    e = info.value
    assert isinstance(e, InfeasibleError) and isinstance(e, MLSysError) and not isinstance(e, ValueError)
    assert e.required_bytes == pytest.approx(Models.Llama3_70B.weight_bytes("fp16"))
    assert e.available_bytes == H100.memory.capacity_bytes
    for part in (Models.Llama3_70B.name, H100.name, "short by", "GB"):
        assert part in str(e)
    # a plan that fits does not raise
    assert Engine.solve(Models.Llama3_8B, H100, raise_errors=True).feasible is True


def test_infeasible_serving_reports_then_raises_when_asked():
    r = ServingModel().solve(Models.Llama3_70B, H100, seq_len=4096, batch_size=1)
    assert r.feasible is False and r.memory_utilization > 1.0
    assert r.raw("shortfall") == pytest.approx(r.raw("total_memory_required") - H100.memory.capacity_bytes)
    with pytest.raises(OOMError) as info:
        ServingModel().solve(Models.Llama3_70B, H100, seq_len=4096, batch_size=1, raise_errors=True)
    assert info.value.required_bytes == pytest.approx(r.raw("total_memory_required"))
    assert "short by" in str(info.value) and "KV" in str(info.value)
    assert ServingModel().solve(Models.Llama3_8B, H100, seq_len=4096, raise_errors=True).feasible is True


def test_int4_makes_70b_fit_where_fp16_does_not():
    """The fix the failure message points to: 70.6B x 0.5 B = 35 GB fits in 80 GiB."""
    assert Engine.solve(Models.Llama3_70B, H100, precision="int4").feasible is True
    assert CompressionModel().solve(Models.Llama3_70B, H100, target_bitwidth=4).fits is True
    assert CompressionModel().solve(Models.Llama3_70B, H100, target_bitwidth=16).fits is False
