"""Safeguards beyond DP-SGD (Wall 20 Safety, Wall 15 Fragility): secure aggregation, trusted
execution, N-modular redundancy with majority voting, intersectional fairness audits.

DP-SGD, fairness sample sizes and PGD live in formulas/responsible.py; these reuse them.
"""
from __future__ import annotations

import math

from .._formula import formula
from ..checks import integer, sequence


@formula("byte", n_clients="int>=1", vector_length="int>=1", input_bits="int>=1",
         bits_per_peer=">=0")
def calc_secagg_client_bytes(n_clients, vector_length, input_bits, bits_per_peer):
    """Bytes one client sends per round of secure aggregation: [m (b + ceil(log2 n)) + n k] / 8.

    Bonawitz et al. (2017), 'Practical Secure Aggregation for Privacy-Preserving Machine Learning',
    ACM CCS, section 4: each of the m masked entries is sent modulo R, which must hold the sum of n
    b-bit inputs (b + ceil(log2 n) bits); the key agreement and Shamir shares add O(n) per client
    (2 public keys, n - 1 encrypted shares, the unmasking shares): k bits per peer.
    """
    bits = vector_length * (input_bits + math.ceil(math.log2(n_clients))) + n_clients * bits_per_peer
    return bits / 8.0


@formula(None, n_clients="int>=1", vector_length="int>=1", input_bits="int>=1", bits_per_peer=">=0")
def calc_secagg_expansion(n_clients, vector_length, input_bits, bits_per_peer):
    """Communication expansion over sending the b-bit vector in the clear: bits / (m b).

    Bonawitz et al. (2017), abstract: 1.73x for 2^10 users and 2^20-dimensional vectors, 1.98x for
    2^14 users and 2^24 dimensions, with 16-bit inputs.
    """
    return 8.0 * calc_secagg_client_bytes.raw(n_clients, vector_length, input_bits, bits_per_peer) / (
        vector_length * input_bits)


@formula(None, n_clients="int>=1", vector_length="int>=1", dropout="[0,1)")
def calc_secagg_server_prg(n_clients, vector_length, dropout=0.0):
    """Vector entries the server expands with a PRG to unmask one round: m (n_s + n_d n_s).

    Bonawitz et al. (2017), section 4 (Unmasking) and 7.1: for each surviving client u the server
    removes its self-mask PRG(b_u); for each dropped client v it removes the pairwise mask
    PRG(s_uv) with every survivor u. n_d = round(d n) dropped, n_s = n - n_d: the server's
    O(m n^2) cost under dropouts.
    """
    dropped = round(dropout * n_clients)
    alive = n_clients - dropped
    return float(vector_length) * (alive + dropped * alive)


@formula(None, overhead="[0,1)")
def calc_tee_slowdown(overhead):
    """Time multiplier of a workload that loses a share o of its throughput: 1 / (1 - o).

    Confidential-computing overheads are published as throughput losses (Zhu et al. 2024,
    arXiv:2409.03992: below 7 % for typical LLM queries on H100 CC mode, mostly from encrypted
    CPU-GPU transfers through bounce buffers).
    """
    return 1.0 / (1.0 - overhead)


@formula(None, replicas="int1..10000", fault_probability="[0,1]")
def calc_nmr_failure(replicas, fault_probability):
    """P(the majority vote of N independent replicas is wrong) = sum_{k > N/2} C(N,k) p^k (1-p)^(N-k).

    N-modular redundancy with a perfect voter and independent faults: von Neumann (1956),
    'Probabilistic logics and the synthesis of reliable organisms from unreliable components';
    for N = 3, 1 - R_TMR = 3p^2 - 2p^3 (Lyons & Vanderkulk (1962), 'The use of triple-modular
    redundancy to improve computer reliability', IBM J. Res. Dev. 6(2)). With N even, a tie
    (k = N/2) is detected but not corrected (see calc_nmr_detected). Cost grows with N (N <= 10,000).
    """
    p = fault_probability
    return math.fsum(math.comb(replicas, k) * p ** k * (1.0 - p) ** (replicas - k)
                     for k in range(replicas // 2 + 1, replicas + 1))


@formula(None, replicas="int1..10000", fault_probability="[0,1]")
def calc_nmr_detected(replicas, fault_probability):
    """P(the replicas disagree without a majority: a fault detected but not corrected).

    Only an even N can tie (k = N/2 of N faulty): dual modular redundancy (N = 2) detects a single
    fault by comparison but cannot say which copy is right, so the work is re-run. Odd N: 0.
    N <= 10,000 (like calc_nmr_failure).
    """
    if replicas % 2:
        return 0.0
    k = replicas // 2
    p = fault_probability
    return math.comb(replicas, k) * p ** k * (1.0 - p) ** (replicas - k)


@formula(None)
def calc_intersectional_subgroups(levels):
    """Subgroups of an intersectional audit: the product of each attribute's number of levels.

    Buolamwini & Gebru (2018), 'Gender Shades', FAT* (PMLR 81): 2 genders x 2 skin types = 4
    intersectional subgroups; Kearns et al. (2018), 'Preventing Fairness Gerrymandering', ICML:
    the count of subgroups grows exponentially with the number of protected attributes.
    ``levels``: a sequence of integers >= 1 (at most 64 attributes).
    """
    levels = sequence("levels", levels, max_len=64)
    total = 1
    for i, lv in enumerate(levels):
        total *= integer(f"levels[{i}]", lv, minimum=1, maximum=10_000)
    return float(total)
