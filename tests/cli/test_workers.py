"""Pre-forked workers (cli.md §9): a killed worker is replaced and sessions
keep being served; HUP and USR1 reach the workers; the controller sums their
counters (§12.4); SIGTERM drains them all."""

from __future__ import annotations

import os
import re
import signal

import psutil

from .support import control, free_port, ruby_config, session, start_daemon, wait_until


def workers_of(controller: str) -> dict[int, int]:
    """{worker id: pid} from get-status."""
    name, body = control(controller, "get-status")
    assert name == "status"
    return {int(i): int(p) for i, p in
            re.findall(r"<worker><id>(\d+)</id><pid>(\d+)</pid>", body.decode())}


def start(procs, workdir, milters, *args):
    controller = f"inet:{free_port()}@127.0.0.1"
    config = ruby_config(milters, extra=f'controller.connection_spec = "{controller}"')
    daemon = start_daemon(procs, workdir, config, "--n-workers", "2", *args)
    daemon.wait_log("[client][event-loop]", count=3)     # the master and two workers
    return daemon, controller


def test_killed_worker_is_replaced_and_sessions_keep_being_served(procs, workdir):
    a = procs.milter("a")
    daemon, controller = start(procs, workdir, [("a", a.spec)])
    assert "[client][workers][run] <2>" in daemon.log_text()
    workers = workers_of(controller)
    assert sorted(workers) == [1, 2]
    assert psutil.Process(daemon.pid).name() == "milter-manager"     # §15
    for pid in workers.values():
        assert psutil.Process(pid).name() == "milter-manager"
        assert psutil.Process(pid).ppid() == daemon.pid
        assert psutil.Process(pid).uids().effective == 0     # --user-name root
    assert all(session(daemon.spec) == (b"c", ["a"]) for _ in range(4))
    # Each worker reports after its [sessions][finished] line.
    wait_until(lambda: b"<processed>4</processed>" in control(controller, "get-status")[1])
    os.kill(workers[1], signal.SIGKILL)
    replaced = wait_until(lambda: (w := workers_of(controller)).get(1) not in (None, workers[1])
                          and w)
    assert replaced[2] == workers[2]
    daemon.wait_log(f"[client][worker][exit] <1>: <{workers[1]}>: killed by signal 9")
    assert all(session(daemon.spec) == (b"c", ["a"]) for _ in range(6))
    # Counters of the dead worker are kept (§12.4).
    wait_until(lambda: b"<processed>10</processed>" in control(controller, "get-status")[1])


def test_signals_are_forwarded_and_sigterm_drains_the_workers(procs, workdir):
    a, b = procs.milter("a"), procs.milter("b")
    daemon, controller = start(procs, workdir, [("a", a.spec)])
    workers = workers_of(controller)
    daemon.config_file.write_text(ruby_config(
        [("a", a.spec), ("b", b.spec)], extra=f'controller.connection_spec = "{controller}"'))
    daemon.signal(signal.SIGHUP)
    daemon.wait_log("[manager][reload][signal][success]", count=3)
    assert all(session(daemon.spec) == (b"c", ["a", "b"]) for _ in range(4))
    daemon.log.rename(daemon.log.with_name("manager.log.1"))
    daemon.signal(signal.SIGUSR1)
    wait_until(lambda: daemon.log_text().count("[logger][reopen][open]") == 3)
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"
                   for pid in workers.values())
    assert not daemon.pid_file.exists()
