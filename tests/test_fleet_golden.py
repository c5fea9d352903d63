"""Golden values of the fleet-scale solvers: every worked example of the equations page
(sections 2-9), the engineers' page and the cheat sheet, each with its tolerance and source."""
from __future__ import annotations

import dataclasses
import math

import pytest

from mlsysim_core import (DistributedModel, EconomicsModel, Hardware, Infra, Models, ReliabilityModel,
                          ScalingModel, Scenarios, SustainabilityModel, Systems, constants, ureg)
from mlsysim_core.formulas import (calc_checkpoint_waste, calc_failure_probability,
                                   calc_microbatches_for_bubble, calc_pipeline_bubble,
                                   calc_ring_allreduce_time, calc_ring_tree_crossover_size,
                                   calc_tree_allreduce_time, calc_young_daly_interval)
from mlsysim_core.solvers.analysis import EffectiveFlopsModel
from mlsysim_core.solvers.training import TrainingTimeModel
from mlsysim_core.specs import Fleet, NetworkFabric, Node


def flat_fleet(n_gpus: int, bandwidth: float, latency: float) -> Fleet:
    """n one-GPU nodes on a fabric of the given beta (B/s) and alpha (s): every hop is the fabric."""
    node = Node("1x H100", "one", Hardware.H100, 1, 450e9, 0.5e-6)
    return Fleet(f"{n_gpus} GPUs", "flat", node, n_gpus, NetworkFabric("example fabric", "ex", bandwidth, latency))


# --- Equations page 2.4: pipeline bubble ------------------------------------------------------

@pytest.mark.parametrize("p,m,v,expected", [(4, 16, 1, 3 / 19), (4, 16, 2, 3 / 35), (8, 32, 1, 7 / 39),
                                            (16, 16, 1, 15 / 31)])
def test_bubble_table_equations_page_2_4(p, m, v, expected):
    """15.8 %, 8.6 %, 17.9 %, 48.4 % (equations page 2.4 table), exact fractions."""
    assert calc_pipeline_bubble(p, m, v) == pytest.approx(expected, rel=1e-12)
    assert round(expected * 100, 1) == {(4, 16, 1): 15.8, (4, 16, 2): 8.6, (8, 32, 1): 17.9, (16, 16, 1): 48.4}[(p, m, v)]


@pytest.mark.parametrize("p", [2, 4, 8, 16, 32])
def test_bubble_below_5pct_needs_19_p_minus_1_microbatches_equations_page_2_4(p):
    """'To keep the bubble below 5 % with 1F1B you need M >= 19 (P - 1)' (equations page 2.4)."""
    m = calc_microbatches_for_bubble(p, 0.05)
    assert m == 19 * (p - 1)
    assert calc_pipeline_bubble(p, m) <= 0.05 + 1e-12 < calc_pipeline_bubble(p, m - 1)
    assert calc_microbatches_for_bubble(p, 0.05, v_stages=2) == math.ceil(19 * (p - 1) / 2)  # "cut proportionally"


def test_engineers_page_distributed_example_bubble_15_8pct():
    """Llama-3-70B on H100_64, batch 512, TP 8, PP 4, 16 microbatches: bubble 15.8 % (engineers' page)."""
    r = DistributedModel().solve(model=Models.Language.Llama3_70B, fleet=Systems.Clusters.H100_64,
                                 batch_size=512, precision="fp16", tp_size=8, pp_size=4, microbatch_count=16)
    assert f"{r['bubble_fraction']:.1%}" == "15.8%"
    assert r.parallelism == {"dp": 2, "tp": 8, "pp": 4, "ep": 1}
    assert 0 < r.scaling_efficiency <= 1
    assert r["step_latency_total"].units == ureg.ms
    assert r.tp_communication_latency.to("ms").magnitude > 0          # TP=8 all-reduces over NVLink
    b = r.breakdown("s")
    assert sum(b.values()) == pytest.approx(r.raw("step_latency_total"))
    # T_bubble / (pipelined work + T_bubble) is the page's fraction exactly
    work = b["compute"] + b["tp"] + b["ep"]
    assert b["bubble"] / (work + b["bubble"]) == pytest.approx(3 / 19)
    assert "15.8 %" in r.explain()


def test_cheat_sheet_distributed_example_research_256_overlap():
    """Cheat sheet: Llama-3-70B on Research_256, batch 1024, TP 8, PP 4, eff 0.4, overlap_comm=True."""
    kw = dict(model=Models.Llama3_70B, fleet=Systems.Clusters.Research_256, batch_size=1024, tp_size=8,
              pp_size=4, precision="fp16", efficiency=0.4)
    on = DistributedModel().solve(**kw, overlap_comm=True)
    off = DistributedModel().solve(**kw, overlap_comm=False)
    assert on.parallelism["dp"] == 8
    assert on.dp_communication_latency < off.dp_communication_latency       # overlap hides DP time
    hidden = off.raw("dp_communication_latency") - on.raw("dp_communication_latency")
    assert hidden == pytest.approx(constants().overlap_efficiency * off.raw("dp_communication_latency"))
    assert on.scaling_efficiency >= off.scaling_efficiency
    assert on.effective_throughput.to("1/s").magnitude > 0


# --- Equations page 2.3: ring all-reduce and the ring/tree crossover -------------------------

def test_ring_allreduce_140GB_on_1024_gpus_5_6s_equations_page_2_3():
    """140 GB over 1,024 GPUs at beta = 50 GB/s, alpha = 2 us: ~5.6 s, latency term ~4 ms."""
    t = calc_ring_allreduce_time.raw(140e9, 1024, 50e9, 2e-6)
    latency_term = calc_ring_allreduce_time.raw(0.0, 1024, 50e9, 2e-6)
    assert t == pytest.approx(5.6, rel=0.01)
    assert latency_term == pytest.approx(4.092e-3, rel=1e-3)          # 2 x 1023 x 2 us
    # the same through DistributedModel: pure DP of a 70B fp16 model over 1,024 one-GPU nodes
    model = dataclasses.replace(Models.Llama3_70B, parameters_count=70e9)
    r = DistributedModel().solve(model, flat_fleet(1024, 50e9, 2e-6), batch_size=1024, dp_algorithm="ring")
    assert r.gradient_bytes.to("GB").magnitude == pytest.approx(140.0)
    assert r.dp_communication_latency.to("s").magnitude == pytest.approx(5.6, rel=0.01)


@pytest.mark.parametrize("n", [8, 64, 1024])
def test_ring_tree_crossover_near_N_alpha_beta_equations_page_2_3(n):
    """'M_cross ~ N alpha beta: below it tree wins, above it ring wins' (equations page 2.3).

    The exact crossover of the two alpha-beta formulas is alpha beta (N-1-log2 N)/(log2 N-(N-1)/N),
    about N alpha beta / log2 N: the page's estimate is an upper bound (ring always wins above it)
    and the true crossover lies within a factor 2 log2 N below it.
    """
    alpha, beta = 2e-6, 50e9
    cross = calc_ring_tree_crossover_size.raw(n, beta, alpha)
    assert cross == n * alpha * beta
    lo, hi = 1.0, cross * 10
    for _ in range(200):      # bisection on (tree - ring)
        mid = math.sqrt(lo * hi)
        if calc_tree_allreduce_time.raw(mid, n, beta, alpha) < calc_ring_allreduce_time.raw(mid, n, beta, alpha):
            lo = mid
        else:
            hi = mid
    exact = lo
    lg = math.log2(n)
    assert exact == pytest.approx(alpha * beta * (n - 1 - lg) / (lg - (n - 1) / n), rel=1e-6)
    assert cross / (2 * lg) <= exact <= cross
    for m in (cross, 10 * cross):        # above the page's estimate: ring
        assert calc_ring_allreduce_time.raw(m, n, beta, alpha) < calc_tree_allreduce_time.raw(m, n, beta, alpha)
    small = exact / 10                   # well below: tree
    assert calc_tree_allreduce_time.raw(small, n, beta, alpha) < calc_ring_allreduce_time.raw(small, n, beta, alpha)


def test_auto_dp_algorithm_picks_tree_for_small_and_ring_for_large_messages():
    fleet = flat_fleet(256, 50e9, 2e-6)
    tiny = dataclasses.replace(Models.Llama3_8B, parameters_count=1e3)    # 2 KB of gradients
    big = Models.Llama3_8B
    assert DistributedModel().solve(tiny, fleet, batch_size=256).dp_algorithm == "tree"
    assert DistributedModel().solve(big, fleet, batch_size=256).dp_algorithm == "ring"


# --- Equations page 3: training time and Chinchilla ------------------------------------------

def test_gpt3_training_23_days_on_1024_a100_equations_page_3():
    """GPT-3: 6 x 175e9 x 300e9 = 3.15e23 FLOPs; 1,024 A100 at 0.5 MFU: ~1.97e6 s ~ 23 days."""
    r = TrainingTimeModel().solve(Models.GPT3, hardware=Hardware.A100, n_accelerators=1024, mfu=0.5)
    assert r.raw("total_flops") == pytest.approx(3.15e23)
    assert r.raw("training_time") == pytest.approx(1.97e6, rel=0.01)
    assert r.training_time.to("day").magnitude == pytest.approx(23, abs=0.5)
    # "the actual ~34 days is consistent with ~60 % scaling efficiency at 1,024 GPUs" (within 15 %)
    slow = TrainingTimeModel().solve(Models.GPT3, hardware=Hardware.A100, n_accelerators=1024,
                                     scaling_efficiency=0.6)
    assert slow.raw("training_days") == pytest.approx(34, rel=0.15)


def test_chinchilla_optimal_size_cheat_sheet():
    """P* = sqrt(C/120), D = 20 P (cheat sheet eq. 4): Chinchilla's 70B / 1.4T tokens budget."""
    c = 6 * 70e9 * 1.4e12
    r = ScalingModel().solve(c)
    assert r.optimal_parameters == pytest.approx(70e9, rel=1e-3)
    assert r.optimal_tokens == pytest.approx(1.4e12, rel=1e-3)
    assert r.tokens_per_parameter == pytest.approx(20)


# --- Equations page 5: carbon ----------------------------------------------------------------

@pytest.mark.parametrize("grid,expected", [("Quebec", 206), ("US_Average", 4428), ("Poland", 8464)])
def test_carbon_table_64_gpus_400W_336h_pue_1_2_equations_page_5_2(grid, expected):
    """64 GPUs x 400 W x 336 h = 8,602 kWh; x PUE 1.2 = 10,322 kWh -> 206 / 4,428 / 8,464 kg."""
    r = SustainabilityModel().solve(Systems.Clusters.H100_64, duration_days=14, datacenter=Infra.Grids.get(grid),
                                    power_per_accelerator=400 * ureg.W, pue=1.2)
    assert r.it_energy_kwh == pytest.approx(8602, rel=1e-3)
    assert r.total_energy_kwh == pytest.approx(10322, rel=1e-3)
    assert round(r.carbon_footprint_kg.to("kg").magnitude) == expected      # the page rounds to the kg


def test_carbon_41x_between_quebec_and_poland_equations_page_5_2():
    """'Geographic choice alone creates a ~41x difference' (equations page 5.2)."""
    kw = dict(duration_days=14, power_per_accelerator=400, pue=1.2)
    q = SustainabilityModel().solve(Systems.Clusters.H100_64, datacenter=Infra.Grids.Quebec, **kw)
    p = SustainabilityModel().solve(Systems.Clusters.H100_64, datacenter="Poland", **kw)
    assert p.raw("carbon_footprint_kg") / q.raw("carbon_footprint_kg") == pytest.approx(41, rel=0.01)
    assert q.carbon_footprint_kg.to("metric_ton").magnitude == pytest.approx(0.206, rel=0.01)


# --- Equations page 6: TCO, on-prem vs cloud ------------------------------------------------

def test_tco_onprem_vs_cloud_equations_page_6():
    """$350K DGX node, 3 years, 80 % utilisation: ~$2.40/GPU-h on-prem vs ~$4.00 cloud, break-even ~55 %.

    Ours (capex/3 + 5 % maintenance + power at $0.12/kWh): $2.49/GPU-h (+4 %), break-even 49 %,
    cloud $224K/node/yr (exact). The page's other figures cannot all hold at once: a fixed cost that
    is $2.40/GPU-h at 80 % is >= $9.60 at 20 % (fixed costs scale as 1/u), not '~$6', and it would
    break even with $4.00 at 48 %, not 55 %. We assert the direction: on-prem is dearer than cloud at 20 %.
    """
    c = constants()
    econ = EconomicsModel()
    at80 = econ.compare_cloud(Systems.Clusters.H100_8, utilization=0.8, node_cost=c.dgx_h100_node_price)
    assert at80.cloud_cost_per_gpu_hour == pytest.approx(4.00)
    assert at80.onprem_cost_per_gpu_hour == pytest.approx(2.40, rel=0.10)
    assert at80.cloud_annual_cost_per_node == pytest.approx(224e3, rel=0.01)
    assert at80.onprem_annual_cost_per_node == pytest.approx(122e3, rel=0.20)
    assert 0.45 <= at80.breakeven_utilization <= 0.60
    assert at80.cheaper == "on-prem"
    at20 = econ.compare_cloud(Systems.Clusters.H100_8, utilization=0.2, node_cost=c.dgx_h100_node_price)
    assert at20.cheaper == "cloud" and at20.onprem_cost_per_gpu_hour > 6.0
    at_be = econ.compare_cloud(Systems.Clusters.H100_8, utilization=at80.breakeven_utilization,
                               node_cost=c.dgx_h100_node_price)
    assert at_be.onprem_cost_per_gpu_hour == pytest.approx(4.00, rel=1e-9)


def test_economics_engineers_page_example_h100_8_one_year():
    """Engineers' page: EconomicsModel().solve(H100_8, 365 days, $0.08/kWh) formats with :,.0f."""
    cost = EconomicsModel().solve(fleet=Systems.Clusters.H100_8, duration_days=365, kwh_price=0.08)
    hw = 8 * Hardware.H100.unit_cost_usd
    assert cost.capex_usd == pytest.approx(hw / constants().depreciation_years)
    assert cost.opex_maintenance_usd == pytest.approx(constants().maintenance_ratio * hw)
    assert cost.opex_energy_usd == pytest.approx(cost.total_energy_kwh * 0.08)
    assert cost.tco_usd == pytest.approx(cost.capex_usd + cost.total_opex_usd)
    assert f"{cost['tco_usd']:,.0f}".replace(",", "").isdigit()
    assert cost.carbon_footprint_kg.to("kg").magnitude > 0


def test_serving_cost_dominates_training_equations_page_4_4():
    """$2M training; 1M daily users x 50 requests/day at ~$0.001/query: ~$18M/yr, ~9x training."""
    r = EconomicsModel().serving_vs_training(2e6, 1e6, 50, cost_per_query=0.001)
    assert r.serving_cost_usd == pytest.approx(18e6, rel=0.02)
    assert r.serving_to_training_ratio == pytest.approx(9, rel=0.02)


# --- Equations pages 7-8: reliability --------------------------------------------------------

@pytest.mark.parametrize("gpus,hours", [(8, 6250.0), (1000, 50.0), (10000, 5.0), (16000, 3.125)])
def test_cluster_mtbf_table_50000h_per_gpu_equations_page_7_1(gpus, hours):
    """8 GPUs ~8 months, 1,000 -> 50 h, 10,000 -> 5 h, 16,000 -> ~3 h at 50,000 h per GPU."""
    fleet = dataclasses.replace(Systems.Clusters.H100_8, count=gpus // 8)
    r = ReliabilityModel().solve(fleet, job_duration_hours=720, component_mtbf_hours=constants().gpu_mtbf)
    assert r.fleet_mtbf.to("hour").magnitude == pytest.approx(hours)
    if gpus == 8:
        assert 8.0 <= r.fleet_mtbf.to("month").magnitude < 9.0      # "~8 months" (8.6)
    if gpus == 16000:
        assert round(r.fleet_mtbf.to("hour").magnitude) == 3


def test_young_daly_27_min_for_2_min_checkpoints_at_180_min_mtbf_equations_page_7_2():
    """tau = sqrt(2 x 2 x 180) = sqrt(720) ~ 27 min (equations page 7.2)."""
    assert calc_young_daly_interval(2 * ureg.minute, 180 * ureg.minute).to("minute").magnitude == \
        pytest.approx(math.sqrt(720))
    fleet = dataclasses.replace(Systems.Clusters.H100_8, count=1)
    r = ReliabilityModel().solve(fleet, 720, checkpoint_time_s=120, component_mtbf_hours=3.0 * 8)
    assert r.fleet_mtbf.to("minute").magnitude == pytest.approx(180)
    assert r.optimal_checkpoint_interval.to("minute").magnitude == pytest.approx(26.8, abs=0.1)


def test_checkpoint_overhead_table_10_27_60_min_equations_page_7_3():
    """Page 7.3 table: 10 min 17 %, 27 min 7 %, 60 min 15 % (delta = 2 min, M = 180 min).

    No single consistent model gives all three: 17 % and 7 % are the write share delta/(tau+delta)
    alone (2/12, 2/29); 60 min's lost work alone is tau/2M = 16.7 % and nothing gives 15 %. With
    Young's waste delta/tau + tau/2M (whose minimum is at the page's own tau_opt) we get 22.8 %,
    14.9 % and 20.0 %: the same ranking, the optimum at ~27 min, and at the optimum both terms are
    equal, so the page's "7 %" is its write half (7.45 %). We assert our values and the ranking.
    """
    delta, m = 120.0, 180 * 60.0
    w = {t: calc_checkpoint_waste.raw(t * 60.0, delta, m) for t in (10, 26.8328, 27, 60)}
    assert w[10] == pytest.approx(0.2278, abs=5e-4)
    assert w[27] == pytest.approx(0.1491, abs=5e-4)
    assert w[60] == pytest.approx(0.2000, abs=5e-4)
    assert w[26.8328] <= min(w[10], w[27], w[60])
    assert w[10] > w[60] > w[27]                                  # the page's ranking: 17 > 15 > 7
    assert delta / (27 * 60) == pytest.approx(0.07, abs=0.005)    # the page's 7 % = the write term
    assert w[26.8328] == pytest.approx(math.sqrt(2 * delta / m), rel=1e-4)
    fleet = dataclasses.replace(Systems.Clusters.H100_8, count=1)
    for t in (10, 27, 60):
        r = ReliabilityModel().solve(fleet, 720, checkpoint_time_s=120, component_mtbf_hours=24.0,
                                     checkpoint_interval_s=t * 60, recovery_time_s=0)
        assert r.waste_fraction == pytest.approx(w[t])
        assert r.goodput_ratio == pytest.approx(1 - w[t])


def test_failure_probability_30_days_at_5h_mtbf_is_certain_equations_page_8():
    """P = 1 - exp(-720/5) ~ 1.0 (equations page 8)."""
    p = calc_failure_probability(5 * ureg.hour, 720 * ureg.hour)
    assert p == pytest.approx(1.0) and p > 0.999999
    fleet = dataclasses.replace(Systems.Clusters.H100_8, count=1250)    # 10,000 GPUs -> 5 h
    r = ReliabilityModel().solve(fleet, 720, component_mtbf_hours=50000)
    assert r.failure_probability == pytest.approx(1.0)
    assert r.expected_failures == pytest.approx(144)


def test_engineers_page_reliability_example_h100_256_30_days():
    """Engineers' page: 30-day run on H100_256 with 2-minute checkpoints: prints sensible values."""
    r = ReliabilityModel().solve(fleet=Systems.Clusters.H100_256, job_duration_hours=720, checkpoint_time_s=120.0)
    c = constants()
    assert r.fleet_mtbf.to("hour").magnitude == pytest.approx(c.gpu_mtbf / 256)      # 195 h
    assert r.optimal_checkpoint_interval.to("minute").magnitude == pytest.approx(
        math.sqrt(2 * 120 * c.gpu_mtbf / 256 * 3600) / 60)
    assert r.expected_failures == pytest.approx(720 / (c.gpu_mtbf / 256))
    assert 0.97 < r.failure_probability < 1.0
    assert 0 < r.goodput_ratio < 1
    # the reference's node model adds NICs and PSUs in series: more failures
    node = 1 / (8 / c.gpu_mtbf + 8 / c.nic_mtbf + 6 / c.psu_mtbf)
    series = ReliabilityModel().solve(Systems.Clusters.H100_256, 720, checkpoint_time_s=120.0, node_components=True)
    assert series.fleet_mtbf.to("hour").magnitude == pytest.approx(node / 32)


def test_llama3_16k_interruptions_measured_419_in_54_days():
    """Llama 3 405B (arXiv:2407.21783, 3.3.4): 419 unexpected interruptions in 54 days on 16,384 H100.

    The all-cause 50,000 h per accelerator gives 425 (+1.4 %); adding NICs and PSUs in series
    (node_components=True) would double-count and give ~725.
    """
    fleet = dataclasses.replace(Systems.Clusters.H100_8, count=16384 // 8)
    r = ReliabilityModel().solve(fleet, job_duration_hours=54 * 24)
    assert r.expected_failures == pytest.approx(419, rel=0.05)
    assert r.fleet_mtbf.to("hour").magnitude == pytest.approx(3.1, rel=0.05)


# --- Equations page 9: effective FLOPs -------------------------------------------------------

def test_effective_flops_cascade_10_to_35pct_of_peak_equations_page_9():
    """MFU 0.3-0.5 x eta 0.4-0.85 x goodput 0.85-0.97: 'a fleet may deliver only 10-35 % of peak'.

    The low corner gives 10.2 % (the page's 10 %); mid values 21.6 %; the high corner of the
    page's own ranges gives 41 %, a little above its 35 %.
    """
    fleet = Systems.Clusters.H100_256
    low = EffectiveFlopsModel().solve(fleet, mfu=0.3, scaling_efficiency=0.4, goodput_ratio=0.85)
    mid = EffectiveFlopsModel().solve(fleet, mfu=0.4, scaling_efficiency=0.6, goodput_ratio=0.9)
    high = EffectiveFlopsModel().solve(fleet, mfu=0.5, scaling_efficiency=0.85, goodput_ratio=0.97)
    assert low.fraction_of_peak == pytest.approx(0.102, abs=1e-3)
    assert 0.10 <= mid.fraction_of_peak <= 0.35
    assert high.fraction_of_peak == pytest.approx(0.412, abs=1e-3)
    assert low.peak_flops.to("PFLOP/s").magnitude == pytest.approx(256 * 989 / 1000)
    # chained from the solvers' own results
    d = DistributedModel().solve(Models.Llama3_70B, fleet, batch_size=1024, tp_size=8, pp_size=4,
                                 microbatch_count=32, efficiency=0.4, overlap_comm=True)
    r = ReliabilityModel().solve(fleet, 720, checkpoint_time_s=120)
    chained = EffectiveFlopsModel().solve(fleet, distributed=d, reliability=r)
    assert chained.fraction_of_peak == pytest.approx(0.4 * d.scaling_efficiency * r.goodput_ratio)


# --- Scenarios --------------------------------------------------------------------------------

def test_frontier_training_scorecard_paper_section_6_1():
    """Paper 6.1 level 3: Scenarios.FrontierTraining.evaluate(batch_size=2048, precision='fp16')."""
    ev = Scenarios.FrontierTraining.evaluate(batch_size=2048, precision="fp16")
    card = ev.scorecard()
    assert card.count("PASS") + card.count("FAIL") == 4
    for word in ("L1 Feasibility", "L2 Performance", "L3 Macro", "500 ms", "TCO $", "t CO2e"):
        assert word in card
    assert ev.feasibility.passed                       # the optimizer finds a plan that fits
    assert ev.performance.metrics["latency_ms"] > 0
    assert ev.macro.metrics["tco_usd"] > 0


def test_four_lighthouse_scenarios_paper_section_6_3():
    """SmartDoorbell 200 ms, AutonomousVehicle 10 ms, LocalFineTuning 100 ms, FrontierTraining 500 ms."""
    assert [s.name for s in Scenarios] == ["SmartDoorbell", "AutonomousVehicle", "LocalFineTuning", "FrontierTraining"]
    assert {s.name: s.sla_ms for s in Scenarios} == {"SmartDoorbell": 200, "AutonomousVehicle": 10,
                                                     "LocalFineTuning": 100, "FrontierTraining": 500}
    assert Scenarios.FrontierTraining.workload is Models.Llama3_70B
    assert Scenarios.FrontierTraining.system.total_accelerators == 8192
    assert Scenarios.SmartDoorbell.sla_latency.to("s").magnitude == pytest.approx(0.2)
    for s in Scenarios:
        ev = s.evaluate()
        assert [lv.status in ("PASS", "FAIL") for lv in ev.levels] == [True] * 3
        assert ev.scorecard().count("\n") == 4 and ev.to_dict()["scenario"] == s.name
    # full fine-tuning of an 8B model does not fit a 128 GB laptop: the memory wall teaches LoRA
    assert not Scenarios.LocalFineTuning.evaluate().feasibility.passed


def test_personas_produce_system_ledgers_paper_section_4_2():
    from mlsysim_core import Personas, SystemLedger
    assert [p.name for p in Personas] == ["CloudTitan", "EdgeGuardian", "MobileNomad", "TinyPioneer"]
    assert Personas.get("cloud") is Personas.CloudTitan and Personas.CloudTitan.scale_factor == 1
    ledger = Personas.TinyPioneer.evaluate()
    assert isinstance(ledger, SystemLedger)
    row = ledger.to_dict()
    assert row["persona"] == "TinyPioneer" and row["scale"] == Personas.TinyPioneer.scale_factor
    for key in ("performance.latency_ms", "sustainability.carbon_kg", "economics.tco_usd", "reliability.goodput"):
        assert key in row
    with pytest.raises(dataclasses.FrozenInstanceError):
        ledger.performance.latency_ms = 0
    titan = Personas.CloudTitan.evaluate(batch_size=2048)
    assert titan.sustainability.carbon_kg > 0 and 0 < titan.reliability.goodput < 1


def test_plots_build_altair_charts_and_import_altair_lazily():
    import subprocess
    import sys
    code = "import sys, mlsysim_core as m; m.plot_roofline; print('altair' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    pytest.importorskip("altair")
    from mlsysim_core import plot_evaluation_scorecard, plot_roofline, plots
    spec = plot_roofline(Hardware.H100, [Models.Llama3_8B, Models.ResNet50], precision="fp16").to_dict()
    assert spec["layer"] and "Roofline" in str(spec["title"])
    ev = Scenarios.FrontierTraining.evaluate(batch_size=2048, precision="fp16")
    assert plot_evaluation_scorecard(ev).to_dict()
    r = DistributedModel().solve(Models.Llama3_70B, Systems.Clusters.H100_64, batch_size=512, tp_size=8, pp_size=4,
                                 microbatch_count=16)
    for chart in (plots.plot_step_breakdown(r), plots.plot_bubble(), plots.plot_young_daly(120, 3),
                  plots.plot_goodput_cascade(EffectiveFlopsModel().solve(Systems.Clusters.H100_256)),
                  plots.plot_carbon_by_region(Systems.Clusters.H100_64, 14)):
        assert chart.to_dict()
