"""Signal handling through a self-pipe (cli.md §8): the handlers do nothing
but let `signal.set_wakeup_fd` write the signal number into a pipe that the
event loop watches; the work runs in the loop."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from milter_manager.manager.loop import EVENT_READ, EventLoop

HANDLED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGCHLD)


def _noop(signum: int, frame: object) -> None:
    """The wakeup fd already carries the signal number."""


class SignalPipe:
    """Delivers signals to `dispatch(signum)` on the loop thread."""

    def __init__(self, loop: EventLoop, dispatch: Callable[[int], None]) -> None:
        self.loop = loop
        self.dispatch = dispatch
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.read_fd, False)
        os.set_blocking(self.write_fd, False)
        self._file = os.fdopen(self.read_fd, "rb", buffering=0, closefd=False)

    def install(self) -> None:
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        for signum in HANDLED:
            signal.signal(signum, _noop)
        signal.set_wakeup_fd(self.write_fd, warn_on_full_buffer=False)
        self.loop.watch(self._file, EVENT_READ, self)

    def handle_read(self) -> None:
        try:
            data = os.read(self.read_fd, 512)
        except (BlockingIOError, InterruptedError):
            return
        for signum in data:
            self.dispatch(signum)

    def handle_write(self) -> None:  # pragma: no cover - never registered for write
        pass

    def close(self) -> None:
        """In a forked child, or at exit: stop delivering."""
        try:
            signal.set_wakeup_fd(-1)
        except ValueError:
            pass
        self.loop.unwatch(self._file)
        self._file.close()
        for fd in (self.read_fd, self.write_fd):
            try:
                os.close(fd)
            except OSError:
                pass


def restore_defaults() -> None:
    for signum in HANDLED:
        signal.signal(signum, signal.SIG_DFL)


def die_by(signum: int) -> None:
    """Hard stop (§8.1): the process dies by the signal, as upstream."""
    signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)
