"""Network topology (Wall 10 Locality): bisection bandwidth, hops, and what placement and
oversubscription do to a collective's per-accelerator bandwidth.

Topologies: "fat_tree" (folded Clos; Leiserson 1985, Al-Fares et al. 2008), "rail_optimized" (each
GPU rank of a node on its own leaf "rail"; NVIDIA DGX SuperPOD), "dragonfly" (Kim et al. 2008,
balanced a = 2p = 2h), "torus" (k-ary n-cube) and "ring". Bandwidths are per direction.
Source for bisection and hop counts: Dally & Towles (2004), Principles and Practices of
Interconnection Networks, chapter 3 (k-ary n-cubes) and chapter 9 (folded Clos / fat trees).
"""
from __future__ import annotations

import math

from .._formula import formula
from ..errors import SpecError

TOPOLOGIES = ("fat_tree", "rail_optimized", "dragonfly", "torus", "ring")
PATTERNS = ("ring", "all_to_all")
PLACEMENTS = ("packed", "scattered")


# spellings of the fabric's ``topology`` field (the zoo writes "fat-tree") -> the names above
TOPOLOGY_ALIASES = {"fat-tree": "fat_tree", "fattree": "fat_tree", "rail": "rail_optimized",
                    "rail-optimized": "rail_optimized", "rail_optimised": "rail_optimized", "torus_3d": "torus"}


def leaf_domain_size(topology: str, switch_radix: int, gpus_per_node: int) -> int:
    """Endpoints under one leaf (the domain below the oversubscribed tier) of radix-k switches:
    k/2 down-ports (the other k/2 go up); rail-optimised: a rail group of k/2 nodes x g GPUs.
    Source: Al-Fares et al. (2008), SIGCOMM, section 3 (k/2 hosts per edge switch); NVIDIA DGX
    SuperPOD reference architecture (rail-optimised leaves)."""
    down = max(1, switch_radix // 2)
    return down * gpus_per_node if topology == "rail_optimized" else down


def _topo(topology):
    if topology not in TOPOLOGIES:
        raise SpecError("topology", topology, "one of " + ", ".join(TOPOLOGIES))
    return topology


@formula("byte/s", topology="{fat_tree,rail_optimized,dragonfly,torus,ring}", n_endpoints="int>=1", link_bandwidth="byte/s",
         oversubscription=">=1", domain_size="int>=0", torus_dims="int1..64")
def calc_bisection_bandwidth(topology, n_endpoints, link_bandwidth, oversubscription=1.0, domain_size=0,
                             torus_dims=3):
    """Bandwidth across the worst even cut of N endpoints (per direction).

    fat_tree / rail_optimized: N/2 x b / s (s: the leaf's oversubscription; none inside one leaf
    of ``domain_size`` endpoints); dragonfly (balanced, minimal routing): N/4 x b, half of full
    bisection and exactly what uniform random traffic needs (Kim et al. 2008, ISCA, section 3);
    torus (k-ary n-cube, k = N^(1/n)): 2 N/k x b (Dally & Towles 2004, section 3.3.1);
    ring: 2 b.
    """
    t = _topo(topology)
    n = n_endpoints
    if n <= 1:
        return 0.0
    if t in ("fat_tree", "rail_optimized"):
        s = oversubscription if not (domain_size and n <= domain_size) else 1.0
        return n / 2.0 * link_bandwidth / s
    if t == "dragonfly":
        return n / 4.0 * link_bandwidth
    if t == "torus":
        k = n ** (1.0 / torus_dims)
        return 2.0 * n / k * link_bandwidth
    return 2.0 * link_bandwidth


@formula(None, topology="{fat_tree,rail_optimized,dragonfly,torus,ring}", n_endpoints="int>=1", domain_size="int>=0",
         pod_size="int>=0", torus_dims="int1..64", group_routers="int>=0")
def calc_average_hops(topology, n_endpoints, domain_size=0, pod_size=0, torus_dims=3, group_routers=0):
    """Mean switches (routers) a message traverses, over distinct endpoint pairs.

    fat_tree: 1 inside a leaf of ``domain_size``, 3 inside a pod of ``pod_size`` (leaf-spine-leaf),
    5 across pods (Al-Fares et al. 2008, SIGCOMM, section 3); rail_optimized: the same with the
    rail group as the leaf (same-rank GPUs, the traffic of collectives); dragonfly with minimal
    routing: 2 + 2 (a-1)/a routers between groups of a routers (Kim et al. 2008, section 4);
    torus: n k/4 router hops (k even; Dally & Towles 2004, section 3.3.2); ring: N/4.
    The last two are scaled by N/(N-1) to exclude a node's distance to itself.
    """
    t = _topo(topology)
    n = n_endpoints
    if n <= 1:
        return 0.0
    if t in ("fat_tree", "rail_optimized"):
        e = min(domain_size or n, n)
        pod = min(max(pod_size or n, e), n)
        p_leaf, p_pod = (e - 1) / (n - 1), (pod - e) / (n - 1)
        return 1.0 * p_leaf + 3.0 * p_pod + 5.0 * (1.0 - p_leaf - p_pod)
    if t == "dragonfly":
        a = max(group_routers, 1)
        return 2.0 + 2.0 * (a - 1) / a
    if t == "torus":
        k = n ** (1.0 / torus_dims)
        return torus_dims * k / 4.0 * n / (n - 1)
    return n / 4.0 * n / (n - 1)


@formula(None, pattern="{ring,all_to_all}", placement="{packed,scattered}", n_gpus="int>=1",
         domain_size="int>=0", gpus_per_node="int>=1")
def calc_cross_domain_fraction(pattern, placement, n_gpus, domain_size, gpus_per_node=1):
    """Fraction of each accelerator's traffic that leaves its leaf (rack / rail group) of
    ``domain_size`` accelerators, i.e. crosses the oversubscribed tier.

    all_to_all, or a ring over a scattered placement: (N - N/r)/(N - 1) with r = ceil(N/D)
    domains (uniform partners); a ring over a packed (domain-contiguous) placement: each of the
    g parallel rings (one per NIC, as NCCL builds them) leaves a domain once, so g/D.
    Source: Dally & Towles (2004), section 3.3 (channel load of uniform traffic); NCCL's ring
    construction (one ring per NIC/rail; Jeaugey 2019, NVIDIA GTC talk 'NCCL 2.0').
    """
    if pattern not in PATTERNS:
        raise SpecError("pattern", pattern, "one of " + ", ".join(PATTERNS))
    if placement not in PLACEMENTS:
        raise SpecError("placement", placement, "one of " + ", ".join(PLACEMENTS))
    n, d = n_gpus, domain_size
    if n <= 1 or d <= 0 or n <= d:
        return 0.0
    r = math.ceil(n / d)
    if pattern == "ring" and placement == "packed":
        return min(1.0, gpus_per_node / d)
    return (n - n / r) / (n - 1)


@formula("byte/s", link_bandwidth="byte/s", oversubscription=">=1", cross_fraction="[0,1]")
def calc_oversubscribed_bandwidth(link_bandwidth, oversubscription, cross_fraction=1.0):
    """Per-accelerator bandwidth b / max(1, s f): a fraction f of the traffic shares uplinks
    provisioned at 1/s of the injection bandwidth. f = 1 (everything leaves the rack) and s = 2
    gives b/2: a 2:1 oversubscribed fat tree halves cross-rack bandwidth.
    Source: Al-Fares et al. (2008), SIGCOMM, section 2.1 (oversubscription).
    """
    return link_bandwidth / max(1.0, oversubscription * cross_fraction)
