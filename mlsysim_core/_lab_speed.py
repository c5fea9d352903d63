"""Per-slider-move costs of marimo's markdown and altair's chart building, cut for the labs.

``labkit.init()`` calls ``install()``. Each change returns what the original returns (tests/labs/
test_lab_speed.py compares them on the labs' own text and charts); the labs' charts are still
validated in full by tests/labs. Measured in CPython on the 33 labs, one run each with the
predictions answered and every output formatted (``benchmarks/lab_run_bench.py``); the browser's
Pyodide runs the same Python several times slower, on every slider move.

The chart-building changes (altair, and marimo's chart serialization) are in ``_lab_speed_altair``;
``install()`` makes them too, through the same record of changes (``PATCHES``, ``originals()``).

- Markdown: marimo renders every ``mo.md`` with ~25 extensions (~0.9 ms for a lab's typical text
  in CPython, ~37 texts per run of a lab), and a cell re-run by a slider re-renders its static
  prose too. The HTML is a pure function of the text (marimo resets the converter per call), so a
  bounded memo returns it for text seen before.
- marimo looks up cell-executor plugins (``importlib.metadata.entry_points()``, reading every
  installed package's metadata) each time it runs cells: ~80 ms of every slider move in the
  browser. The lookup is kept per entry-point group; the site installs all its packages before
  the first cell runs and none of them registers a marimo plugin.
- In the browser, marimo's stand-in for ``threading.local`` (behind every ``get_context()``, ~170
  per slider move) walks its class's MRO on every attribute read to look for data descriptors: the
  answer per class and name is kept (a class's attributes do not change while a lab runs).
- In the browser, each kernel message (3 status messages per cell re-run, one output, a chart's
  JSON) was JSON-decoded twice in full: once only to read its ``op`` name before it is posted to
  the page, once into the session's record (``SessionView``), which only an HTML export reads.
  The name is read with marimo's slim name decoder; the record is brought up to date once the
  kernel has been quiet for ``_VIEW_DELAY_S`` (or after ``_VIEW_PENDING_MAX`` messages), off the
  path from a slider move to its outputs.
- In the browser, marimo's kernel sends what its editor's side panels show (each re-run cell's
  variables with a preview of each value, data sources, datasets, storage; and a check whether
  duckdb is installed, a file-system search, per cell): ~15 % of the kernel's time per slider move
  in lab II.9, and its lab's start-up probed every variable for a SQL engine (0.16 s, profiled).
  The labs site shows each lab in run mode (``build_wasm`` exports ``--mode run``), which has no
  such panels, but marimo's Pyodide bootstrap always starts its session in edit mode, the only
  mode in which these are sent. ``labkit.init()`` in a browser kernel means the labs site: there
  they are not sent (opened in marimo's browser editor instead, its variables panel stays empty).
- marimo re-derives facts about a cell that cannot change while the cell exists (its code is
  fixed): ``toplevel_variable`` parses the cell's code anew after every run, and the module
  registry walks every cell's imports twice per re-run cell. Each is kept on the cell.
"""
from __future__ import annotations

import contextlib

_MEMO_MAX = 4096
_VIEW_DELAY_S = 0.5
_VIEW_PENDING_MAX = 500
_installed = False
_MEMO: dict[str, str] = {}
# (owner, attribute, original, replacement) for each change made, so tests and benchmarks can
# compare against the originals (``originals()``)
PATCHES: list[tuple[object, str, object, object]] = []


def _patch(owner, name: str, replacement) -> None:
    PATCHES.append((owner, name, owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name),
                    replacement))
    setattr(owner, name, replacement)


@contextlib.contextmanager
def originals():
    """Run a block with marimo's and altair's own code (for comparisons; not thread-safe)."""
    for owner, name, original, _ in PATCHES:
        setattr(owner, name, original)
    try:
        yield
    finally:
        for owner, name, _, replacement in PATCHES:
            setattr(owner, name, replacement)


def clear_memo() -> None:
    _MEMO.clear()


def install() -> None:
    """Idempotent; altair's parts only on the altair major versions they were written against."""
    global _installed
    if _installed:
        return
    _installed = True
    _memoize_markdown()
    _memoize_entry_points()
    _memoize_local_descriptors()
    _memoize_cell_facts()
    _speed_up_pyodide_session()
    import altair
    if altair.__version__.split(".")[0] in ("5", "6"):
        from . import _lab_speed_altair
        _lab_speed_altair.install(_patch)


def _memoize_markdown() -> None:
    from marimo._output import md as marimo_md
    render = marimo_md._render_markdown

    def _render_markdown(text: str) -> str:
        html = _MEMO.get(text)
        if html is None:
            if len(_MEMO) >= _MEMO_MAX:
                _MEMO.clear()
            html = _MEMO[text] = render(text)
        return html

    _patch(marimo_md, "_render_markdown", _render_markdown)


def _memoize_entry_points() -> None:
    from marimo._entrypoints import registry
    lookup = registry.get_entry_points
    found: dict = {}

    def get_entry_points(group):
        if group not in found:
            found[group] = lookup(group)
        return found[group]

    _patch(registry, "get_entry_points", get_entry_points)


def _memoize_local_descriptors() -> None:
    try:
        from marimo._runtime._wasm._concurrency._threading import AsyncLocal
    except ImportError:   # another marimo: nothing to speed up
        return
    find = AsyncLocal._data_descriptor
    found: dict = {}

    def _data_descriptor(self, name):
        key = (type(self), name)
        try:
            return found[key]
        except KeyError:
            descriptor = found[key] = find(self, name)
            return descriptor

    _patch(AsyncLocal, "_data_descriptor", _data_descriptor)


def _memoize_cell_facts() -> None:
    from marimo._ast.cell import CellImpl
    names = ("toplevel_variable", "imports", "imported_namespaces")
    if not all(isinstance(CellImpl.__dict__.get(n), property) for n in names):
        return   # another marimo: nothing to keep

    def kept(name: str, copy):
        compute = CellImpl.__dict__[name].fget
        slot = f"_mlsx_{name}"

        def get(self):
            facts = self.__dict__   # a frozen dataclass: its fields are fixed, its __dict__ is not
            if slot not in facts:
                facts[slot] = compute(self)
            return copy(facts[slot])
        get.__doc__ = compute.__doc__
        return property(get)

    same = lambda v: v  # noqa: E731  (a VariableData or None, as marimo returns it)
    _patch(CellImpl, "toplevel_variable", kept("toplevel_variable", same))
    _patch(CellImpl, "imports", kept("imports", list))   # callers get their own list and set
    _patch(CellImpl, "imported_namespaces", kept("imported_namespaces", set))


def _kernel_session():
    """The PyodideSession whose kernel runs this code, or None (CPython, no kernel, another marimo)."""
    from marimo._runtime.context.types import safe_get_context
    context = safe_get_context()
    pipe = getattr(getattr(context, "stream", None), "pipe", None)
    session = getattr(pipe, "__self__", None)
    if type(session).__name__ != "PyodideSession":
        return None
    return session


def page_writer(message_callback):
    """What marimo's bootstrap posts to the page for each kernel message, reading only its name."""
    from marimo._messaging.serde import deserialize_kernel_notification_name

    def write_kernel_message(notification) -> None:
        name = deserialize_kernel_notification_name(notification)
        message_callback(f'{{"op": "{name}", "data": {notification.decode("utf-8")}}}')

    return write_kernel_message


class DeferredRecord:
    """Adds kernel messages to a SessionView in a batch, once none has come for ``_VIEW_DELAY_S``.

    One timer per burst of messages, not one per message: in the browser each timer is a JS
    ``setTimeout`` (~0.3 ms, profiled), and a slider move sends ~50 messages."""

    def __init__(self, view, call_later, clock):
        self.view, self.call_later, self.clock = view, call_later, clock
        self.add = view.add_raw_notification
        self.pending: list = []
        self.last = 0.0
        self.timer = None

    def add_raw_notification(self, message) -> None:
        self.pending.append(message)
        self.last = self.clock()
        if len(self.pending) >= _VIEW_PENDING_MAX:
            self.flush()
        elif self.timer is None:
            self.timer = self.call_later(_VIEW_DELAY_S, self.when_quiet)

    def when_quiet(self) -> None:
        self.timer = None
        wait = self.last + _VIEW_DELAY_S - self.clock()
        if wait > 0 and self.pending:
            self.timer = self.call_later(wait, self.when_quiet)
        else:
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        for message in pending:
            self.add(message)


def _speed_up_pyodide_session() -> None:
    session = _kernel_session()
    if session is None:
        return
    writer = session.session_consumer
    code = getattr(writer, "__code__", None)
    if getattr(writer, "__name__", None) != "write_kernel_message" or getattr(code, "co_freevars", None) != (
            "message_callback",):
        return   # not the bootstrap this was written against: keep it
    session.session_consumer = page_writer(writer.__closure__[0].cell_contents)
    import asyncio
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = asyncio.get_event_loop()
    record = DeferredRecord(session.session_view, loop.call_later, loop.time)
    session.session_view.add_raw_notification = record.add_raw_notification
    _no_editor_panels()


def _no_editor_panels() -> None:
    """No variables, datasets, data sources or storage sent for panels a run-mode page lacks.

    The five hooks that send them each return at once when their context's
    ``should_broadcast_data`` is false; the context is made once per run of cells, before the cells
    run, so the flag reads false on the class (a data descriptor wins over the instance's field):
    the run that is going on (the lab's first, which calls ``labkit.init()``) is covered too."""
    import dataclasses
    from marimo._runtime.runner.hook_context import PostExecutionHookContext
    if "should_broadcast_data" not in {f.name for f in dataclasses.fields(PostExecutionHookContext)}:
        return
    _patch(PostExecutionHookContext, "should_broadcast_data",
           property(lambda self: False, lambda self, value: None, doc="False: no editor panels in the site"))
