# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.4
# goal: Count the CPU cores and storage bandwidth that keep the accelerators fed, and see when the input pipeline, not the GPU, sets the step time.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.4 · Data engineering: feeding the accelerator")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import DataModel, MLSysError, TransformationModel, constants
    from mlsysim_core.fmt import pct, si

    C = constants()
    XFORM, DATA = TransformationModel(), DataModel()
    A100_RATE = round(C.labs_data_rn50_a100_images_per_s)   # measured ResNet-50 training, one A100 (images/s)
    V100_RATE = round(C.labs_data_rn50_v100_images_per_s)   # the same recipe on one V100
    DGX_CORES = int(C.labs_data_dgx_a100_cpu_cores)
    RATE_STEPS = sorted({250, 500, 800, V100_RATE, 1800, A100_RATE, 3500, 5000, 7500, 10000})
    CORE_STEPS = [8, 16, 32, 48, 64, 96, DGX_CORES, 192, 256, 384, 512]  # noqa: registry (core counts)
    IMAGENET_KB = round(C.data_imagenet_sample_bytes / 1e3)   # one ImageNet JPEG, in KB (slider stops are whole KB)
    SAMPLE_KB = sorted({10, 50, IMAGENET_KB, 250, 500, 1000, 2000})
    IMAGENET_IMAGES = round(C.labs_data_imagenet_train_images)
    FS_BW = si(C.storage_fs_bandwidth, "B/s")                  # the zoo's shared filesystem
    FLEET_STEPS = [8, 64, 256, 1024, 2048, 4096, 8192, 16384, 32768]

    labkit.init()  # colour-blind-safe chart theme


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.4 · Data engineering: can the pipeline feed the accelerator?

    A GPU that trains ResNet-50 eats a few thousand images a second. Each one is a JPEG that must
    be read from storage, carried over the network and PCIe, **decoded, cropped, flipped and
    normalised** on the host's CPU cores, and only then handed to the GPU. If any stage is slower
    than the GPU, the GPU waits: you paid for an accelerator and got a very expensive idle loop.
    Mohan et al. (2021) found such *data stalls* in most of the models they profiled.

    Two stages run in parallel with the GPU when the framework prefetches (PyTorch's
    `DataLoader` workers, `tf.data`'s `prefetch`); the step then takes the slower of the two,
    without prefetching their sum:

    $$
    \text{cores needed} = \left\lceil \frac{g \, r_{\text{GPU}}}{r_{\text{core}}} \right\rceil,
    \qquad
    T_{\text{step}} = \max\!\left(T_{\text{compute}},\; \frac{g\,B}{c\,r_{\text{core}}}\right),
    \qquad
    BW_{\text{storage}} = N\, r_{\text{GPU}} \times \text{bytes per sample}
    $$

    for $g$ GPUs per node each consuming $r_{\text{GPU}}$ samples/s in batches of $B$, $c$ CPU
    cores each preparing $r_{\text{core}}$ samples/s, and $N$ GPUs in the job reading from one
    shared filesystem.

    **Learning goals.** After this lab you can

    - count the CPU cores a node needs to keep its GPUs busy, and the GPU time lost without them;
    - explain what prefetching buys (the max of two stages instead of their sum);
    - size the storage bandwidth a training job pulls, and find the job size at which a shared
      filesystem, not the GPUs, sets the pace (*data gravity*);
    - name the fixes: more or faster cores, GPU decoding, caching, smaller samples.
    """)
    return


@app.cell(hide_code=True)
def _():
    labkit.toolbar()
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    ## 1 · Predict first

    One NVIDIA DGX A100 node: **8 A100s and {DGX_CORES} CPU cores**. NVIDIA's ResNet-50 recipe
    trains at {A100_RATE:,.0f} images/s on one A100 (it decodes JPEGs on the GPU). You run it
    with a plain PyTorch `DataLoader` instead: every JPEG is decoded and augmented on the CPU,
    about {C.xform_image_samples_per_core:.0f} images/s per core, with prefetching on.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio(
        "prediction",
        options={
            "Fully busy: 16 cores per GPU is plenty": "full",
            "About two thirds busy: the node is short of cores": "two_thirds",
            "About a third busy": "third",
            "Under 10 % busy: the CPUs are hopeless": "tenth",
        },
        label="**Predict:** how busy do the 8 GPUs stay?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _r = XFORM.solve(cpu_cores=DGX_CORES, samples_per_second=A100_RATE, accelerators_per_node=8, batch_size=256)
    _u = _r.accelerator_utilization
    _truth = "full" if _u >= 0.95 else "two_thirds" if _u >= 0.5 else "third" if _u >= 0.2 else "tenth"
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: the GPUs are busy {pct(_u)} of the time.** The 8 GPUs
    want {_r.raw("demand_rate"):,.0f} images/s; {DGX_CORES} cores deliver {_r.raw("supply_rate"):,.0f}.
    Keeping up takes **{_r.cores_needed:,} cores** ({_r.raw("cores_per_accelerator"):.3g} per GPU), so
    each step waits {si(_r.raw("transform_time"), "s")} for its images instead of
    {si(_r.raw("compute_time"), "s")} of compute: ×{_r.raw("slowdown_factor"):.2f} slower. That is why
    NVIDIA's recipe moves the decoding onto the GPU (DALI).
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    ## 2 · The CPU stage: cores against GPUs

    Set the GPUs' appetite (measured rates: {V100_RATE:,.0f} images/s for a V100, {A100_RATE:,.0f} for an A100;
    newer GPUs are faster), the node's CPU cores and what one core can prepare (heavier
    augmentation lowers it; a GPU decoder or pre-decoded data raises it).
    """)
    return


@app.cell
def _():
    rate = labkit.ui.slider("rate", steps=RATE_STEPS, value=A100_RATE, show_value=True,
                            label="Training rate per GPU (images/s)")
    gpus = labkit.ui.slider("gpus", start=1, stop=8, step=1, value=8, show_value=True, label="GPUs per node")
    batch = labkit.ui.slider("batch", steps=[32, 64, 128, 256, 512], value=256, show_value=True,
                             label="Batch per GPU")
    mo.hstack([rate, gpus, batch], justify="start", wrap=True)
    return batch, gpus, rate


@app.cell
def _():
    cores = labkit.ui.slider("cores", steps=CORE_STEPS, value=DGX_CORES, show_value=True, label="CPU cores per node")
    per_core = labkit.ui.slider("per_core", start=25, stop=400, step=25, value=int(C.xform_image_samples_per_core),
                                show_value=True, label="Images/s one core prepares")
    prefetch = labkit.ui.switch("prefetch", value=True, label="Prefetch (overlap data with compute)")
    mo.hstack([cores, per_core, prefetch], justify="start", wrap=True)
    return cores, per_core, prefetch


@app.cell
def _(batch, cores, gpus, per_core, prefetch, rate):
    try:
        xform = XFORM.solve(cpu_cores=cores.value, samples_per_second=rate.value, accelerators_per_node=gpus.value,
                            per_core_rate=per_core.value, batch_size=batch.value, overlapped=prefetch.value)
        xform_error = None
    except MLSysError as _e:
        xform, xform_error = None, str(_e)
    return xform, xform_error


@app.cell
def _(prediction, xform, xform_error):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see your node._"))
    mo.stop(xform_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {xform_error}"),
                                                kind="danger"))
    _r = xform.raw()
    _stats = mo.hstack([
        mo.stat(f"{_r['cores_needed']:,}", label="Cores needed", caption=f"{_r['cores_per_accelerator']:.3g} per GPU"),
        mo.stat(pct(_r["accelerator_utilization"]), label="GPUs busy",
                caption="data-bound" if _r["step_time"] > _r["compute_time"] * (1 + 1e-9) else "compute-bound"),
        mo.stat(si(_r["step_time"], "s"), label="Step time", caption=f"compute alone {si(_r['compute_time'], 's')}"),
        mo.stat(f"×{_r['slowdown_factor']:.2f}", label="Slowdown"),
    ], justify="start", wrap=True)
    _fail = mo.md("")
    if _r["step_time"] > _r["compute_time"] * (1 + 1e-9):
        _why = (f"the {_r['cpu_cores']:,} cores deliver {_r['supply_rate']:,.0f} images/s against the GPUs' "
                f"{_r['demand_rate']:,.0f}: short by **{_r['cores_needed'] - _r['cpu_cores']:,} cores**"
                if _r["is_bottleneck"] else
                "the cores are fast enough, but without prefetching the GPUs wait for every batch to be prepared")
        _fail = mo.callout(mo.md(f"""
        **Data stall: the GPUs idle {pct(1 - _r["accelerator_utilization"])} of every step.** Each step
        takes {si(_r["step_time"], "s")} instead of {si(_r["compute_time"], "s")}: {_why}. Add cores,
        turn prefetching on, decode on the GPU, or store pre-decoded (smaller, cheaper to prepare) samples.
        """), kind="danger")
    mo.vstack([_stats, _fail, mo.accordion({"Show the work": mo.md(xform.explain())})])
    return


@app.cell
def _(batch, gpus, per_core, rate):
    # the sweep over cores, prefetch on and off: once per rate, node and batch, not per core move
    try:
        core_sweep = [{"cores": _c, "busy": XFORM.solve(cpu_cores=_c, samples_per_second=rate.value,
                                                        accelerators_per_node=gpus.value, per_core_rate=per_core.value,
                                                        batch_size=batch.value, overlapped=_o).accelerator_utilization,
                       "pipeline": "prefetch on" if _o else "prefetch off"}
                      for _o in (True, False) for _c in CORE_STEPS]
    except MLSysError:
        core_sweep = None
    return (core_sweep,)


@app.cell
def _(core_sweep, cores, prediction, xform):
    mo.stop(prediction.value is None or core_sweep is None or xform is None)
    _x = alt.X("cores:Q", scale=alt.Scale(type="log", base=2), title="CPU cores per node")
    _lines = labkit.chart(core_sweep).mark_line(point=True).encode(
        x=_x, y=alt.Y("busy:Q", title="GPUs busy", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("pipeline:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("pipeline:N"), alt.Tooltip("cores:Q"), alt.Tooltip("busy:Q", format=".1%")])
    _need = labkit.chart([{"cores": xform.cores_needed}]).mark_rule(
        color=labkit.PALETTE["vermillion"], strokeDash=[4, 3]).encode(x=_x)
    _now = labkit.chart([{"cores": cores.value}]).mark_rule(color=labkit.PALETTE["grey"]).encode(x=_x)
    (_lines + _need + _now).properties(width=600, height=280, title=alt.Title(
        "GPU utilisation against CPU cores", subtitle="red dashes: cores needed; grey: your node"))
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    ## 3 · Data gravity: the shared filesystem

    Scale the job out. Every GPU pulls its samples from one shared filesystem (the zoo's default
    is the {FS_BW} that Llama 3's Tectonic storage sustains, Dubey et al. 2024), through each
    node's storage links and each GPU's PCIe lane. A *cache hit* (local NVMe, page cache) skips
    storage and network. The training rate per GPU is the one set in section 2.
    """)
    return


@app.cell
def _():
    fleet = labkit.ui.slider("fleet", steps=FLEET_STEPS, value=1024, show_value=True, label="GPUs in the job")
    sample_kb = labkit.ui.slider("sample_kb", steps=SAMPLE_KB, value=IMAGENET_KB,
                                 show_value=True, label=f"Bytes per sample (KB; {IMAGENET_KB} = an ImageNet JPEG)")
    cache = labkit.ui.slider("cache", start=0.0, stop=0.95, step=0.05, value=0.0, show_value=True,
                             label="Cache hit rate")
    mo.hstack([fleet, sample_kb, cache], justify="start", wrap=True)
    return cache, fleet, sample_kb


@app.cell
def _(cache, fleet, gpus, rate, sample_kb):
    try:
        ingest = DATA.solve(samples_per_second=rate.value, bytes_per_sample=sample_kb.value * 1e3,
                            n_accelerators=fleet.value, accelerators_per_node=gpus.value, cache_hit_rate=cache.value)
        ingest_error = None
    except MLSysError as _e:
        ingest, ingest_error = None, str(_e)
    return ingest, ingest_error


@app.cell
def _(cache, gpus, rate, sample_kb):
    # the sweep over job sizes: once per rate, node, sample size and cache, not per job-size move
    try:
        fleet_sweep = [{"gpus": _n, "busy": DATA.solve(samples_per_second=rate.value,
                                                       bytes_per_sample=sample_kb.value * 1e3, n_accelerators=_n,
                                                       accelerators_per_node=gpus.value,
                                                       cache_hit_rate=cache.value).accelerator_utilization}
                       for _n in FLEET_STEPS]
    except MLSysError:
        fleet_sweep = None
    return (fleet_sweep,)


@app.cell
def _(ingest, ingest_error):
    mo.stop(ingest_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {ingest_error}"),
                                                 kind="danger"))
    _r = ingest.raw()
    _rows = "\n".join(f"| {_p} | {si(_r[_p + '_bw'], 'B/s')} | **{pct(_r[_p + '_utilization'])}** |"
                      for _p in ("storage", "network", "pcie"))
    _fail = mo.md("")
    if _r["is_stalled"]:
        _fail = mo.callout(mo.md(f"""
        **Storage stall: the {_r["bottleneck"]} path is {pct(_r["utilization"])} loaded.** The job pulls
        {si(_r["demand_bw"], "B/s")}; the GPUs run at {pct(_r["accelerator_utilization"])} of their speed
        ({_r["achieved_samples_per_second"]:,.0f} of {_r["samples_per_second"]:,.0f} images/s each). Cache
        locally, shrink the samples, or buy bandwidth: more GPUs only make it worse.
        """), kind="danger")
    mo.vstack([mo.md(f"""
    The job of {_r["n_accelerators"]:,} GPUs on {_r["nodes"]:,} nodes pulls **{si(_r["demand_bw"], "B/s")}**
    ({pct(_r["cache_hit_rate"], 0)} served from cache).

    | path | supply | load |
    |:---|---:|---:|
    {_rows}
    """), _fail, mo.accordion({"Show the work": mo.md(ingest.explain())})])
    return


@app.cell
def _(fleet, fleet_sweep, ingest_error):
    mo.stop(ingest_error is not None or fleet_sweep is None)
    _x = alt.X("gpus:Q", scale=alt.Scale(type="log", base=2), title="GPUs in the job")
    _line = labkit.chart(fleet_sweep).mark_line(point=True, color=labkit.PALETTE["blue"]).encode(
        x=_x, y=alt.Y("busy:Q", title="GPUs busy", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("gpus:Q"), alt.Tooltip("busy:Q", format=".1%")])
    _now = labkit.chart([{"gpus": fleet.value}]).mark_rule(color=labkit.PALETTE["grey"]).encode(x=_x)
    (_line + _now).properties(width=600, height=240, title=alt.Title(
        "GPU utilisation as the job grows", subtitle="grey: your job; past the knee, storage sets the pace"))
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    ## 4 · The worked example, live

    Mohan et al. (2021, VLDB 14(5), section 3) measured that image models need **3 to 24 CPU
    cores per V100** to avoid stalls. With NVIDIA's measured ResNet-50 rates and the zoo's
    per-core JPEG rate, the engine's count per GPU, and one ImageNet epoch ({IMAGENET_IMAGES:,} JPEGs) on
    a DGX A100 with the CPU pipeline of section 1:
    """)
    return


@app.cell
def _(prediction):
    # the A100 row is the prediction's answer: wait for it
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see the worked example._"))
    _rows = []
    for _name, _rate in (("V100", V100_RATE), ("A100", A100_RATE)):
        _r = XFORM.solve(cpu_cores=DGX_CORES, samples_per_second=_rate, accelerators_per_node=8, batch_size=256)
        _rows.append(f"| {_name} | {_rate:,.0f} | **{_r.raw('cores_per_accelerator'):.3g}** | {_r.cores_needed:,} | "
                     f"{pct(_r.accelerator_utilization)} |")
    _dgx = XFORM.solve(cpu_cores=DGX_CORES, samples_per_second=A100_RATE, accelerators_per_node=8, batch_size=256)
    _node_rate = _dgx.raw("demand_rate") * _dgx.accelerator_utilization
    _epoch = C.labs_data_imagenet_train_images / _node_rate
    mo.md(f"""
    | GPU | images/s (measured) | cores per GPU | cores for 8 | busy on {DGX_CORES} cores |
    |:---|---:|---:|---:|---:|
    {chr(10).join(_rows)}

    The V100 lands inside Mohan et al.'s range, the A100 at its top end. One ImageNet epoch on the
    DGX A100 with CPU decoding takes **{_epoch / 60:.1f} min** at {_node_rate:,.0f} images/s, against
    {C.labs_data_imagenet_train_images / _dgx.raw("demand_rate") / 60:.1f} min if the GPUs set the pace.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    ## Key takeaways

    - **Faster GPUs move the bottleneck to the host.** Cores needed grow with the GPU's rate:
      a node that fed V100s starves A100s, and an H100 node needs more still.
    - **Prefetch always.** Overlapping the data stage with compute turns a sum into a max; without
      it, even ample cores leave the GPUs waiting every step.
    - **Data has gravity.** A shared filesystem's bandwidth is fixed; the job's demand grows with
      every GPU. Past a job size, storage sets the step time and adding GPUs adds nothing.
    - The fixes are engineering, not hardware: decode on the GPU, cache, shrink or pre-process
      the samples, co-locate compute with the data.

    ## Exercises

    **Exercise 1.** A DGX-1 has 8 V100s, each training ResNet-50 at the measured {V100_RATE:,.0f} images/s.
    At the zoo's per-core rate, how many CPU cores does it need to keep them busy?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Cores needed")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    labkit.check_answer(answer_1.value, XFORM.solve(cpu_cores=DGX_CORES, samples_per_second=V100_RATE,
                                                    accelerators_per_node=8).cores_needed, "cores", tolerance=0)
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    **Exercise 2.** The DGX A100 of section 1 (8 A100s, {DGX_CORES} cores, batch 256), but with prefetching
    **off**: what share of the time are the GPUs busy, in percent?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="GPUs busy (%)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    labkit.check_answer(answer_2.value, 100 * XFORM.solve(cpu_cores=DGX_CORES, samples_per_second=A100_RATE,
                                                          accelerators_per_node=8, batch_size=256,
                                                          overlapped=False).accelerator_utilization, "%")
    return


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    **Exercise 3.** ImageNet JPEGs, no cache, the zoo's {FS_BW} shared filesystem, A100s at
    {A100_RATE:,.0f} images/s in nodes of 8: what is the largest job, in GPUs, that storage still feeds without
    a stall?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Largest job (GPUs)")
    answer_3
    return (answer_3,)


@app.cell
def _():
    # once, not per typed answer: bisection on the engine's verdict (20 solves)
    def _stalled(n):
        return DATA.solve(samples_per_second=A100_RATE, n_accelerators=n, accelerators_per_node=8).is_stalled

    _lo, _hi = 1, 1 << 20
    while _hi - _lo > 1:
        _mid = (_lo + _hi) // 2
        _lo, _hi = (_lo, _mid) if _stalled(_mid) else (_mid, _hi)
    largest_fed_job = _lo
    return (largest_fed_job,)


@app.cell
def _(answer_3, largest_fed_job):
    labkit.check_answer(answer_3.value, largest_fed_job, "GPUs")
    return


if __name__ == "__main__":
    app.run()
