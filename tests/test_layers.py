"""LayerModel and formulas/layers.py: per-layer FLOPs, bytes and activations against their sources."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import Hardware, LayerModel, SpecError
from mlsysim_core.formulas import (calc_activation_memory, calc_attention_activation_bytes,
                                   calc_attention_flops, calc_conv2d_flops, calc_dense_layer_flops,
                                   calc_lstm_flops, calc_mlp_activation_bytes, calc_moe_layer_flops,
                                   calc_training_step_flops)

LM = LayerModel()


def test_transformer_layer_is_narayanan_24bsh2_plus_4bs2h():
    """Narayanan et al. (2021), appendix: one transformer layer's forward = 24 B s h^2 + 4 B s^2 h
    (attention 8 B s h^2 + 4 B s^2 h, MLP with d_ff = 4h 16 B s h^2); training 72 B s l h^2 (1 + s/6h)
    with the backward pass twice the forward."""
    b, s, h = 8, 2048, 12288                      # GPT-3 175B width at its context length
    att = LM.solve("attention", h, b, s)
    mlp = LM.solve("mlp", h, b, s, expansion=4)
    layer = att.raw("forward_flops") + mlp.raw("forward_flops")
    assert layer == pytest.approx(24 * b * s * h**2 + 4 * b * s**2 * h)
    assert att.raw("training_flops") + mlp.raw("training_flops") == pytest.approx(
        72 * b * s * h**2 * (1 + s / (6 * h)))


def test_training_is_three_forwards_and_four_with_full_recompute():
    assert calc_training_step_flops.raw(1e9) == pytest.approx(3e9)       # Kaplan: C = 6 N D = 3 x 2 N D
    assert calc_training_step_flops.raw(1e9, 1.0) == pytest.approx(4e9)  # Narayanan: 96 instead of 72
    r = LM.solve("mlp", 1024, 4, 128, recompute_fraction=0.5)
    assert r.raw("training_to_forward") == pytest.approx(3.5)


def test_korthikanti_attention_plus_mlp_plus_layernorms_is_34sbh_plus_5as2b():
    """Korthikanti et al. (2022), section 4.1: attention 11 sbh + 5 a s^2 b, MLP 19 sbh, two
    layernorms 4 sbh: the 34 sbh + 5 a s^2 b of calc_activation_memory (strategy none)."""
    s, b, h, a = 2048, 1, 4096, 32
    per_layer = (calc_attention_activation_bytes.raw(s, b, h, a) + calc_mlp_activation_bytes.raw(s * b, h)
                 + 4 * s * b * h)
    assert per_layer == pytest.approx(calc_activation_memory.raw(1, s, b, h, a, 2.0, "none"))


def test_attention_quadratic_term_overtakes_projections_at_s_equal_2h():
    h = 1024
    assert LM.solve("attention", h, 1, 2 * h).raw("quadratic_share") == pytest.approx(0.5)
    assert LM.solve("attention", h, 1, h // 2).raw("quadratic_share") < 0.5 < \
        LM.solve("attention", h, 1, 8 * h).raw("quadratic_share")


def test_conv_resnet_first_layer_macs():
    """ResNet-50 conv1: 7x7, 3 -> 64 channels, 112 x 112 outputs = 118 M MACs (He et al. 2016;
    Sze et al. 2017 loop nest): 2 x 118,013,952 FLOPs."""
    assert calc_conv2d_flops.raw(112, 112, 3, 64, 7) == 2 * 112 * 112 * 3 * 64 * 49
    assert calc_conv2d_flops.raw(112, 112, 3, 64, 7) / 2 == pytest.approx(118.0e6, rel=1e-3)


def test_lstm_is_four_dense_gates_and_rereads_weights_every_step():
    assert calc_lstm_flops.raw(256, 512, 10, 2) == 4 * calc_dense_layer_flops.raw(768, 512, 20)
    short, long_ = LM.solve("lstm", 512, 1, 1), LM.solve("lstm", 512, 1, 100)
    assert long_.raw("forward_bytes") > 90 * short.raw("forward_bytes")   # weights streamed per step
    assert long_.raw("arithmetic_intensity") == pytest.approx(short.raw("arithmetic_intensity"), rel=0.05)


def test_moe_params_grow_with_experts_flops_with_top_k():
    base = LM.solve("moe", 1024, 8, 128, n_experts=8, top_k=2)
    more = LM.solve("moe", 1024, 8, 128, n_experts=64, top_k=2)
    assert more.raw("parameters") > 7 * base.raw("parameters")
    # FLOPs differ only by the router
    assert more.raw("forward_flops") - base.raw("forward_flops") == pytest.approx(
        calc_dense_layer_flops.raw(1024, 56, 8 * 128))
    assert calc_moe_layer_flops.raw(1024, 4096, 8, 1, 1) == pytest.approx(
        calc_dense_layer_flops.raw(1024, 4096) * 2 + calc_dense_layer_flops.raw(1024, 8))


def test_roofline_on_hardware_names_a_bottleneck():
    r = LM.solve("lstm", 1024, 1, 64, hardware=Hardware.H100)
    assert r.bottleneck == "Memory Bound"
    assert LM.solve("mlp", 4096, 16, 512, hardware=Hardware.H100).bottleneck == "Compute Bound"
    assert r.raw("training_time") > r.raw("forward_time") > 0
    assert "Roofline on" in r.explain()


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["mlp", "conv2d", "lstm", "attention", "moe"]),
       b=st.integers(1, 64), s=st.integers(1, 4096), h=st.sampled_from([64, 256, 1024]))
def test_properties_monotone_in_batch_and_finite(kind, b, s, h):
    one = LM.solve(kind, h, b, s, image_size=8)
    two = LM.solve(kind, h, 2 * b, s, image_size=8)
    assert two.raw("forward_flops") > one.raw("forward_flops") > 0
    assert two.raw("activation_bytes") > one.raw("activation_bytes") > 0
    assert 0 <= one.raw("quadratic_share") < 1
    assert one.raw("training_flops") == pytest.approx(3 * one.raw("forward_flops"))


@pytest.mark.parametrize("kwargs, name", [
    ({"kind": "gru"}, "kind"), ({"kind": "mlp", "d_model": 0}, "d_model"),
    ({"kind": "mlp", "batch_size": 1.5}, "batch_size"), ({"kind": "moe", "top_k": 9}, "top_k"),
    ({"kind": "mlp", "recompute_fraction": 2}, "recompute_fraction"),
    ({"kind": "mlp", "hardware": "H100"}, "hardware"), ({"kind": "mlp", "precision": "fp7"}, "precision"),
    ({"kind": "attention", "d_model": 64, "n_heads": 65}, "n_heads"),
])
def test_errors_name_the_argument(kwargs, name):
    with pytest.raises(SpecError) as e:
        LM.solve(**kwargs)
    assert str(e.value).startswith(f"{name}=")
