"""Wall 10 Locality: what the network's shape does to bandwidth between accelerators.

    B_bisect (fat tree) = N/2 x b / s;  torus 2N/k x b;  ring 2b;  dragonfly N/4 x b
    leaf ("domain") of D = k/2 endpoints per radix-k switch, its uplinks tapered to 1/s (rail-optimised: a
    rail group of D nodes x g GPUs); a job spanning r domains sends a fraction f of its traffic up
    b_eff = b / max(1, s f)                          (2:1, everything off-rack: b/2)
    T_allreduce = 2(N-1)/N x M/b_eff + 2(N-1) x (alpha + hops x t_switch)     (pattern "ring")
    T_all_to_all = (N-1)/N x M/b_eff + (N-1) x (alpha + hops x t_switch)     (pattern "all_to_all")
    direct networks (torus, ring), all-to-all: b_eff = min(b, 4 B_bisect(job) / job)

Sources: Dally & Towles (2004), Principles and Practices of Interconnection Networks, ch. 3 and 9;
Al-Fares et al. (2008), SIGCOMM; Kim et al. (2008), 'Technology-Driven, Highly-Scalable Dragonfly
Topology', ISCA; NVIDIA DGX SuperPOD reference architecture (rail-optimised leaves, scalable units of
32 nodes); formulas/topology.py. ``effective_bandwidth`` is the fabric bandwidth that
DistributedModel's inter-node collectives use with ``placement="packed"`` or ``"scattered"``.
"""
from __future__ import annotations

import math

from ..checks import HUGE, choice, parse_quantity_str, positive_int
from ..formulas.communication import calc_all_to_all_time
from ..errors import SpecError
from ..fmt import pct, si
from ..formulas import (calc_average_hops, calc_bisection_bandwidth, calc_cross_domain_fraction,
                        calc_oversubscribed_bandwidth, calc_ring_allreduce_time)
from ..formulas.topology import PATTERNS, PLACEMENTS, TOPOLOGIES, TOPOLOGY_ALIASES, leaf_domain_size
from ..results import Result
from ..specs import Fleet
from ..units import magnitude
from ..zoo import constants
from ._common import check_batch

_ALIASES = TOPOLOGY_ALIASES


class TopologyResult(Result):
    """Bisection, hops, latency and the per-accelerator bandwidth a job's collective sees."""

    __slots__ = ()
    UNITS = {"link_bandwidth": ("GB/s", 1e-9), "bisection_bandwidth": ("TB/s", 1e-12),
             "full_bisection_bandwidth": ("TB/s", 1e-12), "effective_bandwidth": ("GB/s", 1e-9),
             "avg_latency": ("us", 1e6), "allreduce_time": ("s", 1.0),
             "allreduce_time_nonblocking": ("s", 1.0), "collective_time": ("s", 1.0),
             "collective_time_nonblocking": ("s", 1.0), "message_bytes": ("GB", 1e-9),
             "job_bisection_bandwidth": ("TB/s", 1e-12)}


def _num(name, value, unit, allow_none=True):
    if value is None and allow_none:
        return None
    allowed = f"a positive value up to {HUGE:g} (in {unit} when a bare number)"  # beyond, products overflow
    if type(value) in (float, int):   # the fast path: what the full check returns
        if 0 < value <= HUGE:
            return float(value)
        if HUGE < value < math.inf:
            raise SpecError(name, value, allowed)
    value = parse_quantity_str(name, value, f"a number (in {unit}) or a Quantity")
    v = magnitude(value, unit, name)
    if not 0 < v <= HUGE:
        raise SpecError(name, value, allowed)
    return v


class TopologyModel:
    """Fat-tree, rail-optimised, dragonfly, torus or ring: bisection, hops, and a job's collective bandwidth.

        from mlsysim_core import TopologyModel, Systems
        fleet = Systems.Clusters.Production_2K                       # 2,048 H100 on InfiniBand
        for topo in ("fat_tree", "rail_optimized"):
            r = TopologyModel().solve(fleet, topology=topo, oversubscription=2, placement="scattered",
                                      message_bytes=140e9)           # a 70B fp16 gradient all-reduce
            print(topo, r.effective_bandwidth, r.allreduce_time, r.oversubscription_slowdown)

    ``fleet`` (optional) supplies the endpoints (its accelerators), the per-port link bandwidth,
    alpha, oversubscription and topology; each can be overridden. ``job_gpus``: the accelerators of
    the collective (default all). ``pattern``: "ring" (all-reduce rings, one per NIC) or
    "all_to_all" (expert parallelism, shuffles); ``placement``: "packed" (consecutive leaves) or
    "scattered" (a fragmented scheduler). Torus and ring are direct networks: ``link_bandwidth`` is
    one link, rings run on neighbours and all-to-all is bisection-bound; ``oversubscription`` applies
to the leaf tier of fat-tree and rail-optimised networks only (a balanced dragonfly's global links
carry uniform traffic at full rate; adversarial patterns need Valiant routing, which halves it).
Cost: O(1).

    With ``message_bytes``: ``collective_time`` is the pattern's collective (ring: the ring
    all-reduce of the message; all_to_all: an all-to-all of a per-accelerator buffer of that size,
    (N-1)/N x M/b_eff + (N-1) x latency); ``allreduce_time`` is always the ring all-reduce formula
    at ``effective_bandwidth`` (for all_to_all: a ring all-reduce run at the all-to-all bandwidth,
    kept for callers that compare the two patterns on one formula). ``job_bisection_bandwidth``:
    for torus and ring with all_to_all, the bisection of the job's own sub-network that caps
    b_eff (None otherwise).
    """

    def solve(self, fleet=None, topology=None, n_gpus=None, job_gpus=None, oversubscription=None,
              link_bandwidth=None, gpus_per_node=None, switch_radix=None, torus_dims=None,
              placement="packed", pattern="ring", message_bytes=None, latency=None) -> TopologyResult:
        c = constants()
        if fleet is not None and not isinstance(fleet, Fleet):
            raise SpecError("fleet", fleet, "a fleet from Systems.Clusters, or None with n_gpus and link_bandwidth")
        fab = fleet.fabric if fleet is not None else None
        topo = topology if topology is not None else (fab.topology if fab else "fat_tree")
        topo = _ALIASES.get(topo, topo) if isinstance(topo, str) else topo
        for name, v, allowed in (("topology", topo, TOPOLOGIES), ("placement", placement, PLACEMENTS),
                                 ("pattern", pattern, PATTERNS)):
            if type(v) is not str or v not in allowed:       # (a str in a tuple: the fast path)
                choice(name, v, allowed)
        if n_gpus is None and fleet is None:
            raise SpecError("n_gpus", n_gpus, "a number of accelerators (or pass a fleet)")
        n = fleet.total_accelerators if n_gpus is None else check_batch(n_gpus, "n_gpus")
        link = _num("link_bandwidth", link_bandwidth, "byte/s")
        if link is None:
            if fab is None:
                raise SpecError("link_bandwidth", link_bandwidth, "a per-port bandwidth (or pass a fleet)")
            link = fab.bandwidth_bytes_s
        s = _num("oversubscription", oversubscription, "dimensionless")
        s = (fab.oversubscription if fab else 1.0) if s is None else s
        if s < 1.0:
            raise SpecError("oversubscription", oversubscription, "a ratio >= 1 (1 = non-blocking, 2 = 2:1)")
        alpha = _num("latency", latency, "s")
        alpha = (fab.latency_s if fab else 0.0) if alpha is None else alpha
        g = (fleet.node.accelerators_per_node if fleet else 1) if gpus_per_node is None else check_batch(
            gpus_per_node, "gpus_per_node")
        k = int(c.topo_switch_radix) if switch_radix is None else positive_int("switch_radix", switch_radix, 4)
        dims = int(c.topo_torus_dims) if torus_dims is None else check_batch(torus_dims, "torus_dims")
        job = n if job_gpus is None else check_batch(job_gpus, "job_gpus")
        if job > n:
            raise SpecError("job_gpus", job_gpus, f"at most the {n:,} accelerators of the network")
        msg = _num("message_bytes", message_bytes, "byte")

        job_bis = None
        if topo in ("fat_tree", "rail_optimized"):
            domain = leaf_domain_size(topo, k, g)   # endpoints per leaf; s:1 tapers its k/2 uplinks
            two_tier = n <= k * domain                         # spines of radix k reach k leaves
            pod = n if two_tier else (k // 2) * domain
            tiers = 1 if n <= domain else (2 if two_tier else 3)
            hops = calc_average_hops.raw(topo, job, domain, pod)
            f = calc_cross_domain_fraction.raw(pattern, placement, job, domain, g)
            eff = calc_oversubscribed_bandwidth.raw(link, s, f)
            eff_nb = link
            routers = 0
        elif topo == "dragonfly":
            p = h = max(1, k // 4)                              # balanced: a = 2p = 2h (Kim et al. 2008)
            routers = 2 * p
            domain, tiers, pod = routers * p, 2, 0
            hops = calc_average_hops.raw(topo, job, group_routers=routers) if job > domain else (
                1.0 if job <= p else 2.0)
            f = calc_cross_domain_fraction.raw(pattern, placement, job, domain, g)
            eff = eff_nb = calc_oversubscribed_bandwidth.raw(link, p / h, f)
        else:                                                   # direct networks
            domain, tiers, pod, routers, f = 0, 1, 0, 0, 0.0
            hops = calc_average_hops.raw(topo, job, torus_dims=dims)
            if pattern == "ring":
                eff = link
            else:
                job_bis = calc_bisection_bandwidth.raw(topo, job, link, 1.0, 0, dims)
                eff = min(link, 4.0 * job_bis / job) if job > 1 else link
            eff_nb = eff
        if topo not in ("fat_tree", "rail_optimized"):
            s = 1.0                                             # no oversubscribed leaf tier to apply it to
        bis = calc_bisection_bandwidth.raw(topo, n, link, s, domain, dims)
        full = n / 2.0 * link
        lat = alpha + hops * c.topo_switch_latency
        r = {"topology": topo, "n_gpus": n, "job_gpus": job, "gpus_per_node": g, "switch_radix": k,
             "oversubscription": s, "pattern": pattern, "placement": placement, "tiers": tiers,
             "domain_size": domain, "domains_spanned": math.ceil(job / domain) if domain else 1,
             "link_bandwidth": link, "bisection_bandwidth": bis, "full_bisection_bandwidth": full,
             "bisection_fraction": bis / full if full else 1.0, "avg_hops": hops, "avg_latency": lat,
             "cross_fraction": f, "effective_bandwidth": eff, "bandwidth_fraction": eff / link,
             "message_bytes": msg, "allreduce_time": None, "allreduce_time_nonblocking": None,
             "oversubscription_slowdown": eff_nb / eff, "collective_time": None,
             "collective_time_nonblocking": None, "job_bisection_bandwidth": job_bis}
        if msg is not None:
            r["allreduce_time"] = ar = calc_ring_allreduce_time.raw(msg, job, eff, lat)
            r["allreduce_time_nonblocking"] = ar_nb = calc_ring_allreduce_time.raw(msg, job, eff_nb, lat)
            if pattern == "ring":
                r["collective_time"], r["collective_time_nonblocking"] = ar, ar_nb
            else:
                r["collective_time"] = calc_all_to_all_time.raw(msg, job, eff, lat)
                r["collective_time_nonblocking"] = calc_all_to_all_time.raw(msg, job, eff_nb, lat)
        return TopologyResult(r, lambda: _work(r))


def _work(r):
    rows = [
        ("Bisection bandwidth", "B_{bisect} = \\beta \\cdot \\tfrac{N}{2} b",
         f"{r['topology']}, N = {r['n_gpus']:,}, b = {si(r['link_bandwidth'], 'B/s')}, s = {r['oversubscription']:g}: "
         f"**{si(r['bisection_bandwidth'], 'B/s')}** (β = {r['bisection_fraction']:.3g} of full bisection)"),
        ("Hops and latency", "\\alpha + \\bar{h}\\, t_{switch}",
         f"{r['avg_hops']:.3g} switches on average → **{si(r['avg_latency'], 's')}** per message"),
    ]
    if r["domain_size"]:
        rows.append(("Traffic leaving the leaf", "f",
                     f"{r['pattern']}, {r['placement']} over {r['domains_spanned']:,} domain(s) of "
                     f"{r['domain_size']:,}: f = **{r['cross_fraction']:.3g}**"))
    if r["job_bisection_bandwidth"] is not None:      # a direct network's all-to-all: bisection-bound
        rows.append(("Per-accelerator bandwidth", "b_{eff} = \\min(b, 4 B_{bisect}(N_{job}) / N_{job})",
                     f"min({si(r['link_bandwidth'], 'B/s')}, 4 × {si(r['job_bisection_bandwidth'], 'B/s')} / "
                     f"{r['job_gpus']:,}) = **{si(r['effective_bandwidth'], 'B/s')}** "
                     f"({pct(r['bandwidth_fraction'])} of the link)"))
    else:
        rows.append(("Per-accelerator bandwidth", "b_{eff} = b / \\max(1, s f)",
                     f"{si(r['link_bandwidth'], 'B/s')} / max(1, {r['oversubscription']:g} × "
                     f"{r['cross_fraction']:.3g}) = **{si(r['effective_bandwidth'], 'B/s')}** "
                     f"({pct(r['bandwidth_fraction'])} of the link)"))
    if r["collective_time"] is not None:
        if r["pattern"] == "ring":
            name, eq = "Ring all-reduce", "2\\tfrac{N-1}{N}\\tfrac{M}{b_{eff}} + 2(N-1)\\alpha"
        else:
            name, eq = "All-to-all", "\\tfrac{N-1}{N}\\tfrac{M}{b_{eff}} + (N-1)\\alpha"
        rows.append((name, eq,
                     f"{si(r['message_bytes'], 'B')} over {r['job_gpus']:,}: **{si(r['collective_time'], 's')}** "
                     f"(non-blocking {si(r['collective_time_nonblocking'], 's')}, "
                     f"×{r['oversubscription_slowdown']:.3g})"))
    return rows
