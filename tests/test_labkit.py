"""labkit: the exercise check, URL-backed controls and the page helpers the labs share."""
import math

import pytest

marimo = pytest.importorskip("marimo")
from mlsysim_core import SpecError, labkit  # noqa: E402
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


def test_a_count_has_no_trailing_unit_space():
    import html
    out = html.unescape(_text(check_answer(42, 42, "")))
    assert "\\u003e42\\u003c/strong" in out


@pytest.mark.parametrize("args, name", [
    (("1", 1.0, "ms"), "answer"),          # a string is not a mo.ui.number value
    ((math.nan, 1.0, "ms"), "answer"),
    ((1.0, math.inf, "ms"), "truth"),
    ((1.0, None, "ms"), "truth"),
    ((1.0, 1.0, 3), "unit"),
])
def test_bad_arguments_are_spec_errors_naming_them(args, name):
    with pytest.raises(SpecError, match=rf"^{name}="):
        check_answer(*args)


@pytest.mark.parametrize("tol", [-0.1, 2, math.nan])
def test_tolerance_outside_0_1_is_refused(tol):
    with pytest.raises(SpecError, match=r"^tolerance="):
        check_answer(1.0, 1.0, "ms", tolerance=tol)


# ---- URL state: outside a running app (script mode) the controls are plain mo.ui controls


class FakeParams(dict):
    """Stands in for mo.query_params(): the dict part is the page address."""

    def set(self, k, v):
        self[k] = v

    def remove(self, k, value=None):
        self.pop(k, None)


@pytest.fixture
def url(monkeypatch):
    params = FakeParams()
    monkeypatch.setattr(labkit, "_params", lambda: params)
    return params


def test_controls_work_without_a_runtime():
    s = labkit.ui.slider("b", start=1, stop=10, step=1, value=3, label="Batch")
    assert s.value == 3
    assert labkit.ui.radio("p", {"A": 1, "B": 2}, label="Predict").value is None


def test_slider_starts_from_the_url_and_writes_back(url):
    url["b"] = "7"
    s = labkit.ui.slider("b", start=1, stop=10, step=1, value=3, label="Batch")
    assert s.value == 7
    s._on_change(5)
    assert url["b"] == "5"
    s._on_change(3)  # back to the default: the address forgets it
    assert "b" not in url


@pytest.mark.parametrize("text", ["11", "0", "2.5", "nan", "inf", "x", ""])
def test_slider_ignores_a_url_value_it_cannot_take(url, text):
    url["b"] = text
    assert labkit.ui.slider("b", start=1, stop=10, step=1, value=3, label="Batch").value == 3


def test_slider_with_steps_takes_only_a_stop(url):
    url["b"] = "64"
    assert labkit.ui.slider("b", steps=[1, 2, 64, 4096], value=1, label="Batch").value == 64
    url["b"] = "63"
    assert labkit.ui.slider("b", steps=[1, 2, 64, 4096], value=1, label="Batch").value == 1


def test_dropdown_and_radio_store_the_label(url):
    opts = {"H100": object(), "A100": object()}
    url["hw"] = "A100"
    d = labkit.ui.dropdown("hw", opts, value="H100", label="Device")
    assert d.value is opts["A100"]
    d._on_change(opts["H100"])
    assert "hw" not in url
    r = labkit.ui.radio("pred", {"memory-bound": "m", "compute-bound": "c"}, label="Predict")
    assert r.value is None
    r._on_change("c")
    assert url["pred"] == "compute-bound"
    url["pred"] = "not an option"
    assert labkit.ui.radio("pred", {"memory-bound": "m"}, label="Predict").value is None


def test_number_and_switch_round_trip(url):
    url["a1"] = "295.5"
    n = labkit.ui.number("a1", label="Answer")
    assert n.value == 295.5
    n._on_change(None)
    assert "a1" not in url
    url["ov"] = "1"
    sw = labkit.ui.switch("ov", label="Overlap")
    assert sw.value is True
    sw._on_change(False)
    assert "ov" not in url


@pytest.mark.parametrize("key", ["", "present", "a b", 3])
def test_bad_keys_are_refused(key):
    with pytest.raises(SpecError, match=r"^key="):
        labkit.ui.slider(key, start=0, stop=1, step=1)


@pytest.mark.parametrize("make,name", [
    (lambda: labkit.ui.slider("k"), "steps"),                          # neither steps nor a range
    (lambda: labkit.ui.slider("k", steps=3), "steps"),
    (lambda: labkit.ui.slider("k", steps=[1, "x"]), r"steps\[1\]"),
    (lambda: labkit.ui.slider("k", steps=[1, 2], value=3), "value"),
    (lambda: labkit.ui.slider("k", start=1, stop=10, value=30), "value"),
    (lambda: labkit.ui.slider("k", start=5, stop=1), "stop"),
    (lambda: labkit.ui.slider("k", start="1", stop=10), "start"),
    (lambda: labkit.ui.number("k", start=0, stop=10, value=11), "value"),
    (lambda: labkit.ui.number("k", step=float("nan")), "step"),
    (lambda: labkit.ui.dropdown("k", 1.0), "options"),
    (lambda: labkit.ui.dropdown("k", "abc"), "options"),
    (lambda: labkit.ui.radio("k", {}), "options"),
    (lambda: labkit.ui.radio("k", ["x", "y"], value="z"), "value"),
])
def test_bad_control_arguments_are_spec_errors_not_marimo_errors(make, name):
    with pytest.raises(SpecError, match=rf"^{name}="):
        make()


def test_user_on_change_still_runs(url):
    seen = []
    s = labkit.ui.slider("b", start=0, stop=4, step=1, on_change=seen.append, label="x")
    s._on_change(2)
    assert seen == [2] and url["b"] == "2"


def test_toolbar_marks_live_only_outside_the_prerender(monkeypatch):
    assert "mlsx-live" in _text(labkit.toolbar())
    monkeypatch.setenv(labkit.PRERENDER_ENV, "1")
    assert "mlsx-live" not in _text(labkit.toolbar())


def test_theme_uses_the_colour_blind_safe_palette():
    import altair as alt
    labkit.init()
    assert alt.theme.active == "mlsysim"
    spec = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q").to_dict()
    assert spec["config"]["range"]["category"] == labkit.CATEGORY


def test_tolerance_zero_means_exact():
    assert "Correct" in _text(check_answer(7, 7, "", tolerance=0))
    assert "Not yet" in _text(check_answer(8, 7, "", tolerance=0))


@pytest.mark.parametrize("x, digits, text", [
    (752_900, 4, "752,900"), (1050.4, 3, "1,050"), (1.75e7, 3, "17,500,000"), (12.345, 3, "12.3"),
    (0.012345, 3, "0.0123"), (0, 3, "0"), (-3456.0, 3, "-3,460"), (999.96, 3, "1,000"),
])
def test_num_never_prints_e_notation(x, digits, text):
    assert labkit.num(x, digits) == text


def test_num_of_huge_values_uses_a_prefix():
    out = labkit.num(3.2e18)
    assert "e+" not in out and out.startswith("3.2")
