"""The process launcher (cli.md §11): through the daemon (a child milter
with `command` is started on the first session and serves it), and its wire
protocol against the launcher process alone (every reply text of §11.2, §11.3)."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from .support import (
    TINY_MILTER,
    clean_env,
    free_port,
    ruby_config,
    session,
    start_daemon,
    wait_until,
)

SYSTEM_PYTHON = Path("/usr/bin/python3")


def launched(port: int) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if str(TINY_MILTER) in cmdline and str(port) in cmdline:
            found.append(process)
    return found


def launch_config(port: int, python: str, user: str | None) -> str:
    user_line = f'  milter.user_name = "{user}"\n' if user else ""
    return ruby_config(extra=(
        "security.privilege_mode = true\n"
        'define_milter("launched") do |milter|\n'
        f'  milter.connection_spec = "inet:{port}@127.0.0.1"\n'
        f'  milter.command = "{python}"\n'
        f'  milter.command_options = ["{TINY_MILTER}", "--port", "{port}", "--name", "launched"]\n'
        + user_line + "end"))


@pytest.mark.slow      # the connection retry waits 5 s (manager.md §9.3)
def test_a_milter_that_is_not_running_is_launched_and_serves(procs, workdir):
    # Run as nobody, like the manager; the system interpreter can be executed
    # by nobody and the tiny milter needs only the standard library.
    assert SYSTEM_PYTHON.exists()
    port = free_port()
    daemon = start_daemon(procs, workdir, launch_config(port, str(SYSTEM_PYTHON), "nobody"),
                          user="nobody")
    assert launched(port) == []
    # manager.md §9.3: refused, launch request, one retry 5 s later.
    assert session(daemon.spec) == (b"c", ["launched"])
    (milter,) = launched(port)
    procs.adopt(milter.pid)
    assert milter.uids().effective == psutil.Process(daemon.pid).uids().effective == 65534
    assert psutil.Process(milter.pid).ppid() != daemon.pid       # the launcher's child
    log = daemon.log_text()
    assert f"[launcher][start] <{SYSTEM_PYTHON} {TINY_MILTER} --port {port} --name launched>" \
        in log
    # Already running: the next session is served at once.
    assert session(daemon.spec) == (b"c", ["launched"])
    assert len(launched(port)) == 1
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    assert milter.is_running()                 # started milters are not killed (§11.1)


@pytest.mark.slow
def test_unprivileged_launcher_switch(procs, workdir):
    # Test-only switch (compat/DEVIATIONS.md): privilege mode without root.
    port = free_port()
    env = clean_env(MILTER_MANAGER_TEST_UNPRIVILEGED_LAUNCHER="1")
    daemon = start_daemon(procs, workdir, launch_config(port, sys.executable, None),
                          env=env)
    assert session(daemon.spec) == (b"c", ["launched"])
    for milter in launched(port):
        procs.adopt(milter.pid)
    assert "[launcher][child][authority][not-set]" in daemon.log_text()


# --- the wire, against the launcher process alone -----------------------------------------

LAUNCHER = """
import sys
from milter_manager.daemon.launcher import run_launcher
from milter_manager.daemon.logger import DaemonLogger
log = DaemonLogger()
log.level = 1022
sys.exit(run_launcher(int(sys.argv[1]), int(sys.argv[2]), log))
"""


class LauncherProcess:
    def __init__(self, log: Path) -> None:
        command_r, self.command_w = os.pipe()
        self.reply_r, reply_w = os.pipe()
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(command_r), str(reply_w)],
                pass_fds=(command_r, reply_w), stdout=out, stderr=subprocess.STDOUT,
                env=clean_env())
        os.close(command_r)
        os.close(reply_w)

    def request(self, payload: bytes) -> bytes:
        os.write(self.command_w, struct.pack(">I", len(payload)) + payload)
        (length,) = struct.unpack(">I", self._read(4))
        return self._read(length)

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = os.read(self.reply_r, n - len(data))
            assert chunk, "the launcher closed its reply pipe"
            data += chunk
        return data

    def text(self) -> str:
        return self.log.read_text()

    def close(self) -> int:
        os.close(self.command_w)
        status = self.process.wait(20)
        os.close(self.reply_r)
        return status


def test_launcher_replies(workdir, procs):
    launcher = LauncherProcess(workdir / "launcher.log")
    try:
        assert launcher.request(b"launch\0/bin/true\0") == b"success\0"
        wait_until(lambda: "[launcher][finish][success] </bin/true>" in launcher.text())
        assert launcher.request(b"launch\0/bin/sleep 30\0") == b"success\0"
        assert launcher.request(b"launch\0/bin/sleep 30\0") == \
            b"error\0already launched: </bin/sleep 30>"
        sleeper = next(p for p in psutil.Process(launcher.process.pid).children()
                       if p.cmdline() == ["/bin/sleep", "30"])
        procs.adopt(sleeper.pid)
        sleeper.send_signal(signal.SIGTERM)
        wait_until(lambda: "[launcher][finish][signaled] 15: </bin/sleep 30>" in launcher.text())
        assert launcher.request(b"launch\0/bin/true\0no-such-user") == \
            b"error\0No password entry: <no-such-user>"
        reply = launcher.request(b'launch\0/bin/echo "-n\0')
        assert reply.startswith(b'error\0Command string has invalid character(s): '
                                b'</bin/echo "-n>: ')
        assert launcher.request(b"launch\0/bin/oecho\0") == (
            b"error\0Couldn't start new process: </bin/oecho>: Failed to execute child "
            b'process "/bin/oecho" (No such file or directory)')
        assert launcher.request(b"launch\0id -u\0nobody") == b"success\0"
        wait_until(lambda: "] [launcher][output] <65534\n>" in launcher.text())
        # Decode errors are answered ([deviation] upstream sends nothing).
        assert launcher.request(b"launch") == \
            b"error\0launch command isn't terminated by NULL: <launch>"
        assert launcher.request(b"stop\0x\0") == b"error\0unexpected command was received: <stop>"
        assert launcher.request(b"launch\0abc") == (
            b"error\0Command line isn't terminated by NULL on spawn-child command: <abc>")
        assert "[launcher][error][launch] </bin/oecho>@<NULL>: Couldn't start" in launcher.text()
        assert "[launcher][error][decode] unexpected command was received: <stop>" in \
            launcher.text()
    finally:
        assert launcher.close() == 0           # EOF on the command pipe: exit 0
