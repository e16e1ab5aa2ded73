"""The process launcher (cli.md §11).

In privilege mode the still-root manager forks this process at start-up
step 6. It keeps root and does one thing: on a `launch` request from the
manager (or a worker) it starts a child milter, as `milter.user_name` when
given, and answers `success` or `error`. It exits when the command pipe
reaches EOF (every manager process is gone); what it started keeps running.

Wire format (§11.2): frames of a 4-byte big-endian length and a payload.
The manager side is `LauncherClient`; the launcher side `Launcher`.

Test-only switch (approved by the spec README, listed in compat/DEVIATIONS.md):
`MILTER_MANAGER_TEST_UNPRIVILEGED_LAUNCHER=1` keeps `security.privilege_mode`
as configured for a non-root manager, so the launcher runs unprivileged.
"""

from __future__ import annotations

import os
import pwd
import shlex
import signal
import struct
import subprocess
from typing import Any

from milter_manager.manager.loop import EVENT_READ, EventLoop

from .logger import DEBUG, ERROR, DaemonLogger

UNPRIVILEGED_SWITCH = "MILTER_MANAGER_TEST_UNPRIVILEGED_LAUNCHER"
MAX_PAYLOAD = 1 << 20


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


class FrameBuffer:
    """Reassembles frames from a byte stream."""

    def __init__(self) -> None:
        self.data = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        self.data += chunk
        frames = []
        while len(self.data) >= 4:
            (length,) = struct.unpack(">I", self.data[:4])
            if len(self.data) < 4 + length:
                break
            frames.append(bytes(self.data[4:4 + length]))
            del self.data[:4 + length]
        return frames


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


class DecodeError(Exception):
    pass


def decode_launch(payload: bytes) -> tuple[str, str | None]:
    """§11.2 decoding: (COMMAND_LINE, USER_NAME or None)."""
    end = payload.find(b"\0")
    if end <= 0:
        raise DecodeError(f"launch command isn't terminated by NULL: <{_text(payload)}>")
    name = payload[:end]
    if name != b"launch":
        raise DecodeError(f"unexpected command was received: <{_text(name)}>")
    rest = payload[end + 1:]
    command_end = rest.find(b"\0")
    if command_end <= 0:
        raise DecodeError("Command line isn't terminated by NULL on spawn-child command: "
                          f"<{_text(rest)}>")
    user = rest[command_end + 1:]
    return _text(rest[:command_end]), (_text(user) if user else None)


# --- the launcher process --------------------------------------------------------

class Launcher:
    """Runs in the launcher process: reads requests, starts processes."""

    def __init__(self, loop: EventLoop, command_fd: int, reply_fd: int,
                 log: DaemonLogger) -> None:
        self.loop = loop
        self.command_fd = command_fd
        self.reply_fd = reply_fd
        self.log = log
        self.buffer = FrameBuffer()
        self.running: dict[str, subprocess.Popen] = {}
        self.outputs: dict[int, tuple[Any, int, str]] = {}
        os.set_blocking(command_fd, False)
        self._command_file = os.fdopen(command_fd, "rb", buffering=0, closefd=False)
        loop.watch(self._command_file, EVENT_READ, _Reader(self._read_commands))

    def _read_commands(self) -> None:
        try:
            data = os.read(self.command_fd, 65536)
        except (BlockingIOError, InterruptedError):
            return
        if not data:
            self.loop.unwatch(self._command_file)
            self.loop.stop()              # §11.1: every manager process is gone
            return
        for payload in self.buffer.feed(data):
            self.handle(payload)

    def reply(self, payload: bytes) -> None:
        try:
            os.write(self.reply_fd, frame(payload))
        except OSError:
            pass

    def handle(self, payload: bytes) -> None:
        try:
            command_line, user = decode_launch(payload)
        except DecodeError as error:
            # [deviation] upstream logs it and sends no reply.
            self.log.log(ERROR, f"[launcher][error][decode] {error}")
            self.reply(b"error\0" + str(error).encode("utf-8", "surrogateescape"))
            return
        error = self.launch(command_line, user)
        if error is None:
            self.reply(b"success\0")
            return
        self.log.log(ERROR, f"[launcher][error][launch] <{command_line}>@<{user or 'NULL'}>: "
                            f"{error}")
        self.reply(b"error\0" + error.encode("utf-8", "surrogateescape"))

    def launch(self, command_line: str, user: str | None) -> str | None:
        """§11.3; the error message, or None on success."""
        process = self.running.get(command_line)
        if process is not None and process.poll() is None:
            return f"already launched: <{command_line}>"
        entry = None
        if user is not None:
            try:
                entry = pwd.getpwnam(user)
            except KeyError:
                return f"No password entry: <{user}>"
            except OSError as error:
                return f"No password entry: <{user}>: {error.strerror}"
        try:
            argv = shlex.split(command_line, posix=True)
        except ValueError as error:
            return f"Command string has invalid character(s): <{command_line}>: {error}"
        if not argv:
            return (f"Command string has invalid character(s): <{command_line}>: "
                    "Text was empty (or contained only whitespace)")
        if entry is None:
            self.log.log(DEBUG, "[launcher][child][authority][not-set]")
        else:
            self.log.log(DEBUG, f"[launcher][child][authority][group] <{entry.pw_gid}>")
            self.log.log(DEBUG, f"[launcher][child][authority][groups] "
                                f"<{entry.pw_name}>:<{entry.pw_gid}>")
            self.log.log(DEBUG, f"[launcher][child][authority][user] <{entry.pw_uid}>")
        try:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, close_fds=True,
                # The launcher runs no threads, so preexec_fn is safe here.
                preexec_fn=_authority(entry) if entry is not None else _child_signals)  # noqa: PLW1509
        except OSError as error:
            return (f"Couldn't start new process: <{command_line}>: Failed to execute "
                    f"child process \"{argv[0]}\" ({error.strerror})")
        self.running[command_line] = process
        for stream, tag in ((process.stdout, "output"), (process.stderr, "error")):
            if stream is not None:
                os.set_blocking(stream.fileno(), False)
                self.loop.watch(stream, EVENT_READ,
                                _Reader(lambda s=stream, t=tag, p=process.pid: self._output(s, t, p)))
        self.log.log(DEBUG, f"[launcher][start] <{command_line}>")
        return None

    def _output(self, stream: Any, tag: str, pid: int) -> None:
        try:
            data = os.read(stream.fileno(), 65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.loop.unwatch(stream)
            stream.close()
            return
        self.log.log(DEBUG, f"[{pid}] [launcher][{tag}] <{_text(data)}>")

    def reap(self) -> None:
        """SIGCHLD: forget finished processes (no restart, §11.3)."""
        for command_line, process in list(self.running.items()):
            status = process.poll()
            if status is None:
                continue
            del self.running[command_line]
            if status < 0:
                self.log.log(DEBUG, f"[launcher][finish][signaled] {-status}: <{command_line}>")
            else:
                self.log.log(DEBUG, f"[launcher][finish][success] <{command_line}>")


def _child_signals() -> None:
    """The started milter gets default signal dispositions and no mask."""
    for signum in (signal.SIGPIPE, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1,
                   signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def _authority(entry: pwd.struct_passwd):
    def switch() -> None:
        _child_signals()
        for step, call in (("group", lambda: os.setgid(entry.pw_gid)),
                           ("groups", lambda: os.initgroups(entry.pw_name, entry.pw_gid)),
                           ("user", lambda: os.setuid(entry.pw_uid))):
            try:
                call()
            except OSError as error:
                # [deviation] upstream logs the failure and execs anyway, as root.
                os.write(2, f"[launcher][error][child][authority][{step}] "
                            f"{entry.pw_name}: {error.strerror}\n".encode())
                os._exit(127)
    return switch


class _Reader:
    __slots__ = ("callback",)

    def __init__(self, callback) -> None:
        self.callback = callback

    def handle_read(self) -> None:
        self.callback()

    def handle_write(self) -> None:  # pragma: no cover
        pass


def run_launcher(command_fd: int, reply_fd: int, log: DaemonLogger,
                 detach: bool = False) -> int:
    """The launcher process's main (after the fork, or standalone in tests)."""
    from .proctitle import set_process_name
    from .signals import SignalPipe
    set_process_name("milter-manager: process-launcher")
    if detach:
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
    # Ctrl-C or a reload signal meant for the manager's process group must
    # not stop the launcher: it ends when the command pipe reaches EOF.
    loop = EventLoop()
    launcher = Launcher(loop, command_fd, reply_fd, log)

    def dispatch(signum: int) -> None:
        if signum == signal.SIGCHLD:
            launcher.reap()
        elif signum == signal.SIGTERM:
            loop.stop()
    pipe = SignalPipe(loop, dispatch)
    pipe.install()
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
        signal.signal(signum, signal.SIG_IGN)
    loop.run_forever()
    return 0


def start_launcher(log: DaemonLogger, detach: bool,
                   close_in_child: tuple[int, ...] = ()) -> LauncherClient:
    """Start-up step 6: fork the launcher; the parent gets a client."""
    try:
        command_r, command_w = os.pipe()
    except OSError as error:
        raise LauncherStartError(
            f"failed to create pipe for launcher command: {error.strerror}") from None
    try:
        reply_r, reply_w = os.pipe()
    except OSError as error:
        raise LauncherStartError(
            f"failed to create pipe for launcher reply: {error.strerror}") from None
    try:
        pid = os.fork()
    except OSError as error:
        raise LauncherStartError(
            f"failed to fork process launcher process: {error.strerror}") from None
    if pid == 0:
        status = 1
        try:
            os.close(command_w)
            os.close(reply_r)
            for fd in close_in_child:
                try:
                    os.close(fd)
                except OSError:
                    pass
            log.after_fork("milter-manager-process-launcher")
            status = run_launcher(command_r, reply_w, log, detach)
        finally:
            os._exit(status)
    os.close(command_r)
    os.close(reply_w)
    return LauncherClient(command_w, reply_r, pid)


class LauncherStartError(Exception):
    pass


# --- the manager side --------------------------------------------------------------

class LauncherClient:
    """Sends launch requests (manager.md §9.3) and reads the replies (§11.2)."""

    def __init__(self, command_fd: int, reply_fd: int, pid: int) -> None:
        self.command_fd = command_fd
        self.reply_fd: int | None = reply_fd
        self.pid = pid
        self.log: DaemonLogger | None = None
        self._buffer = FrameBuffer()
        self._reply_file: Any = None
        self._loop: EventLoop | None = None

    def launch(self, command_line: str, user_name: str | None) -> None:
        """One write() of a small frame: requests of several workers never
        interleave (§9)."""
        from milter_manager.manager.server import encode_launch_request
        os.write(self.command_fd, encode_launch_request(command_line, user_name))

    def watch_replies(self, loop: EventLoop, log: DaemonLogger) -> None:
        """Read the reply pipe continuously so it never fills."""
        if self.reply_fd is None:
            return
        self._loop = loop
        self.log = log
        os.set_blocking(self.reply_fd, False)
        self._reply_file = os.fdopen(self.reply_fd, "rb", buffering=0, closefd=False)
        loop.watch(self._reply_file, EVENT_READ, _Reader(self._read))

    def _read(self) -> None:
        assert self.reply_fd is not None
        try:
            data = os.read(self.reply_fd, 65536)
        except (BlockingIOError, InterruptedError):
            return
        if not data:
            self.close_replies()
            return
        for payload in self._buffer.feed(data):
            name, _, message = payload.partition(b"\0")
            if name == b"error" and self.log is not None:
                self.log.log(ERROR, f"[launcher][reply][error] {_text(message)}")

    def close_replies(self) -> None:
        """Workers leave the replies to the master (one reader, whole frames)."""
        if self._loop is not None and self._reply_file is not None:
            self._loop.unwatch(self._reply_file)
            self._reply_file.close()
        if self.reply_fd is not None:
            try:
                os.close(self.reply_fd)
            except OSError:
                pass
        self.reply_fd = None
        self._reply_file = None
        self._loop = None

