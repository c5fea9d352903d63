"""Registries: attribute access (flat and grouped), iteration and dropdown options.

``Hardware.H100`` and ``Hardware.Cloud.H100`` are the same object; ``list(Hardware.Edge)``
gives that tier's devices; ``Hardware.options()`` maps display names to specs for a dropdown.
Data files are read on first use, so importing the package costs nothing.
"""
from __future__ import annotations

import difflib
from typing import Callable, Iterator


class Registry:
    def __init__(self, title: str, build: Callable[[], tuple[dict, dict, dict]]):
        self._title = title
        self._build = build
        self._entries: dict | None = None   # key -> spec, file order
        self._groups: dict = {}             # group name -> Registry
        self._aliases: dict = {}            # alias -> key

    def _load(self) -> dict:
        if self._entries is None:
            self._entries, self._groups, self._aliases = self._build()
        return self._entries

    def __setattr__(self, name, value):
        if not name.startswith("_"):      # Hardware.H100 = ... would change every later solve
            raise AttributeError(f"{self._title} is read-only; cannot set {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        raise AttributeError(f"{self._title} is read-only; cannot delete {name!r}")

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        entries = self._load()
        if name in entries:
            return entries[name]
        if name in self._groups:
            return self._groups[name]
        if name in self._aliases:
            return entries[self._aliases[name]]
        from ..errors import UnknownEntryError
        close = difflib.get_close_matches(name, list(entries) + list(self._groups) + list(self._aliases), 3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise UnknownEntryError(self._title, name, f"an entry of {self._title}: {hint}"
                                f"known: {', '.join(self.names())}")

    def get(self, key: str):
        """Entry by key, alias or display name; a clear KeyError-free SpecError otherwise."""
        from ..errors import SpecError
        entries = self._load()
        if not isinstance(key, str):
            raise SpecError("key", key, f"an entry name of {self._title} (a str), one of " + ", ".join(self.names()))
        if key in entries:
            return entries[key]
        if key in self._aliases:
            return entries[self._aliases[key]]
        for v in entries.values():
            if getattr(v, "name", None) == key:
                return v
        raise SpecError("key", key, f"an entry of {self._title}, one of " + ", ".join(self.names()))

    __getitem__ = get

    def __iter__(self) -> Iterator:
        return iter(self._load().values())

    def __len__(self) -> int:
        return len(self._load())

    def __contains__(self, item) -> bool:
        entries = self._load()
        if isinstance(item, str):
            return item in entries or item in self._aliases
        return any(item is v for v in entries.values())

    def __dir__(self):
        entries = self._load()
        return sorted(set(entries) | set(self._groups) | set(self._aliases))

    def names(self) -> list[str]:
        return list(self._load())

    def groups(self) -> list[str]:
        self._load()
        return list(self._groups)

    def options(self) -> dict:
        """Display name -> spec, in registry order (for ``mo.ui.dropdown(options=...)``)."""
        return {v.name: v for v in self}

    def __repr__(self) -> str:
        groups = f", groups: {', '.join(self.groups())}" if self.groups() else ""
        return f"<{self._title}: {len(self)} entries{groups}>"


def grouped(title: str, items: dict, group_of: Callable, aliases: dict | None = None) -> tuple:
    """(entries, groups, aliases) for a Registry whose groups are, e.g., tiers or families."""
    groups: dict = {}
    for key, item in items.items():
        groups.setdefault(group_of(item), {})[key] = item
    sub = {g: _static(f"{title}.{g}", d) for g, d in groups.items()}
    return items, sub, dict(aliases or {})


def _static(title: str, entries: dict) -> Registry:
    reg = Registry(title, lambda: (entries, {}, {}))
    reg._load()
    return reg


def union(title: str, parts: dict[str, Registry]) -> tuple:
    """A registry whose groups are other registries and whose flat names are all of theirs."""
    entries: dict = {}
    aliases: dict = {}
    for reg in parts.values():
        reg._load()
        for k, v in reg._entries.items():
            entries.setdefault(k, v)
        for a, k in reg._aliases.items():
            aliases.setdefault(a, k)
    return entries, dict(parts), aliases
