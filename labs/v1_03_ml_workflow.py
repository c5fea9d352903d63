# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.3
# goal: See where the time and money of an ML project go across its lifecycle, and how small a share the training run is.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.3 · The constraint tax")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import Hardware, LifecycleModel, MLSysError, Models, constants
    from mlsysim_core.fmt import pct, usd

    LIFECYCLE = LifecycleModel()
    LANGUAGE = {name: m for name, m in Models.options().items()
                if hasattr(m, "heads") and m.parameters_count < 1e11}
    ACCELERATORS = {name: hw for name, hw in Hardware.options().items()
                    if hw.compute.peak_flop_s("fp16") >= 1e14}
    PHASE_ORDER = ["data", "experiments", "training", "engineering", "serving", "retraining"]
    labkit.init()  # colour-blind-safe chart theme


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.3 · The constraint tax

    Ask what an ML model costs and most people quote its training run. Sculley et al. (2015)
    drew the rest of the picture: in a real ML system "the ML code" is a small box surrounded by
    data collection, feature extraction, verification, serving infrastructure and monitoring.
    Surveys of practitioners say the same about time: data loading and cleansing take about
    45 % of a data scientist's day (Anaconda 2020; an estimate from a survey).

    The engine adds up one model's lifecycle, every phase from its own model:

    $$C = \underbrace{d\,H\,c}_{\text{data}} + \underbrace{n\,s\,G_{\text{train}}\,p}_{\text{experiments}}
    + \underbrace{G_{\text{train}}\,p}_{\text{training}} + \underbrace{(1-d)\,H\,c}_{\text{engineering}}
    + \underbrace{Q\,g\,T\,p}_{\text{serving}} + \underbrace{k\,Y\,s_r\,G_{\text{train}}\,p}_{\text{retraining}}$$

    with $G_{\text{train}}$ the accelerator-hours of $6PD$ training (chapter I.8), $g$ the
    accelerator-seconds per query from the serving model (chapter I.13), $p$ the price of an
    accelerator-hour, $H$ the engineer-hours at $c$ each, $d$ their share spent on data, $n$
    experiments at a fraction $s$ of the final run, and $k$ retrainings a year at $s_r$ of it. The
    **constraint tax** is $C / C_{\text{train}}$: what the project costs per dollar of the run
    everybody talks about.

    **After this lab you can**

    - split an ML project's cost and effort into its lifecycle phases and name the largest;
    - say when training dominates (frontier models) and when people and serving do (most products);
    - see which lever (fewer experiments, cheaper serving, less data work) moves the total most.
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

    A two-engineer team (a year of work each) trains Llama-3.1-8B on 100 B tokens on 64 H100s,
    runs 20 experiments at 5 % of that run, serves a million queries a day for a year and
    refreshes the model monthly.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"More than 75 %: training is the project": "most",
                 "40-75 %": "half", "15-40 %": "some", "Less than 15 %": "little"},
        label="Predict: what share of the project's total cost is the training run?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _r = LIFECYCLE.solve(Models.Llama3_8B, Hardware.H100, n_accelerators=64, n_tokens=1e11, queries_per_day=1e6)
    _share = _r.training_share
    _truth = "most" if _share > 0.75 else "half" if _share > 0.4 else "some" if _share > 0.15 else "little"
    _right = prediction.value == _truth
    _top = max(_r.breakdown(), key=lambda _x: _x["cost_usd"])
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** The training run costs **{labkit.money(_r.training_cost_usd)}**
    ({_r.training_days:.1f} days on 64 H100s): **{pct(_share)}** of a **{labkit.money(_r.total_cost_usd)}**
    project, a constraint tax of **{_r.constraint_tax:.0f} ×**. The largest phase is
    **{_top["phase"]}** ({labkit.money(_top["cost_usd"])}): people's time ({pct(_r.data_prep_share, 0)} of it
    on data) outweighs every accelerator-hour of this project.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your project
    """)
    return


@app.cell
def _():
    model_pick = labkit.ui.dropdown("model_pick", options=LANGUAGE, value=Models.Llama3_8B.name, label="Model")
    hw_pick = labkit.ui.dropdown("hw_pick", options=ACCELERATORS, value=Hardware.H100.name, label="Accelerator")
    gpus = labkit.ui.slider("gpus", steps=[8, 16, 32, 64, 128, 256, 512, 1024], value=64, show_value=True,
                        label="Accelerators for training")
    tokens = labkit.ui.slider("tokens", steps=[1e9, 1e10, 3e10, 1e11, 3e11, 1e12, 3e12, 1.5e13], value=1e11, show_value=True,
                          label="Training tokens D")
    mo.vstack([model_pick, hw_pick, gpus, tokens])
    return gpus, hw_pick, model_pick, tokens


@app.cell
def _():
    _c = constants()
    queries = labkit.ui.slider("queries", steps=[0, 1e4, 1e5, 1e6, 1e7, 1e8], value=1e6, show_value=True, label="Queries per day Q")
    years = labkit.ui.slider("years", start=0.5, stop=5, step=0.5, value=1, show_value=True, label="Years in production Y")
    experiments = labkit.ui.slider("experiments", start=0, stop=200, step=5, value=int(_c.lifecycle_experiments_per_model),
                               show_value=True, label="Experiments before the final run n")
    exp_size = labkit.ui.slider("exp_size", start=0.01, stop=1.0, step=0.01, value=_c.lifecycle_experiment_size, show_value=True,
                            label="Size of an experiment s (share of the final run)")
    retrains = labkit.ui.slider("retrains", start=0, stop=52, step=1, value=int(_c.lifecycle_retrains_per_year), show_value=True,
                            label="Retrainings per year k")
    hours = labkit.ui.slider("hours", start=0, stop=40000, step=500, value=int(_c.lifecycle_engineer_hours), show_value=True,
                         label="Engineer-hours H")
    data_share = labkit.ui.slider("data_share", start=0.0, stop=0.9, step=0.05, value=_c.lifecycle_data_prep_share, show_value=True,
                              label="Share of engineer time on data d")
    mo.vstack([queries, years, experiments, exp_size, retrains, hours, data_share])
    return data_share, exp_size, experiments, hours, queries, retrains, years


@app.cell
def _(data_share, exp_size, experiments, gpus, hours, hw_pick, model_pick, queries, retrains, tokens, years):
    # one engine call per move
    try:
        life = LIFECYCLE.solve(model_pick.value, hw_pick.value, n_accelerators=gpus.value, n_tokens=tokens.value,
                               queries_per_day=queries.value, years=years.value, n_experiments=experiments.value,
                               experiment_size=exp_size.value, retrains_per_year=retrains.value,
                               engineer_hours=hours.value, data_prep_share=data_share.value)
        error = None
    except MLSysError as _e:
        life, error = None, str(_e)
    return error, life


@app.cell
def _(error, life, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see your project's bill._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**These inputs are not valid.** {error}"), kind="danger"))
    _top = max(life.breakdown(), key=lambda _x: _x["cost_usd"])
    _stats = mo.hstack([
        mo.stat(usd(life.total_cost_usd), label="Lifecycle cost", bordered=True,
                caption=f"over {life.years:g} year(s) in production"),
        mo.stat(f"{labkit.num(life.constraint_tax)} ×" if life.constraint_tax else "n/a", label="Constraint tax",
                bordered=True, caption=f"training is {pct(life.training_share)}"),
        mo.stat(_top["phase"], label="Largest phase", bordered=True, caption=usd(_top["cost_usd"])),
        mo.stat(f"{labkit.num(life.training_days)} d", label="Training run", bordered=True,
                caption=f"{life.training_gpu_hours:,.0f} accelerator-hours"),
    ], widths="equal")
    if not life.serving_fits:
        _note = mo.callout(mo.md(
            f"**{life.model} does not fit one {life.hardware} for serving** (weights plus KV cache exceed its "
            "memory): the serving line assumes it does. Serve it with tensor parallelism over several "
            "accelerators, quantise it (chapter I.10), or pick a smaller model."), kind="danger")
    elif life.training_days > 365 * life.years:
        _note = mo.callout(mo.md(
            f"**The training run alone takes {life.training_days:,.0f} days**, longer than the "
            f"{life.years:g} year(s) it is meant to serve: add accelerators or train on fewer tokens."), kind="danger")
    elif life.training_share < 0.15:
        _note = mo.callout(mo.md(
            f"Training is only {pct(life.training_share)} of the bill: a 2 × faster training run would save "
            f"{pct(life.training_share / 2)} of it, while {_top['phase']} is {pct(_top['cost_usd'] / life.total_cost_usd)}."),
            kind="warn")
    else:
        _note = mo.callout(mo.md(f"Training is {pct(life.training_share)} of this project: here compute is the "
                                 "constraint, as for frontier models."), kind="info")
    mo.vstack([_stats, _note, mo.accordion({"Show the work": mo.md(life.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Where the money goes, phase by phase
    """)
    return


@app.cell
def _(error, life, prediction):
    mo.stop(prediction.value is None or error is not None)
    _rows = [{"phase": _x["phase"], "usd": _x["cost_usd"], "share": _x["share"],
              "kind": "people" if _x["phase"] in ("data", "engineering") else "accelerators"}
             for _x in life.breakdown()]
    labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("phase:N", sort=PHASE_ORDER, title=None),
        x=alt.X("usd:Q", title="cost (USD)", axis=alt.Axis(format="$,.2s")),
        color=alt.Color("kind:N", title=None),
        tooltip=[alt.Tooltip("phase:N"), alt.Tooltip("usd:Q", format="$,.0f"), alt.Tooltip("share:Q", format=".1%")],
    ).properties(width=560, height=200, title=f"{life.model} on {life.n_accelerators} × {life.hardware}")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Worked examples

    **Equations page, section 2 (GPT-3).** 175 B parameters on 300 B tokens is $3.15 \times 10^{23}$
    FLOPs, "~23 days on 1,024 A100s at MFU 0.5". The lifecycle model's training phase is that same
    calculation. **Anaconda (2020).** 45 % of 1,000 engineer-hours go to data.
    """)
    return


@app.cell
def _():
    _gpt3 = LIFECYCLE.solve(Models.GPT3, Hardware.A100, n_accelerators=1024, queries_per_day=0, n_experiments=0,
                            retrains_per_year=0, engineer_hours=0)
    _team = LIFECYCLE.solve(Models.Llama3_8B, Hardware.H100, n_tokens=1e10, engineer_hours=1000, queries_per_day=0)
    mo.md(f"""
    | quantity | engine | source |
    |:---|---:|:---|
    | GPT-3 training run, 1,024 A100s, MFU 0.5 | **{_gpt3.training_days:.1f} days** | ~23 days (equations page 2) |
    | its accelerator-hours | **{_gpt3.training_gpu_hours:,.0f}** | |
    | data share of 1,000 engineer-hours | **{_team.data_engineer_hours:,.0f} h** | 45 % (Anaconda 2020) |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - The training run is one phase of six. For most product models, people (above all their data
      work) and, at high traffic, serving cost more than training; with these estimates the constraint tax
      is 10 × or more.
    - For frontier models the balance flips: training and the experiments before it dominate, which
      is why those teams obsess over MFU while product teams should obsess over data pipelines.
    - Experiments and retraining scale with the training run: halving the final run's cost also halves
      theirs, which is the only way a faster training run pays twice.
    - Every share here rests on estimates (the survey's 45 %, the experiment count, the salary); change
      them to your team's numbers before deciding anything.

    ## Exercises

    Use the section 2 defaults unless told otherwise. The notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=0.1, label="×")
    mo.vstack([mo.md("**1.** With the defaults but **10 million** queries a day, what is the constraint tax?"), ex1])
    return (ex1,)


@app.cell
def _(ex1):
    _r = LIFECYCLE.solve(Models.Llama3_8B, Hardware.H100, n_accelerators=64, n_tokens=1e11, queries_per_day=1e7)
    check_answer(ex1.value, _r.constraint_tax, "×")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=100, label="accelerator-hours")
    mo.vstack([mo.md("**2.** How many accelerator-hours do 40 experiments at 10 % of the default final run take?"), ex2])
    return (ex2,)


@app.cell
def _(ex2):
    _r = LIFECYCLE.solve(Models.Llama3_8B, Hardware.H100, n_accelerators=64, n_tokens=1e11, n_experiments=40,
                         experiment_size=0.1)
    check_answer(ex2.value, _r.experiments_gpu_hours, "h")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=0.5, label="percent")
    mo.vstack([mo.md("**3.** With the defaults, what percent of the lifecycle cost is serving?"), ex3])
    return (ex3,)


@app.cell
def _(ex3):
    _r = LIFECYCLE.solve(Models.Llama3_8B, Hardware.H100, n_accelerators=64, n_tokens=1e11, queries_per_day=1e6)
    _serving = next(_x for _x in _r.breakdown() if _x["phase"] == "serving")
    check_answer(ex3.value, 100 * _serving["share"], "%")
    return


if __name__ == "__main__":
    app.run()
