"""Fault-injection doubles: a child milter that misbehaves at one stage, an
MTA that talks raw frames, an in-process manager on a loopback port, and the
descriptor check.

Everything goes over real sockets through the project's codec, so a test
sees exactly what Postfix would see. The manager runs in this process (on its
own thread), so `psutil` counts its descriptors together with ours: after a
session has ended and every connection is closed the count must come back to
where it was.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import psutil
from manager.support import FakeMTA

from milter_manager.manager import Manager, ManagerLog
from milter_manager.manager.log import DEBUG, DEFAULT_MASK, INFO
from milter_manager.protocol import COMMANDS, FrameReader, ProtocolError
from milter_manager.protocol.replies import NegotiateReply

#: Per-milter timeouts of the fault tests (seconds): a hang costs fractions
#: of a second, not the 7 s / 297 s defaults.
TIMEOUT = 0.3
#: A payload that cannot fit in the socket buffers between the manager and a
#: child that stops reading (tcp_wmem's default maximum is 4 MiB).
BIG = 16 << 20
#: A frame length far past protocol.md §1's 64 MiB limit.
FLOOD = 100 << 20

FINAL = set(b"Ocartdy")

# The fault kinds of a child (FaultChild.fault).
CLOSE = "close"                # closes its connection without replying
HANG = "hang"                  # never replies (reading / end-of-message timeout)
NO_READ = "no-read"            # stops reading before the stage (writing timeout)
GARBAGE = "garbage"            # answers a frame that does not decode
WRONG_REPLY = "wrong-reply"    # answers a reply not allowed at that stage
FLOOD_FAULT = "100mb"          # answers a frame header of 100 MB, then the bytes
NO_ACCEPT = "no-accept"        # never accepts the connection (connection timeout)
SLOW = "slow"                  # answers continue after TIMEOUT / 2 (for MTA faults)
STALL = "stall"                # stops reading for `stall` seconds before the stage


def frame(code: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload) + 1) + code + payload


class FaultChild:
    """A child milter on 127.0.0.1 that answers `continue` to everything,
    except on its first connection at the command `stage` (a wire code),
    where it does `fault`. Later connections (the next sessions) are healthy.

    `predecessor` is the command after which a NO_READ child stops reading.
    Every packet received is recorded per connection; `closed_by_peer`
    counts connections the manager closed.
    """

    def __init__(self, name: str, fault: str | None = None, stage: bytes = b"",
                 predecessor: bytes = b"", modifications: bytes = b"",
                 steps: int = 0, stall: float = 0.0) -> None:
        self.name = name
        self.fault = fault
        self.stage = stage
        self.predecessor = predecessor
        self.modifications = modifications     # written before the `E` reply
        self.steps = steps                     # the step bits it negotiates
        self.stall = stall
        self.connections: list[list[Any]] = []
        self.closed_by_peer = 0
        self.finished = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.released = threading.Event()      # ends a hang / a stopped reader
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fault == NO_READ:
            # A small receive buffer (inherited by accepted sockets) so the
            # manager's writes block soon.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.spec = f"inet:{self.port}@[127.0.0.1]"
        self.fillers: list[socket.socket] = []
        self.thread: threading.Thread | None = None
        if fault == NO_ACCEPT:
            # listen(0) takes one connection into the accept queue; with the
            # queue full, the kernel drops further SYNs: connect() stays
            # in progress until the manager's connection_timeout.
            self.sock.listen(0)
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", self.port))
            self.fillers.append(filler)
            time.sleep(0.05)
            return
        self._listen()

    def _listen(self) -> None:
        self.sock.listen(16)
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def heal(self) -> None:
        """From now on a normal child (a NO_ACCEPT child starts accepting)."""
        if self.fault != NO_ACCEPT or self.thread is not None:
            return
        for filler in self.fillers:
            filler.close()
        self.fillers = []
        self.sock.close()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.fault = None
        self._listen()

    def release(self) -> None:
        """Let a hanging or non-reading connection end (it closes its socket)."""
        self.released.set()

    # -- serving ------------------------------------------------------------------
    def _accept_loop(self) -> None:
        self.sock.settimeout(0.1)
        first = True
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                record: list[Any] = []
                self.connections.append(record)
            fault = self.fault if first else None
            first = False
            threading.Thread(target=self._serve, args=(conn, record, fault),
                             daemon=True).start()

    def _serve(self, conn: socket.socket, record: list[Any], fault: str | None) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(0.1)
        reader = FrameReader(COMMANDS)
        by_peer = False
        try:
            while not self.stop.is_set():
                try:
                    data = conn.recv(262144)
                except TimeoutError:
                    continue
                except OSError:
                    by_peer = True
                    return
                if not data:
                    by_peer = True
                    return
                try:
                    packets = reader.feed(data)
                except ProtocolError:
                    return
                for packet in packets:
                    with self.lock:
                        record.append(packet)
                    try:
                        if not self._answer(conn, packet, fault):
                            return
                    except OSError:
                        by_peer = True      # it closed while we were answering
                        return
        finally:
            conn.close()
            with self.lock:
                self.finished += 1
                self.closed_by_peer += by_peer

    def _answer(self, conn: socket.socket, packet: Any, fault: str | None) -> bool:
        """Reply to one packet; False ends the connection (our side)."""
        code = packet.wire_code
        if code in (b"D", b"A"):
            return True
        if code in (b"Q", b"K"):
            return True        # wait for the manager to close
        if fault is not None and fault != STALL and code == self.stage:
            return self._fault(conn, packet, fault)
        if code == b"O":
            conn.sendall(NegotiateReply(6, packet.actions, packet.steps & self.steps).encode())
        elif code == b"E":
            conn.sendall(self.modifications + frame(b"c"))
        else:
            conn.sendall(frame(b"c"))
        if fault == NO_READ and code == self.predecessor:
            self.released.wait()   # stop reading: the manager's next write blocks
            return False
        if fault == STALL and code == self.predecessor:
            time.sleep(self.stall)
        return True

    def _fault(self, conn: socket.socket, packet: Any, fault: str) -> bool:
        code = packet.wire_code
        if fault == CLOSE:
            return False
        if fault == HANG:
            self.released.wait()
            return False
        if fault == GARBAGE:
            conn.sendall(frame(b"Z", b"garbage"))     # no such reply code
            return True
        if fault == WRONG_REPLY:
            conn.sendall(_wrong_reply(code))
            return True
        if fault == FLOOD_FAULT:
            conn.settimeout(10)
            conn.sendall(struct.pack(">I", FLOOD + 1) + b"c")
            chunk = bytes(1 << 20)
            try:
                for _ in range(FLOOD >> 20):
                    conn.sendall(chunk)
            except OSError:
                pass            # the manager closed the connection: as it should
            return False
        if fault == SLOW:
            time.sleep(TIMEOUT / 2)
            conn.sendall(NegotiateReply(6, packet.actions, 0).encode() if code == b"O"
                         else frame(b"c"))
            return True
        raise ValueError(fault)

    # -- inspection ----------------------------------------------------------------
    def received(self, connection: int = 0) -> list[Any]:
        with self.lock:
            if connection >= len(self.connections):
                return []
            return list(self.connections[connection])

    def codes(self, connection: int = 0) -> bytes:
        return b"".join(p.wire_code for p in self.received(connection) if p.wire_code != b"D")

    def close(self) -> None:
        self.stop.set()
        self.released.set()
        for filler in self.fillers:
            filler.close()
        self.sock.close()
        if self.thread is not None:
            self.thread.join(2)


def _wrong_reply(code: bytes) -> bytes:
    """A reply that is not allowed while the child answers `code`
    (protocol.md §11.1): a verdict instead of the negotiate reply, `s` outside
    the body, a modification outside end-of-message."""
    if code == b"O":
        return frame(b"c")
    if code == b"E":
        return frame(b"s")
    return frame(b"h", b"X-Wrong\0stage\0")


class RawMTA(FakeMTA):
    """An MTA connection that sends raw frames: the manager tests' FakeMTA
    with the matrix's longer waits, `command` answering the reply's code,
    a reset connection counted as closed, and no `Q` on close."""

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reply(self, timeout: float = 5.0) -> tuple[Any, list[Any]]:
        """(final reply, the modifications before it)."""
        return super().reply(timeout)

    def command(self, data: bytes, timeout: float = 5.0) -> bytes:
        self.send(data)
        return self.reply(timeout)[0].wire_code

    def closed(self, timeout: float = 3.0) -> bool:
        """True when the manager closes the connection without a frame first."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True      # closed with our unread bytes in its buffer: RST
        except (TimeoutError, OSError):
            return False

    def close(self) -> None:
        self.sock.close()


# The commands of a session, in order (protocol.md §3); payloads are bytes.
NEGOTIATE = frame(b"O", struct.pack(">III", 6, 0x1FF, 0x1FFFFF))


def command_frames(big: bytes = b"") -> dict[bytes, bytes]:
    """One frame per stage; `big`, when given, is put where the stage has
    room for it (a field, or a macro for the commands without payload)."""
    def d(context: bytes) -> bytes:
        return frame(b"D", context + b"{big}\0" + big + b"\0") if big else b""
    return {
        b"O": NEGOTIATE,
        b"C": frame(b"C", b"mx.example.net" + big + b"\x004\x0b\xb8192.0.2.1\0"),
        b"H": frame(b"H", b"delian" + big + b"\0"),
        b"M": frame(b"M", b"<sender@example.org" + big + b">\0"),
        b"R": frame(b"R", b"<rcpt@example.net" + big + b">\0"),
        b"T": d(b"T") + frame(b"T"),
        b"U": frame(b"U", b"HELP" + big + b"\0"),
        b"L": frame(b"L", b"Subject\0hello" + big + b"\0"),
        b"N": d(b"N") + frame(b"N"),
        # Body chunks reach a child one 65535-byte frame at a time, each
        # answered before the next: room for `big` is in a macro.
        b"B": d(b"B") + frame(b"B", b"Hi.\r\n"),
        b"E": d(b"E") + frame(b"E"),
    }


#: The order an MTA sends them in; `U` comes after HELO.
SESSION = [b"O", b"C", b"H", b"U", b"M", b"R", b"T", b"L", b"N", b"B", b"E"]


def fault_configuration(*children: FaultChild, fallback: str = "accept",
                        manager_fallback: str = "temporary-failure",
                        **manager: Any) -> SimpleNamespace:
    """A stand-in configuration (the attributes the manager reads)."""
    # The first child is the one that fails: short timeouts. The others are
    # healthy but may be sent 16 MiB frames, which a Python double takes a
    # moment to read: ten times as long.
    eggs = [SimpleNamespace(
        name=child.name, connection_spec=child.spec, enabled=True,
        fallback_status=fallback if i == 0 else "accept", evaluation_mode=False,
        connection_timeout=TIMEOUT * (1 if i == 0 else 10),
        writing_timeout=TIMEOUT * (1 if i == 0 else 10),
        reading_timeout=TIMEOUT * (1 if i == 0 else 10),
        end_of_message_timeout=TIMEOUT * (1 if i == 0 else 10), command=None,
        command_options=None, user_name=None, applicable_conditions=[])
        for i, child in enumerate(children)]
    values = {
        "fallback_status": manager_fallback,
        "fallback_status_at_disconnect": "temporary-failure", "chunk_size": 65535,
        "max_connections": 0, "suspend_time_on_unacceptable": 5, "maintenance_interval": 10,
        "max_pending_finished_sessions": 0, "connection_check_interval": 0,
        "packet_buffer_size": 0, "connection_spec": "inet:0@[127.0.0.1]"}
    values.update(manager)
    return SimpleNamespace(manager=SimpleNamespace(**values), eggs=eggs,
                           connection_checkers={}, maintained_hooks=[],
                           security=SimpleNamespace(privilege_mode=False))


class LogLines:
    """The manager's log lines, kept for assertions."""

    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []
        self.lock = threading.Lock()
        self.log = ManagerLog(DEFAULT_MASK | INFO | DEBUG, self.sink)

    def sink(self, level: int, domain: str, message: str) -> None:
        with self.lock:
            self.lines.append((level, message))

    def text(self) -> str:
        with self.lock:
            return "\n".join(message for _, message in self.lines)

    def wait_for(self, text: str, timeout: float = 3.0) -> bool:
        return wait_until(lambda: text in self.text(), timeout)


class InProcessManager:
    """A `Manager` on an ephemeral loopback port, on its own thread."""

    def __init__(self, conf: Any, **options: Any) -> None:
        self.logs = LogLines()
        self.manager = Manager(conf, "inet:0@[127.0.0.1]", log=self.logs.log,
                               privilege_mode=False, **options)
        self.manager.start_in_thread()
        self.port = self.manager.port

    def mta(self) -> RawMTA:
        return RawMTA(self.port)

    def sessions(self) -> int:
        return len(self.manager.sessions)

    def stop(self) -> None:
        self.manager.stop()


def wait_until(predicate: Callable[[], Any], timeout: float = 3.0) -> bool:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def open_fds() -> int:
    return psutil.Process().num_fds()


def healthy_session(manager: InProcessManager) -> list[bytes]:
    """A whole session with every command once, ended by `Q`; the replies."""
    mta = manager.mta()
    frames = command_frames()
    try:
        replies = [mta.command(frames[code]) for code in SESSION]
        mta.send(frame(b"Q"))
        assert mta.closed(), "the manager must close the connection after Q"
    finally:
        mta.close()
    return replies
