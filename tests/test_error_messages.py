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


# ----------------------------------------------------------------------------- entry points

from mlsysim_core import (CompressionModel, DataScalingModel, DistributedModel, DriftModel,  # noqa: E402
                          EconomicsModel, EffectiveFlopsModel, Engine, Hardware, Models, ParallelismOptimizer,
                          ReliabilityModel, ScaleModel, Scenarios, SensitivitySolver, ServingFleetModel,
                          SustainabilityModel, Systems, TopologyModel, calibration,
                          calc_breakeven_utilization, calc_erlang_b, calc_kv_cache_bytes, calc_mfu,
                          calc_pipeline_bubble, calc_activation_memory, calc_ring_allreduce_time,
                          constants, plot_bubble, plot_young_daly)

L8, H100, H64 = Models.Llama3_8B, Hardware.H100, Systems.Clusters.H100_64


@pytest.mark.parametrize("call,parts", [
    (lambda: Engine.solve(L8, H100, precision=["fp16"]), ("precision=['fp16']", "fp16, fp8")),
    (lambda: Engine.solve(L8, H100, is_training=True, dp_size=0), ("dp_size=0", "integer >= 1")),
    (lambda: Engine.solve(L8, H100, is_training="no"), ("is_training='no'", "True or False")),
    (lambda: Engine.sweep(L8, "H100"), ("hardware_list='H100'", "a list or tuple")),
    (lambda: Engine.solve(L8, H100, batch_size=1e308), ("batch_size=1e+308", "<= 9,007,199,254,740,992")),
    (lambda: CompressionModel().solve(L8, H100, baseline_precision=0), ("baseline_precision=0", "fp16")),
    (lambda: CompressionModel().solve(L8, H100, target_bitwidth=[8]), ("target_bitwidth=[8]", "one of 32, 16, 8, 4")),
    (lambda: DistributedModel().solve(L8, H64, 256, overlap_comm="no"), ("overlap_comm='no'", "True or False")),
    (lambda: SustainabilityModel().solve(H100, 30, n_accelerators=0), ("n_accelerators=0", "positive")),
    (lambda: EconomicsModel().solve(H100, 30, n_accelerators=-1), ("n_accelerators=-1", "positive")),
    (lambda: ReliabilityModel().solve(H100, 24, n_accelerators=0), ("n_accelerators=0", "positive")),
    (lambda: EconomicsModel.cost_per_tflop_hour(0, 3.0), ("hardware=0", "accelerator from Hardware")),
    (lambda: EconomicsModel().compare_cloud(H64, cloud_gpu_hour_price=0), ("cloud_gpu_hour_price=0", "positive price")),
    (lambda: EconomicsModel().serving_vs_training(1e6, 10, -1, 0.01), ("requests_per_user_per_day=-1", ">= 0")),
    (lambda: EffectiveFlopsModel().solve(H64, distributed=3), ("distributed=3", "a DistributedResult")),
    (lambda: SensitivitySolver().solve(L8, H100, perturbation_pct=1e-308), ("perturbation_pct=1e-308", "(0, 100]")),
    (lambda: ParallelismOptimizer().solve(L8, H64, 256, microbatch_counts=[0]), ("microbatch_counts[0]=0", "integer >= 1")),
    (lambda: ParallelismOptimizer().solve(L8, H64, 256, max_tp="8"), ("max_tp='8'", "integer >= 1")),
    (lambda: ParallelismOptimizer().solve(L8, H64, 10 ** 30), ("batch_size=1.000e+30 (a 31-digit integer)",)),
    (lambda: Scenarios.SmartDoorbell.evaluate(budget_usd=-5), ("budget_usd=-5", "budget >= 0")),
    (lambda: plot_bubble(pp_sizes=[1, 0]), ("pp_sizes[1]=0", "integer >= 1")),
    (lambda: plot_bubble(max_microbatches=10 ** 6), ("max_microbatches=1000000", "<= 10,000")),
    (lambda: plot_young_daly(120, 3, width="wide"), ("width='wide'", "integer >= 10")),
    (lambda: calibration.gemm("fp17"), ("precision='fp17'", "fp16")),
    (lambda: calibration.source("nope"), ("regime='nope'", "gemm_16bit")),
    (lambda: constants().source("nope"), ("name='nope'", "the name of a constant")),
    (lambda: DistributedModel().solve(L8, H64, 256).breakdown("us"), ("unit='us'", "one of s, ms")),
    (lambda: Engine.solve(L8, H100).raw("nope"), ("name='nope'", "a field of this result")),
    (lambda: Hardware.get(["H100"]), ("key=['H100']", "a str")),
    (lambda: calc_kv_cache_bytes(-80, 8, 128, 4096), ("n_layers=-80", "an integer >= 0")),
    (lambda: calc_pipeline_bubble(0, 8), ("n_stages=0", "integer >= 1")),
    (lambda: calc_ring_allreduce_time(1e9, 8, 0), ("bandwidth=0", "positive", "divided by")),
    (lambda: calc_activation_memory(32, 2048, 1, 4096, 32, strategy="partial"), ("strategy='partial'", "none, selective, full")),
    (lambda: calc_mfu(2e15, 1e15), ("achieved_flops=2000000000000000.0", "at most peak_flops")),
    (lambda: calc_erlang_b(10 ** 6, 1e20), ("offered_load=1e+20", "at most 1e+08")),
    # the list arguments of curve / sweep methods: the list itself, and an item by its index
    (lambda: DataScalingModel().epoch_curve(8e9, 1e12, 3.0), ("epochs=3.0", "a list or tuple of 1 to 200")),
    (lambda: DriftModel().curve(1e4, 30.0), ("intervals_days=30.0", "a list or tuple of 1 to 400")),
    (lambda: DriftModel().curve(1e4, [30.0, 0]), ("intervals_days[1]=0", "a positive number")),
    (lambda: ScaleModel().sweep(L8, H64, [8, 1]), ("sizes[1]=1", "an integer >= 8")),
    (lambda: ServingFleetModel.curve(ServingFleetModel().solve(L8, H100, 10.0, 2000.0), replicas=5),
     ("replicas=5", "a list or tuple of 1 to 1000")),
    (lambda: TopologyModel().solve(H64, link_bandwidth=1e308), ("link_bandwidth=1e+308", "up to 1e+30")),
    (lambda: TopologyModel().solve(H64, message_bytes=1e308), ("message_bytes=1e+308", "up to 1e+30")),
])
def test_message_names_argument_value_and_allowed(call, parts):
    has(msg_of(call), *parts)


def test_item_of_names_the_item_only_for_the_inner_argument():
    def inner(n_accelerators, other=1):
        checks.integer("n_accelerators", n_accelerators, minimum=8)
        checks.integer("other", other, minimum=1)
    with pytest.raises(SpecError) as e, checks.item_of("sizes[2]", 4, "n_accelerators"):
        inner(4)
    has(str(e.value), "sizes[2]=4", "an integer >= 8")
    with pytest.raises(SpecError) as e, checks.item_of("sizes[0]", 16, "n_accelerators"):
        inner(16, other=0)   # another argument's error is left as it is
    has(str(e.value), "other=0")


def test_engine_sweep_solves_every_combination():
    rows = Engine.sweep(L8, [H100, Hardware.A100], batch_sizes=(1, 8), precisions=("fp16", "int8"))
    assert [(r["hardware"], r["batch_size"], r["precision"]) for r in rows] == [
        (h, b, p) for h in (H100, Hardware.A100) for b in (1, 8) for p in ("fp16", "int8")]
    for r in rows:
        want = Engine.solve(L8, r["hardware"], r["batch_size"], r["precision"])
        assert r["profile"].latency == want.latency and r["profile"].bottleneck == want.bottleneck
    has(msg_of(lambda: Engine.sweep(L8, [H100, "A100"])), "hardware_list[1]='A100'", "an accelerator")
    has(msg_of(lambda: Engine.sweep(L8, [H100], batch_sizes=[1, 0])), "batch_sizes[1]=0")


def test_documented_answers_instead_of_nonsense():
    assert calc_breakeven_utilization(1000.0, 0.01, 0.5) == math.inf      # never breaks even
    r = EconomicsModel().compare_cloud(Systems.Clusters.H100_64, cloud_gpu_hour_price=0.01)
    assert r.breakeven_utilization == math.inf and "never breaks even" in r.explain()
    opt = ParallelismOptimizer().solve(L8, H64, 256, max_step_time=1e-6)
    assert not opt.feasible and "step-time limit" in opt.reason
    assert opt.best_memory_per_accelerator_gb <= H100.memory.capacity_bytes / 1e9
    assert Scenarios.SmartDoorbell.evaluate(budget_usd=Q_(1e9, "USD")).macro.passed
    assert calibration.gemm("fp4") == calibration.get().gemm_8bit   # until a gemm_4bit key exists


def test_unknown_registry_attribute_is_both_errors():
    from mlsysim_core.errors import UnknownEntryError
    with pytest.raises(UnknownEntryError) as e:
        Hardware.H10
    assert isinstance(e.value, AttributeError) and isinstance(e.value, SpecError)
    assert "did you mean H100" in str(e.value)
    assert not hasattr(Scenarios, "MarsRover")
