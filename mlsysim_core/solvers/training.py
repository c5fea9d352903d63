"""Training planning: how long a run takes, and the compute-optimal model for a budget.

    C = 6 P D                                         (Kaplan et al. 2020; equations page 3)
    T = C / (N x Peak x MFU x eta_scale x goodput)    (the iron law of training; cheat sheet)
    P* = sqrt(C / 120),  D* = 20 P*                   (Hoffmann et al. 2022, Chinchilla; Wall 11)
"""
from __future__ import annotations

from ..checks import efficiency as _eff, fraction, positive, positive_int
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import (calc_chinchilla_params, calc_chinchilla_tokens, calc_training_time,
                        calc_transformer_training_flops)
from ..results_fleet import ScalingResult, TrainingTimeResult
from ..specs import Fleet, HardwareNode, Workload
from ..units import Quantity, magnitude
from ._common import check_precision


def _count(name, value):
    return positive(name, value, maximum=1e20, what="a positive count, at most 1e20")


def _budget(compute_budget, fleet, mfu, precision):
    """FLOPs from a FLOP count or Quantity, or from a duration on a fleet at ``mfu``."""
    if isinstance(compute_budget, Quantity) and compute_budget.check("[time]"):
        if not isinstance(fleet, (Fleet, HardwareNode)):
            raise SpecError("fleet", fleet, "a Fleet or accelerator when compute_budget is a duration")
        hw = fleet.node.accelerator if isinstance(fleet, Fleet) else fleet
        n = fleet.total_accelerators if isinstance(fleet, Fleet) else 1
        secs = positive("compute_budget", compute_budget, unit="s", maximum=1e12,
                        what="a positive duration, at most 1e12 s (or a number of FLOPs)")
        return n * hw.compute.peak_flop_s(precision) * mfu * secs
    return positive("compute_budget", compute_budget, unit="flop", maximum=1e40,
                    what="a positive number of FLOPs, at most 1e40 (or a duration with a fleet)")


class ScalingModel:
    """Compute-optimal sizing (Wall 11 Complexity) and, via ``training_time``, the iron law."""

    def solve(self, compute_budget, target_model_size=None, fleet=None, mfu=0.5,
              precision="fp16") -> ScalingResult:
        """``compute_budget``: FLOPs (float or Quantity), or a duration (e.g. ``Q_(30, 'day')``) on ``fleet``.

        With ``target_model_size`` the budget buys D = C / 6P tokens of that model instead.
        """
        mfu = _eff("mfu", mfu)
        precision, _ = check_precision(precision)
        c = _budget(compute_budget, fleet, mfu, precision)
        if target_model_size is None:
            p = calc_chinchilla_params.raw(c)
            d = calc_chinchilla_tokens.raw(p)
        else:
            p = _count("target_model_size", target_model_size)
            d = c / calc_transformer_training_flops.raw(p, 1.0)
        r = {"optimal_parameters": p, "optimal_tokens": d, "compute_budget": c,
             "compute_budget_flops": c, "tokens_per_parameter": d / p,
             "compute_optimal": target_model_size is None}
        return ScalingResult(r, lambda: [
            ("Compute-optimal size" if target_model_size is None else "Tokens for the budget",
             "P^* = \\sqrt{C/120},\\; D^* = 20P^*" if target_model_size is None else "D = C / 6P",
             f"C = {c:.3g} FLOP → P = **{p:.3g} parameters**, D = **{d:.3g} tokens** "
             f"({d / p:.3g} tokens/parameter)")])

    def training_time(self, *args, **kwargs) -> TrainingTimeResult:
        return TrainingTimeModel().solve(*args, **kwargs)


class TrainingTimeModel:
    """Days to train: 6PD over the fleet's delivered FLOP/s."""

    def solve(self, model=None, fleet=None, n_tokens=None, n_params=None, hardware=None,
              n_accelerators=None, mfu=0.5, precision="fp16", scaling_efficiency=1.0,
              goodput_ratio=1.0) -> TrainingTimeResult:
        """Give a ``model`` (its parameters and training tokens) or ``n_params``/``n_tokens``, and a
        ``fleet`` or ``hardware`` with ``n_accelerators``."""
        if model is not None and not isinstance(model, Workload):
            raise SpecError("model", model, "a workload from Models")
        p = _count("n_params", n_params) if n_params is not None else (
            model.active_parameters_count if model is not None else None)
        d = _count("n_tokens", n_tokens) if n_tokens is not None else getattr(model, "training_tokens", None)
        if p is None:
            raise SpecError("n_params", None, "a parameter count, or a model from Models")
        if d is None:
            raise SpecError("n_tokens", None, "a token count (this model has no training_tokens in the zoo)")
        if isinstance(fleet, Fleet):
            hw, n = fleet.node.accelerator, fleet.total_accelerators
        elif isinstance(fleet, HardwareNode) or isinstance(hardware, HardwareNode):
            hw = fleet if isinstance(fleet, HardwareNode) else hardware
            n = 1
        else:
            raise SpecError("fleet", fleet, "a fleet from Systems.Clusters, or hardware= with n_accelerators=")
        if n_accelerators is not None:
            n = positive_int("n_accelerators", n_accelerators, maximum=10 ** 9)
        mfu = _eff("mfu", mfu)
        eta = _eff("scaling_efficiency", scaling_efficiency)
        good = _eff("goodput_ratio", goodput_ratio)
        precision, _ = check_precision(precision)
        peak = hw.compute.peak_flop_s(precision)
        c = calc_transformer_training_flops.raw(p, d)
        t = calc_training_time.raw(c, n, peak, mfu, eta, good)
        r = {"total_flops": c, "training_time": t, "training_days": t / 86400.0,
             "gpu_hours": n * t / 3600.0, "n_accelerators": n, "fleet_peak_flops": n * peak,
             "effective_flops": n * peak * mfu * eta * good, "n_params": p, "n_tokens": d,
             "mfu": mfu, "scaling_efficiency": eta, "goodput_ratio": good, "hardware": hw.name}
        return TrainingTimeResult(r, lambda: [
            ("Training FLOPs", "C = 6PD", f"6 × {p:.3g} × {d:.3g} = **{c:.3g} FLOP**"),
            ("Training time", "T = \\frac{C}{N \\cdot \\text{Peak} \\cdot \\text{MFU} \\cdot \\eta \\cdot G}",
             f"{c:.3g} FLOP / ({n:,} × {si(peak, 'FLOP/s')} × {mfu:g} × {pct(eta, 0)} × {pct(good, 0)}) = "
             f"{t:,.3g} s = **{t / 86400.0:,.1f} days** ({n * t / 3600.0:,.0f} accelerator-hours)")])
