"""Wall 16 Multi-tenant: a shared cluster as a queue of gang-scheduled jobs.

    c = floor(nodes / ceil(g / gpus_per_node))            gangs that fit at once (whole nodes)
    fragmentation = 1 - c g / (nodes x gpus_per_node)
    rho = lambda E[S] / c
    W_q ~ C(c, a)/(c mu - lambda) x (c_a^2 + c_s^2)/2     (Allen-Cunneen G/G/c; Kingman 1961 for c = 1)
    priority class k: W_k from Cobham (1954) / Kleinrock (1976) at c-fold speed, scaled to c servers
    (Bondi & Buzen 1984)

The reference implementation uses the M/D/1 wait rho / (2 mu (1 - rho)) for the whole cluster;
this model keeps the c gangs as c servers, so a cluster of many small jobs waits far less than
one of few big ones at the same utilisation. Sources: formulas/orchestration.py, formulas/queueing.py.
"""
from __future__ import annotations

import math

from ..checks import HUGE, TINY, fraction, number, sequence
from ..checks import positive as checks_positive
from ..errors import SpecError
from ..fmt import pct
from ..formulas import (calc_allen_cunneen_wait, calc_erlang_c, calc_gang_fragmentation, calc_gang_slots,
                        calc_kingman_wait, calc_priority_waits)
from ..results import Result
from ..zoo import constants
from ._common import check_batch, check_fleet

_H = ("hour", 1 / 3600.0)
_MAX_HOURS = HUGE / 3600.0   # hours whose seconds stay within checks.HUGE


class OrchestrationResult(Result):
    """Waits, utilisation and fragmentation of a cluster shared by gang-scheduled jobs."""

    __slots__ = ()
    UNITS = {"job_duration": _H, "mean_wait": _H, "kingman_wait": _H, "arrival_rate": ("1/hour", 3600.0)}
    # An unstable cluster (offered load rho >= 1, stable False): the waits are inf and
    # ``utilization`` is the offered load rho itself, above 1 (gpu_utilization stays <= 1).
    MAY_BE_INF = frozenset({"mean_wait", "kingman_wait", "wait_over_duration", "queue_length",
                            "class_waits_hours", "utilization"})


def _nonneg(name, value, unit, positive=True, maximum=HUGE):
    """checks.positive (or non_negative): finite, from TINY to ``maximum`` (an hour is 3600 s, so
    hour inputs stop at HUGE / 3600 to keep their seconds and inverse rates in range)."""
    if (type(value) is float or type(value) is int) and TINY <= value <= maximum:   # the fast path
        return float(value)
    return checks_positive(name, value, allow_zero=not positive, maximum=maximum,
                           unit=None if unit == "dimensionless" else unit)


def _cv(name, value):
    """A coefficient of variation: >= 0 (any small value: it is squared, never divided by)."""
    if type(value) is float and 0.0 <= value <= HUGE:
        return value
    return number(name, value, lo=0.0, hi=HUGE, allowed=f"a coefficient of variation >= 0 (at most {HUGE:g})")


def _fmt_h(sec: float) -> str:
    if not math.isfinite(sec):
        return "∞ (unstable)"
    h = sec / 3600.0
    return f"{h * 60:,.3g} min" if h < 1 else f"{h:,.3g} h"


class OrchestrationModel:
    """Queueing delay of gang-scheduled jobs on a shared cluster, with priorities and preemption.

        from mlsysim_core import OrchestrationModel, Systems
        r = OrchestrationModel().solve(Systems.Clusters.Frontier_8192, job_gpus=512, job_hours=24,
                                       utilization=0.85)
        r.mean_wait, r.prob_wait, r.fragmentation, r.explain()
        # preemption: 20 % of jobs are high priority and may preempt the rest
        p = OrchestrationModel().solve(Systems.Clusters.Frontier_8192, job_gpus=512, job_hours=24,
                                       utilization=0.85, priority_shares=(0.2, 0.8), preemptive=True)
        p.class_waits_hours                      # (high, low)

    Give either ``utilization`` (busy fraction of the gang slots, in [0, 1)) or
    ``arrival_rate_per_hour`` (jobs per hour; the utilisation follows). ``arrival_cv`` and
    ``service_cv`` are the coefficients of variation of inter-arrival times and durations (1, 1:
    Poisson, exponential; the zoo's default). ``priority_shares``: the fraction of jobs in each
    class, highest priority first (sums to 1). Cost: O(number of classes) plus one Erlang-C
    evaluation (O(sqrt(slots)) terms).
    """

    def solve(self, fleet, job_gpus, job_hours, utilization=None, arrival_rate_per_hour=None,
              arrival_cv=None, service_cv=None, priority_shares=None, preemptive=False) -> OrchestrationResult:
        fleet = check_fleet(fleet)
        c0 = constants()
        g = check_batch(job_gpus, "job_gpus")
        gpn, nodes = fleet.node.accelerators_per_node, fleet.count
        if g > nodes * gpn:
            raise SpecError("job_gpus", job_gpus, f"at most the fleet's {nodes * gpn:,} accelerators")
        d = _nonneg("job_hours", job_hours, "hour", maximum=_MAX_HOURS) * 3600.0
        ca = c0.orch_arrival_cv if arrival_cv is None else _cv("arrival_cv", arrival_cv)
        cs = c0.orch_service_cv if service_cv is None else _cv("service_cv", service_cv)
        if preemptive is not True and preemptive is not False:
            raise SpecError("preemptive", preemptive, "True or False")
        slots = int(calc_gang_slots.raw(nodes, gpn, g))
        if (utilization is None) == (arrival_rate_per_hour is None):
            raise SpecError("utilization", utilization, "a number in [0, 1), or None with arrival_rate_per_hour "
                            "given (give exactly one)")
        if utilization is not None:
            if isinstance(utilization, bool) or not isinstance(utilization, (int, float)) or \
                    not 0.0 <= utilization < 1.0:
                raise SpecError("utilization", utilization, "a number in [0, 1): the busy fraction of the gang slots")
            rho = float(utilization)
            lam = rho * slots / d
        else:
            lam = _nonneg("arrival_rate_per_hour", arrival_rate_per_hour, "1/hour", False, _MAX_HOURS) / 3600.0
            rho = lam * d / slots
        shares = (1.0,) if priority_shares is None else _shares(priority_shares)

        mu = 1.0 / d
        stable = rho < 1.0
        if lam > 0:
            wait = calc_allen_cunneen_wait.raw(lam, mu, slots, ca, cs)
            pw = calc_erlang_c.raw(slots, lam / mu)       # (the offered load as the M/M/c wait computes it)
            class_waits = calc_priority_waits.raw(lam, d, slots, shares, cs, preemptive)
        else:
            wait = pw = 0.0
            class_waits = (0.0,) * len(shares)
        frag = calc_gang_fragmentation.raw(nodes, gpn, g)
        finite = wait < math.inf
        r = {"fleet": fleet.name, "job_gpus": g, "job_duration": d, "gang_nodes": math.ceil(g / gpn),
             "slots": slots, "fragmentation": frag, "utilization": rho,    # (above 1 when unstable)
             "gpu_utilization": min(1.0, rho) * (1.0 - frag), "arrival_rate": lam, "stable": stable,
             "prob_wait": pw, "mean_wait": wait, "wait_over_duration": wait / d if finite else math.inf,
             "queue_length": lam * wait if finite else math.inf,
             "kingman_wait": calc_kingman_wait.raw(rho, d, ca, cs),
             "arrival_cv": ca, "service_cv": cs, "priority_shares": shares, "preemptive": preemptive,
             "class_waits_hours": tuple([w / 3600.0 for w in class_waits])}
        return OrchestrationResult(r, lambda: _work(r))


def _shares(shares):
    if type(shares) is tuple and 0 < len(shares) <= 16:     # the fast path: a tuple of floats in (0, 1]
        for v in shares:
            if type(v) is not float or not 0.0 < v <= 1.0:
                break
        else:
            if abs(sum(shares) - 1.0) <= 1e-9:
                return shares
    allowed = "1 to 16 fractions in (0, 1] that sum to 1, highest priority first"
    vals = sequence("priority_shares", shares, fraction, max_len=16, what="a list of class fractions")
    if abs(sum(vals) - 1.0) > 1e-9:
        raise SpecError("priority_shares", shares, allowed)
    return vals


def _work(r):
    rows = [
        ("Gang slots", "c = \\lfloor \\text{nodes} / \\lceil g / g_{node} \\rceil \\rfloor",
         f"{r['job_gpus']:,}-GPU gangs on {r['gang_nodes']:,} node(s) each: **{r['slots']:,} at once**; "
         f"fragmentation {pct(r['fragmentation'])}"),
        ("Utilisation", "\\rho = \\lambda E[S] / c",
         f"{r['arrival_rate'] * 3600:,.3g} jobs/h × {r['job_duration'] / 3600:,.3g} h / {r['slots']:,} = "
         f"**{pct(r['utilization'])}**"),
        ("Mean wait (Allen-Cunneen)", "W_q \\approx \\frac{C(c,a)}{c\\mu - \\lambda}\\cdot\\frac{c_a^2 + c_s^2}{2}",
         f"P(wait) = {pct(r['prob_wait'])}; **{_fmt_h(r['mean_wait'])}** "
         f"({r['wait_over_duration']:.3g} job durations; were one gang to run at a time, Kingman: {_fmt_h(r['kingman_wait'])})"),
    ]
    if len(r["priority_shares"]) > 1:
        kind = "preemptive resume" if r["preemptive"] else "non-preemptive"
        parts = ", ".join(f"class {i + 1} ({pct(s, 0)}): {_fmt_h(w * 3600)}"
                          for i, (s, w) in enumerate(zip(r["priority_shares"], r["class_waits_hours"])))
        rows.append((f"Priority classes ({kind})",
                     "W_k = \\frac{W_0}{(1-\\sigma_{k-1})(1-\\sigma_k)}", parts))
    return rows
