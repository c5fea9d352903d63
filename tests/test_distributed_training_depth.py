"""Training depth, part 2 (issue 11): NCCL small-message latency per fabric, NVLS / SHARP capability
flags in the zoo, and placement on an oversubscribed fabric; golden, properties, errors."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlsysim_core import DistributedModel, Models, SpecError, Systems, TopologyModel
from mlsysim_core.errors import ZooError
from mlsysim_core.solvers._distributed_comm import dp_allreduce, tp_allreduce
from mlsysim_core.solvers.distributed import Context
from mlsysim_core.solvers.optimizer import ParallelismOptimizer
from mlsysim_core.zoo import constants
from mlsysim_core.zoo.loader import parse

D = DistributedModel()
L8, L70 = Models.Llama3_8B, Models.Llama3_70B
DGX, H64, T1K = Systems.Clusters.H100_8, Systems.Clusters.H100_64, Systems.Clusters.Training_1K
T0 = constants().serving_collective_base_latency      # NCCL's fixed cost of one call, 6.6 us
NV_LAT = DGX.node.intra_node_latency_s                  # 0.5 us per NVLink step
NDR = Systems.Fabrics.InfiniBand_NDR


def ctx_for(fleet, placement=None):
    return Context(L8, fleet, 64, "bf16", 2.0, 0.5, 2048, placement=placement)


def with_fabric(fleet, **changes):
    return dataclasses.replace(fleet, fabric=dataclasses.replace(fleet.fabric, **changes))


# --- 1. NCCL small-message latency ----------------------------------------------------------

def test_ring_allreduce_of_a_tiny_message_on_8_nvlink_ranks_is_t0_plus_14_alpha():
    """Ring: 2(N-1) = 14 steps on 8 ranks; the bytes term of 8 B is ~1e-11 s."""
    t = tp_allreduce(ctx_for(DGX), 8.0, 8, nvls=False)
    assert t == pytest.approx(T0 + 14 * NV_LAT, rel=1e-5)
    assert t == pytest.approx(13.6e-6, rel=1e-4)          # 6.6 + 14 x 0.5 us


def test_ring_allreduce_of_a_tiny_message_across_8_nodes_uses_the_fabrics_nccl_latency():
    """8 DGX H100 on NDR, one DP rank per node (TP 8): every step crosses the network,
    T_0 + 14 x 6.5 us = 97.6 us (fabrics.toml nccl_latency, not the reference's 5 us alpha)."""
    ctx = ctx_for(H64)
    t, algo = dp_allreduce(ctx, 8.0, 8, 8, "ring")
    assert algo == "ring" and NDR.nccl_latency_s == pytest.approx(6.5e-6)
    assert t == pytest.approx(T0 + 14 * NDR.nccl_latency_s, rel=1e-5)
    assert t == pytest.approx(97.6e-6, rel=1e-4)


def test_a_ring_over_two_nodes_splits_its_steps_as_nccl_does():
    """16 ranks on 2 nodes: of 2(N-1) = 30 steps, 2(nodes-1) = 2 cross the network (NCCL tuning
    model): T_0 + 28 x 0.5 us + 2 x 6.5 us = 33.6 us."""
    two = dataclasses.replace(DGX, count=2)
    t, _ = dp_allreduce(ctx_for(two), 8.0, 16, 1, "ring")
    assert t == pytest.approx(T0 + 28 * NV_LAT + 2 * NDR.nccl_latency_s, rel=1e-5)
    assert t == pytest.approx(33.6e-6, rel=1e-4)


def test_tp_step_time_is_the_ring_with_the_calls_fixed_cost():
    """DistributedModel's TP share: n_ar x layers x M x (T_0 + 2(N-1)/N b/beta + 2(N-1) alpha)."""
    r = D.solve(L70, H64, batch_size=64, tp_size=8, pp_size=4, microbatch_count=8, in_network_reduction=False)
    boundary = r.raw("microbatch_size") * 2048 * L70.hidden_dim * 2.0
    per_call = T0 + 2 * 7 / 8 * boundary / DGX.node.intra_node_bandwidth_bytes_s + 14 * NV_LAT
    n_calls = constants().tp_allreduces_per_layer * (L70.layers // 4) * 8
    assert r.raw("tp_communication_latency") == pytest.approx(n_calls * per_call, rel=1e-12)


def test_every_zoo_fabric_has_a_sourced_nccl_latency():
    for fab in Systems.Fabrics:
        assert fab.nccl_latency_s is not None and 1e-6 <= fab.nccl_latency_s <= 1e-4, fab.key
        src = fab.sources["nccl_latency"]
        assert "ESTIMATE" in src or "nccl-tests" in src, fab.key
    assert Systems.Fabrics.InfiniBand_HDR.nccl_latency_s == pytest.approx(6.5e-6)    # measured (issue #150)
    assert "ESTIMATE" in Systems.Fabrics.Ethernet_100G.sources["nccl_latency"]


def test_a_fabric_without_nccl_latency_falls_back_to_its_alpha():
    fab = dataclasses.replace(NDR, nccl_latency_s=None)
    assert fab.collective_latency_s == fab.latency_s


# --- 2. NVLS / SHARP from the zoo -----------------------------------------------------------

def test_zoo_capability_flags_and_their_sources():
    nodes, fabs = Systems.Nodes, Systems.Fabrics
    for key in ("DGX_H100", "HGX_H200", "DGX_B200", "GB200_NVL72"):
        n = nodes.get(key)
        assert n.nvls is True and "nvls" in n.sources, key
    assert nodes.get("DGX_A100").nvls is False
    assert nodes.get("GB200_NVL72").accelerators_per_node == 72
    for key in ("InfiniBand_NDR", "InfiniBand_XDR"):
        f = fabs.get(key)
        assert f.sharp is True and "SHARP" in f.sources["sharp"], key
    for key in ("InfiniBand_HDR", "RoCE_400G", "Ethernet_100G"):
        assert fabs.get(key).sharp is False, key


def test_in_network_reduction_halves_the_bytes_of_a_ring_all_reduce():
    """Bandwidth terms only: the ring moves 2(N-1)/N x M (1.75 M on 8 ranks), NVLS moves M once up
    and once down; on 72 NVL72 ranks the ratio is 2 x 71/72, close to 2."""
    for fleet, n in ((DGX, 8), (dataclasses.replace(DGX, node=Systems.Nodes.GB200_NVL72), 72)):
        ctx, m = ctx_for(fleet), 1e9
        ring = tp_allreduce(ctx, m, n, nvls=False) - T0 - 2 * (n - 1) * ctx.nv_lat
        inn = tp_allreduce(ctx, m, n, nvls=True) - T0 - 2 * ctx.nv_lat
        assert ring / inn == pytest.approx(2 * (n - 1) / n, rel=1e-9)
    assert 2 * 71 / 72 == pytest.approx(2.0, rel=0.015)


def test_distributed_model_uses_nvls_and_sharp_by_default_where_the_zoo_has_them():
    on = D.solve(L8, DGX, batch_size=8)
    assert on.dp_algorithm == "in-network" and on.raw("nvls") and on.raw("in_network_reduction")
    off = D.solve(L8, DGX, batch_size=8, in_network_reduction=False)
    assert off.dp_algorithm == "ring" and not off.raw("nvls")
    assert on.raw("dp_communication_latency_raw") < off.raw("dp_communication_latency_raw")
    a100 = dataclasses.replace(DGX, node=Systems.Nodes.DGX_A100)
    assert D.solve(L8, a100, batch_size=8).dp_algorithm == "ring"                 # NVSwitch gen 2
    assert D.solve(L8, a100, batch_size=8, in_network_reduction=True).dp_algorithm == "in-network"
    # across nodes: NDR has SHARP, HDR does not (in the zoo)
    assert D.solve(L8, H64, batch_size=64).raw("sharp") is True
    hdr = dataclasses.replace(H64, fabric=Systems.Fabrics.InfiniBand_HDR)
    r = D.solve(L8, hdr, batch_size=64)
    assert r.raw("sharp") is False and r.raw("nvls") is True


def test_loader_refuses_a_flag_without_its_source():
    head = '[sources]\nx = "a source"\n\n[N]\nname = "n"\naccelerator = "H100"\n' \
           'accelerators_per_node = [8, "count", "x"]\nintra_node_bandwidth = [450, "GB/s", "x"]\n' \
           'intra_node_latency = [0.5, "us", "x"]\n'
    assert parse("nodes", head + 'nvls = [true, "x"]\n', "t.toml")["N"]["nvls"] is True
    for bad in ('nvls = true\n', 'nvls = [1, "x"]\n', 'nvls = [true, "nope"]\n', 'nvls = [true, "bool", "x"]\n'):
        with pytest.raises(ZooError, match=r"t.toml: \[N\].nvls"):
            parse("nodes", head + bad, "t.toml")


# --- 3. placement ---------------------------------------------------------------------------

def test_scattered_placement_on_a_2_to_1_fat_tree_halves_cross_rack_bandwidth():
    """1,024 H100 (Training_1K, HDR 200 Gb/s ports) on a 2:1 fat tree of radix-64 leaves (32 GPUs):
    scattered, a ring's traffic leaves its leaf (1024 - 32)/1023 of the time: b / (2 x 0.970)
    ~ b/2; packed, 8 rings per 32-GPU leaf leave it g/D = 1/4 of the time, s f = 0.5 <= 1: b.
    None keeps the old b/s for every byte. Same numbers as TopologyModel.effective_bandwidth."""
    fleet = with_fabric(T1K, oversubscription=2.0)
    b = fleet.fabric.bandwidth_bytes_s
    kw = dict(batch_size=1024, tp_size=8, pp_size=4, microbatch_count=8)
    got = {p: D.solve(L70, fleet, placement=p, **kw).raw("fabric_bandwidth_per_accelerator")
           for p in (None, "packed", "scattered")}
    f = (1024 - 1024 / 32) / 1023
    assert got["scattered"] == pytest.approx(b / (2 * f), rel=1e-12)
    assert got["scattered"] == pytest.approx(b / 2, rel=0.04)
    assert got["packed"] == pytest.approx(b, rel=1e-12)
    assert got[None] == pytest.approx(b / 2, rel=1e-12)
    for p in ("packed", "scattered"):
        assert got[p] == pytest.approx(TopologyModel().solve(fleet, placement=p).raw("effective_bandwidth"))
    slow = D.solve(L70, fleet, placement="scattered", **kw).raw("dp_communication_latency")
    fast = D.solve(L70, fleet, placement="packed", **kw).raw("dp_communication_latency")
    assert slow > fast


def test_placement_changes_nothing_on_a_non_blocking_fabric():
    kw = dict(batch_size=1024, tp_size=8, pp_size=4, microbatch_count=8)
    steps = {D.solve(L70, T1K, placement=p, **kw).raw("step_latency_total") for p in (None, "packed", "scattered")}
    assert len(steps) == 1


def test_optimizer_passes_placement_through():
    fleet = with_fabric(T1K, oversubscription=4.0)
    opt = ParallelismOptimizer()
    a = opt.solve(L70, fleet, batch_size=1024, placement="packed").raw("best_step_time")
    b = opt.solve(L70, fleet, batch_size=1024, placement="scattered").raw("best_step_time")
    assert a < b


# --- properties ------------------------------------------------------------------------------

PLANS = st.tuples(st.sampled_from([1, 2, 4, 8]), st.sampled_from([1, 2, 4]), st.sampled_from([1, 2, 4, 8]),
                  st.sampled_from(["auto", "ring", "tree", "hierarchical"]))


@settings(max_examples=40, deadline=None)
@given(PLANS, st.sampled_from([None, "packed", "scattered"]), st.floats(1.0, 4.0), st.floats(1.0, 4.0))
def test_more_oversubscription_is_never_faster(p, placement, s1, s2):
    tp, pp, m, algo = p
    lo, hi = sorted((s1, s2))
    kw = dict(batch_size=256, tp_size=tp, pp_size=pp, microbatch_count=m, dp_algorithm=algo, placement=placement)
    try:
        t_lo = D.solve(L8, with_fabric(H64, oversubscription=lo), **kw).raw("step_latency_total")
    except SpecError:
        assume(False)
    t_hi = D.solve(L8, with_fabric(H64, oversubscription=hi), **kw).raw("step_latency_total")
    assert t_hi >= t_lo * (1 - 1e-12)


@settings(max_examples=40, deadline=None)
@given(PLANS, st.sampled_from([DGX, H64, Systems.Clusters.Research_256]))
def test_in_network_reduction_is_never_slower(p, fleet):
    tp, pp, m, algo = p
    kw = dict(batch_size=256, tp_size=tp, pp_size=pp, microbatch_count=m, dp_algorithm=algo)
    try:
        off = D.solve(L8, fleet, in_network_reduction=False, **kw).raw("step_latency_total")
    except SpecError:
        assume(False)
    for v in (None, True):
        assert D.solve(L8, fleet, in_network_reduction=v, **kw).raw("step_latency_total") <= off * (1 + 1e-12)


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["yes", 1, 0, "auto"])
def test_in_network_reduction_names_what_is_allowed(value):
    with pytest.raises(SpecError, match=r"in_network_reduction=.*None \(from the zoo.*\), True or False"):
        D.solve(L8, DGX, batch_size=8, in_network_reduction=value)
    with pytest.raises(SpecError, match=r"in_network_reduction="):
        ParallelismOptimizer().solve(L8, DGX, batch_size=8, in_network_reduction=value)


@pytest.mark.parametrize("value", ["random", "Packed", 1, True])
def test_placement_names_what_is_allowed(value):
    with pytest.raises(SpecError, match=r"placement=.*one of None, packed, scattered"):
        D.solve(L8, DGX, batch_size=8, placement=value)
    with pytest.raises(SpecError, match=r"placement="):
        ParallelismOptimizer().solve(L8, DGX, batch_size=8, placement=value)
