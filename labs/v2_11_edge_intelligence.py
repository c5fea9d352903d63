# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.11
# goal: Decide on-device vs offload from radio energy, see a phone throttle from burst to sustained power, and count federated learning's bytes.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.11 · Edge intelligence: edge thermodynamics")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import (DeploymentModel, EdgeThermalModel, Hardware, Models, SpecError,
                              calc_radio_energy, constants)
    from mlsysim_core.fmt import pct, si

    DEPLOY = DeploymentModel()
    THERMAL = EdgeThermalModel()
    DEVICES = {**Hardware.Mobile.options(), **Hardware.Edge.options(), **Hardware.Tiny.options()}
    PAYLOADS_KB = [0] + [25 * k for k in range(1, 41)]        # 0 .. 1,000 kB for the sweep
    RATES = [10 ** (k / 4) for k in range(-12, 9)]            # 0.001 .. 100 inferences/s

    labkit.init()  # colour-blind-safe chart theme


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # II.11 · Edge intelligence: edge thermodynamics

    A datacenter GPU has a fan, a power supply the size of a suitcase and a building full of
    chillers. A phone has a glass back and a 12 Wh battery. At the edge, **power is heat and heat is
    time**: a phone can burst at high power only until its body warms to the point where the
    governor throttles it, and every joule comes out of a battery the user notices. And the escape
    hatch, sending the work to the cloud, costs energy too: the radio.

    Four equations carry the chapter:

    $$
    T(t) = T_{amb} + P R_{th}\left(1 - e^{-t/\tau}\right),\quad \tau = R_{th} C_{th}
    \qquad
    P_{sustained} = \frac{T_{throttle} - T_{amb}}{R_{th}}
    $$

    $$
    \Delta E_{offload} = \underbrace{P\,T_{local}}_{\text{compute here}} - \underbrace{\left(\alpha_u R + \beta\right)\frac{D}{R} - E_{tail}}_{\text{radio (Huang et al. 2012)}} - \underbrace{P_{idle}\, t_{wait}}_{\text{waiting}}
    \qquad
    B_{round} = K \times 2 \times P \times b
    $$

    (first-order thermal model; offload saving after Kumar & Lu 2010; bytes of one FedAvg round,
    McMahan et al. 2017).

    **Learning goals.** After this lab you can

    - decide whether offloading an inference saves the device energy, and find the break-even payload;
    - compute how long a passively cooled device can burst before it throttles, and what it sustains;
    - turn energy per inference and an inference rate into battery life;
    - count the bytes a round of federated learning moves, and what compression buys.
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

    An iPhone 15 Pro classifies a photo with MobileNetV2 in int8 on its neural engine. It could
    instead send the 50 kB photo over LTE (6 Mbit/s up, the median Huang et al. measured) to an
    H100 500 km away, which computes the answer far more efficiently.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Offloading saves battery: the H100 does the work": "offload",
            "Offloading costs far more battery: the radio, not the math, is the expense": "on-device",
            "About the same either way": "same",
        },
        label="**Predict:** does offloading this inference save the phone energy?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _o = DEPLOY.offload(Models.MobileNetV2, Hardware.iPhone15Pro, Hardware.H100, 500, 50e3, 6e6 / 8,
                        radio="lte", precision="int8")
    _right = prediction.value == _o.energy_winner
    _c = constants()
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: {"offloading wins" if _o.energy_winner == "offload" else "computing on the phone wins"}, by
    {_o.raw("offload_energy") / _o.raw("local_energy"):,.0f}×.** The inference costs the phone
    **{si(_o.raw("local_energy"), "J")}**; sending the photo costs
    **{si(_o.raw("radio_energy"), "J")}**, mostly the LTE *tail*: after any transfer the radio
    stays in its high-power state for {_c.edge_lte_tail_time:g} s at {_c.edge_lte_tail_power:g} W
    ({si(_c.edge_lte_tail_time * _c.edge_lte_tail_power, "J")}) in case more data follows.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · On-device or offload?

    Offloading pays when the local inference costs more than the radio plus the idle wait. A big
    model on a small device (an LLM token on a phone) tips the balance; a large input (a video
    clip) tips it back. The chart sweeps the payload: offloading saves energy left of the crossing.
    """)
    return


@app.cell
def _():
    model = labkit.ui.dropdown("model", options=Models.options(), value=Models.MobileNetV2.name, label="Model")
    device = labkit.ui.dropdown("device", options=DEVICES, value=Hardware.iPhone15Pro.name, label="Device")
    server = labkit.ui.dropdown("server", options=Hardware.Cloud.options(), value=Hardware.H100.name, label="Server")
    precision = labkit.ui.dropdown("precision", options=["int8", "int4", "fp16"], value="int8", label="On-device precision")
    radio = labkit.ui.radio("radio", options={"LTE": "lte", "WiFi": "wifi"}, value="LTE", label="Radio", inline=True)
    mo.vstack([mo.hstack([model, device, server], justify="start"), mo.hstack([precision, radio], justify="start")])
    return device, model, precision, radio, server


@app.cell
def _():
    payload_kb = labkit.ui.slider("payload_kb", start=0, stop=1000, step=5, value=50, show_value=True, label="Input sent (kB)")
    uplink = labkit.ui.slider("uplink", start=1, stop=200, step=1, value=6, show_value=True, label="Uplink (Mbit/s)")
    distance = labkit.ui.slider("distance", start=0, stop=5000, step=50, value=500, show_value=True, label="Server distance (km)")
    mo.hstack([payload_kb, uplink, distance], justify="start")
    return distance, payload_kb, uplink


@app.cell
def _(device, distance, model, payload_kb, precision, radio, server, uplink):
    try:
        offload = DEPLOY.offload(model.value, device.value, server.value, distance.value, payload_kb.value * 1e3,
                                 uplink.value * 1e6 / 8, radio=radio.value, precision=precision.value)
        error = None
    except SpecError as _e:
        offload, error = None, str(_e)
    return error, offload


@app.cell
def _(error, offload, prediction):
    mo.stop(prediction.value is None, mo.md("_Make your prediction in section 1 first._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {error}"), kind="danger"))
    _r = offload.raw()
    mo.md(f"""
    | | latency | device energy |
    |:---|---:|---:|
    | on the device ({offload.device}) | {si(_r["local_latency"], "s")} | **{si(_r["local_energy"], "J")}** |
    | offload to {offload.server} | {si(_r["offload_latency"], "s")} (upload {si(_r["transfer_latency"], "s")}, round trip {si(_r["network_rtt"], "s")}) | **{si(_r["offload_energy"], "J")}** (radio {si(_r["radio_energy"], "J")}) |

    Energy: **{offload.energy_winner}** wins by {si(abs(_r["energy_saving"]), "J")}; latency:
    **{offload.latency_winner}** is faster. Break-even payload: offloading saves energy for inputs
    below **{si(_r["breakeven_payload"], "B")}** {"(never, at this model and radio)" if _r["breakeven_payload"] == 0 else ""}.
    """)
    return


@app.cell
def _(device, error, model, offload, precision, prediction):
    mo.stop(prediction.value is None or error is not None or offload.local_feasible)
    _p = DEPLOY.solve(model.value, device.value, precision=precision.value)
    mo.callout(mo.md(f"""
    **{model.value.name} does not fit on {device.value.name}.** It needs
    {si(_p.raw("memory_footprint"), "B")}; the device holds {si(_p.raw("memory_capacity"), "B")}.
    The on-device row above is a fiction: here the only choices are to offload, or to compress
    the model until it fits (lab I.10).
    """), kind="danger")
    return


@app.cell
def _(device, distance, model, precision, radio, server, uplink):
    # 41 offload solves, not on the payload slider (it only moves the grey rule): dragging it stays cheap
    payload_sweep = []
    try:
        for _kb in PAYLOADS_KB:
            _o = DEPLOY.offload(model.value, device.value, server.value, distance.value, _kb * 1e3,
                                uplink.value * 1e6 / 8, radio=radio.value, precision=precision.value)
            payload_sweep.append({"kB": _kb, "J": _o.raw("offload_energy"), "way": "offload"})
            payload_sweep.append({"kB": _kb, "J": _o.raw("local_energy"), "way": "on the device"})
    except SpecError:   # the table above shows the engine's message
        payload_sweep = None
    return (payload_sweep,)


@app.cell
def _(payload_kb, payload_sweep, prediction):
    mo.stop(prediction.value is None or payload_sweep is None)
    _lines = labkit.chart(payload_sweep).mark_line().encode(
        x=alt.X("kB:Q", title="input sent (kB)"),
        y=alt.Y("J:Q", scale=alt.Scale(type="log"), title="device energy per inference (J)"),
        color=alt.Color("way:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("way:N"), alt.Tooltip("kB:Q"), alt.Tooltip("J:Q", format=".3~s")])
    _now = labkit.chart([{"kB": payload_kb.value}]).mark_rule(color="gray").encode(x=alt.X("kB:Q"))
    (_lines + _now).properties(width=620, height=260, title="Device energy vs payload (grey: your input)")
    return


@app.cell
def _(error, offload, prediction):
    mo.stop(prediction.value is None or error is not None)
    mo.accordion({"Show the work": mo.md(offload.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Burst vs sustained: thermal throttling

    A passively cooled phone is a thermal capacitor (its mass) behind a thermal resistance (its
    skin to the air). At a burst power $P$ its temperature heads for $T_{amb} + P R_{th}$ with time
    constant $\tau = R_{th} C_{th}$; when it reaches the skin limit (47 °C in Google's Pixel thermal
    configuration) the governor lowers clocks until the power is what the body can shed,
    $P_{sustained}$. With DVFS the power falls as the cube of the clock, so throughput falls less
    than power: $X_s / X_b = (P_s / P_b)^{1/3}$. The resistance and capacity here are estimates for a
    ~190 g phone (the constants' citations say how they were derived).
    """)
    return


@app.cell
def _():
    burst = labkit.ui.slider("burst", start=1, stop=15, step=0.5, value=8, show_value=True, label="Burst power (W)")
    ambient = labkit.ui.slider("ambient", start=0, stop=45, step=1, value=25, show_value=True, label="Ambient (°C)")
    minutes = labkit.ui.slider("minutes", start=1, stop=120, step=1, value=30, show_value=True, label="Run length (min)")
    law = labkit.ui.radio("law", options={"DVFS (k = 3)": 3.0, "fixed clock, duty-cycled (k = 1)": 1.0},
                      value="DVFS (k = 3)", label="Throughput vs power", inline=True)
    mo.vstack([mo.hstack([burst, ambient, minutes], justify="start"), law])
    return ambient, burst, law, minutes


@app.cell
def _(ambient, burst, law, minutes):
    thermal = THERMAL.solve(burst_power=burst.value, ambient_c=ambient.value, power_exponent=law.value,
                            duration=minutes.value * 60)
    mo.md(f"""
    Steady state at {burst.value:g} W: **{thermal.raw("steady_temp_c"):.1f} °C** against a
    {thermal.raw("throttle_c"):g} °C limit; time constant **{thermal.raw("time_constant") / 60:.3g} min**;
    sustained power **{si(thermal.raw("sustained_power"), "W")}**. Over {minutes.value} min the device
    delivers **{pct(thermal.raw("mean_fraction"))}** of its burst throughput on average.
    """)
    return (thermal,)


@app.cell
def _(thermal):
    mo.stop(not thermal.throttles)
    _t = thermal.raw()
    _why = ("the ambient is already at or above the throttle point: it cannot run at all"
            if _t["sustained_power"] == 0 else
            f"the governor cuts the power to {si(_t['sustained_power'], 'W')} and keeps "
            f"{pct(_t['sustained_fraction'])} of the burst throughput")
    mo.callout(mo.md(f"""
    **Throttled after {_t["time_to_throttle"] / 60:.3g} min.** At {_t["burst_power"]:g} W the body would
    settle at {_t["steady_temp_c"]:.1f} °C, {_t["steady_temp_c"] - _t["throttle_c"]:.1f} °C over the
    limit; from then on {_why}. A benchmark shorter than {_t["time_to_throttle"] / 60:.2g} min reports
    the burst number, not what a user gets.
    """), kind="danger")
    return


@app.cell
def _(minutes, thermal):
    _trace = THERMAL.trace(thermal, minutes.value * 60, points=100)
    _rows = [{"min": p["t_s"] / 60, "value": p["temp_c"], "what": "temperature (°C)"} for p in _trace]
    _rows += [{"min": p["t_s"] / 60, "value": 100 * p["throughput"], "what": "throughput (% of burst)"}
              for p in _trace]
    _limit = labkit.chart([{"value": thermal.raw("throttle_c")}]).mark_rule(
        color=labkit.PALETTE["vermillion"], strokeDash=[4, 3]).encode(y=alt.Y("value:Q"))
    _lines = labkit.chart(_rows).mark_line().encode(
        x=alt.X("min:Q", title="minutes of continuous inference"), y=alt.Y("value:Q", title=None),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("min:Q", format=".3g"), alt.Tooltip("value:Q", format=".3g")])
    mo.vstack([(_lines + _limit).properties(width=620, height=260,
                                            title="Temperature and throughput (red: throttle point)"),
               mo.accordion({"Show the work": mo.md(thermal.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Battery life per inference

    A device that infers $r$ times a second spends $r\,T$ of its time busy and the rest idle:
    $P_{avg} = r E + P_{idle}(1 - rT)$, and the battery lasts $E_{batt} / P_{avg}$. The idle draw
    below is the engine's awake idle (30 % of TDP); a microcontroller that deep-sleeps between
    inferences draws far less, so set the sleep power.
    """)
    return


@app.cell
def _():
    idle = labkit.ui.dropdown("idle", options={"awake idle (engine: 30 % of TDP)": "awake", "light sleep (10 mW)": "0.01",
                                   "deep sleep (100 µW)": "1e-4", "deep sleep (10 µW)": "1e-5"},
                          value="awake idle (engine: 30 % of TDP)", label="Between inferences")
    rate = labkit.ui.slider("rate", steps=RATES, value=1.0, show_value=True, label="Inferences per second")
    mo.hstack([idle, rate], justify="start")
    return idle, rate


@app.cell
def _(device, idle, model, precision):
    # battery life at every rate: 21 solves, once per device, model or idle choice, not per move of the rate
    idle_w = None if idle.value == "awake" else float(idle.value)
    try:
        _lives = [DEPLOY.solve(model.value, device.value, precision=precision.value, inference_rate=_x,
                               idle_power=idle_w).raw("battery_life") for _x in RATES]
    except SpecError:   # the cell below shows the message for your rate
        _lives = [None]
    battery_sweep = None if None in _lives else [{"rate": _x, "h": _l / 3600} for _x, _l in zip(RATES, _lives)]
    return battery_sweep, idle_w


@app.cell
def _(battery_sweep, device, idle_w, model, precision, rate):
    try:
        _r = DEPLOY.solve(model.value, device.value, precision=precision.value, inference_rate=rate.value,
                          idle_power=idle_w)
        _msg = None
    except SpecError as _e:
        _r, _msg = None, str(_e)
    if _r is None or _r.battery_life is None:
        _out = mo.callout(mo.md(_msg or f"**{device.value.name} is mains powered** (the zoo gives its tier no "
                                        "battery): pick a Mobile or Tiny device to see battery life."), kind="warn")
    else:
        _chart = mo.md("") if battery_sweep is None else labkit.chart(battery_sweep).mark_line(
            point=True).encode(
            x=alt.X("rate:Q", scale=alt.Scale(type="log"), title="inferences per second"),
            y=alt.Y("h:Q", scale=alt.Scale(type="log"), title="battery life (h)"),
            tooltip=[alt.Tooltip("rate:Q", format=".3g"), alt.Tooltip("h:Q", format=".3g")]).properties(
            width=620, height=220)
        _out = mo.vstack([mo.md(
            f"{device.value.name} on its {_r.raw('battery_wh'):g} Wh battery at {rate.value:.3g}/s: average "
            f"**{si(_r.raw('average_power'), 'W')}** (idle {si(_r.raw('idle_power'), 'W')}), battery life "
            f"**{labkit.num(_r.raw('battery_life') / 3600)} h**, {si(_r.raw('energy_per_inference'), 'J')} per inference."),
            _chart])
    _out
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Federated learning's bytes

    Federated averaging keeps the data on the devices: each round, $K$ selected clients download
    the model, train on their own data and upload an update of the same size. The server never sees
    a photo, but every round moves $2 K P b$ bytes over consumer uplinks.
    """)
    return


@app.cell
def _():
    clients = labkit.ui.slider("clients", start=10, stop=10000, step=10, value=100, show_value=True, label="Clients per round")
    compression = labkit.ui.slider("compression", start=1, stop=100, step=1, value=1, show_value=True, label="Update compression (×)")
    fl_precision = labkit.ui.dropdown("fl_precision", options=["fp32", "fp16", "int8"], value="fp32", label="Update precision")
    mo.hstack([clients, compression, fl_precision], justify="start")
    return clients, compression, fl_precision


@app.cell
def _(clients, compression, fl_precision, model, radio, uplink):
    _f = DEPLOY.federated_round(model.value, clients.value, precision=fl_precision.value,
                                compression_ratio=compression.value, uplink_bandwidth=uplink.value * 1e6 / 8,
                                downlink_bandwidth=uplink.value * 1e6 / 8, radio=radio.value)
    mo.vstack([mo.md(f"""
    One round of {model.value.name}: **{si(_f.raw("bytes_per_round"), "B")}** in all,
    {si(_f.raw("bytes_per_client"), "B")} per client, **{si(_f.raw("upload_time"), "s")}** of upload
    at {uplink.value} Mbit/s and {si(_f.raw("radio_energy_per_client"), "J")} of {radio.value.upper()} radio energy
    per client. A thousand rounds move {si(1000 * _f.raw("bytes_per_round"), "B")}.
    """), mo.accordion({"Show the work": mo.md(_f.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · The worked examples, live

    **The LTE radio** (Huang et al. 2012, MobiSys): uplink power $P = \alpha_u R + \beta$ with
    $\alpha_u = 438.39$ mW/Mbit/s and $\beta = 1288.04$ mW, so at the median uplink of 6 Mbit/s the
    radio draws ~3.9 W and sending 1 MB takes 1.33 s, ~5.2 J, before the tail.

    **The RC model**: when the steady-state rise $P R_{th}$ is exactly twice the headroom
    $T_{thr} - T_{amb}$, the device throttles at $t^* = \tau \ln 2$. With the phone's 22 °C of
    headroom and $R_{th}$ = 5.5 K/W, that is a burst of 8 W.
    """)
    return


@app.cell
def _():
    _c = constants()
    _e = calc_radio_energy.raw(1e6, 6e6 / 8, _c.edge_lte_uplink_power_w_per_mbps, _c.edge_lte_base_power)
    _t = THERMAL.solve(burst_power=2 * (_c.edge_phone_skin_throttle_temp_c - _c.edge_ambient_temp_c)
                       / _c.edge_phone_thermal_resistance_k_per_w)
    mo.md(f"""
    | example | engine |
    |:---|---:|
    | LTE energy to send 1 MB at 6 Mbit/s (no tail) | **{si(_e, "J")}** |
    | burst power at which $P R_{{th}}$ = 2 × headroom | **{si(_t.raw("burst_power"), "W")}** |
    | its time to throttle, and $\\tau \\ln 2$ | **{_t.raw("time_to_throttle") / 60:.3g} min** = {_t.raw("time_constant") / 60:.3g} min × 0.693 |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Offloading is an energy trade, not a free lunch.** The radio's power (and LTE's ~12 J tail)
      dwarfs a small model's inference; offload only when the local inference is expensive (an LLM
      on a phone) or the device cannot hold the model.
    - **Burst is not sustained.** A passively cooled device holds its burst power for minutes (a
      few thermal time constants), then settles at the power its body can shed; benchmarks
      shorter than that overstate what users get.
    - **Battery life is average power.** Idle draw between inferences often matters more than the
      inference itself: deep sleep is the microcontroller's superpower.
    - **Federated learning trades privacy for bytes**: $2KPb$ per round, which is why update
      compression and client sampling are core to it.

    ## Exercises

    **Exercise 1.** With the default phone thermal figures (25 °C ambient), how many minutes can a
    10 W burst last before the phone throttles?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Time to throttle at 10 W (min)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value, THERMAL.solve(burst_power=10).raw("time_to_throttle") / 60, "min")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** Llama-3.1-8B generating one token in int4 on the Pixel 8, or offloaded over
    WiFi at 20 Mbit/s to an H100 500 km away: up to what payload (in kB) does offloading the token
    save the phone energy?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Break-even payload (kB)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    check_answer(answer_2.value,
                 DEPLOY.offload(Models.Llama3_8B, Hardware.Pixel8, Hardware.H100, 500, 1e3, 20e6 / 8,
                                radio="wifi", precision="int4").raw("breakeven_payload") / 1e3, "kB")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** One FedAvg round of MobileNetV2 with fp32 updates and 1,000 clients, no
    compression: how many GB cross the network?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Bytes per round (GB)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    check_answer(answer_3.value,
                 DEPLOY.federated_round(Models.MobileNetV2, 1000, precision="fp32").raw("bytes_per_round") / 1e9,
                 "GB")
    return


if __name__ == "__main__":
    app.run()
