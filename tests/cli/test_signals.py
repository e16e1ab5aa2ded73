"""Signals (cli.md §8): reload without dropping sessions, a failed reload
keeps the old configuration, log reopening, graceful and hard stops."""

from __future__ import annotations

import os
import re
import signal
import socket
import threading

import pytest

from .support import MtaSession, connect, ruby_config, session, start_daemon, wait_until


def test_sighup_reload_new_sessions_use_the_new_configuration(procs, workdir):
    a, b = procs.milter("a"), procs.milter("b")
    daemon = start_daemon(procs, workdir, ruby_config([("a", a.spec)]))
    assert session(daemon.spec) == (b"c", ["a"])
    in_progress = MtaSession(daemon.spec)
    in_progress.until_data()               # its children were made with the old config
    daemon.config_file.write_text(ruby_config([("a", a.spec), ("b", b.spec)]))
    daemon.signal(signal.SIGHUP)
    daemon.wait_log("[manager][reload][signal][success]")
    assert session(daemon.spec) == (b"c", ["a", "b"])
    assert in_progress.finish() == b"c"
    assert in_progress.seen_by() == ["a"]


def test_sighup_with_a_broken_configuration_keeps_the_old_one(procs, workdir):
    a, b = procs.milter("a"), procs.milter("b")
    daemon = start_daemon(procs, workdir, ruby_config([("a", a.spec), ("b", b.spec)]))
    broken = ruby_config([("a", a.spec)]) + 'manager.fallback_status = "bogus"\n'
    daemon.config_file.write_text(broken)
    line = len(broken.splitlines())
    daemon.signal(signal.SIGHUP)
    daemon.wait_log("[manager][reload][signal][error]")
    assert re.search(re.escape(f"[manager][reload][signal][error] {daemon.config_file}:{line}: ")
                     + r"manager\.fallback_status should be one of .* but was \"bogus\"",
                     daemon.log_text())
    assert session(daemon.spec) == (b"c", ["a", "b"])


def test_sigusr1_reopens_the_moved_log_file(procs, workdir):
    a = procs.milter("a")
    daemon = start_daemon(procs, workdir, ruby_config([("a", a.spec)]))
    rotated = daemon.log.with_name("manager.log.1")
    os.rename(daemon.log, rotated)
    daemon.signal(signal.SIGUSR1)
    wait_until(lambda: daemon.log.exists() and "[logger][reopen][open]" in daemon.log_text())
    assert session(daemon.spec) == (b"c", ["a"])
    wait_until(lambda: "[session][end]" in daemon.log_text())
    old = rotated.read_text()
    assert "[logger][reopen][close]" in old
    assert "[session][end]" not in old


def test_failed_reopen_keeps_writing_to_the_old_file(procs, workdir):
    # As nobody the root-owned log directory refuses the new file (§8.3).
    a = procs.milter("a")
    logs = workdir / "logs"
    logs.mkdir(mode=0o755)
    # The later --log-path wins; it is opened as root before the drop.
    daemon = start_daemon(procs, workdir, ruby_config([("a", a.spec)]), "--log-path",
                          str(logs / "manager.log"), user="nobody")
    daemon.log = logs / "manager.log"
    daemon.wait_log("[client][event-loop]")
    rotated = logs / "manager.log.1"
    os.rename(daemon.log, rotated)
    daemon.signal(signal.SIGUSR1)
    wait_until(lambda: "[logger][reopen][open][warning]" in rotated.read_text())
    assert f"[logger][reopen][open][warning] <{daemon.log}>: Permission denied" in \
        rotated.read_text()
    assert session(daemon.spec) == (b"c", ["a"])
    wait_until(lambda: "[session][end]" in rotated.read_text())
    assert not daemon.log.exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_first_signal_drains_sessions_then_exits_cleanly(procs, workdir, signum):
    slow = procs.milter("slow", delay_eom=1.5)
    path = workdir / "run" / "m.sock"
    daemon = start_daemon(procs, workdir, ruby_config([("slow", slow.spec)]),
                          spec=f"unix:{path}")
    mta = MtaSession(daemon.spec)
    mta.until_data()
    result = {}
    finisher = threading.Thread(target=lambda: result.setdefault("status", mta.finish()))
    finisher.start()
    wait_until(lambda: slow.sessions >= 1)
    daemon.signal(signum)
    daemon.wait_log("[manager][shutdown][start]")

    def refused():
        try:
            connect(daemon.spec, timeout=2).close()
        except (ConnectionRefusedError, FileNotFoundError):
            return True
        return False
    assert wait_until(refused)               # [deviation] closed at once
    finisher.join(30)
    assert result["status"] == b"c" and mta.seen_by() == ["slow"]
    assert daemon.wait() == 0
    assert not path.exists() and not daemon.pid_file.exists()


def test_second_signal_is_a_hard_stop(procs, workdir):
    slow = procs.milter("slow", delay_eom=30)
    path = workdir / "run" / "m.sock"
    daemon = start_daemon(procs, workdir, ruby_config([("slow", slow.spec)]),
                          spec=f"unix:{path}")
    mta = MtaSession(daemon.spec)
    mta.until_data()
    daemon.signal(signal.SIGTERM)
    daemon.wait_log("[manager][shutdown][start]")
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == -signal.SIGTERM
    # [deviation] the socket file and the pid file do not stay behind.
    assert not path.exists() and not daemon.pid_file.exists()
    with pytest.raises((ConnectionError, socket.timeout, OSError)):
        mta.finish()
