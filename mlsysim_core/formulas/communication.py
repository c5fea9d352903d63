"""Collective communication in the alpha-beta model, and the pipeline bubble.

alpha: per-message start-up latency (s); beta: per-link bandwidth (byte/s); M: bytes.
"""
from __future__ import annotations

import math

from .._formula import formula


@formula("s", message_size="byte", n_workers="int>=1", bandwidth="byte/s>0", latency="s")
def calc_ring_allreduce_time(message_size, n_workers, bandwidth, latency=0.0):
    """T = 2(N-1)/N x M/beta + 2(N-1) x alpha.

    Source: Patarasuk & Yuan (2009), J. Parallel Distrib. Comput. 69(2); equations page 2.3.
    """
    if n_workers <= 1:
        return 0.0
    return 2.0 * (n_workers - 1) / n_workers * message_size / bandwidth + 2.0 * (n_workers - 1) * latency


@formula("s", message_size="byte", n_workers="int>=1", bandwidth="byte/s>0", latency="s")
def calc_tree_allreduce_time(message_size, n_workers, bandwidth, latency=0.0):
    """T = 2 log2(N) x (alpha + M/beta): reduce up, broadcast down a binary tree.

    Source: equations page 2.3 (Thakur, Rabenseifner & Gropp 2005, IJHPCA 19(1)).
    """
    if n_workers <= 1:
        return 0.0
    steps = 2.0 * math.log2(n_workers)
    return steps * latency + steps * message_size / bandwidth


@formula("byte", n_workers="int>=1", bandwidth="byte/s", latency="s")
def calc_ring_tree_crossover_size(n_workers, bandwidth, latency):
    """M_cross ~ N x alpha x beta: below it tree all-reduce wins, above it ring wins (equations page 2.3)."""
    return n_workers * latency * bandwidth


@formula("s", message_size="byte", n_workers="int>=1", bandwidth="byte/s>0", latency="s")
def calc_all_to_all_time(message_size, n_workers, bandwidth, latency=0.0):
    """T = (N-1) x alpha + (N-1)/N x M/beta (expert-parallel token routing).

    Source: equations page 2.5; Shazeer et al. (2017), ICLR; Lepikhin et al. (2021), GShard.
    """
    if n_workers <= 1:
        return 0.0
    return (n_workers - 1) * latency + (n_workers - 1) / n_workers * message_size / bandwidth


@formula("s", message_size="byte", n_nodes="int>=1", gpus_per_node="int>=1", intra_bandwidth="byte/s>0",
         inter_bandwidth="byte/s>0", intra_latency="s", inter_latency="s")
def calc_hierarchical_allreduce_time(message_size, n_nodes, gpus_per_node, intra_bandwidth,
                                     inter_bandwidth, intra_latency=0.0, inter_latency=0.0):
    """Reduce-scatter inside each node, ring all-reduce of M/g across nodes, all-gather inside.

    Source: Jia et al. (2018), "Highly Scalable Deep Learning Training System with Mixed-Precision",
    arXiv:1807.11205 (hierarchical all-reduce); NCCL's tree/ring hybrids follow the same split.
    """
    g = gpus_per_node
    intra = 0.0
    if g > 1:  # reduce-scatter and all-gather: each (g-1)/g x M/beta + (g-1) alpha
        intra = 2.0 * ((g - 1) / g * message_size / intra_bandwidth + (g - 1) * intra_latency)
    return intra + calc_ring_allreduce_time.raw(message_size / g, n_nodes, inter_bandwidth, inter_latency)


@formula(None, n_stages="int>=1", n_microbatches="int>=1", v_stages="int>=1")
def calc_pipeline_bubble(n_stages, n_microbatches, v_stages=1):
    """Bubble fraction = (P-1) / (V x M + P - 1).

    Source: Narayanan et al. (2021), "Efficient Large-Scale Language Model Training on GPU
    Clusters Using Megatron-LM", SC'21, section 2.2; equations page 2.4.
    """
    return (n_stages - 1) / (v_stages * n_microbatches + n_stages - 1)


@formula(None, n_stages="int>=1", max_bubble="(0,1)", v_stages="int>=1")
def calc_microbatches_for_bubble(n_stages, max_bubble, v_stages=1):
    """Smallest M with (P-1)/(V M + P - 1) <= max_bubble: M >= (P-1)(1-b)/(b V) (so 19(P-1) at 5 %)."""
    if n_stages <= 1:
        return 1
    return max(1, math.ceil((n_stages - 1) * (1.0 - max_bubble) / (max_bubble * v_stages) - 1e-9))


@formula(None, compute_time="s>0", overhead_time="s")
def calc_scaling_efficiency(compute_time, overhead_time):
    """eta_scale = T_compute / (T_compute + T_dp + T_tp + T_ep + T_bubble) (equations page 2.2)."""
    return compute_time / (compute_time + overhead_time)


@formula("s", message_size="byte", bandwidth="byte/s>0", latency="s")
def calc_p2p_time(message_size, bandwidth, latency=0.0):
    """T = alpha + M / beta: one point-to-point send (pipeline activations between stages).

    Source: Hockney (1994), "The communication challenge for MPP", Parallel Computing 20(3)
    (the alpha-beta model); Narayanan et al. (2021), SC'21, section 4.1 (pipeline p2p).
    """
    return latency + message_size / bandwidth
