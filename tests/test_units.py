"""Units (DESIGN 5): one registry, FLOP as its own dimension, USD, decimal prefixes, precisions."""
from __future__ import annotations

import math

import pint
import pytest

import mlsysim_core
from mlsysim_core import BYTES_PER_ELEMENT, PRECISIONS, Hardware, Q_, SpecError, UnitError, ureg
from mlsysim_core.units import bytes_per_element, canonical_precision, magnitude, q


def test_one_registry_everywhere():
    assert Q_ is ureg.Quantity
    assert mlsysim_core.ureg is ureg
    assert Hardware.H100.compute.peak_flops._REGISTRY is ureg
    assert Hardware.H100.memory.bandwidth._REGISTRY is ureg
    # quantities from the package combine with user-made ones without registry errors
    assert (Hardware.H100.memory.bandwidth * Q_(1, "s")).to("GB").magnitude == pytest.approx(3350)


@pytest.mark.parametrize("text,flop", [("1 FLOP", 1), ("3 FLOPs", 3), ("2 flops", 2), ("5 flop", 5),
                                        ("2.1 MFLOP", 2.1e6), ("4 GFLOPs", 4e9), ("3.15e23 FLOP", 3.15e23)])
def test_flop_parses(text, flop):
    assert ureg(text).to("FLOP").magnitude == pytest.approx(flop, rel=1e-12)


@pytest.mark.parametrize("unit,factor", [("TFLOPs/s", 1e12), ("TFLOP/s", 1e12), ("PFLOP/s", 1e15),
                                         ("GFLOPs/s", 1e9), ("FLOP/s", 1.0)])
def test_flop_rates_parse_with_decimal_prefixes(unit, factor):
    assert Q_(1, unit).to("FLOP/s").magnitude == pytest.approx(factor, rel=1e-12)


def test_flop_is_its_own_dimension():
    assert Q_(1, "FLOP").dimensionality == ureg.Unit("flop").dimensionality
    assert Q_(1, "FLOP").dimensionality != Q_(1, "B").dimensionality
    assert not Q_(1, "FLOP/B").dimensionless                     # intensity keeps its FLOP


@pytest.mark.parametrize("src,dst", [("TFLOP/s", "TB/s"), ("TB/s", "TFLOP/s"), ("FLOP/s", "B/s"),
                                     ("GB/s", "FLOP/s"), ("FLOP", "B"), ("FLOP/B", "dimensionless")])
def test_flop_rate_never_converts_to_bandwidth(src, dst):
    with pytest.raises(pint.DimensionalityError):
        Q_(1, src).to(dst)


def test_adding_flop_rate_to_bandwidth_raises():
    hw = Hardware.H100
    with pytest.raises(pint.DimensionalityError):
        hw.compute.peak_flops + hw.memory.bandwidth
    with pytest.raises(pint.DimensionalityError):
        hw.memory.bandwidth.to("FLOP/s")


def test_ridge_point_units_cancel_to_flop_per_byte():
    r = Hardware.H100.compute.peak_flops / Hardware.H100.memory.bandwidth
    assert r.to("FLOP/B").magnitude == pytest.approx(989 / 3.35, rel=1e-9)


def test_usd_is_a_currency():
    total = Q_(1_234_567.4, "USD") + Q_(10, "usd")
    assert total.to("USD").magnitude == pytest.approx(1_234_577.4)
    assert f"{total:,.0f}" == "1,234,577 USD"
    assert str(Q_(5, "USD")) == "5 USD"
    assert (Q_(0.08, "USD/kWh") * Q_(1000, "kWh")).to("USD").magnitude == pytest.approx(80)
    for other in ("W", "B", "FLOP", "dimensionless"):
        with pytest.raises(pint.DimensionalityError):
            Q_(1, "USD").to(other)


@pytest.mark.parametrize("unit,nbytes", [("B", 1), ("KB", 1e3), ("kB", 1e3), ("MB", 1e6), ("GB", 1e9),
                                         ("TB", 1e12), ("KiB", 2**10), ("MiB", 2**20), ("GiB", 2**30)])
def test_byte_prefixes_decimal_and_binary(unit, nbytes):
    assert Q_(1, unit).to("B").magnitude == pytest.approx(nbytes, rel=1e-12)


def test_h100_80gb_hbm_is_80_gib():
    """'80GB' HBM parts hold 80 GiB: the spec is binary, the display decimal (85.9 GB)."""
    assert Hardware.H100.memory.capacity.to("GiB").magnitude == pytest.approx(80)
    assert Hardware.H100.memory.capacity.to("GB").magnitude == pytest.approx(85.9, rel=1e-3)


@pytest.mark.parametrize("precision,nbytes", [("fp32", 4), ("tf32", 4), ("bf16", 2), ("fp16", 2), ("fp8", 1),
                                              ("int8", 1), ("int4", 0.5)])
def test_bytes_per_element(precision, nbytes):
    assert BYTES_PER_ELEMENT[precision] == nbytes
    assert bytes_per_element(precision) == nbytes
    assert bytes_per_element(precision.upper()) == nbytes
    assert canonical_precision(precision.upper()) == precision


def test_precisions_are_exactly_the_nine():
    assert set(PRECISIONS) == {"fp32", "tf32", "bf16", "fp16", "fp8", "fp6", "fp4", "int8", "int4"}
    assert BYTES_PER_ELEMENT["fp4"] == 0.5 and BYTES_PER_ELEMENT["fp6"] == 0.75


@pytest.mark.parametrize("bad", ["fp64", "int2", "", None, 16])
def test_unknown_precision_is_rejected(bad):
    with pytest.raises(SpecError) as e:
        bytes_per_element(bad)
    assert "precision" in str(e.value) and repr(bad) in str(e.value) and "fp16" in str(e.value)


def test_magnitude_boundary_helper():
    assert magnitude(Q_(3.35, "TB/s"), "byte/s", "bw") == pytest.approx(3.35e12)
    assert magnitude(7, "s", "t") == 7.0                          # bare numbers: already canonical
    with pytest.raises(UnitError) as e:
        magnitude(Q_(1, "TFLOP/s"), "byte/s", "bandwidth")
    assert "bandwidth" in str(e.value) and "byte/s" in str(e.value)
    for bad in (float("nan"), float("inf"), Q_(math.nan, "s")):
        with pytest.raises(SpecError, match="finite"):
            magnitude(bad, "s", "duration")
    for bad in (True, "3 s", None, [1]):
        with pytest.raises(SpecError, match="duration"):
            magnitude(bad, "s", "duration")


def test_q_builds_quantities_in_the_shared_registry():
    a = q(2.5, "ms")
    assert a.to("s").magnitude == pytest.approx(2.5e-3)
    assert a._REGISTRY is ureg


def test_hardware_quantities_have_units():
    a100 = Hardware.A100
    assert a100.compute.peak_flops.to("TFLOPs/s").magnitude == pytest.approx(312.0)
    assert a100.memory.bandwidth.to("TB/s").magnitude == pytest.approx(2.0, rel=0.03)
    assert a100.tdp.to("W").magnitude == pytest.approx(400)
    assert a100.dispatch_tax.check("[time]")


def test_registry_reads_the_shipped_pint_cache_when_the_wheel_has_one(tmp_path, monkeypatch):
    """The labs site's wheel carries pint's parsed definitions (build_wasm.pint_cache); elsewhere
    pint's own per-user cache is used."""
    from mlsysim_core import units
    monkeypatch.setattr(units, "SHIPPED_PINT_CACHE", tmp_path / "_pint_cache")
    assert units._cache_folder() == ":auto:"
    (tmp_path / "_pint_cache").mkdir()
    assert units._cache_folder() == tmp_path / "_pint_cache"
