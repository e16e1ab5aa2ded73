"""Replies (milter -> MTA): typed packets, encoders and decoders (protocol.md §4, §11).

Strings stay `bytes`. Each class knows its frame code (`wire_code`) and its nick
(§2.2). Decoders take the payload after the code byte and raise only
`ProtocolError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from . import flags
from .commands import _OPTION, Negotiate
from .errors import ProtocolError, show_code
from .reply_code import ReplyCode, decode_reply_code
from .status import Status
from .wire import MILTER_CHUNK_SIZE, U32, check_string, empty, frame, strings

REPLY_NICKS: dict[bytes, str] = {
    b"O": "negotiate-reply", b"c": "continue", b"a": "accept", b"r": "reject",
    b"t": "temporary-failure", b"d": "discard", b"s": "skip", b"p": "progress",
    b"f": "connection-failure", b"4": "shutdown", b"y": "reply-code", b"h": "add-header",
    b"i": "insert-header", b"m": "change-header", b"e": "change-from",
    b"+": "add-recipient", b"2": "add-recipient-with-parameters",
    b"-": "delete-recipient", b"b": "replace-body", b"q": "quarantine",
}


@dataclass(slots=True)
class NegotiateReply(Negotiate):
    """`O` from the milter: its option and its macro requests (§4, §6.5)."""

    wire_code: ClassVar[bytes] = b"O"
    nick: ClassVar[str] = "negotiate-reply"


@dataclass(slots=True)
class Continue:
    wire_code: ClassVar[bytes] = b"c"
    nick: ClassVar[str] = "continue"

    def encode(self) -> bytes:
        return _CONTINUE


@dataclass(slots=True)
class Accept:
    wire_code: ClassVar[bytes] = b"a"
    nick: ClassVar[str] = "accept"

    def encode(self) -> bytes:
        return _ACCEPT


@dataclass(slots=True)
class Reject:
    wire_code: ClassVar[bytes] = b"r"
    nick: ClassVar[str] = "reject"

    def encode(self) -> bytes:
        return _REJECT


@dataclass(slots=True)
class TemporaryFailure:
    wire_code: ClassVar[bytes] = b"t"
    nick: ClassVar[str] = "temporary-failure"

    def encode(self) -> bytes:
        return _TEMPORARY_FAILURE


@dataclass(slots=True)
class Discard:
    wire_code: ClassVar[bytes] = b"d"
    nick: ClassVar[str] = "discard"

    def encode(self) -> bytes:
        return _DISCARD


@dataclass(slots=True)
class Skip:
    wire_code: ClassVar[bytes] = b"s"
    nick: ClassVar[str] = "skip"

    def encode(self) -> bytes:
        return _SKIP


@dataclass(slots=True)
class Progress:
    wire_code: ClassVar[bytes] = b"p"
    nick: ClassVar[str] = "progress"

    def encode(self) -> bytes:
        return _PROGRESS


@dataclass(slots=True)
class ConnectionFailure:
    wire_code: ClassVar[bytes] = b"f"
    nick: ClassVar[str] = "connection-failure"

    def encode(self) -> bytes:
        return _CONNECTION_FAILURE


@dataclass(slots=True)
class Shutdown:
    wire_code: ClassVar[bytes] = b"4"
    nick: ClassVar[str] = "shutdown"

    def encode(self) -> bytes:
        return _SHUTDOWN


_CONTINUE, _ACCEPT, _REJECT = frame(b"c"), frame(b"a"), frame(b"r")
_TEMPORARY_FAILURE, _DISCARD, _SKIP = frame(b"t"), frame(b"d"), frame(b"s")
_PROGRESS, _CONNECTION_FAILURE, _SHUTDOWN = frame(b"p"), frame(b"f"), frame(b"4")


def _name_value(name: bytes, value: bytes, nick: str) -> bytes:
    check_string(nick, "name", name)
    check_string(nick, "value", value, allow_empty=True)
    return b"".join((name, b"\0", value, b"\0"))


def _index(index: int, nick: str) -> bytes:
    if not 0 <= index <= 0xFFFFFFFF:
        raise ProtocolError(f"{nick}: index out of range: {index}")
    return U32.pack(index)


@dataclass(slots=True)
class AddHeader:
    wire_code: ClassVar[bytes] = b"h"
    nick: ClassVar[str] = "add-header"
    name: bytes
    value: bytes

    def encode(self) -> bytes:
        return frame(b"h", _name_value(self.name, self.value, "add-header"))


@dataclass(slots=True)
class InsertHeader:
    wire_code: ClassVar[bytes] = b"i"
    nick: ClassVar[str] = "insert-header"
    index: int
    name: bytes
    value: bytes

    def encode(self) -> bytes:
        return frame(b"i", _index(self.index, "insert-header")
                     + _name_value(self.name, self.value, "insert-header"))


@dataclass(slots=True)
class ChangeHeader:
    """`m`: change the index-th header of that name; an empty value deletes it (§4)."""

    wire_code: ClassVar[bytes] = b"m"
    index: int
    name: bytes
    value: bytes = b""

    @property
    def nick(self) -> str:
        return "change-header" if self.value else "delete-header"

    def encode(self) -> bytes:
        return frame(b"m", _index(self.index, self.nick)
                     + _name_value(self.name, self.value, self.nick))


def _address_params(code: bytes, nick: str, address: bytes, params: bytes) -> bytes:
    check_string(nick, "address", address)
    if not params:  # §4: params are written only when non-empty
        return frame(code, address + b"\0")
    check_string(nick, "parameters", params)
    return frame(code, b"".join((address, b"\0", params, b"\0")))


@dataclass(slots=True)
class ChangeFrom:
    wire_code: ClassVar[bytes] = b"e"
    nick: ClassVar[str] = "change-from"
    sender: bytes
    params: bytes = b""

    def encode(self) -> bytes:
        return _address_params(b"e", "change-from", self.sender, self.params)


@dataclass(slots=True)
class AddRecipient:
    """`+`, or `2` when there are parameters (§4 encoder rule)."""

    rcpt: bytes
    params: bytes = b""

    @property
    def wire_code(self) -> bytes:  # type: ignore[override]
        return b"2" if self.params else b"+"

    @property
    def nick(self) -> str:
        return "add-recipient-with-parameters" if self.params else "add-recipient"

    def encode(self) -> bytes:
        return _address_params(self.wire_code, self.nick, self.rcpt, self.params)


@dataclass(slots=True)
class DeleteRecipient:
    wire_code: ClassVar[bytes] = b"-"
    nick: ClassVar[str] = "delete-recipient"
    rcpt: bytes

    def encode(self) -> bytes:
        check_string("delete-recipient", "recipient", self.rcpt)
        return frame(b"-", self.rcpt + b"\0")


@dataclass(slots=True)
class ReplaceBody:
    """`b`: a piece of the new body. Encodes as many frames as needed, each ≤ 65535 bytes (§4)."""

    wire_code: ClassVar[bytes] = b"b"
    nick: ClassVar[str] = "replace-body"
    chunk: bytes

    def encode(self) -> bytes:
        chunk = self.chunk
        if len(chunk) <= MILTER_CHUNK_SIZE:
            return frame(b"b", chunk)
        return b"".join(frame(b"b", piece) for piece in split_chunk(chunk))


@dataclass(slots=True)
class Quarantine:
    wire_code: ClassVar[bytes] = b"q"
    nick: ClassVar[str] = "quarantine"
    reason: bytes

    def encode(self) -> bytes:
        check_string("quarantine", "reason", self.reason)
        return frame(b"q", self.reason + b"\0")


Reply = (NegotiateReply | Continue | Accept | Reject | TemporaryFailure | Discard | Skip
         | Progress | ConnectionFailure | Shutdown | ReplyCode | AddHeader | InsertHeader
         | ChangeHeader | ChangeFrom | AddRecipient | DeleteRecipient | ReplaceBody
         | Quarantine)

Modification = (AddHeader | InsertHeader | ChangeHeader | ChangeFrom | AddRecipient
                 | DeleteRecipient | ReplaceBody | Quarantine)


def split_chunk(data: bytes, size: int = MILTER_CHUNK_SIZE) -> Iterator[bytes]:
    """Cut data into pieces of at most `size` bytes; empty data gives one empty piece (§9)."""
    if not 1 <= size <= MILTER_CHUNK_SIZE:
        raise ProtocolError(f"chunk size must be 1..{MILTER_CHUNK_SIZE} but was {size}")
    if not data:
        yield b""
        return
    for start in range(0, len(data), size):
        yield data[start:start + size]


def replace_body_frames(body: bytes, chunk_size: int = MILTER_CHUNK_SIZE) -> list[ReplaceBody]:
    """The `b` replies for a replacement body, `chunk_size` bytes each (§9: manager.chunk_size)."""
    return [ReplaceBody(piece) for piece in split_chunk(body, chunk_size)]


# §11.2: the action bit of our own negotiate reply that each modification needs
# (quarantine and progress are not checked).
_REQUIRED_ACTION: dict[type, tuple[int, str | None]] = {
    AddHeader: (flags.ADD_HEADERS, None),
    InsertHeader: (flags.ADD_HEADERS, None),
    ChangeHeader: (flags.CHANGE_HEADERS, None),
    ChangeFrom: (flags.CHANGE_ENVELOPE_FROM, None),
    AddRecipient: (flags.ADD_ENVELOPE_RECIPIENT, "add-recipient"),
    DeleteRecipient: (flags.DELETE_ENVELOPE_RECIPIENT, None),
    ReplaceBody: (flags.CHANGE_BODY, None),
}


def action_error(reply: object, actions: int) -> str | None:
    """§11.2: the error to log when `actions` lacks the bit `reply` needs, else None.

    `OP can only be done with <FLAG> action flags: <ACTUAL>` (brackets literal).
    """
    entry = _REQUIRED_ACTION.get(type(reply))
    if entry is None or actions & entry[0]:
        return None
    bit, op = entry
    op = op or reply.nick  # type: ignore[attr-defined]
    return (f"{op} can only be done with <{flags.ACTION_NICKS[bit]}> action flags: "
            f"<{flags.format_actions(actions)}>")


#: §12: the status a reply stands for (`y` by its class, see ReplyCode.status).
REPLY_STATUS: dict[type, Status] = {
    Continue: Status.CONTINUE, Accept: Status.ACCEPT, Reject: Status.REJECT,
    TemporaryFailure: Status.TEMPORARY_FAILURE, Discard: Status.DISCARD, Skip: Status.SKIP,
    NegotiateReply: Status.CONTINUE,
}


def reply_status(reply: object) -> Status | None:
    """The §12 status of a verdict reply; None for replies that are not verdicts."""
    if type(reply) is ReplyCode:
        return reply.status
    return REPLY_STATUS.get(type(reply))


# ---------------------------------------------------------------------------
# Decoders (§4).

def _decode_negotiate_reply(payload: bytes) -> NegotiateReply:
    size = len(payload)
    if size < 12:
        raise ProtocolError(f"negotiate-reply: payload must be at least 12 bytes but was {size}")
    version, actions, steps = _OPTION.unpack_from(payload)
    requests = []
    position = 12
    while position < size:
        if size - position < 4:
            raise ProtocolError("negotiate-reply: macro stage is truncated")
        (stage,) = U32.unpack_from(payload, position)
        if stage > flags.STAGE_END_OF_HEADER:
            raise ProtocolError(f"unexpected macro stage was received: {stage:04x}")
        end = payload.find(b"\0", position + 4)
        if end < 0:
            raise ProtocolError(f"negotiate-reply: macro list of stage {stage} "
                                f"is not NUL-terminated")
        # [deviation] P6: an empty list is accepted (upstream fails the child).
        symbols = tuple(s for s in payload[position + 4:end].split(b" ") if s)
        requests.append((stage, symbols))
        position = end + 1
    return NegotiateReply(version, actions, steps, tuple(requests))


def _no_payload(cls: type, nick: str) -> Callable[[bytes], object]:
    instance = cls()  # no fields, so one shared instance is safe

    def decode(payload: bytes) -> object:
        if payload:
            empty(nick, payload)
        return instance
    return decode


def _name_value_payload(nick: str, payload: bytes) -> tuple[bytes, bytes]:
    parts = payload.split(b"\0")
    if len(parts) != 3 or parts[2]:
        raise ProtocolError(f"{nick}: payload must be name\\0value\\0 "
                            f"but has {payload.count(0)} NULs")
    if not parts[0]:
        raise ProtocolError(f"{nick}: name is empty")
    return parts[0], parts[1]


def _decode_add_header(payload: bytes) -> AddHeader:
    return AddHeader(*_name_value_payload("add-header", payload))


def _decode_indexed(cls: type, nick: str) -> Callable[[bytes], object]:
    def decode(payload: bytes) -> object:
        if len(payload) < 4:
            raise ProtocolError(f"{nick}: index is truncated")
        (index,) = U32.unpack_from(payload)
        return cls(index, *_name_value_payload(nick, payload[4:]))
    return decode


def _address_and_params(nick: str, what: str, payload: bytes) -> tuple[bytes, bytes]:
    parts = strings(nick, payload, what)
    if not parts[0]:
        raise ProtocolError(f"{nick}: {what} is empty")
    if len(parts) == 1:
        return parts[0], b""
    if len(parts) > 2:
        raise ProtocolError(f"{nick}: bytes after the parameters")
    if not parts[1]:
        raise ProtocolError(f"{nick}: parameters are empty")
    return parts[0], parts[1]


def _decode_change_from(payload: bytes) -> ChangeFrom:
    return ChangeFrom(*_address_and_params("change-from", "sender", payload))


def _decode_add_recipient_with_parameters(payload: bytes) -> AddRecipient:
    return AddRecipient(*_address_and_params("add-recipient-with-parameters", "recipient",
                                             payload))


def _single(nick: str, what: str, payload: bytes) -> bytes:
    if not payload or payload[-1] != 0:
        # [deviation] P14 for `+`: upstream accepts a missing NUL.
        raise ProtocolError(f"{nick}: {what} is not NUL-terminated")
    value = payload[:-1]
    if not value:
        raise ProtocolError(f"{nick}: {what} is empty")
    if b"\0" in value:
        raise ProtocolError(f"{nick}: bytes after the {what}")
    return value


def _decode_add_recipient(payload: bytes) -> AddRecipient:
    return AddRecipient(_single("add-recipient", "recipient", payload))


def _decode_delete_recipient(payload: bytes) -> DeleteRecipient:
    return DeleteRecipient(_single("delete-recipient", "recipient", payload))


def _decode_quarantine(payload: bytes) -> Quarantine:
    return Quarantine(_single("quarantine", "reason", payload))


#: code byte (int) -> payload decoder. `l` (set-symbol-list) is deliberately absent (§4).
REPLY_DECODERS: dict[int, Callable[[bytes], Reply]] = {
    ord("O"): _decode_negotiate_reply,
    ord("c"): _no_payload(Continue, "continue"),
    ord("a"): _no_payload(Accept, "accept"),
    ord("r"): _no_payload(Reject, "reject"),
    ord("t"): _no_payload(TemporaryFailure, "temporary-failure"),
    ord("d"): _no_payload(Discard, "discard"),
    ord("s"): _no_payload(Skip, "skip"),
    ord("p"): _no_payload(Progress, "progress"),
    ord("f"): _no_payload(ConnectionFailure, "connection-failure"),
    ord("4"): _no_payload(Shutdown, "shutdown"),
    ord("y"): decode_reply_code,
    ord("h"): _decode_add_header,
    ord("i"): _decode_indexed(InsertHeader, "insert-header"),
    ord("m"): _decode_indexed(ChangeHeader, "change-header"),
    ord("e"): _decode_change_from,
    ord("+"): _decode_add_recipient,
    ord("2"): _decode_add_recipient_with_parameters,
    ord("-"): _decode_delete_recipient,
    ord("b"): ReplaceBody,
    ord("q"): _decode_quarantine,
}


def decode_reply(code: int, payload: bytes) -> Reply:
    """Decode one reply from its code byte and payload (§4)."""
    decoder = REPLY_DECODERS.get(code)
    if decoder is None:
        raise ProtocolError(f"unexpected reply was received: {show_code(code)}")
    return decoder(payload)
