"""``python -m mlsysim_core ...``: the same command line as ``mlsysim-core``."""
from .cli import main

raise SystemExit(main())
