# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.12
# goal: Size the silent failures of a fleet: stragglers that stretch every step, silent data corruption and the screening that catches it, and rolling upgrades of thousands of nodes.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.12 · The silent fleet")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import (FleetHealthModel, Hardware, MLSysError, Systems, calc_any_affected_probability,
                              constants)
    from mlsysim_core.fmt import pct

    HEALTH = FleetHealthModel()
    ACCELERATOR = Hardware.H100   # the models count accelerators; their type does not enter
    STRAGGLER_STEPS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05]
    labkit.init()  # colour-blind-safe chart theme


@app.function
def hours(h):
    """Hours, or days past two days."""
    if h is None:
        return "never"
    return f"{labkit.num(h / 24)} days" if h >= 48 else f"{labkit.num(h)} h"


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # II.12 · The silent fleet

    The failures of chapter II.7 announce themselves: a node crashes, the job restarts. At fleet
    scale the expensive ones are **silent**. A GPU that runs 30 % slow (a *straggler*) stalls
    every synchronous step without raising an error. A CPU core that computes a wrong answer now
    and then (*silent data corruption*, SDC) poisons gradients or tables without a log line:
    Meta found hundreds of such CPUs among hundreds of thousands of machines (Dixit et al. 2021),
    Google "a few mercurial cores per several thousand machines" (Hochschild et al. 2021), and
    Llama 3's 54-day run on 16,384 GPUs stopped six times for SDC (Dubey et al. 2024, table 5).

    A synchronous step waits for its slowest worker, and a fleet holds a defect if any member does:

    $$P(\text{step slowed}) = 1 - (1 - p)^N \qquad
    \frac{T_{\text{step}}}{T_0} = (1 + s\,P)\,\bigl(1 + c_v\sqrt{2\ln N}\bigr)$$

    Screening machines with known-answer tests every $\tau$ hours (each test $\delta$ hours) costs
    $\delta/\tau$ of the fleet, while a defect found on average $\tau/2$ late spoils $b$
    machine-hours per hour, so

    $$\text{cost}(\tau) = \frac{\delta}{\tau} + \frac{b\,\tau}{2M}
    \qquad \tau^* = \sqrt{2\,\delta\,M/b}$$

    with $M$ the mean machine-hours between new defects. A rolling upgrade takes
    $\lceil N/\lfloor uN\rfloor\rceil$ waves when a share $u$ of nodes may be down at once.

    **After this lab you can**

    - explain why a one-in-ten-thousand straggler rate slows *every* step of a 100,000-GPU job;
    - estimate how many silent corruptions a run will meet, and pick the screening interval that
      minimises tests plus undetected damage;
    - size a rolling upgrade of thousands of nodes: its duration and the capacity it takes away.
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

    A synchronous training job runs on **100,000 GPUs**. Each GPU, on any given step, is slow with
    probability **1 in 10,000** (a thermal throttle, a noisy neighbour, a flaky link).
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"About 0.01 % of steps: as rare as one GPU's hiccup": "rare",
                 "About 1 % of steps": "one",
                 "About 63 % of steps": "most",
                 "Essentially every step": "all"},
        label="Predict: what share of the job's steps wait for at least one slow GPU?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _r = HEALTH.solve(ACCELERATOR, n_accelerators=100_000, straggler_probability=1e-4)
    _p = _r.p_step_slowed
    _truth = "all" if _p > 0.95 else "most" if _p > 0.3 else "one" if _p > 0.005 else "rare"
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** $1 - (1 - 10^{{-4}})^{{100{{,}}000}}$ =
    **{pct(_p, 3)}** of steps wait for a straggler: with 100,000 independent chances per step, a
    one-in-ten-thousand event happens about ten times per step. At the default straggler penalty
    (+{pct(_r.straggler_slowdown, 0)}) and 2 % jitter, every step is stretched **{_r.step_stretch:.2f} ×**:
    the fleet delivers **{pct(_r.straggler_goodput)}** of its speed. The rare event of one machine is
    the common case of a fleet.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The fleet
    """)
    return


@app.cell
def _():
    fleet_pick = labkit.ui.dropdown("fleet_pick", options=Systems.Clusters.options(), value=Systems.Clusters.Training_10K.name,
                                label="Cluster")
    job_days = labkit.ui.slider("job_days", start=1, stop=120, step=1, value=30, show_value=True, label="Job length (days)")
    mo.vstack([fleet_pick, job_days])
    return fleet_pick, job_days


@app.cell
def _():
    _c = constants()
    p_slow = labkit.ui.slider("p_slow", steps=STRAGGLER_STEPS, value=1e-4, show_value=True,
                          label="Straggler probability p per accelerator per step")
    slowdown = labkit.ui.slider("slowdown", start=0.0, stop=2.0, step=0.05, value=round(_c.ops_straggler_slowdown, 2),
                            show_value=True, label="Straggler penalty s (+fraction of a step)")
    jitter = labkit.ui.slider("jitter", start=0.0, stop=0.2, step=0.005, value=round(_c.ops_step_time_cv, 3), show_value=True,
                          label="Step-time jitter c_v")
    mo.vstack([mo.md("**Stragglers**"), p_slow, slowdown, jitter])
    return jitter, p_slow, slowdown


@app.cell
def _():
    _c = constants()
    scan_h = labkit.ui.slider("scan_h", steps=[1, 2, 4, 8, 12, 24, 48, 96, 168, 336, 720, 2160], value=168, show_value=True,
                          label="SDC screening interval τ (hours)")
    scan_test = labkit.ui.slider("scan_test", start=0.1, stop=4.0, step=0.1, value=round(_c.ops_sdc_test_time, 1), show_value=True,
                             label="One screening pass δ (hours per machine)")
    redundancy = labkit.ui.dropdown("redundancy", options={"none": 1, "dual (detect by comparison)": 2,
                                         "triple (detect and correct by vote)": 3},
                                value="none", label="Redundant execution")
    mo.vstack([mo.md("**Silent data corruption**"), scan_h, scan_test, redundancy])
    return redundancy, scan_h, scan_test


@app.cell
def _():
    _c = constants()
    unavailable = labkit.ui.slider("unavailable", start=0.01, stop=0.5, step=0.01, value=round(_c.ops_upgrade_max_unavailable, 2),
                               show_value=True, label="Rolling upgrade: share of nodes down at once u")
    wave = labkit.ui.slider("wave", start=0.25, stop=8.0, step=0.25, value=_c.ops_upgrade_wave_time, show_value=True,
                        label="Hours per wave (drain, flash, reboot, validate)")
    mo.vstack([mo.md("**Rolling upgrade**"), unavailable, wave])
    return unavailable, wave


@app.cell
def _(fleet_pick, job_days, scan_test):
    # the optimal screening interval: on the fleet, the job and the test time only (the curve in 4 reads it)
    try:
        optimum = HEALTH.solve(fleet_pick.value, job_duration_hours=24 * job_days.value,
                               scan_time_hours=scan_test.value)
        optimum_error = None
    except MLSysError as _e:
        optimum, optimum_error = None, str(_e)
    return optimum, optimum_error


@app.cell
def _(fleet_pick, jitter, job_days, optimum_error, p_slow, redundancy, scan_h, scan_test, slowdown, unavailable,
      wave):
    # your fleet: one engine call per move
    health, error = None, optimum_error
    if optimum_error is None:
        try:
            health = HEALTH.solve(fleet_pick.value, job_duration_hours=24 * job_days.value,
                                  straggler_probability=p_slow.value, straggler_slowdown=slowdown.value,
                                  step_time_cv=jitter.value, scan_interval_hours=scan_h.value,
                                  scan_time_hours=scan_test.value, redundancy=redundancy.value,
                                  upgrade_max_unavailable=unavailable.value, upgrade_wave_hours=wave.value)
        except MLSysError as _e:
            error = str(_e)
    return error, health


@app.cell
def _(error, health, optimum, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see your fleet's numbers._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**These inputs are not valid.** {error}"), kind="danger"))
    _cost = health.detection_cost + (health.redundancy_multiplier - 1.0)
    _stats = mo.hstack([
        mo.stat(pct(health.p_step_slowed), label="Steps slowed by a straggler", bordered=True,
                caption=f"step × {health.step_stretch:.2f}, goodput {pct(health.straggler_goodput)}"),
        mo.stat(labkit.num(health.expected_sdc_events), label="GPU SDC events in the job", bordered=True,
                caption=f"{labkit.num(health.expected_defective_nodes)} defective hosts expected"),
        mo.stat(pct(health.detection_cost, 2), label="Screening + undetected damage", bordered=True,
                caption=f"τ* = {hours(optimum.raw('optimal_scan_interval'))}"),
        mo.stat(hours(health.raw("upgrade_duration")), label="Rolling upgrade", bordered=True,
                caption=f"{health.upgrade_waves:,} waves of {health.upgrade_nodes_per_wave:,} nodes"),
    ], widths="equal")
    _notes = []
    if health.straggler_goodput < 0.8:
        _notes.append(mo.callout(mo.md(
            f"**Stragglers eat {pct(1 - health.straggler_goodput)} of the fleet.** "
            f"{pct(health.p_step_slowed)} of steps wait for a slow accelerator; at {health.n_accelerators:,} "
            "workers, detect and evict persistent stragglers (or make the step asynchronous / backup "
            "workers) instead of buying more GPUs."), kind="danger"))
    if health.detection_cost > 2 * optimum.detection_cost and health.detection_cost > 0.01:
        _too = "too rarely" if health.raw("scan_interval") > optimum.raw("optimal_scan_interval") else "too often"
        _notes.append(mo.callout(mo.md(
            f"**Screening {_too}.** Every {hours(health.raw('scan_interval'))} costs "
            f"{pct(health.detection_cost, 2)} of the fleet (tests {pct(health.scan_overhead, 2)}, undetected "
            f"corruption {pct(health.undetected_exposure, 2)}); at τ* = {hours(optimum.raw('optimal_scan_interval'))} "
            f"it would cost {pct(optimum.detection_cost, 2)}."), kind="danger"))
    if health.redundancy > 1:
        _notes.append(mo.callout(mo.md(
            f"**Redundant execution costs {pct(health.redundancy_multiplier - 1, 0)} more compute**, "
            f"{_cost / max(optimum.detection_cost, 1e-12):,.0f} × the optimal screening cost: it is for the few "
            "computations (financial totals, a model's final checkpoint) where an undetected error is "
            "unacceptable."), kind="warn"))
    mo.vstack([_stats, *_notes, mo.accordion({"Show the work": mo.md(health.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Stragglers grow with the fleet

    The share of steps that wait for a straggler and the expected step stretch, against the
    number of synchronous workers, at your straggler settings.
    """)
    return


@app.cell
def _(jitter, p_slow, prediction, slowdown):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the curve._"))
    _p = f"{p_slow.value:.6f}".rstrip("0")   # 0.000001, not 1e-06
    _rows = []
    for _k in range(0, 18):
        _r = HEALTH.solve(ACCELERATOR, n_accelerators=2**_k, straggler_probability=p_slow.value,
                          straggler_slowdown=slowdown.value, step_time_cv=jitter.value)
        _rows += [{"N": 2**_k, "value": _r.p_step_slowed, "curve": "share of steps slowed"},
                  {"N": 2**_k, "value": _r.step_stretch - 1.0, "curve": "extra step time (stretch - 1)"}]
    labkit.chart(_rows).mark_line(point=True).encode(
        x=alt.X("N:Q", scale=alt.Scale(type="log", base=2), title="synchronous workers N"),
        y=alt.Y("value:Q", axis=alt.Axis(format=".0%"), title=None),
        color=alt.Color("curve:N", title=None),
        tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("N:Q", format=","), alt.Tooltip("value:Q", format=".2%")],
    ).properties(width=560, height=260, title=f"p = {_p}, s = {slowdown.value:g}, c_v = {jitter.value:g}")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · How often to screen for silent corruption

    Fleet time lost to screening tests ($\delta/\tau$) and to corruption that runs undetected until
    the next test ($b\tau/2M$), with $b$ the job's nodes: in a synchronous job one bad host spoils
    everyone's gradients.
    """)
    return


@app.cell
def _(fleet_pick, job_days, optimum, optimum_error, prediction, scan_test):
    # the U-curve, 41 solves: once per fleet, job or test time, not per move of your τ or the other sliders
    mo.stop(prediction.value is None or optimum_error is not None)
    _opt = optimum.raw("optimal_scan_interval")
    mo.stop(_opt is None, mo.md("_No defects expected: nothing to screen for._"))
    scan_rows = []
    for _i in range(41):
        _tau = _opt / 10 * 100 ** (_i / 40)
        _r = HEALTH.solve(fleet_pick.value, job_duration_hours=24 * job_days.value, scan_time_hours=scan_test.value,
                          scan_interval_hours=_tau)
        scan_rows += [{"hours": _tau, "fraction": _r.scan_overhead, "term": "screening tests δ/τ"},
                  {"hours": _tau, "fraction": _r.undetected_exposure, "term": "undetected corruption bτ/2M"},
                  {"hours": _tau, "fraction": _r.detection_cost, "term": "total"}]
    return (scan_rows,)


@app.cell
def _(error, fleet_pick, health, optimum, prediction, scan_rows):
    mo.stop(prediction.value is None or error is not None)
    _opt = optimum.raw("optimal_scan_interval")
    _x = alt.X("hours:Q", scale=alt.Scale(type="log"), title="screening interval τ (hours)")
    _y = alt.Y("fraction:Q", axis=alt.Axis(format=".1%"), title="share of fleet time")
    _lines = labkit.chart(scan_rows).mark_line().encode(
        x=_x, y=_y, color=alt.Color("term:N", title=None),
        tooltip=[alt.Tooltip("term:N"), alt.Tooltip("hours:Q", format=",.3g"), alt.Tooltip("fraction:Q", format=".2%")])
    _mine = labkit.chart([{"hours": health.raw("scan_interval"), "fraction": health.detection_cost}]).mark_point(
        filled=True, size=110, color="black").encode(x=_x, y=_y)
    alt.layer(_lines, _mine).properties(width=560, height=280,
                                        title=f"{fleet_pick.value.name}: τ* = {hours(_opt)} (black: your τ)")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Worked examples from the sources
    """)
    return


@app.cell
def _():
    _tail = calc_any_affected_probability(0.01, 100)
    _llama = HEALTH.solve(ACCELERATOR, job_duration_hours=54 * 24, n_accelerators=16384)
    _campus = HEALTH.solve(Systems.Clusters.Mega_100K)
    mo.md(f"""
    | source | their figure | engine |
    |:---|:---|---:|
    | Dean & Barroso (2013), *The Tail at Scale*: 1 server in 100 slow, fan-out 100 | 63 % of requests slow | **{pct(_tail)}** |
    | Dubey et al. (2024), Llama 3 table 5: 54 days on 16,384 GPUs | 6 SDC interruptions | **{_llama.expected_sdc_events:.1f}** |
    | Dixit et al. (2021); Hochschild et al. (2021): ~1 defective CPU per 1,000 machines | 12,500-node campus | **{_campus.expected_defective_nodes:.1f} defective hosts**, P(≥ 1) = {pct(_campus.p_any_defective_node)} |

    The SDC rate per GPU is derived from the Llama 3 count (one event per
    {constants().ops_gpu_sdc_mtbf:,.0f} GPU-hours), so reproducing the 6 checks the derivation,
    not an independent measurement; the 1-in-1,000 host figure is our reading of two papers that
    give orders of magnitude, an estimate.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - $1 - (1-p)^N$ turns rare per-machine events into per-step certainties: at $N = 10^5$ anything
      rarer than one in a million per step is still routine. Tail events, not means, set fleet speed.
    - Silent data corruption is a rate, not an accident: a 10,000-GPU month expects about two GPU
      events, and 10,000 machines hold about ten defective hosts. It must be *screened for*, because nothing
      reports it.
    - Screening has its own square-root optimum, $\tau^* = \sqrt{2\delta M / b}$: bigger synchronous
      jobs (larger $b$) must screen more often. Redundant execution (2-3 ×) is far dearer and kept
      for the few results that must never be wrong.
    - Rolling upgrades trade speed for capacity: doubling the share of nodes down halves the
      waves, and every node is out for one wave either way.

    ## Exercises

    The notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=0.01, label="percent")
    mo.vstack([mo.md("**1.** On 4,096 synchronous GPUs, each slow on 1 step in 1,000, what percent of steps "
                     "wait for a straggler?"), ex1])
    return (ex1,)


@app.cell
def _(ex1):
    _r = HEALTH.solve(ACCELERATOR, n_accelerators=4096, straggler_probability=1e-3)
    check_answer(ex1.value, _r.p_step_slowed * 100, "%")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=0.1, label="hours")
    mo.vstack([mo.md("**2.** For the 10,000-H100 training cluster with the default 30-minute screening pass, "
                     "what is the optimal screening interval τ*, in hours?"), ex2])
    return (ex2,)


@app.cell
def _(ex2):
    _r = HEALTH.solve(Systems.Clusters.Training_10K)
    check_answer(ex2.value, _r.optimal_scan_interval.m_as("hour"), "h")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=0.5, label="hours")
    mo.vstack([mo.md("**3.** The 100,000-H100 campus upgrades its drivers with 10 % of nodes down at a time and "
                     "2-hour waves. How many hours does the upgrade take?"), ex3])
    return (ex3,)


@app.cell
def _(ex3):
    _r = HEALTH.solve(Systems.Clusters.Mega_100K, upgrade_max_unavailable=0.1, upgrade_wave_hours=2)
    check_answer(ex3.value, _r.upgrade_duration.m_as("hour"), "h")
    return


if __name__ == "__main__":
    app.run()
