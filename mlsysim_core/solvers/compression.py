"""Compression: quantization, pruning and distillation traded for memory, speed and accuracy.

Ratio: quantization b_base / b; pruning 1 / (1 - s); distillation 1 / size_ratio.
Speed-up comes from the roofline itself: the compressed model is solved again on the same
hardware (fewer bytes help memory-bound work; lower-precision peaks help compute-bound work).
Accuracy deltas are literature figures stored with their sources in the zoo's constants.
"""
from __future__ import annotations

import math

from ..checks import choice, fraction, number
from ..results import CompressionResult
from ..zoo import constants
from ._common import (check_batch, check_efficiency, check_hardware, check_model,
                      check_precision)
from .engine import roofline

_BITS_TO_PRECISION = {32: "fp32", 16: "fp16", 8: "int8", 4: "int4"}
METHODS = ("quantization", "pruning", "distillation")
SPARSITY_TYPES = ("unstructured", "structured", "n_m")


class CompressionModel:
    """Fidelity vs efficiency (Wall 13)."""

    def solve(self, model, hardware, method="quantization", target_bitwidth=8, sparsity=0.0,
              sparsity_type="unstructured", baseline_precision="fp16", size_ratio=None,
              batch_size=1, efficiency=0.5, max_accuracy_drop=None) -> CompressionResult:
        check_model(model)
        check_hardware(hardware)
        choice("method", method, METHODS)
        base_prec, base_bpe = check_precision(baseline_precision, "baseline_precision")
        batch_size = check_batch(batch_size)
        efficiency = check_efficiency(efficiency)
        if max_accuracy_drop is not None:
            max_accuracy_drop = number("max_accuracy_drop", max_accuracy_drop, lo=0.0, hi=1.0,
                                       allowed="an accuracy drop in [0, 1] (a fraction), or None")
        c = constants()
        base = roofline(model, hardware, batch_size, base_prec, base_bpe, efficiency)
        original = base["memory_footprint"]
        if method == "quantization":
            target = _BITS_TO_PRECISION[choice("target_bitwidth", target_bitwidth, tuple(_BITS_TO_PRECISION))]
            prec, bpe = check_precision(target)
            ratio = base_bpe / bpe
            comp = roofline(model, hardware, batch_size, prec, bpe, efficiency)
            speedup = base["latency"] / comp["latency"]
            delta, source = _quant_delta(target_bitwidth, base_bpe * 8, c)
        elif method == "pruning":
            s = fraction("sparsity", sparsity, lo_open=False, hi=0.99)
            choice("sparsity_type", sparsity_type, SPARSITY_TYPES)
            ratio = 1.0 / (1.0 - s)
            if sparsity_type == "structured":   # fewer channels: fewer FLOPs and bytes alike
                speedup = ratio
            elif sparsity_type == "n_m" and abs(s - 0.5) < 0.05:
                speedup = c.nm_sparsity_speedup
            else:                               # dense kernels skip nothing
                speedup = 1.0
            if s <= c.prune_mild_threshold:
                delta, key = (-c.prune_mild_accuracy_drop if s > 0 else 0.0), "prune_mild_accuracy_drop"
            else:
                delta, key = -c.prune_steep_coefficient * math.exp(2.0 * s), "prune_steep_coefficient"
            source = c.source(key)
        else:
            r = c.distill_size_ratio if size_ratio is None else number(
                "size_ratio", size_ratio, lo=1e-6, hi=1.0, allowed="a student/teacher size ratio in (0, 1] (at least 1e-06)")
            ratio = 1.0 / r
            speedup = ratio   # a smaller dense student: FLOPs and bytes shrink together
            delta, source = -c.distill_accuracy_drop, c.source("distill_accuracy_drop")
        compressed = original / ratio
        capacity = hardware.memory.capacity_bytes
        values = {
            "method": method, "original_size_gb": original / 1e9, "compressed_size_gb": compressed / 1e9,
            "compression_ratio": ratio, "memory_savings_pct": (1.0 - 1.0 / ratio) * 100.0,
            "inference_speedup": speedup, "estimated_accuracy_delta": delta,
            "accuracy_source": source, "fits": compressed <= capacity,
            "memory_capacity_gb": capacity / 1e9,
            "shortfall_gb": max(0.0, compressed - capacity) / 1e9,
            "original_latency": base["latency"], "compressed_latency": base["latency"] / speedup,
            "within_accuracy_budget": (max_accuracy_drop is None or -delta <= max_accuracy_drop),
        }
        return CompressionResult(values, lambda: [
            ("Compression ratio", _RATIO[method], f"**{ratio:.3g}x**: {original / 1e9:.3g} GB → "
             f"{compressed / 1e9:.3g} GB ({values['memory_savings_pct']:.0f} % saved)"),
            ("Speed-up", "S = T_{\\text{before}} / T_{\\text{after}}", f"**{speedup:.3g}x**"),
            ("Accuracy", "\\Delta_{acc}", f"**{delta * 100:+.2g} points** ({source})"),
        ])


_RATIO = {"quantization": "r = b_{base} / b", "pruning": "r = 1 / (1 - s)",
          "distillation": "r = |W_{teacher}| / |W_{student}|"}


def _quant_delta(bits: int, base_bits: float, c) -> tuple[float, str]:
    if bits >= base_bits or bits >= 16:
        return 0.0, "no loss: same or wider format than the baseline"
    if bits == 8:
        return -c.quant_int8_accuracy_drop, c.source("quant_int8_accuracy_drop")
    return -c.quant_int4_accuracy_drop, c.source("quant_int4_accuracy_drop")
