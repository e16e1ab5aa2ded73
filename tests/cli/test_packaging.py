"""The admin files in examples/ (spec README "Packaging"): the commands they
run are run against a real daemon."""

from __future__ import annotations

import re
import subprocess

from .support import PROJECT_ROOT, ruby_config, start_daemon, wait_until

EXAMPLES = PROJECT_ROOT / "examples"


def unit() -> dict[str, str]:
    entries = {}
    for line in (EXAMPLES / "systemd" / "milter-manager.service").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            entries[key] = value
    return entries


def test_systemd_unit_runs_in_the_foreground_and_reloads_with_hup(procs, workdir):
    entries = unit()
    assert entries["Type"] == "simple"
    assert "--no-daemon" in entries["ExecStart"].split()
    assert entries["ExecStart"].split()[0].endswith("/milter-manager")
    daemon = start_daemon(procs, workdir, ruby_config())
    reload = entries["ExecReload"].replace("$MAINPID", str(daemon.pid))
    subprocess.run(reload.split(), check=True)
    daemon.wait_log("[manager][reload][signal][success]")


def test_tmpfiles_entry():
    lines = [line for line in (EXAMPLES / "tmpfiles.d" / "milter-manager.conf").read_text()
             .splitlines() if line and not line.startswith("#")]
    assert lines == ["d /run/milter-manager 0775 milter-manager mail -"]


def test_logrotate_postrotate_reopens_the_log(procs, workdir):
    text = (EXAMPLES / "logrotate.d" / "milter-manager").read_text()
    script = re.search(r"postrotate\n(.*?)\n\s*endscript", text, re.DOTALL).group(1)
    assert "/run/milter-manager/milter-manager.pid" in script
    daemon = start_daemon(procs, workdir, ruby_config())
    rotated = daemon.log.with_name("manager.log.1")
    daemon.log.rename(rotated)
    script = script.replace("/run/milter-manager/milter-manager.pid", str(daemon.pid_file))
    subprocess.run(["sh", "-c", script], check=True)
    wait_until(lambda: daemon.log.exists() and "[logger][reopen][open]" in daemon.log_text())
    assert "[logger][reopen][close]" in rotated.read_text()
