"""Stress detection behind `Breaker` (ruby-subset.md §9.9): lazy, once per
Breaker, the process table read through psutil (no `ps` subprocess), the
smtpd limit from the running master's own `postconf` and `master.cf`."""

import subprocess
import time

import pytest

from milter_manager.config.library import breaker as breaker_module
from milter_manager.config.library.breaker import (
    Breaker,
    detect_threshold,
    process_command_lines,
)


@pytest.fixture
def fake_postfix(tmp_path):
    """A process whose command line is a Postfix master under PREFIX, with
    PREFIX/sbin/postconf and a master.cf limiting smtpd to 40 processes."""
    prefix = tmp_path / "prefix"
    master = prefix / "libexec" / "postfix" / "master"
    postconf = prefix / "sbin" / "postconf"
    config = tmp_path / "etc-postfix"
    for path in (master.parent, postconf.parent, config):
        path.mkdir(parents=True)
    master.write_text("#!/bin/sh\nwhile :; do sleep 1; done\n")
    postconf.write_text(f"#!/bin/sh\necho 'default_process_limit = 100'\n"
                        f"echo 'config_directory = {config}'\n")
    (config / "master.cf").write_text(
        "# service type private unpriv chroot wakeup maxproc command\n"
        "#smtp inet n - y - 10 smtpd\n"
        "smtp      inet  n       -       y       -       40      smtpd\n"
        "submission inet n - y - 5 smtpd\n")
    for path in (master, postconf):
        path.chmod(0o755)
    process = subprocess.Popen([str(master), "-w"])
    line = f"/bin/sh {master} -w"
    deadline = time.monotonic() + 10
    while line not in process_command_lines() and time.monotonic() < deadline:
        time.sleep(0.05)
    yield line, config
    process.kill()
    process.wait()


def test_master_found_in_the_process_table_and_its_own_postconf(fake_postfix):
    line, _config = fake_postfix
    assert line in process_command_lines()
    logs = []
    # PREFIX/sbin/postconf (not the system's) says where master.cf is: 40 * 3/4
    assert detect_threshold(lambda level, message: logs.append(message),
                            lambda: ["bash", line]) == 30
    assert logs == ["[breaker][detect][threshold][postfix] <30>"]


def test_maxproc_dash_uses_the_default_process_limit(fake_postfix):
    line, config = fake_postfix
    (config / "master.cf").write_text("smtp inet n - y - - smtpd\n")
    assert detect_threshold(None, lambda: [line]) == 75


def test_sendmail_and_no_mta():
    logs = []
    assert detect_threshold(lambda level, message: logs.append(message),
                            lambda: ["sendmail: sever on port 25"]) == 0
    assert detect_threshold(lambda level, message: logs.append(message),
                            lambda: ["bash", "sshd: root"]) == 0
    assert logs == ["[breaker][detect][threshold][sendmail] <0>",
                    "[breaker][detect][error][threshold] can't detect MTA"]


def test_detection_is_lazy_and_runs_once(monkeypatch):
    calls = []

    def detect(log):
        calls.append(log)
        return 2
    monkeypatch.setattr(breaker_module, "detect_threshold", detect)
    breaker = Breaker()
    assert calls == []                                  # never at construction
    assert [breaker.stressing(n) for n in (1, 2, 3)] == [False, True, True]
    assert breaker.threshold_n_connections == 2
    assert len(calls) == 1
    breaker.threshold_n_connections = 0                 # 0: never stressed
    assert breaker.stressing(1000) is False
    assert len(calls) == 1
