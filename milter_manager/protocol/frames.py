"""Incremental framing (protocol.md §1): feed bytes, get whole decoded packets.

Sans-I/O: no sockets, no clock. Partial frames are kept across `feed` calls;
the size check runs as soon as the 4 length bytes are there, so a hostile
length never makes us buffer; after any error the reader is dead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .commands import COMMAND_DECODERS
from .errors import ProtocolError, show_code
from .replies import REPLY_DECODERS
from .wire import MAX_FRAME, U32

COMMANDS = "commands"  # MTA -> milter: what the milter role reads
REPLIES = "replies"  # milter -> MTA: what the MTA role reads
RAW = "raw"  # any code, undecoded: `Frame` objects


@dataclass(slots=True)
class Frame:
    """An undecoded frame (RAW readers): the code byte and the payload."""

    code: int
    payload: bytes

    def encode(self) -> bytes:
        return U32.pack(len(self.payload) + 1) + bytes((self.code,)) + self.payload


def _raw_decoders() -> dict[int, Callable[[bytes], Any]]:
    def decoder(code: int) -> Callable[[bytes], Frame]:
        return lambda payload: Frame(code, payload)
    return {code: decoder(code) for code in range(256)}


_DIRECTIONS: dict[str, tuple[dict[int, Callable[[bytes], Any]], str]] = {
    COMMANDS: (COMMAND_DECODERS, "unexpected command was received: "),  # type: ignore[dict-item]
    REPLIES: (REPLY_DECODERS, "unexpected reply was received: "),  # type: ignore[dict-item]
    RAW: (_raw_decoders(), ""),
}

_unpack_length = U32.unpack_from


class FrameReader:
    """Turns a byte stream into packets.

    ``FrameReader(COMMANDS)`` decodes what an MTA sends, ``FrameReader(REPLIES)``
    what a milter sends, ``FrameReader(RAW)`` only splits frames.
    """

    __slots__ = ("_decoders", "_error", "_max_frame", "_need", "_pending", "_unknown")

    def __init__(self, direction: str = COMMANDS, max_frame: int = MAX_FRAME) -> None:
        try:
            self._decoders, self._unknown = _DIRECTIONS[direction]
        except KeyError:
            raise ValueError(f"unknown direction: {direction!r}") from None
        self._max_frame = max_frame
        self._pending = bytearray()  # bytes of an incomplete frame
        self._need = 4  # bytes _pending must hold before it is worth parsing
        self._error: ProtocolError | None = None

    @property
    def pending(self) -> int:
        """Number of buffered bytes of an incomplete frame."""
        return len(self._pending)

    @property
    def dead(self) -> bool:
        return self._error is not None

    def feed(self, data: bytes | bytearray | memoryview) -> list[Any]:
        """Decode every whole frame now available; keep the rest for the next call.

        Raises ProtocolError on a bad frame; its `packets` are the packets decoded
        before it in this call. After that the reader is dead.
        """
        if self._error is not None:
            raise ProtocolError(f"decoder is stopped after an error: {self._error}")
        pending = self._pending
        if pending:
            pending += data
            if len(pending) < self._need:
                return []
            data = bytes(pending)
            pending.clear()
        elif type(data) is not bytes:
            data = bytes(data)
        size = len(data)
        if not size:
            return []

        decoders = self._decoders
        max_frame = self._max_frame
        packets: list[Any] = []
        append = packets.append
        position = 0
        try:
            while size - position >= 4:
                length = _unpack_length(data, position)[0]
                if length > max_frame:
                    # §1 [deviation] P1: checked before any payload is buffered.
                    raise ProtocolError(f"packet is too large: {length} bytes "
                                        f"(maximum {max_frame})")
                if not length:
                    raise ProtocolError("packet is empty")  # [deviation] P1
                end = position + 4 + length
                if end > size:
                    self._need = end - position
                    break
                decoder = decoders.get(data[position + 4])
                if decoder is None:
                    raise ProtocolError(self._unknown + show_code(data[position + 4]))
                append(decoder(data[position + 5:end]))
                position = end
            else:
                self._need = 4
        except ProtocolError as error:
            error.packets = packets
            self._die(error)
            raise
        if position < size:
            pending += data[position:] if position else data
        return packets

    def feed_eof(self) -> None:
        """The peer closed: fine between frames, an error inside one (§1)."""
        if self._error is not None:
            raise ProtocolError(f"decoder is stopped after an error: {self._error}")
        if self._pending:
            error = ProtocolError("stream is ended unexpectedly")
            self._die(error)
            raise error

    def _die(self, error: ProtocolError) -> None:
        self._error = error
        self._pending = bytearray()


def encode_all(packets: Iterable[Any]) -> bytes:
    """Several packets in one write (§1: e.g. `D` + the command it precedes)."""
    return b"".join(packet.encode() for packet in packets)


def _decode_one(direction: str, data: bytes) -> Any:
    reader = FrameReader(direction)
    packets = reader.feed(data)
    reader.feed_eof()
    if len(packets) != 1:
        raise ProtocolError(f"expected one frame but got {len(packets)}")
    return packets[0]


def decode_command_frame(data: bytes) -> Any:
    """Decode exactly one whole command frame (length prefix included)."""
    return _decode_one(COMMANDS, data)


def decode_reply_frame(data: bytes) -> Any:
    """Decode exactly one whole reply frame (length prefix included)."""
    return _decode_one(REPLIES, data)
