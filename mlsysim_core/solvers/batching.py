"""Wall 5 (Batching): static batching versus paged, continuous batching on one replica.

Static batching reserves KV for the maximum length of every request and runs a batch until its
longest reply ends; paged/continuous batching (Kwon et al. 2023, vLLM; Yu et al. 2022, Orca) keeps
the actual lengths in fixed pages and admits a new request whenever one finishes:

    N_static = floor(M_KV / (k S_max)),   N_paged = floor(M_KV / (k p ceil(S_mean / p)))
    M_KV = capacity x memory_fraction - weights            (per accelerator of a TP group)
    fragmentation: static 1 - S_mean / S_max, paged 1 - S_mean / (p ceil(S_mean / p))
    continuous step = t_decode(N) + (N / n_out) t_prefill(own prompt)   (calc_continuous_step_time)
    TTFT = half a step (join at the next iteration) + the request's own prefill
    throughput = N / step;  static: N_static x (S_mean / S_max) useful tokens per step

S_mean is the mean context a request holds over its life, prompt + n_out / 2. Every time is the
ServingModel's (the ``*_bound`` and ``*_calibrated`` answers too): for one accelerator, a dense
full-attention model and an unchunked prompt the same floats come straight from the formulas'
float functions (``_Spec``), otherwise from ServingModel itself. Constant cost per call.
"""
from __future__ import annotations

from .. import calibration
from ..checks import EFFICIENCY_MIN, MAX_COUNT, fraction
from ..errors import SpecError
from ..fmt import si
from ..formulas import (calc_continuous_step_time, calc_itl, calc_kv_cache_bytes, calc_kv_fragmentation,
                        calc_paged_batch_requests, calc_prefill_flops_cached, calc_static_batch_requests, calc_ttft)
from ..results import Result
from ..zoo import constants
from ..units import BYTES_PER_ELEMENT
from ._common import NATIVE_ONLY, check_batch, check_efficiency, check_hardware, check_transformer
from .serving import ServingModel

_MS, _GB = ("ms", 1e3), ("GB", 1e-9)
_SERVE = ServingModel()


class _Spec:
    """The floats ServingModel derives from (model, hardware, precision, kv_precision, calibration)
    for the case it computes without collectives, experts or length-dependent KV: one accelerator
    (tp 1), a dense model, full attention on every layer. With them ContinuousBatchingModel gets
    ServingModel's prefill (TTFT, bound, calibrated) and decode step (ITL, bound, calibrated) at any
    prompt, context and batch through the formulas' float functions, in the same order (so the same
    floats): TTFT = calc_ttft(prefill FLOPs, Peak, eta, dispatch), the calibrated TTFT with the
    linear FLOPs at the GEMM figure and the attention FLOPs at the attention figure on the 16-bit
    peak; ITL = calc_itl(W, KV, BW, 2 P B, Peak, eta) + dispatch. tests/test_walls_serving.py and
    tests/test_serving_depth.py check both against ServingModel. ``make`` gives None for any other case."""

    __slots__ = ("model", "hardware", "cal", "native_only", "w", "kv_elems", "kv_bpe", "k_token", "layers",
                 "hidden", "flops", "bw", "peak", "peak16", "tax", "capacity", "bw_cal", "g_eff", "attn")

    @classmethod
    def get(cls, model, hardware, precision, kv_precision, cal):
        """The spec for these inputs, or None (ServingModel then answers). Cached: see _SPECS."""
        if type(precision) is not str or not (kv_precision is None or type(kv_precision) is str):
            return None                                  # (unhashable or odd: ServingModel checks it)
        key = (id(model), id(hardware), precision, kv_precision)
        s = _SPECS.get(key)
        if s is None or s.cal is not cal:
            s = cls.make(model, hardware, precision, kv_precision, cal)
            if s is not None:
                if len(_SPECS) >= 256:
                    _SPECS.clear()
                _SPECS[key] = s
        return s

    @classmethod
    def make(cls, model, hardware, precision, kv_precision, cal):
        # only canonical precision names: anything else (a typo, "FP16") goes to ServingModel,
        # which canonicalises it or raises its own error
        bpe = BYTES_PER_ELEMENT.get(precision)
        kv_bpe = bpe if kv_precision is None else BYTES_PER_ELEMENT.get(kv_precision)
        if bpe is None or kv_bpe is None or model.architecture == "moe" or model.kv_lora_rank \
                or model.sliding_window:
            return None
        self = cls()
        self.model, self.hardware, self.cal = model, hardware, cal
        self.native_only = precision in NATIVE_ONLY          # ServingModel checks the device for these
        self.kv_elems = model.kv_elements_per_token_layer(1)  # (2 H_kv d_head)
        self.kv_bpe = kv_bpe
        # KV bytes per token (model.kv_cache_bytes at S = B = 1): ServingModel's kv / (S B), exactly
        # (integers times a byte width) while the KV bytes stay below 2^53
        self.k_token = calc_kv_cache_bytes.raw(model.layers, model.n_kv_heads, model.head_dim, 1, 1, kv_bpe)
        self.layers, self.hidden = model.layers, model.hidden_dim
        self.w = model.weight_bytes(precision) / 1
        self.flops = model.active_parameters_count
        self.bw = hardware.memory.bandwidth_bytes_s
        self.capacity = hardware.memory.capacity_bytes
        self.peak = hardware.compute.peak_flop_s(precision)
        self.peak16 = hardware.compute.peak_flop_s("bf16")
        self.tax = hardware.dispatch_tax_s
        self.bw_cal, self.g_eff, self.attn = self.bw * cal.decode_gemv, cal.gemm(precision), cal.attention
        return self

    def prefill(self, prompt_len: int, eff: float) -> tuple[float, float, float]:
        """ServingModel's (ttft, ttft_bound, ttft_calibrated) for one prompt, unchunked, nothing cached
        (its comm terms are 0.0 and its chunk count 1 here, so dropping them changes no bit)."""
        prefill = calc_prefill_flops_cached.raw(self.flops, prompt_len, 0, 1, self.layers, self.hidden)
        linear = calc_prefill_flops_cached.raw(self.flops, prompt_len, 0, 1)     # 2 P n: the weights' share
        return (calc_ttft.raw(prefill, self.peak, eff, self.tax), calc_ttft.raw(prefill, self.peak, 1.0),
                calc_ttft.raw(linear, self.peak, self.g_eff) + calc_ttft.raw(prefill - linear, self.peak16, self.attn)
                + self.tax)

    def steps(self, batch: int, seq_len: int, eff: float, static_batch: int = 0):
        """ServingModel's (itl, itl_bound, itl_calibrated) at ``batch`` requests of context ``seq_len``,
        and its itl at ``static_batch`` requests (inf when 0)."""
        w, peak, tax, kv_ctx = self.w, self.peak, self.tax, self.kv_elems * (self.layers * seq_len)
        bw = self.bw * 1.0                        # (bandwidth_efficiency 1, as ServingModel's default)
        kv, decode = kv_ctx * batch * self.kv_bpe, 2.0 * self.flops * batch / 1
        st = (calc_itl.raw(w, kv_ctx * static_batch * self.kv_bpe, bw, 2.0 * self.flops * static_batch / 1, peak, eff)
              + tax) if static_batch >= 1 else float("inf")
        return (calc_itl.raw(w, kv, bw, decode, peak, eff) + tax, calc_itl.raw(w, kv, self.bw, decode, peak, 1.0),
                calc_itl.raw(w, kv, self.bw_cal, decode, peak, self.g_eff) + tax, st)


# (id(model), id(hardware), precision, kv_precision) -> _Spec. Safe to cache: the specs are frozen
# dataclasses and each entry holds its model and hardware, so their ids cannot be reused by other
# objects while it lives; the calibration table is checked by identity on every hit (a new table
# rebuilds the entry); every other argument (lengths, batch cap, page, efficiency, tp, chunks,
# memory fraction) is applied per call, never cached. Bounded: cleared at 256 entries.
_SPECS: dict = {}


class ContinuousBatchingResult(Result):
    __slots__ = ()
    UNITS = {"ttft": _MS, "itl": _MS, "ttft_bound": _MS, "itl_bound": _MS, "ttft_calibrated": _MS,
             "itl_calibrated": _MS, "static_ttft": _MS, "static_itl": _MS, "prefill_time": _MS,
             "kv_budget": _GB, "paged_kv_cache_size": _GB, "static_kv_cache_size": _GB,
             "throughput_tokens_per_sec": ("1/s", 1.0), "static_throughput_tokens_per_sec": ("1/s", 1.0),
             "throughput_bound": ("1/s", 1.0), "throughput_calibrated": ("1/s", 1.0)}
    # inf: no request fits (feasible False, ``reason`` says why), or none under static reservation
    MAY_BE_INF = frozenset({"ttft", "itl", "ttft_bound", "itl_bound", "ttft_calibrated", "itl_calibrated",
                            "static_ttft", "static_itl", "speedup_vs_static"})


class ContinuousBatchingModel:
    """Active requests, KV fragmentation, throughput, TTFT and ITL: static vs paged (Wall 5)."""

    def solve(self, model, hardware, seq_len=2048, prompt_len=512, output_tokens=256, max_batch_size=None,
              page_size=None, precision="fp16", efficiency=0.5, kv_precision=None, tp_size=1,
              memory_fraction=1.0, prefill_chunk_tokens=None) -> ContinuousBatchingResult:
        """``seq_len``: the maximum length a request may reach (what static batching reserves);
        ``prompt_len`` / ``output_tokens``: the mean prompt and reply; ``max_batch_size``: the
        scheduler's cap on concurrent requests (None: memory decides); ``page_size``: tokens per
        KV page (default vLLM's 16); ``memory_fraction``: share of memory the server may use
        (vLLM's gpu_memory_utilization).

        When no request fits in the KV budget, ``feasible`` is False, ``reason`` says why and the
        latencies are inf (throughputs 0); when only static reservation fits none, ``static_ttft``,
        ``static_itl`` and ``speedup_vs_static`` are inf."""
        check_transformer(model, "ContinuousBatchingModel")
        check_hardware(hardware)
        # (check_batch's fast path inline: a plain int in range passes untouched)
        if not (type(seq_len) is int and 1 <= seq_len <= MAX_COUNT):
            seq_len = check_batch(seq_len, "seq_len")
        if not (type(prompt_len) is int and 1 <= prompt_len <= MAX_COUNT):
            prompt_len = check_batch(prompt_len, "prompt_len")
        if not (type(output_tokens) is int and 1 <= output_tokens <= MAX_COUNT):
            output_tokens = check_batch(output_tokens, "output_tokens")
        if prompt_len + output_tokens > seq_len:
            raise SpecError("seq_len", seq_len, f"at least prompt_len + output_tokens = {prompt_len + output_tokens} "
                            "(the maximum length covers the mean request)")
        cap = None if max_batch_size is None else check_batch(max_batch_size, "max_batch_size")
        page = int(constants().batching_page_tokens) if page_size is None else check_batch(page_size, "page_size")
        if not (type(memory_fraction) is float and 0.0 < memory_fraction <= 1.0):   # (the fast path)
            memory_fraction = fraction("memory_fraction", memory_fraction)
        mean_ctx = prompt_len + output_tokens // 2
        cal = calibration.get()
        spec = _Spec.get(model, hardware, precision, kv_precision, cal)
        if spec is not None and tp_size == 1 and prefill_chunk_tokens is None and not spec.native_only:
            # the common case: ServingModel's prefill of one prompt from the spec's floats (its only
            # check left to do here is the efficiency's, with ServingModel's message)
            eff = efficiency if type(efficiency) is float and EFFICIENCY_MIN <= efficiency <= 1.0 else \
                check_efficiency(efficiency)                   # (its fast path inline)
            ttft1, ttft1_bound, ttft1_cal = spec.prefill(prompt_len, eff)
            tp, chunks, k, weights, capacity = 1, 1, spec.k_token, spec.w, spec.capacity
        else:
            # ._v: read the result's canonical floats in place (raw() copies every field; nothing here mutates)
            pre = _SERVE.solve(model, hardware, seq_len=prompt_len, batch_size=1, precision=precision,
                               efficiency=efficiency, kv_precision=kv_precision, tp_size=tp_size,
                               prefill_chunk_tokens=prefill_chunk_tokens)._v
            ttft1, ttft1_bound, ttft1_cal = pre["ttft"], pre["ttft_bound"], pre["ttft_calibrated"]
            tp, chunks = pre["tp_size"], pre["prefill_chunks"]
            weights, capacity = pre["model_weights_size"], pre["memory_capacity"]
            # KV per token at the reservation length (sliding-window layers make it length-dependent)
            k = pre["kv_cache_per_token"] if not model.sliding_window else \
                model.kv_cache_bytes(seq_len, 1, pre["precision"] if kv_precision is None else kv_precision, tp) / seq_len
            if tp != 1:
                spec = None
            elif spec is None:                 # e.g. "FP16": ServingModel named it canonically
                spec = _Spec.get(model, hardware, pre["precision"], kv_precision, cal)
            if spec is not None:
                eff = check_efficiency(efficiency)
        tax = hardware.dispatch_tax_s
        budget = capacity * memory_fraction - weights
        n_static = calc_static_batch_requests.raw(budget, k, seq_len)
        n_paged = calc_paged_batch_requests.raw(budget, k, mean_ctx, page)
        if cap is not None:                   # (min() without the call)
            n_static, n_paged = n_static if n_static <= cap else cap, n_paged if n_paged <= cap else cap
        pages = -(-mean_ctx // page)
        # the fields both answers share (the memory side); "feasible" is set below
        v = {"model_name": model.name, "hardware_name": hardware.name, "kv_budget": budget if budget > 0.0 else 0.0,
             "kv_cache_per_token": k, "page_size": page, "mean_context": mean_ctx, "seq_len": seq_len,
             "prompt_len": prompt_len, "output_tokens": output_tokens, "tp_size": tp,
             "max_active_requests": n_paged, "static_max_active_requests": n_static,
             "paged_internal_fragmentation": calc_kv_fragmentation.raw(mean_ctx, page * pages),
             "static_internal_fragmentation": calc_kv_fragmentation.raw(mean_ctx, seq_len),
             "paged_kv_cache_size": n_paged * k * page * pages,
             "static_kv_cache_size": n_static * k * seq_len, "prefill_time": ttft1, "feasible": False}
        if n_paged < 1:
            inf = float("inf")
            v.update({x: 0.0 for x in ("throughput_tokens_per_sec", "static_throughput_tokens_per_sec",
                                       "throughput_bound", "throughput_calibrated", "speedup_vs_static")})
            v.update({x: inf for x in ("ttft", "itl", "ttft_bound", "itl_bound", "ttft_calibrated",
                                       "itl_calibrated", "static_ttft", "static_itl")})
            v["reason"] = (f"no request fits: weights take {si(weights, 'B')} of "
                           f"{si(capacity * memory_fraction, 'B')} usable")
            return ContinuousBatchingResult(v, lambda: _work(v))
        if spec is not None:
            dec, dec_bound, dec_cal, st_itl = spec.steps(n_paged, mean_ctx, eff, n_static)
        else:
            kw = dict(precision=precision, efficiency=efficiency, kv_precision=kv_precision, tp_size=tp_size)
            d = _SERVE.solve(model, hardware, seq_len=mean_ctx, batch_size=n_paged, **kw)._v
            dec, dec_bound, dec_cal = d["itl"], d["itl_bound"], d["itl_calibrated"]
        step = calc_continuous_step_time.raw(dec, ttft1, n_paged, output_tokens)
        step_bound = calc_continuous_step_time.raw(dec_bound, ttft1_bound, n_paged, output_tokens)
        step_cal = calc_continuous_step_time.raw(dec_cal, ttft1_cal, n_paged, output_tokens)
        throughput = n_paged / step
        if n_static >= 1:
            if spec is None:
                st_itl = _SERVE.solve(model, hardware, seq_len=mean_ctx, batch_size=n_static, **kw)._v["itl"]
            # a static batch prefills together (prefill FLOPs and TP traffic grow linearly with the
            # batch, so its time is n x one prompt's, plus one dispatch), then decodes until the
            # longest reply (S_max) ends
            static_ttft = n_static * (ttft1 - tax * chunks) + tax
            st_tp = n_static * output_tokens / (static_ttft + (seq_len - prompt_len) * st_itl)
        else:
            static_ttft = st_itl = float("inf")
            st_tp = 0.0
        v.update({"feasible": True, "itl": step, "ttft": step / 2.0 + ttft1, "throughput_tokens_per_sec": throughput,
             "itl_bound": step_bound, "ttft_bound": step_bound / 2.0 + ttft1_bound,
             "throughput_bound": n_paged / step_bound,
             "itl_calibrated": step_cal, "ttft_calibrated": step_cal / 2.0 + ttft1_cal,
             "throughput_calibrated": n_paged / step_cal, "decode_step": dec,
             "static_ttft": static_ttft, "static_itl": st_itl, "static_throughput_tokens_per_sec": st_tp,
             "speedup_vs_static": throughput / st_tp if st_tp > 0 else float("inf"), "reason": ""})
        return ContinuousBatchingResult(v, lambda: _work(v))


def _work(v):
    p, k = v["page_size"], v["kv_cache_per_token"]
    rows = [
        ("KV budget", "M_{KV} = \\text{capacity} \\times f - W",
         f"**{si(v['kv_budget'], 'B')}** for KV ({si(k, 'B')} per token)"),
        ("Static reservation", "N_{static} = \\lfloor M_{KV} / (k S_{max}) \\rfloor",
         f"{si(v['kv_budget'], 'B')} / ({si(k, 'B')} × {v['seq_len']:,}) = **{v['static_max_active_requests']}** "
         f"requests; {v['static_internal_fragmentation']:.0%} of reserved KV is empty"),
        ("Paged KV", "N_{paged} = \\lfloor M_{KV} / (k p \\lceil S_{mean}/p \\rceil) \\rfloor",
         f"{si(v['kv_budget'], 'B')} / ({si(k, 'B')} × {p} × {-(-v['mean_context'] // p)}) = "
         f"**{v['max_active_requests']}** requests; {v['paged_internal_fragmentation']:.1%} fragmentation"),
    ]
    if v["feasible"]:
        rows += [
            ("Continuous step", "T = t_{dec}(N) + \\frac{N}{n_{out}} t_{prefill}",
             f"{si(v['decode_step'], 's')} + {v['max_active_requests']} / {v['output_tokens']} × "
             f"{si(v['prefill_time'], 's')} = **{si(v['itl'], 's')}** per token"),
            ("TTFT at the active batch", "TTFT = T/2 + t_{prefill}",
             f"**{si(v['ttft'], 's')}**; throughput {v['throughput_tokens_per_sec']:,.0f} tokens/s "
             f"vs static {v['static_throughput_tokens_per_sec']:,.0f} (**{v['speedup_vs_static']:.2g}x**)"),
        ]
    else:
        rows.append(("Fit", "N \\ge 1", f"**infeasible**: {v['reason']}"))
    return rows
