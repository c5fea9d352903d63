"""Turn checked zoo entries (loader.Raw) into frozen specs, resolving references."""
from __future__ import annotations

from types import MappingProxyType

from ..errors import ZooError
from ..specs import (CNNWorkload, ComputeCore, Datacenter, Fleet, GridProfile, HardwareNode,
                     Interconnect, MemoryHierarchy, MoEWorkload, NetworkFabric, Node,
                     TransformerWorkload, Workload)
from ..units import PRECISIONS

_INT = int


def hardware(r) -> HardwareNode:
    flops = r["peak_flops"]
    bad = set(flops) - set(PRECISIONS)
    if bad:
        raise ZooError(f"hardware.toml: [{r.key}].peak_flops: unknown precision(s) {sorted(bad)}; "
                       f"allowed: {list(PRECISIONS)}")
    default = "fp16" if "fp16" in flops else ("bf16" if "bf16" in flops else next(iter(flops)))
    link = None
    if "interconnect_bandwidth" in r:
        link = Interconnect(r.get("interconnect", "link"), r["interconnect_bandwidth"],
                            r.get("interconnect_latency", 0.0))
    year = r.get("release_year")
    return HardwareNode(
        name=r["name"], key=r.key, tier=r["tier"],
        compute=ComputeCore(MappingProxyType(dict(flops)), default),
        memory=MemoryHierarchy(r["memory_capacity"], r["memory_bandwidth"],
                               r.get("sram_capacity", 0.0), r.get("sram_bandwidth", 0.0)),
        tdp_w=r["tdp"], dispatch_tax_s=r["dispatch_tax"], unit_cost_usd=r.get("unit_cost"),
        release_year=None if year is None else _INT(year), interconnect=link, sources=MappingProxyType(dict(r.sources)))


def model(r) -> Workload:
    arch = r["architecture"]
    common = dict(name=r["name"], key=r.key, family=r["family"], parameters_count=r["parameters"],
                  layers=_opt_int(r, "layers"), sources=MappingProxyType(dict(r.sources)))
    if arch in ("transformer", "moe"):
        for f in ("layers", "hidden_dim", "heads"):
            if f not in r:
                raise ZooError(f"models.toml: [{r.key}] is a {arch} and needs field {f!r}")
        active = r.get("active_parameters", r["parameters"])
        t = dict(common, inference_flop=r.get("inference_flops", 2.0 * active),
                 hidden_dim=_INT(r["hidden_dim"]), heads=_INT(r["heads"]),
                 kv_heads=_opt_int(r, "kv_heads"), training_tokens=r.get("training_tokens"),
                 head_size=_opt_int(r, "head_size"),
                 **{f: _INT(r.get(f, 0)) for f in ("kv_lora_rank", "qk_rope_head_dim", "sliding_window",
                                                    "sliding_window_layers")})
        if arch == "transformer":
            return TransformerWorkload(**t)
        if "active_parameters" not in r or "experts" not in r:
            raise ZooError(f"models.toml: [{r.key}] is a moe and needs active_parameters and experts")
        return MoEWorkload(**t, active_parameters=active, experts=_INT(r["experts"]),
                           experts_per_token=_INT(r.get("experts_per_token", 1)))
    if "inference_flops" not in r and "model_size" not in r:
        raise ZooError(f"models.toml: [{r.key}] needs inference_flops (or model_size)")
    cls = {"cnn": CNNWorkload, "workload": Workload, "mlp": Workload}.get(arch)
    if cls is None:
        raise ZooError(f"models.toml: [{r.key}].architecture={arch!r}; allowed: transformer, moe, "
                       "cnn, mlp, workload")
    return cls(**common, inference_flop=r.get("inference_flops", 2.0 * r["parameters"]),
               activation_bytes_per_sample=r.get("activation_bytes"), model_size_bytes=r.get("model_size"))


def grid(r) -> GridProfile:
    return GridProfile(r["name"], r.key, r["carbon_intensity"], r["pue"], r["wue"],
                       r.get("primary_source", ""), r.get("renewable_share"), MappingProxyType(dict(r.sources)))


def datacenter(r, grids) -> Datacenter:
    return Datacenter(r["name"], r.key, _ref(grids, r, "grid"), r.get("pue"), r.get("wue"), MappingProxyType(dict(r.sources)))


def fabric(r) -> NetworkFabric:
    return NetworkFabric(r["name"], r.key, r["bandwidth"], r["latency"], r.get("oversubscription", 1.0),
                         r.get("topology", "fat-tree"), MappingProxyType(dict(r.sources)),
                         nccl_latency_s=r.get("nccl_latency"), sharp=r.get("sharp", False))


def node(r, hw) -> Node:
    return Node(r["name"], r.key, _ref(hw, r, "accelerator"), _INT(r["accelerators_per_node"]),
                r["intra_node_bandwidth"], r["intra_node_latency"], _INT(r.get("nics_per_node", 1)),
                _INT(r.get("psus_per_node", 2)), MappingProxyType(dict(r.sources)), nvls=r.get("nvls", False))


def cluster(r, nodes, fabrics, grids) -> Fleet:
    region = _ref(grids, r, "region") if "region" in r else None
    return Fleet(r["name"], r.key, _ref(nodes, r, "node"), _INT(r["nodes"]), _ref(fabrics, r, "fabric"),
                 region, MappingProxyType(dict(r.sources)))


def _ref(table: dict, r, field: str):
    key = r[field]
    if key not in table:
        raise ZooError(f"[{r.key}].{field} = {key!r} names no entry; known: {sorted(table)}")
    return table[key]


def _opt_int(r, f):
    return _INT(r[f]) if f in r else None
