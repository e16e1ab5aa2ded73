"""Pre-forked workers (cli.md §9).

The master owns the listening socket, the controller, the launcher pipes,
the pid file and the signals; each worker accepts on the inherited
listening socket and serves whole sessions on its own event loop. Master and
worker are joined by a socketpair: the worker sends its counters as one JSON
line after each `[sessions][finished]` line (§12.4) and shuts down
gracefully when it reads EOF (the master is gone).

[deviation] Upstream's master neither replaces a dead worker nor forwards
SIGHUP/SIGUSR1; this one does both and drains the workers on SIGTERM.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import socket
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from milter_manager.manager.loop import EVENT_READ, EventLoop, make_selector

from . import signals as sig
from .logger import INFO, WARNING
from .proctitle import set_process_name
from .status import Counters

if TYPE_CHECKING:
    from .startup import Daemon

THROTTLE_DEATHS = 5          # more than this many deaths of one id ...
THROTTLE_WINDOW = 10.0       # ... within this many seconds ...
THROTTLE_DELAY = 1.0         # ... delay each further restart by this much


@dataclass
class Worker:
    id: int
    pid: int
    channel: socket.socket
    counters: Counters = field(default_factory=Counters)
    buffer: bytes = b""
    alive: bool = True


class _Channel:
    """The master's end of one worker's control channel."""

    def __init__(self, pool: WorkerPool, worker: Worker) -> None:
        self.pool = pool
        self.worker = worker

    def handle_read(self) -> None:
        worker = self.worker
        try:
            data = worker.channel.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.pool.loop.unwatch(worker.channel)
            return
        worker.buffer += data
        *lines, worker.buffer = worker.buffer.split(b"\n")
        for line in lines:
            try:
                worker.counters = Counters.of(json.loads(line))
            except (ValueError, TypeError, IndexError, AttributeError):
                continue

    def handle_write(self) -> None:  # pragma: no cover
        pass


class WorkerPool:
    """The master's side: fork, watch, restart, signal, sum."""

    def __init__(self, daemon: Daemon, n_workers: int) -> None:
        self.daemon = daemon
        assert daemon.loop is not None
        self.loop: EventLoop = daemon.loop
        self.n_workers = n_workers
        self.workers: dict[int, Worker] = {}
        self.retired = Counters()
        self.deaths: dict[int, collections.deque[float]] = collections.defaultdict(
            collections.deque)
        self.shutting_down = False

    def start(self) -> None:
        for worker_id in range(1, self.n_workers + 1):
            self.spawn(worker_id)

    def spawn(self, worker_id: int) -> None:
        if self.shutting_down:
            return
        master_end, worker_end = socket.socketpair()
        signal.pthread_sigmask(signal.SIG_BLOCK, sig.HANDLED)
        try:
            pid = os.fork()
        except OSError as error:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, sig.HANDLED)
            master_end.close()
            worker_end.close()
            self.daemon.logger.log(WARNING, f"[client][worker][fork][error] {worker_id}: "
                                            f"{error.strerror}")
            self.loop.call_later(THROTTLE_DELAY, self.spawn, worker_id)
            return
        if pid == 0:
            status = 1
            try:
                master_end.close()
                status = run_worker(self.daemon, self, worker_id, worker_end)
            finally:
                os._exit(status)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, sig.HANDLED)
        worker_end.close()
        master_end.setblocking(False)
        worker = Worker(worker_id, pid, master_end)
        self.workers[worker_id] = worker
        self.loop.watch(master_end, EVENT_READ, _Channel(self, worker))

    def master_descriptors(self) -> list[Any]:
        """What a new worker must close: the other workers' channels."""
        return [worker.channel for worker in self.workers.values()]

    def reap(self) -> None:
        for worker in list(self.workers.values()):
            try:
                pid, status = os.waitpid(worker.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = worker.pid, 0
            if pid:
                self._exited(worker, status)

    def _exited(self, worker: Worker, status: int) -> None:
        del self.workers[worker.id]
        _Channel(self, worker).handle_read()       # its last counters, if unread
        self.loop.unwatch(worker.channel)
        worker.channel.close()
        self.retired.add(worker.counters, processing=False)
        if self.shutting_down:
            if not self.workers:
                self.loop.stop()
            return
        if os.WIFSIGNALED(status):
            text = f"killed by signal {os.WTERMSIG(status)}"
        else:
            text = f"exited with {os.waitstatus_to_exitcode(status)}"
        self.daemon.logger.log(WARNING, f"[client][worker][exit] <{worker.id}>: <{worker.pid}>: "
                                        f"{text}")
        now = time.monotonic()
        deaths = self.deaths[worker.id]
        deaths.append(now)
        while deaths and now - deaths[0] > THROTTLE_WINDOW:
            deaths.popleft()
        if len(deaths) > THROTTLE_DEATHS:
            self.daemon.logger.log(WARNING, f"[client][worker][restart][throttle] <{worker.id}>")
            self.loop.call_later(THROTTLE_DELAY, self.spawn, worker.id)
        else:
            self.spawn(worker.id)

    def forward(self, signum: int) -> None:
        for worker in self.workers.values():
            try:
                os.kill(worker.pid, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        """First SIGTERM: every worker drains; the loop stops when all exited."""
        self.shutting_down = True
        if not self.workers:
            self.loop.stop()
            return
        self.forward(signal.SIGTERM)

    def kill(self) -> None:
        self.shutting_down = True
        self.forward(signal.SIGKILL)

    def totals(self) -> tuple[Counters, list[tuple[int, int, Counters]]]:
        totals = Counters()
        totals.add(self.retired, processing=False)
        workers = []
        for worker_id in sorted(self.workers):
            worker = self.workers[worker_id]
            totals.add(worker.counters)
            workers.append((worker.id, worker.pid, worker.counters))
        return totals, workers


# --- the worker process ------------------------------------------------------------

def run_worker(daemon: Daemon, pool: WorkerPool, worker_id: int,
               channel: socket.socket) -> int:
    """The worker's main, in the forked child (signals still blocked)."""
    master_loop = daemon.loop
    # Drop what belongs to the master.
    if daemon.signals is not None:
        daemon.signals.close()
    for other in pool.master_descriptors():
        other.close()
    if daemon.controller is not None:
        for connection in list(daemon.controller.connections):
            connection.stream.sock.close()
        daemon.controller.listening.sock.close()
        daemon.controller = None
    elif daemon.controller_listening is not None:
        daemon.controller_listening.sock.close()
    daemon.controller_listening = None
    if daemon.launcher is not None:
        daemon.launcher.close_replies()
    if daemon.readiness is not None:
        daemon.readiness.close_in_child()
        daemon.readiness = None
    daemon.pid_file = None
    daemon.pool = None
    daemon.worker_id = worker_id
    daemon.logger.after_fork()
    if master_loop is not None:
        master_loop.close()
    set_process_name(f"milter-manager: worker {worker_id}")

    loop = EventLoop(make_selector(daemon.backend))
    daemon.loop = loop
    manager = daemon.make_manager(loop)
    daemon.manager = manager

    def report() -> None:
        line = json.dumps(Counters.of(manager.status()).as_dict(), separators=(",", ":"))
        try:
            channel.sendall(line.encode() + b"\n")
        except OSError:
            pass
    manager.on_sessions_finished = report
    channel.setblocking(True)
    loop.watch(channel, EVENT_READ, _MasterGone(daemon, channel))

    daemon.signals = sig.SignalPipe(loop, daemon.dispatch_signal)
    daemon.signals.install()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, sig.HANDLED)
    daemon.logger.log(INFO, f"[client][event-loop][{daemon.backend}]")
    manager.run_forever()
    channel.close()
    # Never the master's socket file or pid file: only close.
    if daemon.hard_signal is not None:
        sig.die_by(daemon.hard_signal)
    return 0


class _MasterGone:
    """EOF on the control channel: the master is gone, drain (§9)."""

    def __init__(self, daemon: Daemon, channel: socket.socket) -> None:
        self.daemon = daemon
        self.channel = channel

    def handle_read(self) -> None:
        try:
            data = self.channel.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            return                      # the master never writes
        assert self.daemon.loop is not None
        self.daemon.loop.unwatch(self.channel)
        if not self.daemon.draining:
            self.daemon.shutdown()

    def handle_write(self) -> None:  # pragma: no cover
        pass
