"""Where an ML project's time and money go across its lifecycle (data, experiments, training,
deployment, retraining)."""
from __future__ import annotations

from .._formula import formula


@formula("hour", training_gpu_hours="hour")
def calc_experiment_gpu_hours(n_experiments, experiment_size, training_gpu_hours):
    """G_exp = n x s x G_train: n experiments (ablations, sweeps), each a fraction s of the final run.

    Source: Sculley et al. (2015), "Hidden Technical Debt in Machine Learning Systems", NeurIPS,
    section 7 (experimentation is a recurring cost); the n and s defaults are estimates.
    """
    return n_experiments * experiment_size * training_gpu_hours


@formula("hour", gpu_seconds_per_query="s", days="day")
def calc_serving_gpu_hours(queries_per_day, gpu_seconds_per_query, days):
    """G_serve = Q x g x T / 3600: accelerator-hours to answer Q queries a day for T days, g each."""
    return queries_per_day * gpu_seconds_per_query * days / 3600.0


@formula("USD", engineer_hours="hour", hourly_cost="USD/hour", share="[0,1]")
def calc_people_cost(engineer_hours, hourly_cost, share=1.0):
    """C = H x c x share: the part ``share`` of H engineer-hours at c per hour.

    Source for the data share: Anaconda (2020), State of Data Science (45 % of time on data
    loading and cleansing; a survey, an estimate).
    """
    return engineer_hours * hourly_cost * share
