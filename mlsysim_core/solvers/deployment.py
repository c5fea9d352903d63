"""Deployment tiers and edge devices (Wall 1 Compute, Wall 2 Memory, Wall 4 and 18 at the edge).

    T = T_compute + 2 d / v + D / B              (roofline + round trip in fibre + upload)
    E = P x T_compute,  battery life = E_batt / P_avg
    T(t) = T_amb + P R (1 - e^{-t/RC})           (first-order thermal model; throttle at T_thr)
    offload pays when E_local > E_radio + P_idle x t_wait   (Kumar & Lu 2010)

``DeploymentModel`` places one model on one device, optionally far from its user (a datacenter
2,000 km away): latency with the network round trip, energy per inference, battery life, memory
fit. ``offload`` compares running on the device with sending the input to a server;
``federated_round`` counts the bytes of one round of federated averaging. ``EdgeThermalModel``
says how long a device can burst before it throttles and what it sustains afterwards.
Batteries and thermal figures are not in the hardware schema: they come from
``constants.deployment.toml`` (a tier default) or the caller.
"""
from __future__ import annotations

import math

from ..checks import choice, non_negative, number, positive, positive_int
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import (calc_battery_life, calc_device_power, calc_duty_cycled_power,
                        calc_federated_round_bytes, calc_fibre_rtt, calc_fibre_speed,
                        calc_inference_energy, calc_offload_breakeven_bytes,
                        calc_offload_energy_saving, calc_op_energy, calc_radio_energy,
                        calc_rc_temperature, calc_sustained_power, calc_throttled_fraction,
                        calc_time_to_throttle)
from ..results import Result
from ..zoo import constants
from .engine import Engine
from ._common import check_hardware, check_model, check_precision

_MS, _J, _H = ("ms", 1e3), ("J", 1.0), ("hour", 1 / 3600.0)
_WH = 3600.0          # joules per watt-hour (unit conversion, not a registry number)
RADIOS = ("lte", "wifi")


class DeploymentResult(Result):
    """One model on one device, at a distance from its user."""

    __slots__ = ()
    UNITS = {"compute_latency": _MS, "network_rtt": _MS, "transfer_latency": _MS,
             "network_latency": _MS, "total_latency": _MS, "latency_slo": _MS, "slo_margin": _MS,
             "energy_per_inference": _J, "energy_ops_bound": _J, "busy_power": ("W", 1.0),
             "idle_power": ("W", 1.0), "average_power": ("W", 1.0), "battery_energy": _J,
             "battery_life": _H, "memory_footprint": ("GB", 1e-9), "memory_capacity": ("GB", 1e-9),
             "shortfall": ("GB", 1e-9), "distance": ("km", 1e-3), "fibre_speed": ("km/s", 1e-3)}


class OffloadResult(Result):
    __slots__ = ()
    UNITS = {"local_latency": _MS, "offload_latency": _MS, "network_rtt": _MS, "transfer_latency": _MS,
             "remote_latency": _MS, "local_energy": _J, "offload_energy": _J, "radio_energy": _J,
             "energy_saving": _J, "breakeven_payload": ("kB", 1e-3), "payload": ("kB", 1e-3)}


class FederatedResult(Result):
    __slots__ = ()
    UNITS = {"bytes_per_client": ("MB", 1e-6), "bytes_per_round": ("GB", 1e-9),
             "upload_time": ("s", 1.0), "download_time": ("s", 1.0), "round_comm_time": ("s", 1.0),
             "radio_energy_per_client": _J}


class ThermalResult(Result):
    __slots__ = ()
    UNITS = {"burst_power": ("W", 1.0), "sustained_power": ("W", 1.0), "time_constant": ("min", 1 / 60.0),
             "time_to_throttle": ("min", 1 / 60.0), "duration": ("min", 1 / 60.0)}
    # temperatures in °C: below 0 in the cold (ambient_c accepts -100 °C and up)
    SIGNED = frozenset({"ambient_c", "throttle_c", "steady_temp_c", "temp_at_duration_c"})


def _mac_energy_pj(precision: str) -> float:
    """Horowitz's energy per MAC for the precision's arithmetic family."""
    c = constants()
    if precision.startswith("int"):
        return c.deploy_mac_energy_int8_pj
    if precision in ("fp32", "tf32"):
        return c.deploy_mac_energy_fp32_pj
    return c.deploy_mac_energy_fp16_pj


def default_battery_wh(tier: str) -> float | None:
    """A representative battery for the tier: a phone's for Mobile, a coin cell for Tiny, none
    (mains powered) otherwise."""
    c = constants()
    return {"Mobile": c.edge_phone_battery_wh, "Tiny": c.edge_coin_cell_wh}.get(tier)


def _radio(radio):
    c = constants()
    choice("radio", radio, RADIOS)
    if radio == "lte":
        return (c.edge_lte_uplink_power_w_per_mbps, c.edge_lte_base_power,
                c.edge_lte_tail_power * c.edge_lte_tail_time)
    return (c.edge_wifi_uplink_power_w_per_mbps, c.edge_wifi_base_power,
            c.edge_wifi_base_power * c.edge_wifi_tail_time)   # the radio idles awake for its tail


def _network(distance_km, route_factor, hops, per_hop_latency, payload_bytes, uplink_bandwidth):
    """(distance m, fibre speed, rtt, transfer time) from checked arguments."""
    c = constants()
    d = non_negative("distance_km", distance_km, unit="km") * 1e3
    route = number("route_factor", route_factor, lo=1.0, hi=100.0)
    hops = positive_int("hops", hops, minimum=0, maximum=10_000)
    hop_t = non_negative("per_hop_latency", per_hop_latency, unit="s", maximum=60.0)
    payload = non_negative("payload_bytes", payload_bytes, unit="byte")
    v = calc_fibre_speed.raw(c.deploy_speed_of_light_m_per_s, c.deploy_fibre_group_index)
    rtt = calc_fibre_rtt.raw(d, v, route, hops, hop_t)
    if payload > 0:
        if uplink_bandwidth is None:
            raise SpecError("uplink_bandwidth", None, "an uplink bandwidth in byte/s when payload_bytes > 0")
        transfer = payload / positive("uplink_bandwidth", uplink_bandwidth, unit="byte/s")
    else:
        transfer = 0.0
    return d, v, rtt, transfer, payload


class DeploymentModel:
    """The same model on cloud, edge, phone or microcontroller: latency (with the round trip),
    energy per inference, battery life and memory fit."""

    def solve(self, model, hardware, precision="fp16", batch_size=1, efficiency=0.5,
              distance_km=0.0, route_factor=1.0, hops=0, per_hop_latency=0.0, payload_bytes=0.0,
              uplink_bandwidth=None, latency_slo=None, battery_wh=None, inference_rate=None,
              idle_power=None) -> DeploymentResult:
        """``distance_km``: fibre distance from the user to the device (0: on the device itself).
        ``payload_bytes`` sent at ``uplink_bandwidth`` (byte/s) before the compute starts.
        ``latency_slo`` (s) is checked against the total. ``battery_wh`` defaults to the tier's
        battery (phone for Mobile, coin cell for Tiny; None = mains powered). ``inference_rate``
        (1/s) duty-cycles the device for battery life (None: inferring back to back); while idle
        it draws ``idle_power`` (W; default the engine's idle fraction of TDP, an awake idle, not
        a deep sleep: pass a sleep power for microcontrollers)."""
        check_model(model)
        check_hardware(hardware)
        precision, _ = check_precision(precision)
        c = constants()
        d, v, rtt, transfer, payload = _network(distance_km, route_factor, hops, per_hop_latency,
                                                payload_bytes, uplink_bandwidth)
        p = Engine.solve(model, hardware, batch_size=batch_size, precision=precision, efficiency=efficiency)
        pr = p.raw()
        t_compute = pr["latency"]
        total = t_compute + rtt + transfer
        slo = None if latency_slo is None else positive("latency_slo", latency_slo, unit="s")
        energy = pr["energy"] / pr["batch_size"]         # per inference, not per batch
        busy_power = pr["energy"] / t_compute
        ops = calc_op_energy.raw(pr["flops"], pr["bytes_moved"], _mac_energy_pj(precision),
                                 c.deploy_dram_energy_pj_per_byte) / pr["batch_size"]
        p_idle = (calc_device_power.raw(hardware.tdp_w, 0.0, c.energy_idle_fraction) if idle_power is None
                  else non_negative("idle_power", idle_power, unit="W"))
        wh = default_battery_wh(hardware.tier) if battery_wh is None else positive(
            "battery_wh", battery_wh, maximum=1e9, what="a positive battery energy in Wh")
        rate = None if inference_rate is None else positive("inference_rate", inference_rate, unit="1/s")
        if rate is None:
            avg = busy_power
        else:
            avg = calc_duty_cycled_power.raw(pr["energy"], rate / pr["batch_size"], t_compute, p_idle)
        battery = None if wh is None else wh * _WH
        life = None if battery is None or avg <= 0 else calc_battery_life.raw(battery, avg)
        per_charge = None if battery is None else battery / energy
        feasible = pr["feasible"]
        meets = None if slo is None else (feasible and total <= slo)
        if not feasible:
            binding = "memory"
        elif slo is not None and total > slo:
            binding = "network" if rtt + transfer > t_compute else "compute"
        else:
            binding = None
        r = {"model": model.name, "hardware": hardware.name, "tier": hardware.tier, "precision": precision,
             "batch_size": pr["batch_size"], "compute_latency": t_compute, "network_rtt": rtt,
             "transfer_latency": transfer, "network_latency": rtt + transfer, "total_latency": total,
             "latency_slo": slo, "meets_slo": meets, "slo_margin": None if slo is None else slo - total,
             "bottleneck": pr["bottleneck"], "energy_per_inference": energy, "energy_ops_bound": ops,
             "busy_power": busy_power, "idle_power": p_idle, "average_power": avg,
             "inference_rate": rate, "battery_wh": wh, "battery_energy": battery, "battery_life": life,
             "inferences_per_charge": per_charge, "memory_footprint": pr["memory_footprint"],
             "memory_capacity": pr["memory_capacity"], "shortfall": pr["shortfall"], "feasible": feasible,
             "binding": binding, "distance": d, "fibre_speed": v, "payload_bytes": payload}
        return DeploymentResult(r, lambda: _work(r))

    def offload(self, model, device, server, distance_km, payload_bytes, uplink_bandwidth, radio="lte",
                precision="int8", server_precision="fp16", efficiency=0.5, route_factor=1.0, hops=0,
                per_hop_latency=0.0) -> OffloadResult:
        """Run ``model`` on ``device``, or send ``payload_bytes`` over ``radio`` ('lte' or 'wifi')
        at ``uplink_bandwidth`` (byte/s) to ``server`` ``distance_km`` away and wait for the answer.
        The device's energy only: the radio while sending, idle power while waiting."""
        check_hardware(device, "device")
        check_hardware(server, "server")
        alpha, beta, tail = _radio(radio)
        c = constants()
        local = self.solve(model, device, precision=precision, efficiency=efficiency)
        remote = self.solve(model, server, precision=server_precision, efficiency=efficiency,
                            distance_km=distance_km, route_factor=route_factor, hops=hops,
                            per_hop_latency=per_hop_latency, payload_bytes=payload_bytes,
                            uplink_bandwidth=uplink_bandwidth)
        lr, rr = local.raw(), remote.raw()
        bw = positive("uplink_bandwidth", uplink_bandwidth, unit="byte/s")
        payload = rr["payload_bytes"]
        e_radio = calc_radio_energy.raw(payload, bw, alpha, beta, tail)
        p_idle = calc_device_power.raw(device.tdp_w, 0.0, c.energy_idle_fraction)
        wait = rr["network_rtt"] + rr["compute_latency"]
        saving = calc_offload_energy_saving.raw(lr["energy_per_inference"], e_radio, p_idle, wait)
        breakeven = calc_offload_breakeven_bytes.raw(lr["energy_per_inference"], p_idle, wait, bw, alpha,
                                                     beta, tail)
        r = {"model": model.name, "device": device.name, "server": server.name, "radio": radio,
             "local_latency": lr["total_latency"], "local_feasible": lr["feasible"],
             "remote_feasible": rr["feasible"], "offload_latency": rr["total_latency"],
             "network_rtt": rr["network_rtt"], "transfer_latency": rr["transfer_latency"],
             "remote_latency": rr["compute_latency"], "local_energy": lr["energy_per_inference"],
             "radio_energy": e_radio, "offload_energy": e_radio + p_idle * wait, "energy_saving": saving,
             "breakeven_payload": breakeven, "payload": payload,
             "energy_winner": "offload" if saving > 0 else "on-device",
             "latency_winner": "offload" if rr["total_latency"] < lr["total_latency"] else "on-device"}
        return OffloadResult(r, lambda: _offload_work(r, p_idle, wait))

    def federated_round(self, model, clients_per_round, precision="fp16", compression_ratio=1.0,
                        uplink_bandwidth=None, downlink_bandwidth=None, radio="lte") -> FederatedResult:
        """Bytes (and, with bandwidths in byte/s, seconds and radio joules) of one FedAvg round."""
        check_model(model)
        _, bpe = check_precision(precision)
        k = positive_int("clients_per_round", clients_per_round, maximum=10**9)
        ratio = number("compression_ratio", compression_ratio, lo=1.0, hi=1e6)
        alpha, beta, tail = _radio(radio)
        per_round = calc_federated_round_bytes.raw(model.parameters_count, bpe, k, ratio)
        per_client = per_round / k
        up_b = None if uplink_bandwidth is None else positive("uplink_bandwidth", uplink_bandwidth, unit="byte/s")
        down_b = None if downlink_bandwidth is None else positive("downlink_bandwidth", downlink_bandwidth,
                                                                   unit="byte/s")
        up = None if up_b is None else per_client / 2.0 / up_b
        down = None if down_b is None else per_client / 2.0 / down_b
        energy = None if up_b is None else calc_radio_energy.raw(per_client / 2.0, up_b, alpha, beta, tail)
        r = {"model": model.name, "clients_per_round": k, "precision": precision,
             "compression_ratio": ratio, "bytes_per_client": per_client, "bytes_per_round": per_round,
             "upload_time": up, "download_time": down,
             "round_comm_time": None if up is None or down is None else up + down,
             "radio_energy_per_client": energy}
        return FederatedResult(r, lambda: [
            ("Bytes per round", "B = K \\times 2 \\times P \\times b / r",
             f"{k:,} × 2 × {model.parameters_count:.3g} × {bpe:g} B / {ratio:g} = **{si(per_round, 'B')}** "
             f"({si(per_client, 'B')} per client)")]
            + ([] if up is None else [("Upload per client", "t = (P b / r) / B_{up}",
                                       f"{si(per_client / 2, 'B')} / {si(up_b, 'B/s')} = **{si(up, 's')}**")]))


def _work(r):
    rows = [("Compute (roofline on the device)", "T_c = \\max(\\text{FLOPs}/(\\text{Peak}\\,\\eta),\\ \\text{Bytes}/\\text{BW}) + \\tau",
             f"**{si(r['compute_latency'], 's')}** on {r['hardware']} ({r['bottleneck']})")]
    if r["network_latency"] > 0:
        rows.append(("Network round trip", "T_{net} = 2\\,d\\,k / v + 2 h\\,t_{hop} + D/B_{up},\\quad v = c/n_g",
                     f"2 × {r['distance'] / 1e3:,.0f} km / {r['fibre_speed'] / 1e3:,.0f} km/s (+ hops) = "
                     f"{si(r['network_rtt'], 's')}, + upload {si(r['transfer_latency'], 's')} = "
                     f"**{si(r['network_latency'], 's')}**"))
    total = f"**{si(r['total_latency'], 's')}**"
    if r["latency_slo"] is not None:
        total += (f" vs SLO {si(r['latency_slo'], 's')}: " +
                  ("met" if r["meets_slo"] else f"missed by {si(-r['slo_margin'], 's')}"
                   if r["feasible"] else "not runnable (does not fit)"))
    rows.append(("Total latency", "T = T_c + T_{net}", total))
    rows.append(("Energy per inference", "E = P \\times T_c",
                 f"{si(r['busy_power'], 'W')} × {si(r['compute_latency'], 's')}"
                 f"{' / batch ' + str(r['batch_size']) if r['batch_size'] > 1 else ''} = "
                 f"**{si(r['energy_per_inference'], 'J')}** (arithmetic + DRAM floor "
                 f"{si(r['energy_ops_bound'], 'J')})"))
    if r["battery_energy"] is not None:
        duty = "back to back" if r["inference_rate"] is None else f"{r['inference_rate']:g} inferences/s"
        rows.append(("Battery life", "t = E_{batt} / P_{avg}",
                     f"{r['battery_wh']:g} Wh / {si(r['average_power'], 'W')} ({duty}) = "
                     f"**{r['battery_life'] / 3600:,.3g} h**, {r['inferences_per_charge']:,.3g} inferences per charge"))
    rows.append(("Memory", "\\text{footprint} \\le \\text{capacity}",
                 f"{si(r['memory_footprint'], 'B')} vs {si(r['memory_capacity'], 'B')}: **" +
                 ("fits" if r["feasible"] else f"does not fit, short by {si(r['shortfall'], 'B')}") + "**"))
    return rows


def _offload_work(r, p_idle, wait):
    return [
        ("On the device", "E_{local} = P \\times T_c", f"**{si(r['local_energy'], 'J')}** in {si(r['local_latency'], 's')}"),
        ("Radio", "E_{radio} = (\\alpha_u R + \\beta)\\,D/R + E_{tail}",
         f"{si(r['payload'], 'B')} over {r['radio'].upper()} = **{si(r['radio_energy'], 'J')}**"),
        ("Offload saving", "\\Delta E = E_{local} - E_{radio} - P_{idle}\\,t_{wait}",
         f"{si(r['local_energy'], 'J')} - {si(r['radio_energy'], 'J')} - {si(p_idle, 'W')} × {si(wait, 's')} = "
         f"**{si(r['energy_saving'], 'J')}** ({r['energy_winner']} wins on energy)"),
        ("Break-even payload", "D^* : \\Delta E(D^*) = 0", f"**{si(r['breakeven_payload'], 'B')}**"),
        ("Latency", "T_{off} = D/B + \\text{RTT} + T_{server}",
         f"{si(r['offload_latency'], 's')} vs {si(r['local_latency'], 's')} on the device "
         f"({r['latency_winner']} is faster)"),
    ]


class EdgeThermalModel:
    """Burst vs sustained power of a passively cooled device: a first-order thermal RC model."""

    def solve(self, hardware=None, burst_power=None, ambient_c=None, throttle_c=None,
              thermal_resistance=None, heat_capacity=None, power_exponent=None,
              duration=None) -> ThermalResult:
        """``burst_power`` (W) defaults to the device's TDP. Defaults for the thermal figures are a
        phone's (``constants.deployment.toml``: 25 C ambient, 47 C skin throttle point, estimated
        R_th in K/W and C_th in J/K). ``duration`` (s) reports the temperature and the mean
        throughput fraction over a run of that length."""
        c = constants()
        if burst_power is None:
            if hardware is None:
                raise SpecError("burst_power", None, "a power in W, or hardware= to use its TDP")
            check_hardware(hardware)
            p = hardware.tdp_w
        else:
            p = positive("burst_power", burst_power, unit="W", maximum=1e6)
        amb = c.edge_ambient_temp_c if ambient_c is None else number("ambient_c", ambient_c, lo=-100.0, hi=200.0)
        thr = (c.edge_phone_skin_throttle_temp_c if throttle_c is None
               else number("throttle_c", throttle_c, lo=-100.0, hi=300.0))
        rth = (c.edge_phone_thermal_resistance_k_per_w if thermal_resistance is None
               else positive("thermal_resistance", thermal_resistance, maximum=1e4, what="a positive K/W"))
        cth = (c.edge_phone_heat_capacity_j_per_k if heat_capacity is None
               else positive("heat_capacity", heat_capacity, maximum=1e9, what="a positive J/K"))
        k = c.edge_dvfs_power_exponent if power_exponent is None else number(
            "power_exponent", power_exponent, lo=1.0, hi=5.0)
        tau = rth * cth
        t_star = calc_time_to_throttle.raw(p, amb, thr, rth, tau)
        throttles = math.isfinite(t_star)
        sustained = min(p, calc_sustained_power.raw(amb, thr, rth))
        frac = calc_throttled_fraction.raw(p, sustained, k)
        r = {"hardware": None if hardware is None else hardware.name, "burst_power": p, "ambient_c": amb,
             "throttle_c": thr, "thermal_resistance": rth, "heat_capacity": cth, "time_constant": tau,
             "steady_temp_c": amb + p * rth, "throttles": throttles,
             "time_to_throttle": t_star if throttles else None, "sustained_power": sustained,
             "sustained_fraction": frac, "power_exponent": k, "duration": None,
             "temp_at_duration_c": None, "mean_fraction": None}
        if duration is not None:
            d = positive("duration", duration, unit="s", maximum=1e9)
            r["duration"] = d
            r["temp_at_duration_c"] = self._temp(r, d)
            r["mean_fraction"] = (frac + (1.0 - frac) * min(1.0, t_star / d)) if throttles else 1.0
        return ThermalResult(r, lambda: _thermal_work(r))

    @staticmethod
    def _temp(r, t):
        if r["throttles"] and t >= r["time_to_throttle"]:
            return r["throttle_c"]    # the governor holds the trip point from here on
        return calc_rc_temperature.raw(t, r["burst_power"], r["ambient_c"], r["thermal_resistance"],
                                       r["time_constant"])

    def trace(self, result, duration, points=100) -> list[dict]:
        """``points`` + 1 samples (at most 400) of temperature and throughput fraction over
        ``duration`` seconds: for a chart. Cost grows with ``points``."""
        if not isinstance(result, ThermalResult):
            raise SpecError("result", result, "a ThermalResult from EdgeThermalModel().solve()")
        d = positive("duration", duration, unit="s", maximum=1e9)
        n = positive_int("points", points, minimum=2, maximum=400)
        r = result.raw()
        out = []
        for i in range(n + 1):
            t = d * i / n
            hot = r["throttles"] and t >= r["time_to_throttle"]
            out.append({"t_s": t, "temp_c": self._temp(r, t),
                        "throughput": r["sustained_fraction"] if hot else 1.0})
        return out


def _thermal_work(r):
    rows = [("Time constant", "\\tau = R_{th} C_{th}",
             f"{r['thermal_resistance']:g} K/W × {r['heat_capacity']:g} J/K = **{r['time_constant'] / 60:.3g} min**"),
            ("Steady state at burst power", "T_\\infty = T_{amb} + P R_{th}",
             f"{r['ambient_c']:g} + {r['burst_power']:.3g} W × {r['thermal_resistance']:g} K/W = "
             f"**{r['steady_temp_c']:.1f} °C** vs throttle point {r['throttle_c']:g} °C")]
    if r["throttles"]:
        rows.append(("Time to throttle", "t^* = -\\tau \\ln\\left(1 - \\frac{T_{thr} - T_{amb}}{P R_{th}}\\right)",
                     f"**{r['time_to_throttle'] / 60:.3g} min**"))
    rows.append(("Sustained power and throughput", "P_s = \\frac{T_{thr} - T_{amb}}{R_{th}},\\quad \\frac{X_s}{X_b} = (P_s/P_b)^{1/k}",
                 f"P_s = **{si(r['sustained_power'], 'W')}**, throughput kept **{pct(r['sustained_fraction'])}** "
                 f"(k = {r['power_exponent']:g})"))
    return rows
