"""The client processes of a scenario: scenario test milters on their ports (scenarios.md §8).

Each client's stdout is read by a thread that cuts it into records
(`records.RecordSplitter`) and counts them into the client's per-action
`ClientRecords`. All clients of a scenario share one condition variable, so the
harness can wait for "the clients received n `abort`s in total".
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .records import ClientRecords, RecordSplitter
from .scenario import ClientSpec

#: §8.1: the fixed prefix of every client command line (after the program).
MILTER_MODULE = "milter_manager.testing.scenario_milter"
READY_TIMEOUT = 10.0
STOP_GRACE = 1.0

_PROJECT_ROOT = Path(__file__).resolve().parents[3]


class ClientError(Exception):
    """A client could not be started."""


def milter_command(port: int, arguments: list[str], python: str | None = None) -> list[str]:
    """§8.1: `<python> -m …scenario_milter --print-status --timeout 1.5 --host 127.0.0.1 --port P …`."""
    return [python or sys.executable, "-m", MILTER_MODULE, "--print-status", "--timeout", "1.5",
            "--host", "127.0.0.1", "--port", str(port), *arguments]


def client_environment() -> dict[str, str]:
    """The project must be importable by the client even from a bare interpreter."""
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(_PROJECT_ROOT) + (os.pathsep + path if path else "")
    return env


class Client:
    """One scenario test milter process (or a `run=false` placeholder)."""

    def __init__(self, spec: ClientSpec, port: int, condition: threading.Condition) -> None:
        self.spec = spec
        self.name = spec.name
        self.port = port
        self.condition = condition
        self.records = ClientRecords()
        self.process: subprocess.Popen[bytes] | None = None
        self.stderr = bytearray()
        self.stdout_log = bytearray()   # everything printed, for diagnostics
        self.unexpected = bytearray()   # output that is no record
        self._splitter = RecordSplitter()
        self._threads: list[threading.Thread] = []
        self._wake: tuple[int, int] | None = None
        self._sync_requested = 0
        self._synced = 0
        self._eof = False

    @property
    def command(self) -> list[str]:
        return milter_command(self.port, self.spec.arguments)

    @property
    def alive(self) -> bool:
        """§8.3: alive while the process has not exited; `run=false` is never alive."""
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = READY_TIMEOUT) -> None:
        """§8.1: start and wait for `ready` (or the process's exit: a failure)."""
        if not self.spec.run:
            return
        self._wake = os.pipe()
        self.process = subprocess.Popen(
            self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=client_environment(), cwd=str(_PROJECT_ROOT))
        for target, stream in ((self._read_stdout, self.process.stdout),
                               (self._read_stderr, self.process.stderr)):
            thread = threading.Thread(target=target, args=(stream,), daemon=True,
                                      name=f"{self.name}-{target.__name__}")
            thread.start()
            self._threads.append(thread)
        deadline = time.monotonic() + timeout
        with self.condition:
            while not self._splitter.ready:
                if self.process.poll() is not None or time.monotonic() >= deadline:
                    break
                self.condition.wait(0.05)
            ready = self._splitter.ready
        if not ready:
            raise ClientError(f"couldn't run test client on port {self.port}")

    def _read_stdout(self, stream: object) -> None:
        """Read and record stdout; answer `sync()` requests when the pipe is empty."""
        fd = stream.fileno()  # type: ignore[attr-defined]
        assert self._wake is not None
        wake = self._wake[0]
        while True:
            with self.condition:
                requested = self._sync_requested
                pending = requested > self._synced
            if pending and not select.select([fd], [], [], 0)[0]:
                # A sync() is waiting and the pipe is empty *after* its request.
                with self.condition:
                    self._synced = max(self._synced, requested)
                    self.condition.notify_all()
            readable = select.select([fd, wake], [], [])[0]
            if wake in readable:
                os.read(wake, 4096)
            if fd not in readable:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                with self.condition:
                    # EOF: whatever is left is a complete last record.
                    tail = self._splitter.buffer
                    self._absorb(b"\n" if tail and not tail.endswith(b"\n") else b"",
                                 at_rest=True)
                    self._eof = True
                    self.condition.notify_all()
                return
            at_rest = not select.select([fd], [], [], 0)[0]
            with self.condition:
                self.stdout_log += data
                self._absorb(data, at_rest=at_rest)
                self.condition.notify_all()

    def sync(self, timeout: float = 1.0) -> None:
        """Make sure everything the client printed so far has been recorded.

        The client prints each command before it answers it, so once the
        manager's reply is here, what caused it is in the pipe: this waits until
        the reader thread has seen the pipe empty after this call.
        """
        if self.process is None or self._wake is None:
            return
        with self.condition:
            if self._eof:
                return
            self._sync_requested += 1
            target = self._sync_requested
        os.write(self._wake[1], b"s")
        deadline = time.monotonic() + timeout
        with self.condition:
            while self._synced < target and not self._eof:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self.condition.wait(remaining)

    def _absorb(self, data: bytes, *, at_rest: bool) -> None:
        records = self._splitter.feed(data, at_rest=at_rest)
        for record in records:
            self.records.add(record)
        if self._splitter.garbage:
            self.unexpected += self._splitter.garbage
            self._splitter.garbage.clear()

    def _read_stderr(self, stream: object) -> None:
        fd = stream.fileno()  # type: ignore[attr-defined]
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self.condition:
                self.stderr += data

    def clear(self) -> None:
        """§5.2 step 10: drop the per-action data and counters."""
        self.records = ClientRecords()

    def stop(self) -> None:
        """§8.2: SIGTERM, SIGKILL after a second, and wait."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            try:
                process.send_signal(signal.SIGTERM)
                process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            except ProcessLookupError:
                pass
        for thread in self._threads:
            thread.join(1.0)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        if self._wake is not None:
            for fd in self._wake:
                os.close(fd)
            self._wake = None

    def diagnostics(self) -> str:
        status = "not started" if self.process is None else (
            "running" if self.process.poll() is None else f"exit {self.process.returncode}")
        arguments = " ".join(self.spec.arguments)
        lines = [f"--- client {self.name} (port {self.port}, {status}): {arguments}"]
        if self.stdout_log:
            lines.append("stdout: " + self.stdout_log.decode("utf-8", "backslashreplace")
                         .rstrip("\n").replace("\n", "\n        "))
        if self.stderr:
            lines.append("stderr: " + self.stderr.decode("utf-8", "backslashreplace")
                         .rstrip("\n").replace("\n", "\n        "))
        return "\n".join(lines)


class Clients:
    """The clients of one scenario, in `clients` order, with one shared condition."""

    def __init__(self, specs: list[ClientSpec], port_map: Callable[[int], int]) -> None:
        self.condition = threading.Condition()
        self.clients = [Client(spec, port_map(spec.port), self.condition) for spec in specs]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.clients)

    def __len__(self) -> int:
        return len(self.clients)

    def start(self) -> None:
        """§8.1: in order; the next one only after the previous one is ready."""
        for client in self.clients:
            client.start()

    def stop(self) -> None:
        for client in self.clients:
            client.stop()

    def clear(self) -> None:
        with self.condition:
            for client in self.clients:
                client.clear()

    def sync(self) -> None:
        """Record everything the clients have printed so far (see `Client.sync`)."""
        for client in self.clients:
            client.sync()

    def count(self, signal_name: str) -> int:
        with self.condition:
            return sum(client.records.counts[signal_name] for client in self.clients)

    def n_alive(self) -> int:
        return sum(1 for client in self.clients if client.alive)

    def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (at most `timeout` s) until `predicate()` holds under the lock."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return predicate()
                self.condition.wait(min(remaining, 0.02))
            return True

    def snapshot(self) -> list[ClientRecords]:
        with self.condition:
            return [client.records for client in self.clients]
