r"""A result's ``explain()`` (Markdown with LaTeX maths) as plain text for a terminal.

The command line (`mlsysim_core.cli`) prints explanations where no Markdown or LaTeX renderer
runs, so ``$\frac{a}{b}$`` is printed as ``a / b``, ``\times`` as ``×``, and ``$``, ``**`` and
``&nbsp;`` are dropped. Only `re` is imported, so this adds nothing to the command line's start-up.
"""
from __future__ import annotations

import re

__all__ = ["terminal_math", "render"]

_SYMBOLS = {
    "times": " × ", "cdot": " · ", "le": " ≤ ", "leq": " ≤ ", "ge": " ≥ ", "geq": " ≥ ",
    "approx": " ≈ ", "ne": " ≠ ", "neq": " ≠ ", "to": " → ", "rightarrow": " → ", "infty": "∞", "sum": "Σ", "prod": "Π",
    "pm": "±", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊", "rfloor": "⌋", "mid": "|", "partial": "∂",
    "left": "", "right": "", "big": "", "Big": "", "quad": "  ", "qquad": "    ", "displaystyle": "",
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "%": "%", "_": "_", "{": "{", "}": "}",
    "$": "$", "&": "&", "#": "#", "\\": " ",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
    "varepsilon": "ε", "eta": "η", "theta": "θ", "lambda": "λ", "Lambda": "Λ", "mu": "μ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "Sigma": "Σ", "tau": "τ", "phi": "φ", "varphi": "φ", "omega": "ω",
    "Omega": "Ω", "nu": "ν", "kappa": "κ", "chi": "χ", "psi": "ψ", "xi": "ξ", "zeta": "ζ",
}
_TEXT = {"text", "mathrm", "textrm", "mathit", "mathbf", "textbf", "textit", "operatorname", "mathsf",
         "boldsymbol", "mathcal", "mbox"}
_CMD = re.compile(r"\\([A-Za-z]+|.)")
_SIMPLE = re.compile(r"^[\w.·^√⁰-⁹]+$")


def _group(s: str, i: int) -> tuple[str, int]:
    """The next argument of a command: a {braced group} or a single token."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] == "{":
        depth, j = 0, i
        while j < len(s):
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            if depth == 0:
                return s[i + 1:j], j + 1
            j += 1
        return s[i + 1:], len(s)
    m = _CMD.match(s, i) if s[i] == "\\" else None
    return (m.group(0), m.end()) if m else (s[i], i + 1)


def _wrap(x: str) -> str:
    return x if _SIMPLE.match(x) else f"({x})"


def terminal_math(tex: str) -> str:
    """LaTeX as plain text: ``\\frac{a}{b}`` -> ``a / b``, ``\\times`` -> ``×``, ``\\text{X}`` -> X."""
    out, i = [], 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            m = _CMD.match(tex, i)
            name, i = m.group(1), m.end()
            if name in ("frac", "dfrac", "tfrac"):
                num, i = _group(tex, i)
                den, i = _group(tex, i)
                # sentinels mark the fraction so a juxtaposed factor gets an explicit "·" below
                out.append(f"\x01{_wrap(terminal_math(num).strip())} / {_wrap(terminal_math(den).strip())}\x02")
            elif name in _TEXT:
                arg, i = _group(tex, i)
                out.append(arg.replace("\\", ""))
            elif name == "sqrt":
                arg, i = _group(tex, i)
                out.append("√" + _wrap(terminal_math(arg).strip()))
            else:
                out.append(_SYMBOLS.get(name, name))
        elif c in "^_" and tex[i + 1:i + 2] == "{":
            arg, i = _group(tex, i + 1)    # e^{-T/M} -> e^(-T/M); T_{step} -> T_step
            out.append(c + _wrap(terminal_math(arg).strip()))
        elif c in "{}":
            i += 1
        elif c == "~":
            out.append(" ")
            i += 1
        else:
            out.append(c)
            i += 1
    text = "".join(out)
    text = re.sub(r"\x02\s*(?=[\w(\x01√])", " · ", text)
    text = re.sub(r"(?<=[\w)])\s*\x01", " · ", text)
    return re.sub(r" {2,}", " ", text.replace("\x01", "").replace("\x02", ""))


_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.S)


def render(markdown: str) -> str:
    """A result's ``explain()`` (Markdown + LaTeX) for a terminal: no $, no &nbsp;, no **."""
    text = _MATH.sub(lambda m: terminal_math(m.group(1)), markdown)
    text = text.replace("\\$", "$").replace("&nbsp;", " ")
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(\S.*?)\*(?![\w*])", r"\1", text)
    return "\n".join(line.rstrip() for line in text.splitlines())
