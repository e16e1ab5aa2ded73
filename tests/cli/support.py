"""Helpers for the daemon tests: the real `milter-manager` command as a
subprocess, a minimal MTA speaking the milter protocol with raw frames, a
controller client, polling helpers. Nothing here imports the daemon code:
the tests see the program from outside, as an admin or Postfix does."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED = PROJECT_ROOT / ".." / "shared"
TINY_MILTER = Path(__file__).resolve().parent / "tiny_milter.py"


def command() -> list[str]:
    """The installed entry point (a script named milter-manager, cli.md §15)."""
    script = Path(sys.executable).parent / "milter-manager"
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "milter_manager.cli.main"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MILTER_", "PYTEST_"))}
    env["LANG"] = "C.UTF-8"
    env.pop("LC_ALL", None)
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, user: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
    kwargs = {}
    if user is not None:
        kwargs = {"user": user, "group": _primary_group(user), "extra_groups": []}
    return subprocess.run([*command(), *args], check=False, capture_output=True, text=True,
                          env=env if env is not None else clean_env(), timeout=timeout,
                          cwd="/", **kwargs)


def _primary_group(user: str) -> int:
    import pwd
    return pwd.getpwnam(user).pw_gid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout: float = 20.0,
               what: str = "condition", process: subprocess.Popen | None = None) -> object:
    limit = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process exited ({process.returncode}) waiting for {what}")
        if time.monotonic() > limit:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def shared_dir(prefix: str = "mm-cli-") -> Path:
    """A directory every user can read and write into (the daemon drops to
    `nobody` when started as root, cli.md §7), outside pytest's 0700 tree."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def writable_dir(path: Path) -> Path:
    path.mkdir(exist_ok=True)
    path.chmod(0o1777)
    return path


def ruby_config(children: list[tuple[str, str]] = (), extra: str = "") -> str:
    lines = ["log.use_syslog = false"]
    for name, spec in children:
        lines += [f'define_milter("{name}") do |milter|',
                  f'  milter.connection_spec = "{spec}"',
                  "end"]
    if extra:
        lines.append(extra.rstrip("\n"))
    return "\n".join(lines) + "\n"


def write_config(directory: Path, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    directory.chmod(0o755)
    path = directory / "milter-manager.conf"
    path.write_text(text)
    path.chmod(0o644)
    return path


class Daemon:
    """One `milter-manager` subprocess; always killed in `close()`."""

    def __init__(self, *args: str, env: dict[str, str] | None = None,
                 log: Path | None = None, prefix: list[str] | None = None) -> None:
        self.args = list(args)
        self.log = log
        self.process = subprocess.Popen([*(prefix or []), *command(), *args],
                                        stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, cwd="/",
                                        env=env if env is not None else clean_env())
        self.pid = self.process.pid
        self._output: tuple[str, str] | None = None

    def log_text(self) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(errors="replace")

    def wait_log(self, text: str, timeout: float = 20.0, count: int = 1) -> None:
        wait_until(lambda: self.log_text().count(text) >= count, timeout,
                   f"{text!r} in the log", self.process)

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait(self, timeout: float = 30.0) -> int:
        status = self.process.wait(timeout)
        return status

    def output(self) -> tuple[str, str]:
        if self._output is None:
            out, err = self.process.communicate(timeout=30)
            self._output = (out.decode(errors="replace"), err.decode(errors="replace"))
        return self._output

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.process.communicate(timeout=10)
        except (subprocess.TimeoutExpired, ValueError):
            pass


# --- a minimal MTA -------------------------------------------------------------------

FINAL = set(b"cartdy")


def frame(code: bytes, data: bytes = b"") -> bytes:
    return struct.pack(">I", len(data) + 1) + code + data


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed by the manager")
        data += chunk
    return data


def read_frame(sock: socket.socket) -> tuple[bytes, bytes]:
    (length,) = struct.unpack(">I", _read_exactly(sock, 4))
    body = _read_exactly(sock, length)
    return body[:1], body[1:]


def connect(spec: str, timeout: float = 30.0) -> socket.socket:
    if spec.startswith(("unix:", "local:")):
        sock = socket.socket(socket.AF_UNIX)
        address: object = spec.split(":", 1)[1]
    else:
        port, _, host = spec.split(":", 1)[1].partition("@")
        sock = socket.socket()
        address = (host.strip("[]") or "127.0.0.1", int(port))
    sock.settimeout(timeout)
    sock.connect(address)
    return sock


class MtaSession:
    """Drives one milter session as Postfix would (protocol version 6)."""

    def __init__(self, spec: str, timeout: float = 30.0) -> None:
        self.sock = connect(spec, timeout)
        self.added: list[tuple[str, str]] = []

    def command(self, code: bytes, data: bytes = b"") -> bytes:
        """Send one command; return the final reply code (modifications are
        collected in `added`)."""
        self.sock.sendall(frame(code, data))
        while True:
            reply, body = read_frame(self.sock)
            if reply in (b"h", b"i"):
                if reply == b"i":
                    body = body[4:]
                name, value, _ = body.split(b"\0", 2)
                self.added.append((name.decode(), value.decode()))
                continue
            if reply == b"O" or reply[0] in FINAL:
                return reply

    def negotiate(self) -> bytes:
        return self.command(b"O", struct.pack(">III", 6, 0x1FF, 0))

    def until_data(self) -> None:
        assert self.negotiate() == b"O"
        assert self.command(b"C", b"client.example\x004\x30\x39192.0.2.1\x00") == b"c"
        assert self.command(b"H", b"client.example\x00") == b"c"
        assert self.command(b"M", b"<sender@example.org>\x00") == b"c"
        assert self.command(b"R", b"<rcpt@example.net>\x00") == b"c"

    def finish(self) -> bytes:
        assert self.command(b"T") == b"c"
        assert self.command(b"L", b"Subject\x00test\x00") == b"c"
        assert self.command(b"N") == b"c"
        assert self.command(b"B", b"Hello.\r\n") == b"c"
        status = self.command(b"E")
        self.sock.sendall(frame(b"Q"))
        self.sock.close()
        return status

    def seen_by(self) -> list[str]:
        return sorted(value for name, value in self.added if name == "X-Seen-By")


def session(spec: str) -> tuple[bytes, list[str]]:
    """One whole session; (final end-of-message reply, the X-Seen-By values)."""
    mta = MtaSession(spec)
    mta.until_data()
    status = mta.finish()
    return status, mta.seen_by()


# --- the controller (cli.md §12.2) ---------------------------------------------------

def control(spec: str, name: str, body: bytes = b"",
            sock: socket.socket | None = None) -> tuple[str, bytes]:
    own = sock is None
    sock = sock or connect(spec)
    payload = name.encode() + b"\0" + body
    sock.sendall(struct.pack(">I", len(payload)) + payload)
    (length,) = struct.unpack(">I", _read_exactly(sock, 4))
    reply = _read_exactly(sock, length)
    if own:
        sock.close()
    head, _, rest = reply.partition(b"\0")
    return head.decode(), rest


def start_daemon(procs, workdir: Path, config: str, *args: str, user: str | None = "root",
                 spec: str | None = None, env: dict[str, str] | None = None,
                 pid_file: bool = True, verbose: bool = True,
                 prefix: list[str] | None = None) -> Daemon:
    """Write CONFIG into WORKDIR/config, start `milter-manager` in the
    foreground on a free loopback port (or SPEC) and wait until it is ready:
    its pid file exists (written after the signal handlers, cli.md §4)."""
    config_dir = workdir / "config"
    write_config(config_dir, config)
    spec = spec or f"inet:{free_port()}@127.0.0.1"
    log = workdir / "run" / "manager.log"
    pid = workdir / "run" / "manager.pid"
    argv = ["-c", str(config_dir), "-s", spec, "--log-path", str(log), "--no-daemon"]
    if pid_file:
        argv += ["--pid-file", str(pid)]
    if verbose:
        argv.append("-v")
    if user is not None:
        argv += ["--user-name", user]
    daemon = procs.daemon(*argv, *args, env=env, log=log, prefix=prefix)
    daemon.spec = spec
    daemon.pid_file = pid
    daemon.config_file = config_dir / "milter-manager.conf"
    if pid_file:
        wait_until(pid.exists, 30, "the pid file", daemon.process)
    else:
        daemon.wait_log("[client][event-loop]", 30)
    return daemon
