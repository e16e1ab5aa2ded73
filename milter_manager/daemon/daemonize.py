"""Daemon mode (cli.md §5.1, §5.2): double fork with a readiness pipe.

The foreground process waits on the pipe and exits 0 only once the daemon
has reached start-up step 14 (listening, privileges dropped, pid file
written, workers forked), or 1 with the daemon's error message.
"""

from __future__ import annotations

import os
import sys


class DaemonizeError(Exception):
    """Printed after `failed to daemonize: `."""


class Readiness:
    """The daemon's end of the readiness pipe."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    def ready(self) -> None:
        self._send(b"\0")

    def failed(self, message: str) -> None:
        self._send(b"\1" + message.encode("utf-8", "surrogateescape"))

    def _send(self, data: bytes) -> None:
        fd = self.fd
        if fd is None:
            return
        self.fd = None
        try:
            os.write(fd, data)
        except OSError:
            pass
        os.close(fd)

    def close_in_child(self) -> None:
        """A forked worker or launcher must not hold the pipe open."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def daemonize() -> Readiness:
    """Returns in the daemon (grandchild) only; the foreground process exits
    with the status the daemon reports (§5.2)."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError as error:
        raise DaemonizeError(f"failed to fork child process: {error.strerror}") from None
    if pid > 0:
        os.close(write_fd)
        os._exit(_wait_for_daemon(read_fd, pid))
    os.close(read_fd)
    try:
        os.setsid()
    except OSError as error:
        _child_fail(write_fd, f"failed to create session: {error.strerror}")
    try:
        pid = os.fork()
    except OSError as error:
        _child_fail(write_fd, f"failed to fork grandchild process: {error.strerror}")
    if pid > 0:
        os._exit(0)
    try:
        os.chdir("/")
    except OSError as error:
        _child_fail(write_fd, "failed to change working directory to '/': "
                              f"{error.strerror}")
    # [deviation] upstream uses umask(0): files made later would be world-writable.
    os.umask(0o022)
    for fd, name, flags in ((0, "STDIN", os.O_RDONLY), (1, "STDOUT", os.O_WRONLY),
                            (2, "STDERR", os.O_WRONLY)):
        try:
            null = os.open("/dev/null", flags)
        except OSError as error:
            _child_fail(write_fd, f"failed to open /dev/null for {name}: {error.strerror}")
        try:
            os.dup2(null, fd)
        except OSError as error:
            _child_fail(write_fd, f"failed to detach {name}: {error.strerror}")
        if null != fd:
            os.close(null)
    return Readiness(write_fd)


def _child_fail(fd: int, message: str) -> None:
    os.write(fd, b"\1" + f"failed to daemonize: {message}".encode())
    os._exit(1)


def _wait_for_daemon(fd: int, child: int) -> int:
    data = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except InterruptedError:
            continue
        if not chunk:
            break
        data += chunk
    try:
        os.waitpid(child, 0)          # the middle process exits at once
    except ChildProcessError:
        pass
    if data[:1] == b"\0":
        return 0
    if data[:1] == b"\1":
        os.write(1, data[1:] + b"\n")
        return 1
    os.write(1, b"milter-manager exited before it was ready\n")
    return 1
