"""Silent degradation: accuracy decay under data drift and the retraining interval that pays."""
from __future__ import annotations

import math

from .._formula import formula
from ..checks import positive


@formula(None, days="day")
def calc_accuracy_under_drift(initial_accuracy, decay_per_day, days):
    """A(t) = max(0, A_0 - r t): accuracy (in points) falls linearly with time since training.

    Source: Vela et al. (2022), "Temporal quality degradation in AI models", Scientific Reports
    12:11654 (91 % of 128 model-dataset pairs degrade; many near-linearly over the first year).
    A first-order model: real decay may be faster at first or step-like after a sudden shift.
    """
    return max(0.0, initial_accuracy - decay_per_day * days)


@formula("USD/day", retrain_cost="USD", interval="day", value_per_point_day="USD/day")
def calc_drift_cost_rate(retrain_cost, interval, decay_per_day, value_per_point_day):
    """Cost per day of retraining every T days: C / T + v r T / 2.

    Retraining costs C once per cycle; in between the accuracy gap grows from 0 to r T, so its
    average is r T / 2 points, each worth v per day. The economic-order-quantity trade-off of
    Harris (1913), "How many parts to make at once", Factory 10(2).
    """
    return retrain_cost / positive("interval", interval, unit="day") + value_per_point_day * decay_per_day * interval / 2.0


@formula("day", retrain_cost="USD", value_per_point_day="USD/day")
def calc_optimal_retraining_interval(retrain_cost, decay_per_day, value_per_point_day):
    """T* = sqrt(2 C / (v r)): where the retraining and drift terms of C/T + v r T/2 are equal
    (Harris 1913; the same square root as Young-Daly's checkpoint interval)."""
    return math.sqrt(2.0 * retrain_cost / (positive("value_per_point_day", value_per_point_day, unit="USD/day")
                                           * positive("decay_per_day", decay_per_day)))


@formula("USD", p_bad="[0,1]", loss_per_day="USD/day", detection_days="day", rollback_days="day",
          exposed_fraction="[0,1]")
def calc_bad_release_cost(p_bad, loss_per_day, detection_days, rollback_days=0.0, exposed_fraction=1.0):
    """E[cost of a release] = p_bad x loss/day x f x (t_detect + t_rollback).

    A bad model is caught after the monitoring delay and rolled back; a canary exposes only the
    fraction f of traffic meanwhile (Google SRE Workbook (2018), chapter 16, "Canarying Releases").
    """
    return p_bad * loss_per_day * exposed_fraction * (detection_days + rollback_days)
