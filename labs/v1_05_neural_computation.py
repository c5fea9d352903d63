# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.5
# goal: Count the FLOPs and bytes of a transformer block's forward and backward passes, and see why its activations, not its weights, decide whether training fits.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.5 · Neural computation: the activation tax")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import (Hardware, LayerModel, Models, SpecError, calc_activation_memory,
                              calc_training_state_bytes, calc_transformer_training_flops)
    from mlsysim_core.fmt import si

    LM = LayerModel()
    # dense transformers of the zoo, small to large (their width, heads and depth come from the zoo)
    DENSE = {m.name: m for m in (Models.GPT2, Models.Llama3_2_1B, Models.Llama3_8B, Models.Llama2_13B,
                                 Models.Llama3_70B, Models.GPT3)}
    SEQ_STEPS = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768]
    BATCH_STEPS = [1, 2, 4, 8, 16, 32]
    GPU_STEPS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    # Korthikanti et al. (2022): keep every activation, or keep only each layer's input and
    # recompute the forward pass during backward (r = 1)
    STRATEGIES = {"Store every activation (r = 0)": ("none", 0.0),
                  "Full recomputation (r = 1)": ("full", 1.0)}

    labkit.init()  # colour-blind-safe chart theme


@app.function
def block(model, seq_len, batch, recompute, hardware=None):
    """The two layers of one transformer block of ``model`` (attention, then a 4h MLP), solved by
    the engine at the model's width and head count."""
    att = LM.solve("attention", model.hidden_dim, batch, seq_len, n_heads=model.heads,
                   recompute_fraction=recompute, hardware=hardware)
    mlp = LM.solve("mlp", model.hidden_dim, batch, seq_len, expansion=4,
                   recompute_fraction=recompute, hardware=hardware)
    return att, mlp


@app.function
def memory_per_gpu(model, seq_len, batch, strategy, gpus):
    """Bytes one accelerator holds while training: weights, gradients and Adam state sharded over
    ``gpus`` (ZeRO-3), plus the activations of its own micro-batch (all layers)."""
    state = calc_training_state_bytes.raw(model.parameters_count, zero_stage=3, dp_size=gpus)
    acts = calc_activation_memory.raw(model.layers, seq_len, batch, model.hidden_dim, model.heads,
                                      2.0, strategy)
    return state, acts


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.5 · Neural computation: the activation tax

    Inference runs a network forward once. Training runs it forward, then **backward**: for every
    matrix product $Y = XW$ of the forward pass, the backward pass computes two products of the same
    size, the gradient with respect to the input (to keep the chain rule going) and with respect to
    the weight (to update it):

    $$
    \frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y}\,W^{\top}, \qquad
    \frac{\partial L}{\partial W} = X^{\top}\,\frac{\partial L}{\partial Y}
    \qquad\Longrightarrow\qquad
    F_{\text{step}} = (3 + r)\,F_{\text{fwd}}, \quad F_{\text{fwd}} \approx 2\,N \text{ per token}.
    $$

    That is where $C = 6ND$ comes from. But the second product needs $X$: **every input of every
    layer must be kept until the backward pass reaches it**. For a transformer layer of width $h$,
    $a$ heads, sequence $s$ and micro-batch $b$, at 16-bit (Korthikanti et al. 2022, table 2):

    $$
    A_{\text{layer}} = s\,b\,h\left(34 + \frac{5\,a\,s}{h}\right) \text{ bytes}
    \qquad\text{or}\qquad
    A_{\text{layer}} = 2\,s\,b\,h \text{ with full recomputation } (r = 1).
    $$

    The weights do not grow with the batch or the sequence; the activations do, and the
    $5as^2b$ term (the attention scores) grows with the square of the sequence. Recomputing the
    forward pass during backward throws the activations away and pays for them in FLOPs:
    $4\times$ the forward instead of $3\times$.

    **Learning goals.** After this lab you can

    - count the forward, backward and training-step FLOPs of a transformer block, and say why the
      step costs $3\times$ the forward ($4\times$ with full recomputation);
    - compute the activation memory of a training step and compare it with the weights;
    - decide, for a model, a sequence length and a fleet, whether training fits in memory, and
      what recomputation buys and costs;
    - read the arithmetic intensity of attention and MLP layers against the hardware's ridge point.
    """)
    return


@app.cell(hide_code=True)
def _():
    labkit.toolbar()
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    ## 1 · Predict first

    One transformer layer of {Models.GPT3.name} (width {Models.GPT3.hidden_dim:,}, {Models.GPT3.heads} heads) trains on a micro-batch of
    **8 sequences of 2,048 tokens**, in 16-bit, keeping every activation for the backward pass.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "The weights: a layer's activations are small, passing values": "weights",
            "About the same size (within a factor of two)": "same",
            "The activations: several times the weights": "activations",
        },
        label="**Predict:** which takes more memory, the layer's weights or the activations it keeps for backward?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _gpt3 = Models.GPT3
    _att, _mlp = block(_gpt3, 2048, 8, 0.0)
    _full_att, _full_mlp = block(_gpt3, 2048, 8, 1.0)
    _weights = _att.raw("weight_bytes") + _mlp.raw("weight_bytes")
    _acts = calc_activation_memory.raw(1, 2048, 8, _gpt3.hidden_dim, _gpt3.heads, 2.0, "none")
    _acts_full = calc_activation_memory.raw(1, 2048, 8, _gpt3.hidden_dim, _gpt3.heads, 2.0, "full")
    _ratio = _acts / _weights
    _truth = "activations" if _ratio > 2 else ("same" if _ratio > 0.5 else "weights")
    _right = prediction.value == _truth
    _fwd = _att.raw("forward_flops") + _mlp.raw("forward_flops")
    _train = _att.raw("training_flops") + _mlp.raw("training_flops")
    _train_full = _full_att.raw("training_flops") + _full_mlp.raw("training_flops")
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: the activations are {_ratio:.1f}× the weights.** The
    layer's {si(_att.raw("parameters") + _mlp.raw("parameters"))} parameters take
    **{si(_weights, "B")}**; the activations it keeps for backward take **{si(_acts, "B")}**, of
    which the attention scores ($5as^2b$) are the larger part. Across {_gpt3.layers} layers that is
    {si(_gpt3.layers * _acts, "B")} per micro-batch, more than any single accelerator holds.

    The FLOPs: forward {si(_fwd, "FLOP")}, training step **{si(_train, "FLOP")}**
    ({_train / _fwd:.0f}× the forward). Full recomputation keeps only {si(_acts_full, "B")} per
    layer ({_acts / _acts_full:.0f}× less) and costs {si(_train_full, "FLOP")}
    ({_train_full / _fwd:.0f}× the forward): memory bought with a third more compute.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Will your training run fit?

    Pick a model, the sequence length and the micro-batch each accelerator trains on, how many
    accelerators share the weights, gradients and Adam state (ZeRO-3: 16 bytes per parameter,
    divided among them), and whether to recompute. Each block is an attention layer followed by a
    $4h$ MLP, the GPT shape (Llama's gated MLP and grouped-query attention change the constants a
    little, not the story).
    """)
    return


@app.cell
def _():
    model = labkit.ui.dropdown("model", options=DENSE, value=Models.Llama3_8B.name, label="Model")
    hardware = labkit.ui.dropdown("hardware", options=Hardware.Cloud.options(), value=Hardware.H100.name,
                                  label="Accelerator")
    gpus = labkit.ui.slider("gpus", steps=GPU_STEPS, value=8, show_value=True, label="Accelerators sharing the state")
    mo.hstack([model, hardware, gpus], justify="start")
    return gpus, hardware, model


@app.cell
def _():
    seq_len = labkit.ui.slider("seq_len", steps=SEQ_STEPS, value=2048, show_value=True, label="Sequence length s")
    batch = labkit.ui.slider("batch", steps=BATCH_STEPS, value=1, show_value=True, label="Micro-batch b")
    strategy = labkit.ui.radio("strategy", options=STRATEGIES, value="Store every activation (r = 0)",
                               label="Activations")
    mo.hstack([seq_len, batch, strategy], justify="start")
    return batch, seq_len, strategy


@app.cell
def _(batch, gpus, hardware, model, seq_len, strategy):
    try:
        layers = block(model.value, seq_len.value, batch.value, strategy.value[1], hardware.value)
        state, acts = memory_per_gpu(model.value, seq_len.value, batch.value, strategy.value[0], gpus.value)
        run_error = None
    except SpecError as _e:
        layers, state, acts, run_error = None, None, None, str(_e)
    return acts, layers, run_error, state


@app.cell
def _(acts, hardware, layers, model, prediction, run_error, state):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction above to see your run's numbers._"))
    mo.stop(run_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {run_error}"), kind="danger"))
    _rows = []
    for _r in layers:
        _rows.append(f"| {_r.raw('kind')} | {si(_r.raw('parameters'))} | {si(_r.raw('forward_flops'), 'FLOP')} | "
                     f"{si(_r.raw('backward_flops'), 'FLOP')} | {_r.raw('training_to_forward'):.0f}× | "
                     f"{si(_r.raw('activation_bytes'), 'B')} | {_r.raw('arithmetic_intensity'):,.0f} | "
                     f"{si(_r.raw('training_time'), 's')} ({_r.bottleneck.lower()}) |")
    _layers_n = model.value.layers
    _step = _layers_n * sum(_r.raw("training_time") for _r in layers)
    _table = "\n".join(_rows)
    mo.md(f"""
    **One block** of {model.value.name} (×{_layers_n} layers):

    | layer | parameters | forward | backward | step / forward | activations | FLOP/B | step on {hardware.value.name} |
    |:---|---:|---:|---:|---:|---:|---:|---:|
    {_table}

    **Per accelerator:** weights + gradients + Adam state {si(state, "B")}, activations
    **{si(acts, "B")}** ({acts / state:.2g}× the state): **{si(state + acts, "B")}** of
    {si(hardware.value.memory.capacity_bytes, "B")}. Roofline time of one training step of the
    whole stack for this micro-batch: **{si(_step, "s")}** (ridge point
    {layers[0].raw("ridge_point"):,.0f} FLOP/B, at the engine's default compute efficiency).
    """)
    return


@app.cell
def _(acts, batch, gpus, hardware, model, prediction, run_error, seq_len, state, strategy):
    mo.stop(prediction.value is None or run_error is not None)
    _cap = hardware.value.memory.capacity_bytes
    _short = state + acts - _cap
    mo.stop(_short <= 0, mo.callout(mo.md(
        f"**It fits:** {si(state + acts, 'B')} of {si(_cap, 'B')} per accelerator "
        f"({si(-_short, 'B')} to spare)."), kind="success"))
    _state_full, _acts_full = memory_per_gpu(model.value, seq_len.value, batch.value, "full", gpus.value)
    if strategy.value[0] == "none" and _state_full + _acts_full <= _cap:
        _fix = (f"Full recomputation keeps only {si(_acts_full, 'B')} of activations and fits "
                f"({si(_state_full + _acts_full, 'B')}), for a third more FLOPs per step.")
    elif state > _cap:
        _fix = (f"The weights, gradients and optimizer state alone ({si(state, 'B')}) exceed the device: "
                "share them over more accelerators.")
    else:
        _fix = "Shorten the sequence, shrink the micro-batch, or share the state over more accelerators."
    mo.callout(mo.md(f"""
    **Out of memory: short by {si(_short, 'B')}.** Training {model.value.name} on
    {seq_len.value:,}-token sequences × {batch.value} needs {si(state + acts, 'B')} per
    accelerator ({si(state, 'B')} of state, **{si(acts, 'B')} of activations**), and the
    {hardware.value.name} holds {si(_cap, 'B')}. {_fix}
    """), kind="danger")
    return


@app.cell
def _(batch, gpus, model):
    # the sweep over sequence lengths: once per model, micro-batch and fleet, not per other move
    sweep = []
    for _s in SEQ_STEPS:
        for _label, (_strategy, _r) in STRATEGIES.items():
            _state, _acts = memory_per_gpu(model.value, _s, batch.value, _strategy, gpus.value)
            sweep.append({"seq": _s, "GB": (_state + _acts) / 1e9, "series": _label})
    return (sweep,)


@app.cell
def _(hardware, prediction, run_error, seq_len, sweep):
    mo.stop(prediction.value is None or run_error is not None)
    _lines = labkit.chart(sweep).mark_line(point=True).encode(
        x=alt.X("seq:Q", scale=alt.Scale(type="log", base=2), title="sequence length s (tokens)"),
        y=alt.Y("GB:Q", scale=alt.Scale(type="log"), title="memory per accelerator (GB)"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=320)),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("seq:Q"), alt.Tooltip("GB:Q", format=".3g")])
    _cap = labkit.chart([{"GB": hardware.value.memory.capacity_bytes / 1e9}]).mark_rule(
        color=labkit.PALETTE["vermillion"], strokeDash=[4, 3]).encode(y=alt.Y("GB:Q"))
    _now = labkit.chart([{"seq": seq_len.value}]).mark_rule(color=labkit.PALETTE["grey"]).encode(x=alt.X("seq:Q"))
    (_lines + _cap + _now).properties(width=600, height=280, title=alt.Title(
        "Training memory vs sequence length", subtitle="red: the accelerator's memory; grey: your sequence"))
    return


@app.cell
def _(layers, prediction, run_error):
    mo.stop(prediction.value is None or run_error is not None)
    mo.accordion({"Show the work": mo.md("\n\n---\n\n".join(
        f"### {_r.raw('kind')}\n\n{_r.explain()}" for _r in layers))})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The worked examples, live

    **$C = 6PD$ (equations page, section 3).** GPT-3 175B on 300 B tokens: $6 \times 175 \times
    10^9 \times 300 \times 10^9 = 3.15 \times 10^{23}$ FLOPs. The 6 is 2 FLOPs per parameter per
    token forward, times 3 for forward and backward.

    **Where the 6 comes from, layer by layer** (Narayanan et al. 2021, appendix). A transformer
    layer's forward is $24 B s h^2 + 4 B s^2 h$ FLOPs for $12 h^2$ parameters, so its training step
    per token per parameter is $6\,(1 + s / 6h)$: at GPT-3's $s$ = 2,048 and $h$ = 12,288 that is
    $6 \times 1.028 \approx 6.17$. The attention scores add the 2.8 %, and grow with $s$.
    """)
    return


@app.cell
def _(prediction):
    # the GPT-3 block's numbers restate part of the prediction's answer: wait for it
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see the worked examples._"))
    _gpt3 = Models.GPT3
    _c = calc_transformer_training_flops.raw(_gpt3.parameters_count, _gpt3.training_tokens)
    _att, _mlp = block(_gpt3, 2048, 1, 0.0)
    _per_token_param = ((_att.raw("training_flops") + _mlp.raw("training_flops"))
                        / (_att.raw("tokens") * (_att.raw("parameters") + _mlp.raw("parameters"))))
    mo.md(f"""
    | example | engine |
    |:---|---:|
    | GPT-3 training compute, $6PD$ | **{si(_c, "FLOP")}** |
    | training FLOPs per token per parameter, one GPT-3 block at $s$ = 2,048 | **{_per_token_param:.3f}** |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Training costs three forwards.** The backward pass does two matrix products for every one of
      the forward; $C = 6PD$ is $2PD$ forward times 3. Full recomputation makes it 4.
    - **Activations, not weights, are the training-memory tax.** They grow with the micro-batch and
      the sequence ($5as^2b$: with its square), the weights do not. At long sequences they are many
      times the weights.
    - **Recomputation trades memory for FLOPs:** keep $2sbh$ bytes per layer instead of
      $sbh(34 + 5as/h)$, and pay a third more compute per step. Selective recomputation of the
      attention scores alone (Korthikanti et al. 2022) keeps most of the saving for a few percent.
    - **The state shards, the activations do not.** ZeRO divides weights, gradients and optimizer
      state among accelerators; each one still holds the activations of its own micro-batch.

    ## Exercises

    **Exercise 1.** One GPT-3 block (attention + MLP), one sequence of 2,048 tokens, with full
    recomputation: how many TFLOPs does its training step take?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Training FLOPs of one block (TFLOP)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    _att, _mlp = block(Models.GPT3, 2048, 1, 1.0)
    labkit.check_answer(answer_1.value, (_att.raw("training_flops") + _mlp.raw("training_flops")) / 1e12, "TFLOP")
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    **Exercise 2.** {Models.Llama3_8B.name} ({Models.Llama3_8B.layers} layers, width {Models.Llama3_8B.hidden_dim:,}, {Models.Llama3_8B.heads} heads), one sequence of 8,192 tokens,
    16-bit, no recomputation: how many GB of activations does the training step keep?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Activation memory (GB)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    _m = Models.Llama3_8B
    labkit.check_answer(answer_2.value, calc_activation_memory.raw(_m.layers, 8192, 1, _m.hidden_dim, _m.heads,
                                                                   2.0, "none") / 1e9, "GB")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** For the same run, how many times less activation memory does full
    recomputation keep?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Activation memory, none / full (×)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    _m = Models.Llama3_8B
    _none = calc_activation_memory.raw(_m.layers, 8192, 1, _m.hidden_dim, _m.heads, 2.0, "none")
    _full = calc_activation_memory.raw(_m.layers, 8192, 1, _m.hidden_dim, _m.heads, 2.0, "full")
    labkit.check_answer(answer_3.value, _none / _full, "×")
    return


if __name__ == "__main__":
    app.run()
