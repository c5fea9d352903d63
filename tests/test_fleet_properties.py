"""Property tests of the fleet-scale solvers (hypothesis): invariants that hold for every input."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlsysim_core import (DistributedModel, EconomicsModel, Models, ReliabilityModel, SustainabilityModel,
                          Systems)
from mlsysim_core.formulas import calc_pipeline_bubble
from mlsysim_core.solvers.optimizer import ParallelismOptimizer
from mlsysim_core.specs import GridProfile

FLEETS = ["H100_8", "H100_64", "Research_256", "H100_256"]
MODELS = ["Llama3_8B", "Llama3_70B", "GPT3"]


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def plans(draw):
    """A valid (model, fleet, batch, plan) for the DistributedModel."""
    fleet = Systems.Clusters.get(draw(st.sampled_from(FLEETS)))
    model = Models.get(draw(st.sampled_from(MODELS)))
    n, apn = fleet.total_accelerators, fleet.node.accelerators_per_node
    tp = draw(st.sampled_from(_divisors(apn)))
    pp = draw(st.sampled_from([p for p in _divisors(n // tp) if p <= model.layers]))
    dp = n // (tp * pp)
    batch = dp * draw(st.integers(1, 64))
    local = batch // dp
    m = draw(st.sampled_from(_divisors(local)))
    v = draw(st.sampled_from([v for v in (1, 2, 4) if pp * v <= model.layers]))
    kw = dict(tp_size=tp, pp_size=pp, microbatch_count=m, v_stages=v,
              zero_stage=draw(st.integers(0, 3)), activation_recomputation=draw(st.booleans()),
              overlap_comm=draw(st.booleans()), dp_algorithm=draw(st.sampled_from(["auto", "ring", "tree", "hierarchical"])),
              efficiency=draw(st.floats(0.05, 1.0)), seq_len=draw(st.sampled_from([512, 2048, 8192])))
    return model, fleet, batch, kw


@settings(max_examples=150, deadline=None)
@given(plans())
def test_scaling_efficiency_in_0_1_and_step_is_sum_of_parts(p):
    model, fleet, batch, kw = p
    r = DistributedModel().solve(model, fleet, batch, **kw)
    assert 0.0 < r.scaling_efficiency <= 1.0
    assert 0.0 < r.mfu <= kw["efficiency"] + 1e-12          # end-to-end MFU never beats the kernels'
    assert 0.0 <= r.bubble_fraction < 1.0
    assert sum(r.breakdown("s").values()) == pytest.approx(r.raw("step_latency_total"))
    assert all(v >= 0 for v in r.breakdown().values())
    assert r.feasible == (r.raw("memory_per_accelerator") <= r.raw("memory_capacity"))


@given(st.integers(2, 64), st.integers(1, 256), st.integers(1, 8))
def test_bubble_falls_as_microbatches_or_virtual_stages_grow(p, m, v):
    b = calc_pipeline_bubble.raw(p, m, v)
    assert calc_pipeline_bubble.raw(p, m + 1, v) < b
    assert calc_pipeline_bubble.raw(p, m, v + 1) < b
    assert calc_pipeline_bubble.raw(p + 1, m, v) > b


@settings(max_examples=60, deadline=None)
@given(plans(), st.sampled_from([2, 4, 8]))
def test_more_microbatches_never_raise_the_bubble_in_the_solver(p, k):
    model, fleet, batch, kw = p
    assume(kw["pp_size"] > 1)
    r1 = DistributedModel().solve(model, fleet, batch * k, **kw)
    kw2 = dict(kw, microbatch_count=kw["microbatch_count"] * k)
    r2 = DistributedModel().solve(model, fleet, batch * k, **kw2)
    assert r2.bubble_fraction < r1.bubble_fraction


@settings(max_examples=100, deadline=None)
@given(plans(), st.floats(1.0, 100.0))
def test_more_fabric_bandwidth_never_lowers_scaling_efficiency(p, k):
    model, fleet, batch, kw = p
    faster = dataclasses.replace(fleet, fabric=dataclasses.replace(fleet.fabric, bandwidth_bytes_s=fleet.fabric.bandwidth_bytes_s * k))
    slow = DistributedModel().solve(model, fleet, batch, **kw)
    fast = DistributedModel().solve(model, faster, batch, **kw)
    assert fast.scaling_efficiency >= slow.scaling_efficiency - 1e-12
    assert fast.raw("step_latency_total") <= slow.raw("step_latency_total") * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(plans())
def test_zero_stages_never_add_memory_and_recomputation_shrinks_activations(p):
    model, fleet, batch, kw = p
    mems = [DistributedModel().solve(model, fleet, batch, **dict(kw, zero_stage=z)).raw("memory_per_accelerator")
            for z in range(4)]
    assert all(a >= b - 1e-6 for a, b in zip(mems, mems[1:]))
    keep = DistributedModel().solve(model, fleet, batch, **dict(kw, activation_recomputation=False))
    redo = DistributedModel().solve(model, fleet, batch, **dict(kw, activation_recomputation=True))
    assert redo.raw("activations_per_accelerator") <= keep.raw("activations_per_accelerator")
    assert redo.raw("compute_latency") >= keep.raw("compute_latency")


@given(st.integers(1, 20000), st.floats(100.0, 1e6))
def test_fleet_mtbf_is_component_mtbf_over_n(nodes, mtbf):
    fleet = dataclasses.replace(Systems.Clusters.H100_8, count=nodes)
    r = ReliabilityModel().solve(fleet, 24.0, component_mtbf_hours=mtbf)
    assert r.fleet_mtbf.to("hour").magnitude * nodes * 8 == pytest.approx(mtbf)
    twice = ReliabilityModel().solve(dataclasses.replace(fleet, count=2 * nodes), 24.0, component_mtbf_hours=mtbf)
    assert twice.raw("fleet_mtbf") == pytest.approx(r.raw("fleet_mtbf") / 2)
    assert 0.0 <= r.failure_probability <= 1.0 and 0.0 <= r.goodput_ratio <= 1.0


@given(st.floats(10.0, 1e5), st.floats(10.0, 1e5), st.floats(1.0, 720.0))
def test_young_daly_interval_minimises_waste(delta, mtbf_h, job_h):
    r = ReliabilityModel().solve(Systems.Clusters.H100_8, job_h, checkpoint_time_s=delta, component_mtbf_hours=mtbf_h)
    tau = r.raw("optimal_checkpoint_interval")
    for f in (0.5, 0.9, 1.1, 2.0):
        other = ReliabilityModel().solve(Systems.Clusters.H100_8, job_h, checkpoint_time_s=delta,
                                         component_mtbf_hours=mtbf_h, checkpoint_interval_s=tau * f)
        assert other.raw("checkpoint_waste_fraction") >= r.raw("checkpoint_waste_fraction") - 1e-12


@given(st.floats(0.0, 2000.0), st.floats(1.0, 2.0), st.floats(0.1, 400.0))
def test_carbon_is_proportional_to_grid_intensity(ci, pue, days):
    grid = GridProfile("test grid", "test", ci, pue, 1.0)
    ref = GridProfile("ref grid", "ref", 100.0, pue, 1.0)
    a = SustainabilityModel().solve(Systems.Clusters.H100_64, days, datacenter=grid)
    b = SustainabilityModel().solve(Systems.Clusters.H100_64, days, datacenter=ref)
    assert a.raw("carbon_footprint_kg") == pytest.approx(b.raw("carbon_footprint_kg") * ci / 100.0)
    assert a.total_energy_kwh == pytest.approx(a.it_energy_kwh * pue)


@given(st.floats(0.0, 1.0), st.floats(1.0, 3650.0))
def test_energy_grows_with_utilisation_and_tco_with_time(mfu, days):
    lo = SustainabilityModel().solve(Systems.Clusters.H100_8, days, mfu=mfu)
    hi = SustainabilityModel().solve(Systems.Clusters.H100_8, days, mfu=min(1.0, mfu + 0.1))
    assert hi.it_energy_kwh >= lo.it_energy_kwh
    e1 = EconomicsModel().solve(Systems.Clusters.H100_8, days)
    e2 = EconomicsModel().solve(Systems.Clusters.H100_8, days * 2)
    assert e2.tco_usd == pytest.approx(2 * e1.tco_usd)
    assert e1.tco_usd == pytest.approx(e1.capex_usd + e1.opex_energy_usd + e1.opex_maintenance_usd)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["H100_64", "H100_256"]), st.sampled_from([256, 512, 1024]))
def test_optimizer_best_is_no_slower_than_any_plan_it_lists(fleet_key, batch):
    fleet = Systems.Clusters.get(fleet_key)
    r = ParallelismOptimizer().solve(Models.Llama3_70B, fleet, batch, top_k=10)
    if r.feasible:
        steps = [c["step_time_ms"] for c in r.top_candidates]
        assert steps == sorted(steps)
        assert r.best_step_time.to("ms").magnitude == pytest.approx(steps[0])
        assert all(c["memory_gb"] * 1e9 <= fleet.accelerator.memory.capacity_bytes for c in r.top_candidates)


@settings(max_examples=60, deadline=None)
@given(plans())
def test_auto_dp_algorithm_is_the_fastest_of_ring_tree_and_hierarchical(p):
    model, fleet, batch, kw = p
    t = {a: DistributedModel().solve(model, fleet, batch, **dict(kw, dp_algorithm=a)).raw("dp_communication_latency_raw")
         for a in ("auto", "ring", "tree", "hierarchical")}
    assert t["auto"] == min(t.values())


def test_hierarchical_beats_a_flat_ring_across_nodes_when_peers_share_a_node():
    """64 DP ranks on 8 DGX nodes: reduce-scatter on NVLink, 1/8 of the bytes on the fabric.
    (In-network reduction off: DGX H100 has NVLS and NDR SHARP, which 'auto' takes by default.)"""
    r = {a: DistributedModel().solve(Models.Llama3_8B, Systems.Clusters.H100_64, 64, dp_algorithm=a,
                                     in_network_reduction=False)
         for a in ("ring", "hierarchical", "auto")}
    assert r["hierarchical"].raw("dp_communication_latency") < r["ring"].raw("dp_communication_latency")
    assert r["auto"].dp_algorithm == "hierarchical"
    assert DistributedModel().solve(Models.Llama3_8B, Systems.Clusters.H100_64, 64).dp_algorithm == "in-network"


def test_expert_parallelism_shards_memory_and_pays_all_to_all_equations_page_2_5():
    """EP splits the experts (memory falls with EP) and pays an all-to-all per MoE layer, which
    jumps when the EP group leaves the node (NVLink -> fabric)."""
    moe, fleet = Models.Mixtral_8x7B, Systems.Clusters.H100_64
    r = {ep: DistributedModel().solve(moe, fleet, batch_size=256, tp_size=2, ep_size=ep, zero_stage=1)
         for ep in (1, 2, 4, 8)}
    mem = [r[ep].raw("memory_per_accelerator") for ep in (1, 2, 4, 8)]
    assert mem == sorted(mem, reverse=True)
    assert r[1].raw("ep_communication_latency") == 0.0
    assert 0 < r[2].raw("ep_communication_latency") < r[4].raw("ep_communication_latency")
    assert r[8].raw("ep_communication_latency") > 5 * r[4].raw("ep_communication_latency")   # 2 x 8 > 8 per node
