"""The compute price of guarantees (Wall 20 Safety): privacy (DP-SGD), fairness evaluation,
adversarial robustness (PGD training)."""
from __future__ import annotations

import functools
import math
from statistics import NormalDist

from .._formula import formula
from ..checks import number, probability, sequence
from ..errors import SpecError


def _epsilons(v):
    # privacy budgets: log(epsilon) is taken, so each is > 0
    return sequence("epsilons", v, lambda n, x: number(n, x, lo=0.0, lo_open=True, hi=1e30),
                    max_len=10_000, what="a list of privacy budgets epsilon > 0")


def _accuracies(v):
    return sequence("accuracies", v, probability, max_len=10_000, what="a list of accuracies in [0, 1]")


@formula("byte")
def calc_per_sample_grad_bytes(n_params, batch_size, bytes_per_grad=4.0):
    """Memory of materialised per-sample gradients: B x P x b (Opacus; Yousefpour et al. 2021,
    arXiv:2109.12298, section 3). DP-SGD needs each sample's gradient to clip it (Abadi et al. 2016)."""
    return batch_size * n_params * bytes_per_grad


@formula("byte")
def calc_dpsgd_extra_traffic(n_params, batch_size, bytes_per_grad=4.0):
    """Extra memory traffic per step: write the B per-sample gradients, read them back to clip and
    sum: 2 B P b (the weight-gradient FLOPs are the same outer products the batch gradient sums)."""
    return 2.0 * batch_size * n_params * bytes_per_grad


@formula(None, backward_passes="int>=1")
def calc_dpsgd_flop_multiplier(backward_passes):
    """Training FLOPs relative to non-private: (1 forward + 2 x passes backward) / 3.

    Materialised per-sample gradients (Opacus): 1 backward pass, multiplier 1 (the cost is memory).
    Ghost clipping (Li et al. 2022, 'Large Language Models Can Be Strong Differentially Private
    Learners', ICLR, section 4): a second backward pass, 5/3. Backward = 2 x forward (Kaplan 2020).
    """
    return (1.0 + 2.0 * backward_passes) / 3.0


@formula(None, epsilon=">0", epsilons=_epsilons, accuracies=_accuracies)
def calc_accuracy_at_epsilon(epsilon, epsilons, accuracies):
    """Published accuracy at privacy budget epsilon: linear in log(epsilon) between the measured
    points, held at the end points outside them (no extrapolation)."""
    if len(epsilons) != len(accuracies):
        raise SpecError("accuracies", accuracies, f"one accuracy per epsilon ({len(epsilons)})")
    pts = sorted(zip(epsilons, accuracies))
    if epsilon <= pts[0][0]:
        return pts[0][1]
    if epsilon >= pts[-1][0]:
        return pts[-1][1]
    for (e0, a0), (e1, a1) in zip(pts, pts[1:]):
        if e0 <= epsilon <= e1:
            w = (math.log(epsilon) - math.log(e0)) / (math.log(e1) - math.log(e0))
            return a0 + w * (a1 - a0)
    return pts[-1][1]


@functools.lru_cache(maxsize=64)
def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


@formula(None, ci_half_width="(0,1)", accuracy="[0,1]", confidence="(0,1)")
def calc_fairness_samples(ci_half_width, accuracy=0.5, confidence=0.95):
    """Samples per subgroup so that a metric p is known to +/- w: n = z^2 p (1 - p) / w^2
    (normal-approximation binomial interval; p = 0.5 is the worst case).
    Source: Wasserman (2004), All of Statistics, section 6.3.2 (Wald interval); e.g. w = 0.01 at
    95 % needs 9,604 samples per group.
    """
    if not 0.0 < confidence < 1.0:
        raise SpecError("confidence", confidence, "a probability strictly between 0 and 1")
    if not 0.0 < ci_half_width < 1.0:
        raise SpecError("ci_half_width", ci_half_width, "a half-width strictly between 0 and 1")
    z = _z(confidence)
    return float(math.ceil(z * z * accuracy * (1.0 - accuracy) / ci_half_width ** 2 - 1e-9))


@formula(None, pgd_steps="int>=0")
def calc_pgd_multiplier(pgd_steps):
    """K-step PGD adversarial training: K attack steps + 1 weight update, each a forward and a
    backward pass, so K + 1 times the compute (Madry et al. 2018, 'Towards Deep Learning Models
    Resistant to Adversarial Attacks', ICLR, section 5)."""
    return pgd_steps + 1.0
