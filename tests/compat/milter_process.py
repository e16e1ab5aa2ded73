"""Start a scenario test milter on a free loopback port and talk to it on the wire."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

from milter_manager.protocol import REPLIES, FrameReader
from milter_manager.protocol.commands import Negotiate
from milter_manager.testing.harness.clients import client_environment

MODULE = "milter_manager.testing.scenario_milter"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MilterProcess:
    """`python -m …scenario_milter --print-status --host 127.0.0.1 --port P ARGS`."""

    def __init__(self, *arguments: str, timeout: float = 5.0, module: str = MODULE,
                 prefix: bool = True) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", module]
        if prefix:
            command += ["--print-status", "--timeout", str(timeout), "--host", "127.0.0.1",
                        "--port", str(self.port)]
        command += list(arguments)
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=client_environment())
        self.sock: socket.socket | None = None
        self.reader = FrameReader(REPLIES)
        self.pending: list[object] = []

    def wait_ready(self) -> None:
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        assert line == b"ready\n", (line, self.process.stderr.read())  # type: ignore[union-attr]

    def connect(self) -> MilterProcess:
        self.wait_ready()
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        return self

    def send(self, *packets: object) -> None:
        assert self.sock is not None
        self.sock.sendall(b"".join(p.encode() for p in packets))  # type: ignore[attr-defined]

    def replies(self, n: int, timeout: float = 5.0) -> list[object]:
        """The next n reply frames."""
        assert self.sock is not None
        deadline = time.monotonic() + timeout
        while len(self.pending) < n:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                break
            self.pending.extend(self.reader.feed(data))
        got, self.pending = self.pending[:n], self.pending[n:]
        return got

    def codes(self, n: int) -> bytes:
        return b"".join(p.wire_code for p in self.replies(n))  # type: ignore[attr-defined]

    def silent(self, seconds: float = 0.3) -> bool:
        """Nothing more arrives within `seconds` (EOF counts as silence)."""
        assert self.sock is not None
        if self.pending:
            return False
        self.sock.settimeout(seconds)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return True
        self.pending.extend(self.reader.feed(data))
        return not self.pending

    def negotiate(self, version: int = 6, actions: int = 0x1FF, steps: int = 0x1FFFFF) -> object:
        self.send(Negotiate(version, actions, steps))
        return self.replies(1)[0]

    def finish(self, timeout: float = 10.0) -> tuple[int, bytes, bytes]:
        """Close our side; the exit status, stdout (after `ready`) and stderr."""
        if self.sock is not None:
            self.sock.close()
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
