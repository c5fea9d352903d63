# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.6
# goal: Put MLP, CNN, RNN, Transformer and MoE layers of the same width side by side, and see which one the hardware can feed and where attention's quadratic term takes over.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.6 · Network architectures: the architecture tax")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import Hardware, LayerModel, Models, SpecError, calc_conv2d_flops
    from mlsysim_core.fmt import si

    LM = LayerModel()
    KIND_NAMES = {"mlp": "MLP (dense)", "conv2d": "CNN (3×3 conv)", "lstm": "RNN (LSTM)",
                  "attention": "Transformer (attention)", "moe": "MoE (experts)"}
    WIDTH_STEPS = [256, 512, 1024, 2048, 4096, 8192, 16384]
    BATCH_STEPS = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    SEQ_STEPS = [1, 16, 64, 256, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072]
    EXPERT_STEPS = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    SWEEP_SEQ = [2**k for k in range(6, 18)]            # 64 .. 131,072 tokens for the crossover chart

    labkit.init()  # colour-blind-safe chart theme


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.6 · Network architectures: the architecture tax

    An architecture is a choice of which numbers get multiplied with which. Five families, one
    width $h$, a batch $B$ of sequences of $s$ tokens (one MAC = 2 FLOPs):

    | family | parameters | forward FLOPs | what it reuses |
    |:---|:---|:---|:---|
    | MLP, $h \to 4h \to h$ | $8h^2$ | $16\,B s h^2$ | each weight across the $Bs$ tokens |
    | CNN, $K \times K$, $C_{in} \to C_{out}$ | $K^2 C_{in} C_{out}$ | $2 B H W C_{in} C_{out} K^2$ | each weight across $H \times W$ positions |
    | RNN (LSTM) | $4(d_{in} + h)h$ | $8 B s (d_{in} + h) h$ | each weight across the batch only: step $t$ waits for $t - 1$ |
    | attention | $4h^2$ | $8 B s h^2 + 4 B s^2 h$ | weights across tokens; the scores grow with $s^2$ |
    | MoE, $E$ experts, top-$k$ | $E \cdot 8h^2$ | $k \cdot 16\,B s h^2$ | parameters grow with $E$, FLOPs only with $k$ |

    FLOPs alone do not set the time. The roofline does (equations page, 1.2):

    $$
    T = \max\!\left(\frac{F}{P\,\eta}, \frac{\text{bytes}}{BW}\right), \qquad
    I = \frac{F}{\text{bytes}} \;\text{ vs the ridge }\; I^{*} = \frac{P}{BW}.
    $$

    A layer whose arithmetic intensity $I$ is under the ridge waits on memory, however few FLOPs it has.

    **Learning goals.** After this lab you can

    - compute parameters, FLOPs, bytes and activation memory of each family at the same width;
    - explain why an RNN with the same FLOPs as an MLP runs many times slower (it cannot reuse its
      weights across time steps);
    - find the sequence length where attention's $s^2$ term overtakes its projections and the MLP
      ($s = 2h$);
    - say what a mixture of experts buys (parameters) and what it does not cost (FLOPs).
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

    Two layers of width 4,096 on an NVIDIA H100, one sequence of 2,048 tokens, fp16: an MLP
    ($4{,}096 \to 16{,}384 \to 4{,}096$) and an LSTM of the same hidden size. Both do the same
    number of FLOPs (check it below: $16 s h^2$ each).
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "About the same time: the same FLOPs": "same",
            "The LSTM is a few times slower (2-10×)": "few",
            "The LSTM is over a hundred times slower": "hundred",
        },
        label="**Predict:** how do their forward-pass times compare?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _mlp = LM.solve("mlp", 4096, 1, 2048, hardware=Hardware.H100)
    _lstm = LM.solve("lstm", 4096, 1, 2048, hardware=Hardware.H100)
    _ratio = _lstm.raw("forward_time") / _mlp.raw("forward_time")
    _truth = "hundred" if _ratio > 100 else ("few" if _ratio > 1.5 else "same")
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: the LSTM takes {_ratio:,.0f}× longer.** Both layers do
    **{si(_mlp.raw("forward_flops"), "FLOP")}**. The MLP multiplies all 2,048 tokens by its weights at
    once: {si(_mlp.raw("forward_bytes"), "B")} moved, {_mlp.raw("arithmetic_intensity"):,.0f} FLOP/B, above
    the H100's ridge of {_mlp.raw("ridge_point"):,.0f}: **{si(_mlp.raw("forward_time"), "s")}**,
    {_mlp.bottleneck.lower()}. The LSTM's step $t$ needs $h_{{t-1}}$, so it reads its
    {si(_lstm.raw("weight_bytes"), "B")} of weights once per token: {si(_lstm.raw("forward_bytes"), "B")}
    moved at {_lstm.raw("arithmetic_intensity"):.2g} FLOP/B: **{si(_lstm.raw("forward_time"), "s")}**,
    {_lstm.bottleneck.lower()}. This is why transformers replaced RNNs: not fewer FLOPs, but FLOPs the
    hardware can feed.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Five families, one width

    Every layer gets the same width $h$, batch and sequence. The CNN is a 3×3 convolution with $h$
    channels in and out on a 56×56 feature map (ResNet's second stage), one image per batch entry:
    it ignores the sequence length. The MoE layer has $E$ experts, each an $h \to 4h \to h$ MLP, and
    sends each token to $k$ of them.
    """)
    return


@app.cell
def _():
    width = labkit.ui.slider("width", steps=WIDTH_STEPS, value=4096, show_value=True, label="Width h")
    batch = labkit.ui.slider("batch", steps=BATCH_STEPS, value=1, show_value=True, label="Batch B")
    seq_len = labkit.ui.slider("seq_len", steps=SEQ_STEPS, value=2048, show_value=True, label="Sequence s (tokens)")
    mo.hstack([width, batch, seq_len], justify="start")
    return batch, seq_len, width


@app.cell
def _():
    hardware = labkit.ui.dropdown("hardware", options=Hardware.Cloud.options(), value=Hardware.H100.name,
                                  label="Accelerator")
    experts = labkit.ui.slider("experts", steps=EXPERT_STEPS, value=8, show_value=True, label="Experts E")
    top_k = labkit.ui.slider("top_k", start=1, stop=8, step=1, value=2, show_value=True, label="Experts per token k")
    mo.hstack([hardware, experts, top_k], justify="start")
    return experts, hardware, top_k


@app.cell
def _(batch, experts, hardware, seq_len, top_k, width):
    try:
        layers = LM.compare(width.value, batch.value, seq_len.value, n_experts=experts.value, top_k=top_k.value,
                            hardware=hardware.value)
        run_error = None
    except SpecError as _e:
        layers, run_error = None, str(_e)
    return layers, run_error


@app.cell
def _(hardware, layers, prediction, run_error):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction above to see the comparison._"))
    mo.stop(run_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {run_error}"), kind="danger"))
    _rows = "\n".join(
        f"| {KIND_NAMES[_r.raw('kind')]} | {si(_r.raw('parameters'))} | {si(_r.raw('forward_flops'), 'FLOP')} | "
        f"{si(_r.raw('forward_bytes'), 'B')} | **{labkit.num(_r.raw('arithmetic_intensity'))}** | "
        f"{si(_r.raw('activation_bytes'), 'B')} | **{si(_r.raw('forward_time'), 's')}** | {_r.bottleneck.lower()} |"
        for _r in layers)
    mo.md(f"""
    | layer | parameters | forward FLOPs | bytes moved | FLOP/B | activations (training) | forward on {hardware.value.name} | bound |
    |:---|---:|---:|---:|---:|---:|---:|:---|
    {_rows}

    Ridge point of the {hardware.value.name} in fp16: **{layers[0].raw("ridge_point"):,.0f} FLOP/B**.
    Activations are what a training step keeps for backward (lab I.5).
    """)
    return


@app.cell
def _(hardware, layers, prediction, run_error):
    mo.stop(prediction.value is None or run_error is not None)
    _rows = [{"layer": KIND_NAMES[_r.raw("kind")], "I": _r.raw("arithmetic_intensity"),
              "bound": _r.bottleneck} for _r in layers]
    _lo = min(min(_r["I"] for _r in _rows), layers[0].raw("ridge_point")) / 3
    for _r in _rows:
        _r["base"] = _lo  # a log axis has no zero (vega-lite then draws no bar): start at a floor
    _bars = labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("layer:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("I:Q", scale=alt.Scale(type="log"), title="arithmetic intensity (FLOP/byte, log)"),
        x2=alt.X2("base:Q"),
        color=alt.Color("bound:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("I:Q", format=",.3g"), alt.Tooltip("bound:N")])
    _ridge = labkit.chart([{"I": layers[0].raw("ridge_point")}]).mark_rule(
        color=labkit.PALETTE["vermillion"], strokeDash=[4, 3]).encode(x=alt.X("I:Q", scale=alt.Scale(type="log")))
    (_bars + _ridge).properties(width=600, height=200, title=alt.Title(
        "Which layers can the hardware feed?", subtitle=f"red: the {hardware.value.name}'s ridge point"))
    return


@app.cell
def _(hardware, layers, prediction, run_error):
    mo.stop(prediction.value is None or run_error is not None)
    _cap = hardware.value.memory.capacity_bytes
    _over = [_r for _r in layers if _r.raw("activation_bytes") + _r.raw("weight_bytes") > _cap]
    mo.stop(not _over)
    _lines = "\n".join(
        f"- **{KIND_NAMES[_r.raw('kind')]}**: {si(_r.raw('weight_bytes'), 'B')} of weights and "
        f"{si(_r.raw('activation_bytes'), 'B')} of activations, short by "
        f"**{si(_r.raw('weight_bytes') + _r.raw('activation_bytes') - _cap, 'B')}**." for _r in _over)
    mo.callout(mo.md(f"""
    **Out of memory: one layer's training step does not fit on the {hardware.value.name}
    ({si(_cap, 'B')}).**

    {_lines}

    For attention it is the $s \\times s$ score matrix of every head: FlashAttention-style kernels
    recompute it in tiles instead of storing it; for an MoE layer, the experts' weights: shard them
    over accelerators (expert parallelism).
    """), kind="danger")
    return


@app.cell
def _(layers, prediction, run_error):
    mo.stop(prediction.value is None or run_error is not None)
    mo.accordion({"Show the work": mo.md("\n\n---\n\n".join(
        f"### {KIND_NAMES[_r.raw('kind')]}\n\n{_r.explain()}" for _r in layers))})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Attention's quadratic term

    Attention's projections cost $8Bsh^2$, its scores $QK^\top$ and $AV$ cost $4Bs^2h$: the second
    wins when $s > 2h$. The MLP beside it costs $16Bsh^2$, so at the same $s = 2h$ the attention
    layer as a whole overtakes the MLP (Narayanan et al. 2021). Per token, the MLP's cost is flat
    and attention's grows with the context. The chart uses the width above.
    """)
    return


@app.cell
def _(width):
    # the sweep over sequence lengths: once per width, not per other move
    crossover = []
    for _s in SWEEP_SEQ:
        _att = LM.solve("attention", width.value, 1, _s)
        _mlp = LM.solve("mlp", width.value, 1, _s)
        crossover += [
            {"s": _s, "series": "attention: projections", "flops": (_att.raw("forward_flops") - _att.raw("quadratic_flops")) / _s},
            {"s": _s, "series": "attention: scores (s² term)", "flops": _att.raw("quadratic_flops") / _s},
            {"s": _s, "series": "MLP (4h)", "flops": _mlp.raw("forward_flops") / _s}]
    return (crossover,)


@app.cell
def _(crossover, prediction, seq_len, width):
    mo.stop(prediction.value is None)
    _lines = labkit.chart(crossover).mark_line(point=True).encode(
        x=alt.X("s:Q", scale=alt.Scale(type="log", base=2), title="sequence length s (tokens)"),
        y=alt.Y("flops:Q", scale=alt.Scale(type="log"), title="forward FLOPs per token (log)"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=260)),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("s:Q"), alt.Tooltip("flops:Q", format=".3g")])
    _two_h = labkit.chart([{"s": 2 * width.value}]).mark_rule(
        color=labkit.PALETTE["vermillion"], strokeDash=[4, 3]).encode(x=alt.X("s:Q"))
    _now = labkit.chart([{"s": seq_len.value}]).mark_rule(color=labkit.PALETTE["grey"]).encode(x=alt.X("s:Q"))
    (_lines + _two_h + _now).properties(width=600, height=280, title=alt.Title(
        f"Per-token cost at width {width.value:,}", subtitle="red: s = 2h; grey: your sequence length"))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The worked examples, live

    **ResNet-50's first layer** (He et al. 2016; Sze et al. 2017): a 7×7 convolution from 3 to 64
    channels with 112×112 outputs is $112 \cdot 112 \cdot 3 \cdot 64 \cdot 49 \approx 118$ M
    multiply-accumulates, 236 MFLOP per image.

    **One GPT-3 layer** (Narayanan et al. 2021, appendix): attention plus MLP is
    $24Bsh^2 + 4Bs^2h$; at $h$ = 12,288, $s$ = 2,048, $B$ = 1 that is about 7.6 TFLOP forward, of
    which the $s^2$ term is 2.7 %.
    """)
    return


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see the engine's numbers._"))
    _conv1 = calc_conv2d_flops.raw(112, 112, 3, 64, 7)
    _g = Models.GPT3
    _att = LM.solve("attention", _g.hidden_dim, 1, 2048, n_heads=_g.heads)
    _mlp = LM.solve("mlp", _g.hidden_dim, 1, 2048)
    _layer = _att.raw("forward_flops") + _mlp.raw("forward_flops")
    mo.md(f"""
    | example | engine |
    |:---|---:|
    | ResNet-50 conv1, MACs per image | **{si(_conv1 / 2)}** |
    | GPT-3 layer forward, $s$ = 2,048 | **{si(_layer, "FLOP")}** |
    | of which the $s^2$ term | **{_att.raw("quadratic_flops") / _layer:.1%}** |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **FLOPs are not time.** An LSTM and an MLP with the same FLOPs differ by two orders of
      magnitude on a GPU: the RNN re-reads its weights every time step, its intensity is ~1 FLOP/B.
    - **Reuse decides intensity.** Convolutions reuse each weight across the feature map, dense and
      attention layers across the tokens of the batch; at one token (decoding), the dense,
      attention, expert and recurrent layers are all memory-bound.
    - **Attention's $s^2$ term takes over at $s = 2h$,** in FLOPs and in the activations a training
      step keeps; long-context models live beyond it.
    - **A mixture of experts multiplies parameters by $E$ and FLOPs by $k$:** more capacity per FLOP,
      paid for in memory and in routing traffic.

    ## Exercises

    **Exercise 1.** An MoE layer of width 4,096 with 64 experts and top-2 routing: how many
    parameters does it hold, in billions?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="MoE layer parameters (billions)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    labkit.check_answer(answer_1.value, LM.solve("moe", 4096, 1, 1, n_experts=64, top_k=2).raw("parameters") / 1e9,
                        "billion")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** The same MoE layer on 2,048 tokens: how many times the FLOPs of a single dense
    $h \to 4h \to h$ MLP of the same width does it cost? (The router adds a little.)
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="MoE FLOPs / MLP FLOPs (×)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    _moe = LM.solve("moe", 4096, 1, 2048, n_experts=64, top_k=2)
    _mlp = LM.solve("mlp", 4096, 1, 2048)
    labkit.check_answer(answer_2.value, _moe.raw("forward_flops") / _mlp.raw("forward_flops"), "×", tolerance=0.01)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** At width 2,048, from what sequence length on (in tokens) does attention's
    quadratic term cost at least as much as its projections?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Crossover sequence length (tokens)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    _lo, _hi = 1, 1 << 20          # bisection on the engine's quadratic share (20 steps)
    while _hi - _lo > 1:
        _mid = (_lo + _hi) // 2
        _lo, _hi = (_lo, _mid) if LM.solve("attention", 2048, 1, _mid).raw("quadratic_share") >= 0.5 else (_mid, _hi)
    labkit.check_answer(answer_3.value, _hi, "tokens", tolerance=0.01)
    return


if __name__ == "__main__":
    app.run()
