"""Read the zoo's TOML files into frozen specs, refusing anything unsourced or unknown.

File format (one file per kind, see data/*.toml):

    [sources]
    nv-h100 = "NVIDIA H100 Tensor Core GPU datasheet (2023), https://..."

    [H100]                                   # the entry's key (attribute name)
    name = "NVIDIA H100 SXM5 80GB"           # strings need no source
    memory_bandwidth = [3.35, "TB/s", "nv-h100"]   # every number: [value, unit, source id]

Each schema below lists, per field, its dimension (a key of units_table) or "str"/"ref:<kind>"
or "bool" (a capability flag, written ``[true, "source id"]``: a flag carries its source too),
and whether it is required. Unknown or missing fields, unknown units, dimension mismatches,
negative numbers and source ids missing from [sources] are errors naming file, entry and field.
"""
from __future__ import annotations

import hashlib
import json
import math
import tomllib
from importlib import resources

from ..errors import ZooError
from .units_table import UNITS, allowed_units

REQ, OPT = True, False
SCHEMAS: dict[str, dict[str, tuple[str, bool]]] = {
    "hardware": {
        "name": ("str", REQ), "tier": ("str", REQ), "aliases": ("list", OPT),
        "release_year": ("year", OPT), "peak_flops": ("table:flop/s", REQ),
        "memory_capacity": ("byte", REQ), "memory_bandwidth": ("byte/s", REQ),
        "sram_capacity": ("byte", OPT), "sram_bandwidth": ("byte/s", OPT),
        "tdp": ("W", REQ), "dispatch_tax": ("s", REQ), "unit_cost": ("USD", OPT),
        "interconnect": ("str", OPT), "interconnect_bandwidth": ("byte/s", OPT),
        "interconnect_latency": ("s", OPT), "note": ("str", OPT),
    },
    "models": {
        "name": ("str", REQ), "family": ("str", REQ), "architecture": ("str", REQ),
        "aliases": ("list", OPT), "parameters": ("count", REQ), "inference_flops": ("flop", OPT),
        "layers": ("count", OPT), "hidden_dim": ("count", OPT), "heads": ("count", OPT),
        "kv_heads": ("count", OPT), "active_parameters": ("count", OPT), "experts": ("count", OPT),
        "experts_per_token": ("count", OPT), "training_tokens": ("count", OPT),
        "head_size": ("count", OPT), "kv_lora_rank": ("count", OPT), "qk_rope_head_dim": ("count", OPT),
        "sliding_window": ("count", OPT), "sliding_window_layers": ("count", OPT),
        "activation_bytes": ("byte", OPT), "model_size": ("byte", OPT), "note": ("str", OPT),
    },
    "grids": {
        "name": ("str", REQ), "aliases": ("list", OPT), "carbon_intensity": ("g/kWh", REQ),
        "pue": ("1", REQ), "wue": ("L/kWh", REQ), "primary_source": ("str", OPT),
        "renewable_share": ("1", OPT), "note": ("str", OPT),
    },
    "datacenters": {
        "name": ("str", REQ), "grid": ("ref:grids", REQ), "pue": ("1", OPT), "wue": ("L/kWh", OPT),
        "note": ("str", OPT),
    },
    "fabrics": {
        "name": ("str", REQ), "bandwidth": ("byte/s", REQ), "latency": ("s", REQ),
        "oversubscription": ("1", OPT), "topology": ("str", OPT), "note": ("str", OPT),
        "nccl_latency": ("s", OPT), "sharp": ("bool", OPT),
    },
    "nodes": {
        "name": ("str", REQ), "accelerator": ("ref:hardware", REQ),
        "accelerators_per_node": ("count", REQ), "intra_node_bandwidth": ("byte/s", REQ),
        "intra_node_latency": ("s", REQ), "nics_per_node": ("count", OPT),
        "psus_per_node": ("count", OPT), "note": ("str", OPT), "nvls": ("bool", OPT),
    },
    "clusters": {
        "name": ("str", REQ), "node": ("ref:nodes", REQ), "nodes": ("count", REQ),
        "fabric": ("ref:fabrics", REQ), "region": ("ref:grids", OPT), "note": ("str", OPT),
    },
}


class Raw(dict):
    """One entry's fields in canonical units, plus ``sources``: field -> citation."""

    def __init__(self, key: str, fields: dict, sources: dict):
        super().__init__(fields)
        self.key, self.sources = key, sources


def _number(path: str, value, dimension: str, sources: dict) -> tuple[float, str]:
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[1], str)
            and isinstance(value[2], str) and isinstance(value[0], (int, float))
            and not isinstance(value[0], bool)):
        raise ZooError(f"{path}: expected [value, unit, source id], got {value!r} "
                       "(every number in the zoo carries its unit and its source)")
    v, unit, src = value
    dim, factor = UNITS.get(unit, (None, 0.0))
    if dim != dimension:
        raise ZooError(f"{path}: unit {unit!r} is not one of {allowed_units(dimension)}")
    if not math.isfinite(v) or v < 0:
        raise ZooError(f"{path}: value {v!r} must be finite and >= 0")
    if src not in sources:
        raise ZooError(f"{path}: source id {src!r} is not defined in [sources]")
    return v * factor, sources[src]


def _flag(path: str, value, sources: dict) -> tuple[bool, str]:
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], bool)
            and isinstance(value[1], str)):
        raise ZooError(f"{path}: expected [true or false, source id], got {value!r} "
                       "(a capability flag carries its source like every number)")
    if value[1] not in sources:
        raise ZooError(f"{path}: source id {value[1]!r} is not defined in [sources]")
    return value[0], sources[value[1]]


# The labs site's wheel carries every data file already parsed (build_wasm.build_wheel writes
# parsed_copies() there): the browser's tomllib is pure Python compiled to WebAssembly, and parsing
# the zoo's files took ~0.2 s of each lab's start-up (profiled in Chromium, lab II.9). A copy is
# used only for the exact text it was made from (its sha256), so an edited file is parsed afresh.
PARSED_FILE = "_parsed.json"
_parsed: dict | None = None


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def toml_doc(text: str, filename: str) -> dict:
    """``tomllib.loads(text)`` (a ZooError naming ``filename`` if it is not TOML), from the parsed
    copy when one was made from this very text."""
    global _parsed
    if _parsed is None:
        try:
            _parsed = json.loads(resources.files("mlsysim_core.zoo").joinpath("data", PARSED_FILE)
                                 .read_text(encoding="utf-8"))
        except (OSError, ValueError):  # a source checkout: no copies
            _parsed = {}
    kept = _parsed.get(filename)
    if kept is not None and kept[0] == _text_key(text):
        return json.loads(kept[1])  # a fresh document each time: parse() pops its [sources]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ZooError(f"{filename}: not valid TOML: {e}") from None


def parsed_copies() -> str:
    """PARSED_FILE's text: {file name: [sha256 of its text, its document as JSON]} for each data
    file whose document JSON gives back exactly (TOML dates, say, would not: they are left out)."""
    out = {}
    for f in sorted(resources.files("mlsysim_core.zoo").joinpath("data").iterdir(), key=lambda f: f.name):
        if f.name.endswith(".toml"):
            text = f.read_text(encoding="utf-8")
            doc = tomllib.loads(text)
            try:
                dumped = json.dumps(doc, allow_nan=False)
            except (TypeError, ValueError):
                continue
            if json.loads(dumped) == doc:
                out[f.name] = [_text_key(text), dumped]
    return json.dumps(out, sort_keys=True)


def parse(kind: str, text: str, filename: str) -> dict[str, Raw]:
    """Parse and check one zoo file; returns key -> Raw (references left as keys)."""
    doc = toml_doc(text, filename)
    sources = doc.pop("sources", None)
    if not isinstance(sources, dict) or not sources:
        raise ZooError(f"{filename}: a [sources] table of id = citation is required")
    schema = SCHEMAS[kind]
    out: dict[str, Raw] = {}
    for key, entry in doc.items():
        if not isinstance(entry, dict):
            raise ZooError(f"{filename}: [{key}] must be a table")
        unknown = set(entry) - set(schema)
        if unknown:
            raise ZooError(f"{filename}: [{key}] has unknown field(s) {sorted(unknown)}; "
                           f"allowed: {sorted(schema)}")
        missing = [f for f, (_, req) in schema.items() if req and f not in entry]
        if missing:
            raise ZooError(f"{filename}: [{key}] is missing required field(s) {missing}")
        fields, cites = {}, {}
        for f, value in entry.items():
            dim, _ = schema[f]
            path = f"{filename}: [{key}].{f}"
            if dim == "str" or dim.startswith("ref:"):
                if not isinstance(value, str):
                    raise ZooError(f"{path}: expected a string, got {value!r}")
                fields[f] = value
            elif dim == "bool":
                fields[f], cites[f] = _flag(path, value, sources)
            elif dim == "list":
                if not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
                    raise ZooError(f"{path}: expected a list of strings")
                fields[f] = value
            elif dim.startswith("table:"):
                if not isinstance(value, dict) or not value:
                    raise ZooError(f"{path}: expected a table of precision = [value, unit, source]")
                fields[f] = {}
                for sub, v in value.items():
                    fields[f][sub], cites[f"{f}.{sub}"] = _number(f"{path}.{sub}", v, dim[6:], sources)
            else:
                fields[f], cites[f] = _number(path, value, dim, sources)
        out[key] = Raw(key, fields, cites)
    return out


def parse_constants(text: str, filename: str) -> tuple[dict[str, float], dict[str, str]]:
    """A flat file of ``name = [value, unit, source id]``: defaults and calibration figures."""
    doc = toml_doc(text, filename)
    sources = doc.pop("sources", None)
    if not isinstance(sources, dict) or not sources:
        raise ZooError(f"{filename}: a [sources] table of id = citation is required")
    values, cites = {}, {}
    for key, value in doc.items():
        unit = value[1] if isinstance(value, list) and len(value) == 3 else None
        dim = UNITS.get(unit, ("1", 0))[0] if isinstance(unit, str) else "1"
        values[key], cites[key] = _number(f"{filename}: {key}", value, dim, sources)
    return values, cites


def read(name: str) -> str:
    return resources.files("mlsysim_core.zoo").joinpath("data", name).read_text(encoding="utf-8")


def _group_files(kind: str) -> list[str]:
    data = resources.files("mlsysim_core.zoo").joinpath("data")
    return [f"{kind}.toml"] + sorted(p.name for p in data.iterdir()
                                     if p.name.startswith(f"{kind}.") and p.name.endswith(".toml")
                                     and p.name != f"{kind}.toml")


def constant_files() -> list[str]:
    return _group_files("constants")


def load(kind: str) -> dict[str, Raw]:
    """``data/<kind>.toml`` plus any ``data/<kind>.<group>.toml`` (e.g. hardware.blackwell.toml), in
    name order; an entry key defined in two files is an error naming both."""
    names = _group_files(kind)
    merged: dict[str, Raw] = {}
    where: dict[str, str] = {}
    for name in names:
        for key, raw in parse(kind, read(name), name).items():
            if key in merged:
                raise ZooError(f"{name}: entry [{key}] is already defined in {where[key]}")
            merged[key], where[key] = raw, name
    return merged
