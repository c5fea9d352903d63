# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.16
# goal: Size the fairness budget at scale: intersectional subgroups multiply, each needs thousands of labelled samples per audit, and many deployments audited often turn a statistic into a labelling bill.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.16 · The fairness budget")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import (FairnessAuditModel, Hardware, MLSysError, Models, calc_fairness_samples,
                              calc_intersectional_subgroups, constants)
    from mlsysim_core.fmt import pct

    AUDIT = FairnessAuditModel()
    PREVALENCE_STEPS = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.25]
    labkit.init()  # colour-blind-safe chart theme


@app.function
def check_answer(answer, truth, unit, tolerance=0.03):
    """The shared exercise check (mlsysim_core.labkit) with this lab's hint."""
    return labkit.check_answer(answer, truth, unit, tolerance,
                               hint="Open *Show the work* in section 2 and redo one row with these inputs.")


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # II.16 · The fairness budget

    "Is the model fair?" becomes, in practice, "is its error rate the same for every group of
    users, to within a tolerance we can defend?". Answering it costs data: each group's error rate
    is an estimate, and an estimate within $\pm w$ at confidence $z$ needs

    $$n = \frac{z^2\,p(1-p)}{w^2}$$

    **labelled** samples of that group (9,604 for $\pm 1$ % at 95 %). Groups are *intersectional*:
    Buolamwini & Gebru (2018) found commercial face classifiers near-perfect on lighter-skinned men
    and wrong on a third of darker-skinned women, a gap invisible to gender alone or skin type
    alone. Auditing intersections multiplies the groups, $K = \prod_j L_j$ for attributes with
    $L_j$ levels, and every deployment (country, product, model version) needs its own audit,
    repeated as its traffic drifts:

    $$\text{labels per year} = K\,n \times D \times a \qquad
    \$ = \text{labels}\times c_{label} + H_{eval}\,p_{GPU} + R\,H_{retrain}\,p_{GPU}$$

    **After this lab you can**

    - compute how many labelled samples an intersectional audit needs, and why adding an attribute
      multiplies rather than adds;
    - price a year of audits across deployments, and say who pays: annotators, GPUs or retraining;
    - find when the rarest subgroup is too rare for a deployment's traffic to measure at all.
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

    An audit measures accuracy per subgroup to **±2 % at 95 %** confidence. Today it covers gender
    (2 levels) × skin type (2 levels), the four groups of *Gender Shades*. Policy adds **age** (4
    bands) and **region** (6 regions), audited at every intersection.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"About the same: the same samples, just split into finer groups": "same",
                 "About twice as many: two more attributes": "double",
                 "About 24 times as many: the groups multiply": "multiply"},
        label="**Predict:** how many labelled samples does one audit need now?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _before = AUDIT.solve(Models.ResNet50, Hardware.H100, attribute_levels=(2, 2), ci_half_width=0.02)
    _after = AUDIT.solve(Models.ResNet50, Hardware.H100, attribute_levels=(2, 2, 4, 6), ci_half_width=0.02)
    _x = _after.samples_per_audit / _before.samples_per_audit
    _truth = "multiply" if _x > 8 else "double" if _x > 1.5 else "same"
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** Each group needs its own
    {_after.samples_per_subgroup:,} labelled samples whatever its size: the error bar depends on $n$,
    not on the share of users. 2 × 2 = {_before.subgroups} groups need
    {_before.samples_per_audit:,} labels; 2 × 2 × 4 × 6 = **{_after.subgroups} groups need
    {_after.samples_per_audit:,}**, **{_x:.0f}×** as many. And the rarest of 96 groups, at a uniform
    1/96 of traffic, means screening {_after.traffic_pool_per_audit:,} requests to find them;
    real groups are rarely uniform.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your audit programme

    The audited model is ResNet-50 served on H100s (its evaluation GPU-hours come from the
    roofline); the labels are the same whatever the model.
    """)
    return


@app.cell
def _():
    gender = labkit.ui.slider("gender", start=1, stop=3, step=1, value=2, show_value=True, label="Gender (levels)")
    skin = labkit.ui.slider("skin", start=1, stop=6, step=1, value=2, show_value=True,
                            label="Skin type (levels; Fitzpatrick has 6)")
    age = labkit.ui.slider("age", start=1, stop=8, step=1, value=4, show_value=True, label="Age bands")
    region = labkit.ui.slider("region", start=1, stop=12, step=1, value=6, show_value=True, label="Regions")
    width = labkit.ui.slider("width", steps=[0.005, 0.01, 0.02, 0.03, 0.05, 0.1], value=0.02, show_value=True,
                             label="Error bar per subgroup ±w")
    mo.vstack([mo.md("**Attributes audited at every intersection**"), mo.hstack([gender, skin], justify="start"),
               mo.hstack([age, region], justify="start"), width])
    return age, gender, region, skin, width


@app.cell
def _():
    _c = constants()
    deployments = labkit.ui.slider("deployments", start=1, stop=200, step=1, value=20, show_value=True,
                                   label="Deployments audited separately D")
    audits = labkit.ui.slider("audits", start=1, stop=52, step=1, value=4, show_value=True,
                              label="Audits per deployment per year a")
    traffic = labkit.ui.slider("traffic", steps=[1e4, 1e5, 1e6, 1e7, 1e8, 1e9], value=1e7, show_value=True,
                               label="Requests per deployment per year")
    rarest = labkit.ui.slider("rarest", steps=PREVALENCE_STEPS, value=1e-3, show_value=True,
                              label="Rarest subgroup's share of traffic")
    label = labkit.ui.slider("label", start=0.01, stop=2.0, step=0.01, value=round(_c.sg_label_cost, 2),
                             show_value=True, label="Cost of one human label (USD)")
    mitigation = labkit.ui.slider("mitigation", start=0.0, stop=1.0, step=0.05, value=0.1, show_value=True,
                                  label="Share of audits that find a gap and trigger a retrain")
    retrain = labkit.ui.slider("retrain", start=0, stop=20000, step=100, value=1000, show_value=True,
                               label="GPU-hours of one mitigation retrain")
    mo.vstack([mo.hstack([deployments, audits], justify="start"), mo.hstack([traffic, rarest], justify="start"),
               label, mo.hstack([mitigation, retrain], justify="start")])
    return audits, deployments, label, mitigation, rarest, retrain, traffic


@app.cell
def _(age, audits, deployments, gender, label, mitigation, rarest, region, retrain, skin, width):
    # one engine call per move
    try:
        audit = AUDIT.solve(Models.ResNet50, Hardware.H100,
                            attribute_levels=(gender.value, skin.value, age.value, region.value),
                            ci_half_width=width.value, deployments=deployments.value,
                            audits_per_year=audits.value, rarest_prevalence=rarest.value,
                            label_cost=label.value, mitigation_rate=mitigation.value,
                            mitigation_gpu_hours=retrain.value)
        error = None
    except MLSysError as _e:
        audit, error = None, str(_e)
    return audit, error


@app.cell
def _(audit, audits, error, prediction, traffic):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see your audit's numbers._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**These inputs are not valid.** {error}"), kind="danger"))
    _a = audit
    _stats = mo.hstack([
        mo.stat(f"{_a.subgroups:,}", label="Intersectional subgroups", bordered=True,
                caption=f"{_a.samples_per_subgroup:,} labels each"),
        mo.stat(labkit.num(_a.labelled_samples), label="Labelled samples per year", bordered=True,
                caption=f"{_a.audits:,} audits × {_a.samples_per_audit:,}"),
        mo.stat(f"${_a.cost:,.0f}", label="Yearly fairness budget", bordered=True,
                caption=f"labels {pct(_a.label_share)}; the largest cost: {_a.largest_cost}"),
        mo.stat(labkit.num(_a.traffic_pool_per_audit), label="Requests screened per audit", bordered=True,
                caption="to find the rarest subgroup's samples"),
    ], widths="equal")
    _per_audit = traffic.value / audits.value
    _notes = []
    if _a.traffic_pool_per_audit > _per_audit:
        _notes.append(mo.callout(mo.md(
            f"**The rarest subgroup cannot be measured.** At a share of {_a.rarest_prevalence:g}, finding "
            f"{_a.samples_per_subgroup:,} of its requests means screening {_a.traffic_pool_per_audit:,} "
            f"per audit, but a deployment sees {_per_audit:,.0f} between audits: short by "
            f"**{_a.traffic_pool_per_audit - _per_audit:,.0f}**. Audit less often, widen its error bar, pool "
            "deployments, or collect targeted data for the group: an average over everyone hides it."),
            kind="danger"))
    mo.vstack([_stats, *_notes, mo.accordion({"Show the work": mo.md(_a.explain())})])
    return


@app.cell
def _(audit, error, prediction):
    mo.stop(prediction.value is None or error is not None)
    _rows = [{"who": "annotators (labels)", "usd": audit.label_cost_total},
             {"who": "GPUs (evaluation)", "usd": audit.compute_cost},
             {"who": "GPUs (mitigation retrains)", "usd": audit.mitigation_cost}]
    labkit.chart(_rows).mark_bar().encode(
        y=alt.Y("who:N", title=None, sort=None), x=alt.X("usd:Q", title="USD per year"),
        color=alt.Color("who:N", legend=None),
        tooltip=[alt.Tooltip("who:N"), alt.Tooltip("usd:Q", format=",.0f")]).properties(
        width=520, height=120, title="Who pays for the audits")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Attributes multiply

    The yearly budget as attributes are added one at a time (at your error bar, deployments and
    audit rate): each new attribute multiplies the labels by its number of levels.
    """)
    return


@app.cell
def _(age, audits, deployments, gender, label, mitigation, prediction, region, retrain, skin, width):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the chart._"))
    _steps = [("gender", (gender.value,)), ("+ skin type", (gender.value, skin.value)),
              ("+ age", (gender.value, skin.value, age.value)),
              ("+ region", (gender.value, skin.value, age.value, region.value))]
    _rows = []
    for _name, _levels in _steps:
        _a = AUDIT.solve(Models.ResNet50, Hardware.H100, attribute_levels=_levels, ci_half_width=width.value,
                         deployments=deployments.value, audits_per_year=audits.value, label_cost=label.value,
                         mitigation_rate=mitigation.value, mitigation_gpu_hours=retrain.value)
        _rows += [{"audit": f"{_name} ({_a.subgroups})", "usd": _a.label_cost_total, "part": "labels"},
                  {"audit": f"{_name} ({_a.subgroups})", "usd": _a.compute_cost, "part": "evaluation GPUs"},
                  {"audit": f"{_name} ({_a.subgroups})", "usd": _a.mitigation_cost, "part": "mitigation GPUs"}]
    labkit.chart(_rows).mark_bar().encode(
        x=alt.X("audit:N", sort=None, title="attributes audited (subgroups)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("usd:Q", stack="zero", title="USD per year"), color=alt.Color("part:N", title=None),
        tooltip=[alt.Tooltip("audit:N"), alt.Tooltip("part:N"), alt.Tooltip("usd:Q", format=",.0f")]).properties(width=560, height=260)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Worked examples from the sources
    """)
    return


@app.cell
def _(prediction):
    # the subgroup counts give the prediction's answer away: gated by hand (its own engine calls)
    mo.stop(prediction.value is None, mo.md("_The worked examples appear once you have made your prediction._"))
    _shades = calc_intersectional_subgroups([2, 2])
    _n1 = calc_fairness_samples(0.01)
    _n2 = calc_fairness_samples(0.02)
    _five = calc_intersectional_subgroups([2] * 5)
    mo.md(f"""
    | source | their figure | engine |
    |:---|:---|---:|
    | Buolamwini & Gebru (2018), *Gender Shades*: gender × skin type | 4 intersectional subgroups | **{_shades:.0f}** |
    | Wasserman (2004), §6.3.2: ±1 % at 95 %, p = 0.5 | 9,604 samples | **{_n1:,.0f}** |
    | same, ±2 % | 2,401 samples | **{_n2:,.0f}** |
    | Kearns et al. (2018): d binary attributes give 2^d subgroups; d = 5 | 32 | **{_five:.0f}** |

    The label price (USD {constants().sg_label_cost:g} per sample) is an estimate
    after a public labelling-service price list; expert labels (medical, legal) cost far more.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - The error bar of a subgroup depends on its **count**, not its share: every subgroup needs the
      same $n$, so the audit grows with the number of groups.
    - Intersections multiply: four attributes of 2, 2, 4 and 6 levels are 96 groups, 24 times
      the labels of gender × skin type. Deployments and audit frequency multiply again.
    - At scale the bill is mostly **human labels**, not GPU time: evaluating a ResNet on a few
      hundred thousand samples takes seconds of GPU time; labelling them takes annotators' weeks.
    - Rare groups set the traffic needed: a group at 0.1 % of users needs a thousand times its
      sample count screened. Who bears the cost (annotators, the platform, the under-served group
      when the audit is skipped) is a design decision, not a footnote.

    ## Exercises

    The notebook checks within 3 % (exactly for counts).
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=1, label="subgroups")
    mo.vstack([mo.md("**1.** An audit crosses gender (3 levels), Fitzpatrick skin type (6), age (8 bands) and "
                     "region (12). How many intersectional subgroups?"), ex1])
    return (ex1,)


@app.cell
def _(ex1):
    check_answer(ex1.value, calc_intersectional_subgroups([3, 6, 8, 12]), "", tolerance=0)
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=1000, label="labelled samples")
    mo.vstack([mo.md("**2.** Gender (2) × skin type (2) × age (4), ±2 % at 95 %, 10 deployments audited 4 "
                     "times a year: how many labelled samples per year?"), ex2])
    return (ex2,)


@app.cell
def _(ex2):
    _a = AUDIT.solve(Models.ResNet50, Hardware.H100, attribute_levels=(2, 2, 4), ci_half_width=0.02,
                     deployments=10, audits_per_year=4)
    check_answer(ex2.value, _a.labelled_samples, "")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=100, label="USD")
    mo.vstack([mo.md("**3.** For exercise 2's programme at the zoo's label price, with no mitigation "
                     "retrains, what is the yearly fairness budget in dollars (labels and evaluation)?"), ex3])
    return (ex3,)


@app.cell
def _(ex3):
    _a = AUDIT.solve(Models.ResNet50, Hardware.H100, attribute_levels=(2, 2, 4), ci_half_width=0.02,
                     deployments=10, audits_per_year=4)
    check_answer(ex3.value, _a.cost, "USD")
    return


if __name__ == "__main__":
    app.run()
