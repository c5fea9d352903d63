"""The software wall (Wall 3): where achieved FLOP/s are lost between the datasheet and the step.

Kernel launches, unfused elementwise traffic, attention's HBM traffic with and without a fused
(FlashAttention) kernel, and GEMM tile/wave quantisation.
"""
from __future__ import annotations

import math

from .._formula import formula


@formula("s", gpu_time="s", launch_overhead="s")
def calc_launch_bound_time(gpu_time, n_kernels, launch_overhead):
    """T = max(T_gpu, K x t_launch): launches are asynchronous, so the host hides them behind
    the GPU's work until each kernel is shorter than its launch (then the CPU sets the pace).
    Source: NVIDIA CUDA C++ Best Practices Guide (2024), 'Kernel launch' and asynchronous
    execution; He (2022), 'Making Deep Learning Go Brrrr From First Principles' (overhead-bound).
    """
    return max(gpu_time, n_kernels * launch_overhead)


@formula("byte", tensor_bytes="byte")
def calc_fusion_bytes_saved(n_elementwise_ops, tensor_bytes):
    """Unfused, each of n elementwise ops reads and writes the tensor (2 n T); fused, the chain
    reads it once and writes it once (2 T): 2 (n - 1) T bytes saved.
    Source: Ivanov et al. (2021), 'Data Movement Is All You Need', MLSys, section 4 (operator fusion).
    """
    return 2.0 * max(0.0, n_elementwise_ops - 1.0) * tensor_bytes


@formula(None)
def calc_attention_io_standard(seq_len, head_dim):
    """HBM element accesses of standard attention, one head: read Q, K, write S; read S, write P;
    read P, V, write O: 4 N d + 4 N^2 = Theta(N d + N^2).
    Source: Dao et al. (2022), 'FlashAttention', NeurIPS, algorithm 0 and theorem 2.
    """
    return 4.0 * seq_len * head_dim + 4.0 * seq_len ** 2


@formula(None)
def calc_attention_io_flash(seq_len, head_dim, sram_elements):
    """HBM element accesses of FlashAttention, one head: K, V read once (2 N d) and Q, O read and
    O written once per column block, T_c = ceil(N / B_c) with B_c = ceil(M / 4d):
    2 N d + 3 N d T_c = Theta(N^2 d^2 / M). Source: Dao et al. (2022), algorithm 1, theorem 2.
    """
    b_c = max(1.0, math.ceil(sram_elements / (4.0 * head_dim)))
    t_c = math.ceil(seq_len / b_c)
    return 2.0 * seq_len * head_dim + 3.0 * seq_len * head_dim * t_c


@formula(None)
def calc_tile_efficiency(m, n, tile_m=128, tile_n=128, n_sms=0):
    """Useful fraction of a GEMM's M x N output computed by whole tiles, times the wave
    efficiency tiles / (ceil(tiles / SMs) x SMs) (n_sms = 0: no wave term). With fewer tiles than
    SMs the library splits K across SMs (split-K), so only a partial last wave costs.
    Source: NVIDIA Deep Learning Performance docs, 'Matrix Multiplication Background' (2023),
    'Tile quantization' and 'Wave quantization'; cuBLAS split-K for small outputs.
    """
    tm, tn = math.ceil(m / tile_m), math.ceil(n / tile_n)
    eff = (m * n) / (tm * tile_m * tn * tile_n)
    if n_sms and tm * tn >= n_sms:
        tiles = tm * tn
        eff *= tiles / (math.ceil(tiles / n_sms) * n_sms)
    return eff
