# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.7
# goal: Find the batch at which kernel-launch overhead stops setting the step time, and what compiling and CUDA graphs buy below it.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.7 · ML frameworks: the framework tax")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import (EfficiencyModel, Engine, Hardware, MLSysError, Models, calc_fusion_bytes_saved,
                              constants)
    from mlsysim_core.fmt import pct, si

    EFF = EfficiencyModel()
    # dense transformers (a mixture of experts would need its active parameters, not its total)
    DENSE = {m.name: m for m in (Models.GPT2, Models.BERT_Large, Models.Llama3_2_1B, Models.Llama3_8B,
                                 Models.Llama2_13B, Models.Llama3_70B)}
    GPUS = {h.name: h for h in (Hardware.H100, Hardware.A100, Hardware.H200, Hardware.B200, Hardware.L4,
                                Hardware.T4, Hardware.MI300X)}
    MODES = {"eager: one kernel per operator (PyTorch's default)": "eager",
             "compiled: elementwise chains fused (torch.compile)": "compiled",
             "CUDA graph: fused, the whole step launched at once": "graph"}
    MODE_NAMES = {"eager": "eager", "compiled": "compiled", "graph": "CUDA graph"}
    BATCHES = [2 ** k for k in range(13)]          # 1 .. 4,096 sequences
    SEQ_LENS = [1, 16, 128, 512, 2048, 8192]       # tokens per sequence in the step (1: decoding)
    LOSS_NAMES = {"tile_quantization": "GEMM tiles left empty", "weight_stall": "waiting for weights (HBM)",
                  "attention_io": "attention HBM traffic", "elementwise": "elementwise ops (HBM)",
                  "launch_overhead": "kernel launches (framework tax)"}

    labkit.init()  # colour-blind-safe chart theme


@app.function
def ms(seconds):
    """A step time in ms, three significant figures."""
    return f"{labkit.num(seconds * 1e3)} ms"


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.7 · ML frameworks: the framework tax

    You call `model(x)` in PyTorch. Before the GPU does any arithmetic, Python walks the model,
    the framework dispatches each operator, and the CUDA driver **launches a kernel** for each
    one: a matrix multiply, a layer norm, an add, an activation. Each launch costs the host a few
    microseconds whatever the kernel does. The launches are asynchronous, so while each kernel
    runs longer than its launch, the host keeps ahead and the cost hides. When the kernels are
    tiny (small batches, one token at a time) the GPU finishes each one before the next is
    launched, and the CPU sets the pace:

    $$
    T_{\text{step}} = \max\bigl(T_{\text{GPU}},\; K \, t_{\text{launch}}\bigr),
    \qquad K = \text{kernels per layer} \times L,
    \qquad \text{MFU} = \frac{\text{FLOPs}_{\text{model}} / \text{Peak}}{T_{\text{step}}}
    $$

    Frameworks fight this tax in two ways. **Compiling** (`torch.compile`, XLA) fuses chains of
    elementwise operators into one kernel: fewer launches, and an activation read and written
    once instead of once per operator, saving $2(n-1)$ tensor passes for a chain of $n$
    (Ivanov et al. 2021). **CUDA graphs** record the whole step once and replay it with a
    single launch, so the per-kernel cost drops to about a microsecond.

    **Learning goals.** After this lab you can

    - count a model's kernel launches and compare their time with the GPU's work;
    - find the batch at which launch overhead stops mattering, and explain why it sits near the
      roofline's ridge point when the step is memory-bound;
    - say what eager execution, compilation (fusion) and CUDA graphs each remove;
    - read an MFU figure as the share left after tiles, memory stalls, attention traffic,
      elementwise traffic and launches.
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

    You serve **{Models.Llama3_8B.name}** on one **{Hardware.H100.name}** in plain PyTorch (eager mode), decoding one
    token per sequence per step. Each of its {Models.Llama3_8B.layers} layers launches about
    {constants().eff_kernels_per_layer_eager:.0f} kernels. You grow the
    batch, the number of sequences decoded together.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio(
        "prediction",
        options={
            "At batch 1: reading 16 GB of weights already takes longer than the launches": "1",
            "Around batch 16: a few sequences give each kernel enough work": "16",
            "Around batch 250: the batch must fill the GPU's arithmetic first": "250",
            "Around batch 4,000: only huge batches hide the launches": "4000",
        },
        label="**Predict:** from what batch does kernel-launch overhead stop setting the step time?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _r = EFF.solve(Models.Llama3_8B, Hardware.H100, batch_size=1, seq_len=1, mode="eager")
    _b = _r.launch_crossover_batch
    _truth = "1" if _b <= 4 else "16" if _b <= 64 else "250" if _b <= 1024 else "4000"
    _right = prediction.value == _truth
    _at = EFF.solve(Models.Llama3_8B, Hardware.H100, batch_size=_b, seq_len=1, mode="eager")
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: launches stop mattering from batch {_b:,}.** At batch 1
    the GPU's work takes **{ms(_r.raw("gpu_time"))}**, nearly all of it reading the weights once
    from HBM, but {_r.kernels:,} launches × {si(_r.raw("launch_overhead"), "s")} take
    **{ms(_r.raw("launch_time"))}**: the step is launch-bound and MFU is {pct(_r.mfu)}. Adding
    sequences barely lengthens a memory-bound step (the weights are read once for the whole batch),
    so the GPU's time only outgrows the launches once the batch makes the matrix multiplies
    compute-bound: at batch {_b:,}, {ms(_at.raw("gpu_time"))} of GPU work against
    {ms(_at.raw("launch_time"))} of launches.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your model, your GPU, your framework

    Pick a model, a GPU and how the framework runs the step. *Tokens per sequence* = 1 is one
    decoding step (the reads of the KV cache are left out: they only add GPU time); larger values
    are a prefill or a training step over that many tokens. The launch cost per kernel comes from
    the zoo (each device's dispatch tax), or about a microsecond inside a CUDA graph.
    """)
    return


@app.cell
def _():
    model = labkit.ui.dropdown("model", options=DENSE, value=Models.Llama3_8B.name, label="Model")
    gpu = labkit.ui.dropdown("gpu", options=GPUS, value=Hardware.H100.name, label="GPU")
    mode = labkit.ui.radio("mode", options=MODES, value=list(MODES)[0], label="Execution")
    mo.vstack([mo.hstack([model, gpu], justify="start"), mode])
    return gpu, mode, model


@app.cell
def _():
    batch = labkit.ui.slider("batch", steps=BATCHES, value=1, show_value=True, label="Batch (sequences)")
    seq_len = labkit.ui.slider("seq_len", steps=SEQ_LENS, value=1, show_value=True, label="Tokens per sequence")
    training = labkit.ui.switch("training", value=False, label="Training step (forward + backward)")
    flash = labkit.ui.switch("flash", value=True, label="FlashAttention")
    mo.vstack([mo.hstack([batch, seq_len], justify="start"), mo.hstack([training, flash], justify="start")])
    return batch, flash, seq_len, training


@app.cell
def _(batch, flash, gpu, mode, model, seq_len, training):
    try:
        eff = EFF.solve(model.value, gpu.value, batch_size=batch.value, seq_len=seq_len.value, mode=mode.value,
                        use_flash_attention=flash.value, is_training=training.value)
        fit = Engine.solve(model.value, gpu.value, batch.value, "bf16", is_training=training.value,
                           seq_len=seq_len.value)
        eff_error = None
    except MLSysError as _e:
        eff, fit, eff_error = None, None, str(_e)
    return eff, eff_error, fit


@app.cell
def _(eff, eff_error, fit, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see your step._"))
    mo.stop(eff_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {eff_error}"),
                                              kind="danger"))
    _r = eff.raw()
    _b = _r["launch_crossover_batch"]
    _cross = f"{_b:,}" if _b else "beyond 2^20"
    _stats = mo.hstack([
        mo.stat(ms(_r["step_time"]), label="Step time", caption="launch-bound" if _r["launch_bound"] else "GPU-bound"),
        mo.stat(ms(_r["gpu_time"]), label="GPU work", caption=f"{_r['kernels']:,} kernels"),
        mo.stat(ms(_r["launch_time"]), label="Launches", caption=f"{si(_r['launch_overhead'], 's')} each"),
        mo.stat(pct(_r["mfu"]), label="MFU", caption=f"{si(_r['achieved_flops'], 'FLOP/s')} achieved"),
        mo.stat(_cross, label="Launches hide from batch", caption=f"at {_r['seq_len']:,} tokens/sequence"),
    ], justify="start", wrap=True)
    _callouts = []
    if _r["launch_bound"]:
        _idle = (_r["step_time"] - _r["gpu_time"]) / _r["step_time"]
        _callouts.append(mo.callout(mo.md(f"""
        **Launch-bound: the GPU idles {pct(_idle)} of every step waiting for the host.** Its work
        takes {ms(_r["gpu_time"])}, the {_r["kernels"]:,} launches {ms(_r["launch_time"])}: the
        framework tax is **{ms(_r["step_time"] - _r["gpu_time"])}** per step. Batch at least
        {_cross} sequences, compile (fewer kernels) or capture a CUDA graph (cheaper launches).
        """), kind="danger"))
    if not fit.raw("feasible"):
        _callouts.append(mo.callout(mo.md(f"""
        **Out of memory: these times are for a GPU this model does not fit on.** {eff.raw("model")}
        needs {si(fit.raw("memory_footprint"), "B")} at this batch (weights, KV cache or activations)
        but the GPU holds {si(fit.raw("memory_capacity"), "B")}: short by
        **{si(fit.raw("shortfall"), "B")}**. Shard it over several GPUs (Volume II) or quantise it (lab I.10).
        """), kind="danger"))
    mo.vstack([_stats, *_callouts, mo.accordion({"Show the work": mo.md(eff.explain())})])
    return


@app.cell
def _(eff, eff_error, prediction):
    mo.stop(prediction.value is None or eff_error is not None)
    _r = eff.raw()
    _rows = [{"where": "useful math (MFU)", "share": _r["mfu"]}] + [
        {"where": LOSS_NAMES[_k], "share": _v} for _k, _v in _r["losses"].items()]
    labkit.chart(_rows).mark_bar(color=labkit.PALETTE["blue"]).encode(
        y=alt.Y("where:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("share:Q", title="share of the step", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("where:N"), alt.Tooltip("share:Q", format=".1%")],
    ).properties(width=560, height=190, title="Where the step goes")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Eager, compiled, graph: the whole batch range

    The step time of each execution mode as the batch grows. Each line is flat while the launches
    set the pace (its floor is $K\,t_{\text{launch}}$) and joins the GPU's own time once the work
    outgrows them; the dot marks where. Compiling lowers the floor (fewer kernels) and the GPU
    time (fused elementwise traffic); a CUDA graph lowers the floor by an order of magnitude.
    """)
    return


@app.cell
def _(flash, gpu, model, seq_len, training):
    # the sweep: once per model, GPU and sequence length, not per batch or mode move
    try:
        sweep = [{"batch": _b, "mode": MODE_NAMES[_m], "ms": _r.raw("step_time") * 1e3,
                  "cross": _r.raw("launch_crossover_batch")}
                 for _m in MODE_NAMES for _b in BATCHES
                 for _r in [EFF.solve(model.value, gpu.value, batch_size=_b, seq_len=seq_len.value, mode=_m,
                                      use_flash_attention=flash.value, is_training=training.value)]]
    except MLSysError:
        sweep = None
    return (sweep,)


@app.cell
def _(batch, prediction, sweep):
    mo.stop(prediction.value is None)
    mo.stop(sweep is None, mo.callout(mo.md("The engine rejected these inputs (see section 2)."), kind="danger"))
    # per mode, the first batch of the sweep at or past the engine's crossover
    _marks = [next((_p for _p in sweep if _p["mode"] == _m and _p["cross"] and _p["batch"] >= _p["cross"]), None)
              for _m in MODE_NAMES.values()]
    _marks = [_p for _p in _marks if _p is not None]
    _x = alt.X("batch:Q", scale=alt.Scale(type="log", base=2), title="batch (sequences)")
    _y = alt.Y("ms:Q", scale=alt.Scale(type="log"), title="step time (ms)")
    _lines = labkit.chart(sweep).mark_line().encode(
        x=_x, y=_y, color=alt.Color("mode:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("mode:N"), alt.Tooltip("batch:Q"), alt.Tooltip("ms:Q", format=".3g")])
    _dots = labkit.chart(_marks).mark_point(size=90, filled=True).encode(
        x=_x, y=_y, color=alt.Color("mode:N", title=None))
    _now = labkit.chart([{"batch": batch.value}]).mark_rule(color=labkit.PALETTE["grey"]).encode(x=_x)
    (_lines + _dots + _now).properties(width=600, height=300, title=alt.Title(
        "Step time against batch", subtitle="dot: the first batch of the sweep at which launches hide; grey: your batch"))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The worked example, live

    The equations page adds a *dispatch tax* of 0.01–0.1 ms to every kernel's roofline time; the
    CUDA C++ Best Practices Guide explains why it can hide: launches are asynchronous, so the
    step costs $\max(T_{\text{GPU}}, K\,t_{\text{launch}})$, not their sum. For Llama-3.1-8B
    decoding at batch 1 on an H100, the engine's count of launches against the time to stream
    the weights once, and what fusion saves on one layer's elementwise chain
    ($2(n-1)$ tensor passes, Ivanov et al. 2021, section 4):
    """)
    return


@app.cell
def _(prediction):
    # the eager row is the prediction's answer: wait for it
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see the worked example._"))
    _rows = []
    for _m in MODE_NAMES:
        _r = EFF.solve(Models.Llama3_8B, Hardware.H100, batch_size=1, seq_len=1, mode=_m)
        _rows.append(f"| {MODE_NAMES[_m]} | {_r.kernels:,} | {si(_r.raw('launch_overhead'), 's')} | "
                     f"{ms(_r.raw('launch_time'))} | {ms(_r.raw('gpu_time'))} | **{ms(_r.raw('step_time'))}** | "
                     f"{pct(_r.mfu)} |")
    _n = constants().eff_elementwise_ops_per_layer
    mo.md(f"""
    | execution | kernels | per launch | launches | GPU work | **step** | MFU |
    |:---|---:|---:|---:|---:|---:|---:|
    {chr(10).join(_rows)}

    Fusing a chain of {_n:g} elementwise operators reads and writes the activation once instead of
    {_n:g} times: {calc_fusion_bytes_saved.raw(_n, 1.0):g} passes over the tensor saved in every layer. At batch 1 that traffic is tiny;
    at long sequences and large batches it is what separates eager from compiled once launches hide.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **The framework tax is per kernel, not per FLOP.** A step of $K$ kernels costs at least
      $K\,t_{\text{launch}}$ however little each one computes; small models, small batches and
      one-token decoding pay it in full.
    - **Memory-bound steps hide launches badly.** Growing the batch of a memory-bound step adds
      almost no GPU time, so launches stay exposed until the batch nears the ridge point.
    - **Compile to cut kernels, capture graphs to cut their cost.** Fusion removes launches and
      HBM passes; a CUDA graph makes each remaining launch nearly free. Both matter only below the
      crossover batch; above it, tiles, weights and attention traffic set the MFU.

    ## Exercises

    **Exercise 1.** Llama-3.1-8B decoding (1 token per sequence) at batch 1 on an H100 in eager
    mode: how long do its kernel launches take, in ms?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Launch time per step (ms)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    labkit.check_answer(answer_1.value, EFF.solve(Models.Llama3_8B, Hardware.H100, batch_size=1, seq_len=1,
                                                  mode="eager").raw("launch_time") * 1e3, "ms")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** GPT-2 (1.5B) decoding on an H100, compiled (fused) but launched kernel by
    kernel: from what batch do the launches hide behind the GPU's work?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Crossover batch (sequences)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    labkit.check_answer(answer_2.value, EFF.solve(Models.GPT2, Hardware.H100, batch_size=1, seq_len=1,
                                                  mode="compiled").launch_crossover_batch, "")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** Same GPT-2 decoding at batch 1 on an H100: how many times faster is a step
    captured as a CUDA graph than the eager step?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Speed-up of the CUDA graph (×)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    _eager = EFF.solve(Models.GPT2, Hardware.H100, batch_size=1, seq_len=1, mode="eager")
    _graph = EFF.solve(Models.GPT2, Hardware.H100, batch_size=1, seq_len=1, mode="graph")
    labkit.check_answer(answer_3.value, _eager.raw("step_time") / _graph.raw("step_time"), "×")
    return


if __name__ == "__main__":
    app.run()
