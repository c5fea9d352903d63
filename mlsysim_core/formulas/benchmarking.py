"""Benchmarking statistics: what a latency distribution, a warm-up and a run count do to a number.

Latency samples of a serving system are right-skewed; a lognormal with median m and log-spread
sigma is the usual first model (the tail grows with sigma, the median does not). MLPerf reports a
percentile per scenario; a mean over a run that includes warm-up iterations is biased upward;
the number of runs for a confidence interval of a given relative width grows with (z cv / e)^2.
"""
from __future__ import annotations

import math
from statistics import NormalDist

from .._formula import formula
from ..checks import positive, sequence
from ..errors import SpecError

_NORMAL = NormalDist()


@formula("s", median="s", sigma=">=0", quantile="(0,1)")
def calc_lognormal_percentile(median, sigma, quantile):
    """t_q = m e^{sigma z_q}: the q-quantile of a lognormal latency with median m, z_q the standard
    normal quantile (p90: z = 1.2816, p99: z = 2.3263).

    Source: Johnson, Kotz & Balakrishnan (1994), "Continuous Univariate Distributions", vol. 1,
    2nd ed., Wiley, chapter 14 (lognormal: ln T ~ N(ln m, sigma^2))."""
    return median * math.exp(sigma * _NORMAL.inv_cdf(quantile))


@formula("s", median="s", sigma=">=0")
def calc_lognormal_mean(median, sigma):
    """E[T] = m e^{sigma^2 / 2}: the mean sits above the median, more so the wider the spread
    (Johnson, Kotz & Balakrishnan 1994, chapter 14). The coefficient of variation is
    sqrt(e^{sigma^2} - 1)."""
    return median * math.exp(sigma * sigma / 2.0)


@formula(None, cv=">=0", relative_error="(0,1)", confidence="(0,1)")
def calc_runs_for_confidence(cv, relative_error, confidence=0.95):
    """n = ceil((z_{(1+c)/2} cv / e)^2): runs for the mean to lie within +-e (relative) of the truth
    with confidence c (normal approximation; at least 2 runs to estimate a spread at all).

    Source: Jain (1991), "The Art of Computer Systems Performance Analysis", Wiley, section 13.9
    ("Determining sample size"): n = (100 z s / (r x))^2."""
    z = _NORMAL.inv_cdf((1.0 + confidence) / 2.0)
    return float(max(2, math.ceil((z * cv / relative_error) ** 2 - 1e-9)))


@formula(None, warmup_excess=">=0", tau_iters=">0", skip_iters=">=0", n_iters=">=1")
def calc_warmup_bias(warmup_excess, tau_iters, skip_iters, n_iters):
    """Relative upward bias of a mean over iterations [k, k + n) when iteration i takes
    t_ss (1 + w e^{-i / tau}): (w / n) sum e^{-i/tau} = w e^{-k/tau} (1 - e^{-n/tau}) / (n (1 - e^{-1/tau})).

    The exponential approach to steady state (caches, JIT and autotuning, clocks) is a modelling
    assumption; measuring only after warm-up iterations is the practice of Georges, Buytaert &
    Eeckhout (2007), "Statistically Rigorous Java Performance Evaluation", OOPSLA, section 4, and
    of MLPerf (timing starts after the system under test is warmed up)."""
    q = math.exp(-1.0 / tau_iters)
    return warmup_excess * math.exp(-skip_iters / tau_iters) * (1.0 - q ** n_iters) / (n_iters * (1.0 - q))


@formula(None, model_flops_rate="flop/s", recompute_flops_rate="flop/s", peak_flops="flop/s>0")
def calc_hfu(model_flops_rate, recompute_flops_rate, peak_flops):
    """HFU = (model + recomputed FLOP/s) / peak. MFU counts only the model's FLOPs (6 N D per
    token budget), HFU also the forward passes recomputed for activation checkpointing: HFU >= MFU.

    Source: Chowdhery et al. (2022), "PaLM", arXiv:2204.02311, appendix B; Korthikanti et al.
    (2022), arXiv:2205.05198, section 6 (table of MFU and HFU)."""
    used = model_flops_rate + recompute_flops_rate
    if used > peak_flops:
        raise SpecError("model_flops_rate", model_flops_rate,
                        f"at most peak_flops = {peak_flops:g} FLOP/s with the recomputed FLOPs",
                        "no device exceeds its peak")
    return used / peak_flops


def _samples(v):
    """Latencies (s; bare numbers or time Quantities), at most 1,000,000 of them."""
    return sequence("samples", v, lambda n, x: positive(n, x, allow_zero=True, unit="s"),
                    max_len=1_000_000, what="a list of latencies")


@formula(None, samples=_samples, quantile="(0,1]")
def calc_sample_percentile(samples, quantile):
    """The q-quantile of measured samples by the nearest-rank rule: the ceil(q n)-th smallest
    (Hyndman & Fan (1996), "Sample Quantiles in Statistical Packages", The American Statistician
    50(4), definition 1). Samples in s (bare numbers or time Quantities), a float (s) out; at most
    1,000,000 samples (sorted: cost grows as n log n)."""
    xs = sorted(samples)
    return xs[max(0, math.ceil(quantile * len(xs)) - 1)]


calc_sample_percentile.units["samples"] = "s"   # of each element (a callable spec declares no unit)
