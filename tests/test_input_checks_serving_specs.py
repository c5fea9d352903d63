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
