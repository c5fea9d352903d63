"""``mlsysim-core``: the engine from a terminal or a script.

    mlsysim-core serve --model Llama3_70B --hardware H100 --seq-len 4096
    mlsysim-core serve --model path/to/config.json --hardware H100 --json
    python -m mlsysim_core zoo show H100

Each subcommand calls one solver with the arguments given and prints its ``explain()`` rendered
for a terminal (the equations in plain text, the numbers substituted), or with ``--json`` one JSON
object: the result's fields and their raw values. Bad input prints one line ``error: <message>``
and exits with status 2.

Start-up matters (a shell loop may call this thousands of times): only argparse and json are
imported here at module level; solvers, the zoo and the walls are imported inside the subcommand
that needs them, and nothing heavy (altair, marimo) ever is.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys

JSON_HELP = ("print one JSON object instead: keys are the result's field names, numbers are in SI "
             "base units (s, B, FLOP, FLOP/s, B/s, W, J, USD; fractions as 0..1) except where the "
             "field name carries its unit (e.g. total_energy_kwh, carbon_footprint_kg, "
             "duration_hours, best_memory_per_accelerator_gb, step_time_ms); inf/NaN print as null")

_EPILOG = """Output: the solver's explanation (equations with the numbers substituted); --json for
machines. Names are zoo keys or aliases (see `mlsysim-core zoo list`); --model also takes a
path to a HuggingFace config.json (read offline). Exit status 2 on bad input."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``error: ...``, exit 2) instead of usage + message."""

    def error(self, message):  # noqa: D401  (argparse hook)
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


class _Fmt(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    pass


# ---------------------------------------------------------------- argument resolution

def _model(name: str):
    """A zoo model by key/alias/display name, or a workload built from a config.json path."""
    if name.endswith(".json") or os.sep in name or (os.path.exists(name) and os.path.isfile(name)):
        from .zoo.hf import from_hf_config
        return from_hf_config(name)
    from .zoo import Models
    return Models.get(name)


def _hardware(name: str):
    from .zoo import Hardware
    return Hardware.get(name)


def _fleet(args):
    """A cluster (``--fleet``) or ``--count`` bare accelerators (``--hardware``)."""
    from .errors import SpecError
    if getattr(args, "fleet", None):
        from .zoo import Systems
        return Systems.Clusters.get(args.fleet), None
    if getattr(args, "hardware", None):
        return _hardware(args.hardware), args.count
    raise SpecError("--fleet", None, "a cluster from `mlsysim-core zoo list clusters`, or --hardware NAME --count N")


def _what(fleet, n) -> str:
    return fleet.name if n is None else f"{n} x {fleet.name}"


# ---------------------------------------------------------------- subcommands

def _roofline(a):
    from .solvers.engine import Engine
    m, hw = _model(a.model), _hardware(a.hardware)
    r = Engine.solve(m, hw, batch_size=a.batch_size, precision=a.precision, efficiency=a.efficiency,
                     is_training=a.training, seq_len=a.seq_len)
    return (f"Roofline: {m.name} on {hw.name} ({'training' if a.training else 'inference'}, "
            f"batch {a.batch_size}, {a.precision})", r,
            ("latency", "throughput", "bottleneck", "arithmetic_intensity", "ridge_point",
             "memory_footprint", "feasible", "mfu", "energy"))


def _serve(a):
    from .solvers.serving import ServingModel
    m, hw = _model(a.model), _hardware(a.hardware)
    r = ServingModel().solve(m, hw, seq_len=a.seq_len, batch_size=a.batch_size, precision=a.precision,
                             efficiency=a.efficiency, output_tokens=a.output_tokens,
                             kv_precision=a.kv_precision, tp_size=a.tp)
    return (f"Serving: {m.name} on {a.tp} x {hw.name} (context {a.seq_len}, batch {a.batch_size}, "
            f"{a.precision})", r,
            ("ttft", "itl", "decode_throughput", "kv_cache_size", "model_weights_size",
             "total_memory_required", "memory_capacity", "feasible", "memory_utilization"))


def _train(a):
    from .solvers.distributed import DistributedModel
    from .zoo import Systems
    m, fleet = _model(a.model), Systems.Clusters.get(a.fleet)
    r = DistributedModel().solve(m, fleet, batch_size=a.batch_size, precision=a.precision,
                                 efficiency=a.efficiency, tp_size=a.tp, pp_size=a.pp, ep_size=a.ep,
                                 microbatch_count=a.microbatches, v_stages=a.v_stages,
                                 overlap_comm=a.overlap, zero_stage=a.zero_stage,
                                 activation_recomputation=a.recompute, seq_len=a.seq_len,
                                 dp_algorithm=a.dp_algorithm)
    return (f"Training step: {m.name} on {fleet.name} (global batch {a.batch_size}, {a.precision})", r,
            ("step_latency_total", "scaling_efficiency", "mfu", "bubble_fraction",
             "memory_per_accelerator", "feasible", "tokens_per_second"))


def _search(a):
    from .solvers.optimizer import ParallelismOptimizer
    from .zoo import Systems
    m, fleet = _model(a.model), Systems.Clusters.get(a.fleet)
    r = ParallelismOptimizer().solve(m, fleet, a.batch_size, precision=a.precision,
                                     efficiency=a.efficiency, seq_len=a.seq_len,
                                     zero_stage=tuple(a.zero_stage), objective=a.objective,
                                     top_k=a.top_k, max_step_time=a.max_step_time)
    return (f"Parallelism search: {m.name} on {fleet.name} (global batch {a.batch_size})", r,
            ("feasible", "best_config", "best_step_time", "best_mfu", "best_scaling_efficiency",
             "search_space_size", "feasible_count"))


def _tco(a):
    from .solvers.economics import EconomicsModel
    fleet, n = _fleet(a)
    r = EconomicsModel().solve(fleet, a.days, kwh_price=a.kwh_price, datacenter=a.region, mfu=a.mfu,
                               utilization=a.utilization, unit_cost=a.unit_cost, n_accelerators=n)
    return (f"Total cost of ownership: {_what(fleet, n)} for {a.days:g} days", r,
            ("tco_usd", "capex_usd", "total_opex_usd", "opex_energy_usd", "cost_per_gpu_hour",
             "total_energy_kwh", "carbon_footprint_kg"))


def _carbon(a):
    from .solvers.sustainability import SustainabilityModel
    fleet, n = _fleet(a)
    r = SustainabilityModel().solve(fleet, a.days, datacenter=a.region, mfu=a.mfu, pue=a.pue,
                                    n_accelerators=n)
    return (f"Energy, carbon and water: {_what(fleet, n)} for {a.days:g} days", r,
            ("total_energy_kwh", "carbon_footprint_kg", "water_usage_liters", "pue", "region_name"))


def _reliability(a):
    from .solvers.reliability import ReliabilityModel
    fleet, n = _fleet(a)
    r = ReliabilityModel().solve(fleet, a.hours, checkpoint_time_s=a.checkpoint_s,
                                 component_mtbf_hours=a.mtbf_hours, checkpoint_interval_s=a.interval_s,
                                 n_accelerators=n)
    return (f"Reliability: {_what(fleet, n)}, a {a.hours:g} h job", r,
            ("fleet_mtbf", "failure_probability", "expected_failures", "optimal_checkpoint_interval",
             "goodput_ratio"))


# ---------------------------------------------------------------- walls and zoo (no solver result)

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


# ---------------------------------------------------------------- rendering

def _jsonable(v):
    """Raw result values as JSON: finite floats stay, inf/NaN -> null, specs -> their name."""
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "magnitude"):   # a Quantity: SI base units
        return _jsonable(float(v.to_base_units().magnitude))
    return getattr(v, "name", None) or str(v)


_SYMBOLS = {
    "times": " × ", "cdot": " · ", "le": " ≤ ", "leq": " ≤ ", "ge": " ≥ ", "geq": " ≥ ",
    "approx": " ≈ ", "ne": " ≠ ", "neq": " ≠ ", "to": " → ", "rightarrow": " → ", "infty": "∞", "sum": "Σ", "prod": "Π",
    "pm": "±", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊", "rfloor": "⌋", "mid": "|", "partial": "∂",
    "left": "", "right": "", "big": "", "Big": "", "quad": "  ", "qquad": "    ", "displaystyle": "",
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "%": "%", "_": "_", "{": "{", "}": "}",
    "$": "$", "&": "&", "#": "#", "\\": " ",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
    "varepsilon": "ε", "eta": "η", "theta": "θ", "lambda": "λ", "Lambda": "Λ", "mu": "μ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "Sigma": "Σ", "tau": "τ", "phi": "φ", "varphi": "φ", "omega": "ω",
    "Omega": "Ω", "nu": "ν", "kappa": "κ", "chi": "χ", "psi": "ψ", "xi": "ξ", "zeta": "ζ",
}
_TEXT = {"text", "mathrm", "textrm", "mathit", "mathbf", "textbf", "textit", "operatorname", "mathsf",
         "boldsymbol", "mathcal", "mbox"}
_CMD = re.compile(r"\\([A-Za-z]+|.)")
_SIMPLE = re.compile(r"^[\w.·^√⁰-⁹]+$")


def _group(s: str, i: int) -> tuple[str, int]:
    """The next argument of a command: a {braced group} or a single token."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] == "{":
        depth, j = 0, i
        while j < len(s):
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            if depth == 0:
                return s[i + 1:j], j + 1
            j += 1
        return s[i + 1:], len(s)
    m = _CMD.match(s, i) if s[i] == "\\" else None
    return (m.group(0), m.end()) if m else (s[i], i + 1)


def _wrap(x: str) -> str:
    return x if _SIMPLE.match(x) else f"({x})"


def terminal_math(tex: str) -> str:
    """LaTeX as plain text: ``\\frac{a}{b}`` -> ``a / b``, ``\\times`` -> ``×``, ``\\text{X}`` -> X."""
    out, i = [], 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            m = _CMD.match(tex, i)
            name, i = m.group(1), m.end()
            if name in ("frac", "dfrac", "tfrac"):
                num, i = _group(tex, i)
                den, i = _group(tex, i)
                # sentinels mark the fraction so a juxtaposed factor gets an explicit "·" below
                out.append(f"\x01{_wrap(terminal_math(num).strip())} / {_wrap(terminal_math(den).strip())}\x02")
            elif name in _TEXT:
                arg, i = _group(tex, i)
                out.append(arg.replace("\\", ""))
            elif name == "sqrt":
                arg, i = _group(tex, i)
                out.append("√" + _wrap(terminal_math(arg).strip()))
            else:
                out.append(_SYMBOLS.get(name, name))
        elif c in "^_" and tex[i + 1:i + 2] == "{":
            arg, i = _group(tex, i + 1)    # e^{-T/M} -> e^(-T/M); T_{step} -> T_step
            out.append(c + _wrap(terminal_math(arg).strip()))
        elif c in "{}":
            i += 1
        elif c == "~":
            out.append(" ")
            i += 1
        else:
            out.append(c)
            i += 1
    text = "".join(out)
    text = re.sub(r"\x02\s*(?=[\w(\x01√])", " · ", text)
    text = re.sub(r"(?<=[\w)])\s*\x01", " · ", text)
    return re.sub(r" {2,}", " ", text.replace("\x01", "").replace("\x02", ""))


_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.S)


def render(markdown: str) -> str:
    """A result's ``explain()`` (Markdown + LaTeX) for a terminal: no $, no &nbsp;, no **."""
    text = _MATH.sub(lambda m: terminal_math(m.group(1)), markdown)
    text = text.replace("\\$", "$").replace("&nbsp;", " ")
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(\S.*?)\*(?![\w*])", r"\1", text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def _value(result, name: str) -> str:
    v = result[name]
    if hasattr(v, "magnitude"):
        return f"{_number(float(v.magnitude))} {v.units:~P}"
    if isinstance(v, float):
        return _number(v)
    return str(v)


def _number(v: float) -> str:
    return f"{v:,.0f}" if 1e4 <= abs(v) < 1e15 else f"{v:.4g}"


# ---------------------------------------------------------------- parser

def _common(p, *, model=True, hardware=True, batch=1, seq=2048):
    if model:
        p.add_argument("--model", required=True,
                       help="zoo model (e.g. Llama3_70B) or path to a HuggingFace config.json")
    if hardware:
        p.add_argument("--hardware", required=True, help="zoo accelerator (e.g. H100)")
    p.add_argument("--batch-size", type=int, default=batch, help="batch size (sequences or samples)")
    p.add_argument("--precision", default="fp16", help="fp32, tf32, bf16, fp16, fp8, int8, fp6, fp4, int4")
    p.add_argument("--efficiency", type=float, default=0.5, help="achieved fraction of peak FLOP/s, in (0, 1]")
    p.add_argument("--seq-len", type=int, default=seq, help="sequence (context) length in tokens")


def _fleet_args(p):
    p.add_argument("--fleet", help="zoo cluster (e.g. H100_64, Research_256)")
    p.add_argument("--hardware", help="instead of --fleet: a zoo accelerator, with --count")
    p.add_argument("--count", type=int, default=None, help="accelerators, with --hardware (default 1)")


def _sub(subs, name, help_, example, fn):
    p = subs.add_parser(name, help=help_, description=f"{help_}\n\nexample:\n  {example}",
                        epilog=_EPILOG, formatter_class=_Fmt)
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(fn=fn)
    return p


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="mlsysim-core", formatter_class=_Fmt,
                  description="First-principles ML systems answers from the command line "
                              "(the mlsysim_core engine).\n\nexamples:\n"
                              "  mlsysim-core serve --model Llama3_70B --hardware H100 --seq-len 4096\n"
                              "  mlsysim-core train --model Llama3_70B --fleet H100_64 --batch-size 256 "
                              "--tp 8 --pp 4 --microbatches 16 --json\n"
                              "  mlsysim-core zoo show H100",
                  epilog=_EPILOG)
    from . import __version__
    top.add_argument("--version", action="version", version=f"mlsysim-core {__version__}")
    subs = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = _sub(subs, "roofline", "single-accelerator roofline: latency, bottleneck, intensity",
             "mlsysim-core roofline --model ResNet50 --hardware A100 --batch-size 32", _roofline)
    _common(p)
    p.add_argument("--training", action="store_true", help="a training step instead of inference")

    p = _sub(subs, "serve", "LLM serving: TTFT, ITL, KV cache and whether it fits",
             "mlsysim-core serve --model Llama3_70B --hardware H100 --seq-len 4096 --tp 4", _serve)
    _common(p)
    p.add_argument("--output-tokens", type=int, default=0, help="tokens generated per request (0: none)")
    p.add_argument("--kv-precision", default=None, help="KV-cache precision (default: --precision)")
    p.add_argument("--tp", type=int, default=1, help="tensor-parallel accelerators in one node")

    p = _sub(subs, "train", "one step of 4D-parallel (DP x TP x PP x EP) training on a cluster",
             "mlsysim-core train --model Llama3_70B --fleet H100_64 --batch-size 256 --tp 8 --pp 4 "
             "--microbatches 16", _train)
    _common(p, hardware=False)
    p.add_argument("--fleet", required=True, help="zoo cluster (e.g. H100_64)")
    for flag, h in (("--tp", "tensor-parallel size"), ("--pp", "pipeline-parallel stages"),
                    ("--ep", "expert-parallel size"), ("--microbatches", "microbatches per step"),
                    ("--v-stages", "virtual stages per pipeline rank (interleaving)")):
        p.add_argument(flag, type=int, default=1, help=h)
    p.add_argument("--zero-stage", type=int, default=0, choices=(0, 1, 2, 3), help="ZeRO stage")
    p.add_argument("--recompute", action="store_true", help="full activation recomputation")
    p.add_argument("--overlap", action="store_true", help="overlap the DP all-reduce with backward")
    p.add_argument("--dp-algorithm", default="auto", help="auto, ring, tree or hierarchical")

    p = _sub(subs, "search", "parallelism optimizer: the fastest plans that fit in memory",
             "mlsysim-core search --model Llama3_70B --fleet H100_64 --batch-size 256 --top-k 3", _search)
    _common(p, hardware=False, batch=256)
    p.add_argument("--fleet", required=True, help="zoo cluster (e.g. H100_64)")
    p.add_argument("--objective", default="throughput", help="throughput, mfu or memory")
    p.add_argument("--top-k", type=int, default=5, help="candidate plans to report")
    p.add_argument("--zero-stage", type=int, nargs="+", default=[0], choices=(0, 1, 2, 3),
                   help="ZeRO stages to search")
    p.add_argument("--max-step-time", type=float, default=None, help="step-time limit in seconds")

    p = _sub(subs, "tco", "total cost of ownership of a fleet over a period",
             "mlsysim-core tco --fleet H100_256 --days 365 --region Quebec", _tco)
    _fleet_args(p)
    p.add_argument("--days", type=float, default=365.0, help="period in days")
    p.add_argument("--region", default=None, help="zoo grid or datacenter (default: the fleet's, else US_Average)")
    p.add_argument("--kwh-price", type=float, default=None, help="USD per kWh (default: the zoo's)")
    p.add_argument("--mfu", type=float, default=None, help="utilisation setting the power draw (default: full TDP)")
    p.add_argument("--utilization", type=float, default=None, help="fraction of hours used, for cost per GPU-hour")
    p.add_argument("--unit-cost", type=float, default=None, help="USD per accelerator (default: the zoo's)")

    p = _sub(subs, "carbon", "energy, carbon and water of running a fleet",
             "mlsysim-core carbon --hardware H100 --count 64 --days 14 --region Poland", _carbon)
    _fleet_args(p)
    p.add_argument("--days", type=float, default=30.0, help="period in days")
    p.add_argument("--region", default=None, help="zoo grid or datacenter (default: the fleet's, else US_Average)")
    p.add_argument("--mfu", type=float, default=None, help="utilisation setting the power draw (default: full TDP)")
    p.add_argument("--pue", type=float, default=None, help="power usage effectiveness (default: the site's)")

    p = _sub(subs, "reliability", "fleet MTBF, failure odds and the Young-Daly checkpoint interval",
             "mlsysim-core reliability --hardware H100 --count 16384 --hours 720 --checkpoint-s 180",
             _reliability)
    _fleet_args(p)
    p.add_argument("--hours", type=float, default=720.0, help="job duration in hours")
    p.add_argument("--checkpoint-s", type=float, default=60.0, help="time to write one checkpoint, s")
    p.add_argument("--interval-s", type=float, default=None, help="checkpoint interval, s (default: Young-Daly optimum)")
    p.add_argument("--mtbf-hours", type=float, default=None, help="MTBF per accelerator, h (default: the zoo's)")

    p = _sub(subs, "walls", "the 22 walls of ML systems: list them, or show one with its worked example",
             "mlsysim-core walls 4", None)
    p.add_argument("number", nargs="?", type=int, default=None, help="wall number (omit to list all)")
    p.set_defaults(raw=_walls)

    p = _sub(subs, "zoo", "list the zoo, or show one entry with the source of every number",
             "mlsysim-core zoo list hardware   |   mlsysim-core zoo show Llama3_70B", None)
    p.add_argument("action", choices=("list", "show"), help="list entries, or show one")
    p.add_argument("name", nargs="?", default=None,
                   help="list: a kind (" + ", ".join(_KINDS) + "); show: an entry key or alias")
    p.add_argument("--kind", default=None, help="show: look only in this kind")
    p.set_defaults(raw=_zoo)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input)."""
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 2
    out = print
    try:
        from .errors import MLSysError
        raw = getattr(args, "raw", None)
        if raw is not None:
            raw(args, out)
            return 0
        title, result, keys = args.fn(args)
    except BrokenPipeError:   # `mlsysim-core zoo list | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (MLSysError, ValueError, KeyError, OSError) as e:   # bad input (SpecError is a ValueError)
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        sys.stderr.write(f"error: {msg}\n")
        return 2
    except Exception as e:  # a bug, not bad input: still one line, but exit status 1
        sys.stderr.write(f"error: internal {type(e).__name__}: {e}\n")
        return 1
    if args.json:
        out(json.dumps(_jsonable(result.raw()), indent=2, ensure_ascii=False))
        return 0
    out(title)
    out("")
    out(render(result.explain()))
    shown = [k for k in keys if k in result]
    if shown:
        out("")
        width = max(map(len, shown))
        for k in shown:
            out(f"  {k:<{width}}  {_value(result, k)}")
    return 0
