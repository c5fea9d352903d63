"""Per-layer arithmetic: FLOPs, parameters and stored activations of the layers networks are built from.

Conventions: one multiply-accumulate = 2 FLOPs; a forward pass over B samples (tokens for
sequence layers); dense layers come from ``roofline.calc_dense_layer_flops`` (one equation, one
place); the backward pass and transformer activation memory are in this module, cited.
"""
from __future__ import annotations

from .._formula import formula
from .roofline import calc_dense_layer_flops


@formula("flop", h_out="int>=1", w_out="int>=1", c_in="int>=1", c_out="int>=1", kernel="int>=1",
         batch_size="int>=1")
def calc_conv2d_flops(h_out, w_out, c_in, c_out, kernel, batch_size=1):
    """F = 2 B H_out W_out C_in C_out K^2: one MAC per weight per output position.

    Source: Sze et al. (2017), "Efficient Processing of Deep Neural Networks: A Tutorial and
    Survey", Proc. IEEE 105(12), section III-A (the CONV layer as a loop nest, eq. 1)."""
    return 2.0 * batch_size * h_out * w_out * c_in * c_out * kernel * kernel


@formula("flop", d_in="int>=1", d_hidden="int>=1", seq_len="int>=1", batch_size="int>=1")
def calc_lstm_flops(d_in, d_hidden, seq_len, batch_size=1):
    """F = 4 gates x dense((d_in + d_h) -> d_h) per step: 8 B s (d_in + d_h) d_h (gate
    non-linearities and the cell update are O(d_h) per step and left out).

    Source: Hochreiter & Schmidhuber (1997), "Long Short-Term Memory", Neural Computation 9(8),
    gate equations (input, forget, output gates and cell candidate, each W [x_t; h_{t-1}])."""
    return 4.0 * calc_dense_layer_flops.raw(d_in + d_hidden, d_hidden, 1) * seq_len * batch_size


@formula("flop", seq_len="int>=1", d_model="int>=1", batch_size="int>=1")
def calc_attention_flops(seq_len, d_model, batch_size=1):
    """Self-attention forward: Q, K, V, O projections 8 B s h^2 plus Q K^T and A V 4 B s^2 h.

    The second term is the quadratic one: it overtakes the projections when s > 2 h.
    Source: Narayanan et al. (2021), "Efficient Large-Scale Language Model Training on GPU
    Clusters Using Megatron-LM", SC'21, arXiv:2104.04473, appendix (FLOPs per layer 24 B s h^2 +
    4 B s^2 h, of which the MLP is 16 B s h^2)."""
    projections = 4.0 * calc_dense_layer_flops.raw(d_model, d_model, seq_len * batch_size)
    return projections + 4.0 * batch_size * seq_len ** 2 * d_model


@formula("flop", d_model="int>=1", d_ff="int>=1", n_experts="int>=1", top_k="int>=1", tokens="int>=1")
def calc_moe_layer_flops(d_model, d_ff, n_experts, top_k, tokens=1):
    """Mixture-of-experts MLP forward: each token runs top_k experts (two dense layers
    d -> d_ff -> d each) plus the router (dense d -> E). Parameters grow with E, FLOPs with k.

    Source: Fedus et al. (2022), "Switch Transformers", JMLR 23, section 2.1 (router, top-k
    routing); Shazeer et al. (2017), "Outrageously Large Neural Networks", ICLR, section 2."""
    expert = calc_dense_layer_flops.raw(d_model, d_ff, 1) + calc_dense_layer_flops.raw(d_ff, d_model, 1)
    return tokens * (top_k * expert + calc_dense_layer_flops.raw(d_model, n_experts, 1))


@formula("flop", forward_flops="flop", recompute_fraction="[0,1]")
def calc_training_step_flops(forward_flops, recompute_fraction=0.0):
    """Forward + backward = (3 + r) x forward: the backward pass computes the gradients with
    respect to both the inputs and the weights, two matrix products for every one of the
    forward, and recomputing a fraction r of the forward (activation checkpointing) adds r.

    Source: Kaplan et al. (2020), arXiv:2001.08361, section 2.1 (backward ~ 2 x forward, so
    C = 6 N D); Narayanan et al. (2021), SC'21, appendix (full recomputation: 4 x forward)."""
    return (3.0 + recompute_fraction) * forward_flops


@formula("byte", seq_len="int>=1", batch_size="int>=1", d_model="int>=1", n_heads="int>=1",
         bytes_per_elem=">0")
def calc_attention_activation_bytes(seq_len, batch_size, d_model, n_heads, bytes_per_elem=2.0):
    """Activations the attention block keeps for backward: 11 s b h + 5 a s^2 b at 16-bit (QKV
    input, Q and K, softmax output and its dropout mask, V, the projection's input and dropout).
    The a s^2 b term is the quadratic one (FlashAttention-style recomputation removes it).

    Source: Korthikanti et al. (2022), "Reducing Activation Recomputation in Large Transformer
    Models", arXiv:2205.05198, section 4.1 ("Attention block"). Scales with bytes/2."""
    return (11.0 * seq_len * batch_size * d_model
            + 5.0 * n_heads * seq_len ** 2 * batch_size) * bytes_per_elem / 2.0


@formula("byte", tokens="int>=1", d_model="int>=1", expansion=">0", bytes_per_elem=">0")
def calc_mlp_activation_bytes(tokens, d_model, expansion=4.0, bytes_per_elem=2.0):
    """Activations an MLP block d -> r d -> d keeps for backward: (3 + 4 r) s b h at 16-bit (the
    two linear inputs 2 + 2r, the GeLU input 2r, the dropout mask 1), 19 s b h at r = 4.

    Source: Korthikanti et al. (2022), arXiv:2205.05198, section 4.1 ("MLP"). Scales with bytes/2."""
    return (3.0 + 4.0 * expansion) * tokens * d_model * bytes_per_elem / 2.0
