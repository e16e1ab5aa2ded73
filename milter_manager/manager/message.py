"""What the manager records of the current message (manager.md §6.1).

The body is kept as the list of chunks the MTA sent (immutable `bytes`, so
handing out `memoryview` slices of them to several children's write buffers
copies nothing), spilled to an unlinked temporary file past 5 MiB.
"""

from __future__ import annotations

import bisect
import os
import tempfile

from milter_manager.protocol import Status

from .headers import Header

#: manager.md §6.1: bodies above this size go to a temporary file.
SPILL_SIZE = 5242880

# Stage kinds in the order of manager.md §6.1's `kinds` record.
HEADER, END_OF_HEADER, BODY, END_OF_MESSAGE = b"L", b"N", b"B", b"E"
MESSAGE_STAGES = (HEADER, END_OF_HEADER, BODY, END_OF_MESSAGE)


class BodyStore:
    """Append-only body with random reads; `replace_*` for children's `b`."""

    __slots__ = ("_chunks", "_file", "_offsets", "length")

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._offsets: list[int] = []   # start offset of each in-memory chunk
        self._file = None               # spilled storage (binary, unlinked)
        self.length = 0

    def append(self, data: bytes) -> None:
        if not data:
            return
        if self._file is None and self.length + len(data) > SPILL_SIZE:
            self._spill()
        if self._file is not None:
            os.pwrite(self._file.fileno(), data, self.length)
        else:
            self._offsets.append(self.length)
            self._chunks.append(data)
        self.length += len(data)

    def _spill(self) -> None:
        # Kept open for the message's lifetime; closed by clear().
        handle = tempfile.TemporaryFile(prefix="milter-manager-body-")  # noqa: SIM115
        offset = 0
        for chunk in self._chunks:
            os.pwrite(handle.fileno(), chunk, offset)
            offset += len(chunk)
        self._file = handle
        self._chunks = []
        self._offsets = []

    def read(self, offset: int, size: int) -> bytes | memoryview:
        """`size` bytes from `offset` (fewer at the end); a view when the
        range lies in one stored chunk, else a new bytes object."""
        end = min(self.length, offset + size)
        if end <= offset:
            return b""
        if self._file is not None:
            return os.pread(self._file.fileno(), end - offset, offset)
        i = bisect.bisect_right(self._offsets, offset) - 1
        start = self._offsets[i]
        chunk = self._chunks[i]
        if end <= start + len(chunk):
            if offset == start and end == start + len(chunk):
                return chunk
            return memoryview(chunk)[offset - start:end - start]
        parts = []
        position = offset
        while position < end:
            start = self._offsets[i]
            chunk = self._chunks[i]
            parts.append(memoryview(chunk)[position - start:min(end, start + len(chunk)) - start])
            position = start + len(chunk)
            i += 1
        return b"".join(parts)

    def clear(self) -> None:
        self._chunks = []
        self._offsets = []
        if self._file is not None:
            self._file.close()
            self._file = None
        self.length = 0

    close = clear


class Message:
    """The records of one message plus the message-stage merge state."""

    __slots__ = (
        "body", "body_replaced", "buckets", "chain", "change_from", "eom_chunk",
        "header_frames", "headers", "headers0", "kinds", "live_end", "live_start",
        "quarantine", "replacer",
    )

    def __init__(self) -> None:
        self.headers: list[Header] = []
        self.headers0: list[Header] | None = None
        # Encoded `L` frames by header record, for children that keep the
        # value as is (False) and that get one leading space less (True):
        # a record replayed to N children is encoded once.
        self.header_frames: tuple[dict[Header, bytes], dict[Header, bytes]] = ({}, {})
        self.kinds: list[bytes] = []
        self.body = BodyStore()
        self.eom_chunk = b""
        self.chain: list | None = None
        # manager.md §3: message-stage buckets, reset per message
        # ([deviation] M9: upstream never resets them within a session).
        self.buckets = dict.fromkeys(MESSAGE_STAGES, Status.NOT_CHANGE)
        self.body_replaced = False
        self.replacer = None          # the child whose `b` frames are being collected
        self.change_from: tuple[bytes, bytes] | None = None
        self.quarantine: bytes | None = None
        # The MTA body chunk being processed: [live_start, live_end).
        self.live_start = -1
        self.live_end = -1

    def add_kind(self, kind: bytes) -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)

    def close(self) -> None:
        self.body.close()
