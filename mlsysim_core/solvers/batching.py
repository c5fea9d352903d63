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
ServingModel's (the ``*_bound`` and ``*_calibrated`` answers too). Constant cost per call.
"""
from __future__ import annotations

from .. import calibration
from ..checks import fraction
from ..errors import SpecError
from ..fmt import si
from ..formulas import (calc_continuous_step_time, calc_itl, calc_kv_fragmentation, calc_paged_batch_requests,
                        calc_static_batch_requests)
from ..results import Result
from ..zoo import constants
from ..units import BYTES_PER_ELEMENT
from ._common import check_batch, check_efficiency, check_hardware, check_transformer
from .serving import ServingModel, _kv_precision

_MS, _GB = ("ms", 1e3), ("GB", 1e-9)
_SERVE = ServingModel()


class _Decode:
    """ServingModel's decode step (itl, itl_bound, itl_calibrated) at any batch, for the case it
    computes without collectives, experts or length-dependent KV: one accelerator (tp 1), a dense
    model, full attention on every layer. The same expressions in the same order (so the same
    floats) through ``calc_itl.raw``: ITL = max((W + KV)/BW, 2 P B / (Peak x eta)) + dispatch.
    tests/test_walls_serving.py checks it against ServingModel. None when the case is not covered."""

    __slots__ = ("w", "kv_seq", "flops", "bw", "peak", "eff", "tax", "bw_cal", "g_eff")

    @classmethod
    def make(cls, model, hardware, pre, seq_len, efficiency, kv_precision):
        if pre["tp_size"] != 1 or model.architecture == "moe" or model.kv_lora_rank or model.sliding_window:
            return None
        self = cls()
        precision = pre["precision"]
        kv_bpe = BYTES_PER_ELEMENT[precision] if kv_precision is None else _kv_precision(kv_precision)[1]
        tp = 1
        kv_elems = 2.0 * -(-model.n_kv_heads // tp) * model.head_dim
        self.kv_seq = (kv_elems * (model.layers * seq_len), kv_bpe)   # KV = elems x token-layers x B x bytes
        self.w = model.weight_bytes(precision) / tp
        self.flops = model.active_parameters_count
        self.bw = hardware.memory.bandwidth_bytes_s
        self.peak = hardware.compute.peak_flop_s(precision)
        self.eff = check_efficiency(efficiency)
        self.tax = hardware.dispatch_tax_s
        cal = calibration.get()
        self.bw_cal, self.g_eff = self.bw * cal.decode_gemv, cal.gemm(precision)
        return self

    def steps(self, batch: int) -> dict:
        kv = self.kv_seq[0] * batch * self.kv_seq[1]
        decode = 2.0 * self.flops * batch / 1
        w, bw = self.w, self.bw * 1.0             # (bandwidth_efficiency 1, as ServingModel's default)
        return {"itl": calc_itl.raw(w, kv, bw, decode, self.peak, self.eff) + self.tax,
                "itl_bound": calc_itl.raw(w, kv, self.bw, decode, self.peak, 1.0),
                "itl_calibrated": calc_itl.raw(w, kv, self.bw_cal, decode, self.peak, self.g_eff) + self.tax}


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
        seq_len = check_batch(seq_len, "seq_len")
        prompt_len = check_batch(prompt_len, "prompt_len")
        output_tokens = check_batch(output_tokens, "output_tokens")
        if prompt_len + output_tokens > seq_len:
            raise SpecError("seq_len", seq_len, f"at least prompt_len + output_tokens = {prompt_len + output_tokens} "
                            "(the maximum length covers the mean request)")
        cap = None if max_batch_size is None else check_batch(max_batch_size, "max_batch_size")
        page = int(constants().batching_page_tokens) if page_size is None else check_batch(page_size, "page_size")
        if not (type(memory_fraction) is float and 0.0 < memory_fraction <= 1.0):   # (the fast path)
            memory_fraction = fraction("memory_fraction", memory_fraction)
        mean_ctx = prompt_len + output_tokens // 2
        kw = dict(precision=precision, efficiency=efficiency, kv_precision=kv_precision, tp_size=tp_size)
        # ._v: read the results' canonical floats in place (raw() copies every field; nothing here mutates)
        pre = _SERVE.solve(model, hardware, seq_len=prompt_len, batch_size=1,
                           prefill_chunk_tokens=prefill_chunk_tokens, **kw)._v
        probe = pre
        tp = pre["tp_size"]
        # KV per token at the reservation length (sliding-window layers make it length-dependent)
        k = pre["kv_cache_per_token"] if not model.sliding_window else \
            model.kv_cache_bytes(seq_len, 1, pre["precision"] if kv_precision is None else kv_precision, tp) / seq_len
        budget = pre["memory_capacity"] * memory_fraction - pre["model_weights_size"]
        n_static = calc_static_batch_requests.raw(budget, k, seq_len)
        n_paged = calc_paged_batch_requests.raw(budget, k, mean_ctx, page)
        if cap is not None:
            n_static, n_paged = min(n_static, cap), min(n_paged, cap)
        frag_static = calc_kv_fragmentation.raw(mean_ctx, seq_len)
        frag_paged = calc_kv_fragmentation.raw(mean_ctx, page * -(-mean_ctx // page))
        v = {"model_name": model.name, "hardware_name": hardware.name, "kv_budget": max(0.0, budget),
             "kv_cache_per_token": k, "page_size": page, "mean_context": mean_ctx, "seq_len": seq_len,
             "prompt_len": prompt_len, "output_tokens": output_tokens, "tp_size": probe["tp_size"],
             "max_active_requests": n_paged, "static_max_active_requests": n_static,
             "paged_internal_fragmentation": frag_paged, "static_internal_fragmentation": frag_static,
             "paged_kv_cache_size": n_paged * k * page * -(-mean_ctx // page),
             "static_kv_cache_size": n_static * k * seq_len, "prefill_time": pre["ttft"],
             "feasible": n_paged >= 1}
        if n_paged < 1:
            inf = float("inf")
            v.update({x: 0.0 for x in ("throughput_tokens_per_sec", "static_throughput_tokens_per_sec",
                                       "throughput_bound", "throughput_calibrated", "speedup_vs_static")})
            v.update({x: inf for x in ("ttft", "itl", "ttft_bound", "itl_bound", "ttft_calibrated",
                                       "itl_calibrated", "static_ttft", "static_itl")})
            v["reason"] = (f"no request fits: weights take {si(probe['model_weights_size'], 'B')} of "
                           f"{si(probe['memory_capacity'] * memory_fraction, 'B')} usable")
            return ContinuousBatchingResult(v, lambda: _work(v))
        fast = _Decode.make(model, hardware, pre, mean_ctx, efficiency, kv_precision)
        dec = fast.steps(n_paged) if fast else _SERVE.solve(model, hardware, seq_len=mean_ctx, batch_size=n_paged,
                                                            **kw)._v
        for sfx in ("", "_bound", "_calibrated"):
            step = calc_continuous_step_time.raw(dec["itl" + sfx], pre["ttft" + sfx], n_paged, output_tokens)
            v["itl" + sfx] = step
            v["ttft" + sfx] = step / 2.0 + pre["ttft" + sfx]
            v["throughput" + ("_tokens_per_sec" if not sfx else sfx)] = n_paged / step
        v["decode_step"] = dec["itl"]
        if n_static >= 1:
            st = fast.steps(n_static) if fast else _SERVE.solve(model, hardware, seq_len=mean_ctx,
                                                                batch_size=n_static, **kw)._v
            # a static batch prefills together (prefill FLOPs and TP traffic grow linearly with the
            # batch, so its time is n x one prompt's, plus one dispatch), then decodes until the
            # longest reply (S_max) ends
            one = pre["ttft"] - hardware.dispatch_tax_s * pre["prefill_chunks"]
            static_ttft = n_static * one + hardware.dispatch_tax_s
            steps = seq_len - prompt_len
            batch_time = static_ttft + steps * st["itl"]
            v["static_ttft"], v["static_itl"] = static_ttft, st["itl"]
            v["static_throughput_tokens_per_sec"] = n_static * output_tokens / batch_time
        else:
            v["static_ttft"] = v["static_itl"] = float("inf")
            v["static_throughput_tokens_per_sec"] = 0.0
        st_tp = v["static_throughput_tokens_per_sec"]
        v["speedup_vs_static"] = v["throughput_tokens_per_sec"] / st_tp if st_tp > 0 else float("inf")
        v["reason"] = ""
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
