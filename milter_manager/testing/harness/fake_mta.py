"""The fake MTA: one real TCP connection to the manager under test (scenarios.md §5.1, §5.4).

It writes the frames of each action with the project's codec and reads frames
until a final reply, recording what an MTA would apply: header list operations
(manager.md §7.2, implemented here independently of the manager so the two
check each other), recipient and sender changes, replaced bodies, quarantine,
progress and reply codes.
"""

from __future__ import annotations

import socket
import time
from collections import deque
from dataclasses import dataclass, field

from milter_manager.protocol import REPLIES, FrameReader, ProtocolError
from milter_manager.protocol.reply_code import ReplyCode, format_reply
from milter_manager.protocol.status import Status

#: §5.1: single-byte verdicts and the status each stands for.
_FINAL_STATUS = {
    b"c": Status.CONTINUE, b"a": Status.ACCEPT, b"r": Status.REJECT,
    b"t": Status.TEMPORARY_FAILURE, b"d": Status.DISCARD, b"s": Status.SKIP,
}
_MODIFICATIONS = frozenset("hime+2-bqp")
_HEADER_CHANGES = ("h", "i", "m")

Header = tuple[bytes, bytes]
Pair = tuple[bytes | None, bytes | None]


class WireFailure(Exception):
    """The manager's answer broke §5.1 (wrong frame, EOF, timeout)."""


# --- the MTA's header list (manager.md §7.2) -------------------------------------------

def add_header(headers: list[Header], name: bytes, value: bytes) -> None:
    """Before the first header of that name (ASCII case ignored), else appended."""
    lowered = name.lower()
    for index, (existing, _) in enumerate(headers):
        if existing.lower() == lowered:
            headers.insert(index, (name, value))
            return
    headers.append((name, value))


def insert_header(headers: list[Header], index: int, name: bytes, value: bytes) -> None:
    """At list position `index` (0-based); beyond the end appends."""
    headers.insert(min(index, len(headers)), (name, value))


def _position(headers: list[Header], name: bytes, rank: int) -> int | None:
    """The list position of the `rank`-th (1-based) header named exactly `name`."""
    seen = 0
    for index, (existing, _) in enumerate(headers):
        if existing == name:
            seen += 1
            if seen == rank:
                return index
    return None


def change_header(headers: list[Header], name: bytes, rank: int, value: bytes) -> None:
    """Set the value of the `rank`-th header of that exact name; absent → add-header."""
    index = _position(headers, name, rank)
    if index is None:
        add_header(headers, name, value)
    else:
        headers[index] = (name, value)


def delete_header(headers: list[Header], name: bytes, rank: int) -> None:
    """Remove the `rank`-th header of that exact name; nothing if absent."""
    index = _position(headers, name, rank)
    if index is not None:
        del headers[index]


# --- the records -------------------------------------------------------------------------

@dataclass
class MTARecords:
    """§5.4: what the MTA has received; never reset during one scenario."""

    headers: list[Header] = field(default_factory=list)
    quarantine_reasons: list[bytes] = field(default_factory=list)
    change_froms: list[Pair] = field(default_factory=list)
    add_recipients: list[Pair] = field(default_factory=list)
    delete_recipients: list[bytes] = field(default_factory=list)
    replace_bodies: list[bytes] = field(default_factory=list)
    n_progresses: int = 0
    reply_codes: list[bytes] = field(default_factory=list)
    #: §5.2 step 9: the first header change seen after a quarantine.
    header_change_after_quarantine: str | None = None

    def apply(self, packet: object) -> None:
        """Record one modification frame (§5.4)."""
        code = packet.wire_code.decode()  # type: ignore[attr-defined]
        if code in _HEADER_CHANGES and self.quarantine_reasons \
                and self.header_change_after_quarantine is None:
            self.header_change_after_quarantine = packet.nick  # type: ignore[attr-defined]
        p = packet
        if code == "h":
            add_header(self.headers, p.name, p.value)  # type: ignore[attr-defined]
        elif code == "i":
            insert_header(self.headers, p.index, p.name, p.value)  # type: ignore[attr-defined]
        elif code == "m":
            if p.value:  # type: ignore[attr-defined]
                change_header(self.headers, p.name, p.index, p.value)  # type: ignore[attr-defined]
            else:
                delete_header(self.headers, p.name, p.index)  # type: ignore[attr-defined]
        elif code == "q":
            self.quarantine_reasons.append(p.reason)  # type: ignore[attr-defined]
        elif code == "e":
            self.change_froms.append((p.sender, p.params or None))  # type: ignore[attr-defined]
        elif code in ("+", "2"):
            self.add_recipients.append((p.rcpt, p.params or None))  # type: ignore[attr-defined]
        elif code == "-":
            self.delete_recipients.append(p.rcpt)  # type: ignore[attr-defined]
        elif code == "b":
            self.replace_bodies.append(p.chunk)  # type: ignore[attr-defined]
        elif code == "p":
            self.n_progresses += 1


@dataclass
class FinalReply:
    """The reply that ended one wait: its status, and the `O` option if it was one."""

    status: Status
    code: str
    option: tuple[int, int, int] | None = None


class FakeMTA:
    """One MTA connection to the manager (§5.1)."""

    def __init__(self, host: str, port: int, connect_timeout: float = 3.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=connect_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = FrameReader(REPLIES)
        self.pending: deque[object] = deque()
        self.records = MTARecords()
        self.eof = False
        self.closed = False
        self.received: list[str] = []  # every frame code seen, for diagnostics

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as error:
            raise WireFailure(f"writing to the manager failed: {error}") from None

    def _fill(self, deadline: float) -> bool:
        """Read once (until `deadline`); False on timeout. EOF sets `self.eof`."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(262144)
        except TimeoutError:
            return False
        except OSError as error:
            raise WireFailure(f"reading from the manager failed: {error}") from None
        if not data:
            self.eof = True
            try:
                self.reader.feed_eof()
            except ProtocolError as error:
                raise WireFailure(f"decode error: {error}") from None
            return True
        try:
            self.pending.extend(self.reader.feed(data))
        except ProtocolError as error:
            self.pending.extend(error.packets)
            raise WireFailure(f"decode error: {error}") from None
        return True

    def next_packet(self, deadline: float) -> object | None:
        """The next frame from the manager, or None at EOF; WireFailure on timeout."""
        while not self.pending:
            if self.eof:
                return None
            if not self._fill(deadline):
                raise WireFailure("timeout")
        packet = self.pending.popleft()
        self.received.append(packet.wire_code.decode("latin-1"))  # type: ignore[attr-defined]
        return packet

    def read_final(self, *, command: str, timeout: float = 3.0) -> FinalReply:
        """Read frames until a final reply (§5.1 table); modifications only at end-of-message."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                packet = self.next_packet(deadline)
            except WireFailure as failure:
                if str(failure) == "timeout":
                    raise WireFailure(f"no reply to {command} within {timeout:g} s") from None
                raise
            if packet is None:
                raise WireFailure(f"the manager closed the connection instead of "
                                  f"replying to {command}")
            code = packet.wire_code.decode("latin-1")  # type: ignore[attr-defined]
            if code == "O":
                if command != "negotiate":
                    raise WireFailure(f"negotiate reply received for {command}")
                p = packet
                return FinalReply(Status.CONTINUE, code,
                                  (p.version, p.actions, p.steps))  # type: ignore[attr-defined]
            if code in ("c", "a", "r", "t", "d", "s"):
                return FinalReply(_FINAL_STATUS[code.encode()], code)
            if code == "y":
                reply: ReplyCode = packet  # type: ignore[assignment]
                # §5.1: decoded, formatted again (protocol.md §10.3), recorded.
                self.records.reply_codes.append(
                    format_reply(reply.code, reply.extended, reply.message))
                return FinalReply(reply.status, code)
            if code in _MODIFICATIONS:
                if command != "end-of-message":
                    raise WireFailure(f"{packet.nick} received for {command}; "  # type: ignore[attr-defined]
                                      f"modifications are legal only at end-of-message")
                self.records.apply(packet)
                continue
            raise WireFailure(f"unexpected {packet.nick} received for {command}")  # type: ignore[attr-defined]

    def expect_eof(self, timeout: float = 1.0) -> None:
        """§5.2 quit: the manager closes within `timeout` without writing anything."""
        deadline = time.monotonic() + timeout
        try:
            packet = self.next_packet(deadline)
        except WireFailure as failure:
            if str(failure) == "timeout":
                raise WireFailure(f"the connection was not closed within {timeout:g} s "
                                  f"after quit") from None
            raise
        if packet is not None:
            raise WireFailure(f"{packet.nick} received after quit")  # type: ignore[attr-defined]

    def expect_silence(self, seconds: float) -> object | None:
        """The first frame that arrives within `seconds`, or None (EOF is silence too)."""
        if self.pending:
            return self.pending[0]
        if self.eof:
            return None
        deadline = time.monotonic() + seconds
        while not self.pending and not self.eof:
            if not self._fill(deadline):
                return None
        return self.pending[0] if self.pending else None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass
