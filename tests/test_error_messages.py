"""Error messages (issue 9): each names the argument as the caller wrote it, the value
(shortened when long) and what is allowed. First the checks module itself, then one test per
error path of the entry points hardened here."""
from __future__ import annotations

import math

import pytest

from mlsysim_core import MLSysError, Q_, SpecError, UnitError, checks
from mlsysim_core.errors import short


def msg_of(fn) -> str:
    with pytest.raises(SpecError) as info:
        fn()
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, MLSysError)
    return str(e)


def has(msg, *parts):
    for p in parts:
        assert p in msg, f"{p!r} not in {msg!r}"


# ----------------------------------------------------------------------------- checks module

@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), 1e31, 1e-31, "1", None, True, [1]])
def test_positive_refuses(bad):
    has(msg_of(lambda: checks.positive("bandwidth", bad, unit="byte/s")), "bandwidth=", repr(bad)[:4],
        "a positive number", "1e+30", "byte/s")


def test_positive_accepts_quantities_and_converts():
    assert checks.positive("bandwidth", Q_(2, "GB/s"), unit="byte/s") == pytest.approx(2e9)
    assert checks.non_negative("latency", 0, unit="s") == 0.0
    e = pytest.raises(UnitError, checks.positive, "bandwidth", Q_(2, "s"), unit="byte/s").value
    has(str(e), "bandwidth=", "byte/s")


@pytest.mark.parametrize("bad", [1.5, True, "8", None, float("nan"), 0, 2 ** 53 + 1, 1e300, [2]])
def test_integer_refuses(bad):
    has(msg_of(lambda: checks.positive_int("batch_size", bad)), "batch_size=", "an integer >= 1")


def test_integer_accepts_integral_floats_and_quantities():
    assert checks.positive_int("n", 8.0) == 8 and type(checks.positive_int("n", 8.0)) is int
    assert checks.integer("n", Q_(3, "dimensionless")) == 3
    assert checks.integer("zero_stage", 0, minimum=0, maximum=3) == 0


def test_fraction_probability_efficiency():
    assert checks.fraction("mfu", 1) == 1.0
    has(msg_of(lambda: checks.fraction("mfu", 0)), "mfu=0", "(0, 1]")
    has(msg_of(lambda: checks.probability("quantile", 1.0, hi_open=True)), "quantile=1.0", "[0, 1)")
    has(msg_of(lambda: checks.efficiency("efficiency", 1e-308)), "efficiency=1e-308", "(0, 1]", "1e-06")
    assert checks.efficiency("efficiency", 0.5) == 0.5


@pytest.mark.parametrize("bad", ["no", "yes", 0, 1, None, "True"])
def test_flag_is_strict(bad):
    has(msg_of(lambda: checks.flag("overlap_comm", bad)), f"overlap_comm={bad!r}", "True or False")


@pytest.mark.parametrize("bad", [[1], {"a": 1}, "x", True, 1.5])
def test_choice_refuses_unhashable_and_bool(bad):
    has(msg_of(lambda: checks.choice("zero_stage", bad, (0, 1, 2, 3))), "zero_stage=", "one of 0, 1, 2, 3")


def test_sequence_refuses_strings_and_checks_items():
    has(msg_of(lambda: checks.sequence("hardware_list", "H100")), "hardware_list='H100'", "a list or tuple")
    has(msg_of(lambda: checks.sequence("pp_sizes", [2, 0], checks.positive_int)), "pp_sizes[1]=0", "integer >= 1")
    assert checks.sequence("pp_sizes", (2, 4.0), checks.positive_int) == (2, 4)
    has(msg_of(lambda: checks.sequence("xs", [], min_len=1)), "xs=[]", "at least 1 item")
    has(msg_of(lambda: checks.sequence("xs", range(10), max_len=3)), "xs=range(0, 10)", "1 to 3 items")


def test_instance_names_what_is_expected():
    has(msg_of(lambda: checks.instance("result", 3, dict, "a result of SomeSolver")), "result=3", "SomeSolver")


def test_quantity_of_a_dimension():
    assert checks.quantity("budget_usd", Q_(100, "USD"), "USD") == 100.0
    with pytest.raises(UnitError, match="budget_usd"):
        checks.quantity("budget_usd", Q_(100, "s"), "USD")


def test_long_values_are_shortened():
    m = msg_of(lambda: checks.positive_int("batch_size", 10 ** 308))
    assert "309-digit integer" in m and len(m) < 200
    m = msg_of(lambda: checks.sequence("xs", "x" * 5000))
    assert "…" in m and len(m) < 200
    assert short(Q_(100, "USD")) == "100 USD"


def test_bounds_keep_products_finite():
    # the documented reason for HUGE/TINY: ten inputs multiplied or divided stay finite
    assert math.isfinite(checks.HUGE ** 10) and checks.TINY ** 10 > 0
    assert float(checks.MAX_COUNT) == checks.MAX_COUNT and float(checks.MAX_COUNT + 1) != checks.MAX_COUNT + 1
