"""Content of the zoo: coverage, provenance of every number, and datasheet spot checks."""
from __future__ import annotations

import math

import pytest

from mlsysim_core.zoo import Hardware, Infra, Models, Systems
from mlsysim_core.zoo.loader import SCHEMAS, load

KINDS = ("hardware", "models", "grids", "datacenters", "fabrics", "nodes", "clusters")
TIERS = ("Cloud", "Workstation", "Mobile", "Edge", "Tiny")

# The 15 workloads of the reference paper's model-zoo table (section 5.3).
PAPER_MODELS = ("GPT2", "GPT3", "GPT4", "BERT_Base", "Llama2_70B", "Llama3_8B", "Llama3_70B",
                "AlexNet", "ResNet50", "MobileNetV2", "YOLOv8_Nano",
                "DS_CNN", "WakeVision", "AnomalyDetector", "DLRM")


def close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel)


# --- coverage ---------------------------------------------------------------------------

def test_every_tier_has_devices_and_enough_of_them():
    assert set(TIERS) <= set(Hardware.groups())
    for tier in TIERS:
        assert len(getattr(Hardware, tier)) >= 1, tier
    assert len(Hardware) >= 19


@pytest.mark.parametrize("key,tier", [
    ("V100", "Cloud"), ("A100", "Cloud"), ("H100", "Cloud"), ("H200", "Cloud"), ("B200", "Cloud"),
    ("MI300X", "Cloud"), ("TPUv5p", "Cloud"), ("T4", "Cloud"),
    ("DGX_Spark", "Workstation"), ("MacBookM3Max", "Workstation"),
    ("iPhone15Pro", "Mobile"), ("Pixel8", "Mobile"), ("Snapdragon8Gen3", "Mobile"),
    ("JetsonOrinNX", "Edge"), ("JetsonAGX", "Edge"), ("Coral", "Edge"), ("NUC_Movidius", "Edge"),
    ("EdgeServer", "Edge"),
    ("ESP32_S3", "Tiny"), ("HimaxWE1", "Tiny"), ("nRF52840", "Tiny"),
])
def test_required_devices_exist_in_their_tier(key, tier):
    hw = getattr(Hardware, key)
    assert hw.tier == tier
    assert getattr(getattr(Hardware, tier), key) is hw


@pytest.mark.parametrize("alias,key", [
    ("DGXSpark", "DGX_Spark"), ("MacBook", "MacBookM3Max"), ("iPhone", "iPhone15Pro"),
    ("Snapdragon", "Snapdragon8Gen3"), ("JetsonAGXOrin", "JetsonAGX"),
    ("GenericServer", "EdgeServer"), ("ESP32", "ESP32_S3"), ("Himax", "HimaxWE1"),
])
def test_hardware_aliases(alias, key):
    assert getattr(Hardware, alias) is getattr(Hardware, key)


def test_paper_models_llama3_and_moe_exist():
    for key in PAPER_MODELS + ("Llama3_8B", "Llama3_70B"):
        assert key in Models, key
    moes = [m for m in Models if m.architecture == "moe"]
    assert {"Mixtral_8x7B", "DeepSeek_V3", "GPT4"} <= {m.key for m in moes}
    for m in moes:
        assert 0 < m.active_parameters < m.parameters_count
        assert 1 <= m.experts_per_token <= m.experts


def test_required_models_and_families():
    wanted = {
        "Language": ("GPT2", "GPT3", "GPT4", "BERT_Base", "BERT_Large", "Llama2_70B", "Llama2_7B",
                     "Llama3_8B", "Llama3_70B", "Llama3_405B", "Mixtral_8x7B", "DeepSeek_V3"),
        "Vision": ("AlexNet", "ResNet50", "ResNet18", "MobileNetV2", "EfficientNetB0", "YOLOv8_Nano"),
        "Tiny": ("DS_CNN", "WakeVision", "AnomalyDetector"),
        "Recommendation": ("DLRM",),
    }
    for family, keys in wanted.items():
        group = getattr(Models, family)
        for key in keys:
            assert getattr(group, key).family == family


def test_transformers_have_shapes_and_cnns_have_flops():
    for m in Models:
        if m.architecture in ("transformer", "moe"):
            assert m.layers and m.hidden_dim and m.heads, m.key
            assert m.hidden_dim % m.heads == 0, m.key
            if m.kv_heads is not None:
                assert m.heads % m.kv_heads == 0, m.key
        else:
            assert m.inference_flop > 0, m.key


def test_grids_datacenters_fabrics_nodes_clusters():
    for key in ("Quebec", "Norway", "US_Average", "Poland", "Germany", "France", "Iceland", "India",
                "China", "Texas", "Iowa", "EU_Average", "Sweden"):
        g = Infra.get(key)
        assert g.carbon_intensity_g_kwh > 0 and g.pue >= 1.0 and g.wue_l_kwh >= 0, key
    for key in ("Norway_Hydro", "Iowa_Hyperscale", "Poland_Coal", "Legacy_Air"):
        assert Infra.Datacenters.get(key).pue >= 1.0
    assert Infra.Legacy_Air.pue == pytest.approx(1.58)
    for key in ("Ethernet_10G", "Ethernet_100G", "Ethernet_400G", "RoCE_100G", "RoCE_400G",
                "InfiniBand_HDR", "InfiniBand_NDR", "InfiniBand_XDR"):
        f = Systems.Fabrics.get(key)
        assert f.bandwidth_bytes_s > 0 and f.latency_s > 0 and f.oversubscription == 1.0
    for key in ("DGX_H100", "DGX_A100", "DGX_B200", "HGX_H200"):
        n = Systems.Nodes.get(key)
        assert n.accelerators_per_node == 8
        assert n.intra_node_bandwidth_bytes_s == n.accelerator.interconnect.bandwidth_bytes_s
    for key in ("Research_256", "Frontier_8192", "H100_8", "H100_64", "H100_256", "Training_1K",
                "Mega_100K"):
        assert key in Systems.Clusters


# --- provenance -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_every_number_has_a_source(kind):
    schema = SCHEMAS[kind]
    raws = load(kind)
    assert raws
    for key, raw in raws.items():
        for field, value in raw.items():
            dim = schema[field][0]
            if dim in ("str", "list") or dim.startswith("ref:"):
                continue
            names = [f"{field}.{sub}" for sub in value] if dim.startswith("table:") else [field]
            for name in names:
                cite = raw.sources.get(name)
                assert isinstance(cite, str) and len(cite) > 20, f"{kind}.toml [{key}].{name}"


def test_built_specs_carry_their_sources():
    specs = list(Hardware) + list(Models) + list(Infra) + list(Systems)
    assert len(specs) > 60
    for spec in specs:
        # a datacenter that only names its grid holds no number of its own
        no_numbers = getattr(spec, "pue_override", 0) is None and spec.wue_override is None
        assert spec.sources or no_numbers, spec.key
        assert all(isinstance(c, str) and c for c in spec.sources.values()), spec.key
    assert "nv-h100" not in Hardware.H100.source("peak_flops.fp16")   # the text, not the id
    assert "datasheet" in Hardware.H100.source("peak_flops.fp16")


def test_estimates_say_so():
    assert "ESTIMATE" in Models.GPT4.sources["parameters"]
    assert "estimate" in Hardware.iPhone15Pro.sources["memory_bandwidth"].lower()
    assert "convention" in Hardware.EdgeServer.sources["peak_flops.fp16"].lower()
    assert "illustrative" in Infra.Iowa.sources["carbon_intensity"].lower()


# --- datasheet spot checks ----------------------------------------------------------------

def test_h100_and_a100_datasheet():
    h = Hardware.H100
    assert close(h.compute.peak_flop_s("fp16"), 989e12)
    assert close(h.memory.bandwidth_bytes_s, 3.35e12)
    assert close(h.tdp_w, 700)
    assert close(h.interconnect.bandwidth_bytes_s, 450e9)
    a = Hardware.A100
    assert close(a.compute.peak_flop_s("fp16"), 312e12)
    assert close(a.memory.bandwidth_bytes_s, 2039e9)


def test_cheat_sheet_values():
    v = Hardware.V100
    assert (v.compute.peak_flop_s("fp16"), v.memory.capacity_bytes, v.memory.bandwidth_bytes_s,
            v.tdp_w) == (125e12, 32 * 2**30, 900e9, 300)
    h = Hardware.H200
    assert (h.compute.peak_flop_s("fp16"), h.memory.capacity_bytes, h.memory.bandwidth_bytes_s,
            h.tdp_w) == (989e12, 141e9, 4.8e12, 700)
    b = Hardware.B200
    assert close(b.compute.peak_flop_s("fp16"), 2250e12)
    assert b.memory.capacity_bytes == 192 * 2**30
    assert close(b.memory.bandwidth_bytes_s, 8.0e12) and b.tdp_w == 1000
    n = Hardware.nRF52840
    assert close(n.compute.peak_flop_s("fp32"), 64e6)
    assert n.memory.capacity_bytes == 2**20 and close(n.tdp_w, 0.015)
    assert n.memory.sram_bytes == 256 * 2**10


@pytest.mark.parametrize("key,gbps", [("V100", 150), ("A100", 300), ("H100", 450), ("H200", 450),
                                      ("B200", 900)])
def test_nvlink_per_direction(key, gbps):
    assert close(getattr(Hardware, key).interconnect.bandwidth_bytes_s, gbps * 1e9)


def test_dense_not_sparse():
    assert close(Hardware.H100.compute.peak_flop_s("fp8"), 2 * 989e12, rel=1e-3)
    assert close(Hardware.B200.compute.peak_flop_s("fp8"), 2 * 2250e12)
    assert close(Hardware.JetsonOrinNX.compute.peak_flop_s("int8"), 50e12)   # 100 TOPS sparse / 2


def test_tiny_devices_have_sram_and_flash():
    for hw in Hardware.Tiny:
        assert hw.tdp_w < 1.0
        assert hw.memory.capacity_bytes < 16 * 2**20
    for key in ("ESP32_S3", "nRF52840"):
        hw = getattr(Hardware, key)
        assert 0 < hw.memory.sram_bytes < hw.memory.capacity_bytes
        assert hw.memory.sram_bandwidth_bytes_s > hw.memory.bandwidth_bytes_s


def test_kv_cache_per_token():
    assert Models.Llama3_70B.kv_cache_bytes(1, 1, "fp16") == 327_680          # 2*80*8*128*2
    assert Models.Llama3_8B.kv_cache_bytes(1, 1, "fp16") == 131_072           # 2*32*8*128*2
    assert Models.GPT3.kv_cache_bytes(1, 1, "fp16") == 2 * 96 * 12288 * 2     # MHA


def test_model_numbers():
    assert Models.GPT4.inference_flop == pytest.approx(560e9)        # 2 x 280B active
    assert Models.Mixtral_8x7B.inference_flop == pytest.approx(25.8e9)
    assert Models.DeepSeek_V3.inference_flop == pytest.approx(74e9)
    assert Models.ResNet50.inference_flop == pytest.approx(8.2e9)
    assert Models.Llama3_405B.parameters_count == 405e9
    assert Models.DLRM.model_size_bytes == 100e9


def test_ridge_points():
    ridge = {h.key: h.ridge_point().to("flop/byte").magnitude for h in Hardware}
    assert ridge["H100"] == pytest.approx(295.2, abs=0.5)
    assert ridge["A100"] == pytest.approx(153.0, abs=0.5)
    assert ridge["V100"] < ridge["A100"] < ridge["H100"]
    assert ridge["H200"] < ridge["H100"]                      # same FLOP/s, more bandwidth
    assert ridge["B200"] < ridge["H100"]
    for key in ("ESP32_S3", "HimaxWE1", "nRF52840"):          # MCUs: a few FLOP/byte
        assert ridge[key] < 10


def test_peak_and_bandwidth_grow_by_generation():
    gens = [Hardware.V100, Hardware.A100, Hardware.H100, Hardware.B200]
    flops = [h.compute.peak_flop_s("fp16") for h in gens]
    bw = [h.memory.bandwidth_bytes_s for h in gens]
    assert flops == sorted(flops) and bw == sorted(bw)


def test_worked_example_grids_and_clusters():
    assert Infra.Quebec.carbon_intensity_g_kwh == 20
    assert Infra.US_Average.carbon_intensity_g_kwh == 429
    assert Infra.Poland.carbon_intensity_g_kwh == 820
    assert Infra.Quebec.carbon_intensity_g_kwh < Infra.France.carbon_intensity_g_kwh \
        < Infra.Germany.carbon_intensity_g_kwh < Infra.India.carbon_intensity_g_kwh
    assert Systems.Research_256.total_accelerators == 256
    assert Systems.Frontier_8192.total_accelerators == 8192
    assert Systems.Training_1K.total_accelerators == 1024
    assert Systems.Mega_100K.total_accelerators == 100_000
    assert close(Systems.InfiniBand_NDR.bandwidth_bytes_s, 50e9)
    assert close(Systems.InfiniBand_HDR.bandwidth_bytes_s, 25e9)
