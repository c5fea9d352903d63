"""Training compute, time, compute-optimal sizing and memory."""
from __future__ import annotations

import math

from .._formula import formula
from ..errors import SpecError


@formula("flop", n_params="count", n_tokens="count")
def calc_transformer_training_flops(n_params, n_tokens):
    """C = 6 P D: 2 FLOPs per parameter per token forward, twice that backward.

    Source: Kaplan et al. (2020), arXiv:2001.08361, section 2.1; equations page 3.
    """
    return 6.0 * n_params * n_tokens


@formula("s", total_flops="flop", n_devices="int>=1", peak_flops="flop/s>0", mfu="(0,1]",
         scaling_efficiency="(0,1]", goodput_ratio="(0,1]")
def calc_training_time(total_flops, n_devices, peak_flops, mfu=0.5, scaling_efficiency=1.0,
                       goodput_ratio=1.0):
    """T = FLOPs / (N x Peak x MFU x eta_scale x Goodput): the iron law of training (cheat sheet)."""
    return total_flops / (n_devices * peak_flops * mfu * scaling_efficiency * goodput_ratio)


@formula("count", compute_budget="flop")
def calc_chinchilla_params(compute_budget):
    """P* = sqrt(C / 120), from C = 6 P D with D = 20 P.

    Source: Hoffmann et al. (2022), "Training Compute-Optimal LLMs", arXiv:2203.15556, table 3.
    """
    return math.sqrt(compute_budget / 120.0)


@formula("count", n_params="count", tokens_per_param=">=0")
def calc_chinchilla_tokens(n_params, tokens_per_param=20.0):
    """D* = 20 P (Hoffmann et al. 2022)."""
    return tokens_per_param * n_params


@formula("byte", n_layers="int>=0", seq_len="int>=1", batch_size=">0", hidden_dim="int>=1",
         n_heads="int>=1", bytes_per_elem=">0", strategy="{none,selective,full}", tp_size="int>=1")
def calc_activation_memory(n_layers, seq_len, batch_size, hidden_dim, n_heads, bytes_per_elem=2.0,
                           strategy="selective", tp_size=1):
    """Activation bytes kept for the backward pass of a transformer.

    Per layer: s b h (34 + 5 a s / h) at 16-bit with no recomputation, s b h x 34 with
    selective recomputation, 2 s b h with full recomputation; tensor parallelism divides them
    by t. Source: Korthikanti et al. (2022), "Reducing Activation Recomputation in Large
    Transformer Models", arXiv:2205.05198, table 2. Constants scale with bytes/2.
    """
    sbh = seq_len * batch_size * hidden_dim
    if strategy == "none":
        per_layer = sbh * (34.0 + 5.0 * n_heads * seq_len / hidden_dim) / tp_size
    elif strategy == "selective":
        per_layer = sbh * 34.0 / tp_size
    elif strategy == "full":
        per_layer = sbh * 2.0
    else:
        raise SpecError("strategy", strategy, "one of none, selective, full")
    return n_layers * per_layer * bytes_per_elem / 2.0


@formula("byte", n_params="count", zero_stage="int0..3", dp_size="int>=1")
def calc_training_state_breakdown(n_params, bytes_per_param=2.0, optimizer_bytes_per_param=12.0,
                                  zero_stage=0, dp_size=1):
    """(weights, gradients, optimizer state) bytes per accelerator, with ZeRO sharding over dp_size.

    Mixed-precision Adam keeps fp32 master weights, momentum and variance: 12 B/param.
    ZeRO-1 shards optimizer state, ZeRO-2 also gradients, ZeRO-3 also weights.
    Source: Rajbhandari et al. (2020), "ZeRO", SC'20, section 3 and figure 1.
    """
    w = n_params * bytes_per_param
    g = n_params * bytes_per_param
    o = n_params * optimizer_bytes_per_param
    if zero_stage >= 1:
        o /= dp_size
    if zero_stage >= 2:
        g /= dp_size
    if zero_stage >= 3:
        w /= dp_size
    return w, g, o


@formula("byte", n_params="count", zero_stage="int0..3", dp_size="int>=1")
def calc_training_state_bytes(n_params, bytes_per_param=2.0, optimizer_bytes_per_param=12.0,
                              zero_stage=0, dp_size=1):
    """Weights + gradients + optimizer state per accelerator (the sum of the breakdown above)."""
    w, g, o = calc_training_state_breakdown.raw(n_params, bytes_per_param, optimizer_bytes_per_param,
                                                zero_stage, dp_size)
    return w + g + o


@formula("byte", n_params="count")
def calc_checkpoint_size(n_params, bytes_per_param=14.0):
    """Checkpoint bytes: fp16 weights (2) + fp32 master, momentum, variance (12) = 14 B/param.

    Source: Rajbhandari et al. (2020), ZeRO, section 3.1 (mixed-precision Adam state).
    """
    return n_params * bytes_per_param
