"""Test doubles for the manager: scripted child milters, a fake MTA, a
stand-in configuration, and a manager running on a loopback port.

Everything talks the real wire through the project's codec, so the tests see
exactly what an MTA would see.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from milter_manager.manager import Manager, ManagerLog
from milter_manager.manager.log import DEBUG, DEFAULT_MASK, INFO
from milter_manager.protocol import (
    COMMANDS,
    REPLIES,
    FrameReader,
    Negotiate,
    NegotiateReply,
    ProtocolError,
)
from milter_manager.protocol.commands import Quit
from milter_manager.protocol.flags import NO_REPLY_OF_COMMAND
from milter_manager.protocol.replies import Continue

FINAL = set(b"Ocartdsy")


class Sleep:
    """A scripted step: wait before the next reply frame."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


CLOSE = "close"     # scripted: close the connection without replying
SILENT = "silent"   # scripted: send nothing


class FakeMilter:
    """A child milter on 127.0.0.1 scripted per command code.

    `script[code]` is a list of reply packets (and `Sleep`s), `CLOSE`,
    `SILENT`, or a callable `(packet, connection) -> that`. Unscripted
    commands are answered `continue` (unless the negotiated steps say
    NO_REPLY). Every received packet is recorded per connection.
    """

    def __init__(self, name: str = "milter", *, steps: int = 0, actions: int | None = None,
                 version: int | None = None, macro_requests: tuple = (),
                 script: dict[bytes, Any] | None = None, listen: bool = True,
                 unix_path: str | None = None) -> None:
        self.name = name
        self.steps = steps
        self.actions = actions
        self.version = version
        self.macro_requests = macro_requests
        self.script = dict(script or {})
        self.connections: list[list[Any]] = []
        self.closed_connections = 0
        self.lock = threading.Lock()
        if unix_path is not None:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.bind(unix_path)
            self.port = None
            self.spec = f"unix:{unix_path}"
        else:
            self.sock = socket.socket()
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(("127.0.0.1", 0))
            self.port = self.sock.getsockname()[1]
            self.spec = f"inet:{self.port}@127.0.0.1"
        self.running = True
        if listen:
            self.sock.listen(64)
            self.thread = threading.Thread(target=self._accept_loop, daemon=True)
            self.thread.start()
        else:
            self.sock.close()   # a closed port: connecting is refused

    def _accept_loop(self) -> None:
        self.sock.settimeout(0.2)
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                record: list[Any] = []
                self.connections.append(record)
            threading.Thread(target=self._serve, args=(conn, record), daemon=True).start()

    def _serve(self, conn: socket.socket, record: list[Any]) -> None:
        reader = FrameReader(COMMANDS)
        negotiated_steps = 0
        conn.settimeout(30)
        try:
            while True:
                try:
                    data = conn.recv(262144)
                except OSError:
                    return
                if not data:
                    return
                try:
                    packets = reader.feed(data)
                except ProtocolError:
                    return
                for packet in packets:
                    with self.lock:
                        record.append(packet)
                    code = packet.wire_code
                    if code in (b"D", b"A"):
                        continue
                    if code in (b"Q", b"K"):
                        return
                    action = self.script.get(code)
                    if callable(action):
                        action = action(packet, record)
                    if code == b"O" and action is None:
                        reply = NegotiateReply(
                            self.version if self.version is not None else packet.version,
                            packet.actions if self.actions is None else self.actions,
                            packet.steps & self.steps, self.macro_requests)
                        negotiated_steps = packet.steps & self.steps
                        conn.sendall(reply.encode())
                        continue
                    if action is None:
                        if negotiated_steps & NO_REPLY_OF_COMMAND.get(code, 0):
                            continue
                        action = [Continue()]
                    if action == CLOSE:
                        return
                    if action == SILENT:
                        continue
                    for step in action:
                        if isinstance(step, Sleep):
                            time.sleep(step.seconds)
                        elif isinstance(step, bytes):
                            conn.sendall(step)
                        else:
                            conn.sendall(step.encode())
        finally:
            with self.lock:
                self.closed_connections += 1
            conn.close()

    def received(self, connection: int = 0) -> list[Any]:
        with self.lock:
            if connection >= len(self.connections):
                return []
            return list(self.connections[connection])

    def codes(self, connection: int = 0, *, macros: bool = False) -> bytes:
        return b"".join(p.wire_code for p in self.received(connection)
                        if macros or p.wire_code != b"D")

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 3.0) -> bool:
        limit = time.monotonic() + timeout
        while time.monotonic() < limit:
            if predicate():
                return True
            time.sleep(0.005)
        return predicate()

    def close(self) -> None:
        self.running = False
        try:
            self.sock.close()
        except OSError:
            pass


class FakeMTA:
    """An MTA connection to the manager: send commands, read replies."""

    def __init__(self, address: str | tuple) -> None:
        if isinstance(address, str):
            port = int(address.split(":")[1].split("@")[0])
            address = ("127.0.0.1", port)
        self.sock = socket.create_connection(address, timeout=5)
        self.reader = FrameReader(REPLIES)
        self.buffer: list[Any] = []

    def send(self, *packets: Any) -> None:
        self.sock.sendall(b"".join(p if isinstance(p, bytes) else p.encode() for p in packets))

    def read_frame(self, timeout: float = 3.0) -> Any:
        limit = time.monotonic() + timeout
        while not self.buffer:
            remaining = limit - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no reply from the manager")
            self.sock.settimeout(remaining)
            data = self.sock.recv(262144)
            if not data:
                raise EOFError("the manager closed the connection")
            self.buffer.extend(self.reader.feed(data))
        return self.buffer.pop(0)

    def reply(self, timeout: float = 3.0) -> tuple[Any, list[Any]]:
        """(final reply, modifications before it)."""
        modifications = []
        while True:
            frame = self.read_frame(timeout)
            if frame.wire_code[0] in FINAL:
                return frame, modifications
            modifications.append(frame)

    def command(self, *packets: Any, timeout: float = 3.0) -> Any:
        self.send(*packets)
        return self.reply(timeout)[0]

    def nothing(self, wait: float = 0.3) -> bool:
        """True when no frame arrives within `wait` seconds."""
        try:
            self.read_frame(wait)
        except TimeoutError:
            return True
        return False

    def closed(self, timeout: float = 2.0) -> bool:
        """True when the manager closes the connection (no frame before)."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except (TimeoutError, OSError):
            return False

    def negotiate(self, version: int = 6, actions: int = 0x1FF, steps: int = 0x1FFFFF) -> Any:
        return self.command(Negotiate(version, actions, steps))

    def close(self) -> None:
        try:
            self.sock.sendall(Quit().encode())
        except OSError:
            pass
        self.sock.close()


@dataclass
class Condition:
    """A stand-in applicable condition with Python stoppers."""

    name: str
    stoppers: dict[str, list[Callable[..., Any]]] = field(default_factory=dict)

    def stoppers_for(self, stage: str) -> list[Callable[..., Any]]:
        return self.stoppers.get(stage, [])


def egg(name: str, spec: str | None, **attributes: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "name": name, "connection_spec": spec, "enabled": True, "fallback_status": "accept",
        "evaluation_mode": False, "connection_timeout": 297.0, "writing_timeout": 7.0,
        "reading_timeout": 7.0, "end_of_message_timeout": 297.0, "command": None,
        "command_options": None, "user_name": None, "applicable_conditions": []}
    values.update(attributes)
    return SimpleNamespace(**values)


def configuration(*eggs: Any, **manager: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "fallback_status": "accept", "fallback_status_at_disconnect": "temporary-failure",
        "chunk_size": 65535, "max_connections": 0, "suspend_time_on_unacceptable": 5,
        "maintenance_interval": 10, "max_pending_finished_sessions": 0,
        "connection_check_interval": 0, "packet_buffer_size": 0,
        "connection_spec": "inet:0@[127.0.0.1]"}
    values.update(manager)
    return SimpleNamespace(manager=SimpleNamespace(**values), eggs=list(eggs),
                           connection_checkers={}, maintained_hooks=[],
                           security=SimpleNamespace(privilege_mode=False))


class LogRecorder:
    """A log sink keeping every line (and a ManagerLog using it)."""

    def __init__(self, mask: int = DEFAULT_MASK | INFO | DEBUG) -> None:
        self.lines: list[tuple[int, str]] = []
        self.lock = threading.Lock()
        self.log = ManagerLog(mask, self.sink)

    def sink(self, level: int, domain: str, message: str) -> None:
        with self.lock:
            self.lines.append((level, message))

    def messages(self) -> list[str]:
        with self.lock:
            return [message for _, message in self.lines]

    def wait_for(self, text: str, timeout: float = 3.0) -> bool:
        limit = time.monotonic() + timeout
        while time.monotonic() < limit:
            if any(text in message for message in self.messages()):
                return True
            time.sleep(0.01)
        return False


class RunningManager:
    """A Manager on an ephemeral loopback port, in a thread."""

    def __init__(self, conf: Any, **options: Any) -> None:
        self.recorder = LogRecorder()
        options.setdefault("log", self.recorder.log)
        self.manager = Manager(conf, "inet:0@[127.0.0.1]", **options)
        self.manager.start_in_thread()
        self.mtas: list[FakeMTA] = []

    def mta(self) -> FakeMTA:
        mta = FakeMTA(("127.0.0.1", self.manager.port))
        self.mtas.append(mta)
        return mta

    def stop(self) -> None:
        for mta in self.mtas:
            try:
                mta.sock.close()
            except OSError:
                pass
        self.manager.stop()


def connect_packet() -> Any:
    from milter_manager.protocol.commands import Connect
    return Connect(b"mx.example.net", b"4", 2929, b"192.168.1.29")


def run_until(mta: FakeMTA, stop: bytes, *, steps: int = 0x1FFFFF, version: int = 6) -> None:
    """Drive the MTA through the usual commands up to and including `stop`
    (one of b"O C H M R T"), asserting each reply is continue."""
    from milter_manager.protocol.commands import (
        Data,
        EnvelopeFrom,
        EnvelopeRecipient,
        Helo,
    )
    sequence = [
        (b"O", lambda: Negotiate(version, 0x1FF, steps)),
        (b"C", connect_packet),
        (b"H", lambda: Helo(b"delian")),
        (b"M", lambda: EnvelopeFrom(b"<kou+sender@example.com>")),
        (b"R", lambda: EnvelopeRecipient(b"<kou+receiver@example.com>")),
        (b"T", lambda: Data()),
    ]
    for code, make in sequence:
        reply = mta.command(make())
        expected = b"O" if code == b"O" else b"c"
        assert reply.wire_code == expected, (code, reply)
        if code == stop:
            return
