"""Solvers: each composes formulas from ``mlsysim_core.formulas`` into one result."""
