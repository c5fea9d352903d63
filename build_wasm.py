#!/usr/bin/env python3
"""Build the labs site: every labs/NN_*.py exported to WebAssembly, fully offline at view time.

    python build_wasm.py                      # build into site/
    python build_wasm.py --out DIR            # build elsewhere
    python build_wasm.py --serve [--port N]   # build (or reuse) and serve on 127.0.0.1
    python build_wasm.py path/to/nb.py ...    # build only these notebooks

Steps (see /work/shared/research/wasm-offline-notes.md for why each exists):
  1. wheel    build the mlsysim_core wheel that every lab installs in the browser;
  2. runtime  a local stand-in for Pyodide's CDN "full/" distribution: the npm core plus the few
              wheels Pyodide itself must load, served on 127.0.0.1 while the labs are exported;
  3. labs     `marimo export html-wasm --offline` per lab (run mode, code hidden), from a staged copy
              whose PEP 723 header points `mlsysim_core` at the fresh wheel; marimo vendors the runtime
              and the whole package closure into the site (content-addressed, shared by all labs);
  4. index    index.html listing each lab's number, title (App(app_title=...)) and goal (the first
              line of the module docstring, or a `# goal:` comment).
Labs whose source, wheel and runtime did not change since the last build into the same folder are
skipped. Downloads (npm, PyPI) happen at build time only; the site needs no network when viewed.

What a lab must do to build: a PEP 723 header listing `mlsysim_core` by name (plus marimo==0.25.2,
altair, pint); `marimo.App(app_title=...)`; a goal line (module docstring or `# goal:`); import only the
standard library, marimo and packages with pure-Python or Pyodide wheels that the header lists (never
numpy, pandas, scipy, plotly: they cannot be vendored offline); no sibling .py modules (only the wheel
is shipped). A lab importing anything else fails the build, naming the lab and the module.
"""
from __future__ import annotations

import argparse
import ast
import base64
import functools
import hashlib
import html
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
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
RUNTIME_KEY = hashlib.sha256(json.dumps([PYODIDE_VERSION, RUNTIME_PACKAGES]).encode()).hexdigest()[:16]


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
    record = io.StringIO()
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.write(f"{path},sha256={digest},{len(data)}\n")
    record.write(f"{dist}/RECORD,,\n")
    files[f"{dist}/RECORD"] = record.getvalue().encode()
    wheel = dest / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return wheel


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


# ---------------------------------------------------------------- serving (build time and --serve)
class _Handler(http.server.SimpleHTTPRequestHandler):
    # module scripts and wasm streaming compilation need these exact types
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
                      ".json": "application/json", ".whl": "application/zip"}

    def log_message(self, *args):  # keep build and test output readable
        pass


def serve(directory: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """Serve `directory` on 127.0.0.1:port (0 = any free port) from a daemon thread."""
    handler = functools.partial(_Handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
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
    if not (stage / "wheels" / wheel.name).exists():
        for old in (stage / "wheels").glob("*.whl"):
            old.unlink()
        shutil.copyfile(wheel, stage / "wheels" / wheel.name)
    staged = stage / lab.name
    staged.write_text(src, encoding="utf-8")
    return staged


# marimo's offline resolver calls playwright's chromium.launch() with no browser path; point it at
# Debian's Chromium (Playwright's own download does not work on these machines).
_EXPORT_BOOTSTRAP = """
import sys, build_wasm
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


def export_lab(staged: Path, out: Path, runtime_url: str, npm_lock: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           # uv (used by the exporter to find local imports) lives next to this interpreter
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           # correct Pyodide pins even if some code path asks wasm.marimo.app (unreachable here)
           "MARIMO_PYODIDE_LOCK_FILE": str(npm_lock)}
    run([sys.executable, "-c", _EXPORT_BOOTSTRAP, "export", "html-wasm", str(staged),
         "-o", str(out / staged.name.replace(".py", ".html")), "--mode", "run", "--no-show-code",
         "--no-sandbox", "--offline", "--pyodide-index-url", runtime_url, "-f"],
        "export", staged.stem, env=env, cwd=staged.parent, stdin=subprocess.DEVNULL)


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


def check_imports(lab: Path, out: Path) -> None:
    """Fail the build when a lab imports a module that is neither stdlib nor vendored into the site.

    Pyodide's resolver silently skips an import it cannot map to a package (numpy, say, when the
    header does not list it); the page would then fail in the student's browser instead of here.
    """
    page = out / lab.name.replace(".py", ".html")
    imported = set()
    for node in ast.walk(ast.parse(lab.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    missing = sorted(imported - set(sys.stdlib_module_names) - {"__future__", "marimo"}
                     - vendored_modules(out, page))
    if missing:
        raise BuildError("check", f"imports {', '.join(missing)}, which no vendored package provides: list it in "
                                  "the PEP 723 header (pure-Python or Pyodide wheels only; numpy cannot be "
                                  "vendored offline)", lab.stem)


# ---------------------------------------------------------------- step 4: the index
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


def write_index(out: Path, labs: list[Path]) -> None:
    rows = "\n".join(
        f'<li><a href="{html.escape(i["file"])}"><span class="n">{html.escape(i["number"])}</span> '
        f'<b>{html.escape(i["title"])}</b></a><div class="goal">{html.escape(i["goal"])}</div></li>'
        for i in map(lab_info, labs))
    (out / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlsysim_core labs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
ol {{ list-style: none; padding: 0; }} li {{ margin: 0 0 1rem; }}
a {{ color: #0b5cad; text-decoration: none; }} a:hover b {{ text-decoration: underline; }}
.n {{ display: inline-block; min-width: 2rem; color: #888; }} .goal {{ color: #555; margin-left: 2rem; }}
</style></head><body>
<h1>mlsysim_core labs</h1>
<p>Each lab runs entirely in your browser (Python compiled to WebAssembly); nothing is installed and,
once the page has loaded, no network is needed. The first load takes a few seconds.</p>
<ol id="labs">
{rows}
</ol></body></html>
""", encoding="utf-8")


# ---------------------------------------------------------------- the build
def check_tools() -> None:
    import marimo
    if marimo.__version__ != MARIMO_VERSION:
        raise BuildError("setup", f"marimo {marimo.__version__} is installed, the site is pinned to "
                                  f"{MARIMO_VERSION}: pip install marimo=={MARIMO_VERSION}")
    for need, hint in [(CHROMIUM, "apt-get install -y chromium (or set CHROMIUM)"),
                       ("npm", "apt-get install -y npm"), ("uv", "pip install uv")]:
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
    try:
        for lab in labs:
            _where.update(step="export", lab=lab.stem)
            staged = stage_lab(lab, wheel, stage)
            text = staged.read_bytes()
            wheel_key = wheel.parent.name if b"./wheels/" in text else "no wheel"
            key = hashlib.sha256(text + f"{wheel_key} {RUNTIME_KEY} {MARIMO_VERSION}".encode()).hexdigest()
            html_file = out / lab.name.replace(".py", ".html")
            if manifest.get(lab.name) == key and html_file.exists():
                log(f"[lab] {lab.name} up to date")
                continue
            t0 = time.monotonic()
            export_lab(staged, out, runtime_url, npm_lock)
            check_imports(lab, out)
            manifest[lab.name] = key
            manifest_path.write_text(json.dumps(manifest, indent=1))
            log(f"[lab] {lab.name} exported in {time.monotonic() - t0:.1f} s")
    finally:
        server.shutdown()
        server.server_close()
    manifest_path.write_text(json.dumps(manifest, indent=1))
    _where.update(step="index", lab="-")
    write_index(out, labs)
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
