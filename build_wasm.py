#!/usr/bin/env python3
"""Build the labs site: every labs/v1_NN_*.py / v2_NN_*.py exported to WebAssembly, fully offline at view time.

    python build_wasm.py                      # build into site/
    python build_wasm.py --out DIR            # build elsewhere
    python build_wasm.py --serve [--port N]   # build (or reuse) and serve on 127.0.0.1
    python build_wasm.py path/to/nb.py ...    # build only these notebooks

Steps (labs/README.md, section "The site", says why each exists):
  1. wheel     build the mlsysim_core wheel that every lab installs in the browser;
  2. runtime   a local stand-in for Pyodide's CDN "full/" distribution: the npm core plus the few
               wheels Pyodide itself must load, served on 127.0.0.1 while the labs are exported;
  3. labs      `marimo export html-wasm --execute --offline` per lab (run mode, code hidden), from a
               staged copy whose PEP 723 header points `mlsysim_core` at the fresh wheel; marimo runs
               the lab once (CPython) and embeds its outputs, and vendors the runtime and the whole
               package closure into the site (content-addressed, shared by all labs);
  4. prerender each page opened once in Chromium at build time: the rendered outputs (text, tables,
               charts as images) are written into the page as plain HTML, shown at once while the
               JavaScript and Python start, and removed when marimo has drawn the same outputs;
  5. site      fixes to marimo's frontend and export (the 20 s start-up RPC timeout, index pages
               micropip asks for, files no page loads), byte-code compiled into every shipped
               wheel by the site's own Pyodide (in Node), the site bar (live status, presenter
               mode, reset, index link) on every page, docs/ when docs/build_docs.py exists;
  6. index     index.html by volume and chapter (`# chapter:` line, labs/chapters.toml), with each
               lab's title and goal (`# goal:` line) and a filter box.
Labs whose source, wheel and runtime did not change since the last build into the same folder are
skipped. Downloads (npm, PyPI) happen at build time only; the site needs no network when viewed.

What a lab must do to build: a PEP 723 header listing `mlsysim_core` by name (plus marimo==0.25.2,
altair, pint); `marimo.App(app_title=...)`; `# chapter:` and `# goal:` lines; import only the
standard library, marimo and packages with pure-Python or Pyodide wheels that the header lists (never
numpy, pandas, scipy, plotly: they cannot be vendored offline); no sibling .py modules (only the wheel
is shipped). A lab importing anything else fails the build, naming the lab and the module.
"""
from __future__ import annotations

import argparse
import ast
import base64
import concurrent.futures
import filecmp
import functools
import hashlib
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
import zipfile
from pathlib import Path

MARIMO_VERSION = "0.25.2"  # the exporter and frontend the site is tested with
PYODIDE_VERSION = "314.0.0"  # what marimo 0.25.2 loads (marimo._pyodide.pyodide_constraints)
ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".build"  # downloads and staging, reused across builds (git-ignored)
LAB_GLOB = "v[12]_[0-9][0-9]_*.py"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WHEEL_NAME = "mlsysim_core"

# What Pyodide itself must `loadPackage` (marimo's worker and its offline resolver ask for these by
# name; anything else micropip takes from PyPI at build time). name: (version, imports, depends, source)
# source "pure": py3-none-any wheel from PyPI; "pyodide": PyPI's emscripten wheel; "sdist": a pure
# wheel made from the sdist's .py files (their C speed-ups are optional and have no Pyodide wheel).
RUNTIME_PACKAGES = {
    "micropip": ("0.11.1", ["micropip"], [], "pure"),
    "packaging": ("26.1", ["packaging"], [], "pure"),
    "docutils": ("0.22.4", ["docutils"], [], "pure"),
    "pygments": ("2.20.0", ["pygments"], [], "pure"),
    "jedi": ("0.19.2", ["jedi"], ["parso"], "pure"),
    "parso": ("0.8.6", ["parso"], [], "pure"),
    "pyodide-http": ("0.2.2", ["pyodide_http"], [], "pure"),
    # 4.18+ needs rpds-py (Rust), which has no Pyodide wheel outside the CDN
    "jsonschema": ("4.17.3", ["jsonschema"], ["attrs", "pyrsistent"], "pure"),
    "attrs": ("26.1.0", ["attr", "attrs"], [], "pure"),
    "pyrsistent": ("0.20.0", ["pyrsistent", "_pyrsistent_version"], [], "pure"),
    "msgspec": ("0.22.0", ["msgspec"], [], "pyodide"),
    "pyyaml": ("6.0.3", ["yaml"], [], "sdist"),
    "markupsafe": ("3.0.3", ["markupsafe"], [], "sdist"),
}
PYODIDE_CORE = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]

# Byte-code for the standard library. npm's pyodide@314.0.0 ships python_stdlib.zip with sources
# only (560 .py, no .pyc), and zipimport cannot write byte-code back into a zip: every page load
# compiled each standard module it imported, Pyodide's own start-up and marimo's imports included.
# Measured in Node with the site's wheels: Pyodide's boot 2.9-3.9 -> 1.1-1.4 s, `import marimo`
# (with its runtime and Pyodide bootstrap) 2.7-3.1 -> 1.4-1.7 s. The build compiles each module
# with the very interpreter it ships, as an unchecked-hash .pyc beside its source (zipimport's
# legacy layout, `name.pyc` next to `name.py`; the sources stay, for tracebacks), and names each
# code object by the path zipimport gives a compiled source (/lib/python314.zip/...). 2.6 -> 7.1 MB.
STDLIB_ZIP = "python_stdlib.zip"
_STDLIB_PYC_JS = r"""
const [pyodideDir, work] = process.argv.slice(2);
const { loadPyodide } = await import(pyodideDir + "/pyodide.mjs");
const py = await loadPyodide({ indexURL: pyodideDir + "/" });
py.FS.mkdirTree("/mnt");
py.FS.mount(py.FS.filesystems.NODEFS, { root: work }, "/mnt");
console.log(py.runPython(`
import importlib.util, marshal, sys, zipfile
where = sys.path[[p.endswith(".zip") for p in sys.path].index(True)]  # /lib/python314.zip
flags = (0b01).to_bytes(4, "little")  # hash-based, unchecked (PEP 552)
n = 0
with zipfile.ZipFile("/mnt/in.zip") as zin, zipfile.ZipFile("/mnt/out.zip", "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info)
        zout.writestr(info, data)
        if info.filename.endswith(".py"):
            code = compile(data, f"{where}/{info.filename}", "exec", dont_inherit=True)
            pyc = zipfile.ZipInfo(info.filename[:-3] + ".pyc", date_time=info.date_time)
            pyc.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(pyc, importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(data) + marshal.dumps(code))
            n += 1
f"{n} standard modules compiled for {sys.implementation.cache_tag} ({where})"
`));
"""

# One source edit in a shipped wheel: (package, file, text marimo's pinned version has, replacement).
# jsonschema 4.17 indexes a schema's subschemas once per RefResolver (lru_cache on the method), and
# altair 6 makes a new resolver for each reference it resolves: ~100 at `import altair` and more per
# chart built, each walking vega-lite's 2 MB schema. Measured in CPython with 4.17: `import altair`
# 1.8 s -> 0.7 s, building a two-layer chart 123 ms -> 40 ms; in the browser the import alone was
# ~4 s of every lab's start. The edit keeps one index per schema object (schemas are not mutated
# once a validator holds them). A jsonschema whose code differs fails the build, naming the edit.
WHEEL_PATCHES = [(
    "jsonschema", "jsonschema/validators.py",
    "    @lru_cache()  # noqa: B019\n    def _get_subschemas_cache(self):\n"
    "        cache = {key: [] for key in _SUBSCHEMAS_KEYWORDS}\n",
    "    def _get_subschemas_cache(self):\n"
    "        # mlsysim site build (build_wasm.WHEEL_PATCHES): one index per schema, not per resolver\n"
    "        hit = _SUBSCHEMAS_BY_SCHEMA.get(id(self.referrer))\n"
    "        if hit is None or hit[0] is not self.referrer:\n"
    "            hit = _SUBSCHEMAS_BY_SCHEMA[id(self.referrer)] = (self.referrer, self._index_subschemas())\n"
    "        return hit[1]\n\n"
    "    def _index_subschemas(self):\n"
    "        cache = {key: [] for key in _SUBSCHEMAS_KEYWORDS}\n",
), (
    "jsonschema", "jsonschema/validators.py",
    '\n_SUBSCHEMAS_KEYWORDS = ("$id", "id", "$anchor", "$dynamicAnchor")\n',
    '\n_SUBSCHEMAS_KEYWORDS = ("$id", "id", "$anchor", "$dynamicAnchor")\n_SUBSCHEMAS_BY_SCHEMA = {}\n',
)]
RUNTIME_KEY = hashlib.sha256(json.dumps([PYODIDE_VERSION, RUNTIME_PACKAGES, WHEEL_PATCHES, _STDLIB_PYC_JS]).encode()).hexdigest()[:16]


class BuildError(Exception):
    def __init__(self, step: str, cause: str, lab: str = "-"):
        super().__init__(f"step={step} lab={lab}: {cause}")
        self.step, self.lab, self.cause = step, lab, cause


_where = {"step": "setup", "lab": "-"}  # for the one-line report of an unexpected error


def log(msg: str) -> None:
    print(msg, flush=True)


def run(cmd: list[str], step: str, lab: str = "-", **kw) -> str:
    """Run a command; on failure raise BuildError carrying its most telling output line."""
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise BuildError(step, explain_failure(proc.stdout + proc.stderr), lab)
    return proc.stdout


def explain_failure(output: str) -> str:
    m = re.search(r"Can't find a pure Python 3 wheel for[: ]*'?([A-Za-z0-9_.\-]+)", output)
    if m:
        return (f"package {m.group(1)!r} has no pure-Python or Pyodide wheel, so it cannot be vendored "
                "for offline use; the lab must not import it")
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if re.search(r"error|failed|exception", ln, re.I)]
    return (errors or lines or ["(no output)"])[-1][:500]


def _scratch(path: Path) -> bool:
    """Caches and editor leftovers: neither shipped in the wheel nor a reason to rebuild it."""
    return "__pycache__" in path.parts or path.name.startswith(".") or path.name.endswith(("~", ".pyc", ".swp"))


def tree_hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- step 1: the wheel
def build_wheel(cache: Path) -> Path:
    """Build mlsysim_core's wheel, or reuse it when no source file changed (key = content hash)."""
    sources = [p for p in (ROOT / "mlsysim_core").rglob("*")
               if p.is_file() and not _scratch(p)] + [ROOT / "pyproject.toml"]
    key = tree_hash(sources)
    out = cache / "wheel" / key
    found = list(out.glob(f"{WHEEL_NAME}-*.whl"))
    if found:
        log(f"[wheel] {found[0].name} up to date")
        return found[0]
    t0 = time.monotonic()
    shutil.rmtree(cache / "wheel", ignore_errors=True)
    # Build from a clean copy: setuptools' in-tree build/ keeps deleted modules and would ship them.
    src = cache / "wheel" / "src"
    shutil.copytree(ROOT / "mlsysim_core", src / "mlsysim_core", ignore=shutil.ignore_patterns("__pycache__", ".*", "*~", "*.pyc", "*.swp"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copyfile(ROOT / name, src / name)
    # the zoo's data files parsed once here, by the copied code, instead of in every browser
    run([sys.executable, "-c", "from mlsysim_core.zoo import loader; from pathlib import Path; "
         "Path('mlsysim_core/zoo/data', loader.PARSED_FILE).write_text(loader.parsed_copies(), encoding='utf-8')"],
        "wheel", cwd=src, env={**os.environ, "PYTHONPATH": str(src)})
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)], "wheel")
    shutil.rmtree(src)
    wheel = next(out.glob(f"{WHEEL_NAME}-*.whl"))
    if not wheel.name.endswith("-py3-none-any.whl"):
        raise BuildError("wheel", f"{wheel.name} is not pure Python; the browser cannot install it")
    log(f"[wheel] built {wheel.name} in {time.monotonic() - t0:.1f} s")
    return wheel


# ---------------------------------------------------------------- step 2: the runtime
def npm_pyodide(cache: Path) -> Path:
    """The npm `pyodide` package: the core runtime (no package wheels). Installed once."""
    pkg = cache / "node" / "node_modules" / "pyodide"
    if not (pkg / "pyodide.asm.wasm").exists():
        log(f"[runtime] npm install pyodide@{PYODIDE_VERSION}")
        (cache / "node").mkdir(parents=True, exist_ok=True)
        run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(cache / "node"),
             f"pyodide@{PYODIDE_VERSION}"], "runtime")
    version = json.loads((pkg / "package.json").read_text())["version"]
    if version != PYODIDE_VERSION:
        raise BuildError("runtime", f"{pkg} is pyodide {version}, marimo {MARIMO_VERSION} needs {PYODIDE_VERSION}")
    return pkg


def _record_line(path: str, data: bytes) -> str:
    """A wheel RECORD line: path, urlsafe-base64 sha256, size."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _write_zip(path: Path, files: dict[str, bytes]) -> None:
    """A zip with fixed entry dates, so the same files give the same bytes (and sha256)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def pure_wheel_from_sdist(sdist: Path, name: str, package: str, version: str, dest: Path) -> Path:
    """Repack an sdist's pure-Python package as a py3-none-any wheel (drops optional C speed-ups)."""
    files: dict[str, bytes] = {}
    with tarfile.open(sdist) as tar:
        for m in tar.getmembers():
            parts = m.name.split("/")
            # PyYAML keeps its package in lib/yaml, MarkupSafe in src/markupsafe
            if m.isfile() and len(parts) == 4 and parts[1] in ("lib", "src") and parts[2] == package:
                if parts[3].endswith((".py", ".typed")):
                    files[f"{package}/{parts[3]}"] = tar.extractfile(m).read()
    if f"{package}/__init__.py" not in files:
        raise BuildError("runtime", f"no {package}/ package found in {sdist.name}")
    dist = f"{name}-{version}.dist-info"
    files[f"{dist}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    files[f"{dist}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: build_wasm\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{dist}/top_level.txt"] = f"{package}\n".encode()
    files[f"{dist}/RECORD"] = "".join(f"{_record_line(p, d)}\n" for p, d in files.items()).encode() \
        + f"{dist}/RECORD,,\n".encode()
    wheel = dest / f"{name}-{version}-py3-none-any.whl"
    _write_zip(wheel, files)
    return wheel


def patch_wheel(wheel: Path, name: str) -> None:
    """Apply WHEEL_PATCHES for ``name`` to ``wheel`` in place (RECORD updated); a patch whose text
    is not found exactly once is a build error."""
    edits = [p for p in WHEEL_PATCHES if p[0] == name]
    if not edits:
        return
    with zipfile.ZipFile(wheel) as zf:
        files = {info.filename: zf.read(info) for info in zf.infolist()}
    for _, path, old, new in edits:
        text = files[path].decode()
        if text.count(old) != 1:
            raise BuildError("runtime", f"{wheel.name}: {path} no longer has the code WHEEL_PATCHES edits "
                                        f"({old.strip().splitlines()[0]!r}); re-check the patch")
        files[path] = text.replace(old, new).encode()
    record = next(p for p in files if p.endswith(".dist-info/RECORD"))
    lines = []
    for line in files[record].decode().splitlines():
        path = line.split(",", 1)[0]
        if path in {e[1] for e in edits}:
            line = _record_line(path, files[path])
        lines.append(line)
    files[record] = ("\n".join(lines) + "\n").encode()
    _write_zip(wheel, files)


def pip_download(dest: Path, specs: list[str], *args: str) -> None:
    run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(dest), *args, *specs], "runtime")


def build_runtime(cache: Path) -> Path:
    """Stand-in for cdn.jsdelivr.net/pyodide/v314.0.0/full/: core files + wheels + pyodide-lock.json."""
    full = cache / "pyodide-full"
    if (full / ".key").exists() and (full / ".key").read_text() == RUNTIME_KEY:
        log(f"[runtime] Pyodide {PYODIDE_VERSION} stand-in up to date")
        return full
    t0 = time.monotonic()
    shutil.rmtree(full, ignore_errors=True)
    full.mkdir(parents=True)
    core = npm_pyodide(cache)
    for name in PYODIDE_CORE:
        shutil.copyfile(core / name, full / name)
    compile_stdlib(full / STDLIB_ZIP, cache)
    by_source: dict[str, list[str]] = {}
    for name, (version, _, _, source) in RUNTIME_PACKAGES.items():
        by_source.setdefault(source, []).append(f"{name}=={version}")
    py314 = ["--python-version", "3.14"]
    pip_download(full, by_source["pure"], "--only-binary", ":all:", *py314,
                 "--implementation", "py", "--abi", "none", "--platform", "any")
    pip_download(full, by_source["pyodide"], "--only-binary", ":all:", *py314,
                 "--implementation", "cp", "--abi", "cp314", "--platform", "pyemscripten_2026_0_wasm32")
    sdists = cache / "sdists"
    sdists.mkdir(exist_ok=True)
    # name the packages: `--no-binary :all:` would also compile their build tools (Cython) from source
    sdist_names = ",".join(spec.split("==")[0] for spec in by_source["sdist"])
    pip_download(sdists, by_source["sdist"], "--no-binary", sdist_names)
    packages = {}
    for name, (version, imports, depends, source) in RUNTIME_PACKAGES.items():
        stem = re.sub(r"[-_.]+", "_", name)
        if source == "sdist":
            sdist = next(p for p in sdists.iterdir() if p.name.lower().startswith(f"{stem}-{version}"))
            wheel = pure_wheel_from_sdist(sdist, stem, imports[0], version, full)
        else:
            wheel = next(p for p in full.glob("*.whl") if p.name.lower().startswith(f"{stem}-{version}-"))
        patch_wheel(wheel, name)
        packages[name] = {
            "name": name, "version": version, "file_name": wheel.name, "install_dir": "site",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(), "package_type": "package",
            "imports": imports, "depends": depends, "unvendored_tests": False,
        }
    info = json.loads((core / "pyodide-lock.json").read_text())["info"]
    (full / "pyodide-lock.json").write_text(json.dumps({"info": info, "packages": packages}, indent=1))
    (full / ".key").write_text(RUNTIME_KEY)
    log(f"[runtime] Pyodide {PYODIDE_VERSION} stand-in with {len(packages)} packages "
        f"in {time.monotonic() - t0:.1f} s")
    return full


def compile_stdlib(stdlib_zip: Path, cache: Path) -> None:
    """Rewrite ``stdlib_zip`` with byte-code beside each source (see _STDLIB_PYC_JS)."""
    work = cache / "stdlib-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copyfile(stdlib_zip, work / "in.zip")
    script = cache / "stdlib_pyc.mjs"
    script.write_text(_STDLIB_PYC_JS, encoding="utf-8")
    log("[runtime] " + run(["node", str(script), str(npm_pyodide(cache)), str(work)], "runtime").strip())
    (work / "out.zip").replace(stdlib_zip)
    shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- serving (build time and --serve)
class _Handler(http.server.SimpleHTTPRequestHandler):
    # module scripts and wasm streaming compilation need these exact types
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
                      ".json": "application/json", ".whl": "application/zip"}

    def log_message(self, *args):  # keep build and test output readable
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # a browser that closes a connection mid-reply (an aborted request, a page closed) is normal
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def serve(directory: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """Serve `directory` on 127.0.0.1:port (0 = any free port) from a daemon thread."""
    handler = functools.partial(_Handler, directory=str(directory))
    server = _Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ---------------------------------------------------------------- step 3: the labs
HEADER_RE = re.compile(r"(?m)^# /// script\s*$\n(?P<body>(^#(?! ///\s*$).*$\n)+)^# ///\s*$")
DEP_RE = re.compile(r"""(["'])mlsysim[-_.]core\b[^"']*\1""", re.I)


def stage_lab(lab: Path, wheel: Path, stage: Path) -> Path:
    """Copy `lab` into `stage`, its PEP 723 `mlsysim_core` entry pointing at ./wheels/<wheel>.

    The lab in labs/ stays untouched (it runs with the installed package); marimo's exporter turns
    the direct reference into a vendored copy of the wheel.
    """
    src = lab.read_text(encoding="utf-8")
    ref = f'"{WHEEL_NAME} @ ./wheels/{wheel.name}"'
    m = HEADER_RE.search(src)
    if m and DEP_RE.search(m.group("body")):
        body = DEP_RE.sub(ref, m.group("body"))
    elif re.search(r"^\s*(import|from)\s+mlsysim_core\b", src, re.M):
        if not m:  # no header at all: write a minimal one
            header = f'# /// script\n# dependencies = ["marimo=={MARIMO_VERSION}", {ref}]\n# ///\n'
            src, m, body = header + src, None, None
        elif re.search(r"(?m)^#\s*dependencies\s*=\s*\[", m.group("body")):
            body = re.sub(r"(?m)^(#\s*dependencies\s*=\s*\[)", rf"\1{ref}, ", m.group("body"), count=1)
        else:
            body = m.group("body") + f"# dependencies = [{ref}]\n"
    else:
        body = None  # the lab does not use the engine
    if m and body is not None:
        src = src[:m.start("body")] + body + src[m.end("body"):]
    (stage / "wheels").mkdir(parents=True, exist_ok=True)
    # by content, not name: every build of the package is mlsysim_core-<version>-py3-none-any.whl,
    # and a stage kept across builds must not ship the previous one
    staged_wheel = stage / "wheels" / wheel.name
    if not staged_wheel.exists() or not filecmp.cmp(staged_wheel, wheel, shallow=False):
        for old in (stage / "wheels").glob("*.whl"):
            old.unlink()
        shutil.copyfile(wheel, stage / "wheels" / wheel.name)
    staged = stage / lab.name
    staged.write_text(src, encoding="utf-8")
    return staged


# marimo's offline export resolves each notebook's packages by booting Pyodide in Chromium and
# running micropip (~20 s of a ~31 s export). The labs share one dependency header, so within and
# across builds the outcome is kept, keyed by everything the resolver reads: the header's
# requirements, the bytes of the local wheels they name, the notebook's top-level imports
# (Pyodide loads packages for them) and the flags it tests in the code, the Pyodide lockfile, the
# index URLs and marimo's version. The two servers' origins (ports differ per run) are stored as
# placeholders.
RESOLVE_CACHE_ENV = "MLSYSIM_RESOLVE_CACHE"
_PAGE, _RUNTIME = "@@resolver-page@@/", "@@runtime@@/"


def _imports_or_code(code: str) -> list[str] | str:
    try:   # with the standard library: Pyodide ships some of it (sqlite3, ssl...) as packages
        return sorted(top_level_imports(code))
    except SyntaxError:
        return hashlib.sha256(code.encode()).hexdigest()   # then only this very code shares it


def resolution_key(code: str, requirements: list[str], wheels: list[Path], package_base_url: str,
                   lockfile: dict, pypi_index_url: str | None, marimo_version: str) -> str:
    runtime_origin = urllib.parse.urljoin(package_base_url, "/")
    material = {
        "requirements": requirements,
        "wheels": {w.name: hashlib.sha256(w.read_bytes()).hexdigest() for w in sorted(wheels)},
        "imports": _imports_or_code(code),
        "flags": [flag in code for flag in ("mo.sql", "duckdb", "polars")],
        "lockfile": hashlib.sha256(json.dumps(lockfile, sort_keys=True).encode()).hexdigest(),
        "package_base_url": package_base_url.replace(runtime_origin, _RUNTIME),
        "pypi_index_url": pypi_index_url, "marimo": marimo_version}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


def cached_resolution(resolve):
    """Wrap marimo's ``_resolve_packages`` (in the export subprocess) with the cache above."""
    async def resolve_packages(code, *, page_url, index_url, package_base_url, lockfile, pypi_index_url):
        folder = os.environ.get(RESOLVE_CACHE_ENV)
        kwargs = dict(page_url=page_url, index_url=index_url, package_base_url=package_base_url,
                      lockfile=lockfile, pypi_index_url=pypi_index_url)
        if not folder:
            return await resolve(code, **kwargs)
        from marimo import __version__
        from marimo._utils.inline_script_metadata import PyProjectReader
        key = resolution_key(code, PyProjectReader.from_script(code).dependencies,
                             list(Path.cwd().glob("wheels/*.whl")), package_base_url, lockfile,
                             pypi_index_url, __version__)
        origins = {urllib.parse.urljoin(page_url, "/"): _PAGE,
                   urllib.parse.urljoin(package_base_url, "/"): _RUNTIME}
        kept = Path(folder) / f"{key}.json"
        if kept.exists():
            text = kept.read_text(encoding="utf-8")
            for origin, mark in origins.items():
                text = text.replace(mark, origin)
            try:
                return json.loads(text)
            except ValueError:   # a damaged entry: resolve again and replace it
                pass
        resolved = await resolve(code, **kwargs)
        text = json.dumps(resolved, sort_keys=True)
        for origin, mark in origins.items():
            text = text.replace(origin, mark)
        kept.parent.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(kept)
        return resolved
    return resolve_packages


# marimo's offline resolver calls playwright's chromium.launch() with no browser path; point it at
# Debian's Chromium (Playwright's own download does not work on these machines).
_EXPORT_BOOTSTRAP = """
import sys, build_wasm
import marimo._export.offline as offline
offline._resolve_packages = build_wasm.cached_resolution(offline._resolve_packages)
from playwright.async_api import BrowserType
_launch = BrowserType.launch
async def launch(self, **kw):
    kw.setdefault("executable_path", build_wasm.CHROMIUM)
    kw["args"] = [*build_wasm.CHROMIUM_ARGS, *(kw.get("args") or [])]
    return await _launch(self, **kw)
BrowserType.launch = launch
from marimo._cli.cli import main
sys.argv = ["marimo", *sys.argv[1:]]
sys.exit(main())
"""


def export_lab(staged: Path, out: Path, runtime_url: str, npm_lock: Path, resolve_cache: Path | None = None) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           # the package resolution of an identical header is reused (cached_resolution)
           **({RESOLVE_CACHE_ENV: str(resolve_cache)} if resolve_cache else {}),
           # uv (used by the exporter to find local imports) lives next to this interpreter
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           # correct Pyodide pins even if some code path asks wasm.marimo.app (unreachable here)
           "MARIMO_PYODIDE_LOCK_FILE": str(npm_lock),
           # labkit.toolbar(): the embedded outputs are a preview, not the live kernel
           "MLSYSIM_PRERENDER": "1"}
    # --execute: run the lab once here and embed its outputs (marimo shows them before Python starts)
    run([sys.executable, "-c", _EXPORT_BOOTSTRAP, "export", "html-wasm", str(staged),
         "-o", str(out / staged.name.replace(".py", ".html")), "--mode", "run", "--no-show-code",
         "--no-sandbox", "--execute", "--offline", "--pyodide-index-url", runtime_url, "-f"],
        "export", staged.stem, env=env, cwd=staged.parent, stdin=subprocess.DEVNULL)


EXPORT_WORKERS = max(1, min(2, os.cpu_count() or 1))


def _export_one(lab: Path, staged: Path, stage: Path, runtime_url: str, npm_lock: Path,
                resolve_cache: Path) -> tuple[Path, float]:
    """Export one lab into a folder of its own; return (that folder, seconds taken)."""
    t0 = time.monotonic()
    private = stage.with_name(stage.name + "-exports") / lab.stem  # beside the staged labs, not among them
    shutil.rmtree(private, ignore_errors=True)
    private.mkdir(parents=True)
    try:
        export_lab(staged, private, runtime_url, npm_lock, resolve_cache)
    except BuildError:
        # --execute runs the lab here first: an import this Python lacks fails that run; name it
        import importlib.util
        absent = sorted(m for m in imported_modules(lab) if importlib.util.find_spec(m) is None)
        if absent:
            raise BuildError("check", f"imports {', '.join(absent)}, which no vendored package provides "
                                      "(pure-Python or Pyodide wheels only; numpy cannot be vendored "
                                      "offline)", lab.stem) from None
        raise
    return private, time.monotonic() - t0


def _merge(private: Path, out: Path) -> None:
    """Move one export's files into the site, replacing what is there (as `marimo export -f` into
    the site itself would: the vendored wheel keeps its folder and name when its content changes).
    The exports run at once but merge one at a time, here, in the build's thread; patch_frontend
    runs after the last merge."""
    for src in sorted(private.rglob("*")):
        if src.is_file():
            dest = out / src.relative_to(private)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(src, dest)  # a rename, or a copy across file systems
    shutil.rmtree(private, ignore_errors=True)


def vendored_modules(out: Path, page: Path) -> set[str]:
    """Top-level modules provided by the wheels in the lockfile that `page` loads."""
    m = re.search(r'data-pyodide-lockfile-url="\./([^"]+)"', page.read_text(encoding="utf-8"))
    if not m:
        raise BuildError("check", f"{page.name} names no vendored lockfile (was it exported --offline?)", page.stem)
    lock = json.loads((out / m.group(1)).read_text())
    modules: set[str] = set()
    for package in lock["packages"].values():
        with zipfile.ZipFile((out / "lockfile" / package["file_name"]).resolve()) as whl:
            for name in whl.namelist():
                top = name.split("/")[0]
                if not top.endswith((".dist-info", ".data")):
                    modules.add(top.removesuffix(".py"))
    return modules


def top_level_imports(code: str) -> set[str]:
    """Top-level modules the code imports (absolute imports only); SyntaxError if it does not parse."""
    imported = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    return imported


def imported_modules(lab: Path) -> set[str]:
    """Top-level modules a lab imports, less the standard library."""
    return top_level_imports(lab.read_text(encoding="utf-8")) - set(sys.stdlib_module_names) - {"__future__"}


def check_imports(lab: Path, out: Path) -> None:
    """Fail the build when a lab imports a module that is neither stdlib nor vendored into the site.

    Pyodide's resolver silently skips an import it cannot map to a package (numpy, say, when the
    header does not list it); the page would then fail in the student's browser instead of here.
    """
    page = out / lab.name.replace(".py", ".html")
    missing = sorted(imported_modules(lab) - {"marimo"} - vendored_modules(out, page))
    if missing:
        raise BuildError("check", f"imports {', '.join(missing)}, which no vendored package provides: list it in "
                                  "the PEP 723 header (pure-Python or Pyodide wheels only; numpy cannot be "
                                  "vendored offline)", lab.stem)


# ---------------------------------------------------------------- step 4: pre-rendered content
# Runs in the build's Chromium on each exported page: waits for marimo to draw the outputs it
# embedded (--execute), then returns them as static HTML. Shadow roots (callouts, stats, controls)
# are serialized declaratively, their constructed style sheets become linked files, and chart
# canvases become images, so the copy looks like the page without any script.
_SNAPSHOT_JS = r"""async () => {
  const shadows = [], canvases = [];
  const walk = root => root.querySelectorAll('*').forEach(e => {
    if (e.tagName === 'CANVAS') canvases.push(e);
    if (e.shadowRoot) { shadows.push(e.shadowRoot); walk(e.shadowRoot); }
  });
  walk(document);
  for (const c of canvases) {
    const img = document.createElement('img');
    img.src = c.toDataURL('image/png');
    img.style.cssText = c.style.cssText;
    img.width = c.clientWidth; img.height = c.clientHeight;
    img.alt = '';
    c.replaceWith(img);
  }
  const sheets = [];
  const sheetId = ss => {
    const text = [...ss.cssRules].map(r => r.cssText).join('\n');
    let i = sheets.indexOf(text);
    if (i < 0) { sheets.push(text); i = sheets.length - 1; }
    return i;
  };
  for (const sh of shadows) {
    for (const ss of [...sh.adoptedStyleSheets].reverse()) {
      const l = document.createElement('link');
      l.rel = 'stylesheet'; l.href = '@@SHEET' + sheetId(ss) + '@@';
      sh.prepend(l);
    }
  }
  const docSheets = [...document.adoptedStyleSheets].map(sheetId);
  document.querySelectorAll('#root [role=status], #root [data-sonner-toaster], #root .toast').forEach(e => e.remove());
  return {
    html: document.getElementById('root').getHTML({shadowRoots: shadows}),
    sheets, docSheets,
    headStyles: [...document.head.querySelectorAll('style')].map(s => s.textContent),
    links: [...document.head.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href')),
    bodyClass: document.body.className, htmlClass: document.documentElement.className,
  };
}"""

# marimo has drawn its embedded outputs: every output area filled, the charts drawn, quiet a moment
_DRAWN_JS = r"""(n) => {
  const all = (root, sel, out = []) => { root.querySelectorAll(sel).forEach(e => out.push(e));
    root.querySelectorAll('*').forEach(e => e.shadowRoot && all(e.shadowRoot, sel, out)); return out; };
  const outs = document.querySelectorAll('#root .output-area');
  const charts = all(document, '.vega-embed').filter(v => v.querySelector('canvas, svg'));
  if (outs.length > 0 && charts.length >= n) return true;
  // a chart in an unselected tab is embedded but never drawn: settle for the drawn ones once their
  // count has held for 5 s (at least one chart drawn, so a slow vega load is not mistaken for it)
  const now = performance.now();
  if (window.__mlsxCount !== charts.length) { window.__mlsxCount = charts.length; window.__mlsxSince = now; }
  return outs.length > 0 && charts.length > 0 && now - window.__mlsxSince > 5000;
}"""

PRERENDER_MARK = "<!-- mlsx-prerender -->"
PRERENDER_AT_ONCE = 3  # pages loading for their snapshot at once (34 pages one at a time: 265 s of a 594 s build)


def _expected_charts(page_html: str) -> int:
    """Vega charts among the outputs marimo embedded (--execute), so the snapshot waits for them."""
    return page_html.count("application/vnd.vegalite") + page_html.count("application/vnd.vega.v")


def prerender(out: Path, pages: list[Path]) -> None:
    """Write each page's rendered outputs into it as static HTML (the <3 s first view)."""
    if not pages:
        return
    from playwright.sync_api import sync_playwright
    server = serve(out)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # a page spends most of its time waiting (scripts, fonts, vega's drawing): a few load at once
            todo, open_ = list(pages), []
            try:
                while todo or open_:
                    while todo and len(open_) < PRERENDER_AT_ONCE:
                        open_.append(_open_for_prerender(browser, base, todo.pop(0)))
                    page_file, ctx, page, t0 = open_.pop(0)
                    _where.update(step="prerender", lab=page_file.stem)
                    try:
                        _prerender_page(page, base, out, page_file)
                    finally:
                        ctx.close()
                    log(f"[prerender] {page_file.name} in {time.monotonic() - t0:.1f} s")
            finally:
                for _, ctx, _, _ in open_:
                    ctx.close()
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


def _open_for_prerender(browser, base: str, page_file: Path):
    """Start loading one page for its snapshot; return (page file, context, page, start time)."""
    t0 = time.monotonic()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    # Python is not needed for the embedded outputs: keep the build's CPU for the snapshot
    ctx.route("**/*", lambda r: r.abort() if ("/pyodide/" in r.request.url or "/packages/" in r.request.url
                                              or not r.request.url.startswith(base)) else r.continue_())
    page = ctx.new_page()
    try:
        page.goto(base + page_file.name, wait_until="commit")
    except Exception as e:
        ctx.close()
        raise BuildError("prerender", f"the page did not load: {str(e).splitlines()[0][:200]}", page_file.stem) from None
    return page_file, ctx, page, t0


def _prerender_page(page, base: str, out: Path, page_file: Path) -> None:
    text = page_file.read_text(encoding="utf-8")
    try:
        page.wait_for_load_state("load", timeout=120_000)
        # polled, not every frame: the check walks the page and would slow the drawing it waits for
        page.wait_for_function(_DRAWN_JS, arg=_expected_charts(text), timeout=120_000, polling=100)
        page.wait_for_timeout(1500)  # fonts, KaTeX and the last chart settle
        snap = page.evaluate(_SNAPSHOT_JS)
    except Exception as e:
        raise BuildError("prerender", f"marimo did not draw the embedded outputs: {str(e).splitlines()[0][:200]}",
                         page_file.stem) from None
    html_out = snap["html"].replace(base, "./")  # lazily added style sheets come with absolute URLs
    # renamed so that marimo's custom elements, once defined, do not upgrade (and empty) the copies
    html_out = re.sub(r"<(/?)marimo-", r"<\1mlsx-copy-marimo-", html_out)
    for i, css in enumerate(snap["sheets"]):
        name = f"prerender-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
        (out / "assets" / name).write_text(css, encoding="utf-8")
        html_out = html_out.replace(f"@@SHEET{i}@@", f"./assets/{name}")
    head = []
    for href in snap["links"]:
        href = (href or "").replace(base, "./")
        if href and href not in text:
            head.append(f'<link rel="stylesheet" href="{html.escape(href)}">')
    for i in snap["docSheets"]:
        name = f"prerender-{hashlib.sha256(snap['sheets'][i].encode()).hexdigest()[:12]}.css"
        head.append(f'<link rel="stylesheet" href="./assets/{name}">')
    for css in snap["headStyles"]:
        if css.strip() and css not in text:
            head.append(f"<style>{css}</style>")
    overlay = (f'{PRERENDER_MARK}<div id="mlsx-prerender" aria-hidden="true" inert '
               f'class="{html.escape(snap["bodyClass"])}">{html_out}</div>')
    text = text.replace("</head>", "\n".join(head) + "\n</head>", 1)
    text = text.replace('<div id="root"></div>', overlay + '<div id="root"></div>', 1)
    page_file.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- step 5: the site around the pages
# marimo 0.25.2's frontend asks the worker to start the session (`startSession`) the moment the
# worker script loads, with rpc-anywhere's `maxRequestTime: 2e4`; the worker answers only after
# Pyodide, the packages and the notebook are loaded. When that takes over 20 s (a slow or busy
# machine) the request is rejected, unhandled: "RPC request timed out." although start-up goes on
# fine. Ten minutes instead: a bound, not an expected time.
RPC_TIMEOUT_OLD, RPC_TIMEOUT_NEW = "maxRequestTime:2e4", "maxRequestTime:6e5"
# The same client logs every message between page and kernel with console.debug, the message object
# attached (a slider move in lab II.7: ~60 messages, chart specs among them). With DevTools or any
# inspector attached, as in the site benchmark, each is serialized for the console: ~50 ms of the
# page's own thread per move, measured (CPU profile of the page, first output after a move 0.36 ->
# 0.29 s in II.7); without one, the console still keeps the objects alive. The hooks are dropped.
RPC_DEBUG_HOOKS = re.compile(r",_debugHooks:\{onSend:e=>\{\w+\.debug\(`\[rpc\] Parent -> Worker`,e\)\},"
                             r"onReceive:e=>\{\w+\.debug\(`\[rpc\] Worker -> Parent`,e\)\}\}")
# micropip looks these up in the package index before it takes them from the lockfile (they come
# from the Pyodide runtime, not PyPI): without an index page every lab logs 404s. Once found in the
# index, their dependencies are looked up there too, so the pages cover the lockfile closure.
INDEX_FROM_LOCKFILE = ("jsonschema", "markupsafe")
# what marimo's exporter writes but no page loads
# (marimo's CLAUDE.md, GitHub Pages' .nojekyll, public/: a copy of the wheel that --offline vendors)
NOT_SHIPPED = ("CLAUDE.md", ".nojekyll", "public")

# The site bar and presenter mode, on every lab page. Presenter mode is a class on <html> from
# ?present=1 or the toggle (which keeps the flag in the address); the status turns "live" when
# labkit.toolbar()'s marker appears, i.e. when the kernel has run the lab in the browser.
SITE_BAR = """<div id="mlsx-bar" role="region" aria-label="Lab status and view">
<a href="./index.html">All labs</a>
<span id="mlsx-status" role="status" aria-live="polite">Preview: Python is starting in your browser, the controls respond soon</span>
<button type="button" id="mlsx-present" aria-pressed="false">Presenter mode</button>
</div>
<script>
(() => {
  const root = document.documentElement, q = new URLSearchParams(location.search);
  const btn = document.getElementById('mlsx-present');
  const set = on => { root.classList.toggle('mlsx-present', on); btn.setAttribute('aria-pressed', String(on)); };
  set(q.get('present') === '1');
  btn.addEventListener('click', () => {
    const on = !root.classList.contains('mlsx-present'), u = new URL(location.href);
    on ? u.searchParams.set('present', '1') : u.searchParams.delete('present');
    history.replaceState(history.state, '', u); set(on);
  });
  const find = (r, sel) => r.querySelector(sel) || [...r.querySelectorAll('*')].some(e => e.shadowRoot && find(e.shadowRoot, sel));
  const drawn = () => {
    const outs = document.querySelectorAll('#root .output-area').length;
    const pre = document.querySelectorAll('#mlsx-prerender .output-area').length;
    return outs > 0 && outs >= pre && document.querySelectorAll('#root .vega-embed').length
      >= document.querySelectorAll('#mlsx-prerender .vega-embed').length;
  };
  let pre = document.getElementById('mlsx-prerender'), drawnAt = null;
  const tick = () => {
    if (pre && drawn()) { drawnAt = drawnAt || performance.now();
      if (performance.now() - drawnAt > 300) { pre.remove(); pre = null; } }
    if (find(document.getElementById('root'), '.mlsx-live')) {
      const s = document.getElementById('mlsx-status'); s.textContent = 'Live: the controls respond';
      s.classList.add('live'); if (!pre) return;
    }
    setTimeout(tick, 100);
  };
  tick();
})();
</script>"""

SITE_CSS = """
#mlsx-prerender { position: fixed; inset: 0; z-index: 20; background: var(--background, #fff); }
#mlsx-bar { position: fixed; top: 0.4rem; left: 0.5rem; z-index: 30; display: flex; gap: 0.6rem; align-items: center;
  font: 12px/1.3 system-ui, sans-serif; background: rgba(255,255,255,0.92); color: #333; border: 1px solid #ccc;
  border-radius: 6px; padding: 0.2rem 0.5rem; max-width: calc(100vw - 4rem); flex-wrap: wrap; }
#mlsx-bar a { color: #0b5cad; } #mlsx-status.live { color: #006b3c; }
#mlsx-bar button { font: inherit; border: 1px solid #888; background: #f6f6f6; border-radius: 4px; padding: 0.1rem 0.5rem; cursor: pointer; }
html.mlsx-present #mlsx-bar button { background: #000; color: #fff; }
"""


# Byte-code for every shipped wheel. Pyodide's CDN ships its packages compiled; wheels from PyPI are
# source only, so the browser compiled every module it imported on every page load: measured in the
# browser, compiling the sources of marimo, altair, pint and mlsysim_core alone takes ~6 s at load 1
# (marimo's 949 files 3-8 s), most of the floor's "Starting marimo" phase. The build compiles them
# once with the very Pyodide the site ships (Node + the npm package: same interpreter, same magic
# number), as unchecked-hash .pyc next to the sources (the sources stay, for tracebacks), and the
# content-addressed folder, lockfile and index entries move to the new wheel's sha256.
_COMPILE_PYC_JS = r"""
const [pyodideDir, srcDir] = process.argv.slice(2);
const { loadPyodide } = await import(pyodideDir + "/pyodide.mjs");
const py = await loadPyodide({ indexURL: pyodideDir + "/" });
py.FS.mkdirTree("/mnt");
py.FS.mount(py.FS.filesystems.NODEFS, { root: srcDir }, "/mnt");
console.log(py.runPython(`
import compileall, py_compile, sys
ok = compileall.compile_dir("/mnt", quiet=2, workers=1,
                            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
f"{sys.implementation.cache_tag} all compiled: {ok}"
`));
"""


# pint's parsed unit definitions, shipped in mlsysim_core's wheel. Building the registry parses
# pint's ~1,000 definitions (flexparser) and derives every unit's dimensionality: profiled inside
# the browser's kernel, ~40 % of a lab's Python start-up (4.3 of 10.8 s under cProfile), and
# pint's disk cache is empty on every page load (the browser's file system is in memory). pint
# names its cache files by the definitions' content, pint's version and the interpreter's
# platform and version, so the build makes them with the site's own Pyodide (Node + the npm
# package) and its own pint; mlsysim_core.units reads them from PINT_CACHE_DIR when it is there.
PINT_FAMILY = ("pint", "flexcache", "flexparser", "platformdirs", "typing_extensions")
PINT_CACHE_DIR = f"{WHEEL_NAME}/_pint_cache"
_PINT_CACHE_JS = r"""
const [pyodideDir, srcDir, cacheDir] = process.argv.slice(2);
const { loadPyodide } = await import(pyodideDir + "/pyodide.mjs");
const py = await loadPyodide({ indexURL: pyodideDir + "/" });
for (const [dir, at] of [[srcDir, "/mnt/src"], [cacheDir, "/mnt/cache"]]) {
  py.FS.mkdirTree(at);
  py.FS.mount(py.FS.filesystems.NODEFS, { root: dir }, at);
}
console.log(py.runPython(`
import os, shutil, sys, sysconfig
# installed where the browser installs it: the parsed files keep the definitions' paths
site = sysconfig.get_paths()["purelib"]
for name in os.listdir("/mnt/src"):
    (shutil.copytree if os.path.isdir(f"/mnt/src/{name}") else shutil.copy)(f"/mnt/src/{name}", f"{site}/{name}")
import pint
pint.UnitRegistry(cache_folder="/mnt/cache")
f"pint {pint.__version__}'s registry parsed for {sys.implementation.cache_tag} in {os.path.dirname(pint.__file__)}"
`));
"""


def _pint_wheels(pkgs: Path) -> list[Path]:
    wheels = {w.name: w for w in sorted(pkgs.glob("*/*.whl")) if w.parent.name != "index"
              and re.sub(r"[-_.]+", "_", w.name.split("-")[0].lower()) in PINT_FAMILY}
    return [wheels[name] for name in sorted(wheels)]


def pint_cache(pkgs: Path, cache: Path) -> dict[str, bytes]:
    """PINT_CACHE_DIR's files ({path in the wheel: bytes}), made by the site's Pyodide and pint."""
    wheels = _pint_wheels(pkgs)
    if not any(w.name.startswith("pint-") for w in wheels):
        raise BuildError("site", "the site ships no pint wheel, so mlsysim_core cannot run in it")
    work = cache / "pint-work"
    shutil.rmtree(work, ignore_errors=True)
    for w in wheels:
        with zipfile.ZipFile(w) as zf:
            zf.extractall(work / "src")
    (work / "cache").mkdir()
    script = cache / "pint_cache.mjs"
    script.write_text(_PINT_CACHE_JS, encoding="utf-8")
    log("[site] " + run(["node", str(script), str(npm_pyodide(cache)), str(work / "src"), str(work / "cache")],
                        "site").strip())
    files = {f"{PINT_CACHE_DIR}/{f.name}": f.read_bytes() for f in sorted((work / "cache").iterdir())}
    shutil.rmtree(work, ignore_errors=True)
    if not any(name.endswith(".pickle") for name in files):
        raise BuildError("site", "pint wrote no cache files in the site's Pyodide")
    return files


def _pint_key(pkgs: Path) -> str:
    """The pint wheels a shipped registry is made with (taken once, before compile_wheels moves any)."""
    return hashlib.sha256(" ".join(w.name for w in _pint_wheels(pkgs)).encode()).hexdigest()[:12]


def _stored(store: Path, wheel: Path, pint_key: str) -> Path:
    """Where the compiled copy of ``wheel`` is kept: by its sha256 folder and, for mlsysim_core,
    the pint wheels its shipped registry was made with."""
    key = wheel.parent.name
    if wheel.name.startswith(f"{WHEEL_NAME}-"):
        key += "-" + pint_key
    return store / key / wheel.name


def _has_pyc(wheel: Path) -> bool:
    with zipfile.ZipFile(wheel) as zf:
        return any(n.endswith(".pyc") for n in zf.namelist())


def compile_wheels(out: Path, cache: Path) -> int:
    """Add byte-code to every wheel in out/packages that has none (see _COMPILE_PYC_JS); returns how
    many wheels changed. Compiled wheels are kept in cache/pyc/<source sha256>/ across builds."""
    pkgs = out / "packages"
    todo = [w for w in pkgs.glob("*/*.whl") if w.parent.name != "index" and not _has_pyc(w)]
    if not todo:
        return 0
    store = cache / "pyc"
    pint_key = _pint_key(pkgs)
    need = [w for w in todo if not _stored(store, w, pint_key).exists()]
    if need:
        work = cache / "pyc-work"
        shutil.rmtree(work, ignore_errors=True)
        for i, w in enumerate(need):
            with zipfile.ZipFile(w) as zf:
                zf.extractall(work / str(i))
        script = cache / "compile_pyc.mjs"
        script.write_text(_COMPILE_PYC_JS, encoding="utf-8")
        pyodide_dir = npm_pyodide(cache)
        log("[site] " + run(["node", str(script), str(pyodide_dir), str(work)], "site").strip()
            + f" ({len(need)} wheels)")
        registry = pint_cache(pkgs, cache) if any(w.name.startswith(f"{WHEEL_NAME}-") for w in need) else {}
        for i, w in enumerate(need):
            src, dest = work / str(i), _stored(store, w, pint_key)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(w) as zin:
                files = {info.filename: zin.read(info) for info in zin.infolist()}
            files.update({pyc.relative_to(src).as_posix(): pyc.read_bytes() for pyc in sorted(src.rglob("*.pyc"))})
            if w.name.startswith(f"{WHEEL_NAME}-"):
                files.update(registry)
            _write_zip(dest.with_suffix(".tmp"), files)
            dest.with_suffix(".tmp").replace(dest)
        shutil.rmtree(work, ignore_errors=True)
    moved = {}
    for w in todo:
        data = _stored(store, w, pint_key).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        (pkgs / sha).mkdir(exist_ok=True)
        (pkgs / sha / w.name).write_bytes(data)
        moved[w.parent.name] = sha
    refs = [*(out / "lockfile").glob("*.json"), *(pkgs / "index").glob("*/index.html")]
    for ref in refs:  # the folder name is the sha256 the lockfile checks: one string for both
        text = ref.read_text(encoding="utf-8")
        new = functools.reduce(lambda t, kv: t.replace(kv[0], kv[1]), moved.items(), text)
        if new != text:
            ref.write_text(new, encoding="utf-8")
    for old in moved:
        shutil.rmtree(pkgs / old)
    return len(todo)


def patch_frontend(out: Path) -> None:
    """The RPC time-out fix (RPC_TIMEOUT_OLD) and the RPC debug log's removal (RPC_DEBUG_HOOKS), on
    marimo's start-up asset; fails if marimo changed (each must be found exactly once, or be done)."""
    texts = {p: p.read_text(encoding="utf-8") for p in (out / "assets").glob("state-*.js")}
    hits = [p for p, text in texts.items() if RPC_TIMEOUT_OLD in text]
    done = [p for p, text in texts.items() if RPC_TIMEOUT_NEW in text]
    if len(hits) + len(done) != 1:
        raise BuildError("site", f"marimo {MARIMO_VERSION}'s start-up RPC time-out ({RPC_TIMEOUT_OLD}) was not found "
                                 "exactly once in assets/state-*.js; re-check the fix in build_wasm.py")
    page = (hits + done)[0]
    text = texts[page].replace(RPC_TIMEOUT_OLD, RPC_TIMEOUT_NEW)
    hooks = len(RPC_DEBUG_HOOKS.findall(text))
    if hooks > 1 or (hooks == 0 and page in hits):
        raise BuildError("site", f"marimo {MARIMO_VERSION}'s RPC debug hooks were not found exactly once in "
                                 f"{page.name}; re-check RPC_DEBUG_HOOKS in build_wasm.py")
    text = RPC_DEBUG_HOOKS.sub("", text)
    if text != texts[page]:
        page.write_text(text, encoding="utf-8")


def add_site_bar(page_file: Path) -> None:
    """Site CSS (labkit.PRESENTER_CSS + the bar's) and the bar, once per exported page."""
    text = page_file.read_text(encoding="utf-8")
    if 'id="mlsx-bar"' in text:
        return
    from mlsysim_core.labkit import PRESENTER_CSS
    text = text.replace("</head>", f"<style>{PRESENTER_CSS}{SITE_CSS}</style>\n</head>", 1)
    text = text.replace("</body>", SITE_BAR + "\n</body>", 1)
    page_file.write_text(text, encoding="utf-8")


def _top_level_modules(wheel: Path) -> list[str]:
    """The import names a wheel installs: its top-level packages (with __init__.py) and modules."""
    names = set()
    with zipfile.ZipFile(wheel) as zf:
        for n in zf.namelist():
            top, _, rest = n.partition("/")
            if top.endswith((".dist-info", ".data")):
                continue
            if rest == "__init__.py" or (not rest and top.endswith(".py")):
                names.add(top.removesuffix(".py"))
    return sorted(names)


def lockfiles_load_every_package(out: Path) -> None:
    """Let each page load all its packages in Pyodide's one parallel batch.

    marimo's resolver writes most lockfile entries with no import names (altair, pint, jinja2...)
    and with the distribution's display name ("Pint", "mlsysim_core"). marimo's worker loads a
    lab's packages from its imports (pyodide.loadPackagesFromImports: only entries whose `imports`
    name the module), then hands every header requirement whose name (as written: "altair",
    "pint", "mlsysim-core") Pyodide has not recorded as loaded to micropip, which resolves and
    installs them one by one in Python. So every lab ran micropip for altair and its closure, and
    for pint and mlsysim_core again (found installed). With the import names filled in from each
    wheel and each entry named by its (normalised) lockfile key, the whole closure comes in the
    first batch and micropip is not started: lab II.9, packages loaded 0.72-0.88 s -> 0.63-0.68 s
    after the session started, in Chromium (marimo's worker timing spans)."""
    for lock_file in (out / "lockfile").glob("*.json"):
        lock = json.loads(lock_file.read_text(encoding="utf-8"))
        for key, entry in lock["packages"].items():
            if not entry.get("imports"):
                entry["imports"] = _top_level_modules(out / "packages" / entry["file_name"].split("packages/", 1)[1])
            entry["name"] = key
        lock_file.write_text(json.dumps(lock, indent=1), encoding="utf-8")


def index_pages_from_lockfile(out: Path) -> None:
    for lock_file in (out / "lockfile").glob("*.json"):
        packages = json.loads(lock_file.read_text())["packages"]
        names, todo = set(), [n for n in INDEX_FROM_LOCKFILE if n in packages]
        while todo:  # the closure over the lockfile's dependencies
            name = todo.pop()
            if name not in names:
                names.add(name)
                todo += [d for d in packages[name].get("depends", []) if d in packages]
        for name in sorted(names):
            wheel = packages[name]["file_name"]  # "../packages/<sha>/<file>.whl"
            rel = "../../" + wheel.split("packages/", 1)[1]
            page = out / "packages" / "index" / name / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(f'<!doctype html><a href="{rel}">{rel.rsplit("/", 1)[1]}</a>', encoding="utf-8")


_REF_RE = re.compile(r"[\w.\-]+\.(?:js|mjs|css|wasm|woff2?|ttf|otf|png|svg|ico|json|webmanifest|whl|zip|gif|jpg)\b")


def unreferenced(out: Path) -> list[Path]:
    """Files no page needs: NOT_SHIPPED, and asset (or top-level) files that no page, no reachable
    file and no lockfile names. marimo's frontend names every chunk it can load by its file name, so
    every lazily loaded chunk is kept; packages/ is the package index and wheels the lockfile names."""
    found = [out / name for name in NOT_SHIPPED if (out / name).exists()]
    files = {p.name: p for p in (out / "assets").rglob("*") if p.is_file()}
    files.update({p.name: p for p in out.iterdir() if p.is_file() and p.suffix != ".html"
                  and p.name not in NOT_SHIPPED and p.name != ".labs-manifest.json"})
    seen, todo = set(), [p for p in out.glob("*.html")] + list((out / "lockfile").glob("*.json"))
    while todo:
        text = todo.pop().read_text(encoding="utf-8", errors="ignore")
        for ref in set(_REF_RE.findall(text)):
            if ref in files and ref not in seen:
                seen.add(ref)
                if ref.endswith((".js", ".mjs", ".css", ".json", ".webmanifest")):
                    todo.append(files[ref])
    return found + [p for name, p in files.items() if name not in seen]


def prune(out: Path) -> list[Path]:
    """Delete unreferenced(out); return what was deleted."""
    gone = unreferenced(out)
    for p in gone:
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    return gone


def build_docs(out: Path) -> bool:
    """docs/build_docs.py's build(out_dir) writes the offline API reference into site/docs/."""
    script = ROOT / "docs" / "build_docs.py"
    if not script.exists():
        return False
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_docs", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(out / "docs")
    return True


# ---------------------------------------------------------------- step 6: the index
def lab_info(lab: Path) -> dict:
    """Number (file name), title (App(app_title=...)) and goal (docstring's first line or `# goal:`)."""
    src = lab.read_text(encoding="utf-8")
    tree = ast.parse(src)
    title = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "App":
            for kw in node.keywords:
                if kw.arg == "app_title" and isinstance(kw.value, ast.Constant):
                    title = kw.value.value
    doc = ast.get_docstring(tree)
    goal = doc.strip().splitlines()[0] if doc else None
    if not goal:
        m = re.search(r"(?m)^#\s*goal:\s*(.+)$", src)
        goal = m.group(1).strip() if m else ""
    m = re.search(r"(?m)^#\s*chapter:\s*(\S+)\s*$", src)
    number = m.group(1) if m else ""
    title = title or lab.stem.replace("_", " ")
    if number:  # the index shows the chapter in its own column: "II.6 · Collective communication" -> "Collective ..."
        title = re.sub(rf"^{re.escape(number)}\s*[·:\-–—]\s*", "", title)
    return {"file": lab.name.replace(".py", ".html"), "number": number, "title": title, "goal": goal}


CHAPTERS = ROOT / "labs" / "chapters.toml"
VOLUMES = {"I": "Volume I: Foundations", "II": "Volume II: At Scale"}


def chapters() -> dict[str, str]:
    """Chapter id ("I.11") -> title, from labs/chapters.toml."""
    import tomllib
    try:
        return {c["id"]: c["title"] for c in tomllib.loads(CHAPTERS.read_text(encoding="utf-8"))["chapter"]}
    except (OSError, KeyError, ValueError):
        return {}


def _chapter_key(number: str) -> tuple:
    vol, _, n = number.partition(".")
    return (list(VOLUMES).index(vol) if vol in VOLUMES else 99, int(n) if n.isdigit() else 999, number)


def index_groups(labs: list[Path]) -> list[tuple[str, list[dict]]]:
    """[(volume heading, [lab info, ...] in chapter order), ...]; labs without a chapter go last."""
    titles = chapters()
    groups: dict[str, list[dict]] = {}
    for info in map(lab_info, labs):
        vol = info["number"].partition(".")[0]
        info["chapter_title"] = titles.get(info["number"], "")
        groups.setdefault(VOLUMES.get(vol, "Other notebooks"), []).append(info)
    order = [*VOLUMES.values(), "Other notebooks"]
    return [(g, sorted(groups[g], key=lambda i: _chapter_key(i["number"]))) for g in order if g in groups]


def write_index(out: Path, labs: list[Path], docs: bool = False) -> None:
    sections = []
    for heading, infos in index_groups(labs):
        items = "\n".join(
            f'<li><a href="{html.escape(i["file"])}"><span class="n">{html.escape(i["number"])} '
            f'{html.escape(i["chapter_title"])}</span> <b>{html.escape(i["title"])}</b></a>'
            f'<div class="goal">{html.escape(i["goal"])}</div></li>' for i in infos)
        sections.append(f'<section><h2>{html.escape(heading)}</h2>\n<ol class="labs">\n{items}\n</ol></section>')
    docs_link = '<p><a href="docs/index.html">API reference (offline)</a></p>' if docs else ""
    runtime_mb = site_size_mb(out / "pyodide") + site_size_mb(out / "packages") + site_size_mb(out / "assets")
    (out / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlsysim_core labs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; color: #222; }}
ol {{ list-style: none; padding: 0; }} li {{ margin: 0 0 1rem; }} h2 {{ margin: 1.5rem 0 0.5rem; font-size: 1.2rem; }}
a {{ color: #0b5cad; text-decoration: none; }} a:hover b, a:focus b {{ text-decoration: underline; }}
.n {{ color: #555; margin-right: 0.3rem; }} .goal {{ color: #444; }}
label {{ display: block; font-weight: 600; margin: 1rem 0 0.25rem; }}
input {{ font: inherit; width: 100%; box-sizing: border-box; padding: 0.4rem 0.6rem; border: 1px solid #888; border-radius: 4px; }}
[hidden] {{ display: none !important; }}
</style></head><body>
<h1>mlsysim_core labs</h1>
<p>One lab per chapter of the two volumes. Each runs entirely in your browser (Python compiled to
WebAssembly): nothing is installed and no network is needed after the page has loaded.
A lab's text, tables and charts appear at once; its controls respond once Python has started in your
browser: on the first visit that means downloading about {runtime_mb:.0f} MB and takes roughly
15&ndash;30 seconds (longer on a slow laptop); later visits reuse the browser's cache. A line at the bottom
of each lab says when it is live. The address bar keeps your settings: copy it to share a configuration;
add <code>?present=1</code> (or use the <em>Presenter mode</em> button) for a projector.</p>
{docs_link}
<label for="filter">Filter labs</label>
<input id="filter" type="search" placeholder="e.g. II.5, serving, memory" autocomplete="off">
<p id="none" hidden>No lab matches.</p>
<div id="labs">
{chr(10).join(sections)}
</div>
<script>
const box = document.getElementById('filter');
box.addEventListener('input', () => {{
  const words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown = 0;
  document.querySelectorAll('#labs section').forEach(sec => {{
    let n = 0;
    sec.querySelectorAll('li').forEach(li => {{
      const hit = words.every(w => li.textContent.toLowerCase().includes(w));
      li.hidden = !hit; n += hit;
    }});
    sec.hidden = n === 0; shown += n;
  }});
  document.getElementById('none').hidden = shown > 0;
}});
</script>
</body></html>
""", encoding="utf-8")


# ---------------------------------------------------------------- the build
def check_tools() -> None:
    import marimo
    if marimo.__version__ != MARIMO_VERSION:
        raise BuildError("setup", f"marimo {marimo.__version__} is installed, the site is pinned to "
                                  f"{MARIMO_VERSION}: pip install marimo=={MARIMO_VERSION}")
    for need, hint in [(CHROMIUM, "apt-get install -y chromium (or set CHROMIUM)"),
                       ("npm", "apt-get install -y npm"), ("node", "apt-get install -y nodejs"),
                       ("uv", "pip install uv")]:
        if not (Path(need).exists() or shutil.which(need) or (Path(sys.executable).parent / need).exists()):
            raise BuildError("setup", f"{need} not found: {hint}")
    try:
        import playwright  # noqa: F401  (marimo's offline resolver drives Chromium with it)
    except ImportError:
        raise BuildError("setup", "the playwright package is missing: pip install playwright "
                                  "(never `playwright install`; Debian's chromium is used)") from None


def build(out: Path, labs: list[Path], cache: Path = CACHE) -> Path:
    """Build the site for `labs` into `out`; labs already exported from the same inputs are kept."""
    t_all = time.monotonic()
    check_tools()
    out.mkdir(parents=True, exist_ok=True)
    _where["step"] = "wheel"
    wheel = build_wheel(cache)
    _where["step"] = "runtime"
    runtime = build_runtime(cache)
    npm_lock = cache / "node" / "node_modules" / "pyodide" / "pyodide-lock.json"
    manifest_path = out / ".labs-manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    for gone in set(manifest) - {lab.name for lab in labs}:  # the site holds exactly these labs
        (out / gone.replace(".py", ".html")).unlink(missing_ok=True)
        del manifest[gone]
    # one staging folder per output folder, so two builds (say, tests and a demo) do not collide
    stage = cache / "stage" / hashlib.sha256(str(out).encode()).hexdigest()[:12]
    server = serve(runtime)
    runtime_url = f"http://127.0.0.1:{server.server_address[1]}/"
    todo = []  # (lab, staged copy, key) of each lab to export
    for lab in labs:
        _where.update(step="export", lab=lab.stem)
        staged = stage_lab(lab, wheel, stage)
        text = staged.read_bytes()
        wheel_key = wheel.parent.name if b"./wheels/" in text else "no wheel"
        key = hashlib.sha256(text + f"{wheel_key} {RUNTIME_KEY} {MARIMO_VERSION}".encode()).hexdigest()
        if manifest.get(lab.name) == key and (out / lab.name.replace(".py", ".html")).exists():
            log(f"[lab] {lab.name} up to date")
        else:
            todo.append((lab, staged, key))
    try:
        # Each export waits on its own subprocesses (the lab's run, marimo's resolver in Chromium)
        # about a third of the time (a sequential 34-lab build used 0.7 of 2 cores), so EXPORT_WORKERS run at once.
        # Each writes into a folder of its own, merged into `out` once it is done.
        with concurrent.futures.ThreadPoolExecutor(EXPORT_WORKERS) as pool:
            started = {pool.submit(_export_one, lab, staged, stage, runtime_url, npm_lock,
                                   cache / "resolve"): (lab, key)
                       for lab, staged, key in todo}
            try:
                for done in concurrent.futures.as_completed(started):
                    lab, key = started[done]
                    private, seconds = done.result()
                    _where.update(step="export", lab=lab.stem)
                    _merge(private, out)
                    check_imports(lab, out)
                    manifest[lab.name] = key
                    manifest_path.write_text(json.dumps(manifest, indent=1))
                    log(f"[lab] {lab.name} exported in {seconds:.1f} s")
            except BaseException:
                for f in started:
                    f.cancel()
                raise
    finally:
        server.shutdown()
        server.server_close()
    manifest_path.write_text(json.dumps(manifest, indent=1))
    pages = [out / lab.name.replace(".py", ".html") for lab in labs]
    _where.update(step="site", lab="-")
    patch_frontend(out)  # every export copies marimo's assets afresh
    compiled = compile_wheels(out, cache)
    lockfiles_load_every_package(out)  # after compile_wheels: it rewrites the lockfiles' paths
    index_pages_from_lockfile(out)
    prerender(out, [p for p in pages if PRERENDER_MARK not in p.read_text(encoding="utf-8")])
    for page in pages:
        add_site_bar(page)
    gone = prune(out)
    docs = build_docs(out)
    log(f"[site] start-up RPC time-out fixed and RPC debug log off, {compiled} wheels given byte-code, site bar on {len(pages)} pages, "
        f"{len(gone)} unused files removed"
        + (", docs/ written" if docs else ""))
    _where.update(step="index", lab="-")
    write_index(out, labs, docs=docs)
    size = site_size_mb(out)
    log(f"[index] {len(labs)} labs listed; site {out} is {size:.1f} MB, built in {time.monotonic() - t_all:.1f} s")
    return out


def site_size_mb(out: Path) -> float:
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6


def find_labs(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p).resolve() for p in paths]
    return sorted((ROOT / "labs").glob(LAB_GLOB))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", help=f"notebooks to build (default: labs/{LAB_GLOB})")
    ap.add_argument("--out", type=Path, default=ROOT / "site", help="output folder (default: site/)")
    ap.add_argument("--serve", action="store_true", help="serve the site on 127.0.0.1 after building")
    ap.add_argument("--port", type=int, default=8000, help="port for --serve (default 8000)")
    ap.add_argument("--cache", type=Path, default=CACHE, help="downloads and staging (default: .build/)")
    args = ap.parse_args(argv)
    labs = find_labs(args.notebooks)
    missing = [str(p) for p in labs if not p.is_file()]
    if missing:
        log(f"FAILED step=setup lab=-: no such notebook {', '.join(missing)}")
        return 2
    if not labs:
        log(f"[labs] warning: no notebooks match labs/{LAB_GLOB}; the index will be empty")
    try:
        build(args.out.resolve(), labs, args.cache.resolve())
    except BuildError as e:
        log(f"FAILED {e}")
        return 1
    except Exception as e:  # anything unforeseen still ends in one line naming where it happened
        log(f"FAILED step={_where['step']} lab={_where['lab']}: {type(e).__name__}: {e}")
        return 1
    if args.serve:
        try:
            server = serve(args.out.resolve(), args.port)
        except OSError as e:
            log(f"FAILED step=serve lab=-: cannot listen on 127.0.0.1:{args.port} ({e}); try --port 0")
            return 1
        log(f"[serve] http://127.0.0.1:{server.server_address[1]}/  (Ctrl-C to stop)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
