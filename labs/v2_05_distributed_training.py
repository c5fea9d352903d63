# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.5
# goal: Choose tensor, pipeline, data and expert parallelism for a fleet, and read where each training step's time goes.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.5 · Distributed training")

with app.setup:
    import dataclasses

    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import (
        DistributedModel,
        Models,
        ParallelismOptimizer,
        SpecError,
        Systems,
        calc_microbatches_for_bubble,
        calc_pipeline_bubble,
    )
    from mlsysim_core.fmt import pct, si
    from mlsysim_core.plots import plot_bubble

    DIST = DistributedModel()
    TP_STEPS = [1, 2, 3, 4, 8, 16]                       # 3 and 16 are there to be tried and refused
    PP_STEPS = [1, 2, 3, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64]
    EP_STEPS = [1, 2, 4, 8, 16, 32, 64]
    MAP_TP = [1, 2, 4, 8, 16]
    PARTS = ["compute", "dp", "tp", "ep", "pp", "bubble"]
    PART_LABEL = {"compute": "compute", "dp": "DP all-reduce", "tp": "TP all-reduces", "ep": "EP all-to-all",
                  "pp": "PP sends", "bubble": "pipeline bubble"}
    PART_COLOR = ["#009E73", "#0072B2", "#E69F00", "#CC79A7", "#000000", "#D55E00"]
    SHORT = {"tp_size": "TP", "pp_size": "PP", "ep_size": "EP", "batch_size": "batch<DP",
             "microbatch_count": "M", "v_stages": "V", "zero_stage": "ZeRO"}

    labkit.init()  # colour-blind-safe chart theme


@app.function
def plan(model, fleet, tp, pp, ep, m, **kw):
    """(result, error message) of one plan; a microbatch count above the per-replica batch is
    lowered to it (the engine's ``local_batch``), so the map varies TP and PP only."""
    try:
        return DIST.solve(model, fleet, tp_size=tp, pp_size=pp, ep_size=ep, microbatch_count=m, **kw), None
    except SpecError as e:
        if e.name != "microbatch_count":
            return None, e
    try:
        local = DIST.solve(model, fleet, tp_size=tp, pp_size=pp, ep_size=ep, microbatch_count=1,
                           **kw).raw("local_batch")
        return DIST.solve(model, fleet, tp_size=tp, pp_size=pp, ep_size=ep, microbatch_count=min(m, local),
                          **kw), None
    except SpecError as e:
        return None, e


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 06 · Distributed training

    A 70-billion-parameter model does not fit on one GPU: its weights, gradients and optimizer
    state alone take over a terabyte. So it is cut up, in up to four ways at once. **Tensor
    parallelism** (TP) splits each layer's matrices over the GPUs of one server; **pipeline
    parallelism** (PP) gives each group of GPUs a slice of the layers; **expert parallelism** (EP)
    spreads a mixture-of-experts model's experts; and **data parallelism** (DP) runs copies of the
    whole arrangement on different data. On $N$ accelerators:

    $$
    \text{DP} = \frac{N}{\text{TP} \times \text{PP} \times \text{EP}}
    \qquad\qquad
    \eta_{\text{scale}} = \frac{T_{\text{compute}}}{T_{\text{compute}} + T_{\text{dp}} + T_{\text{tp}} +
    T_{\text{ep}} + T_{\text{pp}} + T_{\text{bubble}}}
    $$

    Every split costs something. DP all-reduces the gradients once a step; TP all-reduces
    activations in every layer (so it must stay on a server's NVLink); EP routes tokens all-to-all;
    PP leaves stages idle while the pipeline fills and drains. With $P$ stages, $M$ microbatches
    and $V$ virtual stages per GPU (interleaving), the idle share is

    $$
    \text{bubble} = \frac{P - 1}{V\,M + P - 1}.
    $$

    **Learning goals.** After this lab you can

    - choose TP, PP, DP (and EP) for a fleet, and say why a size is refused;
    - read a training step's time breakdown and name the overhead that dominates;
    - trade the pipeline bubble against memory with microbatches and virtual stages.
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

    Llama-3 70B trains on 64 H100s (8 servers of 8) with a global batch of 512 sequences,
    TP = 8 inside each server and 16 microbatches. You may split the layers into 1, 2, 4 or 8
    pipeline stages.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Yes: more stages means more parallel work, so the step gets shorter": "faster",
            "No: past the point where the model fits, each stage only adds bubble": "no",
            "It makes no difference to the step time": "same",
        },
        label="**Predict:** do more pipeline stages always make the training step faster?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _rows = []
    for _pp in (1, 2, 4, 8):
        _r = DIST.solve(Models.Llama3_70B, Systems.Clusters.H100_64, batch_size=512, tp_size=8, pp_size=_pp,
                        microbatch_count=16, activation_recomputation=True)
        _fit = "fits" if _r.feasible else f"out of memory by {si(_r.raw('shortfall'), 'B')}"
        _rows.append(f"| {_pp} | {_r.parallelism['dp']} | {pct(_r.bubble_fraction)} | "
                     f"{si(_r.raw('step_latency_total'), 's')} | {si(_r.raw('memory_per_accelerator'), 'B')} | {_fit} |")
    _right = prediction.value == "no"
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: more stages make each step slower.** With the GPU count
    fixed, every extra stage takes GPUs away from data parallelism, and the bubble
    $(P-1)/(M+P-1)$ grows. Pipelining buys **memory**, not speed (activation recomputation on):

    | stages P | DP | bubble | step time | memory per GPU | |
    |---:|---:|---:|---:|---:|:---|
    {chr(10).join(_rows)}

    Only P = 4 both fits and runs; P = 8 is slower still and, with a fixed global batch, each
    replica's microbatches get bigger, so it runs out of memory again. The right number of stages
    is the fewest that fit.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your plan

    Pick a model and a cluster (you may swap its network fabric), the global batch and the memory
    savers, then the four parallel sizes. Sizes that do not divide the fleet are refused with the
    engine's reason; so is tensor parallelism wider than a server.
    """)
    return


@app.cell
def _():
    _models = {n: m for n, m in Models.options().items() if hasattr(m, "n_kv_heads")}
    model = labkit.ui.dropdown("model", options=_models, value=Models.Llama3_70B.name, label="Model")
    cluster = labkit.ui.dropdown("cluster", options=Systems.Clusters.options(), value=Systems.Clusters.H100_64.name,
                             label="Cluster")
    mo.hstack([model, cluster], justify="start")
    return cluster, model


@app.cell
def _(cluster):
    fabric = labkit.ui.dropdown("fabric", options=Systems.Fabrics.options(), value=cluster.value.fabric.name,
                            label="Fabric between servers")
    batch = labkit.ui.slider("batch", steps=[2**_k for _k in range(3, 15)], value=512, show_value=True,
                         label="Global batch (sequences of 2,048 tokens)")
    mo.hstack([fabric, batch], justify="start")
    return batch, fabric


@app.cell
def _():
    zero = labkit.ui.slider("zero", start=0, stop=3, step=1, value=0, show_value=True, label="ZeRO stage")
    recompute = labkit.ui.switch("recompute", value=True, label="Activation recomputation")
    overlap = labkit.ui.switch("overlap", value=False, label="Overlap DP all-reduce with backward")
    mo.hstack([zero, recompute, overlap], justify="start")
    return overlap, recompute, zero


@app.cell
def _():
    tp = labkit.ui.slider("tp", steps=TP_STEPS, value=8, show_value=True, label="TP (tensor)")
    pp = labkit.ui.slider("pp", steps=PP_STEPS, value=4, show_value=True, label="PP (pipeline stages P)")
    ep = labkit.ui.slider("ep", steps=EP_STEPS, value=1, show_value=True, label="EP (expert)")
    microbatches = labkit.ui.slider("microbatches", steps=[2**_k for _k in range(9)], value=16, show_value=True,
                                label="Microbatches M")
    v_stages = labkit.ui.slider("v_stages", steps=[1, 2, 4], value=1, show_value=True, label="Virtual stages V")
    mo.vstack([mo.hstack([tp, pp, ep], justify="start"), mo.hstack([microbatches, v_stages], justify="start")])
    return ep, microbatches, pp, tp, v_stages


@app.cell
def _(batch, cluster, fabric, overlap, recompute, v_stages, zero):
    fleet = dataclasses.replace(cluster.value, fabric=fabric.value)
    settings = dict(batch_size=batch.value, zero_stage=zero.value, activation_recomputation=recompute.value,
                    overlap_comm=overlap.value, v_stages=v_stages.value)
    return fleet, settings


@app.cell
def _(ep, fleet, microbatches, model, pp, settings, tp):
    try:
        result = DIST.solve(model.value, fleet, tp_size=tp.value, pp_size=pp.value, ep_size=ep.value,
                            microbatch_count=microbatches.value, **settings)
        error = None
    except SpecError as _e:
        result, error = None, _e
    return error, result


@app.cell
def _(error, fleet):
    _n, _apn = fleet.total_accelerators, fleet.node.accelerators_per_node
    if error is not None:
        _hint = {
            "tp_size": f"TP must divide the {_apn} GPUs of one server: tensor parallelism all-reduces in every "
                       "layer, and only NVLink inside a server is fast enough. To use more GPUs per layer "
                       "group, add pipeline stages or data parallelism instead.",
            "pp_size": f"TP × PP × EP must divide the fleet's {_n:,} accelerators, so that DP is a whole number.",
            "ep_size": "EP splits the experts of a mixture-of-experts model (a dense model has none), and must "
                       "divide the fleet with TP and PP.",
            "batch_size": "Each data-parallel replica needs at least one sequence: raise the batch, or use "
                          "larger TP/PP so that there are fewer replicas.",
            "microbatch_count": "A replica cannot split its share of the batch into more microbatches than "
                                "it has sequences.",
        }.get(error.name, "")
        _out = mo.callout(mo.md(f"**This plan is refused.** {error}\n\n{_hint}"), kind="danger")
    else:
        _out = mo.md(f"_{fleet.name} over {fleet.fabric.name}: {_n:,} accelerators, {_apn} per server._")
    _out
    return


@app.cell
def _(error, result):
    mo.stop(error is not None)
    _p = result.parallelism
    mo.hstack([
        mo.stat(si(result.raw("step_latency_total"), "s"), label="Step time", bordered=True,
                caption=f"{labkit.num(result.effective_throughput.m_as('1/s'))} sequences/s"),
        mo.stat(pct(result.scaling_efficiency), label="Scaling efficiency η", bordered=True,
                caption=f"MFU {pct(result.mfu)}"),
        mo.stat(pct(result.bubble_fraction), label="Pipeline bubble", bordered=True,
                caption=f"P={_p['pp']}, M={result.microbatch_count}, V={result.v_stages}"),
        mo.stat(f"DP = {_p['dp']:,}", label="Data-parallel replicas", bordered=True,
                caption=f"TP {_p['tp']} × PP {_p['pp']} × EP {_p['ep']}"),
        mo.stat(si(result.raw("memory_per_accelerator"), "B"), label="Memory per GPU", bordered=True,
                caption=f"of {si(result.raw('memory_capacity'), 'B')}"),
    ], widths="equal")
    return


@app.cell
def _(error, result):
    mo.stop(error is not None or result.feasible)
    _r = result.raw()
    mo.callout(mo.md(f"""
    **Out of memory: this plan needs {si(_r["memory_per_accelerator"], "B")} per GPU, the GPU has
    {si(_r["memory_capacity"], "B")} (short by {si(_r["shortfall"], "B")}).** Weights
    {si(_r["weights_per_accelerator"], "B")} + gradients {si(_r["gradients_per_accelerator"], "B")} +
    optimizer state {si(_r["optimizer_state_per_accelerator"], "B")} + activations of the microbatches in
    flight {si(_r["activations_per_accelerator"], "B")}. The step time above describes a run that would
    crash. Shard the state (ZeRO), recompute activations, use more TP or PP stages, or more
    microbatches (smaller ones).
    """), kind="danger")
    return


@app.cell
def _(error, result):
    mo.stop(error is not None)
    mo.accordion({"Show the work": mo.md(result.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Where the step time goes

    Your plan against the best plan the engine's optimizer finds for the same model, fleet, batch
    and memory savers (searching TP, PP and M; your EP and V). Green is useful work; everything
    else is overhead.
    """)
    return


@app.cell
def _(ep, fleet, model, settings):
    try:
        _kw = dict(settings)
        _v = _kw.pop("v_stages")
        best = ParallelismOptimizer().best_result(
            model.value, fleet, _kw.pop("batch_size"), v_stages=(_v,), ep_sizes=[ep.value], **_kw)
    except SpecError:
        best = None
    return (best,)


@app.cell
def _(best, error, result):
    mo.stop(error is not None and best is None)
    _bars = []
    if result is not None:
        _bars.append(("your plan", result))
    if best is not None:
        _bars.append(("optimizer's best" + ("" if best.feasible else " (does not fit)"), best))
    _rows = []
    for _name, _r in _bars:
        _p = _r.parallelism
        _label = f"{_name}: TP{_p['tp']} PP{_p['pp']} DP{_p['dp']}" + (f" EP{_p['ep']}" if _p["ep"] > 1 else "") \
            + f" M{_r.microbatch_count}"
        for _i, (_part, _s) in enumerate(_r.breakdown("s").items()):
            _rows.append({"plan": _label, "part": PART_LABEL[_part], "s": _s, "order": _i})
    labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("plan:N", title=None, sort=None),
        x=alt.X("s:Q", stack="zero", title="step time (s)"),
        color=alt.Color("part:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=[PART_LABEL[_p] for _p in PARTS], range=PART_COLOR)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("plan:N"), alt.Tooltip("part:N"), alt.Tooltip("s:Q", format=".3g")],
    ).properties(width=560, height=45 * len(_bars) + 20, title="One training step, by component")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The TP × PP map

    Every TP, and every stage count that divides the fleet, for your model, batch, EP, microbatches
    and memory savers (a microbatch count larger than a replica's share of the batch is lowered to it). Colour: step time, darker
    is faster; the text gives step time and scaling efficiency. Grey cells run out of memory,
    crossed cells are refused (hover for the reason). Your plan is outlined.
    """)
    return


@app.cell
def _(ep, fleet, microbatches, model, settings):
    _layers = model.value.layers or 1
    _n = fleet.total_accelerators
    _pps = [_d for _d in range(1, min(64, _layers) + 1) if _n % _d == 0]   # stage counts that divide N
    map_rows = []
    for _tp in MAP_TP:
        for _pp in _pps:
            _r, _e = plan(model.value, fleet, _tp, _pp, ep.value, microbatches.value, **settings)
            _row = {"TP": _tp, "PP": _pp}
            if _e is not None:
                _row.update(kind="refused", label="✗", why=str(_e), s=None)
            elif not _r.feasible:
                _row.update(kind="out of memory", label=f"OOM\n+{_r.raw('shortfall') / 1e9:.0f} GB",
                            why=f"short by {si(_r.raw('shortfall'), 'B')}", s=None)
            else:
                _row.update(kind="fits", s=_r.raw("step_latency_total"),
                            label=f"{_r.raw('step_latency_total'):.3g} s\nη {_r.scaling_efficiency:.0%}",
                            why=f"bubble {pct(_r.bubble_fraction)}, M={_r.microbatch_count}, "
                                f"{si(_r.raw('memory_per_accelerator'), 'B')} per GPU")
            map_rows.append(_row)
    _steps = [_r["s"] for _r in map_rows if _r["s"] is not None]
    for _r in map_rows:   # white text on the darker (faster) half of the colour scale
        _r["dark"] = bool(_steps) and _r["s"] is not None and _r["s"] <= (min(_steps) + max(_steps)) / 2
    return (map_rows,)


@app.cell
def _(map_rows, pp, tp):
    _x = alt.X("PP:O", title="pipeline stages PP")
    _y = alt.Y("TP:O", title="tensor parallel TP", sort="descending")
    _base = labkit.chart(map_rows)
    _fits = _base.transform_filter("datum.kind == 'fits'").mark_rect().encode(
        x=_x, y=_y, color=alt.Color("s:Q", title="step (s)", scale=alt.Scale(scheme="greens", reverse=True)),
        tooltip=[alt.Tooltip("TP:O"), alt.Tooltip("PP:O"), alt.Tooltip("s:Q", format=".3g", title="step (s)"), alt.Tooltip("why:N")])
    _bad = _base.transform_filter("datum.kind != 'fits'").mark_rect().encode(
        x=_x, y=_y, color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["out of memory", "refused"], range=["#bbbbbb", "#f4f4f4"])),
        tooltip=[alt.Tooltip("TP:O"), alt.Tooltip("PP:O"), alt.Tooltip("kind:N"), alt.Tooltip("why:N")])
    _text = _base.mark_text(fontSize=10, lineBreak="\n").encode(
        x=_x, y=_y, text=alt.Text("label:N"), color=alt.condition("datum.dark", alt.value("white"), alt.value("black")))
    _mine = labkit.chart([{"TP": tp.value, "PP": pp.value}]).transform_filter(
        {"and": [alt.FieldOneOfPredicate(field="TP", oneOf=MAP_TP),
                 alt.FieldOneOfPredicate(field="PP", oneOf=sorted({_r["PP"] for _r in map_rows}))]}
    ).mark_rect(fill=None, stroke="black", strokeWidth=3).encode(x=_x, y=_y)
    # a layer without rows draws an empty legend reading "NaN": keep only the layers that have data
    _layers = [_l for _l, _has in ((_fits, any(_r["kind"] == "fits" for _r in map_rows)),
                                   (_bad, any(_r["kind"] != "fits" for _r in map_rows))) if _has]
    alt.layer(*_layers, _text, _mine).resolve_scale(color="independent").properties(
        width=600, height=260, title="Step time over TP × PP (grey: out of memory; ✗: refused)")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · The worked example, live: the pipeline bubble

    From the equations page (section 2.4) and the engineers' page: Llama-3 70B on the 64-H100 pod,
    global batch 512, TP = 8, **P = 4 stages, M = 16 microbatches**. The bubble is
    $3/19 = 15.8\,\%$; interleaving $V = 2$ virtual stages per GPU cuts it to $3/35 = 8.6\,\%$.
    """)
    return


@app.cell
def _():
    _kw = dict(batch_size=512, precision="fp16", tp_size=8, pp_size=4, microbatch_count=16)
    _page = DIST.solve(Models.Llama3_70B, Systems.Clusters.H100_64, **_kw)
    _v2 = DIST.solve(Models.Llama3_70B, Systems.Clusters.H100_64, v_stages=2, **_kw)
    _fit = DIST.solve(Models.Llama3_70B, Systems.Clusters.H100_64, activation_recomputation=True, **_kw)
    _table = "\n".join(
        f"| P={_p}, M={_m}, V={_v} | {pct(calc_pipeline_bubble(_p, _m, _v))} | {_txt} |"
        for _p, _m, _v, _txt in ((4, 16, 1, "3/19 = 15.8 %"), (4, 16, 2, "3/35 = 8.6 %"),
                                 (8, 32, 1, "7/39 = 17.9 %"), (16, 16, 1, "15/31 = 48.4 %")))

    def _line(label, r):
        return (f"| {label} | {pct(r.bubble_fraction)} | {si(r.raw('step_latency_total'), 's')} | "
                f"{pct(r.scaling_efficiency)} | {si(r.raw('memory_per_accelerator'), 'B')} | "
                f"{'fits' if r.feasible else 'short by ' + si(r.raw('shortfall'), 'B')} |")

    _acts = si(_page.raw("activations_per_accelerator"), "B")
    _v2_note = ("Interleaving (V = 2) halves the bubble but keeps more activations in flight "
                f"({si(_v2.raw('memory_per_accelerator'), 'B')} per GPU)."
                if _v2.raw("memory_per_accelerator") > _page.raw("memory_per_accelerator") else
                "Interleaving (V = 2) halves the bubble at no memory cost in the engine's model.")
    mo.md(f"""
    | plan (engine) | bubble | step | η | memory per GPU | |
    |:---|---:|---:|---:|---:|:---|
    {_line("page's plan, V = 1", _page)}
    {_line("same, V = 2", _v2)}
    {_line("V = 1 + activation recomputation", _fit)}

    | bubble formula | engine | page |
    |:---|---:|---:|
    {_table}

    The bubbles match the page exactly. The memory column is the page's missing caveat: as
    printed (no ZeRO, no recomputation) the plan needs {si(_page.raw("memory_per_accelerator"), "B")} per GPU
    against {si(_page.raw("memory_capacity"), "B")}, {_acts} of it the activations of the microbatches in
    flight on the first stage. {_v2_note} Full recomputation makes it fit, at the price of one extra
    forward pass per step. To keep the bubble under 5 % at P = 4 with $V = 1$ you would need
    **M ≥ {calc_microbatches_for_bubble(4, 0.05)}** microbatches (the page's rule $M \\geq 19(P-1)$).
    """)
    return


@app.cell
def _(v_stages):
    plot_bubble(pp_sizes=(2, 4, 8, 16), max_microbatches=64, v_stages=v_stages.value).properties(
        title=f"Pipeline bubble against microbatches M (V = {v_stages.value}, your slider)")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **DP = N / (TP × PP × EP)** must be whole, and TP must fit in one server: tensor parallelism
      all-reduces in every layer and only NVLink keeps up. Sizes that break either are refused.
    - **Each dimension has its own overhead**: DP a gradient all-reduce per step (hidden partly
      behind the backward pass with overlap), TP activation all-reduces in every layer, EP
      all-to-alls, PP the bubble $(P-1)/(VM+P-1)$.
    - **Pipelining buys memory, not speed.** Use the fewest stages that fit, then more microbatches
      or interleaving (V) to shrink the bubble, as long as the activations in flight still fit.
    - **Memory decides first.** A fast plan that does not fit is no plan: ZeRO shards the optimizer
      state, recomputation trades a forward pass for activation memory.

    ## Exercises

    The notebook checks within 3 % (exercise 3 exactly).

    **Exercise 1.** What is the pipeline bubble, in percent, with P = 8 stages, M = 32
    microbatches and V = 2 virtual stages?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="bubble (%)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value, calc_pipeline_bubble(8, 32, 2) * 100, "%")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** The worked example's plan with activation recomputation (Llama-3 70B on the
    64-H100 pod, batch 512, TP 8, PP 4, M 16, V 1, no ZeRO, no overlap): what is its scaling
    efficiency, in percent? Set the sliders above and read it, or work it out from *Show the work*.
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="scaling efficiency (%)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    _r = DIST.solve(Models.Llama3_70B, Systems.Clusters.H100_64, batch_size=512, tp_size=8, pp_size=4,
                    microbatch_count=16, activation_recomputation=True)
    check_answer(answer_2.value, _r.scaling_efficiency * 100, "%")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** With P = 8 stages and V = 2 virtual stages, what is the smallest number of
    microbatches that keeps the bubble at or below 5 %?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="microbatches M")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    check_answer(answer_3.value, calc_microbatches_for_bubble(8, 0.05, 2), "microbatches", tolerance=0.0)
    return


if __name__ == "__main__":
    app.run()
