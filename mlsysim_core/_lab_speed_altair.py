"""altair's chart building and marimo's chart serialization, cut for the labs: the chart half of
``mlsysim_core._lab_speed``, whose ``install()`` makes these changes too (same rule: each returns
what the original returns; tests/labs/test_lab_speed.py compares them on the labs' own charts).

- altair ``from_dict`` (every string shorthand such as ``x="GB:Q"`` or a tooltip ``"name:N"``)
  builds a hash table of all ~570 schema classes, one ``json.dumps`` each, per call (~15 ms):
  built once per class family here instead; and a string shorthand becomes its channel class
  directly (what ``from_dict`` builds from it after matching the string against each ``anyOf``
  branch of the schema with jsonschema: ~55 ms per encoding in the browser, profiled).
- altair matches a dict such as ``alt.value("red")`` or ``alt.condition(...)`` against the
  ``anyOf`` branches of its channel's schema with jsonschema, one validation per branch tried
  (~6 ms each in the browser, ~100 ms of a slider move in lab II.7, profiled): the outcome of a
  small plain-JSON instance against a schema is kept (the schema objects are held, so their ids
  stay theirs).
- altair's deep copy (at every ``+``, ``.properties()`` and ``alt.hconcat``) calls itself on each
  of the ~30 mostly-unset fields of every chart part: here it recurses only into what it copies.
- altair's ``LayerChart``, ``alt.hconcat`` and friends deep-copy every sub-chart two or three times
  (``_remove_duplicate_params``, ``_combine_subchart_params``) to merge and rename selection
  parameters: ~70 % of building lab II.9's two-panel chart (a layer of three charts beside a layer
  of four, profiled in CPython). A sub-chart with no parameters is left as it is by that
  bookkeeping, so it is taken as it is, without the copies; altair's later steps copy a sub-chart
  before they change it (``_remove_layer_props``, ``_combine_subchart_data``).
- ``Chart.properties()`` validates each property against the vega-lite schema even with altair's
  debug mode off: skipped while debug mode is off (as ``labkit.init()`` leaves it).
- marimo serializes each chart with altair's ``to_json`` defaults, ``indent=2``: with an indent,
  Python's ``json`` leaves its C encoder for the pure-Python one (~25 % of formatting a lab's
  chart in CPython, more in the browser), and the page receives and parses twice the bytes (a
  56 kB message for lab II.7's Young–Daly chart). Charts are sent unindented: the same JSON value.
"""
from __future__ import annotations

_OUTCOMES_MAX = 4096   # kept validation outcomes
_SMALL_INSTANCE = 200   # values: what altair matches per channel, not whole charts


class _NotKept(Exception):
    pass


_ATOMS = (str, int, float, bool, type(None))


def _plain_key(obj, budget: list):
    """A hashable key for JSON made of exactly str/int/float/bool/None, lists and str-keyed dicts,
    tagged by type (jsonschema tells 1 from 1.0 from True, and a tuple is not an array to it).
    Raises _NotKept for anything else or beyond ``budget[0]`` values."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _NotKept
    kind = type(obj)
    if kind in _ATOMS:
        return kind.__name__, obj
    if kind is list:
        return "list", tuple(_plain_key(v, budget) for v in obj)
    if kind is dict and all(type(k) is str for k in obj):
        return "dict", tuple(sorted((k, _plain_key(v, budget)) for k, v in obj.items()))
    raise _NotKept


def install(_patch) -> None:
    """Make the changes below, each through ``_patch`` (``_lab_speed``'s record of what it changed)."""
    from altair.utils import schemapi
    SchemaBase, Undefined = schemapi.SchemaBase, schemapi.Undefined

    converters: dict = {}

    def from_dict(cls, dct, validate=True):
        if validate:
            cls.validate(dct)
        family = cls._default_wrapper_classes.__func__   # SchemaBase's or VegaLiteSchema's
        converter = converters.get(family)
        if converter is None:
            converter = converters[family] = schemapi._FromDict(cls._default_wrapper_classes())
        return converter.from_dict(dct, cls)

    from_dict.__doc__ = SchemaBase.from_dict.__doc__
    _patch(SchemaBase, "from_dict", classmethod(from_dict))

    original_copy = schemapi._deep_copy
    containers = (SchemaBase, list, dict)

    def _deep_copy(obj, by_ref):
        if isinstance(obj, SchemaBase):
            if getattr(type(obj), "__deepcopy__", None) is not None:
                return original_copy(obj, by_ref)
            args = [_deep_copy(a, by_ref) if isinstance(a, containers) else a for a in obj._args]
            kwds = {k: (_deep_copy(v, by_ref) if v is not Undefined and k not in by_ref
                        and isinstance(v, containers) else v)
                    for k, v in obj._kwds.items()}
            if schemapi.DEBUG_MODE:
                with schemapi.debug_mode(False):
                    return obj.__class__(*args, **kwds)
            return obj.__class__(*args, **kwds)
        if isinstance(obj, list):
            return [_deep_copy(v, by_ref) if isinstance(v, containers) else v for v in obj]
        if isinstance(obj, dict):
            return {k: (_deep_copy(v, by_ref) if k not in by_ref and isinstance(v, containers) else v)
                    for k, v in obj.items()}
        return obj

    _patch(schemapi, "_deep_copy", _deep_copy)

    validate = schemapi.validate_jsonschema
    outcomes: dict = {}

    def validate_jsonschema(spec, schema, rootschema=None, *, raise_error=True):
        try:
            instance = _plain_key(spec, [_SMALL_INSTANCE])
        except _NotKept:   # a whole chart, a tuple, an array...: validated every time
            return validate(spec, schema, rootschema, raise_error=raise_error)
        key = (id(schema), id(rootschema), instance)
        hit = outcomes.get(key)
        if hit is None:
            if len(outcomes) >= _OUTCOMES_MAX:
                outcomes.clear()
            hit = outcomes[key] = (schema, rootschema, validate(spec, schema, rootschema, raise_error=False))
        error = hit[2]
        if error is not None and raise_error:
            raise error.with_traceback(None)
        return error

    _patch(schemapi, "validate_jsonschema", validate_jsonschema)

    from altair.utils.core import _ChannelCache
    wrap = _ChannelCache._wrap_in_channel

    def _wrap_in_channel(self, obj, encoding, /):
        channel = self.name_to_channel.get(encoding) if isinstance(obj, str) else None
        if channel is not None:
            return channel["field"](shorthand=obj)
        return wrap(self, obj, encoding)

    _patch(_ChannelCache, "_wrap_in_channel", _wrap_in_channel)

    validate_property = SchemaBase.validate_property.__func__

    def validate_property_in_debug_mode(cls, name, value, schema=None):
        if schemapi.DEBUG_MODE:
            validate_property(cls, name, value, schema)

    _patch(SchemaBase, "validate_property", classmethod(validate_property_in_debug_mode))
    _layer_without_copies(_patch)
    _send_charts_unindented(_patch)


def _layer_without_copies(_patch) -> None:
    """Skip altair's parameter bookkeeping, and the deep copies it makes, for charts that have no
    parameters (selections, variables): it would change nothing in them."""
    import sys

    import altair as alt
    from altair.utils.schemapi import Undefined
    api = sys.modules[alt.LayerChart.__module__]
    if not (hasattr(api, "_remove_duplicate_params") and hasattr(api, "_combine_subchart_params")):
        return
    remove_duplicates, combine = api._remove_duplicate_params, api._combine_subchart_params

    def no_params(chart) -> bool:
        return getattr(chart, "params", Undefined) is Undefined

    def untouched(chart, in_concat: bool) -> bool:
        """What ``_combine_subchart_params`` would leave as it is, apart from copying it."""
        if not no_params(chart):
            return False
        if in_concat and isinstance(chart, alt.FacetChart):   # renamed by position in a concat
            return False
        if in_concat and isinstance(chart, alt.LayerChart):   # named layers are renamed by position
            return all(getattr(layer, "name", Undefined) is Undefined for layer in chart.layer
                       if isinstance(layer, alt.Chart))
        return True

    def _remove_duplicate_params(layer):
        if all(no_params(chart) for chart in layer):
            return list(layer)
        return remove_duplicates(layer)

    def _combine_subchart_params(params, subcharts):
        if (params is Undefined or (isinstance(params, list) and not params)) and all(
                untouched(chart, len(subcharts) > 1) for chart in subcharts):
            return Undefined, list(subcharts)
        return combine(params, subcharts)

    _patch(api, "_remove_duplicate_params", _remove_duplicate_params)
    _patch(api, "_combine_subchart_params", _combine_subchart_params)


def _send_charts_unindented(_patch) -> None:
    from marimo._output.formatters import altair_formatters
    from marimo._plugins.ui._impl import altair_chart

    original = altair_chart.chart_to_json

    def chart_to_json(chart, spec_format="vega-lite", validate=True):
        """marimo's ``chart_to_json`` call, unindented. A chart that fails (NaN or infinity in its
        data) is left to marimo's own function: its retry without them, and its error, which names
        the value ("... not JSON compliant: inf"; the C encoder's does not)."""
        try:
            return chart.to_json(format=spec_format, validate=validate, allow_nan=False, default=str,
                                 indent=None, separators=(",", ":"))
        except ValueError:
            return original(chart, spec_format, validate)

    for module in (altair_formatters, altair_chart):
        _patch(module, "chart_to_json", chart_to_json)
