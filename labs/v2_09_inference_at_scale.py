# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.9
# goal: Size a serving fleet for real traffic and a tail-latency SLO, and see serving cost dominate training.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.9 · Inference at scale")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import (
        PRECISIONS,
        Q_,
        EconomicsModel,
        Hardware,
        Models,
        ServingFleetModel,
        SpecError,
        calc_erlang_c,
        calc_mmc_wait_quantile,
        constants,
    )
    from mlsysim_core.fmt import pct, si

    FLEET = ServingFleetModel()
    ECON = EconomicsModel()
    MAX_REPLICAS = 100_000
    USERS = [_m * 10**_k for _k in range(3, 9) for _m in (1, 2, 5)][:-2]     # 1,000 .. 100 million
    LOADS = [_i / 20 for _i in range(1, 19)] + [0.92, 0.94, 0.96, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999]

    labkit.init()  # colour-blind-safe chart theme


@app.function
def dollars(x):
    """Money for Markdown: the $ escaped (a bare $ pair would render as maths)."""
    if x >= 1e6:
        return f"\\${labkit.num(x / 1e6)}M"
    return f"\\${x:,.0f}" if x >= 100 else f"\\${x:.3g}"


@app.function
def seconds(s):
    """A latency, or 'unbounded' when the queue is unstable."""
    return "unbounded" if s == float("inf") else si(s, "s")


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 09 · Inference at scale

    Training a model happens once. Serving it happens every time anyone uses it, for as long as
    the product lives. Requests arrive at random, each occupies a slot of some accelerator for a
    while, and if every slot is busy the request **waits in a queue**. The fleet must be large
    enough to keep up on average *and* to keep the unlucky one request in a hundred (the **p99**)
    under the latency your product promises.

    Each replica (one accelerator) runs $B$ requests at once; a request holds its slot for the
    service time $S$ (lab 04). With $R$ replicas there are $c = R\,B$ slots, each serving $\mu = 1/S$
    requests per second, and $\lambda$ requests per second arrive at random (Poisson). That is the
    classic $M/M/c$ queue (Kleinrock 1975; Harchol-Balter 2013):

    $$
    S = \text{TTFT} + n_{out}\,\text{ITL}, \qquad a = \lambda S, \qquad \rho = \frac{a}{c}
    \qquad\qquad
    P(\text{wait}) = C(c, a) \;\;\text{(Erlang C)}
    $$

    $$
    P(W > t) = C\,e^{-(c\mu - \lambda)\,t}
    \quad\Rightarrow\quad
    T_{99} = S + \frac{\ln\!\big(C / 0.01\big)}{c\mu - \lambda}
    $$

    As the utilisation $\rho \to 1$ the spare capacity $c\mu - \lambda$ goes to zero and the tail
    diverges. And over a deployment of length $T$ at $Q$ queries per second (equations page 4.4):

    $$
    C_{\text{total}} = C_{\text{training}} + C_{\text{query}} \times T \times Q .
    $$

    **Learning goals.** After this lab you can

    - turn traffic and a per-request service time into utilisation, replicas and a p99 latency;
    - explain why tail latency explodes as utilisation approaches 1, and why big fleets can run hotter;
    - compare a model's serving cost with its training cost, and say which dominates and when.
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

    A 70B model cost **\$2M** to train. It launches to **1 million daily users**, each sending
    **50 requests a day**.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Training: $2M is a lot of GPUs": "train",
            "About the same": "same",
            "Serving, by several times": "serve",
        },
        label="**Predict:** which costs more in the first year, training or serving?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _page = ECON.serving_vs_training(2e6, 1e6, 50, cost_per_query=0.001)
    _fleet = FLEET.solve(Models.Llama3_70B, Hardware.H100, Q_(1e6 * 50, "1/day"), 20_000, batch_size=32,
                         precision="fp8", max_replicas=MAX_REPLICAS)
    _ours = ECON.serving_vs_training(2e6, 1e6, 50, cost_per_query=_fleet.cost_per_query)
    _right = prediction.value == "serve"
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: serving costs {_page.serving_to_training_ratio:.0f}× the training
    in year one** at the page's \\$0.001 per request: 50 million requests a day are
    {_page.queries:,.0f} a year, {dollars(_page.serving_cost_usd)} of serving against {dollars(2e6)} of training.
    Sizing the fleet from first principles (section 4 below: {_fleet.replicas:,} H100s running the model in
    fp8) gives {dollars(_fleet.cost_per_query)} per request and {dollars(_ours.serving_cost_usd)} a year:
    {_ours.serving_to_training_ratio:.1f}× the training. Either way the bill for *using* the model dwarfs the bill
    for *making* it, which is why inference optimisation pays.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The service: one replica

    The model, the accelerator each replica runs on, and the shape of a request. The batch $B$
    is how many requests one replica serves at once.
    """)
    return


@app.cell
def _():
    _models = {n: m for n, m in Models.options().items() if hasattr(m, "n_kv_heads")}
    model = labkit.ui.dropdown("model", options=_models, value=Models.Llama3_70B.name, label="Model")
    hardware = labkit.ui.dropdown("hardware", options={n: h for n, h in Hardware.options().items() if h.tier == "Cloud"},
                              value=Hardware.H100.name, label="Accelerator (one per replica)")
    precision = labkit.ui.dropdown("precision", options=list(PRECISIONS), value="fp8", label="Precision")
    mo.hstack([model, hardware, precision], justify="start")
    return hardware, model, precision


@app.cell
def _():
    seq_len = labkit.ui.slider("seq_len", steps=[2**_k for _k in range(8, 16)], value=2048, show_value=True,
                           label="Context per request (tokens)")
    output_tokens = labkit.ui.slider("output_tokens", steps=[16, 32, 64, 128, 256, 512, 1024, 2048], value=256, show_value=True,
                                 label="Tokens per reply n_out")
    batch = labkit.ui.slider("batch", steps=[2**_k for _k in range(9)], value=32, show_value=True,
                         label="Batch B (requests per replica)")
    mo.vstack([mo.hstack([seq_len, output_tokens], justify="start"), batch])
    return batch, output_tokens, seq_len


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Traffic and the promise

    How many people use it, how often, and what p99 latency you promise them: on the whole reply,
    or on the time to its first token. Reply lengths can be all $n_{out}$ long (fixed) or vary
    at random around it (exponential), which fattens the tail.
    """)
    return


@app.cell
def _():
    users = labkit.ui.slider("users", steps=USERS, value=1_000_000, show_value=True, label="Daily users")
    per_user = labkit.ui.slider("per_user", start=1, stop=200, step=1, value=50, show_value=True, label="Requests per user per day")
    slo = labkit.ui.slider("slo", steps=[0.5, 1, 2, 3, 5, 10, 15, 20, 30, 60, 120], value=20, show_value=True,
                       label="p99 SLO (seconds)")
    mo.vstack([mo.hstack([users, per_user], justify="start"), slo])
    return per_user, slo, users


@app.cell
def _():
    slo_metric = labkit.ui.radio("slo_metric", options={"the whole reply (end-to-end)": "latency",
                                      "the first token (TTFT)": "ttft"},
                             value="the whole reply (end-to-end)", label="The SLO applies to", inline=True)
    service = labkit.ui.radio("service", options={"fixed (all n_out tokens)": "fixed", "vary at random (exponential)": "exponential"},
                          value="fixed (all n_out tokens)", label="Reply lengths", inline=True)
    mo.vstack([slo_metric, service])
    return service, slo_metric


@app.cell
def _(batch, hardware, model, output_tokens, per_user, precision, seq_len, service, slo, slo_metric, users):
    qps = Q_(users.value * per_user.value, "1/day")

    def fleet(replicas=None, price=None):
        """The engine's serving fleet for the controls, sized (replicas None) or as deployed."""
        return FLEET.solve(model.value, hardware.value, qps, slo.value * 1e3, seq_len=seq_len.value,
                           output_tokens=output_tokens.value, batch_size=batch.value, precision=precision.value,
                           service=service.value, slo_metric=slo_metric.value, max_replicas=MAX_REPLICAS,
                           replicas=replicas, gpu_hour_price=price)

    try:
        sized = fleet()
        error = None
    except SpecError as _e:
        sized, error = None, str(_e)
    return error, fleet, qps, sized


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The fleet

    The engine's minimum is preselected; slide below it to watch the SLA break, above it to buy
    headroom.
    """)
    return


@app.cell
def _(sized):
    _c = constants()
    _need = 1 if sized is None else (sized.replicas_needed or min(sized.replicas_for_throughput, MAX_REPLICAS))
    replicas = labkit.ui.slider("replicas", start=1, stop=max(2 * _need, 8), step=1, value=_need, show_value=True,
                            label="Replicas R you deploy (accelerators)")
    price = labkit.ui.slider("price", start=0.5, stop=12.0, step=0.25, value=_c.cloud_gpu_hour_price, show_value=True,
                         label="Price per accelerator-hour ($)")
    mo.hstack([replicas, price], justify="start")
    return price, replicas


@app.cell
def _(error, fleet, price, replicas):
    mo.stop(error is not None)
    mine = fleet(replicas.value, price.value)
    return (mine,)


@app.cell
def _(error, mine, qps, sized):
    mo.stop(error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {error}"), kind="danger"))
    _need = sized.replicas_needed
    mo.hstack([
        mo.stat(f"{labkit.num(qps.m_as('1/s'), 4)} /s", label="Traffic λ", bordered=True,
                caption=f"{labkit.num(mine.raw('offered_load'), 4)} requests in service on average"),
        mo.stat(f"{_need:,}" if _need else "none", label="Replicas needed", bordered=True,
                caption=f"binding: {sized.binding.replace('_', ' ')}"),
        mo.stat(pct(mine.utilization), label=f"Utilisation at R = {mine.replicas:,}", bordered=True,
                caption=f"P(wait) {pct(mine.prob_wait)}"),
        mo.stat(seconds(mine.raw("p99")), label=f"p99 {'reply' if mine.slo_metric == 'latency' else 'TTFT'}",
                bordered=True, caption=f"SLO {seconds(mine.raw('slo'))}; p50 "
                                       f"{seconds(mine.raw('latency_p50' if mine.slo_metric == 'latency' else 'ttft_p50'))}"),
    ], widths="equal")
    return


@app.cell
def _(error, mine):
    mo.stop(error is not None)
    _r = mine.raw()
    if _r["binding"] == "memory":
        _out = mo.callout(mo.md(f"""
        **No fleet can serve this: one replica does not fit.** {_r["reason"]}. The engine's replica is a
        single accelerator (no tensor parallelism across GPUs for serving), so a model too big for one
        device needs fewer bytes per weight (lab 03) or a device with more memory.
        """), kind="danger")
    elif _r["binding"] == "service_time":
        _out = mo.callout(mo.md(f"""
        **SLA missed at any fleet size:** {_r["reason"]}. Replicas shorten the queue, never the request
        itself.
        """), kind="danger")
    elif not _r["stable"]:
        _out = mo.callout(mo.md(f"""
        **SLA missed: the queue grows without bound.** {mine.replicas:,} replicas complete at most
        {labkit.num(_r["fleet_capacity"], 4)} requests per second, but {labkit.num(_r["qps"], 4)} arrive: utilisation
        {pct(_r["utilization"])}. Every minute the backlog grows and the p99 is unbounded. You need at least
        **{_r["replicas_for_throughput"]:,}** replicas just to keep up, and
        **{_r["replicas_needed"] or "more than " + format(MAX_REPLICAS, ",")}** to meet the SLO.
        """), kind="danger")
    elif not _r["meets_slo"]:
        _out = mo.callout(mo.md(f"""
        **SLA missed: the tail latency exploded.** The fleet keeps up on average (utilisation
        {pct(_r["utilization"])}), but {pct(_r["prob_wait"])} of requests find every slot busy, and one in a
        hundred waits {seconds(_r["wait_p99"])} or more: p99 **{seconds(_r["p99"])}** against the
        {seconds(_r["slo"])} SLO. Near 100 % utilisation the spare capacity $c\\mu - \\lambda$ is tiny and
        the queue drains slowly: {_r["reason"]}.
        """), kind="danger")
    else:
        _out = mo.callout(mo.md(f"""
        **SLA met**: p99 {seconds(_r["p99"])} within {seconds(_r["slo"])} at {pct(_r["utilization"])}
        utilisation, for {dollars(_r["annual_cost_usd"])} a year ({dollars(_r["cost_per_query"])} per request at
        {dollars(_r["gpu_hour_price"])} per accelerator-hour).
        """), kind="success")
    _out
    return


@app.cell
def _(error, mine):
    mo.stop(error is not None)
    mo.accordion({"Show the work": mo.md(mine.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Tail latency against utilisation

    Left: the same replicas fed more and more traffic. The p99 hardly moves until the fleet is
    busy, then diverges as $\rho \to 1$. A single replica's few slots hit the wall early; a big
    fleet pools its slots and can run much hotter for the same tail (the dot is your fleet at your
    traffic). Right: the p99 against the number of replicas at your traffic: below the
    stability limit it is unbounded, just above it huge, and it falls steeply to the service time.
    """)
    return


@app.cell
def _(error, fleet, mine):
    mo.stop(error is not None or not mine.memory_feasible)
    _metric = "latency_p99" if mine.slo_metric == "latency" else "ttft_p99"
    _rows, _names = [], []
    for _r in sorted({1, 8, mine.replicas}):
        _f = mine if _r == mine.replicas else fleet(_r)
        _name = f"{_r:,} replica{'s' if _r > 1 else ''} ({_r * mine.batch_size:,} slots)" + (
            " (yours)" if _r == mine.replicas else "")
        _names.append(_name)
        for _row in FLEET.curve(_f, qps=[_f.raw("fleet_capacity") * _u for _u in LOADS]):
            _rows.append({"fleet": _name, "rho": _row["utilization"], "p99": _row[_metric]})
    _slo = mine.raw("slo")
    _top = max(10 * _slo, 2 * mine.raw("service_time"))
    _x = alt.X("rho:Q", title="utilisation ρ", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))
    _y = alt.Y("p99:Q", title="p99 latency (s)", scale=alt.Scale(type="log", domainMax=_top))
    _lines = labkit.chart(_rows).mark_line(point=True, clip=True).encode(
        x=_x, y=_y, color=alt.Color("fleet:N", title=None, sort=_names, scale=alt.Scale(domain=_names),
                                    legend=alt.Legend(orient="bottom", columns=1)),
        tooltip=[alt.Tooltip("fleet:N"), alt.Tooltip("rho:Q", format=".1%"), alt.Tooltip("p99:Q", format=".3g")])
    _rule = labkit.chart([{"p99": _slo, "label": f"SLO {seconds(_slo)}"}]).mark_rule(
        color="#D55E00", strokeDash=[5, 3]).encode(y=alt.Y("p99:Q"), tooltip=[alt.Tooltip("label:N")])
    _layers = [_lines, _rule]
    if mine.stable:
        _layers.append(labkit.chart([{"rho": mine.utilization, "p99": mine.raw("p99")}]).mark_point(
            filled=True, size=130, color="black", clip=True).encode(x=_x, y=_y))
    _left = alt.layer(*_layers).properties(width=300, height=280, title="More traffic on the same fleet")

    _lo = max(1, mine.replicas_for_throughput - 2)
    _hi = max(_lo + 12, int(1.15 * mine.replicas_for_throughput) + 2, (mine.replicas_needed or 0) + 5,
              mine.replicas + 2)
    _step = max(1, (_hi - _lo) // 60)
    _sweep = [_row for _row in FLEET.curve(mine, replicas=list(range(_lo, _hi + 1, _step))) if _row["stable"]]
    _pts = [{"R": _row["replicas"], "p99": _row["p99"], "ok": "meets SLO" if _row["meets_slo"] else "misses SLO"}
            for _row in _sweep]
    _xr = alt.X("R:Q", title="replicas R", scale=alt.Scale(zero=False))
    _yr = alt.Y("p99:Q", title=None, scale=alt.Scale(type="log", domainMax=_top))
    _right = alt.layer(
        labkit.chart(_pts).mark_line(color="#bbb", clip=True).encode(x=_xr, y=_yr),
        labkit.chart(_pts).mark_circle(size=45, clip=True).encode(
            x=_xr, y=_yr, color=alt.Color("ok:N", title=None, legend=alt.Legend(orient="bottom"),
                                          scale=alt.Scale(domain=["meets SLO", "misses SLO"],
                                                          range=["#009E73", "#D55E00"])),
            tooltip=[alt.Tooltip("R:Q"), alt.Tooltip("p99:Q", format=".3g"), alt.Tooltip("ok:N")]),
        _rule,
        labkit.chart([{"R": mine.replicas}]).mark_rule(color="black", strokeDash=[2, 2]).encode(x=alt.X("R:Q")),
    ).properties(width=300, height=280, title="More replicas at your traffic")
    alt.hconcat(_left, _right).resolve_scale(color="independent")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Serving against training

    The first year of your fleet as deployed, day by day, against a one-off training bill.
    """)
    return


@app.cell
def _():
    training = labkit.ui.slider("training", start=0.5, stop=100, step=0.5, value=2, show_value=True,
                            label="Training cost ($ millions)")
    training
    return (training,)


@app.cell
def _(error, mine, per_user, training, users):
    mo.stop(error is not None or not mine.memory_feasible)
    _cpq = mine.cost_per_query
    _days = [1] + list(range(15, 366, 15)) + [365]
    _rows = []
    for _d in _days:
        _r = ECON.serving_vs_training(training.value * 1e6, users.value, per_user.value, cost_per_query=_cpq,
                                      deploy_days=_d)
        _rows += [{"day": _d, "usd": _r.training_cost_usd / 1e6, "what": "training (once)"},
                  {"day": _d, "usd": _r.serving_cost_usd / 1e6, "what": "serving (cumulative)"}]
    labkit.chart(_rows).mark_line(strokeWidth=3).encode(
        x=alt.X("day:Q", title="days deployed", scale=alt.Scale(domain=[0, 365])),
        y=alt.Y("usd:Q", title="$ millions"),
        color=alt.Color("what:N", title=None, scale=alt.Scale(domain=["training (once)", "serving (cumulative)"],
                                                              range=["#0072B2", "#E69F00"])),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("day:Q"), alt.Tooltip("usd:Q", format=",.3g")],
    ).properties(width=560, height=240, title="Year one: training vs serving")
    return


@app.cell
def _(error, mine, per_user, training, users):
    mo.stop(error is not None or not mine.memory_feasible)
    _cpq = mine.cost_per_query
    _year = ECON.serving_vs_training(training.value * 1e6, users.value, per_user.value, cost_per_query=_cpq)
    _daily = ECON.serving_vs_training(training.value * 1e6, users.value, per_user.value, cost_per_query=_cpq,
                                      deploy_days=1).serving_cost_usd
    _cross = _year.training_cost_usd / _daily if _daily else float("inf")
    _when = (f"Serving overtakes training after **{_cross:,.0f} days**." if _cross <= 365 else
             "Serving stays below training in year one at this traffic.")
    mo.md(f"Year one: {dollars(_year.serving_cost_usd)} of serving ({_year.queries:,.0f} requests at "
          f"{dollars(_cpq)} each) against {dollars(_year.training_cost_usd)} of training: "
          f"**{_year.serving_to_training_ratio:.1f}×**. {_when}")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 7 · The worked example, live (equations page 4.4)

    "A 70B model costing \$2M to train, serving 1M daily users at 50 requests/day, costs ~\$18M/year
    in inference: 9× the training cost in year one." The page assumes about \$0.001 per request;
    the engine can also derive the price of a request from a sized fleet.
    """)
    return


@app.cell
def _():
    _page = ECON.serving_vs_training(2e6, 1e6, 50, cost_per_query=0.001)
    _traffic = Q_(1e6 * 50, "1/day")
    _lines = []
    for _label, _kw in (("fp8, batch 32, p99 ≤ 20 s", dict(precision="fp8", batch_size=32, slo_p99_ms=20_000)),
                        ("fp8, batch 8, p99 ≤ 10 s", dict(precision="fp8", batch_size=8, slo_p99_ms=10_000)),
                        ("int4, batch 32, p99 ≤ 20 s", dict(precision="int4", batch_size=32, slo_p99_ms=20_000))):
        _f = FLEET.solve(Models.Llama3_70B, Hardware.H100, _traffic, max_replicas=MAX_REPLICAS, **_kw)
        _s = ECON.serving_vs_training(2e6, 1e6, 50, cost_per_query=_f.cost_per_query)
        _lines.append(f"| engine fleet: {_label} | {_f.replicas:,} H100s at {pct(_f.utilization)} | "
                      f"{dollars(_f.cost_per_query)} | {dollars(_s.serving_cost_usd)} | "
                      f"{_s.serving_to_training_ratio:.1f}× |")
    _fp16 = FLEET.solve(Models.Llama3_70B, Hardware.H100, _traffic, 20_000, batch_size=32, precision="fp16")
    _rows = "\n".join(_lines)
    mo.md(f"""
    Traffic: 1M users × 50 requests / day = **{_traffic.m_as("1/s"):,.1f} requests per second**.

    | | fleet | per request | serving, year one | vs \\$2M training |
    |:---|---:|---:|---:|---:|
    | page | | \\$0.001 | ~\\$18M | 9× |
    | engine, the page's price | | {dollars(_page.cost_per_query)} | {dollars(_page.serving_cost_usd)} | {_page.serving_to_training_ratio:.1f}× |
    {_rows}

    The page's arithmetic reproduces exactly (365 × 50M × \\$0.001 = \\$18.25M). The fleets sized by the
    engine (Llama-3 70B, 2,048-token contexts, 256-token replies, \\${constants().cloud_gpu_hour_price:.2f} per
    H100-hour) land in the same range: serving costs several times the training in year one however
    you tune it, and quantization or batching moves the bill by millions. The 70B model in **fp16**
    does not fit on one H100 ({_fp16.reason}); real deployments shard it over several GPUs with
    tensor parallelism, which this engine does not model for serving.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Capacity first, then the tail.** The fleet must serve $\lambda S / B$ replicas' worth of work
      just to keep up (utilisation $\rho$ below 1); the SLO on the p99 then sets how much spare capacity
      you add.
    - **Tail latency explodes as utilisation approaches 1**: the wait grows like $1/(c\mu - \lambda)$.
      Never plan a fleet to run at 100 %.
    - **Pooling helps**: thousands of slots behind one load balancer can run at 99 % with a modest
      tail; a handful of slots cannot. Small services need proportionally more headroom.
    - **Serving dominates cost.** Training is paid once; every request is paid forever. At
      consumer scale the first year of serving costs several times the training run, so batching,
      quantization and faster decode have outsized economic value.

    ## Exercises

    The notebook checks within 3 % (exercise 3 exactly).

    **Exercise 1.** An M/M/c queue has 10 servers, each serving 1 request per second, and 8 requests
    per second arrive. What percentage of requests has to wait?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="P(wait) (%)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value, calc_erlang_c(10, 8.0) * 100, "%")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** In the same queue, what is the 99th percentile of the time spent waiting, in seconds?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="p99 wait (s)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    check_answer(answer_2.value, calc_mmc_wait_quantile(8.0, 1.0, 10, 0.99).m_as("s"), "s")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** Llama-3.1-8B in fp16 on H100s, batch 16, 2,048-token contexts, 256-token replies
    of fixed length. Traffic is 100 requests per second and the p99 of the whole reply must stay under
    3 seconds. How many replicas do you need? (Use the controls above.)
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="replicas")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    _r = FLEET.solve(Models.Llama3_8B, Hardware.H100, 100, 3000, seq_len=2048, output_tokens=256, batch_size=16,
                     precision="fp16")
    check_answer(answer_3.value, _r.replicas_needed, "replicas", tolerance=0.0)
    return


if __name__ == "__main__":
    app.run()
