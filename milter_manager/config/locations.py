"""The location table: where each configuration value came from (config.md §12).

Keys are tuples rather than the documented strings so that a milter name
containing `]` or `.` cannot be confused with another key:

    ("security", "privilege_mode")            security.privilege_mode
    ("milter", NAME)                          milter[NAME]
    ("milter", NAME, ITEM)                    milter[NAME].ITEM
    ("milter", NAME, "applicable_condition", COND)
    ("applicable_condition", NAME)            applicable_condition[NAME]
    ("applicable_condition", NAME, "description")

A site is (file, line): the call site of the DSL method (§12).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple


class Site(NamedTuple):
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


Key = tuple[str, ...]


def key_text(key: Key) -> str:
    """The documented spelling of a key (for messages and debugging)."""
    if key[0] in ("milter", "applicable_condition"):
        text = f"{key[0]}[{key[1]}]"
        rest = key[2:]
        if len(rest) == 2:
            return f"{text}.{rest[0]}[{rest[1]}]"
        if rest:
            return f"{text}.{rest[0]}"
        return text
    return ".".join(key)


class LocationTable:
    def __init__(self) -> None:
        self._entries: dict[Key, Site] = {}

    def record(self, key: Key, site: Site | None) -> None:
        """Record SITE for KEY; a None site (no interpreted caller) resets it."""
        if site is None:
            self._entries.pop(key, None)
        else:
            self._entries[key] = site

    def reset(self, key: Key) -> None:
        self._entries.pop(key, None)

    def get(self, key: Key) -> Site | None:
        return self._entries.get(key)

    def remove_milter(self, name: str) -> None:
        """Drop `milter[NAME]` and every `milter[NAME].…` entry (§5)."""
        for key in [k for k in self._entries if k[0] == "milter" and k[1] == name]:
            del self._entries[key]

    def copy(self) -> LocationTable:
        table = LocationTable()
        table._entries = dict(self._entries)
        return table

    def __iter__(self) -> Iterator[tuple[Key, Site]]:
        return iter(self._entries.items())

    def __len__(self) -> int:
        return len(self._entries)
