"""The engine imports and computes under CPython 3.14 compiled to WebAssembly (npm pyodide@314.0.0, in Node).

Only pint and its pure-Python dependencies are installed next to our wheel, from wheels pip downloads
now for Python 3.14, so an accidental dependency (numpy, say) or 3.11-only code fails here, in seconds,
rather than in a student's browser.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys

import pytest
from site_build import build_wasm

pytestmark = pytest.mark.slow

# Boot Pyodide, unpack the wheels into site-packages, run a Python file, print its last expression.
RUN_MJS = """
import { readFileSync } from "node:fs";
const [pkg, wheels, script] = process.argv.slice(2);
const { loadPyodide } = await import(pkg + "/pyodide.mjs");
const py = await loadPyodide({ indexURL: pkg + "/" });
for (const whl of JSON.parse(wheels)) py.unpackArchive(new Uint8Array(readFileSync(whl)), "wheel");
console.log("RESULT " + await py.runPythonAsync(readFileSync(script, "utf8")));
"""

PROBE = """
import json, sys
import mlsysim_core
from mlsysim_core.formulas import calc_ring_allreduce_time

out = {"python": list(sys.version_info[:2]), "platform": sys.platform,
       "ring_s": calc_ring_allreduce_time(140e9, 1024, 50e9, 2e-6).to("s").magnitude}
if hasattr(mlsysim_core, "Engine"):  # the solver layer, once it exists
    from mlsysim_core import Engine, Hardware, Models
    p = Engine.solve(Models.ResNet50, Hardware.A100)
    out["resnet50_a100"] = {"latency_ms": p.latency.to("ms").magnitude, "bottleneck": str(p.bottleneck)}
out["heavy_modules"] = sorted(m for m in ("numpy", "pandas", "scipy") if m in sys.modules)
json.dumps(out)
"""


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> list[str]:
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node/npm missing; run .ci/site-setup.sh")
    cache = tmp_path_factory.mktemp("node-cache")
    ours = build_wasm.build_wheel(cache)
    deps = cache / "deps"  # pint and its pure deps, as a Python 3.14 environment would get them
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "--python-version", "3.14",
                    "--implementation", "py", "--abi", "none", "--platform", "any", "-d", str(deps), "pint"],
                   check=True, capture_output=True)
    return [str(ours), *map(str, sorted(deps.glob("*.whl")))]


def run_in_pyodide(tmp_path, wheels: list[str], code: str) -> dict:
    pyodide = build_wasm.npm_pyodide(build_wasm.CACHE)  # installed by .ci/site-setup.sh, else npm here
    (tmp_path / "run.mjs").write_text(RUN_MJS)
    (tmp_path / "probe.py").write_text(code)
    proc = subprocess.run(["node", str(tmp_path / "run.mjs"), str(pyodide), json.dumps(wheels),
                           str(tmp_path / "probe.py")], capture_output=True, text=True, timeout=600)
    result = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    # Node echoes the minified runtime's source line on a crash: show only the end of it
    assert proc.returncode == 0 and result, (proc.stdout + proc.stderr)[-3000:]
    return json.loads(result[-1].removeprefix("RESULT "))


def test_engine_computes_in_pyodide_with_only_pint(tmp_path, wheels):
    assert any("/pint-" in w for w in wheels) and not any("numpy" in w for w in wheels)
    out = run_in_pyodide(tmp_path, wheels, PROBE)
    assert out["python"] == [3, 14] and out["platform"] == "emscripten"
    # equations page 2.3: 140 GB over 1,024 GPUs at 50 GB/s -> ~5.6 s (bandwidth term 5.59 s + 4 ms latency)
    assert out["ring_s"] == pytest.approx(2 * 1023 / 1024 * 140e9 / 50e9 + 2 * 1023 * 2e-6, rel=1e-9)
    assert 5.5 < out["ring_s"] < 5.7
    assert out["heavy_modules"] == []
    import mlsysim_core
    if hasattr(mlsysim_core, "Engine"):  # same answer as CPython 3.11 on this machine
        from mlsysim_core import Engine, Hardware, Models
        here = Engine.solve(Models.ResNet50, Hardware.A100)
        got = out["resnet50_a100"]
        assert math.isclose(got["latency_ms"], here.latency.to("ms").magnitude, rel_tol=1e-9)
        assert got["bottleneck"] == str(here.bottleneck)
