"""Where the labs are and how a lab subprocess runs (shared by conftest.py and test_labs.py)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABS_DIR = ROOT / "labs"
LAB_GLOB = "v[12]_[0-9][0-9]_*.py"   # the same glob build_wasm.py uses
LABS = sorted(LABS_DIR.glob(LAB_GLOB))

# a generous ceiling per subprocess; a lab should take a few seconds
SUBPROCESS_TIMEOUT_S = int(os.environ.get("LAB_TEST_TIMEOUT_S", "300"))


def lab_env() -> dict:
    """The environment a lab subprocess runs in: the checkout importable as ``mlsysim_core``
    (whether or not the package is installed), no colour codes, no browser, no user config."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("NO_COLOR", "1")
    env["MARIMO_SKIP_UPDATE_CHECK"] = "1"
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


def answer_unset_radios():
    """Make every ``mo.ui.radio`` created without a value start at its first option, so the cells
    a prediction gates run (as after a student's first answer); returns a function that undoes it."""
    import inspect

    from marimo._plugins.ui._impl import input as inp
    original = inp.radio.__init__
    sig = inspect.signature(original)

    def __init__(self, *args, **kwargs):
        bound = sig.bind(self, *args, **kwargs)
        bound.apply_defaults()
        options = bound.arguments["options"]
        keys = list(options.keys()) if isinstance(options, dict) else list(options)
        if keys and bound.arguments.get("value") is None:
            bound.arguments["value"] = keys[0]
        original(*bound.args, **bound.kwargs)

    inp.radio.__init__ = __init__

    def undo():
        inp.radio.__init__ = original
    return undo
