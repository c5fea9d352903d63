"""LLM serving: KV cache, prefill and decode, serving cost."""
from __future__ import annotations

from .._formula import formula


@formula("byte")
def calc_kv_cache_bytes(n_layers, n_kv_heads, head_dim, seq_len, batch_size=1, bytes_per_elem=2.0):
    """KV = 2 x L x H_kv x d_head x S x B x bytes (2: keys and values).

    Source: Pope et al. (2023), "Efficiently Scaling Transformer Inference", MLSys, section 2;
    Kwon et al. (2023), PagedAttention; equations page 4.3.
    """
    return 2.0 * n_layers * n_kv_heads * head_dim * seq_len * batch_size * bytes_per_elem


@formula("flop", n_params="count")
def calc_prefill_flops(n_params, seq_len, batch_size=1, n_layers=0, hidden_dim=0):
    """2 P S B for the weights plus 2 L S^2 d B for causal attention scores and values.

    Source: equations page 4.1 (the 2PSB term); Kaplan et al. (2020) table 1 for the attention
    term 2 n_layer n_ctx d_attn per token, halved by the causal mask over the prompt.
    """
    return 2.0 * n_params * seq_len * batch_size + 2.0 * n_layers * seq_len * seq_len * hidden_dim * batch_size


@formula("s", prefill_flops="flop", peak_flops="flop/s", dispatch_tax="s")
def calc_ttft(prefill_flops, peak_flops, efficiency=0.5, dispatch_tax=0.0):
    """TTFT = prefill FLOPs / (Peak x eta) + dispatch tax (equations page 4.1)."""
    return prefill_flops / (peak_flops * efficiency) + dispatch_tax


@formula("s", weight_bytes="byte", kv_bytes="byte", bandwidth="byte/s", decode_flops="flop",
         peak_flops="flop/s")
def calc_itl(weight_bytes, kv_bytes, bandwidth, decode_flops=0.0, peak_flops=1.0, efficiency=1.0):
    """ITL = max((W + KV) / BW, decode FLOPs / (Peak x eta)): one decode step on the roofline.

    At small batch the memory term is the answer of equations page 4.2.
    """
    return max((weight_bytes + kv_bytes) / bandwidth, decode_flops / (peak_flops * efficiency))


@formula("USD", training_cost="USD", cost_per_query="USD", deploy_time="s", query_rate="1/s")
def calc_total_cost_with_serving(training_cost, cost_per_query, deploy_time, query_rate):
    """C_total = C_training + C_serving x T_deploy x Q_rate (equations page 4.4)."""
    return training_cost + cost_per_query * deploy_time * query_rate
