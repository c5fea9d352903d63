"""Shared clusters as queues (Wall 16 Multi-tenant): waits vs utilisation, gang fragmentation,
priority classes and preemption.

Sources: Kingman (1961), 'The single server queue in heavy traffic', Proc. Cambridge Phil. Soc.
57(4) (G/G/1 heavy-traffic wait); Allen (1990), Probability, Statistics and Queueing Theory,
2nd ed., section 6.8 (the Allen-Cunneen G/G/c approximation); Cobham (1954), 'Priority assignment
in waiting line problems', Operations Research 2(1), and Kleinrock (1976), Queueing Systems Vol. 2,
section 3.6 (M/G/1 priority classes); Bondi & Buzen (1984), 'The response times of priority classes
under preemptive resume in M/G/m queues', ACM SIGMETRICS (the c-server scaling).
"""
from __future__ import annotations

import math

from .._formula import formula
from ..checks import flag, probability, sequence
from ..errors import SpecError
from .queueing import calc_mmc_mean_wait


def _shares(v):
    # each class's fraction of the arrivals; together at most all of them
    out = sequence("shares", v, probability, max_len=1_000, what="a list of class shares in [0, 1]")
    if sum(out) > 1.0 + 1e-9:
        raise SpecError("shares", v, "class shares in [0, 1] that sum to at most 1")
    return out


@formula("s", utilization="[0,1)", mean_service="s", arrival_cv=">=0", service_cv=">=0")
def calc_kingman_wait(utilization, mean_service, arrival_cv=1.0, service_cv=1.0):
    """W_q ~ rho/(1 - rho) x (c_a^2 + c_s^2)/2 x E[S] (Kingman 1961; exact for M/M/1 and M/G/1).

    At rho = 0.9 with Poisson arrivals and exponential service: 9 x E[S]. The queue is unstable at
    rho >= 1: the public function refuses it, ``.raw`` returns inf (for solvers' sweeps).
    """
    if utilization >= 1.0:
        return math.inf
    return utilization / (1.0 - utilization) * (arrival_cv ** 2 + service_cv ** 2) / 2.0 * mean_service


@formula("s", arrival_rate="1/s", service_rate="1/s")
def calc_allen_cunneen_wait(arrival_rate, service_rate, servers, arrival_cv=1.0, service_cv=1.0):
    """G/G/c: W_q ~ W_q(M/M/c) x (c_a^2 + c_s^2)/2 (Allen 1990, section 6.8; Whitt 1993)."""
    return calc_mmc_mean_wait.raw(arrival_rate, service_rate, servers) * (arrival_cv ** 2 + service_cv ** 2) / 2.0


@formula(None, total_nodes="int>=1", gpus_per_node="int>=1", job_gpus="int>=1")
def calc_gang_slots(total_nodes, gpus_per_node, job_gpus):
    """Concurrent gangs: floor(nodes / ceil(g / gpus_per_node)), each gang on whole nodes."""
    return float(total_nodes // math.ceil(job_gpus / gpus_per_node))


@formula(None, total_nodes="int>=1", gpus_per_node="int>=1", job_gpus="int>=1")
def calc_gang_fragmentation(total_nodes, gpus_per_node, job_gpus):
    """GPUs no gang can use, as a fraction: 1 - slots x g / (nodes x gpus_per_node).

    Internal (a gang rounded up to whole nodes) plus external (nodes left over that cannot host
    another gang). Source: Jeon et al. (2019), USENIX ATC, section 4 (gang scheduling on Philly).
    """
    slots = calc_gang_slots.raw(total_nodes, gpus_per_node, job_gpus)
    return 1.0 - slots * job_gpus / (total_nodes * gpus_per_node)


@formula("s", arrival_rate="1/s", mean_service="s>0", servers="int>=1", shares=_shares, service_cv=">=0",
         preemptive=lambda v: flag("preemptive", v))
def calc_priority_waits(arrival_rate, mean_service, servers, shares, service_cv=1.0, preemptive=False):
    """Mean wait of each priority class (highest first), classes sharing one service distribution.

    M/G/1 at c-fold speed (E[S]/c): sigma_k = sum_{i<=k} rho_i, W0 = lambda E[S^2]/2;
    non-preemptive (Cobham 1954): W_k = W0 / ((1 - sigma_{k-1})(1 - sigma_k));
    preemptive resume (Kleinrock 1976, 3.6): T_k = E[S](1/(1 - sigma_{k-1})) + W0_k/((1-sigma_{k-1})(1-sigma_k)),
    W0_k over classes <= k, wait = T_k - E[S]. Scaled to c servers by W(M/G/c)/W(M/G/1 fast)
    (Bondi & Buzen 1984). Returns one wait per class (inf for a class that is unstable).
    """
    c = servers
    s_fast = mean_service / c
    es2 = (1.0 + service_cv ** 2) * s_fast ** 2
    rho = arrival_rate * s_fast
    w_fast_fcfs = calc_kingman_wait.raw(rho, s_fast, 1.0, service_cv)
    scale = 1.0
    if c > 1 and math.isfinite(w_fast_fcfs) and w_fast_fcfs > 0:
        scale = calc_allen_cunneen_wait.raw(arrival_rate, 1.0 / mean_service, c, 1.0, service_cv) / w_fast_fcfs
    waits, sigma_prev, w0_prev = [], 0.0, 0.0
    half_es2 = es2 / 2.0                            # (x / 2 is exact: the same numbers as x es2 / 2)
    w0_all = arrival_rate * half_es2
    for f in shares:
        lk = arrival_rate * f
        sigma = sigma_prev + lk * s_fast
        w0_k = w0_prev + lk * half_es2
        if sigma >= 1.0 or sigma_prev >= 1.0:
            waits.append(math.inf)
        else:
            free_prev = 1.0 - sigma_prev
            if preemptive:
                t = s_fast / free_prev + w0_k / (free_prev * (1.0 - sigma))
                waits.append(max(0.0, t - s_fast) * scale)
            else:
                waits.append(w0_all / (free_prev * (1.0 - sigma)) * scale)
        sigma_prev, w0_prev = sigma, w0_k
    return tuple(waits)
