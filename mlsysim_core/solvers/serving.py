"""LLM serving: compute-bound prefill (TTFT), memory-bound decode (ITL), KV cache, fit.

TTFT = prefill FLOPs / (Peak x eta) + dispatch            (equations page 4.1)
ITL  = max((W_read + KV) / BW, 2 P_active B / (Peak x eta)) + dispatch   (equations page 4.2)
KV   = 2 L H_kv d_head S B bytes; MLA: L (d_c + d_rope) S B bytes    (equations page 4.3; DeepSeek-V2)

Two more answers per phase: ``*_bound`` (datasheet peaks, efficiencies 1, no dispatch; no real
run beats it) and ``*_calibrated`` (per-regime efficiencies from ``mlsysim_core.calibration``:
GEMM at the precision's figure, attention FLOPs at the attention figure on the 16-bit peak,
decode traffic at the decode-GEMV figure), whatever ``efficiency`` says.

Mixture of experts: a decode step over B tokens reads the non-expert weights plus the experts
those tokens touch, E (1 - (1 - k/E)^B) per layer under uniform routing (``calc_moe_experts_touched``):
the active parameters at batch 1, all parameters at large batch. Memory holds all of them.

Tensor parallelism (``tp_size`` accelerators of one node, Megatron-style; Shoeybi et al. 2019):
each accelerator holds 1/TP of the weights and of the KV heads (an MLA latent is kept whole on
every rank) and does 1/TP of the FLOPs, and every layer adds two ring all-reduces of the
activations over the accelerator interconnect (NVLink), B x S x d bytes in prefill and B x d per
decode step, each call also paying the collective library's fixed cost
(``serving_collective_base_latency``, NCCL's 6.6 us; calc_tp_allreduce_time), which dominates the
small decode all-reduces. Memory results are per accelerator.

Options (the reference implementation's argument names):
- ``cached_prefix_len`` (prefix caching; Zheng et al. 2024): only the S - c new tokens are
  prefilled, attending to the cached c; the cached KV still occupies memory.
- ``prefill_chunk_tokens`` (chunked prefill; Agrawal et al. 2024, Sarathi-Serve): the prompt runs
  in ceil(n / C) chunks, each at least one pass over the weights, max(chunk FLOPs / peak,
  (W_read + KV so far) / BW); ``decode_stall`` is a decode step that carries the largest chunk
  (without chunking, a decode step waits for a whole prefill).
- ``decode_hardware`` + ``network_bandwidth`` (disaggregated prefill/decode; Zhong et al. 2024,
  DistServe): TTFT adds the prompt's KV sent over the network; decode runs on the other device.
- ``draft_model`` + ``draft_acceptance_rate`` (+ ``draft_tokens`` K) (speculative decoding;
  Leviathan et al. 2023): each round runs K draft steps and one target step over K + 1 tokens and
  yields 1 + a(1 - a^K)/(1 - a) tokens; ITL = (K t_draft + t_verify) / that. Memory holds both models.
"""
from __future__ import annotations

import math

from .. import calibration
from ..errors import OOMError
from ..fmt import si
from ..checks import fraction, positive_int
from ..errors import SpecError
from ..formulas import (calc_bottleneck, calc_prefill_flops_cached, calc_speculative_expected_tokens,
                        calc_tp_allreduce_time)
from ..units import magnitude
from ..zoo import constants
from ..results import ServingResult
from ._common import (NATIVE_ONLY, check_batch, check_device_precision, check_efficiency, check_hardware,
                      check_precision, check_tp, check_transformer)


def _weights_read(model, tokens: float, bpe: float, tp: int) -> float:
    """Bytes of weights one forward step over ``tokens`` tokens reads, per accelerator."""
    return model.decode_weight_params(tokens) * bpe / tp


def _sum_max_linear(a1, b1, a2, b2, n: int) -> float:
    """sum_{i=0}^{n-1} max(a1 + b1 i, a2 + b2 i) in O(1) (two lines cross at most once)."""
    if n <= 0:
        return 0.0

    def s(a, b, lo, hi):       # sum over i in [lo, hi)
        m = hi - lo
        return a * m + b * (lo + hi - 1) * m / 2.0 if m > 0 else 0.0
    if b1 == b2:
        return s(a1 if a1 >= a2 else a2, b1, 0, n)
    x = (a2 - a1) / (b1 - b2)          # line 1 >= line 2 for i >= x when b1 > b2
    k = min(n, max(0, math.ceil(x)))
    if b1 > b2:
        return s(a2, b2, 0, k) + s(a1, b1, k, n)
    return s(a1, b1, 0, k) + s(a2, b2, k, n)


class ServingModel:
    """Two-phase LLM inference on one accelerator, or TP accelerators of one node (Wall 4 Serving)."""

    def solve(self, model, hardware, seq_len=2048, batch_size=1, precision="fp16", efficiency=0.5,
              output_tokens=0, kv_precision=None, bandwidth_efficiency=1.0, tp_size=1,
              raise_errors=False, draft_model=None, draft_acceptance_rate=None, draft_tokens=None,
              cached_prefix_len=0, prefill_chunk_tokens=None, decode_hardware=None,
              network_bandwidth=None) -> ServingResult:
        """One request batch: TTFT, ITL, memory; see the module docstring for the options.

        Cost is constant per call (no loops): chunked prefill is summed in closed form.
        """
        check_transformer(model, "ServingModel")
        check_hardware(hardware)
        precision, bpe = check_precision(precision)
        kv_prec, kv_bpe = (precision, bpe) if kv_precision is None else _kv_precision(kv_precision)
        seq_len = check_batch(seq_len, "seq_len")
        batch_size = check_batch(batch_size)
        efficiency = check_efficiency(efficiency)
        if bandwidth_efficiency != 1.0:
            bandwidth_efficiency = check_efficiency(bandwidth_efficiency, "bandwidth_efficiency")
        if output_tokens != 0:
            output_tokens = positive_int("output_tokens", output_tokens, minimum=0)
        if precision in NATIVE_ONLY:
            check_device_precision(hardware, precision)
        tp = check_tp(tp_size, model, hardware)
        dec_hw = hardware
        if decode_hardware is not None:
            dec_hw = check_hardware(decode_hardware, "decode_hardware")
            if precision in NATIVE_ONLY:
                check_device_precision(dec_hw, precision)
            check_tp(tp, model, dec_hw)
        elif network_bandwidth is not None:
            raise SpecError("network_bandwidth", network_bandwidth,
                            "None unless decode_hardware is given (it carries the KV to the decode device)")
        cached = 0
        if cached_prefix_len != 0:
            cached = positive_int("cached_prefix_len", cached_prefix_len, minimum=0)
            if cached >= seq_len:
                raise SpecError("cached_prefix_len", cached_prefix_len,
                                f"an integer in [0, seq_len - 1] = [0, {seq_len - 1}] (at least one new token is prefilled)")
        chunk = None
        if prefill_chunk_tokens is not None:
            chunk = positive_int("prefill_chunk_tokens", prefill_chunk_tokens)
        spec = draft_model is not None
        if spec:
            check_transformer(draft_model, "ServingModel draft_model")
            if draft_model is model:
                raise SpecError("draft_model", draft_model.name, "a smaller model than the target")
            a = constants().serving_draft_acceptance_rate if draft_acceptance_rate is None else \
                fraction("draft_acceptance_rate", draft_acceptance_rate, lo_open=False)
            k_draft = int(constants().serving_draft_tokens) if draft_tokens is None else \
                positive_int("draft_tokens", draft_tokens)
        elif draft_acceptance_rate is not None or draft_tokens is not None:
            raise SpecError("draft_acceptance_rate" if draft_acceptance_rate is not None else "draft_tokens",
                            draft_acceptance_rate if draft_acceptance_rate is not None else draft_tokens,
                            "None unless draft_model is given (speculative decoding needs a draft model)")

        # --- prefill (on `hardware`) ------------------------------------------------------------
        peak_ideal = hardware.compute.peak_flop_s(precision)
        peak = peak_ideal * efficiency
        bw_ideal = hardware.memory.bandwidth_bytes_s
        tax = hardware.dispatch_tax_s
        active = model.active_parameters_count
        moe = model.architecture == "moe"
        weights = model.weight_bytes(precision) / tp                # per accelerator from here on
        if model.kv_lora_rank or model.sliding_window:
            token_layers = model.cached_token_layers(seq_len)
            kv_elems = model.kv_elements_per_token_layer(tp)
        else:                                                # the common case, inline (hot path)
            token_layers = model.layers * seq_len
            kv_elems = 2.0 * -(-model.n_kv_heads // tp) * model.head_dim
        kv = kv_elems * token_layers * batch_size * kv_bpe
        kv_token = kv / (seq_len * batch_size)
        new = seq_len - cached
        prefill = calc_prefill_flops_cached.raw(active, new, cached, batch_size, model.layers, model.hidden_dim) / tp
        linear = 2.0 * active * new * batch_size / tp
        link = hardware.interconnect
        n_ar = model.layers * constants().tp_allreduces_per_layer_inference if tp > 1 else 0
        comm_prefill = comm_decode = comm_floor = 0.0
        if tp > 1:
            # each all-reduce call pays the library's fixed cost too (NCCL base latency), which
            # no link efficiency changes: kept apart from the calibrated (bandwidth) share
            base = constants().serving_collective_base_latency
            comm_floor = n_ar * base
            act = batch_size * model.hidden_dim * bpe
            comm_prefill = n_ar * calc_tp_allreduce_time.raw(act * new, tp, link.bandwidth_bytes_s, link.latency_s, base)
        cal = calibration.get()
        g_eff = cal.gemm(precision)
        gemm_cal = peak_ideal * g_eff
        link_cal = cal.allreduce_nvlink
        t_pre_cal = linear / gemm_cal + (prefill - linear) / (hardware.compute.peak_flop_s("bf16") * cal.attention)
        t_prefill = prefill / peak
        t_pre_bound = prefill / peak_ideal
        chunks, chunk_time = 1, t_prefill
        if chunk is not None and chunk < new:
            chunks = -(-new // chunk)
            t_prefill = self._chunked(model, new, cached, chunk, batch_size, bpe, kv_token, tp, prefill / t_prefill,
                                      bw_ideal * bandwidth_efficiency)
            t_pre_cal = self._chunked(model, new, cached, chunk, batch_size, bpe, kv_token, tp, prefill / t_pre_cal,
                                      bw_ideal * cal.decode_gemv)
            t_pre_bound = self._chunked(model, new, cached, chunk, batch_size, bpe, kv_token, tp, peak_ideal, bw_ideal)
            last = calc_prefill_flops_cached.raw(active, chunk, seq_len - chunk, batch_size, model.layers,
                                                 model.hidden_dim) / tp
            chunk_time = max(last / peak, (_weights_read(model, chunk * batch_size, bpe, tp) + kv)
                             / (bw_ideal * bandwidth_efficiency))
        ttft = t_prefill + comm_prefill + chunks * tax
        ttft_cal = t_pre_cal + (comm_prefill - comm_floor) / link_cal + comm_floor + chunks * tax
        ttft_bound = t_pre_bound

        # --- KV hand-off (disaggregated) ------------------------------------------------------
        kv_transfer = 0.0
        if decode_hardware is not None:
            net = constants().serving_kv_transfer_bandwidth if network_bandwidth is None else \
                magnitude(network_bandwidth, "byte/s", "network_bandwidth")
            if not net > 0:
                raise SpecError("network_bandwidth", network_bandwidth, "a positive bandwidth (bytes/s or a Quantity)")
            kv_transfer = kv / net            # each rank sends its shard over its own NIC, in parallel
            ttft += kv_transfer
            ttft_cal += kv_transfer
            ttft_bound += kv_transfer

        # --- decode (on `dec_hw`) -------------------------------------------------------------
        if dec_hw is hardware:
            dpeak_ideal, dpeak, dbw_ideal, dtax, dgemm_cal, dlink = peak_ideal, peak, bw_ideal, tax, gemm_cal, link
        else:
            dpeak_ideal = dec_hw.compute.peak_flop_s(precision)
            dpeak = dpeak_ideal * efficiency
            dbw_ideal = dec_hw.memory.bandwidth_bytes_s
            dtax = dec_hw.dispatch_tax_s
            dgemm_cal = dpeak_ideal * g_eff
            dlink = dec_hw.interconnect
        dbw = dbw_ideal * bandwidth_efficiency
        tokens = batch_size * (k_draft + 1) if spec else batch_size
        w_read = _weights_read(model, tokens, bpe, tp) if moe else weights
        decode = 2.0 * active * tokens / tp
        if tp > 1:
            comm_decode = n_ar * calc_tp_allreduce_time.raw(tokens * model.hidden_dim * bpe, tp,
                                                            dlink.bandwidth_bytes_s, dlink.latency_s, base)
        t_dec_mem = (w_read + kv) / dbw
        t_dec_cmp = decode / dpeak
        itl = (t_dec_mem if t_dec_mem >= t_dec_cmp else t_dec_cmp) + comm_decode + dtax
        t_cal_mem, t_cal_cmp = (w_read + kv) / (dbw_ideal * cal.decode_gemv), decode / dgemm_cal
        itl_cal = (t_cal_mem if t_cal_mem >= t_cal_cmp else t_cal_cmp) + (comm_decode - comm_floor) / link_cal \
            + comm_floor + dtax
        itl_bound = max((w_read + kv) / dbw_ideal, decode / dpeak_ideal)
        total = weights + kv
        extra = {}
        if spec:
            dm = draft_model
            w_d = dm.weight_bytes(precision)                 # the draft runs whole on each rank
            kv_d = dm.kv_cache_bytes(seq_len, batch_size, kv_prec)
            dw_read = _weights_read(dm, batch_size, bpe, 1) if dm.architecture == "moe" else w_d
            d_flops = 2.0 * dm.active_parameters_count * batch_size
            t_d = max((dw_read + kv_d) / dbw, d_flops / dpeak) + dtax
            t_d_cal = max((dw_read + kv_d) / (dbw_ideal * cal.decode_gemv), d_flops / dgemm_cal) + dtax
            t_d_bound = max((dw_read + kv_d) / dbw_ideal, d_flops / dpeak_ideal)
            e_tok = calc_speculative_expected_tokens.raw(a, k_draft)
            verify = itl
            itl = (k_draft * t_d + itl) / e_tok
            itl_cal = (k_draft * t_d_cal + itl_cal) / e_tok
            itl_bound = (k_draft * t_d_bound + itl_bound) / e_tok
            total += w_d + kv_d
            extra = {"speculative_tokens_per_step": e_tok, "draft_tokens": k_draft, "draft_acceptance_rate": a,
                     "draft_step_time": t_d, "verify_step_time": verify, "draft_weights_size": w_d,
                     "draft_kv_cache_size": kv_d, "draft_model": dm.name}
        capacity = dec_hw.memory.capacity_bytes
        feasible = total <= capacity
        if decode_hardware is not None:   # the prefill device holds the weights and the prompt's KV too
            feasible = feasible and weights + kv <= hardware.memory.capacity_bytes
        # a decode step that carries a prefill chunk (or, unchunked, a whole prefill) stalls by it
        decode_stall = itl + chunk_time
        r = {
            "ttft": ttft, "itl": itl, "kv_cache_size": kv, "kv_cache_per_token": kv_token,
            "model_weights_size": weights, "total_memory_required": total, "memory_capacity": capacity,
            "feasible": feasible, "memory_utilization": total / capacity,
            "shortfall": total - capacity if total > capacity else 0.0,
            "decode_throughput": batch_size / itl,
            # the inverse questions: how far can batch or context grow before memory runs out?
            "max_batch_size": _fit(capacity - weights, kv_token * seq_len),
            "max_seq_len": _fit(capacity - weights, kv_token * batch_size),
            # ideal bounds: datasheet peaks, efficiencies 1, no dispatch; no real run beats them
            "ttft_bound": ttft_bound,
            "itl_bound": itl_bound, "decode_throughput_bound": batch_size / itl_bound,
            "ttft_calibrated": ttft_cal, "itl_calibrated": itl_cal,
            "decode_throughput_calibrated": batch_size / itl_cal,
            "request_latency": ttft + output_tokens * itl,
            "prefill_bottleneck": "Compute Bound",
            "decode_bottleneck": calc_bottleneck.raw(t_dec_cmp, t_dec_mem),
            "prefill_flops": prefill, "seq_len": seq_len, "batch_size": batch_size,
            "precision": precision, "tp_size": tp,
            "tp_communication_prefill": comm_prefill, "tp_communication_decode": comm_decode,
            "weights_read_per_step": w_read,
            "cached_prefix_len": cached, "prompt_cache_hit_ratio": cached / seq_len,
            "prefill_chunks": chunks, "prefill_chunk_time": chunk_time, "decode_stall": decode_stall,
            "kv_transfer_time": kv_transfer,
            "decode_hardware": dec_hw.name,
            **extra,
        }
        if moe:
            r["experts_touched"] = model.experts_touched(tokens)
        if raise_errors and not r["feasible"]:
            raise OOMError(f"{model.name} weights + KV cache need {si(total, 'B')} but {dec_hw.name} "
                           f"has {si(capacity, 'B')} (short by {si(r['shortfall'], 'B')})", total, capacity)
        return ServingResult(r, lambda: _work(model, r, kv_elems, kv_bpe, peak, dbw, tax, dtax, w_read, t_dec_cmp))

    @staticmethod
    def _chunked(model, new, cached, chunk, batch, bpe, kv_token, tp, rate, bw) -> float:
        """Sum over chunks of max(chunk FLOPs / rate, (W_read + KV so far) / bw), in closed form.

        Chunk i (of C tokens, context c + iC before it) does 2PCB + 2LdB(2C(c + iC) + C^2) FLOPs
        (calc_prefill_flops_cached) and reads the weights plus the KV written so far: both are
        linear in i, so the sum of their maximum is two arithmetic series. The last chunk may be short.
        """
        p, L, d = model.active_parameters_count, model.layers, model.hidden_dim
        full = new // chunk
        rest = new - full * chunk
        w = _weights_read(model, chunk * batch, bpe, tp)
        a_c = (2.0 * p * chunk * batch + 2.0 * L * d * batch * (2.0 * chunk * cached + chunk * chunk)) / tp / rate
        b_c = 2.0 * L * d * batch * 2.0 * chunk * chunk / tp / rate
        a_m = (w + kv_token * cached * batch) / bw
        b_m = kv_token * chunk * batch / bw
        t = _sum_max_linear(a_c, b_c, a_m, b_m, full)
        if rest:
            ctx = cached + full * chunk
            f = calc_prefill_flops_cached.raw(p, rest, ctx, batch, L, d) / tp
            t += max(f / rate, (_weights_read(model, rest * batch, bpe, tp) + kv_token * ctx * batch) / bw)
        return t


def _kv_precision(kv_precision) -> tuple[str, float]:
    try:
        return check_precision(kv_precision)
    except SpecError as e:     # name the argument the caller wrote
        raise SpecError("kv_precision", kv_precision, e.allowed) from None


def _work(model, r, kv_elems, kv_bpe, peak, dbw, tax, dtax, w_read, t_dec_cmp):
    tp, seq_len, b = r["tp_size"], r["seq_len"], r["batch_size"]
    kv, kv_token, weights = r["kv_cache_size"], r["kv_cache_per_token"], r["model_weights_size"]
    if model.kv_lora_rank:
        kv_row = ("KV cache (multi-head latent attention)", "KV = L (d_c + d_{rope}) S B b",
                  f"{model.layers} × ({model.kv_lora_rank} + {model.qk_rope_head_dim}) × {seq_len} × {b} × "
                  f"{kv_bpe:g} B = **{si(kv, 'B')}** ({si(kv_token, 'B')} per token)")
    else:
        heads = int(kv_elems // (2 * model.head_dim))
        window = (f"; {model.sliding_window_layers} sliding-window layers hold ≤ {model.sliding_window} tokens"
                  if model.sliding_window and model.sliding_window_layers else "")
        kv_row = ("KV cache" + (f" (per accelerator, {heads} of {model.n_kv_heads} KV heads)" if tp > 1 else ""),
                  "KV = 2 L H_{kv} d_{head} S B b",
                  f"2 × {model.layers} × {heads} × {model.head_dim} × {seq_len} × {b} × "
                  f"{kv_bpe:g} B = **{si(kv, 'B')}** ({si(kv_token, 'B')} per token{window})")
    rows = [kv_row]
    if r["cached_prefix_len"]:
        rows.append(("Prefix cache", "n = S - c",
                     f"{seq_len} - {r['cached_prefix_len']} = {seq_len - r['cached_prefix_len']} new tokens prefilled "
                     f"(hit ratio {r['prompt_cache_hit_ratio']:.0%}); the cached KV stays in memory"))
    rows.append(("Time to first token",
                 "TTFT = \\frac{2PnB + 2LdB(2nc + n^2)}{TP \\times \\text{Peak}\\times\\eta} + T_{TP} + \\tau",
                 f"{si(r['prefill_flops'] * tp, 'FLOP')} / ({tp} × {si(peak, 'FLOP/s')}) + "
                 f"{si(r['tp_communication_prefill'], 's')} + {r['prefill_chunks']} × {si(tax, 's')}"
                 + (f" + KV hand-off {si(r['kv_transfer_time'], 's')}" if r["kv_transfer_time"] else "")
                 + f" = **{si(r['ttft'], 's')}**"))
    if r["prefill_chunks"] > 1:
        rows.append(("Chunked prefill", "\\sum_i \\max(F_i / \\text{Peak}\\,\\eta, (W + KV_i)/BW)",
                     f"{r['prefill_chunks']} chunks, the largest {si(r['prefill_chunk_time'], 's')}; a decode step "
                     f"carrying it takes **{si(r['decode_stall'], 's')}**"))
    moe = ("experts_touched" in r)
    rows.append(("Inter-token latency" + (" (target verify step)" if "draft_model" in r else ""),
                 "ITL = \\max\\left(\\frac{W_{read} + KV}{BW}, \\frac{2PB}{TP \\times \\text{Peak}\\times\\eta}\\right) + T_{TP} + \\tau",
                 (f"{r['experts_touched']:.3g} of {model.experts} experts per layer touched; " if moe else "")
                 + f"max(({si(w_read, 'B')} + {si(kv, 'B')}) / {si(dbw, 'B/s')}, {si(t_dec_cmp, 's')}) + "
                 f"{si(r['tp_communication_decode'], 's')} + {si(dtax, 's')}"
                 + (f" = {si(r['verify_step_time'], 's')}" if "draft_model" in r else
                    f" = **{si(r['itl'], 's')}** ({r['decode_bottleneck']})")))
    if "draft_model" in r:
        k, a = r["draft_tokens"], r["draft_acceptance_rate"]
        rows.append(("Speculative decoding", "E = 1 + \\frac{a(1-a^K)}{1-a},\\; ITL = \\frac{K t_{draft} + t_{verify}}{E}",
                     f"E = {r['speculative_tokens_per_step']:.3g} tokens (a = {a:g}, K = {k}); ITL = ({k} × "
                     f"{si(r['draft_step_time'], 's')} + {si(r['verify_step_time'], 's')}) / "
                     f"{r['speculative_tokens_per_step']:.3g} = **{si(r['itl'], 's')}**"))
    rows.append(("Memory", "W + KV \\le \\text{capacity}",
                 f"{si(r['total_memory_required'], 'B')} (weights {si(weights, 'B')}) vs {si(r['memory_capacity'], 'B')}: "
                 f"**{'fits' if r['feasible'] else 'short by ' + si(r['shortfall'], 'B')}**"))
    return rows


def _fit(free_bytes: float, bytes_per_unit: float) -> int:
    """How many units (sequences, tokens) fit in ``free_bytes``; 0 when the weights alone overflow."""
    return int(free_bytes // bytes_per_unit) if free_bytes > 0 else 0
