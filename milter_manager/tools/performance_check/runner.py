"""Sending the mail list in the selected mode (tools.md §3.1 "Load options").

Every mail is one `SmtpSession`, and every session of a worker runs on that
worker's one event loop:

* default: up to `--n-concurrent-connections` sessions at a time, the next
  mail starting when one ends;
* `--interval` / `--period`: one mail started every INTERVAL (PERIOD / number
  of mails), each in its own session whatever the others do;
* `--flood[=PERIOD]`: `--n-concurrent-connections` lanes, each sending the
  mail list in a loop, one mail after the other, until PERIOD has elapsed
  (checked before each mail) or until interrupted.

`--n-workers` forks that many processes, each running a `Runner` over the
whole list; each result travels to the parent as one JSON line over a socket
pair, so the parent's loop aggregates, reports and draws the progress bar.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import asdict

from milter_manager.manager.connection import Stream
from milter_manager.manager.loop import EventLoop

from .mails import Mailer, MailSource
from .options import Settings
from .smtp import Plan, Result, SmtpSession


class Runner:
    """One worker's sending, on `loop`; `on_result` gets every finished mail."""

    def __init__(self, loop: EventLoop, settings: Settings, sources: list[MailSource],
                 credentials: tuple[str, str] | None,
                 on_result: Callable[[Result], None]) -> None:
        self.loop = loop
        self.settings = settings
        self.sources = list(sources)
        if settings.shuffle:
            random.shuffle(self.sources)
        self.credentials = credentials
        self.on_result = on_result
        self.mailer = Mailer(settings)
        self.active: set[SmtpSession] = set()
        self.pending = 0     # scheduled or running mails
        self.stopped = False
        self.started_at = 0.0

    @property
    def done(self) -> bool:
        return self.pending == 0

    # -- one mail ---------------------------------------------------------------------------

    def _send(self, source: MailSource, after: Callable[[], None] | None = None) -> None:
        s = self.settings
        plan = Plan(self.mailer.next(source), starttls=s.starttls,
                    credentials=self.credentials, auth_mechanism=s.auth_mechanism,
                    xclient_name=s.connect_host, xclient_address=s.connect_address)

        def finished(result: Result) -> None:
            self.active.discard(session)
            self.on_result(result)
            if after is not None and not self.stopped:
                after()
            self.pending -= 1

        session = SmtpSession(self.loop, (s.smtp_server, s.smtp_port), plan,
                              s.reading_timeout, finished)
        self.active.add(session)
        session.start()

    # -- modes ---------------------------------------------------------------------------------

    def start(self) -> None:
        self.started_at = self.loop.update_time()
        s = self.settings
        if not self.sources:
            return
        if s.flood:
            self._start_flood()
        elif s.interval is not None or s.period is not None:
            interval = s.interval if s.interval is not None else s.period / len(self.sources)
            self._start_interval(interval)
        else:
            self._start_concurrent()

    def _start_concurrent(self) -> None:
        queue = deque(self.sources)
        self.pending = len(queue)

        def next_mail() -> None:
            if queue and not self.stopped:
                self._send(queue.popleft(), next_mail)

        for _ in range(min(self.settings.n_concurrent_connections, len(queue))):
            next_mail()

    def _start_interval(self, interval: float) -> None:
        self.pending = len(self.sources)
        self.timers = []
        for index, source in enumerate(self.sources):
            def start(source: MailSource = source) -> None:
                if not self.stopped:
                    self._send(source)
            self.timers.append(self.loop.call_later(index * interval, start))

    def _start_flood(self) -> None:
        period = self.settings.flood_period
        lanes = self.settings.n_concurrent_connections
        self.pending = lanes

        def lane(index: int) -> None:
            elapsed = self.loop.update_time() - self.started_at
            if self.stopped or (period is not None and elapsed >= period):
                self.pending -= 1  # this lane is over
                return
            self.pending += 1
            self._send(self.sources[index % len(self.sources)],
                       lambda: lane(index + 1))

        for _ in range(lanes):
            lane(0)

    def interrupt(self) -> None:
        """Ctrl-C: start nothing more and drop the sessions in progress."""
        self.stopped = True
        for timer in getattr(self, "timers", []):
            timer.cancel()
        for session in list(self.active):
            session.abort()
        self.active.clear()
        self.pending = 0


# -- worker processes --------------------------------------------------------------------------

def _result_line(result: Result) -> bytes:
    return json.dumps(asdict(result)).encode() + b"\n"


def _worker_main(sock: socket.socket, settings: Settings, sources: list[MailSource],
                 credentials: tuple[str, str] | None) -> None:
    """A forked worker: run the list, stream results to the parent, exit."""
    interrupted = False
    loop = EventLoop()
    out = sock.makefile("wb")

    def on_result(result: Result) -> None:
        out.write(_result_line(result))
        out.flush()

    runner = Runner(loop, settings, sources, credentials, on_result)

    def on_signal(signum: int, frame: object) -> None:
        nonlocal interrupted
        interrupted = True
        loop.call_soon_threadsafe(runner.interrupt)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    runner.start()
    loop.run_until(lambda: runner.done)
    out.close()
    sock.close()


class _ResultReader:
    """The parent's end of one worker's socket: JSON lines → Results."""

    def __init__(self, on_result: Callable[[Result], None]) -> None:
        self.on_result = on_result
        self.buffer = b""
        self.closed = False

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            if line:
                self.on_result(Result(**json.loads(line)))

    def eof_received(self) -> None:
        self.closed = True

    def connection_lost(self, error: BaseException | None) -> None:
        self.closed = True


class Workers:
    """`--n-workers` processes, each with its own Runner, and their results
    on the parent's loop."""

    def __init__(self, loop: EventLoop, settings: Settings, sources: list[MailSource],
                 credentials: tuple[str, str] | None,
                 on_result: Callable[[Result], None]) -> None:
        self.loop = loop
        self.pids: list[int] = []
        self.readers: list[_ResultReader] = []
        self.streams: list[Stream] = []
        for _ in range(settings.n_workers):
            parent_end, child_end = socket.socketpair()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child
                status = 0
                try:
                    parent_end.close()
                    _worker_main(child_end, settings, sources, credentials)
                except BaseException:  # noqa: BLE001 - the child must never return
                    status = 1
                finally:
                    os._exit(status)
            child_end.close()
            self.pids.append(pid)
            reader = _ResultReader(on_result)
            self.readers.append(reader)
            self.streams.append(Stream(loop, parent_end, reader))

    @property
    def done(self) -> bool:
        return all(reader.closed for reader in self.readers)

    def interrupt(self) -> None:
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    def reap(self) -> None:
        for stream in self.streams:
            stream.close()
        for pid in self.pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
