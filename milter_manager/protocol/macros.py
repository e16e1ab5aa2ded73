"""Macro tables, cumulative lookup and the sorted `D` encoding (protocol.md §3.4, §5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .commands import MACRO_CONTEXTS, DefineMacro
from .errors import ProtocolError, show

#: §5: contexts cleared when a message ends (abort, end-of-message reply).
MESSAGE_CONTEXTS = b"MRTLNBE"


def strip_braces(name: bytes) -> bytes:
    """`{x}` -> `x`: one pair, only when both braces are there (§3, §5, §6.5)."""
    if len(name) > 2 and name[0] == 0x7B and name[-1] == 0x7D:
        return name[1:-1]
    return name


def _sort_key(item: tuple[bytes, bytes]) -> bytes:
    # §3.4: byte order of the key with one leading `{` ignored.
    # [deviation] P7: upstream sorts with the locale's collation.
    name = item[0]
    return name[1:] if name[:1] == b"{" else name


def define_macro(context: bytes, table: Mapping[bytes, bytes]) -> DefineMacro:
    """The `D` the MTA role writes (§3.4): keys sorted, empty keys dropped."""
    return DefineMacro(context, dict(sorted(((k, v) for k, v in table.items() if k),
                                            key=_sort_key)))


def filter_macros(table: Mapping[bytes, bytes],
                  requested: Iterable[bytes] | None) -> dict[bytes, bytes]:
    """The part of a context's table for a child's request (manager.md §4.3).

    `requested` None means "no request for this stage": the whole table.
    Names compare after removing one pair of braces on both sides.
    """
    if requested is None:
        return dict(table)
    wanted = {strip_braces(name) for name in requested}
    return {name: value for name, value in table.items() if strip_braces(name) in wanted}


class MacroContexts:
    """One side's macros: a table per context command (§5).

    A `D` replaces its context's table; message contexts are cleared at the end
    of a message; lookups are cumulative from `C` up to the current command.
    """

    __slots__ = ("_tables",)

    def __init__(self) -> None:
        self._tables: dict[bytes, dict[bytes, bytes]] = {}

    def define(self, context: bytes, table: Mapping[bytes, bytes]) -> None:
        """Replace the table of `context` (keys stored without braces)."""
        if len(context) != 1 or context not in MACRO_CONTEXTS:
            raise ProtocolError(f"unknown macro context: {show(context)}")
        self._tables[context] = {strip_braces(k): v for k, v in table.items()}

    def apply(self, packet: DefineMacro) -> None:
        self.define(packet.context, packet.macros)

    def table(self, context: bytes) -> dict[bytes, bytes]:
        """The context's own table (what a `D` for it carries, §5)."""
        return self._tables.get(context, {})

    def clear_message(self) -> None:
        """Forget the message-related contexts `M R T L N B E` (§5)."""
        for context in MESSAGE_CONTEXTS:
            self._tables.pop(bytes((context,)), None)

    def clear(self) -> None:
        self._tables.clear()

    def lookup(self, name: bytes, current: bytes) -> bytes | None:
        """The latest definition of `name` in contexts `C` … `current` (§5).

        Contexts are walked in the order `C H M R T L N B E U`; `{x}` falls back to `x`.
        """
        position = MACRO_CONTEXTS.find(current) if len(current) == 1 else -1
        if position < 0:
            raise ProtocolError(f"unknown macro context: {show(current)}")
        key = strip_braces(name)
        for index in range(position, -1, -1):
            table = self._tables.get(MACRO_CONTEXTS[index:index + 1])
            if table:
                value = table.get(name)
                if value is None:
                    value = table.get(key)
                if value is not None:
                    return value
        return None

    def visible(self, current: bytes) -> dict[bytes, bytes]:
        """Every macro visible at `current`: the cumulative view, later contexts winning."""
        position = MACRO_CONTEXTS.find(current) if len(current) == 1 else -1
        if position < 0:
            raise ProtocolError(f"unknown macro context: {show(current)}")
        merged: dict[bytes, bytes] = {}
        for index in range(position + 1):
            merged.update(self._tables.get(MACRO_CONTEXTS[index:index + 1], {}))
        return merged
