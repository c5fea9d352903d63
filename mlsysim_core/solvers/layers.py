"""Per-layer cost (Wall 1 Compute, Wall 2 Memory): what one layer of each architecture family
costs in parameters, FLOPs forward and backward, bytes moved and activation memory.

    dense / MLP:  F = 2 B d_in d_out                      (equations page 1.2)
    conv2d:       F = 2 B H W C_in C_out K^2              (Sze et al. 2017)
    LSTM:         F = 8 B s (d_in + d_h) d_h              (Hochreiter & Schmidhuber 1997)
    attention:    F = 8 B s h^2 + 4 B s^2 h               (Narayanan et al. 2021)
    MoE:          F = B (k x expert + router)             (Fedus et al. 2022)
    training:     F_step = (3 + r) F_forward              (Kaplan et al. 2020; r: recompute)
    activations:  attention 11 sbh + 5 a s^2 b, MLP (3 + 4 r) sbh   (Korthikanti et al. 2022)

Bytes moved are the forward pass's HBM traffic without fusion: weights read once per call (an
LSTM re-reads them every time step: the steps are sequential), inputs read and outputs written,
and for attention the s x s score matrix written and read (Dao et al. 2022, standard attention).
O(1) per solve.
"""
from __future__ import annotations

from ..checks import choice, instance, positive_int, number
from ..fmt import si
from ..formulas.layers import (calc_attention_activation_bytes, calc_attention_flops, calc_conv2d_flops,
                               calc_lstm_flops, calc_mlp_activation_bytes, calc_moe_layer_flops,
                               calc_training_step_flops)
from ..formulas.roofline import (calc_arithmetic_intensity, calc_bottleneck, calc_dense_layer_flops,
                                 calc_ridge_point, calc_roofline_time)
from ..formulas.serving import calc_moe_experts_touched
from ..formulas.software import calc_attention_io_standard
from ..specs import HardwareNode
from ..results import Result
from ._common import check_precision

KINDS = ("mlp", "conv2d", "lstm", "attention", "moe")


class LayerResult(Result):
    __slots__ = ()
    UNITS = {"forward_flops": ("GFLOP", 1e-9), "backward_flops": ("GFLOP", 1e-9),
             "training_flops": ("GFLOP", 1e-9), "quadratic_flops": ("GFLOP", 1e-9),
             "weight_bytes": ("MB", 1e-6), "forward_bytes": ("MB", 1e-6),
             "activation_bytes": ("MB", 1e-6), "arithmetic_intensity": ("FLOP/B", 1.0),
             "ridge_point": ("FLOP/B", 1.0), "forward_time": ("ms", 1e3), "training_time": ("ms", 1e3)}


class LayerModel:
    """One layer of an architecture family: parameters, FLOPs (forward, backward, training step),
    bytes, arithmetic intensity and the activations kept for backward; on ``hardware``, the
    roofline time of its forward pass and of a training step."""

    def solve(self, kind, d_model=1024, batch_size=1, seq_len=1, *, expansion=4, n_heads=None,
              image_size=56, kernel=3, channels_in=None, n_experts=8, top_k=2, precision="fp16",
              recompute_fraction=0.0, hardware=None, efficiency=0.5) -> LayerResult:
        """``kind``: one of mlp, conv2d, lstm, attention, moe. ``d_model``: the width (hidden size;
        output channels of a conv; the LSTM hidden size). ``batch_size`` x ``seq_len`` tokens
        (images for conv2d, with ``image_size`` x ``image_size`` outputs and ``channels_in`` input
        channels, default ``d_model``). ``expansion``: MLP and expert hidden width over d_model.
        ``n_heads``: attention heads (default d_model / 128). ``recompute_fraction``: share of the
        forward recomputed in backward (activation checkpointing)."""
        kind = choice("kind", kind, KINDS)
        h = positive_int("d_model", d_model)
        b = positive_int("batch_size", batch_size)
        s = positive_int("seq_len", seq_len)
        r = positive_int("expansion", expansion)
        heads = max(1, h // 128) if n_heads is None else positive_int("n_heads", n_heads, maximum=h)
        img = positive_int("image_size", image_size)
        k = positive_int("kernel", kernel)
        c_in = h if channels_in is None else positive_int("channels_in", channels_in)
        e = positive_int("n_experts", n_experts)
        top = positive_int("top_k", top_k, maximum=e)
        rec = number("recompute_fraction", recompute_fraction, lo=0.0, hi=1.0)
        precision, bpe = check_precision(precision)
        tokens = b * s
        quad = 0.0
        if kind == "mlp":
            params = 2 * h * r * h
            fwd = calc_dense_layer_flops.raw(h, r * h, tokens) + calc_dense_layer_flops.raw(r * h, h, tokens)
            act_io = tokens * (h + 2 * r * h + h)          # x in, hidden out and in, y out
            acts = calc_mlp_activation_bytes.raw(tokens, h, r, bpe)
            w_reads = 1.0
        elif kind == "conv2d":
            params = k * k * c_in * h
            fwd = calc_conv2d_flops.raw(img, img, c_in, h, k, b)
            act_io = b * img * img * (c_in + h)             # stride 1, "same" padding
            acts = act_io * bpe                             # input (for dW) and output (for the ReLU)
            w_reads = 1.0
        elif kind == "lstm":
            params = 4 * (c_in + h) * h
            fwd = calc_lstm_flops.raw(c_in, h, s, b)
            act_io = tokens * (c_in + 2 * h)                # x_t, h_{t-1} in; h_t out
            acts = tokens * (c_in + 6 * h) * bpe            # x_t, h_{t-1}, 4 gates, c_t per step
            w_reads = float(s)                              # one step at a time: weights re-read per step
        elif kind == "attention":
            params = 4 * h * h
            fwd = calc_attention_flops.raw(s, h, b)
            quad = fwd - 4.0 * calc_dense_layer_flops.raw(h, h, tokens)
            act_io = 6 * tokens * h + b * heads * calc_attention_io_standard.raw(s, h / heads)
            acts = calc_attention_activation_bytes.raw(s, b, h, heads, bpe)
            w_reads = 1.0
        else:  # moe
            params = e * 2 * h * r * h + h * e
            fwd = calc_moe_layer_flops.raw(h, r * h, e, top, tokens)
            act_io = tokens * (h + top * (2 * r * h + h) + h)
            acts = calc_mlp_activation_bytes.raw(tokens * top, h, r, bpe)
            # only the experts some token routes to are read (uniform routing)
            w_reads = (calc_moe_experts_touched.raw(e, top, tokens) * 2 * h * r * h + h * e) / params
        weight_bytes = params * bpe
        fwd_bytes = weight_bytes * w_reads + act_io * bpe
        bwd = calc_training_step_flops.raw(fwd, rec) - fwd
        out = {"kind": kind, "parameters": float(params), "forward_flops": fwd, "backward_flops": bwd,
               "training_flops": fwd + bwd, "training_to_forward": (fwd + bwd) / fwd,
               "quadratic_flops": quad, "quadratic_share": quad / fwd, "weight_bytes": weight_bytes,
               "forward_bytes": fwd_bytes, "activation_bytes": acts,
               "activation_to_weights": acts / weight_bytes,
               "arithmetic_intensity": calc_arithmetic_intensity.raw(fwd, fwd_bytes),
               "tokens": float(tokens), "precision": precision, "recompute_fraction": rec,
               "ridge_point": None, "bottleneck": None, "forward_time": None, "training_time": None,
               "hardware": None}
        if hardware is not None:
            hw = instance("hardware", hardware, HardwareNode, "a device from Hardware")
            eta = number("efficiency", efficiency, lo=0.0, hi=1.0, lo_open=True)
            peak, bw = hw.compute.peak_flop_s(precision), hw.memory.bandwidth_bytes_s
            t_c, t_m = fwd / (peak * eta), fwd_bytes / bw
            # backward reads the weights and activations again and writes gradients: ~2x the bytes
            out.update(ridge_point=calc_ridge_point.raw(peak, bw), bottleneck=calc_bottleneck.raw(t_c, t_m),
                       forward_time=calc_roofline_time.raw(fwd, fwd_bytes, peak, bw, eta),
                       training_time=calc_roofline_time.raw(fwd + bwd, 3.0 * fwd_bytes, peak, bw, eta),
                       hardware=hw.name)
        return LayerResult(out, lambda: _work(out, b, s, h))

    def compare(self, d_model=1024, batch_size=1, seq_len=512, **kwargs) -> list[LayerResult]:
        """The same width, batch and sequence through every kind of layer (5 solves)."""
        return [self.solve(k, d_model, batch_size, seq_len, **kwargs) for k in KINDS]


_EQ = {"mlp": "F = 2 \\cdot 2 B s\\, d\\, (r d)", "conv2d": "F = 2 B H W C_{in} C_{out} K^2",
       "lstm": "F = 8 B s (d_{in} + d_h) d_h", "attention": "F = 8 B s h^2 + 4 B s^2 h",
       "moe": "F = B s\\,(k \\cdot 4 d\\, d_{ff} + 2 d E)"}


def _work(r, b, s, h):
    rows = [
        (f"Forward FLOPs ({r['kind']})", _EQ[r["kind"]],
         f"B = {b}, s = {s}, d = {h}: **{si(r['forward_flops'], 'FLOP')}** for {si(r['parameters'])} parameters"
         + (f"; the quadratic term is {r['quadratic_share']:.1%} of it" if r["kind"] == "attention" else "")),
        ("Training step", "F_{step} = (3 + r)\\,F_{fwd}",
         f"(3 + {r['recompute_fraction']:g}) × {si(r['forward_flops'], 'FLOP')} = **{si(r['training_flops'], 'FLOP')}**"),
        ("Arithmetic intensity", "I = F_{fwd} / \\text{bytes}",
         f"{si(r['forward_flops'], 'FLOP')} / {si(r['forward_bytes'], 'B')} = **{r['arithmetic_intensity']:.3g} FLOP/B**"),
        ("Activations kept for backward", "A", f"**{si(r['activation_bytes'], 'B')}** "
         f"({r['activation_to_weights']:.3g}× the weights, {si(r['weight_bytes'], 'B')})"),
    ]
    if r["hardware"]:
        rows.append(("Roofline on " + r["hardware"], "T = \\max(F / (P \\eta), \\text{bytes} / BW)",
                     f"forward **{si(r['forward_time'], 's')}** ({r['bottleneck'].lower()}, ridge "
                     f"{r['ridge_point']:.3g} FLOP/B); training step {si(r['training_time'], 's')}"))
    return rows
