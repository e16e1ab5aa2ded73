"""Privilege drop and the unix socket's mode, group and owner (cli.md §6, §7),
checked on the running process with psutil. These tests run as root."""

from __future__ import annotations

import grp
import os
import pwd
import stat
from pathlib import Path

import psutil
import pytest

from .support import ruby_config, session, start_daemon

NOBODY = pwd.getpwnam("nobody")
NOGROUP = grp.getgrnam("nogroup")
MAIL = grp.getgrnam("mail")


def test_runs_as_the_effective_user_and_group(procs, workdir):
    assert os.geteuid() == 0, "the privilege tests run as root"
    a = procs.milter("a")
    sock = workdir / "run" / "m.sock"
    daemon = start_daemon(procs, workdir, ruby_config([("a", a.spec)]), "--group-name",
                          "nogroup", "--unix-socket-mode", "660", "--unix-socket-group",
                          "mail", user="nobody", spec=f"unix:{sock}")
    process = psutil.Process(daemon.pid)
    assert tuple(process.uids()) == (NOBODY.pw_uid,) * 3
    assert tuple(process.gids()) == (NOGROUP.gr_gid,) * 3
    groups = _supplementary_groups(daemon.pid)
    assert 0 not in groups
    info = sock.stat()
    assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o660
    assert (info.st_uid, info.st_gid) == (NOBODY.pw_uid, MAIL.gr_gid)
    assert session(daemon.spec) == (b"c", ["a"])
    log = daemon.log_text()
    assert f"[client][socket][unix][group][change] <mail>(<{MAIL.gr_gid}>): <{sock}>" in log
    assert f"[client][socket][unix][mode][change] <0660>: <{sock}>" in log
    assert f"[client][group][switch] <nogroup>(<{NOGROUP.gr_gid}>)" in log
    assert f"[client][user][switch] <nobody>(<{NOBODY.pw_uid}>)" in log


def _supplementary_groups(pid: int) -> set[int]:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Groups:"):
            return {int(g) for g in line.split()[1:]}
    return set()


def test_without_a_group_the_users_primary_group_is_used(procs, workdir):
    # [deviation] upstream keeps gid 0 and root's groups.
    daemon = start_daemon(procs, workdir, ruby_config(), user="nobody")
    assert tuple(psutil.Process(daemon.pid).gids()) == (NOBODY.pw_gid,) * 3
    assert 0 not in _supplementary_groups(daemon.pid)


def test_without_a_user_root_runs_as_nobody(procs, workdir):
    daemon = start_daemon(procs, workdir, ruby_config(), user=None)
    assert psutil.Process(daemon.pid).uids().effective == NOBODY.pw_uid


@pytest.mark.parametrize("user_args, group_args", [
    (["-u", "nobody"], ["-g", "nogroup"]),
    (["-u", str(NOBODY.pw_uid)], ["-g", str(NOGROUP.gr_gid)]),
    (["--user", "nobody"], ["--group", "nogroup"]),
    (["--user-id", hex(NOBODY.pw_uid)], ["--group-id", str(NOGROUP.gr_gid)]),
    (["--user-name", "nobody"], ["--group-name", "nogroup"]),
])
def test_user_and_group_options(procs, workdir, user_args, group_args):
    daemon = start_daemon(procs, workdir, ruby_config(), *user_args, *group_args, user=None)
    process = psutil.Process(daemon.pid)
    assert process.uids().effective == NOBODY.pw_uid
    assert process.gids().effective == NOGROUP.gr_gid


def test_security_settings_in_the_configuration(procs, workdir):
    daemon = start_daemon(procs, workdir, ruby_config(extra='security.effective_user = "nobody"\n'
                                                             'security.effective_group = "mail"'),
                          user=None)
    process = psutil.Process(daemon.pid)
    assert (process.uids().effective, process.gids().effective) == (NOBODY.pw_uid, MAIL.gr_gid)


def test_default_socket_mode_and_deprecated_group_option(procs, workdir):
    sock = workdir / "run" / "m.sock"
    daemon = start_daemon(procs, workdir, ruby_config(), "--socket-group-name", "mail",
                          spec=f"unix:{sock}")
    info = sock.stat()
    assert stat.S_IMODE(info.st_mode) == 0o660 and info.st_gid == MAIL.gr_gid
    assert ("[client][option][deprecated][--socket-group-name] use --unix-socket-group instead"
            in daemon.log_text())


@pytest.mark.parametrize("mode, expected", [("600", 0o600), ("ug=rw", 0o660), ("a=r", 0o444)])
def test_unix_socket_mode_option(procs, workdir, mode, expected):
    sock = workdir / "run" / "m.sock"
    start_daemon(procs, workdir, ruby_config(), "--unix-socket-mode", mode, spec=f"unix:{sock}")
    assert stat.S_IMODE(sock.stat().st_mode) == expected


def test_unknown_socket_group_is_logged_and_not_fatal(procs, workdir):
    sock = workdir / "run" / "m.sock"
    daemon = start_daemon(procs, workdir, ruby_config(), "--unix-socket-group", "no-such-group",
                          spec=f"unix:{sock}")
    assert ("[client][error][unix] failed to find group entry for UNIX socket group: "
            f"<{sock}>: <no-such-group>") in daemon.log_text()
    assert daemon.process.poll() is None
