"""Tensor-parallel serving: "will Llama-3-70B fit on 4 H100s?" answered by ServingModel(tp_size=4)."""
import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import Hardware, Models, ServingModel, SpecError, calc_ring_allreduce_time, constants

S = ServingModel()


def test_llama3_70b_fits_on_4_h100_but_not_on_1():
    """70.6e9 x 2 B = 141 GB of fp16 weights: one 80 GiB H100 is short, four hold ~35 GB each."""
    one = S.solve(Models.Llama3_70B, Hardware.H100, seq_len=4096, batch_size=1)
    four = S.solve(Models.Llama3_70B, Hardware.H100, seq_len=4096, batch_size=1, tp_size=4)
    assert not one.feasible and four.feasible
    assert four.raw("model_weights_size") == pytest.approx(141.2e9 / 4)
    # KV heads split too: 8 KV heads over 4 accelerators = 2 each (327,680 B/token / 4)
    assert four.raw("kv_cache_per_token") == pytest.approx(327_680 / 4)


def test_tp_decode_adds_two_allreduces_per_layer_over_nvlink():
    """Megatron inference: 2 all-reduces of B x d activations per layer (Shoeybi et al. 2019), each
    the ring time plus NCCL's per-call base latency (calc_tp_allreduce_time)."""
    m, h = Models.Llama3_70B, Hardware.H100
    r = S.solve(m, h, seq_len=1024, batch_size=4, tp_size=8)
    ring = calc_ring_allreduce_time.raw(4 * m.hidden_dim * 2.0, 8, h.interconnect.bandwidth_bytes_s,
                                        h.interconnect.latency_s)
    per = ring + constants().serving_collective_base_latency
    assert r.raw("tp_communication_decode") == pytest.approx(m.layers * constants().tp_allreduces_per_layer_inference * per)
    assert r.raw("itl") > r.raw("itl_bound")


@settings(deadline=None, max_examples=30)
@given(tp=st.sampled_from([1, 2, 4]), batch=st.integers(1, 64), seq=st.integers(128, 8192))
def test_more_tp_never_needs_more_memory_per_accelerator(tp, batch, seq):
    a = S.solve(Models.Llama3_70B, Hardware.H100, seq_len=seq, batch_size=batch, tp_size=tp)
    b = S.solve(Models.Llama3_70B, Hardware.H100, seq_len=seq, batch_size=batch, tp_size=tp * 2)
    assert b.raw("total_memory_required") <= a.raw("total_memory_required")


def test_tp_on_a_device_without_interconnect_is_refused_with_a_reason():
    with pytest.raises(SpecError, match="tp_size=2.*no accelerator interconnect"):
        S.solve(Models.Llama3_8B, Hardware.Tiny.ESP32_S3, tp_size=2)


@pytest.mark.parametrize("bad", [0, -2, 1.5, "4"])
def test_bad_tp_size_names_the_argument(bad):
    with pytest.raises(SpecError, match="tp_size"):
        S.solve(Models.Llama3_8B, Hardware.H100, tp_size=bad)
