"""Lab test harness: every ``labs/NN_*.py`` is found and tested alike.

A new lab needs no test code: drop ``labs/v2_02_compute_infrastructure.py`` in place and ``pytest tests/labs`` runs
it as a script, lints it with ``marimo check``, replays it with its controls at their extremes
(``_variants.py``) and checks its anatomy against ``labs/README.md`` (``lab_anatomy.py``).
Run one lab's tests with ``pytest tests/labs -k v2_02``.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lab_harness import LABS  # noqa: E402


def pytest_generate_tests(metafunc):
    """Any test taking ``lab`` runs once per notebook, with the file stem as its id."""
    if "lab" in metafunc.fixturenames:
        metafunc.parametrize("lab", LABS, ids=[p.stem for p in LABS])
