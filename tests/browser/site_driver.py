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
WATCH_GAP_MS = 30  # a pause in the page's changes this long ends a burst: the watcher looks then
POLL_MS = 50  # how often a wait re-checks the page (not every frame: a check walks the whole page)

# A page snapshot: the text of every cell output, and a fingerprint of every vega chart (canvas
# pixels or SVG markup). Both look inside open shadow roots, where marimo renders mo.stat, callouts
# and UI elements. Text skips the input widgets themselves: a slider showing its own value changes
# without the kernel doing anything.
# Installed in every page before marimo loads (LabPage): a registry of the shadow roots the page
# creates, so a snapshot need not search every element for them, and a stamp on each canvas when it
# is drawn, so a chart's pixels are fingerprinted again only after a draw. The watcher below uses both
# to look at the page only when it has changed: an observer that polled the whole page every 25 ms
# (every output's text, every canvas read back as a PNG) took a third of the page's main thread while
# a lab redrew after a slider move, and so slowed the very redraw it timed.
_INIT_JS = """(() => {
  const roots = window.__mlsxRoots = [];
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function () {
    const r = attach.apply(this, arguments);
    roots.push(r);
    if (window.__mlsxOnRoot) window.__mlsxOnRoot(r);
    return r;
  };
  const C = CanvasRenderingContext2D.prototype;
  for (const m of ['clearRect', 'fillRect', 'fill', 'stroke', 'fillText', 'strokeText', 'drawImage', 'putImageData']) {
    const f = C[m];
    C[m] = function () {
      const c = this.canvas, now = performance.now();
      if (c) c.__mlsxDrawnAt = now;
      if (window.__mlsxOnDraw) window.__mlsxOnDraw(now);
      return f.apply(this, arguments);
    };
  }
  // when the pre-rendered copy first shows text and when the kernel first marks the lab live
  // (performance.now(): ms since navigation), so a page opened ahead of its test (PagePool) still
  // tells which came first and when
  const marks = window.__mlsxMarks = {prerender: null, live: null};
  const inRoot = (root, r) => { for (let h = r.host; h; h = h.getRootNode().host) if (root.contains(h)) return true; return false; };
  const look = () => {
    const pre = document.getElementById('mlsx-prerender'), root = document.getElementById('root');
    if (marks.prerender === null && pre && pre.textContent.replace(/\\s+/g, ' ').trim().length > 20) marks.prerender = performance.now();
    if (root && (root.querySelector('.mlsx-live') || roots.some(r => r.querySelector('.mlsx-live') && inRoot(root, r)))) marks.live = performance.now();
    else setTimeout(look, 50);
  };
  setTimeout(look, 0);
})();"""

_SKIP_JS = "/^(STYLE|SCRIPT|MARIMO-SLIDER|MARIMO-RANGE-SLIDER|MARIMO-NUMBER|MARIMO-DROPDOWN|MARIMO-RADIO|MARIMO-SWITCH|MARIMO-CHECKBOX|MARIMO-TEXT)$/"
_SNAPSHOT_JS = """(texts) => {  // texts: {cache: Map, dirty: Set} of output areas, to re-read only the changed ones
  const search = (root, sel, out = []) => {
    root.querySelectorAll(sel).forEach(e => out.push(e));
    root.querySelectorAll('*').forEach(e => e.shadowRoot && search(e.shadowRoot, sel, out));
    return out;
  };
  const within = (root, r) => { for (let h = r.host; h; h = h.getRootNode().host) if (root.contains(h)) return true; return false; };
  const all = (root, sel) => {  // with _INIT_JS's registry: the live shadow roots under root, not a search
    const reg = window.__mlsxRoots;
    if (!reg) return search(root, sel);
    const out = [...root.querySelectorAll(sel)];
    for (const r of reg) if (within(root, r)) r.querySelectorAll(sel).forEach(e => out.push(e));
    return out;
  };
  const pixels = c => {  // a canvas's fingerprint, read back again only after it was drawn
    if (c.__mlsxFp === undefined || c.__mlsxFpAt !== c.__mlsxDrawnAt) { c.__mlsxFp = hash(c.toDataURL()); c.__mlsxFpAt = c.__mlsxDrawnAt; }
    return c.__mlsxFp;
  };
  const skip = SKIP;
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
    if (c) return 'c' + pixels(c);
    const s = v.querySelector('svg.marks, .chart-wrapper svg');
    return s ? 's' + hash(s.outerHTML) : '';
  }).filter(Boolean);
  return {
    text: outputs.map(e => {
      if (texts && !texts.dirty.has(e) && texts.cache.has(e)) return texts.cache.get(e);
      const t = deepText(e).replace(/\\s+/g, ' ').trim();
      if (texts) texts.cache.set(e, t);
      return t;
    }).join('\\n'),
    charts: charts.join(','),
    nCharts: charts.length,
    rendered: outputs.some(e => deepText(e).trim() || e.querySelector('canvas, svg, marimo-ui-element')),
  };
}""".replace("SKIP", _SKIP_JS)


# Watches the outputs in-page after a slider move (no round trips in the timing). It looks only when
# the page has been changing and then paused for gapMs: a burst of DOM changes inside the cell
# outputs (a MutationObserver on the page and on every shadow root) or canvas draws. When a burst
# changed the snapshot, it counts from the burst's first change ("first") to its last ("done"); the
# result comes once nothing changed for quietMs. A full snapshot every second catches anything else.
_WATCH_JS = f"""([quietMs, timeoutMs, gapMs]) => {{
  const snap = {_SNAPSHOT_JS}, skip = {_SKIP_JS};
  const texts = {{cache: new Map(), dirty: new Set()}};  // each output's text, re-read once it changed
  const before = snap(texts), w = window.__watch = {{result: null}};
  let last = JSON.stringify(before), first = null, done = null, start = null, end = null;
  const t0 = performance.now();
  let lastSnap = t0;
  const act = now => {{ if (start === null) start = now; end = now; }};
  const outputOf = n => {{  // the cell output n is in, unless it is inside an input widget (its own value label)
    for (let x = n; x; x = x.parentNode || x.host) {{
      if (x.nodeType === 1 && skip.test(x.tagName)) return null;
      if (x.classList && x.classList.contains('output-area')) return x;
    }}
    return null;
  }};
  // a change of text or elements in an output, or of a chart's SVG; not a cell's style or state
  const obs = new MutationObserver(records => {{
    let seen = false;
    for (const r of records) {{
      const out = (r.type !== 'attributes' || r.target instanceof SVGElement) && outputOf(r.target);
      if (out) {{ texts.dirty.add(out); seen = true; }}
    }}
    if (seen) act(performance.now());
  }});
  const opts = {{subtree: true, childList: true, characterData: true, attributes: true}};
  const watch = r => obs.observe(r, opts);
  watch(document.getElementById('root') || document.body);
  (window.__mlsxRoots || []).forEach(watch);
  window.__mlsxOnRoot = watch;
  window.__mlsxOnDraw = act;
  const stop = result => {{ obs.disconnect(); window.__mlsxOnRoot = window.__mlsxOnDraw = null; w.result = result; }};
  const tick = () => {{
    const now = performance.now();
    const burst = start !== null && now - end >= gapMs;
    if (burst || now - lastSnap >= 1000) {{
      if (!burst) texts.cache.clear();  // the fallback reads everything
      const s = snap(texts), key = JSON.stringify(s);
      texts.dirty.clear();
      if (key !== last) {{
        last = key;
        done = (end === null ? now : end) - t0;
        if (first === null) first = (start === null ? now : start) - t0;
      }}
      start = end = null;
      lastSnap = performance.now();
    }}
    if ((done !== null && start === null && now - t0 - done >= quietMs) || (first === null && now - t0 > timeoutMs)) {{
      const s = snap();
      stop({{first: first && first / 1000, done: done && done / 1000,
             text: s.text !== before.text, chart: s.charts !== before.charts}});
    }} else setTimeout(tick, 10);
  }};
  setTimeout(tick, 0);
}}"""


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
        self.context.add_init_script(_INIT_JS)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        # marimo's worker logs this when a requirement did not come with the lockfile's first batch
        # (build_wasm.lockfiles_load_every_package): micropip then resolves it in Python, slowly
        self.micropip: list[str] = []
        self.page.on("console", lambda m: m.text.startswith("Loading from micropip") and self.micropip.append(m.text))
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.loaded: set[str] = set()  # site paths this page requested
        self.page.on("request", lambda r: is_local(r.url) and self.loaded.add(urlparse(r.url).path))

    def throttle(self, rate: float) -> None:
        """Slow the page's CPU `rate` times (DevTools Emulation.setCPUThrottlingRate)."""
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})

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
        self.page.wait_for_function(f"() => ({_SNAPSHOT_JS})().rendered", timeout=LOAD_TIMEOUT_MS,
                                    polling=POLL_MS)
        return time.monotonic() - t0

    def navigate(self, url: str) -> None:
        self._t_nav = time.monotonic()
        self.page.goto(url, wait_until="commit")

    def open_prerendered(self, url: str | None = None) -> tuple[float, bool]:
        """Navigate (unless `url` is None: opened already); return (seconds from navigation until the
        pre-rendered copy showed text, whether the kernel had marked the lab live before that)."""
        if url is not None:
            self.navigate(url)
        self.page.wait_for_function("() => window.__mlsxMarks.prerender !== null", timeout=LOAD_TIMEOUT_MS,
                                    polling=POLL_MS)
        marks = self.page.evaluate("() => window.__mlsxMarks")
        return marks["prerender"] / 1000, marks["live"] is not None and marks["live"] <= marks["prerender"]

    def wait_interactive(self, need_chart: bool = True, timeout_ms: int = LOAD_TIMEOUT_MS,
                         answer: bool = True) -> float:
        """Wait until the kernel runs the lab in the browser (labkit.toolbar()'s live marker, or for a
        notebook without it a slider) and a chart is drawn; return seconds since navigation.

        A lab's prediction gates the charts that give its answer away, so with `answer` a student's
        first step is taken: once the kernel is live, every radio group with nothing chosen (the
        predictions start unset) gets its first option, and then a chart must be drawn.
        """
        self.page.wait_for_function(
            """() => document.querySelector('#root marimo-slider') !== null
                && (window.__mlsxMarks.live !== null || !document.querySelector('#mlsx-prerender .mlsx-toolbar, #root .mlsx-toolbar'))""",
            timeout=timeout_ms, polling=POLL_MS)
        self.live_s = time.monotonic() - self._t_nav   # the site bar says Live: the controls respond
        if answer:
            self.answer_predictions()
        if need_chart:
            left = max(1_000, timeout_ms - int(1000 * (time.monotonic() - self._t_nav)))
            self.page.wait_for_function(f"() => ({_SNAPSHOT_JS})().nCharts > 0", timeout=left, polling=POLL_MS)
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
        self.page.evaluate(_WATCH_JS, [quiet_ms, timeout_ms, WATCH_GAP_MS])  # starts a watcher and returns at once
        slider = self.sliders().nth(index)
        slider.focus()
        slider.press(key)
        self.page.wait_for_function("() => window.__watch.result !== null", timeout=timeout_ms + quiet_ms + 30_000)
        return self.page.evaluate("() => window.__watch.result")

    def key_for(self, index: int) -> str:
        """ArrowRight, unless the slider is already at its maximum."""
        return "ArrowLeft" if self.at_end(index, "ArrowRight") else "ArrowRight"

    def at_end(self, index: int, key: str) -> bool:
        thumb = self.sliders().nth(index)
        end = thumb.get_attribute("aria-valuemax" if key == "ArrowRight" else "aria-valuemin")
        return thumb.get_attribute("aria-valuenow") == end

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
                if self.at_end(i, key):  # a press would change nothing: do not wait attempt_ms for it
                    break
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


class PagePool:
    """Lab pages opened ahead of their turn: while one lab is tested the next one starts (one Pyodide
    start-up keeps about one core busy; on two cores the other one is mostly idle)."""

    def __init__(self, browser):
        self.browser = browser
        self.ahead: dict[str, LabPage] = {}

    def open(self, url: str, throttle: float = 1.0) -> LabPage:
        """The page for `url`, opened ahead or now (the caller closes it)."""
        page = self.ahead.pop(url, None)
        return page if page is not None else self._start(url, throttle)

    def open_ahead(self, url: str, throttle: float = 1.0) -> None:
        if url not in self.ahead:
            self.ahead[url] = self._start(url, throttle)

    def _start(self, url: str, throttle: float) -> LabPage:
        page = LabPage(self.browser)
        if throttle > 1:
            page.throttle(throttle)
        page.navigate(url)
        return page

    def close(self) -> None:
        for page in self.ahead.values():
            page.close()
        self.ahead.clear()
