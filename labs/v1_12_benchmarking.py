# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.12
# goal: Read a benchmark number for what it says: percentiles and spread, runs and warm-up, MLPerf's single-stream, server and offline scenarios, MFU against HFU.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.12 · Benchmarking: what a number says")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import (BenchmarkModel, Hardware, Models, SpecError, calc_lognormal_percentile,
                              calc_runs_for_confidence, calc_transformer_training_flops)
    from mlsysim_core.fmt import pct, si

    BM = BenchmarkModel()
    ITER_STEPS = [10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000]
    SERVER_STEPS = [1, 2, 4, 8, 16, 32, 64, 128]
    BOUND_SWEEP_MS = [10, 20, 35, 50, 100, 200, 500]    # latency bounds for the chart (7 bisections)
    QUANTILES = [q / 100 for q in range(1, 100)] + [0.995, 0.999]        # the latency distribution's curve
    DENSE = {m.name: m for m in (Models.Llama3_8B, Models.Llama2_13B, Models.Llama3_70B, Models.GPT3)}
    GPU_STEPS = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]
    TOKEN_STEPS = [0.5, 1, 2, 4, 8, 16]                                  # millions of tokens per step

    labkit.init()  # colour-blind-safe chart theme


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.12 · Benchmarking: what a number does and does not say

    "10 ms per query." Is that the median, the mean, or the 99th percentile? Measured after the
    caches warmed up, or including the first, slow iterations? Over how many runs? With one query at
    a time, or under a stream of them? Each choice changes the number, and each answers a
    different question. Latencies are skewed: a lognormal with median $m$ and log-spread $\sigma$
    is the usual first model (Johnson, Kotz & Balakrishnan 1994):

    $$
    t_q = m\,e^{\sigma z_q}, \qquad \bar t = m\,e^{\sigma^2/2}, \qquad
    n = \left\lceil \left(\frac{z\,cv}{e}\right)^{2} \right\rceil \text{ runs for } \pm e
    \text{ (Jain 1991, 13.9)}.
    $$

    MLPerf Inference fixes the question with **scenarios**: *single-stream* reports the p90 latency
    of one query at a time; *server* the largest Poisson arrival rate whose p99 latency meets a
    bound; *offline* the throughput with every query available at once. Training benchmarks report
    a utilisation, and there are two:

    $$
    \text{MFU} = \frac{F_{\text{model}} / T}{\text{Peak}}, \qquad
    \text{HFU} = \frac{(F_{\text{model}} + F_{\text{recompute}}) / T}{\text{Peak}} \;\ge\; \text{MFU}
    \quad\text{(Chowdhery et al. 2022, appendix B)}.
    $$

    **Learning goals.** After this lab you can

    - turn a median and a spread into the mean, p90 and p99, and say which one an SLO needs;
    - compute how many runs a claimed error bar requires, and what an un-skipped warm-up does to a mean;
    - explain why one system's server throughput can be a small fraction of its offline throughput;
    - tell MFU from HFU, and say which one predicts time to train.
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

    One accelerator serves a model with a mean service time of **10 ms** (exponentially
    distributed). In MLPerf's *offline* scenario it processes 100 samples per second. The *server*
    scenario sends queries at random (Poisson) times and requires the 99th-percentile latency,
    queueing included, to stay within **50 ms**.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "About 90 %: a 50 ms bound is five service times of slack": "most",
            "About half": "half",
            "Under 10 %: the queue's tail eats the bound": "tenth",
        },
        label="**Predict:** what share of its offline throughput does it sustain in the server scenario?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _r = BM.mlperf(0.010, 0.050, servers=1)
    _share = _r.raw("server_utilisation")
    _truth = "most" if _share > 0.7 else ("half" if _share > 0.2 else "tenth")
    _right = prediction.value == _truth
    _eight = BM.mlperf(0.010, 0.050, servers=8)
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: {_r.raw("server_qps"):.3g} queries per second,
    {pct(_share)} of the offline {_r.raw("offline_qps"):.0f}.** A single queue's response time is
    exponential with mean $1/(\\mu - \\lambda)$, so its p99 is $\\ln 100 \\approx 4.6$ times that mean:
    even an idle server's p99 is {si(_r.raw("idle_p99"), "s")}. Keeping the p99 under 50 ms leaves
    room for almost no queue. Eight such servers behind one queue sustain
    {_eight.raw("server_qps"):,.0f} QPS, {pct(_eight.raw("server_utilisation"))} of their offline
    {_eight.raw("offline_qps"):,.0f}: pooling tames the tail. Same hardware, same model: the
    scenario, not the chip, moved the number by {1 / _share:.0f}×.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · One latency distribution, four numbers

    Describe the system's steady-state latency (median and spread) and the benchmark you ran: the
    error bar you want to claim, how much slower the first iterations are (caches, JIT compilation,
    autotuning, clocks ramping; excess decaying over about 10 iterations), how many you skip and
    how many you time.
    """)
    return


@app.cell
def _():
    median_ms = labkit.ui.slider("median_ms", start=1, stop=100, step=1, value=10, show_value=True,
                                 label="Median latency (ms)")
    sigma = labkit.ui.slider("sigma", start=0.0, stop=1.5, step=0.05, value=0.3, show_value=True,
                             label="Log-spread σ")
    error_pct = labkit.ui.slider("error_pct", start=0.5, stop=10, step=0.5, value=2, show_value=True,
                                 label="Claimed error bar ± (%)")
    mo.hstack([median_ms, sigma, error_pct], justify="start")
    return error_pct, median_ms, sigma


@app.cell
def _():
    warmup = labkit.ui.slider("warmup", start=0.0, stop=5.0, step=0.25, value=2.0, show_value=True,
                              label="First iteration slower by (× steady state)")
    skip = labkit.ui.slider("skip", start=0, stop=200, step=5, value=0, show_value=True, label="Warm-up iterations skipped")
    iters = labkit.ui.slider("iters", steps=ITER_STEPS, value=100, show_value=True, label="Iterations timed")
    mo.hstack([warmup, skip, iters], justify="start")
    return iters, skip, warmup


@app.cell
def _(error_pct, iters, median_ms, sigma, skip, warmup):
    try:
        dist = BM.solve(median_ms.value / 1e3, sigma.value, relative_error=error_pct.value / 100,
                        warmup_excess=warmup.value, skip_iters=skip.value, measured_iters=iters.value)
        dist_error = None
    except SpecError as _e:
        dist, dist_error = None, str(_e)
    return dist, dist_error


@app.cell
def _(dist, dist_error, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction above to see your benchmark's numbers._"))
    mo.stop(dist_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {dist_error}"), kind="danger"))
    _r = dist.raw()
    mo.vstack([
        mo.md(f"""
    | median | mean | p90 (MLPerf single-stream) | p99 | p99.9 | p99 / median | runs for ±{pct(_r["relative_error"])} | mean you would measure |
    |---:|---:|---:|---:|---:|---:|---:|---:|
    | {si(_r["median"], "s")} | {si(_r["mean"], "s")} | **{si(_r["single_stream_latency"], "s")}** | **{si(_r["p99"], "s")}** | {si(_r["p999"], "s")} | {_r["tail_ratio"]:.3g}× | {_r["runs_needed"]:,.0f} | {si(_r["measured_mean"], "s")} (+{pct(_r["warmup_bias"])}) |
    """),
        mo.accordion({"Show the work": mo.md(dist.explain())}),
    ])
    return


@app.cell
def _(dist, dist_error, prediction):
    mo.stop(prediction.value is None or dist_error is not None)
    _r = dist.raw()
    _problems = []
    if _r["measured_iters"] < _r["runs_needed"]:
        _problems.append(f"- **Too few runs:** with a coefficient of variation of {_r['cv']:.2g}, a ±"
                         f"{pct(_r['relative_error'])} interval at {pct(_r['confidence'], 0)} confidence needs "
                         f"**{_r['runs_needed']:,.0f}** iterations; you timed {_r['measured_iters']:,} "
                         f"({_r['runs_needed'] / _r['measured_iters']:.3g}× too few).")
    if _r["warmup_bias"] > _r["relative_error"]:
        _problems.append(f"- **Warm-up in the mean:** the un-skipped slow iterations add "
                         f"**{pct(_r['warmup_bias'])}** to the mean ({si(_r['mean'], 's')} → "
                         f"{si(_r['measured_mean'], 's')}), more than the ±{pct(_r['relative_error'])} you claim. "
                         "Skip more iterations, or time more of them.")
    mo.stop(not _problems, mo.callout(mo.md(
        f"**This benchmark supports its claim:** mean {si(_r['measured_mean'], 's')} ± {pct(_r['relative_error'])}."),
        kind="success"))
    mo.callout(mo.md("**This number does not say what it claims.**\n\n" + "\n".join(_problems)), kind="danger")
    return


@app.cell
def _(median_ms, sigma):
    # the distribution's curve: once per median and spread
    curve = [{"q": _q * 100, "ms": calc_lognormal_percentile.raw(median_ms.value / 1e3, sigma.value, _q) * 1e3}
             for _q in QUANTILES]
    return (curve,)


@app.cell
def _(curve, dist, dist_error, prediction):
    mo.stop(prediction.value is None or dist_error is not None)
    _r = dist.raw()
    _line = labkit.chart(curve).mark_line().encode(
        x=alt.X("ms:Q", title="latency (ms)"), y=alt.Y("q:Q", title="percentile (share of queries at or below)"),
        tooltip=[alt.Tooltip("q:Q", format=".1f"), alt.Tooltip("ms:Q", format=".3g")])
    _marks = [{"ms": _r[_k] * 1e3, "name": _n} for _k, _n in
              (("median", "median"), ("mean", "mean"), ("p90", "p90"), ("p99", "p99"))]
    _rules = labkit.chart(_marks).mark_rule(strokeDash=[4, 3]).encode(
        x=alt.X("ms:Q"), color=alt.Color("name:N", title=None, sort=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("ms:Q", format=".3g")])
    (_line + _rules).properties(width=600, height=260, title="The latency distribution and the numbers read off it")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · MLPerf's scenarios: the same system, three numbers

    A system of $c$ identical replicas, each serving one query in a mean time $\bar t$
    (exponential). *Offline* keeps every replica busy: $X = c / \bar t$. *Server* finds the largest
    Poisson rate whose p99 response time (an M/M/c queue, Harchol-Balter 2013) meets the bound.
    The chart shows the server throughput as the bound loosens.
    """)
    return


@app.cell
def _():
    service_ms = labkit.ui.slider("service_ms", start=1, stop=100, step=1, value=10, show_value=True,
                                  label="Mean service time (ms)")
    bound_ms = labkit.ui.slider("bound_ms", start=5, stop=500, step=5, value=50, show_value=True,
                                label="p99 latency bound (ms)")
    servers = labkit.ui.slider("servers", steps=SERVER_STEPS, value=1, show_value=True, label="Replicas c")
    mo.hstack([service_ms, bound_ms, servers], justify="start")
    return bound_ms, servers, service_ms


@app.cell
def _(bound_ms, servers, service_ms):
    try:
        scen = BM.mlperf(service_ms.value / 1e3, bound_ms.value / 1e3, servers=servers.value)
        scen_error = None
    except SpecError as _e:
        scen, scen_error = None, str(_e)
    return scen, scen_error


@app.cell
def _(prediction, scen, scen_error):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 first._"))
    mo.stop(scen_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {scen_error}"), kind="danger"))
    _r = scen.raw()
    _table = mo.md(f"""
    | scenario | reports | value |
    |:---|:---|---:|
    | offline | samples per second, all queries at once | **{_r["offline_qps"]:,.4g}** |
    | server | Poisson QPS with p{_r["server_percentile"] * 100:.0f} ≤ {si(_r["latency_bound"], "s")} | **{_r["server_qps"]:,.4g}** ({pct(_r["server_utilisation"])} of offline) |
    """)
    _fail = mo.md("") if _r["server_feasible"] else mo.callout(mo.md(f"""
    **No valid server result: 0 QPS.** Even with no queue at all, the p{_r["server_percentile"] * 100:.0f}
    of an exponential service time of {si(_r["service_time"], "s")} is {si(_r["idle_p99"], "s")}, over the
    {si(_r["latency_bound"], "s")} bound by {si(_r["idle_p99"] - _r["latency_bound"], "s")}. A faster
    model or a looser bound is needed; more replicas do not shorten one query.
    """), kind="danger")
    mo.vstack([_table, _fail, mo.accordion({"Show the work": mo.md(scen.explain())})])
    return


@app.cell
def _(servers, service_ms):
    # server throughput against the bound: once per service time and replica count (one bisection per bound)
    bound_sweep = [{"bound": _b, "share": 100 * BM.mlperf(service_ms.value / 1e3, _b / 1e3,
                                                          servers=servers.value).raw("server_utilisation")}
                   for _b in BOUND_SWEEP_MS]
    return (bound_sweep,)


@app.cell
def _(bound_ms, bound_sweep, prediction, scen_error):
    mo.stop(prediction.value is None or scen_error is not None)
    _line = labkit.chart(bound_sweep).mark_line(point=True).encode(
        x=alt.X("bound:Q", scale=alt.Scale(type="log"), title="p99 latency bound (ms)"),
        y=alt.Y("share:Q", scale=alt.Scale(domain=[0, 100]), title="server QPS (% of offline)"),
        tooltip=[alt.Tooltip("bound:Q"), alt.Tooltip("share:Q", format=".3g")])
    _now = labkit.chart([{"bound": bound_ms.value}]).mark_rule(
        color=labkit.PALETTE["grey"]).encode(x=alt.X("bound:Q"))
    (_line + _now).properties(width=600, height=240, title=alt.Title(
        "How much of the offline throughput the server scenario keeps", subtitle="grey: your bound"))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · MFU or HFU?

    A training step of $D$ tokens on a dense model of $N$ parameters does $6ND$ model FLOPs. If the
    run recomputes a share $r$ of the forward pass to save activation memory (lab I.5), the chips
    do $2rND$ more. HFU counts them, MFU does not, so the same run reports a higher HFU. Only MFU
    predicts time to train: recomputed FLOPs are work done twice.
    """)
    return


@app.cell
def _():
    model = labkit.ui.dropdown("model", options=DENSE, value=Models.Llama3_70B.name, label="Model")
    hardware = labkit.ui.dropdown("hardware", options=Hardware.Cloud.options(), value=Hardware.H100.name,
                                  label="Accelerator")
    gpus = labkit.ui.slider("gpus", steps=GPU_STEPS, value=1024, show_value=True, label="Accelerators")
    mo.hstack([model, hardware, gpus], justify="start")
    return gpus, hardware, model


@app.cell
def _():
    tokens_m = labkit.ui.slider("tokens_m", steps=TOKEN_STEPS, value=4, show_value=True, label="Tokens per step (M)")
    step_s = labkit.ui.slider("step_s", start=0.5, stop=60, step=0.5, value=4, show_value=True,
                              label="Measured step time (s)")
    recompute = labkit.ui.slider("recompute", start=0.0, stop=1.0, step=0.25, value=0.0, show_value=True,
                                 label="Forward recomputed r")
    mo.hstack([tokens_m, step_s, recompute], justify="start")
    return recompute, step_s, tokens_m


@app.cell
def _(gpus, hardware, model, recompute, step_s, tokens_m):
    _flops = calc_transformer_training_flops.raw(model.value.parameters_count, tokens_m.value * 1e6)
    _peak = gpus.value * hardware.value.compute.peak_flop_s("bf16")
    try:
        util = BM.utilization(_flops, step_s.value, _peak, recompute_fraction=recompute.value)
        util_error = None
    except SpecError as _e:
        util, util_error = None, str(_e)
    return util, util_error


@app.cell
def _(gpus, hardware, model, prediction, util, util_error):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 first._"))
    mo.stop(util_error is not None, mo.callout(mo.md(f"""
    **Impossible measurement: faster than the hardware's peak.** {util_error} A step time below
    that means the FLOP count or the clock is wrong: check the number before you publish it.
    """), kind="danger"))
    _r = util.raw()
    mo.vstack([
        mo.hstack([mo.stat(pct(_r["mfu"]), label="MFU", caption="model FLOPs only"),
                   mo.stat(pct(_r["hfu"]), label="HFU", caption="model + recomputed FLOPs"),
                   mo.stat(si(_r["model_flops_per_step"] / _r["step_time"], "FLOP/s"), label="useful work",
                           caption=f"of {si(_r['peak_flops'], 'FLOP/s')} peak")], justify="start"),
        mo.md(f"{model.value.name} on {gpus.value:,} × {hardware.value.name} (bf16). "
              + (f"Recomputing {pct(_r['recompute_fraction'], 0)} of the forward raises the reported "
                 f"utilisation by {pct(_r['hfu'] / _r['mfu'] - 1)} and the time to train by nothing."
                 if _r["recompute_fraction"] > 0 else "No recomputation: HFU = MFU.")),
        mo.accordion({"Show the work": mo.md(util.explain())}),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · The worked examples, live

    **Jain (1991), section 13.9.** A mean response of 20 s with a standard deviation of 5 s, to be
    known within ±5 % at 95 % confidence: $n = (1.96 \times 5 / (0.05 \times 20))^2 = 96.04$, so
    **97** runs.

    **One queue under MLPerf's server rule.** For M/M/1 the p99 response time is
    $\ln(100)/(\mu - \lambda)$, so a 10 ms service and a 100 ms bound allow
    $\lambda = 100 - \ln(100)/0.1 \approx 54$ QPS.

    **PaLM** (Chowdhery et al. 2022, table 3) reported 46.2 % MFU and 57.8 % HFU for its 540 B
    run: a ratio of 1.25. With HFU = MFU $(1 + r/3)$, that is what recomputing about three
    quarters of the forward pass gives.
    """)
    return


@app.cell
def _(prediction):
    # the M/M/1 row restates the mechanism of the prediction's answer: wait for it
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see the engine's numbers._"))
    _jain = calc_runs_for_confidence.raw(5 / 20, 0.05, 0.95)
    _mm1 = BM.mlperf(0.010, 0.100, servers=1)
    _palm = BM.utilization(6e15, 10.0, 1e15, recompute_fraction=0.75)
    mo.md(f"""
    | example | engine |
    |:---|---:|
    | runs for ±5 % at 95 %, cv = 5/20 | **{_jain:.0f}** |
    | M/M/1 server QPS, 10 ms service, p99 ≤ 100 ms | **{_mm1.raw("server_qps"):.4g}** |
    | HFU / MFU with r = 0.75 | **{_palm.raw("hfu") / _palm.raw("mfu"):.3g}** |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Name the statistic.** With a log-spread of 0.3 the p99 is twice the median; an SLO is a
      percentile, and a mean hides the tail it is about.
    - **Count the runs, skip the warm-up.** The runs an error bar needs grow with $(cv/e)^2$; a
      warm-up left in the mean biases it by more than most claimed error bars.
    - **The scenario is part of the number.** Offline throughput is a ceiling; under a p99 bound a
      single queue keeps a fraction of it, many replicas behind one queue keep most.
    - **MFU predicts time to train, HFU flatters.** Recomputed FLOPs are real work for the chip and
      no progress for the model.

    ## Exercises

    **Exercise 1.** A latency with a log-spread $\sigma$ = 0.3: how many runs does a ±1 % error bar
    on the mean need at 95 % confidence?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Runs needed")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    labkit.check_answer(answer_1.value, BM.solve(0.010, 0.3, relative_error=0.01).raw("runs_needed"), "runs",
                        tolerance=0.01)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** Eight replicas, 20 ms mean service time each, p99 bound 100 ms: how many
    queries per second does the server scenario allow?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Server QPS")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    labkit.check_answer(answer_2.value, BM.mlperf(0.020, 0.100, servers=8).raw("server_qps"), "QPS")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** Llama-3.1-70B, 4 M tokens per step, 1,024 NVIDIA H100s (bf16 peak), a step
    every 4 s: what is the MFU, in percent?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="MFU (%)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    _flops = calc_transformer_training_flops.raw(Models.Llama3_70B.parameters_count, 4e6)
    _r = BM.utilization(_flops, 4.0, 1024 * Hardware.H100.compute.peak_flop_s("bf16"))
    labkit.check_answer(answer_3.value, 100 * _r.raw("mfu"), "%")
    return


if __name__ == "__main__":
    app.run()
