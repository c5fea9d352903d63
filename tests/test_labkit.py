"""The labs' shared exercise check: right within tolerance, wrong outside, prompt when empty."""
import pytest

marimo = pytest.importorskip("marimo")
from mlsysim_core.labkit import check_answer  # noqa: E402


def _text(out) -> str:
    return out.text if hasattr(out, "text") else str(out)


def test_within_tolerance_is_correct_and_shows_the_engine_answer():
    out = _text(check_answer(102.0, 100.0, "ms"))
    assert "Correct" in out and "100 ms" in out


def test_outside_tolerance_gives_the_hint():
    out = _text(check_answer(110.0, 100.0, "ms", hint="Check the units."))
    assert "Not yet" in out and "Check the units." in out and "Correct" not in out


def test_no_answer_asks_for_one():
    assert "Type your answer" in _text(check_answer(None, 1.0, "GB"))


def test_zero_truth_needs_an_exact_answer():
    assert "Correct" in _text(check_answer(0.0, 0.0, "GB"))
    assert "Not yet" in _text(check_answer(0.001, 0.0, "GB"))
