"""formulas/parallel.py: context parallelism, attention FLOPs, in-network and multi-rail all-reduce."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core.formulas.communication import calc_hierarchical_allreduce_time, calc_ring_allreduce_time
from mlsysim_core.formulas.parallel import (calc_attention_training_flops, calc_cp_activation_memory,
                                            calc_cp_exposed_time, calc_cp_kv_exchange_bytes,
                                            calc_hierarchical_allreduce_bound, calc_in_network_allreduce_time,
                                            calc_multirail_allreduce_time)
from mlsysim_core.formulas.training import calc_activation_memory


def test_golden_palm_attention_flops():
    """PaLM appendix B: 12 L H Q T per token; for PaLM 540B (L=118, d=18432, T=2048) it is ~5.3e10
    per token, ~5 % on top of 6N = 3.2e12."""
    per_token = calc_attention_training_flops.raw(118, 18432, 2048, 1)
    assert per_token == 12 * 118 * 18432 * 2048
    assert 0.01 < per_token / (6 * 540e9) < 0.03


def test_cp_splits_activations_and_adds_kv_exchange():
    full = calc_activation_memory.raw(80, 32768, 1, 8192, 64)
    assert calc_cp_activation_memory.raw(80, 32768, 1, 8192, 64, cp_size=4) == pytest.approx(full / 4)
    # Llama-3-70B-like: 80 layers, 8 KV heads of 128, s = 32k over cp = 4: forward sends 3 chunks of K and V
    b = calc_cp_kv_exchange_bytes.raw(80, 32768, 1, 8, 128, 4, 2.0, training=False)
    assert b == pytest.approx(80 * 3 * 2 * 8192 * 8 * 128 * 2)
    assert calc_cp_kv_exchange_bytes.raw(80, 32768, 1, 8, 128, 4) == pytest.approx(3 * b)
    assert calc_cp_kv_exchange_bytes.raw(80, 32768, 1, 8, 128, 1) == 0.0
    assert calc_cp_exposed_time.raw(1e9, 1e11, 0.02) == 0.0            # hidden behind 20 ms of attention
    assert calc_cp_exposed_time.raw(1e9, 1e11, 0.004) == pytest.approx(0.006)


def test_in_network_reduction_halves_the_ring_for_large_n():
    m, bw = 1e9, 100e9
    ring = calc_ring_allreduce_time.raw(m, 1024, bw)
    assert calc_in_network_allreduce_time.raw(m, bw) == pytest.approx(ring / 2, rel=1e-2)


def test_multirail_with_one_nic_per_gpu_and_the_bound():
    m, n, g = 140e9, 16, 8
    one_nic = calc_hierarchical_allreduce_time.raw(m, n, g, 450e9, 50e9 / g)
    eight = calc_multirail_allreduce_time.raw(m, n, g, 450e9, 50e9, 8)
    assert eight < one_nic
    assert eight == pytest.approx(calc_hierarchical_allreduce_time.raw(m, n, g, 450e9, 50e9))
    bound = calc_hierarchical_allreduce_bound.raw(m, n, g, 450e9, 50e9)
    assert bound == pytest.approx(max(2 * 7 / 8 * m / 450e9, 2 * 15 / 16 * m / 8 / 50e9))


@settings(max_examples=60, deadline=None)
@given(st.floats(1e3, 1e12), st.integers(1, 512), st.integers(1, 16), st.floats(1e9, 1e12), st.floats(1e9, 1e12))
def test_bound_never_above_the_sequential_hierarchical_time(m, n, g, intra, inter):
    assert calc_hierarchical_allreduce_bound.raw(m, n, g, intra, inter) <= \
        calc_hierarchical_allreduce_time.raw(m, n, g, intra, inter) * (1 + 1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 64), st.integers(1, 64))
def test_more_cp_never_more_activation_memory(c1, c2):
    lo, hi = sorted((c1, c2))
    assert calc_cp_activation_memory.raw(32, 65536, 1, 4096, 32, hi) <= calc_cp_activation_memory.raw(32, 65536, 1, 4096, 32, lo)


def test_public_forms_check_units():
    from mlsysim_core import SpecError
    with pytest.raises(SpecError, match="^bandwidth="):
        calc_in_network_allreduce_time(1e9, -1.0)
