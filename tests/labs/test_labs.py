"""Every lab (labs/v[12]_[0-9][0-9]_*.py) is tested alike; see conftest.py and labs/README.md.

1. it runs as a script (``python labs/NN_x.py``): exit 0, no traceback on stderr;
2. ``marimo check --strict`` (the pinned linter) reports nothing;
3. it survives its controls at their extremes and every option of its choice controls
   (``_variants.py``): no cell raises; an infeasible choice must be explained, not crash;
4. its prediction gates every cell that shows the answer (``_gating.py``): with the prediction
   unset, no cell reading the prediction or the reveal's answer data shows anything;
5. it has the anatomy of labs/README.md (header, App, imports, teaching parts, no registry
   numbers typed in by hand), read statically by ``lab_anatomy.py``;
6. all labs pin the same dependencies (one site, one set of wheels).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lab_harness import LABS, ROOT, SUBPROCESS_TIMEOUT_S, lab_env

import lab_anatomy as anatomy


def _run(args, timeout=SUBPROCESS_TIMEOUT_S):
    return subprocess.run(args, cwd=ROOT, env=lab_env(), capture_output=True, text=True,
                          timeout=timeout)


def _tail(text: str, n: int = 4000) -> str:
    return text if len(text) <= n else "..." + text[-n:]


def test_labs_exist():
    assert LABS, "no labs/v[12]_[0-9][0-9]_*.py found"


def test_runs_as_script(lab):
    p = _run([sys.executable, str(lab)])
    assert p.returncode == 0, f"{lab.name} exited {p.returncode}:\n{_tail(p.stderr)}"
    assert "Traceback" not in p.stderr, f"{lab.name} printed a traceback:\n{_tail(p.stderr)}"


def test_marimo_check(lab):
    p = _run([sys.executable, "-m", "marimo", "check", "--strict", str(lab)])
    out = (p.stdout + p.stderr).strip()
    assert p.returncode == 0 and not out, f"marimo check {lab.name}:\n{_tail(out)}"


def test_controls_at_extremes(lab):
    p = _run([sys.executable, str(ROOT / "tests" / "labs" / "_variants.py"), str(lab)])
    assert p.returncode == 0, f"variant runner failed on {lab.name}:\n{_tail(p.stderr)}"
    report = json.loads(p.stdout.rsplit("@@VARIANTS@@", 1)[1])
    failed = [v for v in report["variants"] if not v["ok"]]
    detail = "\n\n".join(
        f"variant {v['index']} with controls {v['controls']}:\n{v['error']}" for v in failed)
    assert not failed, (f"{len(failed)} of {report['count']} runs of {lab.name} raised "
                        f"(an infeasible choice must show a callout, not crash):\n{_tail(detail, 8000)}")


# Labs known to show an answer before its prediction, each naming the leaking cell. strict: the
# test fails (XPASS) the day the leak is fixed, so the entry must then be deleted.
# (v2_17_conclusion's section 2 chart, reading `defaults`, was listed here until 6251017 gated it.)
# Example entry:  "v2_17_conclusion": "section 2 chart + callouts cell reads `defaults` ungated",
KNOWN_LEAKS: dict[str, str] = {}


def gating_report(path) -> dict:
    p = _run([sys.executable, str(ROOT / "tests" / "labs" / "_gating.py"), str(path)])
    assert p.returncode == 0 and "@@GATING@@" in p.stdout, \
        f"gating runner failed on {path.name}:\n{_tail(p.stderr)}"
    return json.loads(p.stdout.rsplit("@@GATING@@", 1)[1])


def test_prediction_gates_answer(lab, request):
    if lab.stem in KNOWN_LEAKS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[lab.stem]))
    problems = gating_report(lab)["problems"]
    assert not problems, f"{lab.name} shows its answer before the prediction:\n- " + "\n- ".join(problems)


@pytest.mark.parametrize("check", ["header", "app", "imports", "teaching", "cells"])
def test_anatomy(lab, check):
    problems = getattr(anatomy, f"check_{check}")(anatomy.Lab.read(lab))
    assert not problems, f"{lab.name}:\n- " + "\n- ".join(problems)


@pytest.fixture(scope="module")
def known_numbers():
    sys.path.insert(0, str(ROOT))
    try:
        return anatomy.registry_numbers()
    finally:
        sys.path.remove(str(ROOT))


def test_no_registry_numbers_typed(lab, known_numbers):
    problems = anatomy.check_registry_numbers(anatomy.Lab.read(lab), known_numbers)
    assert not problems, f"{lab.name}:\n- " + "\n- ".join(problems)


def test_same_pins_everywhere():
    headers = {lab.name: anatomy.Lab.read(lab).header for lab in LABS}
    if len(headers) < 2:
        pytest.skip("fewer than two labs")
    deps = {name: sorted(line.strip().strip(",") for line in h.splitlines()
                         if line.strip().startswith('#     "'))
            for name, h in headers.items()}
    first = next(iter(deps.values()))
    differ = {n: d for n, d in deps.items() if d != first}
    assert not differ, f"labs pin different dependencies: {json.dumps(deps, indent=1)}"


def test_log_scale_bars_have_a_baseline(lab):
    """A bar on a log axis needs an explicit start (x2/y2): log has no zero, and vega-lite then
    draws no bar and no axis at all (labs I.6, I.16 and II.14 once showed empty charts)."""
    import ast
    bad = []
    for node in ast.walk(ast.parse(lab.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            code = ast.unparse(node)
            if "mark_bar(" in code and "type='log'" in code and not ("x2=" in code or "y2=" in code):
                bad.append(f"line {node.lineno}")
    assert not bad, f"{lab.name}: a log-scale bar chart without x2/y2 at {', '.join(bad)}"


BAD_CHART_LAB = '''
import marimo
app = marimo.App()

with app.setup:
    import altair as alt
    import marimo as mo
    from mlsysim_core import labkit
    labkit.init()


@app.cell
def _():
    labkit.chart([{"x": 1.0, "y": float("inf")}]).mark_line().encode(x="x:Q", y="y:Q")
    return


@app.cell
def _():
    mo.vstack([mo.md("nested"), labkit.chart([{"x": float("nan")}]).mark_point().encode(x="x:Q")])
    return


@app.cell
def _():
    labkit.chart([{"x": 1.0}]).mark_point().encode(x=alt.X("x:Q", scale=alt.Scale(type="lgo")))
    return


@app.cell
def _():
    labkit.chart([{"x": 1.0}]).mark_point().encode(x="x:Q")
    return
'''


def test_variant_runner_refuses_an_invalid_chart(tmp_path):
    """labkit.init() turns chart validation off in the browser (altair's per-part checks and
    marimo's redundant bundle); the variant runner validates every chart instead, top-level or
    nested (schema, and JSON-safe data: an infinity or NaN draws nothing), so a broken chart still
    fails a test."""
    lab = tmp_path / "bad_chart_lab.py"
    lab.write_text(BAD_CHART_LAB)
    p = _run([sys.executable, str(ROOT / "tests" / "labs" / "_variants.py"), str(lab)])
    report = json.loads(p.stdout.rsplit("@@VARIANTS@@", 1)[1])
    errors = [v["error"] for v in report["variants"]]
    assert errors and all(e and "invalid chart" in e for e in errors), errors
    # the top-level chart (inf) and the one inside mo.vstack (nan) are both caught
    assert all("not JSON compliant: inf" in e and "not JSON compliant: nan" in e and "'lgo'" in e
               for e in errors), errors[0]
    good = tmp_path / "good_chart_lab.py"
    good.write_text(BAD_CHART_LAB.replace('float("inf")', "3.0").replace('float("nan")', "1.0")
                    .replace('"lgo"', '"log"'))
    p = _run([sys.executable, str(ROOT / "tests" / "labs" / "_variants.py"), str(good)])
    assert all(v["ok"] for v in json.loads(p.stdout.rsplit("@@VARIANTS@@", 1)[1])["variants"]), p.stdout[-2000:]
