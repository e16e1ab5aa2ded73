"""Reading the logs: only what a previous run left uncounted (tools.md §4.2,
§4.4 "Read positions").

[deviation] tools.md §4.4: upstream reads the whole log on every run. A named
file is read from the saved offset when it is the same file (device and
inode) and not shorter than that offset; otherwise from the start, where the
per-series `last_update` rule still prevents double counting.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from .lines import parse_line
from .series import Tally, count_line

MINUTE = 60


@dataclass
class Position:
    dev: int
    ino: int
    offset: int

    def to_json(self) -> dict[str, int]:
        return {"dev": self.dev, "ino": self.ino, "offset": self.offset}


class LineCounter:
    """Feeds statistics lines into a Tally; knows "now" and the open minute."""

    def __init__(self, tally: Tally, now: float, skip: dict[str, int | None]) -> None:
        self.tally = tally
        self.now = now
        self.open_minute = int(now // MINUTE) * MINUTE
        self.skip = skip

    def feed(self, line: bytes) -> bool:
        """Count one log line; False when its minute is still open (§4.2)."""
        statistics = parse_line(line, self.now)
        if statistics is None:
            return True
        if statistics.time >= self.open_minute:
            return False
        minute = int(statistics.time // MINUTE) * MINUTE
        events, milter = count_line(statistics.text)
        if events or milter is not None:
            self.tally.add(minute, events, milter, self.skip)
        return True


def read_stream(counter: LineCounter, stream: Iterable[bytes]) -> None:
    """Standard input: read whole, every line (a final one without `\\n` too)."""
    for line in stream:
        counter.feed(line)


def read_file(counter: LineCounter, stream: BinaryIO, previous: dict[str, int] | None
              ) -> Position:
    """A named log from its saved position; returns the position to save:
    the first line left uncounted because its minute was open, else the end
    of the last complete line (a final line without `\\n` is still being
    written)."""
    status = os.fstat(stream.fileno())
    offset = 0
    if previous is not None and previous.get("dev") == status.st_dev \
            and previous.get("ino") == status.st_ino \
            and status.st_size >= previous.get("offset", 0):
        offset = int(previous.get("offset", 0))
        stream.seek(offset)
    first_open: int | None = None
    for line in stream:
        if not line.endswith(b"\n"):
            break
        if not counter.feed(line) and first_open is None:
            first_open = offset
        offset += len(line)
    return Position(status.st_dev, status.st_ino, first_open if first_open is not None else offset)
