# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.8
# goal: Estimate a training run's FLOPs and days from first principles, and find the compute-optimal model size.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.8 · Training cost and scaling laws")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import (DistributedModel, Hardware, Models, ScalingModel, SpecError, Systems,
                              calc_chinchilla_tokens)
    from mlsysim_core.fmt import si

    SCALING = ScalingModel()
    GPU_STEPS = [2**k for k in range(18)]   # 1 .. 131,072 accelerators

    labkit.init()  # colour-blind-safe chart theme


@app.function
def days(n_params, n_tokens, hardware, n_gpus, mfu, scaling_efficiency=1.0):
    """The engine's training-time result (6PD over the fleet's delivered FLOP/s)."""
    return SCALING.training_time(n_params=n_params, n_tokens=n_tokens, hardware=hardware,
                                 n_accelerators=n_gpus, mfu=mfu,
                                 scaling_efficiency=scaling_efficiency)


@app.function
def smallest_fleet(n_params, n_tokens, hardware, mfu, scaling_efficiency, deadline_days):
    """Fewest accelerators that finish by the deadline, by bisection on the engine's days."""
    lo, hi = 1, 1 << 29   # ~5e8: below the largest fleet the engine accepts (1e9 accelerators)
    if days(n_params, n_tokens, hardware, hi, mfu, scaling_efficiency).training_days > deadline_days:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if days(n_params, n_tokens, hardware, mid, mfu, scaling_efficiency).training_days <= deadline_days:
            hi = mid
        else:
            lo = mid + 1
    return lo


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 02 · Training cost and scaling laws

    Before anyone rents a thousand GPUs, someone has to answer two questions on the back of an
    envelope: **how long will this run take**, and **is this the right model to train with that
    much compute at all?** Both answers fit in three lines.

    A transformer with $P$ parameters does about 2 FLOPs per parameter per token going forward
    and twice that going backward, so training on $D$ tokens costs

    $$
    C \approx 6\,P\,D .
    $$

    A fleet of $N$ accelerators delivers only part of its peak: the model FLOPs utilisation (MFU)
    of each chip, times the scaling efficiency $\eta_{\text{scale}}$ left after communication:

    $$
    T_{\text{train}} = \frac{6\,P\,D}{N \times \text{Peak} \times \text{MFU} \times \eta_{\text{scale}}} .
    $$

    And for a fixed budget $C$, the Chinchilla study (Hoffmann et al. 2022) found that loss is
    lowest when parameters and tokens grow together, about **20 tokens per parameter**:

    $$
    P^{*} = \sqrt{C / 120}, \qquad D^{*} = 20\,P^{*} .
    $$

    **Learning goals.** After this lab you can

    - estimate a run's training FLOPs and wall-clock days from $P$, $D$, $N$ and MFU;
    - say what a fleet's size buys you, and what it does not;
    - find the compute-optimal model size and token count for a budget, and recognise an
      undertrained model.
    """)
    return


@app.cell(hide_code=True)
def _():
    labkit.toolbar()
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Predict first

    GPT-3 is being trained on 1,024 H100s. Your manager doubles the fleet to 2,048 of the same
    GPUs, on the same network, keeping the same global batch.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Yes: twice the GPUs, half the days": "half",
            "Close, but more than half: communication eats part of the gain": "more",
            "Better than half: more GPUs also means more memory": "less",
            "Barely any faster": "same",
        },
        label="**Predict:** does doubling the GPUs halve the days?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _model = Models.GPT3
    _ideal = [days(_model.parameters_count, _model.training_tokens, Hardware.H100, _n, 0.5).training_days
              for _n in (1024, 2048)]
    # The distributed model: the same GPT-3 plan (TP 8 x PP 8, 16 microbatches, ZeRO-1) at
    # GPT-3's global batch of 1,536 sequences on the zoo's 1,024- and 2,048-H100 clusters
    _plans = [DistributedModel().solve(_model, _fleet, batch_size=1536, tp_size=8, pp_size=8,
                                       microbatch_count=16, zero_stage=1)
              for _fleet in (Systems.Clusters.Training_1K, Systems.Clusters.Production_2K)]
    _real = [days(_model.parameters_count, _model.training_tokens, _f.accelerator,
                  _p.raw("n_accelerators"), _p.raw("mfu")).training_days
             for _p, _f in zip(_plans, (Systems.Clusters.Training_1K, Systems.Clusters.Production_2K))]
    _right = prediction.value == "more"
    mo.callout(mo.md(f"""
    **{"Right." if _right else ("Right for the iron law, but not quite in practice." if prediction.value == "half" else "Not quite.")}**
    In the iron law, days are exactly proportional to $1/N$: GPT-3 on H100s at MFU 0.5 takes
    {_ideal[0]:.1f} days on 1,024 and **{_ideal[1]:.1f}** on 2,048, a ratio of
    {_ideal[1] / _ideal[0]:.2f}. But the law *assumes* MFU and scaling efficiency stay put.

    The engine's distributed model (lab 06) says they do not. With a fixed global batch, doubling
    the fleet halves each GPU's share of the math, but the gradient all-reduce does not shrink
    (the same gradient bytes, now over twice the replicas: {si(_plans[0].raw("dp_communication_latency"), "s")}
    then {si(_plans[1].raw("dp_communication_latency"), "s")} per step). On the zoo's 1,024- and
    2,048-H100 clusters, scaling efficiency falls from {_plans[0].scaling_efficiency:.1%} to
    {_plans[1].scaling_efficiency:.1%}, so the run goes from {_real[0]:.1f} to
    **{_real[1]:.1f} days**: a ratio of **{_real[1] / _real[0]:.2f}**, not 0.50. Doubling the GPUs
    doubles the bill per day; it does not quite halve the wait.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Plan a training run

    Start from a model in the zoo (it fills in its parameters and training tokens), then change
    anything. The deadline is when the model must be done.
    """)
    return


@app.cell
def _():
    _presets = {m.name: m for m in Models if getattr(m, "training_tokens", None)}
    preset = labkit.ui.dropdown("preset", options=_presets, value=Models.GPT3.name, label="Start from")
    hardware = labkit.ui.dropdown("hardware", options=Hardware.Cloud.options(), value=Hardware.A100.name,
                              label="Accelerator")
    mo.hstack([preset, hardware], justify="start")
    return hardware, preset


@app.cell
def _(preset):
    params_b = labkit.ui.number("params_b", start=0.01, stop=10000, value=preset.value.parameters_count / 1e9,
                            label="Parameters P (billions)")
    tokens_b = labkit.ui.number("tokens_b", start=0.1, stop=1000000, value=preset.value.training_tokens / 1e9,
                            label="Training tokens D (billions)")
    mo.hstack([params_b, tokens_b], justify="start")
    return params_b, tokens_b


@app.cell
def _():
    gpus = labkit.ui.slider("gpus", steps=GPU_STEPS, value=1024, show_value=True, label="Accelerators N")
    mfu = labkit.ui.slider("mfu", start=0.05, stop=1.0, step=0.05, value=0.5, show_value=True, label="MFU")
    scaling = labkit.ui.slider("scaling", start=0.05, stop=1.0, step=0.05, value=1.0, show_value=True,
                           label="Scaling efficiency η")
    deadline = labkit.ui.slider("deadline", start=1, stop=365, step=1, value=90, show_value=True, label="Deadline (days)")
    mo.vstack([mo.hstack([gpus, mfu], justify="start"), mo.hstack([scaling, deadline], justify="start")])
    return deadline, gpus, mfu, scaling


@app.cell
def _(gpus, hardware, mfu, params_b, scaling, tokens_b):
    def _billions(box):   # an empty box is None: the engine then names the argument it refuses
        return None if box.value is None else box.value * 1e9

    try:
        run = days(_billions(params_b), _billions(tokens_b), hardware.value, gpus.value,
                   mfu.value, scaling.value)
        budget = SCALING.solve(run.raw("total_flops"), target_model_size=params_b.value * 1e9)
        optimum = SCALING.solve(run.raw("total_flops"))
        error = None
    except SpecError as _e:
        run = budget = optimum = None
        error = str(_e)
    return budget, error, optimum, run


@app.cell
def _(budget, deadline, error, optimum, run):
    mo.stop(error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {error}"),
                                          kind="danger"))
    _r = run.raw()
    mo.md(f"""
    | training FLOPs $C$ | days | accelerator-hours | tokens per parameter | compute-optimal $P^*$ | compute-optimal $D^*$ |
    |---:|---:|---:|---:|---:|---:|
    | **{_r["total_flops"]:.3g}** | **{_r["training_days"]:,.1f}** | {_r["gpu_hours"]:,.0f} | {budget.raw("tokens_per_parameter"):.3g} | {si(optimum.raw("optimal_parameters"), "")} | {si(optimum.raw("optimal_tokens"), "")} tokens |

    Deadline: {deadline.value} days, so the run {"**meets it**" if _r["training_days"] <= deadline.value else "**misses it**"}.
    """)
    return


@app.cell
def _(budget, deadline, error, gpus, hardware, mfu, optimum, params_b, run, scaling, tokens_b):
    mo.stop(error is not None)
    _alerts = []
    _late = run.raw("training_days") > deadline.value
    if _late:
        _need = smallest_fleet(params_b.value * 1e9, tokens_b.value * 1e9, hardware.value, mfu.value,
                               scaling.value, deadline.value)
        _fix = (f"At this MFU and scaling efficiency you would need **{_need:,} accelerators** (you "
                f"have {gpus.value:,}), assuming they scaled that well." if _need else
                "No fleet size fixes it at this MFU.")
        _alerts.append(mo.callout(mo.md(
            f"**Deadline missed by {run.raw('training_days') - deadline.value:,.1f} days.** "
            f"{run.raw('total_flops'):.3g} FLOPs need {run.raw('training_days'):,.1f} days on "
            f"{gpus.value:,} × {hardware.value.name}. {_fix} Or train a smaller model: see the "
            "compute-optimal point below."), kind="danger"))
    _tpp = budget.raw("tokens_per_parameter")
    _chinchilla = calc_chinchilla_tokens.raw(1.0)   # the engine's tokens-per-parameter rule
    if _tpp < _chinchilla / 4:
        _alerts.append(mo.callout(mo.md(
            f"**Undertrained: the budget is too small for this model.** {_tpp:.2g} tokens per "
            f"parameter is far below the compute-optimal {_chinchilla:.0f}. The same "
            f"{run.raw('total_flops'):.3g} FLOPs would give a lower loss spent on a "
            f"**{si(optimum.raw('optimal_parameters'), '')}-parameter** model trained on "
            f"**{si(optimum.raw('optimal_tokens'), '')} tokens**."), kind="danger"))
    elif _tpp < _chinchilla:
        _alerts.append(mo.callout(mo.md(
            f"Below the Chinchilla ratio ({_tpp:.2g} tokens per parameter, optimum {_chinchilla:.0f}): "
            "a somewhat smaller model on more tokens would use this compute better."), kind="warn"))
    else:
        _alerts.append(mo.callout(mo.md(
            f"{_tpp:.3g} tokens per parameter: at or past the compute-optimal {_chinchilla:.0f}. "
            "Training past it (as Llama 3 does) costs more compute than the loss alone would "
            "justify, and buys a smaller model that is cheaper to *serve* (lab 09)."), kind="info"))
    mo.vstack(_alerts)
    return


@app.cell
def _(error, run):
    mo.stop(error is not None)
    mo.accordion({"Show the work": mo.md(run.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Days against fleet size

    In the iron law, days fall as $1/N$: a straight line on log-log axes. Where it crosses your
    deadline is the smallest fleet that makes it, *if* MFU and scaling efficiency held at every
    size (section 1 showed they do not).
    """)
    return


@app.cell
def _(deadline, error, gpus, hardware, mfu, params_b, scaling, tokens_b):
    mo.stop(error is not None)
    _rows = []
    for _n in GPU_STEPS:
        _d = days(params_b.value * 1e9, tokens_b.value * 1e9, hardware.value, _n, mfu.value,
                  scaling.value).training_days
        _rows.append({"gpus": _n, "days": _d, "deadline": "met" if _d <= deadline.value else "missed"})
    _x = alt.X("gpus:Q", scale=alt.Scale(type="log", base=2), title="accelerators N")
    _y = alt.Y("days:Q", scale=alt.Scale(type="log"), title="days to train")
    _line = labkit.chart(_rows).mark_line(color="#bbb").encode(x=_x, y=_y)
    _pts = labkit.chart(_rows).mark_circle(size=50).encode(
        x=_x, y=_y,
        color=alt.Color("deadline:N", scale=alt.Scale(domain=["met", "missed"],
                                                      range=["#009E73", "#D55E00"])),
        tooltip=[alt.Tooltip("gpus:Q"), alt.Tooltip("days:Q", format=",.1f"), alt.Tooltip("deadline:N")])
    _dl = labkit.chart([{"days": deadline.value}]).mark_rule(strokeDash=[4, 3]).encode(y=alt.Y("days:Q"))
    _now = labkit.chart([{"gpus": gpus.value}]).mark_rule(color="#0072B2").encode(x=alt.X("gpus:Q"))
    (_line + _pts + _dl + _now).properties(
        width=600, height=280, title=f"{hardware.value.name}, MFU {mfu.value:g}, η {scaling.value:g}")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Is this the right model for the compute?

    Each point below is a (parameters, tokens) pair. The dashed line holds your compute fixed:
    every point on it costs the same FLOPs. The green line is the Chinchilla rule $D = 20P$; where
    they cross (the green diamond) is the compute-optimal model for your budget, and the red
    square is your run. Grey points are models in the zoo, at the tokens they were trained on.
    """)
    return


@app.cell
def _(error, optimum, params_b, run, tokens_b):
    mo.stop(error is not None)
    _c = run.raw("total_flops")
    _grid = [10 ** (k / 4) for k in range(24, 57)]   # 1e6 .. 1e14 parameters
    _iso = []
    for _p in _grid:
        _d = SCALING.solve(_c, target_model_size=_p).raw("optimal_tokens")
        if 1e8 <= _d <= 1e16:
            _iso.append({"params": _p, "tokens": _d, "line": "same compute as your run"})
    _rule = [{"params": _p, "tokens": calc_chinchilla_tokens.raw(_p), "line": "Chinchilla D = 20 P"}
             for _p in _grid if 1e8 <= calc_chinchilla_tokens.raw(_p) <= 1e16]
    _zoo = [{"params": m.parameters_count, "tokens": m.training_tokens, "name": m.name}
            for m in Models if getattr(m, "training_tokens", None)]
    _labelled = []   # label a zoo model only where it will not sit on another label
    for _m in sorted(_zoo, key=lambda m: m["params"]):
        if all(abs(_m["params"] / o["params"] - 1) > 3 or abs(_m["tokens"] / o["tokens"] - 1) > 0.8
               for o in _labelled):
            _labelled.append(_m)
    _you = [{"params": params_b.value * 1e9, "tokens": tokens_b.value * 1e9, "name": "your run"}]
    _best = [{"params": optimum.raw("optimal_parameters"), "tokens": optimum.raw("optimal_tokens"),
              "name": "compute-optimal"}]
    _x = alt.X("params:Q", scale=alt.Scale(type="log"), axis=alt.Axis(format="~s"), title="parameters P")
    _y = alt.Y("tokens:Q", scale=alt.Scale(type="log"), axis=alt.Axis(format="~s"), title="training tokens D")
    _tip = ["name:N", alt.Tooltip("params:Q", format=".3~s"), alt.Tooltip("tokens:Q", format=".3~s")]
    _lines = labkit.chart(_iso + _rule).mark_line().encode(
        x=_x, y=_y, color=alt.Color("line:N", title=None,
                                    scale=alt.Scale(domain=["same compute as your run", "Chinchilla D = 20 P"],
                                                    range=["#0072B2", "#009E73"])),
        strokeDash=alt.condition("datum.line == 'same compute as your run'", alt.value([5, 3]), alt.value([1, 0])))
    _models = labkit.chart(_zoo).mark_circle(size=40, color="#999").encode(
        x=_x, y=_y, tooltip=_tip)
    _labels = labkit.chart(_labelled).mark_text(
        align="left", dx=6, dy=-6, fontSize=10, color="#777").encode(x=_x, y=_y, text=alt.Text("name:N"))
    _pts = (labkit.chart(_you).mark_point(size=170, filled=True, color="#D55E00", shape="square")
            .encode(x=_x, y=_y, tooltip=_tip)
            + labkit.chart(_best).mark_point(size=170, filled=True, color="#009E73", shape="diamond")
            .encode(x=_x, y=_y, tooltip=_tip)
            + labkit.chart(_you + _best).mark_text(align="right", dx=-9, fontWeight="bold")
            .encode(x=_x, y=_y, text=alt.Text("name:N")))
    (_lines + _models + _labels + _pts).properties(width=600, height=380, title=f"Budget C = {_c:.3g} FLOPs")
    return


@app.cell
def _(error, optimum):
    mo.stop(error is not None or optimum is None)
    mo.accordion({"Show the work (compute-optimal size)": mo.md(optimum.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · The worked example, live: GPT-3

    From the equations page (section 3): GPT-3 has 175 B parameters and was trained on 300 B
    tokens, so $C = 6 \times 175\times10^9 \times 300\times10^9 = 3.15\times10^{23}$ FLOPs. On 1,024
    A100s at MFU 0.5 the page gets about **23 days**, and notes the real run took about **34**: the
    difference is scaling efficiency lost to communication at 1,024 GPUs.
    """)
    return


@app.cell
def _():
    _gpt3 = days(Models.GPT3.parameters_count, Models.GPT3.training_tokens, Hardware.A100, 1024, 0.5)
    _best = SCALING.solve(_gpt3.raw("total_flops"))
    _tpp = SCALING.solve(_gpt3.raw("total_flops"),
                         target_model_size=Models.GPT3.parameters_count).raw("tokens_per_parameter")
    mo.md(f"""
    | | engine |
    |:---|---:|
    | training FLOPs | **{_gpt3.raw("total_flops"):.3g}** |
    | days on 1,024 × {Hardware.A100.name}, MFU 0.5 | **{_gpt3.raw("training_days"):.1f}** |
    | tokens per parameter | {_tpp:.2f} |
    | compute-optimal model for the same FLOPs | {si(_best.raw("optimal_parameters"), "")} parameters on {si(_best.raw("optimal_tokens"), "")} tokens |

    By the Chinchilla rule GPT-3 was heavily **undertrained**: the same compute would have been
    better spent on a model about a third the size, trained on three times the tokens. (A
    historical note: GPT-3 was actually trained on V100s; the equations page restates it on
    A100s to make the arithmetic easy. Exercise 3 asks what scaling efficiency turns 23 days into 34.)
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Training compute is $6PD$**, and days are that divided by the fleet's *delivered* FLOP/s:
      $N \times$ peak $\times$ MFU $\times$ scaling efficiency. Every factor is a lever, and MFU of
      0.3-0.5 is typical, not a failure.
    - **Doubling the fleet doubles the cost per day but does not quite halve the days**: per-GPU
      work shrinks while communication does not.
    - **For a fixed budget there is a best model size**: about 20 tokens per parameter. Far fewer
      tokens per parameter (GPT-3 had under 2) wastes compute on parameters the data cannot train.
    - A model that will be *served* a lot is often trained past the optimum on purpose: a smaller
      model costs less per query for its whole life.

    ## Exercises

    **Exercise 1.** How many FLOPs does it take to train Llama-3.1-8B on its 15 T tokens? Give the
    answer in units of $10^{23}$ FLOPs.
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Training FLOPs (× 1e23)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    _run = days(Models.Llama3_8B.parameters_count, Models.Llama3_8B.training_tokens, Hardware.H100, 1, 0.5)
    check_answer(answer_1.value, _run.raw("total_flops") / 1e23, "× 1e23 FLOPs")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** You have a budget of $10^{24}$ FLOPs. What is the compute-optimal number of
    parameters, in billions?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Compute-optimal parameters (billions)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    check_answer(answer_2.value, SCALING.solve(1e24).raw("optimal_parameters") / 1e9, "billion parameters")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** GPT-3 on 1,024 A100s at MFU 0.5 is predicted to take about 23 days, but the
    equations page reports about 34. What scaling efficiency $\eta_{\text{scale}}$ would make the
    engine predict 34 days? (Give a fraction between 0 and 1.)
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Scaling efficiency (0-1)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    def _days_at(eta):
        return days(Models.GPT3.parameters_count, Models.GPT3.training_tokens, Hardware.A100, 1024,
                    0.5, eta).training_days

    _lo, _hi = 0.01, 1.0      # bisection on the engine's own days
    for _ in range(60):
        _mid = (_lo + _hi) / 2
        _lo, _hi = (_mid, _hi) if _days_at(_mid) > 34 else (_lo, _mid)
    check_answer(answer_3.value, _lo, "")
    return


if __name__ == "__main__":
    app.run()
