"""Fixtures for the daemon tests: every process a test starts is killed by
pid in a finaliser, every directory removed."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from .support import Daemon, shared_dir, writable_dir
from .tiny_milter import TinyMilter


@pytest.fixture
def workdir():
    path = shared_dir()
    writable_dir(path / "run")
    yield path
    shutil.rmtree(path, ignore_errors=True)


class Processes:
    def __init__(self) -> None:
        self.daemons: list[Daemon] = []
        self.pids: list[int] = []
        self.milters: list[TinyMilter] = []

    def daemon(self, *args: str, **kwargs) -> Daemon:
        daemon = Daemon(*args, **kwargs)
        self.daemons.append(daemon)
        return daemon

    def milter(self, name: str, **kwargs) -> TinyMilter:
        milter = TinyMilter(name, **kwargs).start()
        self.milters.append(milter)
        return milter

    def adopt(self, pid: int) -> int:
        """A process the test did not start itself (a daemon, a launched milter)."""
        self.pids.append(pid)
        return pid

    def close(self) -> None:
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for daemon in self.daemons:
            daemon.close()
        for milter in self.milters:
            milter.stop()


@pytest.fixture
def procs():
    processes = Processes()
    yield processes
    processes.close()


@pytest.fixture
def config_dir(workdir: Path) -> Path:
    path = workdir / "config"
    path.mkdir()
    path.chmod(0o755)
    return path
