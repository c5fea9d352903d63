# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.17
# goal: Evaluate the four lighthouse scenarios end to end, find the wall each one hits, and defend a design with numbers.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.17 · Capstone: lighthouse scenarios")

with app.setup:
    import html
    import re

    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import (
        PRECISIONS,
        Hardware,
        Infra,
        Personas,
        Scenario,
        Scenarios,
        SensitivitySolver,
        SpecError,
        Systems,
        plot_evaluation_scorecard,
    )
    from mlsysim_core.fmt import pct, si
    from mlsysim_core.plots import plot_step_breakdown

    BATCHES = [2**k for k in range(14)]   # 1 .. 8192
    KNOBS = {"peak_flops": "peak FLOP/s", "memory_bandwidth": "memory bandwidth",
             "memory_capacity": "memory capacity", "intra_node_bandwidth": "NVLink bandwidth",
             "fabric_bandwidth": "fabric bandwidth", "fabric_latency": "fabric latency"}
    WALLS = {1: "memory wall (L1)", 2: "SLA wall (L2)"}

    labkit.init()  # colour-blind-safe chart theme


@app.function
def log_baseline(rows, field):
    """Give bars on a log axis somewhere to start: a ``base`` a decade below the smallest value."""
    _floor = min((r[field] for r in rows if r[field] > 0), default=1.0) / 10.0
    for r in rows:
        r["base"] = _floor


@app.function
def escape_money(text):
    """An explain() text (or a scorecard summary) with its dollars escaped and $LaTeX$ equations kept."""
    blocks = []
    for block in text.split("\n\n"):
        head, sep, numbers = block.partition("\n&nbsp;&nbsp;= ")
        if not sep:                       # no equation in it: a plain sentence
            head, numbers = "", head
        blocks.append(head + sep + re.sub(r"(?<!\\)\$", r"\\$", numbers))   # idempotent
    return "\n\n".join(blocks)


@app.function
def on_system(scenario, system):
    """The same workload, SLA and mode as ``scenario``, on another device or fleet of the zoo."""
    kind = "Systems" if hasattr(system, "total_accelerators") else "Hardware"
    return Scenario(scenario.name, scenario.title, scenario.workload.key, f"{kind}.{system.key}",
                    scenario.sla_ms, scenario.mode, scenario.default_batch, scenario.sla_meaning)


@app.function
def usage(evaluation):
    """How far each wall is used: memory needed / capacity (L1) and latency / SLA (L2); > 1 is a hit."""
    m, p = evaluation.feasibility.metrics, evaluation.performance.metrics
    return {1: m["memory_required_gb"] / m["memory_capacity_gb"], 2: p["latency_ms"] / p["sla_ms"]}


@app.function
def of_limit(used):
    """A wall's use as a share of its limit: a percentage, or a multiple once far past it."""
    return f"{labkit.num(used)}× the limit" if used >= 10 else pct(used, 0)


@app.function
def first_failure(evaluation):
    """The lowest scorecard level that fails (1, 2, 3), or None when all pass."""
    return next((lv.level for lv in evaluation.levels if not lv.passed), None)


@app.function
def wall_callout(evaluation):
    """The wall this evaluation hits (or comes closest to), with the numbers, as a callout."""
    m, p = evaluation.feasibility.metrics, evaluation.performance.metrics
    use = usage(evaluation)
    head = f"**{evaluation.title}** ({evaluation.workload} on {evaluation.system})"
    if not evaluation.feasibility.passed:
        return mo.callout(mo.md(
            f"{head} **hits the memory wall.** It needs {si(m['memory_required_gb'] * 1e9, 'B')} and has "
            f"{si(m['memory_capacity_gb'] * 1e9, 'B')}: short by "
            f"**{si((m['memory_required_gb'] - m['memory_capacity_gb']) * 1e9, 'B')}** "
            f"({use[1]:.2f}× capacity). {evaluation.feasibility.summary}. No latency matters until it fits: "
            "lower the precision or the batch, or move to a system with more memory."), kind="danger")
    if not evaluation.performance.passed:
        return mo.callout(mo.md(
            f"{head} **hits the SLA wall.** {labkit.num(p['latency_ms'], 4)} ms against an SLA of {p['sla_ms']:g} ms: "
            f"**{use[2]:.2f}× too slow**. {evaluation.performance.summary}."), kind="danger")
    if not evaluation.passed:
        return mo.callout(mo.md(f"{head} fits and meets its SLA, but misses its budget: "
                                f"{escape_money(evaluation.macro.summary)}."), kind="warn")
    near = max(use, key=use.get)
    return mo.callout(mo.md(
        f"{head} **passes.** Its nearest wall is the {WALLS[near]}, at {pct(use[near])} of the limit "
        f"(memory {pct(use[1])}, latency {pct(use[2])} of the SLA)."), kind="success")


@app.function
def scorecards_text(evaluations):
    """The engine's text scorecards, as a Markdown code block."""
    # wrapped, not cut off at the right edge on a narrow page or projector
    return mo.Html('<pre style="white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.85em">'
                   + html.escape("\n\n".join(ev.scorecard() for ev in evaluations)) + "</pre>")


@app.function
def show_work(evaluation):
    """An accordion with each solver result behind a scorecard (roofline or plan, cost, failures)."""
    names = {"profile": "L1/L2: the roofline of one inference", "training_profile": "L1: the fine-tuning footprint",
             "distributed": "L1/L2: the training step of the chosen plan", "economics": "L3: cost and carbon",
             "reliability": "L3: failures and goodput"}
    d = evaluation.details
    return mo.accordion({f"Show the work: {label}": mo.md(escape_money(d[k].explain()))
                         for k, label in names.items() if k in d})


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 12 · Capstone: the lighthouse scenarios

    Every earlier lab asked one question at a time: is it memory-bound (01)? what does training
    cost (02)? does it fit (03, 04)? how long does a step take on a fleet (06, 07)? how often does
    it fail (08)? how much carbon (11)? A real design has to answer *all* of them at once, and it
    fails at the first wall it hits. The four **lighthouse scenarios** span the whole range of
    machine-learning systems, from a microcontroller in a doorbell to eight thousand GPUs, and
    each is scored on three levels:

    $$
    \text{PASS} \iff
    \underbrace{M_{\text{need}} \le M_{\text{capacity}}}_{\text{L1 feasibility: the memory wall}}
    \;\wedge\;
    \underbrace{T \le T_{\text{SLA}}}_{\text{L2 performance: the SLA wall}}
    \;\wedge\;
    \underbrace{\text{TCO} \le B_{\$},\ \text{CO}_2\text{e} \le B_{\text{CO}_2}}_{\text{L3 macro: cost and carbon}}
    $$

    where $T$ is the roofline latency $\max\left(\frac{\text{FLOPs}}{\text{Peak}\,\eta},
    \frac{\text{Bytes}}{\text{BW}}\right) + \tau$ on one device, or the step time of the best
    parallelism plan on a fleet; L3 always reports cost and carbon and fails only against a budget.

    **Learning goals.** After this lab you can

    - evaluate a scenario end to end and read its scorecard level by level;
    - name the wall a design hits (memory or SLA) and by how much, with the numbers;
    - change hardware, precision and batch to defend a design, and say what the change costs
      elsewhere (utilisation, days, dollars, carbon);
    - read a persona's ledger: performance, sustainability, economics and reliability at the
      scale it is deployed.
    """)
    return


@app.cell(hide_code=True)
def _():
    labkit.toolbar()
    return


@app.cell
def _():
    _rows = "\n".join(
        f"| {_s.title} | {_s.workload.name} | {_s.system.name} | {_s.mode} | {_s.sla_ms:g} ms | {_s.sla_meaning} |"
        for _s in Scenarios)
    mo.md(f"""
    | scenario | workload | system | mode | SLA | what the SLA bounds |
    |:---|:---|:---|:---|---:|:---|
    {_rows}
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Predict first

    Each scenario runs at its defaults: fp16, its default batch (1 for the three single-device
    scenarios, 2048 sequences for frontier training), kernel efficiency 0.5. "Fails first" means
    at the lowest level of the scorecard: not fitting in memory (L1) comes before missing the SLA
    (L2).
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Smart doorbell: a vision model is too slow on a microcontroller": "SmartDoorbell",
            "Autonomous vehicle: ResNet-50 cannot keep the perception deadline on a Jetson": "AutonomousVehicle",
            "Local fine-tuning: the training state of an 8B model does not fit in the laptop": "LocalFineTuning",
            "Frontier training: the training step is slower than its SLA": "FrontierTraining",
            "None: every lighthouse passes at its defaults": "none",
        },
        label="**Predict:** which scenario fails first, and why?",
    )
    prediction
    return (prediction,)


@app.cell
def _():
    # the four lighthouses at their defaults (evaluated once, used by the reveal and section 2)
    defaults = [_s.evaluate(precision="fp16") for _s in Scenarios]
    return (defaults,)


@app.cell
def _(defaults, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see the four scorecards._"))
    _levels = {_ev.scenario_name: first_failure(_ev) for _ev in defaults}
    _failing = {k: v for k, v in _levels.items() if v is not None}
    _first = min(_failing.values()) if _failing else None
    _firsts = [k for k, v in _failing.items() if v == _first]
    _right = prediction.value in _firsts or (not _failing and prediction.value == "none")
    _by = {_ev.scenario_name: _ev for _ev in defaults}
    _lines = []
    for _name, _lv in sorted(_failing.items(), key=lambda kv: kv[1]):
        _ev = _by[_name]
        _lines.append(f"- **{_ev.title}** fails at **L{_lv} {_ev.levels[_lv - 1].name}**: "
                      f"{escape_money(_ev.levels[_lv - 1].summary)}.")
    _passing = ", ".join(_by[k].title for k, v in _levels.items() if v is None)
    _why = "\n".join(_lines)
    mo.vstack([
        mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}.** {("First to fail: **" + ", ".join(_by[k].title for k in _firsts) + f"**, at level L{_first}.") if _failing else "All four pass."}

    {_why}

    Passing: {_passing or "none"}. The laptop has plenty of memory to *run* the 8B model (the
    inference latency is well inside its SLA), but fine-tuning keeps weights, gradients, two Adam
    moments and activations: several times the weights. The frontier cluster fits its plan easily
    and still misses its step-time SLA: the communication and pipeline bubble on top of the math
    push the step past it.
    """), kind="success" if _right else "warn"),
        plot_evaluation_scorecard(defaults, width=560),
        scorecards_text(defaults),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Each lighthouse and its wall

    How much of each wall a scenario uses: memory needed over capacity (L1) and latency over the
    SLA (L2). Past the red line at 1.0 the wall is hit. The axis is logarithmic: the doorbell
    uses a small part of its microcontroller's memory but about half its SLA; the laptop is just
    over its memory wall.
    """)
    return


@app.cell
def _(defaults, prediction):
    # which wall each lighthouse hits is the prediction's answer: hidden until it is committed
    mo.stop(prediction.value is None, mo.md("_Commit to an answer in section 1 to see each lighthouse's walls._"))
    _rows = [{"scenario": _ev.title, "wall": WALLS[_k], "use": _u}
             for _ev in defaults for _k, _u in usage(_ev).items()]
    log_baseline(_rows, "use")   # a log axis has no zero: bars start from a floor below the smallest
    _x = alt.X("use:Q", scale=alt.Scale(type="log"), title="used / limit (log scale; > 1 = wall hit)")
    _bars = labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("scenario:N", sort=None, title=None), yOffset=alt.YOffset("wall:N"), x=_x, x2=alt.X2("base:Q"),
        color=alt.Color("wall:N", title=None, scale=alt.Scale(domain=list(WALLS.values()),
                                                              range=["#0072B2", "#E69F00"])),
        tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("wall:N"), alt.Tooltip("use:Q", format=".3g")])
    _wall = labkit.chart([{"use": 1.0}]).mark_rule(color="#D55E00", strokeWidth=2).encode(x=alt.X("use:Q"))
    mo.vstack([(_bars + _wall).properties(width=560, height=240, title="How close each lighthouse is to its walls"),
               *[wall_callout(_ev) for _ev in defaults]])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Defend a design

    Pick a scenario, then change what a designer controls: the system (any device of the zoo for
    the three single-device scenarios, any cluster for frontier training), the precision, the
    batch, and the kernel efficiency. The workload and the SLA stay fixed: they are the customer's.
    Your job is to make all three levels pass, and to know what the fix costs.
    """)
    return


@app.cell
def _():
    scenario = labkit.ui.dropdown("scenario", options=Scenarios.options(), value=Scenarios.LocalFineTuning.title,
                              label="Scenario")
    scenario
    return (scenario,)


@app.cell
def _(scenario):
    _sc = scenario.value
    _systems = Systems.Clusters.options() if _sc.is_distributed else Hardware.options()
    design_system = labkit.ui.dropdown("design_system", options=_systems, value=_sc.system.name, label="System")
    design_batch = labkit.ui.slider("design_batch", steps=BATCHES, value=_sc.default_batch, show_value=True,
                                label="Global batch" if _sc.is_distributed else "Batch")
    mo.hstack([design_system, design_batch], justify="start")
    return design_batch, design_system


@app.cell
def _():
    design_precision = labkit.ui.dropdown("design_precision", options=list(PRECISIONS), value="fp16", label="Precision")
    design_eta = labkit.ui.slider("design_eta", start=0.1, stop=1.0, step=0.05, value=0.5, show_value=True,
                              label="Kernel efficiency η")
    mo.hstack([design_precision, design_eta], justify="start")
    return design_eta, design_precision


@app.cell
def _(design_batch, design_eta, design_precision, design_system, scenario):
    try:
        design = on_system(scenario.value, design_system.value).evaluate(
            batch_size=design_batch.value, precision=design_precision.value, efficiency=design_eta.value)
        design_error = None
    except SpecError as _e:
        design, design_error = None, str(_e)
    return design, design_error


@app.cell
def _(design, design_batch, design_error, design_eta, design_precision, design_system, scenario):
    mo.stop(design_error is not None,
            mo.callout(mo.md(f"**The engine rejected this design.** {design_error}"), kind="danger"))
    # which resource the latency follows (lab 10): on a fleet, for the plan the scenario chose
    _extra = {}
    if "distributed" in design.details:
        _d = design.details["distributed"]
        _p = _d.raw("parallelism")
        _extra = dict(tp_size=_p["tp"], pp_size=_p["pp"], ep_size=_p["ep"],
                      microbatch_count=_d.raw("microbatch_count"), v_stages=_d.raw("v_stages"),
                      zero_stage=_d.raw("zero_stage"), activation_recomputation=_d.raw("activation_recomputation"),
                      overlap_comm=_d.raw("overlap_comm"))
    try:
        _s = SensitivitySolver().solve(scenario.value.workload, design_system.value, batch_size=design_batch.value,
                                       precision=design_precision.value, efficiency=design_eta.value, **_extra)
        _follows, _g = KNOBS[_s.binding_constraint], (
            f"elasticity {_s.gains[_s.binding_constraint]:.2f}: 2× more of it makes the step "
            f"{2 ** _s.gains[_s.binding_constraint]:.2g}× faster (1.00 = fully bound)")
    except SpecError as _e:
        _follows, _g = "n/a", str(_e)
    _use = usage(design)
    mo.vstack([
        mo.hstack([
            mo.stat(of_limit(_use[1]), label="Memory wall (L1)", caption=design.feasibility.status, bordered=True),
            mo.stat(of_limit(_use[2]), label="SLA wall (L2)",
                    caption=f"{labkit.num(design.performance.metrics['latency_ms'], 4)} ms of {design.sla_ms:g} ms",
                    bordered=True),
            mo.stat(_follows, label="Latency follows", caption=_g, bordered=True),
            mo.stat("PASS" if design.passed else "FAIL", label="Overall", bordered=True),
        ], widths="equal"),
        wall_callout(design),
        plot_evaluation_scorecard(design, width=560),
        scorecards_text([design]),
    ])
    return


@app.cell
def _(scenario):
    shipped = scenario.value.evaluate(precision="fp16")   # the scenario as specified, for comparison
    return (shipped,)


@app.cell
def _(design, design_error, scenario, shipped):
    mo.stop(design_error is not None)
    _ship = shipped
    _rows = []
    for _label, _ev in (("as shipped", _ship), ("your design", design)):
        for _k, _u in usage(_ev).items():
            _rows.append({"design": _label, "wall": WALLS[_k], "use": _u})
    log_baseline(_rows, "use")
    _bars = labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("wall:N", title=None), yOffset=alt.YOffset("design:N", sort=["as shipped", "your design"]),
        x=alt.X("use:Q", scale=alt.Scale(type="log"), title="used / limit (log scale; > 1 = wall hit)"),
        x2=alt.X2("base:Q"),
        color=alt.Color("design:N", title=None, sort=["as shipped", "your design"],
                        scale=alt.Scale(range=["#bab0ac", "#0072B2"])),
        tooltip=[alt.Tooltip("design:N"), alt.Tooltip("wall:N"), alt.Tooltip("use:Q", format=".3g")])
    _wall = labkit.chart([{"use": 1.0}]).mark_rule(color="#D55E00", strokeWidth=2).encode(x=alt.X("use:Q"))
    _m3s, _m3d = _ship.macro.metrics, design.macro.metrics
    mo.vstack([
        (_bars + _wall).properties(width=560, height=150, title=f"{scenario.value.title}: your design against the walls"),
        mo.md(f"""
    | L3 | as shipped | your design |
    |:---|---:|---:|
    | period | {_m3s["duration_days"]:,.1f} days | {_m3d["duration_days"]:,.1f} days |
    | energy | {si(_m3s["energy_kwh"] * 1e3, "Wh")} | {si(_m3d["energy_kwh"] * 1e3, "Wh")} |
    | carbon | {labkit.num(_m3s["carbon_kg"] / 1e3)} t CO2e | {labkit.num(_m3d["carbon_kg"] / 1e3)} t CO2e |
    | total cost of ownership | {labkit.money(_m3s["tco_usd"])} | {labkit.money(_m3d["tco_usd"])} |

    A design that passes L1 and L2 is not yet defended: check what it did to this table.
    """),
        show_work(design),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Defences to try: the laptop fine-tuning passes at int8 or fp8 (weights, gradients and
    activations shrink; the Adam state does not), or on a device with more memory; the doorbell breaks at batch 8 (its SLA)
    and at batch 64 in fp32 (its memory); the autonomous vehicle is far from both walls at batch 1,
    until you batch its camera frames; frontier training meets its SLA at batch 1024 or in fp8.

    ## 4 · The personas: scaling a scenario into a ledger

    A scenario is one deployment; a **persona** is the business that runs it at scale: one frontier
    cluster, ten thousand vehicles, a hundred million phones, ten million doorbells. Each persona
    turns its scenario into a **SystemLedger** of four accounts. (The laptop fine-tuning has no
    persona; the phones run the zoo's mobile-health scenario.) Choose the grid that powers them:
    """)
    return


@app.cell
def _():
    region = labkit.ui.dropdown("region", options=Infra.Grids.options(), value=Infra.Grids.US_Average.name,
                            label="Electricity grid")
    ledger_precision = labkit.ui.dropdown("ledger_precision", options=list(PRECISIONS), value="fp16", label="Precision")
    mo.hstack([region, ledger_precision], justify="start")
    return ledger_precision, region


@app.cell
def _(ledger_precision, region):
    try:
        ledgers = [_p.evaluate(precision=ledger_precision.value, region=region.value) for _p in Personas]
        ledger_error = None
    except SpecError as _e:
        ledgers, ledger_error = [], str(_e)
    return ledger_error, ledgers


@app.cell
def _(ledger_error, ledgers):
    mo.stop(ledger_error is not None,
            mo.callout(mo.md(f"**The engine rejected these inputs.** {ledger_error}"), kind="danger"))
    _rows = []
    for _l in ledgers:
        _p, _s, _e, _r = _l.performance, _l.sustainability, _l.economics, _l.reliability
        _star = "" if _e.unit_cost_known else " \\*"
        _rows.append(
            f"| **{_l.persona_name}** | {_l.scale:,.0f} {_l.unit_of_scale} | {labkit.num(_p.latency_ms)} ms, "
            f"{_p.bottleneck}{'' if _p.feasible else ' (does not fit)'} | {si(_s.energy_kwh * 1e3, 'Wh')}, "
            f"{labkit.num(_s.carbon_kg / 1e3)} t CO2e | {labkit.money(_e.tco_usd)}{_star} | "
            f"{labkit.num(_r.expected_failures)} failures, goodput {pct(_r.goodput)} |")
    _table = "\n".join(_rows)
    _chart_rows = []
    for _l in ledgers:
        _chart_rows += [{"persona": _l.persona_name, "account": "carbon (t CO2e)",
                         "value": max(_l.sustainability.carbon_kg / 1e3, 1e-6)},
                        {"persona": _l.persona_name, "account": "total cost ($)", "value": max(_l.economics.tco_usd, 1e-6)},
                        {"persona": _l.persona_name, "account": "energy (kWh)",
                         "value": max(_l.sustainability.energy_kwh, 1e-6)}]
    for _acct in {_r["account"] for _r in _chart_rows}:
        log_baseline([_r for _r in _chart_rows if _r["account"] == _acct], "value")
    _chart = labkit.chart(_chart_rows).mark_bar().encode(
        y=alt.Y("persona:N", sort=None, title=None),
        x=alt.X("value:Q", scale=alt.Scale(type="log"), axis=alt.Axis(format="~s"), title=None),
        x2=alt.X2("base:Q"),
        color=alt.Color("persona:N", legend=None),
        column=alt.Column("account:N", title=None, sort=["energy (kWh)", "carbon (t CO2e)", "total cost ($)"]),
        tooltip=[alt.Tooltip("persona:N"), alt.Tooltip("account:N"), alt.Tooltip("value:Q", format=",.4g")],
    ).properties(width=170, height=150).resolve_scale(x="independent")
    _tabs = {_l.persona_name: mo.md("```text\n" + _l.summary() + "\n```"
                                   + "".join(f"\n\n_Note: {_n}._" for _n in _l.notes)) for _l in ledgers}
    mo.vstack([
        mo.md(f"""
    | persona | deployed | performance | sustainability | economics (TCO) | reliability |
    |:---|---:|:---|:---|---:|:---|
    {_table}

    \\* device price not in the zoo: capital cost counted as \\$0, so the TCO is energy only.
    """),
        _chart,
        mo.ui.tabs(_tabs),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Scale turns watts into gigawatt-hours: counted at full power around the clock (the engine's
    upper bound for devices), a year of ten million doorbells or a hundred million phones
    out-emits a whole frontier training run. Switch the grid to Quebec or Poland to see how much of each
    ledger the *where* decides (lab 11); switch the precision to see what the *how* decides.

    ## 5 · Worked example: the frontier-training scorecard

    From the paper (section 6.1, "Level 3: systems design"):
    `Scenarios.FrontierTraining.evaluate(batch_size=2048, precision="fp16")`, live:
    """)
    return


@app.cell
def _():
    frontier = Scenarios.FrontierTraining.evaluate(batch_size=2048, precision="fp16")
    mo.vstack([scorecards_text([frontier]), plot_evaluation_scorecard(frontier, width=560),
               plot_step_breakdown(frontier.details["distributed"], width=560), wall_callout(frontier),
               show_work(frontier)])
    return (frontier,)


@app.cell
def _(frontier):
    _sc = Scenarios.FrontierTraining
    _designs = [("as specified: batch 2048, fp16", frontier),
                ("batch 2048, fp8", _sc.evaluate(batch_size=2048, precision="fp8")),
                ("batch 1024, fp16", _sc.evaluate(batch_size=1024, precision="fp16")),
                ("batch 256, fp16", _sc.evaluate(batch_size=256, precision="fp16"))]
    _rows = []
    for _label, _ev in _designs:
        _m2, _m3 = _ev.performance.metrics, _ev.macro.metrics
        _rows.append(f"| {_label} | {labkit.num(_m2['latency_ms'], 4)} ms | {_ev.performance.status} | {pct(_m2['mfu'])} | "
                     f"{_m3['duration_days']:,.1f} | {labkit.money(_m3['tco_usd'])} | {labkit.num(_m3['carbon_kg'] / 1e3)} t |")
    _table = "\n".join(_rows)
    mo.md(f"""
    Three ways to pass L2, and what each costs (the run is the model's full training-token budget):

    | design | step | L2 | MFU | days, with failures | TCO | CO2e |
    |:---|---:|:---:|---:|---:|---:|---:|
    {_table}

    fp8 passes honestly: half the bytes and twice the peak halve the step *and* the run. A smaller
    batch passes the step-time SLA by giving each GPU less work: the same fixed communication and
    pipeline costs weigh more, utilisation falls, and the whole run takes longer and costs more. An
    SLA is a proxy for what the customer wants; defending a design means checking the ledger, not
    only the scorecard.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **A design fails at its first wall.** Memory comes first (L1): a model that does not fit has
      no latency. Then the SLA (L2), then the budget (L3).
    - **Training needs several times the memory of inference**: weights, gradients, optimizer
      state and activations. The laptop that serves an 8B model cannot fine-tune it in fp16.
    - **Every fix moves a cost.** Lower precision shrinks memory and time but costs accuracy (lab
      03); a smaller batch meets a step SLA by wasting the fleet; a bigger device costs money and
      carbon. A defended design names the wall, the fix, and what the fix did to the ledger.
    - **Scale multiplies everything**: a few watts per phone, times a hundred million, is a
      power plant.

    ## Exercises

    Type your answer; the cell below each box checks it against the engine (within 3 %).

    **Exercise 1.** In the worked example (frontier training, batch 2048, fp16), how long is one
    training step, in **ms**?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Step time (ms)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1, frontier):
    check_answer(answer_1.value, frontier.performance.metrics["latency_ms"], "ms")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** Local fine-tuning at its defaults (batch 1, fp16): by how many **GB** does the
    fine-tuning footprint exceed the laptop's memory?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Shortfall (GB)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    _ev = Scenarios.LocalFineTuning.evaluate(precision="fp16")
    check_answer(answer_2.value, _ev.details["training_profile"].raw("shortfall") / 1e9, "GB")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** The CloudTitan persona runs its frontier training in Quebec (`Infra.Grids.Quebec`,
    fp16, default batch). How many **tonnes** of CO2e does its ledger show?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Carbon (t CO2e)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    _l = Personas.CloudTitan.evaluate(precision="fp16", region=Infra.Grids.Quebec)
    check_answer(answer_3.value, _l.sustainability.carbon_kg / 1e3, "t CO2e")
    return


if __name__ == "__main__":
    app.run()
