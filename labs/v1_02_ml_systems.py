# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.2
# goal: Run one model on cloud, edge, phone and microcontroller; see which meets 50 ms once the speed of light is counted.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.2 · ML systems: the physics of deployment")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import DeploymentModel, Hardware, Models, SpecError, calc_battery_life, constants
    from mlsysim_core.fmt import si

    DEPLOY = DeploymentModel()
    TIERS = ("Cloud", "Edge", "Mobile", "Tiny")
    DISTANCES_KM = [0] + [250 * k for k in range(1, 41)]   # 0 .. 10,000 km for the sweep

    labkit.init()  # colour-blind-safe chart theme


@app.function
def hours(seconds):
    """A battery life in the unit a person would use."""
    if seconds is None:
        return "mains"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.3g} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.3g} h"
    return f"{labkit.num(seconds / 86400)} days"


@app.function
def place(model, devices, precision, distances, payload_bytes, uplink, slo):
    """One DeploymentModel solve per tier: the user is ``distances[tier]`` km from the device;
    only remote tiers (distance > 0) upload the input."""
    out = {}
    for tier in TIERS:
        d = distances[tier]
        out[tier] = DEPLOY.solve(model, devices[tier], precision=precision, distance_km=d,
                                 payload_bytes=payload_bytes if d > 0 else 0.0,
                                 uplink_bandwidth=uplink, latency_slo=slo)
    return out


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.2 · ML systems: the physics of deployment

    The same trained model can run in a datacenter, on an edge box in the building, on the phone
    in your hand or on a microcontroller the size of a stamp. The datacenter GPU is thousands of
    times faster than the phone. So why does your phone's camera app not send every frame to the
    cloud? Because a deployment is not one number but several, and each tier loses on a different
    one. Three walls decide:

    - **latency**, which for a remote device includes the trip there and back. Light in glass fibre
      travels at $v = c / n_g \approx 204{,}000$ km/s (about two thirds of $c$); no engineering
      makes it faster;
    - **energy and power**: a phone runs on a battery of about a dozen watt-hours, a
      microcontroller on a coin cell;
    - **memory**: the model has to fit on the device at all.

    $$
    T = \underbrace{\max\!\left(\frac{\text{FLOPs}}{\text{Peak}\,\eta}, \frac{\text{Bytes}}{\text{BW}}\right) + \tau}_{\text{compute on the device}}
      \;+\; \underbrace{\frac{2d}{v}}_{\text{round trip}} \;+\; \underbrace{\frac{D}{B_{up}}}_{\text{upload}}
    \qquad
    E = P \times T_{\text{compute}}
    \qquad
    t_{\text{battery}} = \frac{E_{\text{battery}}}{P_{\text{avg}}}
    $$

    **Learning goals.** After this lab you can

    - compute the round trip to a datacenter from the fibre distance, and see when it, not
      the model, uses up a latency budget;
    - compare the same model's latency, energy per inference and memory fit across the four tiers;
    - turn energy per inference into battery life and inferences per charge;
    - name the wall that rules out each tier for a given model and service-level objective (SLO).
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

    MobileNetV2 classifies a photo. Your user is **2,000 km** from the datacenter, which runs the
    model on an NVIDIA H100. The same model, in int8, also runs on the user's iPhone 15 Pro. The
    H100's int8 peak is about fifty times the phone's.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "The H100 in the cloud: fifty times the compute wins": "Cloud",
            "The phone: the round trip alone takes longer than the phone's whole inference": "Mobile",
            "A tie: both are well under a millisecond": "tie",
        },
        label="**Predict:** counting the network, which answers first for a user 2,000 km away?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _cloud = DEPLOY.solve(Models.MobileNetV2, Hardware.H100, precision="int8", distance_km=2000)
    _phone = DEPLOY.solve(Models.MobileNetV2, Hardware.iPhone15Pro, precision="int8")
    _winner = "Cloud" if _cloud.raw("total_latency") < _phone.raw("total_latency") else "Mobile"
    _right = prediction.value == _winner
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: the {"phone" if _winner == "Mobile" else "cloud"} answers first.**
    The H100 computes in **{si(_cloud.raw("compute_latency"), "s")}**, but light needs
    **{si(_cloud.raw("network_rtt"), "s")}** to cover 2 × 2,000 km of fibre at
    {_cloud.raw("fibre_speed") / 1e3:,.0f} km/s, before counting routers, queues or the upload of
    the photo. The phone finishes in **{si(_phone.raw("total_latency"), "s")}**, its dispatch
    overhead included: {_cloud.raw("total_latency") / _phone.raw("total_latency"):.0f}× sooner.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · One model, four tiers

    Pick a model and one device per tier. The cloud device is `distance` km from the user (the
    user uploads the input at the uplink rate); the edge box sits a few km away on the local
    network; the phone and the microcontroller hold the model themselves. Phones and
    microcontrollers run on their tier's battery (a 12.67 Wh phone battery; a CR2032 coin cell).
    """)
    return


@app.cell
def _():
    model = labkit.ui.dropdown("model", options=Models.options(), value=Models.MobileNetV2.name, label="Model")
    precision = labkit.ui.dropdown("precision", options=["fp16", "int8", "fp32"], value="int8", label="Precision")
    slo = labkit.ui.slider("slo", start=5, stop=500, step=5, value=50, show_value=True, label="Latency SLO (ms)")
    mo.hstack([model, precision, slo], justify="start")
    return model, precision, slo


@app.cell
def _():
    cloud = labkit.ui.dropdown("cloud", options=Hardware.Cloud.options(), value=Hardware.H100.name, label="Cloud")
    edge = labkit.ui.dropdown("edge", options=Hardware.Edge.options(), value=Hardware.JetsonOrinNX.name, label="Edge")
    mobile = labkit.ui.dropdown("mobile", options=Hardware.Mobile.options(), value=Hardware.iPhone15Pro.name, label="Mobile")
    tiny = labkit.ui.dropdown("tiny", options=Hardware.Tiny.options(), value=Hardware.ESP32_S3.name, label="Tiny")
    mo.hstack([cloud, edge, mobile, tiny], justify="start")
    return cloud, edge, mobile, tiny


@app.cell
def _():
    distance = labkit.ui.slider("distance", start=0, stop=10000, step=100, value=2000, show_value=True,
                            label="Distance to the datacenter (km of fibre)")
    edge_km = labkit.ui.slider("edge_km", start=0, stop=50, step=1, value=5, show_value=True, label="Distance to the edge box (km)")
    payload_kb = labkit.ui.slider("payload_kb", start=0, stop=1000, step=10, value=50, show_value=True,
                              label="Input uploaded (kB)")
    uplink = labkit.ui.slider("uplink", start=1, stop=1000, step=1, value=20, show_value=True, label="Uplink (Mbit/s)")
    mo.vstack([mo.hstack([distance, edge_km], justify="start"), mo.hstack([payload_kb, uplink], justify="start")])
    return distance, edge_km, payload_kb, uplink


@app.cell
def _(cloud, distance, edge, edge_km, mobile, model, payload_kb, precision, slo, tiny, uplink):
    try:
        tiers = place(model.value, {"Cloud": cloud.value, "Edge": edge.value, "Mobile": mobile.value,
                                    "Tiny": tiny.value}, precision.value,
                      {"Cloud": distance.value, "Edge": edge_km.value, "Mobile": 0, "Tiny": 0},
                      payload_kb.value * 1e3, uplink.value * 1e6 / 8, slo.value / 1e3)
        error = None
    except SpecError as _e:
        tiers, error = None, str(_e)
    return error, tiers


@app.cell
def _(error, prediction, slo, tiers):
    mo.stop(prediction.value is None, mo.md("_Make your prediction in section 1 first._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {error}"), kind="danger"))
    _rows = []
    for _tier, _r in tiers.items():
        _ok = "✅" if _r.meets_slo else ("❌ does not fit" if not _r.feasible else "❌ too slow")
        _rows.append(f"| {_tier} | {_r.hardware} | {si(_r.raw('compute_latency'), 's')} | "
                     f"{si(_r.raw('network_latency'), 's')} | **{si(_r.raw('total_latency'), 's')}** | {_ok} | "
                     f"{si(_r.raw('energy_per_inference'), 'J')} | {hours(_r.raw('battery_life'))} | "
                     f"{si(_r.raw('memory_footprint'), 'B')} / {si(_r.raw('memory_capacity'), 'B')} |")
    _table = "\n".join(_rows)
    mo.md(f"""
    | tier | device | compute | network | **total** | SLO {slo.value} ms | energy / inference | battery (back to back) | memory need / have |
    |:---|:---|---:|---:|---:|:---:|---:|---:|---:|
    {_table}

    Energy per inference is the device's power times its compute time (the engine's linear power
    model: idle draw plus the busy share of TDP). For remote tiers it is the server's energy, not
    the user's: the user's radio has its own cost (lab II.11).
    """)
    return


@app.cell
def _(error, prediction, slo, tiers):
    mo.stop(prediction.value is None or error is not None)
    _rows = []
    for _tier, _r in tiers.items():
        _rows.append({"tier": f"{_tier}: {_r.hardware}", "part": "compute", "ms": _r.raw("compute_latency") * 1e3})
        _rows.append({"tier": f"{_tier}: {_r.hardware}", "part": "network (round trip + upload)",
                      "ms": _r.raw("network_latency") * 1e3})
    _bars = labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("tier:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("sum(ms):Q", title="latency (ms)", stack="zero"),
        color=alt.Color("part:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=260)),
        tooltip=[alt.Tooltip("tier:N"), alt.Tooltip("part:N"), alt.Tooltip("ms:Q", format=".3g")])
    _slo = labkit.chart([{"ms": slo.value}]).mark_rule(color=labkit.PALETTE["vermillion"], strokeDash=[4, 3]).encode(
        x=alt.X("ms:Q"))
    (_bars + _slo).properties(width=620, height=200,
                              title=alt.Title("Where the time goes", subtitle="red: the latency SLO"))
    return


@app.cell
def _(error, prediction, slo, tiers):
    mo.stop(prediction.value is None or error is not None)
    _fails = []
    for _tier, _r in tiers.items():
        if not _r.feasible:
            _fails.append(f"- **{_tier} ({_r.hardware}): out of memory.** {_r.model} needs "
                          f"{si(_r.raw('memory_footprint'), 'B')} but the device holds "
                          f"{si(_r.raw('memory_capacity'), 'B')}: short by **{si(_r.raw('shortfall'), 'B')}**. "
                          "No latency figure means anything until the model shrinks (lab I.10).")
        elif not _r.meets_slo:
            _what = ("the network: the round trip and upload take "
                     f"{si(_r.raw('network_latency'), 's')} of it" if _r.binding == "network"
                     else f"compute: {si(_r.raw('compute_latency'), 's')} on this device")
            _fails.append(f"- **{_tier} ({_r.hardware}): misses the {slo.value} ms SLO by "
                          f"{si(-_r.raw('slo_margin'), 's')}.** The binding wall is {_what}.")
    mo.stop(not _fails, mo.callout(mo.md(f"Every tier meets the {slo.value} ms SLO and fits in memory."),
                                   kind="success"))
    mo.callout(mo.md("**Not every tier can serve this model.**\n\n" + "\n".join(_fails)), kind="danger")
    return


@app.cell
def _(error, prediction, tiers):
    mo.stop(prediction.value is None or error is not None)
    mo.accordion({"Show the work": mo.md("\n\n---\n\n".join(
        f"### {_tier}: {_r.hardware}\n\n{_r.explain()}" for _tier, _r in tiers.items()))})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · How far is too far?

    Move the datacenter away from the user. The compute time does not change; the round trip grows
    by 1 ms for every ~100 km of fibre. Where the cloud's line crosses the phone's, the distance
    alone has eaten the cloud's advantage; where it crosses the SLO, the cloud tier is out.
    """)
    return


@app.cell
def _(cloud, mobile, model, payload_kb, precision, uplink):
    # 42 solves: not on the distance/SLO/edge/tiny controls (the tier table's), so moving those is cheap
    try:
        sweep = [{"km": _d, "ms": DEPLOY.solve(model.value, cloud.value, precision=precision.value, distance_km=_d,
                                               payload_bytes=payload_kb.value * 1e3 if _d > 0 else 0.0,
                                               uplink_bandwidth=uplink.value * 1e6 / 8).raw("total_latency") * 1e3,
                  "series": f"cloud: {cloud.value.name}"} for _d in DISTANCES_KM]
        _local = DEPLOY.solve(model.value, mobile.value, precision=precision.value).raw("total_latency") * 1e3
        sweep += [{"km": _d, "ms": _local, "series": f"on the phone: {mobile.value.name}"}
                  for _d in (0, DISTANCES_KM[-1])]
    except SpecError:   # the tier table above shows the engine's message
        sweep = None
    return (sweep,)


@app.cell
def _(distance, prediction, slo, sweep):
    mo.stop(prediction.value is None or sweep is None)
    _lines = labkit.chart(sweep).mark_line().encode(
        x=alt.X("km:Q", title="fibre distance from the user to the datacenter (km)"),
        y=alt.Y("ms:Q", title="end-to-end latency (ms)"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=320)),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("km:Q"), alt.Tooltip("ms:Q", format=".3g")])
    _slo = labkit.chart([{"ms": slo.value}]).mark_rule(color=labkit.PALETTE["vermillion"], strokeDash=[4, 3]).encode(y=alt.Y("ms:Q"))
    _now = labkit.chart([{"km": distance.value}]).mark_rule(color="gray").encode(x=alt.X("km:Q"))
    (_lines + _slo + _now).properties(width=620, height=280, title="Latency vs distance (red: SLO; grey: your distance)")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The worked examples, live

    **The speed of light in fibre.** Standard single-mode fibre (Corning SMF-28) has a group index
    of $n_g = 1.4682$ at 1550 nm, so $v = c/n_g$. For 2,000 km the round trip is
    $2 \times 2000 / 204{,}190 \approx 19.6$ ms: about 20 ms, a floor no protocol can lower. Real
    routes run longer than the straight line and add router, queueing and server time (the engine's
    `route_factor`, `hops` and `per_hop_latency` arguments).

    **A phone battery.** The iPhone 15 Pro's cell holds 3,274 mAh at 3.87 V = 12.67 Wh (regulatory
    filings). Drawing 5 W, the sustained power the zoo assumes for a phone SoC, it is empty in
    $12.67 / 5 \approx 2.5$ hours. The engine's numbers:
    """)
    return


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_The engine's numbers appear once you have made your prediction._"))
    _r = DEPLOY.solve(Models.MobileNetV2, Hardware.H100, distance_km=2000)
    _phone = Hardware.iPhone15Pro
    _wh = constants().edge_phone_battery_wh
    _life = calc_battery_life.raw(_wh * 3600, _phone.tdp_w)
    mo.md(f"""
    | example | engine |
    |:---|---:|
    | speed of light in fibre, $c / n_g$ | **{_r.raw("fibre_speed") / 1e3:,.0f} km/s** |
    | round trip over 2,000 km | **{si(_r.raw("network_rtt"), "s")}** |
    | {_wh:g} Wh battery at {_phone.tdp_w:g} W | **{_life / 3600:.2f} h** |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Distance is latency.** Every 1,000 km of fibre adds ~10 ms of round trip at the speed of
      light; a datacenter 2,000 km away spends ~20 ms before it computes anything. For small models
      the network, not the accelerator, sets the cloud's latency.
    - **Each tier fails on a different wall**: the cloud on distance (and the upload), the phone on
      energy and battery, the microcontroller on memory and compute. Choosing a tier is choosing
      which wall you can live with.
    - **Energy per inference = power × time.** A microcontroller draws milliwatts but takes long;
      its energy per inference can exceed a phone's NPU. The arithmetic floor (Horowitz's pJ per
      operation, in *Show the work*) is far below what real devices pay.
    - **Fit comes first.** A model that does not fit in a device's memory is not slow there; it
      does not run.

    ## Exercises

    Work them out by hand, then type your answer; the cell below each box checks it against the
    engine.

    **Exercise 1.** What is the round trip, in ms, over 5,000 km of fibre (no routers, no upload)?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Round trip over 5,000 km (ms)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value,
                 DEPLOY.solve(Models.MobileNetV2, Hardware.H100, distance_km=5000).raw("network_rtt") * 1e3, "ms")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** MobileNetV2 in int8 on the iPhone 15 Pro, inferring back to back on its
    default battery: how many inferences (in millions) does one charge allow? (Battery energy over
    energy per inference.)
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Inferences per charge (millions)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    check_answer(answer_2.value,
                 DEPLOY.solve(Models.MobileNetV2, Hardware.iPhone15Pro, precision="int8").raw("inferences_per_charge")
                 / 1e6, "million")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** ResNet-50 in fp16 on an H100, with a 50 kB photo uploaded at 20 Mbit/s: what is
    the farthest datacenter, in km of fibre, that still answers within 50 ms?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Farthest datacenter (km)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    def _total(km):
        return DEPLOY.solve(Models.ResNet50, Hardware.H100, precision="fp16", distance_km=km,
                            payload_bytes=50e3, uplink_bandwidth=20e6 / 8).raw("total_latency")

    _lo, _hi = 0.0, 50000.0            # bisection on the engine's total latency (50 steps)
    for _ in range(50):
        _mid = (_lo + _hi) / 2
        _lo, _hi = (_mid, _hi) if _total(_mid) <= 0.05 else (_lo, _mid)
    check_answer(answer_3.value, _lo, "km")
    return


if __name__ == "__main__":
    app.run()
