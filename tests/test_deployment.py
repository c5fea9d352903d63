"""DeploymentModel and EdgeThermalModel: golden worked examples from their sources, properties, errors."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsysim_core import (DeploymentModel, EdgeThermalModel, Hardware, Models, Q_, SpecError, constants,
                          calc_battery_life, calc_federated_round_bytes, calc_fibre_rtt, calc_fibre_speed,
                          calc_offload_breakeven_bytes, calc_offload_energy_saving, calc_op_energy,
                          calc_radio_energy, calc_rc_temperature, calc_sustained_power,
                          calc_throttled_fraction, calc_time_to_throttle)

C = constants()
V_FIBRE = calc_fibre_speed.raw(C.deploy_speed_of_light_m_per_s, C.deploy_fibre_group_index)
DM = DeploymentModel()
TM = EdgeThermalModel()


# ------------------------------------------------------------------ golden worked examples

def test_fibre_speed_is_two_thirds_c_corning_smf28():
    # Corning SMF-28: n_g = 1.4682 -> ~204,000 km/s, the "2/3 c" rule of thumb
    assert V_FIBRE / 1e3 == pytest.approx(204_190, rel=1e-3)
    assert V_FIBRE / C.deploy_speed_of_light_m_per_s == pytest.approx(2 / 3, rel=0.03)


def test_2000_km_of_fibre_is_about_20_ms_round_trip():
    rtt = calc_fibre_rtt(Q_(2000, "km"), Q_(V_FIBRE, "m/s")).m_as("ms")
    assert rtt == pytest.approx(19.6, rel=0.01)
    assert rtt == pytest.approx(20.0, rel=0.03)


def test_1000_km_round_trip_reference_implementation_10_ms():
    # mlsysim reference calc_network_latency_ms(1000 km) = 10 ms at 200,000 km/s; ours is 2 % faster
    assert calc_fibre_rtt.raw(1e6, V_FIBRE) * 1e3 == pytest.approx(10.0, rel=0.03)


def test_deployment_model_adds_the_round_trip_to_compute():
    near = DM.solve(Models.ResNet50, Hardware.H100)
    far = DM.solve(Models.ResNet50, Hardware.H100, distance_km=2000)
    assert far.raw("total_latency") - near.raw("total_latency") == pytest.approx(
        2 * 2e6 / V_FIBRE, rel=1e-9)
    assert far.raw("compute_latency") == near.raw("compute_latency")
    assert "Network round trip" in far.explain()


def test_phone_battery_life_at_5_w_iphone15pro():
    # 3,274 mAh x 3.87 V = 12.67 Wh; at a constant 5 W it lasts 12.67 / 5 = 2.53 h
    assert C.edge_phone_battery_wh == pytest.approx(3.274 * 3.87, rel=1e-3)
    life = calc_battery_life(Q_(C.edge_phone_battery_wh, "W*h"), Q_(5, "W")).m_as("h")
    assert life == pytest.approx(2.534, rel=1e-3)


def test_coin_cell_at_1_mw_lasts_about_a_month_cr2032():
    # Energizer CR2032: 235 mAh x 3 V = 0.705 Wh; 1 mW average -> 705 h (29 days)
    assert calc_battery_life.raw(C.edge_coin_cell_wh * 3600, 1e-3) / 3600 == pytest.approx(705, rel=1e-3)


def test_battery_life_from_solver_matches_energy_over_power():
    r = DM.solve(Models.MobileNetV2, Hardware.iPhone15Pro, precision="int8")
    assert r.raw("battery_wh") == C.edge_phone_battery_wh   # the tier's default battery
    assert r.raw("battery_life") == pytest.approx(r.raw("battery_energy") / r.raw("busy_power"))
    assert r.raw("inferences_per_charge") == pytest.approx(r.raw("battery_energy") / r.raw("energy_per_inference"))
    assert DM.solve(Models.ResNet50, Hardware.H100).battery_life is None   # mains powered


def test_lte_uplink_power_huang_2012_at_median_6_mbps():
    # Huang et al. 2012: P = 438.39 mW/Mbps x 6 Mbps + 1288.04 mW = 3.918 W; 1 MB takes 1.333 s
    e = calc_radio_energy.raw(1e6, 6e6 / 8, C.edge_lte_uplink_power_w_per_mbps, C.edge_lte_base_power)
    assert e == pytest.approx(3.918 * 8 / 6, rel=1e-3)
    tail = C.edge_lte_tail_power * C.edge_lte_tail_time
    assert tail == pytest.approx(12.27, rel=1e-3)   # the 11.6 s LTE tail dominates small uploads


def test_horowitz_int8_energy_per_gflop():
    # 1 GFLOP = 0.5 G MACs x (0.2 + 0.03) pJ = 0.115 mJ; plus 1 MB of DRAM at 160 pJ/B = 0.16 mJ
    assert calc_op_energy.raw(1e9, 0, C.deploy_mac_energy_int8_pj, 0) == pytest.approx(1.15e-4)
    assert calc_op_energy.raw(0, 1e6, 0, C.deploy_dram_energy_pj_per_byte) == pytest.approx(1.6e-4)


def test_ops_energy_is_a_floor_under_power_times_time():
    for hw in (Hardware.iPhone15Pro, Hardware.JetsonOrinNX, Hardware.ESP32_S3):
        r = DM.solve(Models.MobileNetV2, hw, precision="int8")
        assert r.raw("energy_ops_bound") < r.raw("energy_per_inference")


def test_federated_round_bytes_fedavg():
    # 1M fp32 parameters, 100 clients: each downloads and uploads 4 MB -> 800 MB per round
    assert calc_federated_round_bytes.raw(1e6, 4, 100) == pytest.approx(8e8)
    r = DM.federated_round(Models.MobileNetV2, 100, precision="fp32", compression_ratio=4,
                           uplink_bandwidth=Q_(6, "Mbit/s"), downlink_bandwidth=Q_(13, "Mbit/s"))
    p = Models.MobileNetV2.parameters_count
    assert r.raw("bytes_per_round") == pytest.approx(100 * 2 * p * 4 / 4)
    assert r.raw("upload_time") == pytest.approx(p * 4 / 4 / (6e6 / 8))


def test_thermal_rc_one_time_constant_is_63_percent():
    tau, rise = 600.0, 4 * 5.5
    assert calc_rc_temperature.raw(tau, 4, 25, 5.5, tau) == pytest.approx(25 + rise * (1 - math.exp(-1)))


def test_time_to_throttle_is_tau_ln2_when_steady_state_is_twice_the_headroom():
    # P R = 2 (T_thr - T_amb): T(t*) = T_thr at 1 - e^{-t/tau} = 1/2, i.e. t* = tau ln 2
    assert calc_time_to_throttle.raw(8, 25, 47, 5.5, 825) == pytest.approx(825 * math.log(2))
    r = TM.solve(burst_power=8)
    assert r.raw("time_to_throttle") == pytest.approx(r.raw("time_constant") * math.log(2))
    assert r.raw("sustained_power") == pytest.approx((47 - 25) / 5.5)
    assert r.raw("sustained_fraction") == pytest.approx(0.5 ** (1 / 3))
    assert "Time to throttle" in r.explain()


def test_below_the_sustained_power_it_never_throttles():
    r = TM.solve(burst_power=3, duration=3600)
    assert not r.throttles and r.time_to_throttle is None
    assert r.sustained_fraction == 1.0 and r.mean_fraction == 1.0
    assert r.raw("temp_at_duration_c") < 47
    assert math.isinf(calc_time_to_throttle.raw(3, 25, 47, 5.5, 825))


def test_thermal_defaults_to_the_device_tdp_and_trace_holds_the_trip_point():
    r = TM.solve(Hardware.iPhone15Pro)
    assert r.raw("burst_power") == Hardware.iPhone15Pro.tdp_w
    tr = TM.trace(TM.solve(burst_power=10), 3600, points=50)
    assert len(tr) == 51 and tr[0]["temp_c"] == 25
    assert max(p["temp_c"] for p in tr) == pytest.approx(47)
    assert tr[-1]["throughput"] < 1


def test_offload_kumar_lu_saving_and_breakeven():
    # a large model on the phone over WiFi: offloading a small request saves energy; 0 saving at D*
    o = DM.offload(Models.Llama3_8B, Hardware.iPhone15Pro, Hardware.H100, 500, 2e3, Q_(6, "Mbit/s"),
                   precision="int4", radio="wifi")
    assert o.energy_winner == "offload"
    d_star = o.raw("breakeven_payload")
    assert d_star > 2e3
    alpha, beta = C.edge_wifi_uplink_power_w_per_mbps, C.edge_wifi_base_power
    tail = C.edge_wifi_base_power * C.edge_wifi_tail_time
    idle = Hardware.iPhone15Pro.tdp_w * C.energy_idle_fraction
    wait = o.raw("network_rtt") + o.raw("remote_latency")
    e_radio = calc_radio_energy.raw(d_star, 6e6 / 8, alpha, beta, tail)
    assert calc_offload_energy_saving.raw(o.raw("local_energy"), e_radio, idle, wait) == pytest.approx(0, abs=1e-9)
    # over LTE the 11.6 s tail alone costs more than that inference; likewise for a tiny model
    assert DM.offload(Models.Llama3_8B, Hardware.iPhone15Pro, Hardware.H100, 500, 2e3, Q_(6, "Mbit/s"),
                      precision="int4").energy_winner == "on-device"
    small = DM.offload(Models.MobileNetV2, Hardware.iPhone15Pro, Hardware.H100, 500, 2e3, Q_(6, "Mbit/s"),
                       precision="int8")
    assert small.energy_winner == "on-device" and small.raw("breakeven_payload") == 0
    assert calc_offload_breakeven_bytes.raw(1.0, 0.0, 0.0, 1e6, 0.4, 1.0, 2.0) == 0


def test_slo_and_binding_constraint():
    r = DM.solve(Models.ResNet50, Hardware.H100, distance_km=8000, latency_slo=0.05)
    assert r.meets_slo is False and r.binding == "network"
    oom = DM.solve(Models.Llama3_70B, Hardware.iPhone15Pro, precision="int8", latency_slo=0.05)
    assert not oom.feasible and oom.binding == "memory" and oom.meets_slo is False
    ok = DM.solve(Models.MobileNetV2, Hardware.JetsonOrinNX, precision="int8", latency_slo=0.05)
    assert ok.meets_slo and ok.binding is None and ok.raw("slo_margin") > 0


def test_duty_cycling_lengthens_battery_life():
    busy = DM.solve(Models.DS_CNN, Hardware.ESP32_S3, precision="int8")
    one_hz = DM.solve(Models.DS_CNN, Hardware.ESP32_S3, precision="int8", inference_rate=1, idle_power=1e-4)
    assert one_hz.raw("battery_life") > busy.raw("battery_life")


# ------------------------------------------------------------------ properties

@settings(max_examples=40, deadline=None)
@given(st.floats(0, 2e7), st.floats(0, 2e7))  # raw formula: no input bounds
def test_rtt_monotone_in_distance(a, b):
    lo, hi = sorted((a, b))
    assert calc_fibre_rtt.raw(lo, V_FIBRE) <= calc_fibre_rtt.raw(hi, V_FIBRE)


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.just(0.0), st.floats(1e-3, 20000)), st.sampled_from(["iPhone15Pro", "H100", "JetsonOrinNX", "ESP32_S3"]))
def test_total_latency_at_least_compute_and_fraction_bounded(km, key):
    r = DM.solve(Models.MobileNetV2, Hardware.get(key), precision="int8", distance_km=km)
    assert r.raw("total_latency") >= r.raw("compute_latency") > 0
    assert r.raw("energy_per_inference") > 0


@settings(max_examples=40, deadline=None)
@given(st.floats(0.1, 50), st.floats(0, 1e5), st.floats(0, 1e5))
def test_temperature_rises_monotonically_to_steady_state(p, t1, t2):
    lo, hi = sorted((t1, t2))
    a, b = (calc_rc_temperature.raw(t, p, 25, 5.5, 825) for t in (lo, hi))
    assert 25 <= a <= b <= 25 + p * 5.5 + 1e-9


@settings(max_examples=40, deadline=None)
@given(st.floats(4.01, 100), st.floats(4.01, 100))
def test_more_power_throttles_sooner_and_keeps_less(p1, p2):
    lo, hi = sorted((p1, p2))
    assert calc_time_to_throttle.raw(hi, 25, 47, 5.5, 825) <= calc_time_to_throttle.raw(lo, 25, 47, 5.5, 825)
    f_lo, f_hi = (calc_throttled_fraction.raw(p, calc_sustained_power.raw(25, 47, 5.5), 3) for p in (lo, hi))
    assert 0 < f_hi <= f_lo <= 1


def test_hot_ambient_means_no_sustained_power():
    r = TM.solve(burst_power=5, ambient_c=50)
    assert r.sustained_fraction == 0 and r.raw("time_to_throttle") == 0


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("kwargs, name", [
    ({"distance_km": -1}, "distance_km"),
    ({"route_factor": 0.5}, "route_factor"),
    ({"payload_bytes": 1e3}, "uplink_bandwidth"),
    ({"battery_wh": 0}, "battery_wh"),
    ({"latency_slo": -1}, "latency_slo"),
    ({"inference_rate": 0}, "inference_rate"),
    ({"hops": -1}, "hops"),
    ({"precision": "fp7"}, "precision"),
])
def test_solve_errors_name_the_argument(kwargs, name):
    with pytest.raises(SpecError, match=name):
        DM.solve(Models.MobileNetV2, Hardware.iPhone15Pro, **kwargs)


def test_other_errors_name_the_argument():
    with pytest.raises(SpecError, match="radio"):
        DM.offload(Models.MobileNetV2, Hardware.iPhone15Pro, Hardware.H100, 10, 1e3, 1e6, radio="5g")
    with pytest.raises(SpecError, match="device"):
        DM.offload(Models.MobileNetV2, "iPhone", Hardware.H100, 10, 1e3, 1e6)
    with pytest.raises(SpecError, match="clients_per_round"):
        DM.federated_round(Models.MobileNetV2, 0)
    with pytest.raises(SpecError, match="compression_ratio"):
        DM.federated_round(Models.MobileNetV2, 10, compression_ratio=0.5)
    with pytest.raises(SpecError, match="burst_power"):
        TM.solve()
    with pytest.raises(SpecError, match="thermal_resistance"):
        TM.solve(burst_power=5, thermal_resistance=0)
    with pytest.raises(SpecError, match="points"):
        TM.trace(TM.solve(burst_power=5), 60, points=1)
    with pytest.raises(SpecError, match="result"):
        TM.trace({"x": 1}, 60)
    with pytest.raises(SpecError, match="distance"):
        calc_fibre_rtt(-1, V_FIBRE)


# ------------------------------------------------------------------ the architect's audit (AuditModel)

from mlsysim_core import AuditModel  # noqa: E402

AUDIT = AuditModel()


def test_audit_cloud_far_away_binds_on_latency():
    r = AUDIT.solve(Models.ResNet50, Hardware.H100, latency_slo=0.015, distance_km=2000)
    assert r.binding == "latency" and not r.passed
    lat = [c for c in r.table() if c["name"] == "latency"][0]
    assert lat["ratio"] == pytest.approx(lat["value"] / lat["limit"]) and lat["ratio"] > 1


def test_audit_memory_binds_first_when_the_model_does_not_fit():
    r = AUDIT.solve(Models.ResNet50, Hardware.ESP32_S3, bits=8, latency_slo=0.05)
    assert r.binding == "memory" and not r.passed
    latency_ratio = [c["ratio"] for c in r.table() if c["name"] == "latency"][0]
    assert latency_ratio > r.binding_ratio   # latency fails worse, but a model that does not fit binds


def test_audit_int4_binds_on_accuracy_from_the_compression_constants():
    r = AUDIT.solve(Models.ResNet50, Hardware.iPhone15Pro, bits=4, max_accuracy_drop=0.01)
    assert r.binding == "accuracy" and r.accuracy_drop == pytest.approx(C.quant_int4_accuracy_drop)
    assert AUDIT.solve(Models.ResNet50, Hardware.iPhone15Pro, bits=8, max_accuracy_drop=0.01).passed


def test_audit_when_all_pass_names_the_tightest_check_and_counts_devices():
    r = AUDIT.solve(Models.ResNet50, Hardware.H100, latency_slo=0.5, requests_per_day=1e9,
                    budget_usd_per_year=1e9, carbon_kg_per_year=1e9)
    assert r.passed and r.binding_ratio == max(c["ratio"] for c in r.table())
    one = DM.solve(Models.ResNet50, Hardware.H100)
    assert r.devices == math.ceil(1e9 / 86400 * one.raw("compute_latency"))
    assert r.cost_per_1k_usd == pytest.approx(r.tco_usd_per_year / (1e9 * 365) * 1000)
    assert "Binding constraint" in r.explain()


@pytest.mark.parametrize("kwargs, name", [({"bits": 5}, "bits"), ({"max_accuracy_drop": 0}, "max_accuracy_drop"),
                                          ({"requests_per_day": -1}, "requests_per_day"),
                                          ({"requests_per_day": 10, "budget_usd_per_year": 0}, "budget_usd_per_year")])
def test_audit_errors_name_the_argument(kwargs, name):
    with pytest.raises(SpecError, match=name):
        AUDIT.solve(Models.ResNet50, Hardware.H100, **kwargs)


def test_formula_arguments_are_checked_by_name():
    with pytest.raises(SpecError, match="group_index"):
        calc_fibre_speed(C.deploy_speed_of_light_m_per_s, 0.5)
    with pytest.raises(SpecError, match="average_power"):
        calc_battery_life(3600, 0)
    with pytest.raises(SpecError, match="ambient_c"):
        calc_rc_temperature(10, 1, -300, 5.5, 825)
    # a sub-zero ambient is a real case (a winter street camera), not an error
    assert calc_rc_temperature(0, 1, -20, 5.5, 825) == pytest.approx(-20)
