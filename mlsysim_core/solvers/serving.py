"""LLM serving: compute-bound prefill (TTFT), memory-bound decode (ITL), KV cache, fit.

TTFT = prefill FLOPs / (Peak x eta) + dispatch            (equations page 4.1)
ITL  = max((W + KV) / BW, 2 P_active B / (Peak x eta)) + dispatch   (equations page 4.2)
KV   = 2 L H_kv d_head S B bytes                          (equations page 4.3)

Two more answers per phase: ``*_bound`` (datasheet peaks, efficiencies 1, no dispatch; no real
run beats it) and ``*_calibrated`` (per-regime efficiencies from ``mlsysim_core.calibration``:
GEMM at the precision's figure, attention FLOPs at the attention figure on the 16-bit peak,
decode traffic at the decode-GEMV figure), whatever ``efficiency`` says.

Tensor parallelism (``tp_size`` accelerators of one node, Megatron-style; Shoeybi et al. 2019):
each accelerator holds 1/TP of the weights and of the KV heads and does 1/TP of the FLOPs, and
every layer adds two ring all-reduces of the activations over the accelerator interconnect
(NVLink), B x S x d bytes in prefill and B x d per decode step. Memory results are per accelerator.
"""
from __future__ import annotations

from .. import calibration
from ..errors import OOMError
from ..fmt import si
from ..checks import positive_int
from ..errors import SpecError
from ..formulas import (calc_bottleneck, calc_kv_cache_bytes, calc_prefill_flops,
                        calc_ring_allreduce_time)
from ..zoo import constants
from ..results import ServingResult
from ._common import (check_batch, check_efficiency, check_hardware, check_precision,
                      check_transformer)


class ServingModel:
    """Two-phase LLM inference on one accelerator, or TP accelerators of one node (Wall 4 Serving)."""

    def solve(self, model, hardware, seq_len=2048, batch_size=1, precision="fp16", efficiency=0.5,
              output_tokens=0, kv_precision=None, bandwidth_efficiency=1.0, tp_size=1,
              raise_errors=False) -> ServingResult:
        check_transformer(model, "ServingModel")
        check_hardware(hardware)
        precision, bpe = check_precision(precision)
        kv_bpe = bpe if kv_precision is None else check_precision(kv_precision)[1]
        seq_len = check_batch(seq_len, "seq_len")
        batch_size = check_batch(batch_size)
        efficiency = check_efficiency(efficiency)
        if bandwidth_efficiency != 1.0:
            bandwidth_efficiency = check_efficiency(bandwidth_efficiency, "bandwidth_efficiency")
        if output_tokens:
            output_tokens = check_batch(output_tokens, "output_tokens")
        tp = 1 if tp_size == 1 else positive_int("tp_size", tp_size)
        link = hardware.interconnect
        if tp > 1 and link is None:
            raise SpecError("tp_size", tp_size, f"1: {hardware.name} has no accelerator interconnect "
                            "in the zoo to split a model over")

        peak_ideal = hardware.compute.peak_flop_s(precision)
        peak = peak_ideal * efficiency
        bw_ideal = hardware.memory.bandwidth_bytes_s
        bw = bw_ideal * bandwidth_efficiency
        tax = hardware.dispatch_tax_s
        active = model.active_parameters_count
        weights = model.weight_bytes(precision) / tp                # per accelerator from here on
        kv_heads = model.n_kv_heads
        heads_here = -(-kv_heads // tp)                             # a KV head is never split
        kv_token = calc_kv_cache_bytes.raw(model.layers, heads_here, model.head_dim, 1, 1, kv_bpe)
        kv = kv_token * seq_len * batch_size
        prefill = calc_prefill_flops.raw(active, seq_len, batch_size, model.layers, model.hidden_dim) / tp
        decode = 2.0 * active * batch_size / tp
        comm_prefill = comm_decode = 0.0
        if tp > 1:
            n_ar = model.layers * constants().tp_allreduces_per_layer_inference
            act = batch_size * model.hidden_dim * bpe
            comm_prefill = n_ar * calc_ring_allreduce_time.raw(act * seq_len, tp, link.bandwidth_bytes_s,
                                                               link.latency_s)
            comm_decode = n_ar * calc_ring_allreduce_time.raw(act, tp, link.bandwidth_bytes_s, link.latency_s)
        t_prefill = prefill / peak
        ttft = t_prefill + comm_prefill + tax
        t_dec_mem = (weights + kv) / bw
        t_dec_cmp = decode / peak
        itl = (t_dec_mem if t_dec_mem >= t_dec_cmp else t_dec_cmp) + comm_decode + tax
        total = weights + kv
        capacity = hardware.memory.capacity_bytes
        cal = calibration.get()
        gemm_cal = peak_ideal * cal.gemm(precision)
        linear = 2.0 * active * seq_len * batch_size / tp
        link_cal = cal.allreduce_nvlink
        ttft_cal = (linear / gemm_cal + (prefill - linear) / (hardware.compute.peak_flop_s("bf16")
                                                            * cal.attention) + comm_prefill / link_cal + tax)
        t_cal_mem, t_cal_cmp = (weights + kv) / (bw_ideal * cal.decode_gemv), decode / gemm_cal
        itl_cal = (t_cal_mem if t_cal_mem >= t_cal_cmp else t_cal_cmp) + comm_decode / link_cal + tax
        itl_bound = max((weights + kv) / bw_ideal, decode / peak_ideal)
        r = {
            "ttft": ttft, "itl": itl, "kv_cache_size": kv, "kv_cache_per_token": kv_token,
            "model_weights_size": weights, "total_memory_required": total, "memory_capacity": capacity,
            "feasible": total <= capacity, "memory_utilization": total / capacity,
            "shortfall": total - capacity if total > capacity else 0.0,
            "decode_throughput": batch_size / itl,
            # the inverse questions: how far can batch or context grow before memory runs out?
            "max_batch_size": _fit(capacity - weights, kv_token * seq_len),
            "max_seq_len": _fit(capacity - weights, kv_token * batch_size),
            # ideal bounds: datasheet peaks, efficiencies 1, no dispatch; no real run beats them
            "ttft_bound": prefill / peak_ideal,
            "itl_bound": itl_bound, "decode_throughput_bound": batch_size / itl_bound,
            "ttft_calibrated": ttft_cal, "itl_calibrated": itl_cal,
            "decode_throughput_calibrated": batch_size / itl_cal,
            "request_latency": ttft + output_tokens * itl,
            "prefill_bottleneck": "Compute Bound",
            "decode_bottleneck": calc_bottleneck.raw(t_dec_cmp, t_dec_mem),
            "prefill_flops": prefill, "seq_len": seq_len, "batch_size": batch_size,
            "precision": precision, "tp_size": tp,
            "tp_communication_prefill": comm_prefill, "tp_communication_decode": comm_decode,
        }
        if raise_errors and not r["feasible"]:
            raise OOMError(f"{model.name} weights + KV cache need {si(total, 'B')} but {hardware.name} "
                           f"has {si(capacity, 'B')} (short by {si(r['shortfall'], 'B')})", total, capacity)
        return ServingResult(r, lambda: [
            ("KV cache" + (f" (per accelerator, {heads_here} of {kv_heads} KV heads)" if tp > 1 else ""),
             "KV = 2 L H_{kv} d_{head} S B b",
             f"2 × {model.layers} × {heads_here} × {model.head_dim} × {seq_len} × {batch_size} × "
             f"{kv_bpe:g} B = **{si(kv, 'B')}** ({si(kv_token, 'B')} per token)"),
            ("Time to first token", "TTFT = \\frac{2PSB + 2LS^2dB}{TP \\times \\text{Peak}\\times\\eta} + T_{TP} + \\tau",
             f"{si(prefill * tp, 'FLOP')} / ({tp} × {si(peak, 'FLOP/s')}) + {si(comm_prefill, 's')} + "
             f"{si(tax, 's')} = **{si(ttft, 's')}**"),
            ("Inter-token latency", "ITL = \\max\\left(\\frac{(W + KV)/TP}{BW}, \\frac{2PB}{TP \\times \\text{Peak}\\times\\eta}\\right) + T_{TP} + \\tau",
             f"max(({si(weights, 'B')} + {si(kv, 'B')}) / {si(bw, 'B/s')}, {si(t_dec_cmp, 's')}) + "
             f"{si(comm_decode, 's')} + {si(tax, 's')} = **{si(itl, 's')}** ({r['decode_bottleneck']})"),
            ("Memory", "W + KV \\le \\text{capacity}",
             f"{si(weights, 'B')} + {si(kv, 'B')} = {si(total, 'B')} vs {si(capacity, 'B')}: "
             f"**{'fits' if r['feasible'] else 'short by ' + si(r['shortfall'], 'B')}**"),
        ])


def _fit(free_bytes: float, bytes_per_unit: float) -> int:
    """How many units (sequences, tokens) fit in ``free_bytes``; 0 when the weights alone overflow."""
    return int(free_bytes // bytes_per_unit) if free_bytes > 0 else 0
