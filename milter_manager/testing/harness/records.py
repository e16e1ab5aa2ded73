"""What a scenario test milter printed: records, counters and per-action data (scenarios.md §8.3).

The milter's stdout is a byte stream of `ready` and `receive: <signal>[: <info>]`
lines. `RecordSplitter` cuts it into records; `ClientRecords` keeps the counters
and the data of the current action for one client.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from milter_manager.protocol.flags import parse_actions, parse_steps

MARKER = b"receive: "
READY = b"ready"

#: A negotiate option as the harness compares it: (version, actions, steps).
Option = tuple[int, int, int]


class RecordSplitter:
    """Split a client's stdout into records (§8.3).

    The stream is split at every `receive: `; a leading `ready` line is the ready
    record. A record is complete when the next marker follows it, or when the
    data so far ends with a newline and nothing more is immediately available
    (`feed(..., at_rest=True)`). One trailing character (the newline) is removed
    from a complete record.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.ready = False
        self.garbage = bytearray()  # bytes that are neither `ready` nor a record

    def feed(self, data: bytes, *, at_rest: bool) -> list[bytes]:
        """Add data; return the records (text after `receive: `) now complete."""
        self.buffer += data
        records: list[bytes] = []
        buffer = self.buffer
        while buffer:
            start = buffer.find(MARKER)
            if start != 0:
                # Text before the next marker (normally the `ready` line); without
                # a marker it is complete only when it ends a line at rest.
                if start < 0:
                    if not (at_rest and buffer.endswith(b"\n")):
                        break
                    start = len(buffer)
                self._prefix(bytes(buffer[:start]))
                del buffer[:start]
                continue
            following = buffer.find(MARKER, len(MARKER))
            if following >= 0:
                records.append(bytes(buffer[len(MARKER):following - 1]))
                del buffer[:following]
                continue
            if at_rest and buffer.endswith(b"\n"):
                records.append(bytes(buffer[len(MARKER):-1]))
                buffer.clear()
            break
        return records

    def _prefix(self, data: bytes) -> None:
        """Text before a marker: the ready line, or something unexpected."""
        if not self.ready and data.startswith(READY):
            self.ready = True
            data = data[len(READY):]
            if data.startswith(b"\n"):
                data = data[1:]
        self.garbage += data


def split_record(record: bytes) -> tuple[str, bytes]:
    """`negotiate: 6 …` → ("negotiate", b"6 …"); `data` → ("data", b"")."""
    signal, separator, info = record.partition(b": ")
    return signal.decode("ascii", "replace"), info if separator else b""


def parse_option(info: bytes) -> Option:
    """`<version> <actions> <steps>` as the test milter prints a received option (§7.4)."""
    version, _, rest = info.partition(b" ")
    actions, _, steps = rest.partition(b" ")
    return (int(version), parse_actions(actions.decode("ascii")),
            parse_steps(steps.decode("ascii")))


@dataclass
class ClientRecords:
    """One client's counters and data for the current action (cleared after it)."""

    counts: Counter[str] = field(default_factory=Counter)
    n_records: int = 0
    option: Option | None = None
    macros: dict[str, list[tuple[bytes, bytes]]] = field(default_factory=dict)
    connect: tuple[bytes, bytes] | None = None
    helo: bytes | None = None
    envelope_from: bytes | None = None
    envelope_recipient: bytes | None = None
    header: tuple[bytes, bytes] | None = None
    body: bytes | None = None
    end_of_message: bytes | None = None
    unknown: bytes | None = None

    def add(self, record: bytes) -> None:
        """Count one record and keep its data (§8.3 table)."""
        signal, info = split_record(record)
        self.n_records += 1
        self.counts[signal] += 1
        if signal == "negotiate":
            self.option = parse_option(info)
        elif signal == "define-macro":
            context, *lines = info.split(b"\n")
            pairs = []
            for line in lines:
                name, _, value = line.partition(b": ")
                pairs.append((name, value))
            # A `D` replaces that context's table.
            self.macros[context.decode("ascii", "replace")] = pairs
        elif signal == "connect":
            host, _, address = info.partition(b" ")
            self.connect = (host, address.split(b" ")[0])
        elif signal == "helo":
            self.helo = info
        elif signal == "envelope-from":
            self.envelope_from = info
        elif signal == "envelope-recipient":
            self.envelope_recipient = info
        elif signal == "header":
            name, _, value = info.partition(b" ")
            self.header = (name, value.split(b"\n", 1)[0])
        elif signal == "body":
            self.body = (self.body or b"") + info
        elif signal == "end-of-message":
            self.end_of_message = info or None
        elif signal == "unknown":
            self.unknown = info
