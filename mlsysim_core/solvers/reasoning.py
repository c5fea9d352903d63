"""Wall 12 (Reasoning): inference-time compute per query.

A query is a prompt of ``context_length`` tokens answered by ``samples`` sequences (N = 1: one
reasoning chain; best-of-N and self-consistency: N sampled chains that share the prompt's prefix)
of K reasoning steps of T tokens each:

    generated tokens      G = N x K x T
    KV held at the end    k (S + N K T)          (the prefix is stored once: paged prefix sharing,
                                                  Kwon et al. 2023 section 4.4)
    latency               TTFT(S) + K T x ITL_N  (the N chains decode as one batch;
                          ITL_N = max((W_read(N) + k (S + N K T / 2)) / BW, 2 P N / (Peak eta)) + tau,
                          the shared prefix read once per step as in cascade/shared-prefix kernels)
    energy                TDP x TP x latency     (every accelerator at full power: an upper bound)
    cost                  TP x price x latency

best-of-N scores the N answers with a verifier and self-consistency takes a majority vote (Wang et
al. 2023); both cost the same decode here (the verifier's pass is not counted: say so in any use).
Sources: Wei et al. (2022) chain of thought; Wang et al. (2023) self-consistency, ICLR; Snell et
al. (2024), 'Scaling LLM Test-Time Compute Optimally', arXiv:2408.03314 (best-of-N against
sequential revisions); cheat sheet Wall 12 (T = K x T_step). Constant cost per call.
"""
from __future__ import annotations

from ..checks import choice, positive_int
from ..errors import SpecError
from ..fmt import si
from ..results import Result
from ..units import magnitude
from ..zoo import constants
from ._common import check_batch, check_efficiency, check_hardware, check_transformer
from .serving import ServingModel

METHODS = ("chain", "best_of_n", "self_consistency")
_SERVE = ServingModel()


class InferenceScalingResult(Result):
    __slots__ = ()
    UNITS = {"total_reasoning_time": ("s", 1.0), "ttft": ("ms", 1e3), "itl": ("ms", 1e3),
             "time_per_step": ("s", 1.0), "total_reasoning_time_bound": ("s", 1.0),
             "energy_per_query": ("J", 1.0), "cost_per_query": ("USD", 1.0), "kv_cache_size": ("GB", 1e-9),
             "total_memory_required": ("GB", 1e-9), "memory_capacity": ("GB", 1e-9)}


class InferenceScalingModel:
    """Latency, tokens, energy, cost and KV memory of reasoning chains and N-sample voting (Wall 12)."""

    def solve(self, model, hardware, reasoning_steps=8, context_length=2048, precision="fp16",
              efficiency=0.5, tokens_per_step=None, samples=1, method=None, tp_size=1,
              gpu_hour_price=None) -> InferenceScalingResult:
        check_transformer(model, "InferenceScalingModel")
        check_hardware(hardware)
        k = positive_int("reasoning_steps", reasoning_steps)
        s = check_batch(context_length, "context_length")
        t = int(constants().reasoning_tokens_per_step) if tokens_per_step is None else \
            positive_int("tokens_per_step", tokens_per_step)
        n = positive_int("samples", samples)
        method = ("chain" if n == 1 else "self_consistency") if method is None else choice("method", method, METHODS)
        if method == "chain" and n > 1:
            raise SpecError("method", method, "best_of_n or self_consistency when samples > 1 (a chain is one sequence)")
        efficiency = check_efficiency(efficiency)
        price = constants().cloud_gpu_hour_price if gpu_hour_price is None else magnitude(
            gpu_hour_price, "USD/hour", "gpu_hour_price")
        if price < 0:
            raise SpecError("gpu_hour_price", gpu_hour_price, "a non-negative price per accelerator-hour")
        gen = k * t
        pre = _SERVE.solve(model, hardware, seq_len=s, batch_size=1, precision=precision,
                           efficiency=efficiency, tp_size=tp_size).raw()
        tp, kv_tok, w = pre["tp_size"], pre["kv_cache_per_token"], pre["model_weights_size"]
        bpe = w * tp / model.parameters_count
        peak = hardware.compute.peak_flop_s(precision)
        bw = hardware.memory.bandwidth_bytes_s
        w_read = model.decode_weight_params(n) * bpe / tp
        kv_read = kv_tok * (s + n * gen / 2.0)             # mean over the decode, prefix read once
        flops = 2.0 * model.active_parameters_count * n / tp
        comm = 0.0 if tp == 1 else _SERVE.solve(
            model, hardware, seq_len=s, batch_size=n, precision=precision, tp_size=tp).raw("tp_communication_decode")
        itl = max((w_read + kv_read) / bw, flops / (peak * efficiency)) + comm + hardware.dispatch_tax_s
        itl_bound = max((w_read + kv_read) / bw, flops / peak)
        total = pre["ttft"] + gen * itl
        kv_end = kv_tok * (s + n * gen)
        mem = w + kv_end
        cap = pre["memory_capacity"]
        v = {"model_name": model.name, "hardware_name": hardware.name, "method": method, "samples": n,
             "reasoning_steps": k, "tokens_per_step": t, "context_length": s, "tp_size": tp,
             "tokens_generated": n * gen, "ttft": pre["ttft"], "itl": itl, "time_per_step": t * itl,
             "total_reasoning_time": total, "total_reasoning_time_bound": pre["ttft_bound"] + gen * itl_bound,
             "energy_per_query": hardware.tdp_w * tp * total, "cost_per_query": price * tp * total / 3600.0,
             "kv_cache_size": kv_end, "total_memory_required": mem, "memory_capacity": cap,
             "feasible": mem <= cap, "tokens_per_second": n * gen / total}
        return InferenceScalingResult(v, lambda: _work(v, kv_tok))


def _work(v, kv_tok):
    n, k, t, s = v["samples"], v["reasoning_steps"], v["tokens_per_step"], v["context_length"]
    return [
        ("Tokens generated", "G = N K T", f"{n} × {k} × {t} = **{v['tokens_generated']:,}**"),
        ("Latency", "T = TTFT(S) + K T \\times ITL_N",
         f"{si(v['ttft'], 's')} + {k * t:,} × {si(v['itl'], 's')} = **{si(v['total_reasoning_time'], 's')}**"
         f" ({v['method']}; ideal bound {si(v['total_reasoning_time_bound'], 's')})"),
        ("KV memory", "k (S + N K T)", f"{si(kv_tok, 'B')} × ({s:,} + {n} × {k * t:,}) = **{si(v['kv_cache_size'], 'B')}**; "
         f"with weights {si(v['total_memory_required'], 'B')} of {si(v['memory_capacity'], 'B')}: "
         f"**{'fits' if v['feasible'] else 'does not fit'}**"),
        ("Energy and cost", "E = TDP \\times TP \\times T", f"**{si(v['energy_per_query'], 'J')}**, "
         f"${v['cost_per_query']:.3g} per query"),
    ]
