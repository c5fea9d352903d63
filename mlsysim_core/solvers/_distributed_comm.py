"""Communication times of DistributedModel's training step: which link, which alpha, which collective.

Every collective is one NCCL call: T = T_0 + the algorithm's alpha-beta time, with
T_0 = ``serving_collective_base_latency`` (NCCL's fixed cost of a call, 6.6 us; the same constant
and formula, ``calc_tp_allreduce_time``, as ServingModel's tensor-parallel all-reduces).

    ring  T = T_0 + 2(N-1)/N M/beta + 2(N-1) alpha      (8 ranks, M -> 0: T_0 + 14 alpha)
    tree  T = T_0 + 2 log2 N (alpha + M/beta)
    NVLS / SHARP (in-network)  T = T_0 + M/beta + 2 alpha   (M once up, once down vs 2(N-1)/N M)

alpha: NVLink steps use the node's ``intra_node_latency``; network steps the fabric's
``nccl_latency`` (one NCCL ring step over that fabric, zoo fabrics.toml; ``latency`` when a fabric
has none). A ring or tree over N ranks on ``nodes`` nodes takes NCCL's split of its steps
(src/graph/tuning.cc): 2(nodes-1) of a ring's 2(N-1) steps and log2(nodes) of a tree's log2 N
levels cross the network, the rest stay on NVLink; that mean alpha goes into the one formula.

In-network reduction: NVLS (the node's ``nvls``: NVSwitch gen 3+) and SHARP (the fabric's
``sharp``: InfiniBand Quantum-2 NDR, Quantum-X800 XDR), from the zoo unless the caller overrides
(``in_network_reduction`` True / False). TP all-reduces take NVLS when the node has it; the DP
all-reduce's "auto" considers NVLS inside the node (else its reduce-scatter/all-gather phases) plus
SHARP across nodes on each node's M/g shard (else a ring of the shards), and takes it when faster.

Placement (``placement``) sets the per-accelerator fabric bandwidth: None (default) divides the
port by the fabric's oversubscription s for every byte (b/s: every byte crosses the tapered tier,
as before this option existed; the zoo's fabrics are all non-blocking, s = 1, so the default
and "packed" agree on them); "packed" or "scattered" take b / max(1, s f) with f the share of a
ring's (or an all-to-all's) traffic that leaves its leaf (formulas/topology.py, as TopologyModel):
packed, a ring leaves a leaf of D endpoints g/D of the time; scattered, almost always.
"""
from __future__ import annotations

import math

from ..checks import MAX_COUNT, choice, integer, optional_flag
from ..errors import SpecError
from ..formulas import (calc_all_to_all_time, calc_cp_exposed_time, calc_cross_domain_fraction, calc_hierarchical_allreduce_bound,
                        calc_hierarchical_allreduce_time, calc_in_network_allreduce_time,
                        calc_multirail_allreduce_time, calc_oversubscribed_bandwidth, calc_p2p_time,
                        calc_tp_allreduce_time, calc_tree_allreduce_time)
from ..formulas.topology import PLACEMENTS, TOPOLOGY_ALIASES, leaf_domain_size
from ..zoo import constants

PLACEMENT_CHOICES = (None,) + PLACEMENTS
_ar, _tree, _hier = calc_tp_allreduce_time.raw, calc_tree_allreduce_time.raw, calc_hierarchical_allreduce_time.raw
_a2a, _p2p, _inn = calc_all_to_all_time.raw, calc_p2p_time.raw, calc_in_network_allreduce_time.raw
_multirail, _hier_bound = calc_multirail_allreduce_time.raw, calc_hierarchical_allreduce_bound.raw
_cross, _oversub, _cp_exp = calc_cross_domain_fraction.raw, calc_oversubscribed_bandwidth.raw, calc_cp_exposed_time.raw


# --- arguments ---------------------------------------------------------------------------------

def check_nic_rails(fleet, nic_rails):
    """None (a NIC per accelerator), "node" (the zoo's nics_per_node) or a NIC count per node."""
    allowed = 'None, "node" (the node\'s nics_per_node) or an integer >= 1 (NICs per node)'
    if nic_rails is None:
        return None
    if isinstance(nic_rails, str):
        if nic_rails != "node":
            raise SpecError("nic_rails", nic_rails, allowed)
        return fleet.node.nics_per_node
    return integer("nic_rails", nic_rails, minimum=1, maximum=MAX_COUNT, what=allowed)


def check_in_network(value):
    """None (from the zoo: the node's nvls, the fabric's sharp), True (asserted) or False (off)."""
    return optional_flag("in_network_reduction", value,
                         "from the zoo: NVLS if the node's nvls, SHARP if the fabric's sharp")


def check_placement(value):
    """None (b / s for every byte), "packed" or "scattered" (the topology formulas)."""
    return choice("placement", value, PLACEMENT_CHOICES)


# --- links ------------------------------------------------------------------------------------

def fabric_bandwidths(fleet, placement) -> tuple[float, float]:
    """Per-accelerator fabric bandwidth of (a ring, an all-to-all) under ``placement`` (see the
    module docstring). Direct networks and dragonflies have no oversubscribed leaf tier: the port."""
    fab = fleet.fabric
    if placement is None:
        bw = fab.effective_bandwidth_bytes_s
        return bw, bw
    topo = TOPOLOGY_ALIASES.get(fab.topology, fab.topology)
    if topo not in ("fat_tree", "rail_optimized"):
        return fab.bandwidth_bytes_s, fab.bandwidth_bytes_s
    g, n = fleet.node.accelerators_per_node, fleet.total_accelerators
    domain = leaf_domain_size(topo, int(constants().topo_switch_radix), g)
    link, s = fab.bandwidth_bytes_s, fab.oversubscription
    return (_oversub(link, s, _cross("ring", placement, n, domain, g)),
            _oversub(link, s, _cross("all_to_all", placement, n, domain, g)))


def in_network_flags(ctx, in_network) -> tuple[bool, bool]:
    """(NVLS, SHARP) for one plan: None = the zoo's flags (kept on ``ctx``), a bool = both."""
    if in_network is None:
        return ctx.nvls, ctx.sharp
    return in_network, in_network


def ring_alpha(n, nodes, nv_lat, fab_lat):
    """Mean alpha per step of a ring over n ranks on ``nodes`` nodes: NCCL counts 2(nodes-1) of
    its 2(n-1) steps on the network, the rest on NVLink (src/graph/tuning.cc, ncclTopoTuneModel)."""
    if nodes <= 1:
        return nv_lat
    return ((n - nodes) * nv_lat + (nodes - 1) * fab_lat) / (n - 1)


def tree_alpha(n, nodes, nv_lat, fab_lat):
    """Mean alpha per level of a tree over n ranks: log2(nodes) of its log2 n levels cross nodes."""
    if nodes <= 1:
        return nv_lat
    if nodes >= n:
        return fab_lat
    a, b = math.log2(n // nodes), math.log2(nodes)
    return (a * nv_lat + b * fab_lat) / (a + b)


# --- collectives --------------------------------------------------------------------------------

def tp_allreduce(ctx, message, tp, nvls):
    """One tensor-parallel all-reduce over NVLink (ring, or NVLS when faster)."""
    t = _ar(message, tp, ctx.nv_bw, ctx.nv_lat, ctx.base)
    if nvls:
        t_inn = ctx.base + _inn(message, ctx.nv_bw, ctx.nv_lat)
        if t_inn < t:
            t = t_inn
    return t


def ep_alltoall(ctx, message, ep, in_node):
    """One expert-parallel all-to-all: NVLink inside a node, else the fabric at its all-to-all bandwidth."""
    if in_node:
        return ctx.base + _a2a(message, ep, ctx.nv_bw, ctx.nv_lat)
    return ctx.base + _a2a(message, ep, ctx.fab_bw * ctx.a2a_share, ctx.fab_lat)


def pp_send(ctx, message, cross_node):
    """One pipeline-stage send (p2p): a call's fixed cost, one alpha, M / beta."""
    if cross_node:
        return ctx.base + _p2p(message, ctx.fab_bw, ctx.fab_lat)
    return ctx.base + _p2p(message, ctx.nv_bw, ctx.nv_lat)


def cp_exposed(ctx, exchange_bytes, attention_time, n_messages, in_node):
    """Context parallelism's K/V ring exchange left exposed after the attention compute hides it."""
    if in_node:
        return _cp_exp(exchange_bytes, ctx.nv_bw, attention_time, n_messages, ctx.nv_lat)
    return _cp_exp(exchange_bytes, ctx.fab_bw, attention_time, n_messages, ctx.fab_lat)


def gradient_allreduce(ctx, grad_bytes, dp, tp, ep, cp, algorithm, in_network, hier_bound):
    """The step's gradient all-reduce: over the DP replicas, or with context parallelism over the
    DP x CP ranks that hold the same weights (CP ranks TP apart, DP ranks TP x CP x EP apart)."""
    if cp <= 1:
        return dp_allreduce(ctx, grad_bytes, dp, tp * ep, algorithm, 0, in_network, hier_bound)
    apn = ctx.apn
    per_node = math.gcd(cp, apn // tp) * (math.gcd(dp, apn // (tp * cp * ep)) if tp * cp * ep <= apn else 1)
    return dp_allreduce(ctx, grad_bytes, dp * cp, tp * ep, algorithm, per_node, in_network, hier_bound)


def dp_allreduce(ctx, grad_bytes: float, dp: int, inner: int, algorithm: str, per_node: int = 0,
                 in_network=False, hier_bound: bool = False) -> tuple[float, str]:
    """Gradient all-reduce over ``dp`` replicas whose ranks sit ``inner`` apart (inner = TP x EP);
    ``per_node``: how many of them share a node, when the caller knows (context parallelism).
    ``in_network``: (nvls, sharp), or one bool for both: the in-network candidates "auto" weighs;
    ``hier_bound``: the hierarchical all-reduce at its pipelined ideal bound (no latency)."""
    if dp <= 1:
        return 0.0, "none"
    nvls, sharp = in_network if isinstance(in_network, tuple) else (in_network, in_network)
    if not per_node:
        per_node = math.gcd(dp, ctx.apn // inner) if inner <= ctx.apn else 1
    nodes = dp // per_node
    base = ctx.base
    if nodes == 1:                       # every DP peer inside one node: NVLink
        bw, lat, t_lat = ctx.nv_bw, ctx.nv_lat, ctx.nv_lat
    else:                                # bandwidth: as slow as its fabric hops; alpha: NCCL's split
        bw = ctx.fab_bw
        lat = ring_alpha(dp, nodes, ctx.nv_lat, ctx.fab_lat)
        t_lat = tree_alpha(dp, nodes, ctx.nv_lat, ctx.fab_lat)
    ring = _ar(grad_bytes, dp, bw, lat, base)
    if algorithm == "ring":
        return ring, "ring"
    tree = base + _tree(grad_bytes, dp, bw, t_lat)
    if algorithm == "tree":
        return tree, "tree"
    if nodes == 1 or per_node == 1:
        hier = ring
    elif hier_bound:
        hier = _hier_bound(grad_bytes, nodes, per_node, ctx.nv_bw, ctx.fab_bw)
    elif ctx.rails is not None:          # one ring per rail; this group's share of the node's rails
        hier = base + _multirail(grad_bytes, nodes, per_node, ctx.nv_bw, ctx.port_bw, ctx.rails * per_node / ctx.apn,
                                 ctx.nv_lat, ctx.fab_lat)
    else:
        hier = base + _hier(grad_bytes, nodes, per_node, ctx.nv_bw, ctx.fab_bw, ctx.nv_lat, ctx.fab_lat)
    if algorithm == "hierarchical":
        return hier, "hierarchical"
    best = (ring, "ring")                # ties go to the simpler algorithm
    if tree < best[0]:
        best = (tree, "tree")
    if hier < best[0]:
        best = (hier, "hierarchical")
    if nodes == 1:
        inn = base + _inn(grad_bytes, ctx.nv_bw, ctx.nv_lat) if nvls else math.inf
    elif sharp or (nvls and per_node > 1):   # NVLS (or RS/AG phases) in the node; SHARP (or a ring) on M/g
        intra = 0.0
        if per_node > 1:
            intra = (_inn(grad_bytes, ctx.nv_bw, ctx.nv_lat) if nvls else
                     _hier(grad_bytes, 1, per_node, ctx.nv_bw, ctx.fab_bw, ctx.nv_lat, ctx.fab_lat))
        shard = grad_bytes / per_node
        inter = (_inn(shard, ctx.fab_bw, ctx.fab_lat) if sharp else
                 _ar(shard, nodes, ctx.fab_bw, ctx.fab_lat, 0.0))
        inn = base + intra + inter
    else:
        inn = math.inf
    if inn < best[0]:
        best = (inn, "in-network")
    return best
