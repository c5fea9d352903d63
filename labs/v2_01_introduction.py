# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.1
# goal: See what a single-node view hides when one model grows from 8 to 131,072 accelerators: communication, failures, power and cost.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.1 · The scale illusion")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import MLSysError, Models, ScaleModel, SpecError, Systems, constants
    from mlsysim_core.fmt import pct, si, usd

    SCALE = ScaleModel()
    # fleet sizes of the sweep: one node (8) to 131,072 accelerators, doubling
    SIZES = [8 * 2**k for k in range(15)]
    # the curves' points: one node, every 4x from 16 (1,024 and 16,384 of the text among them), the top
    SWEEP_SIZES = [8] + [16 * 4**k for k in range(7)] + [SIZES[-1]]
    # transformer models with a published training-token count (the time-to-train needs one)
    TRAINABLE = {name: m for name, m in Models.options().items()
                 if getattr(m, "training_tokens", None) and hasattr(m, "heads")}
    labkit.init()  # colour-blind-safe chart theme


@app.function
def days(seconds):
    """A duration in days or hours, whichever reads better."""
    if seconds is None:
        return "n/a"
    return f"{labkit.num(seconds / 86400)} days" if seconds >= 2 * 86400 else f"{labkit.num(seconds / 3600)} h"


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # II.1 · The scale illusion

    On one 8-GPU server, training is a compute problem: FLOPs divided by FLOP/s. Multiply the
    server a thousand-fold and the arithmetic seems to carry over, 1,000 × the GPUs, 1/1,000 of
    the time. It does not. Four quantities that round to zero on one node grow with the fleet:

    $$T_{\text{step}} = T_{\text{compute}} + T_{\text{comm}}(N)
    \qquad \text{failures/day} = \frac{24\,\text{h} \cdot N}{\text{MTBF}_{\text{acc}}}
    \qquad P = N \, P_{\text{acc}} \, \text{PUE}
    \qquad \text{cost/day} = \text{TCO}(N,\ 1\ \text{day})$$

    and the time to train is the token count over what the fleet actually delivers,
    $T = D / (\text{tokens/s} \times G)$, with $G$ the goodput left after failures and
    checkpoints (Young–Daly, chapter II.7). This lab keeps each data-parallel replica's batch
    fixed and adds replicas (weak scaling), as a team adding GPUs to a run does, and lets the
    engine compose four solvers (distributed training, reliability, sustainability, economics)
    at every size.

    **After this lab you can**

    - say how the communication share of a step, failures per day, power and cost grow with $N$;
    - explain why 128 × the accelerators buys much less than 128 × the speed, and which wall takes
      the difference;
    - size the power and daily bill of a 100,000-accelerator campus from first principles.
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

    Llama-3.1-8B trains on its 15 T tokens on 1,024 H100s (InfiniBand NDR, 4 sequences per GPU,
    one-minute checkpoints). The team is offered **128 ×** the GPUs: 131,072.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"About 128 × faster: it scales linearly": "linear",
                 "About 80-110 × faster: a little communication overhead": "most",
                 "Only 40-80 × faster": "half",
                 "Less than 40 × faster": "little"},
        label="Predict: how much sooner does training finish on 131,072 GPUs than on 1,024?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _model, _fleet = Models.Llama3_8B, Systems.Clusters.Mega_100K
    _small = SCALE.solve(_model, _fleet, 1024, batch_per_replica=4)
    _big = SCALE.solve(_model, _fleet, 131072, batch_per_replica=4)
    _speedup = _small.raw("time_to_train") / _big.raw("time_to_train")
    _truth = ("linear" if _speedup > 110 else "most" if _speedup > 80 else "half" if _speedup > 40 else "little")
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** Training takes **{days(_small.raw("time_to_train"))}**
    on 1,024 GPUs and **{days(_big.raw("time_to_train"))}** on 131,072: **{_speedup:.0f} ×** sooner,
    not 128 ×. Communication grows only from {pct(_small.communication_share)} to
    {pct(_big.communication_share)} of a step. The big loss is failures: the large fleet fails
    **{_big.failures_per_day:.0f} times a day** (every {60 * _big.fleet_mtbf.m_as("h"):.0f} min), and
    checkpoints, lost work and restarts leave a goodput of only **{pct(_big.goodput)}**
    (vs {pct(_small.goodput)}). Meanwhile the bill is **{usd(_big.cost_per_day_usd)} a day** for
    **{si(_big.raw("facility_power"), "W")}** of power.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your workload and fleet

    The cluster sets the node (8 accelerators), the fabric and the grid; the sweep then sizes it
    from one node to 131,072 accelerators.
    """)
    return


@app.cell
def _():
    model_pick = labkit.ui.dropdown("model_pick", options=TRAINABLE, value=Models.Llama3_8B.name, label="Model")
    fleet_pick = labkit.ui.dropdown("fleet_pick", options=Systems.Clusters.options(), value=Systems.Clusters.Mega_100K.name,
                                label="Cluster template (node, fabric, region)")
    mo.vstack([model_pick, fleet_pick])
    return fleet_pick, model_pick


@app.cell
def _():
    tp = labkit.ui.slider("tp", steps=[1, 2, 4, 8], value=1, show_value=True, label="Tensor parallel TP (inside a node)")
    batch = labkit.ui.slider("batch", steps=[1, 2, 4, 8, 16, 32], value=4, show_value=True,
                         label="Sequences per data-parallel replica per step")
    ckpt = labkit.ui.slider("ckpt", start=10, stop=600, step=10, value=60, show_value=True,
                        label="Checkpoint write time δ (s)")
    mo.vstack([tp, batch, ckpt])
    return batch, ckpt, tp


@app.cell
def _(batch, ckpt, fleet_pick, model_pick, tp):
    # the sweep: once per change of the workload controls (9 sizes x 4 solvers)
    sweep, sweep_error = [], None
    try:
        for _n in SWEEP_SIZES:
            if _n % tp.value == 0:
                sweep.append(SCALE.solve(model_pick.value, fleet_pick.value, _n, batch_per_replica=batch.value,
                                         tp_size=tp.value, checkpoint_time_s=ckpt.value))
    except MLSysError as _e:
        sweep_error = str(_e)
    return sweep, sweep_error


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Four curves a single node never shows

    Each panel against the number of accelerators (log axis). The dashed line of the last panel is
    the single-node illusion: the time to train if the speed-up were linear.
    """)
    return


@app.cell
def _(prediction, sweep, sweep_error):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the curves._"))
    mo.stop(sweep_error is not None, mo.callout(mo.md(f"**This plan cannot run.** {sweep_error}"), kind="danger"))
    _first = sweep[0]
    _rows = []
    for _r in sweep:
        _n = _r.n_accelerators
        _rows += [
            {"N": _n, "panel": "1 communication + bubble share of a step", "value": _r.communication_share},
            {"N": _n, "panel": "2 failures per day", "value": _r.failures_per_day},
            {"N": _n, "panel": "3 facility power (MW)", "value": _r.facility_power.m_as("MW")},
            {"N": _n, "panel": "4 cost per day (USD)", "value": _r.cost_per_day_usd},
        ]
    _x = alt.X("N:Q", scale=alt.Scale(type="log", base=2), title="accelerators N")
    _panels = labkit.chart(_rows).mark_line(point=True).encode(
        x=_x, y=alt.Y("value:Q", title=None, scale=alt.Scale(type="log")),
        tooltip=[alt.Tooltip("panel:N"), alt.Tooltip("N:Q", format=","), alt.Tooltip("value:Q", format=",.3g")],
    ).properties(width=250, height=150).facet(facet=alt.Facet("panel:N", title=None), columns=2).resolve_scale(y="independent")
    _ttt = []
    for _r in sweep:
        if _r.time_to_train is None or _first.time_to_train is None:   # goodput 0: the run never ends
            continue
        _ttt += [{"N": _r.n_accelerators, "days": _r.time_to_train.m_as("day"), "curve": "engine"},
                 {"N": _r.n_accelerators, "days": _first.time_to_train.m_as("day") * _first.n_accelerators / _r.n_accelerators,
                  "curve": "linear speed-up from one node"}]
    _line = labkit.chart(_ttt).mark_line(point=True).encode(
        x=_x, y=alt.Y("days:Q", scale=alt.Scale(type="log"), title="time to train (days)"),
        color=alt.Color("curve:N", title=None),
        strokeDash=alt.condition("datum.curve == 'engine'", alt.value([1, 0]), alt.value([5, 3])),
        tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("N:Q", format=","), alt.Tooltip("days:Q", format=",.3g")],
    ).properties(width=560, height=220, title=f"{_first.model}: time to train")
    mo.vstack([_panels, _line])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · One fleet size, in detail
    """)
    return


@app.cell
def _():
    size = labkit.ui.slider("size", steps=SIZES, value=16384, show_value=True, label="Accelerators N")
    size
    return (size,)


@app.cell
def _(batch, ckpt, fleet_pick, model_pick, size, tp):
    try:
        point = SCALE.solve(model_pick.value, fleet_pick.value, size.value, batch_per_replica=batch.value,
                            tp_size=tp.value, checkpoint_time_s=ckpt.value)
        point_error = None
    except MLSysError as _e:
        point, point_error = None, str(_e)
    return point, point_error


@app.cell
def _(point, point_error, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the numbers._"))
    mo.stop(point_error is not None, mo.callout(mo.md(f"**This plan cannot run.** {point_error}"), kind="danger"))
    _stats = mo.hstack([
        mo.stat(pct(point.communication_share), label="Step spent communicating", bordered=True,
                caption=f"step {si(point.raw('step_time'), 's')}"),
        mo.stat(labkit.num(point.failures_per_day), label="Failures per day", bordered=True,
                caption=f"goodput {pct(point.goodput)}"),
        mo.stat(si(point.raw("facility_power"), "W"), label="Facility power", bordered=True,
                caption=f"{point.energy_per_day_kwh:,.0f} kWh/day"),
        mo.stat(usd(point.cost_per_day_usd), label="Cost per day", bordered=True,
                caption=f"train: {days(point.raw('time_to_train'))}"),
    ], widths="equal")
    if not point.feasible:
        _note = mo.callout(mo.md(
            f"**Out of memory.** With TP = {point.tp_size}, {point.model} needs "
            f"{si(point.raw('memory_per_accelerator'), 'B')} per accelerator (weights, gradients, optimizer "
            f"state, activations): short by **{si(point.raw('shortfall'), 'B')}**. Raise tensor parallelism, "
            "fewer sequences per replica, or a smaller model; the numbers above assume it fits."), kind="danger")
    elif point.time_to_train is None:
        _note = mo.callout(mo.md(
            f"**This run never finishes.** The fleet fails every {60 * point.fleet_mtbf.m_as('h'):.0f} min, "
            "and checkpoint writes, lost work and restarts take all of its time (goodput 0). Make checkpoints "
            "faster or the fleet smaller."), kind="danger")
    elif point.goodput < 0.5:
        _note = mo.callout(mo.md(
            f"**The fleet spends more time failing than training.** At {point.n_accelerators:,} accelerators "
            f"something fails every {60 * point.fleet_mtbf.m_as('h'):.0f} min; with δ = checkpoint writes, lost "
            f"work and restarts, only **{pct(point.goodput)}** of the fleet's time is useful. Faster "
            "(asynchronous, in-memory) checkpoints or a smaller job would buy more than more GPUs."), kind="danger")
    elif point.communication_share > 0.5:
        _note = mo.callout(mo.md(
            f"**Communication-bound.** {pct(point.communication_share)} of each step is spent moving data: "
            "more accelerators now mostly add network traffic."), kind="warn")
    else:
        _note = mo.callout(mo.md(f"At this size the fleet keeps **{pct(point.goodput)}** goodput and "
                                 f"**{pct(point.scaling_efficiency)}** scaling efficiency."), kind="info")
    mo.vstack([_stats, _note, mo.accordion({"Show the work": mo.md(point.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Worked example (equations page 7.1)

    The page's fleet: 16,384 GPUs with a 50,000-hour MTBF each fail about every **3 hours**, so a
    month-long run sees hundreds of failures. The engine, through the same sweep:
    """)
    return


@app.cell
def _():
    _r = SCALE.solve(Models.Llama3_8B, Systems.Clusters.Mega_100K, 16384, batch_per_replica=4)
    _c = constants()
    mo.md(f"""
    | quantity | engine | page |
    |:---|---:|:---|
    | accelerator MTBF | {_c.gpu_mtbf:,.0f} h | 50,000 h |
    | fleet MTBF, 16,384 GPUs | **{_r.fleet_mtbf.m_as("h"):.2f} h** | ~3 h |
    | failures per day | **{_r.failures_per_day:.1f}** | (24 h / 3 h = 8) |
    | failures in 30 days | **{30 * _r.failures_per_day:,.0f}** | "hundreds" |
    | facility power | **{si(_r.raw("facility_power"), "W")}** | |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - Nothing in the single-node view is wrong; it is incomplete. Communication, failures, power
      and cost each grow with $N$ and each eventually dominates.
    - Failures grow exactly linearly with $N$; at 100,000 accelerators something breaks every
      half hour, and checkpointing, not the network, sets how much of the speed-up survives.
    - Power and cost grow linearly too: a 100,000-GPU campus draws tens of megawatts and costs
      millions of dollars a day, so every percent of lost goodput is real money.
    - Weak scaling assumes the global batch may grow with the fleet; past the model's critical
      batch size, more replicas stop helping even with a perfect network.

    ## Exercises

    Use the defaults of section 2 (Llama-3.1-8B, the 100,000-H100 cluster template, TP = 1,
    4 sequences per replica, δ = 60 s). The notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=0.1, label="failures per day")
    mo.vstack([mo.md("**1.** How many failures per day does a 32,768-accelerator fleet see?"), ex1])
    return (ex1,)


@app.cell
def _(ex1):
    _r = SCALE.solve(Models.Llama3_8B, Systems.Clusters.Mega_100K, 32768, batch_per_replica=4)
    check_answer(ex1.value, _r.failures_per_day, "")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=0.1, label="MW")
    mo.vstack([mo.md("**2.** What facility power (MW) does the 131,072-accelerator fleet draw while training?"), ex2])
    return (ex2,)


@app.cell
def _(ex2):
    _r = SCALE.solve(Models.Llama3_8B, Systems.Clusters.Mega_100K, 131072, batch_per_replica=4)
    check_answer(ex2.value, _r.facility_power.m_as("MW"), "MW")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=0.1, label="percent")
    mo.vstack([mo.md("**3.** At 131,072 accelerators, what goodput (percent of fleet time doing useful "
                     "training) survives failures and checkpoints?"), ex3])
    return (ex3,)


@app.cell
def _(ex3):
    _r = SCALE.solve(Models.Llama3_8B, Systems.Clusters.Mega_100K, 131072, batch_per_replica=4)
    check_answer(ex3.value, _r.goodput * 100, "%")
    return


if __name__ == "__main__":
    app.run()
