"""Wall 3 Software: achieved MFU from first principles, and where the lost fraction goes.

For one step (forward, or forward + backward when training: 3 passes) of a transformer:

    GEMMs:      t = max(2 P T x passes / (Peak x eta_tile), weight bytes / BW)     T = B x S tokens
                eta_tile: tile x wave quantisation of a T x h output, best of the tile heights
    attention:  t = max(4 L S^2 h B x passes / Peak, IO x bytes / BW)
                IO = 4 N d + 4 N^2 (standard) or 2 N d + 3 N d ceil(N/B_c) (FlashAttention), per head
    elementwise: 2 n T h b per layer unfused (eager), 2 T h b fused (compiled / graph)
    step = max(T_gpu, K x t_launch)                  (asynchronous launches hide behind the GPU)
    MFU = model FLOPs / (step x Peak);  1 - MFU = tile + weight stall + attention IO + elementwise + launch

An upper bound: each kernel reaches its roofline. The reference implementation looks MFU up
by workload type (ffn 0.5, attention 0.3, flash 0.75); this model derives it. Sources:
formulas/software.py (Dao et al. 2022; NVIDIA matmul guide; CUDA best practices).
"""
from __future__ import annotations

import math

from ..checks import choice
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import (calc_attention_io_flash, calc_attention_io_standard, calc_fusion_bytes_saved,
                        calc_launch_bound_time, calc_tile_efficiency)
from ..results import Result
from ..units import magnitude
from ..zoo import constants
from ._common import check_batch, check_hardware, check_precision, check_transformer

MODES = ("eager", "compiled", "graph")
LOSSES = ("tile_quantization", "weight_stall", "attention_io", "elementwise", "launch_overhead")
_MAX_BATCH = 1 << 20


class EfficiencyResult(Result):
    """Achieved MFU of one step and the fractions of the step lost to each software effect."""

    __slots__ = ()
    _MS = ("ms", 1e3)
    UNITS = {"step_time": _MS, "gpu_time": _MS, "ideal_time": _MS, "launch_time": _MS, "gemm_time": _MS,
             "attention_time": _MS, "elementwise_time": _MS, "launch_overhead": ("us", 1e6),
             "achieved_flops": ("TFLOP/s", 1e-12), "peak_flops": ("TFLOP/s", 1e-12),
             "model_flops": ("TFLOP", 1e-12), "attention_io_bytes": ("GB", 1e-9),
             "fusion_bytes_saved": ("GB", 1e-9)}


def _per_device(name, hardware, default):
    """A per-accelerator constant (eff_<name>_<key>), else ``default``."""
    return getattr(constants(), f"eff_{name}_{hardware.key}", default)


class EfficiencyModel:
    """Achieved MFU of a transformer step from launches, fusion, attention IO and tile quantisation.

        from mlsysim_core import EfficiencyModel, Models, Hardware
        r = EfficiencyModel().solve(Models.Llama3_8B, Hardware.H100, batch_size=1, seq_len=512,
                                    mode="eager", use_flash_attention=False)
        r.mfu, r.losses, r.launch_bound, r.launch_crossover_batch, r.explain()
        EfficiencyModel().solve(Models.Llama3_8B, Hardware.H100, batch_size=8, mode="graph",
                                is_training=True)

    ``mode``: "eager" (every operator its own kernel, launched through the framework at the
    device's dispatch tax), "compiled" (elementwise chains fused, same launch cost), "graph"
    (fused and launched as a CUDA graph). ``launch_crossover_batch``: the smallest batch at which
    the GPU's work outlasts the launches (kernel overhead stops mattering); in closed form from
    launch time = kernel time, with the tile quantisation resolved by a few evaluations at most
    (``_Config.crossover``).
    """

    def solve(self, model, hardware, batch_size=1, seq_len=2048, precision="bf16", mode="eager",
              use_flash_attention=True, is_training=False, launch_overhead=None,
              kernels_per_layer=None) -> EfficiencyResult:
        model = check_transformer(model, "EfficiencyModel")
        hardware = check_hardware(hardware)
        precision, bpe = check_precision(precision)
        b = check_batch(batch_size)
        s = check_batch(seq_len, "seq_len")
        if type(mode) is not str or mode not in MODES:        # (the fast path: a str in a tuple)
            choice("mode", mode, MODES)
        for name, v in (("use_flash_attention", use_flash_attention), ("is_training", is_training)):
            if v is not True and v is not False:
                raise SpecError(name, v, "True or False")
        c = constants()
        if launch_overhead is None:
            t_launch = c.eff_graph_launch_overhead if mode == "graph" else hardware.dispatch_tax_s
        else:
            t_launch = magnitude(launch_overhead, "s", "launch_overhead")
            if t_launch < 0:
                raise SpecError("launch_overhead", launch_overhead, "a time >= 0 (in s when a bare number)")
        if kernels_per_layer is None:
            kpl = c.eff_kernels_per_layer_eager if mode == "eager" else c.eff_kernels_per_layer_compiled
        else:
            kpl = check_batch(kernels_per_layer, "kernels_per_layer")
        cfg = _Config(model, hardware, precision, bpe, mode, use_flash_attention, is_training, t_launch, kpl)
        terms = cfg._terms(b, s)
        r = cfg.times(b, s, terms)
        r["launch_crossover_batch"] = cfg.crossover(s, b, terms)
        return EfficiencyResult(r, lambda: _work(r))


class _Config:
    __slots__ = ("p", "layers", "h", "heads", "d", "peak", "bw", "bpe", "mode", "flash", "passes",
                 "t_launch", "kpl", "n_elem", "tile_m", "tile_n", "sms", "sram_el", "name", "hw")

    def __init__(self, model, hardware, precision, bpe, mode, flash, training, t_launch, kpl):
        c = constants()
        self.p, self.layers, self.h = model.parameters_count, model.layers, model.hidden_dim
        self.heads, self.d = model.heads, model.head_dim
        self.peak = hardware.compute.peak_flop_s(precision)
        self.bw = hardware.memory.bandwidth_bytes_s
        self.bpe, self.mode, self.flash = bpe, mode, flash
        self.passes = c.training_flop_multiplier if training else 1.0
        self.t_launch, self.kpl = t_launch, kpl
        self.n_elem = c.eff_elementwise_ops_per_layer
        self.tile_m, self.tile_n = c.eff_tile_m, c.eff_tile_n
        self.sms = int(_per_device("sm_count", hardware, 0))
        self.sram_el = _per_device("smem_per_sm", hardware, c.eff_smem_per_sm_default) / bpe
        self.name, self.hw = model.name, hardware.name

    def _terms(self, b: int, s: int) -> tuple:
        """The step's parts at batch b (shared by ``times`` and the crossover search)."""
        tokens = b * s
        L, ps = self.layers, self.passes
        gemm_flops = 2.0 * self.p * tokens * ps
        attn_flops = 4.0 * L * s * s * self.heads * self.d * b * ps
        # cuBLAS heuristics pick a tile shape per problem: the best of 1/4x, 1/2x, 1x, 2x the zoo's tile height
        tile_eff, h, tm, tn, sms = calc_tile_efficiency.raw, self.h, self.tile_m, self.tile_n, self.sms
        tile = max(tile_eff(tokens, h, tm * 0.25, tn, sms), tile_eff(tokens, h, tm * 0.5, tn, sms),
                   tile_eff(tokens, h, tm * 1.0, tn, sms), tile_eff(tokens, h, tm * 2.0, tn, sms))
        t_gc = gemm_flops / (self.peak * tile)
        t_gm = self.p * self.bpe * ps / self.bw          # weights read each pass (grads written in backward)
        io_head = (calc_attention_io_flash.raw(s, self.d, self.sram_el) if self.flash
                   else calc_attention_io_standard.raw(s, self.d))
        io_bytes = io_head * self.heads * L * b * self.bpe * ps
        t_ac, t_am = attn_flops / self.peak, io_bytes / self.bw
        tensor = tokens * h * self.bpe
        fused = self.mode != "eager"
        saved = calc_fusion_bytes_saved.raw(self.n_elem, tensor) * L * ps
        elem_bytes = 2.0 * self.n_elem * tensor * L * ps - (saved if fused else 0.0)
        t_el = elem_bytes / self.bw
        gemm_t, attn_t = max(t_gc, t_gm), max(t_ac, t_am)
        gpu = gemm_t + attn_t + t_el
        return (gpu, tokens, gemm_flops, attn_flops, tile, t_gc, t_gm, io_bytes, t_ac, t_am, fused, saved, t_el,
                gemm_t, attn_t)

    def times(self, b: int, s: int, terms: tuple) -> dict:
        (gpu, tokens, gemm_flops, attn_flops, tile, t_gc, t_gm, io_bytes, t_ac, t_am, fused, saved, t_el,
         gemm_t, attn_t) = terms
        L, ps = self.layers, self.passes
        kernels = self.kpl * L * ps
        step = calc_launch_bound_time.raw(gpu, kernels, self.t_launch)
        ideal = (gemm_flops + attn_flops) / self.peak
        losses = {"tile_quantization": (t_gc - gemm_flops / self.peak) / step,
                  "weight_stall": max(0.0, t_gm - t_gc) / step,
                  "attention_io": max(0.0, t_am - t_ac) / step,
                  "elementwise": t_el / step, "launch_overhead": (step - gpu) / step}
        return {"model": self.name, "hardware": self.hw, "batch_size": b, "seq_len": s, "mode": self.mode,
                "use_flash_attention": self.flash, "is_training": ps != 1.0, "model_flops": gemm_flops + attn_flops,
                "peak_flops": self.peak, "achieved_flops": (gemm_flops + attn_flops) / step,
                "mfu": ideal / step, "step_time": step, "gpu_time": gpu, "ideal_time": ideal,
                "gemm_time": gemm_t, "attention_time": attn_t, "elementwise_time": t_el,
                "kernels": int(kernels), "launch_overhead": self.t_launch, "launch_time": kernels * self.t_launch,
                "launch_bound": kernels * self.t_launch > gpu, "tile_efficiency": tile,
                "attention_io_bytes": io_bytes, "fusion_bytes_saved": saved if fused else 0.0,
                "losses": losses, "bottleneck": max(LOSSES, key=losses.get)}

    def crossover(self, s: int, b: int, terms: tuple) -> int | None:
        """Smallest batch whose GPU time covers the launches (None beyond 2^20), in closed form.

        The launches K t_launch (K = kernels per layer x layers x passes) do not depend on the
        batch; the GPU time does, and is non-decreasing in it:

            gpu(b) = max(t_gemm(b), t_w) + kappa b

        t_w: the weight reads (no b in them); kappa b: attention (FLOPs and IO) plus elementwise
        traffic, each exactly linear in b = the step's value at b = 1 times b; t_gemm(b) =
        2 P b S x passes / (Peak x eta_tile(b S)). The best tile efficiency is at most its
        padding-free value eta_max = h / (ceil(h / tile_n) tile_n) (whole row tiles, full waves),
        and padding costs less than one row of tiles plus one wave at the smallest tile height
        tile_m / 4, so

            gamma b <= t_gemm(b) < gamma b + d,   gamma = 2 P S x passes / (Peak eta_max),
            d = 2 P x passes (tile_m / 4) tile_n (ceil(h / tile_n) + SMs) / (Peak h).

        Setting launch time = kernel time, gpu(b) = K t_launch, solves in closed form on each bound:
        with Lambda = K t_launch, the lower bound reaches Lambda at
        b_hi = min((Lambda - t_w) / kappa, Lambda / (gamma + kappa)) and the upper bound at
        b_lo = min((Lambda - t_w) / kappa, (Lambda - d) / (gamma + kappa)). The answer lies in
        [b_lo, b_hi], a bracket d / (gamma + kappa) wide (under one batch at S = 2048 on an H100).
        The coefficients come from ``terms``, the step at the requested batch b (linear terms / b),
        whose own GPU time also narrows the bracket (b is above or below the answer); the exact
        tile quantisation left inside is resolved by bisection on the model itself (usually 0-3
        evaluations, not the ~40 of a search from 1). Equal to ``_crossover_search`` (doubling
        then bisection on the model): tests/test_efficiency_crossover.py.
        """
        launch = self.kpl * self.layers * self.passes * self.t_launch     # "launch_time": no batch in it
        if terms[0] >= launch and b == 1 or launch <= 0.0:
            return 1
        # the bounds' coefficients, from the terms the step at batch b already computed
        tokens, gemm_flops, t_gm, t_ac, t_am, t_el = terms[1], terms[2], terms[6], terms[8], terms[9], terms[12]
        kappa = (max(t_ac, t_am) + t_el) / b
        h, tn = self.h, self.tile_n
        n_cols = math.ceil(h / tn)
        per_tok = gemm_flops / tokens / self.peak              # 2 P x passes / Peak, per token
        gamma = per_tok * s * n_cols * tn / h
        d = per_tok * (self.tile_m * 0.25) * tn * (n_cols + self.sms) / h
        weights = (launch - t_gm) / kappa
        b_hi = min(weights, launch / (gamma + kappa))
        b_lo = min(weights, (launch - d) / (gamma + kappa))
        # the answer lies in (lo, hi]: one batch of margin either side absorbs the floats' rounding;
        # the step at b (already computed) narrows the bracket for free
        cap = _MAX_BATCH + 2.0
        lo = max(0, int(min(max(b_lo, 0.0), cap)) - 1)
        hi = math.ceil(min(max(b_hi, 1.0), cap)) + 1
        if terms[0] >= launch:
            hi = min(hi, b)
        else:
            lo = max(lo, b)
        if lo >= _MAX_BATCH:
            return None
        if hi > _MAX_BATCH:
            if self._terms(_MAX_BATCH, s)[0] < launch:
                return None
            hi = _MAX_BATCH
        if hi <= lo:                                   # not reached: the bounds are proven (a guard)
            return self._crossover_search(s)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._terms(mid, s)[0] >= launch:
                hi = mid
            else:
                lo = mid
        return hi

    def _crossover_search(self, s: int) -> int | None:
        """The same answer by search: doubling from 1, then bisection (up to ~40 evaluations)."""
        launch = self.kpl * self.layers * self.passes * self.t_launch

        def covered(b):
            return self._terms(b, s)[0] >= launch
        if covered(1):
            return 1
        lo, hi = 1, 2
        while not covered(hi):
            lo, hi = hi, hi * 2
            if hi > _MAX_BATCH:
                return None
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if covered(mid) else (mid, hi)
        return hi


def _work(r):
    l = r["losses"]
    return [
        ("Ideal time", "T_{ideal} = \\text{FLOPs}_{model} / \\text{Peak}",
         f"{si(r['model_flops'], 'FLOP')} / {si(r['peak_flops'], 'FLOP/s')} = **{si(r['ideal_time'], 's')}**"),
        ("GPU time", "T_{gpu} = T_{GEMM} + T_{attn} + T_{elem}",
         f"{si(r['gemm_time'], 's')} (tiles {pct(r['tile_efficiency'])} useful) + {si(r['attention_time'], 's')} "
         f"({'flash' if r['use_flash_attention'] else 'standard'} attention, {si(r['attention_io_bytes'], 'B')} of IO) + "
         f"{si(r['elementwise_time'], 's')} ({r['mode']}; fusion saves {si(r['fusion_bytes_saved'], 'B')}) = "
         f"**{si(r['gpu_time'], 's')}**"),
        ("Launches", "T = \\max(T_{gpu}, K\\,t_{launch})",
         f"{r['kernels']:,} kernels × {si(r['launch_overhead'], 's')} = {si(r['launch_time'], 's')} → step "
         f"**{si(r['step_time'], 's')}** ({'launch-bound' if r['launch_bound'] else 'GPU-bound'}; overhead stops "
         f"mattering from batch {r['launch_crossover_batch'] if r['launch_crossover_batch'] else '> 2^20'})"),
        ("MFU and the lost fraction", "\\text{MFU} = T_{ideal} / T",
         f"**{pct(r['mfu'])}**; lost: tiles {pct(l['tile_quantization'])}, weight reads {pct(l['weight_stall'])}, "
         f"attention IO {pct(l['attention_io'])}, elementwise {pct(l['elementwise'])}, launches "
         f"{pct(l['launch_overhead'])}"),
    ]
