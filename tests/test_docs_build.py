"""docs/build_docs.py: the offline docs build, every relative link and asset resolves, nothing is
fetched from the network at view time, and the pages carry their content."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("pdoc", reason="pdoc is in the dev extra (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("build_docs", ROOT / "docs" / "build_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("docs")
    module.build(out)
    return out


LINK = re.compile(r'(?:href|src)="([^"]+)"')


def test_pages_exist(site):
    for page in ("index.html", "examples.html", "cli.html", "differences.html", "api/mlsysim_core.html",
                 "api/mlsysim_core/solvers/serving.html", "api/mlsysim_core/zoo/hf.html",
                 "api/mlsysim_core/cli.html"):
        assert (site / page).is_file(), page
    assert not (site / "api" / "mlsysim_core" / "__main__.html").exists()


def test_every_relative_link_resolves(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20
    checked = 0
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(target)
            if parts.scheme or target.startswith(("#", "//")) or "${" in target:   # JS templates
                continue
            if not parts.path:
                continue
            path = (page.parent / unquote(parts.path)).resolve()
            assert path.exists(), f"{page.relative_to(site)} -> {target}"
            checked += 1
    assert checked > 50


def test_nothing_is_fetched_from_the_network(site):
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        external = [s for s in re.findall(r'src="([^"]+)"', text) if re.match(r"(https?:)?//", s)]
        assert not external, (page, external)
        assert not re.search(r'<link[^>]+href="(https?:)?//', text), page


def test_content(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for href in ("examples.html", "cli.html", "differences.html", "api/mlsysim_core.html"):
        assert f'href="{href}"' in index
    examples = (site / "examples.html").read_text(encoding="utf-8")
    assert "ResNet50" in examples and "ServingModel" in examples and "<pre" in examples
    diff = (site / "differences.html").read_text(encoding="utf-8")
    assert "Differences from the reference implementation" in diff and "<table" in diff
    assert "layer tax" in diff and "$30,000" in diff
    cli = (site / "cli.html").read_text(encoding="utf-8")
    for cmd in ("roofline", "serve", "train", "search", "tco", "carbon", "reliability", "walls", "zoo"):
        assert f"mlsysim-core {cmd}" in cli
    api = (site / "api" / "mlsysim_core" / "zoo" / "hf.html").read_text(encoding="utf-8")
    assert "from_hf_config" in api   # generated from the docstrings


def test_rebuild_replaces_the_old_tree(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("build_docs", ROOT / "docs" / "build_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "_api", lambda out: None)   # pdoc's part is covered above
    (tmp_path / "stale.html").write_text("old")
    module.build(tmp_path)
    assert not (tmp_path / "stale.html").exists() and (tmp_path / "index.html").exists()
