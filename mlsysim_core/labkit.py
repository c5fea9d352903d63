"""Small helpers the marimo labs share (not used by the engine; marimo is imported on use).

Lab notebooks cannot import sibling files once exported to WebAssembly, so what every lab
repeats lives here, inside the wheel they all install.
"""
from __future__ import annotations

DEFAULT_HINT = "Open *Show the work* above and redo one step."


def check_answer(answer, truth, unit, tolerance=0.03, hint=DEFAULT_HINT):
    """A callout: is the student's ``answer`` within ``tolerance`` (relative) of the engine's ``truth``?"""
    import marimo as mo

    if answer is None:
        return mo.md("_Type your answer in the box above._")
    if abs(answer - truth) <= tolerance * max(abs(truth), 1e-12):
        return mo.callout(mo.md(f"**Correct.** The engine gives **{truth:,.4g} {unit}**."), kind="success")
    return mo.callout(mo.md(f"**Not yet:** {answer:,g} {unit} is more than {tolerance:.0%} away from the "
                            f"engine's answer. {hint}"), kind="warn")
