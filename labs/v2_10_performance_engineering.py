# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.10
# goal: Multiply a fleet's loss factors, find the constraint that binds, and invert the roofline to size hardware for an SLA.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.10 · Performance engineering")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import (
        PRECISIONS,
        Engine,
        Hardware,
        Models,
        ParallelismOptimizer,
        ReliabilityModel,
        Scenarios,
        SensitivitySolver,
        SpecError,
        SynthesisSolver,
        Systems,
    )
    from mlsysim_core.fmt import pct, si
    from mlsysim_core.plots import plot_goodput_cascade
    from mlsysim_core.solvers.analysis import EffectiveFlopsModel   # not among the package's lazy names

    CASCADE = EffectiveFlopsModel()
    SENSITIVITY = SensitivitySolver()
    SYNTHESIS = SynthesisSolver()
    BATCHES = [2**k for k in range(14)]                                   # 1 .. 8192
    SLA_STEPS = [m * 10**e for e in range(-1, 4) for m in (1, 2, 5)] + [10**4]   # 0.1 ms .. 10 s
    KNOBS = {"peak_flops": "peak FLOP/s", "memory_bandwidth": "memory (HBM) bandwidth",
             "memory_capacity": "memory capacity", "intra_node_bandwidth": "NVLink bandwidth (in a node)",
             "fabric_bandwidth": "fabric bandwidth (between nodes)", "fabric_latency": "fabric latency"}
    # the search the lighthouse scenarios use to pick a fleet's plan
    PLAN_SEARCH = dict(zero_stage=(0, 1), activation_recomputation=(False, True), v_stages=(1, 2))

    labkit.init()  # colour-blind-safe chart theme


@app.function
def rate(flop_s):
    """A fleet-sized FLOP/s figure: EFLOP/s past 10^18 (fmt.si stops at peta), else SI."""
    return f"{labkit.num(flop_s / 1e18)} EFLOP/s" if flop_s >= 1e18 else si(flop_s, "FLOP/s")


@app.function
def plan_of(dist):
    """The DistributedModel arguments of a solved plan, to re-solve it elsewhere (e.g. sensitivity)."""
    p = dist.raw("parallelism")
    return dict(tp_size=p["tp"], pp_size=p["pp"], ep_size=p["ep"],
                microbatch_count=dist.raw("microbatch_count"), v_stages=dist.raw("v_stages"),
                zero_stage=dist.raw("zero_stage"),
                activation_recomputation=dist.raw("activation_recomputation"),
                overlap_comm=dist.raw("overlap_comm"))


@app.function
def no_device_callout(synth, precision):
    """Why no zoo device meets the SLA: the requirement, and the closest device's shortfall."""
    _need_f, _need_b = synth.raw("required_flops"), synth.raw("required_bandwidth")
    _need_m = synth.raw("required_memory")
    _fits = [r for r in synth.raw("candidates") if r["feasible"]]
    _head = (f"**No device in the zoo meets {si(synth.raw('target_latency'), 's')}.** The workload needs "
             f"at least **{si(_need_f, 'FLOP/s')}** of peak compute, **{si(_need_b, 'B/s')}** of memory "
             f"bandwidth and **{si(_need_m, 'B')}** of memory.")
    if not _fits:
        _big = max(Hardware, key=lambda h: h.memory.capacity_bytes)
        return mo.callout(mo.md(
            f"{_head} Not one device even holds it: the largest memory in the zoo is {_big.name}'s "
            f"{si(_big.memory.capacity_bytes, 'B')}. Shrink the model (lower precision, lab 03) or split it "
            "over several devices (lab 06)."), kind="danger")
    _best = min(_fits, key=lambda r: r["latency_ms"])
    _hw = Hardware.options()[_best["hardware"]]
    _have_f, _have_b = _hw.compute.peak_flop_s(precision), _hw.memory.bandwidth_bytes_s
    _gap_f = "enough" if _have_f >= _need_f else f"**{_need_f / _have_f:.2g}× too little**"
    _gap_b = "enough" if _have_b >= _need_b else f"**{_need_b / _have_b:.2g}× too little**"
    return mo.callout(mo.md(
        f"{_head} The closest is **{_hw.name}** at **{_best['latency_ms']:.3g} ms** "
        f"({_best['latency_ms'] / (synth.raw('target_latency') * 1e3):.2g}× the target, {_best['bottleneck'].lower()}): "
        f"its {si(_have_f, 'FLOP/s')} of peak is {_gap_f}, its {si(_have_b, 'B/s')} of bandwidth is {_gap_b}. "
        "Relax the SLA, cut the bytes (lower precision), or split the work over several devices."),
        kind="danger")


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 10 · Performance engineering

    A cluster of eight thousand H100s has a datasheet peak of about eight *exaFLOP/s*. No
    training run has ever seen that number. The kernels reach a fraction of each GPU's peak; the
    GPUs wait for each other's gradients and for the pipeline to fill; and every few hours a
    part fails and the fleet rolls back to its last checkpoint. Each loss is a factor, and the
    factors multiply:

    $$
    \text{Effective FLOP/s} = \text{Peak} \times
    \underbrace{\text{MFU}}_{\text{per-GPU kernels}} \times
    \underbrace{\eta_{\text{scale}}}_{\text{communication, bubbles}} \times
    \underbrace{\frac{\text{Goodput}}{\text{Rawput}}}_{\text{failures, checkpoints}}
    $$

    Performance engineering is the craft of finding *which* factor, and which resource behind it,
    to fix first. Two more tools make that precise. The **sensitivity** of the latency $T$ to a
    resource $x$ (peak FLOP/s, memory bandwidth, link bandwidth) says how much faster you get per
    percent of $x$; and **inverting the roofline** turns a latency target into the hardware it
    requires:

    $$
    g_x = -\frac{\partial \ln T}{\partial \ln x}
    \qquad\qquad
    \text{Peak} \ge \frac{\text{FLOPs}}{T_{\text{SLA}}\,\eta},\quad
    \text{BW} \ge \frac{\text{Bytes}}{T_{\text{SLA}}},\quad
    \text{Memory} \ge \text{footprint}
    $$

    $g_x = 1$: the latency follows $x$ one for one ($x$ **binds**); $g_x = 0$: buying more $x$ is
    wasted money.

    **Learning goals.** After this lab you can

    - multiply the loss factors of a fleet and say why it delivers 10–40 % of its peak;
    - find the binding constraint of a workload on a device or a fleet, and rank the levers;
    - turn a latency SLA into the minimum FLOP/s, bandwidth and memory, and pick the zoo devices
      that meet it, or say by how much the best one falls short.
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

    The *frontier training* lighthouse: Llama-3.1-70B on the zoo's 8,192-H100 cluster, global
    batch 2048, fp16, with the fastest parallelism plan that fits (the one the scenario picks).
    You may make **one** resource 10 % better on every GPU.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Peak FLOP/s: faster tensor cores": "peak_flops",
            "HBM bandwidth: faster memory on each GPU": "memory_bandwidth",
            "NVLink bandwidth: faster links inside each 8-GPU node": "intra_node_bandwidth",
            "InfiniBand bandwidth: a faster fabric between nodes": "fabric_bandwidth",
        },
        label="**Predict:** which single lever shortens the training step the most?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _sc = Scenarios.FrontierTraining
    _dist = _sc.evaluate(batch_size=2048, precision="fp16").details["distributed"]
    _s = SENSITIVITY.solve(_sc.workload, _sc.system, batch_size=2048, precision="fp16", **plan_of(_dist))
    _g = _s.gains
    _parts = _dist.breakdown("ms")
    _right = prediction.value == _s.binding_constraint
    _rows = "\n".join(f"| {KNOBS[_k]} | **{_v:.2f}** |" for _k, _v in sorted(_g.items(), key=lambda kv: -kv[1]))
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: the step is bound by {KNOBS[_s.binding_constraint]}.**
    Of the {si(_dist.raw("step_latency_total"), "s")} step, {_parts["compute"]:.0f} ms is math and
    {_parts["bubble"]:.0f} ms is pipeline bubble (idle time that also shrinks with faster math);
    the tensor-parallel all-reduces over NVLink take {_parts["tp"]:.0f} ms, and the data-parallel
    gradient all-reduce over InfiniBand is mostly hidden behind the backward pass: only
    {_parts["dp"]:.0f} ms of it shows. Each GEMM of a 70B model at this batch is far right of the
    ridge, so HBM bandwidth does not matter at all. The engine's elasticities ($g$ for +10 %):

    | resource | $g$ |
    |:---|---:|
    {_rows}

    Intuition trained on *inference* (lab 01: decode is memory-bound) and on *network* horror
    stories misleads here: with TP kept inside the node and the all-reduce overlapped, a
    well-planned training step is compute-bound.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The goodput cascade: multiply the losses

    Choose a fleet and set each factor by hand. MFU is the fraction of peak the kernels reach on
    one GPU (an input of the engine: its $\eta$); $\eta_{\text{scale}}$ is the share of the step
    spent computing rather than communicating or idling in pipeline bubbles; goodput is the share
    of wall-clock time left after checkpoints, lost work and restarts.
    """)
    return


@app.cell
def _():
    fleet = labkit.ui.dropdown("fleet", options=Systems.Clusters.options(), value=Systems.Frontier_8192.name,
                           label="Fleet")
    cascade_precision = labkit.ui.dropdown("cascade_precision", options=list(PRECISIONS), value="fp16", label="Precision")
    mfu = labkit.ui.slider("mfu", start=0.05, stop=1.0, step=0.01, value=0.5, show_value=True, label="MFU (per GPU)")
    scaling = labkit.ui.slider("scaling", start=0.05, stop=1.0, step=0.01, value=0.7, show_value=True,
                           label="Scaling efficiency η_scale")
    goodput = labkit.ui.slider("goodput", start=0.5, stop=1.0, step=0.01, value=0.9, show_value=True,
                           label="Goodput / rawput")
    mo.vstack([mo.hstack([fleet, cascade_precision], justify="start"),
               mo.hstack([mfu, scaling, goodput], justify="start")])
    return cascade_precision, fleet, goodput, mfu, scaling


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Where do $\eta_{\text{scale}}$ and goodput come from? The engine can derive them: the
    parallelism optimizer finds the fastest plan for a model and batch on this fleet (its step
    time gives $\eta_{\text{scale}}$), and the reliability model turns the fleet's MTBF and a job
    length into goodput at the Young–Daly checkpoint interval. The MFU slider above is the kernel
    efficiency of both cascades.
    """)
    return


@app.cell
def _():
    train_model = labkit.ui.dropdown("train_model", options=Models.options(), value=Models.Llama3_70B.name,
                                 label="Model trained")
    train_batch = labkit.ui.slider("train_batch", steps=BATCHES, value=2048, show_value=True, label="Global batch")
    job_days = labkit.ui.slider("job_days", start=1, stop=120, step=1, value=30, show_value=True, label="Job length (days)")
    mo.hstack([train_model, train_batch, job_days], justify="start")
    return job_days, train_batch, train_model


@app.cell
def _(cascade_precision, fleet, goodput, mfu, scaling):
    manual = CASCADE.solve(fleet.value, mfu=mfu.value, scaling_efficiency=scaling.value,
                           goodput_ratio=goodput.value, precision=cascade_precision.value)
    return (manual,)


@app.cell
def _(cascade_precision, fleet, job_days, mfu, train_batch, train_model):
    # the plan search runs only when its inputs move, not with the scaling and goodput sliders
    try:
        derived_dist = ParallelismOptimizer().best_result(
            train_model.value, fleet.value, train_batch.value, precision=cascade_precision.value,
            efficiency=mfu.value, **PLAN_SEARCH)
        derived_rel = ReliabilityModel().solve(fleet.value, job_days.value * 24)
        derived = CASCADE.solve(fleet.value, precision=cascade_precision.value, distributed=derived_dist,
                                reliability=derived_rel)
        derived_error = None
    except SpecError as _e:
        derived_dist, derived_rel, derived, derived_error = None, None, None, str(_e)
    return derived, derived_dist, derived_error, derived_rel


@app.cell
def _(derived, derived_dist, derived_error, manual):
    _cards = [
        mo.stat(rate(manual.raw("peak_flops")), label="Datasheet peak",
                caption=f"{manual.raw('n_accelerators'):,} accelerators", bordered=True),
        mo.stat(rate(manual.raw("effective_flops")), label="Delivered (your factors)",
                caption=f"{pct(manual.raw('fraction_of_peak'))} of peak", bordered=True),
    ]
    if derived is not None:
        _cards.append(mo.stat(rate(derived.raw("effective_flops")), label="Delivered (derived)",
                              caption=f"{pct(derived.raw('fraction_of_peak'))} of peak", bordered=True))
    _out = [mo.hstack(_cards, widths="equal")]
    if derived_error is not None:
        _out.append(mo.callout(mo.md(f"**No derived cascade: the engine rejected this plan.** {derived_error}"),
                               kind="danger"))
    elif not derived_dist.raw("feasible"):
        _out.append(mo.callout(mo.md(
            f"**Out of memory: no plan fits this model on this fleet.** The closest plan needs "
            f"{si(derived_dist.raw('memory_per_accelerator'), 'B')} per accelerator, which has "
            f"{si(derived_dist.raw('memory_capacity'), 'B')} (short by {si(derived_dist.raw('shortfall'), 'B')}). "
            "The derived cascade below is for a plan that cannot run: use a bigger fleet, a lower "
            "precision or a smaller model."), kind="danger"))
    mo.vstack(_out)
    return


@app.cell
def _(derived, derived_dist, manual, train_model):
    _rows = [{"source": "your factors", "stage": _c["stage"], "fraction": _c["fraction"]}
             for _c in manual.raw("cascade")]
    if derived is not None:
        _p = derived_dist.raw("parallelism")
        _label = f"derived: {train_model.value.name}, TP{_p['tp']} PP{_p['pp']} DP{_p['dp']}"
        _rows += [{"source": _label, "stage": _c["stage"], "fraction": _c["fraction"]}
                  for _c in derived.raw("cascade")]
    _base = labkit.chart(_rows).encode(
        x=alt.X("stage:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("source:N"),
        y=alt.Y("fraction:Q", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1]),
                title="fraction of datasheet peak"),
        color=alt.Color("source:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=400)),
        tooltip=[alt.Tooltip("source:N"), alt.Tooltip("stage:N"), alt.Tooltip("fraction:Q", format=".1%")])
    (_base.mark_bar() + _base.mark_text(dy=-6, fontSize=11).encode(
        text=alt.Text("fraction:Q", format=".0%"))).properties(
        width=560, height=300, title="Each factor multiplies: from peak down to what the fleet delivers")
    return


@app.cell
def _(derived, derived_dist, derived_rel, manual):
    _panels = {"Show the work: your factors": mo.md(manual.explain())}
    if derived is not None:
        _panels["Show the work: derived factors"] = mo.md(
            derived.explain() + "\n\n" + derived_dist.explain() + "\n\n" + derived_rel.explain())
    mo.accordion(_panels)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Worked example (equations page, section 9)

    The page gives typical ranges for large-scale training, MFU 0.3–0.5, $\eta_{\text{scale}}$
    0.4–0.85, goodput 0.85–0.97, and concludes that "a fleet may deliver only 10–35 % of its
    theoretical peak". The engine on the frontier cluster, at both corners of those ranges and for
    the frontier-training scenario's own plan over its run:
    """)
    return


@app.cell
def _():
    _fleet = Systems.Frontier_8192
    _low = CASCADE.solve(_fleet, mfu=0.3, scaling_efficiency=0.4, goodput_ratio=0.85)
    _high = CASCADE.solve(_fleet, mfu=0.5, scaling_efficiency=0.85, goodput_ratio=0.97)
    _ev = Scenarios.FrontierTraining.evaluate(batch_size=2048, precision="fp16")
    _real = CASCADE.solve(_fleet, distributed=_ev.details["distributed"], reliability=_ev.details["reliability"])
    _lines = []
    for _name, _r in (("worst corner", _low), ("best corner", _high), ("frontier-training scenario", _real)):
        _f = _r.raw("factors")
        _lines.append(f"| {_name} | {_f['mfu']:.2f} | {_f['scaling_efficiency']:.2f} | {_f['goodput_ratio']:.2f} | "
                      f"{rate(_r.raw('effective_flops'))} | **{pct(_r.raw('fraction_of_peak'))}** |")
    _table = "\n".join(_lines)
    mo.vstack([
        mo.md(f"""
    | case | MFU | $\\eta_{{\\text{{scale}}}}$ | goodput | delivered | of peak |
    |:---|---:|---:|---:|---:|---:|
    {_table}

    The worst corner reproduces the page's 10 %. Its best corner gives about 41 %, not 35 %: the
    page's upper figure is rounder than its own ranges. The scenario itself lands at
    {pct(_real.raw("fraction_of_peak"))}: of {rate(_real.raw("peak_flops"))} on the datasheet,
    {rate(_real.raw("effective_flops"))} reach the model.
    """),
        plot_goodput_cascade(_real, width=480, height=220),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Which constraint binds?

    Pick a workload and a system. On a single accelerator the engine solves one inference pass
    (the roofline of lab 01); on a fleet, one training step of the fastest plan that fits (lab
    06). It then improves each resource by the perturbation in turn and re-solves. The longest bar
    is the lever to pull; the bars near zero are money you should not spend.
    """)
    return


@app.cell
def _():
    _systems = {**Hardware.options(), **{f"Fleet: {_k}": _v for _k, _v in Systems.Clusters.options().items()}}
    system = labkit.ui.dropdown("system", options=_systems, value=Hardware.H100.name, label="System")
    sens_model = labkit.ui.dropdown("sens_model", options=Models.options(), value=Models.Llama3_8B.name, label="Workload")
    mo.hstack([sens_model, system], justify="start")
    return sens_model, system


@app.cell
def _():
    sens_batch = labkit.ui.slider("sens_batch", steps=BATCHES, value=1, show_value=True,
                              label="Batch (global batch on a fleet)")
    sens_precision = labkit.ui.dropdown("sens_precision", options=list(PRECISIONS), value="fp16", label="Precision")
    perturbation = labkit.ui.slider("perturbation", start=1, stop=100, step=1, value=10, show_value=True,
                                label="Improve each resource by (%)")
    mo.hstack([sens_batch, sens_precision, perturbation], justify="start")
    return perturbation, sens_batch, sens_precision


@app.cell
def _(sens_batch, sens_model, sens_precision, system):
    # the baseline: one inference pass on a device, or the step of a fleet's best plan
    try:
        if hasattr(system.value, "total_accelerators"):
            sens_base = ParallelismOptimizer().best_result(sens_model.value, system.value, sens_batch.value,
                                                           precision=sens_precision.value, **PLAN_SEARCH)
            sens_plan = plan_of(sens_base)
        else:
            sens_base = Engine.solve(sens_model.value, system.value, batch_size=sens_batch.value,
                                     precision=sens_precision.value)
            sens_plan = {}
        base_error = None
    except SpecError as _e:
        sens_base, sens_plan, base_error = None, {}, str(_e)
    return base_error, sens_base, sens_plan


@app.cell
def _(base_error, perturbation, sens_batch, sens_model, sens_plan, sens_precision, system):
    sensitivity, sens_error = None, base_error
    if base_error is None:
        try:
            sensitivity = SENSITIVITY.solve(sens_model.value, system.value, batch_size=sens_batch.value,
                                            precision=sens_precision.value, perturbation_pct=perturbation.value,
                                            **sens_plan)
        except SpecError as _e:
            sens_error = str(_e)
    return sens_error, sensitivity


@app.cell
def _(perturbation, sens_base, sens_error, sensitivity):
    mo.stop(sens_error is not None,
            mo.callout(mo.md(f"**The engine rejected this input.** {sens_error}"), kind="danger"))
    _binding = sensitivity.binding_constraint
    _rows = [{"resource": KNOBS[_k], "gain": _g, "role": "binds" if _k == _binding else "does not bind"}
             for _k, _g in sensitivity.gains.items()]
    _rows.sort(key=lambda r: -abs(r["gain"]))
    _order = [r["resource"] for r in _rows]
    _chart = labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("resource:N", sort=_order, title=None),
        x=alt.X("gain:Q", title=f"g: latency gain per unit of resource (+{perturbation.value} %)",
                scale=alt.Scale(domain=[0, max(1.0, max(abs(r["gain"]) for r in _rows))])),
        color=alt.Color("role:N", title=None, scale=alt.Scale(domain=["binds", "does not bind"],
                                                              range=["#D55E00", "#56B4E9"])),
        tooltip=[alt.Tooltip("resource:N"), alt.Tooltip("gain:Q", format=".3f"), alt.Tooltip("role:N")],
    ).properties(width=520, height=34 * len(_rows),
                 title=f"Sensitivity of {si(sensitivity.raw('baseline_latency'), 's')} to each resource")
    _rule = labkit.chart([{"x": 1.0}]).mark_rule(strokeDash=[4, 3], color="gray").encode(x=alt.X("x:Q"))
    if not sensitivity.feasible:
        _short = sens_base.raw("shortfall")
        _note = mo.callout(mo.md(
            f"**Capacity binds: it does not fit.** The workload needs {si(_short, 'B')} more memory "
            "than this system has, so no amount of FLOP/s or bandwidth makes the latency above real. "
            "The bars show what *would* bind once it fits (compress it, lab 03, or split it, lab 06)."),
            kind="danger")
    else:
        _note = mo.md(f"**Binding constraint: {KNOBS[_binding]}** ($g$ = {sensitivity.gains[_binding]:.2f}). "
                      "Dashed line: $g$ = 1, the latency follows the resource one for one.")
    mo.vstack([_chart + _rule, _note])
    return


@app.cell
def _(sens_base, sens_error, sensitivity):
    mo.stop(sens_error is not None)
    mo.accordion({"Show the work": mo.md(sensitivity.explain() + "\n\n" + sens_base.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Try: Llama-3.1-8B on the H100 at batch 1 (bandwidth binds), then batch 512 (peak FLOP/s
    binds); the same model on the Jetson Orin NX (capacity binds: it does not fit); Llama-3.1-70B
    at global batch 2048 on the frontier fleet, then on the 100,000-H100 mega cluster, where each
    GPU gets so little work that NVLink and the fabric start to matter; and on
    the 256-GPU research cluster with plain 100 Gb Ethernet, where the fabric hardly matters: the
    gradient all-reduce hides behind a step of many seconds.

    ## 4 · Invert the roofline: from an SLA to hardware

    So far: hardware in, latency out. Now the other way round. Set a latency target; the engine
    divides the workload's FLOPs and bytes by it to get the minimum peak FLOP/s and bandwidth, then
    solves every device in the zoo and keeps those that meet the target and hold the model.
    """)
    return


@app.cell
def _():
    syn_model = labkit.ui.dropdown("syn_model", options=Models.options(), value=Models.Llama3_8B.name, label="Workload")
    sla = labkit.ui.slider("sla", steps=SLA_STEPS, value=10, show_value=True, label="Latency SLA (ms)")
    mo.hstack([syn_model, sla], justify="start")
    return sla, syn_model


@app.cell
def _():
    syn_batch = labkit.ui.slider("syn_batch", steps=BATCHES, value=1, show_value=True, label="Batch")
    syn_precision = labkit.ui.dropdown("syn_precision", options=list(PRECISIONS), value="fp16", label="Precision")
    syn_eta = labkit.ui.slider("syn_eta", start=0.1, stop=1.0, step=0.05, value=0.5, show_value=True, label="Efficiency η")
    mo.hstack([syn_batch, syn_precision, syn_eta], justify="start")
    return syn_batch, syn_eta, syn_precision


@app.cell
def _(sla, syn_batch, syn_eta, syn_model, syn_precision):
    try:
        synthesis = SYNTHESIS.solve(syn_model.value, sla.value / 1e3, batch_size=syn_batch.value,
                                    precision=syn_precision.value, efficiency=syn_eta.value)
        syn_error = None
    except SpecError as _e:
        synthesis, syn_error = None, str(_e)
    return syn_error, synthesis


@app.cell
def _(syn_error, syn_precision, synthesis):
    mo.stop(syn_error is not None,
            mo.callout(mo.md(f"**The engine rejected this input.** {syn_error}"), kind="danger"))
    _meeting = synthesis.raw("candidates_meeting")
    _cards = mo.hstack([
        mo.stat(si(synthesis.raw("required_flops"), "FLOP/s"), label="Minimum peak compute", bordered=True),
        mo.stat(si(synthesis.raw("required_bandwidth"), "B/s"), label="Minimum memory bandwidth", bordered=True),
        mo.stat(si(synthesis.raw("required_memory"), "B"), label="Minimum memory", bordered=True),
        mo.stat(f"{len(_meeting)} of {len(synthesis.raw('candidates'))}", label="Zoo devices that meet it",
                caption=f"fastest: {synthesis.raw('best_candidate')}" if _meeting else "none", bordered=True),
    ], widths="equal")
    mo.vstack([_cards, mo.md("Meet it: " + ", ".join(_meeting)) if _meeting
               else no_device_callout(synthesis, syn_precision.value)])
    return


@app.cell
def _(syn_error, syn_precision, synthesis):
    mo.stop(syn_error is not None)
    _hw = Hardware.options()
    _rows = []
    for _c in synthesis.raw("candidates"):
        _d = _hw[_c["hardware"]]
        _verdict = "meets the SLA" if _c["meets"] else ("too slow" if _c["feasible"] else "does not fit")
        _rows.append({"device": _c["hardware"], "flops": _d.compute.peak_flop_s(syn_precision.value),
                      "bw": _d.memory.bandwidth_bytes_s, "verdict": _verdict,
                      "latency_ms": _c["latency_ms"], "bottleneck": _c["bottleneck"]})
    _need_f, _need_b = synthesis.raw("required_flops"), synthesis.raw("required_bandwidth")
    _lo_b = min([r["bw"] for r in _rows] + [_need_b]) / 2
    _hi_b = max([r["bw"] for r in _rows] + [_need_b]) * 2
    _lo_f = min([r["flops"] for r in _rows] + [_need_f]) / 2
    _hi_f = max([r["flops"] for r in _rows] + [_need_f]) * 2
    _x = alt.X("bw:Q", scale=alt.Scale(type="log", domain=[_lo_b, _hi_b]), axis=alt.Axis(format="~s"),
               title="memory bandwidth (B/s)")
    _y = alt.Y("flops:Q", scale=alt.Scale(type="log", domain=[_lo_f, _hi_f]), axis=alt.Axis(format="~s"),
               title=f"peak FLOP/s ({syn_precision.value})")
    _zone = labkit.chart([{"bw": _need_b, "flops": _need_f, "bw2": _hi_b, "flops2": _hi_f}]
                      ).mark_rect(color="#009E73", opacity=0.1).encode(x=_x, y=_y, x2=alt.X2("bw2:Q"), y2=alt.Y2("flops2:Q"))
    _need = [{"bw": _need_b, "flops": _need_f, "what": "the SLA's minimum"}]
    _rules = (labkit.chart(_need).mark_rule(color="#009E73", strokeDash=[4, 3]).encode(x=alt.X("bw:Q"))
              + labkit.chart(_need).mark_rule(color="#009E73", strokeDash=[4, 3]).encode(y=alt.Y("flops:Q")))
    _pts = labkit.chart(_rows).mark_circle(size=90, opacity=0.85).encode(
        x=_x, y=_y,
        color=alt.Color("verdict:N", title=None, scale=alt.Scale(
            domain=["meets the SLA", "too slow", "does not fit"], range=["#009E73", "#E69F00", "#D55E00"])),
        tooltip=[alt.Tooltip("device:N"), alt.Tooltip("verdict:N"), alt.Tooltip("latency_ms:Q", format=",.3g", title="latency (ms)"),
                 alt.Tooltip("bottleneck:N"), alt.Tooltip("flops:Q", format=".3~s"), alt.Tooltip("bw:Q", format=".3~s")])
    (_zone + _rules + _pts).properties(
        width=560, height=360,
        title=alt.Title(f"The zoo against a {synthesis.raw('target_latency') * 1e3:g} ms SLA",
                        subtitle="shaded: at least the required FLOP/s and bandwidth (the dispatch tax "
                                 "can still push a device in it over the line)"))
    return


@app.cell
def _(syn_error, synthesis):
    mo.stop(syn_error is not None)
    mo.accordion({"Show the work": mo.md(synthesis.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### An SLA no hardware meets

    A chat product wants Llama-3.1-70B to write 100 tokens per second for one user: 10 ms per
    token, batch 1, fp16, on *one* device. Inverting the roofline:
    """)
    return


@app.cell
def _():
    _s = SYNTHESIS.solve(Models.Llama3_70B, 0.010, batch_size=1, precision="fp16")
    no_device_callout(_s, "fp16") if not _s.raw("feasible_in_zoo") else mo.md(
        "Some device in the zoo meets it now: " + ", ".join(_s.raw("candidates_meeting")))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    The requirement is a *bandwidth* requirement: every token reads every weight. Nothing in the
    zoo has it. The ways out are the ones the equation names: fewer bytes per token (fp8 or int4
    weights, lab 03) or more bandwidth by splitting the weights over several GPUs with tensor
    parallelism (lab 06), whose memory systems then work in parallel.

    ## Key takeaways

    - **Losses multiply.** MFU × $\eta_{\text{scale}}$ × goodput: three factors of 0.5, 0.7 and
      0.9 leave a third of the peak, and a fleet typically delivers 10–40 % of its datasheet.
      Fix the smallest factor first.
    - **Measure before you buy.** The sensitivity $g_x$ names the binding constraint: decode at
      small batch is bound by memory bandwidth, a well-planned training step by peak FLOP/s, and a
      badly connected fleet by its fabric. Resources with $g \approx 0$ are wasted money.
    - **Out of memory trumps everything.** When the model does not fit, capacity binds whatever
      the latency says.
    - **Invert the roofline to size hardware**: Peak ≥ FLOPs / ($T\eta$), BW ≥ Bytes / $T$,
      memory ≥ footprint. When no device meets it, the requirement itself says what to change.

    ## Exercises

    Work them out, then type your answer; the cell below each box checks it against the engine
    (within 3 % unless stated).

    **Exercise 1.** The frontier cluster (`Systems.Frontier_8192`, fp16) runs at MFU 0.4,
    $\eta_{\text{scale}}$ 0.7 and goodput 0.9. How many **EFLOP/s** ($10^{18}$) does it deliver?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Delivered EFLOP/s")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value,
                 CASCADE.solve(Systems.Frontier_8192, mfu=0.4, scaling_efficiency=0.7,
                               goodput_ratio=0.9).raw("effective_flops") / 1e18, "EFLOP/s")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** Llama-3.1-8B decodes at batch 1 in fp16. What memory bandwidth, in **TB/s**,
    does a device need at the least to produce a token every 20 ms?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Minimum bandwidth (TB/s)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    check_answer(answer_2.value,
                 SYNTHESIS.solve(Models.Llama3_8B, 0.020, precision="fp16").raw("required_bandwidth") / 1e12,
                 "TB/s")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** Same workload and SLA (Llama-3.1-8B, batch 1, fp16, 20 ms, $\eta$ = 0.5): how
    many devices of the zoo meet it? (Exact answer.)
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Number of devices")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    check_answer(answer_3.value,
                 len(SYNTHESIS.solve(Models.Llama3_8B, 0.020, precision="fp16").raw("candidates_meeting")),
                 "devices", tolerance=0.0)
    return


if __name__ == "__main__":
    app.run()
