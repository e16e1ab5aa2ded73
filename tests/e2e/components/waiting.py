"""Readiness by polling, with deadlines (real-components.md §2).

Never sleep for a fixed time: poll until the component accepts a connection
(or a file appears), and on timeout fail with the component's log so that the
reason is on the screen.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, TypeVar

import psutil

T = TypeVar("T")

POLL_INTERVAL = 0.05


class Pollable(Protocol):
    def poll(self) -> int | None: ...

    def mark_ready(self) -> None: ...


class NotReady(AssertionError):
    """A component did not become ready in time (a test failure, not an error
    of the test code: the message carries the component's log)."""


def tail(path: Path, lines: int = 60) -> str:
    """The last `lines` lines of a log file, or a note that it is missing."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"<{path}: {exc.strerror}>"
    text = data.decode("utf-8", "replace").splitlines()
    return "\n".join(text[-lines:])


def describe_logs(logs: Iterable[Path]) -> str:
    return "".join(f"\n--- {path} (tail) ---\n{tail(path)}\n" for path in logs)


def _fail(message: str, logs: Iterable[Path]) -> NotReady:
    return NotReady(message + describe_logs(logs))


def wait_until(
    predicate: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    proc: Pollable | None = None,
    logs: Iterable[Path] = (),
    interval: float = POLL_INTERVAL,
) -> T:
    """Call `predicate` until it returns something other than None/False.

    Fails early when `proc` has exited (waiting longer cannot help), and on
    timeout; both failures show the tail of `logs`. On success `proc` is told
    it is ready (it records its start-up time).
    """
    logs = list(logs)
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result is not None and result is not False:
            if proc is not None:
                proc.mark_ready()
            return result
        if proc is not None and proc.poll() is not None:
            raise _fail(f"process exited with status {proc.poll()} while waiting for {what}", logs)
        if time.monotonic() >= deadline:
            raise _fail(f"timed out after {timeout}s waiting for {what}", logs)
        time.sleep(interval)


def tcp_listening(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a socket is in LISTEN state on host:port (or on 0.0.0.0:port).

    Looks at the kernel's socket table instead of connecting: a probe
    connection would reach an MTA's or the manager's session code (the MTA
    opens a milter session for it, the manager logs a session), and tests
    assert on those logs. A listening socket accepts connections: the kernel
    completes the handshake for it.
    """
    for conn in psutil.net_connections(kind="tcp4"):
        if (conn.status == psutil.CONN_LISTEN and conn.laddr
                and conn.laddr.port == port and conn.laddr.ip in (host, "0.0.0.0")):
            return True
    return False


def tcp_accepts(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def milter_negotiates(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a milter on host:port answers a negotiate (protocol.md: `O`
    with version 6, every action, every step) with its own `O`; then quits.

    For children whose main process listens long before a worker serves
    (rspamd); never used on the manager or an MTA, whose logs tests read.
    """
    offer = struct.pack("!III", 6, 0x1FF, 0x1FFFFF)
    try:
        with socket.create_connection((host, port), timeout=2.0) as sock:
            sock.sendall(struct.pack("!I", len(offer) + 1) + b"O" + offer)
            header = sock.recv(5, socket.MSG_WAITALL)
            answered = len(header) == 5 and header[4:5] == b"O"
            sock.sendall(struct.pack("!I", 1) + b"Q")
            return answered
    except OSError:
        return False


def unix_accepts(path: Path) -> bool:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(0.5)
        sock.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def wait_tcp(
    port: int,
    *,
    host: str = "127.0.0.1",
    timeout: float,
    proc: Pollable | None = None,
    logs: Iterable[Path] = (),
) -> None:
    """Wait until something listens on host:port (without connecting)."""
    wait_until(lambda: tcp_listening(port, host), timeout=timeout,
               what=f"a listener on {host}:{port}", proc=proc, logs=logs)


def wait_unix(
    path: Path,
    *,
    timeout: float,
    proc: Pollable | None = None,
    logs: Iterable[Path] = (),
) -> None:
    """Wait until the unix socket at `path` exists and accepts a connection."""
    wait_until(lambda: unix_accepts(path), timeout=timeout,
               what=f"a listener on unix:{path}", proc=proc, logs=logs)


def wait_closed(port: int, *, host: str = "127.0.0.1", timeout: float,
                logs: Iterable[Path] = ()) -> None:
    """Wait until nothing accepts on host:port any more (after a stop)."""
    wait_until(lambda: not tcp_listening(port, host), timeout=timeout,
               what=f"{host}:{port} to close", logs=logs)
