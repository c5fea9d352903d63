"""The built labs site, opened in headless Chromium with every request outside 127.0.0.1 blocked.

One build and one browser for the whole session (conftest.py). Each lab (and the smoke lab,
tests/fixtures/smoke_lab.py) must show its pre-rendered content before the kernel is live, then
become live and react to a keyboard slider move with new text *and* a new chart, with no page
error, console error, error text, failed request, or attempt to leave 127.0.0.1. Three labs are
opened under 4x CPU throttling (DevTools `Emulation.setCPUThrottlingRate`), where marimo's 20 s
start-up RPC time-out used to fire. Screenshots go to test-artifacts/. Timings are in
benchmarks/site_bench.py, not here.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from site_build import LABS, ROOT, SITE_LABS, build_wasm

pytestmark = pytest.mark.slow

ATTEMPT_MS = 15_000  # per slider: a slider whose move changes nothing costs this much
# first, middle and last lab: opened with the CPU slowed 4x
THROTTLED = {LABS[i].stem for i in {0, len(LABS) // 2, len(LABS) - 1}} if LABS else set()
ROUND_TRIP_LAB = next((lab for lab in LABS if lab.stem.startswith("v1_11")), LABS[0] if LABS else None)


def page_name(lab) -> str:
    return lab.name.replace(".py", ".html")


@pytest.fixture(scope="session")
def loaded_paths() -> set[str]:
    """Every site path the pages of this session requested (for the unused-files check)."""
    return set()


def problems_of(lab_page) -> list[str]:
    out = []
    for what, items in (("page errors", lab_page.page_errors), ("console errors", lab_page.console_errors),
                        ("failed requests", lab_page.failed), ("requests outside 127.0.0.1", lab_page.outside),
                        ("error text on the page", lab_page.error_text()),
                        ("packages left to micropip", lab_page.micropip)):
        if items:
            out.append(f"{what}: {items}")
    return out


@pytest.mark.browser
@pytest.mark.parametrize("lab", SITE_LABS, ids=lambda p: p.stem)
def test_lab_prerendered_then_live_and_reacts(lab, site_url, lab_pages, request, artifacts, loaded_paths):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    throttled = lab.stem in THROTTLED
    lab_page = lab_pages.open(site_url + page_name(lab), throttle=4 if throttled else 1)
    following = next_lab(request)  # starts now, while this one is tested
    if following is not None:
        lab_pages.open_ahead(site_url + page_name(following), throttle=4 if following.stem in THROTTLED else 1)
    try:
        shown_s, live_first = lab_page.open_prerendered()
        problems = ["the kernel was live before the pre-rendered content showed"] if live_first else []
        try:
            lab_page.wait_interactive(timeout_ms=site_driver_timeout(throttled))
        except PlaywrightTimeout:
            problems.append("never became live with a slider and a drawn chart")
        lab_page.settle(quiet_s=1.5)
        if lab_page.page.locator("#mlsx-prerender").count():
            problems.append("the pre-rendered copy was never replaced by marimo's drawing")
        moved, notes = lab_page.find_reactive_slider(need_chart=True,
                                                     attempt_ms=ATTEMPT_MS * (3 if throttled else 1))
        lab_page.page.screenshot(path=artifacts / f"{lab.stem}.png", full_page=True)
        if not moved:
            problems.append(f"no slider changed both the output text and a chart: {'; '.join(notes)}")
        problems += problems_of(lab_page)
        loaded_paths.update(lab_page.loaded)
    finally:
        lab_page.close()
    assert not problems, (f"{lab.name}{' (CPU 4x slower)' if throttled else ''}, pre-rendered content after "
                          f"{shown_s:.1f} s: " + "; ".join(problems))


def next_lab(request):
    """The lab of the next test in this run, if that test is this one for another lab."""
    items = request.session.items
    i = items.index(request.node)
    following = items[i + 1] if i + 1 < len(items) else None
    if following is None or getattr(following, "originalname", None) != request.node.originalname:
        return None
    return following.callspec.params["lab"]


def site_driver_timeout(throttled: bool) -> int:
    import site_driver
    return site_driver.LOAD_TIMEOUT_MS * (3 if throttled else 1)


def _slider_and_radio(lab_page):
    slider = lab_page.page.locator("#root").get_by_role("slider").first
    radio = lab_page.page.locator("#root").get_by_role("radio").first
    return slider, radio


@pytest.mark.browser
def test_url_round_trip_restores_a_moved_slider_and_a_prediction(site_url, lab_page, artifacts):
    if ROUND_TRIP_LAB is None:
        pytest.skip("no labs")
    lab_page.open(site_url + page_name(ROUND_TRIP_LAB))
    lab_page.wait_interactive()
    lab_page.settle(quiet_s=1.0)
    slider, radio = _slider_and_radio(lab_page)
    default = slider.get_attribute("aria-valuenow")
    radio.check()
    lab_page.page.wait_for_function("() => location.search.length > 1", timeout=30_000)
    slider.focus()
    slider.press(lab_page.key_for(0))
    lab_page.page.wait_for_function("(n) => location.search.split('&').length >= n", arg=2, timeout=30_000)
    moved = slider.get_attribute("aria-valuenow")
    assert moved != default
    shared = lab_page.page.url
    # a new visitor opens the shared address: the slider and the prediction come back
    lab_page.navigate(shared)
    lab_page.wait_interactive()
    lab_page.settle(quiet_s=1.0)
    slider, radio = _slider_and_radio(lab_page)
    assert slider.get_attribute("aria-valuenow") == moved, shared
    assert radio.is_checked(), shared
    # reset: the defaults again, the address without state
    lab_page.page.locator("#root a.mlsx-reset").first.click()
    lab_page.page.wait_for_function("() => location.search.length <= 1", timeout=30_000)
    lab_page.wait_interactive(need_chart=False, answer=False)  # the prediction is unset again
    lab_page.settle(quiet_s=1.0)
    slider, radio = _slider_and_radio(lab_page)
    assert slider.get_attribute("aria-valuenow") == default and not radio.is_checked()
    assert not problems_of(lab_page), problems_of(lab_page)


_LAYOUT_JS = """() => {
  const boxes = [...document.querySelectorAll('#root .output-area')].map(e => e.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps.push([i, j]);
  }
  const wide = boxes.filter(r => r.right > innerWidth + 1).length;
  return {n: boxes.length, overlaps, wide, present: document.documentElement.classList.contains('mlsx-present')};
}"""


@pytest.mark.browser
def test_presenter_mode_at_1280x720(site_url, browser, artifacts):
    import site_driver
    lab = ROUND_TRIP_LAB
    if lab is None:
        pytest.skip("no labs")
    page = site_driver.LabPage(browser, viewport={"width": 1280, "height": 720})
    try:
        page.open(site_url + page_name(lab) + "?present=1")
        page.wait_interactive()
        page.settle(quiet_s=1.0)
        layout = page.page.evaluate(_LAYOUT_JS)
        page.page.screenshot(path=artifacts / f"presenter-{lab.stem}.png")
        assert layout["present"] and layout["n"] > 5, layout
        assert not layout["overlaps"], f"output areas overlap: {layout}"
        assert not layout["wide"], f"{layout['wide']} outputs run off the right edge"
        # the toggle turns it off and keeps the address in step
        page.page.locator("#mlsx-present").click()
        assert not page.page.evaluate(_LAYOUT_JS)["present"] and "present" not in page.page.url
        assert not problems_of(page), problems_of(page)
    finally:
        page.close()


class _Index(HTMLParser):
    """Links per <h2> section of the index."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self._h2, self._current = False, None

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._h2 = True
        elif tag == "a" and self._current is not None and dict(attrs).get("href", "").endswith(".html") \
                and dict(attrs)["href"] != "docs/index.html":
            self.sections[self._current].append(dict(attrs)["href"])

    def handle_data(self, data):
        if self._h2:
            self._current = data.strip()
            self.sections[self._current] = []
            self._h2 = False


def test_index_lists_every_lab_under_its_volume_in_chapter_order(built_site):
    site, _ = built_site
    index = (site / "index.html").read_text(encoding="utf-8")
    parser = _Index()
    parser.feed(index)
    expected = {heading: [i["file"] for i in infos] for heading, infos in build_wasm.index_groups(SITE_LABS)}
    assert parser.sections == expected
    chapters = build_wasm.chapters()
    for lab in LABS:
        info = build_wasm.lab_info(lab)
        volume = build_wasm.VOLUMES[info["number"].split(".")[0]]
        assert page_name(lab) in parser.sections[volume]
        assert info["number"] in chapters, f"{lab.name}: chapter {info['number']} is not in labs/chapters.toml"
        entry = f"{info['number']} {chapters[info['number']]}"
        assert html_text(entry) in index and html_text(info["title"]) in index and info["goal"]
    for files in parser.sections.values():  # chapter order inside each volume
        numbers = [build_wasm._chapter_key(build_wasm.lab_info(next(lab for lab in SITE_LABS
                                                                     if page_name(lab) == f)).get("number", ""))
                   for f in files]
        assert numbers == sorted(numbers)


def html_text(s: str) -> str:
    import html
    return html.escape(s)


@pytest.mark.browser
def test_index_filter_and_phone_width(site_url, browser):
    import site_driver
    page = site_driver.LabPage(browser, viewport={"width": 390, "height": 844})
    try:
        page.page.goto(site_url)
        assert page.page.evaluate("() => document.documentElement.scrollWidth") <= 390
        links = page.page.locator("#labs li:not([hidden]) a")
        assert links.count() == len(SITE_LABS)
        if LABS:
            first = build_wasm.lab_info(LABS[0])
            page.page.get_by_label("Filter labs").fill(first["number"] + " " + first["title"].split()[0])
            assert links.count() >= 1 and all(first["number"] in t for t in links.all_inner_texts())
            page.page.get_by_label("Filter labs").fill("zzz-no-such-lab")
            assert links.count() == 0 and page.page.locator("#none").is_visible()
            page.page.get_by_label("Filter labs").fill("")
        links.first.click()
        page.page.wait_for_url(re.compile(r"\.html$"))
        assert not page.outside
    finally:
        page.close()


def test_site_ships_only_what_pages_load(built_site):
    site, _ = built_site
    assert not (site / "CLAUDE.md").exists() and not (site / "public").exists()
    assert build_wasm.unreferenced(site) == []


def _pyc_of(source: str) -> str:
    folder, _, name = source.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{name[:-3]}.cpython-314.pyc"


def test_every_wheel_ships_byte_code_and_its_lockfile_hash(built_site):
    """build_wasm.compile_wheels: each .py in each shipped wheel has its Pyodide byte-code next to
    it (cpython-314, unchecked hash), and every lockfile entry and index page names a file whose
    sha256 is the one it states (Pyodide refuses a package whose hash differs)."""
    import hashlib
    import json
    import zipfile
    site, _ = built_site
    wheels = [w for w in (site / "packages").glob("*/*.whl") if w.parent.name != "index"]
    assert wheels
    for w in wheels:
        assert hashlib.sha256(w.read_bytes()).hexdigest() == w.parent.name, w
        names = set(zipfile.ZipFile(w).namelist())
        sources = [n for n in names if n.endswith(".py")]
        missing = [n for n in sources if _pyc_of(n) not in names]
        assert sources and not missing, f"{w.name}: no byte-code for {missing[:5]}"
        pyc = next(n for n in names if n.endswith(".pyc"))
        flags = int.from_bytes(zipfile.ZipFile(w).read(pyc)[4:8], "little")
        assert flags == 0b01, f"{w.name}: {pyc} is not an unchecked-hash .pyc (flags {flags})"
    for lock in (site / "lockfile").glob("*.json"):
        for name, entry in json.loads(lock.read_text())["packages"].items():
            f = site / "packages" / entry["file_name"].split("packages/", 1)[1]
            assert f.is_file() and hashlib.sha256(f.read_bytes()).hexdigest() == entry["sha256"], (lock.name, name)
    for page in (site / "packages" / "index").glob("*/index.html"):
        href = re.search(r'href="([^"]+)"', page.read_text()).group(1)
        assert (page.parent / href).resolve().is_file(), page


_STDLIB_PROBE_MJS = """
const [dir, lock] = process.argv.slice(2);  // the site ships no pyodide-lock.json of its own
const { loadPyodide } = await import(dir + "/pyodide.mjs");
const py = await loadPyodide({ indexURL: dir + "/", lockFileURL: lock });
console.log("RESULT " + py.runPython(`
import json, sys, traceback, zipimport
compiled = []
original = zipimport._compile_source
zipimport._compile_source = lambda path, source: compiled.append(path) or original(path, source)
import difflib, statistics, tomllib  # imported by the labs' engine, none by Pyodide's own start-up
try:
    statistics.mean([])
except statistics.StatisticsError as e:
    shown = "".join(traceback.format_exception(e))
json.dumps({"traceback": shown, "compiled": compiled, "file": difflib.__file__,
            "code_file": difflib.SequenceMatcher.__init__.__code__.co_filename,
            "source": difflib.__loader__.get_source("difflib") is not None,
            "median": statistics.median([3, 1, 2])})
`));
"""


def test_standard_library_is_loaded_from_byte_code(built_site, tmp_path):
    """build_wasm.compile_stdlib: the site's own Pyodide (its pyodide/ folder, run in Node) imports
    standard modules from the .pyc beside each source, not by compiling the source; tracebacks
    still find the source and name the same file."""
    import json
    import shutil
    import subprocess
    import zipfile
    if not shutil.which("node"):
        pytest.skip("node missing; run .ci/site-setup.sh")
    site, _ = built_site
    names = set(zipfile.ZipFile(site / "pyodide" / build_wasm.STDLIB_ZIP).namelist())
    sources = [n for n in names if n.endswith(".py")]
    assert sources and not [n for n in sources if n[:-3] + ".pyc" not in names]
    (tmp_path / "probe.mjs").write_text(_STDLIB_PROBE_MJS)
    lock = build_wasm.npm_pyodide(build_wasm.CACHE) / "pyodide-lock.json"
    proc = subprocess.run(["node", str(tmp_path / "probe.mjs"), str(site / "pyodide"), str(lock)],
                          capture_output=True, text=True, timeout=300)
    result = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and result, (proc.stdout + proc.stderr)[-3000:]
    out = json.loads(result[-1].removeprefix("RESULT "))
    assert out["compiled"] == [] and out["median"] == 2 and out["source"], out
    # zipimport names a module loaded from byte-code by its .pyc; its code keeps the source's name,
    # so a traceback through the standard library still shows the source line
    assert out["file"] == "/lib/python314.zip/difflib.pyc" and out["code_file"] == "/lib/python314.zip/difflib.py", out
    assert 'File "/lib/python314.zip/statistics.py"' in out["traceback"], out["traceback"]
    assert "raise StatisticsError" in out["traceback"], out["traceback"]


def test_lockfiles_name_every_package_and_its_imports(built_site):
    """build_wasm.lockfiles_load_every_package: each entry is named by its key (what marimo's worker
    compares a requirement's name with) and lists the modules its wheel installs (what Pyodide
    loads a notebook's imports by), so altair and pint come in Pyodide's first batch."""
    import json
    import zipfile
    site, _ = built_site
    locks = list((site / "lockfile").glob("*.json"))
    assert locks
    for lock in locks:
        packages = json.loads(lock.read_text())["packages"]
        for key, entry in packages.items():
            assert entry["name"] == key and entry["imports"], (lock.name, key, entry["name"], entry["imports"])
        for key, module in (("altair", "altair"), ("pint", "pint"), ("mlsysim-core", "mlsysim_core")):
            if key in packages:
                assert module in packages[key]["imports"], (lock.name, key)
                wheel = site / "packages" / packages[key]["file_name"].split("packages/", 1)[1]
                assert f"{module}/__init__.py" in zipfile.ZipFile(wheel).namelist()


def test_engine_wheel_ships_pint_registry_made_by_the_sites_pint(built_site):
    """build_wasm.pint_cache: pint's parsed definitions are in mlsysim_core's wheel, made by the
    Pyodide and pint the site ships (pint only reads cache files whose header matches both)."""
    import json
    import zipfile
    site, _ = built_site
    wheels = {w.name.split("-")[0]: w for w in (site / "packages").glob("*/*.whl") if w.parent.name != "index"}
    pint_version = wheels["pint"].name.split("-")[1]
    with zipfile.ZipFile(wheels["mlsysim_core"]) as zf:
        names = [n for n in zf.namelist() if n.startswith(build_wasm.PINT_CACHE_DIR + "/")]
        headers = [json.loads(zf.read(n)) for n in names if n.endswith(".json")]
    assert sum(n.endswith(".pickle") for n in names) == len(headers) >= 2, names
    converters = {h["converter_id"] for h in headers}
    assert {"parse_file", "build_cache"} <= converters, converters
    for h in headers:
        assert (h["system"], h["python_implementation"], h["pint_version"]) == ("Emscripten", "CPython", pint_version), h
        assert h["python_version"].startswith("3.14"), h


@pytest.mark.browser
def test_every_requested_file_exists(built_site, loaded_paths):
    """Cross-check of the static reference walk with what the browser asked for (404s are also
    reported per lab): run after the lab tests, it covers every page opened in this session."""
    site, _ = built_site
    if not loaded_paths:
        pytest.skip("no lab page was opened in this session")
    missing = sorted(p for p in loaded_paths if p != "/" and not (site / p.lstrip("/")).exists()
                     and not (site / p.lstrip("/") / "index.html").exists()
                     and not (site / re.sub("/+", "/", p).lstrip("/") / "index.html").exists())
    assert not missing


def test_docs_are_built_and_linked_when_docs_build_exists(built_site):
    site, _ = built_site
    if not (ROOT / "docs" / "build_docs.py").exists():
        pytest.skip("docs/build_docs.py does not exist yet")
    assert (site / "docs" / "index.html").is_file()
    assert 'href="docs/index.html"' in (site / "index.html").read_text(encoding="utf-8")


def test_build_log_names_each_step_and_lab(built_site):
    _, log = built_site
    if log is None:
        pytest.skip("SITE_TEST_DIR: the site was built earlier, its log is not here")
    assert re.search(r"^\[wheel\] built mlsysim_core-\S+-py3-none-any\.whl in [\d.]+ s$", log, re.M)
    assert re.search(r"^\[runtime\] Pyodide 314\.0\.0 stand-in with \d+ packages in [\d.]+ s$", log, re.M)
    for lab in SITE_LABS:
        assert re.search(rf"^\[lab\] {re.escape(lab.name)} exported in [\d.]+ s$", log, re.M), lab.name
        assert re.search(rf"^\[prerender\] {re.escape(page_name(lab))} in [\d.]+ s$", log, re.M), lab.name
    assert re.search(r"^\[site\] start-up RPC time-out fixed", log, re.M)
    assert f"[index] {len(SITE_LABS)} labs listed" in log
