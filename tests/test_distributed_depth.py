"""Training depth of DistributedModel (issue 11): context parallelism, attention FLOPs, in-network
reduction, multi-rail and the hierarchical all-reduce's bound; golden, properties, errors."""
from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsysim_core import DistributedModel, Models, SpecError, Systems
from mlsysim_core.formulas import (calc_hierarchical_allreduce_bound, calc_hierarchical_allreduce_time,
                                   calc_in_network_allreduce_time)
from mlsysim_core.solvers.optimizer import ParallelismOptimizer
from mlsysim_core.zoo import constants

D = DistributedModel()
L70, L8, MPT = Models.Llama3_70B, Models.Llama3_8B, Models.MPT_7B
DGX = Systems.Clusters.H100_8                       # one DGX H100: 8 GPUs on NVLink
DGX2 = dataclasses.replace(DGX, count=2)            # two of them
R256, T1K = Systems.Clusters.Research_256, Systems.Clusters.Training_1K


# --- golden ----------------------------------------------------------------------------------

def test_cp2_halves_per_rank_activations_of_a_128k_70b_step():
    """Llama-3-70B, one 128K-token sequence, TP 8: on one DGX the rank keeps all 131,072 tokens;
    CP 2 over two DGX keeps 65,536 each. Korthikanti et al. (2022) table 2, selective
    recomputation, 16-bit: s b h x 34 / t bytes per layer."""
    s = 131072
    one = D.solve(L70, DGX, batch_size=1, tp_size=8, seq_len=s, precision="bf16")
    two = D.solve(L70, DGX2, batch_size=1, tp_size=8, cp_size=2, seq_len=s, precision="bf16")
    per_layer = lambda tokens: tokens * 1 * L70.hidden_dim * 34 / 8   # noqa: E731
    assert one.raw("activations_per_accelerator") == pytest.approx(L70.layers * per_layer(s), rel=1e-12)
    assert two.raw("activations_per_accelerator") == pytest.approx(L70.layers * per_layer(s // 2), rel=1e-12)
    assert two.raw("activations_per_accelerator") / one.raw("activations_per_accelerator") == pytest.approx(0.5)
    assert two.parallelism == {"dp": 1, "tp": 8, "pp": 1, "ep": 1, "cp": 2}
    # each rank does half the FLOPs; weights are not split by CP
    assert two.raw("flops_per_accelerator") == pytest.approx(one.raw("flops_per_accelerator") / 2)
    assert two.raw("weights_per_accelerator") == one.raw("weights_per_accelerator")


def test_ring_attention_kv_bytes_per_rank():
    """Liu et al. (2023) ring attention: each rank passes its K, V chunk (2 x s/CP x h_kv x d) on
    CP - 1 times per layer in the forward pass, 3x that in training. Llama-3-70B: 8 KV heads of
    128, TP 8 leaves 1 per rank; CP 4 over 32 GPUs (TP x CP = 32 > 8: over the fabric)."""
    s, cp = 131072, 4
    fleet = dataclasses.replace(DGX, count=4)
    r = D.solve(L70, fleet, batch_size=1, tp_size=8, cp_size=cp, seq_len=s, precision="bf16")
    expected = 3 * L70.layers * (cp - 1) * 2 * (s / cp) * 1 * 1 * 128 * 2
    assert r.raw("cp_exchange_bytes") == pytest.approx(expected, rel=1e-12)
    # at 128K the attention compute hides the exchange entirely (Megatron-Core CP's regime)
    assert r.raw("cp_communication_latency") == 0.0
    text = r.explain()
    assert "CP ring attention" in text and "TP \\times PP \\times EP \\times CP" in text


def test_attention_flops_term_is_palm_12_l_d_s_and_reproduces_mpt_mfu():
    """PaLM appendix B: model FLOPs per token 6N + 12 L H Q T. MPT-7B (32 layers, d 4,096, s 2,048):
    MosaicML's llm-foundry benchmark table gives 10,643 tokens/s/GPU on H100 and MFU 46.44 %
    with attention (row TR-14); the engine's FLOP count per token reproduces that MFU."""
    s = 2048
    kw = dict(batch_size=48, seq_len=s, precision="bf16", zero_stage=3)
    off = D.solve(MPT, DGX, **kw)
    on = D.solve(MPT, DGX, attention_flops=True, **kw)
    tokens_per_gpu = 6 * s                                      # 48 sequences over 8 GPUs
    attn_per_token = 12 * MPT.layers * MPT.heads * MPT.head_dim * s
    assert attn_per_token == 12 * 32 * 4096 * 2048
    assert off.raw("flops_per_accelerator") / tokens_per_gpu == pytest.approx(3 * MPT.inference_flop, rel=1e-12)
    per_token = on.raw("flops_per_accelerator") / tokens_per_gpu
    assert per_token == pytest.approx(3 * MPT.inference_flop + attn_per_token, rel=1e-12)
    assert 10643 * per_token / 989e12 == pytest.approx(0.4644, abs=0.001)
    assert on.attention_flops is True and off.attention_flops is False
    assert "Attention FLOPs" in on.explain() and "Attention FLOPs" not in off.explain()


def test_in_network_dp_allreduce_on_one_node_is_m_over_beta():
    """NVLS on one DGX H100: each GPU sends M once and receives the sum once, M / beta + 2 alpha
    (vs the ring's 2 (N-1)/N M / beta), plus NCCL's fixed cost T_0 of the call; 'auto' takes it."""
    r = D.solve(L8, DGX, batch_size=8, in_network_reduction=True)
    node = DGX.node
    m = L8.parameters_count * 2
    assert r.dp_algorithm == "in-network"
    assert r.raw("dp_communication_latency_raw") == pytest.approx(
        calc_in_network_allreduce_time.raw(m, node.intra_node_bandwidth_bytes_s, node.intra_node_latency_s)
        + constants().serving_collective_base_latency)
    ring = D.solve(L8, DGX, batch_size=8, in_network_reduction=False)
    assert ring.raw("dp_communication_latency_raw") / r.raw("dp_communication_latency_raw") == pytest.approx(
        2 * 7 / 8, rel=1e-3)


def test_multirail_and_hierarchical_bound():
    """Research_256: 32 DGX H100 (8 NICs each, one per GPU). nic_rails="node" is the zoo's 8 rails:
    the same as one NIC per GPU; 1 rail leaves each GPU 1/8 of a NIC. The hierarchical bound is
    max(intra, inter) of the pipelined phases (calc_hierarchical_allreduce_bound)."""
    kw = dict(batch_size=1024, tp_size=8, pp_size=4, microbatch_count=16, dp_algorithm="hierarchical")
    base = D.solve(L70, R256, **kw)
    assert D.solve(L70, R256, nic_rails="node", **kw) == base
    one = D.solve(L70, R256, nic_rails=1, **kw)
    assert one.raw("fabric_bandwidth_per_accelerator") == pytest.approx(base.raw("fabric_bandwidth_per_accelerator") / 8)
    assert one.raw("dp_communication_latency_raw") > base.raw("dp_communication_latency_raw")
    # TP 8 fills the node: DP peers are one per node, so hierarchical falls back to the ring
    assert D.solve(L70, R256, hierarchical_bound=True, **kw).raw("dp_communication_latency_raw") == \
        base.raw("dp_communication_latency_raw")
    kw2 = dict(batch_size=1024, tp_size=1, pp_size=4, microbatch_count=4, dp_algorithm="hierarchical")
    seq = D.solve(L8, R256, **kw2)
    bound = D.solve(L8, R256, hierarchical_bound=True, **kw2)
    m = L8.parameters_count / 4 * 2
    node, fab = R256.node, R256.fabric
    assert seq.raw("dp_communication_latency_raw") == pytest.approx(calc_hierarchical_allreduce_time.raw(
        m, 8, 8, node.intra_node_bandwidth_bytes_s, fab.effective_bandwidth_bytes_s,
        node.intra_node_latency_s, fab.nccl_latency_s) + constants().serving_collective_base_latency)
    assert bound.raw("dp_communication_latency_raw") == pytest.approx(calc_hierarchical_allreduce_bound.raw(
        m, 8, 8, node.intra_node_bandwidth_bytes_s, fab.effective_bandwidth_bytes_s))
    assert bound.raw("dp_communication_latency_raw") < seq.raw("dp_communication_latency_raw")


def test_explicit_defaults_leave_the_4d_result_unchanged():
    kw = dict(batch_size=1024, tp_size=8, pp_size=4, microbatch_count=16)
    plain = D.solve(L70, R256, **kw)
    explicit = D.solve(L70, R256, cp_size=1, attention_flops=False, in_network_reduction=None,
                       nic_rails=None, hierarchical_bound=False, placement=None, **kw)
    assert plain == explicit and "cp" not in plain.parallelism
    assert plain.raw("cp_communication_latency") == 0.0 and plain.explain() == explicit.explain()


def test_optimizer_searches_cp_and_best_result_keeps_it():
    """A 128K sequence on 16 GPUs with batch 1: only context parallelism gives DP = 1."""
    opt = ParallelismOptimizer()
    r = opt.solve(L8, DGX2, batch_size=1, seq_len=131072, cp_sizes=None, zero_stage=(0, 3),
                  activation_recomputation=(False, True))
    c = r.best_config
    assert "cp" in c and c["tp"] * c["pp"] * c["cp"] == 16
    best = opt.best_result(L8, DGX2, batch_size=1, seq_len=131072, cp_sizes=None, zero_stage=(0, 3),
                           activation_recomputation=(False, True))
    assert best.raw("step_latency_total") == pytest.approx(r.raw("best_step_time"))
    assert best.parallelism.get("cp", 1) == c["cp"]
    # the default search is the 4D one: no "cp" key, same best as before CP existed
    plain = opt.solve(L70, T1K, batch_size=1024)
    assert "cp" not in plain.best_config


def test_optimizer_without_cp_cannot_place_one_sequence_on_16_gpus():
    with pytest.raises(SpecError, match="batch_size"):
        ParallelismOptimizer().solve(L8, DGX2, batch_size=1, seq_len=131072, max_pp=1)


# --- properties --------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(model=st.sampled_from([L8, L70]), tp=st.sampled_from([1, 2, 4, 8]), k=st.integers(0, 4),
       log_seq=st.integers(11, 17), extra=st.integers(1, 4), recompute=st.booleans())
def test_more_cp_never_more_activation_memory_per_rank(model, tp, k, log_seq, extra, recompute):
    """Doubling CP on a fixed fleet and batch never raises the activations a rank keeps."""
    cp = 2 ** k
    n = T1K.total_accelerators
    batch = extra * n // (tp * cp)              # >= DP for both cp and 2 cp
    kw = dict(batch_size=batch, tp_size=tp, seq_len=2 ** log_seq, activation_recomputation=recompute)
    a = D.solve(model, T1K, cp_size=cp, **kw)
    b = D.solve(model, T1K, cp_size=2 * cp, **kw)
    assert b.raw("activations_per_accelerator") <= a.raw("activations_per_accelerator") * (1 + 1e-12)
    assert b.raw("cp_exchange_bytes") >= 0 and math.isfinite(b.raw("step_latency_total"))


@settings(max_examples=40, deadline=None)
@given(model=st.sampled_from([L8, L70]), tp=st.sampled_from([1, 2, 4, 8]), cp=st.sampled_from([1, 2, 4, 8]),
       algo=st.sampled_from(["auto", "ring", "tree", "hierarchical"]), rails=st.sampled_from([1, 2, 4, 8]))
def test_options_that_add_hardware_never_slow_the_step(model, tp, cp, algo, rails):
    """In-network reduction, the pipelined hierarchical bound and more NIC rails never make a step
    slower; counting attention FLOPs never lowers the FLOPs or shortens the step."""
    kw = dict(batch_size=256, tp_size=tp, cp_size=cp, seq_len=4096, dp_algorithm=algo)
    base = D.solve(model, R256, **kw)
    t = base.raw("step_latency_total")
    assert D.solve(model, R256, in_network_reduction=True, **kw).raw("step_latency_total") <= t * (1 + 1e-12)
    assert D.solve(model, R256, hierarchical_bound=True, **kw).raw("step_latency_total") <= t * (1 + 1e-12)
    fewer = D.solve(model, R256, nic_rails=rails, **kw).raw("step_latency_total")
    more = D.solve(model, R256, nic_rails=min(8, 2 * rails), **kw).raw("step_latency_total")
    assert more <= fewer * (1 + 1e-12) and t <= fewer * (1 + 1e-12)
    attn = D.solve(model, R256, attention_flops=True, **kw)
    assert attn.raw("flops_per_accelerator") > base.raw("flops_per_accelerator")
    assert attn.raw("step_latency_total") >= t


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, -2, 2.5, True, "2", None])
def test_cp_size_must_be_a_positive_integer(value):
    with pytest.raises(SpecError, match=r"cp_size="):
        D.solve(L70, R256, batch_size=1024, cp_size=value)


def test_cp_size_must_divide_the_fleet_and_the_sequence():
    with pytest.raises(SpecError, match=r"cp_size=3 .*a divisor of 256 / \(tp_size x pp_size x ep_size\) = 32"):
        D.solve(L70, R256, batch_size=1024, tp_size=8, cp_size=3)
    with pytest.raises(SpecError, match=r"cp_size=16 .*a divisor of seq_len = 1000"):
        D.solve(L70, R256, batch_size=1024, cp_size=16, seq_len=1000)


def test_cp_size_needs_a_transformer():
    with pytest.raises(SpecError, match=r"cp_size=2 .*1 for ResNet"):
        D.solve(Models.ResNet50, DGX, batch_size=8, cp_size=2)


@pytest.mark.parametrize("name", ["attention_flops", "in_network_reduction", "hierarchical_bound"])
@pytest.mark.parametrize("value", ["yes", 1, None])
def test_flags_must_be_bools(name, value):
    if name == "in_network_reduction" and value is None:
        return                          # None: from the zoo (tests/test_distributed_training_depth.py)
    with pytest.raises(SpecError, match=rf"{name}=.*True or False"):
        D.solve(L70, R256, batch_size=1024, **{name: value})


@pytest.mark.parametrize("value", ["all", 0, -1, 1.5, True])
def test_nic_rails_names_what_is_allowed(value):
    with pytest.raises(SpecError, match=r'nic_rails=.*None, "node"'):
        D.solve(L70, R256, batch_size=1024, nic_rails=value)


@pytest.mark.parametrize("value", ["4", [0], [2, "x"], 3])
def test_optimizer_cp_sizes_must_be_a_list_of_positive_integers(value):
    with pytest.raises(SpecError, match=r"cp_sizes"):
        ParallelismOptimizer().solve(L70, R256, batch_size=1024, cp_sizes=value)


@pytest.mark.parametrize("name,value", [("attention_flops", "no"), ("in_network_reduction", 0),
                                        ("hierarchical_bound", None), ("nic_rails", "rail")])
def test_optimizer_checks_the_new_options(name, value):
    with pytest.raises(SpecError, match=name):
        ParallelismOptimizer().solve(L70, R256, batch_size=1024, **{name: value})
