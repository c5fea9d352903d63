"""Benchmarking (Wall 1-2 measured, not modelled): what a latency number does and does not say.

    t_q = m e^{sigma z_q}, mean = m e^{sigma^2/2}          (lognormal latency; JKB 1994 ch. 14)
    n = ceil((z cv / e)^2)                                  (runs for a +-e interval; Jain 1991 13.9)
    bias = w e^{-k/tau}(1 - e^{-n/tau}) / (n (1 - e^{-1/tau}))   (warm-up left in the mean)
    MLPerf: single-stream p90 latency; server: max Poisson QPS with p99 <= bound (M/M/c,
            Harchol-Balter 2013 ch. 14); offline: c / mean service time
    MFU = model FLOP/s / peak;  HFU = (model + recompute) FLOP/s / peak   (Chowdhery et al. 2022)

The server search is a bisection on the arrival rate (60 steps, each one M/M/c quantile): cost
grows with the number of servers only through Erlang C (~sqrt of the load).
"""
from __future__ import annotations

import math

from ..checks import EFFICIENCY_MIN, integer, number, positive
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas.benchmarking import (calc_hfu, calc_lognormal_mean, calc_lognormal_percentile,
                                     calc_runs_for_confidence, calc_warmup_bias)
from ..formulas.queueing import calc_mmc_response_quantile
from ..formulas.roofline import calc_mfu
from ..results import Result
from ..zoo import constants

_BISECT = 60
_T_MIN, _T_MAX = 1e-9, 1e9    # seconds: service times and latency bounds MLPerf can mean


class BenchmarkResult(Result):
    __slots__ = ()
    UNITS = {k: ("ms", 1e3) for k in ("median", "mean", "p90", "p99", "p999", "measured_mean",
                                       "single_stream_latency", "latency_bound", "server_p99")}


class BenchmarkModel:
    """A latency distribution and the numbers a benchmark reports from it."""

    def solve(self, median_latency, sigma=0.25, *, relative_error=0.02, confidence=None,
              warmup_excess=0.0, warmup_tau_iters=10.0, skip_iters=0, measured_iters=100) -> BenchmarkResult:
        """``median_latency`` (s) and ``sigma`` (the log-spread; 0: every query takes the median).
        ``relative_error``: the half-width of the wanted confidence interval of the mean, relative.
        ``warmup_excess``: how much slower the first iteration is than steady state (1.0 = twice as
        slow), decaying over ``warmup_tau_iters``; the mean over ``measured_iters`` iterations after
        ``skip_iters`` discarded ones is reported as ``measured_mean``."""
        c = constants()
        m = positive("median_latency", median_latency, unit="s")
        s = number("sigma", sigma, lo=0.0, hi=3.0)
        # at least EFFICIENCY_MIN (1e-6): the run count grows as 1/e^2 and must stay finite
        e = number("relative_error", relative_error, lo=EFFICIENCY_MIN, hi=1.0, hi_open=True,
                   allowed=f"a relative half-width in [{EFFICIENCY_MIN:g}, 1) (runs grow as 1/e^2)")
        conf = c.labs_v1_bench_confidence if confidence is None else number(
            "confidence", confidence, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
        w = positive("warmup_excess", warmup_excess, allow_zero=True, maximum=1e3)
        tau = positive("warmup_tau_iters", warmup_tau_iters, maximum=1e6)
        k = integer("skip_iters", skip_iters, minimum=0, maximum=10**7)
        n = integer("measured_iters", measured_iters, minimum=1, maximum=10**7)
        mean = calc_lognormal_mean.raw(m, s)
        cv = math.sqrt(math.expm1(s * s))
        bias = calc_warmup_bias.raw(w, tau, k, n)
        pct_ss = c.labs_v1_mlperf_single_stream_percentile
        out = {"median": m, "sigma": s, "mean": mean, "cv": cv,
               "p90": calc_lognormal_percentile.raw(m, s, 0.90),
               "p99": calc_lognormal_percentile.raw(m, s, 0.99),
               "p999": calc_lognormal_percentile.raw(m, s, 0.999),
               "single_stream_latency": calc_lognormal_percentile.raw(m, s, pct_ss),
               "single_stream_percentile": pct_ss,
               "tail_ratio": calc_lognormal_percentile.raw(m, s, 0.99) / m,
               "runs_needed": calc_runs_for_confidence.raw(cv, e, conf) if cv > 0 else 1.0,
               "relative_error": e, "confidence": conf,
               "warmup_bias": bias, "measured_mean": mean * (1.0 + bias), "skip_iters": k, "measured_iters": n}
        return BenchmarkResult(out, lambda: _work(out))

    def mlperf(self, service_time, latency_bound, servers=1) -> BenchmarkResult:
        """MLPerf's server and offline scenarios for a system of ``servers`` identical replicas with
        mean service time ``service_time`` (s, exponential): the largest Poisson QPS whose p99
        latency stays within ``latency_bound`` (0 when even an idle system misses it), and the
        offline throughput (every query available at once: all replicas always busy)."""
        c = constants()
        # 1e-9 s to 1e9 s (~32 years): the queue's rates 1/t stay within what its formulas accept
        t = number("service_time", service_time, lo=_T_MIN, hi=_T_MAX, unit="s",
                   allowed=f"a mean service time in s, from {_T_MIN:g} to {_T_MAX:g}")
        bound = number("latency_bound", latency_bound, lo=_T_MIN, hi=_T_MAX, unit="s",
                       allowed=f"a latency bound in s, from {_T_MIN:g} to {_T_MAX:g}")
        n = integer("servers", servers, minimum=1, maximum=100_000)
        q = c.labs_v1_mlperf_server_percentile
        mu = 1.0 / t
        offline = n * mu
        idle_p99 = calc_mmc_response_quantile.raw(offline * 1e-12, mu, n, q)
        if idle_p99 > bound:
            qps, p99 = 0.0, idle_p99
        else:
            lo, hi = 0.0, offline
            for _ in range(_BISECT):   # p99 grows with the arrival rate: bisect on it
                mid = 0.5 * (lo + hi)
                if calc_mmc_response_quantile.raw(mid, mu, n, q) <= bound:
                    lo = mid
                else:
                    hi = mid
            qps = lo
            p99 = calc_mmc_response_quantile.raw(qps, mu, n, q) if qps > 0 else idle_p99
        out = {"service_time": t, "latency_bound": bound, "servers": n, "server_percentile": q,
               "server_qps": qps, "server_p99": p99, "offline_qps": offline,
               "server_utilisation": qps / offline, "idle_p99": idle_p99, "server_feasible": qps > 0}
        return BenchmarkResult(out, lambda: _mlperf_work(out))

    def utilization(self, model_flops_per_step, step_time, peak_flops, recompute_fraction=0.0) -> BenchmarkResult:
        """MFU and HFU of a training step of ``model_flops_per_step`` (6 N D per step: forward +
        backward) taking ``step_time`` s on ``peak_flops`` FLOP/s; a ``recompute_fraction`` of the
        forward (a third of the model FLOPs) is recomputed for activation checkpointing."""
        f = positive("model_flops_per_step", model_flops_per_step, unit="FLOP")
        t = positive("step_time", step_time, unit="s")
        peak = positive("peak_flops", peak_flops, unit="FLOP/s")
        r = number("recompute_fraction", recompute_fraction, lo=0.0, hi=1.0)
        rec = r * f / 3.0
        if (f + rec) / t > peak:
            raise SpecError("step_time", step_time, f"at least {(f + rec) / peak:.4g} s: the step's model and "
                            f"recomputed FLOPs at peak_flops", "no device exceeds its peak")
        out = {"model_flops_per_step": f, "recompute_flops_per_step": rec, "step_time": t, "peak_flops": peak,
               "mfu": calc_mfu.raw(f / t, peak), "hfu": calc_hfu.raw(f / t, rec / t, peak),
               "recompute_fraction": r}
        return BenchmarkResult(out, lambda: [
            ("MFU", "\\text{MFU} = \\frac{F_{model} / T}{\\text{Peak}}",
             f"{f:.3g} FLOP / {si(t, 's')} / {si(peak, 'FLOP/s')} = **{pct(out['mfu'])}**"),
            ("HFU", "\\text{HFU} = \\frac{(F_{model} + F_{recompute}) / T}{\\text{Peak}}",
             f"({f:.3g} + {rec:.3g}) FLOP / {si(t, 's')} / {si(peak, 'FLOP/s')} = **{pct(out['hfu'])}**")])


def _work(r):
    rows = [
        ("Percentiles", "t_q = m\\,e^{\\sigma z_q}",
         f"m = {si(r['median'], 's')}, σ = {r['sigma']:g}: p90 **{si(r['p90'], 's')}**, p99 "
         f"**{si(r['p99'], 's')}** ({r['tail_ratio']:.3g}× the median), p99.9 {si(r['p999'], 's')}"),
        ("Mean", "\\bar t = m\\,e^{\\sigma^2/2}", f"**{si(r['mean'], 's')}** (cv = {r['cv']:.3g})"),
        ("Runs needed", "n = \\lceil (z\\,cv / e)^2 \\rceil",
         f"cv = {r['cv']:.3g}, e = {pct(r['relative_error'])}, confidence {pct(r['confidence'], 0)}: "
         f"**{r['runs_needed']:,.0f} runs**"),
    ]
    if r["warmup_bias"] > 0:
        rows.append(("Warm-up left in the mean", "\\frac{w}{n}\\sum_{i=k}^{k+n-1} e^{-i/\\tau}",
                     f"skip {r['skip_iters']}, measure {r['measured_iters']}: **+{pct(r['warmup_bias'])}** → "
                     f"{si(r['measured_mean'], 's')}"))
    return rows


def _mlperf_work(r):
    return [
        ("Offline", "X = c / \\bar t", f"{r['servers']} / {si(r['service_time'], 's')} = **{r['offline_qps']:,.4g} samples/s**"),
        ("Server", "\\max \\lambda : t_{99}(\\lambda) \\le \\text{bound}",
         (f"**{r['server_qps']:,.4g} QPS** (p99 {si(r['server_p99'], 's')} ≤ {si(r['latency_bound'], 's')}; "
          f"{pct(r['server_utilisation'])} of offline)") if r["server_feasible"] else
         f"**0 QPS**: even an idle system's p99 is {si(r['idle_p99'], 's')} > bound {si(r['latency_bound'], 's')}"),
    ]
