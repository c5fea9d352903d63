"""The grown zoo (hardware.more.toml, models.more.toml): every entry loads, every number carries a
source, the counts reach the issue's targets, and spot values match their datasheets/model cards."""
from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from mlsysim_core import Engine, Hardware, Models, ServingModel
from mlsysim_core.zoo.loader import load

DATA = resources.files("mlsysim_core.zoo").joinpath("data")
FILES = {"hardware": "hardware.more.toml", "models": "models.more.toml"}
HF = Path(__file__).parent / "fixtures" / "hf"


def keys(kind):
    doc = tomllib.loads(DATA.joinpath(FILES[kind]).read_text(encoding="utf-8"))
    doc.pop("sources")
    return list(doc)


def numeric_fields(entry: dict) -> list[str]:
    out = []
    for f, v in entry.items():
        if isinstance(v, dict):
            out += [f"{f}.{p}" for p in v]
        elif isinstance(v, list) and v and isinstance(v[0], (int, float)):
            out.append(f)
    return out


def test_counts_reach_the_targets():
    assert len(Hardware) >= 50
    assert len(Models) >= 45
    assert len(keys("hardware")) >= 20 and len(keys("models")) >= 20


@pytest.mark.parametrize("kind", ["hardware", "models"])
def test_every_new_entry_loads_with_a_source_for_every_number(kind):
    registry = Hardware if kind == "hardware" else Models
    raws = load(kind)
    doc = tomllib.loads(DATA.joinpath(FILES[kind]).read_text(encoding="utf-8"))
    sources = doc.pop("sources")
    for key, entry in doc.items():
        spec = registry.get(key)
        assert spec.key == key and spec.name
        cited = raws[key].sources
        for f in numeric_fields(entry):
            assert f in cited and cited[f], (key, f)
            assert len(cited[f]) > 40, (key, f)   # a citation, not a placeholder
        assert set(cited.values()) <= set(sources.values())


def test_estimates_say_so():
    # every number the zoo only estimates points at a citation containing the word
    doc = tomllib.loads(DATA.joinpath(FILES["hardware"]).read_text(encoding="utf-8"))
    src = doc["sources"]
    for key, field in [("TPUv6e", "tdp"), ("Trainium2", "tdp"), ("MacBookM4Max", "peak_flops.fp16"),
                       ("RaspberryPi5", "peak_flops.fp32"), ("JetsonThor", "peak_flops.fp16"),
                       ("EthosU55", "memory_capacity"), ("H20", "dispatch_tax")]:
        entry = doc[key]
        value = entry["peak_flops"][field.split(".")[1]] if "." in field else entry[field]
        text = src[value[2]]
        assert "ESTIMATE" in text or "DERIVED" in text, (key, field)


@pytest.mark.parametrize("key, field, expected", [
    ("H20", "fp16", 148e12), ("L40S", "fp16", 362.05e12), ("TPUv6e", "bf16", 918e12),
    ("TPUv5e", "bf16", 197e12), ("Trainium2", "bf16", 667e12), ("MI325X", "fp8", 2614.9e12),
    ("RTX4090", "fp16", 165.2e12), ("Inferentia2", "fp16", 190e12),
])
def test_peak_flops_spot_values(key, field, expected):
    assert Hardware.get(key).compute.peak_flop_s(field) == pytest.approx(expected)


@pytest.mark.parametrize("key, capacity, bandwidth", [
    ("H20", 96e9, 4.0e12), ("MI325X", 256e9, 6.0e12), ("Trainium2", 96 * 2**30, 2.9e12),
    ("MacBookM4Max", 128e9, 546e9), ("RTX5090", 32e9, 1792e9), ("RaspberryPi5", 8e9, 17.1e9),
])
def test_memory_spot_values(key, capacity, bandwidth):
    hw = Hardware.get(key)
    assert hw.memory.capacity_bytes == pytest.approx(capacity)
    assert hw.memory.bandwidth_bytes_s == pytest.approx(bandwidth)


def test_h20_is_decode_friendly_prefill_poor():
    # ridge 148 TFLOP/s / 4 TB/s = 37 FLOP/B vs H100's ~295: decode of a 70B model is faster
    # on H20 (more bandwidth), prefill ~6.7x slower (15 % of the tensor throughput)
    assert Hardware.H20.ridge_point().m_as("FLOP/B") == pytest.approx(37.0)
    h20 = ServingModel().solve(Models.Llama3_8B, Hardware.H20, seq_len=4096)
    h100 = ServingModel().solve(Models.Llama3_8B, Hardware.H100, seq_len=4096)
    assert h20.itl < h100.itl
    assert h20.ttft.m_as("s") / h100.ttft.m_as("s") == pytest.approx(989 / 148, rel=0.02)


@pytest.mark.parametrize("key, fixture", [
    ("Llama3_2_1B", "llama-3.2-1b.json"), ("Qwen2_5_7B", "qwen2.5-7b.json"), ("Qwen3_8B", "qwen3-8b.json"),
    ("Mistral_7B", "mistral-7b-v0.1.json"), ("Gemma2_9B", "gemma-2-9b.json"), ("Gemma3_1B", "gemma-3-1b.json"),
    ("Phi3_Mini", "phi-3-mini-4k.json"), ("Qwen1_5_MoE_A2_7B", "qwen1.5-moe-a2.7b.json"),
])
def test_zoo_entries_agree_with_their_configs(key, fixture):
    zoo, cfg = Models.get(key), Models.from_hf_config(HF / fixture)
    assert zoo.parameters_count == pytest.approx(cfg.parameters_count, rel=0.03)
    assert zoo.active_parameters_count == pytest.approx(cfg.active_parameters_count, rel=0.03)
    assert (zoo.layers, zoo.hidden_dim, zoo.heads, zoo.n_kv_heads, zoo.head_dim) == \
        (cfg.layers, cfg.hidden_dim, cfg.heads, cfg.n_kv_heads, cfg.head_dim)
    assert (zoo.sliding_window, zoo.sliding_window_layers) == (cfg.sliding_window, cfg.sliding_window_layers)
    assert zoo.kv_cache_bytes(8192) == pytest.approx(cfg.kv_cache_bytes(8192))


def test_architecture_kv_spot_values():
    # DeepSeek-V2-Lite MLA: 27 layers x (512 + 64) x 2 B per token
    assert Models.DeepSeek_V2_Lite.kv_cache_bytes(1000) / 1000 == pytest.approx(27 * 576 * 2)
    # Falcon-7B multi-query: 2 x 32 layers x 1 head x 64 x 2 B
    assert Models.Falcon_7B.kv_cache_bytes(1000) / 1000 == pytest.approx(2 * 32 * 64 * 2)
    # Mistral 7B: every layer slides, so 32K context caches what 4K does
    assert Models.Mistral_7B.kv_cache_bytes(32768) == pytest.approx(Models.Mistral_7B.kv_cache_bytes(4096))


def test_vision_and_diffusion_entries_solve():
    vit = Engine.solve(Models.ViT_B16, Hardware.A100, batch_size=64)
    assert vit.flops.m_as("GFLOP") == pytest.approx(64 * 35.12)
    unet = Engine.solve(Models.SD15_UNet, Hardware.RTX4090)
    assert unet.bottleneck == "Compute Bound"
    assert unet.latency.m_as("ms") > 1.68e12 / 165.2e12 * 1e3   # never below the roofline bound
