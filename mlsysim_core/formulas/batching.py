"""Batching (Wall 5): static reservation versus paged KV memory."""
from __future__ import annotations

import math

from .._formula import formula


@formula(None, kv_budget_bytes="byte", kv_bytes_per_token="byte>0", max_seq_len="int>=1")
def calc_static_batch_requests(kv_budget_bytes, kv_bytes_per_token, max_seq_len):
    """Static batching reserves KV for the maximum length: N = floor(M_KV / (k S_max)).

    Source: Kwon et al. (2023), 'Efficient Memory Management for Large Language Model Serving
    with PagedAttention', SOSP, section 3 (pre-allocation of the maximum sequence length).
    """
    if kv_budget_bytes <= 0:
        return 0
    return int(kv_budget_bytes // (kv_bytes_per_token * max_seq_len))


@formula(None, kv_budget_bytes="byte", kv_bytes_per_token="byte>0", mean_seq_len=">0", page_tokens="int>=1")
def calc_paged_batch_requests(kv_budget_bytes, kv_bytes_per_token, mean_seq_len, page_tokens=16):
    """Paged KV holds the actual lengths rounded up to pages: N = floor(M_KV / (k p ceil(S/p))).

    Source: Kwon et al. (2023), PagedAttention, SOSP, section 4.1 (KV blocks of 16 tokens; only
    the last block of a sequence is partly empty).
    """
    if kv_budget_bytes <= 0:
        return 0
    pages = math.ceil(mean_seq_len / page_tokens)
    return int(kv_budget_bytes // (kv_bytes_per_token * page_tokens * pages))


@formula(None, used_tokens=">=0", reserved_tokens=">=0")
def calc_kv_fragmentation(used_tokens, reserved_tokens):
    """Fraction of reserved KV slots that hold no token: 1 - used / reserved (Kwon et al. 2023, figure 2)."""
    if reserved_tokens <= 0:
        return 0.0
    return max(0.0, 1.0 - used_tokens / reserved_tokens)


@formula("s", decode_step="s", prefill_time="s", active_requests=">=0", output_tokens=">0")
def calc_continuous_step_time(decode_step, prefill_time, active_requests, output_tokens):
    """Mean time per generated token under continuous (iteration-level) batching at steady state.

    T_step = t_decode(N) + (N / n_out) t_prefill: each of the N active requests lives n_out steps,
    so N / n_out new requests join per step on average and their prefills run between (or, chunked,
    inside) decode iterations, stalling every active request. Source: Yu et al. (2022), Orca, OSDI,
    section 3 (iteration-level scheduling); Agrawal et al. (2024), Sarathi-Serve, OSDI, section 3
    (prefills stall ongoing decodes: the generation-stall the chunking bounds).
    """
    return decode_step + active_requests / output_tokens * prefill_time
