# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.8
# goal: See why a shared cluster's queue explodes near full utilisation, and what gang size, fragmentation and preemption do to a job's wait.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.8 · Fleet orchestration")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import MLSysError, OrchestrationModel, Systems
    from mlsysim_core.fmt import pct

    ORCH = OrchestrationModel()
    FLEET = Systems.Clusters.Frontier_8192        # 8,192 H100 in 1,024 servers
    UTILS = [round(0.05 + 0.01 * _i, 2) for _i in range(94)]   # 5 % ... 98 %
    labkit.init()  # colour-blind-safe chart theme


@app.function
def hours(h):
    """A wait in the unit a person would use."""
    if h != h or h == float("inf"):
        return "∞"
    if h < 1 / 60:
        return f"{h * 3600:,.3g} s"
    if h < 1:
        return f"{h * 60:,.3g} min"
    return f"{h:,.3g} h" if h < 48 else f"{h / 24:,.3g} days"


@app.function
def gang_sizes(n):
    """Job sizes 1, 3 or 5 times a power of two, up to the fleet (3 and 5 show fragmentation)."""
    return sorted({m * 2**k for m in (1, 3, 5) for k in range(18) if m * 2**k <= n} | {n})


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # II.8 · Fleet orchestration: the scheduling trap

    A shared cluster is a queue. Jobs arrive at random, each asks for a **gang** of $g$ GPUs that
    must all start together, and runs for $E[S]$ hours. On $n$ servers of $g_{node}$ GPUs, only

    $$c = \left\lfloor \frac{n}{\lceil g / g_{node} \rceil} \right\rfloor$$

    such gangs fit at once, so the cluster is $c$ servers of a queue, not $n\,g_{node}$. With
    arrival rate $\lambda$, utilisation $\rho = \lambda E[S]/c$, and the Allen-Cunneen
    approximation of the mean wait (exact for Poisson arrivals and exponential run times):

    $$W_q \approx \frac{C(c, \lambda E[S])}{c/E[S] - \lambda}\cdot\frac{c_a^2 + c_s^2}{2}
    \qquad\xrightarrow{\;c = 1\;}\qquad
    W_q = \frac{\rho}{1-\rho}\cdot\frac{c_a^2 + c_s^2}{2}\,E[S]\ \ \text{(Kingman 1961)}$$

    $C$ is Erlang's probability that a job must wait; $c_a, c_s$ the variability of arrivals and
    run times. The $1/(1-\rho)$ is the **hockey stick**: the last few percent of utilisation cost
    more waiting than all the others together. Big gangs make it worse: fewer slots, less pooling.

    **After this lab you can**

    - read the wait of a job off the utilisation and say why 95 % busy is a bad target;
    - explain why a 512-GPU job waits hours where an 8-GPU job waits seconds on the same cluster;
    - compute the GPUs gang scheduling strands (fragmentation), and what priority classes and
      preemption do to the high- and the low-priority wait.
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

    Your {FLEET.total_accelerators:,}-GPU cluster runs at **85 %** utilisation, its users submitting 512-GPU jobs of
    24 hours at random (Poisson arrivals, exponential run times). A 15 % share of the cluster is,
    on average, idle.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"Minutes: 15 % of the cluster is free": "minutes",
                 "About an hour": "hour",
                 "Several hours: a good fraction of its own run time": "hours",
                 "Days: it waits longer than it runs": "days"},
        label="**Predict:** how long does a new 512-GPU job wait, on average, before it starts?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _r = ORCH.solve(FLEET, job_gpus=512, job_hours=24, utilization=0.85)
    _small = ORCH.solve(FLEET, job_gpus=8, job_hours=24, utilization=0.85)
    _pre = ORCH.solve(FLEET, job_gpus=512, job_hours=24, utilization=0.85, priority_shares=(0.2, 0.8),
                      preemptive=True)
    _w = _r.mean_wait.m_as("hour")
    _truth = "minutes" if _w < 0.5 else "hour" if _w < 2 else "hours" if _w < 24 else "days"
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** The mean wait is **{hours(_w)}**
    ({pct(_r.wait_over_duration)} of the job's run time), and {pct(_r.prob_wait)} of jobs wait at all.
    The free 15 % is not one place: only **{_r.slots} gangs** of 512 fit at once, so the cluster
    behaves like a {_r.slots}-server queue at 85 %. The same cluster at the same utilisation, fed
    8-GPU jobs ({_small.slots:,} slots), makes them wait **{hours(_small.mean_wait.m_as("hour"))}**.
    Preemption for a 20 % high-priority class cuts *its* wait to
    **{hours(_pre.class_waits_hours[0])}** and raises everyone else's to
    {hours(_pre.class_waits_hours[1])}: it moves the wait, it does not remove it.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your cluster and its workload
    """)
    return


@app.cell
def _():
    fleet_pick = labkit.ui.dropdown("fleet_pick", options=Systems.Clusters.options(), value=FLEET.name,
                                    label="Cluster")
    utilization = labkit.ui.slider("utilization", steps=UTILS, value=0.85, show_value=True,
                                   label="Utilisation ρ of the gang slots")
    job_hours = labkit.ui.slider("job_hours", start=1, stop=168, step=1, value=24, include_input=True,
                                 label="Mean run time E[S] (hours)")
    service_cv = labkit.ui.slider("service_cv", start=0, stop=3, step=0.25, value=1, show_value=True,
                                  label="Run-time variability c_s (0 = all equal, 1 = exponential, > 1 heavy-tailed)")
    mo.vstack([fleet_pick, utilization, job_hours, service_cv])
    return fleet_pick, job_hours, service_cv, utilization


@app.cell
def _(fleet_pick):
    _sizes = gang_sizes(fleet_pick.value.total_accelerators)
    job_gpus = labkit.ui.slider("job_gpus", steps=_sizes, value=512 if 512 in _sizes else _sizes[-1],
                                show_value=True, label="GPUs per job (the gang)")
    job_gpus
    return (job_gpus,)


@app.cell
def _():
    high_share = labkit.ui.slider("high_share", start=0.05, stop=0.5, step=0.05, value=0.2, show_value=True,
                                  label="Share of jobs in the high-priority class")
    preemptive = labkit.ui.switch("preemptive", value=True, label="High priority may preempt running jobs")
    mo.hstack([high_share, preemptive], justify="start", gap=2)
    return high_share, preemptive


@app.cell
def _(fleet_pick, high_share, job_gpus, job_hours, preemptive, service_cv, utilization):
    try:
        _n = fleet_pick.value.total_accelerators
        _kw = dict(job_gpus=min(job_gpus.value, _n), job_hours=job_hours.value, utilization=utilization.value,
                   service_cv=service_cv.value)
        result = ORCH.solve(fleet_pick.value, **_kw)
        classes = ORCH.solve(fleet_pick.value, priority_shares=(high_share.value, 1 - high_share.value),
                             preemptive=preemptive.value, **_kw)
        error = None
    except MLSysError as _e:
        result, classes, error = None, None, str(_e)
    return classes, error, result


@app.cell
def _(error, prediction, result):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the numbers._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**This workload cannot be scheduled.** {error}"), kind="danger"))
    mo.hstack([
        mo.stat(f"{result.slots:,}", label="Gangs that fit at once", bordered=True,
                caption=f"{result.gang_nodes:,} server(s) each"),
        mo.stat(hours(result.mean_wait.m_as("hour")), label="Mean wait", bordered=True,
                caption=f"{result.wait_over_duration:.2g} × the run time"),
        mo.stat(pct(result.prob_wait), label="Jobs that wait at all", bordered=True,
                caption=f"{result.queue_length:,.2g} jobs queued on average"),
        mo.stat(pct(result.gpu_utilization), label="GPUs doing work", bordered=True,
                caption=f"{pct(result.fragmentation)} stranded by fragmentation"),
    ], widths="equal")
    return


@app.cell
def _(error, prediction, result):
    mo.stop(prediction.value is None or error is not None)
    if result.wait_over_duration >= 1:
        _out = mo.callout(mo.md(
            f"**The queue is the job.** A {result.job_gpus:,}-GPU job waits **{hours(result.mean_wait.m_as('hour'))}** "
            f"on average, {result.wait_over_duration:.2g} × its own {hours(result.job_duration.m_as('hour'))} run: "
            f"at ρ = {pct(result.utilization)} with only {result.slots:,} slot(s), the 1/(1−ρ) term dominates. "
            "Lower the target utilisation, split the job into smaller gangs, or reserve capacity for it."),
            kind="danger")
    elif result.fragmentation >= 0.1:
        _out = mo.callout(mo.md(
            f"**Fragmentation strands {pct(result.fragmentation)} of the GPUs.** A {result.job_gpus:,}-GPU gang "
            f"occupies {result.gang_nodes:,} whole servers, and only {result.slots:,} fit: even a full queue keeps "
            f"{pct(result.gpu_utilization)} of the GPUs busy. Size jobs in whole servers that divide the cluster."),
            kind="warn")
    else:
        _out = mo.callout(mo.md(
            f"The wait is {pct(result.wait_over_duration)} of the run time. Push ρ past 90 % or grow the gang "
            "to watch it explode."), kind="info")
    mo.vstack([_out, mo.accordion({"Show the work": mo.md(result.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The hockey stick

    Mean wait against utilisation for your gang size and two others, on your cluster (the
    chart stops at three run times). Small gangs pool: with many slots a free one is almost
    always there until $\rho$ is close to 1. A gang the size of the cluster is one server:
    Kingman's $\rho/(1-\rho)\,E[S]$, already one run time at 50 %.
    """)
    return


@app.cell
def _(error, fleet_pick, job_gpus, job_hours, service_cv):
    # the wait curves: once per cluster, gang, run time and spread, not per utilisation or priority move
    mo.stop(error is not None)
    _n = fleet_pick.value.total_accelerators
    wait_gangs = sorted({max(1, min(8, _n)), min(job_gpus.value, _n), _n})
    _cap = 3 * job_hours.value
    wait_rows = []
    for _g in wait_gangs:
        for _u in UTILS[::3]:   # 32 points a curve: altair deep-copies inline rows per layer
            _w = ORCH.solve(fleet_pick.value, job_gpus=_g, job_hours=job_hours.value, utilization=_u,
                            service_cv=service_cv.value).raw("mean_wait") / 3600    # s -> h (raw is SI)
            wait_rows.append({"rho": _u, "hours": min(_w, _cap * 1.05), "gang": f"{_g:,} GPUs"})
    return wait_gangs, wait_rows


@app.cell
def _(error, fleet_pick, job_hours, prediction, result, utilization, wait_gangs, wait_rows):
    mo.stop(prediction.value is None or error is not None)
    _gangs, _rows, _cap = wait_gangs, wait_rows, 3 * job_hours.value
    _x = alt.X("rho:Q", title="utilisation ρ", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1]))
    _y = alt.Y("hours:Q", title="mean wait (hours)", scale=alt.Scale(domain=[0, _cap]))
    _lines = labkit.chart(_rows).mark_line(clip=True).encode(
        x=_x, y=_y, color=alt.Color("gang:N", title="gang", sort=[f"{_g:,} GPUs" for _g in _gangs]),
        tooltip=[alt.Tooltip("gang:N"), alt.Tooltip("rho:Q", format=".0%"), alt.Tooltip("hours:Q", format=",.3g")])
    _me = labkit.chart([{"rho": utilization.value, "hours": min(result.mean_wait.m_as("hour"), _cap),
                                      "what": "your job"}]).mark_point(
        filled=True, size=120, color=labkit.PALETTE["vermillion"], clip=True).encode(x=_x, y=_y, tooltip=[alt.Tooltip("what:N")])
    alt.layer(_lines, _me).properties(width=540, height=300,
                                      title=f"{fleet_pick.value.name}, E[S] = {job_hours.value} h")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Gang size and fragmentation

    Each gang takes whole servers, and the servers left over when no further gang fits sit idle.
    The share of GPUs no gang can use, against the job size (sizes of 3 and 5 × a power of two
    show it; powers of two that divide the cluster strand nothing):
    """)
    return


@app.cell
def _(error, fleet_pick, job_gpus, prediction):
    mo.stop(prediction.value is None or error is not None)
    _n = fleet_pick.value.total_accelerators
    _rows = []
    for _g in gang_sizes(_n):
        _r = ORCH.solve(fleet_pick.value, job_gpus=_g, job_hours=1, utilization=0.5)
        _rows.append({"gpus": _g, "stranded": _r.fragmentation, "slots": _r.slots,
                      "yours": "your job" if _g == min(job_gpus.value, _n) else "other sizes"})
    labkit.chart(_rows).mark_bar().encode(
        x=alt.X("gpus:O", title="GPUs per job", sort=None),
        y=alt.Y("stranded:Q", title="GPUs stranded", axis=alt.Axis(format=".0%")),
        color=alt.Color("yours:N", title=None, scale=alt.Scale(domain=["your job", "other sizes"],
                                                                range=[labkit.PALETTE["vermillion"],
                                                                       labkit.PALETTE["blue"]])),
        tooltip=[alt.Tooltip("gpus:Q"), alt.Tooltip("slots:Q"), alt.Tooltip("stranded:Q", format=".1%")],
    ).properties(width=560, height=220)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Priority classes and preemption

    Split the jobs into a high-priority class (your share above) and the rest. Without preemption
    a high-priority job still waits for a running job to finish; with preemption it evicts one
    (which resumes later, from its checkpoint). By Kleinrock's conservation law the load-weighted
    mean wait stays that of first-come-first-served: priority **redistributes** waiting.
    """)
    return


@app.cell
def _(classes, error, high_share, prediction, result):
    mo.stop(prediction.value is None or error is not None)
    _hi, _lo = classes.class_waits_hours
    _kind = "preemptive" if classes.preemptive else "non-preemptive"
    _rows = [{"class": "everyone (first come, first served)", "hours": result.mean_wait.m_as("hour")},
             {"class": f"high priority ({pct(high_share.value, 0)}, {_kind})", "hours": _hi},
             {"class": f"the rest ({pct(1 - high_share.value, 0)}, {_kind})", "hours": _lo}]
    _chart = labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("class:N", title=None, sort=None), x=alt.X("hours:Q", title="mean wait (hours)"),
        color=alt.Color("class:N", legend=None),
        tooltip=[alt.Tooltip("class:N"), alt.Tooltip("hours:Q", format=",.3g")]).properties(width=520, height=120)
    mo.vstack([_chart, mo.md(f"High priority waits **{hours(_hi)}**, the rest **{hours(_lo)}** "
                             f"(first come, first served: {hours(result.mean_wait.m_as('hour'))})."),
               mo.accordion({"Show the work (priority classes)": mo.md(classes.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Worked examples (Kingman 1961; Jeon et al. 2019)

    **Kingman's single queue.** Poisson arrivals and exponential service at $\rho = 0.9$ wait
    $\tfrac{0.9}{0.1} \cdot \tfrac{1 + 1}{2} = 9$ mean service times; equal run times ($c_s = 0$)
    halve it. A job that needs the whole cluster makes the cluster exactly that queue.
    **Gang fragmentation** (Jeon et al., "Analysis of Large-Scale Multi-Tenant GPU Clusters for DNN
    Training Workloads", USENIX ATC 2019): a 12-GPU job on 8-GPU servers takes two servers, so a
    quarter of the GPUs it holds are idle.
    """)
    return


@app.cell
def _():
    _whole = ORCH.solve(FLEET, job_gpus=FLEET.total_accelerators, job_hours=1, utilization=0.9)
    _det = ORCH.solve(FLEET, job_gpus=FLEET.total_accelerators, job_hours=1, utilization=0.9, service_cv=0)
    _frag = ORCH.solve(Systems.Clusters.H100_256, job_gpus=12, job_hours=1, utilization=0.5)
    mo.md(f"""
    | quantity | engine | source |
    |:---|---:|---:|
    | whole-cluster jobs of 1 h at ρ = 0.9: gangs at once | {_whole.slots} | 1 (a single queue) |
    | mean wait, exponential run times | **{_whole.mean_wait.m_as("hour"):.3g} h** | 9 E[S] |
    | mean wait, equal run times ($c_s = 0$) | **{_det.mean_wait.m_as("hour"):.3g} h** | 4.5 E[S] |
    | 12-GPU gangs on 256 GPUs: slots, stranded | {_frag.slots}, **{pct(_frag.fragmentation)}** | 25 % |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    ## Key takeaways

    - Waiting grows as $1/(1-\rho)$: going from 80 % to 95 % busy multiplies the wait several
      times over. "Keep the GPUs busy" and "start jobs promptly" pull in opposite directions.
    - What counts is the utilisation of **gang slots**: big gangs mean few slots and little
      pooling, so a 512-GPU job waits hours where 8-GPU jobs wait seconds at the same $\rho$.
    - Gangs that do not divide the cluster in whole servers strand GPUs no queue can use.
    - Priorities and preemption move waiting between classes; the total is conserved. Preemption
      also costs the evicted job its work since the last checkpoint (chapter II.7).

    ## Exercises

    Use the {FLEET.total_accelerators:,}-GPU cluster with exponential run times ($c_s = 1$). The notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=0.01, label="hours")
    mo.vstack([mo.md("**1.** 2,048-GPU jobs of 48 hours at **80 %** utilisation: what is the mean wait, in hours?"),
               ex1])
    return (ex1,)


@app.cell
def _(ex1):
    _r = ORCH.solve(FLEET, job_gpus=2048, job_hours=48, utilization=0.8)
    labkit.check_answer(ex1.value, _r.mean_wait.m_as("hour"), "h",
                        hint="Count the gang slots first; then it is an M/M/c queue (Erlang C).")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=0.1, label="percent")
    mo.vstack([mo.md("**2.** What percentage of the cluster's GPUs can no **3,072-GPU** gang use?"), ex2])
    return (ex2,)


@app.cell
def _(ex2):
    _r = ORCH.solve(FLEET, job_gpus=3072, job_hours=1, utilization=0.5)
    labkit.check_answer(ex2.value, _r.fragmentation * 100, "%",
                        hint=f"How many 3,072-GPU gangs fit in {FLEET.total_accelerators:,} GPUs, and what is left?")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=0.1, label="minutes")
    mo.vstack([mo.md("**3.** 512-GPU, 24-hour jobs at **90 %**; **10 %** of them are high priority and may "
                     "preempt. How long does a high-priority job wait, in minutes?"), ex3])
    return (ex3,)


@app.cell
def _(ex3):
    _r = ORCH.solve(FLEET, job_gpus=512, job_hours=24, utilization=0.9, priority_shares=(0.1, 0.9),
                    preemptive=True)
    labkit.check_answer(ex3.value, _r.class_waits_hours[0] * 60, "min",
                        hint="Open the priority-class work above: the high class sees only its own load.")
    return


if __name__ == "__main__":
    app.run()
