"""``mlsysim-core``: the engine from a terminal or a script.

    mlsysim-core serve --model Llama3_70B --hardware H100 --seq-len 4096
    mlsysim-core serve --model path/to/config.json --hardware H100 --json
    python -m mlsysim_core zoo show H100

Each subcommand calls one solver with the arguments given and prints its ``explain()`` rendered
for a terminal (the equations in plain text, the numbers substituted), or with ``--json`` one JSON
object: the result's fields and their raw values. Bad input prints one line ``error: <message>``
and exits with status 2.

Start-up matters (a shell loop may call this thousands of times): at module level only argparse,
json, os and sys are imported here, with the command line's own standard-library-only helpers
(`mlsysim_core.terminal` for the plain-text explanations, ``_cli_catalog`` for the walls and zoo
listings, ``_cli_values`` for JSON values and numbers); solvers, the zoo and the walls are imported
inside the subcommand that needs them, and nothing heavy (altair, marimo) ever is.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from ._cli_catalog import _KINDS, _walls, _zoo
from ._cli_values import _jsonable, _value
from .terminal import render

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
