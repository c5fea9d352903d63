"""Data-constrained scaling: the Chinchilla loss and what repeated tokens are worth.

L(N, D) = E + A / N^alpha + B / D^beta          (Hoffmann et al. 2022, eq. 10; "approach 3")
D' = U_D + U_D R_D* (1 - exp(-R_D / R_D*))      (Muennighoff et al. 2023, eq. 5)
N' = U_N + U_N R_N* (1 - exp(-R_N / R_N*))      (Muennighoff et al. 2023, eq. 6)

Repeating unique data U_D for R_D extra epochs is worth almost as much as fresh data while
R_D << R_D* (~15), and never more than U_D (1 + R_D*) however many epochs: the value of a
repeated token decays exponentially with the number of times it has been seen.
"""
from __future__ import annotations

import math

from .._formula import formula


@formula(None, n_params="count", n_tokens="count", loss_e=">=0", loss_a=">=0", loss_b=">=0",
         alpha=">0", beta=">0")
def calc_chinchilla_loss(n_params, n_tokens, loss_e, loss_a, loss_b, alpha, beta):
    """L = E + A / N^alpha + B / D^beta: pre-training loss (nats/token) of N parameters on D tokens.

    Source: Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models",
    arXiv:2203.15556, eq. 10 and section 3.3 (E = 1.69, A = 406.4, B = 410.7, alpha = 0.34,
    beta = 0.28; the constants live in constants.labs_v1.toml)."""
    if n_params <= 0 or n_tokens <= 0:
        return math.inf
    return loss_e + loss_a / n_params ** alpha + loss_b / n_tokens ** beta


@formula("count", unique_tokens="count", repetitions=">=0", r_star=">0")
def calc_effective_data(unique_tokens, repetitions, r_star):
    """D' = U + U R* (1 - e^{-R / R*}): the unique tokens plus what R repetitions add.

    R = epochs - 1 (0: every token seen once, D' = U). As R -> infinity, D' -> U (1 + R*).
    Source: Muennighoff et al. (2023), "Scaling Data-Constrained Language Models", NeurIPS,
    arXiv:2305.16264, eq. 5 (R_D* = 15.39 fitted, section 3.1). The same form with R_N* gives
    the effective parameters (eq. 6)."""
    return unique_tokens + unique_tokens * r_star * (1.0 - math.exp(-repetitions / r_star))


@formula(None, unique_tokens="count", epochs=">=1", r_star=">0")
def calc_repeated_token_value(unique_tokens, epochs, r_star):
    """D' / D: the worth of the D = epochs x U tokens trained on, as a share of as many fresh ones
    (1 at one epoch; about 0.93 at four with R_D* = 15.39; Muennighoff et al. 2023, eq. 5)."""
    return calc_effective_data.raw(unique_tokens, epochs - 1.0, r_star) / (unique_tokens * epochs)
