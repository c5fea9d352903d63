# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.6
# goal: Pick ring or tree all-reduce by message size, and see why ring is bandwidth-optimal.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.6 · Collective communication")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import (
        Q_,
        SpecError,
        Systems,
        calc_all_to_all_time,
        calc_hierarchical_allreduce_time,
        calc_ring_allreduce_time,
        calc_ring_tree_crossover_size,
        calc_tree_allreduce_time,
    )
    from mlsysim_core.fmt import pct, si

    ALGORITHMS = {
        "Ring all-reduce": "ring",
        "Tree all-reduce": "tree",
        "All-to-all (MoE routing)": "all-to-all",
        "Hierarchical all-reduce (NVLink + fabric)": "hierarchical",
    }
    LABEL = {v: k.split(" (")[0] for k, v in ALGORITHMS.items()}
    # one colour per algorithm, the same in every chart
    PALETTE = dict(zip([*LABEL.values(), "Ring, bandwidth term only"],
                       ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]))
    FUNCTION = {"ring": "calc_ring_allreduce_time", "tree": "calc_tree_allreduce_time",
                "all-to-all": "calc_all_to_all_time", "hierarchical": "calc_hierarchical_allreduce_time"}

    labkit.init()  # colour-blind-safe chart theme


@app.function
def colors(names):
    """An altair colour scale for the series ``names``, each in its fixed colour."""
    return alt.Scale(domain=list(names), range=[PALETTE[n] for n in names])


@app.function
def collective(algorithm, message_bytes, n_gpus, bandwidth, latency, node):
    """(total, latency term, bandwidth term), in seconds, for one collective, from the engine.

    The latency term is the engine's time for an empty message (M = 0), the bandwidth term its
    time when every start-up is free (alpha = 0); the alpha-beta equations are linear in both,
    so the two add up to the total. Inputs are canonical floats (bytes, byte/s, seconds).
    """

    def _time(m, alpha, alpha_intra):
        if algorithm == "ring":
            return calc_ring_allreduce_time.raw(m, n_gpus, bandwidth, alpha)
        if algorithm == "tree":
            return calc_tree_allreduce_time.raw(m, n_gpus, bandwidth, alpha)
        if algorithm == "all-to-all":
            return calc_all_to_all_time.raw(m, n_gpus, bandwidth, alpha)
        g = node.accelerators_per_node
        return calc_hierarchical_allreduce_time.raw(
            m, n_gpus // g, g, node.intra_node_bandwidth_bytes_s, bandwidth, alpha_intra, alpha)

    return (_time(message_bytes, latency, node.intra_node_latency_s),
            _time(0.0, latency, node.intra_node_latency_s),
            _time(message_bytes, 0.0, 0.0))


@app.function
def ring_tree_crossing(n_gpus, bandwidth, latency):
    """Message size (bytes) at which the engine's ring and tree times are equal, by bisection.

    None when ring is never slower (N = 2, or no start-up latency at all).
    """

    def _gap(m):
        return (calc_ring_allreduce_time.raw(m, n_gpus, bandwidth, latency)
                - calc_tree_allreduce_time.raw(m, n_gpus, bandwidth, latency))

    lo, hi = 1.0, 1e18
    if _gap(lo) <= 0 or _gap(hi) >= 0:
        return None
    for _ in range(200):
        mid = (lo * hi) ** 0.5
        if _gap(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo * hi) ** 0.5


@app.function
def check_answer(answer, truth, unit, tolerance=0.03):
    """The shared exercise check (mlsysim_core.labkit) with this lab's hint."""
    return labkit.check_answer(answer, truth, unit, tolerance,
                               hint="Split the time into its latency and bandwidth terms and try again.")


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 07 · Collective communication

    After every training step, each of $N$ GPUs holds its own gradient, and all of them must
    agree on the sum before the optimizer can step: an **all-reduce**. For a 70B-parameter
    model in fp16 that is 140 GB, every step. How long it takes depends on two numbers that
    describe the network and on the *algorithm* that schedules the messages.

    The **α-β model** charges every message a start-up latency $\alpha$ (software, NIC and
    switch hops) and every byte a transfer time $1/\beta$ (link bandwidth). With message size
    $M$:

    $$T_{\text{ring}} = 2(N-1)\,\alpha \;+\; \frac{2(N-1)}{N}\cdot\frac{M}{\beta}
    \qquad
    T_{\text{tree}} = 2\log_2 N\,\alpha \;+\; 2\log_2 N\cdot\frac{M}{\beta}$$

    $$T_{\text{all-to-all}} = (N-1)\,\alpha \;+\; \frac{N-1}{N}\cdot\frac{M}{\beta}
    \qquad
    M_{\text{cross}} \approx N\,\alpha\,\beta$$

    Ring passes $N$ chunks around a circle twice (scatter-reduce, then all-gather): many small
    steps, but each GPU sends only about $2M$ bytes in total, whatever $N$ is. Tree reduces up
    and broadcasts down a binary tree: only $2\log_2 N$ steps, but each step carries the whole
    message. **Hierarchical** all-reduce first reduce-scatters inside each node over NVLink,
    runs a ring across nodes on $M/g$ bytes ($g$ GPUs per node), then all-gathers inside the node.

    **After this lab you can**

    - split a collective's time into a *latency term* (counts messages, scales with $\alpha$)
      and a *bandwidth term* (counts bytes, scales with $1/\beta$);
    - explain why ring all-reduce is **bandwidth-optimal**: its bandwidth term tends to
      $2M/\beta$ as $N$ grows, while its latency term grows linearly in $N$;
    - pick ring or tree from the message size, and find where they cross;
    - see why all-to-all token routing (mixture-of-experts) is latency-bound for small messages.
    """)
    return


@app.cell(hide_code=True)
def _():
    labkit.toolbar()
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Predict, then reveal

    A 4 KB all-reduce (a small control message, or a tiny layer's gradient) runs across
    1,024 GPUs on a network with $\alpha = 2\,\mu$s and $\beta = 50$ GB/s.
    Commit to an answer before you touch the controls below.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"Ring all-reduce is faster": "ring", "Tree all-reduce is faster": "tree",
                 "About the same": "tie"},
        label="Which algorithm finishes first?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _m, _n, _beta, _alpha = Q_(4, "KB"), 1024, Q_(50, "GB/s"), Q_(2, "us")
    _ring = calc_ring_allreduce_time(_m, _n, _beta, _alpha)
    _tree = calc_tree_allreduce_time(_m, _n, _beta, _alpha)
    _ring_lat = calc_ring_allreduce_time(0, _n, _beta, _alpha)
    _tree_lat = calc_tree_allreduce_time(0, _n, _beta, _alpha)
    _ratio = (_ring / _tree).m_as("")
    _verdict = ("Right." if prediction.value == "tree" else "Not this time.")
    mo.callout(mo.md(f"""
    **{_verdict} Tree wins by {_ratio:.0f}x**: ring takes {si(_ring.m_as("s"), "s")}, tree
    {si(_tree.m_as("s"), "s")}.

    At 4 KB the bytes are nothing (4 KB / 50 GB/s is under a tenth of a microsecond); the
    time is start-ups. Ring needs $2(N-1) = {2 * (_n - 1)}$ sequential messages
    ({si(_ring_lat.m_as("s"), "s")} of pure latency); tree needs only
    $2\\log_2 N = 20$ ({si(_tree_lat.m_as("s"), "s")}). Small messages are
    **latency-bound**, so the algorithm with fewer steps wins.
    """), kind="success" if prediction.value == "tree" else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The network

    Pick a fabric from the zoo; it sets $\alpha$ and $\beta$, which you can then move by hand.
    The node sets the GPUs per node and the NVLink numbers used by hierarchical all-reduce.
    """)
    return


@app.cell
def _():
    _fabrics = Systems.Fabrics.options()
    _nodes = Systems.Nodes.options()
    fabric = labkit.ui.dropdown("fabric", options=_fabrics, value=next(iter(_fabrics)), label="Network fabric")
    node = labkit.ui.dropdown("node", options=_nodes, value=next(iter(_nodes)), label="Node (hierarchical only)")
    mo.hstack([fabric, node], justify="start")
    return fabric, node


@app.cell
def _(fabric):
    _f = fabric.value
    _alpha_us = min(max(round(_f.latency.m_as("us") * 2) / 2, 0.5), 200.0)
    _beta_gbs = min(max(round(_f.bandwidth.m_as("GB/s") * 2) / 2, 1.0), 500.0)
    alpha_us = labkit.ui.slider("alpha_us", start=0.5, stop=200.0, step=0.5, value=_alpha_us, include_input=True,
                            label="α, start-up latency per message (µs)")
    beta_gbs = labkit.ui.slider("beta_gbs", start=1.0, stop=500.0, step=0.5, value=_beta_gbs, include_input=True,
                            label="β, link bandwidth (GB/s)")
    mo.vstack([alpha_us, beta_gbs])
    return alpha_us, beta_gbs


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The collective
    """)
    return


@app.cell
def _():
    # message sizes on a roughly even log ladder, 1 KB .. 1 TB (decimal units)
    _ladder = sorted({round(k * 10**e) for e in range(3, 13) for k in (1, 1.4, 2, 4, 7)})
    algorithm = labkit.ui.radio("algorithm", options=ALGORITHMS, value="Ring all-reduce", label="Algorithm")
    message = labkit.ui.slider("message", steps=[v for v in _ladder if v <= 10**12], value=140 * 10**9,
                           label="Message size M (log scale, 1 KB to 1 TB; value in the heading below)")
    gpu_count = labkit.ui.slider("gpu_count", steps=[2**k for k in range(1, 15)], value=1024, show_value=True,
                             label="GPUs N")
    mo.vstack([algorithm, message, gpu_count])
    return algorithm, gpu_count, message


@app.cell
def _(algorithm, alpha_us, beta_gbs, gpu_count, message, node):
    # The current point, through the unit-checked public functions (a bad value raises SpecError)
    try:
        net = {
            "alpha": Q_(alpha_us.value, "us").m_as("s"),
            "beta": Q_(beta_gbs.value, "GB/s").m_as("B/s"),
            "M": float(message.value),
            "N": int(gpu_count.value),
            "node": node.value,
            "algorithm": algorithm.value,
        }
        net["rule"] = calc_ring_tree_crossover_size(net["N"], Q_(net["beta"], "B/s"),
                                                    Q_(net["alpha"], "s")).m_as("B")
        calc_ring_allreduce_time(Q_(net["M"], "B"), net["N"], Q_(net["beta"], "B/s"),
                                 Q_(net["alpha"], "s"))
        error = None
        net["crossing"] = ring_tree_crossing(net["N"], net["beta"], net["alpha"])
    except SpecError as _e:
        net, error = None, str(_e)
    # hierarchical all-reduce works on whole nodes
    hier_ok = bool(net) and net["N"] % net["node"].accelerators_per_node == 0
    return error, hier_ok, net


@app.cell
def _(error, hier_ok, net):
    mo.stop(error is not None, mo.callout(mo.md(f"**This network is not valid.** {error}"), kind="danger"))
    _rows = []
    for _a in ALGORITHMS.values():
        if _a == "hierarchical" and not hier_ok:
            continue
        _t, _lat, _bw = collective(_a, net["M"], net["N"], net["beta"], net["alpha"], net["node"])
        _rows.append((_a, _t, _lat, _bw))
    _best = min(_rows, key=lambda r: r[1])[0]
    _table = "\n".join(
        f"| {'**' if _a == _best else ''}{LABEL[_a]}{'**' if _a == _best else ''}"
        f"{' ← selected' if _a == net['algorithm'] else ''} | {si(_t, 's')} | {si(_lat, 's')} | "
        f"{si(_bw, 's')} | {'latency' if _lat > _bw else 'bandwidth'} |"
        for _a, _t, _lat, _bw in _rows)
    _cross = (f"the curves actually cross at **{si(net['crossing'], 'B')}**" if net["crossing"]
              else "ring is never slower here")
    mo.md(f"""
    ### {si(net['M'], 'B')} over {net['N']:,} GPUs at α = {si(net['alpha'], 's')}, β = {si(net['beta'], 'B/s')}

    | algorithm | time | latency term | bandwidth term | bound by |
    |:---|---:|---:|---:|:---|
    {_table}

    Rule-of-thumb crossover $N\\alpha\\beta$ = **{si(net['rule'], 'B')}**; with these
    equations {_cross}.
    """)
    return


@app.cell
def _(error, hier_ok, net):
    mo.stop(error is not None)
    _g = net["node"].accelerators_per_node
    _alg = net["algorithm"]
    if _alg == "hierarchical" and not hier_ok:
        _out = mo.callout(mo.md(
            f"**Hierarchical all-reduce needs whole nodes.** N = {net['N']} GPUs is not a "
            f"multiple of the {_g} GPUs in one {net['node'].name}, so the intra-node "
            f"reduce-scatter has no well-defined groups. Pick N = {_g}, {2 * _g}, {4 * _g}, ... "
            "(the table above leaves hierarchical out until then)."), kind="danger")
    else:
        _t, _lat, _bw = collective(_alg, net["M"], net["N"], net["beta"], net["alpha"], net["node"])
        if _lat > _bw and _alg == "all-to-all":
            _out = mo.callout(mo.md(
                f"**All-to-all is latency-bound here.** Every GPU sends a separate message to each "
                f"of its N − 1 = {net['N'] - 1:,} peers: {si(_lat, 's')} of start-ups against "
                f"{si(_bw, 's')} of actual bytes. Mixture-of-experts token routing sends exactly "
                "such small messages, which is why expert parallelism is kept inside a node or a "
                "small group, and why more bandwidth barely helps it."), kind="warn")
        elif _lat > _bw:
            _out = mo.callout(mo.md(
                f"**{LABEL[_alg]} is latency-bound here**: {si(_lat, 's')} of start-ups vs "
                f"{si(_bw, 's')} moving bytes ({pct(_lat / _t)} of the time). Doubling β would "
                "barely help; fewer steps (tree), fewer GPUs or fusing small tensors into one "
                "bucket would."), kind="warn")
        else:
            _out = mo.callout(mo.md(
                f"**{LABEL[_alg]} is bandwidth-bound here**: {si(_bw, 's')} moving bytes vs "
                f"{si(_lat, 's')} of start-ups ({pct(_bw / _t)} of the time). A faster link "
                "(larger β) pays off almost one-for-one."), kind="info")
    _out
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Time against message size and GPU count

    Both axes are logarithmic. The dashed rule is the rule of thumb $N\alpha\beta$, the solid
    grey one where the engine's ring and tree curves really cross; the dot is your message.
    """)
    return


@app.cell
def _(error, hier_ok, net):
    mo.stop(error is not None)
    _shown = ["ring", "tree"]
    if net["algorithm"] == "all-to-all" or (net["algorithm"] == "hierarchical" and hier_ok):
        _shown.append(net["algorithm"])
    _sizes = [10 ** (3 + _i / 10) for _i in range(91)]  # 1 KB .. 1 TB
    _rows = [{"M": _m, "seconds": collective(_a, _m, net["N"], net["beta"], net["alpha"], net["node"])[0],
              "algorithm": LABEL[_a]} for _a in _shown for _m in _sizes]
    _x = alt.X("M:Q", scale=alt.Scale(type="log"), axis=alt.Axis(format="~s"),
               title="message size M (bytes)")
    _y = alt.Y("seconds:Q", scale=alt.Scale(type="log"), axis=alt.Axis(format="~s"),
               title="time (s)")
    _lines = labkit.chart(_rows).mark_line().encode(
        x=_x, y=_y, color=alt.Color("algorithm:N", title=None, scale=colors([LABEL[_a] for _a in _shown])),
        tooltip=[alt.Tooltip("algorithm:N"), alt.Tooltip("M:Q", format=".3~s", title="M (B)"),
                 alt.Tooltip("seconds:Q", format=".3~s", title="time (s)")])
    _marks = [{"M": net["rule"], "what": "N·α·β (rule of thumb)", "dash": "rule", "ypos": 10}]
    if net["crossing"]:
        _marks.append({"M": net["crossing"], "what": "ring = tree (engine)", "dash": "cross", "ypos": 26})
    _rules = labkit.chart(_marks).mark_rule(color="gray").encode(
        x=alt.X("M:Q"), strokeDash=alt.StrokeDash("dash:N", legend=None,
                                           scale=alt.Scale(domain=["rule", "cross"], range=[[6, 4], [1, 0]])),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("M:Q", format=".3~s", title="M (B)")])
    _labels = labkit.chart(_marks).mark_text(align="left", dx=4, dy=-6, color="gray").encode(
        x=alt.X("M:Q"), y=alt.Y("ypos:Q", scale=None, axis=None), text=alt.Text("what:N"))
    _t = collective(net["algorithm"], net["M"], net["N"], net["beta"], net["alpha"], net["node"])[0] \
        if (net["algorithm"] != "hierarchical" or hier_ok) else None
    _layers = [_lines, _rules, _labels]
    if _t:
        _layers.append(labkit.chart([{"M": net["M"], "seconds": _t}]).mark_point(
            filled=True, size=90, color="black").encode(x=alt.X("M:Q"), y=alt.Y("seconds:Q")))
    by_size = alt.layer(*_layers).properties(width=560, height=320,
                                             title=f"N = {net['N']:,} GPUs")
    return (by_size,)


@app.cell
def _(error, hier_ok, net):
    mo.stop(error is not None)
    _shown = ["ring", "tree"]
    if net["algorithm"] in ("all-to-all", "hierarchical"):
        _shown.append(net["algorithm"])
    _g = net["node"].accelerators_per_node
    _rows = []
    for _a in _shown:
        for _k in range(1, 15):
            _n = 2**_k
            if _a == "hierarchical" and _n % _g:
                continue
            _t, _lat, _bw = collective(_a, net["M"], _n, net["beta"], net["alpha"], net["node"])
            _rows.append({"N": _n, "seconds": _t, "algorithm": LABEL[_a]})
    _bw_limit = [{"N": 2**_k, "seconds": collective("ring", net["M"], 2**_k, net["beta"], 0.0, net["node"])[0],
                  "algorithm": "Ring, bandwidth term only"} for _k in range(1, 15)]
    by_gpus = labkit.chart(_rows + _bw_limit).mark_line(point=True).encode(
        x=alt.X("N:Q", scale=alt.Scale(type="log", base=2), title="GPUs N"),
        y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), axis=alt.Axis(format="~s"), title="time (s)"),
        color=alt.Color("algorithm:N", title=None,
                        scale=colors([LABEL[_a] for _a in _shown] + ["Ring, bandwidth term only"])),
        strokeDash=alt.condition("datum.algorithm == 'Ring, bandwidth term only'",
                                 alt.value([4, 3]), alt.value([1, 0])),
        tooltip=[alt.Tooltip("algorithm:N"), alt.Tooltip("N:Q"),
                 alt.Tooltip("seconds:Q", format=".3~s", title="time (s)")],
    ).properties(width=560, height=320, title=f"M = {si(net['M'], 'B')}")
    return (by_gpus,)


@app.cell
def _(by_gpus, by_size):
    mo.ui.tabs({"Time vs message size": by_size, "Time vs GPU count": by_gpus})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    On the GPU-count tab, the dashed line is ring's bandwidth term alone: it flattens at
    $2M/\beta$ however many GPUs join. That is what *bandwidth-optimal* means: no all-reduce can
    make each GPU send fewer than about $2M$ bytes. What grows with $N$ is the latency term.

    ### Where the time goes
    """)
    return


@app.cell
def _(error, hier_ok, net):
    mo.stop(error is not None)
    _rows = []
    for _a in ALGORITHMS.values():
        if _a == "hierarchical" and not hier_ok:
            continue
        _t, _lat, _bw = collective(_a, net["M"], net["N"], net["beta"], net["alpha"], net["node"])
        _rows += [{"algorithm": LABEL[_a], "term": "latency (α terms)", "seconds": _lat},
                  {"algorithm": LABEL[_a], "term": "bandwidth (M/β terms)", "seconds": _bw}]
    labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("algorithm:N", title=None, sort=list(LABEL.values())),
        x=alt.X("seconds:Q", stack="zero", axis=alt.Axis(format="~s"), title="time (s)"),
        color=alt.Color("term:N", title=None, scale=alt.Scale(
            domain=["latency (α terms)", "bandwidth (M/β terms)"], range=["#D55E00", "#0072B2"])),
        tooltip=[alt.Tooltip("algorithm:N"), alt.Tooltip("term:N"),
                 alt.Tooltip("seconds:Q", format=".3~s", title="time (s)")],
    ).properties(width=560, height=150)
    return


@app.cell
def _(error, hier_ok, net):
    mo.stop(error is not None)
    _a, _n, _m = net["algorithm"], net["N"], net["M"]
    _alpha, _beta, _node = net["alpha"], net["beta"], net["node"]
    _S = lambda v, u: r"\text{" + si(v, u) + "}"  # noqa: E731  (a number with its unit, upright)
    if _a == "hierarchical" and not hier_ok:
        _work = "Hierarchical all-reduce is not defined for this N (see the red callout above)."
    else:
        _t, _lat, _bw = collective(_a, _m, _n, _beta, _alpha, _node)
        _env = dict(N=_n, Nm1=_n - 1, M=_S(_m, "B"), beta=_S(_beta, "B/s"), alpha=_S(_alpha, "s"),
                    lat=_S(_lat, "s"), bw=_S(_bw, "s"), t=_S(_t, "s"))
        if _a == "ring":
            _work = (r"$$T_{{\text{{ring}}}} = 2(N-1)\alpha + \frac{{2(N-1)}}{{N}}\cdot\frac{{M}}{{\beta}}"
                     r" = 2({Nm1})({alpha}) + \frac{{2({Nm1})}}{{{N}}}\cdot\frac{{{M}}}{{{beta}}}"
                     r" = {lat} + {bw} = \mathbf{{{t}}}$$").format(**_env)
        elif _a == "tree":
            _work = (r"$$T_{{\text{{tree}}}} = 2\log_2 N\,\alpha + 2\log_2 N\cdot\frac{{M}}{{\beta}}"
                     r" = 2\log_2 {N}\,({alpha}) + 2\log_2 {N}\cdot\frac{{{M}}}{{{beta}}}"
                     r" = {lat} + {bw} = \mathbf{{{t}}}$$").format(**_env)
        elif _a == "all-to-all":
            _work = (r"$$T_{{\text{{a2a}}}} = (N-1)\alpha + \frac{{N-1}}{{N}}\cdot\frac{{M}}{{\beta}}"
                     r" = ({Nm1})({alpha}) + \frac{{{Nm1}}}{{{N}}}\cdot\frac{{{M}}}{{{beta}}}"
                     r" = {lat} + {bw} = \mathbf{{{t}}}$$").format(**_env)
        else:
            _g = _node.accelerators_per_node
            # intra-node part = the engine's hierarchical time for a single node (no inter-node ring)
            _intra = calc_hierarchical_allreduce_time.raw(
                _m, 1, _g, _node.intra_node_bandwidth_bytes_s, _beta, _node.intra_node_latency_s, _alpha)
            _inter = calc_ring_allreduce_time.raw(_m / _g, _n // _g, _beta, _alpha)
            _work = (
                r"$$T_{{\text{{hier}}}} = \underbrace{{2\left[\frac{{g-1}}{{g}}\cdot\frac{{M}}{{\beta_{{\text{{NVLink}}}}}}"
                r" + (g-1)\,\alpha_{{\text{{NVLink}}}}\right]}}_{{\text{{inside each node}}}}"
                r" + \underbrace{{T_{{\text{{ring}}}}\!\left(\tfrac{{M}}{{g}},\ \tfrac{{N}}{{g}}\text{{ nodes}},"
                r"\ \beta,\ \alpha\right)}}_{{\text{{across nodes}}}}$$"
                "\n\n"
                r"with $g = {g}$, $\beta_{{\text{{NVLink}}}} = {bi}$, $\alpha_{{\text{{NVLink}}}} = {ai}$, "
                r"$N/g = {nodes}$ nodes: $T = {intra} + {inter} = \mathbf{{{t}}}$ "
                r"(latency terms ${lat}$, bandwidth terms ${bw}$)."
            ).format(g=_g, bi=_S(_node.intra_node_bandwidth_bytes_s, "B/s"),
                     ai=_S(_node.intra_node_latency_s, "s"), nodes=_n // _g, intra=_S(_intra, "s"),
                     inter=_S(_inter, "s"), **_env)
    mo.accordion({"Show the work": mo.md(
        f"Every number below comes from `mlsysim_core`'s formula library (`{FUNCTION[_a]}`):"
        "\n\n" + _work)})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Worked example (equations page, section 2.3)

    A 70B-parameter model in fp16 produces a 140 GB gradient. Ring all-reduce over 1,024 GPUs
    on InfiniBand NDR with $\beta = 50$ GB/s and $\alpha = 2\,\mu$s:
    """)
    return


@app.cell
def _():
    _m, _n, _beta, _alpha = Q_(140, "GB"), 1024, Q_(50, "GB/s"), Q_(2, "us")
    _total = calc_ring_allreduce_time(_m, _n, _beta, _alpha)
    _lat = calc_ring_allreduce_time(0, _n, _beta, _alpha)
    _bw = calc_ring_allreduce_time(_m, _n, _beta, 0)
    _a2a_small = calc_all_to_all_time(Q_(4, "KB"), _n, _beta, _alpha)
    _a2a_small_bw = calc_all_to_all_time(Q_(4, "KB"), _n, _beta, 0)
    mo.md(f"""
    | term | engine | equations page |
    |:---|---:|:---|
    | bandwidth term $\\frac{{2 \\times 1023}}{{1024}} \\times \\frac{{140}}{{50}}$ | **{_bw.to("s"):.3f~P}** | ≈ 5.6 s |
    | latency term $2 \\times 1023 \\times 2\\,\\mu s$ | **{_lat.to("ms"):.2f~P}** | ≈ 4 ms (negligible) |
    | total | **{_total.to("s"):.3f~P}** | ~5.6 s, bandwidth-dominated |

    Section 2.5's contrast, live: the same network's all-to-all of a **4 KB** routing message
    over 1,024 GPUs takes {si(_a2a_small.m_as("s"), "s")}, of which only
    {si(_a2a_small_bw.m_as("s"), "s")} is moving bytes: latency-bound, the opposite regime.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - Every collective is a **latency term** ($\alpha$ times the number of sequential steps)
      plus a **bandwidth term** (bytes each GPU sends, over $\beta$). Find out which one you are
      paying before buying a faster network.
    - **Ring** all-reduce sends about $2M$ bytes per GPU at any scale (bandwidth-optimal) but
      needs $2(N-1)$ steps; **tree** needs only $2\log_2 N$ steps but resends the whole message at
      each level. Large gradients: ring. Small messages: tree.
    - The page's crossover $N\alpha\beta$ is only a rule of thumb: with these same equations the
      curves cross about $\log_2 N - 1$ times lower, because tree's bandwidth term carries a
      $\log_2 N$ factor. Libraries such as NCCL measure and switch automatically for this reason.
    - **All-to-all** (MoE routing) pays $N-1$ start-ups per GPU, so small token messages are
      latency-bound; **hierarchical** all-reduce keeps most traffic on fast NVLink and sends only
      $M/g$ across nodes.

    ## Exercises

    Answer with the engine's model (equations above); the notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    _eth = Systems.Fabrics.Ethernet_100G
    ex1 = labkit.ui.number("ex1", step=0.001, label="seconds")
    mo.vstack([
        mo.md(f"**1.** Ring all-reduce of a **10 GB** gradient over **256 GPUs** on {_eth.name} "
              f"(β = {si(_eth.bandwidth_bytes_s, 'B/s')}, α = {si(_eth.latency_s, 's')}). "
              "How many seconds?"),
        ex1,
    ])
    return (ex1,)


@app.cell
def _(ex1):
    _eth = Systems.Fabrics.Ethernet_100G
    check_answer(ex1.value, calc_ring_allreduce_time(Q_(10, "GB"), 256, _eth.bandwidth,
                                                     _eth.latency).m_as("s"), "s")
    return


@app.cell
def _():
    _ib = Systems.Fabrics.InfiniBand_NDR
    ex2 = labkit.ui.number("ex2", step=0.01, label="MB")
    mo.vstack([
        mo.md(f"**2.** With **64 GPUs** on {_ib.name} (β = {si(_ib.bandwidth_bytes_s, 'B/s')}, "
              f"α = {si(_ib.latency_s, 's')}), what message size does the rule of thumb "
              "$N\\alpha\\beta$ give for the ring/tree crossover, in MB? Is ring or tree faster "
              "at that size, according to the chart?"),
        ex2,
    ])
    return (ex2,)


@app.cell
def _(ex2):
    _ib = Systems.Fabrics.InfiniBand_NDR
    check_answer(ex2.value, calc_ring_tree_crossover_size(64, _ib.bandwidth, _ib.latency).m_as("MB"), "MB")
    return


@app.cell
def _():
    _ib = Systems.Fabrics.InfiniBand_NDR
    ex3 = labkit.ui.number("ex3", step=0.01, label="µs")
    mo.vstack([
        mo.md(f"**3.** Mixture-of-experts token routing: an all-to-all of a **4 KB** message among "
              f"**64** expert GPUs on {_ib.name}. How many microseconds? What share of it is latency?"),
        ex3,
    ])
    return (ex3,)


@app.cell
def _(ex3):
    _ib = Systems.Fabrics.InfiniBand_NDR
    check_answer(ex3.value, calc_all_to_all_time(Q_(4, "KB"), 64, _ib.bandwidth, _ib.latency).m_as("us"), "µs")
    return


if __name__ == "__main__":
    app.run()
