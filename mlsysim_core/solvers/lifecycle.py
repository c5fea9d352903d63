"""The constraint tax (Wall 3, Wall 11): the whole lifecycle of one model, not just its training run.

    G_train from TrainingTimeModel (6 P D over the accelerators' delivered FLOP/s)
    G_exp   = n x s x G_train;   G_retrain = k x years x s_r x G_train
    G_serve = Q x g x T / 3600, g from ServingModel (transformers) or Engine (others)
    money   = G x cloud price + engineer-hours x hourly cost (data share d, the rest engineering)

The tax is the lifecycle total over the training run alone. O(1): three solver calls.
"""
from __future__ import annotations

from ..checks import fraction, integer, positive, probability
from ..fmt import pct, usd
from ..formulas.lifecycle import calc_experiment_gpu_hours, calc_people_cost, calc_serving_gpu_hours
from ..results import Result
from ..specs import TransformerWorkload
from ..zoo import constants
from ._common import check_hardware, check_model
from .engine import Engine
from .serving import ServingModel
from .training import TrainingTimeModel

PHASES = ("data", "experiments", "training", "engineering", "serving", "retraining")
_DAYS_PER_YEAR = 365.0
_TRAIN, _SERVE = TrainingTimeModel(), ServingModel()


class LifecycleResult(Result):
    __slots__ = ()
    UNITS = {"gpu_seconds_per_query": ("ms", 1e3)}

    def breakdown(self) -> list[dict]:
        """One row per phase: cost (USD), share of the total, accelerator-hours, engineer-hours."""
        v = self._v
        return [{"phase": p, "cost_usd": v[f"{p}_cost_usd"], "share": v[f"{p}_cost_usd"] / v["total_cost_usd"],
                 "gpu_hours": v.get(f"{p}_gpu_hours", 0.0), "engineer_hours": v.get(f"{p}_engineer_hours", 0.0)}
                for p in PHASES]


class LifecycleModel:
    """Lifecycle cost and effort of one model: data, experiments, training, deployment, retraining."""

    def solve(self, model, hardware, n_accelerators=8, n_tokens=None, mfu=0.5, years=1.0,
              queries_per_day=1e6, prompt_tokens=512, output_tokens=128, serving_batch=8,
              n_experiments=None, experiment_size=None, retrains_per_year=None, retrain_size=None,
              engineer_hours=None, data_prep_share=None, gpu_hour_price=None,
              engineer_hour_cost=None, precision="fp16") -> LifecycleResult:
        c = constants()
        check_model(model)
        check_hardware(hardware)
        n = integer("n_accelerators", n_accelerators, minimum=1)
        yrs = positive("years", years, unit="year", maximum=100.0)
        qpd = positive("queries_per_day", queries_per_day, allow_zero=True, maximum=1e15)
        n_exp = c.lifecycle_experiments_per_model if n_experiments is None else integer(
            "n_experiments", n_experiments, minimum=0, maximum=100_000)
        s_exp = c.lifecycle_experiment_size if experiment_size is None else fraction("experiment_size", experiment_size)
        k = c.lifecycle_retrains_per_year if retrains_per_year is None else positive(
            "retrains_per_year", retrains_per_year, allow_zero=True, maximum=365.0 * 24)
        s_re = c.lifecycle_retrain_size if retrain_size is None else fraction("retrain_size", retrain_size)
        hours = c.lifecycle_engineer_hours if engineer_hours is None else positive(
            "engineer_hours", engineer_hours, allow_zero=True, unit="hour")
        d = c.lifecycle_data_prep_share if data_prep_share is None else probability("data_prep_share", data_prep_share)
        price = c.cloud_gpu_hour_price if gpu_hour_price is None else positive(
            "gpu_hour_price", gpu_hour_price, allow_zero=True, unit="USD/hour")
        rate = c.lifecycle_engineer_hour_cost if engineer_hour_cost is None else positive(
            "engineer_hour_cost", engineer_hour_cost, allow_zero=True, unit="USD/hour")
        batch = integer("serving_batch", serving_batch, minimum=1, maximum=65536)

        train = _TRAIN.solve(model, hardware=hardware, n_accelerators=n, n_tokens=n_tokens, mfu=mfu,
                             precision=precision)
        g_train = train.gpu_hours
        if isinstance(model, TransformerWorkload):
            srv = _SERVE.solve(model, hardware, seq_len=integer("prompt_tokens", prompt_tokens, minimum=1),
                               batch_size=batch, output_tokens=integer("output_tokens", output_tokens, minimum=0),
                               precision=precision)
            per_query = srv.raw("request_latency") / batch
            fits = srv.feasible
        else:
            prof = Engine.solve(model, hardware, batch_size=batch, precision=precision)
            per_query = prof.raw("latency") / batch
            fits = prof.feasible
        days = yrs * _DAYS_PER_YEAR
        gpu = {"experiments": calc_experiment_gpu_hours.raw(n_exp, s_exp, g_train), "training": g_train,
               "serving": calc_serving_gpu_hours.raw(qpd, per_query, days),
               "retraining": k * yrs * s_re * g_train}
        people = {"data": d * hours, "engineering": (1.0 - d) * hours}
        r = {f"{p}_gpu_hours": g for p, g in gpu.items()}
        r.update({f"{p}_engineer_hours": h for p, h in people.items()})
        for p, g in gpu.items():
            r[f"{p}_cost_usd"] = g * price
        for p in people:
            r[f"{p}_cost_usd"] = calc_people_cost.raw(hours, rate, d if p == "data" else 1.0 - d)
        total = sum(r[f"{p}_cost_usd"] for p in PHASES)
        r.update({
            "total_cost_usd": total, "training_days": train.training_days, "n_accelerators": n,
            "constraint_tax": total / r["training_cost_usd"] if r["training_cost_usd"] > 0 else None,
            "training_share": r["training_cost_usd"] / total if total > 0 else 0.0,
            "gpu_seconds_per_query": per_query, "serving_fits": fits, "years": yrs,
            "queries_per_day": qpd, "gpu_hour_price": price, "engineer_hour_cost": rate,
            "engineer_hours": hours, "data_prep_share": d, "n_experiments": n_exp, "experiment_size": s_exp,
            "retrains_per_year": k, "retrain_size": s_re, "model": model.name, "hardware": hardware.name,
        })
        return LifecycleResult(r, lambda: _work(r, train))


def _work(r, train):
    rows = [(name, eq, num) for name, eq, num in train._work()]
    rows += [
        ("Experiments", "G_{exp} = n\\,s\\,G_{train}",
         f"{r['n_experiments']} × {r['experiment_size']:g} × {r['training_gpu_hours']:,.0f} GPU-h = "
         f"**{r['experiments_gpu_hours']:,.0f} GPU-h**"),
        ("Serving", "G_{serve} = Q\\,g\\,T / 3600",
         f"{r['queries_per_day']:,.0f}/day × {r['gpu_seconds_per_query'] * 1e3:.3g} ms × {r['years'] * 365:,.0f} d = "
         f"**{r['serving_gpu_hours']:,.0f} GPU-h**"),
        ("Retraining", "G_{re} = k\\,Y\\,s_r\\,G_{train}",
         f"{r['retrains_per_year']:g}/yr × {r['years']:g} yr × {r['retrain_size']:g} × {r['training_gpu_hours']:,.0f} = "
         f"**{r['retraining_gpu_hours']:,.0f} GPU-h**"),
        ("People", "C = H\\,c\\,(d \\text{ data} + (1-d) \\text{ engineering})",
         f"{r['engineer_hours']:,.0f} h × ${r['engineer_hour_cost']:g}/h, data share {pct(r['data_prep_share'], 0)}: "
         f"**{usd(r['data_cost_usd'])} data + {usd(r['engineering_cost_usd'])} engineering**"),
        ("Constraint tax", "\\text{total} / C_{train}",
         f"{usd(r['total_cost_usd'])} / {usd(r['training_cost_usd'])} = **{r['constraint_tax']:.3g}×**; "
         f"the training run is {pct(r['training_share'])} of the lifecycle" if r["constraint_tax"] else
         f"total {usd(r['total_cost_usd'])}"),
    ]
    return rows
