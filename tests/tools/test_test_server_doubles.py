"""Test doubles for the `milter-test-server` tests (no tests here).

`ScriptedMilter` is a small milter on 127.0.0.1: it negotiates what it is
told, records every packet it receives per connection, and answers each
command from a script (per command code, one entry per occurrence),
`continue` by default. It never replies to a command whose no-reply step it
negotiated, as a real milter would not. `run_tool` runs the command in
this process and returns its exit status and raw standard output.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from milter_manager.protocol import COMMANDS, FrameReader
from milter_manager.protocol.flags import NO_REPLY_OF_COMMAND
from milter_manager.protocol.replies import Continue, NegotiateReply

SILENT = "silent"   # script entry: send nothing (the tool's timeout must fire)
CLOSE = "close"     # script entry: close the connection without replying


class ScriptedMilter:
    def __init__(self, *, version: int = 6, actions: int = 0x1FF, steps: int = 0,
                 macro_requests: tuple = (), script: dict[bytes, list[Any]] | None = None,
                 unix_path: str | None = None) -> None:
        self.option = NegotiateReply(version, actions, steps, macro_requests)
        self.script = script or {}
        self.sessions: list[list[Any]] = []
        self.finished: list[threading.Event] = []
        self.lock = threading.Lock()
        if unix_path is None:
            self.sock = socket.socket()
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(("127.0.0.1", 0))
            self.port = self.sock.getsockname()[1]
            self.spec = f"inet:{self.port}@127.0.0.1"
        else:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.bind(unix_path)
            self.spec = f"unix:{unix_path}"
        self.sock.listen(16)
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                packets: list[Any] = []
                done = threading.Event()
                self.sessions.append(packets)
                self.finished.append(done)
            threading.Thread(target=self._serve, args=(conn, packets, done),
                             daemon=True).start()

    def _serve(self, conn: socket.socket, packets: list[Any], done: threading.Event) -> None:
        reader = FrameReader(COMMANDS)
        counts: dict[bytes, int] = {}
        steps = 0
        try:
            with conn:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        return
                    for packet in reader.feed(data):
                        packets.append(packet)
                        code = packet.wire_code
                        if code == b"O":
                            steps = packet.steps & self.option.steps
                            conn.sendall(self.option.encode())
                        elif code in (b"Q", b"K"):
                            return
                        elif code in (b"D", b"A"):
                            continue
                        elif not steps & NO_REPLY_OF_COMMAND.get(code, 0):
                            index = counts.get(code, 0)
                            counts[code] = index + 1
                            entries = self.script.get(code, [])
                            entry = entries[index] if index < len(entries) else Continue()
                            if entry == CLOSE:
                                return
                            if entry != SILENT:
                                items = entry if isinstance(entry, list) else [entry]
                                for item in items:   # one by one: an item may delay itself
                                    conn.sendall(item.encode())
        except OSError:
            return
        finally:
            done.set()

    def wait(self, sessions: int = 1, timeout: float = 5.0) -> None:
        """Wait until SESSIONS connections have ended."""
        for _ in range(int(timeout * 100)):
            with self.lock:
                events = list(self.finished)
            if len(events) >= sessions and all(event.is_set() for event in events):
                return
            threading.Event().wait(0.01)
        raise AssertionError(f"the tool did not end its {sessions} session(s)")

    def received(self, session: int = 0) -> list[Any]:
        return self.sessions[session]

    def count(self, nick: str, session: int = 0) -> int:
        return sum(1 for packet in self.sessions[session] if packet.nick == nick)

    def close(self) -> None:
        self.running = False
        self.sock.close()


def run_tool(capfdbinary: Any, *argv: str) -> tuple[int, bytes]:
    """`milter-test-server ARGV` in this process: (exit status, standard output)."""
    from milter_manager.tools.test_server import main
    status = main(list(argv))
    out, _ = capfdbinary.readouterr()
    return status, out
