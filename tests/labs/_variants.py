"""Replay a lab with its controls pushed away from their defaults, and report any cell that raised.

    python tests/labs/_variants.py labs/v1_11_hardware_acceleration.py [--max-variants 60]

prints one JSON object: {"lab": ..., "variants": [{"index", "ok", "seconds", "controls", "error"}]}.

How: marimo's UI constructors are wrapped at run time (no rewrite of the notebook), so controls
whose options come from the zoo (``Hardware.options()``) are covered as well as literal ones.
The notebook is imported once and ``app.run()`` (marimo's script mode, which re-raises the first
exception of any cell) is called once per variant. In variant ``k`` of ``V``:

- every ``mo.ui.slider`` / ``range_slider`` / ``number`` sits at its start (``k`` even) or its
  stop (``k`` odd); ``steps=[...]`` sliders take the first or last step; a number box without
  bounds keeps its default, or gets 0 or 1e12 (what a student might type);
- every ``mo.ui.dropdown`` / ``radio`` / ``multiselect`` takes option ``k`` (cycled when it has
  fewer than ``V`` options, spread evenly from first to last when it has more), so every option
  of a small control is visited and predict-then-reveal cells (radio unset by default) run;
- ``switch`` / ``checkbox`` alternate; every ``run_button`` counts as pressed and every ``form``
  as submitted with its element's value, so gated cells run too.

``V`` is the largest option count of any choice control, at least 2 and at most ``--max-variants``
(60: more than the zoo's 55 accelerators and 54 models, so every option of a zoo dropdown is
visited; with 12, lab II.9's Llama-4-Scout on an MI355X, which crashed the fleet solver, was never run).
"""
from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import sys
import time
import traceback
import warnings
from pathlib import Path

_STATE = {"k": 0, "V": 2, "log": []}


def _pick_index(n: int) -> int:
    k, v = _STATE["k"], _STATE["V"]
    if n <= 0:
        return 0
    if n <= v:
        return k % n
    return round(k * (n - 1) / max(v - 1, 1))


def _low() -> bool:
    return _STATE["k"] % 2 == 0


def _option_keys(options) -> list:
    return list(options.keys()) if isinstance(options, dict) else list(options)


def _label(bound) -> str:
    return str(bound.arguments.get("label", "") or "")


def _wrap(cls, policy):
    """Replace ``cls.__init__`` by one that lets ``policy`` rewrite the bound arguments."""
    original = cls.__init__
    sig = inspect.signature(original)

    def __init__(self, *args, **kwargs):
        bound = sig.bind(self, *args, **kwargs)
        bound.apply_defaults()
        chosen = policy(bound.arguments)
        original(*bound.args, **bound.kwargs)
        _STATE["log"].append([cls.__name__, _label(bound), repr(chosen)])

    cls.__init__ = __init__
    cls.__signature__ = sig


def _numeric(a):
    steps = a.get("steps")
    if steps:
        a["value"] = steps[0] if _low() else steps[-1]
    elif a.get("start") is not None or a.get("stop") is not None:
        end = a.get("start") if _low() else a.get("stop")
        if end is not None:
            a["value"] = end
    elif not _low():   # an unbounded number box: what a student may type, zero or a huge value
        a["value"] = 0 if _STATE["k"] % 4 == 1 else 1e12
    return a.get("value")


def _range(a):
    steps = a.get("steps")
    lo, hi = (steps[0], steps[-1]) if steps else (a.get("start"), a.get("stop"))
    if lo is not None and hi is not None:
        a["value"] = [lo, lo] if _low() else [hi, hi]
    return a.get("value")


def _choice(a):
    keys = _option_keys(a["options"])
    if keys:
        a["value"] = keys[_pick_index(len(keys))]
    return a.get("value")


def _multi(a):
    keys = _option_keys(a["options"])
    if keys:
        a["value"] = [keys[_pick_index(len(keys))]]
    return a.get("value")


def _toggle(a):
    a["value"] = not _low()
    return a["value"]


def install() -> None:
    """Wrap marimo's UI constructors (idempotent per process)."""
    from marimo._plugins.ui._impl import input as inp
    from marimo._plugins.ui._impl import run_button as rb
    from marimo._plugins.ui._impl import switch as sw

    _wrap(inp.slider, _numeric)
    _wrap(inp.number, _numeric)
    _wrap(inp.range_slider, _range)
    _wrap(inp.dropdown, _choice)
    _wrap(inp.radio, _choice)
    _wrap(inp.multiselect, _multi)
    _wrap(inp.checkbox, _toggle)
    _wrap(sw.switch, _toggle)

    pressed = rb.run_button.__init__

    def run_button_init(self, *args, **kwargs):
        pressed(self, *args, **kwargs)
        self._value = True   # as if clicked once

    rb.run_button.__init__ = run_button_init

    submit = inp.form.__init__

    def form_init(self, element, *args, **kwargs):
        submit(self, element, *args, **kwargs)
        self._value = element.value   # as if submitted unchanged

    inp.form.__init__ = form_init


def _count_variants(app, max_variants: int) -> int:
    """One dry run (as variant 0), recording each choice control's option count; the defaults
    themselves are covered by running the lab as a script."""
    counts = []
    from marimo._plugins.ui._impl import input as inp

    def counting(cls):
        original = cls.__init__

        def __init__(self, *args, **kwargs):
            original(self, *args, **kwargs)
            counts.append(len(getattr(self, "options", ()) or ()))

        cls.__init__ = __init__
        return original

    saved = {cls: counting(cls) for cls in (inp.dropdown, inp.radio, inp.multiselect)}
    try:
        _STATE.update(k=0, V=2)
        try:
            app.run()
        except BaseException:  # the variant runs will report it
            pass
    finally:
        for cls, original in saved.items():
            cls.__init__ = original
    return max(2, min(max(counts, default=2), max_variants))


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"lab_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)   # defines the cells; runs nothing but the setup block
    return module.app


_CHART_ERRORS: list[str] = []


def _is_chart(obj) -> bool:
    alt = sys.modules.get("altair")
    return alt is not None and isinstance(obj, alt.TopLevelMixin)


def _validate_chart(chart) -> None:
    """Serialize a chart the way marimo does, but with vega-lite schema validation (the labs skip
    it in the browser, see labkit.init), recording what fails: marimo's formatter swallows errors
    from a nested chart, and a chart with NaN data or a bad encoding would show as nothing."""
    from marimo._plugins.ui._impl.altair_chart import chart_to_json
    try:
        chart_to_json(chart, validate=True)
    except Exception as e:  # noqa: BLE001
        _CHART_ERRORS.append(f"{type(e).__name__}: {str(e)[:600]}")


def _validating_bundle(self, *args, **kwargs):
    """What labkit.init() installs as altair's HTML bundle, here validating every chart marimo
    formats (those nested in mo.vstack, tabs, accordions)."""
    _validate_chart(self)
    return {}


def run(path: Path, max_variants: int) -> dict:
    install()
    from mlsysim_core import labkit
    labkit._no_html_bundle = _validating_bundle   # init() installs this one
    app = load(path)
    n = _count_variants(app, max_variants)
    variants = []
    for k in range(n):
        _STATE.update(k=k, V=n, log=[])
        t0 = time.perf_counter()
        error = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                outputs, _ = app.run()
                # the charts shown at the top of a cell (script mode formats none of them)
                for chart in (o for o in outputs if _is_chart(o)):
                    _validate_chart(chart)
                if _CHART_ERRORS:
                    raise AssertionError("invalid chart: " + "\n".join(_CHART_ERRORS))
            except BaseException as e:  # noqa: BLE001  (SystemExit from a cell is a failure too)
                if isinstance(e, KeyboardInterrupt):
                    raise
                tb = traceback.format_exception(type(e), e, e.__traceback__)
                error = "".join(tb[-6:])
            _CHART_ERRORS.clear()
        variants.append({"index": k, "ok": error is None,
                         "seconds": round(time.perf_counter() - t0, 3),
                         "controls": list(_STATE["log"]), "error": error})
    return {"lab": str(path), "count": n, "variants": variants}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lab", type=Path)
    ap.add_argument("--max-variants", type=int, default=60)
    args = ap.parse_args(argv)
    report = run(args.lab.resolve(), args.max_variants)
    sys.stdout.write("\n@@VARIANTS@@" + json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
