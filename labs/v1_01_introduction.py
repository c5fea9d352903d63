# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo==0.25.2",
#     "altair>=5",
#     "pint>=0.24",
#     "mlsysim_core",
# ]
# ///
# chapter: I.1
# goal: Split one compute budget between model size and data (C = 6PD), find the compute-optimal model, and see the data wall.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="I.1 · Introduction: the AI triad")

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    from mlsysim_core.labkit import check_answer

    from mlsysim_core import (EconomicsModel, Hardware, Models, Q_, ScalingModel, SpecError,
                              TrainingTimeModel, constants)
    from mlsysim_core.fmt import si, usd
    from mlsysim_core.formulas.data_scaling import calc_chinchilla_loss

    SCALING = ScalingModel()
    GPU_COUNTS = [2**k for k in range(3, 15)]                 # 8 .. 16,384 accelerators
    SIZES_B = [round(10 ** (k / 8), 3) for k in range(-8, 25)]  # 0.1 .. 1,000 billion parameters
    TOKENS_T = [round(10 ** (k / 8), 3) for k in range(-8, 17)]  # 0.1 .. 100 trillion tokens

    labkit.init()  # colour-blind-safe chart theme


@app.function
def flop(x):
    """A FLOP count without e-notation, "5.76 × 10²³ FLOP" (fmt.si's prefixes end at E = 10¹⁸)."""
    _mantissa, _exponent = f"{x:.2e}".split("e")
    _sup = str(int(_exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{float(_mantissa):g} × 10{_sup} FLOP"


@app.function
def loss(n_params, n_tokens):
    """Chinchilla's fitted pre-training loss (Hoffmann et al. 2022, eq. 10), constants from the zoo."""
    c = constants()
    return calc_chinchilla_loss.raw(n_params, n_tokens, c.labs_v1_chinchilla_e, c.labs_v1_chinchilla_a,
                                    c.labs_v1_chinchilla_b, c.labs_v1_chinchilla_alpha, c.labs_v1_chinchilla_beta)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # I.1 · Introduction: the AI triad

    Every machine-learning system rests on three legs: **data** (how many tokens or examples the
    model learns from), **algorithm** (the model, and above all how many parameters it has) and
    **compute** (the accelerators, for how long, at what efficiency). They are not independent.
    For a transformer, training costs about six FLOPs per parameter per token, so one budget buys
    a fixed product of model size and data:

    $$
    C = 6\,P\,D \qquad\qquad T = \frac{C}{N \cdot \text{Peak} \cdot \text{MFU}}
    $$

    How to split it? Hoffmann et al. (2022, "Chinchilla") fitted the loss a model reaches to its
    size and data, $L(P, D) = E + A/P^{\alpha} + B/D^{\beta}$, and found that the best split grows
    both together, about **20 tokens per parameter**:

    $$
    P^{*} = \sqrt{C / 120}, \qquad D^{*} = 20\,P^{*}
    $$

    **Learning goals.** After this lab you can

    - turn accelerators, days and MFU into a compute budget, and a budget into training days and cost;
    - split one budget between parameters and tokens, and find the compute-optimal model;
    - recognise when data, not compute, is the binding leg of the triad;
    - explain why a bigger model is not always a better one at a fixed budget.
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

    In 2021 DeepMind trained **Gopher**: 280 billion parameters on 300 billion tokens. With the same
    compute they then trained **Chinchilla**: 70 billion parameters on 1.4 trillion tokens. Same
    budget, a quarter of the parameters.
    """)
    return


@app.cell
def _():
    prediction = labkit.ui.radio("prediction",
        options={
            "Gopher: four times the parameters learn more": "gopher",
            "Chinchilla: the smaller model trained on more data learns more": "chinchilla",
            "A tie: the same compute buys the same loss": "tie",
        },
        label="**Predict:** which reaches the lower training loss?",
    )
    prediction
    return (prediction,)


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_Commit to an answer to see what the engine says._"))
    _g, _c = loss(280e9, 300e9), loss(70e9, 1.4e12)
    _winner = "chinchilla" if _c < _g else "gopher"
    _right = prediction.value == _winner
    mo.callout(mo.md(f"""
    **{"Right" if _right else "Not quite"}: {"Chinchilla" if _winner == "chinchilla" else "Gopher"} wins,
    loss {min(_c, _g):.3f} against {max(_c, _g):.3f} nats/token.** Gopher had only ~1 token per
    parameter: its data term $B/D^\\beta$ = {loss(float("inf"), 300e9) - loss(float("inf"), float("inf")):.3f}
    dominates. Chinchilla's 20 tokens per parameter balance the two terms. With the same compute,
    Chinchilla also needs a quarter of the memory and a quarter of the FLOPs per token to serve.
    """), kind="success" if _right else "warn")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Your budget, your split

    Set the compute (accelerators × days × MFU), then choose a model size. The budget decides the
    tokens: $D = C / 6P$. Set also how many **unique** tokens of good data you can actually get;
    a split that needs more runs into the data wall.
    """)
    return


@app.cell
def _():
    hardware = labkit.ui.dropdown("hardware", options=Hardware.Cloud.options(), value=Hardware.H100.name, label="Accelerator")
    gpus = labkit.ui.slider("gpus", steps=GPU_COUNTS, value=1024, show_value=True, label="Accelerators")
    days = labkit.ui.slider("days", start=1, stop=120, step=1, value=30, show_value=True, label="Days")
    mfu = labkit.ui.slider("mfu", start=0.1, stop=0.7, step=0.05, value=0.4, show_value=True, label="MFU")
    mo.vstack([mo.hstack([hardware, gpus], justify="start"), mo.hstack([days, mfu], justify="start")])
    return days, gpus, hardware, mfu


@app.cell
def _():
    size_b = labkit.ui.slider("size_b", steps=SIZES_B, value=SIZES_B[23], show_value=True, label="Model size (billion parameters)")
    data_t = labkit.ui.slider("data_t", steps=TOKENS_T, value=TOKENS_T[17], show_value=True,
                          label="Unique tokens available (trillions)")
    mo.hstack([size_b, data_t], justify="start")
    return data_t, size_b


@app.cell
def _(days, gpus, hardware, mfu, size_b):
    try:
        # n accelerators for d days = n x d accelerator-days on one accelerator
        optimum = SCALING.solve(Q_(gpus.value * days.value, "day"), fleet=hardware.value, mfu=mfu.value)
        budget = optimum.raw("compute_budget_flops")
        split = SCALING.solve(budget, target_model_size=size_b.value * 1e9)
        run = TrainingTimeModel().solve(n_params=size_b.value * 1e9, n_tokens=split.raw("optimal_tokens"),
                                        hardware=hardware.value, n_accelerators=gpus.value, mfu=mfu.value)
        cost = EconomicsModel().solve(hardware.value, duration_days=days.value, n_accelerators=gpus.value)
        error = None
    except SpecError as _e:
        optimum = budget = split = run = cost = None
        error = str(_e)
    return budget, cost, error, optimum, run, split


@app.cell
def _(budget, cost, data_t, error, optimum, prediction, run, split):
    mo.stop(prediction.value is None, mo.md("_Make your prediction in section 1 first._"))
    mo.stop(error is not None, mo.callout(mo.md(f"**The engine rejected this input.** {error}"), kind="danger"))
    _p, _d = split.raw("optimal_parameters"), split.raw("optimal_tokens")
    _ps, _ds = optimum.raw("optimal_parameters"), optimum.raw("optimal_tokens")
    _cost = cost.raw("tco_usd")
    mo.md(f"""
    Budget **{flop(budget)}** ({run.raw("gpu_hours"):,.0f} accelerator-hours, {labkit.money(_cost)} to own and power
    for the run).

    | | parameters | tokens | tokens / parameter | loss (nats/token) |
    |:---|---:|---:|---:|---:|
    | your split | {si(_p)} | {si(_d)} | {labkit.num(_d / _p)} | **{loss(_p, _d):.3f}** |
    | compute-optimal (Chinchilla rule) | {si(_ps)} | {si(_ds)} | {_ds / _ps:.0f} | {loss(_ps, _ds):.3f} |

    Unique data available: {si(data_t.value * 1e12)} tokens, so your split reads its data
    **{labkit.num(_d / (data_t.value * 1e12), 2)}×**.
    """)
    return


@app.cell
def _(data_t, error, prediction, split):
    mo.stop(prediction.value is None or error is not None)
    _need, _have = split.raw("optimal_tokens"), data_t.value * 1e12
    mo.stop(_need <= _have)
    mo.callout(mo.md(f"""
    **Data wall: this split needs {si(_need)} tokens but only {si(_have)} unique tokens exist**,
    short by {si(_need - _have)} ({labkit.num(_need / _have, 2)} epochs over the same data). The budget
    is there; the data is not. Choose a bigger model (fewer tokens per parameter), accept repeated
    data and its diminishing returns (lab I.9), or find more data: compute alone cannot buy loss.
    """), kind="danger")
    return


@app.cell
def _(budget, data_t, error, optimum, prediction, size_b):
    mo.stop(prediction.value is None or error is not None)
    _rows = []
    for _b in SIZES_B:
        _d = SCALING.solve(budget, target_model_size=_b * 1e9).raw("optimal_tokens")
        _rows.append({"P (B)": _b, "loss": loss(_b * 1e9, _d),
                      "data": "enough unique data" if _d <= data_t.value * 1e12 else "past the data wall"})
    _line = labkit.chart(_rows).mark_line(color="#bbb").encode(
        x=alt.X("P (B):Q", scale=alt.Scale(type="log"), title="model size (billion parameters)"),
        y=alt.Y("loss:Q", scale=alt.Scale(zero=False), title="Chinchilla loss (nats/token)"))
    _pts = labkit.chart(_rows).mark_circle(size=40).encode(
        x=alt.X("P (B):Q"), y=alt.Y("loss:Q"), color=alt.Color("data:N", title=None, legend=alt.Legend(orient="bottom"),
                                                 scale=alt.Scale(domain=["enough unique data", "past the data wall"],
                                                                 range=[labkit.PALETTE["blue"], labkit.PALETTE["vermillion"]])),
        tooltip=[alt.Tooltip("P (B):Q", format=".3g"), alt.Tooltip("loss:Q", format=".4f"), alt.Tooltip("data:N")])
    _marks = labkit.chart([{"P (B)": size_b.value, "what": "your model"},
                                        {"P (B)": optimum.raw("optimal_parameters") / 1e9, "what": "P* (20 tokens/param)"}]
                       ).mark_rule(strokeDash=[4, 3]).encode(x=alt.X("P (B):Q"), color=alt.Color("what:N", title=None))
    mo.vstack([(_line + _pts + _marks).properties(width=620, height=280,
                                                  title="Loss vs model size at your fixed budget"),
               mo.md("Left of the minimum the model is too small to use its data; right of it, it is "
                     "starved of tokens. (The fitted law's own minimum sits somewhat left of the 20 "
                     "tokens/parameter rule, which comes from the paper's other two fits.)")])
    return


@app.cell
def _(error, optimum, prediction, run):
    mo.stop(prediction.value is None or error is not None)
    mo.accordion({"Show the work": mo.md(optimum.explain() + "\n\n" + run.explain())})
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The worked example, live

    Hoffmann et al. (2022, table 3 and section 4): Gopher's budget, about $5.76 \times 10^{23}$ FLOP,
    is best spent on a ~70B-parameter model and ~1.4T tokens, which is what Chinchilla was. The
    engine's rule from that budget, and the fitted loss of both models:
    """)
    return


@app.cell
def _(prediction):
    mo.stop(prediction.value is None, mo.md("_The numbers appear once you have made your prediction._"))
    _r = SCALING.solve(5.76e23)
    mo.md(f"""
    | | parameters | tokens | loss |
    |:---|---:|---:|---:|
    | compute-optimal for 5.76 × 10²³ FLOP (engine) | **{si(_r.raw("optimal_parameters"))}** | **{si(_r.raw("optimal_tokens"))}** | {loss(_r.raw("optimal_parameters"), _r.raw("optimal_tokens")):.3f} |
    | Chinchilla (paper) | 70 G | 1.4 T | {loss(70e9, 1.4e12):.3f} |
    | Gopher (paper) | 280 G | 300 G | {loss(280e9, 300e9):.3f} |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## Key takeaways

    - **One budget, one product.** $C = 6PD$: at a fixed compute, every extra parameter costs
      tokens. Compute sets how big a model-times-data you can afford, not how big a model.
    - **Balance the legs.** The compute-optimal split grows parameters and tokens together
      (~20 tokens per parameter); a model far bigger than that is data-starved, and one far
      smaller wastes its capacity.
    - **Data can bind before compute.** If the tokens the split needs exceed the unique data you
      have, more accelerators do not help: the triad's weakest leg sets the result.
    - **Time and money follow from the compute**: days = C / (N × peak × MFU), and MFU is as much a
      lever as the number of accelerators.

    ## Exercises

    **Exercise 1.** What is the compute-optimal model size, in billions of parameters, for a budget
    of $10^{24}$ FLOP?
    """)
    return


@app.cell
def _():
    answer_1 = labkit.ui.number("answer_1", label="Compute-optimal size (billion parameters)")
    answer_1
    return (answer_1,)


@app.cell
def _(answer_1):
    check_answer(answer_1.value, SCALING.solve(1e24).raw("optimal_parameters") / 1e9, "B parameters")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 2.** Llama-3.1-8B was trained on its zoo figure of training tokens. How many days
    would that take on 1,024 H100s at MFU 0.4?
    """)
    return


@app.cell
def _():
    answer_2 = labkit.ui.number("answer_2", label="Training days")
    answer_2
    return (answer_2,)


@app.cell
def _(answer_2):
    check_answer(answer_2.value,
                 TrainingTimeModel().solve(model=Models.Llama3_8B, hardware=Hardware.H100, n_accelerators=1024,
                                           mfu=0.4).raw("training_days"), "days")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Exercise 3.** How many tokens per parameter did Llama-3.1-8B see, and so how many times the
    Chinchilla rule's 20? (Give the multiple of 20.)
    """)
    return


@app.cell
def _():
    answer_3 = labkit.ui.number("answer_3", label="Multiple of the compute-optimal tokens per parameter")
    answer_3
    return (answer_3,)


@app.cell
def _(answer_3):
    _m = Models.Llama3_8B
    _c = TrainingTimeModel().solve(model=_m, hardware=Hardware.H100).raw("total_flops")   # 6PD
    _r = SCALING.solve(_c, target_model_size=_m.parameters_count)
    _opt = SCALING.solve(_r.raw("compute_budget_flops"))
    check_answer(answer_3.value, _r.raw("tokens_per_parameter") / _opt.raw("tokens_per_parameter"), "×")
    return


if __name__ == "__main__":
    app.run()
