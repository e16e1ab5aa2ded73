"""Daemons started by the tests, recorded by pid and stopped by pid.

real-components.md (conventions): every process a test starts is stopped by
its pid (or by the component's own stop command) in the fixture's teardown,
never by name: other instances of the same daemons may run on the machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

from .waiting import describe_logs


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

    def stop(self, *, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        """Signal the recorded pid, wait, then make sure no descendant is left.

        Descendants (rspamd's and spamd's workers, Postfix's services) are
        looked up before the signal, while they are still the main process's
        children, and any that outlive it are killed by their own pid.
        """
        if self.popen is None:
            return
        self.remember_children()
        if self.popen.poll() is None:
            try:
                os.kill(self.popen.pid, sig)
            except ProcessLookupError:
                pass
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
        left = self.stragglers()
        for proc in left:
            try:
                proc.terminate()
            except psutil.NoSuchProcess:
                pass
        _, alive = psutil.wait_procs(left, timeout=timeout)
        for proc in alive:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass

    def assert_stopped(self) -> None:
        left = self.stragglers()
        if left or self.alive():
            raise StrayProcess(
                f"{self.name}: processes still alive after teardown: "
                f"{[p.pid for p in left]}" + describe_logs(self.logs))

    def __repr__(self) -> str:
        pid = self.popen.pid if self.popen else None
        return f"<ManagedProcess {self.name} pid={pid}>"
