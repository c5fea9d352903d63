"""Altair charts of solver results. altair is imported inside each function, so importing
mlsysim_core never imports it; data goes in as inline rows (no dataframes, Pyodide-friendly).

    plot_roofline(Hardware.H100, [Models.Llama3_8B, Models.ResNet50], precision="fp16")
    plot_evaluation_scorecard(Scenarios.FrontierTraining.evaluate(batch_size=2048))
    plot_step_breakdown(result), plot_bubble(), plot_young_daly(120, 3), plot_goodput_cascade(r)
"""
from __future__ import annotations

import math

from .checks import instance, integer, number, positive, positive_int, sequence
from .errors import SpecError
from .results import Result

MAX_PIXELS = 4000          # a chart wider or taller than a 4K screen is a typo
MAX_MICROBATCHES = 10_000  # plot_bubble draws one point per M per depth: bounded rows


def _size(name, value):
    return positive_int(name, value, minimum=10, maximum=MAX_PIXELS)


def _title(value):
    if value is None or isinstance(value, str):
        return value
    raise SpecError("title", value, "a str (or None for the default title)")


def _rows_finite(rows):
    """Charts never carry NaN or inf (Vega cannot draw them); such rows are dropped."""
    return [r for r in rows if all(not isinstance(v, float) or math.isfinite(v) for v in r.values())]

_STATUS_COLORS = {"PASS": "#2e7d32", "FAIL": "#c62828"}


def _alt():
    try:
        import altair as alt
    except ImportError:  # pragma: no cover - labs always have it
        raise ImportError("plots need altair: pip install altair (or mlsysim_core[labs])") from None
    return alt


def _logspace(lo: float, hi: float, n: int) -> list[float]:
    a, b = math.log10(lo), math.log10(hi)
    return [10 ** (a + (b - a) * i / (n - 1)) for i in range(n)]


def _as_list(x, name="items"):
    return list(sequence(name, x)) if isinstance(x, (list, tuple)) else [x]


def plot_roofline(hardware, profiles_or_workloads=None, precision="fp16", batch_size=1, efficiency=0.5,
                  intensity_range=None, width=520, height=340, title=None):
    """Log-log roofline(s): attainable FLOP/s = min(Peak, I x BW), the ridge point, and workloads.

    ``hardware``: one accelerator or a list. ``profiles_or_workloads``: PerformanceProfiles (placed
    as they are) or workloads (solved on the first accelerator at ``batch_size``/``precision``).
    """
    from .solvers._common import check_hardware, check_precision
    from .solvers.engine import Engine
    width, height, title = _size("width", width), _size("height", height), _title(title)
    precision, _ = check_precision(precision)
    if intensity_range is not None:
        lo_hi = sequence("intensity_range", intensity_range, lambda n, v: positive(n, v), min_len=2, max_len=2)
        if lo_hi[0] >= lo_hi[1]:
            raise SpecError("intensity_range", intensity_range, "(low, high) with 0 < low < high FLOP/byte")
        intensity_range = lo_hi
    alt = _alt()
    hws = [check_hardware(h) for h in _as_list(hardware, "hardware")]
    points = []
    from .specs import Workload
    items = _as_list(profiles_or_workloads, "profiles_or_workloads") if profiles_or_workloads is not None else []
    for i, item in enumerate(items):
        instance(f"profiles_or_workloads[{i}]" if isinstance(profiles_or_workloads, (list, tuple))
                 else "profiles_or_workloads", item, (Result, Workload),
                 "PerformanceProfiles (Engine.solve) or workloads from Models")
    for item in items:
        if isinstance(item, Result) and "arithmetic_intensity" in item:
            prof, label = item, f"{item.raw('precision')} batch {item.raw('batch_size')}"
        else:
            prof = Engine.solve(item, hws[0], batch_size=batch_size, precision=precision, efficiency=efficiency)
            label = getattr(item, "name", str(item))
        achieved = prof.raw("flops") / prof.raw("latency")
        points.append({"workload": label, "intensity": prof.raw("arithmetic_intensity"),
                       "tflops": achieved / 1e12, "bottleneck": prof.raw("bottleneck"),
                       "latency_ms": prof.raw("latency") * 1e3})
    ridges = [h.compute.peak_flop_s(precision) / h.memory.bandwidth_bytes_s for h in hws]
    if intensity_range is None:
        lo = min([r / 1e3 for r in ridges] + [p["intensity"] / 3 for p in points if p["intensity"] > 0])
        hi = max([r * 1e2 for r in ridges] + [p["intensity"] * 3 for p in points])
        intensity_range = (max(lo, 1e-3), hi)
    lines, marks = [], []
    for h, ridge in zip(hws, ridges):
        peak, bw = h.compute.peak_flop_s(precision), h.memory.bandwidth_bytes_s
        for i in _logspace(intensity_range[0], intensity_range[1], 64) + [ridge]:
            lines.append({"hardware": h.name, "intensity": i, "tflops": min(peak, i * bw) / 1e12})
        marks.append({"hardware": h.name, "intensity": ridge, "tflops": peak / 1e12,
                      "label": f"ridge {ridge:,.0f} FLOP/B"})
    lines.sort(key=lambda r: (r["hardware"], r["intensity"]))
    lines, marks, points = _rows_finite(lines), _rows_finite(marks), _rows_finite(points)
    x = alt.X("intensity:Q", scale=alt.Scale(type="log"), title="Arithmetic intensity (FLOP/byte)")
    y = alt.Y("tflops:Q", scale=alt.Scale(type="log"), title=f"Attainable TFLOP/s ({precision})")
    roof = alt.Chart(alt.Data(values=lines)).mark_line().encode(x=x, y=y, color=alt.Color("hardware:N", title="Hardware"))
    ridge = alt.Chart(alt.Data(values=marks)).mark_point(shape="diamond", size=80, filled=True).encode(
        x=x, y=y, color="hardware:N", tooltip=["hardware:N", "label:N"])
    layers = [roof, ridge]
    if points:
        layers.append(alt.Chart(alt.Data(values=points)).mark_point(size=120, filled=True, shape="circle").encode(
            x=x, y=y, shape=alt.Shape("workload:N", title="Workload"),
            tooltip=["workload:N", alt.Tooltip("intensity:Q", format=",.3g"), alt.Tooltip("tflops:Q", format=",.3g"),
                     "bottleneck:N", alt.Tooltip("latency_ms:Q", format=",.3g")]))
    return alt.layer(*layers).properties(width=width, height=height,
                                         title=title or "Roofline: " + ", ".join(h.name for h in hws))


def plot_evaluation_scorecard(evaluation, width=640):
    """PASS/FAIL tiles per level (L1 feasibility, L2 SLA, L3 cost and carbon), one row per scenario."""
    width = _size("width", width)
    alt = _alt()
    rows = []
    for ev in _as_list(evaluation, "evaluation"):
        if not hasattr(ev, "levels"):
            raise SpecError("evaluation", ev, "a SystemEvaluation from Scenario.evaluate()")
        for lv in ev.levels:
            rows.append({"scenario": ev.scenario_name, "level": f"L{lv.level} {lv.name}", "status": lv.status,
                         "summary": lv.summary})
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("level:N", title=None, sort=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("scenario:N", title=None, sort=None))
    tiles = base.mark_rect(cornerRadius=4, opacity=0.9).encode(
        color=alt.Color("status:N", scale=alt.Scale(domain=list(_STATUS_COLORS), range=list(_STATUS_COLORS.values())),
                        legend=alt.Legend(title=None)),
        tooltip=["scenario:N", "level:N", "status:N", "summary:N"])
    text = base.mark_text(color="white", fontWeight="bold").encode(text="status:N")
    n = len({r["scenario"] for r in rows})
    return (tiles + text).properties(width=width, height=max(60, 48 * n), title="Scenario scorecard")


def plot_step_breakdown(results, labels=None, width=520, height=260):
    """Stacked bars of a DistributedResult's step time: compute, DP, TP, EP, PP sends, bubble (ms)."""
    from .results_fleet import DistributedResult
    width, height = _size("width", width), _size("height", height)
    res = _as_list(results, "results")
    for i, r in enumerate(res):
        instance(f"results[{i}]" if isinstance(results, (list, tuple)) else "results", r, DistributedResult,
                 "DistributedResult(s) from DistributedModel().solve()")
    if labels is not None:
        labels = sequence("labels", labels, lambda n, v: v if isinstance(v, str) else instance(n, v, str, "a str"),
                          min_len=len(res), max_len=len(res), what="a list of str labels")
    alt = _alt()
    rows = []
    labels = labels or [_plan_label(r) for r in res]
    for lab, r in zip(labels, res):
        for i, (part, ms) in enumerate(r.breakdown("ms").items()):
            rows.append({"plan": lab, "part": part, "ms": ms, "order": i})
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("plan:N", title=None, sort=None), x=alt.X("ms:Q", stack="zero", title="Step time (ms)"),
        color=alt.Color("part:N", sort=list(res[0].breakdown()), title="Component"), order=alt.Order("order:Q"),
        tooltip=["plan:N", "part:N", alt.Tooltip("ms:Q", format=",.1f")]).properties(
        width=width, height=max(height // 4, 40 * len(res)), title="Where the step time goes")


def _plan_label(r) -> str:
    p = r.raw("parallelism")
    return f"TP{p['tp']} PP{p['pp']} DP{p['dp']}" + (f" EP{p['ep']}" if p["ep"] > 1 else "") + f" M{r.raw('microbatch_count')}"


def plot_bubble(pp_sizes=(2, 4, 8, 16), max_microbatches=64, v_stages=1, width=480, height=280):
    """Pipeline bubble (P-1)/(V M + P-1) against microbatches M, one line per pipeline depth P.

    Cost grows with len(pp_sizes) x max_microbatches (one row each; at most 10,000 microbatches)."""
    from .formulas import calc_pipeline_bubble
    width, height = _size("width", width), _size("height", height)
    pp_sizes = sequence("pp_sizes", pp_sizes, positive_int, max_len=64)
    max_microbatches = positive_int("max_microbatches", max_microbatches, maximum=MAX_MICROBATCHES)
    v_stages = positive_int("v_stages", v_stages)
    alt = _alt()
    rows = [{"P": f"P={p}", "M": m, "bubble": calc_pipeline_bubble.raw(p, m, v_stages)}
            for p in pp_sizes for m in range(1, max_microbatches + 1)]
    return alt.Chart(alt.Data(values=rows)).mark_line().encode(
        x=alt.X("M:Q", title="Microbatches M"), y=alt.Y("bubble:Q", axis=alt.Axis(format="%"), title="Bubble fraction"),
        color=alt.Color("P:N", sort=None, title="Stages"),
        tooltip=["P:N", "M:Q", alt.Tooltip("bubble:Q", format=".1%")]).properties(
        width=width, height=height, title=f"Pipeline bubble (V={v_stages})")


def plot_young_daly(checkpoint_time_s, mtbf_hours, max_interval_min=None, width=480, height=280):
    """Waste vs checkpoint interval: writes (delta/tau), lost work (tau/2M), total, and the optimum.

    ``checkpoint_time_s`` in seconds, ``mtbf_hours`` in hours, ``max_interval_min`` in minutes when
    bare numbers; Quantities of any time unit are converted."""
    from .formulas import calc_young_daly_interval
    from .solvers.reliability import ReliabilityModel
    width, height = _size("width", width), _size("height", height)
    delta = positive("checkpoint_time_s", checkpoint_time_s, unit="s")
    mtbf_h = positive("mtbf_hours", mtbf_hours, unit="hour")
    alt = _alt()
    opt = calc_young_daly_interval.raw(delta, mtbf_h * 3600.0)
    top = positive("max_interval_min", max_interval_min, unit="minute", maximum=1e9) * 60.0 if max_interval_min is not None \
        else opt * 4.0
    taus = [top * i / 120 for i in range(1, 121)]
    rows = []
    for r in ReliabilityModel.waste_curve(delta, mtbf_h, taus):
        for k, name in (("write", "checkpoint writes"), ("lost_work", "lost work"), ("waste", "total waste")):
            rows.append({"interval_min": r["interval_min"], "term": name, "fraction": min(r[k], 1.0)})
    curve = alt.Chart(alt.Data(values=rows)).mark_line().encode(
        x=alt.X("interval_min:Q", title="Checkpoint interval (min)"),
        y=alt.Y("fraction:Q", axis=alt.Axis(format="%"), title="Fraction of time wasted"),
        color=alt.Color("term:N", sort=None, title=None),
        tooltip=[alt.Tooltip("interval_min:Q", format=",.1f"), "term:N", alt.Tooltip("fraction:Q", format=".1%")])
    rule = alt.Chart(alt.Data(values=[{"opt": opt / 60.0, "label": f"τ* = {opt / 60.0:,.1f} min"}])).mark_rule(
        strokeDash=[4, 4]).encode(x="opt:Q", tooltip=["label:N"])
    return (curve + rule).properties(width=width, height=height, title="Young-Daly: checkpoint interval vs waste")


def plot_goodput_cascade(result, width=420, height=260):
    """Bars from peak down to delivered FLOP/s (an EffectiveFlopsResult's cascade)."""
    from .results_fleet import EffectiveFlopsResult
    width, height = _size("width", width), _size("height", height)
    instance("result", result, EffectiveFlopsResult, "an EffectiveFlopsResult (EffectiveFlopsModel().solve(...))")
    alt = _alt()
    rows = [{"stage": c["stage"], "pflops": c["flops"] / 1e15, "fraction": c["fraction"]} for c in result.raw("cascade")]
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("stage:N", sort=None, title=None), y=alt.Y("pflops:Q", title="PFLOP/s"),
        tooltip=["stage:N", alt.Tooltip("pflops:Q", format=",.3g"), alt.Tooltip("fraction:Q", format=".1%")]).properties(
        width=width, height=height, title="Goodput cascade: what the fleet delivers")


def plot_carbon_by_region(fleet, duration_days, grids=None, width=480, height=260, **kwargs):
    """Carbon of the same job in each grid (SustainabilityModel), as bars in tonnes CO2e."""
    from .solvers.sustainability import SustainabilityModel
    from .zoo import Infra
    width, height = _size("width", width), _size("height", height)
    from .solvers.sustainability import resolve_site
    grids = sequence("grids", grids, lambda n, g: resolve_site(g, name=n)) if grids is not None else list(Infra.Grids)
    alt = _alt()
    model = SustainabilityModel()
    rows = []
    for g in grids:
        r = model.solve(fleet, duration_days, datacenter=g, **kwargs)
        rows.append({"region": r.raw("region_name"), "tonnes": r.raw("carbon_footprint_kg") / 1000.0,
                     "intensity": r.raw("carbon_intensity_g_kwh")})
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("region:N", sort="-x", title=None), x=alt.X("tonnes:Q", title="t CO2e"),
        tooltip=["region:N", alt.Tooltip("tonnes:Q", format=",.3g"), "intensity:Q"]).properties(
        width=width, height=max(height, 18 * len(rows)), title="Same job, different grid")
