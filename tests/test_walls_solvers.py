"""Wall solvers (3, 8, 9, 10, 16, 19, 20): golden worked examples from their sources, properties,
and one error test per argument."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from mlsysim_core import Models, Q_, Systems, SpecError, constants

C = constants()


# ---------------------------------------------------------------- Wall 19: CheckpointModel
from mlsysim_core import CheckpointModel  # noqa: E402

CK = CheckpointModel()
L70, H256 = Models.Llama3_70B, Systems.Clusters.H100_256


def test_golden_70b_adam_checkpoint_written_at_100_gbs():
    """ZeRO section 3.1: bf16 weights (2 B) + fp32 master, momentum, variance (12 B) = 14 B/param;
    a 70B model is ~1 TB, written in ~10 s at 100 GB/s."""
    r = CK.solve(L70, H256, filesystem_bandwidth=Q_(100, "GB/s"))
    p = L70.parameters_count
    assert r.raw("checkpoint_size") == pytest.approx(14 * p)
    assert 0.98e12 < r.raw("checkpoint_size") < 1.0e12
    assert r.raw("write_time") == pytest.approx(14 * p / 100e9)
    assert r.bottleneck == "filesystem"
    assert r.raw("checkpoint_time") == r.raw("write_time")      # synchronous: the whole write stalls


def test_node_links_bound_when_few_writers():
    r = CK.solve(L70, H256, n_writers=2, node_bandwidth="50 GB/s")
    assert r.raw("write_bandwidth") == pytest.approx(100e9) and r.bottleneck == "node links"


def test_sgd_checkpoint_smaller_than_adam():
    a, s = CK.solve(L70, H256), CK.solve(L70, H256, optimizer="sgd")
    assert s.raw("checkpoint_size") == pytest.approx(L70.parameters_count * (2 + C.sgd_state_bytes_per_param))
    assert s.raw("checkpoint_size") < a.raw("checkpoint_size")


def test_async_stalls_only_for_the_snapshot_when_persist_fits():
    r = CK.solve(L70, H256, asynchronous=True, interval_s=3600)
    assert r.raw("checkpoint_time") == pytest.approx(r.raw("checkpoint_size") / 256 / C.data_pcie_bandwidth)
    slow = CK.solve(L70, H256, asynchronous=True, interval_s=5, filesystem_bandwidth="10 GB/s")
    # persist (99 s) longer than the interval: the next checkpoint waits for the rest
    assert slow.raw("checkpoint_time") == pytest.approx(slow.raw("snapshot_time") + slow.raw("write_time") - 5)


def test_young_daly_interval_is_optimal_for_sync():
    r = CK.solve(L70, H256, filesystem_bandwidth="200 GB/s")
    mtbf = C.gpu_mtbf * 3600 / 256
    assert r.raw("interval") == pytest.approx(math.sqrt(2 * r.raw("write_time") * mtbf))
    for t in (0.5 * r.raw("interval"), 2 * r.raw("interval")):
        assert CK.solve(L70, H256, filesystem_bandwidth="200 GB/s", interval_s=t).waste_fraction > r.waste_fraction


@settings(max_examples=40, deadline=None)
@given(st.floats(1e9, 1e13), st.floats(10, 1e5), st.booleans())
def test_more_bandwidth_never_costs_more_mfu(bw, interval, asyn):
    a = CK.solve(L70, H256, filesystem_bandwidth=bw, interval_s=interval, asynchronous=asyn)
    b = CK.solve(L70, H256, filesystem_bandwidth=bw * 2, interval_s=interval, asynchronous=asyn)
    assert 0.0 <= b.mfu_loss <= a.mfu_loss < 1.0
    assert b.raw("write_time") <= a.raw("write_time")


@pytest.mark.parametrize("kw,name", [
    ({"model": "x"}, "model"), ({"fleet": 3}, "fleet"), ({"optimizer": "lamb"}, "optimizer"),
    ({"precision": "fp7"}, "precision"), ({"interval_s": 0}, "interval_s"),
    ({"asynchronous": "yes"}, "asynchronous"), ({"filesystem_bandwidth": -1}, "filesystem_bandwidth"),
    ({"filesystem_bandwidth": "2 s"}, "filesystem_bandwidth"), ({"node_bandwidth": 0}, "node_bandwidth"),
    ({"snapshot_bandwidth": "fast"}, "snapshot_bandwidth"), ({"n_writers": 0}, "n_writers"),
    ({"mtbf_hours": -3}, "mtbf_hours")])
def test_checkpoint_errors_name_the_argument(kw, name):
    args = {"model": L70, "fleet": H256, **kw}
    with pytest.raises(SpecError, match=f"^{name}="):
        CK.solve(**args)


# ---------------------------------------------------------------- Wall 10: TopologyModel
from mlsysim_core import TopologyModel, calc_oversubscribed_bandwidth  # noqa: E402

TM = TopologyModel()
P2K = Systems.Clusters.Production_2K


def test_golden_2to1_oversubscription_halves_cross_rack_bandwidth():
    """Al-Fares et al. 2008, section 2.1: at s:1 the uplinks carry 1/s of the hosts' bandwidth."""
    assert calc_oversubscribed_bandwidth.raw(50e9, 2.0, 1.0) == pytest.approx(25e9)
    r = TM.solve(n_gpus=4096, link_bandwidth=50e9, oversubscription=2, pattern="all_to_all")
    f = r.cross_fraction
    assert f > 0.98 and r.raw("effective_bandwidth") == pytest.approx(50e9 / (2 * f))
    assert r.bisection_fraction == pytest.approx(0.5)


def test_golden_torus_and_ring_bisection_and_hops():
    """Dally & Towles (2004), section 3.3: an 8-ary 3-cube has 2 N/k = 128 bisection links per
    direction and n k / 4 = 6 average hops (over all pairs, self included); a ring of N has 2."""
    t = TM.solve(n_gpus=512, link_bandwidth=1.0, topology="torus", torus_dims=3)
    assert t.raw("bisection_bandwidth") == pytest.approx(128.0)
    assert t.avg_hops == pytest.approx(6.0 * 512 / 511)
    ring = TM.solve(n_gpus=64, link_bandwidth=1.0, topology="ring")
    assert ring.raw("bisection_bandwidth") == pytest.approx(2.0) and ring.avg_hops == pytest.approx(16 * 64 / 63)


def test_direct_network_all_to_all_is_bisection_bound_and_shows_the_limit():
    """A torus all-to-all runs at min(b, 4 B_bisect / N) (Dally & Towles 2004, section 3.3: half the
    traffic crosses the bisection); the work shows that limit, and collective_time is the all-to-all
    (N-1)/N M/b_eff + (N-1) alpha (equations page 2.5) while allreduce_time stays the ring formula."""
    from mlsysim_core import calc_all_to_all_time, calc_ring_allreduce_time
    r = TM.solve(n_gpus=4096, link_bandwidth=25e9, topology="torus", pattern="all_to_all", message_bytes=1e9)
    bis = r.raw("job_bisection_bandwidth")
    assert bis == pytest.approx(2 * 4096 / 16 * 25e9)               # 2N/k links, k = 16 for a 16-ary 3-cube
    assert r.raw("effective_bandwidth") == pytest.approx(min(25e9, 4 * bis / 4096))
    assert "min(25 GB/s, 4 × 12.8 TB/s / 4,096) = **12.5 GB/s**" in r.explain()
    lat, eff = r.raw("avg_latency"), r.raw("effective_bandwidth")
    assert r.raw("collective_time") == pytest.approx(calc_all_to_all_time.raw(1e9, 4096, eff, lat))
    assert r.raw("allreduce_time") == pytest.approx(calc_ring_allreduce_time.raw(1e9, 4096, eff, lat))
    assert "All-to-all" in r.explain() and r.raw("collective_time") < r.raw("allreduce_time")
    ring = TM.solve(P2K, oversubscription=2, placement="scattered", message_bytes=140e9)
    assert ring.raw("collective_time") == ring.raw("allreduce_time") and ring.job_bisection_bandwidth is None
    assert TM.solve(P2K).collective_time is None


def test_fat_tree_hops_inside_one_leaf_is_one_switch():
    assert TM.solve(n_gpus=16, link_bandwidth=1.0).avg_hops == pytest.approx(1.0)
    big = TM.solve(n_gpus=100_000, link_bandwidth=1.0)
    assert big.tiers == 3 and 4.9 < big.avg_hops < 5.0


def test_rail_optimised_keeps_more_traffic_under_one_leaf_than_fat_tree():
    kw = dict(oversubscription=2, placement="scattered", message_bytes=140e9)
    ft, rail = TM.solve(P2K, topology="fat_tree", **kw), TM.solve(P2K, topology="rail_optimized", **kw)
    assert rail.domain_size == ft.domain_size * 8
    assert rail.avg_hops < ft.avg_hops and rail.raw("allreduce_time") < ft.raw("allreduce_time")


def test_packed_rings_tolerate_oversubscription_scattered_do_not():
    packed = TM.solve(P2K, oversubscription=2, placement="packed", message_bytes=140e9)
    scattered = TM.solve(P2K, oversubscription=2, placement="scattered", message_bytes=140e9)
    assert packed.oversubscription_slowdown == pytest.approx(1.0)
    assert 1.9 < scattered.oversubscription_slowdown <= 2.0


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["fat_tree", "rail_optimized", "dragonfly", "torus", "ring"]),
       st.sampled_from(["ring", "all_to_all"]), st.sampled_from(["packed", "scattered"]),
       st.integers(2, 20_000), st.floats(1.0, 8.0), st.floats(0.0, 4.0))
def test_more_oversubscription_never_faster(topo, pattern, placement, n, s, ds):
    kw = dict(n_gpus=n, link_bandwidth=50e9, topology=topo, pattern=pattern, placement=placement,
              message_bytes=1e9, gpus_per_node=8)
    a, b = TM.solve(oversubscription=s, **kw), TM.solve(oversubscription=s + ds, **kw)
    assert b.raw("allreduce_time") >= a.raw("allreduce_time")
    assert 0.0 <= b.cross_fraction <= 1.0 and 0.0 < b.bandwidth_fraction <= 1.0


@pytest.mark.parametrize("kw,name", [
    ({"fleet": "x"}, "fleet"), ({"topology": "mesh"}, "topology"), ({"placement": "random"}, "placement"),
    ({"pattern": "tree"}, "pattern"), ({"n_gpus": 0}, "n_gpus"), ({"job_gpus": 10**6}, "job_gpus"),
    ({"oversubscription": 0.5}, "oversubscription"), ({"link_bandwidth": -1}, "link_bandwidth"),
    ({"link_bandwidth": "3 s"}, "link_bandwidth"), ({"gpus_per_node": 0}, "gpus_per_node"),
    ({"switch_radix": 2}, "switch_radix"), ({"torus_dims": 0}, "torus_dims"),
    ({"message_bytes": 0}, "message_bytes"), ({"latency": -1}, "latency")])
def test_topology_errors_name_the_argument(kw, name):
    args = {"fleet": P2K, **kw}
    with pytest.raises(SpecError, match=f"^{name}="):
        TM.solve(**args)


def test_topology_needs_a_fleet_or_sizes():
    with pytest.raises(SpecError, match="^n_gpus="):
        TM.solve()
    with pytest.raises(SpecError, match="^link_bandwidth="):
        TM.solve(n_gpus=8)


# ---------------------------------------------------------------- Wall 16: OrchestrationModel
from mlsysim_core import OrchestrationModel, calc_kingman_wait, calc_mmc_mean_wait  # noqa: E402

OM = OrchestrationModel()
F8K = Systems.Clusters.Frontier_8192


def test_golden_kingman_wait_at_utilisation_0_9():
    """Kingman (1961): W = rho/(1-rho) (ca^2+cs^2)/2 E[S]; M/M/1 at rho = 0.9 waits 9 E[S];
    deterministic service (cs = 0) halves it."""
    assert calc_kingman_wait.raw(0.9, 3600.0) == pytest.approx(9 * 3600.0)
    assert calc_kingman_wait.raw(0.9, 3600.0, 1.0, 0.0) == pytest.approx(4.5 * 3600.0)
    one = OM.solve(F8K, job_gpus=8192, job_hours=1, utilization=0.9)   # one gang at a time: M/M/1
    assert one.slots == 1 and one.raw("mean_wait") == pytest.approx(9 * 3600.0)


def test_allen_cunneen_reduces_to_erlang_c_for_poisson_exponential():
    r = OM.solve(F8K, job_gpus=512, job_hours=24, utilization=0.85)
    assert r.slots == 16
    lam = 0.85 * 16 / (24 * 3600)
    assert r.raw("mean_wait") == pytest.approx(calc_mmc_mean_wait.raw(lam, 1 / (24 * 3600), 16))


def test_golden_gang_fragmentation():
    """12-GPU gangs on 8-GPU nodes take 2 nodes each: a quarter of the GPUs idle."""
    r = OM.solve(Systems.Clusters.H100_256, job_gpus=12, job_hours=1, utilization=0.5)
    assert r.slots == 16 and r.fragmentation == pytest.approx(0.25)


@pytest.mark.parametrize("preemptive", [False, True])
def test_priority_classes_conserve_work_and_favour_the_high_class(preemptive):
    """Kleinrock's conservation law: with one service distribution the load-weighted mean wait
    equals FCFS's; the high class waits less, the low class more."""
    base = OM.solve(F8K, job_gpus=512, job_hours=24, utilization=0.85)
    p = OM.solve(F8K, job_gpus=512, job_hours=24, utilization=0.85, priority_shares=(0.2, 0.8),
                 preemptive=preemptive)
    hi, lo = p.class_waits_hours
    assert 0.2 * hi + 0.8 * lo == pytest.approx(base.raw("mean_wait") / 3600, rel=1e-6)
    assert hi < base.raw("mean_wait") / 3600 < lo


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.98), st.floats(0.0, 0.98), st.sampled_from([8, 64, 512, 4096]),
       st.floats(0.0, 3.0), st.booleans())
def test_higher_utilisation_never_shorter_wait(u1, u2, gpus, cv, pre):
    lo, hi = sorted((u1, u2))
    kw = dict(job_gpus=gpus, job_hours=10, service_cv=cv, priority_shares=(0.3, 0.7), preemptive=pre)
    a, b = OM.solve(F8K, utilization=lo, **kw), OM.solve(F8K, utilization=hi, **kw)
    assert b.raw("mean_wait") >= a.raw("mean_wait") >= 0.0
    assert all(wb >= wa for wa, wb in zip(a.class_waits_hours, b.class_waits_hours))
    assert 0.0 <= a.prob_wait <= 1.0 and 0.0 <= a.fragmentation < 1.0


def test_arrival_rate_gives_the_same_queue_as_its_utilisation():
    a = OM.solve(F8K, job_gpus=512, job_hours=24, utilization=0.5)
    b = OM.solve(F8K, job_gpus=512, job_hours=24, arrival_rate_per_hour=0.5 * 16 / 24)
    assert b.utilization == pytest.approx(0.5) and b.raw("mean_wait") == pytest.approx(a.raw("mean_wait"))
    over = OM.solve(F8K, job_gpus=512, job_hours=24, arrival_rate_per_hour=1.0)
    assert not over.stable and math.isinf(over.raw("mean_wait"))


@pytest.mark.parametrize("kw,name", [
    ({"fleet": None}, "fleet"), ({"job_gpus": 0}, "job_gpus"), ({"job_gpus": 10**6}, "job_gpus"),
    ({"job_hours": 0}, "job_hours"), ({"utilization": 1.0}, "utilization"),
    ({"utilization": None}, "utilization"), ({"utilization": None, "arrival_rate_per_hour": -1}, "arrival_rate_per_hour"),
    ({"arrival_cv": -1}, "arrival_cv"), ({"service_cv": "x"}, "service_cv"),
    ({"priority_shares": (0.5, 0.6)}, "priority_shares"), ({"priority_shares": "ab"}, "priority_shares"),
    ({"preemptive": 1}, "preemptive")])
def test_orchestration_errors_name_the_argument(kw, name):
    args = {"fleet": F8K, "job_gpus": 512, "job_hours": 24, "utilization": 0.8, **kw}
    with pytest.raises(SpecError, match=f"^{name}="):
        OM.solve(**args)


# ---------------------------------------------------------------- Walls 8, 9: DataModel, TransformationModel
from mlsysim_core import DataModel, Hardware, TransformationModel  # noqa: E402

DM, XM = DataModel(), TransformationModel()


def test_golden_ingestion_demand_and_stall():
    """8 accelerators x 3,000 ImageNet JPEGs/s x 115 KB = 2.76 GB/s; from a 1 GB/s store the
    accelerators can be busy only 1/2.76 of the time (Mohan et al. 2021's fetch stall)."""
    r = DM.solve(samples_per_second=3000, n_accelerators=8)
    assert r.raw("demand_bw") == pytest.approx(8 * 3000 * C.data_imagenet_sample_bytes)
    assert not r.is_stalled and r.accelerator_utilization == 1.0
    slow = DM.solve(samples_per_second=3000, n_accelerators=8, storage_bandwidth="1 GB/s")
    assert slow.is_stalled and slow.bottleneck == "storage"
    assert slow.accelerator_utilization == pytest.approx(1e9 / (8 * 3000 * 115e3))
    assert slow.stall_fraction == pytest.approx(1 - slow.accelerator_utilization)


def test_cache_hits_relieve_storage_but_not_pcie():
    a = DM.solve(samples_per_second=3000, n_accelerators=8, storage_bandwidth="1 GB/s", cache_hit_rate=0.9)
    assert not a.is_stalled and a.storage_utilization == pytest.approx(0.1 * 2.76, rel=1e-3)
    b = DM.solve(samples_per_second=3000, n_accelerators=8, pcie_bandwidth="0.1 GB/s", cache_hit_rate=1.0)
    assert b.bottleneck == "pcie" and b.is_stalled


def test_demand_from_the_roofline_when_model_given():
    from mlsysim_core import Engine
    r = DM.solve(model=Models.ResNet50, hardware=Hardware.H100, batch_size=256, fleet=Systems.Clusters.H100_256,
                 efficiency=0.5)
    rate = Engine.solve(Models.ResNet50, Hardware.H100, 256, "bf16", 0.5, is_training=True).raw("throughput")
    assert r.raw("demand_bw") == pytest.approx(256 * rate * C.data_imagenet_sample_bytes)


def test_golden_derived_resnet50_training_rate_is_the_measured_one():
    """A derived training rate counts 3 x forward FLOPs (3 x 8.2 GFLOP per ResNet-50 image) at the
    achievable CNN training MFU, not at a GEMM's 0.5 (which gave ~20,000 img/s per H100). The MFU
    comes from NVIDIA DeepLearningExamples' 2,470 img/s on one A100 (constants.dataflow.toml); the
    same recipe's V100 figure (1,200 img/s, fp16, same README) is an independent check."""
    fwd = Models.ResNet50.inference_flop
    for hw, measured, tol in ((Hardware.A100, C.labs_data_rn50_a100_images_per_s, 0.01),
                              (Hardware.V100, C.labs_data_rn50_v100_images_per_s, 0.25)):
        r = DM.solve(model=Models.ResNet50, hardware=hw, batch_size=256, precision="fp16")
        assert r.raw("samples_per_second") == pytest.approx(measured, rel=tol)
        x = XM.solve(cpu_cores=8, model=Models.ResNet50, hardware=hw, batch_size=256, precision="fp16")
        assert x.raw("demand_rate") == pytest.approx(r.raw("samples_per_second"))
    h100 = DM.solve(model=Models.ResNet50, hardware=Hardware.H100, batch_size=256).raw("samples_per_second")
    peak = Hardware.H100.compute.peak_flop_s("bf16")
    # the training FLOPs are 3 x forward, at the measured MFU (a 1e-5 s dispatch per step aside)
    assert h100 == pytest.approx(C.data_cnn_training_mfu * peak / (3 * fwd), rel=0.01)
    assert 5_000 < h100 < 10_000


def test_golden_cores_per_gpu_for_resnet50_preprocessing():
    """Mohan et al. (2021): image models need 3-24 CPU cores per GPU; a V100 at ~1,200 img/s with
    ~100 img/s per core needs 12."""
    r = XM.solve(cpu_cores=8, samples_per_second=1200, accelerators_per_node=1)
    assert r.cores_needed == 12 and 3 <= r.cores_per_accelerator <= 24
    assert r.is_bottleneck and r.accelerator_utilization == pytest.approx(800 / 1200)
    assert r.slowdown_factor == pytest.approx(1.5)
    seq = XM.solve(cpu_cores=8, samples_per_second=1200, accelerators_per_node=1, overlapped=False)
    assert seq.slowdown_factor == pytest.approx(1 + 1200 / 800)   # no prefetch: the stages add


def test_text_tokenisation_rate_from_bytes_per_core():
    r = XM.solve(cpu_cores=4, samples_per_second=100, kind="text", bytes_per_sample="8 KB")
    assert r.per_core_rate.magnitude == pytest.approx(C.xform_text_bytes_per_core / 8e3)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 256), st.integers(0, 256), st.floats(1.0, 1e5), st.booleans(), st.integers(1, 16))
def test_more_cpu_cores_never_slower_ingestion(cores, extra, rate, overlapped, g):
    a = XM.solve(cpu_cores=cores, samples_per_second=rate, accelerators_per_node=g, overlapped=overlapped)
    b = XM.solve(cpu_cores=cores + extra, samples_per_second=rate, accelerators_per_node=g, overlapped=overlapped)
    assert b.raw("step_time") <= a.raw("step_time")
    assert a.accelerator_utilization <= b.accelerator_utilization <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.floats(1e6, 1e13), st.floats(1.0, 10.0), st.floats(0.0, 1.0))
def test_more_storage_bandwidth_never_more_stall(bw, k, hit):
    a = DM.solve(samples_per_second=5000, n_accelerators=64, accelerators_per_node=8, storage_bandwidth=bw,
                 cache_hit_rate=hit)
    b = DM.solve(samples_per_second=5000, n_accelerators=64, accelerators_per_node=8, storage_bandwidth=bw * k,
                 cache_hit_rate=hit)
    assert 0.0 <= b.stall_fraction <= a.stall_fraction <= 1.0


@pytest.mark.parametrize("kw,name", [
    ({"samples_per_second": None}, "samples_per_second"), ({"samples_per_second": -1}, "samples_per_second"),
    ({"bytes_per_sample": 0}, "bytes_per_sample"), ({"fleet": 1}, "fleet"), ({"n_accelerators": 0}, "n_accelerators"),
    ({"accelerators_per_node": 0}, "accelerators_per_node"), ({"storage_bandwidth": "x"}, "storage_bandwidth"),
    ({"network_bandwidth": 0}, "network_bandwidth"), ({"pcie_bandwidth": -2}, "pcie_bandwidth"),
    ({"cache_hit_rate": 1.5}, "cache_hit_rate"), ({"device_bytes_per_sample": "3 s"}, "device_bytes_per_sample"),
    ({"samples_per_second": None, "model": Models.ResNet50, "hardware": Hardware.H100, "batch_size": 0}, "batch_size"),
    ({"samples_per_second": None, "model": Models.ResNet50, "hardware": Hardware.H100, "precision": "q"}, "precision")])
def test_data_errors_name_the_argument(kw, name):
    args = {"samples_per_second": 1000, **kw}
    with pytest.raises(SpecError, match=f"^{name}="):
        DM.solve(**args)


@pytest.mark.parametrize("kw,name", [
    ({"cpu_cores": 0}, "cpu_cores"), ({"kind": "audio"}, "kind"), ({"overlapped": "no"}, "overlapped"),
    ({"samples_per_second": 0}, "samples_per_second"), ({"fleet": "f"}, "fleet"),
    ({"accelerators_per_node": 0}, "accelerators_per_node"), ({"per_core_rate": -1}, "per_core_rate"),
    ({"kind": "text"}, "bytes_per_sample"), ({"batch_size": 0}, "batch_size")])
def test_transformation_errors_name_the_argument(kw, name):
    args = {"cpu_cores": 8, "samples_per_second": 1000, **kw}
    with pytest.raises(SpecError, match=f"^{name}="):
        XM.solve(**args)


# ---------------------------------------------------------------- Wall 20: ResponsibleEngineeringModel
from mlsysim_core import ResponsibleEngineeringModel  # noqa: E402

RM = ResponsibleEngineeringModel()
R50, H100 = Models.ResNet50, Hardware.H100


def test_golden_dpsgd_per_sample_gradient_memory():
    """Opacus materialises one fp32 gradient per sample: B x P x 4 B; ResNet-50 (25.6 M params)
    at batch 256 holds ~26 GB of per-sample gradients, 2 B P b of extra traffic per step."""
    r = RM.solve(R50, H100, batch_size=256, epsilon=8)
    p = R50.parameters_count
    assert r.raw("per_sample_grad_memory") == pytest.approx(256 * p * 4)
    step = r.raw("step_time")
    assert r.raw("dp_step_time") == pytest.approx(step + 2 * 256 * p * 4 / H100.memory.bandwidth_bytes_s)
    ghost = RM.solve(R50, H100, batch_size=256, epsilon=8, dp_method="ghost")
    assert ghost.raw("per_sample_grad_memory") == 0 and ghost.dp_time_multiplier == pytest.approx(5 / 3)


def test_golden_abadi_accuracy_vs_epsilon():
    """Abadi et al. (2016), section 5: CIFAR-10 73 / 70 / 67 % at epsilon 8 / 4 / 2 (80 % non-private)."""
    for eps, acc in ((8, 0.73), (4, 0.70), (2, 0.67)):
        r = RM.solve(R50, H100, epsilon=eps)
        assert r.dp_accuracy == pytest.approx(acc) and r.dp_accuracy_drop == pytest.approx(0.80 - acc)
        assert not r.dp_accuracy_extrapolated
    mid = RM.solve(R50, H100, epsilon=math.sqrt(8.0)).dp_accuracy      # halfway in log epsilon
    assert mid == pytest.approx((0.67 + 0.70) / 2)
    assert RM.solve(R50, H100, epsilon=1, dp_benchmark="mnist").dp_accuracy == pytest.approx(0.90 + 0.05 / 2)
    assert RM.solve(R50, H100, epsilon=1).dp_accuracy_extrapolated


def test_golden_fairness_samples_and_pgd_cost():
    """+/-1 % at 95 % needs z^2/4/w^2 = 9,604 samples per subgroup; 7-step PGD costs 8x (Madry et al.)."""
    r = RM.solve(R50, H100, subgroups=20, ci_half_width=0.01, min_subgroup_prevalence=0.01, pgd_steps=7,
                 base_gpu_hours=100)
    assert r.samples_per_subgroup == 9604 and r.evaluation_samples == 20 * 9604
    assert r.dataset_for_rarest_group == 960_400
    assert r.pgd_multiplier == 8 and r.gpu_hours == pytest.approx(800)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.05, 50), st.floats(0.05, 50), st.sampled_from(["cifar10", "mnist"]))
def test_more_privacy_budget_never_less_accuracy(e1, e2, bench):
    lo, hi = sorted((e1, e2))
    a, b = RM.solve(R50, H100, epsilon=lo, dp_benchmark=bench), RM.solve(R50, H100, epsilon=hi, dp_benchmark=bench)
    assert a.dp_accuracy <= b.dp_accuracy <= b.nonprivate_accuracy


@settings(max_examples=40, deadline=None)
@given(st.floats(0.001, 0.2), st.floats(1.0, 4.0), st.integers(1, 512))
def test_tighter_intervals_need_more_samples_and_bigger_batches_more_memory(w, k, b):
    a, t = RM.solve(R50, H100, subgroups=3, ci_half_width=min(0.99, w * k)), RM.solve(R50, H100, subgroups=3, ci_half_width=w)
    assert t.evaluation_samples >= a.evaluation_samples
    m1 = RM.solve(R50, H100, batch_size=b, epsilon=1).raw("per_sample_grad_memory")
    m2 = RM.solve(R50, H100, batch_size=b + 1, epsilon=1).raw("per_sample_grad_memory")
    assert m2 > m1 > 0


@pytest.mark.parametrize("kw,name", [
    ({"model": None}, "model"), ({"hardware": "H100"}, "hardware"), ({"batch_size": 0}, "batch_size"),
    ({"precision": "fp9"}, "precision"), ({"efficiency": 2}, "efficiency"), ({"epsilon": 0}, "epsilon"),
    ({"delta": 1.0}, "delta"), ({"dp_method": "dpftrl"}, "dp_method"), ({"dp_benchmark": "imagenet"}, "dp_benchmark"),
    ({"base_gpu_hours": -1}, "base_gpu_hours"), ({"subgroups": -1}, "subgroups"),
    ({"ci_half_width": 0}, "ci_half_width"), ({"confidence": 1.5}, "confidence"),
    ({"subgroup_accuracy": 0}, "subgroup_accuracy"), ({"min_subgroup_prevalence": 2}, "min_subgroup_prevalence"),
    ({"pgd_steps": -1}, "pgd_steps")])
def test_responsible_errors_name_the_argument(kw, name):
    args = {"model": R50, "hardware": H100, **kw}
    with pytest.raises(SpecError, match=f"^{name}="):
        RM.solve(**args)


# ---------------------------------------------------------------- Wall 3: EfficiencyModel
from mlsysim_core import (EfficiencyModel, calc_attention_io_flash, calc_attention_io_standard,  # noqa: E402
                          calc_fusion_bytes_saved, calc_launch_bound_time, calc_tile_efficiency)

EM = EfficiencyModel()
L8 = Models.Llama3_8B


def test_golden_tile_and_wave_quantisation():
    """NVIDIA matmul guide: one row past a tile multiple doubles the tiles (129 of 256 rows
    useful); on A100's 108 SMs, 109 tiles take two waves (109/216)."""
    assert calc_tile_efficiency.raw(129, 128, 128, 128) == pytest.approx(129 / 256)
    assert calc_tile_efficiency.raw(109 * 128, 128, 128, 128, 108) == pytest.approx(109 / 216)
    assert calc_tile_efficiency.raw(128, 128 * 50, 128, 128, 108) == pytest.approx(1.0)   # split-K: < 1 wave


def test_golden_flashattention_io():
    """Dao et al. (2022): standard attention reads/writes 4Nd + 4N^2 elements per head; FlashAttention
    2Nd + 3Nd T_c, i.e. Theta(N^2 d^2 / M): doubling SRAM halves the streamed term."""
    n, d = 4096, 128
    assert calc_attention_io_standard.raw(n, d) == 4 * n * d + 4 * n * n
    m = 116 * 1024
    bc = math.ceil(m / (4 * d))
    assert calc_attention_io_flash.raw(n, d, m) == 2 * n * d + 3 * n * d * math.ceil(n / bc)
    t1 = calc_attention_io_flash.raw(n, d, m) - 2 * n * d
    t2 = calc_attention_io_flash.raw(n, d, 2 * m) - 2 * n * d
    assert t1 / t2 == pytest.approx(2.0, rel=0.1)
    # large N: standard ~ 4 N^2, flash ~ 12 N^2 d^2 / M, so flash saves a factor ~ M / (3 d^2)
    ratio = calc_attention_io_standard.raw(n, d) / calc_attention_io_flash.raw(n, d, m)
    assert ratio == pytest.approx(m / (3 * d * d), rel=0.05)


def test_golden_launch_bound_and_fusion():
    assert calc_launch_bound_time.raw(1e-3, 1000, 10e-6) == pytest.approx(10e-3)   # 1,000 launches of 10 us
    assert calc_launch_bound_time.raw(20e-3, 1000, 10e-6) == pytest.approx(20e-3)  # hidden behind the GPU
    assert calc_fusion_bytes_saved.raw(10, 1e6) == pytest.approx(18e6)


def test_small_batch_is_launch_bound_in_eager_and_not_as_a_graph():
    e = EM.solve(L8, Hardware.H100, batch_size=1, seq_len=1, mode="eager")
    g = EM.solve(L8, Hardware.H100, batch_size=1, seq_len=1, mode="graph")
    assert e.launch_bound and not g.launch_bound and g.mfu > e.mfu
    assert e.kernels == C.eff_kernels_per_layer_eager * L8.layers
    assert e.raw("launch_time") == pytest.approx(e.kernels * Hardware.H100.dispatch_tax_s)
    b = e.launch_crossover_batch
    assert b > 1
    assert not EM.solve(L8, Hardware.H100, batch_size=b, seq_len=1, mode="eager").launch_bound
    assert EM.solve(L8, Hardware.H100, batch_size=b - 1, seq_len=1, mode="eager").launch_bound


def test_flash_attention_raises_mfu_at_long_sequences():
    std = EM.solve(L8, Hardware.H100, batch_size=4, seq_len=8192, use_flash_attention=False, mode="graph")
    fa = EM.solve(L8, Hardware.H100, batch_size=4, seq_len=8192, use_flash_attention=True, mode="graph")
    assert fa.mfu > std.mfu and fa.raw("attention_io_bytes") < std.raw("attention_io_bytes")
    assert fa.losses["attention_io"] < std.losses["attention_io"]


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 64), st.integers(1, 8192), st.sampled_from(["eager", "compiled", "graph"]),
       st.booleans(), st.booleans(), st.sampled_from(["H100", "A100", "T4", "B200"]))
def test_mfu_and_losses_partition_the_step(b, s, mode, flash, train, hw):
    r = EM.solve(L8, getattr(Hardware, hw), batch_size=b, seq_len=s, mode=mode, use_flash_attention=flash,
                 is_training=train)
    assert 0.0 < r.mfu <= 1.0 and all(0.0 <= v <= 1.0 for v in r.losses.values())
    assert r.mfu + sum(r.losses.values()) == pytest.approx(1.0)
    if mode == "eager":   # fusion and cheaper launches never slow a step
        assert EM.solve(L8, getattr(Hardware, hw), batch_size=b, seq_len=s, mode="graph",
                        use_flash_attention=flash, is_training=train).raw("step_time") <= r.raw("step_time")


@pytest.mark.parametrize("kw,name", [
    ({"model": Models.ResNet50}, "model"), ({"hardware": None}, "hardware"), ({"batch_size": 0}, "batch_size"),
    ({"seq_len": 0}, "seq_len"), ({"precision": "fp3"}, "precision"), ({"mode": "jit"}, "mode"),
    ({"use_flash_attention": "yes"}, "use_flash_attention"), ({"is_training": 1}, "is_training"),
    ({"launch_overhead": -1}, "launch_overhead"), ({"kernels_per_layer": 0}, "kernels_per_layer")])
def test_efficiency_errors_name_the_argument(kw, name):
    args = {"model": L8, "hardware": Hardware.H100, **kw}
    with pytest.raises(SpecError, match=f"^{name}="):
        EM.solve(**args)


from mlsysim_core.checks import parse_quantity_str  # noqa: E402


def test_parse_quantity_str_is_the_solvers_string_step():
    assert parse_quantity_str("bw", "2 TB/s", "x").to("GB/s").magnitude == pytest.approx(2000)
    assert parse_quantity_str("bw", 3.0, "x") == 3.0
    with pytest.raises(SpecError, match="bw.*a bandwidth"):
        parse_quantity_str("bw", "2 parsecs of nonsense", "a bandwidth")
    with pytest.raises(SpecError, match="link_bandwidth"):
        TopologyModel().solve(Systems.Clusters.Production_2K, link_bandwidth="fast")
    with pytest.raises(SpecError, match="bytes_per_sample"):
        DataModel().solve(samples_per_second=1, bytes_per_sample="big")
