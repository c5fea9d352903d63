"""Models.from_hf_config on real HuggingFace configs (tests/fixtures/hf/, written from the model
cards' config.json files): parameter counts against the authors' published figures (3 %), KV bytes
per token following the architecture, errors naming the field."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlsysim_core import Models
from mlsysim_core.errors import SpecError
from mlsysim_core.specs import MoEWorkload, TransformerWorkload

HF = Path(__file__).parent / "fixtures" / "hf"

# fixture -> (published total, published active or None, source of the figures)
PUBLISHED = {
    "llama-3.1-8b.json": (8.03e9, None, "meta-llama/Llama-3.1-8B model card (8.03B params, safetensors)"),
    "llama-3.2-1b.json": (1.23e9, None, "meta-llama/Llama-3.2-1B model card, 'Llama 3.2 (text only) 1B (1.23B)'"),
    "phi-3-mini-4k.json": (3.8e9, None, "Abdin et al. (2024), Phi-3 Technical Report, arXiv:2404.14219, abstract (3.8B)"),
    "mistral-7b-v0.1.json": (7.3e9, None, "Mistral AI (2023), 'Mistral 7B' announcement: a 7.3B parameter model"),
    "gemma-2-9b.json": (917_504_000 + 8_324_201_984, None,
                        "Gemma Team (2024), Gemma 2, arXiv:2408.00118, table 2 (9B: embedding + non-embedding)"),
    "gemma-3-1b.json": (1.0e9, None, "Gemma Team (2025), Gemma 3 Technical Report, table 1 (1B: 302M + 698M)"),
    "qwen3-8b.json": (8.2e9, None, "Qwen/Qwen3-8B model card: 8.2B parameters, 6.95B non-embedding"),
    "qwen2.5-7b.json": (7.61e9, None, "Qwen/Qwen2.5-7B model card: 7.61B parameters, 6.53B non-embedding"),
    "mixtral-8x7b.json": (46.7e9, 12.9e9, "Jiang et al. (2024), Mixtral of Experts, arXiv:2401.04088: 47B / 13B; "
                          "Mistral AI blog: 46.7B total, 12.9B per token"),
    "qwen1.5-moe-a2.7b.json": (14.3e9, 2.7e9, "Qwen/Qwen1.5-MoE-A2.7B model card: 14.3B total, 2.7B activated"),
    "deepseek-v3.json": (671e9, 37e9, "DeepSeek-AI (2024), DeepSeek-V3 Technical Report, arXiv:2412.19437, "
                         "abstract: 671B total, 37B activated"),
}


def load(name):
    return Models.from_hf_config(HF / name)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_counts_match_the_published_figures(name):
    total, active, _source = PUBLISHED[name]
    m = load(name)
    assert m.parameters_count == pytest.approx(total, rel=0.03)
    if active is None:
        assert isinstance(m, TransformerWorkload) and not isinstance(m, MoEWorkload)
        assert m.active_parameters_count == m.parameters_count
    else:
        assert isinstance(m, MoEWorkload)
        assert m.active_parameters_count == pytest.approx(active, rel=0.03)
    assert m.inference_flop == pytest.approx(2 * m.active_parameters_count)


def test_gemma2_non_embedding_count_is_exact():
    # Gemma 2 table 2 gives the count to the parameter: the architecture walk must land on it
    m = load("gemma-2-9b.json")
    assert m.parameters_count - 256000 * 3584 == 8_324_201_984


def test_qwen_non_embedding_counts():
    # the model cards also publish non-embedding counts (untied: input and output embeddings)
    assert load("qwen3-8b.json").parameters_count - 2 * 151936 * 4096 == pytest.approx(6.95e9, rel=0.01)
    assert load("qwen2.5-7b.json").parameters_count - 2 * 152064 * 3584 == pytest.approx(6.53e9, rel=0.01)


def test_tied_embeddings_count_once():
    cfg = json.loads((HF / "llama-3.2-1b.json").read_text())
    tied = Models.from_hf_config(cfg).parameters_count
    untied = Models.from_hf_config(dict(cfg, tie_word_embeddings=False)).parameters_count
    assert untied - tied == 128256 * 2048


def test_head_dim_given_or_derived():
    assert load("gemma-2-9b.json").head_dim == 256          # given: 16 heads x 256 != 3584
    assert load("llama-3.1-8b.json").head_dim == 4096 // 32  # derived
    assert load("qwen3-8b.json").head_dim == 128


def test_gqa_kv_bytes_per_token():
    m = load("llama-3.1-8b.json")
    # 2 (K, V) x 32 layers x 8 KV heads x 128 x 2 bytes = 131,072 B per token (Llama 3.1 8B, GQA)
    assert m.n_kv_heads == 8
    assert m.kv_cache_bytes(1000) / 1000 == pytest.approx(2 * 32 * 8 * 128 * 2)


def test_mla_caches_the_latent():
    m = load("deepseek-v3.json")
    assert (m.kv_lora_rank, m.qk_rope_head_dim) == (512, 64)
    assert m.experts == 256 and m.experts_per_token == 8
    # DeepSeek-V3 section 2.1.1: (d_c + d_h^R) x layers elements per token = 576 x 61 x 2 B
    assert m.kv_cache_bytes(4096) / 4096 == pytest.approx(61 * (512 + 64) * 2)
    mha = 2 * 61 * 128 * 192 * 2
    assert m.kv_cache_bytes(4096) / 4096 < mha / 40


def test_sliding_windows_cap_the_cache():
    g2 = load("gemma-2-9b.json")
    assert (g2.sliding_window, g2.sliding_window_layers) == (4096, 21)   # every other one of 42 layers
    g3 = load("gemma-3-1b.json")
    assert (g3.sliding_window, g3.sliding_window_layers) == (512, 26 - 26 // 6)   # 5 local : 1 global
    mistral = load("mistral-7b-v0.1.json")
    assert (mistral.sliding_window, mistral.sliding_window_layers) == (4096, 32)
    # Mistral: every layer slides, so the cache stops growing at the window
    assert mistral.kv_cache_bytes(32768) == pytest.approx(mistral.kv_cache_bytes(4096))
    # Gemma 2: the global half keeps growing, the local half is capped
    per_layer_token = 2 * 8 * 256 * 2
    assert g2.kv_cache_bytes(8192) == pytest.approx(per_layer_token * (21 * 8192 + 21 * 4096))
    qwen = load("qwen2.5-7b.json")   # sliding_window set but use_sliding_window false
    assert qwen.sliding_window_layers == 0


def test_layer_types_list_wins():
    cfg = json.loads((HF / "gemma-3-1b.json").read_text())
    cfg["layer_types"] = ["full_attention"] * 26
    assert Models.from_hf_config(cfg).sliding_window_layers == 0


def test_moe_first_dense_layers_and_shared_experts():
    cfg = json.loads((HF / "deepseek-v3.json").read_text())
    base = Models.from_hf_config(cfg)
    no_shared = Models.from_hf_config(dict(cfg, n_shared_experts=0))
    expert = 3 * 7168 * 2048
    assert base.parameters_count - no_shared.parameters_count == 58 * expert   # 61 - 3 dense layers
    assert base.active_parameters_count - no_shared.active_parameters_count == 58 * expert
    all_moe = Models.from_hf_config(dict(cfg, first_k_dense_replace=0))
    assert all_moe.parameters_count > base.parameters_count


def test_multimodal_text_config_and_folder(tmp_path):
    text = json.loads((HF / "gemma-3-1b.json").read_text())
    wrapped = {"model_type": "gemma3", "architectures": ["Gemma3ForConditionalGeneration"],
               "text_config": text, "vision_config": {"model_type": "siglip_vision_model"}}
    assert Models.from_hf_config(wrapped).parameters_count == load("gemma-3-1b.json").parameters_count
    (tmp_path / "config.json").write_text(json.dumps(text))
    assert Models.from_hf_config(tmp_path).parameters_count == load("gemma-3-1b.json").parameters_count


def test_the_workload_solves():
    from mlsysim_core import Hardware, ServingModel
    r = ServingModel().solve(load("llama-3.1-8b.json"), Hardware.H100, seq_len=4096)
    zoo = ServingModel().solve(Models.Llama3_8B, Hardware.H100, seq_len=4096)
    assert r.itl.m_as("ms") == pytest.approx(zoo.itl.m_as("ms"), rel=0.01)


# ---------------------------------------------------------------- errors name the field

def test_unknown_architecture_names_model_type():
    with pytest.raises(SpecError, match=r"config\.model_type='bert'.*llama"):
        Models.from_hf_config({"model_type": "bert", "hidden_size": 768})


def test_missing_field_is_named():
    cfg = json.loads((HF / "llama-3.1-8b.json").read_text())
    del cfg["num_hidden_layers"]
    with pytest.raises(SpecError, match=r"config\.num_hidden_layers"):
        Models.from_hf_config(cfg)


def test_missing_mla_field_is_named():
    cfg = json.loads((HF / "deepseek-v3.json").read_text())
    del cfg["kv_lora_rank"]
    with pytest.raises(SpecError, match=r"config\.kv_lora_rank"):
        Models.from_hf_config(cfg)


def test_bad_values_are_named():
    cfg = json.loads((HF / "llama-3.1-8b.json").read_text())
    with pytest.raises(SpecError, match=r"config\.hidden_size=-1"):
        Models.from_hf_config(dict(cfg, hidden_size=-1))
    with pytest.raises(SpecError, match=r"config\.num_key_value_heads=5"):
        Models.from_hf_config(dict(cfg, num_key_value_heads=5))
    mix = json.loads((HF / "mixtral-8x7b.json").read_text())
    with pytest.raises(SpecError, match=r"config\.num_experts_per_tok=9"):
        Models.from_hf_config(dict(mix, num_experts_per_tok=9))


def test_bad_paths_are_named(tmp_path):
    with pytest.raises(SpecError, match="path_or_dict"):
        Models.from_hf_config(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SpecError, match="path_or_dict.*JSON"):
        Models.from_hf_config(bad)
    with pytest.raises(SpecError, match="path_or_dict"):
        Models.from_hf_config(42)
