"""Static reading of a lab notebook (AST and text only; nothing is executed).

Each function returns a list of problems (empty when the lab follows labs/README.md), so a
failing test names every missing piece at once.
"""
from __future__ import annotations

import ast
import math
import re
import sys
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

MARIMO_PIN = "marimo==0.25.2"
REQUIRED_DEPS = ("marimo", "altair", "pint", "mlsysim_core")
ALLOWED_THIRD_PARTY = {"marimo", "altair", "mlsysim_core"}
FORBIDDEN = {"numpy", "pandas", "plotly", "scipy", "polars", "matplotlib", "seaborn", "sklearn",
             "torch", "tensorflow", "multiprocessing", "subprocess", "threading", "requests"}
PREDICTION_WIDGETS = {"radio", "number"}
CHAPTERS = {c["id"]: c for c in tomllib.loads(
    (Path(__file__).resolve().parents[2] / "labs" / "chapters.toml").read_text())["chapter"]}


def chapter_of(path: Path) -> str:
    """labs/v1_11_hardware_acceleration.py -> "I.11" (volume from v1/v2, chapter without zero padding)."""
    m = re.match(r"v([12])_(\d\d)_", path.name)
    return f"{'I' * int(m.group(1))}.{int(m.group(2))}" if m else "?"
CONTROL_WIDGETS = {"slider", "dropdown"}
OPT_OUT = "noqa: registry"   # put on a line whose literal only looks like a registry number


@dataclass
class Lab:
    path: Path
    text: str = field(repr=False)

    @classmethod
    def read(cls, path: Path) -> "Lab":
        return cls(path, path.read_text(encoding="utf-8"))

    @cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.text, filename=str(self.path))

    @cached_property
    def header(self) -> str:
        m = re.search(r"^# /// script\n(.*?)^# ///$", self.text, re.S | re.M)
        return m.group(1) if m else ""

    @cached_property
    def calls(self) -> list[ast.Call]:
        return [n for n in ast.walk(self.tree) if isinstance(n, ast.Call)]

    def ui_calls(self, kinds: set[str]) -> list[ast.Call]:
        """Calls of ``mo.ui.<kind>(...)`` (or ``ui.<kind>``)."""
        out = []
        for c in self.calls:
            f = c.func
            if isinstance(f, ast.Attribute) and f.attr in kinds:
                base = f.value
                if (isinstance(base, ast.Attribute) and base.attr == "ui") or (
                        isinstance(base, ast.Name) and base.id == "ui"):
                    out.append(c)
        return out

    def attr_calls(self, name: str) -> list[ast.Call]:
        return [c for c in self.calls if isinstance(c.func, ast.Attribute) and c.func.attr == name]

    @cached_property
    def strings(self) -> str:
        """Every string constant and f-string text, joined (the notebook's prose)."""
        parts = []
        for n in ast.walk(self.tree):
            if isinstance(n, ast.Constant) and isinstance(n.value, str):
                parts.append(n.value)
        return "\n".join(parts)

    @cached_property
    def app_call(self) -> ast.Call | None:
        for c in self.calls:
            f = c.func
            if isinstance(f, ast.Attribute) and f.attr == "App" and isinstance(f.value, ast.Name) \
                    and f.value.id == "marimo":
                return c
        return None

    @cached_property
    def cells(self) -> list[ast.FunctionDef]:
        return [n for n in self.tree.body if isinstance(n, ast.FunctionDef) and any(
            _decorator_name(d) in ("cell", "function") for d in n.decorator_list)]

    @cached_property
    def setup(self) -> list[ast.stmt]:
        """The ``with app.setup:`` body, or else the first cell's body."""
        for n in self.tree.body:
            if isinstance(n, ast.With) and any(
                    isinstance(i.context_expr, ast.Attribute) and i.context_expr.attr == "setup"
                    for i in n.items):
                return n.body
        return self.cells[0].body if self.cells else []


def _decorator_name(d) -> str:
    d = d.func if isinstance(d, ast.Call) else d
    return d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", "")


def _kw(call: ast.Call, name: str):
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def _root(module: str | None) -> str:
    return (module or "").split(".")[0]


# ---------------------------------------------------------------- checks


def check_header(lab: Lab) -> list[str]:
    problems = []
    if not lab.header:
        return ["no PEP 723 '# /// script' header at the top"]
    if MARIMO_PIN not in lab.header:
        problems.append(f"PEP 723 header does not pin {MARIMO_PIN}")
    for dep in REQUIRED_DEPS:
        if not re.search(rf'"{dep}\b', lab.header):
            problems.append(f"PEP 723 header does not list {dep}")
    chapter = chapter_of(lab.path)
    declared = re.search(r"^# chapter: (\S+)$", lab.text, re.M)
    if not declared:
        problems.append(f"no '# chapter: {chapter}' line")
    elif declared.group(1) != chapter:
        problems.append(f"'# chapter: {declared.group(1)}' does not match the file name (chapter {chapter})")
    elif chapter not in CHAPTERS:
        problems.append(f"chapter {chapter} is not in labs/chapters.toml")
    if not re.search(r"^# goal: \S.{10,}$", lab.text, re.M):
        problems.append("no '# goal: <one-line learning goal>' line (shown on the site's index)")
    return problems


def check_app(lab: Lab) -> list[str]:
    call = lab.app_call
    if call is None:
        return ["no marimo.App(...)"]
    problems = []
    width = _kw(call, "width")
    if not (isinstance(width, ast.Constant) and width.value == "medium"):
        problems.append('App(...) must have width="medium"')
    title = _kw(call, "app_title")
    chapter = chapter_of(lab.path)
    if not (isinstance(title, ast.Constant) and isinstance(title.value, str)):
        problems.append('App(...) has no literal app_title="I.11 · Title"')
    elif not title.value.startswith(f"{chapter} · "):
        problems.append(f"app_title {title.value!r} should start with its chapter: '{chapter} · '")
    if "__name__" not in lab.text or "app.run()" not in lab.text:
        problems.append("no `if __name__ == \"__main__\": app.run()` footer")
    return problems


def check_imports(lab: Lab) -> list[str]:
    problems = []
    setup_ids = {id(n) for stmt in lab.setup for n in ast.walk(stmt)}
    stdlib = set(sys.stdlib_module_names)
    for n in ast.walk(lab.tree):
        if isinstance(n, ast.Import):
            roots = [_root(a.name) for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            roots = [_root(n.module)]
        else:
            continue
        for r in roots:
            if r in FORBIDDEN:
                problems.append(f"line {n.lineno}: imports {r} (not allowed in a lab: see labs/README.md)")
            elif r not in ALLOWED_THIRD_PARTY and r not in stdlib:
                problems.append(f"line {n.lineno}: imports {r}; labs import only marimo, altair, "
                                "mlsysim_core (and the standard library)")
        top = n in lab.tree.body   # `import marimo` at module level is the file's own header
        if not top and id(n) not in setup_ids:
            problems.append(f"line {n.lineno}: import outside the setup cell")
    return problems


def check_teaching(lab: Lab) -> list[str]:
    """The parts every lab must have (labs/README.md, items 4-11)."""
    problems = []
    prose = lab.strings
    if not re.search(r"^\s*# \S", prose, re.M):
        problems.append("no H1 title in a markdown cell")
    if not re.search(r"\$\$.+?\$\$|\\\[.+?\\\]|\\begin\{", prose, re.S):
        problems.append("no displayed LaTeX equation ($$...$$) in the story")
    if not re.search(r"learning goal|you will be able|you can\b|by the end|you will learn", prose, re.I):
        problems.append("no learning goals ('Learning goals' / 'After this lab you can')")
    if not lab.ui_calls(CONTROL_WIDGETS):
        problems.append("no mo.ui.slider or mo.ui.dropdown control")
    if not lab.ui_calls(PREDICTION_WIDGETS) or not lab.attr_calls("stop"):
        problems.append("no predict-then-reveal: a mo.ui.radio/number and a mo.stop before the answer")
    if not re.search(r"predict", prose, re.I):
        problems.append("no prediction question in the prose ('Predict ...')")
    if not any(isinstance(c.func, ast.Attribute) and c.func.attr in ("Chart", "chart") for c in lab.calls) \
            and "plot_roofline" not in lab.text:
        problems.append("no altair chart (labkit.chart, alt.Chart or mlsysim_core.plot_*)")
    if not lab.attr_calls("accordion") or not (
            lab.attr_calls("explain") or re.search(r"show the work", prose, re.I)):
        problems.append('no "show the work" panel: mo.accordion({"Show the work": '
                        'mo.md(result.explain())})')
    kinds = {getattr(_kw(c, "kind"), "value", None) for c in lab.attr_calls("callout")}
    if not kinds & {"danger", "warn"}:
        problems.append('no failure callout: mo.callout(..., kind="danger") (or .callout(kind="warn"))')
    if not re.search(r"takeaway", prose, re.I):
        problems.append("no 'Key takeaways' section")
    if not re.search(r"exercise", prose, re.I):
        problems.append("no 'Exercises' section")
    if len(lab.ui_calls({"number"})) < 2:
        problems.append("fewer than 2 exercises with a numeric answer (mo.ui.number)")
    return problems


def check_cells(lab: Lab) -> list[str]:
    problems = []
    for cell in lab.cells:
        body = [s for s in cell.body if not isinstance(s, ast.Return)]
        if not body or all(isinstance(s, ast.Pass) for s in body):
            problems.append(f"line {cell.lineno}: empty cell")
    return problems


def registry_numbers() -> set[float]:
    """Numbers of the zoo as a lab author might type them (canonical and display units)."""
    from mlsysim_core import Hardware, Models

    nums: set[float] = set()
    for hw in Hardware:
        for v in hw.compute.flops_by_precision.values():
            nums |= {v, v / 1e12, v / 1e9}
        cap, bw = hw.memory.capacity_bytes, hw.memory.bandwidth_bytes_s
        nums |= {cap, cap / 1e9, cap / 2**30, bw, bw / 1e9, bw / 1e12, hw.tdp_w}
        if hw.unit_cost_usd:
            nums.add(hw.unit_cost_usd)
    for m in Models:
        p = m.parameters_count
        nums |= {p, p / 1e9, p / 1e6, m.inference_flop, m.inference_flop / 1e9}
        tokens = getattr(m, "training_tokens", None)
        if tokens:
            nums |= {tokens, tokens / 1e9, tokens / 1e12}
    return {round(x, 9) for x in nums if x and math.isfinite(x)}


def _distinctive(x: float) -> bool:
    """Only figures with 3+ significant digits (989, 3.35, 70.6) are worth flagging: round numbers
    (0.5, 200, 560), small integers, powers of two and of ten are control bounds or inputs."""
    if x == int(x):
        i = abs(int(x))
        if i < 100 or (i & (i - 1)) == 0:
            return False
    digits = f"{abs(x):.12g}".split("e")[0].replace(".", "").strip("0")
    return len(digits) >= 3


def check_registry_numbers(lab: Lab, known: set[float]) -> list[str]:
    """Heuristic: a numeric literal in code equal to a zoo figure was probably typed in by hand."""
    lines = lab.text.splitlines()
    problems = []
    for n in ast.walk(lab.tree):
        if isinstance(n, ast.Constant) and type(n.value) in (int, float) and _distinctive(n.value):
            if round(float(n.value), 9) in known and OPT_OUT not in lines[n.lineno - 1]:
                problems.append(f"line {n.lineno}: literal {n.value!r} equals a registry figure; read "
                                f"it from the zoo (or mark the line '# {OPT_OUT}')")
    return problems
