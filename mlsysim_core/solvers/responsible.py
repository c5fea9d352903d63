"""Wall 20 Safety: the compute price of privacy, fairness evaluation and adversarial robustness.

    DP-SGD (Abadi et al. 2016): clip each sample's gradient, add noise.
      per-sample gradients (Opacus): memory + B P b; time x (1 + 2 B P b / BW_HBM / T_step)
      ghost clipping (Li et al. 2022): no per-sample gradients, a second backward pass: FLOPs x 5/3
      accuracy at epsilon: published results (Abadi et al. 2016), log-linear between points
    fairness: n = z^2 p (1-p) / w^2 samples per subgroup, x K subgroups (/ prevalence for the rarest)
    robustness: K-step PGD training = (K + 1) x the compute (Madry et al. 2018)

The reference implementation charges DP a slowdown 1 + 2/epsilon and needs 1/prevalence more data;
here the cost of DP comes from the per-sample gradient traffic and memory on the given hardware, and
its accuracy price from published measurements. Sources: formulas/responsible.py.
"""
from __future__ import annotations

from ..checks import EFFICIENCY_MIN, HUGE, MAX_COUNT, TINY, choice, fraction, number, positive_int
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import (calc_accuracy_at_epsilon, calc_dpsgd_extra_traffic, calc_dpsgd_flop_multiplier,
                        calc_fairness_samples, calc_per_sample_grad_bytes, calc_pgd_multiplier)
from ..results import Result
from ..units import magnitude
from ..zoo import constants
from ._common import check_batch, check_efficiency, check_hardware, check_model, check_precision
from .engine import roofline_core


def _frac(name, v):
    """checks.fraction (a number in (0, 1]), with a fast path for a float already in range."""
    return v if type(v) is float and 0.0 < v <= 1.0 else fraction(name, v)


def _count(name, v):
    """checks.positive_int(name, v, 0) (an integer >= 0), with a fast path for an int."""
    return v if type(v) is int and 0 <= v <= MAX_COUNT else positive_int(name, v, 0)

DP_METHODS = ("per_sample", "ghost")
BENCHMARKS = ("cifar10", "mnist")


class ResponsibleEngineeringResult(Result):
    """What privacy, fairness auditing and robustness cost in compute, memory, data and accuracy."""

    __slots__ = ()
    UNITS = {"per_sample_grad_memory": ("GB", 1e-9), "memory_footprint": ("GB", 1e-9),
             "memory_capacity": ("GB", 1e-9), "step_time": ("ms", 1e3), "dp_step_time": ("ms", 1e3)}


def _table(benchmark):
    c = constants()
    if benchmark == "cifar10":
        return (2.0, 4.0, 8.0), (c.resp_cifar10_accuracy_eps2, c.resp_cifar10_accuracy_eps4,
                                 c.resp_cifar10_accuracy_eps8), c.resp_cifar10_nonprivate_accuracy
    return (0.5, 2.0, 8.0), (c.resp_mnist_accuracy_eps0_5, c.resp_mnist_accuracy_eps2,
                             c.resp_mnist_accuracy_eps8), c.resp_mnist_nonprivate_accuracy


class ResponsibleEngineeringModel:
    """DP-SGD, fairness evaluation and adversarial training, priced in GPU time, memory and accuracy.

        from mlsysim_core import ResponsibleEngineeringModel, Models, Hardware
        r = ResponsibleEngineeringModel().solve(Models.ResNet50, Hardware.H100, batch_size=256,
                                                epsilon=1.0, base_gpu_hours=1000)
        r.dp_time_multiplier, r.gpu_hours, r.dp_accuracy_drop, r.per_sample_grad_memory
        ResponsibleEngineeringModel().solve(Models.ResNet50, Hardware.H100, subgroups=20,
                                            ci_half_width=0.01, min_subgroup_prevalence=0.01)
        ResponsibleEngineeringModel().solve(Models.ResNet50, Hardware.H100, pgd_steps=7)

    ``epsilon`` None: no DP. ``dp_method``: "per_sample" (Opacus: per-sample gradients in memory)
    or "ghost" (ghost clipping: a second backward pass instead). ``dp_benchmark``: the published
    task whose accuracy-vs-epsilon curve is reported ("cifar10" or "mnist", Abadi et al. 2016);
    the accuracy of another model is not predicted, only the published price of epsilon.
    ``subgroups`` K with ``ci_half_width`` w at ``confidence``: the evaluation samples and their
    inference GPU-hours on ``hardware``. ``pgd_steps`` K: adversarial training. Cost: O(1) (two
    roofline solves).
    """

    def solve(self, model, hardware, batch_size=32, precision="bf16", efficiency=0.5, epsilon=None,
              delta=None, dp_method="per_sample", dp_benchmark="cifar10", base_gpu_hours=None,
              subgroups=0, ci_half_width=0.01, confidence=0.95, subgroup_accuracy=0.5,
              min_subgroup_prevalence=None, pgd_steps=0) -> ResponsibleEngineeringResult:
        model, hardware = check_model(model), check_hardware(hardware)
        c = constants()
        if type(dp_method) is not str or dp_method not in DP_METHODS:       # (fast path: a str in a tuple)
            choice("dp_method", dp_method, DP_METHODS)
        if type(dp_benchmark) is not str or dp_benchmark not in BENCHMARKS:
            choice("dp_benchmark", dp_benchmark, BENCHMARKS)
        if type(epsilon) is float and 0.0 < epsilon <= HUGE:       # the fast path: a float in range
            eps = epsilon
        elif epsilon is not None:
            eps = magnitude(epsilon, "dimensionless", "epsilon")
            if eps <= 0:
                raise SpecError("epsilon", epsilon, "a positive privacy budget (or None for no DP)")
        else:
            eps = None
        dlt = c.resp_delta if delta is None else fraction("delta", delta)
        if dlt >= 1.0:
            raise SpecError("delta", delta, "a probability in (0, 1)")
        if base_gpu_hours is None:
            base_h = None
        elif (type(base_gpu_hours) is float or type(base_gpu_hours) is int) and 0 <= base_gpu_hours <= HUGE:
            base_h = float(base_gpu_hours)                          # (the fast path: a bare number in range)
        else:
            base_h = magnitude(base_gpu_hours, "hour", "base_gpu_hours")
        if base_h is not None and base_h < 0:
            raise SpecError("base_gpu_hours", base_gpu_hours, "GPU-hours >= 0")
        k_groups = _count("subgroups", subgroups)
        # w is squared and divided by: below one in a million the sample count is meaningless (1e12+)
        w = ci_half_width if type(ci_half_width) is float and EFFICIENCY_MIN <= ci_half_width < 1.0 else number(
            "ci_half_width", ci_half_width, lo=EFFICIENCY_MIN, hi=1.0, hi_open=True,
            allowed=f"a half-width in (0, 1), at least {EFFICIENCY_MIN:g}")
        conf = _frac("confidence", confidence)
        p_acc = _frac("subgroup_accuracy", subgroup_accuracy)
        # divided by (dataset = n / prevalence): from checks.TINY, so the size stays finite
        prev = None if min_subgroup_prevalence is None else number(
            "min_subgroup_prevalence", min_subgroup_prevalence, lo=TINY, hi=1.0,
            allowed=f"a fraction in (0, 1], at least {TINY:g}")
        k_pgd = _count("pgd_steps", pgd_steps)

        # Engine.solve's checks, then its raw roofline (the same numbers, without two result objects)
        prec, bpe = check_precision(precision)
        b, eta = check_batch(batch_size), check_efficiency(efficiency)
        # (roofline_core: the roofline's step time and memory, without its calibrated/energy figures)
        step, foot = roofline_core(model, hardware, b, prec, bpe, eta, True)[:2]
        capacity = hardware.memory.capacity_bytes
        p = model.parameters_count
        r = {"model": model.name, "hardware": hardware.name, "batch_size": batch_size, "step_time": step,
             "memory_footprint": foot, "memory_capacity": capacity,
             "epsilon": eps, "delta": dlt, "dp_method": dp_method, "dp_benchmark": dp_benchmark}

        # --- DP-SGD
        if eps is None:
            r.update(dp_time_multiplier=1.0, dp_flop_multiplier=1.0, per_sample_grad_memory=0.0,
                     dp_memory_multiplier=1.0, dp_step_time=step, dp_fits=foot <= capacity,
                     dp_accuracy=None, nonprivate_accuracy=None, dp_accuracy_drop=0.0,
                     dp_accuracy_extrapolated=False)
        else:
            passes = 1 if dp_method == "per_sample" else 2
            m_flop = calc_dpsgd_flop_multiplier.raw(passes)
            grad_b = c.resp_per_sample_grad_bytes
            psg = calc_per_sample_grad_bytes.raw(p, batch_size, grad_b) if dp_method == "per_sample" else 0.0
            extra = (calc_dpsgd_extra_traffic.raw(p, batch_size, grad_b) / hardware.memory.bandwidth_bytes_s
                     if dp_method == "per_sample" else 0.0)
            dp_step = step * m_flop + extra
            eps_pts, acc_pts, base_acc = _table(dp_benchmark)
            acc = calc_accuracy_at_epsilon.raw(eps, eps_pts, acc_pts)
            r.update(dp_time_multiplier=dp_step / step, dp_flop_multiplier=m_flop, per_sample_grad_memory=psg,
                     dp_memory_multiplier=(foot + psg) / foot, dp_step_time=dp_step,
                     dp_fits=foot + psg <= capacity, dp_accuracy=acc,
                     nonprivate_accuracy=base_acc, dp_accuracy_drop=base_acc - acc,
                     dp_accuracy_extrapolated=not (eps_pts[0] <= eps <= eps_pts[-1]))

        # --- fairness evaluation
        n_group = calc_fairness_samples.raw(w, p_acc, conf)
        total_eval = n_group * k_groups
        eval_h = 0.0
        if total_eval:   # inference throughput only when there is something to evaluate
            eval_h = total_eval / (b / roofline_core(model, hardware, b, prec, bpe, eta)[0]) / 3600.0
        r.update(subgroups=k_groups, ci_half_width=w, confidence=conf, samples_per_subgroup=int(n_group),
                 evaluation_samples=int(total_eval),
                 dataset_for_rarest_group=None if prev is None else int(-(-n_group // prev)),
                 min_subgroup_prevalence=prev, evaluation_gpu_hours=eval_h)

        # --- robustness and totals
        m_pgd = calc_pgd_multiplier.raw(k_pgd)
        total = r["dp_time_multiplier"] * m_pgd
        r.update(pgd_steps=k_pgd, pgd_multiplier=m_pgd, training_multiplier=total, base_gpu_hours=base_h,
                 gpu_hours=None if base_h is None else base_h * total,
                 extra_gpu_hours=None if base_h is None else base_h * (total - 1.0))
        return ResponsibleEngineeringResult(r, lambda: _work(r))


def _work(r):
    rows = []
    if r["epsilon"] is not None:
        if r["dp_method"] == "per_sample":
            rows.append(("Per-sample gradients", "M_{psg} = B\\,P\\,b",
                         f"{r['batch_size']} × {si(r['per_sample_grad_memory'] / r['batch_size'] / 4, '')} params × 4 B = "
                         f"**{si(r['per_sample_grad_memory'], 'B')}** (memory ×{r['dp_memory_multiplier']:.3g}; "
                         f"{'fits' if r['dp_fits'] else 'does not fit'} in {si(r['memory_capacity'], 'B')})"))
        rows.append(("DP-SGD step", "T_{DP} = T \\cdot m_{FLOP} + 2BPb/BW",
                     f"{si(r['step_time'], 's')} × {r['dp_flop_multiplier']:.3g} + traffic = **{si(r['dp_step_time'], 's')}** "
                     f"(×{r['dp_time_multiplier']:.3g}, {r['dp_method']})"))
        rows.append(("Accuracy at ε", "\\text{acc}(\\varepsilon)\\ \\text{(published)}",
                     f"{r['dp_benchmark']} at ε = {r['epsilon']:g}, δ = {r['delta']:g}: **{pct(r['dp_accuracy'])}** vs "
                     f"{pct(r['nonprivate_accuracy'])} non-private (−{r['dp_accuracy_drop'] * 100:.1f} points)"
                     + (" [outside the published range: end point held]" if r["dp_accuracy_extrapolated"] else "")))
    if r["subgroups"]:
        rows.append(("Fairness evaluation", "n = z^2 p(1-p)/w^2",
                     f"±{pct(r['ci_half_width'])} at {pct(r['confidence'], 0)}: **{r['samples_per_subgroup']:,} per subgroup** "
                     f"× {r['subgroups']} = {r['evaluation_samples']:,} samples ({r['evaluation_gpu_hours']:.3g} GPU-h)"
                     + ("" if r["dataset_for_rarest_group"] is None else
                        f"; the rarest group at {pct(r['min_subgroup_prevalence'])} needs a pool of "
                        f"{r['dataset_for_rarest_group']:,}")))
    if r["pgd_steps"]:
        rows.append(("Adversarial training", "m_{PGD} = K + 1",
                     f"K = {r['pgd_steps']}: **×{r['pgd_multiplier']:g}** compute"))
    total = f"×{r['training_multiplier']:.3g}"
    if r["gpu_hours"] is not None:
        total += f": {r['base_gpu_hours']:,.4g} → **{r['gpu_hours']:,.4g} GPU-hours**"
    rows.append(("Training cost of the guarantees", "m = m_{DP} \\times m_{PGD}", total))
    return rows
