# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.15
# goal: Compare regions, PUE and hardware for the energy, carbon and water of a training run.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.15 · Sustainable AI")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import (
        Hardware,
        Infra,
        Models,
        SpecError,
        SustainabilityModel,
        calc_training_time,
        calc_transformer_training_flops,
        constants,
    )
    from mlsysim_core.fmt import pct, si

    SUSTAINABILITY = SustainabilityModel()
    # training jobs for the hardware comparison: language models whose token count is published
    JOBS = {m.name: m for m in Models.Language if getattr(m, "training_tokens", None)}

    labkit.init()  # colour-blind-safe chart theme


@app.function
def job_footprint(accelerator, n_accelerators, model, mfu, site, pue):
    """(footprint, days) of training ``model`` (6PD FLOPs) on ``n_accelerators`` at ``mfu``, from the engine."""
    _flops = calc_transformer_training_flops(model.parameters_count, model.training_tokens)
    _time = calc_training_time(_flops, n_accelerators, accelerator.compute.peak_flops, mfu)
    _days = _time.m_as("day")
    return (SUSTAINABILITY.solve(accelerator, _days, datacenter=site, mfu=mfu, pue=pue,
                                 n_accelerators=n_accelerators), _days)


@app.function
def tonnes(kg):
    """kg of CO2e as a readable string (kg below a tonne, tonnes above)."""
    return f"{kg:,.0f} kg" if kg < 1000 else f"{labkit.num(kg / 1000)} t"


@app.function
def check_answer(answer, truth, unit, tolerance=0.03):
    """The shared exercise check (mlsysim_core.labkit) with this lab's hint."""
    return labkit.check_answer(answer, truth, unit, tolerance,
                               hint="Work out the facility energy first, then multiply.")


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 11 · Sustainable AI

    A training run's footprint is set by three numbers you can choose: **how much power** the
    accelerators draw, **how much extra** the building spends on cooling and power delivery
    (PUE), and **how clean** the local grid is. The same job can emit forty times more CO₂ in
    one place than in another, and it also drinks water wherever evaporative cooling is used.

    $$E = P_{\text{IT}} \times t \times \text{PUE}
    \qquad
    C = E \times \text{carbon intensity}
    \qquad
    W = E \times \text{WUE}$$

    $$P_{\text{IT}} = N \times \text{TDP} \times \big(f_{\text{idle}} + (1 - f_{\text{idle}})\,u\big)$$

    An idle accelerator still draws the fraction $f_{\text{idle}}$ of its TDP, so power
    follows utilisation $u$ only partly. Carbon intensity is in g CO₂e per kWh of the local grid;
    WUE is litres of water evaporated per kWh.

    **After this lab you can**

    - compute the energy, carbon and water of a training run from its fleet, duration and site;
    - say how much the choice of region changes the footprint, compared with PUE and hardware;
    - explain why an idle or under-used fleet wastes energy per unit of useful work.
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

    You must train Llama-2-7B (6PD FLOPs) on 64 accelerators at 40 % utilisation, PUE 1.2.
    Two proposals to cut its carbon: **move** the job from a coal grid (Poland) to a hydro grid
    (Quebec), keeping old V100s; or **upgrade** from V100s to H100s, staying on the coal grid.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"Moving to the clean grid cuts more": "region",
                 "Upgrading the hardware cuts more": "hardware",
                 "About the same": "same"},
        label="Which cuts the carbon footprint more?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _job, _n, _u, _pue = Models.Llama2_7B, 64, 0.4, 1.2
    _base, _days_old = job_footprint(Hardware.V100, _n, _job, _u, Infra.Grids.Poland, _pue)
    _moved, _ = job_footprint(Hardware.V100, _n, _job, _u, Infra.Grids.Quebec, _pue)
    _upgraded, _days_new = job_footprint(Hardware.H100, _n, _job, _u, Infra.Grids.Poland, _pue)
    _kg = lambda r: r.raw("carbon_footprint_kg")  # noqa: E731
    _by_region, _by_hardware = _kg(_base) / _kg(_moved), _kg(_base) / _kg(_upgraded)
    _right = prediction.value == "region"
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not this time."}** On V100s in Poland the job takes
    {_days_old:,.0f} days and emits **{tonnes(_kg(_base))}** CO₂e.

    - Moving to Quebec: **{tonnes(_kg(_moved))}**, **{_by_region:.0f}x less**: the grid's carbon
      intensity falls from {Infra.Grids.Poland.carbon_intensity_g_kwh:g} to
      {Infra.Grids.Quebec.carbon_intensity_g_kwh:g} g/kWh and nothing else changes.
    - Upgrading to H100s: **{tonnes(_kg(_upgraded))}**, **{_by_hardware:.1f}x less**: each H100
      draws more power, but finishes in {_days_new:,.0f} days, so the energy per FLOP falls.

    Region wins by an order of magnitude here, and the two levers multiply: both together give
    {_by_region * _by_hardware:.0f}x.
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
    _hardware = Hardware.Cloud.options()
    accelerator = labkit.ui.dropdown("accelerator", options=_hardware, value=Hardware.A100.name, label="Accelerator")
    count = labkit.ui.slider("count", steps=[2**k for k in range(3, 15)], value=64, show_value=True,
                         label="Accelerators N")
    utilization = labkit.ui.slider("utilization", start=0.05, stop=1.0, step=0.05, value=1.0, show_value=True,
                               label=f"Utilisation u (idle draw = {pct(constants().energy_idle_fraction, 0)} of TDP)")
    days = labkit.ui.slider("days", start=1, stop=365, step=1, value=14, include_input=True, label="Duration (days)")
    mo.vstack([accelerator, count, utilization, days])
    return accelerator, count, days, utilization


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The site

    The grid sets the carbon intensity and the water use; the PUE slider starts at the
    region's typical PUE, and you can move it.
    """)
    return


@app.cell
def _():
    region = labkit.ui.dropdown("region", options=Infra.Grids.options(), value=Infra.Grids.US_Average.name,
                            label="Grid region")
    region
    return (region,)


@app.cell
def _(region):
    pue = labkit.ui.slider("pue", start=1.0, stop=2.0, step=0.01, value=min(max(region.value.pue, 1.0), 2.0),
                       include_input=True, label="PUE (facility energy / IT energy)")
    own_pue = labkit.ui.switch("own_pue", value=False, label="compare regions at their own typical PUE")
    mo.vstack([
        mo.md(f"**{region.value.name}**: {region.value.carbon_intensity_g_kwh:g} g CO₂e/kWh, "
              f"WUE {region.value.wue_l_kwh:g} L/kWh, typical PUE {region.value.pue:g}, "
              f"mostly {region.value.primary_source}."),
        pue, own_pue,
    ])
    return own_pue, pue


@app.cell
def _(accelerator, count, days, pue, region, utilization):
    # One engine call: the chosen fleet, for the chosen time, at the chosen site
    try:
        result = SUSTAINABILITY.solve(accelerator.value, days.value, datacenter=region.value,
                                      mfu=utilization.value, pue=pue.value, n_accelerators=count.value)
        error = None
    except SpecError as _e:
        result, error = None, str(_e)
    return error, result


@app.cell
def _(error, result):
    mo.stop(error is not None, mo.callout(mo.md(f"**These inputs are not valid.** {error}"), kind="danger"))
    mo.hstack([
        mo.stat(f"{result.it_power.m_as('kW'):,.1f} kW", label="IT power",
                caption=f"{si(result.raw('power_per_accelerator'), 'W')} per accelerator", bordered=True),
        mo.stat(f"{labkit.num(result.total_energy_kwh / 1000)} MWh", label="Facility energy",
                caption=f"IT {labkit.num(result.it_energy_kwh / 1000)} MWh × PUE {result.pue:g}", bordered=True),
        mo.stat(tonnes(result.raw("carbon_footprint_kg")), label="Carbon (CO₂e)",
                caption=f"at {result.carbon_intensity_g_kwh:g} g/kWh", bordered=True),
        mo.stat(f"{result.water_usage_liters:,.0f} L", label="Water",
                caption=f"at {result.wue:g} L/kWh", bordered=True),
    ], widths="equal")
    return


@app.cell
def _(accelerator, count, days, error, pue, region, result, utilization):
    mo.stop(error is not None)
    _cleanest = min(Infra.Grids, key=lambda g: g.carbon_intensity_g_kwh)
    _there = SUSTAINABILITY.solve(accelerator.value, days.value, datacenter=_cleanest,
                                  mfu=utilization.value, pue=pue.value, n_accelerators=count.value)
    _ratio = result.raw("carbon_footprint_kg") / _there.raw("carbon_footprint_kg")
    _notes = []
    if _ratio >= 10:
        _notes.append(mo.callout(mo.md(
            f"**This grid is carbon-heavy.** The same run in {_cleanest.name} would emit "
            f"{tonnes(_there.raw('carbon_footprint_kg'))} instead of "
            f"{tonnes(result.raw('carbon_footprint_kg'))}: **{_ratio:.0f}x less**, with identical "
            "hardware, software and energy. Where you train is the largest single lever."), kind="warn"))
    if utilization.value <= 0.5:
        _full = SUSTAINABILITY.solve(accelerator.value, days.value, datacenter=region.value,
                                     mfu=1.0, pue=pue.value, n_accelerators=count.value)
        _notes.append(mo.callout(mo.md(
            f"**Idle power is not free.** At u = {utilization.value:.2f} each accelerator still draws "
            f"{si(result.raw('power_per_accelerator'), 'W')} "
            f"({pct(result.raw('power_per_accelerator') / _full.raw('power_per_accelerator'), 0)} of its full-load "
            f"power) while doing {pct(utilization.value, 0)} of the work, so each unit of useful "
            "work costs more energy. Consolidate jobs onto fewer, busier accelerators."), kind="warn"))
    if not _notes:
        _notes.append(mo.callout(mo.md(
            f"This run's grid is within {_ratio:.1f}x of the cleanest in the zoo ({_cleanest.name})."),
            kind="success"))
    mo.vstack(_notes)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Carbon and water by region

    The same fleet, duration and PUE (or, with the switch on, each region's typical PUE) in every
    grid of the zoo. Your region is highlighted.
    """)
    return


@app.cell
def _(accelerator, count, days, error, own_pue, pue, region, utilization):
    mo.stop(error is not None)
    _rows = []
    for _g in Infra.Grids:
        _r = SUSTAINABILITY.solve(accelerator.value, days.value, datacenter=_g, mfu=utilization.value,
                                  pue=None if own_pue.value else pue.value, n_accelerators=count.value)
        _rows.append({"region": _g.name, "carbon_t": _r.raw("carbon_footprint_kg") / 1000,
                      "water_m3": _r.water_usage_liters / 1000, "pue": _r.pue,
                      "intensity": _g.carbon_intensity_g_kwh, "mine": _g.name == region.value.name})
    _order = [r["region"] for r in sorted(_rows, key=lambda r: -r["carbon_t"])]
    _y = alt.Y("region:N", sort=_order, title=None)
    _color = alt.condition("datum.mine", alt.value("#D55E00"), alt.value("#0072B2"))
    _tip = [alt.Tooltip("region:N"), alt.Tooltip("carbon_t:Q", format=",.3g", title="CO₂e (t)"),
            alt.Tooltip("water_m3:Q", format=",.3g", title="water (m³)"),
            alt.Tooltip("intensity:Q", title="g CO₂e/kWh"), alt.Tooltip("pue:Q", title="PUE")]
    _carbon = labkit.chart(_rows).mark_bar().encode(
        y=_y, x=alt.X("carbon_t:Q", title="carbon (t CO₂e)"), color=_color, tooltip=_tip,
    ).properties(width=300, height=22 * len(_rows), title="Carbon")
    _water = labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("region:N", sort=_order, title=None, axis=None),
        x=alt.X("water_m3:Q", title="water (m³)"), color=_color, tooltip=_tip,
    ).properties(width=200, height=22 * len(_rows), title="Water")
    alt.hconcat(_carbon, _water)
    return


@app.cell
def _(error, result):
    mo.stop(error is not None)
    mo.accordion({"Show the work": mo.md(result.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Region or hardware?

    Fix a training job instead of a duration: the FLOPs are $6PD$ for the model you pick. A faster
    accelerator draws more power but finishes sooner, so what matters is its energy per FLOP.
    Below, the job's carbon on **your fleet size, utilisation and PUE**: top, your accelerator in every
    region; bottom, every accelerator in your region. Both panels share one scale.
    """)
    return


@app.cell
def _():
    job = labkit.ui.dropdown("job", options=JOBS, value=Models.Llama2_7B.name, label="Training job")
    job
    return (job,)


@app.cell
def _(accelerator, count, error, job, pue, region, utilization):
    mo.stop(error is not None)
    _rows = []
    for _g in Infra.Grids:
        try:
            _r, _d = job_footprint(accelerator.value, count.value, job.value, utilization.value, _g, pue.value)
        except SpecError:   # this alternative is out of the engine's range (e.g. a job over 1e6 days): not drawn
            continue
        _rows.append({"lever": f"Region (on {accelerator.value.name})", "option": _g.name,
                      "carbon_t": _r.raw("carbon_footprint_kg") / 1000, "days": _d,
                      "mine": _g.name == region.value.name})
    for _h in Hardware.Cloud:
        try:
            _r, _d = job_footprint(_h, count.value, job.value, utilization.value, region.value, pue.value)
        except SpecError:   # as above: an accelerator too slow for this job within the engine's range
            continue
        _rows.append({"lever": f"Hardware (in {region.value.name})", "option": _h.name,
                      "carbon_t": _r.raw("carbon_footprint_kg") / 1000, "days": _d,
                      "mine": _h.name == accelerator.value.name})
    _charts = []
    for _lever in dict.fromkeys(r["lever"] for r in _rows):
        _part = [r for r in _rows if r["lever"] == _lever]
        _spread = max(r["carbon_t"] for r in _part) / min(r["carbon_t"] for r in _part)
        _charts.append(labkit.chart(_part).mark_bar().encode(
            y=alt.Y("option:N", sort="-x", title=None),
            x=alt.X("carbon_t:Q", title="carbon of the job (t CO₂e)"),
            color=alt.condition("datum.mine", alt.value("#D55E00"), alt.value("#0072B2")),
            tooltip=[alt.Tooltip("option:N"), alt.Tooltip("carbon_t:Q", format=",.3g", title="t CO₂e"),
                     alt.Tooltip("days:Q", format=",.0f", title="days")],
        ).properties(width=520, height=20 * len(_part), title=f"{_lever}: {_spread:.0f}x spread"))
    alt.vconcat(*_charts).resolve_scale(x="shared")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Worked example (equations page, section 5)

    64 GPUs × 400 W × 336 hours (two weeks) at PUE 1.2, in three grids:
    """)
    return


@app.cell
def _():
    _page = {"Quebec": "206 kg", "US_Average": "4,428 kg", "Poland": "8,464 kg"}
    _runs = {}
    for _key in _page:
        _runs[_key] = SUSTAINABILITY.solve(Hardware.A100, 14, datacenter=Infra.Grids[_key], pue=1.2,
                                           power_per_accelerator=400, n_accelerators=64)
    _table = "\n".join(
        f"| {Infra.Grids[_k].name} | {Infra.Grids[_k].carbon_intensity_g_kwh:g} g/kWh | "
        f"**{_r.raw('carbon_footprint_kg'):,.0f} kg** | {_page[_k]} |" for _k, _r in _runs.items())
    _any = _runs["Quebec"]
    _spread = _runs["Poland"].raw("carbon_footprint_kg") / _runs["Quebec"].raw("carbon_footprint_kg")
    mo.md(f"""
    IT energy **{_any.it_energy_kwh:,.0f} kWh** (page: 8,602 kWh); with PUE 1.2,
    **{_any.total_energy_kwh:,.0f} kWh** (page: 10,322 kWh).

    | grid | carbon intensity | CO₂e (engine) | page |
    |:---|---:|---:|---:|
    {_table}

    Poland / Quebec: **{_spread:.0f}x** (page: ~41x) for an identical workload. The page goes on:
    with hardware choice (~5x) and quantization (~4x) on top, the levers multiply to several
    hundred times.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - Energy is IT power × time × PUE; carbon and water are that energy times the grid's
      carbon intensity and the site's WUE. Every factor multiplies.
    - **Region is the biggest lever**: tens of times between coal and hydro grids, for the same
      hardware and the same job. PUE moves the footprint by tens of percent, hardware
      generations by a few times (compare the two panels of section 5).
    - Hardware matters through **energy per FLOP**, not power: a 700 W accelerator that finishes
      three times sooner beats a 300 W one.
    - Idle accelerators still draw a large share of their power; a half-used fleet spends more
      energy per unit of useful work than a busy one.
    - Clean grids are not automatically dry: water use depends on cooling (WUE), not on carbon.

    ## Exercises

    Read the TDP, carbon intensity and WUE from the zoo (the controls above show them). The
    notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=1, label="kg CO₂e")
    mo.vstack([
        mo.md(f"**1.** 256 {Hardware.H100.name} at full load (TDP {si(Hardware.H100.tdp_w, 'W')}) for "
              f"**30 days** in {Infra.Grids.Norway.name} at **PUE 1.1**. How many kg of CO₂e?"),
        ex1,
    ])
    return (ex1,)


@app.cell
def _(ex1):
    _r = SUSTAINABILITY.solve(Hardware.H100, 30, datacenter=Infra.Grids.Norway, pue=1.1, n_accelerators=256)
    check_answer(ex1.value, _r.raw("carbon_footprint_kg"), "kg")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=1, label="litres")
    mo.vstack([
        mo.md(f"**2.** The worked example (64 × 400 W × 336 h, PUE 1.2) in {Infra.Grids.US_Average.name} "
              f"(WUE {Infra.Grids.US_Average.wue_l_kwh:g} L/kWh). How many litres of water?"),
        ex2,
    ])
    return (ex2,)


@app.cell
def _(ex2):
    _r = SUSTAINABILITY.solve(Hardware.A100, 14, datacenter=Infra.Grids.US_Average, pue=1.2,
                              power_per_accelerator=400, n_accelerators=64)
    check_answer(ex2.value, _r.water_usage_liters, "L")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=0.01, label="MWh")
    mo.vstack([
        mo.md(f"**3.** 64 {Hardware.A100.name} (TDP {si(Hardware.A100.tdp_w, 'W')}) for 14 days at PUE 1.2, "
              f"but only **50 % utilised** (idle draw {pct(constants().energy_idle_fraction, 0)} of TDP). "
              "How many MWh does the facility use?"),
        ex3,
    ])
    return (ex3,)


@app.cell
def _(ex3):
    _r = SUSTAINABILITY.solve(Hardware.A100, 14, datacenter=Infra.Grids.US_Average, pue=1.2, mfu=0.5,
                              n_accelerators=64)
    check_answer(ex3.value, _r.total_energy_kwh / 1000, "MWh")
    return


if __name__ == "__main__":
    app.run()
