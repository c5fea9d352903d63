"""4D-parallel training step: data, tensor, pipeline and expert parallelism on a fleet.

    DP = N / (TP x PP x EP x CP)                                     (equations page 2.1)
    eta_scale = T_compute / (T_compute + T_dp + T_tp + T_ep + T_pp + T_bubble)   (page 2.2)
    T_ring = 2(N-1) alpha + 2(N-1)/N M/beta;  T_tree = 2 log2 N (alpha + M/beta)  (page 2.3)
    Bubble = (P-1) / (V M + P-1)                                     (page 2.4)
    T_a2a = (N-1) alpha + (N-1)/N M/beta                             (page 2.5)

Placement (Megatron order, innermost first): TP inside a node over NVLink, then EP, then DP,
then PP stages across nodes. Each accelerator computes 1/(TP PP EP) of its replica's
6 P_active x tokens FLOPs on the roofline (``calc_roofline_time``). TP does 4 all-reduces of
one microbatch's activations per layer (6 with full recomputation); EP 4 all-to-alls per MoE
layer; DP one gradient all-reduce per step (ring, tree or hierarchical; "auto" takes the
fastest), partly hidden behind the backward pass with ``overlap_comm``; PP sends activations
between stages (fill and drain exposed). The bubble idles each stage for (P-1)/(V M) of its
pipelined work, so T_bubble / (work + T_bubble) is exactly the page's bubble fraction.
Memory per accelerator: weights, gradients, optimizer state (ZeRO 0-3) and the activations of
the microbatches in flight (Korthikanti et al. 2022).
First-order simplifications: an MoE model's parameters are all sharded over TP x PP x EP (its
dense attention share, replicated across EP in practice, is not split out); tokens are routed
evenly (no imbalance); attention FLOPs beyond 6 P_active per token are not counted unless
``attention_flops`` (PaLM appendix B's 12 L d s per token).

Collective latency: every NCCL call pays its fixed cost T_0 (serving_collective_base_latency) plus
alpha per step, the node's NVLink latency or the fabric's NCCL step latency (fabrics.toml
nccl_latency); see _distributed_comm.py, which holds the communication times.

Training depth (each option below keeps the numbers above when off):
  cp_size               context parallelism (ring attention / Megatron CP), placed next to TP:
                        each of the CP ranks of a replica holds s/CP tokens of every sample
                        (activations, FLOPs and TP/PP/EP messages / CP); K and V chunks go round
                        the CP ring (calc_cp_kv_exchange_bytes) over NVLink when TP x CP fits in
                        a node, else the fabric, and only what the attention compute does not
                        hide is charged (calc_cp_exposed_time); gradients are all-reduced over
                        the DP x CP ranks that hold the same weights (ZeRO shards over them too).
  in_network_reduction  NVLS (NVSwitch) and SHARP (fabric switches) reduce in-network: TP all-reduces
                        use NVLS, the DP all-reduce may ("auto" takes it when faster). None
                        (default): as the zoo's node ``nvls`` / fabric ``sharp`` say; True / False.
  placement             None (default): fabric port / oversubscription for every byte, as before;
                        "packed" / "scattered": from the topology formulas (_distributed_comm.py).
  nic_rails             None: every accelerator has its own NIC (rail-optimised, as before);
                        "node": the node's zoo nics_per_node; or a count. The node's rails are
                        shared by its accelerators (fabric bandwidth x min(rails, g) / g) and
                        the hierarchical all-reduce runs one ring per rail
                        (calc_multirail_allreduce_time).
  hierarchical_bound    the hierarchical all-reduce at its ideal bound with its phases pipelined
                        (calc_hierarchical_allreduce_bound, no latency), the optimistic side no
                        measured all-reduce beats (the sequential sum can be beaten).
"""
from __future__ import annotations

from ..checks import choice, flag, positive_int
from ..errors import OOMError, SpecError
from ..fmt import si
from ..formulas import (calc_activation_memory, calc_attention_training_flops, calc_cp_activation_memory,
                        calc_cp_kv_exchange_bytes, calc_pipeline_bubble,
                        calc_roofline_time, calc_scaling_efficiency, calc_training_state_breakdown)
from ..results_fleet import DistributedResult
from ..specs import MoEWorkload, TransformerWorkload
from ..zoo import constants
from ._common import check_batch, check_efficiency, check_fleet, check_model, check_precision
from ._distributed_comm import (check_in_network, check_nic_rails, check_placement, cp_exposed,  # noqa: F401
                                dp_allreduce, ep_alltoall, fabric_bandwidths, gradient_allreduce, in_network_flags,
                                pp_send, tp_allreduce)
from ._distributed_work import work_steps

DP_ALGORITHMS = ("auto", "ring", "tree", "hierarchical")
_bubble = calc_pipeline_bubble.raw
_state, _act, _roof = calc_training_state_breakdown.raw, calc_activation_memory.raw, calc_roofline_time.raw
_cp_act, _cp_kv = calc_cp_activation_memory.raw, calc_cp_kv_exchange_bytes.raw
_attn = calc_attention_training_flops.raw


class Context:
    """Everything about (model, fleet, precision, batch, ...) that does not depend on the plan.

    Built once per solve (or once per optimizer search); ``plan()`` then costs a few µs.
    """

    __slots__ = ("model", "fleet", "precision", "bpe", "batch", "eff", "seq", "n", "apn", "peak",
                 "bw", "cap", "tax", "nv_bw", "nv_lat", "fab_bw", "fab_lat", "params", "fwd_sample",
                 "is_tf", "layers", "hidden", "heads", "top_k", "act_sample", "c_train", "c_recomp",
                 "adam", "overlap_eff", "tp_ar", "ep_a2a", "zero3", "idle", "attn_dim",
                 "kv_heads", "head_dim", "rails", "port_bw", "attn_on", "base", "a2a_share", "nvls", "sharp",
                 "placement")

    def __init__(self, model, fleet, batch_size, precision, bpe, efficiency, seq_len, attention_flops=False,
                 nic_rails=None, placement=None):
        """``attention_flops``: add PaLM's attention FLOPs to the model FLOPs; ``nic_rails``: None
        (a NIC per accelerator) or the NICs per node; ``placement``: None, "packed" or "scattered"
        (both already checked)."""
        c = constants()
        hw, node, fab = fleet.node.accelerator, fleet.node, fleet.fabric
        self.model, self.fleet, self.precision, self.bpe = model, fleet, precision, bpe
        self.batch, self.eff, self.seq = batch_size, efficiency, seq_len
        self.n, self.apn = fleet.total_accelerators, node.accelerators_per_node
        self.peak, self.bw = hw.compute.peak_flop_s(precision), hw.memory.bandwidth_bytes_s
        self.cap, self.tax = hw.memory.capacity_bytes, hw.dispatch_tax_s
        self.nv_bw, self.nv_lat = node.intra_node_bandwidth_bytes_s, node.intra_node_latency_s
        # per accelerator: one fabric port's line rate under the placement's oversubscription (rail-
        # optimised nodes give every accelerator its own NIC; the zoo's nics_per_node is optional,
        # so it is not used here); alpha: one NCCL step over the fabric, T_0 per call
        self.placement = placement
        self.fab_bw, a2a_bw = fabric_bandwidths(fleet, placement)
        self.a2a_share = a2a_bw / self.fab_bw if self.fab_bw else 1.0   # all-to-all's / a ring's bandwidth
        self.fab_lat, self.base = fab.collective_latency_s, c.serving_collective_base_latency
        self.nvls, self.sharp = bool(node.nvls), bool(fab.sharp)     # the zoo's capability flags
        # nic_rails: the node's accelerators share its rails (each ring gets its share of a NIC)
        self.rails, self.port_bw = nic_rails, self.fab_bw
        if nic_rails is not None:
            self.fab_bw = self.port_bw * min(nic_rails, self.apn) / self.apn
        self.params = model.parameters_count
        self.is_tf = isinstance(model, TransformerWorkload)
        tokens = seq_len if self.is_tf else 1
        self.fwd_sample = model.inference_flop * tokens          # forward FLOPs per sample
        self.layers = model.layers
        self.hidden = getattr(model, "hidden_dim", 0)
        self.heads = getattr(model, "heads", 0)
        # attention width d = heads x head size (PaLM's H Q); K/V heads for the CP ring
        self.attn_dim = self.heads * model.head_dim if self.is_tf else 0
        self.kv_heads = model.n_kv_heads if self.is_tf else 0
        self.head_dim = model.head_dim if self.is_tf else 0
        self.attn_on = bool(attention_flops and self.is_tf)
        if self.attn_on:
            # PaLM counts 12 L d s per token of training; as forward FLOPs that is 1/c_train of it,
            # so recomputation redoes the attention forward like every other forward FLOP
            self.fwd_sample += _attn(self.layers, self.attn_dim, seq_len, seq_len) / c.training_flop_multiplier
        self.top_k = getattr(model, "experts_per_token", 1)
        if model.activation_bytes_per_sample is not None:
            self.act_sample = model.activation_bytes_per_sample * bpe / 2.0
        else:
            self.act_sample = model.weight_bytes(precision) * c.cnn_activation_traffic_ratio
        self.c_train, self.c_recomp = c.training_flop_multiplier, c.recompute_flop_multiplier
        self.adam, self.overlap_eff = c.adam_state_bytes_per_param, c.overlap_efficiency
        self.tp_ar, self.ep_a2a, self.zero3 = c.tp_allreduces_per_layer, c.ep_alltoalls_per_layer, c.zero3_comm_multiplier
        self.idle = c.energy_idle_fraction


def plan(ctx: Context, tp: int, pp: int, ep: int, m: int, v: int, zero_stage: int, recompute: bool,
         overlap: bool, algorithm: str, cp: int = 1, in_network=None, hier_bound: bool = False,
         lite: bool = False):
    """Raw numbers (seconds, bytes, FLOPs) of one valid plan; no checks here. ``in_network``:
    None (the zoo's NVLS / SHARP flags), True or False (both).

    ``lite``: only (step seconds, memory bytes per accelerator, model FLOPs per accelerator), for
    a search that builds the full dict only for the plans it keeps (a third of the cost)."""
    nvls, sharp = in_network_flags(ctx, in_network)
    shards = tp * pp * ep                            # ways the weights are split
    ranks = shards * cp                              # accelerators per replica (CP splits tokens)
    dp = ctx.n // ranks
    local = -(-ctx.batch // dp)                      # samples per replica (slowest replica)
    mb = local / m                                   # samples per microbatch
    hw_mult = ctx.c_recomp if recompute else ctx.c_train
    fwd_rep = ctx.fwd_sample * local
    model_flops = fwd_rep * ctx.c_train / ranks
    hw_flops = fwd_rep * hw_mult / ranks
    params = ctx.params / shards
    weights, grads, opt = _state(params, ctx.bpe, ctx.adam, zero_stage, dp * cp)   # ZeRO over DP x CP
    state = weights + grads + opt
    # 1F1B: stage 1 holds min(M, P) microbatches; interleaving holds (1 + (P-1)/(P V)) x more
    # (Korthikanti et al. 2022, section 4.2.3)
    in_flight = pp if v == 1 else pp + (pp - 1) / v
    if m < in_flight:
        in_flight = m
    rank_mb = mb / ep                                # EP ranks split the replica's tokens
    if ctx.is_tf:
        layers = -(-ctx.layers // pp)
        strategy = "full" if recompute else "selective"
        if cp > 1:                                   # each CP rank keeps s / CP tokens
            act_mb = _cp_act(layers, ctx.seq, rank_mb, ctx.hidden, ctx.heads, cp, ctx.bpe, strategy, tp)
        else:
            act_mb = _act(layers, ctx.seq, rank_mb, ctx.hidden, ctx.heads, ctx.bpe, strategy, tp)
        seq_rank = ctx.seq / cp if cp > 1 else ctx.seq
        boundary = rank_mb * seq_rank * ctx.hidden * ctx.bpe     # one microbatch's hidden states
    else:
        layers = 0
        act_mb = ctx.act_sample * rank_mb / (pp * tp)
        boundary = ctx.act_sample * rank_mb / pp
    acts = act_mb * in_flight
    # HBM traffic: activations are written and read back whether they are stored or recomputed
    # (recomputation writes them again), so traffic uses the stored-everything size: with full
    # recomputation a step is never cheaper than without it
    act_traffic = act_mb
    if recompute and ctx.is_tf:
        act_traffic = (_cp_act(layers, ctx.seq, rank_mb, ctx.hidden, ctx.heads, cp, ctx.bpe, "selective", tp)
                       if cp > 1 else _act(layers, ctx.seq, rank_mb, ctx.hidden, ctx.heads, ctx.bpe, "selective", tp))
        act_traffic *= ctx.c_recomp / ctx.c_train
    bytes_moved = state + 2.0 * m * params * ctx.bpe + 2.0 * m * act_traffic
    t_flop = hw_flops / (ctx.peak * ctx.eff)
    t_mem = bytes_moved / ctx.bw
    t_compute = _roof(hw_flops, bytes_moved, ctx.peak, ctx.bw, ctx.eff, ctx.tax)
    # tensor parallel: all-reduce one microbatch's activations, tp_ar (+2 recomputed) per layer
    t_tp = 0.0
    if tp > 1:
        n_ar = ctx.tp_ar + (2 if recompute else 0)
        t_tp = n_ar * layers * m * tp_allreduce(ctx, boundary, tp, nvls)   # ring, or NVLS in the NVSwitch
    # expert parallel: all-to-all of each rank's routed tokens, ep_a2a per layer
    t_ep = 0.0
    if ep > 1:
        t_ep = ctx.ep_a2a * layers * m * ep_alltoall(ctx, boundary * ctx.top_k, ep, tp * cp * ep <= ctx.apn)
    # context parallel: K/V chunks go round the CP ring, hidden behind this rank's attention compute
    # (PaLM's 12 L d s per token over its s/CP queries of each sample, heads split over TP); one
    # message per ring step, forward and backward (x3), per layer and microbatch
    t_cp = cp_bytes = 0.0
    if cp > 1:
        rank_samples = local / ep
        cp_bytes = _cp_kv(layers, ctx.seq, rank_samples, -(-ctx.kv_heads // tp), ctx.head_dim, cp, ctx.bpe, True)
        t_attn = _attn(layers, ctx.attn_dim, ctx.seq, rank_samples * seq_rank) / tp / (ctx.peak * ctx.eff)
        t_cp = cp_exposed(ctx, cp_bytes, t_attn, 3 * layers * (cp - 1) * m, tp * cp <= ctx.apn)
    # pipeline: activations (scatter-gather: 1/tp each) cross stage boundaries; fill + drain exposed
    t_pp = 0.0
    if pp > 1:
        t_pp = 2.0 * (pp - 1) * pp_send(ctx, boundary / tp, ctx.n // pp >= ctx.apn)
    # data parallel: one gradient all-reduce per step
    grad_bytes = params * ctx.bpe
    t_dp_raw, algo = gradient_allreduce(ctx, grad_bytes, dp, tp, ep, cp, algorithm, (nvls, sharp), hier_bound)
    if zero_stage >= 3:
        t_dp_raw *= ctx.zero3
    t_backward = t_compute * (hw_mult - 1.0) / hw_mult
    hidden = 0.0
    if overlap and t_dp_raw > 0.0:
        hidden = ctx.overlap_eff * t_dp_raw
        if hidden > t_backward:
            hidden = t_backward
    t_dp = t_dp_raw - hidden
    bubble = _bubble(pp, m, v) if pp > 1 else 0.0
    work = t_compute + t_tp + t_ep + t_cp
    t_bubble = work * bubble / (1.0 - bubble)
    step = work + t_pp + t_dp + t_bubble
    memory = state + acts
    if lite:
        return step, memory, model_flops
    return {
        "step_latency_total": step, "compute_latency": t_compute, "dp_communication_latency": t_dp,
        "dp_communication_latency_raw": t_dp_raw, "dp_overlap_hidden": hidden,
        "tp_communication_latency": t_tp, "ep_communication_latency": t_ep,
        "pp_communication_latency": t_pp, "pipeline_bubble_latency": t_bubble,
        "cp_communication_latency": t_cp, "cp_exchange_bytes": cp_bytes,
        "communication_latency": t_dp + t_tp + t_ep + t_pp + t_cp, "bubble_fraction": bubble,
        "scaling_efficiency": calc_scaling_efficiency.raw(t_compute, step - t_compute),
        "mfu": model_flops / (step * ctx.peak), "effective_throughput": ctx.batch / step,
        "tokens_per_second": ctx.batch * (ctx.seq if ctx.is_tf else 1) / step,
        "parallelism": {"dp": dp, "tp": tp, "pp": pp, "ep": ep, "cp": cp} if cp > 1 else
                       {"dp": dp, "tp": tp, "pp": pp, "ep": ep},   # (the 4D result unchanged)
        "microbatch_count": m, "microbatch_size": mb, "v_stages": v, "local_batch": local,
        "dp_algorithm": algo, "gradient_bytes": grad_bytes, "flops_per_accelerator": model_flops,
        "compute_bottleneck": "Compute Bound" if t_flop >= t_mem else "Memory Bound",
        "memory_per_accelerator": memory, "weights_per_accelerator": weights,
        "gradients_per_accelerator": grads, "optimizer_state_per_accelerator": opt,
        "activations_per_accelerator": acts, "memory_capacity": ctx.cap,
        "feasible": memory <= ctx.cap, "shortfall": memory - ctx.cap if memory > ctx.cap else 0.0,
        "zero_stage": zero_stage, "activation_recomputation": recompute, "overlap_comm": overlap,
        "batch_size": ctx.batch, "seq_len": ctx.seq, "precision": ctx.precision,
        "efficiency": ctx.eff, "n_accelerators": ctx.n, "attention_flops": ctx.attn_on,
        "in_network_reduction": nvls or sharp, "nvls": nvls, "sharp": sharp, "hierarchical_bound": hier_bound,
        "fabric_bandwidth_per_accelerator": ctx.fab_bw, "placement": ctx.placement,
    }


def check_parallelism(model, fleet, batch_size, tp, pp, ep, m, v, zero_stage, cp=1, seq_len=None) -> tuple:
    """Validate a plan; every failure is a SpecError that names the size and what is allowed.

    ``cp`` (context parallelism) is checked here too (it changes DP); the caller checks
    ``cp_size`` itself with ``positive_int`` to get its canonical int."""
    tp, pp, ep = positive_int("tp_size", tp), positive_int("pp_size", pp), positive_int("ep_size", ep)
    m, v = positive_int("microbatch_count", m), positive_int("v_stages", v)
    n, apn = fleet.total_accelerators, fleet.node.accelerators_per_node
    if n % (tp * pp * ep):
        detail = f"DP = N / (tp_size x pp_size x ep_size) must be whole; the fleet has {n} accelerators"
        if n % tp:
            rest = n // (pp * ep) if n % (pp * ep) == 0 else n
            raise SpecError("tp_size", tp, f"a divisor of {n} / pp_size = {rest}" if rest != n
                            else f"a divisor of {n}", detail)
        if (n // tp) % pp:
            raise SpecError("pp_size", pp, f"a divisor of {n} / tp_size = {n // tp}", detail)
        raise SpecError("ep_size", ep, f"a divisor of {n} / (tp_size x pp_size) = {n // (tp * pp)}", detail)
    if tp > apn:
        raise SpecError("tp_size", tp, f"at most {apn}, the accelerators of one {fleet.node.name} node",
                        "tensor parallelism all-reduces every layer and must stay on NVLink")
    if apn % tp:
        raise SpecError("tp_size", tp, f"a divisor of the {apn} accelerators per node")
    if tp > 1 and not isinstance(model, TransformerWorkload):
        raise SpecError("tp_size", tp, f"1 for {model.name}", "tensor parallelism splits transformer layers")
    if ep > 1:
        if not isinstance(model, MoEWorkload):
            raise SpecError("ep_size", ep, "1 for a dense model", f"{model.name} has no experts")
        if ep > model.experts:
            raise SpecError("ep_size", ep, f"at most the {model.experts} experts of {model.name}")
    if model.layers and pp * v > model.layers:
        raise SpecError("pp_size", pp, f"pp_size x v_stages <= the {model.layers} layers of {model.name}")
    cp = positive_int("cp_size", cp)
    if cp > 1:
        if not isinstance(model, TransformerWorkload):
            raise SpecError("cp_size", cp, f"1 for {model.name}", "context parallelism splits a token sequence")
        rest = n // (tp * pp * ep)
        if rest % cp:
            raise SpecError("cp_size", cp, f"a divisor of {n} / (tp_size x pp_size x ep_size) = {rest}",
                            "DP = N / (tp_size x pp_size x ep_size x cp_size) must be whole")
        if seq_len is not None and seq_len % cp:
            raise SpecError("cp_size", cp, f"a divisor of seq_len = {seq_len}",
                            "each context-parallel rank holds seq_len / cp_size tokens")
    dp = n // (tp * pp * ep * cp)
    if batch_size < dp:
        raise SpecError("batch_size", batch_size, f">= dp = {dp} (one sample per data-parallel replica)",
                        "raise batch_size or use larger tp/pp/ep")
    local = -(-batch_size // dp)
    if m > local:
        raise SpecError("microbatch_count", m, f"at most the per-replica batch {local} = batch_size / dp")
    choice("zero_stage", zero_stage, (0, 1, 2, 3))
    return tp, pp, ep, m, v


class DistributedModel:
    """4D-parallel training on a fleet (Wall 14 Communication), with context parallelism."""

    def solve(self, model, fleet, batch_size=1, precision="fp16", efficiency=0.5, tp_size=1,
              pp_size=1, ep_size=1, microbatch_count=1, v_stages=1, overlap_comm=False, zero_stage=0,
              activation_recomputation=False, seq_len=2048, dp_algorithm="auto",
              raise_errors=False, cp_size=1, attention_flops=False, in_network_reduction=None,
              nic_rails=None, hierarchical_bound=False, placement=None) -> DistributedResult:
        """One training step. ``cp_size``: context-parallel ranks per replica (a divisor of seq_len);
        ``attention_flops``: count PaLM's 12 L d s attention FLOPs per token in the model FLOPs
        (MFU "with attention"); ``in_network_reduction``: None (NVLS / SHARP where the zoo says
        the node / fabric has it), True (both asserted) or False (neither); ``nic_rails``: None,
        "node" or NICs per node; ``hierarchical_bound``: the hierarchical all-reduce at its
        pipelined ideal bound; ``placement``: None (fabric port / oversubscription for every byte,
        today's numbers and the conservative bound), "packed" (the job on consecutive leaves, what
        a topology-aware scheduler does) or "scattered" (a fragmented scheduler); see the module
        docstring."""
        check_model(model)
        check_fleet(fleet)
        precision, bpe = check_precision(precision)
        batch_size = check_batch(batch_size)
        efficiency = check_efficiency(efficiency)
        seq_len = check_batch(seq_len, "seq_len")
        choice("dp_algorithm", dp_algorithm, DP_ALGORITHMS)
        cp = positive_int("cp_size", cp_size)
        attention_flops = flag("attention_flops", attention_flops)
        in_network = check_in_network(in_network_reduction)
        placement = check_placement(placement)
        hier_bound = flag("hierarchical_bound", hierarchical_bound)
        rails = check_nic_rails(fleet, nic_rails)
        tp, pp, ep, m, v = check_parallelism(model, fleet, batch_size, tp_size, pp_size, ep_size,
                                             microbatch_count, v_stages, zero_stage, cp, seq_len)
        ctx = Context(model, fleet, batch_size, precision, bpe, efficiency, seq_len, attention_flops, rails,
                      placement)
        r = plan(ctx, tp, pp, ep, m, v, zero_stage, flag("activation_recomputation", activation_recomputation),
                 flag("overlap_comm", overlap_comm), dp_algorithm, cp, in_network, hier_bound)
        if flag("raise_errors", raise_errors) and not r["feasible"]:
            raise OOMError(f"{model.name} needs {si(r['memory_per_accelerator'], 'B')} per accelerator "
                           f"with TP={tp} PP={pp} EP={ep}{f' CP={cp}' if cp > 1 else ''}, but {fleet.accelerator.name} has "
                           f"{si(ctx.cap, 'B')} (short by {si(r['shortfall'], 'B')})",
                           r["memory_per_accelerator"], ctx.cap)
        return DistributedResult(r, lambda: work_steps(r, ctx))

