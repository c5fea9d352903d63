# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.9
# goal: Decide whether to repeat your data or find more, and what deduplication saves in compute against the quality it keeps.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.9 · Repeat the data or find more?")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import DataScalingModel, Models, SpecError
    from mlsysim_core.fmt import pct, si

    DS = DataScalingModel()
    # dense LLMs of the zoo (a mixture of experts would need its active parameters instead)
    DENSE = {m.name: m for m in (Models.Llama2_7B, Models.Llama3_8B, Models.Llama2_70B,
                                 Models.Llama3_70B, Models.GPT3)}
    TOKEN_STEPS = [0.25, 0.5, 1, 2, 3, 4, 6, 8, 10, 15]       # unique tokens, trillions
    EPOCH_STEPS = [1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 40, 60]

    labkit.init()  # colour-blind-safe chart theme


@app.function
def flop(x):
    """A FLOP count without e-notation, "5.76 × 10²³ FLOP" (fmt.si's prefixes end at E = 10¹⁸)."""
    _mantissa, _exponent = f"{x:.2e}".split("e")
    _sup = str(int(_exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{float(_mantissa):g} × 10{_sup} FLOP"


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.9 · Repeat the data, or find more?

    Your team has **2 trillion unique tokens** of good text and the compute to train a 70B model
    on 8 trillion. Chinchilla-style scaling says: more tokens, lower loss. But the extra 6 T tokens
    do not exist, unless you scrape, license or synthesise them. The cheap option is to train
    **4 epochs** over what you have. How much does a repeated token lose?

    Muennighoff et al. (2023) trained 400 models on repeated data and found that a token seen
    again is worth a little less each time: the *effective* data decays exponentially,

    $$
    D' = U_D + U_D\,R_D^{*}\left(1 - e^{-R_D / R_D^{*}}\right), \qquad R_D = \text{epochs} - 1,
    $$

    with a fitted $R_D^{*} \approx 15$. Put $D'$ into the Chinchilla loss (Hoffmann et al. 2022, eq. 10),

    $$
    L(N, D) = E + \frac{A}{N^{\alpha}} + \frac{B}{D'^{\beta}},
    $$

    and you can price repetition in loss, and deduplication in compute.

    **Learning goals.** After this lab you can

    - compute the effective data of $U$ unique tokens repeated for some epochs, and its ceiling $U(1 + R_D^*)$;
    - decide between more epochs and more data for a given model and compute budget;
    - say what deduplication saves in compute and what it costs in loss, under these laws;
    - recognise when extra epochs buy (almost) nothing.
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

    Llama-3.1-70B-sized model, 2 T unique tokens, 4 epochs (8 T tokens trained), against the same
    8 T tokens all fresh.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Negligible: the 8 T repeated tokens are worth over 90 % of 8 T fresh ones": "negligible",
            "Noticeable: they are worth about three quarters": "quarter",
            "Large: a repeated token is worth about half a fresh one": "half",
        },
        label="**Predict:** how much worse is 4 epochs over 2 T tokens than 8 T fresh tokens?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _r = DS.solve(Models.Llama3_70B.parameters_count, 2e12, 4)
    _v = _r.raw("token_value")
    _truth = "negligible" if _v > 0.9 else ("quarter" if _v > 0.6 else "half")
    _right = prediction.value == _truth
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: the 8 T repeated tokens are worth {si(_r.raw("effective_tokens"))}
    fresh ones, {pct(_v)}.** The loss is **{_r.raw("loss_repeated"):.4f}** against
    {_r.raw("loss_fresh"):.4f} with fresh data: a penalty of {_r.raw("loss_penalty"):.4f} nats per
    token. Fresh data would reach the same loss with {si(_r.raw("fresh_tokens_for_same_loss"))}
    tokens: repeating wastes {pct(1 - _v)} of the compute, far cheaper than finding 6 T new tokens.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your corpus, your model

    Pick a model and how many unique tokens you have; then how many epochs you train. The chart
    shows the loss as the epochs grow: repeating your data (solid) against the same number of
    tokens all fresh (dashed). Where the two part, repetition stops paying.
    """)
    return


@app.cell
def _():
    model = labkit.ui.dropdown("model", options=DENSE, value=Models.Llama3_70B.name, label="Model")
    unique = labkit.ui.slider("unique", steps=TOKEN_STEPS, value=2, show_value=True, label="Unique tokens (T)")
    epochs = labkit.ui.slider("epochs", steps=EPOCH_STEPS, value=4, show_value=True, label="Epochs")
    mo.hstack([model, unique, epochs], justify="start")
    return epochs, model, unique


@app.cell
def _(model, unique):
    # the sweep over epochs: once per model and corpus, not per epoch move
    curve = DS.epoch_curve(model.value.parameters_count, unique.value * 1e12, EPOCH_STEPS)
    return (curve,)


@app.cell
def _(epochs, model, unique):
    try:
        run = DS.solve(model.value.parameters_count, unique.value * 1e12, epochs.value)
        run_error = None
    except SpecError as _e:
        run, run_error = None, str(_e)
    return run, run_error


@app.cell
def _(prediction, run, run_error):
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction above to see your corpus's numbers._"))
    mo.stop(run_error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {run_error}"), kind="danger"))
    _r = run.raw()
    _wasted = 1 - _r["token_value"]
    _body = mo.md(f"""
    | tokens trained | effective tokens $D'$ | worth of the tokens | loss (repeat) | loss (fresh) | ceiling $U(1+R_D^*)$ |
    |---:|---:|---:|---:|---:|---:|
    | {si(_r["tokens_trained"])} | **{si(_r["effective_tokens"])}** | {pct(_r["token_value"])} | **{_r["loss_repeated"]:.4f}** | {_r["loss_fresh"]:.4f} | {si(_r["asymptotic_tokens"])} |
    """)
    _fail = mo.callout(mo.md(f"""
    **Compute wasted: {pct(_wasted)} of this run buys nothing.** {_r["epochs"]:g} epochs over
    {si(_r["unique_tokens"])} tokens are worth only {si(_r["effective_tokens"])} fresh ones, and no
    number of epochs gets past {si(_r["asymptotic_tokens"])}. Find more data (or train a smaller
    model on this data: the compute that repetition wastes is {flop(_r["compute_flops"] * _wasted)}).
    """), kind="danger") if _wasted > 0.5 else mo.md("")
    mo.vstack([_body, _fail, mo.accordion({"Show the work": mo.md(run.explain())})])
    return


@app.cell
def _(curve, epochs, prediction):
    mo.stop(prediction.value is None)
    _rows = ([{"epochs": r["epochs"], "loss": r["loss_repeated"], "data": "repeat the unique tokens"} for r in curve]
             + [{"epochs": r["epochs"], "loss": r["loss_fresh"], "data": "as many fresh tokens"} for r in curve])
    _x = alt.X("epochs:Q", scale=alt.Scale(type="log"), title="epochs (tokens trained / unique tokens)")
    _lines = labkit.chart(_rows).mark_line(point=True).encode(
        x=_x, y=alt.Y("loss:Q", scale=alt.Scale(zero=False), title="predicted loss (nats/token)"),
        strokeDash=alt.StrokeDash("data:N", title=None), tooltip=[alt.Tooltip("epochs:Q"), alt.Tooltip("loss:Q", format=".4f"), alt.Tooltip("data:N")])
    _now = labkit.chart([{"epochs": epochs.value}]).mark_rule(color=labkit.PALETTE["vermillion"]).encode(x=alt.X("epochs:Q"))
    (_lines + _now).properties(width=600, height=280, title="Repeated data against fresh data")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Deduplication: compute saved against quality kept

    Web corpora contain many copies (near-duplicate pages, boilerplate). If a share $f$ of the raw
    tokens are copies, one pass over the raw corpus sees each unique token $1/(1-f)$ times: by the
    law above it is worth $D'(U, R = f / (1 - f))$, barely more than the $U$ unique tokens.
    Deduplicating first saves the share $f$ of the compute and gives up only that difference.
    (This treats copies as carrying no new information and ignores what Lee et al. (2022) also
    found, that deduplicated models memorise less: the real case for deduplication is stronger.)
    """)
    return


@app.cell
def _():
    dup = labkit.ui.slider("dup", start=0.0, stop=0.9, step=0.05, value=0.3, show_value=True, label="Duplicate share f")
    raw_tokens = labkit.ui.slider("raw_tokens", steps=TOKEN_STEPS, value=2, show_value=True, label="Raw corpus (T tokens)")
    mo.hstack([dup, raw_tokens], justify="start")
    return dup, raw_tokens


@app.cell
def _(dup, model, raw_tokens):
    _d = DS.deduplicate(model.value.parameters_count, raw_tokens.value * 1e12, dup.value)
    _r = _d.raw()
    mo.vstack([
        mo.md(f"""
    Deduplicating {si(_r["raw_tokens"])} tokens with {pct(_r["duplicate_fraction"], 0)} copies for
    {model.value.name}: **{pct(_r["compute_saving"], 0)} of the compute saved**
    ({flop(_r["raw_compute_flops"])} → {flop(_r["compute_flops"])}) for **{_r["loss_given_up"]:.4f}
    nats/token** of loss ({_r["loss_raw"]:.4f} → {_r["loss_dedup"]:.4f}).
    """),
        mo.accordion({"Show the work": mo.md(_d.explain())}),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The worked example, live

    Two numbers from the papers, reproduced by the engine: Chinchilla's own prediction for 70 B
    parameters on 1.4 T tokens (Hoffmann et al. 2022, eq. 10), and Muennighoff et al.'s headline
    that about 4 epochs are nearly as good as fresh data while returns fade by about 16 and vanish
    by about 40:
    """)
    return


@app.cell
def _(prediction):
    # the 4-epoch row answers the prediction: wait for it
    mo.stop(prediction.value is None, mo.md("_Commit to the prediction in section 1 to see the worked example._"))
    _chin = DS.solve(70e9, 1.4e12)
    _rows = "\n".join(
        f"| {_e:g} | {pct(DS.solve(70e9, 1e12, _e).raw('token_value'))} |" for _e in (1, 2, 4, 8, 16, 40))
    mo.md(f"""
    Chinchilla, $N$ = 70 B, $D$ = 1.4 T: $L$ = **{_chin.raw("loss_repeated"):.3f}** nats/token
    (the paper's fit gives 1.94).

    | epochs | worth of the tokens trained (vs fresh) |
    |---:|---:|
    {_rows}
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **A few epochs are almost free.** Up to about 4, repeated tokens are worth over 90 % of fresh ones:
      repeating beats waiting months for new data.
    - **Repetition has a ceiling.** However long you train, $U$ unique tokens are worth at most
      $U(1 + R_D^*) \approx 16\,U$; beyond ~16 epochs extra compute buys little: spend it on
      more data or a different model size.
    - **Deduplication saves compute in proportion to the copies** and, under these laws, costs
      little loss, because copies carry little new information.
    - These are fitted laws, not guarantees: quality filtering and data mixtures change the
      constants; the decision still starts from $D'$.

    ## Exercises

    **Exercise 1.** You have 1 T unique tokens and train a Llama-2-7B-sized model for 8 epochs.
    How many fresh tokens is that worth, in trillions?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Effective tokens (T)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value,
                 DS.solve(Models.Llama2_7B.parameters_count, 1e12, 8).raw("effective_tokens") / 1e12, "T")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** At 16 epochs, what share of the training compute is wasted (one minus the worth
    of the tokens trained), in percent? (It does not depend on the model or the corpus size.)
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Compute wasted at 16 epochs (%)")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    check_answer(answer_2.value, 100 * (1 - DS.solve(Models.Llama2_7B.parameters_count, 1e12, 16).raw("token_value")), "%")
    return


if __name__ == "__main__":
    app.run()
