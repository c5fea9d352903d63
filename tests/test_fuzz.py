"""Fuzz every public entry point with one bad or extreme argument at a time (issue 9).

Entry points are DISCOVERED, never listed: the names of ``mlsysim_core.__all__`` (its ``_LAZY``
table included: solver classes and every public method, functions, ``calc_*`` formulas,
plots), the registries (``get`` and the public methods of their first entry), the cached
scenarios and personas, the calibration module, and the public methods of each result a
baseline call returns. A new solver is covered without editing this file.

For each entry point a *baseline* call is derived generically: defaults from the signature,
required arguments from a small table of candidates per parameter NAME (model, hardware,
fleet, ...) and generic candidates otherwise, retrying the argument a SpecError names. Then each
argument in turn gets a value from ``BAD``. The call must:

* return within ``TIME_LIMIT_S`` of CPU time (a SIGALRM at ``HANG_S`` wall seconds stops hangs);
* raise only the library's own errors (``MLSysError``), whose SpecError names an argument of the
  call (``name``, ``name[i]`` or ``name.x``), or return a value in which no float is NaN, an inf
  not listed in the result class's ``MAY_BE_INF``, a negative not in ``SIGNED``, or a ratio
  (fraction / probability / efficiency / utilisation / mfu) outside [0, 1].

``pytest tests/test_fuzz.py`` runs a fixed-seed sample (hypothesis, derandomized) in about a
minute; ``-m fuzz_extended`` runs every (argument, bad value) pair of every entry point.
``python tests/test_fuzz.py`` prints the counts (entry points, calls, raw exceptions, nonsense,
hangs) and the first problems of each kind; it also works on older checkouts of the package.
"""
from __future__ import annotations

import dataclasses
import inspect
import math
import signal
import sys
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import mlsysim_core as M
from mlsysim_core import Q_, MLSysError, SpecError

TIME_LIMIT_S = 1.0      # CPU seconds per call (CPU, not wall: other processes share the machine)
HANG_S = 10             # wall seconds after which a call is stopped and counted as a hang
NAN, INF = float("nan"), float("inf")


class _Opaque:
    def __repr__(self):
        return "<opaque object>"


BAD = [None, -1, 0, -1e-9, 1e-308, 1e308, -1e308, NAN, INF, 10 ** 30, True, "nope", "", "H100",
       [1], [0], [1e308], {"a": 1}, (), Q_(1, "kg"), Q_(-5, "s"), Q_(2, "minute"), Q_(100, "USD"),
       Q_(1, "GB"), _Opaque()]

# ----------------------------------------------------------------------------- baselines


def _samples():
    """Valid specs and results, built once, that baselines draw from."""
    s = {"model": M.Models.Llama3_8B, "cnn": M.Models.ResNet50, "moe": None,
         "hardware": M.Hardware.H100, "fleet": M.Systems.Clusters.H100_64,
         "grid": M.Infra.Grids.Quebec}
    for m in M.Models:
        if getattr(m, "experts", 1) > 1:
            s["moe"] = m
            break
    try:
        s["distributed"] = M.DistributedModel().solve(M.Models.Llama3_8B, M.Systems.Clusters.H100_64, 256,
                                                      tp_size=8, microbatch_count=4)
    except Exception:  # older or broken checkouts: fewer candidates
        s["distributed"] = None
    try:
        s["reliability"] = M.ReliabilityModel().solve(M.Systems.Clusters.H100_64, 720)
    except Exception:
        s["reliability"] = None
    try:
        s["effective"] = M.EffectiveFlopsModel().solve(M.Systems.Clusters.H100_64)
    except Exception:
        s["effective"] = None
    try:
        s["evaluation"] = M.Scenarios.SmartDoorbell.evaluate()
    except Exception:
        s["evaluation"] = None
    try:
        s["serving"] = M.ServingModel().solve(M.Models.Llama3_8B, M.Hardware.H100)
    except Exception:
        s["serving"] = None
    try:
        s["serving_fleet"] = M.ServingFleetModel().solve(M.Models.Llama3_8B, M.Hardware.H100, 10.0, 2000.0)
    except Exception:
        s["serving_fleet"] = None
    try:
        s["thermal"] = M.EdgeThermalModel().solve(M.Hardware.iPhone15Pro)
    except Exception:
        s["thermal"] = None
    return s


S = _samples()

# candidates per parameter NAME (first that works wins); generic candidates follow them
BY_NAME = {
    "model": [S["model"], S["cnn"], S["moe"]], "workload": [S["model"]], "draft_model": [None],
    "hardware": [S["hardware"]], "decode_hardware": [None], "accelerator": [S["hardware"]],
    "fleet": [S["fleet"], S["hardware"]], "system": [S["fleet"], S["hardware"]], "cluster": [S["fleet"]],
    "hardware_list": [[S["hardware"], M.Hardware.A100]], "candidates": [None],
    "datacenter": [None, S["grid"]], "grid": [None, S["grid"]], "region": [None, "Quebec"],
    "precision": ["fp16"], "kv_precision": [None], "baseline_precision": ["fp16"],
    "batch_size": [256, 8, 1], "seq_len": [2048], "duration_days": [30.0], "days": [30.0],
    "job_duration_hours": [720.0], "checkpoint_time_s": [60.0], "mtbf_hours": [1000.0],
    "intervals_s": [[600.0, 1200.0]], "target_latency": [0.05], "compute_budget": [1e23],
    "training_cost_usd": [1e6], "daily_users": [1e6], "requests_per_user_per_day": [10.0],
    "cost_per_query": [0.001], "gpu_hour_price": [2.0], "qps": [100.0], "slo_ms": [200.0],
    "result": [S["distributed"], S["effective"], S["serving"], S["reliability"], S["serving_fleet"], S["thermal"]],
    "results": [S["distributed"]], "distributed": [S["distributed"]], "reliability": [S["reliability"]],
    "evaluation": [S["evaluation"]], "profiles_or_workloads": [None],
    "checkpoint_time": [60.0], "mtbf": [1000.0], "name": ["H100"], "key": ["H100"],
    "regime": ["gemm_16bit"], "field_name": ["memory_bandwidth"], "unit": ["ms"],
    # list-valued arguments of the curve / sweep / trace methods and of a few formulas
    "epochs": [[1, 2, 4]], "intervals_days": [[30.0, 90.0]], "sizes": [[8, 64]], "duration": [600.0],
    "epsilons": [[1.0, 8.0]], "accuracies": [[0.8, 0.9]], "shares": [[0.5, 0.5]],
    "kind": ["mlp"], "pattern": ["ring"], "placement": ["packed"], "n_gpus": [64], "domain_size": [8],
    "model_flops_rate": [4e14], "recompute_flops_rate": [1e14], "peak_flops": [1e15],
    "arrival_rate": [1.0], "mean_service": [1.0], "servers": [4],
    # labkit's controls (marimo is imported on use)
    "steps": [[1, 2, 4]], "options": [["a", "b"]], "rows": [[{"x": 1.0, "y": 2.0}]],
}
GENERIC = [1.0, 8, 0.5, 2048, "fp16", S["model"], S["hardware"], S["fleet"], [1.0, 2.0], 100.0, 1e9,
           S["distributed"], S["evaluation"], "ring", None]


@dataclasses.dataclass
class Entry:
    id: str
    fn: object
    params: list          # names that may be passed by keyword
    required: list        # of them, those without a default
    attr_error_ok: bool = False
    baseline: dict | None = None
    hints: dict = dataclasses.field(default_factory=dict)   # baseline candidates first tried
    owner: type | None = None     # the Result class of a result method (its MAY_BE_INF / SIGNED apply)

    def call(self, kwargs):
        return self.fn(**kwargs)


def _params(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    ps, req = [], []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY) or p.name == "self":
            continue
        ps.append(p.name)
        if p.default is p.empty:
            req.append(p.name)
    return ps, req


def _methods(obj, prefix):
    out = []
    for name in dir(obj):
        if name.startswith("_"):
            continue
        try:
            attr = inspect.getattr_static(obj, name)
        except AttributeError:
            continue
        if isinstance(attr, property) or not callable(getattr(obj, name, None)):
            continue
        if isinstance(attr, type):
            continue
        out.append((f"{prefix}.{name}", getattr(obj, name)))
    return out


def discover() -> tuple[list[Entry], list[str]]:
    """Every public entry point, and the names that could not be imported (reported, skipped)."""
    seen, entries, broken = set(), [], []

    def add(eid, fn, attr_error_ok=False, **hints):
        if eid in seen:
            return
        sp = _params(fn)
        if sp is None:
            return
        seen.add(eid)
        entries.append(Entry(eid, fn, sp[0], sp[1], attr_error_ok, hints={k: [v] for k, v in hints.items()}))

    names = sorted(set(M.__all__) | set(getattr(M, "_LAZY", {})))
    for name in names:
        try:
            obj = getattr(M, name)
        except Exception as e:  # noqa: BLE001 - an unimportable lazy name is reported
            broken.append(f"{name}: {type(e).__name__}: {e}")
            continue
        if name in ("ureg", "Q_", "formulas") or isinstance(obj, (tuple, dict, str)):
            continue
        if isinstance(obj, type):
            if issubclass(obj, BaseException) or name.endswith("Result") or name in ("Result", "SystemLedger"):
                continue
            try:
                inst = obj()
            except Exception:  # noqa: BLE001 - classes that need arguments: their methods stay unbound
                inst = None
            if inst is not None:
                for eid, fn in _methods(inst, name):
                    add(eid, fn)
                    # a solver's other methods (curve, sweep, trace) re-evaluate its result's fields:
                    # the result class's MAY_BE_INF / SIGNED apply to what they return
                    made = inspect.signature(obj.solve).return_annotation if hasattr(obj, "solve") else None
                    if isinstance(made, str):
                        made = getattr(M, made, None)
                    if not eid.endswith(".solve") and isinstance(made, type) and entries[-1].id == eid:
                        entries[-1].owner = made
        elif callable(obj) and not hasattr(obj, "_load") and not hasattr(obj, "names"):
            add(name, obj)
    # registries: get/contains/getattr with bad keys, and the methods of their first entry
    regs = [("Hardware", M.Hardware), ("Models", M.Models), ("Infra", M.Infra), ("Systems", M.Systems),
            ("Systems.Clusters", M.Systems.Clusters), ("Infra.Grids", M.Infra.Grids)]
    for rname, reg in regs:
        first = next(iter(reg))
        add(f"{rname}.get", reg.get, key=first.key)
        # getattr with a non-str name is Python's own TypeError: only names are fuzzed here
        add(f"{rname}.__getattr__", lambda key, _r=reg: getattr(_r, key) if isinstance(key, str) else _r.get(key),
            attr_error_ok=True, key=first.key)
        for eid, fn in _methods(first, f"{rname}[0]"):
            add(eid, fn)
        for sub in ("compute", "memory", "node"):
            part = getattr(first, sub, None)
            if part is not None:
                for eid, fn in _methods(part, f"{rname}[0].{sub}"):
                    add(eid, fn)
    for first in (M.Models.Llama3_8B,):
        for eid, fn in _methods(first, "Models.Llama3_8B"):
            add(eid, fn)
    add("constants().source", M.constants().source, name=M.constants().names()[0])
    from mlsysim_core import calibration
    for n in getattr(calibration, "__all__", []):
        f = getattr(calibration, n)
        if callable(f) and not isinstance(f, type):
            add(f"calibration.{n}", f)
    for sname in ("Scenarios", "Personas"):
        reg = getattr(M, sname)
        items = reg.all() if callable(getattr(type(reg), "all", None)) else list(reg)
        add(f"{sname}.get", reg.get, name=items[0].name)
        for item in items:
            for eid, fn in _methods(item, f"{sname}.{item.name}"):
                add(eid, fn)
    try:
        from mlsysim_core import labkit
        for n, f in vars(labkit).items():
            if inspect.isfunction(f) and not n.startswith("_") and f.__module__ == labkit.__name__:
                add(f"labkit.{n}", f)
    except Exception:  # noqa: BLE001 - labkit needs marimo; absent in a bare install
        pass
    # results: the public methods of every result a baseline call returns (raw, breakdown, explain...)
    return entries, broken


# ----------------------------------------------------------------------------- one call


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


RATIO_WORDS = ("fraction", "probability", "efficiency", "utilization", "utilisation", "mfu", "hfu",
               "goodput", "ratio_of_peak")
SIGNED_WORDS = ("delta", "saving", "margin", "headroom", "slack", "gain", "sensitivit", "diff", "change",
                "surplus", "balance", "net_", "log_", "elasticit", "advantage", "improvement")


def _bad_floats(value, path, allow_inf=frozenset(), signed=frozenset(), depth=0, out=None):
    """Paths of NaN / undocumented inf / negative / out-of-range floats inside a returned value."""
    out = [] if out is None else out
    if depth > 6 or len(out) > 5:
        return out
    if hasattr(value, "magnitude") and hasattr(value, "units"):
        value = value.magnitude
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        return out
    if isinstance(value, (int, float)):
        v = float(value) if not isinstance(value, int) or abs(value) < 1e300 else INF
        leaf = path.rsplit(".", 1)[-1].split("[")[0]
        if v != v:
            out.append(f"{path} is NaN")
        elif math.isinf(v) and leaf not in allow_inf:
            out.append(f"{path} = {v}")
        elif v < 0 and signed != "*" and leaf not in signed and not any(w in leaf for w in SIGNED_WORDS):
            out.append(f"{path} = {v:g} (negative)")
        elif (any(w in leaf for w in RATIO_WORDS) and leaf not in allow_inf and signed != "*" and leaf not in signed
              and not leaf.startswith("breakeven") and v > 1.0 + 1e-9):
            out.append(f"{path} = {v:g} (a ratio above 1)")
        return out
    if isinstance(value, M.Result):
        cls = type(value)
        allow = frozenset(getattr(cls, "MAY_BE_INF", ())) | allow_inf
        sg = frozenset(getattr(cls, "SIGNED", ())) | signed
        for k, v in value.raw().items():
            _bad_floats(v, f"{path}.{k}", allow, "*" if k in sg else sg, depth + 1, out)
        return out
    if isinstance(value, dict):
        for k, v in list(value.items())[:200]:
            child = "*" if isinstance(signed, frozenset) and k in signed else signed
            _bad_floats(v, f"{path}.{k}", allow_inf, child, depth + 1, out)
        return out
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value[:200]):
            _bad_floats(v, f"{path}[{i}]", allow_inf, signed, depth + 1, out)
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name != "sources":
                _bad_floats(getattr(value, f.name), f"{path}.{f.name}", allow_inf, signed, depth + 1, out)
        return out
    if type(value).__module__.startswith("altair"):
        if getattr(value, "mark", None) is not None and type(value.mark).__name__ == "UndefinedType":
            value = value.mark_point()   # a base chart (labkit.chart), serialised as a lab uses it
        try:
            spec = value.to_dict()
        except Exception as e:  # noqa: BLE001 - a chart that cannot be serialised is a raw failure
            raise _ChartError(e) from None
        return _bad_floats(spec, path, frozenset(), "*", depth + 1, out)   # NaN/inf only
    return out


class _ChartError(Exception):
    def __init__(self, e):
        self.inner = e
        super().__init__(f"chart.to_dict(): {type(e).__name__}: {str(e)[:200]}")


def _doc_allows_inf(fn) -> bool:
    doc = (getattr(fn, "__doc__", "") or "").lower()
    return "infinite" in doc or "inf " in doc or "``inf``" in doc or "inf when" in doc


def _doc_allows_negative(fn) -> bool:
    return "negative" in (getattr(fn, "__doc__", "") or "").lower()


def run_call(entry: Entry, kwargs: dict, arg: str | None):
    """(kind, detail, result): kind is ok / error / raw / nonsense / hang / slow."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_S)
    t0 = time.process_time()
    try:
        result = entry.call(kwargs)
        owner = entry.owner
        problems = _bad_floats(result, "result",
                               (frozenset({"result"}) if _doc_allows_inf(entry.fn) else frozenset())
                               | frozenset(getattr(owner, "MAY_BE_INF", ())),
                               (frozenset({"result"}) if _doc_allows_negative(entry.fn) else frozenset())
                               | frozenset(getattr(owner, "SIGNED", ())))
        kind, detail = ("nonsense", "; ".join(problems)) if problems else ("ok", "")
    except Hang:
        return "hang", f"> {HANG_S} s", None
    except _ChartError as e:
        return "raw", str(e), None
    except MLSysError as e:
        result = None
        kind, detail = "error", str(e)
        name = getattr(e, "name", None)
        if isinstance(e, SpecError) and arg is not None and name is not None and not entry.attr_error_ok:
            root = str(name).split("[")[0].split(".")[0]
            if root not in entry.params and root != arg:
                kind, detail = "misnamed", f"names {name!r}, not an argument of the call: {e}"
    except AttributeError as e:
        result = None
        kind = "error" if entry.attr_error_ok and "did you mean" in str(e) or entry.attr_error_ok else "raw"
        detail = f"AttributeError: {e}"
    except RecursionError as e:
        result, kind, detail = None, "raw", f"RecursionError: {str(e)[:100]}"
    except Exception as e:  # noqa: BLE001 - the point: count every raw exception
        result, kind, detail = None, "raw", f"{type(e).__name__}: {str(e)[:200]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    cpu = time.process_time() - t0
    if kind in ("ok", "error") and cpu > TIME_LIMIT_S:
        return "slow", f"{cpu:.2f} s CPU", result
    return kind, detail, result


def find_baseline(entry: Entry, tries: int = 60) -> dict | None:
    """Valid keyword arguments for ``entry``: defaults, plus candidates for each required name and
    for any optional one an error names (e.g. batch_size too small for the fleet)."""
    def cands_of(p):
        return list(entry.hints.get(p, ())) + list(BY_NAME.get(p, ())) + list(GENERIC)
    active = list(entry.required)
    cands = {p: cands_of(p) for p in active}
    idx = {p: 0 for p in active}
    for _ in range(tries):
        kwargs = {p: cands[p][idx[p]] for p in active}
        kind, detail, _ = run_call(entry, kwargs, None)
        if kind in ("ok", "nonsense", "slow"):
            return kwargs
        if kind == "hang":
            return None
        blamed = next((p for p in entry.params if f"{p}=" in detail or f"'{p}'" in detail), None)
        if blamed is not None and blamed not in active:
            active.append(blamed)
            cands[blamed], idx[blamed] = cands_of(blamed), 0
            continue
        order = ([blamed] if blamed else []) + [p for p in active if p != blamed]
        for p in order:
            if idx[p] + 1 < len(cands[p]):
                idx[p] += 1
                break
        else:
            return None
    return None


def result_entries(entries: list[Entry]) -> list[Entry]:
    """The public methods of each distinct result type the baselines return."""
    out, seen = [], set()
    for e in entries:
        if e.baseline is None:
            continue
        kind, _, res = run_call(e, e.baseline, None)
        if kind not in ("ok", "nonsense") or not isinstance(res, M.Result) or type(res) in seen:
            continue
        seen.add(type(res))
        for eid, fn in _methods(res, type(res).__name__):
            if eid.rsplit(".", 1)[-1] in ("keys", "items", "to_dict"):
                continue
            sp = _params(fn)
            if sp:
                out.append(Entry(eid, fn, sp[0], sp[1], owner=type(res)))
    return out


_STATE: dict = {}


def state():
    if not _STATE:
        entries, broken = discover()
        for e in entries:
            e.baseline = find_baseline(e) if e.required or e.params else {}
        extra = result_entries(entries)
        for e in extra:
            e.baseline = find_baseline(e)
        _STATE.update(entries=entries + extra, broken=broken)
    return _STATE


def pairs(entry: Entry):
    return [(p, i) for p in entry.params for i in range(len(BAD))]


def check_one(entry: Entry, arg: str, bad_index: int):
    kwargs = dict(entry.baseline)
    kwargs[arg] = BAD[bad_index]
    return run_call(entry, kwargs, arg)


# ----------------------------------------------------------------------------- pytest

def _entry_ids():
    return [e.id for e in state()["entries"] if e.baseline is not None and e.params]


@pytest.fixture(scope="module")
def entries_by_id():
    return {e.id: e for e in state()["entries"]}


def test_discovery_covers_the_package():
    st_ = state()
    ids = {e.id for e in st_["entries"]}
    assert sum(i.startswith("calc_") for i in ids) >= 50
    for must in ("Engine.solve", "ServingModel.solve", "DistributedModel.solve", "ParallelismOptimizer.solve",
                 "plot_bubble", "Hardware.get", "Scenarios.FrontierTraining.evaluate",
                 "Personas.CloudTitan.evaluate", "DistributedResult.breakdown"):
        assert must in ids, must
    # an entry point without a valid baseline call is not fuzzed at all: each one is a gap to explain
    assert [e.id for e in st_["entries"] if e.baseline is None] == []


def _assert_clean(entry, arg, bad_index):
    kind, detail, _ = check_one(entry, arg, bad_index)
    assert kind in ("ok", "error"), f"{entry.id}({arg}={BAD[bad_index]!r}): {kind}: {detail}"


@pytest.mark.parametrize("eid", _entry_ids())
@settings(derandomize=True, max_examples=5, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_entry_point_rejects_bad_input_cleanly(entries_by_id, eid, data):
    entry = entries_by_id[eid]
    arg, bad_index = data.draw(st.sampled_from(pairs(entry)))
    _assert_clean(entry, arg, bad_index)


@pytest.mark.fuzz_extended
@pytest.mark.parametrize("eid", _entry_ids())
def test_entry_point_every_bad_value(entries_by_id, eid):
    entry = entries_by_id[eid]
    failures = []
    for arg, i in pairs(entry):
        kind, detail, _ = check_one(entry, arg, i)
        if kind not in ("ok", "error"):
            failures.append(f"{arg}={BAD[i]!r}: {kind}: {detail}")
    assert not failures, f"{entry.id}: {len(failures)} problems, e.g.\n" + "\n".join(failures[:10])


# ----------------------------------------------------------------------------- counts


def main(argv) -> int:
    st_ = state()
    entries = st_["entries"]
    counts, examples = Counter(), {}
    calls = 0
    no_base = [e.id for e in entries if e.baseline is None]
    for e in entries:
        if e.baseline is None:
            continue
        for arg, i in pairs(e):
            kind, detail, _ = check_one(e, arg, i)
            calls += 1
            counts[kind] += 1
            if kind not in ("ok", "error"):
                examples.setdefault(kind, []).append(f"{e.id}({arg}={BAD[i]!r}): {detail[:160]}")
    print(f"entry points: {len(entries)} ({len(entries) - len(no_base)} with a baseline); calls: {calls}")
    print("outcomes:", dict(counts))
    if st_["broken"]:
        print("unimportable:", *st_["broken"], sep="\n  ")
    if no_base:
        print("no baseline found:", ", ".join(no_base))
    limit = int(argv[1]) if len(argv) > 1 else 15
    for kind, ex in examples.items():
        print(f"\n== {kind}: {len(ex)}")
        for line in ex[:limit]:
            print("  ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
