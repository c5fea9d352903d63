"""Training depth for DistributedModel: context parallelism, attention FLOPs, in-network reduction,
multi-rail and the hierarchical all-reduce's ideal bound. (DistributedModel does not call these yet.)"""
from __future__ import annotations

from .._formula import formula
from ..checks import flag
from .communication import calc_hierarchical_allreduce_time
from .training import calc_activation_memory


@formula("byte", n_layers="int>=0", seq_len="int>=1", batch_size=">0", hidden_dim="int>=1", n_heads="int>=1",
          cp_size="int>=1", bytes_per_elem=">0", strategy="{none,selective,full}", tp_size="int>=1")
def calc_cp_activation_memory(n_layers, seq_len, batch_size, hidden_dim, n_heads, cp_size=1, bytes_per_elem=2.0,
                              strategy="selective", tp_size=1):
    """Activations per rank with context parallelism: the sequence is split over cp ranks, so each
    keeps the activations of s/cp tokens (Korthikanti et al. 2022 table 2 at s/cp).
    Source: NVIDIA Megatron-Core, 'Context parallelism' (2024); Liu et al. (2023), 'Ring Attention
    with Blockwise Transformers', arXiv:2310.01889, section 3.
    """
    return calc_activation_memory.raw(n_layers, seq_len / cp_size, batch_size, hidden_dim, n_heads,
                                      bytes_per_elem, strategy, tp_size)


@formula("byte", n_layers="int>=0", seq_len="int>=0", batch_size=">=0", kv_heads="int>=1", head_dim="int>=1",
          cp_size="int>=1", bytes_per_elem=">0", training=lambda v: flag("training", v))
def calc_cp_kv_exchange_bytes(n_layers, seq_len, batch_size, kv_heads, head_dim, cp_size, bytes_per_elem=2.0,
                              training=True):
    """Bytes each rank sends per step in ring attention: its K and V chunk (2 s/cp b h_kv d) passed
    on cp - 1 times per layer in the forward pass; the backward pass sends K, V and their gradients
    again (2x more), so training is 3x the forward. Source: Liu et al. (2023), section 3; Megatron-Core
    context parallelism (ring exchange of KV chunks, overlapped with attention compute).
    """
    if cp_size <= 1:
        return 0.0
    fwd = n_layers * (cp_size - 1) * 2.0 * seq_len / cp_size * batch_size * kv_heads * head_dim * bytes_per_elem
    return fwd * (3.0 if training else 1.0)


@formula("s", exchange_bytes="byte", bandwidth="byte/s>0", compute_time="s", n_messages="int>=0", latency="s")
def calc_cp_exposed_time(exchange_bytes, bandwidth, compute_time, n_messages=0, latency=0.0):
    """Exposed KV-exchange time: max(0, messages x alpha + bytes / beta - attention compute), since
    each chunk is sent while the previous one is being attended to (Liu et al. 2023, section 3)."""
    return max(0.0, n_messages * latency + exchange_bytes / bandwidth - compute_time)


@formula("flop", n_layers="int>=0", hidden_dim="int>=0", seq_len="int>=0", n_tokens=">=0")
def calc_attention_training_flops(n_layers, hidden_dim, seq_len, n_tokens):
    """Attention's training FLOPs, which 6 P D omits: 12 x L x d x s per token (QK^T and AV, forward
    and backward; d = heads x head size). Source: Chowdhery et al. (2022), 'PaLM', arXiv:2204.02311,
    appendix B (model FLOPs per token 6N + 12 L H Q T)."""
    return 12.0 * n_layers * hidden_dim * seq_len * n_tokens


@formula("s", message_size="byte", bandwidth="byte/s>0", latency="s")
def calc_in_network_allreduce_time(message_size, bandwidth, latency=0.0):
    """In-network reduction (NVLink SHARP / InfiniBand SHARP): each GPU sends its M bytes up once and
    receives the reduced M once, T = M / beta + 2 alpha, vs the ring's 2 (N-1)/N M / beta.
    Source: Graham et al. (2016), 'Scalable Hierarchical Aggregation Protocol (SHArP)', COMHPC;
    NVIDIA NCCL 2.17+ NVLS algorithm (NVLink SHARP on NVSwitch)."""
    return message_size / bandwidth + 2.0 * latency


@formula("s", message_size="byte", n_nodes="int>=1", gpus_per_node="int>=1", intra_bandwidth="byte/s>0",
         nic_bandwidth="byte/s>0", n_rails="int>=1", intra_latency="s", inter_latency="s")
def calc_multirail_allreduce_time(message_size, n_nodes, gpus_per_node, intra_bandwidth, nic_bandwidth, n_rails,
                                  intra_latency=0.0, inter_latency=0.0):
    """Hierarchical all-reduce whose inter-node phase runs one ring per rail: the g shards of M/g
    share the node's n_rails NICs, so each ring gets nic x rails / g (one NIC per GPU: the full NIC).
    Source: NVIDIA DGX SuperPOD reference architecture (rail-optimised, 8 NICs per node); NCCL rings
    per NIC; calc_hierarchical_allreduce_time for the phases."""
    inter = nic_bandwidth * min(n_rails, gpus_per_node) / gpus_per_node
    return calc_hierarchical_allreduce_time.raw(message_size, n_nodes, gpus_per_node, intra_bandwidth, inter,
                                                intra_latency, inter_latency)


@formula("s", message_size="byte", n_nodes="int>=1", gpus_per_node="int>=1", intra_bandwidth="byte/s>0",
          inter_bandwidth="byte/s>0")
def calc_hierarchical_allreduce_bound(message_size, n_nodes, gpus_per_node, intra_bandwidth, inter_bandwidth):
    """Ideal bound of a hierarchical all-reduce with its phases pipelined (chunked, as NCCL does):
    max(2 (g-1)/g x M / beta_intra, 2 (n-1)/n x (M/g) / beta_inter), no latency; no implementation
    beats it (the sequential sum of ``calc_hierarchical_allreduce_time`` can be beaten).
    Source: Jia et al. (2018), arXiv:1807.11205; Patarasuk & Yuan (2009), JPDC 69(2) (ring lower bound)."""
    g, n = gpus_per_node, n_nodes
    intra = 2.0 * (g - 1) / g * message_size / intra_bandwidth if g > 1 else 0.0
    inter = 2.0 * (n - 1) / n * message_size / g / inter_bandwidth if n > 1 else 0.0
    return max(intra, inter)
