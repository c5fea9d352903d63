"""LLM serving: KV cache, prefill and decode, serving cost."""
from __future__ import annotations

from .._formula import formula


@formula("byte", n_layers="int>=0", n_kv_heads="int>=1", head_dim="int>=1", seq_len="int>=0",
          batch_size="int>=1", bytes_per_elem=">0")
def calc_kv_cache_bytes(n_layers, n_kv_heads, head_dim, seq_len, batch_size=1, bytes_per_elem=2.0):
    """KV = 2 x L x H_kv x d_head x S x B x bytes (2: keys and values).

    Source: Pope et al. (2023), "Efficiently Scaling Transformer Inference", MLSys, section 2;
    Kwon et al. (2023), PagedAttention; equations page 4.3.
    """
    return 2.0 * n_layers * n_kv_heads * head_dim * seq_len * batch_size * bytes_per_elem


@formula("flop", n_params="count", seq_len="int>=0", batch_size="int>=1", n_layers="int>=0", hidden_dim="int>=0")
def calc_prefill_flops(n_params, seq_len, batch_size=1, n_layers=0, hidden_dim=0):
    """2 P S B for the weights plus 2 L S^2 d B for causal attention scores and values.

    Source: equations page 4.1 (the 2PSB term); Kaplan et al. (2020) table 1 for the attention
    term 2 n_layer n_ctx d_attn per token, halved by the causal mask over the prompt.
    """
    return 2.0 * n_params * seq_len * batch_size + 2.0 * n_layers * seq_len * seq_len * hidden_dim * batch_size


@formula("s", prefill_flops="flop", peak_flops="flop/s>0", efficiency="(0,1]", dispatch_tax="s")
def calc_ttft(prefill_flops, peak_flops, efficiency=0.5, dispatch_tax=0.0):
    """TTFT = prefill FLOPs / (Peak x eta) + dispatch tax (equations page 4.1)."""
    return prefill_flops / (peak_flops * efficiency) + dispatch_tax


@formula("s", weight_bytes="byte", kv_bytes="byte", bandwidth="byte/s>0", decode_flops="flop",
         peak_flops="flop/s>0", efficiency="(0,1]")
def calc_itl(weight_bytes, kv_bytes, bandwidth, decode_flops=0.0, peak_flops=1.0, efficiency=1.0):
    """ITL = max((W + KV) / BW, decode FLOPs / (Peak x eta)): one decode step on the roofline.

    At small batch the memory term is the answer of equations page 4.2.
    """
    return max((weight_bytes + kv_bytes) / bandwidth, decode_flops / (peak_flops * efficiency))


@formula("USD", training_cost="USD", cost_per_query="USD", deploy_time="s", query_rate="1/s")
def calc_total_cost_with_serving(training_cost, cost_per_query, deploy_time, query_rate):
    """C_total = C_training + C_serving x T_deploy x Q_rate (equations page 4.4)."""
    return training_cost + cost_per_query * deploy_time * query_rate


@formula("byte", n_layers="int>=0", kv_lora_rank="int>=0", qk_rope_head_dim="int>=0", seq_len="int>=0",
          batch_size="int>=1", bytes_per_elem=">0")
def calc_mla_kv_cache_bytes(n_layers, kv_lora_rank, qk_rope_head_dim, seq_len, batch_size=1, bytes_per_elem=2.0):
    """Multi-head latent attention caches one compressed latent and one decoupled rope key per
    token and layer: KV = L x (d_c + d_rope) x S x B x bytes.

    Source: DeepSeek-AI (2024), DeepSeek-V2, arXiv:2405.04434, section 2.1.2 and table 1 (cache of
    (d_c + d_h^R) l elements per token); DeepSeek-V3, arXiv:2412.19437, section 2.1.1 (d_c = 512,
    d_h^R = 64, 61 layers: 576 x 61 x 2 B = 70,272 B per token at 16-bit).
    """
    return n_layers * (kv_lora_rank + qk_rope_head_dim) * seq_len * batch_size * bytes_per_elem


@formula(None, n_layers="int>=0", window_layers="int>=0", window="int>=0", seq_len="int>=0")
def calc_sliding_window_cached_tokens(n_layers, window_layers, window, seq_len):
    """Token-layers a cache holds: global layers keep all S tokens, windowed layers at most W.

    (L - L_w) S + L_w min(S, W). Source: Beltagy et al. (2020), Longformer, arXiv:2004.05150,
    section 3.1 (sliding window of size w); Jiang et al. (2023), Mistral 7B, arXiv:2310.06825,
    section 2 ('rolling buffer cache' of fixed size W).
    """
    window_layers = min(window_layers, n_layers)
    return (n_layers - window_layers) * seq_len + window_layers * min(seq_len, window)


@formula(None, experts="int>=1", experts_per_token="int>=1", tokens=">=0")
def calc_moe_experts_touched(experts, experts_per_token, tokens):
    """Expected distinct experts one MoE layer reads for ``tokens`` tokens under uniform top-k routing.

    E (1 - (1 - k/E)^B): each token picks k of E experts, so an expert is missed by one token
    with probability 1 - k/E and by all B tokens with (1 - k/E)^B (the classical occupancy
    problem: Feller (1968), An Introduction to Probability Theory and Its Applications, vol. 1,
    ch. IV.2; applied to MoE decode by Huang et al. (2023), 'Towards MoE Deployment: Mitigating
    Inefficiencies in Mixture-of-Expert (MoE) Inference', arXiv:2303.06182, section 4). Real
    routers are skewed, so fewer distinct experts are touched: this is the uniform case.
    k <= touched <= E; 1 token touches exactly k.
    """
    if tokens <= 0:
        return 0.0
    k = min(experts_per_token, experts)
    return experts * (1.0 - (1.0 - k / experts) ** tokens)


@formula(None, acceptance_rate="[0,1]", draft_tokens="int>=0")
def calc_speculative_expected_tokens(acceptance_rate, draft_tokens):
    """Expected tokens per target-model step with K drafted tokens accepted i.i.d. with rate a.

    1 + a (1 - a^K) / (1 - a) = (1 - a^(K+1)) / (1 - a); K + 1 at a = 1, 1 at a = 0.
    Source: Leviathan, Kalman & Matias (2023), 'Fast Inference from Transformers via Speculative
    Decoding', ICML, section 3.1, equation 1 (gamma = K).
    """
    a, k = acceptance_rate, draft_tokens
    if a >= 1.0:
        return k + 1.0
    return 1.0 + a * (1.0 - a ** k) / (1.0 - a)


@formula("flop", n_params="count", new_tokens="int>=0", cached_tokens="int>=0", batch_size="int>=1",
          n_layers="int>=0", hidden_dim="int>=0")
def calc_prefill_flops_cached(n_params, new_tokens, cached_tokens=0, batch_size=1, n_layers=0, hidden_dim=0):
    """Prefill of ``new_tokens`` after ``cached_tokens`` of reused prefix KV (prefix caching).

    2 P n B for the weights plus causal attention of the n new queries over c + i keys:
    4 L d B (n c + n^2 / 2) = 2 L d B (2 n c + n^2); with c = 0 this is calc_prefill_flops.
    Source: Zheng et al. (2024), SGLang/RadixAttention, arXiv:2312.07104, section 3 (a prefix hit
    skips the prefix's prefill; the cached KV is read, not recomputed); Kaplan et al. (2020)
    table 1 for the attention term.
    """
    n, c = new_tokens, cached_tokens
    return 2.0 * n_params * n * batch_size + 2.0 * n_layers * hidden_dim * batch_size * (2.0 * n * c + n * n)


@formula("s", message_size="byte", n_workers="int>=1", bandwidth="byte/s>0", latency="s", base_latency="s")
def calc_tp_allreduce_time(message_size, n_workers, bandwidth, latency=0.0, base_latency=0.0):
    """One library all-reduce call: T = T_0 + 2(N-1)/N x M/beta + 2(N-1) x alpha.

    The ring term (Patarasuk & Yuan 2009; calc_ring_allreduce_time) plus the fixed cost T_0 of a
    collective call (kernel launch, channel setup and synchronisation), which dominates the small
    activation all-reduces of tensor-parallel decode (B x d bytes, two per layer). Source: NCCL's
    tuning model, src/graph/tuning.cc (baseLat of 6.6 us for Ring/LL plus hwLat per step; quoted in
    NVIDIA/nccl issue #1334); nccl-tests issue #123 (8-byte all-reduce on DGX A100: 10 us on 2 GPUs,
    33.7 us on 8 GPUs with one channel). N = 1: no call, 0.
    """
    if n_workers <= 1:
        return 0.0
    return (base_latency + 2.0 * (n_workers - 1) / n_workers * message_size / bandwidth
            + 2.0 * (n_workers - 1) * latency)
