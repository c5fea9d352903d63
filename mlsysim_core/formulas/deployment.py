"""Deployment physics: the network round trip, energy per inference, batteries, heat, offloading.

Temperatures are plain numbers in degrees Celsius (pint's offset units make differences awkward;
only differences and the RC law appear here). Every other argument is a Quantity or a number
in the canonical unit named in the decorator.
"""
from __future__ import annotations

import math

from .._formula import formula
from ..checks import number


def _celsius(name):
    """A temperature in degrees Celsius: any finite number from absolute zero up (may be negative)."""
    return lambda v: number(name, v, lo=-273.15, hi=1e4)


@formula("m/s", speed_of_light="m/s>0", group_index=">=1")
def calc_fibre_speed(speed_of_light, group_index):
    """v = c / n_g: light in glass travels at the vacuum speed over the fibre's group index.

    Source: any optics text (e.g. Saleh & Teich, Fundamentals of Photonics, ch. 5); for standard
    single-mode fibre n_g = 1.4682 at 1550 nm (Corning SMF-28 Ultra), so v ~ 204,000 km/s ~ 2/3 c.
    """
    return speed_of_light / group_index


@formula("s", distance="m", fibre_speed="m/s>0", route_factor=">=1", hops="int>=0", per_hop_latency="s")
def calc_fibre_rtt(distance, fibre_speed, route_factor=1.0, hops=0, per_hop_latency=0.0):
    """RTT = 2 (d x route factor / v + hops x t_hop): there and back, propagation plus switching.

    ``route_factor`` >= 1 is how much longer the cable runs than the straight line. Source: the
    propagation bound of Singla et al. (2014), 'The Internet at the Speed of Light', HotNets
    (c-latency over fibre); the mlsysim reference's ``calc_network_latency_ms`` (1,000 km -> 10 ms
    at 200,000 km/s) is the same law.
    """
    return 2.0 * (distance * route_factor / fibre_speed + hops * per_hop_latency)


@formula("J", power="W", duration="s")
def calc_inference_energy(power, duration):
    """E = P x t: the energy of one inference is the device's power while it runs times its latency."""
    return power * duration


@formula("J", flops="flop", bytes_moved="byte", mac_energy_pj=">=0", byte_energy_pj=">=0")
def calc_op_energy(flops, bytes_moved, mac_energy_pj, byte_energy_pj):
    """E = FLOPs/2 x e_MAC + bytes x e_byte: the energy the arithmetic and DRAM traffic need.

    A multiply-accumulate is 2 FLOPs. Source: Horowitz (2014), 'Computing's energy problem',
    ISSCC (45 nm energy per operation and per DRAM access). A floor: real devices also pay for
    leakage, caches, control and idle time, so power x time is higher.
    """
    return (flops / 2.0 * mac_energy_pj + bytes_moved * byte_energy_pj) * 1e-12


@formula("s", battery_energy="J", average_power="W>0")
def calc_battery_life(battery_energy, average_power):
    """t = E_battery / P_average (ideal cell: no ageing, cut-off voltage or temperature derating).

    Source: the definition of capacity; e.g. Linden's Handbook of Batteries, 4th ed., ch. 3.
    """
    return battery_energy / average_power


@formula("W", energy_per_inference="J", inference_rate="1/s", busy_time="s", idle_power="W")
def calc_duty_cycled_power(energy_per_inference, inference_rate, busy_time, idle_power):
    """P_avg = r x E_inf + P_idle x (1 - r x t_busy): busy for a fraction r t of the time, idle otherwise.

    A rate above 1 / t_busy cannot be sustained; the device is then busy all the time (duty 1).
    Source: duty-cycle energy accounting of sensor nodes, e.g. Polastre et al. (2004), B-MAC, SenSys.
    """
    rate = min(inference_rate, 1.0 / busy_time) if busy_time > 0 else inference_rate
    return rate * energy_per_inference + idle_power * (1.0 - rate * busy_time)


@formula(None, time="s", power="W", ambient_c=_celsius("ambient_c"), thermal_resistance=">0",
         time_constant="s>0")
def calc_rc_temperature(time, power, ambient_c, thermal_resistance, time_constant):
    """T(t) = T_amb + P R_th (1 - e^{-t/tau}), tau = R_th C_th: a first-order thermal RC model
    starting at ambient, heading for the steady state T_amb + P R_th (negative below a sub-zero ambient).

    Source: the lumped-capacitance (Newton cooling) model, e.g. Incropera et al., Fundamentals of
    Heat and Mass Transfer, 7th ed., section 5.2; the single-node form of HotSpot (Skadron et al.
    2003, ISCA).
    """
    return ambient_c + power * thermal_resistance * (1.0 - math.exp(-time / time_constant))


@formula("s", power="W", ambient_c=_celsius("ambient_c"), throttle_c=_celsius("throttle_c"), thermal_resistance=">0",
         time_constant="s>0")
def calc_time_to_throttle(power, ambient_c, throttle_c, thermal_resistance, time_constant):
    """t* = -tau ln(1 - (T_thr - T_amb) / (P R_th)): when the RC curve reaches the throttle point.

    Returns inf (documented) when P R_th <= T_thr - T_amb: the steady state stays below the trip
    point and the device never throttles; 0 when it starts at or above it. Source: calc_rc_temperature
    solved for T(t*) = T_thr.
    """
    headroom = throttle_c - ambient_c
    if headroom <= 0:
        return 0.0
    rise = power * thermal_resistance
    if rise <= headroom:
        return math.inf
    return -time_constant * math.log(1.0 - headroom / rise)


@formula("W", ambient_c=_celsius("ambient_c"), throttle_c=_celsius("throttle_c"), thermal_resistance=">0")
def calc_sustained_power(ambient_c, throttle_c, thermal_resistance):
    """P_sustained = (T_thr - T_amb) / R_th: the power whose steady state sits at the throttle point
    (0 when the ambient is already at or above it). Source: calc_rc_temperature at t -> infinity."""
    return max(0.0, (throttle_c - ambient_c) / thermal_resistance)


@formula(None, burst_power="W", power_cap="W", power_exponent=">=1")
def calc_throttled_fraction(burst_power, power_cap, power_exponent=3.0):
    """Throughput kept under a power cap: min(1, (P_cap / P_burst)^(1/k)).

    With DVFS, dynamic power ~ C V^2 f and V ~ f, so P ~ f^3 (k = 3) and throughput ~ f ~ P^(1/3).
    Source: Hennessy & Patterson, Computer Architecture, 6th ed., section 1.5. k = 1 is the
    pessimistic case (throughput in proportion to power, e.g. duty-cycling a fixed clock).
    """
    if burst_power <= 0:
        return 1.0
    return min(1.0, (power_cap / burst_power) ** (1.0 / power_exponent))


@formula("J", payload="byte", uplink_rate="byte/s>0", power_per_mbps=">=0", base_power="W", tail_energy="J")
def calc_radio_energy(payload, uplink_rate, power_per_mbps, base_power, tail_energy=0.0):
    """E = (alpha_u x R_Mbps + beta) x D / R + E_tail: radio power while sending D bytes at rate R,
    plus the tail the radio spends in its high-power state after the transfer.

    Source: Huang et al. (2012), 'A Close Examination of Performance and Power Characteristics of
    4G LTE Networks', MobiSys (power model P = alpha_u t_u + beta, and the LTE tail).
    """
    mbps = uplink_rate * 8.0 / 1e6
    return (power_per_mbps * mbps + base_power) * payload / uplink_rate + tail_energy


@formula("J", local_energy="J", radio_energy="J", idle_power="W", wait_time="s")
def calc_offload_energy_saving(local_energy, radio_energy, idle_power, wait_time):
    """Saving = E_local - E_radio - P_idle x t_wait (negative: offloading costs more).

    Source: Kumar & Lu (2010), 'Cloud Computing for Mobile Users: Can Offloading Computation Save
    Energy?', IEEE Computer 43(4): P_c C/M - P_i C/S - P_tr D/B.
    """
    return local_energy - radio_energy - idle_power * wait_time


@formula("byte", local_energy="J", idle_power="W", wait_time="s", uplink_rate="byte/s>0",
         power_per_mbps=">=0", base_power="W", tail_energy="J")
def calc_offload_breakeven_bytes(local_energy, idle_power, wait_time, uplink_rate, power_per_mbps,
                                 base_power, tail_energy=0.0):
    """The payload D* at which offloading saves nothing: calc_offload_energy_saving = 0 solved for D
    (radio energy is linear in D). 0 when even an empty request costs more than computing locally.

    Source: Kumar & Lu (2010), IEEE Computer 43(4), with the Huang et al. (2012) radio model.
    """
    spare = local_energy - tail_energy - idle_power * wait_time
    if spare <= 0:
        return 0.0
    joules_per_byte = (power_per_mbps * uplink_rate * 8.0 / 1e6 + base_power) / uplink_rate
    return spare / joules_per_byte


@formula("byte", n_params="count", bytes_per_param=">0", clients_per_round=">0", compression_ratio=">=1")
def calc_federated_round_bytes(n_params, bytes_per_param, clients_per_round, compression_ratio=1.0):
    """Bytes per round = K x 2 x P x b / r: each of K clients downloads the model and uploads an
    update of the same size, shrunk r-fold by compression.

    Source: McMahan et al. (2017), 'Communication-Efficient Learning of Deep Networks from
    Decentralized Data' (FedAvg), AISTATS, algorithm 1; Konecny et al. (2016), 'Federated
    Learning: Strategies for Improving Communication Efficiency', arXiv:1610.05492 (compression).
    """
    return clients_per_round * 2.0 * n_params * bytes_per_param / compression_ratio


__all__ = sorted(n for n in dir() if n.startswith("calc_"))
