# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.7
# goal: Compute a fleet's MTBF and the Young-Daly checkpoint interval that wastes the least compute.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.7 · Fault tolerance")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import (
        Hardware,
        ReliabilityModel,
        SpecError,
        Systems,
        calc_expected_failures,
        calc_failure_probability,
        calc_mtbf_cluster,
        calc_young_daly_interval,
        constants,
    )
    from mlsysim_core.fmt import pct, si

    # The MTBF model counts accelerators; their type does not enter it, so one is fixed here.
    ACCELERATOR = Hardware.H100
    RELIABILITY = ReliabilityModel()

    labkit.init()  # colour-blind-safe chart theme


@app.function
def duration(seconds):
    """A duration in the unit a person would use: seconds, minutes, hours or days."""
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.3g} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.3g} h"
    return f"{labkit.num(seconds / 86400)} days"


@app.function
def count(x):
    """An expected count, without scientific notation."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


@app.function
def share(fraction):
    """A waste fraction as a percentage; past 100 % the fleet makes no progress at all."""
    return pct(fraction) if fraction <= 1 else "> 100 %"


@app.function
def check_answer(answer, truth, unit, tolerance=0.03):
    """The shared exercise check (mlsysim_core.labkit) with this lab's hint."""
    return labkit.check_answer(answer, truth, unit, tolerance,
                               hint="Start from the fleet MTBF, in the same time unit as δ.")


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 08 · Fault tolerance

    A GPU fails, on average, once every several years. A training job on sixteen thousand
    of them does not have years: something in the fleet fails every few hours, and a
    synchronous job stops with it. The job survives only by **checkpointing**: saving its state
    every $\tau$ minutes, so that a failure costs the work since the last save, not the whole run.
    But each checkpoint itself takes a time $\delta$ during which nobody trains. Checkpoint too
    rarely and failures eat your progress; too often and the writes do.

    With $N$ components failing independently, and a checkpoint every $\tau$:

    $$\text{MTBF}_{\text{fleet}} = \frac{\text{MTBF}_{\text{component}}}{N}
    \qquad
    P(\geq 1 \text{ failure in } T) = 1 - e^{-T/\text{MTBF}}$$

    $$\text{waste}(\tau) = \underbrace{\frac{\delta}{\tau}}_{\text{checkpoint writes}}
    + \underbrace{\frac{\tau}{2M}}_{\text{lost work per failure}}
    + \underbrace{\frac{R}{M}}_{\text{restarts}}
    \qquad
    \tau_{\text{opt}} = \sqrt{2\,\delta\,M}\quad\text{(Young–Daly)}$$

    where $M$ is the fleet MTBF and $R$ the time to detect a failure and restart. On average a
    failure strikes halfway through an interval, hence the $\tau/2$ of lost work.

    **After this lab you can**

    - compute a fleet's MTBF from its size and say when a failure becomes near-certain;
    - find the checkpoint interval that minimises waste, and explain why both shorter and longer
      intervals cost more;
    - read the goodput (the share of the fleet doing useful work) off the waste terms.
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

    A 16,384-GPU job writes a checkpoint in 2 minutes, and its fleet fails about every 3 hours.
    The team checkpoints every 60 minutes and proposes to checkpoint every **10** minutes
    instead, "so that a failure loses less work".
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"Yes: checkpointing more often always wastes less": "more",
                 "No: 10 minutes wastes more than 60; there is a sweet spot in between": "sweet",
                 "It makes no difference": "same"},
        label="Does checkpointing more often waste less compute?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _m_hours = calc_mtbf_cluster.raw(constants().gpu_mtbf, 16384)
    _rows = ReliabilityModel.waste_curve(120, _m_hours, [600, 3600])
    _opt = RELIABILITY.solve(ACCELERATOR, 24, checkpoint_time_s=120, n_accelerators=16384,
                             component_mtbf_hours=constants().gpu_mtbf, recovery_time_s=0)
    _right = prediction.value == "sweet"
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** Every 10 minutes wastes
    **{pct(_rows[0]["waste"])}** ({pct(_rows[0]["write"])} writing checkpoints), every 60
    minutes **{pct(_rows[1]["waste"])}** (mostly {pct(_rows[1]["lost_work"])} of lost work).
    The optimum lies between: every **{_opt.optimal_checkpoint_interval.m_as("min"):.0f} min**,
    wasting **{pct(_opt.waste_fraction)}**. Shorter intervals trade lost work for write time,
    and below the optimum the writes grow faster than the savings.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The fleet and the job
    """)
    return


@app.cell
def _():
    _c = constants()
    gpus = labkit.ui.slider("gpus", steps=[2**k for k in range(3, 18)], value=16384, show_value=True,
                        label="Accelerators N")
    component_mtbf = labkit.ui.slider("component_mtbf", start=5000, stop=200000, step=5000,
                                  value=min(max(_c.gpu_mtbf, 5000), 200000), include_input=True,
                                  label="MTBF of one accelerator (hours)")
    job_days = labkit.ui.slider("job_days", start=1, stop=120, step=1, value=30, include_input=True,
                            label="Job length (days)")
    mo.vstack([gpus, component_mtbf, job_days])
    return component_mtbf, gpus, job_days


@app.cell
def _():
    _c = constants()
    checkpoint_s = labkit.ui.slider("checkpoint_s", start=10, stop=1800, step=10, value=120, include_input=True,
                                label="Checkpoint write time δ (seconds)")
    recovery_s = labkit.ui.slider("recovery_s", start=0, stop=1800, step=30,
                              value=min(max(round(_c.failure_recovery_time / 30) * 30, 0), 1800),
                              include_input=True, label="Restart time after a failure R (seconds)")
    interval_min = labkit.ui.slider("interval_min", start=1, stop=480, step=1, value=60, include_input=True,
                                label="Your checkpoint interval τ (minutes)")
    mo.vstack([checkpoint_s, recovery_s, interval_min])
    return checkpoint_s, interval_min, recovery_s


@app.cell
def _(checkpoint_s, component_mtbf, gpus, interval_min, job_days, recovery_s):
    # Two engine calls: your interval, and the Young-Daly optimum (interval None)
    try:
        _args = dict(checkpoint_time_s=checkpoint_s.value, n_accelerators=gpus.value,
                     component_mtbf_hours=component_mtbf.value, recovery_time_s=recovery_s.value)
        result = RELIABILITY.solve(ACCELERATOR, job_days.value * 24, checkpoint_interval_s=interval_min.value * 60,
                                   **_args)
        optimum = RELIABILITY.solve(ACCELERATOR, job_days.value * 24, **_args)
        error = None
    except SpecError as _e:
        result, optimum, error = None, None, str(_e)
    return error, optimum, result


@app.cell
def _(error, interval_min, optimum, result):
    mo.stop(error is not None, mo.callout(mo.md(f"**These inputs are not valid.** {error}"), kind="danger"))
    mo.hstack([
        mo.stat(f"{labkit.num(result.fleet_mtbf.m_as('h'))} h", label="Fleet MTBF",
                caption=f"one failure every {duration(result.raw('fleet_mtbf'))}", bordered=True),
        mo.stat(pct(result.failure_probability), label="P(failure during the job)",
                caption=f"{count(result.expected_failures)} failures expected", bordered=True),
        mo.stat(duration(optimum.raw("optimal_checkpoint_interval")), label="Young–Daly τ_opt",
                caption=f"waste {share(optimum.waste_fraction)} there", bordered=True),
        mo.stat(share(result.waste_fraction), label=f"Waste at τ = {interval_min.value} min",
                caption=f"goodput {pct(result.goodput_ratio)}", bordered=True),
    ], widths="equal")
    return


@app.cell
def _(error, job_days, optimum, result):
    mo.stop(error is not None)
    _m_s = result.raw("fleet_mtbf")
    if not optimum.first_order_valid:
        _out = mo.callout(mo.md(
            f"**This fleet cannot make progress.** A checkpoint takes {duration(result.raw('checkpoint_time'))} "
            f"but the fleet fails every {duration(_m_s)}: even at the best interval "
            f"({duration(optimum.raw('optimal_checkpoint_interval'))}) writes, lost work and restarts add up to "
            f"{share(optimum.waste_fraction)} of the time, and the first-order Young–Daly model no "
            "longer holds (it assumes τ ≪ MTBF). Shrink the fleet, make checkpoints faster "
            "(asynchronous or in-memory), or make components more reliable."), kind="danger")
    elif result.failure_probability >= 0.99:
        _out = mo.callout(mo.md(
            f"**A failure before the job ends is virtually certain**: P = {pct(result.failure_probability, 2)} "
            f"over {job_days.value} days, with **{result.expected_failures:,.0f} failures expected** "
            f"(one every {duration(_m_s)}). Without checkpoints this job would never finish; with them "
            f"at your interval you lose {result.expected_lost_hours:,.0f} of its "
            f"{result.job_duration.m_as('h'):,.0f} hours to writes, lost work and restarts."), kind="danger")
    elif result.failure_probability >= 0.5:
        _out = mo.callout(mo.md(
            f"**A failure is more likely than not** (P = {pct(result.failure_probability)}): "
            "checkpointing is not optional at this scale."), kind="warn")
    else:
        _out = mo.callout(mo.md(
            f"P(failure) = {pct(result.failure_probability)}: at this size a failure is possible but "
            "not expected; checkpoints are cheap insurance."), kind="info")
    _out
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The Young–Daly curve

    Waste against checkpoint interval (log axis). The write term falls as $1/\tau$, the
    lost-work term rises as $\tau$; their sum is a U whose bottom is $\tau_{\text{opt}}$, where
    the two terms are equal. Restarts ($R/M$) add a constant that no interval can remove.
    """)
    return


@app.cell
def _(error, optimum, result):
    mo.stop(error is not None)
    mo.stop(not optimum.first_order_valid,
            mo.md("_No curve: with these inputs every interval wastes more than the fleet computes "
                  "(see the red callout above)._"))
    _delta = result.raw("checkpoint_time")
    _m_h = result.fleet_mtbf.m_as("h")
    _opt = optimum.raw("optimal_checkpoint_interval")
    _mine = result.raw("checkpoint_interval")
    _lo, _hi = min(_opt / 8, _mine / 1.5), max(_opt * 8, _mine * 1.5)
    _taus = [_lo * (_hi / _lo) ** (_i / 95) for _i in range(96)]
    _curve = ReliabilityModel.waste_curve(_delta, _m_h, _taus)
    _restart = result.recovery_waste_fraction
    _rows = []
    for _r in _curve:
        _rows += [{"minutes": _r["interval_min"], "fraction": _r["write"], "term": "checkpoint writes δ/τ"},
                  {"minutes": _r["interval_min"], "fraction": _r["lost_work"], "term": "lost work τ/2M"},
                  {"minutes": _r["interval_min"], "fraction": _r["waste"] + _restart,
                   "term": "total waste (incl. restarts R/M)"}]
    _top = min(1.0, max(_r["fraction"] for _r in _rows))
    _y = alt.Y("fraction:Q", axis=alt.Axis(format=".0%"), title="fraction of fleet time wasted",
               scale=alt.Scale(domain=[0, _top]))
    _x = alt.X("minutes:Q", scale=alt.Scale(type="log"), title="checkpoint interval τ (minutes)")
    _lines = labkit.chart(_rows).mark_line(clip=True).encode(
        x=_x, y=_y,
        color=alt.Color("term:N", title=None, scale=alt.Scale(
            domain=["checkpoint writes δ/τ", "lost work τ/2M", "total waste (incl. restarts R/M)"],
            range=["#0072B2", "#E69F00", "#222222"])),
        strokeDash=alt.condition("datum.term == 'total waste (incl. restarts R/M)'",
                                 alt.value([1, 0]), alt.value([5, 3])),
        tooltip=[alt.Tooltip("term:N"), alt.Tooltip("minutes:Q", format=".1f"),
                 alt.Tooltip("fraction:Q", format=".1%")])
    _points = [{"minutes": _opt / 60, "fraction": optimum.waste_fraction, "what": "Young–Daly optimum"},
               {"minutes": _mine / 60, "fraction": result.waste_fraction, "what": "your interval"}]
    _dots = labkit.chart(_points).mark_point(filled=True, size=110, clip=True).encode(
        x=_x, y=_y, shape=alt.Shape("what:N", title=None),
        color=alt.value("#D55E00"),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("minutes:Q", format=".1f"),
                 alt.Tooltip("fraction:Q", format=".1%")])
    _rule = labkit.chart(_points[:1]).mark_rule(color="#D55E00", strokeDash=[2, 2]).encode(x=alt.X("minutes:Q"))
    alt.layer(_lines, _rule, _dots).resolve_scale(shape="independent").properties(
        width=560, height=320,
        title=f"δ = {duration(_delta)}, fleet MTBF = {duration(result.raw('fleet_mtbf'))}")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Where the fleet's time goes, at your interval and at the optimum
    """)
    return


@app.cell
def _(error, optimum, result):
    mo.stop(error is not None or not optimum.first_order_valid)
    _rows = []
    for _name, _r in (("your interval", result), ("Young–Daly optimum", optimum)):
        if _r.waste_fraction > 1:   # no useful work left at all: nothing sensible to stack
            continue
        _split = ReliabilityModel.waste_curve(_r.raw("checkpoint_time"), _r.fleet_mtbf.m_as("h"),
                                              [_r.raw("checkpoint_interval")])[0]
        _rows += [{"plan": _name, "part": "1 useful training", "fraction": _r.goodput_ratio},
                  {"plan": _name, "part": "2 checkpoint writes", "fraction": _split["write"]},
                  {"plan": _name, "part": "3 lost work", "fraction": _split["lost_work"]},
                  {"plan": _name, "part": "4 restarts", "fraction": _r.recovery_waste_fraction}]
    labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("plan:N", title=None),
        x=alt.X("fraction:Q", stack="zero", axis=alt.Axis(format=".0%"), title="share of fleet time"),
        color=alt.Color("part:N", title=None, scale=alt.Scale(
            domain=["1 useful training", "2 checkpoint writes", "3 lost work", "4 restarts"],
            range=["#009E73", "#0072B2", "#E69F00", "#CC79A7"])),
        order=alt.Order("part:N"),
        tooltip=[alt.Tooltip("plan:N"), alt.Tooltip("part:N"), alt.Tooltip("fraction:Q", format=".1%")],
    ).properties(width=560, height=110)
    return


@app.cell
def _(error, result):
    mo.stop(error is not None)
    mo.accordion({"Show the work": mo.md(result.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · MTBF shrinks with scale

    The fleet MTBF against the number of accelerators (both axes logarithmic), with the job
    length as a horizontal line: where the fleet MTBF falls below it, the job expects to see
    a failure.
    """)
    return


@app.cell
def _(component_mtbf, error, gpus, result):
    mo.stop(error is not None)
    _rows = [{"N": 2**_k, "hours": calc_mtbf_cluster.raw(component_mtbf.value, 2**_k)} for _k in range(0, 18)]
    _x = alt.X("N:Q", scale=alt.Scale(type="log", base=2), title="accelerators N")
    _y = alt.Y("hours:Q", scale=alt.Scale(type="log"), title="fleet MTBF (hours)")
    _line = labkit.chart(_rows).mark_line(point=True).encode(
        x=_x, y=_y, tooltip=[alt.Tooltip("N:Q", format=","), alt.Tooltip("hours:Q", format=",.3g")])
    _job = labkit.chart([{"hours": result.job_duration.m_as("h"), "label": "job length"}]).mark_rule(
        color="#D55E00", strokeDash=[5, 3]).encode(y=alt.Y("hours:Q"), tooltip=[alt.Tooltip("label:N")])
    _job_text = labkit.chart([{"hours": result.job_duration.m_as("h"), "label": "job length"}]).mark_text(
        align="left", dx=4, dy=-6, color="#D55E00").encode(y=alt.Y("hours:Q"), x=alt.value(4), text=alt.Text("label:N"))
    _me = labkit.chart([{"N": gpus.value, "hours": result.fleet_mtbf.m_as("h")}]).mark_point(
        filled=True, size=110, color="black").encode(x=_x, y=_y)
    alt.layer(_line, _job, _job_text, _me).properties(
        width=560, height=280, title=f"component MTBF {component_mtbf.value:,.0f} h")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    GPUs are not the only parts that fail. The zoo's named clusters carry their nodes' NICs and
    power supplies too; the engine treats a node as a series system
    ($1/\text{MTBF}_{\text{node}} = \sum_i n_i/\text{MTBF}_i$), which lowers the fleet MTBF further:
    """)
    return


@app.cell
def _():
    _lines = []
    for _fleet in Systems.Clusters:
        _parts = RELIABILITY.solve(_fleet, 24, checkpoint_time_s=60)
        _gpus_only = RELIABILITY.solve(_fleet, 24, component_mtbf_hours=constants().gpu_mtbf)
        _lines.append(f"| {_fleet.name} | {_fleet.total_accelerators:,} | "
                      f"{duration(_gpus_only.raw('fleet_mtbf'))} | {duration(_parts.raw('fleet_mtbf'))} | "
                      f"{duration(_parts.raw('optimal_checkpoint_interval'))} |")
    mo.md("| cluster | accelerators | MTBF, GPUs only | MTBF, GPUs + NICs + PSUs | τ_opt at δ = 60 s |\n"
          "|:---|---:|---:|---:|---:|\n" + "\n".join(_lines))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Worked example (equations page, sections 7 and 8)

    16,384 GPUs, each with a 50,000-hour MTBF; a checkpoint takes $\delta = 2$ min.
    """)
    return


@app.cell
def _():
    _c = constants()
    _big = RELIABILITY.solve(ACCELERATOR, 24, checkpoint_time_s=120, n_accelerators=16384,
                             component_mtbf_hours=_c.gpu_mtbf, recovery_time_s=0)
    # the page rounds the MTBF to M = 180 min before taking the square root
    _tau_page = calc_young_daly_interval(120, 180 * 60)
    _table = "\n".join(
        f"| {_n:,} | {labkit.num(calc_mtbf_cluster.raw(_c.gpu_mtbf, _n), 4)} h | {_page} |"
        for _n, _page in ((8, "~8 months"), (1000, "50 hours"), (10000, "5 hours"), (16000, "~3 hours")))
    _llama = calc_expected_failures(calc_mtbf_cluster(_c.gpu_mtbf, 16000), 54 * 24)
    mo.md(f"""
    | quantity | engine | page |
    |:---|---:|:---|
    | fleet MTBF, 16,384 GPUs | **{_big.fleet_mtbf.m_as("h"):.2f} h** ({_big.fleet_mtbf.m_as("min"):.0f} min) | ~3 h, $M = 180$ min |
    | $\\tau_{{opt}} = \\sqrt{{2 \\times 2 \\times 180}}$ min | **{_tau_page.m_as("min"):.1f} min** | ≈ 27 min |
    | $\\tau_{{opt}}$ with the unrounded MTBF | **{_big.optimal_checkpoint_interval.m_as("min"):.1f} min** | |

    The MTBF table of section 7.1 (50,000 h per GPU), live:

    | GPUs | fleet MTBF (engine) | page |
    |---:|---:|:---|
    {_table}

    Llama-3 scale check: at 16,000 GPUs the engine expects **{_llama:.0f} failures in 54 days**;
    Meta reported 419 interruptions.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### The overhead table, honestly

    The page compares three intervals (10, 27 and 60 minutes, with $\delta = 2$ min and
    $M = 180$ min) and prints overheads of 17 %, 7 % and 15 %. Here is the engine's
    model for the same inputs, term by term (no restarts):
    """)
    return


@app.cell
def _():
    _rows = ReliabilityModel.waste_curve(120, 3.0, [600, 1620, 3600])
    _page = {10: "17 %", 27: "7 %", 60: "15 %"}
    _p30 = calc_failure_probability(5, 30 * 24)
    _table = "\n".join(
        f"| {_r['interval_min']:.0f} min | {pct(_r['write'])} | {pct(_r['lost_work'])} | "
        f"**{pct(_r['waste'])}** | {_page[round(_r['interval_min'])]} |" for _r in _rows)
    mo.md(f"""
    | interval τ | writes δ/τ | lost work τ/2M | engine total | page |
    |---:|---:|---:|---:|---:|
    {_table}

    The shape agrees (27 min is the cheapest; 10 and 60 min both cost more), but the page's
    numbers do not follow from its own equation. At the optimum the two terms are equal,
    each about 7.5 %, so the page's "7 %" looks like **one** term rather than their sum; its 17 % and
    15 % match neither. The page also prints the write term as $\\delta/2\\tau$, whose optimum
    would be $\\sqrt{{\\delta M}}$, not the $\\sqrt{{2\\delta M}}$ it states; the engine uses the
    consistent form $\\delta/\\tau$ (Young 1974). Trust the equation, and check printed tables
    against it.

    Section 8's example, for comparison: a 30-day job on a fleet with a 5-hour MTBF has
    $P = 1 - e^{{-720/5}}$ = **{_p30:.6f}**: failure is certain, which is why checkpointing is not optional.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - Fleet MTBF falls as $1/N$: a part that fails once in six years fails every few hours in a
      fleet of sixteen thousand, and a month-long job *will* see hundreds of failures.
    - The waste curve is a U: checkpoint writes fall as $1/\tau$, lost work rises as $\tau$.
      The Young–Daly interval $\sqrt{2\delta M}$ sits where the two are equal, and the minimum
      waste is about $\sqrt{2\delta/M}$: it grows with the square root of fleet size.
    - To waste less, shrink $\delta$ (asynchronous or in-memory checkpoints), raise $M$ (better
      parts, fewer of them, spares) and cut restart time $R$; the interval is only the last knob.
    - When $\delta$ approaches the MTBF, the first-order model breaks down and the fleet stops
      making progress: reliability, not FLOP/s, then limits the useful fleet size.

    ## Exercises

    Use the component MTBF of the zoo (`constants().gpu_mtbf`, shown in the slider's default) and no
    restart time. The notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=0.1, label="minutes")
    mo.vstack([
        mo.md(f"**1.** A 4,096-GPU job (each GPU: {constants().gpu_mtbf:,.0f} h MTBF) writes a checkpoint in "
              "**5 minutes**. What is the Young–Daly interval, in minutes?"),
        ex1,
    ])
    return (ex1,)


@app.cell
def _(ex1):
    _r = RELIABILITY.solve(ACCELERATOR, 24, checkpoint_time_s=300, n_accelerators=4096,
                           component_mtbf_hours=constants().gpu_mtbf, recovery_time_s=0)
    check_answer(ex1.value, _r.optimal_checkpoint_interval.m_as("min"), "min")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=0.1, label="percent")
    mo.vstack([
        mo.md("**2.** At that optimum, what fraction of the fleet's time is wasted (writes + lost "
              "work), in percent?"),
        ex2,
    ])
    return (ex2,)


@app.cell
def _(ex2):
    _r = RELIABILITY.solve(ACCELERATOR, 24, checkpoint_time_s=300, n_accelerators=4096,
                           component_mtbf_hours=constants().gpu_mtbf, recovery_time_s=0)
    check_answer(ex2.value, _r.waste_fraction * 100, "%")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=0.1, label="percent")
    mo.vstack([
        mo.md("**3.** A 1-day job runs on 1,024 GPUs. What is the probability, in percent, that it "
              "sees at least one failure?"),
        ex3,
    ])
    return (ex3,)


@app.cell
def _(ex3):
    _r = RELIABILITY.solve(ACCELERATOR, 24, n_accelerators=1024, component_mtbf_hours=constants().gpu_mtbf)
    check_answer(ex3.value, _r.failure_probability * 100, "%")
    return


if __name__ == "__main__":
    app.run()
