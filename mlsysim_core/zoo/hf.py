"""A decoder-only transformer from its HuggingFace ``config.json``, offline.

    from mlsysim_core import Models
    m = Models.from_hf_config("path/to/config.json")     # or a dict already loaded
    m.parameters_count, m.kv_cache_bytes(32768)

Parameters are counted from the architecture, weight matrix by weight matrix, as the
``transformers`` modelling code of each family lays them out (``modeling_<type>.py``):

    embeddings        V d  (+ V d for an untied LM head)
    attention         d H d_h (Q) + 2 d H_kv d_h (K, V) + H d_h d (O)   [+ biases where the family has them]
    MLA (DeepSeek)    d r_q + r_q H (d_nope + d_rope) + d (r_kv + d_rope) + r_kv H (d_nope + d_v) + H d_v d
    gated MLP         3 d I  (gate, up, down; 2 d I without a gate)
    MoE layer         E x 3 d I_e (routed) + S x 3 d I_s (shared) + d E (router)
    norms             d per RMSNorm / LayerNorm (x2 for LayerNorm with bias)

A MoE's active parameters count the top-k routed experts and everything else (attention, shared
experts, dense layers, embeddings and head), as the model authors count "activated" parameters.
The counts are checked against the authors' published totals in tests/test_hf_config.py (within 3 %).

Sliding-window layers: ``layer_types`` when the config lists them; otherwise the family's rule
(Gemma-2: every other layer; Gemma-3: all but every ``sliding_window_pattern``-th; Mistral and
others: every layer when ``sliding_window`` is set and ``use_sliding_window`` is not false).
Cost: one pass over the config's fields (and its ``layer_types`` list); nothing is downloaded.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..errors import SpecError
from ..specs import MoEWorkload, TransformerWorkload

# model_type -> (tie_word_embeddings default, gated MLP, QKV bias, norms per layer)
# Defaults are those of each family's PretrainedConfig subclass in transformers.
_FAMILIES = {
    "llama": (False, True, False, 2), "mistral": (False, True, False, 2),
    "mixtral": (False, True, False, 2), "qwen2": (False, True, True, 2),
    "qwen2_moe": (False, True, True, 2), "qwen3": (False, True, False, 2),
    "qwen3_moe": (False, True, False, 2), "phi3": (False, True, False, 2),
    "gemma": (True, True, False, 2), "gemma2": (True, True, False, 4),
    "gemma3": (True, True, False, 4), "gemma3_text": (True, True, False, 4),
    "deepseek_v2": (False, True, False, 2), "deepseek_v3": (False, True, False, 2),
}
SUPPORTED = tuple(_FAMILIES)


def _load(path_or_dict) -> tuple[dict, str | None]:
    if isinstance(path_or_dict, dict):
        return path_or_dict, None
    if not isinstance(path_or_dict, (str, os.PathLike)):
        raise SpecError("path_or_dict", path_or_dict, "a path to a HuggingFace config.json or a dict of it")
    p = Path(path_or_dict)
    if p.is_dir():
        p = p / "config.json"
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise SpecError("path_or_dict", str(path_or_dict), "a readable config.json file", e.strerror or "") from None
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError("path_or_dict", str(path_or_dict), "a JSON file (a HuggingFace config.json)",
                        f"line {e.lineno}: {e.msg}") from None
    if not isinstance(cfg, dict):
        raise SpecError("path_or_dict", str(path_or_dict), "a JSON object (a HuggingFace config.json)")
    return cfg, p.parent.name or p.stem


def _int(cfg: dict, field: str, default=None, minimum: int = 1) -> int:
    v = cfg.get(field, default)
    if v is None:
        raise SpecError(f"config.{field}", None, "an integer (this field is required for a "
                        f"{cfg.get('model_type', 'decoder')} config)", "missing field")
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise SpecError(f"config.{field}", v, f"an integer >= {minimum}")
    return v


def _sliding(cfg: dict, mt: str, layers: int) -> tuple[int, int]:
    """(window, number of sliding-window layers)."""
    window = cfg.get("sliding_window")
    if not window or cfg.get("use_sliding_window") is False:
        return 0, 0
    window = _int(cfg, "sliding_window")
    types = cfg.get("layer_types")
    if isinstance(types, list) and types:
        if len(types) != layers:
            raise SpecError("config.layer_types", f"{len(types)} entries", f"one entry per layer ({layers})")
        return window, sum(1 for t in types if t == "sliding_attention")
    if mt == "gemma2":
        return window, (layers + 1) // 2          # layers 0, 2, 4, ... slide (modeling_gemma2)
    if mt in ("gemma3", "gemma3_text"):
        n = _int(cfg, "sliding_window_pattern", 6)
        return window, layers - layers // n         # every n-th layer is global
    if mt in ("qwen2", "qwen2_moe", "qwen3", "qwen3_moe"):
        # Qwen: layers from max_window_layers on use the window (when enabled at all)
        return window, max(0, layers - _int(cfg, "max_window_layers", layers, minimum=0))
    return window, layers


def _attention(cfg: dict, mt: str, d: int, heads: int, kv_heads: int, head_dim: int, qkv_bias: bool) -> tuple[float, dict]:
    """Attention parameters of one layer, and the MLA fields (empty for standard attention)."""
    if mt in ("deepseek_v2", "deepseek_v3"):
        r_kv = _int(cfg, "kv_lora_rank")
        rope = _int(cfg, "qk_rope_head_dim")
        nope = _int(cfg, "qk_nope_head_dim")
        v_dim = _int(cfg, "v_head_dim")
        q_rank = cfg.get("q_lora_rank")
        if q_rank:
            q_rank = _int(cfg, "q_lora_rank")
            q = d * q_rank + q_rank + q_rank * heads * (nope + rope)     # down, norm, up
        else:
            q = d * heads * (nope + rope)
        kv = d * (r_kv + rope) + r_kv + r_kv * heads * (nope + v_dim)    # down (+ rope key), norm, up
        o = heads * v_dim * d
        return float(q + kv + o), {"kv_lora_rank": r_kv, "qk_rope_head_dim": rope, "head_size": nope + rope}
    qkv = d * (heads + 2 * kv_heads) * head_dim
    bias = (heads + 2 * kv_heads) * head_dim if (qkv_bias or cfg.get("attention_bias")) else 0
    qk_norm = 2 * head_dim if mt in ("qwen3", "qwen3_moe", "gemma3", "gemma3_text") else 0
    return float(qkv + bias + heads * head_dim * d + qk_norm), {}


def from_hf_config(path_or_dict, name: str | None = None) -> TransformerWorkload:
    """The workload a HuggingFace ``config.json`` describes (a path, a folder holding one, or a dict).

    Returns a ``TransformerWorkload`` (dense) or ``MoEWorkload`` whose ``parameters_count`` (and
    ``active_parameters_count``) are counted from the architecture, with GQA KV heads, the head size
    (given or hidden / heads), MLA latent fields and sliding-window layers filled in, so
    ``kv_cache_bytes`` follows the architecture. Multimodal configs use their ``text_config``.
    Unknown ``model_type`` values and missing fields raise ``SpecError`` naming the field.
    """
    raw, stem = _load(path_or_dict)
    cfg = raw.get("text_config") if isinstance(raw.get("text_config"), dict) else raw
    mt = cfg.get("model_type") or raw.get("model_type")
    if mt not in _FAMILIES:
        raise SpecError("config.model_type", mt, "a decoder-only family: one of " + ", ".join(SUPPORTED))
    tie_default, gated, qkv_bias, norms = _FAMILIES[mt]
    d = _int(cfg, "hidden_size")
    layers = _int(cfg, "num_hidden_layers")
    heads = _int(cfg, "num_attention_heads")
    kv_heads = _int(cfg, "num_key_value_heads", heads)
    vocab = _int(cfg, "vocab_size")
    head_dim = cfg.get("head_dim") or d // heads
    head_dim = _int({"head_dim": head_dim}, "head_dim")
    if heads % kv_heads:
        raise SpecError("config.num_key_value_heads", kv_heads, f"a divisor of num_attention_heads={heads}")
    tied = cfg.get("tie_word_embeddings", raw.get("tie_word_embeddings", tie_default))
    embed = vocab * d * (1 if tied else 2)
    attn, mla = _attention(cfg, mt, d, heads, kv_heads, head_dim, qkv_bias)
    mlp_mats = 3 if gated else 2
    dense_mlp = mlp_mats * d * _int(cfg, "intermediate_size")
    norm = norms * d

    experts = cfg.get("num_local_experts") or cfg.get("num_experts") or cfg.get("n_routed_experts")
    if experts:
        experts = int(experts)
        top_k = _int(cfg, "num_experts_per_tok")
        if top_k > experts:
            raise SpecError("config.num_experts_per_tok", top_k, f"at most the number of experts ({experts})")
        expert_i = cfg.get("moe_intermediate_size") or cfg.get("intermediate_size")
        expert = mlp_mats * d * _int({"moe_intermediate_size": expert_i}, "moe_intermediate_size")
        shared = 0
        if mt == "qwen2_moe" and cfg.get("shared_expert_intermediate_size"):
            shared = mlp_mats * d * _int(cfg, "shared_expert_intermediate_size") + d   # + its sigmoid gate
        elif cfg.get("n_shared_experts"):
            shared = _int(cfg, "n_shared_experts") * expert
        router = d * experts + (experts if mt == "deepseek_v3" else 0)     # V3: score-correction bias
        dense_layers = set(range(min(layers, int(cfg.get("first_k_dense_replace") or 0))))
        dense_layers |= {i for i in cfg.get("mlp_only_layers") or [] if 0 <= i < layers}
        if mt.startswith("deepseek"):   # layer i >= first_k_dense_replace with i % moe_layer_freq == 0
            step = int(cfg.get("moe_layer_freq") or 1)
            moe_layers = [i for i in range(layers) if i not in dense_layers and i % step == 0]
        else:                           # Qwen-MoE: (i + 1) % decoder_sparse_step == 0; Mixtral: every layer
            step = int(cfg.get("decoder_sparse_step") or 1)
            moe_layers = [i for i in range(layers) if i not in dense_layers and (i + 1) % step == 0]
        n_moe = len(moe_layers)
        n_dense = layers - n_moe
        common = layers * (attn + norm) + n_dense * dense_mlp + n_moe * (shared + router) + embed + d
        total = common + n_moe * experts * expert
        active = common + n_moe * top_k * expert
    else:
        total = active = layers * (attn + norm + dense_mlp) + embed + d   # + final norm

    window, sliding_layers = _sliding(cfg, mt, layers)
    label = name or raw.get("_name_or_path") or stem or mt
    label = str(label).rstrip("/").split("/")[-1]
    key = re.sub(r"\W+", "_", label).strip("_") or mt
    src = f"HuggingFace config.json ({mt}), parameters counted from the architecture by mlsysim_core.zoo.hf"
    fields = dict(name=label, key=key, family="Language", parameters_count=float(total),
                  inference_flop=2.0 * active, layers=layers, hidden_dim=d, heads=heads,
                  kv_heads=kv_heads, head_size=mla.get("head_size", head_dim),
                  kv_lora_rank=mla.get("kv_lora_rank", 0), qk_rope_head_dim=mla.get("qk_rope_head_dim", 0),
                  sliding_window=window, sliding_window_layers=sliding_layers,
                  sources={f: src for f in ("parameters", "layers", "hidden_dim", "heads", "kv_heads")})
    if experts:
        return MoEWorkload(**fields, active_parameters=float(active), experts=experts, experts_per_token=top_k)
    return TransformerWorkload(**fields)
