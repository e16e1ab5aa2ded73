"""Daemons started by the tests, recorded by pid and stopped by pid.

real-components.md (conventions): every process a test starts is stopped by
its pid (or by the component's own stop command) in the fixture's teardown,
never by name: other instances of the same daemons may run on the machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

from .waiting import describe_logs

# (component, seconds from start until ready) for every start in this run;
# the e2e conftest prints a summary at the end of the run.
STARTUP_TIMES: list[tuple[str, float]] = []


class StrayProcess(AssertionError):
    """A recorded process (or one of its children) outlived its teardown."""


class ManagedProcess:
    """One daemon running in the foreground, its output in a log file.

    `logs` lists every file worth showing when something goes wrong (the
    captured stdout/stderr first, then the daemon's own log files).
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str | os.PathLike[str]],
        *,
        output: Path,
        logs: Sequence[Path] = (),
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = [os.fspath(arg) for arg in argv]
        self.output = output
        self.logs = [output, *logs]
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.popen: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        # pid -> creation time of the process and of the children it forked,
        # as last seen alive; teardown checks every one of them is gone. The
        # creation time tells our process from a later one that reused the pid.
        self.known: dict[int, float] = {}

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} was never started"
        return self.popen.pid

    def start(self) -> ManagedProcess:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        with open(self.output, "ab") as out:
            out.write(f"$ {' '.join(self.argv)}\n".encode())
            out.flush()
            # A session of its own: a ^C aimed at pytest does not hit the
            # daemon before its fixture can stop it in order.
            self.started_at = time.monotonic()
            self.popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=self.cwd, env=self.env, start_new_session=True)
        self._remember(psutil.Process(self.popen.pid))
        return self

    def _remember(self, proc: psutil.Process) -> None:
        try:
            self.known[proc.pid] = proc.create_time()
        except psutil.NoSuchProcess:
            pass

    def mark_ready(self) -> None:
        """Record how long the start took (called by the readiness wait)."""
        STARTUP_TIMES.append((self.name.split(":")[0], time.monotonic() - self.started_at))

    def poll(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def remember_children(self) -> None:
        """Record the pids of the process's descendants (its workers)."""
        if not self.alive():
            return
        try:
            children = psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for child in children:
            self._remember(child)

    def send_signal(self, sig: int = signal.SIGTERM) -> None:
        """Send `sig` to the recorded pid (if it still runs), without waiting.

        Descendants (rspamd's and spamd's workers, Postfix's services) are
        recorded first, while they are still the main process's children, so
        that any that outlive it can be found by their own pid.
        """
        if self.popen is None or self.popen.poll() is not None:
            return
        self.remember_children()
        try:
            os.kill(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, *, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        """Signal the recorded pid, wait, then make sure no descendant is left
        (SIGKILL, by pid, for whatever did not exit in time)."""
        if self.popen is None:
            return
        self.send_signal(sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)
        self.reap_stragglers(timeout=5.0)

    def wait_exit(self, timeout: float) -> int:
        """Wait for the process to exit by itself (after a stop command)."""
        assert self.popen is not None
        self.remember_children()
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise StrayProcess(
                f"{self.name} (pid {self.pid}) did not exit within {timeout}s of its stop command"
                + describe_logs(self.logs)) from None

    def stragglers(self) -> list[psutil.Process]:
        """Recorded processes still alive (same pid and same creation time)."""
        left = []
        for pid, created in sorted(self.known.items()):
            try:
                proc = psutil.Process(pid)
                if proc.create_time() == created and proc.status() != psutil.STATUS_ZOMBIE:
                    left.append(proc)
            except psutil.NoSuchProcess:
                continue
        return left

    def reap_stragglers(self, *, timeout: float) -> None:
        """SIGTERM, then SIGKILL after `timeout`, each recorded process still
        alive. A zombie counts as gone: orphans are reaped by pid 1, on its
        own schedule (psutil.wait_procs would wait for that)."""
        deadline = time.monotonic() + timeout
        sig = signal.SIGTERM
        while left := self.stragglers():
            if time.monotonic() >= deadline:
                if sig == signal.SIGKILL:
                    break
                sig, deadline = signal.SIGKILL, time.monotonic() + 5.0
            for proc in left:
                try:
                    proc.send_signal(sig)
                except psutil.NoSuchProcess:
                    pass
            time.sleep(0.02)

    def assert_stopped(self) -> None:
        left = self.stragglers()
        if left or self.alive():
            raise StrayProcess(
                f"{self.name}: processes still alive after teardown: "
                f"{[p.pid for p in left]}" + describe_logs(self.logs))

    def __repr__(self) -> str:
        pid = self.popen.pid if self.popen else None
        return f"<ManagedProcess {self.name} pid={pid}>"


class Reaper:
    """Stops session-scoped daemons together at the end of the run.

    libmilter-based milters (opendkim, clamav-milter, spamass-milter) take
    about 5 s to exit after SIGTERM (their listener wakes up on a timeout);
    signalling them all first and then waiting costs those 5 s once instead
    of once per daemon.
    """

    def __init__(self) -> None:
        self.pending: list[ManagedProcess] = []

    def terminate(self, processes: list[ManagedProcess]) -> None:
        for proc in processes:
            proc.send_signal()
            self.pending.append(proc)

    def wait_all(self, timeout: float = 30.0) -> None:
        for proc in self.pending:
            proc.stop(timeout=timeout)  # already signalled: waits, kills if needed
        for proc in self.pending:
            proc.assert_stopped()
