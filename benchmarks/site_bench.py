"""How fast the labs site is in a browser, beside the floor that marimo + Pyodide alone set.

    python benchmarks/site_bench.py [--moves N] [--out DIR] [notebook.py ...]

Builds (or reuses) a site of every lab plus tests/fixtures/empty_lab.py (marimo only: the floor) and
tests/fixtures/smoke_lab.py, built the same way, then opens each page cold (fresh browser context, no
cache) in headless Chromium with all network outside 127.0.0.1 blocked, and reports:
  first content seconds from navigation to the first visible content: the pre-rendered copy
                build_wasm.py writes into each page (text, tables and charts);
  live          seconds until the kernel has run the lab (the site bar says "Live"; labkit.toolbar()'s
                marker) and a slider is there: the controls respond;
  interactive   the same and then, for a lab, its predictions answered (first option) and a chart
                drawn by marimo: the labs gate their charts on the prediction, so this adds the
                cells the answer releases;
  update        median seconds from a keyboard slider move to the first visible change, and to the
                last one (every output redrawn; watched in-page, so no round trip is counted),
                over >= 5 moves alternating right/left on the first slider that changes both;
and the site's size. The floor is loaded three times (before, amid and after the labs) and the
labs are compared with its median. Timings vary with machine load: compare rows of one run, not runs.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import site_driver  # noqa: E402
from site_driver import build_wasm  # noqa: E402

FLOOR = ROOT / "tests" / "fixtures" / "empty_lab.py"
SMOKE = ROOT / "tests" / "fixtures" / "smoke_lab.py"


def measure(browser, url: str, moves: int, need_chart: bool, throttle: float = 1.0) -> dict:
    lab = site_driver.LabPage(browser)
    if throttle > 1:
        lab.throttle(throttle)
    try:
        row = {"first": lab.open_prerendered(url)[0]}
        row["interactive"] = lab.wait_interactive(need_chart=need_chart)
        row["live"] = lab.live_s
        lab.settle(quiet_s=1.5)
        found, _ = lab.find_reactive_slider(need_chart=need_chart)
        if found is None:
            return {**row, "error": "no slider changes the output text" + (" and a chart" if need_chart else "")}
        index, key = found
        first, done = [], []
        for _ in range(moves):  # alternate directions so every move changes the value
            key = {"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight"}[key]
            r = lab.move(index, key)
            if r["first"] is not None:
                first.append(r["first"])
                done.append(r["done"])
        if done:
            row.update(update_first=statistics.median(first), update=statistics.median(done), moves=len(done))
        if lab.page_errors or lab.console_errors or lab.outside or lab.failed or lab.error_text():
            row["error"] = f"{len(lab.page_errors)} page errors, {len(lab.console_errors)} console errors, " \
                           f"{len(lab.failed)} failed requests, {len(lab.outside)} requests outside 127.0.0.1, " \
                           f"error text {lab.error_text()}"
        return row
    finally:
        lab.close()


def size_report(site: Path) -> str:
    parts = {name: build_wasm.site_size_mb(site / name) for name in ("assets", "pyodide", "packages")}
    total = build_wasm.site_size_mb(site)
    return f"site: {total:.1f} MB (" + ", ".join(f"{k} {v:.1f}" for k, v in parts.items()) + \
        f", pages and the rest {total - sum(parts.values()):.1f})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", help="labs to measure (default: labs/NN_*.py)")
    ap.add_argument("--moves", type=int, default=6, help="slider moves per lab (default 6, at least 5)")
    ap.add_argument("--out", type=Path, default=build_wasm.CACHE / "bench-site", help="site folder")
    ap.add_argument("--throttle", type=float, default=1.0, help="CPU slow-down factor (DevTools), e.g. 4")
    args = ap.parse_args(argv)
    labs = build_wasm.find_labs(args.notebooks)
    t0 = time.monotonic()
    try:
        site = build_wasm.build(args.out.resolve(), [FLOOR, SMOKE, *labs])
    except build_wasm.BuildError as e:
        print(f"FAILED {e}")
        return 1
    build_s = time.monotonic() - t0

    from playwright.sync_api import sync_playwright
    server = build_wasm.serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    # The floor is measured before, amid and after the labs, and its median is the row the labs are
    # compared with: one cold load varies by seconds with the machine's load, a ratio to a single
    # floor load carries all of that variation.
    order = [FLOOR, SMOKE, *labs[:len(labs) // 2], FLOOR, *labs[len(labs) // 2:], FLOOR]
    rows, floors = [], []
    with sync_playwright() as pw:
        browser = site_driver.launch(pw)
        for nb in order:
            print(f"measuring {nb.name} ...", flush=True)
            try:
                row = measure(browser, base + nb.name.replace(".py", ".html"), max(args.moves, 5), nb != FLOOR,
                              args.throttle)
            except Exception as e:  # report and go on: one broken lab should not hide the others
                row = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:80]}"}
            if nb == FLOOR:
                floors.append(row)
            else:
                rows.append((nb.stem, row))
        browser.close()
    server.shutdown()

    floor = median_row(floors)
    rows.insert(0, (f"empty_lab (floor, median of {len(floors)})", floor))
    print(f"\nbuild: {build_s:.0f} s (labs already built into {site} are reused; see the lines above)")
    print("update: median over the moves of the seconds from the key press to the first visible change /")
    print("        to the last change (all text and charts redrawn); vs floor: live x, interactive x, update x")
    print(f"CPU throttling: {args.throttle:g}x" if args.throttle > 1 else "CPU throttling: none")
    print(f"{'notebook':<32}{'first content s':>16}{'live s':>8}{'interactive s':>15}{'update s':>22}{'vs floor':>22}  notes")
    for name, r in rows:
        fmt = lambda k, d=1: f"{r[k]:.{d}f}" if k in r else "-"  # noqa: E731
        extra = ""
        if "interactive" in r and "interactive" in floor and r is not floor:
            extra = f"x{r['live'] / floor['live']:.2f}, x{r['interactive'] / floor['interactive']:.2f}"
            if "update" in r and "update" in floor:
                extra += f", x{r['update'] / floor['update']:.1f}"
        upd = f"{fmt('update_first', 3)} / {fmt('update', 3)} (n={r['moves']})" if "update" in r else "-"
        print(f"{name:<32}{fmt('first'):>16}{fmt('live'):>8}{fmt('interactive'):>15}{upd:>22}{extra:>22}  "
              f"{r.get('error', '')}")
    print("floor loads, live s: " + ", ".join(f"{r['live']:.1f}" if "live" in r else "-" for r in floors))
    print(size_report(site))
    return 0


def median_row(rows: list[dict]) -> dict:
    """Each number's median over the rows that have it; an error if none measured."""
    out = {}
    for key in {k for r in rows for k in r if k != "error"}:
        values = [r[key] for r in rows if key in r]
        m = statistics.median(values)
        out[key] = int(m) if all(isinstance(v, int) for v in values) and m == int(m) else m
    if not out:
        out["error"] = "; ".join(r.get("error", "") for r in rows)
    return out


if __name__ == "__main__":
    sys.exit(main())
