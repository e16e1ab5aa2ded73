"""The interface the manager implements for stoppers and connection
checkers (ruby-subset.md §9.5–§9.7). The config layer wraps these objects as
`Milter::Manager::ChildContext` / `ConnectionCheckContext` for Ruby.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from milter_manager.config.library.socket_address import SocketAddress


class ChildContextHost(Protocol):
    """One child milter within one session, at the current stage."""

    name: str

    def macro(self, name: str) -> str | None:
        """Macro NAME (without braces) as this child sees it now: all macros
        received so far, later stages overriding, plus values set here."""

    def set_macro(self, name: str, value: str | None) -> None:
        """Set (None: remove) macro NAME for this child at the current stage."""

    def status(self) -> str:
        """The child's current status nick (`accept`, `reject`, ...)."""

    def quitted(self) -> bool:
        """The child has finished (also true for a child never started)."""

    def children(self) -> Mapping[str, ChildContextHost]:
        """Every child of the session by name."""

    def n_processing_sessions(self) -> int:
        """Sessions the manager is processing now."""

    def mail_transaction_shelf(self) -> dict[str, Any]:
        """The session's shelf (§9.7): a dict of plain values (str keys;
        None/bool/int/float/str/`values.Symbol`/list/dict values) that the
        config layer deep-copies in and out."""


class ConnectionCheckHost(Protocol):
    """A session waiting on its children (config.md §8.2, manager.md §14)."""

    smtp_client_address: SocketAddress
    smtp_server_address: SocketAddress

    def macro(self, name: str) -> str | None:
        """Session macro NAME (without braces)."""
