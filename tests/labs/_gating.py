"""Does the prediction gate every cell that shows its answer? One run of the lab, with its predictions unset.

    python tests/labs/_gating.py labs/v2_17_conclusion.py

prints one JSON object after ``@@GATING@@``: {"lab", "predictions", "gated": [cell...], "problems": [...]}.

What counts (read from marimo's own dataflow graph, the cells' defs and refs):

- a **prediction** is a name ``X`` that some cell stops on with ``mo.stop(X.value is None, ...)``
  (the lab anatomy's radio/number); it must start unset (``value`` None), or nothing is gated;
- a **reveal** cell reads a prediction (other than the cell that shows the widget);
- the **answer** is what a reveal cell computes or reads: the names it defines, and the names it
  reads from other cells except the setup cell, ``@app.function``s and UI controls (a control shows
  itself, not the answer). Whatever reads an answer name is gated too, transitively (its own defs
  join the answer), wherever it sits on the page: above the prediction or below it.

Every gated cell must show nothing while the predictions are unset: it stopped (``mo.stop``: its
message is allowed), was skipped because a cell it depends on stopped, or ran with no output.
A cell that shows something is a leak: the student can read the answer before committing.

The run is marimo's script runner (``app.run()``), with its per-cell result recorded, so the cost
is one run of the lab at its defaults; nothing else is executed.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import sys
import warnings
from pathlib import Path

SETUP = "setup"   # marimo's id of the `with app.setup:` cell


def _stop_predictions(code: str) -> set[str]:
    """Names X in ``<...>.stop(<... X.value is None ...>, ...)`` calls of one cell's code."""
    found: set[str] = set()
    for call in ast.walk(ast.parse(code)):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "stop" and call.args):
            continue
        for cmp in ast.walk(call.args[0]):
            if (isinstance(cmp, ast.Compare) and len(cmp.ops) == 1 and isinstance(cmp.ops[0], ast.Is)
                    and isinstance(cmp.comparators[0], ast.Constant) and cmp.comparators[0].value is None
                    and isinstance(cmp.left, ast.Attribute) and cmp.left.attr == "value"
                    and isinstance(cmp.left.value, ast.Name)):
                found.add(cmp.left.value.id)
    return found


def _cell_lines(path: Path) -> list[tuple[int, str]]:
    """(line, kind) of each cell in file order: kind "setup", "cell", "function" or "class_definition"."""
    lines = []
    for n in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(n, ast.With) and any(isinstance(i.context_expr, ast.Attribute)
                                           and i.context_expr.attr == "setup" for i in n.items):
            lines.append((n.lineno, "setup"))
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for d in n.decorator_list:
                d = d.func if isinstance(d, ast.Call) else d
                if isinstance(d, ast.Attribute) and d.attr in ("cell", "function", "class_definition"):
                    lines.append((n.lineno, d.attr))
                    break
    return lines


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"lab_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)   # defines the cells; runs nothing but the setup block
    return module.app


def run_recorded(app) -> tuple[dict, dict]:
    """``app.run()`` with each cell's fate recorded: {cell_id: ("ran", output) | ("stopped", output)};
    a cell absent from the record was skipped (an ancestor stopped). Returns (record, defs)."""
    from marimo._runtime.app import script_runner as sr
    from marimo._runtime.control_flow import MarimoStopError
    from marimo._runtime.exceptions import MarimoRuntimeException

    record: dict = {}
    original = sr.AppScriptRunner._handle_run_result

    def handle(self, cid, result, outputs):
        exc = result.exception
        stopped = isinstance(exc, MarimoRuntimeException) and isinstance(
            sr.unwrap_user_exception(exc, self.app.graph), MarimoStopError)
        original(self, cid, result, outputs)   # raises on a real error, as the script run does
        record[cid] = ("stopped" if stopped else "ran", outputs.get(cid))

    sr.AppScriptRunner._handle_run_result = handle
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, defs = app.run()
    finally:
        sr.AppScriptRunner._handle_run_result = original
    return record, dict(defs.items()) if hasattr(defs, "items") else {}


def analyse(path: Path) -> dict:
    from marimo._plugins.ui._core.ui_element import UIElement

    app = load(path)
    app._maybe_initialize()
    # (id, marimo's CellImpl: .code, .defs, .refs) in file order
    cells = [(cd.cell_id, app._graph.cells[cd.cell_id]) for cd in app._cell_manager.cell_data()
             if cd.cell_id in app._graph.cells]
    placed = _cell_lines(path)
    if len(placed) != len(cells):   # cannot happen for a file marimo parsed; be safe, not wrong
        placed = [("?", "cell")] * len(cells)
    lines = {cid: ln for (cid, _), (ln, _) in zip(cells, placed)}
    kinds = {cid: kind for (cid, _), (_, kind) in zip(cells, placed)}
    first = {cid: next((ln.strip() for ln in c.code.splitlines()
                        if ln.strip() and not ln.strip().startswith("#")), "")[:70] for cid, c in cells}

    def where(cid) -> str:
        return f"line {lines.get(cid, '?')}: `{first[cid]}`"

    record, defs = run_recorded(app)
    # a name defined by the setup cell or an @app.function is a tool, not an answer
    tools = {n for cid, c in cells if cid == SETUP or kinds[cid] != "cell" for n in c.defs}
    controls = {n for n, v in defs.items() if isinstance(v, UIElement)}
    defined_by = {n: cid for cid, c in cells for n in c.defs}

    predictions = set()
    for _, c in cells:
        predictions |= {x for x in _stop_predictions(c.code) if x in defined_by}
    problems = []
    if not predictions:
        problems.append("no prediction: no cell stops on `mo.stop(<prediction>.value is None, ...)`")
    for p in sorted(predictions):
        if p in defs and getattr(defs[p], "value", None) is not None:
            problems.append(f"prediction `{p}` starts answered (value {defs[p].value!r}): a prediction "
                            "must start unset, or nothing waits for the student")
    widget_cells = {defined_by[p] for p in predictions}
    reveals = [cid for cid, c in cells if cid not in widget_cells and c.refs & predictions]

    answer: set[str] = set()
    for cid in reveals:
        c = app._graph.cells[cid]
        answer |= set(c.defs)
        answer |= {n for n in c.refs if n in defined_by and n not in tools and n not in controls
                   and n not in predictions}
    answer_cells = {defined_by[n] for n in answer if defined_by.get(n) not in reveals}
    gated = set(reveals)
    for _ in range(len(cells)):   # the closure grows by at least one cell per pass, or stops
        grown = {cid for cid, c in cells if cid not in gated and cid not in answer_cells
                 and cid not in widget_cells and c.refs & answer}
        if not grown:
            break
        gated |= grown
        for cid in grown:
            answer |= set(app._graph.cells[cid].defs)

    order = [cid for cid, _ in cells]
    leaks = []
    for cid in sorted(gated, key=order.index):
        fate, output = record.get(cid, ("skipped", None))
        if fate == "ran" and output is not None:
            reads = sorted(app._graph.cells[cid].refs & (answer | predictions))
            leaks.append({"cell": where(cid), "reads": reads})
            problems.append(f"{where(cid)} shows output ({type(output).__name__}) while the prediction "
                            f"is unset; it reads {', '.join(reads)}: start it with "
                            "`mo.stop(<prediction>.value is None, ...)`")
    return {"lab": str(path), "predictions": sorted(predictions),
            "reveals": [where(c) for c in reveals],
            "gated": [where(c) for c in sorted(gated, key=order.index)],
            "leaks": leaks, "problems": problems}


def main(argv=None) -> int:
    path = Path((argv or sys.argv[1:])[0]).resolve()
    sys.stdout.write("\n@@GATING@@" + json.dumps(analyse(path)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
