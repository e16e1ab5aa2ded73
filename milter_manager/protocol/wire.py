"""Low-level byte helpers shared by the command and reply codecs (protocol.md §1)."""

from __future__ import annotations

import struct

from .errors import ProtocolError

U32 = struct.Struct(">I")
U16 = struct.Struct(">H")
_HEADER = struct.Struct(">Ic")  # protocol.md §1: u32 length, then the code byte

#: protocol.md §1: L (code + payload) may not exceed 64 MiB.
MAX_FRAME = 67108864
#: protocol.md §2: largest payload of one `B` command or one `b` reply.
MILTER_CHUNK_SIZE = 65535


def frame(code: bytes, payload: bytes = b"") -> bytes:
    """One frame: length, code byte, payload."""
    return _HEADER.pack(len(payload) + 1, code) + payload


def strings(nick: str, payload: bytes, what: str) -> list[bytes]:
    """Split a payload made of `str\\0` items; the last item must be terminated."""
    if not payload or payload[-1] != 0:
        raise ProtocolError(f"{nick}: {what} is not NUL-terminated")
    return payload[:-1].split(b"\0")


def empty(nick: str, payload: bytes) -> None:
    """Commands and replies without payload must have exactly 0 bytes (§3, §4)."""
    if payload:
        raise ProtocolError(f"{nick}: payload must be empty but was {len(payload)} bytes")


def check_string(nick: str, what: str, value: bytes, *, allow_empty: bool = False) -> None:
    """Encoder-side check: a `str\\0` field may not hold a NUL (nor be empty)."""
    if b"\0" in value:
        raise ProtocolError(f"{nick}: {what} contains a NUL byte")
    if not value and not allow_empty:
        raise ProtocolError(f"{nick}: {what} is empty")
