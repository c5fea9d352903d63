"""Where the site tests find the labs and how they build the site (shared by conftest and the tests).

A module of its own, not conftest: `from conftest import ...` picks whichever tests/**/conftest.py
pytest imported last.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import build_wasm  # noqa: E402

SMOKE_LAB = ROOT / "tests" / "fixtures" / "smoke_lab.py"
LABS = build_wasm.find_labs([])  # the real labs, labs/NN_*.py, found at collection time
SITE_LABS = [*LABS, SMOKE_LAB]
ARTIFACTS = ROOT / "test-artifacts"


def missing_tools() -> list[str]:
    missing = [] if Path(build_wasm.CHROMIUM).exists() else [f"{build_wasm.CHROMIUM} (apt-get install -y chromium)"]
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install playwright)")
    if not shutil.which("npm"):
        missing.append("npm")
    return missing


def require_tools():
    """Skip where the browser tooling is absent, but fail in CI (.ci/site-setup.sh installs it)."""
    missing = missing_tools()
    if missing:
        message = "missing " + ", ".join(missing) + "; run .ci/site-setup.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def run_build(out: Path, cache: Path, labs: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build_wasm.py"), "--out", str(out), "--cache", str(cache),
                           *map(str, labs)], capture_output=True, text=True, cwd=ROOT, timeout=3600)
