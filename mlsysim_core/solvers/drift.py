"""ML operations under drift (Wall 15 Fragility, Wall 17 Capital): when to retrain, what it costs.

    A(t) = A_0 - r t                                 (linear decay; Vela et al. 2022)
    cost/day(T) = C / T + v r T / 2 + monitoring     (Harris 1913 trade-off)
    T* = sqrt(2 C / (v r));   T_SLO = (A_0 - A_min) / r
    E[bad release] = p v_loss f (t_detect + t_rollback) per release   (SRE Workbook ch. 16)

Accuracy is in points (0-100); money in USD; durations in days. O(1) per solve.
"""
from __future__ import annotations

from ..checks import fraction, item_of, number, positive, probability, sequence
from ..fmt import pct, usd
from ..formulas.drift import (calc_accuracy_under_drift, calc_bad_release_cost, calc_drift_cost_rate,
                              calc_optimal_retraining_interval)
from ..results import Result
from ..zoo import constants

_DAYS_PER_YEAR = 365.0   # calendar, not a registry number


class DriftResult(Result):
    __slots__ = ()
    UNITS = {"interval": ("day", 1.0), "optimal_interval": ("day", 1.0), "slo_interval": ("day", 1.0)}


class DriftModel:
    """Accuracy decay, the optimal retraining interval, monitoring and rollback costs."""

    def solve(self, retrain_cost_usd, initial_accuracy=90.0, decay_per_day=None, value_per_point_day=None,
              interval_days=None, monitoring_cost_per_day=0.0, accuracy_slo=None, p_bad_release=0.0,
              detection_days=1.0, rollback_days=0.0, canary_fraction=1.0,
              bad_release_drop=None) -> DriftResult:
        """``interval_days`` None: retrain at the optimum T*. ``accuracy_slo``: the lowest accuracy
        (points) allowed; the result says whether the interval keeps it. ``p_bad_release``: the chance a
        retrained model is worse (by ``bad_release_drop`` points) and must be rolled back;
        ``canary_fraction`` of traffic sees it first. Its expected cost is paid once per release, so it
        adds to the retraining cost C in T* = sqrt(2 (C + E_bad) / (v r))."""
        c = constants()
        cost = positive("retrain_cost_usd", retrain_cost_usd, unit="USD")
        a0 = number("initial_accuracy", initial_accuracy, lo=0.0, hi=100.0, lo_open=True)
        r = c.drift_accuracy_decay_per_day if decay_per_day is None else positive(
            "decay_per_day", decay_per_day, maximum=100.0)
        v = c.drift_value_per_point_day if value_per_point_day is None else positive(
            "value_per_point_day", value_per_point_day, unit="USD/day")
        t = None if interval_days is None else positive("interval_days", interval_days, unit="day",
                                                         maximum=100 * _DAYS_PER_YEAR)
        mon = positive("monitoring_cost_per_day", monitoring_cost_per_day, allow_zero=True, unit="USD/day")
        slo = None if accuracy_slo is None else number("accuracy_slo", accuracy_slo, lo=0.0, hi=a0,
                                                       allowed=f"a number of accuracy points in [0, {a0:g}] "
                                                               "(at most initial_accuracy)")
        p_bad = probability("p_bad_release", p_bad_release)
        t_det = positive("detection_days", detection_days, allow_zero=True, unit="day")
        t_rb = positive("rollback_days", rollback_days, allow_zero=True, unit="day")
        f = fraction("canary_fraction", canary_fraction)
        drop = c.drift_bad_release_drop if bad_release_drop is None else positive(
            "bad_release_drop", bad_release_drop, maximum=100.0)
        bad = calc_bad_release_cost.raw(p_bad, v * drop, t_det, t_rb, f)   # USD per release
        t_opt = calc_optimal_retraining_interval.raw(cost + bad, r, v)
        if interval_days is None:
            t = t_opt
        a_min = calc_accuracy_under_drift.raw(a0, r, t)
        gap_end = a0 - a_min
        # beyond accuracy 0 the linear model stops: the loss is capped at the whole accuracy
        drift_loss = v * (gap_end if gap_end < r * t else r * t) / 2.0
        retrain_rate = cost / t
        release = bad / t
        total = retrain_rate + drift_loss + mon + release
        out = {
            "initial_accuracy": a0, "decay_per_day": r, "value_per_point_day": v, "retrain_cost_usd": cost,
            "interval": t, "optimal_interval": t_opt, "retrains_per_year": _DAYS_PER_YEAR / t,
            "min_accuracy": a_min, "mean_accuracy": a0 - (gap_end if gap_end < r * t else r * t) / 2.0,
            "retrain_cost_per_day": retrain_rate, "drift_loss_per_day": drift_loss,
            "monitoring_cost_per_day": mon, "release_risk_per_day": release, "cost_per_day": total,
            "annual_cost_usd": total * _DAYS_PER_YEAR,
            "optimal_cost_per_day": calc_drift_cost_rate.raw(cost + bad, t_opt, r, v) + mon,
            "bad_release_cost_usd": bad, "bad_release_drop": drop,
            "accuracy_slo": slo, "slo_interval": None if slo is None else (a0 - slo) / r,
            "meets_slo": True if slo is None else a_min >= slo - 1e-12,
            "p_bad_release": p_bad, "canary_fraction": f,
        }
        return DriftResult(out, lambda: _work(out))

    def curve(self, retrain_cost_usd, intervals_days, **kwargs) -> list[dict]:
        """Cost per day (retraining, drift loss, total) at each interval: the U-curve, as chart rows.
        1 to 400 intervals."""
        rows = []
        for i, t in enumerate(sequence("intervals_days", intervals_days, max_len=400)):
            with item_of(f"intervals_days[{i}]", t, "interval_days"):
                r = self.solve(retrain_cost_usd, interval_days=t, **kwargs)
            rows.append({"days": r.raw("interval"), "retraining": r.retrain_cost_per_day,
                         "drift loss": r.drift_loss_per_day, "total": r.cost_per_day})
        return rows


def _work(r):
    rows = [
        ("Accuracy at the end of a cycle", "A(T) = A_0 - r\\,T",
         f"{r['initial_accuracy']:g} - {r['decay_per_day']:g} × {r['interval']:,.3g} d = **{r['min_accuracy']:.2f} points**"
         + ("" if r["accuracy_slo"] is None else
            f" vs SLO {r['accuracy_slo']:g} ({'met' if r['meets_slo'] else 'missed'}; the SLO allows at most "
            f"{r['slo_interval']:,.3g} d)")),
        ("Optimal interval", "T^* = \\sqrt{2(C + E_{bad}) / (v\\,r)}",
         f"sqrt(2 × ({usd(r['retrain_cost_usd'])} + {usd(r['bad_release_cost_usd'])}) / ({usd(r['value_per_point_day'])}/point-day × {r['decay_per_day']:g} "
         f"points/d)) = **{r['optimal_interval']:,.3g} days**"),
        ("Cost per day", "\\frac{C}{T} + \\frac{v\\,r\\,T}{2} + M + R",
         f"{usd(r['retrain_cost_per_day'])} retraining + {usd(r['drift_loss_per_day'])} drift loss + "
         f"{usd(r['monitoring_cost_per_day'])} monitoring + {usd(r['release_risk_per_day'])} bad-release risk = "
         f"**{usd(r['cost_per_day'])}/day** ({usd(r['annual_cost_usd'])}/year; at T* {usd(r['optimal_cost_per_day'])}/day)"),
    ]
    if r["p_bad_release"] > 0:
        rows.append(("Bad-release risk", "E_{bad} = p \\, v \\, \\Delta A \\, f \\, (t_{detect} + t_{rollback})",
                     f"p = {pct(r['p_bad_release'])}, drop {r['bad_release_drop']:g} points, canary fraction "
                     f"f = {r['canary_fraction']:g}: **{usd(r['bad_release_cost_usd'])} per release**, "
                     f"{usd(r['release_risk_per_day'])}/day"))
    return rows
