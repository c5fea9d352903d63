"""The command line's ``walls`` and ``zoo`` subcommands: catalogue listings that print no solver
result. The walls and the zoo are imported inside the subcommands, as everywhere in the command line."""
from __future__ import annotations

import json

from ._cli_values import _jsonable, _number
from .terminal import render, terminal_math


def _walls_module():
    try:
        from . import walls
    except ImportError:
        return None
    return walls


def _wall_row(w) -> dict:
    solver = getattr(w, "solver", None)
    return {"number": getattr(w, "number", None), "name": getattr(w, "name", None),
            "domain": getattr(w, "domain", None), "equation": getattr(w, "equation", None),
            "solver": getattr(solver, "__name__", None if solver is None else str(solver))}


def _walls(a, out):
    from .errors import MLSysError, SpecError
    mod = _walls_module()
    if mod is None or not hasattr(mod, "WALLS"):
        raise MLSysError("the walls catalogue (mlsysim_core.walls) is not part of this installation")
    walls = list(mod.WALLS)
    if a.number is None:
        rows = [_wall_row(w) for w in walls]
        if a.json:
            return out(json.dumps({"walls": rows}, indent=2, ensure_ascii=False))
        for r in rows:
            out(f"{r['number']:>2}  {r['name']:<22} {r['domain'] or '':<14} {r['solver'] or ''}")
        return None
    match = [w for w in walls if getattr(w, "number", None) == a.number]
    if not match:
        numbers = [getattr(w, "number", None) for w in walls]
        raise SpecError("number", a.number, f"a wall number from {min(numbers)} to {max(numbers)}")
    w = match[0]
    row = _wall_row(w)
    result = w.example() if callable(getattr(w, "example", None)) else None
    if a.json:
        if result is not None and hasattr(result, "raw"):
            row["example"] = _jsonable(result.raw())
        return out(json.dumps(row, indent=2, ensure_ascii=False))
    out(f"Wall {row['number']}: {row['name']} ({row['domain']})")
    if row["equation"]:
        out("  " + terminal_math(str(row["equation"])))
    if row["solver"]:
        out(f"  solver: {row['solver']}")
    if result is not None and hasattr(result, "explain"):
        out("")
        out("Example:")
        out(render(result.explain()))
    return None


_KINDS = ("hardware", "models", "grids", "datacenters", "clusters", "nodes", "fabrics")
# dimension of a zoo field (loader.SCHEMAS) -> the canonical unit its value is stored in
_CANON = {"flop/s": "FLOP/s", "flop": "FLOP", "byte": "B", "byte/s": "B/s", "W": "W", "s": "s",
          "hour": "h", "year": "", "USD": "USD", "USD/hour": "USD/h", "USD/kWh": "USD/kWh", "count": "",
          "g/kWh": "g/kWh", "L/kWh": "L/kWh", "1": ""}


def _registry(kind: str):
    from . import zoo
    return {"hardware": zoo.Hardware, "models": zoo.Models, "grids": zoo.Infra.Grids,
            "datacenters": zoo.Infra.Datacenters, "clusters": zoo.Systems.Clusters,
            "nodes": zoo.Systems.Nodes, "fabrics": zoo.Systems.Fabrics}[kind]


def _zoo(a, out):
    from .errors import SpecError
    from .fmt import si
    if a.action == "list":
        kinds = _KINDS if a.name is None else (a.name,)
        for k in kinds:
            if k not in _KINDS:
                raise SpecError("kind", k, "one of " + ", ".join(_KINDS))
        listing = {k: {key: getattr(v, "name", key) for key, v in zip(_registry(k).names(), _registry(k))}
                   for k in kinds}
        if a.json:
            return out(json.dumps(listing, indent=2, ensure_ascii=False))
        for k, entries in listing.items():
            out(f"{k} ({len(entries)}):")
            for key, name in entries.items():
                out(f"  {key:<22} {name}")
        return None
    if a.name is None:
        raise SpecError("name", None, "a zoo entry to show, e.g. `mlsysim-core zoo show H100`")
    from .zoo.loader import SCHEMAS, load
    kinds = _KINDS if a.kind is None else (a.kind,)
    for k in kinds:
        if k not in _KINDS:
            raise SpecError("--kind", k, "one of " + ", ".join(_KINDS))
        reg = _registry(k)
        if a.name in reg:
            key = reg.get(a.name).key
            raw = load(k)[key]
            break
    else:
        raise SpecError("name", a.name, "an entry of the zoo (see `mlsysim-core zoo list`)")
    schema = SCHEMAS[k]
    fields, units = {}, {}
    for f, v in raw.items():
        if isinstance(v, dict):   # peak_flops: precision -> value
            for sub, x in v.items():
                fields[f"{f}.{sub}"], units[f"{f}.{sub}"] = x, _CANON.get(schema[f][0][6:], "")
        else:
            fields[f] = v
            units[f] = _CANON.get(schema[f][0], "")
    if a.json:
        return out(json.dumps({"kind": k, "key": key, "fields": _jsonable(fields),
                               "sources": dict(raw.sources)}, indent=2, ensure_ascii=False))
    out(f"{k} [{key}]")
    for f, v in fields.items():
        dim = schema.get(f.split(".")[0], ("str",))[0]
        if not isinstance(v, float):
            shown = str(v)
        elif dim == "year":
            shown = f"{v:.0f}"
        elif dim in ("count", "1") or units[f] in ("h", "g/kWh", "L/kWh", "USD/kWh", "USD/h", "USD"):
            shown = f"{si(v, '') if dim == 'count' and v >= 1e6 else _number(v)} {units[f]}".strip()
        else:
            shown = si(v, units[f])
        src = raw.sources.get(f)
        out(f"  {f:<24} {shown}")
        if src:
            out(f"      source: {src}")
    return None
