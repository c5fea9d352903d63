"""Serving depth (issue 10): MLA, MoE decode bytes, fp4/fp6, speculative decoding, prefix caching,
chunked prefill and disaggregated prefill/decode in ServingModel.

Golden values from the sources: DeepSeek-V3's MLA cache (arXiv:2412.19437 section 2.1.1),
Mixtral's 12.9B active parameters (arXiv:2401.04088), Leviathan et al. (2023) equation 1.
"""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import (Hardware, Models, ServingModel, SpecError, calc_moe_experts_touched,
                          calc_speculative_expected_tokens, constants)

S = ServingModel()
L8, L70, MIX, DSV3 = Models.Llama3_8B, Models.Llama3_70B, Models.Mixtral_8x7B, Models.DeepSeek_V3


# --- MLA ---------------------------------------------------------------------------------------

def test_deepseek_v3_mla_caches_70272_bytes_per_token_at_16_bit():
    """(kv_lora_rank + qk_rope_head_dim) x layers x 2 B = (512 + 64) x 61 x 2 = 70,272 B."""
    assert DSV3.kv_cache_bytes(1, 1, "bf16") == 70_272
    r = S.solve(DSV3, Hardware.H200, seq_len=1000, batch_size=1, precision="bf16")
    assert r.raw("kv_cache_per_token") == pytest.approx(70_272)
    assert r.raw("kv_cache_size") == pytest.approx(70_272 * 1000)
    assert "latent" in r.explain()


def test_mla_latent_is_not_split_by_tensor_parallelism():
    one = S.solve(Models.DeepSeek_R1, Hardware.H200, seq_len=4096, precision="fp8")
    eight = S.solve(Models.DeepSeek_R1, Hardware.H200, seq_len=4096, precision="fp8", tp_size=8)
    assert eight.raw("kv_cache_per_token") == one.raw("kv_cache_per_token")
    assert eight.raw("model_weights_size") == pytest.approx(one.raw("model_weights_size") / 8)


def test_sliding_window_layers_cache_at_most_the_window():
    """gpt-oss-120b: 18 of 36 layers keep at most 128 tokens (model card section 2)."""
    m = Models.GPT_OSS_120B
    per_layer_token = 2 * m.n_kv_heads * m.head_dim * 2
    s = 100_000
    assert m.kv_cache_bytes(s, 1, "bf16") == pytest.approx(per_layer_token * (18 * s + 18 * 128))
    assert m.kv_cache_bytes(100, 1, "bf16") == pytest.approx(per_layer_token * 36 * 100)


# --- MoE ---------------------------------------------------------------------------------------

def test_mixtral_batch_1_reads_only_the_active_parameters():
    """Mixtral 8x7B at batch 1 reads 12.9B parameters (2 of 8 experts), not 46.7B: ~5.4 ms on an H200."""
    r = S.solve(MIX, Hardware.H200, seq_len=1, batch_size=1, precision="fp16")
    assert r.raw("weights_read_per_step") == pytest.approx(12.9e9 * 2)
    assert r.raw("experts_touched") == pytest.approx(2.0)
    assert r.raw("model_weights_size") == pytest.approx(46.7e9 * 2)          # memory holds them all
    assert r.raw("itl_bound") == pytest.approx((12.9e9 * 2 + r.raw("kv_cache_size")) / 4.8e12)


def test_moe_large_batch_reads_every_expert():
    r = S.solve(MIX, Hardware.H200, seq_len=1, batch_size=256, precision="fp8")
    assert r.raw("weights_read_per_step") == pytest.approx(46.7e9, rel=1e-6)


def test_experts_touched_formula_worked_values():
    """E(1 - (1 - k/E)^B): 8 experts, top-2, batch 2: 8 (1 - 0.75^2) = 3.5."""
    assert calc_moe_experts_touched(8, 2, 1) == pytest.approx(2.0)
    assert calc_moe_experts_touched(8, 2, 2) == pytest.approx(3.5)
    assert calc_moe_experts_touched(256, 8, 10**6) == pytest.approx(256.0)


@settings(deadline=None, max_examples=50)
@given(e=st.integers(2, 256), k=st.integers(1, 8), b=st.integers(1, 4096))
def test_more_tokens_never_touch_fewer_experts(e, k, b):
    k = min(k, e)
    t1, t2 = calc_moe_experts_touched(e, k, b), calc_moe_experts_touched(e, k, b + 1)
    assert k - 1e-9 <= t1 <= t2 <= e + 1e-9


# --- fp4 / fp6 -------------------------------------------------------------------------------

@pytest.mark.parametrize("hw", ["B200", "B300", "GB200", "MI355X"])
def test_fp4_never_slower_than_fp8_where_both_exist(hw):
    h = Hardware.get(hw)
    for m, b in ((L70, 1), (L70, 64), (MIX, 16)):
        f4 = S.solve(m, h, seq_len=2048, batch_size=b, precision="fp4")
        f8 = S.solve(m, h, seq_len=2048, batch_size=b, precision="fp8")
        assert f4.raw("ttft") <= f8.raw("ttft") and f4.raw("itl") <= f8.raw("itl")
        assert f4.raw("ttft_bound") <= f8.raw("ttft_bound") and f4.raw("itl_bound") <= f8.raw("itl_bound")


def test_fp4_on_a_device_without_fp4_units_is_refused_naming_its_precisions():
    with pytest.raises(SpecError, match=r"precision='fp4'.*H100.*fp16.*fp8.*int4"):
        S.solve(L8, Hardware.H100, precision="fp4")
    with pytest.raises(SpecError, match=r"precision='fp6'"):
        S.solve(L8, Hardware.A100, precision="fp6")


def test_blackwell_fp4_peaks_are_the_datasheet_figures():
    assert Hardware.B200.compute.peak_flop_s("fp4") == 9.0e15
    assert Hardware.GB200.compute.peak_flop_s("fp4") == 10.0e15
    assert Hardware.MI355X.compute.peak_flop_s("fp6") == Hardware.MI355X.compute.peak_flop_s("fp4")


# --- speculative decoding --------------------------------------------------------------------

@pytest.mark.parametrize("a,k,expected", [(0.0, 4, 1.0), (0.7, 4, 1 + 0.7 * (1 - 0.7**4) / 0.3),
                                          (1.0, 4, 5.0), (0.7, 1, 1.7)])
def test_speculative_expected_tokens_leviathan_eq1(a, k, expected):
    assert calc_speculative_expected_tokens(a, k) == pytest.approx(expected)
    # the closed form (1 - a^(K+1)) / (1 - a) where a < 1
    if a < 1:
        assert calc_speculative_expected_tokens(a, k) == pytest.approx((1 - a ** (k + 1)) / (1 - a))


def test_speculative_itl_is_the_round_over_its_expected_tokens():
    r = S.solve(L70, Hardware.H100, seq_len=1024, tp_size=4, draft_model=L8, draft_acceptance_rate=0.8,
                draft_tokens=4)
    e = calc_speculative_expected_tokens(0.8, 4)
    assert r.raw("itl") == pytest.approx((4 * r.raw("draft_step_time") + r.raw("verify_step_time")) / e)
    plain = S.solve(L70, Hardware.H100, seq_len=1024, tp_size=4)
    assert r.raw("itl") < plain.raw("itl")
    # memory holds both models
    assert r.raw("total_memory_required") > plain.raw("total_memory_required") + L8.weight_bytes("fp16") * 0.99


def test_speculative_defaults_come_from_the_constants():
    r = S.solve(L70, Hardware.H100, seq_len=512, tp_size=4, draft_model=L8)
    assert r.raw("draft_tokens") == constants().serving_draft_tokens
    assert r.raw("draft_acceptance_rate") == constants().serving_draft_acceptance_rate


@settings(deadline=None, max_examples=30)
@given(a=st.floats(0, 0.99), da=st.floats(0.001, 0.5))
def test_more_acceptance_is_never_slower(a, da):
    lo = S.solve(L70, Hardware.H100, seq_len=512, tp_size=4, draft_model=L8, draft_acceptance_rate=a)
    hi = S.solve(L70, Hardware.H100, seq_len=512, tp_size=4, draft_model=L8,
                 draft_acceptance_rate=min(1.0, a + da))
    assert hi.raw("itl") <= lo.raw("itl") * (1 + 1e-12)
    assert hi.raw("itl_bound") <= lo.raw("itl_bound") * (1 + 1e-12)


# --- prefix caching --------------------------------------------------------------------------

def test_half_the_prompt_cached_halves_ttft():
    """Only the new tokens are prefilled: the weight FLOPs halve exactly; at a short prompt the
    attention term is negligible, so the TTFT bound halves."""
    full = S.solve(L70, Hardware.H100, seq_len=256, tp_size=4)
    half = S.solve(L70, Hardware.H100, seq_len=256, tp_size=4, cached_prefix_len=128)
    assert half.raw("ttft_bound") / full.raw("ttft_bound") == pytest.approx(0.5, rel=0.01)
    assert half.raw("kv_cache_size") == full.raw("kv_cache_size")       # the cached KV still occupies memory
    assert half.raw("prompt_cache_hit_ratio") == 0.5


@settings(deadline=None, max_examples=30)
@given(s=st.integers(2, 32768), f1=st.floats(0, 1), f2=st.floats(0, 1))
def test_more_cached_prefix_never_slower_ttft(s, f1, f2):
    c1, c2 = sorted((int(f1 * (s - 1)), int(f2 * (s - 1))))
    a = S.solve(L8, Hardware.H100, seq_len=s, cached_prefix_len=c1)
    b = S.solve(L8, Hardware.H100, seq_len=s, cached_prefix_len=c2)
    for k in ("ttft", "ttft_bound", "ttft_calibrated"):
        assert b.raw(k) <= a.raw(k) * (1 + 1e-12)


# --- chunked prefill -------------------------------------------------------------------------

def test_chunked_prefill_costs_a_pass_over_the_weights_per_chunk_and_bounds_the_stall():
    whole = S.solve(L8, Hardware.H100, seq_len=8192)
    chunked = S.solve(L8, Hardware.H100, seq_len=8192, prefill_chunk_tokens=512)
    tiny = S.solve(L8, Hardware.H100, seq_len=8192, prefill_chunk_tokens=8)
    assert chunked.raw("prefill_chunks") == 16
    assert whole.raw("ttft") <= chunked.raw("ttft") < tiny.raw("ttft")
    # 8-token chunks are memory-bound: each reads all weights
    assert tiny.raw("ttft_bound") >= 1024 * L8.weight_bytes("fp16") / Hardware.H100.memory.bandwidth_bytes_s
    # a decode step waits for one chunk, not a whole prefill
    assert chunked.raw("decode_stall") < whole.raw("decode_stall")


def test_chunked_sum_matches_a_direct_loop():
    from mlsysim_core.formulas import calc_prefill_flops_cached
    m, h, s, c = L8, Hardware.H100, 3000, 256
    r = S.solve(m, h, seq_len=s, prefill_chunk_tokens=c, efficiency=1.0)
    kv_tok, w, bw = r.raw("kv_cache_per_token"), m.weight_bytes("fp16"), h.memory.bandwidth_bytes_s
    t, done = 0.0, 0
    while done < s:
        n = min(c, s - done)
        f = calc_prefill_flops_cached.raw(m.active_parameters_count, n, done, 1, m.layers, m.hidden_dim)
        t += max(f / h.compute.peak_flop_s("fp16"), (w + kv_tok * done) / bw)
        done += n
    assert r.raw("ttft_bound") == pytest.approx(t, rel=1e-9)


# --- disaggregated prefill / decode ----------------------------------------------------------

def test_disaggregation_adds_the_kv_transfer_and_decodes_on_the_other_device():
    r = S.solve(L70, Hardware.H100, seq_len=4096, tp_size=4, decode_hardware=Hardware.H200)
    co = S.solve(L70, Hardware.H100, seq_len=4096, tp_size=4)
    on_h200 = S.solve(L70, Hardware.H200, seq_len=4096, tp_size=4)
    assert r.raw("kv_transfer_time") == pytest.approx(co.raw("kv_cache_size") / constants().serving_kv_transfer_bandwidth)
    assert r.raw("ttft") == pytest.approx(co.raw("ttft") + r.raw("kv_transfer_time"))
    assert r.raw("itl") == pytest.approx(on_h200.raw("itl"))
    faster = S.solve(L70, Hardware.H100, seq_len=4096, tp_size=4, decode_hardware=Hardware.H200,
                     network_bandwidth=400e9)
    assert faster.raw("ttft") < r.raw("ttft")


# --- the default path is unchanged -----------------------------------------------------------

def test_default_call_keeps_the_textbook_numbers():
    r = S.solve(L70, Hardware.H100, seq_len=4096)
    assert r.raw("itl_bound") == pytest.approx((70.6e9 * 2 + 327_680 * 4096) / 3.35e12)
    assert r.raw("prefill_chunks") == 1 and r.raw("kv_transfer_time") == 0.0


# --- errors: one per new argument ------------------------------------------------------------

@pytest.mark.parametrize("kw,name", [
    (dict(cached_prefix_len=2048), "cached_prefix_len"), (dict(cached_prefix_len=-1), "cached_prefix_len"),
    (dict(cached_prefix_len=1.5), "cached_prefix_len"),
    (dict(prefill_chunk_tokens=0), "prefill_chunk_tokens"), (dict(prefill_chunk_tokens="512"), "prefill_chunk_tokens"),
    (dict(draft_model="tiny"), "model"), (dict(draft_model=Models.ResNet50), "model"),
    (dict(draft_model=L8, draft_acceptance_rate=1.5), "draft_acceptance_rate"),
    (dict(draft_model=L8, draft_acceptance_rate=float("nan")), "draft_acceptance_rate"),
    (dict(draft_acceptance_rate=0.5), "draft_acceptance_rate"),
    (dict(draft_model=L8, draft_tokens=0), "draft_tokens"),
    (dict(decode_hardware="H200"), "decode_hardware"),
    (dict(network_bandwidth=1e9), "network_bandwidth"),
    (dict(decode_hardware=Hardware.H200, network_bandwidth=0), "network_bandwidth"),
    (dict(decode_hardware=Hardware.H200, network_bandwidth=-5), "network_bandwidth"),
    (dict(output_tokens=None), "output_tokens"), (dict(output_tokens=-3), "output_tokens"),
    (dict(kv_precision="fp17"), "kv_precision"),
    (dict(tp_size=16), "tp_size"), (dict(tp_size=3), "tp_size"),
])
def test_each_new_argument_is_checked_by_name(kw, name):
    with pytest.raises(SpecError, match=name):
        S.solve(L8 if "draft_model" not in kw else L70, Hardware.H100, seq_len=2048, **kw)


def test_decode_hardware_without_fp4_is_refused():
    with pytest.raises(SpecError, match="precision='fp4'.*H200"):
        S.solve(L8, Hardware.B200, precision="fp4", decode_hardware=Hardware.H200)


def test_results_are_finite():
    r = S.solve(Models.Qwen3_235B_A22B, Hardware.B300, seq_len=32768, batch_size=8, precision="fp4", tp_size=8,
                draft_model=Models.Qwen3_30B_A3B, cached_prefix_len=1000, prefill_chunk_tokens=2048)
    for k, v in r.raw().items():
        if isinstance(v, float):
            assert math.isfinite(v) and v >= 0, k
    assert r.explain()


# --- TP all-reduce: the collective library's fixed cost per call ------------------------------

def test_tp_allreduce_reproduces_nccl_tuning_model_small_message_latency():
    """NCCL tuning.cc: Ring/LL on NVLink = baseLat 6.6 us + 2(n-1) x hwLat 0.6 us = 15.0 us at n = 8."""
    from mlsysim_core.formulas import calc_tp_allreduce_time
    assert constants().serving_collective_base_latency == pytest.approx(6.6e-6)
    t = calc_tp_allreduce_time.raw(0.0, 8, 300e9, 0.6e-6, 6.6e-6)
    assert t == pytest.approx(15.0e-6)
    assert calc_tp_allreduce_time.raw(1e6, 1, 300e9, 0.6e-6, 6.6e-6) == 0.0     # no call at TP 1


@given(m=st.floats(0, 1e10), n=st.integers(2, 64))
@settings(max_examples=50, deadline=None)
def test_tp_allreduce_never_below_the_ring_time(m, n):
    from mlsysim_core.formulas import calc_ring_allreduce_time, calc_tp_allreduce_time
    ring = calc_ring_allreduce_time.raw(m, n, 300e9, 0.5e-6)
    assert calc_tp_allreduce_time.raw(m, n, 300e9, 0.5e-6, 6.6e-6) == pytest.approx(ring + 6.6e-6)
    assert calc_tp_allreduce_time.raw(m, n + 1, 300e9, 0.5e-6, 6.6e-6) >= calc_tp_allreduce_time.raw(m, n, 300e9, 0.5e-6, 6.6e-6)


def test_tp_decode_pays_the_library_floor_per_allreduce_and_no_efficiency_on_it():
    """Mixtral TP 8 decode: 2 all-reduces x 32 layers, each at least the 6.6 us base latency."""
    r = S.solve(MIX, Hardware.A100, seq_len=5, batch_size=1, precision="bf16", tp_size=8)
    n_ar = 2 * MIX.layers
    base = constants().serving_collective_base_latency
    comm = r.raw("tp_communication_decode")
    assert comm >= n_ar * base
    one = S.solve(MIX, Hardware.A100, seq_len=5, batch_size=1, precision="bf16", tp_size=1)
    assert one.raw("tp_communication_decode") == 0.0
    # calibrated ITL derates only the bandwidth share of the communication, never the floor
    from mlsysim_core import calibration
    link = calibration.get().allreduce_nvlink
    mem = (r.raw("weights_read_per_step") + r.raw("kv_cache_size")) / (
        Hardware.A100.memory.bandwidth_bytes_s * calibration.get().decode_gemv)
    expect = mem + (comm - n_ar * base) / link + n_ar * base + Hardware.A100.dispatch_tax_s
    assert r.raw("itl_calibrated") == pytest.approx(expect, rel=1e-9)
    assert r.raw("itl_calibrated") >= r.raw("itl_bound") + n_ar * base


# --- ContinuousBatchingModel's fast path: ServingModel's floats without calling it -----------------

def _batching_both_ways(model, hardware, **kw):
    """(fast, slow): ContinuousBatchingModel's answer (raw fields and work text, or the SpecError's
    message) on its direct float path and with every step forced through ServingModel."""
    from mlsysim_core import ContinuousBatchingModel
    from mlsysim_core.solvers import batching

    def run():
        try:
            r = ContinuousBatchingModel().solve(model, hardware, **kw)
        except SpecError as e:
            return str(e)
        return r.raw(), r.explain()
    fast = run()
    get = batching._Spec.get
    batching._Spec.get = staticmethod(lambda *a: None)
    try:
        slow = run()
    finally:
        batching._Spec.get = get
    return fast, slow


@settings(deadline=None, max_examples=60)
@given(name=st.sampled_from(["Llama3_8B", "Llama3_70B", "Gemma3_27B", "Mixtral_8x7B"]),
       hw=st.sampled_from(["H100", "A100", "H200", "B200"]), prompt=st.integers(1, 8000), out=st.integers(1, 4000),
       slack=st.integers(0, 4000), precision=st.sampled_from(["fp16", "bf16", "fp8", "int8", "fp4", "FP16"]),
       kv=st.sampled_from([None, "fp8", "fp16", "int4"]), eff=st.floats(0.05, 1.0),
       cap=st.sampled_from([None, 1, 64]), page=st.sampled_from([None, 1, 32]), frac=st.sampled_from([1.0, 0.9]),
       chunk=st.sampled_from([None, 256]))
def test_batching_fast_path_gives_the_serving_model_path_floats(name, hw, prompt, out, slack, precision, kv, eff,
                                                                cap, page, frac, chunk):
    """The direct float path (no ServingModel call) gives every field, to the bit, and the work
    text as the path through ServingModel does, and the same errors."""
    fast, slow = _batching_both_ways(getattr(Models, name), getattr(Hardware, hw), seq_len=prompt + out + slack,
                                     prompt_len=prompt, output_tokens=out, precision=precision, kv_precision=kv,
                                     efficiency=eff, max_batch_size=cap, page_size=page, memory_fraction=frac,
                                     prefill_chunk_tokens=chunk)
    assert fast == slow


@pytest.mark.parametrize("kw", [dict(efficiency=0), dict(efficiency="a"), dict(precision="fp5", efficiency=0),
                                dict(kv_precision="x"), dict(kv_precision=[1]), dict(precision=None), dict(tp_size=3),
                                dict(precision="fp4"), dict(prefill_chunk_tokens=0)])
def test_batching_fast_path_errors_are_the_serving_model_ones(kw):
    fast, slow = _batching_both_ways(L8, Hardware.H100, **kw)
    assert isinstance(fast, str) and fast == slow


def test_batching_spec_cache_follows_the_calibration_table():
    """A new calibration table (tests, or a user's own) is picked up: the cached floats are rebuilt."""
    from mlsysim_core import ContinuousBatchingModel, calibration
    cb = ContinuousBatchingModel()
    before = cb.solve(L8, Hardware.H100).raw("itl_calibrated")
    old = calibration.get()
    vals = old.items()
    vals["decode_gemv"] = vals["decode_gemv"] / 2
    calibration._cached = calibration.Calibration(vals, {k: "test" for k in vals})
    try:
        after = cb.solve(L8, Hardware.H100).raw("itl_calibrated")
        fast, slow = _batching_both_ways(L8, Hardware.H100)
    finally:
        calibration._cached = old
    assert after > before and after == fast[0]["itl_calibrated"] and fast == slow
    assert cb.solve(L8, Hardware.H100).raw("itl_calibrated") == before
