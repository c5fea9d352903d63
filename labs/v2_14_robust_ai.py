# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: II.14
# goal: Price robustness: adversarial training's (K + 1)x compute, and redundant execution with majority voting against faults, in GPU-hours, dollars and wrong answers per million.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="II.14 · The robustness budget")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit

    from mlsysim_core import MLSysError, RobustnessBudgetModel, calc_nmr_failure, constants
    from mlsysim_core.fmt import pct

    ROBUST = RobustnessBudgetModel()
    FAULT_STEPS = [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.6]
    PER_MILLION = 1e6   # wrong answers are counted per million requests
    labkit.init()  # colour-blind-safe chart theme


@app.function
def check_answer(answer, truth, unit, tolerance=0.03):
    """The shared exercise check (mlsysim_core.labkit) with this lab's hint."""
    return labkit.check_answer(answer, truth, unit, tolerance,
                               hint="Open *Show the work* in section 2 and redo one row with these inputs.")


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # II.14 · The robustness budget

    A model is robust when small, possibly malicious, changes to its input or its hardware do not
    change its answer. Both kinds of robustness are bought with compute. **Adversarial training**
    (Madry et al. 2018) trains on the worst perturbation it can find: each step first runs $K$
    steps of projected gradient descent (PGD) *on the input*, each a forward and backward pass,
    then one ordinary update. **Redundant execution** runs a computation on $N$ independent copies
    and takes the majority, so that one faulty accelerator (a bit flip, silent data corruption)
    is outvoted:

    $$m_{PGD} = K + 1 \qquad
    P_{\text{wrong}} = \sum_{k > N/2} \binom{N}{k} p^k (1-p)^{N-k} \qquad
    m_{red} = 1 + (N - 1) f$$

    with $p$ the chance that one copy is wrong and $f$ the share of requests protected. For
    triple modular redundancy (TMR), $P_{\text{wrong}} = 3p^2 - 2p^3$ (Lyons & Vanderkulk 1962).

    **After this lab you can**

    - turn a PGD step count into GPU-hours and dollars, and compare it with the serving bill;
    - compute how much a majority vote of $N$ copies cuts wrong answers, and see why it only helps
      while each copy is right more often than not;
    - decide which requests deserve redundancy within a budget.
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

    A safety-critical classifier runs on accelerators that each return a wrong answer with
    probability **1 %** (independently). You run every request on **three** copies and take the
    majority vote: three times the compute.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={"About 3× fewer wrong answers: three times the compute, three times the safety": "three",
                 "About 30× fewer wrong answers": "thirty",
                 "About 3,000× fewer wrong answers": "thousands",
                 "No fewer: two wrong copies outvote the right one as often as before": "none"},
        label="**Predict:** how many times fewer wrong answers does the vote give?")
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Choose an answer to reveal the engine's result._"))
    _r = ROBUST.solve(replicas=3, fault_probability=0.01, serving_gpu_hours=1.0)
    _x = _r.improvement
    _truth = "thousands" if _x > 300 else "thirty" if _x > 10 else "three" if _x > 1.5 else "none"
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right." if _right else "Not quite."}** The vote is wrong only when at least two of the three
    copies are: $3p^2 - 2p^3$ = **{_r.p_wrong_protected:.3g}**, against {_r.p_wrong_single:g} for one
    copy, **{_x:.1f}× fewer** wrong answers ({_r.p_wrong_protected * PER_MILLION:,.0f} instead of
    {_r.p_wrong_single * PER_MILLION:,.0f} per million requests) for ×{_r.redundancy_multiplier:g} the
    compute. The gain is $\\approx 1/(3p)$: large when faults are rare, and it vanishes as $p$ nears
    one half. Independence is the hidden assumption: three copies on one faulty host fail together.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your robustness budget

    A year of one model: its training run, hardened by adversarial training, and its serving
    fleet, part of which runs redundantly.
    """)
    return


@app.cell
def _():
    base_hours = labkit.ui.slider("base_hours", start=100, stop=50000, step=100, value=2000, show_value=True,
                                  label="Standard training run (GPU-hours)")
    pgd = labkit.ui.slider("pgd", start=0, stop=40, step=1, value=7, show_value=True,
                           label="PGD attack steps per training step K (0: no adversarial training)")
    serve_hours = labkit.ui.slider("serve_hours", start=0, stop=100000, step=1000, value=20000, show_value=True,
                                   label="Serving per year (GPU-hours)")
    mo.vstack([base_hours, pgd, serve_hours])
    return base_hours, pgd, serve_hours


@app.cell
def _():
    replicas = labkit.ui.slider("replicas", start=1, stop=9, step=1, value=3, show_value=True,
                                label="Copies per protected request N")
    fault = labkit.ui.slider("fault", steps=FAULT_STEPS, value=1e-3, show_value=True,
                             label="Chance one copy is wrong p")
    protected = labkit.ui.slider("protected", start=0.0, stop=1.0, step=0.05, value=0.1, show_value=True,
                                 label="Share of requests protected f")
    price = labkit.ui.slider("price", start=0.5, stop=12.0, step=0.5,
                             value=round(constants().cloud_gpu_hour_price * 2) / 2, show_value=True,
                             label="Price per GPU-hour (USD)")
    budget = labkit.ui.slider("budget", start=10000, stop=1000000, step=10000, value=200000, show_value=True,
                              label="Yearly compute budget (USD)")
    mo.vstack([mo.hstack([replicas, fault], justify="start"), protected, mo.hstack([price, budget], justify="start")])
    return budget, fault, price, protected, replicas


@app.cell
def _(base_hours, fault, pgd, price, protected, replicas, serve_hours):
    # one engine call per move, and the same year without any robustness
    try:
        robust = ROBUST.solve(base_gpu_hours=base_hours.value, pgd_steps=pgd.value,
                              serving_gpu_hours=serve_hours.value, replicas=replicas.value,
                              fault_probability=fault.value, protected_fraction=protected.value,
                              gpu_hour_price=price.value)
        error = None
    except MLSysError as _e:
        robust, error = None, str(_e)
    return error, robust


@app.cell
def _(budget, error, prediction, robust):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see your budget._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**These inputs are not valid.** {error}"), kind="danger"))
    _r = robust
    _stats = mo.hstack([
        mo.stat(f"×{_r.pgd_multiplier:g}", label="Adversarial training", bordered=True,
                caption=f"{_r.base_gpu_hours:,.0f} → {_r.training_gpu_hours:,.0f} GPU-h"),
        mo.stat(f"×{_r.redundancy_multiplier:.3g}", label="Redundant serving", bordered=True,
                caption=f"{_r.serving_gpu_hours_base:,.0f} → {_r.serving_gpu_hours:,.0f} GPU-h"),
        mo.stat(f"{_r.p_wrong * PER_MILLION:,.3g}", label="Wrong answers per million", bordered=True,
                caption=f"{_r.p_wrong_single * PER_MILLION:,.3g} without redundancy"),
        mo.stat(f"${_r.cost:,.0f}", label="Yearly compute", bordered=True,
                caption=f"+${_r.extra_cost:,.0f} for robustness (×{_r.total_multiplier:.2f})"),
    ], widths="equal")
    _notes = []
    if _r.replicas > 1 and _r.fault_probability >= 0.5:
        _notes.append(mo.callout(mo.md(
            f"**Voting makes it worse.** Each copy is wrong with p = {_r.fault_probability:g} ≥ ½, so the "
            f"majority is wrong more often than one copy: {_r.p_wrong_protected:.3g} against "
            f"{_r.fault_probability:g}. Redundancy corrects rare, independent faults; a systematic error "
            "(an adversarial input fools every copy the same way) needs a different model, not more copies."),
            kind="danger"))
    if _r.cost > budget.value:
        _notes.append(mo.callout(mo.md(
            f"**Over budget by ${_r.cost - budget.value:,.0f}.** Training with K = {_r.pgd_steps} costs "
            f"${_r.training_cost:,.0f} and serving ${_r.serving_cost:,.0f} against a ${budget.value:,.0f} budget. "
            "Cut K (a few PGD steps keep most of the robustness, Wong et al. 2020 use one), protect only "
            "the requests where a wrong answer is costly, or use N = 2 to detect and re-run instead of "
            "N = 3 to correct."), kind="danger"))
    mo.vstack([_stats, *_notes, mo.accordion({"Show the work": mo.md(_r.explain())})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · How many copies?

    Wrong answers per million protected requests (log scale) and the compute multiplier against
    the number of copies, at your fault probability. Even $N$ adds compute without correcting more:
    a 2-2 tie is detected, not resolved.
    """)
    return


@app.cell
def _(fault, prediction):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the curve._"))
    _rows = []
    for _n in range(1, 16):
        _r = ROBUST.solve(replicas=_n, fault_probability=fault.value, serving_gpu_hours=1.0)
        _rows.append({"N": _n, "wrong": max(_r.p_wrong_protected * PER_MILLION, 1e-9),
                      "compute": _r.redundancy_multiplier, "odd": "odd N (votes)" if _n % 2 else "even N (ties)"})
    _lo = min(_r["wrong"] for _r in _rows) / 3
    for _r in _rows:
        _r["base"] = _lo  # a log axis has no zero (vega-lite then draws no bar): start at a floor
    _x = alt.X("N:O", title="copies N")
    _w = labkit.chart(_rows).mark_bar().encode(
        x=_x, y=alt.Y("wrong:Q", scale=alt.Scale(type="log"), title="wrong answers per million"),
        y2=alt.Y2("base:Q"),
        color=alt.Color("odd:N", title=None),
        tooltip=[alt.Tooltip("N:O"), alt.Tooltip("wrong:Q", format=".3g"), alt.Tooltip("compute:Q", format=".3g")])
    _c = labkit.chart(_rows).mark_line(point=True, color=labkit.PALETTE["black"]).encode(
        x=_x, y=alt.Y("compute:Q", title="compute ×"))
    alt.hconcat(_w.properties(width=300, height=220, title=f"p = {fault.value:g}"),
                _c.properties(width=220, height=220, title="compute per protected request"))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · What adversarial training costs as K grows

    The yearly bill against the number of PGD steps for your training run and serving fleet:
    training grows linearly in $K + 1$ and soon outweighs a year of serving.
    """)
    return


@app.cell
def _(base_hours, prediction, price, serve_hours):
    mo.stop(prediction.value is None, mo.md("_Commit a prediction above to see the curve._"))
    _rows = []
    for _k in (0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 40):
        _r = ROBUST.solve(base_gpu_hours=base_hours.value, pgd_steps=_k, serving_gpu_hours=serve_hours.value,
                          gpu_hour_price=price.value)
        _rows += [{"K": _k, "usd": _r.training_cost, "part": "training (×(K+1))"},
                  {"K": _k, "usd": _r.serving_cost, "part": "serving"}]
    labkit.chart(_rows).mark_area().encode(
        x=alt.X("K:Q", title="PGD steps K"), y=alt.Y("usd:Q", stack="zero", title="yearly compute (USD)"),
        color=alt.Color("part:N", title=None),
        tooltip=[alt.Tooltip("K:Q"), alt.Tooltip("part:N"), alt.Tooltip("usd:Q", format=",.0f")]).properties(width=560, height=240)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Worked examples from the sources
    """)
    return


@app.cell
def _(prediction):
    # the TMR row gives the prediction's answer away: gated by hand (its own engine calls)
    mo.stop(prediction.value is None, mo.md("_The worked examples appear once you have made your prediction._"))
    _cifar = ROBUST.solve(base_gpu_hours=1.0, pgd_steps=7)
    _mnist = ROBUST.solve(base_gpu_hours=1.0, pgd_steps=40)
    _p = 0.01
    _tmr = calc_nmr_failure(3, _p)
    _five = calc_nmr_failure(5, _p)
    mo.md(f"""
    | source | their figure | engine |
    |:---|:---|---:|
    | Madry et al. (2018), CIFAR-10 model: PGD with 7 steps | 8 passes per step | **×{_cifar.pgd_multiplier:g}** |
    | Madry et al. (2018), MNIST model: PGD with 40 steps | 41 passes per step | **×{_mnist.pgd_multiplier:g}** |
    | Lyons & Vanderkulk (1962): TMR, $1 - R = 3p^2 - 2p^3$ at p = 0.01 | 2.98 × 10⁻⁴ | **{_tmr:.3g}** |
    | von Neumann (1956): 5 copies, majority of 3 at p = 0.01 | $\\approx 10\\,p^3$ = 10⁻⁵ | **{_five:.3g}** |

    The PGD multiplier counts forward-backward passes (Madry et al., section 5); the vote formulas
    assume a perfect voter and independent faults.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - Adversarial training multiplies the training bill by $K + 1$: PGD-7 is 8 runs in one. For a
      model retrained often, that can exceed a year of serving.
    - A majority vote of $N$ copies cuts wrong answers as $p^{\lceil N/2 \rceil}$: three copies turn
      1 % into 0.03 %, five into 0.001 %. The compute grows only linearly, so rare independent
      faults are cheap to outvote.
    - Voting needs $p < 1/2$ and independence: it does nothing against an adversarial input that
      fools every copy alike, and little against correlated faults (copies on one host).
    - Spend redundancy where a wrong answer is expensive: protecting 10 % of requests with TMR adds
      20 % to serving, not 200 %.

    ## Exercises

    The notebook checks within 3 %.
    """)
    return


@app.cell
def _():
    ex1 = labkit.ui.number("ex1", step=0.1, label="wrong answers per million")
    mo.vstack([mo.md("**1.** Each copy is wrong with probability 2 %. With five copies and a majority vote, "
                     "how many wrong answers per million requests remain?"), ex1])
    return (ex1,)


@app.cell
def _(ex1):
    check_answer(ex1.value, ROBUST.solve(replicas=5, fault_probability=0.02).p_wrong_protected * PER_MILLION,
                 "per million")
    return


@app.cell
def _():
    ex2 = labkit.ui.number("ex2", step=100, label="USD")
    mo.vstack([mo.md("**2.** A 2,000 GPU-hour training run hardened with PGD-10, plus 10,000 serving GPU-hours "
                     "of which 20 % run on three copies, at $4 per GPU-hour (p = 0.001): what is the yearly "
                     "compute bill in dollars?"), ex2])
    return (ex2,)


@app.cell
def _(ex2):
    _r = ROBUST.solve(base_gpu_hours=2000, pgd_steps=10, serving_gpu_hours=10000, replicas=3,
                      fault_probability=0.001, protected_fraction=0.2, gpu_hour_price=4.0)
    check_answer(ex2.value, _r.cost, "USD")
    return


@app.cell
def _():
    ex3 = labkit.ui.number("ex3", step=1, label="K")
    mo.vstack([mo.md("**3.** With 2,000 training and 20,000 serving GPU-hours a year and no redundancy, what is "
                     "the largest number of PGD steps K that keeps the yearly bill within 1.5 × the bill "
                     "without adversarial training?"), ex3])
    return (ex3,)


@app.cell
def _():
    # once, not per typed answer: the largest K within the budget (cost grows with K; at most 200 solves)
    _plain = ROBUST.solve(base_gpu_hours=2000, serving_gpu_hours=20000).cost
    ex3_truth = max(_k for _k in range(0, 200)
                    if ROBUST.solve(base_gpu_hours=2000, pgd_steps=_k, serving_gpu_hours=20000).cost <= 1.5 * _plain)
    return (ex3_truth,)


@app.cell
def _(ex3, ex3_truth):
    check_answer(ex3.value, ex3_truth, "", tolerance=0)
    return


if __name__ == "__main__":
    app.run()
