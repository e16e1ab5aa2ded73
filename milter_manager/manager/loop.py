"""The single-threaded event loop every session runs on.

Readiness comes from `selectors`, deadlines live in a heap, short callbacks
queue in a deque. One loop turn is: wait for readiness (or the next
deadline), dispatch ready sockets, run expired timers, run queued callbacks,
then flush every stream that was written to during the turn. Flushing once
per turn batches a `D` and the command it precedes, or the modifications of
an end-of-message answer, into one `send` (the performance issue's "batched
writes per loop turn").

Nothing here knows about milters. Results computed on other threads (stoppers
run on the interpreter's workers, `manager.md` §12) come back through
`call_soon_threadsafe`, which wakes the loop through a socket pair.
"""

from __future__ import annotations

import heapq
import logging
import os
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger("milter_manager.manager.loop")

EVENT_READ = selectors.EVENT_READ
EVENT_WRITE = selectors.EVENT_WRITE
#: the timer heap is never compacted below this size
_MIN_PURGE = 1024


class Handler(Protocol):
    """What a registered file object's handler must provide."""

    def handle_read(self) -> None: ...

    def handle_write(self) -> None: ...


class Flushable(Protocol):
    def flush(self) -> None: ...


class Timer:
    """A one-shot callback at a point in time; `cancel()` is cheap (lazy)."""

    __slots__ = ("_args", "_callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[..., Any], args: tuple) -> None:
        self.when = when
        self._callback = callback
        self._args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        self._callback = None  # type: ignore[assignment]
        self._args = ()

    def _fire(self, when: float) -> None:
        if not self.cancelled:
            callback, args = self._callback, self._args
            self.cancel()
            callback(*args)

    def _stale(self, when: float) -> bool:
        return self.cancelled


class Deadline:
    """A re-armable timeout that costs no heap push in the common case.

    Per-child reading/writing timeouts are armed for nearly every command.
    Re-arming only moves `_when`; the heap holds at most one entry per
    deadline, and an entry that fires early is pushed again for the real
    deadline. Deadlines usually only move later, so re-arming is O(1).
    """

    __slots__ = ("_callback", "_loop", "_scheduled", "_when")

    def __init__(self, loop: EventLoop, callback: Callable[[], Any]) -> None:
        self._loop = loop
        self._callback = callback
        self._when: float | None = None
        self._scheduled: float | None = None

    @property
    def armed(self) -> bool:
        return self._when is not None

    def arm(self, seconds: float) -> None:
        when = self._loop._now + seconds     # the turn's time (EventLoop.time())
        self._when = when
        if self._scheduled is None or self._scheduled > when:
            self._scheduled = when
            self._loop._push_timer(when, self)

    def cancel(self) -> None:
        self._when = None

    def _fire(self, when: float) -> None:
        if self._scheduled != when:
            return  # a stale heap entry: a newer, earlier one was pushed
        self._scheduled = None
        target = self._when
        if target is None:
            return
        if target > when + 1e-9:
            self._scheduled = target
            self._loop._push_timer(target, self)
            return
        self._when = None
        self._callback()

    def _stale(self, when: float) -> bool:
        """The heap entry for `when` will never call back; dropping it also
        drops the reference to the callback's owner (a whole session)."""
        if self._scheduled != when:
            return True         # a newer, earlier entry exists
        if self._when is None:
            self._scheduled = None      # cancelled: a later arm() pushes again
            return True
        return False


class EventLoop:
    """selectors loop + timer heap + call-soon queue + thread-safe wakeup."""

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        self._selector = selector if selector is not None else selectors.DefaultSelector()
        self._timers: list[tuple[float, int, Any]] = []
        self._seq = 0
        # Cancelled timers and deadlines stay in the heap until their time
        # (lazy cancel); the MTA inactivity deadline is two hours away, so
        # without a purge every finished session would stay in memory that
        # long. The heap is compacted when it doubles (amortised O(1)).
        self._purge_at = _MIN_PURGE
        self._ready: deque[tuple[Callable[..., Any], tuple]] = deque()
        self._threadsafe: deque[tuple[Callable[..., Any], tuple]] = deque()
        self._dirty: list[Flushable] = []
        self._idle: list[Callable[[], Any]] = []
        self._running = False
        self._stopping = False
        self._thread_id: int | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._wake_pending = False
        self._wake_lock = threading.Lock()
        self._selector.register(self._wake_r, EVENT_READ, _Waker(self))
        self._now = time.monotonic()
        self.closed = False

    # -- time -------------------------------------------------------------
    def time(self) -> float:
        """Monotonic time, refreshed once per loop turn (cheap to call)."""
        return self._now

    def update_time(self) -> float:
        self._now = time.monotonic()
        return self._now

    # -- callbacks --------------------------------------------------------
    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        self._ready.append((callback, args))

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> Timer:
        timer = Timer(self._now + max(0.0, delay), callback, args)
        self._push_timer(timer.when, timer)
        return timer

    def deadline(self, callback: Callable[[], Any]) -> Deadline:
        return Deadline(self, callback)

    def call_soon_threadsafe(self, callback: Callable[..., Any], *args: Any) -> None:
        """Queue a callback from any thread and wake the loop."""
        self._threadsafe.append((callback, args))
        with self._wake_lock:
            if self._wake_pending:
                return
            self._wake_pending = True
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass

    def when_idle(self, callback: Callable[[], Any]) -> None:
        """Run `callback` once, the next time the loop has nothing to do."""
        self._idle.append(callback)

    def _push_timer(self, when: float, entry: Any) -> None:
        self._seq += 1
        heapq.heappush(self._timers, (when, self._seq, entry))
        if len(self._timers) > self._purge_at:
            self._purge_timers()

    def _purge_timers(self) -> None:
        """Drop the heap entries that will never fire."""
        kept = [item for item in self._timers if not item[2]._stale(item[0])]
        heapq.heapify(kept)
        self._timers[:] = kept      # in place: run_once may be popping from it
        self._purge_at = max(_MIN_PURGE, 2 * len(kept))

    # -- file objects -----------------------------------------------------
    def watch(self, fileobj: Any, events: int, handler: Handler) -> None:
        self._selector.register(fileobj, events, handler)

    def modify(self, fileobj: Any, events: int, handler: Handler) -> None:
        self._selector.modify(fileobj, events, handler)

    def unwatch(self, fileobj: Any) -> None:
        try:
            self._selector.unregister(fileobj)
        except (KeyError, ValueError):
            pass

    def mark_dirty(self, stream: Flushable) -> None:
        """`stream.flush()` runs at the end of this loop turn."""
        self._dirty.append(stream)

    # -- running ----------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def in_loop_thread(self) -> bool:
        return self._thread_id == threading.get_ident()

    def stop(self) -> None:
        """Stop `run_forever` after the current turn (thread-safe)."""
        if self.in_loop_thread():
            self._stopping = True
        else:
            self.call_soon_threadsafe(self._set_stopping)

    def _set_stopping(self) -> None:
        self._stopping = True

    def run_forever(self) -> None:
        self._running = True
        self._stopping = False
        self._thread_id = threading.get_ident()
        try:
            while not self._stopping:
                self.run_once()
        finally:
            self._running = False
            self._thread_id = None

    def run_until(self, predicate: Callable[[], bool], timeout: float | None = None) -> bool:
        """Run turns until `predicate()` is true (tests and tools)."""
        self._thread_id = threading.get_ident()
        limit = None if timeout is None else time.monotonic() + timeout
        while not predicate():
            if limit is not None and time.monotonic() > limit:
                return False
            self.run_once(max_wait=0.05)
        return True

    def run_once(self, max_wait: float | None = None) -> None:
        if self._ready or self._threadsafe or self._dirty:
            timeout: float | None = 0.0
        elif self._timers:
            timeout = max(0.0, self._timers[0][0] - time.monotonic())
        else:
            timeout = None
        if self._idle and timeout != 0.0:
            timeout = 0.0
            check_idle = True
        else:
            check_idle = False
        if max_wait is not None and (timeout is None or timeout > max_wait):
            timeout = max_wait
        events = self._selector.select(timeout)
        self._now = time.monotonic()
        if check_idle and not events:
            self._run_idle()
        for key, mask in events:
            handler = key.data
            try:
                if mask & EVENT_READ:
                    handler.handle_read()
                if mask & EVENT_WRITE:
                    handler.handle_write()
            except Exception:
                log.exception("[loop][error] unhandled exception in an I/O handler")
        timers = self._timers
        now = self._now
        while timers and timers[0][0] <= now:
            when, _, entry = heapq.heappop(timers)
            try:
                entry._fire(when)
            except Exception:
                log.exception("[loop][error] unhandled exception in a timer")
        if self._threadsafe:
            threadsafe = self._threadsafe
            while threadsafe:
                self._ready.append(threadsafe.popleft())
        ready = self._ready
        for _ in range(len(ready)):
            callback, args = ready.popleft()
            try:
                callback(*args)
            except Exception:
                log.exception("[loop][error] unhandled exception in a callback")
        self.flush_dirty()

    def flush_dirty(self) -> None:
        while self._dirty:
            dirty, self._dirty = self._dirty, []
            for stream in dirty:
                try:
                    stream.flush()
                except Exception:
                    log.exception("[loop][error] unhandled exception while flushing")

    def _run_idle(self) -> None:
        idle, self._idle = self._idle, []
        for callback in idle:
            try:
                callback()
            except Exception:
                log.exception("[loop][error] unhandled exception in an idle callback")

    def _drain_wakeup(self) -> None:
        with self._wake_lock:
            self._wake_pending = False
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.unwatch(self._wake_r)
        self._wake_r.close()
        self._wake_w.close()
        self._selector.close()


class _Waker:
    __slots__ = ("_loop",)

    def __init__(self, loop: EventLoop) -> None:
        self._loop = loop

    def handle_read(self) -> None:
        self._loop._drain_wakeup()

    def handle_write(self) -> None:  # pragma: no cover - never registered for write
        pass


def make_selector(backend: str | None) -> selectors.BaseSelector:
    """cli.md §10: `glib` → poll, `libev` → the platform's best selector."""
    if backend == "libev":
        return selectors.DefaultSelector()
    if hasattr(selectors, "PollSelector") and os.name == "posix":
        return selectors.PollSelector()
    return selectors.DefaultSelector()
