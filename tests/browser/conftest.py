"""Fixtures for the site tests: one from-scratch build per session, served on 127.0.0.1, one Chromium.

The build (every labs/NN_*.py plus tests/fixtures/smoke_lab.py, which keeps the site builder tested
while labs come and go) runs once and every browser test reuses it: the whole site costs about
15 s per lab to build and about 20 s per lab to open on 2 cores.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from site_build import ARTIFACTS, SITE_LABS, build_wasm, require_tools, run_build


@pytest.fixture(scope="session")
def build_cache(tmp_path_factory) -> Path:
    """A fresh download cache: the session proves the build works from nothing but the registries."""
    return tmp_path_factory.mktemp("build-cache")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, build_cache) -> tuple[Path, str]:
    """(site folder, build log) of a from-scratch build of every lab plus the smoke lab.

    SITE_TEST_DIR=<folder> reuses a site built earlier with the same labs (log is then None): a
    shortcut while developing a lab, never used in CI.
    """
    require_tools()
    if os.environ.get("SITE_TEST_DIR"):
        return Path(os.environ["SITE_TEST_DIR"]).resolve(), None
    out = tmp_path_factory.mktemp("site")
    proc = run_build(out, build_cache, SITE_LABS)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"build_wasm.py failed (exit {proc.returncode}):\n{log[-4000:]}")
    return out, log


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    server = build_wasm.serve(built_site[0])
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    require_tools()
    from playwright.sync_api import sync_playwright

    import site_driver
    with sync_playwright() as pw:
        chromium = site_driver.launch(pw)
        yield chromium
        chromium.close()


@pytest.fixture
def lab_page(browser):
    import site_driver
    page = site_driver.LabPage(browser)
    yield page
    page.close()


@pytest.fixture(scope="session")
def lab_pages(browser):
    """Lab pages opened ahead of their test (site_driver.PagePool)."""
    import site_driver
    pool = site_driver.PagePool(browser)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
