"""Walls 5, 6 and 12: ContinuousBatchingModel, WeightStreamingModel, InferenceScalingModel, and
ServingFleetModel's continuous batching with tensor parallelism.

Golden: the vLLM paper's setting (Kwon et al. 2023, section 3: OPT-13B, 800 KB of KV per token,
a 2,048-token maximum reserves 1.6 GB per request), the weight-streaming crossover batch on the
Cerebras CS-3 (b Peak eta / (2 BW_inject)), Leviathan-free reasoning arithmetic (G = N K T).
"""
from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import (ContinuousBatchingModel, Hardware, InferenceScalingModel, Models,
                          ServingFleetModel, ServingModel, SpecError, WeightStreamingModel,
                          calc_paged_batch_requests, calc_static_batch_requests, constants)
from mlsysim_core.specs import TransformerWorkload

CB, WS, IS, FLEET = ContinuousBatchingModel(), WeightStreamingModel(), InferenceScalingModel(), ServingFleetModel()
# OPT-13B (Zhang et al. 2022, table 1: 40 layers, 40 heads, d_model 5,120) on an A100-40GB, as in vLLM section 3
OPT13 = TransformerWorkload("OPT-13B", "opt13b", "Language", 12.85e9, 2 * 12.85e9, 40, hidden_dim=5120, heads=40)
A100_40 = replace(Hardware.A100, memory=replace(Hardware.A100.memory, capacity_bytes=40 * 2**30), name="A100-40GB")


# --- Wall 5 ----------------------------------------------------------------------------------

def test_vllm_paper_setting_static_vs_paged_requests():
    """800 KB/token x 2,048 = 1.6 GB reserved per request (Kwon et al. section 3); ShareGPT's mean
    161-token prompt and 338-token reply hold ~410 tokens on average, 26 pages of 16."""
    r = CB.solve(OPT13, A100_40, seq_len=2048, prompt_len=161, output_tokens=338, memory_fraction=0.9)
    k = r.raw("kv_cache_per_token")
    assert k == pytest.approx(2 * 40 * 5120 * 2)                              # 819,200 B ~ 800 KB
    budget = 0.9 * 40 * 2**30 - 12.85e9 * 2
    assert r.raw("kv_budget") == pytest.approx(budget)
    assert r.raw("static_max_active_requests") == math.floor(budget / (k * 2048)) == 7
    assert r.raw("max_active_requests") == math.floor(budget / (k * 16 * math.ceil((161 + 169) / 16)))
    assert r.raw("max_active_requests") >= 4 * r.raw("static_max_active_requests")
    assert r.raw("paged_internal_fragmentation") < 0.04 < 0.8 < r.raw("static_internal_fragmentation")
    assert r.raw("throughput_tokens_per_sec") > 2 * r.raw("static_throughput_tokens_per_sec")
    assert r.explain()


@settings(deadline=None, max_examples=40)
@given(m=st.floats(1e9, 1e11), s=st.integers(16, 8192), f=st.floats(0.01, 1.0))
def test_paged_never_holds_fewer_requests_than_static(m, s, f):
    mean = max(1, int(f * s))
    assert calc_paged_batch_requests(m, 1e5, mean, 16) >= calc_static_batch_requests(m, 1e5, s) or mean + 15 > s


def test_ttft_at_the_active_batch_is_own_prefill_plus_half_a_step():
    r = CB.solve(Models.Llama3_8B, Hardware.H100, seq_len=4096, prompt_len=1024, output_tokens=512)
    own = ServingModel().solve(Models.Llama3_8B, Hardware.H100, seq_len=1024).raw("ttft")
    assert r.raw("ttft") == pytest.approx(own + r.raw("itl") / 2)
    assert r.raw("itl") > r.raw("decode_step")          # arriving prefills stall the decode


@settings(deadline=None, max_examples=40)
@given(name=st.sampled_from(["Llama3_8B", "Llama3_70B", "Mixtral_8x7B", "Gemma3_27B", "DeepSeek_V3"]),
       hw=st.sampled_from(["H100", "A100", "H200", "B200"]), prompt=st.integers(1, 3000), out=st.integers(1, 2000),
       precision=st.sampled_from(["fp16", "bf16", "fp8"]), kv=st.sampled_from([None, "fp8", "fp16"]),
       eff=st.floats(0.05, 1.0), tp=st.sampled_from([1, 2]))
def test_batching_decode_steps_are_the_serving_models(name, hw, prompt, out, precision, kv, eff, tp):
    """The decode steps (paged and static batch) are ServingModel's, whether computed directly
    (tp 1, dense, full attention) or by ServingModel itself: the same floats."""
    model, hardware = getattr(Models, name), getattr(Hardware, hw)
    kw = dict(precision=precision, efficiency=eff, kv_precision=kv)
    try:
        r = CB.solve(model, hardware, seq_len=prompt + out, prompt_len=prompt, output_tokens=out, tp_size=tp, **kw)
    except SpecError:
        return                 # e.g. a precision the device lacks, or more tp than it has
    if not r.feasible:
        return
    ctx = prompt + out // 2
    dec = ServingModel().solve(model, hardware, seq_len=ctx, batch_size=r.max_active_requests, tp_size=tp, **kw)
    assert r.raw("decode_step") == dec.raw("itl")
    pre = ServingModel().solve(model, hardware, seq_len=prompt, tp_size=tp, **kw).raw("ttft_bound")
    step_bound = dec.raw("itl_bound") + r.max_active_requests / out * pre
    assert r.raw("itl_bound") == step_bound
    if r.static_max_active_requests >= 1:
        st_ = ServingModel().solve(model, hardware, seq_len=ctx, batch_size=r.static_max_active_requests,
                                   tp_size=tp, **kw)
        assert r.raw("static_itl") == st_.raw("itl")


def test_batching_nothing_fits_is_reported_not_raised():
    r = CB.solve(Models.Llama3_70B, Hardware.H100)
    assert not r.feasible and r.raw("throughput_tokens_per_sec") == 0 and "no request fits" in r.reason


@pytest.mark.parametrize("kw,name", [(dict(prompt_len=0), "prompt_len"), (dict(output_tokens=None), "output_tokens"),
                                     (dict(seq_len=100), "seq_len"), (dict(page_size=0), "page_size"),
                                     (dict(max_batch_size=0), "max_batch_size"),
                                     (dict(memory_fraction=1.5), "memory_fraction")])
def test_batching_errors_name_the_argument(kw, name):
    with pytest.raises(SpecError, match=name):
        CB.solve(Models.Llama3_8B, Hardware.H100, **kw)


# --- fleet: continuous batching + TP ----------------------------------------------------------

def test_fleet_continuous_ttft_is_own_prefill_not_the_batch_prefill():
    kw = dict(seq_len=2048, output_tokens=256, batch_size=32, precision="fp8")
    cont = FLEET.solve(Models.Llama3_8B, Hardware.H100, 20, 5000, **kw)
    stat = FLEET.solve(Models.Llama3_8B, Hardware.H100, 20, 5000, batching="static", **kw)
    one = ServingModel().solve(Models.Llama3_8B, Hardware.H100, seq_len=2048, precision="fp8").raw("ttft")
    assert cont.raw("ttft") == pytest.approx(one + cont.raw("itl") / 2)
    assert stat.raw("ttft") > 20 * one
    assert cont.raw("ttft_bound") <= cont.raw("ttft") and cont.raw("ttft_p99_bound") <= cont.raw("ttft_p99")


def test_fleet_tensor_parallel_replica_counts_accelerators():
    r = FLEET.solve(Models.Llama3_70B, Hardware.H100, 5, 20_000, tp_size=4, batch_size=None, precision="fp8")
    assert r.feasible and r.raw("tp_size") == 4 and r.raw("accelerators") == 4 * r.raw("replicas")
    one = FLEET.solve(Models.Llama3_70B, Hardware.H100, 5, 20_000, batch_size=None, precision="fp16")
    assert not one.memory_feasible and one.binding == "memory"


def test_fleet_errors():
    with pytest.raises(SpecError, match="batching"):
        FLEET.solve(Models.Llama3_8B, Hardware.H100, 5, 5000, batching="dynamic")
    with pytest.raises(SpecError, match="batch_size"):
        FLEET.solve(Models.Llama3_8B, Hardware.H100, 5, 5000, batching="static", batch_size=None)
    with pytest.raises(SpecError, match="tp_size"):
        FLEET.solve(Models.Llama3_8B, Hardware.H100, 5, 5000, tp_size=16)
    with pytest.raises(SpecError, match="result"):
        FLEET.curve({"qps": 1}, replicas=[1])


# --- Wall 6 ----------------------------------------------------------------------------------

def test_cs3_layer_turns_compute_bound_at_the_formula_batch():
    """B* = b Peak eta / (2 BW_inject) = 2 x 125 PFLOP/s x 0.5 / (2 x 150 GB/s) = 416,667 tokens."""
    cs3 = Hardware.CS3
    b_star = 2 * cs3.compute.peak_flop_s("fp16") * 0.5 / (2 * cs3.interconnect.bandwidth_bytes_s)
    r = WS.solve(Models.Llama3_70B, cs3, seq_len=1, batch_size=1)
    assert r.raw("optimal_batch_size") == pytest.approx(b_star) == pytest.approx(416_666.67)
    assert r.bottleneck == "Interconnect-Bandwidth-Bound"
    at = WS.solve(Models.Llama3_70B, cs3, seq_len=1, batch_size=math.ceil(b_star))
    below = WS.solve(Models.Llama3_70B, cs3, seq_len=1, batch_size=math.floor(b_star))
    assert at.bottleneck == "Compute-Bound" and below.bottleneck == "Interconnect-Bandwidth-Bound"
    assert below.raw("layer_time") == pytest.approx(Models.Llama3_70B.weight_bytes("fp16") / 80 / 150e9)


@settings(deadline=None, max_examples=30)
@given(b=st.integers(1, 10**6))
def test_streaming_layer_time_never_below_either_term(b):
    r = WS.solve(Models.Llama3_8B, Hardware.CS3, seq_len=1, batch_size=b)
    assert r.raw("layer_time") >= max(r.raw("layer_injection_time"), r.raw("layer_compute_time")) * (1 - 1e-12)


def test_streaming_errors():
    with pytest.raises(SpecError, match="phase"):
        WS.solve(Models.Llama3_8B, Hardware.CS3, phase="train")
    with pytest.raises(SpecError, match="injection_bandwidth"):
        WS.solve(Models.Llama3_8B, Hardware.CS3, injection_bandwidth=0)
    with pytest.raises(SpecError, match="injection_bandwidth"):
        WS.solve(Models.Llama3_8B, Hardware.Tiny.ESP32_S3)
    with pytest.raises(SpecError, match="external_memory"):
        WS.solve(Models.Llama3_8B, Hardware.CS3, external_memory=-1)


# --- Wall 12 ---------------------------------------------------------------------------------

def test_reasoning_chain_latency_is_ttft_plus_k_t_itl():
    r = IS.solve(Models.Llama3_8B, Hardware.H100, reasoning_steps=8, context_length=1024)
    t = constants().reasoning_tokens_per_step
    assert r.raw("tokens_generated") == 8 * t
    assert r.raw("total_reasoning_time") == pytest.approx(r.raw("ttft") + 8 * t * r.raw("itl"))
    assert r.raw("total_reasoning_time_bound") <= r.raw("total_reasoning_time")


def test_self_consistency_shares_the_prefix_and_costs_n_times_the_tokens():
    one = IS.solve(Models.Llama3_8B, Hardware.H100, reasoning_steps=4, context_length=4096)
    many = IS.solve(Models.Llama3_8B, Hardware.H100, reasoning_steps=4, context_length=4096, samples=8)
    k = ServingModel().solve(Models.Llama3_8B, Hardware.H100).raw("kv_cache_per_token")
    assert many.raw("tokens_generated") == 8 * one.raw("tokens_generated")
    assert many.raw("kv_cache_size") == pytest.approx(k * (4096 + 8 * 4 * 50))
    # batched sampling: 8x the tokens for far less than 8x the time (decode is memory-bound)
    assert many.raw("total_reasoning_time") < 2 * one.raw("total_reasoning_time")


@settings(deadline=None, max_examples=20)
@given(k=st.integers(1, 64))
def test_more_steps_never_faster(k):
    a = IS.solve(Models.Llama3_8B, Hardware.H100, reasoning_steps=k)
    b = IS.solve(Models.Llama3_8B, Hardware.H100, reasoning_steps=k + 1)
    assert b.raw("total_reasoning_time") > a.raw("total_reasoning_time")
    assert b.raw("energy_per_query") > a.raw("energy_per_query")


@pytest.mark.parametrize("kw,name", [(dict(reasoning_steps=0), "reasoning_steps"), (dict(samples=0), "samples"),
                                     (dict(tokens_per_step=1.5), "tokens_per_step"),
                                     (dict(method="beam"), "method"), (dict(method="chain", samples=4), "method"),
                                     (dict(context_length=-1), "context_length"),
                                     (dict(gpu_hour_price=-1), "gpu_hour_price")])
def test_reasoning_errors_name_the_argument(kw, name):
    with pytest.raises(SpecError, match=name):
        IS.solve(Models.Llama3_8B, Hardware.H100, **kw)
