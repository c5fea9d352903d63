"""Failures and checkpoints: MTBF, failure probability, Young-Daly."""
from __future__ import annotations

import math

from .._formula import formula
from ..errors import SpecError


@formula("hour", component_mtbf="hour>0", n_components="int>=1")
def calc_mtbf_cluster(component_mtbf, n_components):
    """MTBF_cluster = MTBF_component / N (independent exponential failures; equations page 7.1)."""
    return component_mtbf / n_components


@formula("hour", gpu_mtbf="hour>0", n_gpus="int>=0", nic_mtbf="hour>0", n_nics="int>=0", psu_mtbf="hour>0",
         n_psus="int>=0")
def calc_mtbf_node(gpu_mtbf, n_gpus, nic_mtbf=float("inf"), n_nics=0, psu_mtbf=float("inf"), n_psus=0):
    """Series system: 1/MTBF_node = sum_i n_i / MTBF_i (exponential failure model)."""
    rate = n_gpus / gpu_mtbf + n_nics / nic_mtbf + n_psus / psu_mtbf
    if rate <= 0.0:
        raise SpecError("n_gpus", n_gpus, "at least one component (n_gpus, n_nics or n_psus >= 1)")
    return 1.0 / rate


@formula(None, mtbf="hour>0", job_duration="hour")
def calc_failure_probability(mtbf, job_duration):
    """P(>= 1 failure) = 1 - exp(-T / MTBF) (equations page 8)."""
    return -math.expm1(-job_duration / mtbf)


@formula(None, mtbf="hour>0", job_duration="hour")
def calc_expected_failures(mtbf, job_duration):
    """E[failures] = T / MTBF (Poisson failures)."""
    return job_duration / mtbf


@formula("s", checkpoint_time="s", mtbf="s")
def calc_young_daly_interval(checkpoint_time, mtbf):
    """tau_opt = sqrt(2 delta M).

    Source: Young (1974), Commun. ACM 17(9); Daly (2006), FGCS 22(3); equations page 7.2.
    """
    return math.sqrt(2.0 * checkpoint_time * mtbf)


@formula(None, interval="s>0", checkpoint_time="s")
def calc_checkpoint_write_overhead(interval, checkpoint_time):
    """Fraction of time spent writing checkpoints: delta / tau (Young 1974)."""
    return checkpoint_time / interval


@formula(None, interval="s", mtbf="s>0")
def calc_lost_work_fraction(interval, mtbf):
    """Expected work redone after failures: tau / (2 M), half an interval per failure (Young 1974)."""
    return interval / (2.0 * mtbf)


@formula(None, interval="s>0", checkpoint_time="s", mtbf="s>0")
def calc_checkpoint_waste(interval, checkpoint_time, mtbf):
    """Waste = delta / tau + tau / (2 M): checkpoint writes plus expected lost work.

    Source: Young (1974), Commun. ACM 17(9). Both terms are equal at tau = sqrt(2 delta M), the
    interval of ``calc_young_daly_interval``. (Equations page 7.3 prints delta/(2 tau), whose
    optimum would be sqrt(delta M), contradicting its own 7.2; we keep the consistent form.)
    """
    return calc_checkpoint_write_overhead.raw(interval, checkpoint_time) + calc_lost_work_fraction.raw(interval, mtbf)


@formula(None, availability="[0,1]", n_replicas="int>=1")
def calc_availability_stacked(availability, n_replicas):
    """A = 1 - (1 - a)^k: k redundant replicas, any one suffices."""
    return 1.0 - (1.0 - availability) ** n_replicas
