"""The zoo: hardware, models, grids and systems as sourced data, loaded on first use."""
from __future__ import annotations

from types import MappingProxyType

from . import build
from ..errors import ZooError
from .loader import constant_files, load, parse_constants, read
from .registry import Registry, grouped, union

_cache: dict = {}


def _table(kind: str, builder, *deps):
    if kind not in _cache:
        raws = load(kind)
        _cache[kind] = {k: builder(r, *deps) for k, r in raws.items()}
        _cache[kind + ":aliases"] = {a: k for k, r in raws.items() for a in r.get("aliases", [])}
    return _cache[kind]


def _hardware():
    return _table("hardware", build.hardware)


def _grids():
    return _table("grids", build.grid)


def _nodes():
    return _table("nodes", build.node, _hardware())


def _fabrics():
    return _table("fabrics", build.fabric)


Hardware = Registry("Hardware", lambda: grouped(
    "Hardware", _hardware(), lambda h: h.tier, _cache["hardware:aliases"]))


class _ModelRegistry(Registry):
    """The Models registry, plus workloads built from a HuggingFace config.json."""

    @staticmethod
    def from_hf_config(path_or_dict, name=None):
        """A decoder-only transformer from its HF ``config.json`` (path or dict), offline; see zoo.hf."""
        from .hf import from_hf_config
        return from_hf_config(path_or_dict, name)


Models = _ModelRegistry("Models", lambda: grouped(
    "Models", _table("models", build.model), lambda m: m.family, _cache["models:aliases"]))

_Grids = Registry("Grids", lambda: (_grids(), {}, _cache["grids:aliases"]))
_Datacenters = Registry("Datacenters", lambda: (_table("datacenters", build.datacenter, _grids()), {}, {}))
Infra = Registry("Infra", lambda: union("Infra", {"Grids": _Grids, "Datacenters": _Datacenters}))

_Fabrics = Registry("Fabrics", lambda: (_fabrics(), {}, {}))
_Nodes = Registry("Nodes", lambda: (_nodes(), {}, {}))
_Clusters = Registry("Clusters", lambda: (_table("clusters", build.cluster, _nodes(), _fabrics(), _grids()), {}, {}))
Systems = Registry("Systems", lambda: union("Systems", {"Clusters": _Clusters, "Nodes": _Nodes,
                                                       "Fabrics": _Fabrics}))

class Constants:
    """Defaults and calibration figures from data/constants.toml, as floats in canonical units.

    ``constants().energy_idle_fraction``; ``constants().source("energy_idle_fraction")``.
    """

    def __init__(self, values: dict, sources: dict):
        self.__dict__.update(values)
        self.__dict__["_sources"] = MappingProxyType(dict(sources))

    def __setattr__(self, name, value):    # shared by every solver: read-only
        raise AttributeError(f"constants are read-only; cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"constants are read-only; cannot delete {name!r}")

    def source(self, name: str) -> str:
        if not isinstance(name, str) or name not in self._sources:
            from ..errors import SpecError
            raise SpecError("name", name, "the name of a constant, e.g. " + ", ".join(list(self._sources)[:5]) + ", ...")
        return self._sources[name]

    def names(self) -> list[str]:
        return list(self._sources)


def constants() -> Constants:
    if "constants" not in _cache:
        # constants.toml plus any constants.<topic>.toml (e.g. constants.walls.toml); a name in two is an error
        values, sources = {}, {}
        for name in constant_files():
            v, s = parse_constants(read(name), name)
            for dup in set(v) & set(values):
                raise ZooError(f"{name}: constant {dup!r} is already defined in another constants file")
            values.update(v)
            sources.update(s)
        _cache["constants"] = Constants(values, sources)
    return _cache["constants"]


__all__ = ["constants", "Hardware", "Models", "Infra", "Systems", "Registry"]
