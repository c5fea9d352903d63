# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.3
# goal: Choose a fabric for 2,048 GPUs: bisection bandwidth, hops, and what oversubscription and placement do to a 70B all-reduce.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.3 · Network fabrics")

with app.setup:
    import dataclasses

    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import (DistributedModel, MLSysError, Models, Systems, TopologyModel,
                              calc_oversubscribed_bandwidth)
    from mlsysim_core.fmt import pct, si
    from mlsysim_core.units import Q_

    TOPOLOGY = TopologyModel()
    FLEET = Systems.Clusters.Production_2K       # 2,048 H100 on InfiniBand HDR
    MODEL = Models.Llama3_70B
    TOPOLOGIES = {"Fat tree (folded Clos)": "fat_tree", "Rail-optimised (one leaf per GPU rank)": "rail_optimized",
                  "Dragonfly (balanced)": "dragonfly", "3D torus": "torus", "Ring": "ring"}
    NAMES = {v: k.split(" (")[0] for k, v in TOPOLOGIES.items()}
    RATIOS = [1, 1.5, 2, 3, 4, 6, 8]
    # transformer models: their fp16 gradient is the all-reduce message
    MESSAGES = {name: m for name, m in Models.options().items() if hasattr(m, "heads")}
    labkit.init()  # colour-blind-safe chart theme


@app.function
def seconds(s):
    """A time in ms below one second, else in s."""
    return "n/a" if s is None else (f"{s * 1e3:,.3g} ms" if s < 1 else f"{s:,.3g} s")


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # II.3 · Network fabrics

    Inside a server, eight GPUs talk over NVLink. Between servers every byte crosses a **fabric**:
    NICs, leaf switches, spines. Its shape decides how much bandwidth survives when thousands of
    GPUs talk at once. A fat tree with $s\!:\!1$ **oversubscription** gives each leaf only $1/s$
    of its hosts' bandwidth upwards; it saves switches and optics, and it costs whatever traffic
    must leave the leaf. How much traffic leaves depends on the collective and on where the
    scheduler put the job:

    $$B_{\text{bisect}} = \frac{N}{2}\,\frac{b}{s}
    \qquad
    b_{\text{eff}} = \frac{b}{\max(1,\ s\,f)}
    \qquad
    T_{\text{all-reduce}} = 2\frac{N-1}{N}\,\frac{M}{b_{\text{eff}}} + 2(N-1)\left(\alpha + \bar h\, t_{\text{switch}}\right)$$

    with $b$ the per-GPU link, $f$ the fraction of each GPU's traffic that leaves its leaf, $M$ the
    message (a 70B model's fp16 gradient is 141 GB), $\alpha$ the NIC latency and $\bar h$ the
    mean number of switches on a path. A ring all-reduce over a **packed** job (consecutive
    servers) leaves a leaf only once per ring, so $f$ is small; a **scattered** job, or an
    all-to-all (expert parallelism), sends nearly everything up.

    **After this lab you can**

    - compute bisection bandwidth, hop count and path latency for a fat tree, a rail-optimised
      network, a dragonfly and a torus;
    - say when oversubscription costs a collective nothing and when it halves its bandwidth;
    - explain why placement (packed vs scattered) and pattern (ring vs all-to-all) matter as much
      as the fabric, and what that does to a training step.
    """)
    return


@app.cell(hide_code=True)
def _():
    labkit.toolbar()
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    ## 1 · Predict, then reveal

    Your {FLEET.total_accelerators:,}-GPU {FLEET.accelerator.name} cluster ({FLEET.fabric.name},
    {si(FLEET.fabric.bandwidth_bytes_s, "B/s")} per GPU) must be built on a budget: the
    vendor offers a **2:1 oversubscribed** fat tree instead of a non-blocking one. The job
    all-reduces {MODEL.name}'s fp16 gradient across all {FLEET.total_accelerators:,} GPUs with NCCL rings, and the
    scheduler places it **packed** on consecutive servers.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"About 2 × slower: half the uplink bandwidth, half the speed": "double",
                 "About 1.3-1.7 × slower: only part of the traffic goes up": "some",
                 "No slower: a packed ring barely leaves its leaf": "none",
                 "More than 2 × slower: congestion makes it worse than the ratio": "worse"},
        label="**Predict:** how much longer does the all-reduce take on the 2:1 fabric than on the non-blocking one?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _msg = MODEL.weight_bytes("fp16")
    _packed = TOPOLOGY.solve(FLEET, topology="fat_tree", oversubscription=2, placement="packed", message_bytes=_msg)
    _scattered = TOPOLOGY.solve(FLEET, topology="fat_tree", oversubscription=2, placement="scattered",
                                message_bytes=_msg)
    _x = _packed.oversubscription_slowdown
    _truth = "none" if _x < 1.15 else "some" if _x < 1.8 else "double" if _x < 2.2 else "worse"
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** Packed, the all-reduce takes
    **{seconds(_packed.raw("allreduce_time"))}** on the 2:1 tree and
    {seconds(_packed.raw("allreduce_time_nonblocking"))} on a non-blocking one: **{_x:.2f} ×**.
    NCCL runs one ring per NIC; each ring leaves a leaf of {_packed.domain_size} GPUs once, so only
    f = {_packed.cross_fraction:.2g} of the traffic meets the halved uplinks, and s f =
    {_packed.oversubscription * _packed.cross_fraction:.2g} < 1 leaves headroom. The same job
    **scattered** over the cluster by a fragmented scheduler sends f = {_scattered.cross_fraction:.2g}
    upward and takes **{seconds(_scattered.raw("allreduce_time"))}**
    ({_scattered.oversubscription_slowdown:.2f} ×). Oversubscription is a bet on placement.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your fabric and your job
    """)
    return


@app.cell
def _():
    fleet_pick = labkit.ui.dropdown("fleet_pick", options=Systems.Clusters.options(), value=FLEET.name,
                                    label="Cluster (accelerators, NIC bandwidth and latency)")
    topology = labkit.ui.radio("topology", options=TOPOLOGIES, value="Fat tree (folded Clos)", label="Topology")
    oversub = labkit.ui.slider("oversub", steps=RATIOS, value=2, show_value=True,
                               label="Leaf oversubscription s (s:1; fat tree and rail-optimised)")
    mo.vstack([fleet_pick, mo.hstack([topology, oversub], justify="start", gap=2)])
    return fleet_pick, oversub, topology


@app.cell
def _(fleet_pick):
    _n = fleet_pick.value.total_accelerators
    _steps = [2**k for k in range(1, 18) if 2**k < _n] + [_n]
    job_gpus = labkit.ui.slider("job_gpus", steps=_steps, value=_n, show_value=True,
                                label="GPUs in the collective")
    placement = labkit.ui.radio("placement", options={"packed (consecutive servers)": "packed",
                                                      "scattered (fragmented scheduler)": "scattered"},
                                value="packed (consecutive servers)", label="Placement")
    pattern = labkit.ui.radio("pattern", options={"ring all-reduce (data parallel)": "ring",
                                                  "all-to-all (expert parallel, shuffles)": "all_to_all"},
                              value="ring all-reduce (data parallel)", label="Pattern")
    message = labkit.ui.dropdown("message", options=MESSAGES, value=MODEL.name,
                                 label="Message: this model's fp16 gradient")
    mo.vstack([job_gpus, mo.hstack([placement, pattern], justify="start", gap=2), message])
    return job_gpus, message, pattern, placement


@app.cell
def _(fleet_pick, job_gpus, message, oversub, pattern, placement, topology):
    # one solve per control change; errors become a callout below
    try:
        result = TOPOLOGY.solve(fleet_pick.value, topology=topology.value, oversubscription=oversub.value,
                                job_gpus=min(job_gpus.value, fleet_pick.value.total_accelerators),
                                placement=placement.value, pattern=pattern.value,
                                message_bytes=message.value.weight_bytes("fp16"))
        error = None
    except MLSysError as _e:
        result, error = None, str(_e)
    return error, result


@app.cell
def _(error, prediction, result):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the numbers._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**This fabric cannot be built as asked.** {error}"),
                                          kind="danger"))
    mo.hstack([
        mo.stat(si(result.raw("bisection_bandwidth"), "B/s"), label="Bisection bandwidth", bordered=True,
                caption=f"{pct(result.bisection_fraction)} of full ({result.tiers} tier(s))"),
        mo.stat(f"{result.avg_hops:.3g}", label="Switches on a path (mean)", bordered=True,
                caption=f"latency {si(result.raw('avg_latency'), 's')} per message"),
        mo.stat(si(result.raw("effective_bandwidth"), "B/s"), label="Bandwidth per GPU", bordered=True,
                caption=f"{pct(result.bandwidth_fraction)} of the {si(result.raw('link_bandwidth'), 'B/s')} link"),
        mo.stat(seconds(result.raw("allreduce_time")), label="Collective time", bordered=True,
                caption=f"{result.oversubscription_slowdown:.2f} × the non-blocking fabric"),
    ], widths="equal")
    return


@app.cell
def _(error, prediction, result):
    mo.stop(prediction.value is None or error is not None)
    _extra = result.raw("allreduce_time") - result.raw("allreduce_time_nonblocking")
    if result.oversubscription_slowdown >= 1.3:
        _out = mo.callout(mo.md(
            f"**Throttled by the oversubscribed tier.** {pct(result.cross_fraction)} of each GPU's traffic "
            f"leaves its {result.domain_size:,}-GPU leaf, into uplinks provisioned at 1/{result.oversubscription:g} "
            f"of the hosts' bandwidth: s f = {result.oversubscription * result.cross_fraction:.2f} > 1, so "
            f"every GPU gets {si(result.raw('effective_bandwidth'), 'B/s')} and the collective takes "
            f"**{seconds(_extra)} longer** ({result.oversubscription_slowdown:.2f} ×) every time it runs. "
            "Pack the job onto consecutive leaves, keep the all-to-all inside a leaf, or buy the spines."),
            kind="danger")
    elif result.oversubscription > 1 and result.domain_size:
        _out = mo.callout(mo.md(
            f"**Oversubscription is free here.** Only f = {result.cross_fraction:.2g} of the traffic leaves "
            f"a leaf, and s f = {result.oversubscription * result.cross_fraction:.2g} ≤ 1: the uplinks keep up. "
            "Scatter the job or switch to all-to-all to see what the savings really cost."), kind="info")
    else:
        _out = mo.callout(mo.md(
            f"The collective runs at {pct(result.bandwidth_fraction)} of the link; the latency term is "
            f"2(N−1) × {si(result.raw('avg_latency'), 's')} = "
            f"{seconds(2 * (result.job_gpus - 1) * result.raw('avg_latency'))} of it."), kind="info")
    mo.vstack([_out, mo.accordion({"Show the work": mo.md(result.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Five fabrics, two placements

    The same job and message on every topology (your oversubscription applies to the fat tree and
    the rail-optimised network only: direct networks have no leaf tier). Rail-optimised networks
    put GPU rank $i$ of every server on leaf $i$, so a leaf serves a whole "scalable unit" of
    servers, and a ring of same-rank GPUs rarely leaves it. Tori and rings have cheap wiring but
    a bisection that grows slower than $N$: all-to-all traffic runs out of it. (For the
    all-to-all pattern the engine prices the same message with the ring formula at the bandwidth
    that pattern leaves each GPU, so the two patterns compare like for like.)
    """)
    return


@app.cell
def _(error, fleet_pick, job_gpus, message, oversub, pattern, prediction):
    mo.stop(prediction.value is None or error is not None)
    _rows = []
    for _label, _topo in TOPOLOGIES.items():
        for _place in ("packed", "scattered"):
            _r = TOPOLOGY.solve(fleet_pick.value, topology=_topo, oversubscription=oversub.value,
                                job_gpus=min(job_gpus.value, fleet_pick.value.total_accelerators),
                                placement=_place, pattern=pattern.value,
                                message_bytes=message.value.weight_bytes("fp16"))
            _rows.append({"topology": NAMES[_topo], "placement": _place, "seconds": _r.raw("allreduce_time"),
                          "hops": _r.avg_hops, "bandwidth GB/s": _r.effective_bandwidth.m_as("GB/s")})
    labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("topology:N", title=None, sort=list(NAMES.values())),
        yOffset=alt.YOffset("placement:N"),
        x=alt.X("seconds:Q", title="collective time (s)"),
        color=alt.Color("placement:N", title="placement"),
        tooltip=[alt.Tooltip("topology:N"), alt.Tooltip("placement:N"), alt.Tooltip("seconds:Q", format=",.3g"),
                 alt.Tooltip("hops:Q", format=".3g"), alt.Tooltip("bandwidth GB/s:Q", format=",.3g")],
    ).properties(width=520, height=260, title=f"{message.value.name} fp16 gradient, "
                                              f"{min(job_gpus.value, fleet_pick.value.total_accelerators):,} GPUs")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · What each step of oversubscription costs

    The collective's time against the leaf ratio $s$ for the fat tree (or the rail-optimised
    network, if chosen), for both placements and both patterns. A line stays flat while
    $s f \le 1$ and then grows in proportion to $s$: the knee is at $s = 1/f$.
    """)
    return


@app.cell
def _(error, fleet_pick, job_gpus, message, prediction, topology):
    mo.stop(prediction.value is None or error is not None)
    _topo = topology.value if topology.value in ("fat_tree", "rail_optimized") else "fat_tree"
    _rows = []
    for _pat, _pname in (("ring", "ring"), ("all_to_all", "all-to-all")):
        for _place in ("packed", "scattered"):
            for _s in RATIOS:
                _r = TOPOLOGY.solve(fleet_pick.value, topology=_topo, oversubscription=_s,
                                    job_gpus=min(job_gpus.value, fleet_pick.value.total_accelerators),
                                    placement=_place, pattern=_pat, message_bytes=message.value.weight_bytes("fp16"))
                _rows.append({"s": _s, "seconds": _r.raw("allreduce_time"), "case": f"{_pname}, {_place}"})
    labkit.chart(_rows).mark_line(point=True).encode(
        x=alt.X("s:Q", title="leaf oversubscription s (s:1)"),
        y=alt.Y("seconds:Q", title="collective time (s)"),
        color=alt.Color("case:N", title=None),
        tooltip=[alt.Tooltip("case:N"), alt.Tooltip("s:Q"), alt.Tooltip("seconds:Q", format=",.3g")],
    ).properties(width=520, height=280, title=f"{NAMES[_topo]}, {message.value.name}")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · What it does to a training step

    `DistributedModel` plans Llama-3.1-70B with TP = 8 inside each server and PP = 4, so the
    data-parallel all-reduce runs between servers. It divides the fabric's bandwidth by $s$ for
    **every** byte: the scattered worst case. Here is the step on your cluster with its fabric at
    1:1 and at your ratio (a copy of the fleet, only the ratio changed).
    """)
    return


@app.cell
def _(fleet_pick, oversub, prediction):
    mo.stop(prediction.value is None)
    _fleet = fleet_pick.value
    _rows, _msg = [], None
    for _s in sorted({1, oversub.value}):
        _fab = dataclasses.replace(_fleet.fabric, oversubscription=float(_s))
        try:
            _r = DistributedModel().solve(MODEL, dataclasses.replace(_fleet, fabric=_fab),
                                          batch_size=_fleet.total_accelerators, tp_size=8, pp_size=4,
                                          microbatch_count=16)
        except MLSysError as _e:
            _msg = str(_e)
            break
        _rows.append(f"| {_s:g}:1 | {seconds(_r.raw('dp_communication_latency'))} | "
                     f"{seconds(_r.raw('step_latency_total'))} | {pct(_r.scaling_efficiency)} |")
    mo.stop(_msg is not None, mo.callout(mo.md(f"**This plan does not run on this cluster.** {_msg}"), kind="danger"))
    mo.md("| fabric | DP all-reduce | step | scaling efficiency |\n|:---|---:|---:|---:|\n" + "\n".join(_rows)
          + "\n\nA packed ring would pay almost none of that difference (section 4); a scheduler that "
            "scatters jobs pays all of it, on every step.")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Worked example (Al-Fares et al. 2008, section 2.1)

    Al-Fares, Loukissas and Vahdat ("A Scalable, Commodity Data Center Network Architecture",
    SIGCOMM 2008) define oversubscription as the ratio of the worst-case bandwidth among hosts to
    the total bisection, and note that typical 1 Gb/s data-centre designs are oversubscribed
    **2.5:1 (400 Mb/s per host) to 8:1 (125 Mb/s)** for traffic that leaves the rack. And NVIDIA's
    DGX SuperPOD builds rail-optimised leaves of one **scalable unit: 32 servers, 256 GPUs**.
    The engine, live:
    """)
    return


@app.cell
def _():
    _rows = []
    for _s, _page in ((2.5, "400 Mb/s"), (8, "125 Mb/s")):
        # everything leaves the rack (f = 1): the formula; then the model's 1,024-host fabric
        _worst = calc_oversubscribed_bandwidth(Q_(1, "Gbit/s"), _s, 1.0)
        _r = TOPOLOGY.solve(n_gpus=1024, link_bandwidth="1 Gbit/s", oversubscription=_s,
                            placement="scattered", pattern="all_to_all", gpus_per_node=1)
        _rows.append(f"| {_s:g}:1, all traffic off the rack | **{_worst.m_as('Mbit/s'):,.0f} Mb/s** "
                     f"(all-to-all over 1,024 hosts: {_r.effective_bandwidth.m_as('Mbit/s'):,.0f} Mb/s, "
                     f"f = {_r.cross_fraction:.3f}) | {_page} |")
    _su = TOPOLOGY.solve(FLEET, topology="rail_optimized")
    _ft = TOPOLOGY.solve(FLEET, topology="fat_tree")
    mo.md(f"""
    | quantity | engine | source |
    |:---|---:|---:|
    {chr(10).join(_rows)}
    | rail-optimised leaf domain ({_su.switch_radix}-port switches, {_su.gpus_per_node} GPUs per server) | **{_su.domain_size} GPUs** | 256 (SuperPOD SU) |
    | fat-tree leaf, same switches | {_ft.domain_size} GPUs | 32 (k/2 hosts) |

    In a real all-to-all a few partners share the rack, so f is slightly below 1 and each host
    gets a little more than the worst case.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - Bisection bandwidth ($\tfrac{N}{2} b / s$ for a tree) is what an all-to-all needs; a ring
      all-reduce needs only each GPU's link, *if* its neighbours are close.
    - Oversubscription costs $\max(1, s f)$: nothing while the traffic leaving a leaf is below
      $1/s$, then proportional to $s$. A packed ring has $f \approx g/D$; scattered jobs and
      all-to-all have $f \approx 1$.
    - Rail-optimised fabrics make the leaf a whole scalable unit for same-rank traffic: data
      parallelism with TP inside the server stays on one rail.
    - Placement is a fabric decision: a scheduler that fragments jobs turns a cheap 2:1 fabric
      into a half-speed one. Latency ($2(N-1)\alpha$) matters for small messages at large $N$.

    ## Exercises

    Use the 2,048-H100 production cluster. The notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=0.01, label="GB/s")
    mo.vstack([mo.md("**1.** On a **3:1** fat tree, what bandwidth per GPU does a ring all-reduce over all "
                     "2,048 GPUs get when the job is **scattered**?"), ex1])
    return (ex1,)


@app.cell
def _(ex1):
    _r = TOPOLOGY.solve(FLEET, topology="fat_tree", oversubscription=3, placement="scattered")
    labkit.check_answer(ex1.value, _r.effective_bandwidth.m_as("GB/s"), "GB/s",
                        hint="Find the fraction f of traffic leaving a leaf, then b / max(1, s f).")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=0.01, label="TB/s")
    mo.vstack([mo.md("**2.** What is the bisection bandwidth of that 2,048-GPU fat tree at **2:1**?"), ex2])
    return (ex2,)


@app.cell
def _(ex2):
    _r = TOPOLOGY.solve(FLEET, topology="fat_tree", oversubscription=2)
    labkit.check_answer(ex2.value, _r.bisection_bandwidth.m_as("TB/s"), "TB/s",
                        hint="N/2 links of b, divided by s.")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=0.01, label="seconds")
    mo.vstack([mo.md("**3.** A **1,024-GPU** job on the **2:1 rail-optimised** network is placed **scattered**. "
                     "How long does its ring all-reduce of Llama-3.1-70B's fp16 gradient take?"), ex3])
    return (ex3,)


@app.cell
def _(ex3):
    _r = TOPOLOGY.solve(FLEET, topology="rail_optimized", oversubscription=2, job_gpus=1024,
                        placement="scattered", message_bytes=MODEL.weight_bytes("fp16"))
    labkit.check_answer(ex3.value, _r.raw("allreduce_time"), "s",
                        hint="Count the rail domains the job spans, compute f, then b_eff, then the ring formula.")
    return


if __name__ == "__main__":
    app.run()
