"""Property tests (DESIGN 10.3), with hypothesis over the whole zoo.

- more memory bandwidth never slows a job, and strictly speeds up a memory-bound one;
- latency is never below the ideal roofline bound max(FLOPs / peak, bytes / bandwidth);
- fractions (mfu, hfu, bubble, failure probability, ...) stay in [0, 1];
  serving memory_utilization <= 1 exactly when the plan is feasible;
- the KV cache grows linearly in sequence length and in batch;
- throughput never falls as the batch grows (inference);
- every calc_* rejects a Quantity of the wrong dimension, naming the argument;
- results are frozen and give the same value through r.x and r["x"].
"""
from __future__ import annotations

import dataclasses
import inspect
import math

import pytest
from hypothesis import assume, given, settings, strategies as st

from mlsysim_core import (PRECISIONS, CompressionModel, Engine, Hardware, Models, Q_, ServingModel,
                          UnitError, formulas, ureg)
from mlsysim_core.specs import TransformerWorkload

MODELS = list(Models)
TRANSFORMERS = [m for m in MODELS if isinstance(m, TransformerWorkload)]
HARDWARE = list(Hardware)

models = st.sampled_from(MODELS)
transformers = st.sampled_from(TRANSFORMERS)
hardware = st.sampled_from(HARDWARE)
precisions = st.sampled_from(PRECISIONS)
batches = st.integers(1, 4096)
efficiencies = st.floats(0.01, 1.0)
seq_lens = st.integers(1, 32768)

REL = 1e-9   # float round-off allowance for "never below" / "never above"
# no per-example deadline: a solve takes microseconds, but a loaded CI machine must not make the tests flaky
relaxed = settings(deadline=None)


def with_bandwidth(hw, factor):
    return dataclasses.replace(hw, memory=dataclasses.replace(
        hw.memory, bandwidth_bytes_s=hw.memory.bandwidth_bytes_s * factor))


# ----------------------------------------------------------------------------- bandwidth

@relaxed
@given(models, hardware, precisions, batches, efficiencies, st.floats(1.0, 100.0), st.booleans())
def test_more_bandwidth_never_slows(model, hw, precision, batch, eff, factor, training):
    base = Engine.solve(model, hw, batch, precision, eff, is_training=training)
    more = Engine.solve(model, with_bandwidth(hw, factor), batch, precision, eff, is_training=training)
    assert more.raw("latency") <= base.raw("latency") * (1 + REL)
    if base.bottleneck == "Memory Bound" and factor > 1.0 + 1e-6:
        assert more.raw("latency") < base.raw("latency")


@relaxed
@given(transformers, hardware, seq_lens, st.integers(1, 256), st.floats(1.0, 100.0))
def test_more_bandwidth_never_slows_decode(model, hw, seq, batch, factor):
    base = ServingModel().solve(model, hw, seq, batch)
    more = ServingModel().solve(model, with_bandwidth(hw, factor), seq, batch)
    assert more.raw("itl") <= base.raw("itl") * (1 + REL)
    assert more.raw("ttft") == base.raw("ttft")          # prefill is compute: bandwidth cannot help


# ----------------------------------------------------------------------------- roofline bound

@relaxed
@given(models, hardware, precisions, batches, efficiencies, st.booleans())
def test_latency_never_below_roofline_bound(model, hw, precision, batch, eff, training):
    r = Engine.solve(model, hw, batch, precision, eff, is_training=training)
    peak = hw.compute.peak_flop_s(precision)
    bw = hw.memory.bandwidth_bytes_s
    bound = max(r.raw("flops") / peak, r.raw("bytes_moved") / bw)
    assert r.raw("latency") >= bound * (1 - REL)
    assert r.raw("latency") >= r.raw("latency_compute") * (1 - REL)
    assert r.raw("latency") >= r.raw("latency_memory") * (1 - REL)
    assert math.isfinite(r.raw("latency")) and r.raw("latency") > 0


@relaxed
@given(transformers, hardware, precisions, seq_lens, st.integers(1, 512), efficiencies)
def test_serving_never_below_roofline_bound(model, hw, precision, seq, batch, eff):
    assume(precision not in ("fp4", "fp6") or precision in hw.compute.flops_by_precision)  # refused elsewhere
    r = ServingModel().solve(model, hw, seq, batch, precision, eff)
    peak = hw.compute.peak_flop_s(precision)
    bw = hw.memory.bandwidth_bytes_s
    assert r.raw("ttft") >= r.raw("prefill_flops") / peak * (1 - REL)
    assert r.raw("ttft") >= 2 * model.active_parameters_count * seq * batch / peak * (1 - REL)   # 2PSB
    if getattr(model, "experts", 1) == 1:   # an MoE decode step reads only the experts its tokens touch
        assert r.raw("itl") >= (r.raw("model_weights_size") + r.raw("kv_cache_size")) / bw * (1 - REL)
    assert r.raw("itl") >= 2 * model.active_parameters_count * batch / peak * (1 - REL)


# ----------------------------------------------------------------------------- fractions

@relaxed
@given(models, hardware, precisions, batches, efficiencies, st.booleans())
def test_utilisations_are_fractions(model, hw, precision, batch, eff, training):
    r = Engine.solve(model, hw, batch, precision, eff, is_training=training)
    assert 0.0 <= r.mfu <= 1.0
    assert 0.0 <= r.hfu <= 1.0
    assert r.mfu <= r.hfu * (1 + REL)                   # recomputation only adds hardware FLOPs
    assert r.mfu <= eff * (1 + REL)                     # cannot beat the efficiency ceiling
    assert isinstance(r.mfu, float) and isinstance(r.hfu, float)
    assert r.feasible == (r.raw("memory_footprint") <= r.raw("memory_capacity"))
    assert r.raw("shortfall") >= 0 and (r.raw("shortfall") == 0) == r.feasible


@relaxed
@given(transformers, hardware, seq_lens, st.integers(1, 512))
def test_serving_memory_utilization_is_at_most_one_iff_feasible(model, hw, seq, batch):
    r = ServingModel().solve(model, hw, seq, batch)
    assert isinstance(r.memory_utilization, float) and r.memory_utilization > 0
    assert r.feasible == (r.memory_utilization <= 1.0)
    assert r.raw("shortfall") == pytest.approx(max(0.0, r.raw("total_memory_required") - r.raw("memory_capacity")))


@relaxed
@given(models, st.sampled_from(["quantization", "pruning", "distillation"]), st.sampled_from([4, 8, 16]),
       st.floats(0.0, 0.99))
def test_compression_savings_are_percentages(model, method, bits, sparsity):
    r = CompressionModel().solve(model, Hardware.H100, method=method, target_bitwidth=bits, sparsity=sparsity)
    assert 0.0 <= r.memory_savings_pct < 100.0
    assert r.compression_ratio >= 1.0
    assert r.compressed_size_gb == pytest.approx(r.original_size_gb / r.compression_ratio)
    assert r.estimated_accuracy_delta <= 0.0
    assert r.inference_speedup >= 1.0 - 1e-9 or method == "quantization" and bits == 16


@relaxed
@given(st.integers(1, 64), st.integers(1, 1024), st.integers(1, 8))
def test_pipeline_bubble_is_a_fraction(p, m, v):
    b = formulas.calc_pipeline_bubble(p, m, v)
    assert 0.0 <= b < 1.0
    assert (b == 0.0) == (p == 1)


@relaxed
@given(st.floats(1e-3, 1e7), st.floats(0.0, 1e7))
def test_failure_probability_is_a_fraction(mtbf_h, job_h):
    p = formulas.calc_failure_probability(Q_(mtbf_h, "hour"), Q_(job_h, "hour"))
    assert 0.0 <= p <= 1.0
    assert p <= formulas.calc_expected_failures(Q_(mtbf_h, "hour"), Q_(job_h, "hour")) * (1 + REL)


@relaxed
@given(st.floats(1e-9, 1e6), st.floats(0.0, 1e6))
def test_scaling_efficiency_is_a_fraction(compute, overhead):
    e = formulas.calc_scaling_efficiency(Q_(compute, "s"), Q_(overhead, "s"))
    assert 0.0 < e <= 1.0


@relaxed
@given(st.floats(0.0, 1.0), st.integers(1, 10))
def test_stacked_availability_is_a_fraction(a, k):
    s = formulas.calc_availability_stacked(a, k)
    assert 0.0 <= s <= 1.0 and s >= a - 1e-12


# ----------------------------------------------------------------------------- KV cache

@relaxed
@given(transformers, st.integers(1, 8192), st.integers(1, 64), st.integers(1, 16))
def test_kv_cache_linear_in_sequence_and_batch(model, seq, batch, k):
    assume(not getattr(model, "sliding_window", 0))   # a sliding window caps the cache: not linear in seq
    sm = ServingModel()
    base = sm.solve(model, Hardware.H100, seq, batch).raw("kv_cache_size")
    assert sm.solve(model, Hardware.H100, seq * k, batch).raw("kv_cache_size") == pytest.approx(k * base, rel=1e-12)
    assert sm.solve(model, Hardware.H100, seq, batch * k).raw("kv_cache_size") == pytest.approx(k * base, rel=1e-12)
    per_token = sm.solve(model, Hardware.H100, 1, 1).raw("kv_cache_size")
    assert base == pytest.approx(per_token * seq * batch, rel=1e-12)


@relaxed
@given(st.integers(1, 128), st.integers(1, 64), st.integers(1, 256), st.integers(1, 8192),
       st.integers(1, 64), st.sampled_from([0.5, 1.0, 2.0, 4.0]))
def test_kv_formula_linear_in_each_factor(layers, heads, d, seq, batch, b):
    kv = formulas.calc_kv_cache_bytes(layers, heads, d, seq, batch, b).to("B").magnitude
    assert kv == pytest.approx(2 * layers * heads * d * seq * batch * b, rel=1e-12)
    assert formulas.calc_kv_cache_bytes(layers, heads, d, 2 * seq, batch, b).magnitude == pytest.approx(2 * kv)
    assert formulas.calc_kv_cache_bytes(layers, heads, d, seq, 3 * batch, b).magnitude == pytest.approx(3 * kv)


# ----------------------------------------------------------------------------- batching

@relaxed
@given(models, hardware, precisions, st.integers(1, 2048), st.integers(1, 2048), efficiencies)
def test_inference_throughput_never_falls_with_batch(model, hw, precision, b1, b2, eff):
    """True for any inference workload; a memory-bound one gains (nearly) linearly."""
    lo, hi = sorted((b1, b2))
    t_lo = Engine.solve(model, hw, lo, precision, eff).raw("throughput")
    t_hi = Engine.solve(model, hw, hi, precision, eff).raw("throughput")
    assert t_hi >= t_lo * (1 - REL)


@relaxed
@given(models, hardware, precisions, efficiencies)
def test_memory_bound_throughput_rises_with_batch(model, hw, precision, eff):
    r1 = Engine.solve(model, hw, 1, precision, eff)
    assume(r1.bottleneck == "Memory Bound")
    r2 = Engine.solve(model, hw, 2, precision, eff)
    assert r2.raw("throughput") > r1.raw("throughput")


@relaxed
@given(transformers, hardware, st.integers(1, 4096), st.integers(1, 256), st.integers(1, 256))
def test_decode_throughput_never_falls_with_batch(model, hw, seq, b1, b2):
    lo, hi = sorted((b1, b2))
    t_lo = ServingModel().solve(model, hw, seq, lo).raw("decode_throughput")
    t_hi = ServingModel().solve(model, hw, seq, hi).raw("decode_throughput")
    assert t_hi >= t_lo * (1 - REL)


# ----------------------------------------------------------------------------- dimensions

CALCS = sorted(formulas.__all__)
FRACTIONS = {"parallel_fraction", "availability", "max_bubble", "accuracies", "shares"}
# Arguments that are lists, not scalars (of counts, or of quantities in fn.units[name]): the
# generic scalar guess does not apply; a wrong dimension is tested on an element.
SEQUENCES = {"levels", "samples", "epsilons", "accuracies", "shares"}
# Arguments constrained jointly, where 2 for every one is out of range: HFU's (model + recompute)
# FLOP/s must not exceed the peak.
JOINT = {("calc_hfu", "peak_flops"): 8.0,
         # a stable priority queue: rho = lambda E[S] / c < 1
         ("calc_priority_waits", "arrival_rate"): 0.25}
WRONG_UNITS = ["m", "kg", "s", "W", "FLOP", "FLOP/s", "B/s", "USD", "kWh", "g/kWh", "L"]


def _valid_args(fn):
    """Arguments that make ``fn`` succeed: Q_(2, unit) for quantities, 0.5 for fractions, 2 for counts."""
    args = {}
    for name, p in inspect.signature(fn.raw).parameters.items():
        if p.default is not inspect.Parameter.empty:
            continue
        unit = fn.units.get(name)
        spec = getattr(fn, "specs", {}).get(name)
        ratio = isinstance(spec, str) and spec[:1] in "[("
        value = JOINT.get((fn.__name__, name), 2.0)
        args[name] = Q_(value, unit) if unit else (0.5 if name in FRACTIONS or ratio else 2)
        if isinstance(spec, str) and spec.startswith("{"):     # a choice: its first option
            args[name] = spec.strip("{}").split(",")[0].strip()
        if name in SEQUENCES:
            args[name] = [args[name], args[name]]
    return args


@pytest.mark.parametrize("name", CALCS)
def test_calc_valid_call_succeeds(name):
    """Guard for the test below: with the right dimensions every calc_* returns a finite value."""
    fn = getattr(formulas, name)
    result = fn(**_valid_args(fn))
    for out in (result if isinstance(result, tuple) else (result,)):
        v = out.magnitude if hasattr(out, "magnitude") else out
        assert isinstance(v, (int, float, str)) and (isinstance(v, str) or math.isfinite(v))
        if fn.units.get("result"):
            assert out.units == ureg.Unit(fn.units["result"])


@pytest.mark.parametrize("name", CALCS)
@relaxed
@given(data=st.data())
def test_every_calc_rejects_a_wrong_dimension(name, data):
    fn = getattr(formulas, name)
    args = _valid_args(fn)
    specs = getattr(fn, "specs", {})
    # a choice of strings has no dimension to get wrong (it is refused by name, not by unit)
    dimensioned = [a for a in sorted(args) if not (isinstance(specs.get(a), str) and specs[a].startswith("{"))]
    target = data.draw(st.sampled_from(dimensioned), label="argument")
    unit = fn.units.get(target) or "dimensionless"
    wrong = data.draw(st.sampled_from([u for u in WRONG_UNITS
                                       if ureg.Unit(u).dimensionality != ureg.Unit(unit).dimensionality]),
                      label="wrong unit")
    args[target] = [Q_(2.0, wrong)] if target in SEQUENCES else Q_(2.0, wrong)
    with pytest.raises(UnitError) as e:
        fn(**args)
    assert target in str(e.value)
    assert isinstance(e.value, ValueError)


# ----------------------------------------------------------------------------- results

def _results():
    return st.one_of(
        st.builds(lambda m, h, b: Engine.solve(m, h, b), models, hardware, st.integers(1, 64)),
        st.builds(lambda m, h, s: ServingModel().solve(m, h, s), transformers, hardware, st.integers(1, 8192)),
        st.builds(lambda m, bits: CompressionModel().solve(m, Hardware.A100, target_bitwidth=bits),
                  models, st.sampled_from([4, 8, 16])),
    )


@relaxed
@given(_results())
def test_results_are_frozen_with_attribute_and_item_access(r):
    keys = list(r.keys())
    assert keys
    for k in keys:
        a, b = getattr(r, k), r[k]
        assert type(a) is type(b)
        assert a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))
        with pytest.raises(AttributeError):
            setattr(r, k, 1)
        with pytest.raises(AttributeError):
            delattr(r, k)
    with pytest.raises(AttributeError):
        r.brand_new_field = 1
    with pytest.raises(KeyError):
        r["no_such_field"]
    with pytest.raises(AttributeError):
        r.no_such_field
    assert r.to_dict().keys() == r.keys()
