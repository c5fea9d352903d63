# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.16
# goal: Audit one design end to end (fit, latency, accuracy, battery, cost) and find the constraint that binds.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.16 · Conclusion: the architect's audit")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import AuditModel, Engine, Hardware, Models, SpecError
    from mlsysim_core.fmt import pct, si
    from mlsysim_core.solvers.audit import format_check_value
    from mlsysim_core.scenarios import Scenarios

    AUDIT = AuditModel()
    REQUESTS = [10 ** (k / 2) for k in range(4, 21)]      # 100 .. 1e10 requests per day
    BUDGETS = [10 ** (k / 2) for k in range(4, 17)]       # $100 .. $100M per year
    RATES = [10 ** (k / 4) for k in range(-8, 9)]         # 0.01 .. 100 inferences per second

    labkit.init()  # colour-blind-safe chart theme


@app.function
def shown(check):
    """A check's value and limit in a readable unit."""
    return (format_check_value(check["value"], check["unit"]),
            format_check_value(check["limit"], check["unit"]))


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.16 · Conclusion: the architect's audit

    Volume I built the walls one at a time: compute and memory (the roofline), the speed of light
    to a datacenter, energy and batteries, compression's accuracy cost, the money and carbon of
    running a fleet. A real design meets all of them at once, and it is only as good as the one it
    meets worst. The architect's audit checks every requirement and names the **binding
    constraint**, the one to fix first:

    $$
    r_i = \frac{\text{value}_i}{\text{limit}_i}, \qquad
    \text{binding} = \arg\max_i\, r_i, \qquad \text{the design passes iff } \max_i r_i \le 1
    $$

    with the values from the chapters' equations: memory footprint vs capacity,
    $T = T_{\text{compute}} + 2d/v + D/B_{up}$ against the SLO, the accuracy drop of the chosen bit
    width, battery life $E_{batt}/P_{avg}$, and a year of TCO and carbon for the devices the traffic
    needs. (A model that does not fit binds on memory whatever else fails: it does not run.)

    **Learning goals.** After this lab you can

    - evaluate one design against several requirements with the engine's solvers, end to end;
    - find the binding constraint and say by how much it is missed (or how much headroom is left);
    - tell which lever moves which check: bit width, device tier, distance, traffic;
    - defend a design by showing that no alternative in reach passes with more headroom.
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

    A photo app runs ResNet-50 in int8 on an iPhone 15 Pro. The product team requires an answer
    within **50 ms**, at most **1 %** accuracy loss from quantization, and **10 hours** of battery
    while the app classifies 10 photos a second.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"Memory: a phone cannot hold ResNet-50": "memory",
                 "Latency: 50 ms is tight for a phone": "latency",
                 "Accuracy: int8 loses too much": "accuracy",
                 "Battery: the phone cannot last 10 hours": "battery"},
        label="**Predict:** which requirement binds (fails first, or has the least headroom)?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _r = AUDIT.solve(Models.ResNet50, Hardware.iPhone15Pro, bits=8, latency_slo=0.05, max_accuracy_drop=0.01,
                     battery_hours=10, inference_rate=10)
    _right = prediction.value == _r.binding
    _ratios = ", ".join(f"{c['name']} {labkit.num(c['ratio'], 2)}×" for c in _r.table())
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: {_r.binding} binds, at {_r.binding_ratio:.2f}× its limit.**
    The inference itself is cheap ({si(_r.raw("energy_per_inference"), "J")}, {si(_r.raw("total_latency"), "s")});
    what drains the battery is keeping the SoC awake between photos (the engine's idle draw is 30 %
    of its power), so the phone lasts {_r.raw("battery_life") / 3600:.3g} h, not 10. All the ratios:
    {_ratios}.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your design, audited

    Choose the design (model, device, bit width, where the users are) and the requirements. Every
    requirement is one check; the engine composes CompressionModel (accuracy), DeploymentModel
    (fit, latency, energy, battery), EconomicsModel and SustainabilityModel (a year of the devices
    the traffic needs).
    """)
    return


@app.cell
def _():
    model = labkit.ui.dropdown("model", options=Models.options(), value=Models.ResNet50.name, label="Model")
    device = labkit.ui.dropdown("device", options=Hardware.options(), value=Hardware.iPhone15Pro.name, label="Device")
    bits = labkit.ui.radio("bits", options={"16-bit": 16, "int8": 8, "int4": 4}, value="int8", label="Weights", inline=True)
    distance = labkit.ui.slider("distance", start=0, stop=5000, step=50, value=0, show_value=True,
                            label="User to device (km of fibre; 0 = on the device)")
    mo.vstack([mo.hstack([model, device, bits], justify="start"), distance])
    return bits, device, distance, model


@app.cell
def _():
    slo = labkit.ui.slider("slo", start=5, stop=500, step=5, value=50, show_value=True, label="Latency SLO (ms)")
    accuracy = labkit.ui.slider("accuracy", start=0.1, stop=5, step=0.1, value=1.0, show_value=True, label="Max accuracy drop (%)")
    battery = labkit.ui.slider("battery", start=1, stop=48, step=1, value=10, show_value=True, label="Battery target (h)")
    rate = labkit.ui.slider("rate", steps=RATES, value=10.0, show_value=True, label="Inferences per second (battery)")
    requests = labkit.ui.slider("requests", steps=REQUESTS, value=1e6, show_value=True, label="Requests per day (all users)")
    budget = labkit.ui.slider("budget", steps=BUDGETS, value=1e5, show_value=True, label="Budget per year (USD)")
    mo.vstack([mo.hstack([slo, accuracy, battery], justify="start"),
               mo.hstack([rate, requests, budget], justify="start")])
    return accuracy, battery, budget, rate, requests, slo


@app.cell
def _(accuracy, battery, bits, budget, device, distance, model, rate, requests, slo):
    try:
        audit = AUDIT.solve(model.value, device.value, bits=bits.value, latency_slo=slo.value / 1e3,
                            distance_km=distance.value, payload_bytes=50e3 if distance.value > 0 else 0.0,
                            uplink_bandwidth=20e6 / 8, max_accuracy_drop=accuracy.value / 100,
                            battery_hours=battery.value, inference_rate=rate.value,
                            requests_per_day=requests.value, budget_usd_per_year=budget.value)
        error = None
    except SpecError as _e:
        audit, error = None, str(_e)
    return audit, error


@app.cell
def _(audit, error, prediction):
    mo.stop(prediction.value is None, mo.md("_Make your prediction in section 1 first._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {error}"), kind="danger"))
    _rows = []
    for _c in audit.table():
        _v, _l = shown(_c)
        _rows.append(f"| {_c['name']} | {_v} | {_l} | **{labkit.num(_c['ratio'])}** | {'✅' if _c['ok'] else '❌'} |")
    _table = "\n".join(_rows)
    _r = audit.raw()
    mo.md(f"""
    | check | value | limit | value / limit | |
    |:---|---:|---:|---:|:---:|
    {_table}

    {_r["devices"]:,} × {audit.hardware} for the traffic: {labkit.money(_r["tco_usd_per_year"])} a year
    ({labkit.money(_r["cost_per_1k_usd"] * 1000)} per million requests), {_r["carbon_kg_per_year"]:,.0f} kg CO₂e.
    Devices whose price the zoo lacks (phones, most edge boards) count energy only. Battery is
    checked only on devices with one (Mobile, Tiny); for a remote device the upload is 50 kB at 20 Mbit/s.
    """)
    return


@app.cell
def _(audit, error, prediction):
    mo.stop(prediction.value is None or error is not None)
    _rows = [{"check": c["name"], "ratio": max(c["ratio"], 1e-6), "ok": "passes" if c["ok"] else "fails"}
             for c in audit.table()]
    _lo = min(_r["ratio"] for _r in _rows) / 3
    for _r in _rows:
        _r["base"] = _lo  # a log axis has no zero: each bar starts at a floor below the smallest ratio
    _bars = labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("check:N", title=None, sort=None),
        x=alt.X("ratio:Q", scale=alt.Scale(type="log"), title="value / limit (log; 1 = the limit)"),
        x2=alt.X2("base:Q"),
        color=alt.Color("ok:N", title=None, scale=alt.Scale(domain=["passes", "fails"], range=[labkit.PALETTE["blue"], labkit.PALETTE["vermillion"]])),
        tooltip=[alt.Tooltip("check:N"), alt.Tooltip("ratio:Q", format=".3g"), alt.Tooltip("ok:N")])
    _one = labkit.chart([{"ratio": 1}]).mark_rule(color="black").encode(x=alt.X("ratio:Q", scale=alt.Scale(type="log")))  # one x scale for both layers
    (_bars + _one).properties(width=620, height=180, title=f"Binding: {audit.binding}")
    return


@app.cell
def _(audit, error, prediction):
    mo.stop(prediction.value is None or error is not None)
    _levers = {"memory": "fewer bits (int8, int4), a smaller model, or a device with more memory",
               "latency": "a device nearer the user (the round trip) or faster (compute), or fewer bits",
               "accuracy": "more bits: the accuracy drop comes from quantization",
               "battery": "fewer inferences per second, a device with lower idle power, or deep sleep between inferences",
               "cost": "fewer or cheaper devices: a faster device per request, or fewer bits",
               "carbon": "fewer devices or a cleaner grid (lab II.15)"}
    _b = audit.binding
    _c = [c for c in audit.table() if c["name"] == _b][0]
    _v, _l = shown(_c)
    mo.stop(audit.passed, mo.callout(mo.md(
        f"**The design passes.** The tightest check is **{_b}** at {labkit.num(_c['ratio'], 2)}× its limit "
        f"({_v} of {_l}): {pct(1 - _c['ratio'])} headroom. If requirements tighten, this is the wall to watch."),
        kind="success"))
    mo.callout(mo.md(f"""
    **The design fails: {_b} binds at {labkit.num(_c["ratio"])}× its limit** ({_v} against {_l}). Fix it
    first; no other improvement matters until it passes. Levers: {_levers[_b]}.
    """), kind="danger")
    return


@app.cell
def _(audit, error, prediction):
    mo.stop(prediction.value is None or error is not None)
    mo.accordion({"Show the work": mo.md(audit.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Defend the design: the alternatives in reach

    An architect defends a design by showing the alternatives fail worse. The same requirements,
    for every bit width on one device of each tier:
    """)
    return


@app.cell
def _(accuracy, battery, budget, distance, model, prediction, rate, requests, slo):
    # 12 audits: on the model and the requirements only, so changing your device or bits does not redo them
    mo.stop(prediction.value is None)
    _devices = [Hardware.H100, Hardware.JetsonOrinNX, Hardware.iPhone15Pro, Hardware.ESP32_S3]
    _rows, _error = [], None
    try:
        for _hw in _devices:
            for _bits in (16, 8, 4):
                _a = AUDIT.solve(model.value, _hw, bits=_bits, latency_slo=slo.value / 1e3,
                                 distance_km=distance.value if _hw.tier == "Cloud" else 0.0,
                                 payload_bytes=50e3 if (_hw.tier == "Cloud" and distance.value > 0) else 0.0,
                                 uplink_bandwidth=20e6 / 8, max_accuracy_drop=accuracy.value / 100,
                                 battery_hours=battery.value, inference_rate=rate.value,
                                 requests_per_day=requests.value, budget_usd_per_year=budget.value)
                _rows.append(f"| {_hw.name} | {_bits} | {'✅ passes' if _a.passed else '❌ fails'} | "
                             f"{_a.binding} | {labkit.num(_a.binding_ratio)} |")
    except SpecError as _e:
        _error = str(_e)
    mo.stop(_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {_error}"), kind="danger"))
    _table = "\n".join(_rows)
    mo.md(f"""
    | device | bits | verdict | binding | value / limit |
    |:---|---:|:---:|:---|---:|
    {_table}

    (The cloud device is at your distance from the user; the others hold the model themselves.)
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The worked example, live: the Smart Doorbell

    The reference's lighthouse scenario **SmartDoorbell** runs the Wake Vision person detector on
    an ESP32-S3 against a 200 ms SLA (`Scenarios.SmartDoorbell.evaluate()`). The audit of the same
    design at 16-bit must agree with the scenario's scorecard on fit and latency:
    """)
    return


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_The numbers appear once you have made your prediction._"))
    _s = Scenarios.SmartDoorbell
    _a = AUDIT.solve(_s.workload, _s.system, bits=16, latency_slo=_s.sla_latency.m_as("s"))
    _p = Engine.solve(_s.workload, _s.system)
    mo.md(f"""
    | | scenario scorecard (Engine) | audit |
    |:---|---:|---:|
    | memory | {si(_p.raw("memory_footprint"), "B")} of {si(_p.raw("memory_capacity"), "B")} | {si(_a.raw("memory_footprint"), "B")} of {si(_a.raw("memory_capacity"), "B")} |
    | latency vs {_s.sla_latency.m_as("ms"):g} ms | {si(_p.raw("latency"), "s")} | {si(_a.raw("total_latency"), "s")} |
    | binding | | **{_a.binding}** ({_a.binding_ratio:.2f}×) |

    ```
    {_s.evaluate().scorecard()}
    ```
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **A design is as good as its worst check.** Compute every requirement's value / limit; the
      largest ratio is the binding constraint, and fixing anything else is wasted effort.
    - **Different tiers bind on different walls**: the cloud on distance and cost, the phone on
      battery, the microcontroller on memory and compute, quantization on accuracy.
    - **Fit comes first.** A model that does not fit binds on memory, whatever its latency would be.
    - **Headroom is part of the answer.** A design that passes at 0.95× of a limit is one product
      change away from failing; say which wall it is.

    ## Exercises

    **Exercise 1.** ResNet-50 in int8 on the Jetson Orin NX: by what factor is the 50 ms latency
    SLO met (value / limit)? The users are on the device itself.
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Latency value / limit")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    _a = AUDIT.solve(Models.ResNet50, Hardware.JetsonOrinNX, bits=8, latency_slo=0.05)
    check_answer(answer_1.value, [c["ratio"] for c in _a.table() if c["name"] == "latency"][0], "")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** ResNet-50 in 16-bit on H100s serving 10 billion requests a day: how many H100s
    does the audit count, and what is a year's TCO in thousands of dollars? (Give the TCO.)
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="TCO per year (thousand USD)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    check_answer(answer_2.value,
                 AUDIT.solve(Models.ResNet50, Hardware.H100, bits=16, requests_per_day=1e10).raw("tco_usd_per_year") / 1e3,
                 "k USD")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** Llama-3.1-8B on the iPhone 15 Pro: what is the memory value / limit at int4?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Memory value / limit at int4")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    check_answer(answer_3.value, AUDIT.solve(Models.Llama3_8B, Hardware.iPhone15Pro, bits=4).binding_ratio, "")
    return


if __name__ == "__main__":
    app.run()
