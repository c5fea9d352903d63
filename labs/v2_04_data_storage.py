# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.4
# goal: Find when storage bandwidth, not FLOP/s, sets training time: feeding thousands of accelerators, cache hit rates and checkpoint write bursts.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.4 · Data storage")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import CheckpointModel, DataModel, MLSysError, Models, Systems, constants
    from mlsysim_core.fmt import pct, si

    DATA = DataModel()
    CKPT = CheckpointModel()
    SMALL, BIG = Systems.Clusters.H100_256, Systems.Clusters.Training_10K
    # vision models read images from storage (an LLM's tokens are a few bytes each)
    VISION = {m.name: m for m in (Models.ResNet50, Models.ResNet18, Models.MobileNetV2, Models.EfficientNetB0,
                                  Models.AlexNet, Models.ViT_B16, Models.ViT_L16)}
    LLMS = {name: m for name, m in Models.options().items() if hasattr(m, "heads")}
    SIZES = [8 * 2**_k for _k in range(15)]                      # 8 ... 131,072 accelerators
    FS_STEPS = [25, 50, 100, 200, 500, 1000, 2000, 4000, 7000, 10000, 20000, 50000]   # GB/s
    SAMPLE_KB = [1, 5, 10, 25, 50, 75, 115, 200, 500, 1000, 2000, 5000]
    labkit.init()  # colour-blind-safe chart theme


@app.function
def seconds(s):
    """A time in ms, s or min, whichever reads better."""
    if s < 1:
        return f"{s * 1e3:,.3g} ms"
    return f"{s:,.3g} s" if s < 120 else f"{s / 60:,.3g} min"


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # II.4 · Data storage: the ingestion wall

    One GPU training ResNet-50 eats thousands of images a second; a shared filesystem that
    shrugs at one server must serve ten thousand of them, all at once, all the time:

    $$BW_{\text{demand}} = N \times \text{samples/s} \times \text{bytes/sample}
    \qquad
    \rho_{\text{storage}} = \frac{(1-h)\,BW_{\text{demand}}}{BW_{\text{fs}}}
    \qquad
    U_{\text{accel}} = \min\!\left(1,\ \frac{1}{\max_{\text{path}} \rho}\right)$$

    with $h$ the cache hit rate of the local tier (NVMe, page cache), and the same check for the
    storage network and each GPU's PCIe link. Past $\rho = 1$ the accelerators **wait for data**:
    training time grows by $1/U$. Storage is also where the training state goes, in bursts:

    $$S_{\text{ckpt}} = P\,(b_w + b_{\text{opt}})
    \qquad
    T_{\text{write}} = \frac{S_{\text{ckpt}}}{\min(n_{\text{nodes}}\,BW_{\text{node}},\ BW_{\text{fs}})}
    \qquad
    \text{MFU loss} = \frac{\delta}{\tau + \delta}$$

    ($b_w + b_{\text{opt}}$ = 2 + 12 bytes per parameter with bf16 and Adam; $\delta$ the stall, the
    whole write when synchronous, only the device-to-host snapshot when asynchronous; $\tau$ the
    Young–Daly interval.)

    **After this lab you can**

    - compute the bandwidth a training fleet demands of storage, and name the path that stalls;
    - say what cache hit rate a tiered store needs before the accelerators stop waiting;
    - size a checkpoint, its write burst and its cost in MFU, and say when asynchronous
      checkpointing hides it.
    """)
    return


@app.cell(hide_code=True)
def _():
    labkit.toolbar()
    return


@app.cell(hide_code=True)
def _():
    _c = constants()
    mo.md(rf"""
    ## 1 · Predict, then reveal

    A team trains ResNet-50 on ImageNet JPEGs (about {si(_c.data_imagenet_sample_bytes, "B")} each) on
    {SMALL.total_accelerators:,} H100s, reading from a **{si(_c.storage_fs_bandwidth, "B/s")}** filesystem (the
    sustained rate of Llama 3's Tectonic). The GPUs never wait. They move the same job, no cache, to the
    **{BIG.total_accelerators:,}-H100** cluster on the same filesystem.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"Over 90 %: 2 TB/s is an enormous filesystem": "fine",
                 "40-90 %: some stalls": "some",
                 "10-40 %: mostly waiting": "most",
                 "Under 10 %: almost all the time waiting for images": "starved"},
        label="**Predict:** what share of the time do the 10,000 GPUs compute?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _small = DATA.solve(model=Models.ResNet50, fleet=SMALL, batch_size=256)
    _big = DATA.solve(model=Models.ResNet50, fleet=BIG, batch_size=256)
    _u = _big.accelerator_utilization
    _truth = "fine" if _u > 0.9 else "some" if _u > 0.4 else "most" if _u > 0.1 else "starved"
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** The GPUs compute **{pct(_u)}** of the time. Each H100 wants
    {_big.samples_per_second:,.0f} images/s; 10,000 of them demand **{si(_big.raw("demand_bw"), "B/s")}**,
    {_big.storage_utilization:.1f} × what the filesystem delivers. On 256 GPUs the demand was
    {si(_small.raw("demand_bw"), "B/s")}, {pct(_small.storage_utilization)} of it. Demand grows with $N$;
    a shared filesystem does not, and the training run takes **{1 / _u:.1f} ×** as long as its FLOPs say.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Feeding the fleet

    The per-GPU rate comes from the roofline of the model on the cluster's accelerator (at the
    efficiency you set: real input pipelines reach less, which lowers the demand in proportion).
    """)
    return


@app.cell
def _():
    fleet_pick = labkit.ui.dropdown("fleet_pick", options=Systems.Clusters.options(), value=BIG.name, label="Cluster")
    model_pick = labkit.ui.dropdown("model_pick", options=VISION, value=Models.ResNet50.name, label="Model")
    efficiency = labkit.ui.slider("efficiency", start=0.05, stop=0.7, step=0.05, value=0.5, show_value=True,
                                  label="Efficiency (fraction of peak the training step reaches)")
    _kb = constants().data_imagenet_sample_bytes / 1e3          # an ImageNet JPEG
    sample_kb = labkit.ui.slider("sample_kb", steps=SAMPLE_KB, value=_kb if _kb in SAMPLE_KB else SAMPLE_KB[0],
                                 show_value=True,
                                 label="Bytes per sample (KB, as stored)")
    mo.vstack([mo.hstack([fleet_pick, model_pick], justify="start", gap=2), efficiency, sample_kb])
    return efficiency, fleet_pick, model_pick, sample_kb


@app.cell
def _():
    _fs = constants().storage_fs_bandwidth / 1e9
    storage_gbs = labkit.ui.slider("storage_gbs", steps=FS_STEPS, value=_fs if _fs in FS_STEPS else 2000,
                                   show_value=True, label="Filesystem bandwidth (GB/s)")
    cache_hit = labkit.ui.slider("cache_hit", start=0, stop=0.99, step=0.01, value=0, show_value=True,
                                 label="Cache hit rate h (reads served by the local NVMe / page-cache tier)")
    mo.vstack([storage_gbs, cache_hit])
    return cache_hit, storage_gbs


@app.cell
def _(efficiency, fleet_pick, model_pick, sample_kb):
    # the per-accelerator rate: one roofline solve per change of model, fleet or efficiency
    try:
        rate = DATA.solve(model=model_pick.value, fleet=fleet_pick.value, batch_size=256,
                          efficiency=efficiency.value, bytes_per_sample=sample_kb.value * 1e3).samples_per_second
        rate_error = None
    except MLSysError as _e:
        rate, rate_error = None, str(_e)
    return rate, rate_error


@app.cell
def _(cache_hit, fleet_pick, rate, rate_error, sample_kb, storage_gbs):
    try:
        if rate_error is not None:
            raise MLSysError(rate_error)
        ingest = DATA.solve(samples_per_second=rate, bytes_per_sample=sample_kb.value * 1e3,
                            n_accelerators=fleet_pick.value.total_accelerators,
                            accelerators_per_node=fleet_pick.value.node.accelerators_per_node,
                            storage_bandwidth=storage_gbs.value * 1e9, cache_hit_rate=cache_hit.value)
        ingest_error = None
    except MLSysError as _e:
        ingest, ingest_error = None, str(_e)
    return ingest, ingest_error


@app.cell
def _(ingest, ingest_error, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the numbers._"))
    mo.stop(ingest_error is not None,
            mo.callout(mo.md(f"**This pipeline cannot be sized.** {ingest_error}"), kind="danger"))
    _stats = mo.hstack([
        mo.stat(si(ingest.raw("demand_bw"), "B/s"), label="Demand", bordered=True,
                caption=f"{ingest.samples_per_second:,.0f} samples/s per accelerator"),
        mo.stat(pct(ingest.storage_utilization), label="Filesystem load", bordered=True,
                caption=f"after {pct(ingest.cache_hit_rate, 0)} cache hits"),
        mo.stat(ingest.bottleneck, label="Slowest path", bordered=True,
                caption=f"network {pct(ingest.network_utilization)}, PCIe {pct(ingest.pcie_utilization)}"),
        mo.stat(pct(ingest.accelerator_utilization), label="Accelerators computing", bordered=True,
                caption=f"training takes {1 / ingest.accelerator_utilization:.2f} × as long"),
    ], widths="equal")
    if ingest.is_stalled:
        _note = mo.callout(mo.md(
            f"**Stalled on {ingest.bottleneck}.** The fleet asks for {si(ingest.raw('demand_bw'), 'B/s')}; the "
            f"{ingest.bottleneck} path delivers {si(ingest.raw('supply_bw'), 'B/s')}, so it runs at "
            f"{ingest.utilization:.2f} × its capacity and the accelerators sit idle "
            f"**{pct(ingest.stall_fraction)}** of the time. Raise the cache hit rate (section 3), buy filesystem "
            "bandwidth, store smaller samples (resized, compressed shards) or train on fewer accelerators."),
            kind="danger")
    else:
        _note = mo.callout(mo.md(f"Storage keeps up with {pct(ingest.margin)} headroom on the slowest path "
                                 f"({ingest.bottleneck})."), kind="info")
    mo.vstack([_stats, _note, mo.accordion({"Show the work": mo.md(ingest.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Where the wall is: fleet size and cache hit rate

    Left: the share of time the accelerators compute, against the fleet size, with no cache and
    with your cache hit rate. Right: against the cache hit rate, for your fleet: a tiered store
    (local NVMe in front of the filesystem) helps only once it serves most reads, since the
    filesystem sees $(1-h)$ of the demand.
    """)
    return


@app.cell
def _(fleet_pick, rate, rate_error, sample_kb, storage_gbs):
    # the fleet's utilisation against the cache hit rate (50 points) and the smallest hit rate, to 1 %,
    # that ends the stalls (bisection, 7 solves): once per rate, sample size, filesystem and fleet,
    # not per cache move
    mo.stop(rate_error is not None)
    sweep_kw = dict(samples_per_second=rate, bytes_per_sample=sample_kb.value * 1e3,
                    accelerators_per_node=fleet_pick.value.node.accelerators_per_node,
                    storage_bandwidth=storage_gbs.value * 1e9)
    _n_fleet = fleet_pick.value.total_accelerators
    by_h = []
    for _i in range(0, 100, 2):
        _r = DATA.solve(n_accelerators=_n_fleet, cache_hit_rate=_i / 100, **sweep_kw)
        by_h.append({"h": _i / 100, "busy": _r.accelerator_utilization, "path": _r.bottleneck})

    def _fed(i):
        return DATA.solve(n_accelerators=_n_fleet, cache_hit_rate=i / 100, **sweep_kw).accelerator_utilization >= 1.0

    _lo, _hi = -1, 99                       # _fed(_hi) is known only if checked: 99 is the last stop
    if _fed(99):
        while _hi - _lo > 1:
            _mid = (_lo + _hi) // 2
            _lo, _hi = (_lo, _mid) if _fed(_mid) else (_mid, _hi)
        hit_needed = _hi / 100
    else:
        hit_needed = None
    return by_h, hit_needed, sweep_kw


@app.cell
def _(cache_hit, fleet_pick, prediction, rate_error, sweep_kw):
    mo.stop(prediction.value is None or rate_error is not None)
    # utilisation against fleet size, without and with your cache
    by_n = [{"N": _n, "busy": DATA.solve(n_accelerators=_n, cache_hit_rate=_h, **sweep_kw).accelerator_utilization,
             "cache": f"h = {_h:.0%}"} for _h in sorted({0.0, cache_hit.value}) for _n in SIZES]
    return (by_n,)


@app.cell
def _(by_h, by_n, fleet_pick, hit_needed, prediction, rate_error):
    mo.stop(prediction.value is None or rate_error is not None)
    _n_fleet = fleet_pick.value.total_accelerators
    _by_n, _by_h, _need = by_n, by_h, hit_needed
    _y = alt.Y("busy:Q", title="accelerators computing", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1]))
    _left = labkit.chart(_by_n).mark_line(point=True).encode(
        x=alt.X("N:Q", scale=alt.Scale(type="log", base=2), title="accelerators N"), y=_y,
        color=alt.Color("cache:N", title=None),
        tooltip=[alt.Tooltip("cache:N"), alt.Tooltip("N:Q", format=","), alt.Tooltip("busy:Q", format=".1%")],
    ).properties(width=270, height=240, title="against fleet size")
    _right = labkit.chart(_by_h).mark_line().encode(
        x=alt.X("h:Q", title="cache hit rate h", axis=alt.Axis(format=".0%")), y=_y,
        color=alt.Color("path:N", title="slowest path"),
        tooltip=[alt.Tooltip("h:Q", format=".0%"), alt.Tooltip("busy:Q", format=".1%"), alt.Tooltip("path:N")],
    ).properties(width=270, height=240, title=f"{_n_fleet:,} accelerators")
    _txt = (f"On {_n_fleet:,} accelerators the stalls stop at a cache hit rate of **{_need:.0%}**."
            if _need is not None else
            f"On {_n_fleet:,} accelerators no cache hit rate below 100 % stops the stalls: the "
            f"{_by_h[-1]['path']} path, which a cache does not relieve, or the filesystem's last 1 %, is too slow.")
    mo.vstack([alt.hconcat(_left, _right), mo.md(_txt)])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Checkpoint write bursts

    Every $\tau$ minutes the whole job writes its weights and optimizer state at once. The write
    bandwidth is the smaller of the nodes' storage links and the filesystem; a synchronous
    checkpoint stalls training for the whole write, an asynchronous one only for the copy to host
    memory over PCIe, then writes in the background while training goes on.
    """)
    return


@app.cell
def _():
    ckpt_model = labkit.ui.dropdown("ckpt_model", options=LLMS, value=Models.Llama3_70B.name, label="Model")
    asynchronous = labkit.ui.switch("asynchronous", value=False, label="Asynchronous checkpoint (snapshot, then write)")
    mo.hstack([ckpt_model, asynchronous], justify="start", gap=2)
    return asynchronous, ckpt_model


@app.cell
def _(asynchronous, ckpt_model, fleet_pick, storage_gbs):
    try:
        ckpt = CKPT.solve(ckpt_model.value, fleet_pick.value, asynchronous=asynchronous.value,
                          filesystem_bandwidth=storage_gbs.value * 1e9)
        ckpt_error = None
    except MLSysError as _e:
        ckpt, ckpt_error = None, str(_e)
    return ckpt, ckpt_error


@app.cell
def _(ckpt, ckpt_error, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the numbers._"))
    mo.stop(ckpt_error is not None, mo.callout(mo.md(f"**This checkpoint cannot be planned.** {ckpt_error}"),
                                               kind="danger"))
    _stats = mo.hstack([
        mo.stat(si(ckpt.raw("checkpoint_size"), "B"), label="Checkpoint", bordered=True,
                caption=f"weights {si(ckpt.raw('weights_bytes'), 'B')} + optimizer {si(ckpt.raw('optimizer_bytes'), 'B')}"),
        mo.stat(si(ckpt.raw("write_bandwidth"), "B/s"), label="Write burst", bordered=True,
                caption=f"{ckpt.bottleneck} bound; {si(ckpt.raw('per_node_burst'), 'B/s')} per node"),
        mo.stat(seconds(ckpt.raw("checkpoint_time")), label="Training stalls", bordered=True,
                caption=f"write {seconds(ckpt.raw('write_time'))}, snapshot {seconds(ckpt.raw('snapshot_time'))}"),
        mo.stat(pct(ckpt.mfu_loss, 2), label="MFU lost to checkpoints", bordered=True,
                caption=f"every {ckpt.interval.m_as('minute'):,.3g} min (Young–Daly)"),
    ], widths="equal")
    if ckpt.mfu_loss > 0.02:
        _note = mo.callout(mo.md(
            f"**Checkpointing eats {pct(ckpt.mfu_loss, 1)} of the run.** Writing {si(ckpt.raw('checkpoint_size'), 'B')} "
            f"at {si(ckpt.raw('write_bandwidth'), 'B/s')} stalls every GPU for {seconds(ckpt.raw('checkpoint_time'))}, "
            f"and a fleet that fails every {ckpt.fleet_mtbf.m_as('hour'):,.3g} h must checkpoint every "
            f"{ckpt.interval.m_as('minute'):,.3g} min. Checkpoint asynchronously, shard the optimizer, or buy "
            "filesystem bandwidth."), kind="danger")
    else:
        _note = mo.callout(mo.md(f"The checkpoint costs {pct(ckpt.mfu_loss, 2)} of the run; with lost work "
                                 f"after failures the waste is {pct(ckpt.waste_fraction, 2)}."), kind="info")
    mo.vstack([_stats, _note, mo.accordion({"Show the work (checkpoint)": mo.md(ckpt.explain())})])
    return


@app.cell
def _(ckpt_model, ckpt_error, fleet_pick, prediction):
    mo.stop(prediction.value is None or ckpt_error is not None)
    _rows = []
    for _gbs in FS_STEPS:
        for _async, _name in ((False, "synchronous"), (True, "asynchronous")):
            _r = CKPT.solve(ckpt_model.value, fleet_pick.value, asynchronous=_async,
                            filesystem_bandwidth=_gbs * 1e9)
            _rows.append({"GB/s": _gbs, "loss": _r.mfu_loss, "mode": _name})
    labkit.chart(_rows).mark_line(point=True).encode(
        x=alt.X("GB/s:Q", scale=alt.Scale(type="log"), title="filesystem bandwidth (GB/s)"),
        y=alt.Y("loss:Q", scale=alt.Scale(type="log"), title="MFU lost to checkpoints", axis=alt.Axis(format=".2%")),
        color=alt.Color("mode:N", title=None),
        tooltip=[alt.Tooltip("mode:N"), alt.Tooltip("GB/s:Q"), alt.Tooltip("loss:Q", format=".3%")],
    ).properties(width=540, height=260, title=f"{ckpt_model.value.name} on {fleet_pick.value.name}")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Worked example (Llama 3, Dubey et al. 2024, section 3.3.1)

    Meta trained Llama 3 405B on Tectonic, which serves 240 PB at a **sustained 2 TB/s** and a
    **peak 7 TB/s**, and reports that checkpoint bursts saturate the storage fabric. The engine
    sizes the 405B checkpoint (bf16 weights and Adam state) and its write at both rates; the nodes'
    storage links (1,250 servers) are far faster than either, so the filesystem binds. And the
    ImageNet figure of the zoo: 1,281,167 images in 147.9 GB.
    """)
    return


@app.cell
def _():
    _c = constants()
    _rows = []
    for _bw, _label in ((_c.storage_fs_bandwidth, "sustained"), (_c.storage_fs_peak_bandwidth, "peak")):
        _r = CKPT.solve(Models.Llama3_405B, BIG, filesystem_bandwidth=_bw)
        _rows.append(f"| write at the {_label} {si(_bw, 'B/s')} ({_r.bottleneck} bound) | "
                     f"**{seconds(_r.raw('write_time'))}** |")
    _r = CKPT.solve(Models.Llama3_405B, BIG)
    mo.md(f"""
    | quantity | engine |
    |:---|---:|
    | Llama 3 405B checkpoint, {_r.weights_bytes.m_as('TB'):.3g} TB weights + {_r.optimizer_bytes.m_as('TB'):.3g} TB Adam | **{si(_r.raw('checkpoint_size'), 'B')}** |
    {chr(10).join(_rows)}
    | ImageNet sample in the zoo (147.9 GB / 1,281,167) | {si(_c.data_imagenet_sample_bytes, 'B')} |

    A few seconds per write sounds harmless, but every one of the 16,000 GPUs waits for it, and
    the write is a burst of several TB/s landing on a filesystem that other jobs share.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - Ingestion demand is $N \times$ samples/s $\times$ bytes/sample: it grows with the fleet, a
      shared filesystem does not. Vision workloads at thousands of GPUs hit the storage wall first.
    - Past $\rho = 1$ the accelerators wait: training time grows by $1/U$, whatever their FLOP/s.
    - A local cache tier divides the filesystem's load by $1/(1-h)$: 90 % hits are a 10 × bigger
      filesystem; the PCIe and NIC paths it does not relieve set the next wall.
    - Checkpoints are bursts of $14P$ bytes; synchronous writes stall every GPU for the whole
      write, asynchronous ones only for the snapshot, as long as the write ends before the next.

    ## Exercises

    The notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=0.1, label="TB/s")
    mo.vstack([mo.md("**1.** 4,096 accelerators each read **3,000** ImageNet images per second (the zoo's sample "
                     "size). What bandwidth do they demand, in TB/s?"), ex1])
    return (ex1,)


@app.cell
def _(ex1):
    _r = DATA.solve(samples_per_second=3000, n_accelerators=4096, accelerators_per_node=8)
    labkit.check_answer(ex1.value, _r.demand_bw.m_as("TB/s"), "TB/s", hint="N × samples/s × bytes/sample.")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=1, label="percent")
    mo.vstack([mo.md("**2.** Those 4,096 accelerators read through a **1 TB/s** filesystem. What cache hit rate, "
                     "in percent, is the smallest that stops the stalls?"), ex2])
    return (ex2,)


@app.cell
def _():
    # the engine's answer, once (not per typed answer): the first hit rate, in 0.1 % steps, at which the
    # filesystem keeps up (the stall verdict is monotone in h: bisection, 10 solves)
    def _stalled(i):
        return DATA.solve(samples_per_second=3000, n_accelerators=4096, accelerators_per_node=8,
                          storage_bandwidth=1e12, cache_hit_rate=i / 1000).is_stalled

    _lo, _hi = -1, 1000
    while _hi - _lo > 1:
        _mid = (_lo + _hi) // 2
        _lo, _hi = (_mid, _hi) if _stalled(_mid) else (_lo, _mid)
    ex2_truth = _hi / 1000
    return (ex2_truth,)


@app.cell
def _(ex2, ex2_truth):
    labkit.check_answer(ex2.value, ex2_truth * 100, "%", tolerance=0.05,
                        hint="The filesystem sees (1 − h) of the demand; set that equal to its bandwidth.")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=0.01, label="seconds")
    mo.vstack([mo.md("**3.** Llama-3.1-70B (bf16, Adam) checkpoints synchronously on the 256-H100 cluster to a "
                     "**200 GB/s** filesystem. How long does the write stall training, in seconds?"), ex3])
    return (ex3,)


@app.cell
def _(ex3):
    _r = CKPT.solve(Models.Llama3_70B, SMALL, filesystem_bandwidth="200 GB/s")
    labkit.check_answer(ex3.value, _r.raw("checkpoint_time"), "s",
                        hint="14 bytes per parameter, over min(nodes × node link, filesystem).")
    return


if __name__ == "__main__":
    app.run()
