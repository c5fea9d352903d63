"""The built labs site, opened in headless Chromium with every request outside 127.0.0.1 blocked.

Each lab (and the smoke lab, tests/fixtures/smoke_lab.py) must render its first output, react to a
keyboard slider move with new text *and* a new chart, log no page or console error, and never try
to leave 127.0.0.1. Screenshots go to test-artifacts/<lab>.png. Timings are in benchmarks/site_bench.py.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from site_build import SITE_LABS, build_wasm

pytestmark = pytest.mark.slow

ATTEMPT_MS = 15_000  # per slider: a slider whose move changes nothing costs this much


def page_name(lab) -> str:
    return lab.name.replace(".py", ".html")


@pytest.mark.browser
@pytest.mark.parametrize("lab", SITE_LABS, ids=lambda p: p.stem)
def test_lab_renders_and_reacts_offline(lab, site_url, lab_page, artifacts):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    first_output_s = lab_page.open(site_url + page_name(lab))
    problems = []
    try:
        lab_page.wait_interactive()
    except PlaywrightTimeout:
        problems.append("no slider and altair/vega chart (SVG or canvas) together on the page")
    lab_page.settle(quiet_s=1.5)
    sliders = lab_page.sliders()
    moved, notes = lab_page.find_reactive_slider(need_chart=True, attempt_ms=ATTEMPT_MS)
    lab_page.page.screenshot(path=artifacts / f"{lab.stem}.png", full_page=True)
    if not sliders.count():
        problems.append("no slider on the page")
    elif not moved:
        problems.append(f"no slider changed both the output text and a chart: {'; '.join(notes)}")
    if lab_page.page_errors:
        problems.append(f"page errors: {lab_page.page_errors}")
    if lab_page.console_errors:
        problems.append(f"console errors: {lab_page.console_errors}")
    if lab_page.outside:
        problems.append(f"requests outside 127.0.0.1: {lab_page.outside}")
    assert not problems, f"{lab.name} (first output after {first_output_s:.1f} s): " + "; ".join(problems)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))


def test_index_lists_and_links_every_lab(built_site):
    site, _ = built_site
    index = (site / "index.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(index)
    assert parser.links == [page_name(lab) for lab in SITE_LABS]
    for lab in SITE_LABS:
        info = build_wasm.lab_info(lab)
        assert (site / page_name(lab)).is_file(), f"{lab.name} was not exported"
        assert info["title"] in index.replace("&#x27;", "'").replace("&amp;", "&")
        assert info["goal"], f"{lab.name} has no goal (module docstring or '# goal:' comment)"


@pytest.mark.browser
def test_index_opens_a_lab(site_url, lab_page):
    lab_page.page.goto(site_url)
    links = lab_page.page.locator("#labs a")
    assert links.count() == len(SITE_LABS)
    links.first.click()
    lab_page.page.wait_for_url(re.compile(re.escape(page_name(SITE_LABS[0])) + "$"))
    assert not lab_page.outside


def test_build_log_names_each_step_and_lab(built_site):
    _, log = built_site
    if log is None:
        pytest.skip("SITE_TEST_DIR: the site was built earlier, its log is not here")
    assert re.search(r"^\[wheel\] built mlsysim_core-\S+-py3-none-any\.whl in [\d.]+ s$", log, re.M)
    assert re.search(r"^\[runtime\] Pyodide 314\.0\.0 stand-in with \d+ packages in [\d.]+ s$", log, re.M)
    for lab in SITE_LABS:
        assert re.search(rf"^\[lab\] {re.escape(lab.name)} exported in [\d.]+ s$", log, re.M), lab.name
    assert f"[index] {len(SITE_LABS)} labs listed" in log
