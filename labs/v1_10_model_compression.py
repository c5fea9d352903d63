# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.10
# goal: Trade bits, sparsity and model size for memory, speed and accuracy, and decide what fits on a device.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.10 · Model compression")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import CompressionModel, Engine, Hardware, Models, SpecError
    from mlsysim_core.fmt import si
    from mlsysim_core.solvers.compression import METHODS, SPARSITY_TYPES

    COMPRESS = CompressionModel()
    BITS = [16, 8, 4]             # quantization targets from an fp16 baseline
    SPARSITIES = [k / 20 for k in range(20)]   # 0 .. 0.95

    labkit.init()  # colour-blind-safe chart theme


@app.function
def sweep(model, hardware):
    """Every method at a ladder of settings on one model and device, for the trade-off chart."""
    rows = []

    def add(label, method, **kw):
        r = COMPRESS.solve(model, hardware, method=method, **kw)
        rows.append({"method": label, "setting": kw, "GB": r.compressed_size_gb,
                     "drop": -100 * r.estimated_accuracy_delta, "speedup": r.inference_speedup,
                     "fits": r.fits})

    for b in BITS:
        add("quantization", "quantization", target_bitwidth=b)
    for s in SPARSITIES:
        add("pruning, unstructured", "pruning", sparsity=s, sparsity_type="unstructured")
        add("pruning, structured", "pruning", sparsity=s, sparsity_type="structured")
    add("pruning, 2:4 (n:m)", "pruning", sparsity=0.5, sparsity_type="n_m")
    for k in range(1, 11):
        add("distillation", "distillation", size_ratio=k / 10)
    for row in rows:
        row["setting"] = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                   for k, v in row["setting"].items())
    return rows


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 03 · Model compression

    A phone has a few gigabytes of memory and a few watts to spend. A language model worth
    talking to has billions of parameters. **Compression** is how the two meet: store each
    weight in fewer bits (*quantization*), drop weights (*pruning*), or train a smaller model to
    imitate the big one (*distillation*). Each one buys memory; some buy speed; all of them can
    cost accuracy. This lab makes those three trades visible side by side.

    Memory is the easy part: the compression ratio $r$ divides the size,

    $$
    r_{\text{quant}} = \frac{b_{\text{base}}}{b}, \qquad
    r_{\text{prune}} = \frac{1}{1 - s}, \qquad
    r_{\text{distill}} = \frac{|W_{\text{teacher}}|}{|W_{\text{student}}|}, \qquad
    \text{size} = \frac{\text{size}_{\text{base}}}{r}
    $$

    with $b$ bits per weight and $s$ the fraction of weights pruned. **Speed** is a roofline
    question (lab 01): fewer bytes help only if the work was memory-bound, and zeros help only if
    the kernel can skip them. **Accuracy** is an empirical question: the engine uses published
    figures for each method, cited in *Show the work*.

    **Learning goals.** After this lab you can

    - compute how much memory each method saves, and decide whether a model fits on a device;
    - say which methods also make inference faster, and why unstructured sparsity usually does not;
    - trade accuracy for size against a tolerance, and pick the method that stays inside it.
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

    You want a Llama on an iPhone 15 Pro. Two candidates: **Llama-3.1-8B quantized to int4**, or
    the slightly smaller **Llama-2-7B left at fp16**. (The classic version of this question pits an
    8B at int4 against a 3B at fp16; the zoo has no 3B model, so the fp16 contender here is the
    smallest Llama it holds.)
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Only the 8B at int4": "int4",
            "Only the 7B at fp16: fewer parameters": "fp16",
            "Both fit": "both",
            "Neither fits": "neither",
        },
        label="**Predict:** which fits in the phone's memory?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _phone = Hardware.iPhone15Pro
    _q = COMPRESS.solve(Models.Llama3_8B, _phone, method="quantization", target_bitwidth=4)
    _f = COMPRESS.solve(Models.Llama2_7B, _phone, method="quantization", target_bitwidth=16)
    _truth = {(True, False): "int4", (False, True): "fp16", (True, True): "both",
              (False, False): "neither"}[(_q.fits, _f.fits)]
    _right = prediction.value == _truth
    _cap = Engine.solve(Models.Llama3_8B, _phone).raw("memory_capacity")
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}.** The phone has **{si(_cap, "B")}**.
    Llama-3.1-8B at int4 needs **{_q.compressed_size_gb:.3g} GB** ({"fits" if _q.fits else "does not fit"});
    Llama-2-7B at fp16 needs **{_f.compressed_size_gb:.3g} GB** ({"fits" if _f.fits else "does not fit"}).
    Parameter count alone does not decide memory: bits per parameter do. A model with more
    parameters at 4 bits is far smaller than one with fewer at 16 bits, and usually more
    accurate than a model small enough to fit at fp16. This is why on-device LLMs ship quantized.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Compress a model for a device

    Choose the model, the device it must fit on, and how much accuracy you can give up. Then
    choose a method and its setting.
    """)
    return


@app.cell
def _():
    model = labkit.ui.dropdown("model", options=Models.options(), value=Models.Llama3_8B.name, label="Model")
    device = labkit.ui.dropdown("device", options=Hardware.options(), value=Hardware.iPhone15Pro.name, label="Device")
    tolerance = labkit.ui.slider("tolerance", start=0.5, stop=10.0, step=0.5, value=3.0, show_value=True,
                             label="Accuracy you can lose (points)")
    mo.hstack([model, device, tolerance], justify="start")
    return device, model, tolerance


@app.cell
def _():
    method = labkit.ui.radio("method", options=list(METHODS), value="quantization", label="Method", inline=True)
    bits = labkit.ui.dropdown("bits", options={str(b): b for b in BITS}, value="4", label="Bits per weight (quantization)")
    sparsity = labkit.ui.slider("sparsity", start=0.0, stop=0.95, step=0.05, value=0.5, show_value=True,
                            label="Sparsity s (pruning)")
    sparsity_type = labkit.ui.radio("sparsity_type", options=list(SPARSITY_TYPES), value="unstructured",
                                label="Sparsity pattern (pruning)", inline=True)
    size_ratio = labkit.ui.slider("size_ratio", start=0.1, stop=1.0, step=0.05, value=0.6, show_value=True,
                              label="Student / teacher size (distillation)")
    mo.vstack([method, mo.hstack([bits, sparsity, sparsity_type], justify="start"), size_ratio])
    return bits, method, size_ratio, sparsity, sparsity_type


@app.cell
def _(bits, device, method, model, size_ratio, sparsity, sparsity_type, tolerance):
    try:
        result = COMPRESS.solve(model.value, device.value, method=method.value,
                                target_bitwidth=bits.value, sparsity=sparsity.value,
                                sparsity_type=sparsity_type.value, size_ratio=size_ratio.value,
                                max_accuracy_drop=tolerance.value / 100)
        capacity = Engine.solve(model.value, device.value).raw("memory_capacity")
        error = None
    except SpecError as _e:
        result, capacity, error = None, None, str(_e)
    return capacity, error, result


@app.cell
def _(capacity, device, error, method, result):
    mo.stop(error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {error}"),
                                          kind="danger"))
    _r = result.raw()
    _why = {
        "quantization": "Fewer bytes per weight: a memory-bound kernel speeds up almost in proportion.",
        "pruning": ("Structured pruning removes whole channels, so FLOPs and bytes shrink together. "
                    "Unstructured zeros are still multiplied by dense kernels: memory shrinks (if "
                    "stored sparsely), time does not. 2:4 sparsity at 50 % is what sparse tensor "
                    "cores accelerate."),
        "distillation": "A smaller dense student: FLOPs and bytes shrink together.",
    }[method.value]
    mo.md(f"""
    | original | compressed | ratio | saved | fits on {device.value.name} ({si(capacity, "B")})? | speed-up | accuracy change |
    |---:|---:|---:|---:|:---:|---:|---:|
    | {_r["original_size_gb"]:.3g} GB | **{_r["compressed_size_gb"]:.3g} GB** | {_r["compression_ratio"]:.3g}× | {_r["memory_savings_pct"]:.0f} % | **{"yes" if _r["fits"] else "no"}** | {_r["inference_speedup"]:.3g}× | **{100 * _r["estimated_accuracy_delta"]:+.2g} points** |

    {_why}
    """)
    return


@app.cell
def _(capacity, device, error, model, result, tolerance):
    mo.stop(error is not None)
    _alerts = []
    if not result.within_accuracy_budget:
        _alerts.append(mo.callout(mo.md(
            f"**Accuracy loss past your tolerance.** This setting costs an estimated "
            f"**{-100 * result.estimated_accuracy_delta:.2g} points**; you allowed "
            f"{tolerance.value:g}. The model fits in less memory, but it is no longer the model you "
            "meant to ship. Back off the setting, or pick a method whose loss stays inside the "
            "tolerance (the chart below shows which ones do)."), kind="danger"))
    if not result.fits:
        _alerts.append(mo.callout(mo.md(
            f"**Still does not fit.** {model.value.name} compressed to "
            f"{result.compressed_size_gb:.3g} GB is short of {device.value.name}'s "
            f"{si(capacity, 'B')} by **{si(result.compressed_size_gb * 1e9 - capacity, 'B')}**. "
            "Compress further, or choose a smaller model or a bigger device."), kind="danger"))
    if not _alerts:
        _drop = -100 * result.estimated_accuracy_delta
        _alerts.append(mo.callout(mo.md(
            f"**Fits, and within your accuracy tolerance:** an estimated {_drop:.2g}-point loss "
            f"against the {tolerance.value:g} points you allow ({tolerance.value - _drop:.2g} to spare)."),
            kind="success"))
    mo.vstack(_alerts)
    return


@app.cell
def _(error, result):
    mo.stop(error is not None)
    mo.accordion({"Show the work": mo.md(result.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The whole trade-off at once

    Every method at every setting, for your model and device. On the left, right of the grey line
    the model does not fit and above the red line it loses more accuracy than you allowed: the
    good region is the **bottom-left**. On the right, the same settings by speed: notice which
    methods climb as they shrink the model, and which stay flat. Hover for each point's setting.
    """)
    return


@app.cell
def _(bits, capacity, device, error, method, model, result, size_ratio, sparsity, sparsity_type, tolerance):
    mo.stop(error is not None)
    _rows = sweep(model.value, device.value)
    _setting = {"quantization": f"target_bitwidth={bits.value}",
                "pruning": f"sparsity={sparsity.value:g}, sparsity_type={sparsity_type.value}",
                "distillation": f"size_ratio={size_ratio.value:g}"}[method.value]
    _here = [{"GB": result.compressed_size_gb, "drop": -100 * result.estimated_accuracy_delta,
              "setting": _setting, "speedup": result.inference_speedup}]
    _x = alt.X("GB:Q", scale=alt.Scale(type="log"), title="compressed size (GB)")
    _y = alt.Y("drop:Q", title="accuracy lost (points)")
    _tip = ["method:N", "setting:N", alt.Tooltip("GB:Q", format=".3g"), alt.Tooltip("drop:Q", format=".2g"),
            alt.Tooltip("speedup:Q", format=".3g", title="speed-up")]
    _pts = labkit.chart(_rows).mark_point(filled=True, size=60, opacity=0.8).encode(
        x=_x, y=_y, color=alt.Color("method:N", title=None), shape=alt.Shape("method:N", title=None),
        tooltip=_tip)
    _cap = labkit.chart([{"GB": capacity / 1e9}]).mark_rule(color="gray", strokeDash=[4, 3]).encode(x=alt.X("GB:Q"))
    _tol = labkit.chart([{"drop": tolerance.value}]).mark_rule(color="#D55E00", strokeDash=[4, 3]).encode(y=alt.Y("drop:Q"))
    _now = labkit.chart(_here).mark_point(size=320, color="black", strokeWidth=2).encode(
        x=_x, y=_y, tooltip=_tip)
    _accuracy = (_pts + _cap + _tol + _now).properties(
        width=360, height=320, title=alt.Title("Accuracy against size",
                                               subtitle="grey: device memory; red: your tolerance"))
    _ys = alt.Y("speedup:Q", scale=alt.Scale(type="log"), title="inference speed-up (×)")
    _speed = (labkit.chart(_rows).mark_point(filled=True, size=60, opacity=0.8).encode(
        x=_x, y=_ys, color=alt.Color("method:N", title=None), shape=alt.Shape("method:N", title=None),
        tooltip=_tip)
        + _cap
        + labkit.chart(_here).mark_point(size=320, color="black", strokeWidth=2).encode(
            x=_x, y=_ys, tooltip=_tip)).properties(
        width=360, height=320, title=alt.Title("Speed against size", subtitle="circled: your setting"))
    alt.hconcat(_accuracy, _speed).properties(
        title=f"{model.value.name} → {device.value.name}")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The worked example, live: fp16 → int4

    The equations page's rule: quantizing from 16-bit to 4-bit weights shrinks them **4×**. For
    Llama-3.1-70B that is the difference between not fitting on an H100 and fitting with room to
    spare for the KV cache (lab 04):
    """)
    return


@app.cell
def _():
    _rows = []
    for _b in BITS:
        _r = COMPRESS.solve(Models.Llama3_70B, Hardware.H100, method="quantization", target_bitwidth=_b)
        _rows.append(f"| {_b}-bit | {_r.compressed_size_gb:.3g} GB | {_r.compression_ratio:g}× | "
                     f"{'yes' if _r.fits else 'no'} | {_r.inference_speedup:.3g}× | "
                     f"{100 * _r.estimated_accuracy_delta:+.2g} |")
    _table = "\n".join(_rows)
    mo.md(f"""
    | Llama-3.1-70B weights | size | ratio vs fp16 | fits on {Hardware.H100.name}? | speed-up (batch 1) | accuracy (points) |
    |:---|---:|---:|:---:|---:|---:|
    {_table}

    The speed-up tracks the ratio because decode at batch 1 is memory-bound: a quarter of the
    bytes, about a quarter of the time.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Memory divides by the compression ratio**: 16→4 bits is 4×; pruning a fraction $s$ is
      $1/(1-s)$; a student of 60 % size is 1.67×.
    - **Bits beat parameters for fitting**: a bigger model at 4 bits is smaller than a smaller
      model at 16 bits, and on-device LLMs ship quantized for that reason.
    - **Speed only follows if the hardware can use it**: quantization speeds up memory-bound
      work; structured pruning and distillation cut FLOPs and bytes together; unstructured sparsity
      saves memory but dense kernels still multiply the zeros.
    - **Accuracy is the price**, and it is not linear: int8 is nearly free, int4 costs a couple of
      points, and heavy pruning costs more and more. Check against a tolerance before shipping.
      (The engine's figures are published averages, not your model's measured loss.)

    ## Exercises

    **Exercise 1.** Llama-3.1-70B is quantized from fp16 to int4. What is the compressed size of
    its weights, in GB?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Compressed size (GB)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value, COMPRESS.solve(Models.Llama3_70B, Hardware.H100, method="quantization",
                                                target_bitwidth=4).compressed_size_gb, "GB")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** Llama-3.1-8B on an A100 is pruned to 70 % **unstructured** sparsity. By what
    factor does inference get faster? (Think about what a dense matrix kernel does with a zero.)
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Speed-up (×)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    check_answer(answer_2.value, COMPRESS.solve(Models.Llama3_8B, Hardware.A100, method="pruning",
                                                sparsity=0.7, sparsity_type="unstructured").inference_speedup, "×")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** Llama-3.1-8B decodes at batch 1 on an A100. By what factor does int8
    quantization (from fp16) speed it up? (Is decode memory- or compute-bound? Lab 01.)
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Speed-up (×)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    check_answer(answer_3.value, COMPRESS.solve(Models.Llama3_8B, Hardware.A100, method="quantization",
                                                target_bitwidth=8).inference_speedup, "×")
    return


if __name__ == "__main__":
    app.run()
