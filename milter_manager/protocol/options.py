"""Option negotiation: capping, a child's effective option, the merged reply (protocol.md §6)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .errors import ProtocolError
from .flags import YES_MASK
from .macros import strip_braces
from .replies import NegotiateReply

MAX_VERSION = 6  # §2: the manager caps the MTA's offered version at 6
MIN_VERSION = 2

MacroRequests = tuple[tuple[int, tuple[bytes, ...]], ...]


class HasOption(Protocol):
    version: int
    actions: int
    steps: int


@dataclass(frozen=True, slots=True)
class Option:
    """Version, actions and steps; what a negotiate carries without macro requests."""

    version: int
    actions: int
    steps: int

    @classmethod
    def of(cls, option: HasOption) -> Option:
        return cls(option.version, option.actions, option.steps)


def cap(option: HasOption) -> Option:
    """§6.1: the MTA's option with the version capped at 6, every bit unchanged."""
    return Option(min(option.version, MAX_VERSION), option.actions, option.steps)


def combine(offered: HasOption, reply: HasOption) -> Option:
    """§6.2: a child's effective option from what it was offered and what it answered."""
    if reply.version > offered.version:
        raise ProtocolError(f"unsupported newer version is requested: "
                            f"{offered.version} < {reply.version}")
    return Option(reply.version, offered.actions & reply.actions, offered.steps & reply.steps)


def merge_macro_requests(requests: Iterable[MacroRequests]) -> MacroRequests:
    """§6.5: per stage, the union of the children's symbols in first-seen order.

    Duplicates (equal after removing one pair of braces) are dropped; stages come
    out in ascending order ([deviation] P7: upstream uses hash-table order).
    A stage whose union is empty is left out: asking the MTA for no macros there
    would also starve the children that made no request for that stage.
    """
    merged: dict[int, list[bytes]] = {}
    seen: dict[int, set[bytes]] = {}
    for child in requests:
        for stage, symbols in child:
            names = merged.setdefault(stage, [])
            known = seen.setdefault(stage, set())
            for symbol in symbols:
                key = strip_braces(symbol)
                if key not in known:
                    known.add(key)
                    names.append(symbol)
    return tuple((stage, tuple(merged[stage])) for stage in sorted(merged) if merged[stage])


def requested_symbols(requests: MacroRequests, stage: int) -> tuple[bytes, ...] | None:
    """The symbols a child requested for `stage`, or None when it made no request there."""
    found: list[bytes] | None = None
    for entry_stage, symbols in requests:
        if entry_stage == stage:
            found = (found or []) + list(symbols)
    return None if found is None else tuple(found)


def negotiate_reply(mta: HasOption, children: Sequence[NegotiateReply]) -> NegotiateReply:
    """§6.3-§6.5: the `O` the manager answers the MTA with, from the negotiated children.

    version: the MTA's, capped at 6; actions: the MTA's OR every child's;
    steps: only YES bits the MTA offered and some child asked for. NO_EVENT bits are
    cleared, and so are NO_REPLY bits ([deviation] P5: upstream advertises them but
    still replies, which breaks its child chain). Unknown bits are never set.
    """
    actions = mta.actions
    requested_yes = 0
    for child in children:
        actions |= child.actions
        requested_yes |= child.steps & YES_MASK
    steps = (mta.steps & YES_MASK) & requested_yes
    requests = merge_macro_requests(child.macro_requests for child in children)
    return NegotiateReply(min(mta.version, MAX_VERSION), actions, steps, requests)
