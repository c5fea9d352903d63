"""Data selection under a data budget (Wall 11 Complexity): repeat the data, or find more?

    L(N, D) = E + A / N^alpha + B / D^beta                 (Hoffmann et al. 2022, eq. 10)
    D' = U_D (1 + R_D* (1 - e^{-R_D / R_D*})),  R_D = epochs - 1          (Muennighoff et al. 2023)
    N' = U_N (1 + R_N* (1 - e^{-R_N / R_N*})),  U_N = min(N, U_D / 20), R_N = N / U_N - 1
    C = 6 N D                                              (Kaplan et al. 2020)

Deduplication: a corpus whose share f of tokens are copies holds U = (1 - f) D unique tokens;
one pass over it sees each unique token 1 / (1 - f) times on average, worth D'(U, R = f / (1 - f))
(duplicates assumed spread evenly). Training on the deduplicated U saves the share f of the
compute and costs only the loss gap L(U) - L(D'). O(1) per solve.
"""
from __future__ import annotations

from ..checks import number, positive, sequence
from ..fmt import pct, si
from ..formulas.data_scaling import calc_chinchilla_loss, calc_effective_data
from ..formulas.training import calc_transformer_training_flops
from ..results import Result
from ..zoo import constants

_MAX_EPOCHS = 1e4


class DataScalingResult(Result):
    __slots__ = ()
    UNITS = {"compute_flops": ("FLOP", 1.0), "fresh_compute_for_same_loss": ("FLOP", 1.0)}


def _loss(n, d):
    c = constants()
    return calc_chinchilla_loss.raw(n, d, c.labs_v1_chinchilla_e, c.labs_v1_chinchilla_a,
                                    c.labs_v1_chinchilla_b, c.labs_v1_chinchilla_alpha,
                                    c.labs_v1_chinchilla_beta)


def _effective_params(n, unique_tokens):
    """N' of Muennighoff et al. eq. 6: parameters beyond the compute-optimal U_N = U_D / 20 for
    the unique data decay in value like repeated tokens (with R_N*)."""
    c = constants()
    u_n = min(n, unique_tokens / c.labs_v1_tokens_per_param)
    return calc_effective_data.raw(u_n, n / u_n - 1.0, c.labs_v1_repeat_r_n_star)


def _fresh_tokens_for_loss(n, target):
    """Fresh tokens D with L(N, D) = target (inverting the data term); None if N alone cannot."""
    c = constants()
    gap = target - c.labs_v1_chinchilla_e - c.labs_v1_chinchilla_a / n ** c.labs_v1_chinchilla_alpha
    return None if gap <= 0 else (c.labs_v1_chinchilla_b / gap) ** (1.0 / c.labs_v1_chinchilla_beta)


class DataScalingModel:
    """The loss of N parameters trained on U unique tokens for some epochs, against the same
    compute on fresh data; and the compute a deduplication saves against the quality it keeps."""

    def solve(self, n_params, unique_tokens, epochs=1.0) -> DataScalingResult:
        """``n_params`` parameters, ``unique_tokens`` unique tokens, ``epochs`` passes (>= 1, may be
        fractional): D = epochs x U tokens trained on."""
        c = constants()
        n = positive("n_params", n_params, maximum=1e16)
        u = positive("unique_tokens", unique_tokens, maximum=1e16)
        ep = number("epochs", epochs, lo=1.0, hi=_MAX_EPOCHS)
        d = ep * u
        d_eff = calc_effective_data.raw(u, ep - 1.0, c.labs_v1_repeat_r_d_star)
        n_eff = _effective_params(n, u)
        loss_rep = _loss(n_eff, d_eff)
        loss_fresh = _loss(n, d)
        need = _fresh_tokens_for_loss(n, loss_rep)
        out = {"n_params": n, "unique_tokens": u, "epochs": ep, "tokens_trained": d,
               "effective_tokens": d_eff, "token_value": d_eff / d, "effective_params": n_eff,
               "compute_flops": calc_transformer_training_flops.raw(n, d),
               "loss_repeated": loss_rep, "loss_fresh": loss_fresh, "loss_penalty": loss_rep - loss_fresh,
               "extra_unique_tokens_needed": d - u,
               "fresh_tokens_for_same_loss": need,
               "fresh_compute_for_same_loss": None if need is None else calc_transformer_training_flops.raw(n, need),
               "asymptotic_tokens": u * (1.0 + c.labs_v1_repeat_r_d_star),
               "r_d_star": c.labs_v1_repeat_r_d_star}
        return DataScalingResult(out, lambda: _work(out))

    def epoch_curve(self, n_params, unique_tokens, epochs) -> list[dict]:
        """Chart rows (epochs, repeated and fresh loss, token value) for 1 to 200 epoch counts."""
        rows = []
        for ep in sequence("epochs", epochs, max_len=200):
            r = self.solve(n_params, unique_tokens, ep)
            rows.append({"epochs": r.raw("epochs"), "loss_repeated": r.raw("loss_repeated"),
                         "loss_fresh": r.raw("loss_fresh"), "token_value": r.raw("token_value")})
        return rows

    def deduplicate(self, n_params, raw_tokens, duplicate_fraction) -> DataScalingResult:
        """Train once over a corpus of ``raw_tokens`` of which ``duplicate_fraction`` are copies, or
        once over its deduplicated unique tokens: compute saved against loss given up."""
        n = positive("n_params", n_params, maximum=1e16)
        raw = positive("raw_tokens", raw_tokens, maximum=1e16)
        f = number("duplicate_fraction", duplicate_fraction, lo=0.0, hi=0.999)
        u = raw * (1.0 - f)
        full = self.solve(n, u, raw / u)
        loss_dedup = _loss(_effective_params(n, u), u)
        out = {"n_params": n, "raw_tokens": raw, "duplicate_fraction": f, "unique_tokens": u,
               "compute_flops": calc_transformer_training_flops.raw(n, u),
               "raw_compute_flops": full.raw("compute_flops"), "compute_saving": f,
               "loss_raw": full.raw("loss_repeated"), "loss_dedup": loss_dedup,
               "loss_given_up": loss_dedup - full.raw("loss_repeated"),
               "effective_tokens_raw": full.raw("effective_tokens")}
        return DataScalingResult(out, lambda: _dedup_work(out))


def _work(r):
    return [
        ("Effective data", "D' = U_D\\,(1 + R_D^*(1 - e^{-R_D/R_D^*}))",
         f"U = {si(r['unique_tokens'])} tokens, R_D = {r['epochs']:g} - 1, R_D* = {r['r_d_star']:g}: "
         f"D' = **{si(r['effective_tokens'])}** of {si(r['tokens_trained'])} trained "
         f"(the tokens trained are worth {pct(r['token_value'])} of as many fresh ones; at most "
         f"{si(r['asymptotic_tokens'])} however long you train)"),
        ("Loss", "L = E + A/N'^{\\alpha} + B/D'^{\\beta}",
         f"N = {si(r['n_params'])} (N' = {si(r['effective_params'])}): **{r['loss_repeated']:.4f}** "
         f"repeating, {r['loss_fresh']:.4f} with {si(r['tokens_trained'])} fresh tokens "
         f"(penalty {r['loss_penalty']:.4f} nats/token)"),
        ("Compute", "C = 6 N D", f"6 × {si(r['n_params'])} × {si(r['tokens_trained'])} = "
         f"**{r['compute_flops']:.3g} FLOP**"
         + ("" if r["fresh_tokens_for_same_loss"] is None else
            f"; fresh data reaches the same loss with {si(r['fresh_tokens_for_same_loss'])} tokens "
            f"({r['fresh_compute_for_same_loss']:.3g} FLOP)")),
    ]


def _dedup_work(r):
    return [
        ("Unique tokens", "U = (1 - f) D", f"(1 - {r['duplicate_fraction']:g}) × {si(r['raw_tokens'])} = "
         f"**{si(r['unique_tokens'])}**; one raw pass is worth D' = {si(r['effective_tokens_raw'])}"),
        ("Compute saved", "1 - U / D = f", f"**{pct(r['compute_saving'])}** "
         f"({r['raw_compute_flops']:.3g} → {r['compute_flops']:.3g} FLOP)"),
        ("Loss given up", "L(N, U) - L(N, D')", f"{r['loss_dedup']:.4f} - {r['loss_raw']:.4f} = "
         f"**{r['loss_given_up']:.4f} nats/token**"),
    ]
