"""Single-node performance: roofline, intensity, utilisation, Amdahl."""
from __future__ import annotations

from .._formula import formula
from ..errors import SpecError


@formula("s", flops="flop", bytes_moved="byte", peak_flops="flop/s>0", bandwidth="byte/s>0",
         efficiency="(0,1]", dispatch_tax="s")
def calc_roofline_time(flops, bytes_moved, peak_flops, bandwidth, efficiency=1.0, dispatch_tax=0.0):
    """T = max(FLOPs / (Peak x eta), Bytes / BW) + dispatch tax.

    Source: Williams, Waterman & Patterson (2009), "Roofline", CACM 52(4); equations page 1.1.
    """
    return max(flops / (peak_flops * efficiency), bytes_moved / bandwidth) + dispatch_tax


@formula("flop", d_in="int>=1", d_out="int>=1", batch_size="int>=1")
def calc_dense_layer_flops(d_in, d_out, batch_size=1):
    """FLOPs of y = W x for a d_in x d_out layer: one multiply-accumulate (2 FLOPs) per weight per
    input (equations page 1.2 worked example: 2 x 2048 x 512 = 2.1 MFLOP at batch 1)."""
    return 2.0 * d_in * d_out * batch_size


@formula("flop/byte", may_be_inf=True, flops="flop", bytes_moved="byte")
def calc_arithmetic_intensity(flops, bytes_moved):
    """I = FLOPs / bytes transferred (Williams et al. 2009; equations page 1.2); inf when no bytes move."""
    return flops / bytes_moved if bytes_moved else float("inf")


@formula("flop/byte", peak_flops="flop/s", bandwidth="byte/s>0")
def calc_ridge_point(peak_flops, bandwidth):
    """I* = Peak FLOP/s / memory bandwidth (Williams et al. 2009; equations page 1.2)."""
    return peak_flops / bandwidth


@formula(None, compute_time="s", memory_time="s")
def calc_bottleneck(compute_time, memory_time):
    """Which roofline term sets the latency: "Compute Bound" or "Memory Bound" (ties: compute)."""
    return "Compute Bound" if compute_time >= memory_time else "Memory Bound"


@formula(None, achieved_flops="flop/s", peak_flops="flop/s>0")
def calc_mfu(achieved_flops, peak_flops):
    """Model FLOPs utilisation = useful FLOP/s / peak FLOP/s (Chowdhery et al. 2022, PaLM, App. B).

    A utilisation above 1 is impossible: ``achieved_flops`` above ``peak_flops`` is refused."""
    if achieved_flops > peak_flops:
        raise SpecError("achieved_flops", achieved_flops, f"at most peak_flops = {peak_flops:g} FLOP/s",
                        "no device exceeds its peak")
    return achieved_flops / peak_flops


@formula("flop/s", peak_flops="flop/s", mfu="(0,1]", scaling_efficiency="(0,1]", goodput_ratio="[0,1]")
def calc_effective_flops(peak_flops, mfu, scaling_efficiency=1.0, goodput_ratio=1.0):
    """Effective FLOP/s = Peak x MFU x eta_scale x Goodput/Rawput (equations page 9)."""
    return peak_flops * mfu * scaling_efficiency * goodput_ratio


@formula(None, parallel_fraction="[0,1]", speedup=">0")
def calc_amdahls_speedup(parallel_fraction, speedup):
    """S = 1 / ((1 - p) + p / s) (Amdahl 1967, AFIPS)."""
    return 1.0 / ((1.0 - parallel_fraction) + parallel_fraction / speedup)
