"""Build the offline reference docs: API reference (pdoc, from the docstrings), the README's
examples, the command line's help and "Differences from the reference implementation".

    python docs/build_docs.py site/docs        # or: from build_docs import build; build(path)

Writes into ``out_dir``:

    index.html          landing page linking the pages below
    examples.html       README.md (its examples and the two commands), rendered
    cli.html            `mlsysim-core --help` and every subcommand's help
    differences.html    docs/differences.md, rendered
    api/                pdoc's API reference of mlsysim_core (search index included)

Everything is local: no script, style sheet or font is fetched at view time (pdoc's math and
mermaid options, which load scripts from a CDN, stay off). build_wasm.py calls ``build`` to put the
docs under ``site/docs/``.
"""
from __future__ import annotations

import contextlib
import html
import io
import re
import shutil
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = Path(__file__).resolve().parent
# modules left out of the API reference: running __main__ would execute the command line
EXCLUDE = ("mlsysim_core.__main__",)

_STYLE = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;line-height:1.55;color:#1f2328}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;
font-size:.9em}pre{background:#f6f8fa;padding:.8rem;overflow-x:auto;border-radius:6px}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #d0d7de;padding:.3rem .5rem;vertical-align:top}
nav{margin-bottom:1.5rem}nav a{margin-right:1rem}"""

_PAGES = [("index.html", "mlsysim_core docs"), ("examples.html", "Examples (README)"),
          ("cli.html", "Command line"), ("differences.html", "Differences from the reference"),
          ("api/mlsysim_core.html", "API reference")]


def _page(title: str, body: str, depth: int = 0) -> str:
    up = "../" * depth
    nav = " ".join(f'<a href="{up}{href}">{html.escape(label)}</a>' for href, label in _PAGES)
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n"
            f"<body><nav>{nav}</nav>\n{body}\n</body></html>\n")


def _markdown(text: str, known: dict[str, str]) -> str:
    """Markdown to HTML with pdoc's bundled markdown2; relative links to pages we publish are
    rewritten to them, other relative links (repository files) become plain code spans."""
    from pdoc.render_helpers import markdown2

    def link(m):
        label, target = m.group(1), m.group(2)
        if re.match(r"[a-z]+:|#", target):
            return m.group(0)
        page = known.get(target.split("#")[0])
        return f"[{label}]({page})" if page else f"{label} (`{target}`)"

    text = re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", link, text)
    return markdown2.markdown(text, extras=["fenced-code-blocks", "tables", "header-ids", "code-friendly"])


def _cli_help() -> str:
    sys.path.insert(0, str(ROOT))
    from mlsysim_core.cli import parser
    top = parser()
    blocks = []
    names = [a for a in top._subparsers._group_actions[0].choices]   # argparse keeps subparsers here
    for argv in [["--help"]] + [[n, "--help"] for n in names]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
            parser().parse_args(argv)
        title = "mlsysim-core" if len(argv) == 1 else f"mlsysim-core {argv[0]}"
        blocks.append(f'<h2 id="{argv[0].strip("-")}">{html.escape(title)}</h2>\n'
                      f"<pre>{html.escape(buf.getvalue())}</pre>")
    intro = ("<h1>Command line</h1><p>Installed as <code>mlsysim-core</code> (and "
             "<code>python -m mlsysim_core</code>). Human-readable output by default; "
             "<code>--json</code> for one JSON object of the result's fields in SI base units; "
             "bad input prints <code>error: ...</code> and exits with status 2.</p>")
    return intro + "\n".join(blocks)


def _api(out: Path) -> None:
    import pdoc
    import pdoc.render
    sys.path.insert(0, str(ROOT))
    pdoc.render.configure(docformat="markdown", math=False, mermaid=False, search=True,
                          show_source=False, footer_text="mlsysim_core API reference (offline)")
    with warnings.catch_warnings():   # a module named twice (in __all__ and as a spec) is documented once
        warnings.filterwarnings("ignore", message="The module specification", category=UserWarning)
        pdoc.pdoc(*modules(), output_directory=out)
    _unlink_maths(out)


def modules() -> list[str]:
    """Every package and module (a package's ``__all__`` hides its submodules from pdoc, so each is
    named; pdoc documents a module named twice once), without private ones and EXCLUDE."""
    import pkgutil
    sys.path.insert(0, str(ROOT))
    import mlsysim_core
    return ["mlsysim_core"] + [m.name for m in pkgutil.walk_packages(mlsysim_core.__path__, "mlsysim_core.")
                               if m.name not in EXCLUDE
                               and not any(part.startswith("_") for part in m.name.split("."))]


_ANCHOR = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


def _unlink_maths(out: Path) -> int:
    """Markdown reads docstring maths such as ``E[S](1/(1 - s))`` as a link; unwrap anchors whose
    relative target has spaces or brackets and names no file (real broken links are left alone,
    for the link check to catch). Returns how many were unwrapped."""
    count = 0
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")

        def fix(m):
            nonlocal count
            target = m.group(1)
            if re.match(r"[a-z]+:|#|//", target) or not re.search(r"[\s(){}]", target):
                return m.group(0)
            if (page.parent / target.split("#")[0]).exists():
                return m.group(0)
            count += 1
            return f"{m.group(2)}({html.escape(target)})"

        new = _ANCHOR.sub(fix, text)
        if new != text:
            page.write_text(new, encoding="utf-8")
    return count


def build(out_dir: Path) -> None:
    """Write the offline docs into ``out_dir`` (created; an older build there is replaced)."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    (out_dir / "api").mkdir(parents=True)
    _api(out_dir / "api")
    known = {"docs/differences.md": "differences.html", "differences.md": "differences.html",
             "README.md": "examples.html"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (out_dir / "examples.html").write_text(_page("Examples", _markdown(readme, known)), encoding="utf-8")
    diff = (DOCS / "differences.md").read_text(encoding="utf-8")
    (out_dir / "differences.html").write_text(
        _page("Differences from the reference implementation", _markdown(diff, known)), encoding="utf-8")
    (out_dir / "cli.html").write_text(_page("Command line", _cli_help()), encoding="utf-8")
    items = "\n".join(f'<li><a href="{href}">{html.escape(label)}</a></li>' for href, label in _PAGES[1:])
    body = ("<h1>mlsysim_core documentation</h1><p>A first-principles analytical engine for machine "
            "learning systems. These pages work offline.</p>"
            f"<ul>{items}</ul>")
    (out_dir / "index.html").write_text(_page("mlsysim_core docs", body), encoding="utf-8")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "site" / "docs"))
    print("docs written")
