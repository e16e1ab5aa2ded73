"""The Python side of the stopper `context` (ruby-subset.md §9.5, §9.6).

The configuration layer exposes these objects to Ruby as
`Milter::Manager::ChildContext` / `ConnectionCheckContext`; the method names
here follow the Ruby ones (`reject?` → `is_reject()`, `[]` → `get`, `[]=` →
`set`). They are read from a stopper's worker thread while the session waits
for the result, so they only read session state (and `set` writes the
child's own macro overrides, which the loop reads after the stopper returned).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from milter_manager.protocol import Status
from milter_manager.protocol.macros import strip_braces

if TYPE_CHECKING:
    from .child import ChildMilter
    from .children import Children

_POSTFIX = re.compile(rb"\bPostfix\b", re.IGNORECASE)


def _key(name: Any) -> bytes:
    if isinstance(name, bytes):
        return strip_braces(name)
    return strip_braces(str(name).encode("utf-8", "surrogateescape"))


class ChildContext:
    """`context` of a stopper: one child of one session."""

    __slots__ = ("_child", "stage")

    def __init__(self, child: ChildMilter) -> None:
        self._child = child
        self.stage = b"C"        # the command whose stoppers are running

    @property
    def name(self) -> str:
        return self._child.name

    # -- macros (protocol.md §5: cumulative up to the current stage) --------
    def get(self, name: Any) -> bytes | None:
        """`context[name]`: braces optional; values set with `set` win."""
        key = _key(name)
        child = self._child
        value = child.macros_set.get(key)
        if value is not None:
            return value
        return child.children.leader.macros.lookup(key, self.stage)

    def set(self, name: Any, value: Any) -> Any:
        """`context[name] = value`: sent to this child with the current
        command's macros; None removes it."""
        key = _key(name)
        if value is None:
            self._child.macros_set.pop(key, None)
        else:
            text = value if isinstance(value, bytes) else str(value).encode(
                "utf-8", "surrogateescape")
            self._child.macros_set[key] = text
        return value

    # -- status ---------------------------------------------------------------
    @property
    def status(self) -> Status:
        return self._child.status

    def is_reject(self) -> bool:
        return self._child.status is Status.REJECT

    def is_temporary_failure(self) -> bool:
        return self._child.status is Status.TEMPORARY_FAILURE

    def is_accept(self) -> bool:
        return self._child.status is Status.ACCEPT

    def is_discard(self) -> bool:
        return self._child.status is Status.DISCARD

    def is_quitted(self) -> bool:
        return self._child.quit

    # -- session ----------------------------------------------------------------
    @property
    def children(self) -> dict[str, ChildContext]:
        """Every child of the session by milter name."""
        return self._child.children.contexts()

    @property
    def n_processing_sessions(self) -> int:
        return self._child.children.n_processing_sessions()

    def is_postfix(self) -> bool:
        value = self.get(b"v")
        return value is not None and _POSTFIX.search(value) is not None

    def is_authenticated(self) -> bool:
        return self.get(b"auth_type") is not None or self.get(b"auth_authen") is not None

    @property
    def mail_transaction_shelf(self) -> dict[str, Any]:
        """ruby-subset.md §9.7: shared by the session's children; cleared
        when a mail transaction ends (end-of-message reply or abort)."""
        return self._child.children.shelf


class ConnectionCheckContext:
    """`context` of a connection checker (ruby-subset.md §9.6)."""

    __slots__ = ("_children",)

    def __init__(self, children: Children) -> None:
        self._children = children

    @property
    def smtp_client_address(self) -> Any:
        """The SMTP client's address from the connect stage: (family, port, address)."""
        return self._children.leader.client_address

    @property
    def smtp_server_address(self) -> Any:
        """The MTA's side of its connection to the manager (peer socket address)."""
        return self._children.leader.peer_address

    def get(self, name: Any) -> bytes | None:
        return self._children.leader.macros.lookup(_key(name), b"U")

    @property
    def smtp_server_name(self) -> bytes | None:
        return self.get(b"v")
