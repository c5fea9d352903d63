# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.11
# goal: Place a workload on the roofline, name its bottleneck, and say what would move it.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.11 · The roofline")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import PRECISIONS, Engine, Hardware, Models, SpecError, calc_roofline_time
    from mlsysim_core.fmt import si
    from mlsysim_core.specs import Workload

    BATCHES = [2**k for k in range(13)]   # 1 .. 4096, the batch slider's stops

    labkit.init()  # colour-blind-safe chart theme


@app.function
def roof(hardware, precision, efficiency, intensities):
    """Attainable FLOP/s at each arithmetic intensity: the engine's roofline time for a kernel
    of 1 TFLOP that moves 1 TFLOP / I bytes, turned back into a rate (no dispatch tax)."""
    peak = hardware.compute.peak_flop_s(precision)
    bw = hardware.memory.bandwidth_bytes_s
    flops = 1e12
    return [flops / calc_roofline_time.raw(flops, flops / i, peak, bw, efficiency) for i in intensities]


@app.function
def on_roof(profile):
    """Where a solved workload sits on the roof: its FLOPs over the larger roofline term
    (the engine's latency without the fixed dispatch tax), in FLOP/s."""
    return profile.raw("flops") / (profile.raw("latency") - profile.raw("latency_overhead"))


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 01 · The roofline

    An H100 can do about a thousand trillion floating-point operations per second. Yet when a
    chatbot writes its answer one token at a time, that same GPU spends almost all of its time
    *waiting*. Not for the network, not for the disk: for its own memory. The **roofline model**
    explains why with one comparison: is a kernel limited by how fast the chip can do math, or by
    how fast it can feed the math units with bytes?

    Every kernel does some number of FLOPs and moves some number of bytes. Its time is set by
    whichever of the two takes longer:

    $$
    T = \max\left(\underbrace{\frac{\text{FLOPs}}{\text{Peak}\times\eta}}_{\text{compute}},\;
    \underbrace{\frac{\text{Bytes}}{\text{BW}}}_{\text{memory}}\right) + \tau_{\text{dispatch}}
    $$

    Divide both sides by the bytes and the whole story is told by two numbers, the workload's
    **arithmetic intensity** and the hardware's **ridge point**:

    $$
    I = \frac{\text{FLOPs}}{\text{Bytes}} \qquad\qquad I^{*} = \frac{\text{Peak}}{\text{BW}}
    $$

    If $I < I^{*}$ the kernel is **memory-bound**: faster math does nothing, only fewer bytes (or
    more work per byte) helps. If $I > I^{*}$ it is **compute-bound**.

    **Learning goals.** After this lab you can

    - place a workload on a device's roofline from its FLOPs and bytes;
    - name its bottleneck by comparing $I$ with the ridge point $I^{*}$;
    - say what moves the point: batch size, precision, a different device, or better kernels ($\eta$);
    - recognise when the question is not *how fast* but *does it fit at all*.
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

    Llama-3.1-8B is answering one user, one token at a time (decode, batch 1), in fp16 on an
    H100. Each new token needs about two FLOPs per parameter, and every parameter has to be read
    from memory once per token.
    """)
    return


@app.cell
def _():
    _flops = si(Models.Llama3_8B.inference_flop, "FLOP")
    prediction = labkit.ui.radio("prediction",
        options={
            f"Compute-bound: {_flops} per token is a lot of math": "compute",
            "Memory-bound: every weight must be read for every token": "memory",
            "Balanced: it sits right at the ridge point": "ridge",
        },
        label="**Predict:** is Llama-3.1-8B decode at batch 1 compute- or memory-bound on an H100?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _p = Engine.solve(Models.Llama3_8B, Hardware.H100, batch_size=1, precision="fp16")
    _memory_share = _p.raw("latency_memory") / (_p.raw("latency_memory") + _p.raw("latency_compute"))
    _right = _p.bottleneck == {"compute": "Compute Bound", "memory": "Memory Bound"}.get(prediction.value)
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: it is {_p.bottleneck.lower()}.**
    Its intensity is **I = {_p.raw("arithmetic_intensity"):.3g} FLOP/B** (two FLOPs per
    parameter, two bytes per fp16 parameter), while the H100's ridge point is
    **I\\* = {_p.raw("ridge_point"):.0f} FLOP/B**: the point sits about
    {_p.raw("ridge_point") / _p.raw("arithmetic_intensity"):.0f}× to the left of the ridge.
    Reading the weights takes {si(_p.raw("latency_memory"), "s")}, the math
    {si(_p.raw("latency_compute"), "s")}: memory is {_memory_share:.1%} of the time, and
    the GPU reaches only **{_p.mfu:.2%}** of its peak FLOP/s.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your workload on your device

    Pick a device and a workload from the zoo. The first workload is the equations page's worked
    example, a single dense layer. *Batch* is how many inputs share one read of the weights;
    *precision* sets both the bytes per weight and which peak the math runs at; $\eta$ is the
    fraction of peak FLOP/s your kernels really reach.
    """)
    return


@app.cell
def _():
    _hardware = Hardware.options()
    _models = {Workload.dense_layer(2048, 512).name: Workload.dense_layer(2048, 512), **Models.options()}
    hardware = labkit.ui.dropdown("hardware", options=_hardware, value=Hardware.H100.name, label="Device")
    model = labkit.ui.dropdown("model", options=_models, value=next(iter(_models)), label="Workload")
    mo.hstack([hardware, model], justify="start")
    return hardware, model


@app.cell
def _():
    precision = labkit.ui.dropdown("precision", options=list(PRECISIONS), value="fp16", label="Precision")
    batch = labkit.ui.slider("batch", steps=BATCHES, value=1, show_value=True, label="Batch size")
    efficiency = labkit.ui.slider("efficiency", start=0.05, stop=1.0, step=0.05, value=0.5, show_value=True,
                              label="Compute efficiency η")
    mo.hstack([precision, batch, efficiency], justify="start")
    return batch, efficiency, precision


@app.cell
def _(batch, efficiency, hardware, model, precision):
    try:
        profile = Engine.solve(model.value, hardware.value, batch_size=batch.value,
                               precision=precision.value, efficiency=efficiency.value)
        error = None
    except SpecError as _e:
        profile, error = None, str(_e)
    return error, profile


@app.cell
def _(error, hardware, precision, profile):
    mo.stop(error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {error}"),
                                          kind="danger"))
    _r = profile.raw()
    _hw = hardware.value
    _native = precision.value in _hw.compute.flops_by_precision
    _note = "" if _native else (
        f" {_hw.name} has no native {precision.value} units, so the engine runs the math at the "
        f"peak of its nearest wider format ({si(_hw.compute.peak_flop_s(precision.value), 'FLOP/s')}); "
        "only the bytes shrink.")
    if _r["bottleneck"] == "Memory Bound":
        _move = ("To move right (toward the ridge): raise the batch, so each weight read feeds more "
                 "math; use fewer bytes per weight (lower precision); or pick a device with more "
                 "bandwidth. A faster math unit would not change the time at all.")
    else:
        _move = ("It is compute-bound: more batch only adds time in proportion. To go faster: better "
                 "kernels (higher η), a lower precision with a higher peak, or a device with more FLOP/s.")
    mo.md(f"""
    | arithmetic intensity $I$ | ridge point $I^*$ | bottleneck | latency | throughput | fraction of peak (MFU) |
    |---:|---:|:---:|---:|---:|---:|
    | **{_r["arithmetic_intensity"]:.3g} FLOP/B** | {_r["ridge_point"]:.3g} FLOP/B | **{_r["bottleneck"]}** | {si(_r["latency"], "s")} | {labkit.num(_r["throughput"], 4)} /s | {_r["mfu"] * 100:.2g} % |

    {_move}{_note}
    """)
    return


@app.cell
def _(error, hardware, model, precision, profile):
    mo.stop(error is not None or profile.feasible)
    mo.callout(mo.md(f"""
    **Out of memory: {model.value.name} does not fit on {hardware.value.name}.**
    At {precision.value} it needs **{si(profile.raw("memory_footprint"), "B")}**, the device holds
    **{si(profile.raw("memory_capacity"), "B")}**: short by
    **{si(profile.raw("shortfall"), "B")}**. The roofline below still draws a point, but no run
    will ever produce it: the weights must first be made smaller (lower precision, lab 03) or split
    over several devices (lab 06), or you need a device with more memory.
    """), kind="danger")
    return


@app.cell
def _(efficiency, hardware, model, precision):
    # swept once per input that changes it (not on every batch move): the grey trail and the two
    # roofline terms at every batch stop
    trail, terms = [], []
    try:
        for _b in BATCHES:
            _p = Engine.solve(model.value, hardware.value, batch_size=_b, precision=precision.value,
                              efficiency=efficiency.value)
            trail.append({"I": _p.raw("arithmetic_intensity"), "batch": _b,
                          "tflops": on_roof(_p) / 1e12, "bottleneck": _p.raw("bottleneck")})
            terms.append({"batch": _b, "s": _p.raw("latency_compute"), "term": "compute time"})
            terms.append({"batch": _b, "s": _p.raw("latency_memory"), "term": "memory time"})
    except SpecError:
        trail, terms = [], []
    return terms, trail


@app.cell
def _(efficiency, error, hardware, model, precision, profile, trail):
    mo.stop(error is not None)
    _hw, _eta = hardware.value, efficiency.value
    _ridge = profile.raw("ridge_point")
    _grid = [10 ** (k / 8) for k in range(-24, 57)]   # 0.001 .. 1e7 FLOP/B
    _lo, _hi = _ridge / 1e4, _ridge * 1e3
    _xs = [i for i in _grid if _lo <= i <= _hi]
    _rows = [{"I": i, "tflops": f / 1e12, "roof": f"attainable at η = {_eta:g}"}
             for i, f in zip(_xs, roof(_hw, precision.value, _eta, _xs))]
    _rows += [{"I": i, "tflops": f / 1e12, "roof": "datasheet peak (η = 1)"}
              for i, f in zip(_xs, roof(_hw, precision.value, 1.0, _xs))]
    _trail = trail
    _here = [{"I": profile.raw("arithmetic_intensity"), "tflops": on_roof(profile) / 1e12,
              "what": "roofline position",
              "batch": profile.raw("batch_size"), "bottleneck": profile.raw("bottleneck")},
             {"I": profile.raw("arithmetic_intensity"),
              "tflops": profile.raw("flops") / profile.raw("latency") / 1e12,
              "what": "+ dispatch tax (measured)",
              "batch": profile.raw("batch_size"), "bottleneck": profile.raw("bottleneck")}]
    _x = alt.X("I:Q", scale=alt.Scale(type="log"), title="arithmetic intensity I (FLOP/byte)")
    _y = alt.Y("tflops:Q", scale=alt.Scale(type="log"), title="attainable TFLOP/s")
    _lines = labkit.chart(_rows).mark_line().encode(
        x=_x, y=_y, strokeDash=alt.StrokeDash("roof:N", title=None, legend=alt.Legend(labelLimit=320)),
        color=alt.value("#0072B2"))
    _ridge_rule = labkit.chart([{"I": _ridge, "label": f"ridge I* = {_ridge:.3g}"}]
                            ).mark_rule(color="gray", strokeDash=[2, 2]).encode(x=alt.X("I:Q"))
    _floor = min(r["tflops"] for r in _rows)
    _ridge_text = labkit.chart([{"I": _ridge, "tflops": _floor,
                                              "label": f"ridge point I* = {_ridge:.3g} FLOP/B"}]
                            ).mark_text(align="left", dx=5, dy=-6, color="gray").encode(
        x=_x, y=_y, text=alt.Text("label:N"))
    _trail_pts = labkit.chart(_trail).mark_circle(size=45, opacity=0.6).encode(
        x=_x, y=_y, color=alt.value("#555"),
        tooltip=[alt.Tooltip("batch:Q"), alt.Tooltip("I:Q", format=".3g"), alt.Tooltip("tflops:Q", format=".3g"),
                 alt.Tooltip("bottleneck:N")])
    _point = labkit.chart(_here).mark_point(size=160, color="#D55E00").encode(
        x=_x, y=_y, fill=alt.Fill("what:N", title=None, scale=alt.Scale(domain=["roofline position", "+ dispatch tax (measured)"],
                                                  range=["#D55E00", "white"]),
                                  legend=alt.Legend(labelLimit=320)),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("batch:Q"), alt.Tooltip("I:Q", format=".3g"),
                 alt.Tooltip("tflops:Q", format=".3g"), alt.Tooltip("bottleneck:N")])
    (_lines + _ridge_rule + _ridge_text + _trail_pts + _point).properties(
        width=620, height=360,
        title=alt.Title(f"{model.value.name} on {_hw.name} ({precision.value})",
                        subtitle="grey dots: the same workload at batch 1, 2, 4 … 4096"))
    return


@app.cell
def _(error, profile):
    mo.stop(error is not None)
    mo.accordion({"Show the work": mo.md(profile.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Why batching moves the point

    Reading the chart: the **filled** red point is where the roofline puts your workload (the
    larger of its compute and memory times). The **hollow** one adds the fixed dispatch tax
    $\tau_{\text{dispatch}}$, the microseconds it takes to launch any kernel: what a stopwatch would
    measure. For big kernels the two coincide; for tiny ones (the dense layer at batch 1) the
    launch costs more than the work.

    The red point sits on the slanted part of the roof while the kernel is memory-bound: there,
    the time is the time to read the bytes, and a batch of $B$ inputs reads the weights only once.
    The FLOPs grow with $B$, the bytes barely do, so $I$ grows in proportion to $B$ and the point
    slides right and *up* (the grey trail). Once it passes the ridge, every extra input costs its
    full share of math and the throughput stops improving. The two terms of the roofline, as the
    batch grows:
    """)
    return


@app.cell
def _(batch, error, terms):
    mo.stop(error is not None or not terms)
    _rows = terms
    _lines = labkit.chart(_rows).mark_line(point=True).encode(
        x=alt.X("batch:Q", scale=alt.Scale(type="log", base=2), title="batch size"),
        y=alt.Y("s:Q", scale=alt.Scale(type="log"), axis=alt.Axis(format="~s"),
                title="time per batch (s)"),
        color=alt.Color("term:N", title=None),
        tooltip=[alt.Tooltip("batch:Q"), alt.Tooltip("term:N"), alt.Tooltip("s:Q", format=".3~s")])
    _now = labkit.chart([{"batch": batch.value}]).mark_rule(color="#D55E00").encode(
        x=alt.X("batch:Q"))
    (_lines + _now).properties(width=620, height=260,
                               title="The larger term is the latency; where they cross is the ridge")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The worked example, live

    From the equations page (section 1.2): a dense layer $2048 \to 512$ in fp16 on an H100. At
    batch 1 it does $2 \times 2048 \times 512 \approx 2.1$ M FLOPs and reads $2048 \times 512 \times 2
    \approx 2.1$ MB of weights: $I = 1$ FLOP/byte, against a ridge point the page gives as
    $\approx 296$. At batch 64 the same bytes feed 64 times the math: $I \approx 64$. Here is the
    engine's version of both rows:
    """)
    return


@app.cell
def _():
    _layer = Workload.dense_layer(2048, 512)
    _rows = []
    for _b in (1, 64):
        _p = Engine.solve(_layer, Hardware.H100, batch_size=_b, precision="fp16")
        _rows.append(f"| {_b} | {si(_p.raw('flops'), 'FLOP')} | {si(_p.raw('bytes_moved'), 'B')} | "
                     f"**{_p.raw('arithmetic_intensity'):.3g}** | {_p.raw('ridge_point'):.1f} | "
                     f"{_p.bottleneck} | {_p.mfu * 100:.2g} % |")
    _table = "\n".join(_rows)
    mo.md(f"""
    | batch | FLOPs | bytes | $I$ (FLOP/B) | $I^*$ on H100 | bottleneck | fraction of peak |
    |---:|---:|---:|---:|---:|:---:|---:|
    {_table}

    Still memory-bound at batch 64, but 64 times closer to the ridge. (At batch 1 the fraction of
    peak is tiny: the microseconds of kernel-launch overhead, $\\tau_{{\\text{{dispatch}}}}$, cost
    more than the work itself, which is why such small kernels are fused or batched in practice.)
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · When the roofline is the wrong question

    The roofline assumes the weights are *in* the device's memory. For a large model on a small
    device they are not, and no batch size or precision trick on the roofline fixes that.
    Llama-3.1-70B in fp16 on every edge and mobile device in the zoo:
    """)
    return


@app.cell
def _():
    _rows = []
    _small = [h for h in Hardware if h.tier in ("Edge", "Mobile")]
    for _hw in _small:
        _p = Engine.solve(Models.Llama3_70B, _hw, precision="fp16")
        _verdict = "fits" if _p.feasible else f"short by **{si(_p.raw('shortfall'), 'B')}**"
        _rows.append(f"| {_hw.name} | {si(_p.raw('memory_capacity'), 'B')} | {_verdict} |")
    _need = si(Engine.solve(Models.Llama3_70B, Hardware.H100, precision="fp16").raw("memory_footprint"), "B")
    _table = "\n".join(_rows)
    mo.vstack([
        mo.callout(mo.md(f"**Llama-3.1-70B needs {_need} of weights in fp16.** None of these devices "
                         "can even load it; the roofline's latency would be a fiction."), kind="danger"),
        mo.md(f"""
    | device | memory | Llama-3.1-70B, fp16 |
    |:---|---:|:---|
    {_table}
    """),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Two numbers decide the bottleneck**: the workload's intensity $I$ = FLOPs / bytes and the
      device's ridge point $I^{*}$ = peak / bandwidth. Below the ridge, time is bytes / bandwidth.
    - **LLM decode at small batch is memory-bound** on every modern accelerator: about one FLOP
      per byte of weights, against ridge points in the hundreds. A faster math unit does nothing.
    - **Batching raises $I$** (one weight read feeds $B$ inputs); **lower precision** cuts the
      bytes; **a device with more bandwidth** lowers the slanted roof. Past the ridge, only more
      FLOP/s (or better kernels, $\eta$) helps.
    - **Fitting comes first.** If the weights do not fit in memory, the roofline answers the
      wrong question.

    ## Exercises

    Work them out by hand (the *Show the work* panel shows each step for the current controls),
    then type your answer; the cell below each box checks it against the engine.

    **Exercise 1.** What is the ridge point of the A100 (`Hardware.A100`) in fp16, in FLOP/byte?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Ridge point of the A100, fp16 (FLOP/byte)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value,
                 Engine.solve(Models.Llama3_8B, Hardware.A100, precision="fp16").raw("ridge_point"),
                 "FLOP/B")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** At $\eta = 0.5$ in fp16 on the H100, what is the *smallest batch size* at which
    the dense 2048→512 layer becomes compute-bound? (Hint: compute time grows with $B$, memory
    time does not; set them equal.)
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Smallest compute-bound batch")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    _layer = Workload.dense_layer(2048, 512)

    def _compute_bound(b):
        return Engine.solve(_layer, Hardware.H100, batch_size=b, precision="fp16",
                            efficiency=0.5).bottleneck == "Compute Bound"

    _lo, _hi = 1, 1 << 20          # bisection on the engine's own verdict
    while _lo < _hi:
        _mid = (_lo + _hi) // 2
        _lo, _hi = (_lo, _mid) if _compute_bound(_mid) else (_mid + 1, _hi)
    check_answer(answer_2.value, _lo, "", tolerance=0.01)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** Llama-3.1-8B decodes at batch 1 in fp16 on the A100. How many milliseconds
    does one token take? (Which term of the roofline matters?)
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Time per token on the A100 (ms)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    check_answer(answer_3.value,
                 Engine.solve(Models.Llama3_8B, Hardware.A100, precision="fp16").latency.m_as("ms"),
                 "ms")
    return


if __name__ == "__main__":
    app.run()
