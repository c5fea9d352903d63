"""Drive a built labs site in headless Chromium: shared by the browser tests and benchmarks/site_bench.py.

The browser is Debian's /usr/bin/chromium (Playwright's own download does not work on these machines).
Every request that does not go to 127.0.0.1 is aborted and recorded, and DNS maps every other host to
nothing, so a page that still works has everything it needs in the site folder.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import build_wasm  # noqa: E402  (CHROMIUM, CHROMIUM_ARGS: the same browser the build uses)

LAUNCH_ARGS = [*build_wasm.CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
LOAD_TIMEOUT_MS = 180_000  # first load on a busy 2-core machine; a correctness bound, not a target
UPDATE_TIMEOUT_MS = 30_000

# A page snapshot: the text of every cell output, and a fingerprint of every vega chart (canvas
# pixels or SVG markup). Both look inside open shadow roots, where marimo renders mo.stat, callouts
# and UI elements. Text skips the input widgets themselves: a slider showing its own value changes
# without the kernel doing anything.
_SNAPSHOT_JS = """() => {
  const all = (root, sel, out = []) => {
    root.querySelectorAll(sel).forEach(e => out.push(e));
    root.querySelectorAll('*').forEach(e => e.shadowRoot && all(e.shadowRoot, sel, out));
    return out;
  };
  const skip = /^(STYLE|SCRIPT|MARIMO-SLIDER|MARIMO-RANGE-SLIDER|MARIMO-NUMBER|MARIMO-DROPDOWN|MARIMO-RADIO|MARIMO-SWITCH|MARIMO-CHECKBOX|MARIMO-TEXT)$/;
  const deepText = n => {
    if (n.nodeType === 3) return n.textContent;
    if (n.nodeType !== 1 && n.nodeType !== 11) return '';
    if (n.nodeType === 1 && skip.test(n.tagName)) return '';
    let t = n.shadowRoot ? deepText(n.shadowRoot) : '';
    for (const c of n.childNodes) t += deepText(c);
    return t;
  };
  const hash = s => { let h = 5381; for (let i = 0; i < s.length; i++) h = (h * 33 ^ s.charCodeAt(i)) >>> 0; return h; };
  const outputs = [...document.querySelectorAll('.output-area')];
  const charts = all(document, '.vega-embed').map(v => {
    const c = v.querySelector('canvas');
    if (c) return 'c' + hash(c.toDataURL());
    const s = v.querySelector('svg.marks, .chart-wrapper svg');
    return s ? 's' + hash(s.outerHTML) : '';
  }).filter(Boolean);
  return {
    text: outputs.map(e => deepText(e).replace(/\\s+/g, ' ').trim()).join('\\n'),
    charts: charts.join(','),
    nCharts: charts.length,
    rendered: outputs.some(e => deepText(e).trim() || e.querySelector('canvas, svg, marimo-ui-element')),
  };
}"""


def is_local(url: str) -> bool:
    p = urlparse(url)
    return p.scheme in ("data", "blob", "about") or p.hostname == "127.0.0.1"


def launch(playwright):
    return playwright.chromium.launch(executable_path=build_wasm.CHROMIUM, args=LAUNCH_ARGS)


class LabPage:
    """One lab in a fresh browser context, recording errors and any attempt to leave 127.0.0.1."""

    def __init__(self, browser):
        self.outside: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._route)
        self.context.on("request", self._seen)  # also catches requests that bypass routing
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def _route(self, route):
        if is_local(route.request.url):
            route.continue_()
        else:
            self._seen(route.request)
            route.abort()

    def _seen(self, request):
        if not is_local(request.url) and request.url not in self.outside:
            self.outside.append(request.url)

    def close(self):
        self.context.close()

    def snapshot(self) -> dict:
        return self.page.evaluate(_SNAPSHOT_JS)

    def open(self, url: str) -> float:
        """Navigate; return seconds until the first cell output is rendered."""
        t0 = self._t_nav = time.monotonic()
        self.page.goto(url, wait_until="commit")
        self.page.wait_for_function(f"() => ({_SNAPSHOT_JS})().rendered", timeout=LOAD_TIMEOUT_MS)
        return time.monotonic() - t0

    def wait_interactive(self, need_chart: bool = True, timeout_ms: int = LOAD_TIMEOUT_MS) -> float:
        """Wait until a slider (and a chart) are on the page (later cells run seconds after the first
        output: importing the engine and computing in WebAssembly); return seconds since navigation."""
        self.page.wait_for_function(
            f"""(needChart) => (!needChart || ({_SNAPSHOT_JS})().nCharts > 0)
                && document.querySelector('marimo-slider') !== null""",
            arg=need_chart, timeout=timeout_ms)
        return time.monotonic() - self._t_nav

    def settle(self, quiet_s: float = 1.0, timeout_s: float = 60.0) -> dict:
        """Wait until the outputs stop changing for `quiet_s` (cells after the first may still run)."""
        deadline = time.monotonic() + timeout_s
        last, since = self.snapshot(), time.monotonic()
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
            now = self.snapshot()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                break
        return last

    def sliders(self):
        return self.page.get_by_role("slider")

    def move(self, index: int, key: str = "ArrowRight", need_chart: bool = True,
             timeout_ms: int = UPDATE_TIMEOUT_MS) -> tuple[float, dict, dict]:
        """Focus slider `index`, press `key`; return (seconds until text (and chart) changed, before, after).

        Raises playwright's TimeoutError when the output does not change in time.
        """
        before = self.snapshot()
        slider = self.sliders().nth(index)
        slider.focus()
        t0 = time.monotonic()
        slider.press(key)
        self.page.wait_for_function(
            f"""([b, needChart]) => {{ const s = ({_SNAPSHOT_JS})();
                return s.text !== b.text && (!needChart || s.charts !== b.charts); }}""",
            arg=[before, need_chart and before["nCharts"] > 0], timeout=timeout_ms, polling=20)
        elapsed = time.monotonic() - t0
        return elapsed, before, self.snapshot()

    def key_for(self, index: int) -> str:
        """ArrowRight, unless the slider is already at its maximum."""
        thumb = self.sliders().nth(index)
        return "ArrowLeft" if thumb.get_attribute("aria-valuenow") == thumb.get_attribute("aria-valuemax") else "ArrowRight"

    def find_reactive_slider(self, need_chart: bool = True, attempt_ms: int = 15_000):
        """(index, key, seconds) of the first slider whose move changes the text (and a chart), and the
        list of sliders tried in vain; (None, tried) when none does. Each failed try costs attempt_ms."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        tried = []
        for i in range(self.sliders().count()):
            key = self.key_for(i)
            try:
                seconds, _, _ = self.move(i, key, need_chart=need_chart, timeout_ms=attempt_ms)
                return (i, key, seconds), tried
            except PlaywrightTimeout:
                tried.append(f"slider {i} ({key})")
                self.settle(quiet_s=0.5, timeout_s=10)
        return None, tried
