# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.13
# goal: Split LLM latency into time-to-first-token and inter-token latency, size the KV cache, and decide if it fits.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.13 · LLM serving")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import PRECISIONS, Hardware, Models, SensitivitySolver, ServingModel, SpecError
    from mlsysim_core.fmt import si

    SERVE = ServingModel()
    BATCHES = [2**k for k in range(11)]         # 1 .. 1024 concurrent sequences
    CONTEXTS = [2**k for k in range(7, 18)]     # 128 .. 131,072 tokens

    labkit.init()  # colour-blind-safe chart theme


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 04 · LLM serving

    When you send a prompt to a chatbot, two very different things happen. First the model reads
    your whole prompt at once (**prefill**): billions of multiply-adds on thousands of tokens,
    in parallel. The time until the first word appears is the **time to first token** (TTFT).
    Then it writes the answer one token at a time (**decode**): each new token needs every weight
    read from memory again, plus the keys and values of every earlier token, the **KV cache**.
    The gap between words is the **inter-token latency** (ITL).

    $$
    \text{TTFT} \approx \frac{2\,P\,S\,B}{\text{Peak}\times\eta}
    \qquad\qquad
    \text{ITL} \approx \frac{\text{Weights} + \text{KV}}{\text{BW}}
    $$

    $$
    \text{KV} = 2 \times L \times H_{kv} \times d_{\text{head}} \times S \times B \times b
    \qquad\qquad
    \text{Weights} + \text{KV} \le \text{Memory}
    $$

    ($P$ parameters, $S$ tokens of context, $B$ sequences in the batch, $L$ layers, $H_{kv}$ key/value
    heads of size $d_{\text{head}}$, $b$ bytes per element; the 2 in front counts K and V.)
    Prefill is compute-bound, decode is memory-bound (lab 01), and the KV cache grows with every
    token of every sequence until memory runs out.

    **Learning goals.** After this lab you can

    - split a request's latency into TTFT (prefill) and ITL (decode), and say which resource sets each;
    - size the KV cache per token and for a whole batch, and decide whether weights + KV fit;
    - explain why batching raises throughput almost for free, until memory runs out.
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

    A vendor offers you an H100 variant whose math units are **twice as fast**; memory is
    unchanged. You serve Llama-3.1-8B to one user at a time.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Yes: about 2× faster tokens": "2x",
            "Somewhat: maybe 1.3×": "some",
            "No: decode barely changes": "none",
        },
        label="**Predict:** does a 2× faster compute unit speed up decode (tokens per second)?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _rows = []
    for _b in (1, 64, 512):
        _s = SensitivitySolver().solve(Models.Llama3_8B, Hardware.H100, batch_size=_b, perturbation_pct=100)
        _rows.append(f"| {_b} | {2 ** _s.gains['peak_flops']:.2f}× | {2 ** _s.gains['memory_bandwidth']:.2f}× | "
                     f"{_s.binding_constraint.replace('_', ' ')} |")
    _table = "\n".join(_rows)
    _right = prediction.value == "none"
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: at batch 1, doubling the compute changes nothing.**
    Each token reads all {si(SERVE.solve(Models.Llama3_8B, Hardware.H100).raw("model_weights_size"), "B")}
    of weights and does only two FLOPs per weight: the math units
    already sit idle most of the time, waiting for memory. The engine doubles each resource in turn
    and re-solves the decode step:

    | batch | speed-up from 2× compute | speed-up from 2× memory bandwidth | binds |
    |---:|---:|---:|:---|
    {_table}

    Only memory bandwidth (or a bigger batch that reuses each weight read) speeds up decode. At
    very large batches the math finally matters, and there a faster compute unit pays off.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Serve a model

    Pick a model and an accelerator, the precision of the weights and of the KV cache, how long
    each conversation is (context length $S$) and how many run at once (batch $B$).
    """)
    return


@app.cell
def _():
    _models = {n: m for n, m in Models.options().items() if hasattr(m, "n_kv_heads")}
    model = labkit.ui.dropdown("model", options=_models, value=Models.Llama3_8B.name, label="Model")
    hardware = labkit.ui.dropdown("hardware", options=Hardware.options(), value=Hardware.H100.name, label="Accelerator")
    mo.hstack([model, hardware], justify="start")
    return hardware, model


@app.cell
def _():
    precision = labkit.ui.dropdown("precision", options=list(PRECISIONS), value="fp16", label="Weights")
    kv_precision = labkit.ui.dropdown("kv_precision", options=list(PRECISIONS), value="fp16", label="KV cache")
    efficiency = labkit.ui.slider("efficiency", start=0.05, stop=1.0, step=0.05, value=0.5, show_value=True,
                              label="Compute efficiency η")
    mo.hstack([precision, kv_precision, efficiency], justify="start")
    return efficiency, kv_precision, precision


@app.cell
def _():
    seq_len = labkit.ui.slider("seq_len", steps=CONTEXTS, value=4096, show_value=True, label="Context length S (tokens)")
    batch = labkit.ui.slider("batch", steps=BATCHES, value=32, show_value=True, label="Batch B (sequences)")
    output_tokens = labkit.ui.slider("output_tokens", start=1, stop=4096, step=1, value=256, show_value=True,
                                 label="Tokens generated per reply")
    mo.vstack([mo.hstack([seq_len, batch], justify="start"), output_tokens])
    return batch, output_tokens, seq_len


@app.cell
def _(batch, efficiency, hardware, kv_precision, model, output_tokens, precision, seq_len):
    def serve(b=None, s=None):
        return SERVE.solve(model.value, hardware.value, seq_len=s or seq_len.value,
                           batch_size=b or batch.value, precision=precision.value,
                           efficiency=efficiency.value, kv_precision=kv_precision.value,
                           output_tokens=output_tokens.value)

    try:
        result = serve()
        error = None
    except SpecError as _e:
        result, error = None, str(_e)
    return error, result, serve


@app.cell
def _(error, output_tokens, result):
    mo.stop(error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {error}"),
                                          kind="danger"))
    _r = result.raw()
    mo.md(f"""
    | TTFT (prefill) | ITL (decode) | tokens/s (whole batch) | KV per token | KV cache | weights | memory used |
    |---:|---:|---:|---:|---:|---:|---:|
    | **{si(_r["ttft"], "s")}** | **{si(_r["itl"], "s")}** | {_r["decode_throughput"]:,.0f} | {si(_r["kv_cache_per_token"], "B")} | {si(_r["kv_cache_size"], "B")} | {si(_r["model_weights_size"], "B")} | **{_r["memory_utilization"]:.0%}** of {si(_r["memory_capacity"], "B")} |

    Prefill is {_r["prefill_bottleneck"].lower()}; decode is **{_r["decode_bottleneck"].lower()}**.
    One reply of {output_tokens.value:,} token{"s" if output_tokens.value != 1 else ""} takes {si(_r["request_latency"], "s")}:
    {si(_r["ttft"], "s")} of prefill, then {si(_r["request_latency"] - _r["ttft"], "s")} of decode.
    """)
    return


@app.cell
def _(batch, error, result, seq_len, serve):
    mo.stop(error is not None or result.feasible)
    _max_batch = result.max_batch_size   # the engine answers the inverse question in closed form
    _max_seq = result.max_seq_len
    if not _max_batch:
        _fix = ("Even one sequence does not fit at this context length. If the weights alone are too "
                "big, quantize them (lab 03) or shard the model over several accelerators (lab 06).")
    else:
        _fix = (f"At {seq_len.value:,} tokens of context, at most **{_max_batch:,} sequences** fit "
                f"(you asked for {batch.value:,}); at batch {batch.value:,}, at most "
                f"**{_max_seq:,} tokens** of context fit" if _max_seq else
                f"At {seq_len.value:,} tokens of context, at most **{_max_batch:,} sequences** fit")
        _fix += ". Or store the KV cache in fewer bits, or quantize the weights."
    mo.callout(mo.md(f"""
    **Out of memory: weights + KV cache exceed the accelerator's memory.**
    {si(result.raw("model_weights_size"), "B")} of weights + {si(result.raw("kv_cache_size"), "B")}
    of KV cache = {si(result.raw("total_memory_required"), "B")}, against
    {si(result.raw("memory_capacity"), "B")}: short by **{si(result.raw("shortfall"), "B")}**. The
    latencies above describe a machine that does not exist. {_fix}
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
    ## 3 · Where the memory and the time go

    Left: the accelerator's memory, filled with weights and the KV cache. Right: one reply, split
    into prefill (TTFT) and the decode steps that follow it.
    """)
    return


@app.cell
def _(error, output_tokens, result):
    mo.stop(error is not None)
    _r = result.raw()
    _mem = [{"part": "weights", "GB": _r["model_weights_size"] / 1e9, "bar": "memory"},
            {"part": "KV cache", "GB": _r["kv_cache_size"] / 1e9, "bar": "memory"}]
    _bars = labkit.chart(_mem).mark_bar().encode(
        x=alt.X("GB:Q", stack="zero", title="GB"), y=alt.Y("bar:N", title=None, axis=None),
        color=alt.Color("part:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=["weights", "KV cache"], range=["#0072B2", "#E69F00"])),
        order=alt.Order("part:N", sort="descending"),
        tooltip=[alt.Tooltip("part:N"), alt.Tooltip("GB:Q", format=".3g")])
    _cap = [{"GB": _r["memory_capacity"] / 1e9, "label": f"capacity {_r['memory_capacity'] / 1e9:.3g} GB"}]
    _rule = labkit.chart(_cap).mark_rule(color="#D55E00", strokeWidth=3).encode(x=alt.X("GB:Q"))
    _text = labkit.chart(_cap).mark_text(align="right", dx=-5, dy=-30, color="#D55E00").encode(
        x=alt.X("GB:Q"), text=alt.Text("label:N"))
    _memory = (_bars + _rule + _text).properties(
        width=300, height=90, title="Memory: weights + KV cache vs capacity")
    _decode = f"decode ({output_tokens.value:,} × ITL)"
    _time = [{"phase": "prefill (TTFT)", "s": _r["ttft"], "bar": "reply", "step": 1},
             {"phase": _decode, "s": _r["request_latency"] - _r["ttft"], "bar": "reply", "step": 2}]
    _reply = labkit.chart(_time).mark_bar().encode(
        x=alt.X("s:Q", stack="zero", title="seconds"), y=alt.Y("bar:N", title=None, axis=None),
        order=alt.Order("step:Q"),
        color=alt.Color("phase:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=["prefill (TTFT)", _decode], range=["#009E73", "#CC79A7"])),
        tooltip=[alt.Tooltip("phase:N"), alt.Tooltip("s:Q", format=".3g")]).properties(
        width=300, height=90, title="One reply: prefill, then decode")
    alt.hconcat(_memory, _reply).resolve_scale(color="independent")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Why everyone batches

    Decode reads the weights once per step whatever the batch, so at first more sequences per step
    cost almost nothing: throughput climbs nearly in proportion while each user's ITL hardly moves.
    But every step must also read every sequence's KV cache, which grows with the batch (and the
    context): at long contexts the KV cache, not the weights, sets the ITL. And past some batch the
    cache no longer fits at all (red).
    """)
    return


@app.cell
def _(batch, error, serve):
    mo.stop(error is not None)
    _rows = []
    for _b in BATCHES:
        _r = serve(b=_b)
        _rows.append({"batch": _b, "itl_ms": _r.raw("itl") * 1e3, "tokens_s": _r.raw("decode_throughput"),
                      "fits": "fits" if _r.feasible else "out of memory"})
    _x = alt.X("batch:Q", scale=alt.Scale(type="log", base=2), title="batch B")
    _color = alt.Color("fits:N", title=None, scale=alt.Scale(domain=["fits", "out of memory"],
                                                             range=["#0072B2", "#D55E00"]))
    _now = labkit.chart([{"batch": batch.value}]).mark_rule(color="gray", strokeDash=[4, 3]).encode(x=alt.X("batch:Q"))
    _tip = ["batch:Q", alt.Tooltip("itl_ms:Q", format=".3g", title="ITL (ms)"),
            alt.Tooltip("tokens_s:Q", format=",.0f", title="tokens/s"), "fits:N"]
    _base = labkit.chart(_rows)
    _itl = (_base.mark_line(color="#bbb").encode(x=_x, y=alt.Y("itl_ms:Q", title="ITL per user (ms)"))
            + _base.mark_circle(size=60).encode(x=_x, y=alt.Y("itl_ms:Q"), color=_color, tooltip=_tip)
            + _now).properties(width=300, height=250, title="Each user's wait between tokens")
    _tps = (_base.mark_line(color="#bbb").encode(
        x=_x, y=alt.Y("tokens_s:Q", scale=alt.Scale(type="log"), title="tokens/s, whole batch"))
            + _base.mark_circle(size=60).encode(x=_x, y=alt.Y("tokens_s:Q"), color=_color, tooltip=_tip)
            + _now).properties(width=300, height=250, title="The server's total throughput")
    alt.hconcat(_itl, _tps)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · The worked example, live: Llama-3 70B on an H100

    From the equations page (sections 4.2 and 4.3): decoding Llama-3 70B at batch 1 takes about
    **42 ms per token** (140 GB of weights over 3.35 TB/s: about 24 tokens/s). Its KV cache is
    **327 KB per token** (80 layers, 8 KV heads of 128, fp16), which at batch 32 and 4K context is
    **43 GB**. The page then adds "weights (35 GB in FP16) + KV (43 GB) = 78 GB, barely fits on an
    80 GB H100". Look at the engine's rows below: 35 GB is what the weights take in **int4**; in
    fp16 they take four times that.
    """)
    return


@app.cell
def _():
    _m, _hw = Models.Llama3_70B, Hardware.H100
    _one = SERVE.solve(_m, _hw, seq_len=4096, batch_size=1, precision="fp16")
    _fp16 = SERVE.solve(_m, _hw, seq_len=4096, batch_size=32, precision="fp16")
    _int4 = SERVE.solve(_m, _hw, seq_len=4096, batch_size=32, precision="int4", kv_precision="fp16")

    def _row(label, r):
        return (f"| {label} | {si(r.raw('itl'), 's')} | {si(r.raw('kv_cache_per_token'), 'B')} | "
                f"{si(r.raw('kv_cache_size'), 'B')} | {si(r.raw('model_weights_size'), 'B')} | "
                f"{si(r.raw('total_memory_required'), 'B')} | "
                f"{'fits' if r.feasible else 'short by ' + si(r.raw('shortfall'), 'B')} |")

    _table = "\n".join([_row("batch 1, 4K, fp16", _one), _row("batch 32, 4K, fp16", _fp16),
                        _row("batch 32, 4K, int4 weights + fp16 KV", _int4)])
    mo.md(f"""
    | {_m.name} on {_hw.name} | ITL | KV per token | KV cache | weights | total | memory ({si(_one.raw('memory_capacity'), 'B')}) |
    |:---|---:|---:|---:|---:|---:|:---|
    {_table}

    The 42 ms/token and 327 KB/token match the page. But in fp16 the 70B model does not fit on one
    H100 even at batch 1: that ITL is the time *one* device would need to stream the weights, and
    in practice the model is split over two or more GPUs (lab 06). With int4 weights and an fp16
    KV cache, the page's 78 GB really does fit, at {_int4.raw('memory_utilization'):.0%} of memory,
    and the ITL drops because there are fewer bytes to read.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Two phases, two bottlenecks.** Prefill (TTFT) is compute-bound: it scales with prompt length
      and FLOP/s. Decode (ITL) is memory-bound: every token re-reads all the weights and the KV cache,
      so it scales with bytes over bandwidth. A faster math unit does not speed up decode.
    - **The KV cache is $2 L H_{kv} d_{\text{head}} b$ bytes per token**, times context, times batch.
      Grouped-query attention (few KV heads) is what keeps it manageable.
    - **Batching is nearly free throughput** for memory-bound decode, until weights + KV fill the
      memory. Serving capacity is a memory budget.
    - **Check the fit first.** A latency for a model that does not fit describes a machine that
      does not exist: quantize, shorten the context, shrink the batch, or shard.

    ## Exercises

    **Exercise 1.** How many bytes of KV cache does Llama-3.1-8B need per token in fp16? Answer in KB
    (1 KB = 1,000 bytes).
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="KV cache per token (KB)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value, SERVE.solve(Models.Llama3_8B, Hardware.H100).raw("kv_cache_per_token") / 1e3, "KB")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** Llama-3.1-8B is served in fp16 (weights and KV) on one H100 with 8,192 tokens
    of context per sequence. What is the largest batch that fits?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Largest batch")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    _best = SERVE.solve(Models.Llama3_8B, Hardware.H100, seq_len=8192).max_batch_size
    check_answer(answer_2.value, _best, "sequences", tolerance=0.0)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** Llama-3.1-70B with int4 weights and an fp16 KV cache serves 32 sequences of
    4,096 tokens on an H100. What is the inter-token latency, in ms?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="ITL (ms)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    check_answer(answer_3.value, SERVE.solve(Models.Llama3_70B, Hardware.H100, seq_len=4096, batch_size=32,
                                             precision="int4", kv_precision="fp16").itl.m_as("ms"), "ms")
    return


if __name__ == "__main__":
    app.run()
