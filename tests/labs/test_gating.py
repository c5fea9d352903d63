"""The prediction-gating check (_gating.py) itself: it flags a lab that leaks its answer and
passes one that gates it, so test_labs.test_prediction_gates_answer can fail and can pass."""
from __future__ import annotations

from lab_harness import ROOT

from test_labs import gating_report

FIXTURES = ROOT / "tests" / "fixtures"


def test_flags_both_leaks_of_the_leaky_lab():
    report = gating_report(FIXTURES / "leaky_lab.py")
    # the cells marked "# LEAK" on the line after their `def`: the chart above the prediction
    # (reads the answer data) and the hint cell that reads the prediction without mo.stop
    lines = (FIXTURES / "leaky_lab.py").read_text().splitlines()
    marked = [i for i, line in enumerate(lines) if line.strip().startswith("# LEAK")]  # 0-based = def's line
    flagged = {int(leak["cell"].split(":")[0].removeprefix("line ")): leak["reads"]
               for leak in report["leaks"]}
    assert flagged == {marked[0]: ["scores"], marked[1]: ["prediction", "scores"]}, report
    assert len(report["problems"]) == 2


def test_passes_a_lab_that_gates_its_answer():
    report = gating_report(FIXTURES / "gated_lab.py")
    assert report["predictions"] == ["prediction"]
    assert len(report["gated"]) == 2          # the reveal and the chart of the same data
    assert report["problems"] == [], report


def test_a_prediction_that_starts_answered_is_a_problem(tmp_path):
    text = (FIXTURES / "gated_lab.py").read_text()
    answered = text.replace('options=["a", "b"], label=', 'options=["a", "b"], value="a", label=')
    assert answered != text
    lab = tmp_path / "answered_lab.py"
    lab.write_text(answered)
    problems = gating_report(lab)["problems"]
    assert any("`prediction` starts answered" in p for p in problems), problems


def test_a_lab_without_prediction_is_a_problem():
    problems = gating_report(FIXTURES / "smoke_lab.py")["problems"]
    assert problems and "no prediction" in problems[0]
