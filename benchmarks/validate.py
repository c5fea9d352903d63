"""Accuracy of mlsysim_core against published measurements.

    python benchmarks/validate.py [--json PATH] [--markdown]

Runs the engine on every row of published-measurements.json (a vendored copy of
shared/validation/published-measurements.json; ``--json`` or $MLSYSIM_VALIDATION_JSON to use
another) and prints one line per row: the calibrated estimate, the measurement, the signed error,
whether it is inside the row's tolerance, the ideal bound and whether the bound holds (a bound is
never slower, costlier or hungrier than a measurement). Rows marked "calibration" set one of the
per-regime efficiencies (mlsysim_core/zoo/data/calibration.toml) and are left out of the scores.
Then the median absolute error per domain and overall, and the rows the engine cannot express.
Exit status 0 when it ran.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import validation_rows as vr  # noqa: E402


def fmt(x: float) -> str:
    if x is None:
        return "-"
    a = abs(x)
    if a == 0:
        return "0"
    if a >= 1e6 or a < 1e-2:
        return f"{x:.3e}"
    if a >= 100:
        return f"{x:,.1f}"
    return f"{x:.4g}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="path of published-measurements.json")
    ap.add_argument("--markdown", action="store_true", help="print the per-domain table as Markdown")
    args = ap.parse_args(argv)
    rep = vr.evaluate(vr.load_rows(args.json))

    print(f"{'row':<13} {'calibrated':>12} {'measured':>12} {'error':>8}  {'tolerance':<12} {'in?':<4} "
          f"{'bound':>12} {'bound ok':<8} {'unit':<14} role / what")
    for o in rep.outcomes:
        b = o.bound_ok
        bflag = "-" if b is None else ("yes" if b else "NO")
        role = "calibration" if o.role == "calibration" else ("" if o.basis == "prediction" else o.basis)
        print(f"{o.id:<13} {fmt(o.calibrated):>12} {fmt(o.measured):>12} {o.error_pct:>+7.1f}%  "
              f"{o.tol.text:<12} {'yes' if o.inside else 'no':<4} {fmt(o.bound):>12} {bflag:<8} "
              f"{o.unit:<14} {role + (': ' if role else '')}{o.what}")
        if o.note:
            print(f"{'':<13} note: {o.note}")

    summary = vr.domain_summary(rep)
    tot = vr.overall(rep)
    print("\nMedian absolute error of the calibrated estimate per domain (evaluation rows only; "
          "calibration rows excluded):")
    if args.markdown:
        print("\n| domain | rows | median abs. error | inside tolerance | calibration rows |")
        print("|---|---:|---:|---:|---:|")
    for dom, d in summary.items():
        med = d["median_abs_error_pct"]
        if args.markdown:
            print(f"| {dom} | {d['n']} | {med:.1f} % | {d['inside']}/{d['n']} | {d['calibration']} |")
        else:
            print(f"  {dom:<24} {med:>7.1f} %   inside {d['inside']}/{d['n']}   (+{d['calibration']} calibration)")
    parts = [(None, "overall"), ("prediction", "predictions"),
             ("arithmetic", "arithmetic on measured inputs"), ("lookup", "zoo lookups")]
    for basis, label in parts:
        b = vr.overall(rep, basis)
        if args.markdown:
            print(f"| **{label}** | {b['n_eval']} | {b['median_abs_error_pct']:.1f} % | "
                  f"{b['inside']}/{b['n_eval']} | {b['n_calibration']} |")
        elif basis is None:
            print(f"  {label:<24} {b['median_abs_error_pct']:>7.1f} %   inside {b['inside']}/{b['n_eval']}"
                  f"   (+{b['n_calibration']} calibration)")
        else:
            print(f"    {label:<30} {b['median_abs_error_pct']:>7.1f} %   inside {b['inside']}/{b['n_eval']}")
    print(f"\nIdeal bound held on {tot['bound_held']}/{tot['bound_rows']} latency/throughput/time/energy/cost rows"
          + ("" if tot["bound_held"] == tot["bound_rows"] else
             ": VIOLATED on " + ", ".join(o.id for o in rep.outcomes if o.bound_ok is False)))
    if rep.gaps:
        print("\nNot expressible (gaps to close in the zoo or the solvers):")
        for g in rep.gaps:
            print(f"  {g.id:<13} {g.reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
