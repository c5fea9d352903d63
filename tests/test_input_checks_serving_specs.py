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
