# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.15
# goal: Count the labelled samples a subgroup audit needs for a given confidence, and price privacy and robustness mitigations in compute, memory and accuracy.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.15 · Responsible engineering: no free fairness")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import Hardware, MLSysError, Models, ResponsibleEngineeringModel
    from mlsysim_core.fmt import pct, si

    RESP = ResponsibleEngineeringModel()
    # the audit's sample counts do not depend on the model; its GPU-hours do (inference on this one)
    AUDIT_MODEL, AUDIT_GPU = Models.ResNet50, Hardware.H100
    CONFIDENCES = {"90 %": 0.90, "95 %": 0.95, "99 %": 0.99}
    HALF_WIDTHS = [0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1]          # ± accuracy points / 100
    SUBGROUPS = [1, 2, 4, 8, 10, 20, 40, 80, 160]
    PREVALENCE = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
    POOL_STEPS = [10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000]
    MODELS = {m.name: m for m in (Models.ResNet18, Models.ResNet50, Models.MobileNetV2, Models.BERT_Base,
                                  Models.Llama3_2_1B, Models.Llama3_8B)}
    GPUS = {h.name: h for h in (Hardware.H100, Hardware.A100, Hardware.L4, Hardware.T4)}
    EPSILONS = [0.5, 1, 2, 3, 4, 6, 8, 10]

    labkit.init()  # colour-blind-safe chart theme


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.15 · Responsible engineering: no free fairness

    "Our model is 94 % accurate" says nothing about the people it is 70 % accurate for. A
    responsible release reports accuracy **per subgroup**, and every subgroup's number needs a
    confidence interval narrow enough to act on. The width of a binomial interval shrinks only
    with the square root of the samples, so each subgroup needs

    $$
    n = \frac{z^2\, p\,(1-p)}{w^2}
    \qquad \text{samples for a half-width } w \text{ at confidence } z
    $$

    ($p$ the subgroup's accuracy, $p(1-p) \le 1/4$; $z = 1.96$ at 95 %). $K$ subgroups need $Kn$
    samples if you can sample each group on purpose; drawn at random, the rarest group, a share
    $\pi$ of the population, sets the whole pool: $n / \pi$.

    Mitigations have a price too. **DP-SGD** (Abadi et al. 2016) clips every sample's gradient and
    adds noise: per-sample gradients cost memory and HBM traffic (or a second backward pass with
    ghost clipping), and accuracy falls as the privacy budget $\varepsilon$ tightens.
    **Adversarial training** with $K$-step PGD (Madry et al. 2018) runs $K + 1$ forward-backward
    passes per step.

    **Learning goals.** After this lab you can

    - size an evaluation set that gives every subgroup a confidence interval of a chosen width;
    - explain why intersectional subgroups and rare groups, not the model, drive the data bill;
    - price DP-SGD and PGD adversarial training in GPU time, memory and published accuracy;
    - tell when a mitigation does not fit on the hardware at all.
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

    You audit a face-analysis model across **5 skin tones × 2 genders × 4 age bands = 40
    subgroups**. Each subgroup's accuracy must be known to **±1 point at 95 % confidence**
    (planning for the worst case, accuracy near 50 %). Your evaluation data is drawn at random
    from the user population, where the rarest subgroup is **0.5 %** of users.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio(
        "prediction",
        options={
            "About 10,000: one well-sized test set covers everyone": "10k",
            "About 400,000: 10,000 for each of the 40 subgroups": "400k",
            "About 2 million: the rarest subgroup sets the size": "2M",
            "About 40 million": "40M",
        },
        label="**Predict:** how many labelled examples must the random evaluation set hold?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _r = RESP.solve(AUDIT_MODEL, AUDIT_GPU, subgroups=40, ci_half_width=0.01, confidence=0.95,
                    min_subgroup_prevalence=0.005)
    _pool = _r.raw("dataset_for_rarest_group")
    _truth = "10k" if _pool < 50_000 else "400k" if _pool < 1_000_000 else "2M" if _pool < 10_000_000 else "40M"
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: {_pool:,} labelled examples.** Each subgroup needs
    **{_r.raw("samples_per_subgroup"):,}** for ±1 point at 95 %; 40 subgroups sampled on purpose would
    need {_r.raw("evaluation_samples"):,}. Drawn at random, the rarest group gets only 0.5 % of the
    pool, so the pool must be {_pool:,} for it to reach {_r.raw("samples_per_subgroup"):,}. Running
    the model over them is cheap ({_r.raw("evaluation_gpu_hours") * 60:.2g} GPU-minutes of ResNet-50 on
    an H100 for the stratified set): the bill is in collecting and labelling the data, not in compute.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Plan your audit

    Choose how many subgroups you report, how tight each interval must be and at what confidence,
    the accuracy you expect (50 % is the worst case), how rare the rarest subgroup is, and how many
    labelled examples you can afford.
    """)
    return


@app.cell
def _():
    subgroups = labkit.ui.slider("subgroups", steps=SUBGROUPS, value=40, show_value=True, label="Subgroups")
    half_width = labkit.ui.slider("half_width", steps=HALF_WIDTHS, value=0.01, show_value=True,
                                  label="Interval half-width w (0.01 = ±1 point)")
    confidence = labkit.ui.radio("confidence", options=CONFIDENCES, value="95 %", inline=True, label="Confidence")
    mo.vstack([mo.hstack([subgroups, half_width], justify="start"), confidence])
    return confidence, half_width, subgroups


@app.cell
def _():
    accuracy = labkit.ui.slider("accuracy", start=0.5, stop=0.99, step=0.01, value=0.5, show_value=True,
                                label="Expected subgroup accuracy p")
    prevalence = labkit.ui.slider("prevalence", steps=PREVALENCE, value=0.005, show_value=True,
                                  label="Rarest subgroup's share of the population")
    pool = labkit.ui.slider("pool", steps=POOL_STEPS, value=300_000, show_value=True,
                            label="Labelled examples you can afford")
    mo.hstack([accuracy, prevalence, pool], justify="start", wrap=True)
    return accuracy, pool, prevalence


@app.cell
def _(accuracy, confidence, half_width, prevalence, subgroups):
    try:
        audit = RESP.solve(AUDIT_MODEL, AUDIT_GPU, subgroups=subgroups.value, ci_half_width=half_width.value,
                           confidence=confidence.value, subgroup_accuracy=accuracy.value,
                           min_subgroup_prevalence=prevalence.value)
        audit_error = None
    except MLSysError as _e:
        audit, audit_error = None, str(_e)
    return audit, audit_error


@app.cell
def _(audit, audit_error, pool, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see your audit._"))
    mo.stop(audit_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {audit_error}"),
                                                kind="danger"))
    _r = audit.raw()
    _need = _r["dataset_for_rarest_group"]
    _stats = mo.hstack([
        mo.stat(f"{_r['samples_per_subgroup']:,}", label="Per subgroup",
                caption=f"±{_r['ci_half_width'] * 100:g} pts at {pct(_r['confidence'], 0)}"),
        mo.stat(f"{_r['evaluation_samples']:,}", label="Stratified set", caption=f"{_r['subgroups']} subgroups"),
        mo.stat(f"{_need:,}", label="Random pool", caption=f"rarest group {pct(_r['min_subgroup_prevalence'], 1)}"),
        mo.stat(f"{_r['evaluation_gpu_hours'] * 60:.2g} min", label="GPU time (stratified)",
                caption="ResNet-50 on an H100"),
    ], justify="start", wrap=True)
    _fail = mo.md("")
    if _need > pool.value:
        _got = int(pool.value * _r["min_subgroup_prevalence"])
        _fail = mo.callout(mo.md(f"""
        **Underpowered audit: the rarest subgroup gets about {_got:,} examples, not
        {_r["samples_per_subgroup"]:,}.** A random pool of {pool.value:,} falls short by
        **{_need - pool.value:,}** ({_need / pool.value:.3g}× what you can afford), so that group's interval
        is wider than ±{_r["ci_half_width"] * 100:g} points and its number cannot support a decision. Oversample
        the rare groups on purpose (the stratified set needs {_r["evaluation_samples"]:,}), report fewer,
        coarser subgroups, or accept a wider interval.
        """), kind="danger")
    mo.vstack([_stats, _fail, mo.accordion({"Show the work": mo.md(audit.explain())})])
    return


@app.cell
def _(accuracy):
    # samples per subgroup against the interval width, at each confidence: once per accuracy move
    width_sweep = [{"w": _w * 100, "n": RESP.solve(AUDIT_MODEL, AUDIT_GPU, subgroups=1, ci_half_width=_w,
                                                   confidence=_c, subgroup_accuracy=accuracy.value)
                    .raw("samples_per_subgroup"), "confidence": _label}
                   for _label, _c in CONFIDENCES.items() for _w in HALF_WIDTHS]
    return (width_sweep,)


@app.cell
def _(half_width, prediction, width_sweep):
    mo.stop(prediction.value is None)
    _x = alt.X("w:Q", scale=alt.Scale(type="log"), title="interval half-width (± accuracy points)")
    _lines = labkit.chart(width_sweep).mark_line(point=True).encode(
        x=_x, y=alt.Y("n:Q", scale=alt.Scale(type="log"), title="samples per subgroup"),
        color=alt.Color("confidence:N", title="confidence", legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("confidence:N"), alt.Tooltip("w:Q"), alt.Tooltip("n:Q", format=",")])
    _now = labkit.chart([{"w": half_width.value * 100}]).mark_rule(
        color=labkit.PALETTE["grey"]).encode(x=_x)
    (_lines + _now).properties(width=600, height=280, title=alt.Title(
        "Halving the interval costs four times the samples", subtitle="grey: your half-width"))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The cost of mitigation: privacy and robustness

    Train with DP-SGD at a privacy budget $\varepsilon$ (smaller is more private; $\delta = 10^{-5}$)
    and/or PGD adversarial training with $K$ attack steps. The engine prices the training run in
    GPU-hours against a baseline you set, checks that the per-sample gradients fit in memory, and
    reports the accuracy Abadi et al. (2016) measured on CIFAR-10 at that $\varepsilon$: the published
    price of privacy, not a prediction for your model.
    """)
    return


@app.cell
def _():
    m_model = labkit.ui.dropdown("m_model", options=MODELS, value=Models.ResNet50.name, label="Model")
    m_gpu = labkit.ui.dropdown("m_gpu", options=GPUS, value=Hardware.H100.name, label="GPU")
    m_batch = labkit.ui.slider("m_batch", steps=[8, 16, 32, 64, 128, 256, 512], value=256, show_value=True,
                               label="Batch")
    base_hours = labkit.ui.slider("base_hours", steps=[10, 100, 1000, 10000, 100000], value=1000, show_value=True,
                                  label="Baseline training (GPU-hours)")
    mo.vstack([mo.hstack([m_model, m_gpu], justify="start"), mo.hstack([m_batch, base_hours], justify="start")])
    return base_hours, m_batch, m_gpu, m_model


@app.cell
def _():
    dp_on = labkit.ui.switch("dp_on", value=True, label="DP-SGD")
    epsilon = labkit.ui.slider("epsilon", steps=EPSILONS, value=2, show_value=True, label="Privacy budget ε")
    dp_method = labkit.ui.radio("dp_method", options={"per-sample gradients (Opacus)": "per_sample",
                                                      "ghost clipping (second backward)": "ghost"},
                                value="per-sample gradients (Opacus)", inline=True, label="DP-SGD method")
    pgd = labkit.ui.slider("pgd", start=0, stop=20, step=1, value=0, show_value=True,
                           label="PGD attack steps K (0 = no adversarial training)")
    mo.vstack([mo.hstack([dp_on, epsilon, pgd], justify="start", wrap=True), dp_method])
    return dp_method, dp_on, epsilon, pgd


@app.cell
def _(base_hours, dp_method, dp_on, epsilon, m_batch, m_gpu, m_model, pgd):
    try:
        mitigation = RESP.solve(m_model.value, m_gpu.value, batch_size=m_batch.value,
                                epsilon=epsilon.value if dp_on.value else None, dp_method=dp_method.value,
                                pgd_steps=pgd.value, base_gpu_hours=base_hours.value)
        mitigation_error = None
    except MLSysError as _e:
        mitigation, mitigation_error = None, str(_e)
    return mitigation, mitigation_error


@app.cell
def _(mitigation, mitigation_error):
    mo.stop(mitigation_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {mitigation_error}"),
                                                     kind="danger"))
    _r = mitigation.raw()
    _acc = ("no DP" if _r["epsilon"] is None else
            f"{pct(_r['dp_accuracy'])} vs {pct(_r['nonprivate_accuracy'])}")
    _stats = mo.hstack([
        mo.stat(f"×{_r['training_multiplier']:.3g}", label="Training cost",
                caption=f"DP ×{_r['dp_time_multiplier']:.3g} · PGD ×{_r['pgd_multiplier']:g}"),
        mo.stat(f"{labkit.num(_r['gpu_hours'])}", label="GPU-hours", caption=f"+{labkit.num(_r['extra_gpu_hours'])}"),
        mo.stat(si(_r["memory_footprint"] + _r["per_sample_grad_memory"], "B"), label="Training memory",
                caption=f"of {si(_r['memory_capacity'], 'B')}"),
        mo.stat(_acc, label="CIFAR-10 accuracy (published)"),
    ], justify="start", wrap=True)
    _fail = mo.md("")
    if not _r["dp_fits"]:
        _need = _r["memory_footprint"] + _r["per_sample_grad_memory"]
        _fail = mo.callout(mo.md(f"""
        **Out of memory: this training run does not fit on the {_r["hardware"]}.** It needs
        {si(_need, "B")} ({si(_r["per_sample_grad_memory"], "B")} of them per-sample gradients) but the GPU
        holds {si(_r["memory_capacity"], "B")}: short by **{si(_need - _r["memory_capacity"], "B")}**. Shrink
        the batch, switch to ghost clipping (no per-sample gradients, a second backward pass instead),
        or shard the model.
        """), kind="danger")
    mo.vstack([_stats, _fail, mo.accordion({"Show the work": mo.md(mitigation.explain())})])
    return


@app.cell
def _(dp_method, m_batch, m_gpu, m_model):
    # published accuracy and the DP cost over the privacy budget: once per model, GPU, batch and method,
    # not per epsilon move (the chart marks the chosen point)
    eps_sweep = []
    for _e in EPSILONS:
        _r = RESP.solve(m_model.value, m_gpu.value, batch_size=m_batch.value, epsilon=_e, dp_method=dp_method.value)
        eps_sweep.append({"epsilon": _e, "accuracy": _r.raw("dp_accuracy"),
                          "extrapolated": _r.raw("dp_accuracy_extrapolated")})
    return (eps_sweep,)


@app.cell
def _(eps_sweep, epsilon):
    _pts = labkit.chart(eps_sweep).mark_line(point=True, color=labkit.PALETTE["blue"]).encode(
        x=alt.X("epsilon:Q", scale=alt.Scale(type="log"), title="privacy budget ε (smaller: more private)"),
        y=alt.Y("accuracy:Q", axis=alt.Axis(format="%"), scale=alt.Scale(zero=False), title="CIFAR-10 accuracy"),
        tooltip=[alt.Tooltip("epsilon:Q"), alt.Tooltip("accuracy:Q", format=".1%"), alt.Tooltip("extrapolated:N")])
    _sel = labkit.chart([_p for _p in eps_sweep if _p["epsilon"] == epsilon.value]).mark_point(
        size=140, filled=True, color=labkit.PALETTE["vermillion"]).encode(x=alt.X("epsilon:Q"), y=alt.Y("accuracy:Q"))
    (_pts + _sel).properties(width=600, height=240, title=alt.Title(
        "The published price of privacy (Abadi et al. 2016)",
        subtitle="red: your ε; outside the measured range the end point is held"))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The worked examples, live

    - **The Wald interval's sample size** (Wasserman 2004, *All of Statistics*, section 6.3.2): ±1 point at 95 % with $p = 0.5$ needs
      $1.96^2 \times 0.25 / 0.01^2 \approx 9{,}604$ samples.
    - **PGD-7 adversarial training** (Madry et al. 2018, section 5, CIFAR-10): 7 attack steps plus the
      training pass, 8× the compute of standard training.
    - **DP-SGD on CIFAR-10** (Abadi et al. 2016, section 5): 67 %, 70 % and 73 % accuracy at
      ε = 2, 4, 8 (δ = 10⁻⁵), against 80 % without privacy.

    The engine's numbers:
    """)
    return


@app.cell
def _(prediction):
    # the per-subgroup count is half of the prediction's answer: wait for it
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see the worked examples._"))
    _n = RESP.solve(AUDIT_MODEL, AUDIT_GPU, subgroups=1, ci_half_width=0.01, confidence=0.95)
    _pgd = RESP.solve(AUDIT_MODEL, AUDIT_GPU, pgd_steps=7)
    _dp = [RESP.solve(AUDIT_MODEL, AUDIT_GPU, epsilon=_e) for _e in (2, 4, 8)]
    mo.md(f"""
    | example | engine |
    |:---|---:|
    | samples for ±1 point at 95 %, $p = 0.5$ | **{_n.raw("samples_per_subgroup"):,}** |
    | PGD-7 training compute | **×{_pgd.raw("pgd_multiplier"):g}** |
    | CIFAR-10 accuracy at ε = 2, 4, 8 | **{", ".join(pct(_d.raw("dp_accuracy"), 0) for _d in _dp)}** (non-private {pct(_dp[0].raw("nonprivate_accuracy"), 0)}) |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **Confidence is bought with the square of the precision.** Halving an interval's width takes
      four times the samples, for every subgroup.
    - **Subgroups multiply, and rare groups divide.** Intersectional categories multiply the number
      of intervals; drawing at random, the rarest group's share sets the whole pool. Stratified
      (purposeful) sampling is the cheap fix.
    - **The audit's bill is data, not compute.** Evaluating a few hundred thousand examples costs
      GPU-minutes; collecting and labelling them is the real cost.
    - **Mitigations are not free either.** DP-SGD costs memory or a second backward pass, plus
      accuracy that grows with privacy; $K$-step adversarial training costs $K+1$ times the compute.

    ## Exercises

    **Exercise 1.** How many samples does one subgroup need for a half-width of ±2 points at 95 %
    confidence, planning for $p = 0.5$?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Samples per subgroup")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    labkit.check_answer(answer_1.value, RESP.solve(AUDIT_MODEL, AUDIT_GPU, subgroups=1, ci_half_width=0.02,
                                                   confidence=0.95).raw("samples_per_subgroup"), "", tolerance=0.01)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** A stratified audit of 20 subgroups at ±1 point and **99 %** confidence ($p = 0.5$):
    how many labelled examples in total?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Evaluation samples")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    labkit.check_answer(answer_2.value, RESP.solve(AUDIT_MODEL, AUDIT_GPU, subgroups=20, ci_half_width=0.01,
                                                   confidence=0.99).raw("evaluation_samples"), "", tolerance=0.01)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** ResNet-50 on an H100 at batch 256, trained with DP-SGD (ε = 2, per-sample
    gradients) **and** PGD-7 adversarial training: by what factor does the training compute grow?
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Training cost multiplier (×)")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    labkit.check_answer(answer_3.value, RESP.solve(Models.ResNet50, Hardware.H100, batch_size=256, epsilon=2,
                                                   pgd_steps=7).raw("training_multiplier"), "×")
    return


if __name__ == "__main__":
    app.run()
