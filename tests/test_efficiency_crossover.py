"""Fresh-call work of three wall solvers (issue 11): the closed-form launch crossover of
EfficiencyModel, Erlang B by its recurrence (OrchestrationModel, CapacityModel), and the
roofline core ResponsibleEngineeringModel calls. Each new algorithm is checked against the one
it replaced, kept here (the search) or rewritten here (the log-space summation)."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsysim_core import EfficiencyModel, Hardware, Models
from mlsysim_core.formulas import queueing
from mlsysim_core.solvers import efficiency as eff
from mlsysim_core.solvers.engine import roofline, roofline_core
from mlsysim_core.zoo import constants

EM = EfficiencyModel()
HW = ("H100", "A100", "T4", "B200")
LMS = ("Llama3_8B", "Llama3_70B", "GPT2", "BERT_Base")


def _config(model, hw, mode="eager", flash=True, train=False, precision="bf16", launch=None, kpl=None):
    c = constants()
    hardware = getattr(Hardware, hw)
    if launch is None:
        launch = c.eff_graph_launch_overhead if mode == "graph" else hardware.dispatch_tax_s
    if kpl is None:
        kpl = c.eff_kernels_per_layer_eager if mode == "eager" else c.eff_kernels_per_layer_compiled
    prec, bpe = eff.check_precision(precision)
    return eff._Config(getattr(Models, model), hardware, prec, bpe, mode, flash, train, launch, kpl)


def _closed(cfg, b, s):
    return cfg.crossover(s, b, cfg._terms(b, s))


@pytest.mark.parametrize("model,hw,mode,s,b", [
    ("Llama3_8B", "H100", "eager", 1, 1), ("Llama3_8B", "H100", "eager", 1, 64), ("Llama3_8B", "H100", "eager", 16, 3),
    ("Llama3_8B", "T4", "compiled", 1, 1), ("Llama3_70B", "A100", "eager", 7, 1000), ("GPT2", "H100", "eager", 1, 1),
    ("GPT2", "B200", "eager", 3, 2), ("BERT_Base", "H100", "eager", 1, 1), ("Llama3_8B", "H100", "graph", 2048, 1)])
def test_closed_form_crossover_equals_the_search(model, hw, mode, s, b):
    """The bracket from launch time = kernel time plus bisection inside it gives the batch the
    doubling + bisection search found, from any requested batch (above or below the answer)."""
    if not hasattr(Models, model):
        pytest.skip(f"no {model} in the zoo")
    cfg = _config(model, hw, mode)
    assert _closed(cfg, b, s) == cfg._crossover_search(s)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(LMS), st.sampled_from(HW), st.sampled_from(eff.MODES), st.booleans(), st.booleans(),
       st.sampled_from(["bf16", "fp8", "fp32"]), st.integers(1, 9000), st.integers(1, 1 << 21),
       st.sampled_from([None, 0.0, 1e-7, 1e-5, 1e-3, 0.05]), st.sampled_from([None, 1, 50, 5000]))
def test_closed_form_crossover_equals_the_search_everywhere(model, hw, mode, flash, train, prec, s, b, launch, kpl):
    if not hasattr(Models, model):
        return
    cfg = _config(model, hw, mode, flash, train, prec, launch, kpl)
    assert _closed(cfg, b, s) == cfg._crossover_search(s)     # None (beyond 2^20) included


def test_closed_form_needs_few_model_evaluations(monkeypatch):
    """At S = 2048 the bracket is under one batch: no evaluation beyond the requested step; at
    S = 1 (the widest bracket) still far fewer than the search's."""
    calls = []
    orig = eff._Config._terms
    monkeypatch.setattr(eff._Config, "_terms", lambda self, b, s: calls.append(b) or orig(self, b, s))
    EM.solve(Models.Llama3_8B, Hardware.H100, batch_size=1, seq_len=2048, mode="graph")
    assert calls == [1]
    for s, b in ((1, 1), (1, 500), (16, 1)):
        calls.clear()
        r = EM.solve(Models.Llama3_8B, Hardware.H100, batch_size=b, seq_len=s, mode="eager")
        n_closed = len(calls) - 1
        calls.clear()
        cfg = _config("Llama3_8B", "H100", "eager")
        assert cfg._crossover_search(s) == r.launch_crossover_batch
        assert n_closed <= 10 and n_closed < len(calls)


# --- Erlang B: the recurrence against the summation it replaced, and against exact arithmetic

def _erlang_b_by_summation(c: int, a: float) -> float:
    """The implementation before issue 11: Poisson terms summed around the mode, lgamma to scale."""
    if a == 0.0:
        return 0.0
    log_a = math.log(a)
    if c > a + 10.0 * math.sqrt(a) + 40.0:
        log_inv = a + math.lgamma(c + 1) - c * log_a
        return math.exp(-log_inv) if log_inv < 745.0 else 0.0
    m = min(c, int(a))
    total = term = 1.0
    for k in range(m + 1, c + 1):
        term *= a / k
        total += term
        if term < 1e-17 * total:
            break
    term, inv_a = 1.0, 1.0 / a
    for k in range(m, 0, -1):
        term *= k * inv_a
        total += term
        if term < 1e-17 * total:
            break
    log_inv = math.log(total) + math.lgamma(c + 1) - math.lgamma(m + 1) - (c - m) * log_a
    return math.exp(-log_inv) if log_inv < 745.0 else 0.0


@pytest.mark.parametrize("c,a", [(1, 0.5), (16, 13.6), (16, 30.0), (64, 54.4), (500, 480.0), (1000, 850.0),
                                 (2000, 1950.5), (9120, 9113.0), (20000, 19000.0), (3000, 3500.0), (40, 1e-3),
                                 (160000, 9113.0), (100000, 99000.0)])
def test_erlang_b_recurrence_equals_the_summation(c, a):
    """The same numbers as before (to the summation's own lgamma rounding, ~1e-11 at 1e5 erlangs)."""
    new, old = queueing._erlang_b.__wrapped__(c, a), _erlang_b_by_summation(c, a)
    assert new == pytest.approx(old, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("c,a", [(1, 1), (3, 2), (10, 5), (16, 13), (30, 29), (40, 55), (60, 20), (25, 100),
                                 (120, 100)])
def test_erlang_b_recurrence_is_exact_to_rounding(c, a):
    exact = Fraction(a) ** c / math.factorial(c)
    exact = float(exact / sum(Fraction(a) ** k / math.factorial(k) for k in range(c + 1)))
    assert queueing._erlang_b.__wrapped__(c, float(a)) == pytest.approx(exact, rel=1e-14)


# --- ResponsibleEngineeringModel: roofline_core is the roofline's own arithmetic

@pytest.mark.parametrize("model", ["ResNet50", "Llama3_8B"])
@pytest.mark.parametrize("train", [False, True])
def test_roofline_core_is_the_roofline(model, train):
    m, hw = getattr(Models, model), Hardware.H100
    r = roofline(m, hw, 32, "bf16", 2.0, 0.5, train)
    core = roofline_core(m, hw, 32, "bf16", 2.0, 0.5, train)
    assert core[:2] == (r["latency"], r["memory_footprint"])
    assert 32 / core[0] == r["throughput"]
