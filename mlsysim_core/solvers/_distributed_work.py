"""DistributedModel's "show the work": the step's equations with the numbers substituted."""
from __future__ import annotations

from ..fmt import pct, si


def work_steps(r, ctx):
    """(title, LaTeX equation, substituted text) rows of one solved plan ``r`` on ``ctx``."""
    p = r["parallelism"]
    dp, tp, pp, ep = p["dp"], p["tp"], p["pp"], p["ep"]
    steps = [
        ("Parallelism", "DP = N / (TP \\times PP \\times EP)",
         f"{ctx.n} / ({tp} × {pp} × {ep}) = **{dp}**; {r['local_batch']} samples per replica in "
         f"{r['microbatch_count']} microbatches of {r['microbatch_size']:.3g}"),
        ("Compute per accelerator", "T = \\max\\left(\\frac{\\text{FLOPs}}{\\text{Peak}\\times\\eta}, \\frac{\\text{Bytes}}{\\text{BW}}\\right)",
         f"{si(r['flops_per_accelerator'], 'FLOP')} model FLOPs / ({si(ctx.peak, 'FLOP/s')} × {ctx.eff:g}) "
         f"→ **{si(r['compute_latency'], 's')}** ({r['compute_bottleneck']})"),
        ("DP gradient all-reduce", "T_{ring} = 2(N-1)\\alpha + \\frac{2(N-1)}{N}\\frac{M}{\\beta}",
         f"{si(r['gradient_bytes'], 'B')} over {dp} replicas, {r['dp_algorithm']}: "
         f"{si(r['dp_communication_latency_raw'], 's')}"
         + (f", {si(r['dp_overlap_hidden'], 's')} hidden behind backward" if r["overlap_comm"] else "")
         + f" → **{si(r['dp_communication_latency'], 's')}**"),
        ("TP all-reduces", "T_{tp} = n_{ar} \\cdot \\frac{L}{PP} \\cdot M \\cdot T_{ring}(b\\,S\\,h\\,\\text{bytes}, TP)",
         f"**{si(r['tp_communication_latency'], 's')}** over NVLink ({si(ctx.nv_bw, 'B/s')})"),
        ("EP all-to-all", "T_{a2a} = (N-1)\\alpha + \\frac{N-1}{N}\\frac{M}{\\beta}",
         f"**{si(r['ep_communication_latency'], 's')}**"),
        ("Pipeline bubble", "\\frac{P-1}{V M + P - 1}",
         f"({pp} - 1) / ({r['v_stages']} × {r['microbatch_count']} + {pp} - 1) = **{pct(r['bubble_fraction'])}**"
         f" → {si(r['pipeline_bubble_latency'], 's')} idle, plus {si(r['pp_communication_latency'], 's')} of stage sends"),
        ("Scaling efficiency", "\\eta = \\frac{T_{compute}}{T_{step}}",
         f"{si(r['compute_latency'], 's')} / {si(r['step_latency_total'], 's')} = **{pct(r['scaling_efficiency'])}**; "
         f"MFU {pct(r['mfu'])}, {r['effective_throughput']:.4g} samples/s"),
        ("Memory per accelerator", "W + G + O + A \\le \\text{capacity}",
         f"{si(r['weights_per_accelerator'], 'B')} + {si(r['gradients_per_accelerator'], 'B')} + "
         f"{si(r['optimizer_state_per_accelerator'], 'B')} + {si(r['activations_per_accelerator'], 'B')} = "
         f"{si(r['memory_per_accelerator'], 'B')} vs {si(ctx.cap, 'B')}: "
         f"**{'fits' if r['feasible'] else 'short by ' + si(r['shortfall'], 'B')}**"),
    ]
    cp = p.get("cp", 1)
    if cp > 1:   # only with context parallelism, so the default explanation is unchanged
        steps[0] = ("Parallelism", "DP = N / (TP \\times PP \\times EP \\times CP)",
                    f"{ctx.n} / ({tp} × {pp} × {ep} × {cp}) = **{dp}**; {r['local_batch']} samples per replica "
                    f"in {r['microbatch_count']} microbatches of {r['microbatch_size']:.3g}, "
                    f"{r['seq_len'] / cp:g} tokens of each per CP rank")
        steps.insert(5, ("CP ring attention (K/V exchange)",
                         "T_{cp} = \\max\\left(0, n\\alpha + \\frac{3 L (CP-1) \\cdot 2 \\frac{s}{CP} b h_{kv} d}{\\beta}"
                         " - T_{attn}\\right)",
                         f"{si(r['cp_exchange_bytes'], 'B')} per rank per step over {cp} CP ranks → "
                         f"**{si(r['cp_communication_latency'], 's')}** exposed"))
    if r["attention_flops"]:
        steps.insert(2, ("Attention FLOPs (PaLM app. B)", "6 P_{active} + 12 L d s \\ \\text{per token}",
                         f"counted in the model FLOPs: {si(r['flops_per_accelerator'], 'FLOP')} per accelerator"))
    return steps
