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
UPDATE_TIMEOUT_MS = 30_000  # for the first visible change after a slider move

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
  const root = document.getElementById('root') || document.createElement('div');  // not the pre-rendered copy
  const outputs = [...root.querySelectorAll('.output-area')];
  const charts = all(root, '.vega-embed').map(v => {
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


# Watches the outputs in-page after a slider move (no round trips in the timing): records when they
# first and last changed, and resolves once they have been quiet for quietMs.
_WATCH_JS = f"""([quietMs, timeoutMs]) => {{
  const snap = {_SNAPSHOT_JS};
  const before = snap(), w = window.__watch = {{result: null}};
  let last = JSON.stringify(before), first = null, done = null;
  const t0 = performance.now();
  const tick = () => {{
    const now = performance.now(), s = snap(), key = JSON.stringify(s);
    if (key !== last) {{ last = key; done = now - t0; if (first === null) first = done; }}
    if ((done !== null && now - t0 - done >= quietMs) || (first === null && now - t0 > timeoutMs)) {{
      w.result = {{first: first && first / 1000, done: done && done / 1000,
                   text: s.text !== before.text, chart: s.charts !== before.charts}};
    }} else setTimeout(tick, 25);
  }};
  setTimeout(tick, 0);
}}"""


# The pre-rendered copy build_wasm.py writes into each page, and whether the kernel runs the lab
# (labkit.toolbar()'s marker, found through shadow roots).
_STATE_JS = """() => {
  const find = (r, sel) => !!r && (!!r.querySelector(sel) || [...r.querySelectorAll('*')].some(e => e.shadowRoot && find(e.shadowRoot, sel)));
  const pre = document.getElementById('mlsx-prerender');
  const status = document.getElementById('mlsx-status');
  return {prerender: pre ? pre.textContent.replace(/\\s+/g, ' ').trim().length : 0,
          live: find(document.getElementById('root'), '.mlsx-live'),
          status: status ? status.textContent : null};
}"""
ERROR_TEXT = ("RPC request timed out", "Traceback", "Error initializing", "An internal error occurred")


def is_local(url: str) -> bool:
    p = urlparse(url)
    return p.scheme in ("data", "blob", "about") or p.hostname == "127.0.0.1"


def launch(playwright):
    return playwright.chromium.launch(executable_path=build_wasm.CHROMIUM, args=LAUNCH_ARGS)


class LabPage:
    """One lab in a fresh browser context, recording errors and any attempt to leave 127.0.0.1."""

    def __init__(self, browser, viewport: dict | None = None):
        self.outside: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed: list[str] = []  # HTTP responses >= 400
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        self.context.route("**/*", self._route)
        self.context.on("request", self._seen)  # also catches requests that bypass routing
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.loaded: set[str] = set()  # site paths this page requested
        self.page.on("request", lambda r: is_local(r.url) and self.loaded.add(urlparse(r.url).path))

    def throttle(self, rate: float) -> None:
        """Slow the page's CPU `rate` times (DevTools Emulation.setCPUThrottlingRate)."""
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})

    def state(self) -> dict:
        return self.page.evaluate(_STATE_JS)

    def error_text(self) -> list[str]:
        body = self.page.evaluate("() => document.body ? document.body.innerText : ''")
        return [t for t in ERROR_TEXT if t in body]

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

    def open_prerendered(self, url: str) -> tuple[float, dict]:
        """Navigate; return (seconds until the pre-rendered copy shows text, the page state then)."""
        t0 = self._t_nav = time.monotonic()
        self.page.goto(url, wait_until="commit")
        self.page.wait_for_function(f"() => ({_STATE_JS})().prerender > 20", timeout=LOAD_TIMEOUT_MS)
        return time.monotonic() - t0, self.state()

    def wait_interactive(self, need_chart: bool = True, timeout_ms: int = LOAD_TIMEOUT_MS,
                         answer: bool = True) -> float:
        """Wait until the kernel runs the lab in the browser (labkit.toolbar()'s live marker, or for a
        notebook without it a slider) and a chart is drawn; return seconds since navigation.

        A lab's prediction gates the charts that give its answer away, so with `answer` a student's
        first step is taken: once the kernel is live, every radio group with nothing chosen (the
        predictions start unset) gets its first option, and then a chart must be drawn.
        """
        self.page.wait_for_function(
            f"""() => document.querySelector('#root marimo-slider') !== null
                && (({_STATE_JS})().live || !document.querySelector('#mlsx-prerender .mlsx-toolbar, #root .mlsx-toolbar'))""",
            timeout=timeout_ms)
        self.live_s = time.monotonic() - self._t_nav   # the site bar says Live: the controls respond
        if answer:
            self.answer_predictions()
        if need_chart:
            left = max(1_000, timeout_ms - int(1000 * (time.monotonic() - self._t_nav)))
            self.page.wait_for_function(f"() => ({_SNAPSHOT_JS})().nCharts > 0", timeout=left)
        return time.monotonic() - self._t_nav

    def answer_predictions(self) -> int:
        """Choose the first option of every radio group in the lab that has none chosen; return how many."""
        answered = 0
        groups = self.page.locator("#root").get_by_role("radiogroup")
        for i in range(groups.count()):
            radios = groups.nth(i).get_by_role("radio")
            if radios.count() and not any(radios.nth(j).is_checked() for j in range(radios.count())):
                radios.first.check()
                answered += 1
        return answered

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

    def move(self, index: int, key: str, quiet_ms: int = 1000, timeout_ms: int = UPDATE_TIMEOUT_MS) -> dict:
        """Focus slider `index` and press `key`, watching the outputs from inside the page.

        Returns {"first": seconds to the first visible change, "done": seconds to the last change before
        the outputs stayed quiet for quiet_ms, "text": text changed, "chart": a chart changed}; the
        times are None when nothing changed within timeout_ms.
        """
        self.page.evaluate(_WATCH_JS, [quiet_ms, timeout_ms])  # starts a watcher and returns at once
        slider = self.sliders().nth(index)
        slider.focus()
        slider.press(key)
        self.page.wait_for_function("() => window.__watch.result !== null", timeout=timeout_ms + quiet_ms + 30_000)
        return self.page.evaluate("() => window.__watch.result")

    def key_for(self, index: int) -> str:
        """ArrowRight, unless the slider is already at its maximum."""
        thumb = self.sliders().nth(index)
        at_max = thumb.get_attribute("aria-valuenow") == thumb.get_attribute("aria-valuemax")
        return "ArrowLeft" if at_max else "ArrowRight"

    def find_reactive_slider(self, need_chart: bool = True, presses: int = 4, attempt_ms: int = 15_000):
        """Find the first slider whose keyboard moves change the output text (and a chart).

        A slider gets up to `presses` presses in one direction (a one-step move can shift a log-scale
        chart by less than a pixel); it is abandoned as soon as a press changes nothing. Returns
        ((index, key), notes) or (None, notes), notes saying what each slider did.
        """
        notes = []
        for i in range(self.sliders().count()):
            before, key, seen = self.snapshot(), self.key_for(i), "nothing"
            for _ in range(presses):
                r = self.move(i, key, timeout_ms=attempt_ms)
                if r["first"] is None:
                    break
                now = self.snapshot()
                text, chart = now["text"] != before["text"], now["charts"] != before["charts"]
                seen = " and ".join(w for w, c in (("text", text), ("a chart", chart)) if c) or "nothing"
                if text and (chart or not need_chart):
                    return (i, key), notes
            notes.append(f"slider {i} ({key}) changed {seen}")
        return None, notes
