"""Fleet health at scale: stragglers, silent data corruption screening, redundancy, rolling upgrades."""
from __future__ import annotations

import math

from .._formula import formula
from ..checks import positive


@formula(None, probability="[0,1]", n="int>=0")
def calc_any_affected_probability(probability, n):
    """P(at least one of n independent members is affected) = 1 - (1 - p)^n.

    Source: Dean & Barroso (2013), "The Tail at Scale", CACM 56(2): with 1 server in 100 slow,
    a request fanning out to 100 servers is slow 1 - 0.99^100 = 63 % of the time. Also the chance
    that a fleet of n machines holds at least one defective CPU (Dixit et al. 2021).
    """
    return -math.expm1(n * math.log1p(-probability)) if probability < 1.0 else (1.0 if n > 0 else 0.0)


@formula(None, probability="[0,1]", n="int>=0", slowdown=">=0")
def calc_straggler_stretch(probability, n, slowdown):
    """Expected synchronous-step multiplier 1 + s (1 - (1 - p)^n): a step waits for its slowest worker.

    A worker straggles with probability p per step and is then (1 + s) times slower; the step of
    n synchronous workers is slow whenever any one is (Dean & Barroso 2013).
    """
    return 1.0 + slowdown * calc_any_affected_probability.raw(probability, n)


@formula(None, cv=">=0", n="int>=1")
def calc_jitter_stretch(cv, n):
    """Bound on E[max of n step times] / mean: 1 + cv sqrt(2 ln n) for iid Gaussian jitter.

    Source: the maximal inequality for n sub-Gaussian variables, E[max X_i] <= sigma sqrt(2 ln n)
    (Boucheron, Lugosi & Massart (2013), Concentration Inequalities, section 2.5); it is tight as
    n grows (Gumbel limit). One worker (n = 1) has no stretch.
    """
    return 1.0 + cv * math.sqrt(2.0 * math.log(n)) if n > 1 else 1.0


@formula(None, test_time="hour", interval="hour")
def calc_scan_overhead(test_time, interval):
    """Share of machine time spent on known-answer SDC tests: delta / tau (Dixit et al. 2022)."""
    return test_time / positive("interval", interval, unit="hour")


@formula("hour", test_time="hour", onset_mtbf="hour", blast_radius=">0")
def calc_optimal_scan_interval(test_time, onset_mtbf, blast_radius=1.0):
    """tau* = sqrt(2 delta M / b): the screening interval that minimises tests + undetected corruption.

    A machine turns defective every M hours on average and corrupts b machine-hours of work per
    hour until the next test finds it (on average tau/2 later): cost per hour delta/tau + b tau/(2M),
    minimised where the two are equal. The same structure as Young (1974)'s checkpoint interval.
    """
    return math.sqrt(2.0 * test_time * onset_mtbf / positive("blast_radius", blast_radius))


@formula(None, replicas="int>=1", protected_fraction="[0,1]")
def calc_redundant_compute(replicas, protected_fraction=1.0):
    """Compute multiplier 1 + (k - 1) f: k-modular redundancy on a fraction f of the work.

    k = 2 (dual) detects a silent error by comparison, k = 3 (triple, majority vote) also corrects
    it (von Neumann (1956), "Probabilistic logics and the synthesis of reliable organisms").
    """
    return 1.0 + (replicas - 1.0) * protected_fraction


@formula("hour", n_nodes="int>=1", max_unavailable="[0,1]", wave_time="hour")
def calc_rolling_upgrade_duration(n_nodes, max_unavailable, wave_time):
    """T = ceil(N / max(1, floor(u N))) x t_wave: upgrade u of the fleet at a time, wave after wave.

    Kubernetes Deployments' maxUnavailable (kubernetes.io, "Deployments: rolling update");
    each node is out once for one wave, so N t_wave node-hours are lost in all.
    """
    per_wave = max(1, math.floor(max_unavailable * n_nodes + 1e-9))
    return math.ceil(n_nodes / per_wave) * wave_time
