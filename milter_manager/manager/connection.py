"""A non-blocking stream socket with a write buffer, on the event loop.

`Stream` reads whatever is available and hands it to its protocol object;
writes are queued and flushed at the end of the loop turn in one
`send`/`sendmsg` (a slow peer never blocks the loop: what the kernel does not
take stays queued and is sent when the socket is writable). Flush callbacks
tell the caller when a given write has left the buffer: that is when a
command's reading timeout starts and when a NO_REPLY command counts as
answered (`manager.md` §9.1, `protocol.md` §8.1).

`connect_stream` opens a client connection without blocking and reports
whether a failure was immediate or asynchronous, because `manager.md` §9.3
treats the two differently.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from typing import Any, Protocol

from .loop import EVENT_READ, EVENT_WRITE, Deadline, EventLoop

READ_SIZE = 65536
# sendmsg() takes at most IOV_MAX (1024 on Linux) buffers per call.
_IOV_MAX = 1024


class StreamProtocol(Protocol):
    def data_received(self, data: bytes) -> None: ...

    def eof_received(self) -> None: ...

    def connection_lost(self, error: BaseException | None) -> None: ...


class Stream:
    """One connected socket: read callbacks, buffered writes, close."""

    __slots__ = (
        "_backlogged",
        "_dirty",
        "_events",
        "_flush_waiters",
        "_on_write_timeout",
        "_queued",
        "_sent",
        "_wbuf",
        "_write_deadline",
        "_write_timeout",
        "closed",
        "drained",
        "fileno",
        "loop",
        "protocol",
        "reading",
        "sock",
    )

    def __init__(self, loop: EventLoop, sock: socket.socket, protocol: StreamProtocol) -> None:
        self.loop = loop
        self.sock = sock
        self.protocol = protocol
        self.fileno = sock.fileno()
        self._wbuf: list[bytes | memoryview] = []
        self._queued = 0          # bytes ever queued
        self._sent = 0            # bytes ever sent
        self._flush_waiters: list[tuple[int, Callable[[], Any]]] = []
        self._dirty = False
        self.closed = False
        self.reading = True
        self._write_deadline: Deadline | None = None
        self._write_timeout = 0.0
        self._on_write_timeout: Callable[[], Any] | None = None
        #: called when data that could not be sent at once has all been sent
        self.drained: Callable[[], Any] | None = None
        self._backlogged = False
        sock.setblocking(False)
        self._events = EVENT_READ
        loop.watch(sock, EVENT_READ, self)

    # -- configuration ----------------------------------------------------
    def set_write_timeout(self, seconds: float, on_timeout: Callable[[], Any]) -> None:
        """`on_timeout` runs when queued data stays unflushed for `seconds`."""
        self._write_timeout = seconds
        self._on_write_timeout = on_timeout

    @property
    def write_pending(self) -> int:
        return self._queued - self._sent

    # -- writing ----------------------------------------------------------
    def write(self, data: bytes | memoryview) -> None:
        if self.closed or not data:
            return
        self._wbuf.append(data)
        self._queued += len(data)
        if not self._dirty:
            self._dirty = True
            self.loop._dirty.append(self)       # loop.mark_dirty(self), once per write

    def writelines(self, chunks: list[bytes | memoryview]) -> None:
        if self.closed:
            return
        for data in chunks:
            if data:
                self._wbuf.append(data)
                self._queued += len(data)
        if not self._dirty and self._wbuf:
            self._dirty = True
            self.loop.mark_dirty(self)

    def on_flushed(self, callback: Callable[[], Any]) -> None:
        """Call `callback` once everything queued so far has been sent."""
        if self._queued == self._sent:
            callback()
        else:
            self._flush_waiters.append((self._queued, callback))

    def flush(self) -> None:
        self._dirty = False
        if self.closed or not self._wbuf:
            return
        buf = self._wbuf
        try:
            if len(buf) == 1:
                n = self.sock.send(buf[0])
            else:
                n = self.sock.sendmsg(buf[:_IOV_MAX])
        except (BlockingIOError, InterruptedError):
            n = 0
        except OSError as error:
            self._fail(error)
            return
        if n:
            if n == self._queued - self._sent and not self._flush_waiters:
                # Everything left in one call (nearly always): no partial-write
                # bookkeeping, no flush callbacks to run.
                self._sent += n
                buf.clear()
                if self._write_deadline is not None:
                    self._write_deadline.cancel()
            else:
                self._consume(n)
        if self._wbuf:
            self._backlogged = True
            if not self._events & EVENT_WRITE:
                self._events |= EVENT_WRITE
                self.loop.modify(self.sock, self._events, self)
            if self._on_write_timeout is not None and (
                    self._write_deadline is None or not self._write_deadline.armed):
                if self._write_deadline is None:
                    self._write_deadline = self.loop.deadline(self._write_timed_out)
                self._write_deadline.arm(self._write_timeout)
        else:
            if self._events & EVENT_WRITE:
                self._events &= ~EVENT_WRITE
                if not self.closed:
                    self.loop.modify(self.sock, self._events, self)
            if self._backlogged:
                self._backlogged = False
                if self.drained is not None:
                    self.drained()

    def _consume(self, n: int) -> None:
        self._sent += n
        buf = self._wbuf
        while n:
            first = buf[0]
            size = len(first)
            if n >= size:
                n -= size
                del buf[0]
            else:
                buf[0] = memoryview(first)[n:]
                n = 0
        if not buf and self._write_deadline is not None:
            self._write_deadline.cancel()
        waiters = self._flush_waiters
        if waiters:
            sent = self._sent
            while waiters and waiters[0][0] <= sent:
                _, callback = waiters.pop(0)
                callback()

    def _write_timed_out(self) -> None:
        if self._wbuf and not self.closed and self._on_write_timeout is not None:
            self._on_write_timeout()

    def handle_write(self) -> None:
        if not self.closed:
            self.flush()

    # -- reading ----------------------------------------------------------
    def handle_read(self) -> None:
        if self.closed:
            return
        try:
            data = self.sock.recv(READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._fail(error)
            return
        if data:
            self.protocol.data_received(data)
        else:
            self.pause_reading()
            self.protocol.eof_received()

    def pause_reading(self) -> None:
        if self.reading and not self.closed:
            self.reading = False
            self._events &= ~EVENT_READ
            self._apply_events()

    def resume_reading(self) -> None:
        if not self.reading and not self.closed:
            self.reading = True
            self._events |= EVENT_READ
            self._apply_events()

    def _apply_events(self) -> None:
        if self._events:
            try:
                self.loop.modify(self.sock, self._events, self)
            except KeyError:
                self.loop.watch(self.sock, self._events, self)
        else:
            self.loop.unwatch(self.sock)

    # -- closing ----------------------------------------------------------
    def _fail(self, error: BaseException) -> None:
        if self.closed:
            return
        self._close_now()
        self.protocol.connection_lost(error)

    def close(self) -> None:
        """Close at once; unsent data is dropped (a peer we are done with)."""
        if self.closed:
            return
        self._close_now()

    def close_after_flush(self) -> None:
        """Send what is queued (best effort, now), then close."""
        if self.closed:
            return
        if self._wbuf:
            self.flush()
        self.close()

    def _close_now(self) -> None:
        self.closed = True
        if self._write_deadline is not None:
            self._write_deadline.cancel()
        self._wbuf = []
        self._flush_waiters = []
        self.loop.unwatch(self.sock)
        try:
            self.sock.close()
        except OSError:
            pass


class ConnectResult:
    """Outcome of `connect_stream`: a socket, or an error and when it happened."""

    __slots__ = ("error", "immediate", "sock")

    def __init__(self, sock: socket.socket | None, error: OSError | None, immediate: bool) -> None:
        self.sock = sock
        self.error = error
        self.immediate = immediate


class _Connector:
    __slots__ = ("callback", "deadline", "done", "loop", "sock")

    def __init__(self, loop: EventLoop, sock: socket.socket,
                 callback: Callable[[ConnectResult], Any]) -> None:
        self.loop = loop
        self.sock = sock
        self.callback = callback
        self.deadline: Deadline | None = None
        self.done = False

    def handle_read(self) -> None:  # pragma: no cover - registered for write only
        pass

    def handle_write(self) -> None:
        if self.done:
            return
        self._finish()
        err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.sock.close()
            self.callback(ConnectResult(None, OSError(err, _strerror(err)), False))
        else:
            self.callback(ConnectResult(self.sock, None, False))

    def timed_out(self) -> None:
        if self.done:
            return
        self._finish()
        self.sock.close()
        self.callback(ConnectResult(None, TimeoutError(errno.ETIMEDOUT, "connection timeout"), False))

    def cancel(self) -> None:
        if not self.done:
            self._finish()
            self.sock.close()

    def _finish(self) -> None:
        self.done = True
        self.loop.unwatch(self.sock)
        if self.deadline is not None:
            self.deadline.cancel()


def _strerror(err: int) -> str:
    import os
    return os.strerror(err)


def connect_stream(loop: EventLoop, family: int, address: Any, timeout: float,
                   callback: Callable[[ConnectResult], Any]) -> _Connector | None:
    """Start a non-blocking connect; `callback(ConnectResult)` reports the end.

    An immediate failure (socket creation, or `connect()` failing with
    anything but "in progress") is reported synchronously with
    `immediate=True`; returns the pending connector otherwise (so the caller
    can cancel it), or None when the outcome was already reported.
    """
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as error:
        callback(ConnectResult(None, error, True))
        return None
    sock.setblocking(False)
    if family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
    err = sock.connect_ex(address)
    if err == 0:
        callback(ConnectResult(sock, None, True))
        return None
    # EAGAIN on a Unix socket means "listen queue full", a real failure.
    in_progress = err in (errno.EINPROGRESS, errno.EALREADY) or (
        err == errno.EAGAIN and family != socket.AF_UNIX)
    if in_progress:
        connector = _Connector(loop, sock, callback)
        loop.watch(sock, EVENT_WRITE, connector)
        connector.deadline = loop.deadline(connector.timed_out)
        connector.deadline.arm(timeout)
        return connector
    sock.close()
    callback(ConnectResult(None, OSError(err, _strerror(err)), True))
    return None
