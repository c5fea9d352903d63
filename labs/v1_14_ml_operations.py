# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.14
# goal: Find how often to retrain a model whose accuracy drifts down, and what monitoring, canaries and rollbacks cost.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.14 · Silent degradation")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import (DriftModel, Hardware, LifecycleModel, MLSysError, Models,
                              calc_accuracy_under_drift, calc_optimal_retraining_interval, constants)
    from mlsysim_core.fmt import pct, usd

    DRIFT = DriftModel()
    LIFECYCLE = LifecycleModel()
    # language models the retraining cost is computed for (6 P D on the chosen accelerators)
    LANGUAGE = {name: m for name, m in Models.options().items()
                if hasattr(m, "heads") and m.parameters_count < 1e11}
    ACCELERATORS = {name: hw for name, hw in Hardware.options().items()
                    if hw.compute.peak_flop_s("fp16") >= 1e14}
    labkit.init()  # colour-blind-safe chart theme


@app.function
def retrain_cost(model, hardware, n_accelerators, tokens, engineer_hours):
    """One retraining: its compute (TrainingTimeModel at cloud prices) plus the people's hours
    (evaluation, review, rollout), both from the engine's LifecycleModel with nothing else in it."""
    return LIFECYCLE.solve(model, hardware, n_accelerators=n_accelerators, n_tokens=tokens, queries_per_day=0,
                           n_experiments=0, retrains_per_year=0, engineer_hours=engineer_hours)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.14 · Silent degradation

    A deployed model does not crash when the world changes; it just gets quietly worse. Users'
    vocabulary shifts, products change, fraudsters adapt. Vela et al. (2022) found that 91 % of
    the 128 model-dataset pairs they followed degraded over time. Retraining restores accuracy but
    costs compute and people; waiting costs accuracy, and accuracy is money.

    With accuracy falling $r$ points a day after each retraining, each point worth $v$ dollars a
    day, and a retraining costing $C$, retraining every $T$ days costs per day

    $$\text{cost}(T) = \underbrace{\frac{C}{T}}_{\text{retraining}}
    + \underbrace{\frac{v\,r\,T}{2}}_{\text{accuracy lost}} + M
    \qquad\Longrightarrow\qquad T^* = \sqrt{\frac{2\,C}{v\,r}}$$

    the economic-order-quantity trade-off of Harris (1913), the same square root as Young–Daly's
    checkpoint interval; $M$ is monitoring. An accuracy floor (SLO) $A_{\min}$ caps the interval
    at $T_{\text{SLO}} = (A_0 - A_{\min})/r$. A retrained model can also be *worse*: with
    probability $p$ it costs $\Delta A$ points until monitoring catches it, unless a canary shows it
    to a share $f$ of traffic first.

    **After this lab you can**

    - derive the retraining interval that minimises cost, and say how it scales with each input;
    - tell when the accuracy SLO, not cost, sets the schedule;
    - price monitoring, canaries and rollbacks against the accuracy they protect.
    """)
    return


@app.cell(hide_code=True)
def _():
    labkit.toolbar()
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Predict, then reveal

    A team retrains every $T^*$ days. A cheaper pipeline (fewer tokens, automated evaluation)
    makes each retraining **4 × cheaper**; drift and the value of accuracy are unchanged.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"Retrain 4 × as often": "4x", "Retrain 2 × as often": "2x",
                 "Keep the same schedule: drift has not changed": "same",
                 "Retrain less often: each one is cheaper, fewer are needed": "less"},
        label="Predict: how should the retraining interval change?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _c = constants()
    _cost = 40_000.0
    _before = DRIFT.solve(_cost)
    _after = DRIFT.solve(_cost / 4)
    _ratio = _before.raw("optimal_interval") / _after.raw("optimal_interval")
    _truth = "4x" if _ratio > 3 else "2x" if _ratio > 1.5 else "same" if _ratio > 0.9 else "less"
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** At {_c.drift_accuracy_decay_per_day:g} points/day and
    {labkit.money(_c.drift_value_per_point_day)} per point-day, a {labkit.money(_cost)} retraining is best every
    **{_before.optimal_interval.m_as("day"):.1f} days**; at {labkit.money(_cost / 4)} every
    **{_after.optimal_interval.m_as("day"):.1f} days**: **{_ratio:.1f} ×** as often, because
    $T^* \\propto \\sqrt{{C}}$. The daily bill halves
    ({labkit.money(_before.cost_per_day)} → {labkit.money(_after.cost_per_day)}): the saving is shared between cheaper
    retrainings and less accuracy lost between them.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · What one retraining costs

    The engine prices a retraining as $6PD$ training FLOPs on the chosen accelerators at cloud
    prices, plus the engineer-hours of evaluating and shipping it.
    """)
    return


@app.cell
def _():
    model_pick = labkit.ui.dropdown("model_pick", options=LANGUAGE, value=Models.Llama3_8B.name, label="Model")
    hw_pick = labkit.ui.dropdown("hw_pick", options=ACCELERATORS, value=Hardware.H100.name, label="Accelerator")
    gpus = labkit.ui.slider("gpus", steps=[1, 8, 16, 32, 64, 128, 256], value=8, show_value=True, label="Accelerators")
    tokens = labkit.ui.slider("tokens", steps=[1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e11], value=1e10, show_value=True,
                          label="Tokens per retraining")
    people = labkit.ui.slider("people", start=0, stop=400, step=10, value=80, show_value=True,
                          label="Engineer-hours per retraining (evaluate, review, roll out)")
    mo.vstack([model_pick, hw_pick, gpus, tokens, people])
    return gpus, hw_pick, model_pick, people, tokens


@app.cell
def _(gpus, hw_pick, model_pick, people, tokens):
    try:
        one_retrain = retrain_cost(model_pick.value, hw_pick.value, gpus.value, tokens.value, people.value)
        retrain_error = None
    except MLSysError as _e:
        one_retrain, retrain_error = None, str(_e)
    return one_retrain, retrain_error


@app.cell
def _(one_retrain, retrain_error):
    mo.stop(retrain_error is not None, mo.callout(mo.md(f"**No retraining cost:** {retrain_error}"), kind="danger"))
    mo.md(f"One retraining: **{labkit.money(one_retrain.total_cost_usd)}** = {labkit.money(one_retrain.training_cost_usd)} of compute "
          f"({labkit.num(one_retrain.training_days * 24)} h on {one_retrain.n_accelerators} accelerators) + "
          f"{labkit.money(one_retrain.data_cost_usd + one_retrain.engineering_cost_usd)} of engineer time.")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Drift, value and the schedule
    """)
    return


@app.cell
def _():
    _c = constants()
    acc0 = labkit.ui.slider("acc0", start=60, stop=99, step=1, value=90, show_value=True, label="Accuracy after retraining A₀ (points)")
    decay = labkit.ui.slider("decay", start=0.01, stop=0.5, step=0.01, value=round(_c.drift_accuracy_decay_per_day, 2),
                         show_value=True, label="Drift r (points lost per day)")
    value = labkit.ui.slider("value", steps=[100, 300, 1000, 3000, 10000, 30000], value=round(_c.drift_value_per_point_day),
                         show_value=True, label="Value of one accuracy point ($ per day)")
    slo = labkit.ui.slider("slo", start=50, stop=99, step=1, value=86, show_value=True, label="Accuracy SLO A_min (points)")
    interval = labkit.ui.slider("interval", start=1, stop=365, step=1, value=30, show_value=True, label="Your retraining interval T (days)")
    mo.vstack([acc0, decay, value, slo, interval])
    return acc0, decay, interval, slo, value


@app.cell
def _():
    monitor = labkit.ui.slider("monitor", start=0, stop=2000, step=50, value=0, show_value=True,
                           label="Monitoring ($ per day: logging, labelled samples, shadow evaluation)")
    p_bad = labkit.ui.slider("p_bad", start=0.0, stop=0.5, step=0.01, value=0.1, show_value=True,
                         label="Chance a retrained model is worse p")
    detect = labkit.ui.slider("detect", start=0.5, stop=14, step=0.5, value=3, show_value=True,
                          label="Days until monitoring catches a bad model")
    canary = labkit.ui.slider("canary", start=0.01, stop=1.0, step=0.01, value=1.0, show_value=True,
                          label="Canary: share of traffic that sees a new model first f")
    mo.vstack([monitor, p_bad, detect, canary])
    return canary, detect, monitor, p_bad


@app.cell
def _(acc0, canary, decay, detect, monitor, one_retrain, p_bad, retrain_error, slo, value):
    # the optimum: not on your interval T, so the U-curve below is not re-solved when T moves
    mo.stop(retrain_error is not None)
    try:
        _args = dict(initial_accuracy=acc0.value, decay_per_day=decay.value, value_per_point_day=value.value,
                     monitoring_cost_per_day=monitor.value, accuracy_slo=min(slo.value, acc0.value),
                     p_bad_release=p_bad.value, detection_days=detect.value, canary_fraction=canary.value)
        best = DRIFT.solve(one_retrain.total_cost_usd, **_args)
        plan_args, best_error = _args, None
    except MLSysError as _e:
        best, plan_args, best_error = None, None, str(_e)
    return best, best_error, plan_args


@app.cell
def _(best_error, interval, one_retrain, plan_args):
    # your interval: the one engine call a move of T costs
    plan, plan_error = None, best_error
    if best_error is None:
        try:
            plan = DRIFT.solve(one_retrain.total_cost_usd, interval_days=interval.value, **plan_args)
        except MLSysError as _e:
            plan_error = str(_e)
    return plan, plan_error


@app.cell
def _(best, plan, plan_error, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the schedule._"))
    mo.stop(plan_error is not None, mo.callout(mo.md(f"**These inputs are not valid.** {plan_error}"), kind="danger"))
    _stats = mo.hstack([
        mo.stat(f"{best.optimal_interval.m_as('day'):,.1f} d", label="Optimal interval T*", bordered=True,
                caption=f"{best.retrains_per_year:,.1f} retrainings a year"),
        mo.stat(usd(plan.cost_per_day), label="Your cost per day", bordered=True,
                caption=f"optimum {usd(best.cost_per_day)}/day"),
        mo.stat(f"{plan.min_accuracy:.1f}", label="Lowest accuracy in a cycle", bordered=True,
                caption=f"mean {plan.mean_accuracy:.1f} points"),
        mo.stat(usd(plan.bad_release_cost_usd), label="Expected cost of a bad release", bordered=True,
                caption="per retraining"),
    ], widths="equal")
    if not plan.meets_slo:
        _note = mo.callout(mo.md(
            f"**SLO missed.** Retraining every {plan.interval.m_as('day'):g} days lets accuracy fall to "
            f"**{plan.min_accuracy:.1f}**, {plan.accuracy_slo - plan.min_accuracy:.1f} points below the SLO of "
            f"{plan.accuracy_slo:g}. To hold it, retrain at least every **{plan.slo_interval.m_as('day'):.1f} days**"
            + (f" (sooner than the cost optimum of {best.optimal_interval.m_as('day'):.1f} days: here the SLO, not "
               "cost, sets the schedule)." if not best.meets_slo else ".")), kind="danger")
    elif plan.cost_per_day > 1.25 * best.cost_per_day:
        _note = mo.callout(mo.md(
            f"Your schedule costs **{pct(plan.cost_per_day / best.cost_per_day - 1, 0)} more** than the optimum "
            f"({labkit.money(plan.cost_per_day)} vs {labkit.money(best.cost_per_day)} a day, {labkit.money(365 * (plan.cost_per_day - best.cost_per_day))} "
            "a year)."), kind="warn")
    else:
        _note = mo.callout(mo.md("Your schedule is within 25 % of the optimum and meets the SLO."), kind="success")
    mo.vstack([_stats, _note, mo.accordion({"Show the work": mo.md(plan.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The U-curve and the sawtooth

    Left: cost per day against the interval (log axis); retraining falls as $1/T$, the accuracy
    lost rises as $T$. Right: accuracy over a year on your schedule, against the SLO.
    """)
    return


@app.cell
def _(best, best_error, plan_args, prediction):
    # the U-curve, 60 solves: once per change of the cost and drift inputs, not per move of T
    mo.stop(prediction.value is None or best_error is not None)
    _opt = best.raw("optimal_interval")
    _lo, _hi = min(_opt / 6, 1.0), max(_opt * 6, 365.0)   # also spans the interval slider, 1 .. 365 days
    _ts = [_lo * (_hi / _lo) ** (_i / 59) for _i in range(60)]
    _kw = {k: v for k, v in plan_args.items() if k != "accuracy_slo"}
    u_rows = []
    for _r in DRIFT.curve(best.retrain_cost_usd, _ts, **_kw):
        u_rows += [{"days": _r["days"], "usd": _r[_k], "term": _k} for _k in ("retraining", "drift loss", "total")]
    return (u_rows,)


@app.cell
def _(best, interval, plan, plan_error, prediction, u_rows):
    mo.stop(prediction.value is None or plan_error is not None)
    _opt = best.raw("optimal_interval")
    _x = alt.X("days:Q", scale=alt.Scale(type="log"), title="retraining interval T (days)")
    _u = labkit.chart(u_rows).mark_line().encode(
        x=_x, y=alt.Y("usd:Q", title="$ per day"), color=alt.Color("term:N", title=None),
        tooltip=[alt.Tooltip("term:N"), alt.Tooltip("days:Q", format=",.1f"), alt.Tooltip("usd:Q", format="$,.0f")])
    _dots = labkit.chart([{"days": _opt, "usd": best.cost_per_day, "what": "T*"},
                                       {"days": interval.value, "usd": plan.cost_per_day, "what": "your T"}]).mark_point(
        filled=True, size=100).encode(x=_x, y=alt.Y("usd:Q"), shape=alt.Shape("what:N", title=None), color=alt.value("black"))
    _saw = []
    _points = 180   # chart samples over the year
    for _i in range(_points + 1):
        _day = 365 * _i / _points
        _saw.append({"day": _day, "accuracy": calc_accuracy_under_drift.raw(
            plan.initial_accuracy, plan.decay_per_day, _day % interval.value)})
    _acc = labkit.chart(_saw).mark_line().encode(
        x=alt.X("day:Q", title="day of the year"), y=alt.Y("accuracy:Q", title="accuracy (points)", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("day:Q", format=".0f"), alt.Tooltip("accuracy:Q", format=".2f")])
    _floor = labkit.chart([{"accuracy": plan.accuracy_slo}]).mark_rule(color=labkit.PALETTE["vermillion"], strokeDash=[5, 3]).encode(y=alt.Y("accuracy:Q"))
    mo.hstack([alt.layer(_u, _dots).properties(width=300, height=240, title="cost per day"),
               alt.layer(_acc, _floor).properties(width=300, height=240, title="accuracy on your schedule")])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Worked example: the textbook EOQ (Harris 1913)

    The same square root sizes factory orders: demand $D$ = 1,000 units a year, ordering cost
    $S$ = \$10, holding cost $H$ = \$0.50 per unit-year give the economic order quantity
    $Q^* = \sqrt{2DS/H}$ = 200 units, an order every 0.2 years. In retraining terms the order
    cost is $C = S$ and the cost of waiting grows at $v\,r = D\,H$:
    """)
    return


@app.cell
def _():
    _t = calc_optimal_retraining_interval(10.0, 500.0, 1.0)
    mo.md(f"""
    | | engine | textbook |
    |:---|---:|---:|
    | cycle $T^* = \\sqrt{{2C/(v r)}}$ (years) | **{_t.magnitude:.3g}** | 0.2 |
    | order size $D\\,T^*$ | **{1000 * _t.magnitude:.0f}** | 200 |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - Drift turns a one-off training cost into a recurring one: the right interval balances
      retraining against the accuracy lost, at $T^* = \sqrt{2C/(vr)}$.
    - Square roots are forgiving: a 4 × cheaper retraining means retraining 2 × as often, and being
      off by 2 × from $T^*$ costs only 25 % more than the optimum.
    - An accuracy SLO is a hard ceiling $T \le (A_0 - A_{\min})/r$; when it binds, cost no longer
      chooses the schedule.
    - Monitoring and canaries pay for themselves through the bad releases they contain: a canary
      to 5 % of traffic cuts a bad release's cost 20 ×, which also makes frequent retraining safer.

    ## Exercises

    The notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=0.1, label="days")
    mo.vstack([mo.md("**1.** A retraining costs \\$20,000, accuracy drifts 0.1 points a day and a point is worth "
                     "\\$500 a day. What is the optimal retraining interval, in days?"), ex1])
    return (ex1,)


@app.cell
def _(ex1):
    _r = DRIFT.solve(20_000, decay_per_day=0.1, value_per_point_day=500)
    check_answer(ex1.value, _r.optimal_interval.m_as("day"), "days")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=100, label="$ per year")
    mo.vstack([mo.md("**2.** On that schedule (no monitoring, no bad releases), what does the model cost per "
                     "year in retraining plus accuracy lost?"), ex2])
    return (ex2,)


@app.cell
def _(ex2):
    _r = DRIFT.solve(20_000, decay_per_day=0.1, value_per_point_day=500)
    check_answer(ex2.value, _r.annual_cost_usd, "$")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=1, label="days")
    mo.vstack([mo.md("**3.** The model ships at 92 points, drifts 0.2 points a day, and must never fall below 85. "
                     "What is the longest retraining interval the SLO allows?"), ex3])
    return (ex3,)


@app.cell
def _(ex3):
    _r = DRIFT.solve(20_000, initial_accuracy=92, decay_per_day=0.2, accuracy_slo=85)
    check_answer(ex3.value, _r.slo_interval.m_as("day"), "days")
    return


if __name__ == "__main__":
    app.run()
