"""Issue 9: bad arguments to workload methods and the serving/benchmark/safeguard solvers are
refused with a SpecError naming the argument as the caller wrote it (value and what is allowed)."""
from __future__ import annotations

import math

import pytest

import mlsysim_core as M
from mlsysim_core import Q_, SpecError

LLAMA = M.Models.Llama3_8B


def _refused(fn, arg, value, **kwargs):
    kwargs[arg] = value
    with pytest.raises(SpecError) as e:
        fn(**kwargs)
    msg = str(e.value)
    assert e.value.name == arg and arg in msg and "expected" in msg, msg
    return msg


@pytest.mark.parametrize("arg,value", [("seq_len", -1), ("seq_len", None), ("seq_len", 1e308),
                                       ("seq_len", 2.5), ("batch_size", 0), ("batch_size", math.nan),
                                       ("tp_size", 0), ("tp_size", "2"), ("precision", [1]),
                                       ("precision", {"a": 1}), ("precision", "fp17")])
def test_kv_cache_bytes_refuses(arg, value):
    kwargs = {"seq_len": 4096}
    _refused(LLAMA.kv_cache_bytes, arg, value, **kwargs)


def test_kv_cache_bytes_accepts_integral_floats_and_zero_context():
    assert LLAMA.kv_cache_bytes(4096.0) == LLAMA.kv_cache_bytes(4096) > 0
    assert LLAMA.kv_cache_bytes(0) == 0.0


@pytest.mark.parametrize("method,arg,value", [("cached_token_layers", "seq_len", -1),
                                              ("kv_elements_per_token_layer", "tp_size", 0),
                                              ("weight_bytes", "precision", [0]),
                                              ("size_in_bytes", "precision", {"a": 1}),
                                              ("lower", "precision", None)])
def test_workload_methods_refuse(method, arg, value):
    _refused(getattr(LLAMA, method), arg, value)


def test_get_kv_cache_size_names_seq_len():
    _refused(LLAMA.get_kv_cache_size, "seq_len", Q_(1, "kg"))


# ----------------------------------------------------------------------------- ServingFleetModel

def _fleet(**kw):
    args = dict(model=LLAMA, hardware=M.Hardware.H100, qps=10.0, slo_p99_ms=5000.0)
    args.update(kw)
    return M.ServingFleetModel().solve(**args)


@pytest.mark.parametrize("arg,value", [("batch_size", -1), ("batch_size", 1e308), ("seq_len", 0),
                                       ("seq_len", None), ("seq_len", [1]), ("qps", 1e-308),
                                       ("qps", Q_(1, "kg")), ("slo_p99_ms", 1e308), ("slo_p99_ms", 0)])
def test_serving_fleet_names_the_callers_argument(arg, value):
    msg = _refused(_fleet, arg, value)
    assert "max_batch_size" not in msg and "prompt_len" not in msg


def test_unstable_fleet_reports_inf_waits_and_load_above_one_as_documented():
    r = _fleet(qps=1e6, max_replicas=2)
    assert not r.stable and r.binding == "max_replicas"
    assert r.utilization > 1 and math.isinf(r.raw("wait_p99"))
    assert {"utilization", "wait_p99", "latency_p99"} <= type(r).MAY_BE_INF
    assert math.isfinite(r.raw("cost_per_query"))


# ----------------------------------------------------------------------------- benchmarking, safeguards

def test_mlperf_service_time_is_named_not_the_queue_rate():
    msg = _refused(M.BenchmarkModel().mlperf, "service_time", 10 ** 30, latency_bound=1.0)
    assert "service_rate" not in msg


def test_runs_for_confidence_refuses_a_vanishing_error_instead_of_overflowing():
    _refused(M.BenchmarkModel().solve, "relative_error", 1e-308, median_latency=0.01)


@pytest.mark.parametrize("arg,value", [("ci_half_width", 1e-308), ("rarest_prevalence", 1e-308),
                                       ("rarest_prevalence", 1.5)])
def test_fairness_audit_bounds_what_it_divides_by(arg, value):
    _refused(M.FairnessAuditModel().solve, arg, value, model=M.Models.ResNet50, hardware=M.Hardware.H100)


def test_robustness_extra_cost_never_negative():
    r = M.RobustnessBudgetModel().solve(serving_gpu_hours=Q_(2, "minute"))
    assert r.raw("extra_cost") >= 0.0


@pytest.mark.parametrize("fn", [M.calc_nmr_failure, M.calc_nmr_detected])
@pytest.mark.parametrize("value", [Q_(1, "GB"), 10_001, 0])
def test_nmr_replicas_bounded_no_hang(fn, value):
    with pytest.raises(SpecError, match="replicas"):
        fn(value, 0.01)


def test_sample_percentile_takes_time_quantities():
    assert M.calc_sample_percentile([Q_(2, "ms"), Q_(1, "ms"), Q_(3, "ms")], 0.5) == pytest.approx(2e-3)
    with pytest.raises(SpecError, match=r"samples\[0\]"):
        M.calc_sample_percentile([Q_(1, "kg")], 0.5)


@pytest.mark.parametrize("fn,args,arg", [(M.calc_any_affected_probability, (1.5, 10), "probability"),
                                         (M.calc_any_affected_probability, (0.1, -1), "n"),
                                         (M.calc_straggler_stretch, (0.1, 10, -1.0), "slowdown"),
                                         (M.calc_straggler_stretch, (0.1, 2.5, 1.0), "n")])
def test_fleet_health_formulas_declare_their_arguments(fn, args, arg):
    with pytest.raises(SpecError) as e:
        fn(*args)
    assert e.value.name == arg


@pytest.mark.parametrize("arg", ["tp_size", "pp_size"])
@pytest.mark.parametrize("value", [0, -1, 2.5])
def test_scale_model_checks_the_split_before_dividing(arg, value):
    _refused(M.ScaleModel().solve, arg, value, model=LLAMA, fleet=M.Systems.Clusters.H100_64, n_accelerators=64)


@pytest.mark.parametrize("arg,value", [("injection_bandwidth", 1e-308), ("injection_bandwidth", Q_(1, "s")),
                                       ("external_memory", 0), ("external_memory", math.inf)])
def test_weight_streaming_bounds_its_bandwidth_and_memory(arg, value):
    _refused(M.WeightStreamingModel().solve, arg, value, model=LLAMA, hardware=M.Hardware.Cerebras_CS3
             if hasattr(M.Hardware, "Cerebras_CS3") else M.Hardware.H100)


# ----------------------------------------------------------------------------- formula specs

@pytest.mark.parametrize("fn,kwargs,arg", [
    (M.calc_kv_cache_bytes, dict(n_layers=80, n_kv_heads=8, head_dim=128, seq_len=-1), "seq_len"),
    (M.calc_kv_cache_bytes, dict(n_layers=80, n_kv_heads=0, head_dim=128, seq_len=4), "n_kv_heads"),
    (M.calc_ttft, dict(prefill_flops=1e12, peak_flops=1e15, efficiency=1.5), "efficiency"),
    (M.calc_ttft, dict(prefill_flops=1e12, peak_flops=0.0), "peak_flops"),
    (M.calc_itl, dict(weight_bytes=1e9, kv_bytes=0.0, bandwidth=0.0), "bandwidth"),
    (M.calc_speculative_expected_tokens, dict(acceptance_rate=1.5, draft_tokens=4), "acceptance_rate"),
    (M.calc_moe_experts_touched, dict(experts=0, experts_per_token=2, tokens=8), "experts"),
    (M.calc_streaming_layer_time, dict(layer_weight_bytes=1e9, injection_bandwidth=0.0, layer_flops=1e12,
                                       peak_flops=1e15), "injection_bandwidth"),
    (M.calc_rolling_upgrade_duration, dict(n_nodes=10, max_unavailable=1.5, wave_time=1.0), "max_unavailable"),
    (M.calc_redundant_compute, dict(replicas=0), "replicas"),
    (M.calc_jitter_stretch, dict(cv=0.1, n=0), "n"),
    (M.calc_cp_kv_exchange_bytes, dict(n_layers=2, seq_len=8, batch_size=1, kv_heads=2, head_dim=4, cp_size=2,
                                       training="no"), "training"),
    (M.calc_multirail_allreduce_time, dict(message_size=1e9, n_nodes=2, gpus_per_node=8, intra_bandwidth=1e11,
                                           nic_bandwidth=5e10, n_rails=0), "n_rails"),
])
def test_formula_specs_name_the_argument(fn, kwargs, arg):
    with pytest.raises(SpecError) as e:
        fn(**kwargs)
    assert e.value.name == arg and "expected" in str(e.value)
