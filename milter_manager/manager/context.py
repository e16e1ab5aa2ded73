"""The session side of the stopper and checker contexts (ruby-subset.md §9.5,
§9.6): the manager implements the host protocols of
`milter_manager.config.library.host` (`ChildContextHost`,
`ConnectionCheckHost`), which the configuration layer wraps as
`Milter::Manager::ChildContext` / `ConnectionCheckContext` for Ruby.

They are read from a stopper's worker thread while the session waits for the
result, so they only read session state (`set_macro` writes the child's own
macro overrides, which the loop reads after the stopper has returned).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from milter_manager.protocol.macros import strip_braces

if TYPE_CHECKING:
    from .child import ChildMilter
    from .children import Children


def _key(name: Any) -> bytes:
    if isinstance(name, bytes):
        return strip_braces(name)
    return strip_braces(str(name).encode("utf-8", "surrogateescape"))


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", "surrogateescape")


class ChildContext:
    """`context` of a stopper: one child of one session, at the current stage."""

    __slots__ = ("_child", "stage")

    def __init__(self, child: ChildMilter) -> None:
        self._child = child
        self.stage = b"C"        # the command whose stoppers are running

    @property
    def name(self) -> str:
        return self._child.name

    def macro(self, name: str) -> str | None:
        """protocol.md §5: every macro received so far in the session, later
        stages overriding earlier ones, plus values set with `set_macro`."""
        key = _key(name)
        child = self._child
        value = child.macros_set.get(key)
        if value is None:
            value = child.children.leader.macros.lookup(key, self.stage)
        return _text(value)

    def set_macro(self, name: str, value: str | None) -> None:
        """Set (None: remove) a macro for this child; it is sent with the
        current command's macros."""
        key = _key(name)
        if value is None:
            self._child.macros_set.pop(key, None)
        else:
            self._child.macros_set[key] = str(value).encode("utf-8", "surrogateescape")

    def status(self) -> str:
        """The status of the child's last answer (its own verdict, also in
        evaluation mode), `not-change` before any."""
        return self._child.status.nick

    def quitted(self) -> bool:
        return self._child.quit

    def children(self) -> Mapping[str, ChildContext]:
        return self._child.children.contexts()

    def n_processing_sessions(self) -> int:
        return self._child.children.n_processing_sessions()

    def mail_transaction_shelf(self) -> dict[str, Any]:
        """ruby-subset.md §9.7: shared by the session's children during one
        mail transaction; emptied when it ends (end-of-message reply or abort)."""
        return self._child.children.shelf


class ConnectionCheckContext:
    """A session waiting on its children (manager.md §14)."""

    __slots__ = ("_children",)

    def __init__(self, children: Children) -> None:
        self._children = children

    @property
    def smtp_client_address(self) -> Any:
        """The SMTP client's address from the connect stage."""
        address = self._children.leader.client_address
        if address is None:
            from milter_manager.config.library.socket_address import Unknown
            return Unknown()
        return address

    @property
    def smtp_server_address(self) -> Any:
        """The MTA's end of its connection to the manager."""
        from .leader import peer_socket_address
        return peer_socket_address(self._children.leader.peer_address)

    def macro(self, name: str) -> str | None:
        return _text(self._children.leader.macros.lookup(_key(name), b"U"))
