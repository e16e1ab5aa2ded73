"""Security (cli.md §5.3, §6, §7, §12.1; spec README on insecure files):
the privilege drop leaves nothing of root, the unix socket never exists with
more permissions than configured, the controller socket keeps out users
without access, the pid file is never written through a symbolic link, and
configuration files others can write are warned about.

The daemon tests start the real `milter-manager` as root (it drops to
`nobody`), with the helpers of tests/cli, and look at it from outside:
/proc, stat, connections made as other users. They run as root, as CI does.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import stat
import struct
import threading
from pathlib import Path

import psutil
import pytest
from cli.support import (
    Daemon,
    ruby_config,
    shared_dir,
    start_daemon,
    wait_until,
    writable_dir,
)

from milter_manager.config import log_level
from milter_manager.config.errors import ConfigurationError
from milter_manager.config.loader import ConfigurationLoader, LoadOptions
from milter_manager.manager.listener import listen_socket

NOBODY = pwd.getpwnam("nobody")
NOGROUP = grp.getgrnam("nogroup")
OTHER = pwd.getpwnam("daemon")          # a user that is neither nobody nor in nogroup

class Processes:
    """Every daemon a test starts, killed by pid at the end."""

    def __init__(self) -> None:
        self.daemons: list[Daemon] = []

    def daemon(self, *args: str, **kwargs) -> Daemon:
        daemon = Daemon(*args, **kwargs)
        self.daemons.append(daemon)
        return daemon

    def close(self) -> None:
        for daemon in self.daemons:
            daemon.close()


@pytest.fixture
def procs():
    processes = Processes()
    yield processes
    processes.close()


@pytest.fixture
def workdir():
    path = shared_dir("mm-security-")
    writable_dir(path / "run")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def proc_status(pid: int) -> dict[str, list[str]]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.split()
    return fields


# --- privilege drop (cli.md §7) ------------------------------------------------------------

def test_no_root_left_in_the_master_and_its_workers(procs, workdir):
    assert os.geteuid() == 0, "the security tests run as root"
    daemon = start_daemon(procs, workdir, ruby_config(), "--n-workers", "2",
                          "--group-name", "nogroup", user="nobody")
    daemon.wait_log("[client][event-loop]", count=3)
    processes = [daemon.pid] + [child.pid for child in
                                psutil.Process(daemon.pid).children(recursive=True)]
    assert len(processes) == 3
    groups = set(os.getgrouplist("nobody", NOGROUP.gr_gid))
    for pid in processes:
        status = proc_status(pid)
        # real, effective, saved set and file-system ids
        assert status["Uid"] == [str(NOBODY.pw_uid)] * 4, (pid, status["Uid"])
        assert status["Gid"] == [str(NOGROUP.gr_gid)] * 4, (pid, status["Gid"])
        # root's supplementary groups are gone: exactly nobody's own
        assert {int(g) for g in status["Groups"]} == groups, (pid, status["Groups"])
        # and no capability in any set
        for name in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            assert int(status[name][0], 16) == 0, (pid, name, status[name])


# --- the unix socket's mode (cli.md §6 [deviation]) -----------------------------------------

@pytest.mark.parametrize("mode", [0o660, 0o600, 0o640, 0o770])
def test_unix_socket_never_exists_with_more_than_its_mode(tmp_path, monkeypatch, mode):
    # The moment bind() returns, the file exists: look at it then, before
    # anything else (chmod included) could narrow it. Under umask 0, a socket
    # bound without care is 0777.
    seen: list[int] = []
    bind = socket.socket.bind

    def watching_bind(self, address):
        bind(self, address)
        if self.family == socket.AF_UNIX:
            seen.append(stat.S_IMODE(os.lstat(address).st_mode))
    monkeypatch.setattr(socket.socket, "bind", watching_bind)
    path = tmp_path / "m.sock"
    old = os.umask(0)
    try:
        sock, _ = listen_socket(f"unix:{path}", unix_socket_mode=mode)
        restored = os.umask(0)
    finally:
        os.umask(old)
    sock.close()
    assert restored == 0, "the process umask is restored after bind"
    assert seen == [mode], f"{oct(seen[0])} right after bind, configured {oct(mode)}"


def test_daemon_sockets_are_never_wider_than_configured(procs, workdir):
    # The real daemon, started under umask 0, with a poller looking at both
    # socket files from before they exist until the daemon is ready.
    run = workdir / "run"
    manager_sock, controller_sock = run / "m.sock", run / "control.sock"
    seen: dict[Path, set[int]] = {manager_sock: set(), controller_sock: set()}
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            for path, modes in seen.items():
                try:
                    modes.add(stat.S_IMODE(os.lstat(path).st_mode))
                except FileNotFoundError:
                    pass
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        config = ruby_config(extra=f'controller.connection_spec = "unix:{controller_sock}"\n'
                                   "controller.unix_socket_mode = 0600")
        start_daemon(procs, workdir, config, "--unix-socket-mode", "660", user="nobody",
                     spec=f"unix:{manager_sock}", prefix=["sh", "-c", 'umask 000; exec "$@"',
                                                          "sh"])
    finally:
        done.set()
        poller.join()
    assert seen[manager_sock] == {0o660}
    assert seen[controller_sock] == {0o600}
    assert manager_sock.stat().st_uid == NOBODY.pw_uid      # §7 step 2


# --- the controller socket (cli.md §12.1) ----------------------------------------------------

def connect_as(user: pwd.struct_passwd, path: Path) -> str:
    """Connect to PATH from a child process running as USER; what happened."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                                    # pragma: no cover - child process
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            sock = socket.socket(socket.AF_UNIX)
            sock.settimeout(10)
            try:
                sock.connect(str(path))
                payload = b"get-status\0"
                sock.sendall(struct.pack(">I", len(payload)) + payload)
                head = sock.recv(4)
                body = sock.recv(struct.unpack(">I", head)[0]) if len(head) == 4 else b""
                result = "reply:" + body.split(b"\0", 1)[0].decode()
            except PermissionError:
                result = "denied"
            except OSError as error:
                result = f"error:{error}"
            os.write(write, result.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        result = stream.read().decode()
    os.waitpid(pid, 0)
    return result


def test_controller_socket_refuses_users_without_access(procs, workdir):
    path = workdir / "run" / "control.sock"
    config = ruby_config(extra=f'controller.connection_spec = "unix:{path}"')
    start_daemon(procs, workdir, config, user="nobody")
    wait_until(path.exists, 10, "the controller socket")
    info = path.stat()
    # Created after the privilege drop (§4 step 9): nobody's, mode 0660.
    assert (info.st_uid, info.st_gid) == (NOBODY.pw_uid, NOGROUP.gr_gid)
    assert stat.S_IMODE(info.st_mode) == 0o660
    assert connect_as(OTHER, path) == "denied"
    assert connect_as(NOBODY, path) == "reply:status"


# --- the pid file (cli.md §5.3) ----------------------------------------------------------------

@pytest.fixture
def pid_directory(workdir):
    # Like Debian's /run/milter-manager: owned by the daemon's user, no sticky bit.
    directory = workdir / "owned"
    directory.mkdir()
    os.chown(directory, NOBODY.pw_uid, NOGROUP.gr_gid)
    directory.chmod(0o755)
    return directory


def start_with_pid_file(procs, workdir, pid: Path) -> Daemon:
    daemon = start_daemon(procs, workdir, ruby_config(), "--pid-file", str(pid),
                          user="nobody", pid_file=False)
    daemon.wait_log("[client][pid-file][save]")
    return daemon


def test_pid_file_symlink_is_replaced_not_followed(procs, workdir, pid_directory):
    victim = workdir / "victim"
    victim.write_text("precious\n")
    victim.chmod(0o666)                     # writable by the daemon, were it to follow
    pid = pid_directory / "milter-manager.pid"
    os.symlink(victim, pid)
    os.lchown(pid, NOBODY.pw_uid, NOGROUP.gr_gid)
    daemon = start_with_pid_file(procs, workdir, pid)
    assert not pid.is_symlink()
    assert pid.read_text() == f"{daemon.pid}\n"
    assert victim.read_text() == "precious\n"
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    assert not os.path.lexists(pid)                      # the path is removed ...
    assert victim.read_text() == "precious\n"            # ... not what it pointed to


def test_dangling_pid_file_symlink_creates_nothing(procs, workdir, pid_directory):
    target = workdir / "nobody-may-create-this"
    pid = pid_directory / "milter-manager.pid"
    os.symlink(target, pid)
    os.lchown(pid, NOBODY.pw_uid, NOGROUP.gr_gid)
    workdir.chmod(0o777)                    # so a daemon following the link could create it
    daemon = start_with_pid_file(procs, workdir, pid)
    assert pid.read_text() == f"{daemon.pid}\n" and not pid.is_symlink()
    assert not target.exists()


# --- configuration files writable by others (spec README) ---------------------------------------

class Sink:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def enabled(self, level: int) -> bool:
        return True

    def __call__(self, level: int, message: str) -> None:
        if level == log_level.WARNING:
            self.warnings.append(message)


def load_twice(directory: Path) -> list[str]:
    sink = Sink()
    root = directory / "empty-root"
    root.mkdir(exist_ok=True)
    loader = ConfigurationLoader(LoadOptions(
        config_dir=str(directory), custom_directory=False, custom_xml=False,
        detector_root=str(root), env={}, log=sink))
    loader.startup()
    loader.reload()
    return [w for w in sink.warnings if "[configuration][insecure]" in w]


@pytest.mark.parametrize("mode, warned", [
    (0o644, False), (0o664, True), (0o646, True), (0o666, True), (0o600, False),
    (0o620, True),
])
def test_writable_configuration_files_are_warned_once_per_load(tmp_path, mode, warned):
    main = tmp_path / "milter-manager.conf"
    extra = tmp_path / "extra.conf"
    main.write_text('load("extra.conf")\nload("extra.conf")\n')
    extra.write_text('define_milter("a") do |milter|\n'
                     '  milter.connection_spec = "inet:10026@127.0.0.1"\nend\n')
    main.chmod(0o644)
    extra.chmod(mode)
    expected = [f"[configuration][insecure] {extra} is writable by others"] * 2 if warned else []
    assert load_twice(tmp_path) == expected      # once per load cycle, loaded twice in each


def test_writable_main_file_is_warned_and_still_loaded(tmp_path):
    main = tmp_path / "milter-manager.conf"
    main.write_text('define_milter("a") do |milter|\n'
                    '  milter.connection_spec = "inet:10026@127.0.0.1"\nend\n')
    main.chmod(0o666)
    assert load_twice(tmp_path) == [f"[configuration][insecure] {main} is writable by others"] * 2


def test_a_broken_writable_file_fails_the_load_after_the_warning(tmp_path):
    main = tmp_path / "milter-manager.conf"
    main.write_text("define_milter(\n")
    main.chmod(0o662)
    sink = Sink()
    loader = ConfigurationLoader(LoadOptions(
        config_dir=str(tmp_path), custom_directory=False, custom_xml=False,
        detector_root=str(tmp_path), env={}, log=sink))
    with pytest.raises(ConfigurationError):
        loader.startup()
    assert sink.warnings == [f"[configuration][insecure] {main} is writable by others"]


def test_connect_helper_refuses_without_permission_for_real(tmp_path):
    # The check above means something only if a user without access really
    # is refused by the kernel: a socket of mode 0600 owned by root.
    path = tmp_path / "probe.sock"
    tmp_path.chmod(0o755)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    path.chmod(0o600)
    try:
        assert connect_as(OTHER, path) == "denied"
    finally:
        server.close()
