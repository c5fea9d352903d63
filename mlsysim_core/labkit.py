"""Small helpers the marimo labs share (not used by the engine; marimo is imported on use).

Lab notebooks cannot import sibling files once exported to WebAssembly, so what every lab
repeats lives here, inside the wheel they all install:

- ``check_answer``: the exercise check (a callout);
- URL state: ``ui.slider / ui.number / ui.dropdown / ui.radio / ui.switch / ui.checkbox`` take a URL
  key first and otherwise the same arguments as ``mo.ui.*`` (``mo.ui.slider(`` becomes
  ``labkit.ui.slider("batch", ``). The control starts from the URL's value when the
  page address holds a valid one (else from ``value=``), and every change is written back to the
  address (``mo.query_params``), so a link or a reload restores the controls, the prediction and
  the exercise answers. A value equal to the default is left out of the address;
- ``init()`` (setup cell: the colour-blind-safe chart theme) and ``toolbar()`` (one cell near the
  top: reset link and the "live" marker the site's status line watches);
- ``chart(rows)``: ``alt.Chart`` over inline rows, cheap to layer and serialize;
- ``PALETTE``: Okabe & Ito's colour-blind-safe colours, by name, for charts that pick colours.

Presenter mode (``?present=1`` or the site's toggle) is page CSS that build_wasm.py adds to every
lab (``PRESENTER_CSS``): the same lab, larger and high-contrast. See labs/README.md.
"""
from __future__ import annotations

import math
import os

from . import checks
from .errors import SpecError

DEFAULT_HINT = "Open *Show the work* above and redo one step."

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision
# deficiencies. Order = the chart theme's category order.
PALETTE = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
           "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "grey": "#666666",
           "black": "#000000"}
CATEGORY = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow", "grey")]

# Set by build_wasm.py while it executes a lab to embed the pre-rendered preview: the preview must
# not claim to be live.
PRERENDER_ENV = "MLSYSIM_PRERENDER"
RESERVED_KEYS = ("present",)  # site flags, never control keys


def check_answer(answer, truth, unit, tolerance=0.03, hint=DEFAULT_HINT):
    """A callout: is the student's ``answer`` within ``tolerance`` (relative) of the engine's ``truth``?

    ``answer`` is a ``mo.ui.number`` value (a number, or None before the student types); anything
    else, a non-finite ``truth`` or a ``tolerance`` outside [0, 1] is a SpecError naming it.
    """
    import marimo as mo

    truth = checks.number("truth", truth)
    tolerance = checks.fraction("tolerance", tolerance, lo_open=False)  # 0: exact (counts)
    if not isinstance(unit, str):
        raise SpecError("unit", unit, "a string such as 'ms' (or '' for a count)")
    if answer is None:
        return mo.md("_Type your answer in the box above._")
    answer = checks.number("answer", answer, allowed="a finite number (a mo.ui.number value) or None")
    unit_txt = f" {unit}" if unit else ""
    if abs(answer - truth) <= tolerance * max(abs(truth), 1e-12):
        return mo.callout(mo.md(f"**Correct.** The engine gives **{truth:,.4g}{unit_txt}**."), kind="success")
    return mo.callout(mo.md(f"**Not yet:** {answer:,g}{unit_txt} is more than {tolerance:.0%} away from the "
                            f"engine's answer. {hint}"), kind="warn")


# ---------------------------------------------------------------- URL state
def _params():
    """The page's query parameters, or None outside a running marimo app (``python lab.py``)."""
    import marimo as mo
    try:
        return mo.query_params()
    except Exception:  # no runtime context: script mode, tests
        return None


def _url_value(key: str):
    params = _params()
    if params is None:
        return None
    value = params.get(key)
    return value[-1] if isinstance(value, list) else value


def _writer(key: str, default_text, to_text, user_on_change=None):
    """on_change callback: store the control's value in the URL (dropped when it is the default)."""
    def on_change(value):
        params = _params()
        if params is not None:
            text = to_text(value)
            if text is None or text == default_text:
                if key in params:
                    params.remove(key)
            else:
                params[key] = text
        if user_on_change is not None:
            user_on_change(value)
    return on_change


def _check_key(key):
    if not isinstance(key, str) or not key or not key.replace("_", "").isalnum() or key in RESERVED_KEYS:
        raise SpecError("key", key, "a short name of letters, digits and '_' (not "
                                    + ", ".join(RESERVED_KEYS) + ")")
    return key


def _num_text(v) -> str | None:
    if v is None:
        return None
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _parse_num(text):
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v):
        return None
    return int(v) if v.is_integer() else v


def _fits_range(v, start, stop, step) -> bool:
    if start is not None and v < start or stop is not None and v > stop:
        return False
    if step and start is not None:
        k = (v - start) / step
        return abs(k - round(k)) < 1e-6
    return True


def _plain_number(name: str, v):
    """None, or ``v`` checked as a finite number and handed to marimo as a plain int/float (a clear
    error here, not a TypeError inside marimo)."""
    if v is None:
        return None
    x = checks.number(name, v)
    return v if isinstance(v, (int, float)) else x


def _check_range(value, start, stop) -> None:
    if start is not None and stop is not None and stop < start:
        raise SpecError("stop", stop, f"at least start = {start}")
    if value is not None and (start is not None and value < start or stop is not None and value > stop):
        raise SpecError("value", value, f"a number in [{start if start is not None else '-inf'}, "
                                        f"{stop if stop is not None else 'inf'}]")


def slider(key, *, value=None, steps=None, start=None, stop=None, step=None, on_change=None, **kwargs):
    """``mo.ui.slider`` whose value lives in the URL under ``key``. A URL value that is not a
    stop of the slider is ignored (the default is used)."""
    import marimo as mo
    key = _check_key(key)
    value, start, stop, step = (_plain_number(n, v) for n, v in
                                (("value", value), ("start", start), ("stop", stop), ("step", step)))
    if steps is None and (start is None or stop is None):
        raise SpecError("steps", steps, "a list of the slider's stops, or both start= and stop=")
    if steps is not None:
        steps = list(checks.sequence("steps", steps, _plain_number))
        if value is not None and not any(math.isclose(value, s) for s in steps):
            raise SpecError("value", value, f"one of the slider's steps ({', '.join(map(str, steps[:8]))}"
                                            f"{', ...' if len(steps) > 8 else ''})")
        default = steps[0] if value is None else value
        got = _parse_num(_url_value(key))
        start_value = next((s for s in steps if got is not None and math.isclose(got, s)), default)
        return mo.ui.slider(steps=steps, value=start_value,
                            on_change=_writer(key, _num_text(default), _num_text, on_change), **kwargs)
    _check_range(value, start, stop)
    default = start if value is None else value
    got = _parse_num(_url_value(key))
    start_value = got if got is not None and _fits_range(got, start, stop, step) else default
    return mo.ui.slider(start=start, stop=stop, step=step, value=start_value,
                        on_change=_writer(key, _num_text(default), _num_text, on_change), **kwargs)


def number(key, *, value=None, start=None, stop=None, step=None, on_change=None, **kwargs):
    """``mo.ui.number`` whose value lives in the URL (exercise answers, budgets)."""
    import marimo as mo
    key = _check_key(key)
    value, start, stop, step = (_plain_number(n, v) for n, v in
                                (("value", value), ("start", start), ("stop", stop), ("step", step)))
    _check_range(value, start, stop)
    got = _parse_num(_url_value(key))
    ok = got is not None and (start is None or got >= start) and (stop is None or got <= stop)
    return mo.ui.number(start=start, stop=stop, step=step, value=got if ok else value,
                        on_change=_writer(key, _num_text(value), _num_text, on_change), **kwargs)


def _keyed(factory, key, options, value, on_change, kwargs):
    """dropdown/radio: the URL holds the option's label (the key of ``options``)."""
    key = _check_key(key)
    if not isinstance(options, dict):
        options = list(checks.sequence("options", options, what="a list of options or a dict {label: value}"))
    elif not options:
        raise SpecError("options", options, "a list of options or a dict {label: value} with at least one item")
    labels = list(options) if isinstance(options, dict) else [str(o) for o in options]
    if value is not None and value not in labels:
        raise SpecError("value", value, f"one of the option labels ({', '.join(map(repr, labels[:8]))}"
                                        f"{', ...' if len(labels) > 8 else ''})")
    mapping = options if isinstance(options, dict) else {label: label for label in labels}
    got = _url_value(key)
    chosen = got if got in labels else value

    def to_text(selected):
        for label in labels:  # identity first: zoo specs may compare equal across names
            if mapping[label] is selected:
                return label
        return next((label for label in labels if mapping[label] == selected), None)
    return factory(options=options, value=chosen, on_change=_writer(key, value, to_text, on_change), **kwargs)


def dropdown(key, options, *, value=None, on_change=None, **kwargs):
    """``mo.ui.dropdown`` whose selected label lives in the URL."""
    import marimo as mo
    return _keyed(mo.ui.dropdown, key, options, value, on_change, kwargs)


def radio(key, options, *, value=None, on_change=None, **kwargs):
    """``mo.ui.radio`` whose selected label lives in the URL (use it for the prediction)."""
    import marimo as mo
    return _keyed(mo.ui.radio, key, options, value, on_change, kwargs)


def _boolean(factory, key, value, on_change, kwargs):
    key = _check_key(key)
    got = _url_value(key)
    start_value = {"1": True, "0": False}.get(got, bool(value))
    return factory(value=start_value, on_change=_writer(key, "1" if value else "0",
                                                        lambda v: "1" if v else "0", on_change), **kwargs)


def switch(key, *, value=False, on_change=None, **kwargs):
    import marimo as mo
    return _boolean(mo.ui.switch, key, value, on_change, kwargs)


def checkbox(key, *, value=False, on_change=None, **kwargs):
    import marimo as mo
    return _boolean(mo.ui.checkbox, key, value, on_change, kwargs)


class ui:  # noqa: N801  (reads like mo.ui: labkit.ui.slider("key", ...))
    """The URL-backed controls, named like marimo's: ``labkit.ui.slider("batch", start=1, ...)``."""
    slider = staticmethod(slider)
    number = staticmethod(number)
    dropdown = staticmethod(dropdown)
    radio = staticmethod(radio)
    switch = staticmethod(switch)
    checkbox = staticmethod(checkbox)


# ---------------------------------------------------------------- page
def _theme():
    """Altair theme: Okabe-Ito categories, readable type, no chart border."""
    return {"config": {"range": {"category": CATEGORY},
                       "axis": {"labelFontSize": 12, "titleFontSize": 13},
                       "legend": {"labelFontSize": 12, "titleFontSize": 12},
                       "title": {"fontSize": 15}, "view": {"stroke": None}}}


def _no_html_bundle(self, *args, **kwargs):
    return {}


def init() -> None:
    """Call once in the setup cell: installs the per-move speed-ups of ``_lab_speed``, enables the
    colour-blind-safe chart theme, turns off altair's validation of every chart part as it is
    built, and skips the HTML bundle altair would build for every chart marimo shows.

    Why no per-part validation: altair's debug mode validates each ``alt.X``, ``alt.Scale`` ... against the
    vega-lite schema when it is constructed; with the jsonschema the browser has (4.17: 4.18+ needs
    rpds-py, which has no Pyodide wheel) that is ~120 ms per chart in CPython and several times
    that in Pyodide, on every slider move (~25 ms without it). Why no HTML bundle: marimo 0.25.2's altair formatter (``_output/formatters/altair_formatters.py``)
    first asks the chart for ``_repr_mimebundle_()`` only to learn whether the user picked a
    non-HTML renderer, throws that HTML away, and then serializes the chart itself without
    validation. The thrown-away bundle costs a full jsonschema validation of the spec and its
    inline data: 40-60 % of formatting a lab's chart, on every slider move. With an empty bundle
    marimo takes its own path at once; the output is byte-for-byte the same. The labs' charts are
    still validated, by tests/labs (every chart a lab returns, against the vega-lite schema).
    """
    import altair as alt
    from . import _lab_speed
    _lab_speed.install()
    if "mlsysim" not in alt.theme.names():
        alt.theme.register("mlsysim", enable=False)(_theme)
    alt.theme.enable("mlsysim")
    alt.utils.schemapi.disable_debug_mode()
    alt.TopLevelMixin._repr_mimebundle_ = _no_html_bundle


def chart(rows, **kwargs):
    """``alt.Chart`` over inline rows (a list of dicts), for labs: ``labkit.chart(rows).mark_line()``.

    The rows are handed to altair as a tuple: altair deep-copies every list and dict in a chart
    each time it is layered (``+``), given ``.properties()`` or serialized, and a tuple it passes by
    reference. For a 200-point sweep that is ~60 % of building and serializing the chart; the
    vega-lite output is the same (tuples serialize as lists).
    """
    import altair as alt
    return alt.Chart({"values": checks.sequence("rows", rows, _row, min_len=0,
                                                what="a list of dicts (one per chart point)")}, **kwargs)


def _row(name, value):
    if not isinstance(value, dict):
        raise SpecError(name, value, "a dict of column name -> value (one chart point)")
    return value


def presenting() -> bool:
    """True when the page address asks for presenter mode (``?present=1``)."""
    return _url_value("present") == "1"


def toolbar():
    """One cell near the top of every lab: ``labkit.toolbar()``.

    Shows a reset link (the page without its URL state, keeping presenter mode) and, once the
    kernel really runs, a hidden marker that the site's status line turns into "live". In the
    pre-rendered preview (built by executing the lab in CPython) the marker is absent.
    """
    import marimo as mo
    live = os.environ.get(PRERENDER_ENV) != "1"
    reset = "?present=1" if presenting() else "?"
    marker = '<span class="mlsx-live" hidden></span>' if live else ""
    return mo.Html(f'<div class="mlsx-toolbar">{marker}<a href="{reset}" class="mlsx-reset" '
                   'title="Forget the settings stored in this page\'s address">Reset to defaults</a></div>')


# Page CSS build_wasm.py puts into every lab page (presenter mode is ``html.mlsx-present``).
PRESENTER_CSS = """
/* marimo's "made with marimo" badge overlapped callouts at the bottom right */
a[href*="marimo.io"][target="_blank"]:has(img), .made-with-marimo, [data-testid="watermark"] { display: none !important; }
.mlsx-toolbar { display: flex; justify-content: flex-end; font-size: 0.85rem; }
.mlsx-toolbar a { color: #0b5cad; }
pre, code { white-space: pre-wrap; overflow-wrap: anywhere; }
html.mlsx-present body { zoom: 1.3; }
html.mlsx-present, html.mlsx-present body, html.mlsx-present .markdown, html.mlsx-present .prose { color: #000 !important; background: #fff; }
html.mlsx-present .prose a { color: #003a8c; }
html.mlsx-present .prose :is(p, .paragraph):not(:has(marimo-tex, .katex-display)), html.mlsx-present .prose li {
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
html.mlsx-present .prose :is(p, .paragraph, li):hover { -webkit-line-clamp: unset; }
html.mlsx-present [data-kind], html.mlsx-present .callout { border-width: 3px !important; }
html.mlsx-present svg.marks text { fill: #000; }
"""


def money(value: float) -> str:
    """A dollar amount for ``mo.md`` text (fmt.usd with the sign escaped): marimo reads two bare
    dollar signs in one paragraph as inline math ("$6 a year ($0" became "6ayear(0")."""
    from .fmt import usd
    return "\\" + usd(checks.number("value", value))


def num(x, digits: int = 3) -> str:
    """A number for a table or callout, never in e-notation: ``digits`` significant figures with
    grouped thousands (752,900 -> "753,000"; 1.75e7 -> "17,500,000"; 12.345 -> "12.3"), small values
    as ``.3g`` ("0.0123"), and from 1e15 up with an SI prefix ("1.2 P")."""
    digits = checks.integer("digits", digits, minimum=1, maximum=17)
    if x is None:
        return "n/a"
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return str(x)
    a = abs(x)
    if a == 0 or a < 1:
        return f"{x:.{digits}g}"
    if a >= 1e15:
        from .fmt import si
        return si(x, "", digits)
    rounded = float(f"{x:.{digits}g}")
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(rounded)))))
    return f"{rounded:,.{decimals}f}"
