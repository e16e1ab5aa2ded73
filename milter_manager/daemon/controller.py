"""The controller socket (cli.md §12): framed request/reply commands.

Each connection carries any number of requests (4-byte big-endian length,
payload `NAME\\0BODY`); each gets exactly one reply, in order. Only the
single process or the master serves it.
"""

from __future__ import annotations

import os
import socket
import struct
import tempfile
from typing import Protocol

from milter_manager.manager.connection import Stream
from milter_manager.manager.loop import EVENT_READ, EventLoop

from .logger import DEBUG, ERROR, DaemonLogger
from .sockets import Listening

MAX_REQUEST = 16 * 1024 * 1024
CUSTOM_FILE = "milter-manager.custom.conf"


class Services(Protocol):
    """What the controller asks of the daemon."""

    def configuration_xml(self) -> str: ...

    def custom_directories(self) -> list[str]: ...

    def reload_from(self, source: str) -> str | None: ...

    def status_xml(self) -> str: ...


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def needless_bytes(name: str, body: bytes) -> str:
    """§12.3: `needless N byte(s) were received on NAME command: 0xHH … (TEXT)`."""
    n = len(body)
    head = "needless 1 byte was" if n == 1 else f"needless {n} bytes were"
    hexes = "".join(f" 0x{byte:02x}" for byte in body)
    text = f" ({body.decode('ascii')})" if all(0x20 <= b <= 0x7e for b in body) else ""
    return f"{head} received on {name} command:{hexes}{text}"


def save_custom_configuration(directories: list[str], body: bytes) -> str | None:
    """§12.3 set-configuration: the first writable directory wins. Returns
    None, or the error message."""
    tried = []
    for directory in directories:
        path = os.path.join(directory, CUSTOM_FILE)
        try:
            fd, temporary = tempfile.mkstemp(prefix=CUSTOM_FILE + ".", dir=directory)
        except OSError as error:
            tried.append(f'"{path}"({error.strerror})')
            continue
        try:
            try:
                os.write(fd, body)
                os.fchmod(fd, 0o644)
            finally:
                os.close(fd)
            os.rename(temporary, path)
        except OSError as error:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            tried.append(f'"{path}"({error.strerror})')
            continue
        return None
    return ("failed to save custom configuration file: can't find writable custom "
            f"configuration file in [{', '.join(tried)}]")


class Controller:
    """Accepts controller connections on the loop."""

    def __init__(self, loop: EventLoop, listening: Listening, services: Services,
                 log: DaemonLogger) -> None:
        self.loop = loop
        self.listening = listening
        self.services = services
        self.log = log
        self.connections: set[ControllerConnection] = set()
        self.closed = False
        listening.sock.setblocking(False)
        loop.watch(listening.sock, EVENT_READ, self)

    def handle_read(self) -> None:
        for _ in range(16):
            try:
                conn, _ = self.listening.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                self.log.log(ERROR, f"[controller][error][accept] {error.strerror}")
                return
            conn.setblocking(False)
            self.connections.add(ControllerConnection(self, conn))

    def handle_write(self) -> None:  # pragma: no cover
        pass

    def stop_listening(self) -> None:
        """§8.1 step 2: open connections may finish their current command."""
        if self.closed:
            return
        self.closed = True
        self.loop.unwatch(self.listening.sock)
        self.listening.sock.close()

    def close(self) -> None:
        self.stop_listening()
        for connection in list(self.connections):
            connection.close()

    def execute(self, name: bytes, body: bytes) -> bytes:
        text = _text(name)
        if self.log.mask() & DEBUG:
            self.log.log(DEBUG, f"[controller][command] {text}")
        if name == b"set-configuration":
            error = save_custom_configuration(self.services.custom_directories(), body)
            if error is None:
                return b"success\0"
            self.log.log(ERROR, f"[controller][error][save] {error}")
            return b"error\0" + error.encode("utf-8", "surrogateescape")
        if name in (b"get-configuration", b"reload", b"get-status"):
            if body:
                return b"error\0" + needless_bytes(text, body).encode()
            if name == b"get-configuration":
                return b"configuration\0" + self.services.configuration_xml().encode()
            if name == b"get-status":
                return b"status\0" + self.services.status_xml().encode()
            error = self.services.reload_from("controller")
            if error is None:
                return b"success\0"
            return b"error\0" + error.encode("utf-8", "surrogateescape")
        # [deviation] upstream answers nothing (the client waits forever).
        return b"error\0" + f"unexpected command was received: <{text}>".encode(
            "utf-8", "surrogateescape")


class ControllerConnection:
    def __init__(self, controller: Controller, sock: socket.socket) -> None:
        self.controller = controller
        self.buffer = bytearray()
        self.stream = Stream(controller.loop, sock, self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= 4:
            (length,) = struct.unpack(">I", self.buffer[:4])
            if length > MAX_REQUEST:
                self._send(f"error\0packet too large: <{length}>".encode())
                self.controller.connections.discard(self)
                self.stream.close_after_flush()
                return
            if len(self.buffer) < 4 + length:
                return
            payload = bytes(self.buffer[4:4 + length])
            del self.buffer[:4 + length]
            self._send(self._reply(payload))

    def _reply(self, payload: bytes) -> bytes:
        name, nul, body = payload.partition(b"\0")
        if not nul:
            return b"error\0" + (f"control command isn't terminated by NULL: "
                                 f"<{_text(payload)}>").encode("utf-8", "surrogateescape")
        if not name:
            return b"error\0unexpected command was received: <>"
        try:
            return self.controller.execute(name, body)
        except Exception as error:  # noqa: BLE001 - a command must never kill the daemon
            self.controller.log.log(ERROR, f"[controller][error] {error}")
            return b"error\0" + str(error).encode("utf-8", "surrogateescape")

    def _send(self, payload: bytes) -> None:
        self.stream.write(struct.pack(">I", len(payload)) + payload)

    def eof_received(self) -> None:
        self.close()

    def connection_lost(self, error: BaseException | None) -> None:
        self.close()

    def close(self) -> None:
        self.controller.connections.discard(self)
        self.stream.close()
