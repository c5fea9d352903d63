"""Single-node roofline: inference or training of one workload on one accelerator.

T = max(FLOPs / (Peak x eta), Bytes / BW) + dispatch tax  (Williams et al. 2009; equations page 1.1)

Bytes moved per call: the weights once, plus activations per sample (CNNs: the zoo's
activation bytes or the constants' 10 % of weights; transformers: negligible next to weights
at one token). Training touches weights, gradients and optimizer state once per step and costs
3x the forward FLOPs (4x with full recomputation); a transformer training sample is a sequence
of ``seq_len`` tokens (so 6PD for one step), an inference sample one generated token.
"""
from __future__ import annotations

from .. import calibration
from ..checks import choice, flag, positive_int, sequence
from ..errors import OOMError, SpecError
from ..fmt import si
from ..formulas import (calc_activation_memory, calc_bottleneck, calc_device_power,
                        calc_training_state_bytes)
from ..results import PerformanceProfile
from ..specs import CNNWorkload, TransformerWorkload
from ..zoo import constants
from ._common import (check_batch, check_efficiency, check_hardware, check_model, check_precision)

_ROOF = "T = \\max\\left(\\frac{\\text{FLOPs}}{\\text{Peak}\\times\\eta}, \\frac{\\text{Bytes}}{\\text{BW}}\\right) + \\tau_{\\text{dispatch}}"


def roofline_core(model, hardware, batch_size, precision, bpe, efficiency, is_training=False, seq_len=2048,
                  recompute=False, zero_stage=0, dp_size=1, bandwidth_efficiency=1.0) -> tuple:
    """The roofline's arithmetic alone, no checks: (latency, footprint, flops, hw_flops, bytes_moved,
    t_compute, t_memory, peak, peak_bw, bw) in canonical units. ``roofline`` builds its answer from
    it; a solver that needs only the step time and the memory (responsible.py) calls it directly
    and skips the calibrated, bound and energy figures."""
    c = constants()
    peak = hardware.compute.peak_flop_s(precision)
    peak_bw = hardware.memory.bandwidth_bytes_s
    bw = peak_bw * bandwidth_efficiency
    params = model.parameters_count
    weights = model.weight_bytes(precision)
    fwd = model.inference_flop * batch_size
    if is_training and isinstance(model, TransformerWorkload):
        fwd *= seq_len   # a training sample is a whole sequence; inference is one token per sample
    if model.activation_bytes_per_sample is not None:
        act = model.activation_bytes_per_sample * bpe / 2.0   # zoo figure is at 16-bit
    elif isinstance(model, CNNWorkload):
        act = weights * c.cnn_activation_traffic_ratio
    else:
        act = 0.0
    if is_training:
        flops = fwd * c.training_flop_multiplier
        hw_flops = fwd * (c.recompute_flop_multiplier if recompute else c.training_flop_multiplier)
        state = calc_training_state_bytes.raw(params, bpe, c.adam_state_bytes_per_param, zero_stage, dp_size)
        if isinstance(model, TransformerWorkload):
            act_mem = calc_activation_memory.raw(model.layers, seq_len, batch_size, model.hidden_dim,
                                                 model.heads, bpe, "full" if recompute else "selective")
        else:
            act_mem = act * batch_size
        footprint = state + act_mem
        bytes_moved = state + 2.0 * act_mem        # write in forward, read in backward
    else:
        flops = hw_flops = fwd
        footprint = weights + act * batch_size
        bytes_moved = weights + act * batch_size
    t_compute = hw_flops / (peak * efficiency)
    t_memory = bytes_moved / bw
    latency = (t_compute if t_compute >= t_memory else t_memory) + hardware.dispatch_tax_s
    return latency, footprint, flops, hw_flops, bytes_moved, t_compute, t_memory, peak, peak_bw, bw


def roofline(model, hardware, batch_size, precision, bpe, efficiency, is_training=False, seq_len=2048,
             recompute=False, zero_stage=0, dp_size=1, bandwidth_efficiency=1.0) -> dict:
    """Raw roofline numbers (canonical units) for solvers that compose it; no checks here.

    ``latency_bound`` is the ideal bound (datasheet peaks, both efficiencies 1, no dispatch):
    no real run can beat it. ``latency`` applies the efficiencies and the dispatch tax.
    ``latency_calibrated`` ignores ``efficiency``/``bandwidth_efficiency`` and takes them from
    the calibration table per regime (``mlsysim_core.calibration``): training compute, or the
    GEMM figure of the precision; decode GEMV for transformer inference, else HBM streaming.
    """
    c = constants()
    latency, footprint, flops, hw_flops, bytes_moved, t_compute, t_memory, peak, peak_bw, bw = roofline_core(
        model, hardware, batch_size, precision, bpe, efficiency, is_training, seq_len, recompute, zero_stage,
        dp_size, bandwidth_efficiency)
    capacity = hardware.memory.capacity_bytes
    mfu = flops / latency / peak
    cal = calibration.get()
    eff_cal = cal.training_compute if is_training else cal.gemm(precision)
    bw_cal = cal.decode_gemv if isinstance(model, TransformerWorkload) and not is_training else cal.hbm_stream
    t_c, t_m = hw_flops / (peak * eff_cal), bytes_moved / (peak_bw * bw_cal)
    latency_cal = (t_c if t_c >= t_m else t_m) + hardware.dispatch_tax_s
    latency_bound = max(hw_flops / peak, bytes_moved / peak_bw)
    return {
        "latency": latency, "latency_compute": t_compute, "latency_memory": t_memory,
        "latency_overhead": hardware.dispatch_tax_s,
        "latency_bound": latency_bound, "throughput": batch_size / latency,
        "latency_calibrated": latency_cal, "throughput_calibrated": batch_size / latency_cal,
        "throughput_bound": batch_size / latency_bound if latency_bound > 0 else float("inf"),
        "mfu_calibrated": flops / latency_cal / peak, "efficiency_calibrated": eff_cal,
        "bandwidth_efficiency_calibrated": bw_cal,
        "bottleneck": calc_bottleneck.raw(t_compute, t_memory),
        "arithmetic_intensity": hw_flops / bytes_moved, "ridge_point": peak / peak_bw,
        "memory_footprint": footprint, "memory_capacity": capacity,
        "shortfall": footprint - capacity if footprint > capacity else 0.0,
        "feasible": footprint <= capacity, "mfu": mfu, "hfu": hw_flops / latency / peak,
        "energy": calc_device_power.raw(hardware.tdp_w, mfu, c.energy_idle_fraction) * latency,
        "flops": flops, "bytes_moved": bytes_moved, "peak_flops_actual": peak * efficiency,
        "peak_bw_actual": bw, "batch_size": batch_size, "precision": precision,
        "efficiency": efficiency, "bandwidth_efficiency": bandwidth_efficiency,
        "is_training": is_training,
    }


class SingleNodeModel:
    """Roofline of one workload on one accelerator (Wall 1 Compute, Wall 2 Memory)."""

    def solve(self, model, hardware, batch_size=1, precision="fp16", efficiency=0.5,
              is_training=False, seq_len=2048, activation_recomputation=False, zero_stage=0,
              dp_size=1, bandwidth_efficiency=1.0, raise_errors=False) -> PerformanceProfile:
        check_model(model)
        check_hardware(hardware)
        precision, bpe = check_precision(precision)
        batch_size = check_batch(batch_size)
        efficiency = check_efficiency(efficiency)
        if bandwidth_efficiency != 1.0:
            bandwidth_efficiency = check_efficiency(bandwidth_efficiency, "bandwidth_efficiency")
        is_training = flag("is_training", is_training)
        recompute = flag("activation_recomputation", activation_recomputation)
        flag("raise_errors", raise_errors)
        if is_training:
            seq_len = check_batch(seq_len, "seq_len")
        zero_stage = choice("zero_stage", zero_stage, (0, 1, 2, 3))
        dp_size = positive_int("dp_size", dp_size)
        r = roofline(model, hardware, batch_size, precision, bpe, efficiency, is_training,
                     seq_len, recompute, zero_stage, dp_size, bandwidth_efficiency)
        if raise_errors and not r["feasible"]:
            raise OOMError(f"{model.name} needs {si(r['memory_footprint'], 'B')} but {hardware.name} "
                           f"has {si(r['memory_capacity'], 'B')} (short by {si(r['shortfall'], 'B')})",
                           r["memory_footprint"], r["memory_capacity"])
        return PerformanceProfile(r, lambda: _work(r, model, hardware))


def _work(r, model, hardware):
    peak = r["peak_flops_actual"] / r["efficiency"]
    return [
        ("Arithmetic intensity", "I = \\text{FLOPs} / \\text{Bytes}",
         f"{si(r['flops'], 'FLOP')} / {si(r['bytes_moved'], 'B')} = **{r['arithmetic_intensity']:.3g} FLOP/B**"),
        ("Ridge point", "I^* = \\text{Peak} / \\text{BW}",
         f"{si(peak, 'FLOP/s')} / {si(hardware.memory.bandwidth_bytes_s, 'B/s')} = **{r['ridge_point']:.3g} FLOP/B**"),
        ("Latency (roofline)", _ROOF,
         f"max({si(r['flops'] if not r['is_training'] else r['hfu'] * r['latency'] * peak, 'FLOP')} / "
         f"({si(peak, 'FLOP/s')} × {r['efficiency']:g}), {si(r['bytes_moved'], 'B')} / "
         f"{si(r['peak_bw_actual'], 'B/s')}) + {si(r['latency_overhead'], 's')} = "
         f"max({si(r['latency_compute'], 's')}, {si(r['latency_memory'], 's')}) + "
         f"{si(r['latency_overhead'], 's')} = **{si(r['latency'], 's')}** ({r['bottleneck']})"),
        ("Memory", "\\text{footprint} \\le \\text{capacity}",
         f"{si(r['memory_footprint'], 'B')} vs {si(r['memory_capacity'], 'B')} on {hardware.name}: "
         f"**{'fits' if r['feasible'] else 'does not fit, short by ' + si(r['shortfall'], 'B')}**"),
    ]


class Engine:
    """``Engine.solve(model, hardware, ...)``: the single-node roofline in one call."""

    _model = SingleNodeModel()

    @staticmethod
    def solve(model, hardware, batch_size=1, precision="fp16", efficiency=0.5, is_training=False,
              **kwargs) -> PerformanceProfile:
        return Engine._model.solve(model, hardware, batch_size, precision, efficiency, is_training,
                                   **kwargs)

    @staticmethod
    def sweep(model, hardware_list, batch_sizes=(1,), precisions=("fp16",), efficiency=0.5) -> list[dict]:
        """Every (hardware, batch, precision) combination, feasible or not (at most 10,000 solves)."""
        hardware_list = sequence("hardware_list", hardware_list, lambda n, h: check_hardware(h, n))
        batch_sizes = sequence("batch_sizes", batch_sizes, lambda n, b: check_batch(b, n))
        precisions = sequence("precisions", precisions, lambda n, p: check_precision(p, n)[0])
        n = len(hardware_list) * len(batch_sizes) * len(precisions)
        if n > 10_000:
            raise SpecError("hardware_list", f"{len(hardware_list)} x {len(batch_sizes)} x {len(precisions)}",
                            "at most 10,000 combinations of hardware_list x batch_sizes x precisions")
        return [{"hardware": hw, "batch_size": b, "precision": p,
                 "profile": Engine.solve(model, hw, b, p, efficiency)}
                for hw in hardware_list for b in batch_sizes for p in precisions]
