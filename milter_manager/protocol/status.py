"""Status values and the fold order used to merge verdicts (protocol.md §12)."""

from __future__ import annotations

import enum

from .errors import ProtocolError


class Status(enum.Enum):
    """Status nicks in upstream's enum order (protocol.md §12)."""

    DEFAULT = 0
    NOT_CHANGE = 1
    CONTINUE = 2
    REJECT = 3
    DISCARD = 4
    ACCEPT = 5
    TEMPORARY_FAILURE = 6
    NO_REPLY = 7
    SKIP = 8
    ALL_OPTIONS = 9
    PROGRESS = 10
    ABORT = 11
    QUARANTINE = 12
    STOP = 13
    ERROR = 14

    @property
    def nick(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def is_pass(self) -> bool:
        """`default`, `not-change` and `continue` let the message go on (§12)."""
        return self in _PASS

    @classmethod
    def from_nick(cls, nick: str) -> Status:
        try:
            return _BY_NICK[nick]
        except KeyError:
            raise ProtocolError(f"unknown status: <{nick}>") from None

    def __str__(self) -> str:
        return self.nick


_BY_NICK = {status.nick: status for status in Status}
_PASS = frozenset((Status.DEFAULT, Status.NOT_CHANGE, Status.CONTINUE))

# §12: discard > reject > temporary-failure > continue > skip > accept > all others.
_RANK = {status: 0 for status in Status}
_RANK.update({
    Status.ACCEPT: 1,
    Status.SKIP: 2,
    Status.CONTINUE: 3,
    Status.TEMPORARY_FAILURE: 4,
    Status.REJECT: 5,
    Status.DISCARD: 6,
})


def fold_status(current: Status, verdict: Status) -> Status:
    """Merge a verdict into the current one: it replaces it only if it ranks higher (§12)."""
    return verdict if _RANK[verdict] > _RANK[current] else current


def status_rank(status: Status) -> int:
    """Position in the fold order; higher wins (§12)."""
    return _RANK[status]
