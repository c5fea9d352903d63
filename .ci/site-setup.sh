#!/usr/bin/env bash
# Install what build_wasm.py and the site tests (tests/browser/) need on a fresh Debian machine.
# Run from anywhere (root, or sudo for apt), with the project's virtualenv active (or PYTHON=/path/to/python).
# Needs Debian apt, PyPI and the npm registry; nothing else is reachable here and nothing else is used.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
MARIMO_VERSION=$("$PY" -c 'import ast,sys; t=ast.parse(open("build_wasm.py").read()); print(next(n.value.value for n in t.body if isinstance(n, ast.Assign) and n.targets[0].id == "MARIMO_VERSION"))')
PYODIDE_VERSION=$("$PY" -c 'import ast,sys; t=ast.parse(open("build_wasm.py").read()); print(next(n.value.value for n in t.body if isinstance(n, ast.Assign) and n.targets[0].id == "PYODIDE_VERSION"))')

# Browser: Debian's Chromium. Playwright drives it by path; `playwright install` is never run
# (its browser download is not reachable here). Node + npm fetch the Pyodide runtime.
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends "${need[@]}" \
    || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${need[@]}"; }
fi

# Python side: the pinned marimo exporter, the playwright driver, uv (marimo's exporter runs ruff
# through it), altair for the labs.
"$PY" -m pip install --quiet "marimo==${MARIMO_VERSION}" altair playwright uv

# The Pyodide core runtime from npm, into the git-ignored .build/ (build_wasm.py and the Node test use it).
npm install --silent --no-audit --no-fund --prefix .build/node "pyodide@${PYODIDE_VERSION}"

# Warm uv's cache with the ruff that marimo's exporter asks for, so the first export does not fetch it.
ruff_req=$("$PY" -c 'from marimo._export.local_modules import _RUFF_REQUIREMENT as r; print(r)')
"$PY" -m uv tool run --quiet --from "$ruff_req" ruff --version >/dev/null

# Check: the browser starts under Playwright, and versions match what the site is pinned to.
"$PY" - <<'PY'
import marimo
from playwright.sync_api import sync_playwright
import build_wasm
assert marimo.__version__ == build_wasm.MARIMO_VERSION, marimo.__version__
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=build_wasm.CHROMIUM, args=build_wasm.CHROMIUM_ARGS)
    version = browser.version
    browser.close()
print(f"site setup ok: marimo {marimo.__version__}, Chromium {version}, pyodide {build_wasm.PYODIDE_VERSION} in .build/node")
PY
