"""build_wasm.py itself: staging, index metadata, incremental rebuilds, and failures that name the lab.

The slow ones reuse the session's from-scratch build (conftest.built_site) and its download cache.
"""
from __future__ import annotations

import re
import shutil

import pytest
from site_build import LABS, SMOKE_LAB, build_wasm, require_tools, run_build


def page_name(lab) -> str:
    return lab.name.replace(".py", ".html")


@pytest.mark.slow
def test_rebuild_redoes_only_the_changed_lab(built_site, build_cache, tmp_path):
    """Touching one lab re-exports that lab alone; the wheel and the shared runtime are reused."""
    if built_site[1] is None:
        pytest.skip("SITE_TEST_DIR: not a build of this session")
    site = tmp_path / "site"
    shutil.copytree(built_site[0], site)
    changed = tmp_path / SMOKE_LAB.name
    changed.write_text(SMOKE_LAB.read_text().replace("Ring all-reduce of", "All-reduce of"))
    proc = run_build(site, build_cache, [*LABS, changed])
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    if re.search(r"^\[wheel\] built", log, re.M):  # then every lab is rightly rebuilt
        pytest.skip("mlsysim_core changed while the tests ran")
    assert "[runtime] Pyodide 314.0.0 stand-in up to date" in log
    assert re.search(r"^\[wheel\] mlsysim_core-\S+ up to date$", log, re.M), log
    assert re.search(rf"^\[lab\] {SMOKE_LAB.name} exported in", log, re.M), log
    for lab in LABS:
        assert f"[lab] {lab.name} up to date" in log
    assert "All-reduce of" in (site / page_name(SMOKE_LAB)).read_text()


NUMPY_LAB = '''# /// script
# dependencies = ["marimo==0.25.2"{dep}]
# ///
"""Uses numpy, which cannot be vendored for offline use."""
import marimo

app = marimo.App(app_title="Needs numpy")


@app.cell
def _():
    import numpy as np
    np.arange(3)
    return
'''


@pytest.mark.slow
@pytest.mark.parametrize("listed", [True, False], ids=["numpy-in-header", "numpy-only-imported"])
def test_lab_needing_numpy_fails_naming_lab_and_package(listed, build_cache, tmp_path):
    require_tools()
    lab = tmp_path / "99_numpy.py"
    lab.write_text(NUMPY_LAB.format(dep=', "numpy"' if listed else ""))
    proc = run_build(tmp_path / "site", build_cache, [lab])
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAILED")]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert len(failed) == 1 and "lab=99_numpy" in failed[0] and "numpy" in failed[0].split(":", 1)[1], failed


def test_stage_lab_points_the_header_at_the_wheel(tmp_path):
    """The staged copy installs our wheel; the lab itself is not touched."""
    wheel = tmp_path / "mlsysim_core-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    source = SMOKE_LAB.read_text()
    staged = build_wasm.stage_lab(SMOKE_LAB, wheel, tmp_path / "stage").read_text()
    assert SMOKE_LAB.read_text() == source
    assert '"mlsysim_core @ ./wheels/mlsysim_core-0.1.0-py3-none-any.whl"' in staged
    assert '"mlsysim_core",' not in staged
    assert (tmp_path / "stage" / "wheels" / wheel.name).read_bytes() == b"not really a wheel"
    bare = tmp_path / "bare.py"  # no header at all, but imports the engine
    bare.write_text("import marimo\nimport mlsysim_core\napp = marimo.App()\n")
    assert "./wheels/" in build_wasm.stage_lab(bare, wheel, tmp_path / "stage").read_text()
    # a rebuilt package keeps its file name: the stage (kept across builds) must take the new bytes
    wheel.write_bytes(b"the package, edited")
    build_wasm.stage_lab(SMOKE_LAB, wheel, tmp_path / "stage")
    assert (tmp_path / "stage" / "wheels" / wheel.name).read_bytes() == b"the package, edited"


def test_lab_info_reads_title_and_goal(tmp_path):
    docstring = tmp_path / "03_x.py"
    docstring.write_text('"""Trade bits for memory.\n\nMore."""\nimport marimo\napp = marimo.App(app_title="Compression")\n')
    comment = tmp_path / "04_y.py"
    comment.write_text('# chapter: I.13\n# goal: Size the KV cache.\nimport marimo\napp = marimo.App(width="medium", app_title="Serving")\n')
    assert build_wasm.lab_info(docstring) == {"file": "03_x.html", "number": "", "title": "Compression",
                                              "goal": "Trade bits for memory."}
    assert build_wasm.lab_info(comment)["goal"] == "Size the KV cache."
    assert build_wasm.lab_info(comment)["title"] == "Serving"
    assert build_wasm.lab_info(comment)["number"] == "I.13"


def test_patch_wheel_edits_once_and_refuses_changed_code(tmp_path, monkeypatch):
    """WHEEL_PATCHES: the edit lands, RECORD carries the new hash, and code that no longer holds the
    patched text fails the build naming the file."""
    import base64
    import hashlib
    import zipfile
    monkeypatch.setattr(build_wasm, "WHEEL_PATCHES", [("demo", "demo/x.py", "a = 1\n", "a = 2\n")])
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("demo/x.py", "a = 1\n")
        zf.writestr("demo-1.0.dist-info/RECORD", "demo/x.py,sha256=old,6\ndemo-1.0.dist-info/RECORD,,\n")
    build_wasm.patch_wheel(wheel, "demo")
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("demo/x.py") == b"a = 2\n"
        digest = base64.urlsafe_b64encode(hashlib.sha256(b"a = 2\n").digest()).rstrip(b"=").decode()
        assert f"demo/x.py,sha256={digest},6" in zf.read("demo-1.0.dist-info/RECORD").decode()
    with pytest.raises(build_wasm.BuildError, match="demo/x.py no longer has the code"):
        build_wasm.patch_wheel(wheel, "demo")     # already patched: the old text is gone
    build_wasm.patch_wheel(wheel, "other")        # no patch for this package: untouched


def test_jsonschema_patch_matches_the_pinned_version():
    """The shipped jsonschema is the version WHEEL_PATCHES was written for."""
    assert build_wasm.RUNTIME_PACKAGES["jsonschema"][0] == "4.17.3"
    assert {p[0] for p in build_wasm.WHEEL_PATCHES} == {"jsonschema"}


def test_package_resolution_is_kept_per_header_and_wheel(tmp_path, monkeypatch):
    """The exporter's Pyodide resolution runs once per distinct input; a rerun on other ports gets
    the kept answer with its own origins; a changed wheel or import set resolves anew."""
    import asyncio
    calls = []

    async def resolve(code, *, page_url, index_url, package_base_url, lockfile, pypi_index_url):
        calls.append(page_url)
        return {"lockfile": {"packages": {"mlsysim-core": {
            "file_name": page_url.rsplit("/", 2)[0] + "/public/wheels/mlsysim_core-0.1.0-py3-none-any.whl"},
            "pint": {"file_name": package_base_url + "pint-0.25-py3-none-any.whl"}}}, "required": ["pint"]}

    (tmp_path / "wheels").mkdir()
    wheel = tmp_path / "wheels" / "mlsysim_core-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"v1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(build_wasm.RESOLVE_CACHE_ENV, str(tmp_path / "kept"))
    cached = build_wasm.cached_resolution(resolve)
    code = '# /// script\n# dependencies = ["altair", "mlsysim_core @ ./wheels/x.whl"]\n# ///\nimport altair\n'

    def ask(port, text=code):
        return asyncio.run(cached(text, page_url=f"http://127.0.0.1:{port}/assets/offline.html",
                                  index_url=f"http://127.0.0.1:{port}/pyodide/",
                                  package_base_url=f"http://127.0.0.1:{port + 1}/runtime/",
                                  lockfile={"info": {}, "packages": {}}, pypi_index_url=None))

    first = ask(4000)
    again = ask(5000)
    assert len(calls) == 1
    assert again["lockfile"]["packages"]["mlsysim-core"]["file_name"].startswith("http://127.0.0.1:5000/")
    assert again["lockfile"]["packages"]["pint"]["file_name"] == "http://127.0.0.1:5001/runtime/pint-0.25-py3-none-any.whl"
    assert first["required"] == again["required"]
    ask(6000, code + "import sqlite3\n")   # another import: Pyodide may load a package for it
    assert len(calls) == 2
    wheel.write_bytes(b"v2")              # the engine changed (its dependencies may have)
    ask(7000)
    assert len(calls) == 3


def test_frontend_patch_raises_the_start_up_time_out_and_drops_the_rpc_log(tmp_path):
    """On the shape of marimo 0.25.2's assets/state-*.js (the real one: the browser tests' site)."""
    assets = tmp_path / "assets"
    assets.mkdir()
    client = ("function F(e){return xe({transport:Te(e,{transportId:De}),maxRequestTime:2e4,_debugHooks:{onSend:"
              "e=>{m.debug(`[rpc] Parent -> Worker`,e)},onReceive:e=>{m.debug(`[rpc] Worker -> Parent`,e)}}})}")
    (assets / "state-a.js").write_text("var other=1;")
    (assets / "state-b.js").write_text(client)
    for _ in range(2):   # a second build over the same site changes nothing
        build_wasm.patch_frontend(tmp_path)
        assert (assets / "state-b.js").read_text() == \
            "function F(e){return xe({transport:Te(e,{transportId:De}),maxRequestTime:6e5})}"
    (assets / "state-b.js").write_text(client.replace("_debugHooks", "_hooks"))
    with pytest.raises(build_wasm.BuildError, match="RPC debug hooks"):
        build_wasm.patch_frontend(tmp_path)
    (assets / "state-b.js").write_text("maxRequestTime:3e4")
    with pytest.raises(build_wasm.BuildError, match="RPC time-out"):
        build_wasm.patch_frontend(tmp_path)


def test_pint_key_is_taken_by_wheel_name_not_folder(tmp_path):
    """compile_wheels moves each wheel to a new sha256 folder while it works: a second copy of a pint
    wheel under another folder must not change the key the engine's compiled wheel is kept under
    (it did, and an unlucky folder order failed the build)."""
    pkgs = tmp_path / "packages"
    for folder, name in (("aa", "pint-0.26.2-py3-none-any.whl"), ("bb", "flexcache-0.3-py3-none-any.whl"),
                         ("cc", "altair-6.3.0-py3-none-any.whl"), ("index", "pint-9-py3-none-any.whl")):
        (pkgs / folder).mkdir(parents=True)
        (pkgs / folder / name).write_bytes(b"")
    key = build_wasm._pint_key(pkgs)
    assert [w.name for w in build_wasm._pint_wheels(pkgs)] == ["flexcache-0.3-py3-none-any.whl",
                                                              "pint-0.26.2-py3-none-any.whl"]
    (pkgs / "dd").mkdir()
    (pkgs / "dd" / "flexcache-0.3-py3-none-any.whl").write_bytes(b"compiled")
    assert build_wasm._pint_key(pkgs) == key
    engine = pkgs / "ee" / "mlsysim_core-0.1.0-py3-none-any.whl"
    assert build_wasm._stored(tmp_path / "pyc", engine, key).parent.name == f"ee-{key}"
