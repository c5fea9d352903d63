"""mlsysim_core._lab_speed (installed by labkit.init): the labs' outputs are the same with and
without it, byte for byte after the per-run element ids, and what it skips still works where asked."""
from __future__ import annotations

import contextlib
import html
import importlib.util
import io
import json
import re
import threading
import warnings

import pytest

altair = pytest.importorskip("altair")
pytest.importorskip("marimo")

from lab_harness import answer_unset_radios  # noqa: E402
from mlsysim_core import _lab_speed, _lab_speed_altair, labkit  # noqa: E402

labkit.init()


def _norm(html: str) -> str:
    """Drop what differs between any two runs: UI element ids, random ids, altair param counters."""
    html = re.sub(r"(object-id|random-id)=('|&#x27;|&quot;)[^'&]*", r"\1=X", html)
    return re.sub(r"param_\d+", "param_N", html)


@pytest.fixture
def answered_predictions():
    undo = answer_unset_radios()
    yield
    undo()


def _canonical_json(text: str) -> str:
    return json.dumps(json.loads(text), sort_keys=True)


def _same_json_text(mimetype: str, data: str) -> str:
    """Every chart's JSON in one spelling (the speed-ups send it unindented: the same value), whether
    it is the output or sits in a layout's HTML (a mime renderer's data-data attribute)."""
    if mimetype.startswith("application/vnd.vega"):
        return _canonical_json(data)

    def nested(m):
        spec = json.loads(html.unescape(m.group(2)))   # the attribute holds the JSON text as a JSON string
        return m.group(1) + html.escape(json.dumps(_canonical_json(spec)), quote=True) + "'"
    return re.sub(r"(data-mime='&quot;application/vnd\.vega[^']*' data-data=')([^']*)'", nested, data)


def _formatted_outputs(app) -> list:
    from marimo._output.formatting import try_format
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outputs, _ = app.run()
        return [(f.mimetype, _norm(_same_json_text(f.mimetype, f.data))) for f in (try_format(o) for o in outputs)]


def test_lab_outputs_are_the_same_without_the_speed_ups(lab, answered_predictions):
    """(``lab``: every notebook, from conftest.py)"""
    spec = importlib.util.spec_from_file_location(f"speed_{lab.stem}", lab)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _formatted_outputs(module.app)   # warm-up: marimo registers its formatters on first use
    _lab_speed.clear_memo()
    fast = _formatted_outputs(module.app)
    with _lab_speed.originals():
        slow = _formatted_outputs(module.app)
    assert len(fast) == len(slow)
    for i, (a, b) in enumerate(zip(fast, slow)):
        assert a == b, f"{lab.name}: output {i} differs with the speed-ups"


def test_every_patch_is_installed_and_undone_by_originals():
    from altair.utils import schemapi
    import marimo._output.md as marimo_md
    assert {name for _, name, _, _ in _lab_speed.PATCHES} == {
        "_render_markdown", "get_entry_points", "from_dict", "_deep_copy", "_wrap_in_channel",
        "validate_jsonschema", "validate_property", "_data_descriptor", "chart_to_json",
        "_remove_duplicate_params", "_combine_subchart_params",
        "toplevel_variable", "imports", "imported_namespaces"}
    fast = marimo_md._render_markdown, schemapi._deep_copy
    with _lab_speed.originals():
        assert (marimo_md._render_markdown, schemapi._deep_copy) != fast
    assert (marimo_md._render_markdown, schemapi._deep_copy) == fast


@pytest.mark.parametrize("code", [
    "import os.path\nimport altair as alt\nfrom json import dumps as d\nx = 1",
    "def helper(a):\n    return a + 1",
    "def _private():\n    return 0",
    "class Shape:\n    pass",
    "y = x + 1",
    "mo.md('text')",
])
def test_cell_facts_are_kept_per_cell_and_are_what_marimo_derives(code):
    from marimo._ast.compiler import compile_cell
    cell = compile_cell(code, cell_id="Hbol")
    with _lab_speed.originals():
        want = (cell.toplevel_variable, cell.imports, cell.imported_namespaces)
        fresh = compile_cell(code, cell_id="Hbol")   # never read with the speed-ups
    for _ in range(2):   # computed, then kept
        got = (cell.toplevel_variable, cell.imports, cell.imported_namespaces)
        assert got == want
    assert cell.imports is not cell.imports and cell.imported_namespaces is not cell.imported_namespaces
    cell.imported_namespaces.add("changed by a caller")   # a caller's copy: the kept set is not changed
    assert cell.imported_namespaces == want[2]
    assert (fresh.toplevel_variable, fresh.imports, fresh.imported_namespaces) == want


def test_markdown_memo_returns_marimo_html_and_stays_bounded(monkeypatch):
    import marimo as mo
    text = "## Head\n\n| a | b |\n|---|---|\n| $x^2$ | **2** |\n\n/// details | Show\nbody\n///"
    _lab_speed.clear_memo()
    first = mo.md(text).text
    assert text in _lab_speed._MEMO
    assert mo.md(text).text == first
    with _lab_speed.originals():
        assert mo.md(text).text == first
    monkeypatch.setattr(_lab_speed, "_MEMO_MAX", 3)
    for i in range(10):
        mo.md(f"text {i}")
    assert len(_lab_speed._MEMO) <= 3


@pytest.mark.filterwarnings("ignore:Automatically deduplicated selection")
def test_chart_building_matches_altair_and_properties_validate_in_debug_mode():
    import altair as alt

    def build():
        rows = ({"x": 1, "y": 2.5, "k": "a"}, {"x": 2, "y": 3.0, "k": "b"})
        pick = alt.selection_point(fields=["k"], name="pick")
        line = labkit.chart(rows).mark_line().encode(
            x="x:Q", y=alt.Y("y:Q", scale=alt.Scale(type="log")), color="k:N",
            tooltip=["k:N", alt.Tooltip("y:Q", format=".2f")]).add_params(pick)
        rule = labkit.chart([{"y": 3}]).mark_rule(strokeDash=[4, 3]).encode(y="y:Q")
        layered = (line + rule).properties(width=200, title=alt.Title("t", subtitle="s"))
        return alt.hconcat(layered, layered.properties(height=100)).to_dict()

    fast = build()
    with _lab_speed.originals():
        assert build() == fast
    chart = labkit.chart([{"x": 1}]).mark_point()
    chart.properties(width="not a size")          # debug mode off (labkit.init): not validated
    with alt.utils.schemapi.debug_mode(True), pytest.raises(Exception, match="not a size"):
        chart.properties(width="not a size")


def test_charts_without_parameters_are_layered_and_concatenated_as_altair_does():
    import altair as alt

    def build(named: bool):
        rows = ({"x": 1, "y": 2.5, "k": "a"}, {"x": 2, "y": 3.0, "k": "b"})
        line = labkit.chart(rows).mark_line().encode(x="x:Q", y="y:Q", color="k:N").properties(width=150)
        dots = labkit.chart(rows).mark_point().encode(x="x:Q", y="y:Q")
        if named:   # a named layer is renamed by its position in a concat: altair's own path
            dots = dots.properties(name="dots")
        left = alt.layer(line, dots).properties(title="left")
        right = (dots + labkit.chart([{"y": 3}]).mark_rule().encode(y="y:Q")).properties(height=90)
        both = alt.hconcat(left, right, alt.vconcat(left, right)).resolve_scale(color="independent")
        # the parts as the lab wrote them are not changed by being layered or concatenated
        return both.to_dict(), line.to_dict(), dots.to_dict(), left.to_dict()

    for named in (False, True):
        fast = build(named)
        with _lab_speed.originals():
            assert build(named) == fast, named
    line = labkit.chart([{"x": 1}]).mark_line().encode(x="x:Q")
    dots = labkit.chart([{"x": 2}]).mark_point().encode(x="x:Q")   # other data: it stays with each
    assert alt.layer(line, dots).layer[0] is line                   # not copied
    assert alt.hconcat(line, dots.properties(name="n")).hconcat[0] is line
    pick = alt.selection_point(fields=["x"])
    with_params = alt.layer(line.add_params(pick), line)
    assert with_params.params is not alt.Undefined and with_params.layer[1] is not line   # altair's own path


def test_charts_are_sent_unindented_with_the_same_json_value():
    from marimo._output.formatting import try_format
    rows = [{"x": 1, "y": 2.5, "term": "δ/τ"}, {"x": 2, "y": 1e-9, "term": "b"}]
    chart = labkit.chart(rows).mark_line().encode(x="x:Q", y="y:Q", color="term:N")
    fast = try_format(chart)
    with _lab_speed.originals():
        slow = try_format(labkit.chart(rows).mark_line().encode(x="x:Q", y="y:Q", color="term:N"))
    assert fast.mimetype == slow.mimetype and fast.mimetype.startswith("application/vnd.vegalite")
    assert "\n" not in fast.data and "\n" in slow.data and len(fast.data) < len(slow.data)
    assert json.loads(fast.data) == json.loads(slow.data)
    # a chart that cannot be sent fails with marimo's own error, which names the value
    bad = [{"x": 1, "y": float("inf")}]
    failed = try_format(labkit.chart(bad).mark_point().encode(x="x:Q", y="y:Q"))
    with _lab_speed.originals():
        failed_before = try_format(labkit.chart(bad).mark_point().encode(x="x:Q", y="y:Q"))
    assert "not JSON compliant: inf" in failed.traceback
    assert failed.traceback.splitlines()[-1] == failed_before.traceback.splitlines()[-1]


def test_string_shorthand_builds_what_from_dict_builds():
    from altair.utils.core import _ChannelCache
    cache = _ChannelCache.from_cache()
    checked = 0
    for encoding, channel in cache.name_to_channel.items():
        for shorthand in ("x:Q", "method:N", "sum(v):Q", "GB", "t:T", "count()"):
            fast = cache._wrap_in_channel(shorthand, encoding)
            with _lab_speed.originals():
                slow = cache._wrap_in_channel(shorthand, encoding)
            assert type(fast) is type(slow) and fast._kwds == slow._kwds, (encoding, shorthand)
            checked += 1
    assert checked > 200


def test_entry_point_lookup_is_kept_and_unchanged():
    from marimo._entrypoints import registry
    fast = [ep.name for ep in registry.get_entry_points("marimo.cell.executor")]
    with _lab_speed.originals():
        slow = [ep.name for ep in registry.get_entry_points("marimo.cell.executor")]
    assert fast == slow
    assert registry.get_entry_points("marimo.cell.executor") is registry.get_entry_points("marimo.cell.executor")


def test_kept_validation_outcomes_raise_and_pass_as_jsonschema_does():
    import jsonschema
    from altair.utils import schemapi
    schema = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "number"}}]}
    for _ in range(2):   # computed, then kept
        assert schemapi.validate_jsonschema("red", schema) is None
        assert schemapi.validate_jsonschema([5, 3], schema) is None
        with pytest.raises(jsonschema.ValidationError):
            schemapi.validate_jsonschema({"value": 1}, schema)
        assert schemapi.validate_jsonschema(1, schema, raise_error=False) is not None
    # 1 and True, a list and a tuple are different instances to jsonschema: kept apart
    integer = {"type": "integer"}
    assert schemapi.validate_jsonschema(1, integer) is None
    with pytest.raises(jsonschema.ValidationError):
        schemapi.validate_jsonschema(True, integer)
    array = {"type": "array"}
    assert schemapi.validate_jsonschema([1, 2], array) is None
    with pytest.raises(jsonschema.ValidationError):
        schemapi.validate_jsonschema((1, 2), array)
    assert _lab_speed_altair._plain_key({"b": [1, 2.0], "a": None}, [10]) == _lab_speed_altair._plain_key({"a": None, "b": [1, 2.0]}, [10])
    with pytest.raises(_lab_speed_altair._NotKept):
        _lab_speed_altair._plain_key(list(range(300)), [200])


def test_thread_local_stand_in_reads_as_before(monkeypatch):
    from marimo._runtime._wasm._concurrency import _threading
    from marimo._runtime._wasm._concurrency._threading import AsyncLocal
    monkeypatch.setattr(_threading, "current_ident", lambda: 1)   # the browser's one synthetic thread

    class Local(AsyncLocal):
        @property
        def doubled(self):
            return 2 * self.value

    local = Local()
    local.value = 21
    for _ in range(2):   # found, then kept
        assert (local.value, local.doubled) == (21, 42)
        with pytest.raises(AttributeError):
            local.missing
    with _lab_speed.originals():
        assert (local.value, local.doubled) == (21, 42)


def test_page_messages_are_what_marimos_bootstrap_posts():
    """The text marimo's bootstrap (marimo/_pyodide/bootstrap.py, write_kernel_message) builds."""
    from marimo._messaging.notification import CellNotification, RemoveUIElementsNotification
    from marimo._messaging.serde import deserialize_kernel_message, serialize_kernel_message
    posted = []
    write = _lab_speed.page_writer(posted.append)
    for note in (CellNotification(cell_id="Hbol", status="running"),
                 CellNotification(cell_id="Hbol", output=None, console=[], status="idle"),
                 RemoveUIElementsNotification(cell_id="Hbol")):
        message = serialize_kernel_message(note)
        write(message)
        name = deserialize_kernel_message(message).name
        assert posted[-1] == f'{{"op": "{name}", "data": {message.decode("utf-8")}}}'


def test_session_record_is_brought_up_to_date_when_quiet_and_when_long():
    class View:
        def __init__(self):
            self.added = []

        def add_raw_notification(self, message):
            self.added.append(message)

    now, timers = [0.0], []
    delay = _lab_speed._VIEW_DELAY_S
    view = View()
    record = _lab_speed.DeferredRecord(view, lambda wait, fn: timers.append((now[0] + wait, fn)) or "timer",
                                       lambda: now[0])
    view.add_raw_notification = record.add_raw_notification
    view.add_raw_notification(b"1")
    now[0] = delay / 2
    view.add_raw_notification(b"2")
    assert view.added == [] and len(timers) == 1   # one timer for the burst
    now[0], due = timers.pop()
    due()   # the second message came later: not yet quiet, waits again
    assert view.added == [] and timers[-1][0] == 1.5 * delay
    now[0], due = timers.pop()
    due()
    assert view.added == [b"1", b"2"] and record.pending == [] and record.timer is None
    for i in range(_lab_speed._VIEW_PENDING_MAX):
        view.add_raw_notification(i)
    assert view.added[2:] == list(range(_lab_speed._VIEW_PENDING_MAX)) and record.pending == []


def test_outside_the_browser_the_session_is_left_alone():
    assert _lab_speed._kernel_session() is None


def test_browser_session_gets_the_page_writer_and_the_deferred_record(monkeypatch):
    """On a stand-in shaped as marimo 0.25.2's PyodideSession; its bootstrap's writer is pinned here."""
    import asyncio
    import inspect
    from marimo._pyodide import bootstrap
    source = inspect.getsource(bootstrap)
    for line in ("def write_kernel_message(notification: KernelMessage) -> None:",
                 "name = deserialize_kernel_message(notification).name",
                 """text = f'{{"op": "{name}", "data": {data_json_str}}}'""", "message_callback(text)"):
        assert line in source, f"marimo's bootstrap changed: re-check _lab_speed._speed_up_pyodide_session ({line})"

    posted, recorded = [], []

    def make_writer(message_callback):
        def write_kernel_message(notification):
            message_callback(notification)
        return write_kernel_message

    class View:
        def add_raw_notification(self, message):
            recorded.append(message)

    class PyodideSession:
        session_consumer = make_writer(posted.append)
        session_view = View()

    session = PyodideSession()
    monkeypatch.setattr(_lab_speed, "_kernel_session", lambda: session)
    import dataclasses
    from marimo._runtime.runner.hook_context import PostExecutionHookContext
    # what this test installs is undone after it (this process is not a browser kernel)
    monkeypatch.setattr(_lab_speed, "PATCHES", list(_lab_speed.PATCHES))
    monkeypatch.setattr(PostExecutionHookContext, "should_broadcast_data", False)
    made_before = PostExecutionHookContext(*[None] * 6, should_broadcast_data=True)   # a run going on
    assert made_before.should_broadcast_data is True

    async def run():
        _lab_speed._speed_up_pyodide_session()
        from marimo._messaging.notification import CellNotification
        from marimo._messaging.serde import serialize_kernel_message
        message = serialize_kernel_message(CellNotification(cell_id="Hbol", status="idle"))
        session.session_consumer(message)
        session.session_view.add_raw_notification(message)
        assert posted[0].startswith('{"op": "cell-op", "data": {') and recorded == []
        await asyncio.sleep(_lab_speed._VIEW_DELAY_S + 0.2)
        assert recorded == [message]
        # a run-mode page has no variables/datasets panels: nothing is sent for them (the flag's
        # only readers are pinned in test_only_editor_panels_read_the_broadcast_flag)
        made_after = PostExecutionHookContext(*[None] * 6, should_broadcast_data=True)
        assert made_before.should_broadcast_data is False and made_after.should_broadcast_data is False
        assert dataclasses.replace(made_after).should_broadcast_data is False
        assert [name for _, name, _, _ in _lab_speed.PATCHES][-1] == "should_broadcast_data"

    # in a thread of its own: the browser tests' session-scoped Playwright keeps a loop running in
    # this one, and asyncio.run refuses to start inside a running loop
    errors = []
    worker = threading.Thread(target=lambda: _run_collecting(asyncio.run, run(), errors))
    worker.start()
    worker.join()
    assert not errors, errors[0]


def test_only_editor_panels_read_the_broadcast_flag():
    """What _lab_speed turns off in the browser is what feeds the editor's side panels, nothing else."""
    import inspect
    import pathlib
    import marimo
    from marimo._runtime.runner import hooks_post_execution as hooks
    readers = {name for name, fn in vars(hooks).items()
               if inspect.isfunction(fn) and "ctx.should_broadcast_data" in inspect.getsource(fn)}
    assert readers == {"_broadcast_variables", "_broadcast_datasets", "_broadcast_data_source_connection",
                       "_broadcast_duckdb_datasource", "broadcast_storage_backends"}
    root = pathlib.Path(marimo.__file__).parent
    users = {".".join(f.relative_to(root.parent).with_suffix("").parts) for f in root.rglob("*.py")
             if "should_broadcast_data" in f.read_text(encoding="utf-8")}
    assert users == {"marimo._runtime.runner.cell_runner", "marimo._runtime.runner.hook_context",
                     "marimo._runtime.runner.hooks_post_execution"}


def _run_collecting(fn, arg, errors):
    try:
        fn(arg)
    except BaseException as e:  # noqa: BLE001  (re-raised by the test's thread)
        errors.append(e)
