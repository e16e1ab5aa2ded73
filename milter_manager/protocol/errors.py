"""The one exception type the codec raises."""

from __future__ import annotations

from typing import Any


class ProtocolError(Exception):
    """Bad bytes on the wire, or a value the protocol cannot express.

    The message names the command or reply (by its nick, protocol.md §2.1/§2.2)
    and the defect; where the spec quotes a message, it is that text exactly.

    `packets` holds the packets a `FrameReader.feed` call decoded *before* the
    bad frame, so a caller can still act on them (a `Q` followed by garbage in
    one read is still a quit).
    """

    def __init__(self, message: str, packets: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.packets: list[Any] = packets if packets is not None else []

    def __str__(self) -> str:
        return self.message


def show(data: bytes) -> str:
    """Bytes as readable text for an error message (never fails)."""
    return data.decode("utf-8", "backslashreplace")


def show_code(code: int) -> str:
    """A code or context byte for a message: the character, or \\xNN if unprintable."""
    return chr(code) if 0x20 < code < 0x7F else f"\\x{code:02x}"
