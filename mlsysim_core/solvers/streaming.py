"""Wall 6 (Streaming): wafer-scale weight streaming (Cerebras CS-3 with MemoryX/SwarmX).

Weights live in external memory and stream over the injection link one layer at a time while the
activations (and KV cache) stay in on-wafer SRAM:

    T_layer = max(|W_layer| / BW_inject, FLOPs_layer / (Peak x eta))        (calc_streaming_layer_time)
    B*      = b Peak eta / (2 BW_inject)   tokens per step where it turns compute-bound
    step    = L x T_layer + dispatch;  throughput = tokens per step / step
    on-wafer memory: KV + activations <= SRAM; weights <= external memory

Tokens per step: decode B (one per sequence), prefill B x S. MoE layers stream only the experts the
step's tokens touch (calc_moe_experts_touched). When the whole model fits in SRAM the weights need
not stream: ``resident_layer_time`` is the same layer read from SRAM instead. Constant cost per call.
Sources: Cerebras Hot Chips 33 (2021) weight streaming; CS-3 press release (2024); cheat sheet Wall 6.
"""
from __future__ import annotations

from ..checks import choice, positive, positive_int
from ..errors import SpecError
from ..fmt import si
from ..formulas import calc_prefill_flops, calc_streaming_crossover_batch, calc_streaming_layer_time
from ..results import Result
from ..zoo import constants
from ._common import (check_batch, check_device_precision, check_efficiency, check_hardware, check_precision,
                      check_transformer)

PHASES = ("decode", "prefill")


class WeightStreamingResult(Result):
    __slots__ = ()
    UNITS = {"layer_time": ("ms", 1e3), "layer_compute_time": ("ms", 1e3), "layer_injection_time": ("ms", 1e3),
             "resident_layer_time": ("ms", 1e3), "step_time": ("ms", 1e3), "layer_weight_bytes": ("GB", 1e-9),
             "wafer_memory_required": ("GB", 1e-9), "wafer_memory_capacity": ("GB", 1e-9),
             "weights_size": ("GB", 1e-9), "external_memory": ("TB", 1e-12),
             "injection_bandwidth": ("GB/s", 1e-9), "throughput_tokens_per_sec": ("1/s", 1.0)}
    # wafer_memory_utilization is demand / capacity: above 1 when KV + activations do not fit
    # (feasible False), always finite (the fuzz test exempts MAY_BE_INF fields from the [0, 1] check)
    MAY_BE_INF = frozenset({"wafer_memory_utilization"})


class WeightStreamingModel:
    """Per-layer time, bottleneck and the compute-bound batch of weight streaming (Wall 6)."""

    def solve(self, model, hardware, seq_len=2048, batch_size=1, precision="fp16", efficiency=0.5,
              phase="decode", injection_bandwidth=None, external_memory=None) -> WeightStreamingResult:
        """``injection_bandwidth``: link weights stream over (default: the device's interconnect,
        the CS-3's SwarmX/MemoryX I/O); ``external_memory``: where the weights live (default:
        the largest MemoryX)."""
        check_transformer(model, "WeightStreamingModel")
        check_hardware(hardware)
        precision, bpe = check_precision(precision)
        check_device_precision(hardware, precision)
        seq_len = check_batch(seq_len, "seq_len")
        batch_size = check_batch(batch_size)
        efficiency = check_efficiency(efficiency)
        choice("phase", phase, PHASES)
        if injection_bandwidth is None:
            if hardware.interconnect is None:
                raise SpecError("injection_bandwidth", None, f"a bandwidth: {hardware.name} has no interconnect "
                                "in the zoo to stream weights over")
            bw = hardware.interconnect.bandwidth_bytes_s
        else:
            # 1e-30 .. 1e30 B/s (checks.positive): the layer time divides by it and stays finite
            bw = positive("injection_bandwidth", injection_bandwidth, unit="byte/s")
        ext = constants().streaming_external_memory if external_memory is None else \
            positive("external_memory", external_memory, unit="byte")
        L = model.layers
        peak = hardware.compute.peak_flop_s(precision)
        tokens = batch_size if phase == "decode" else batch_size * seq_len
        w_layer = model.decode_weight_params(tokens) * bpe / L
        if phase == "decode":
            f_layer = 2.0 * model.active_parameters_count * batch_size / L
        else:
            f_layer = calc_prefill_flops.raw(model.active_parameters_count, seq_len, batch_size, L,
                                             model.hidden_dim) / L
        t_inj = w_layer / bw
        t_cmp = f_layer / (peak * efficiency)
        t_layer = calc_streaming_layer_time.raw(w_layer, bw, f_layer, peak, efficiency)
        sram_bw = hardware.memory.sram_bandwidth_bytes_s or hardware.memory.bandwidth_bytes_s
        resident = max(w_layer / sram_bw, t_cmp)
        b_star = calc_streaming_crossover_batch.raw(bpe, bw, peak, efficiency)
        kv = model.kv_cache_bytes(seq_len, batch_size, precision)
        act = tokens * model.hidden_dim * bpe * 2.0            # a layer's input and output stay on chip
        wafer = kv + act
        cap = hardware.memory.capacity_bytes
        weights = model.weight_bytes(precision)
        step = L * t_layer + hardware.dispatch_tax_s
        feasible = wafer <= cap and weights <= ext
        v = {"model_name": model.name, "hardware_name": hardware.name, "phase": phase, "tokens_per_step": tokens,
             "layer_weight_bytes": w_layer, "layer_flops": f_layer, "injection_bandwidth": bw,
             "layer_injection_time": t_inj, "layer_compute_time": t_cmp, "layer_time": t_layer,
             "bottleneck": "Compute-Bound" if t_cmp >= t_inj else "Interconnect-Bandwidth-Bound",
             "optimal_batch_size": b_star, "crossover_tokens": b_star, "step_time": step,
             "throughput_tokens_per_sec": tokens / step if feasible else 0.0,
             "resident_layer_time": resident, "weights_fit_on_wafer": weights + wafer <= cap,
             "wafer_memory_required": wafer, "wafer_memory_capacity": cap,
             "wafer_memory_utilization": wafer / cap, "weights_size": weights, "external_memory": ext,
             "feasible": feasible, "precision": precision, "batch_size": batch_size, "seq_len": seq_len}
        return WeightStreamingResult(v, lambda: _work(v, L, bpe, peak, efficiency))


def _work(v, L, bpe, peak, eta):
    return [
        ("Per-layer time", "T_{layer} = \\max\\left(\\frac{|W_l|}{BW_{inject}}, \\frac{F_l}{\\text{Peak}\\,\\eta}\\right)",
         f"max({si(v['layer_weight_bytes'], 'B')} / {si(v['injection_bandwidth'], 'B/s')}, "
         f"{si(v['layer_flops'], 'FLOP')} / {si(peak * eta, 'FLOP/s')}) = max({si(v['layer_injection_time'], 's')}, "
         f"{si(v['layer_compute_time'], 's')}) = **{si(v['layer_time'], 's')}** ({v['bottleneck']})"),
        ("Compute-bound batch", "B^* = \\frac{b\\,\\text{Peak}\\,\\eta}{2\\,BW_{inject}}",
         f"{bpe:g} × {si(peak * eta, 'FLOP/s')} / (2 × {si(v['injection_bandwidth'], 'B/s')}) = "
         f"**{v['optimal_batch_size']:,.0f} tokens per step** (this step: {v['tokens_per_step']:,})"),
        ("Step and throughput", "T = L\\,T_{layer} + \\tau",
         f"{L} × {si(v['layer_time'], 's')} = {si(v['step_time'], 's')}: "
         f"**{v['throughput_tokens_per_sec']:,.4g} tokens/s**"),
        ("On-wafer memory", "KV + \\text{activations} \\le \\text{SRAM}",
         f"{si(v['wafer_memory_required'], 'B')} of {si(v['wafer_memory_capacity'], 'B')}; weights "
         f"{si(v['weights_size'], 'B')} in {si(v['external_memory'], 'B')} external: "
         f"**{'fits' if v['feasible'] else 'does not fit'}**"),
    ]
