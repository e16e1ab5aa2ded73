"""`milter-test-client` (tools.md §2): options, negotiation, output, and its life as a daemon.

The client runs as a real process on a free loopback port; the MTA is
`milter-test-server` or a raw codec client.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from milter_manager import VERSION
from milter_manager.cli.options import MILTER_OPTIONS
from milter_manager.protocol import REPLIES, FrameReader
from milter_manager.protocol.commands import (
    Abort,
    Connect,
    DefineMacro,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Helo,
    Negotiate,
    Quit,
    Unknown,
)

CLIENT = [sys.executable, "-m", "milter_manager.tools.test_client"]
SERVER = [sys.executable, "-m", "milter_manager.tools.test_server"]
TIME = r"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z\]"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def listening(pid: int, port: int) -> bool:
    """PID listens on PORT (seen without connecting: a connection is a session)."""
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.NoSuchProcess:
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in connections)


class Client:
    """`milter-test-client ARGS` with stdout captured; waits until PORT accepts."""

    def __init__(self, *arguments: str, port: int | None = None, env=None,
                 wait: bool = True) -> None:
        self.port = port or free_port()
        if port is None:
            arguments = ("-s", f"inet:{self.port}@127.0.0.1", *arguments)
        # Its own process group: teardown can end its workers too.
        self.process = subprocess.Popen([*CLIENT, *arguments], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=env,
                                        start_new_session=True)
        if wait:
            deadline = time.monotonic() + 20
            while not listening(self.process.pid, self.port):
                assert self.process.poll() is None, self.process.communicate()
                assert time.monotonic() < deadline, "milter-test-client did not listen"
                time.sleep(0.02)

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=20)
        return self.process.returncode, out.decode("utf-8", "replace"), err.decode()

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.communicate(timeout=20)


@pytest.fixture
def open_dir():
    """A directory outside pytest's private tmp root: a root-started client drops to
    `nobody` before it writes its pid file (cli.md §5.3, §7)."""
    path = tempfile.mkdtemp(prefix="milter-test-client-")
    os.chmod(path, 0o777)
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def client():
    made: list[Client] = []

    def start(*arguments: str, **kwargs) -> Client:
        started = Client(*arguments, **kwargs)
        made.append(started)
        return started
    yield start
    for started in made:
        started.kill()


def run(*arguments: str, env=None) -> tuple[int, str, str]:
    done = subprocess.run([*CLIENT, *arguments], capture_output=True, timeout=30, check=False,
                          env=env)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def drive(port: int, *arguments: str) -> str:
    """Run `milter-test-server` against the client once; its output."""
    done = subprocess.run([*SERVER, "-s", f"inet:{port}@127.0.0.1", *arguments],
                          capture_output=True, timeout=30, check=False)
    assert done.returncode == 0, done.stdout
    return done.stdout.decode()


class MTA:
    """A raw MTA on the codec: send commands, read replies."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.reader = FrameReader(REPLIES)
        self.pending: list = []

    def send(self, *packets) -> None:
        self.sock.sendall(b"".join(packet.encode() for packet in packets))

    def reply(self):
        while not self.pending:
            data = self.sock.recv(65536)
            assert data, "the client closed the connection"
            self.pending.extend(self.reader.feed(data))
        return self.pending.pop(0)

    def close(self) -> None:
        self.sock.close()


# --- options (tools.md §2.1) ---------------------------------------------------------------

def help_entries(block: list[str]) -> list[str]:
    return [line[:49].strip() for line in block]


def test_help():
    status, out, err = run("--help")
    assert (status, err) == (0, "")
    lines = out.split("\n")
    assert lines[0] == "Usage:"
    assert lines[1] in ("  milter-test-client [OPTION…]", "  milter-test-client [OPTION...]")
    assert lines[2:4] == ["", "Help Options:"]
    assert help_entries(lines[4:7]) == ["-h, --help", "--help-all", "--help-milter"]
    assert lines[7:9] == ["", "Application Options:"]
    assert help_entries(lines[9:11]) == ["--no-report-request", "--version"]
    assert lines[11:] == ["", ""]
    assert all(line[48] == " " and line[49] != " " for line in lines[4:7] + lines[9:11])
    assert run("-h") == (0, out, "") and run("-?") == (0, out, "")


def test_help_all_and_help_milter_show_the_daemons_milter_group():
    milter = ["-s, --connection-spec=SPEC", "--log-level=LEVEL", "--log-path=PATH",
              "-v, --verbose", "-q, --quiet", "--syslog", "--syslog-facility=FACILITY",
              "--daemon", "--no-daemon", "-u, --user=UID_OR_USER_NAME", "--user-id=UID",
              "--user-name=USER_NAME", "-g, --group=GID_OR_GROUP_NAME", "--group-id=GID",
              "--group-name=GROUP_NAME", "--unix-socket-group=GROUP",
              "--socket-group-name=GROUP", "--unix-socket-mode=MODE",
              "--n-workers=N_WORKERS", "--event-loop-backend=BACKEND",
              "--packet-buffer-size=SIZE", "--pid-file=FILE",
              "--max-pending-finished-sessions=N_SESSIONS"]
    status, out, _ = run("--help-milter")
    lines = out.split("\n")
    assert status == 0
    assert lines[2:4] == ["", "Milter Common Options"]
    assert help_entries(lines[4:4 + len(milter)]) == milter
    assert lines[4 + len(milter):] == ["", ""]
    # The same texts as the daemon's.
    assert lines[4:4 + len(milter)] == [f"  {text}".ljust(49) + description
                                        for text, description in MILTER_OPTIONS]
    status, out, _ = run("--help-all")
    lines = out.split("\n")
    assert lines[3] == "Help Options:" and lines[8] == "Milter Common Options"
    assert help_entries(lines[9:9 + len(milter)]) == milter
    rest = lines[9 + len(milter):]
    assert rest[:2] == ["", "Application Options:"]
    assert help_entries(rest[2:4]) == ["--no-report-request", "--version"]
    assert rest[4:] == ["", ""]


def test_version_is_bare():
    assert run("--version") == (0, f"{VERSION}\n", "")


@pytest.mark.parametrize(("arguments", "message"), [
    (["--bogus"], "Unknown option --bogus"),
    (["--report-memory-profile"], "Unknown option --report-memory-profile"),
    (["-c", "/etc"], "Unknown option -c"),
    (["--show-config"], "Unknown option --show-config"),
    (["--pid-file"], "Missing argument for --pid-file"),
    (["-s", "XXXX@localhost"], "-s: spec doesn't have colon: <XXXX@localhost>"),
    (["--connection-spec=inet:99999"],
     "--connection-spec: port number should be less than 65536: <inet:99999>: <99999>"),
    (["--log-level", "foo"], "--log-level: unknown flag names: [<foo>](<MilterLogLevelFlags>)"),
    (["--n-workers", "1001"], "--n-workers: too big: <1001>: parsed=<1001>, max=<1000>"),
    (["--n-workers=12ab"], "--n-workers: invalid integer value: <12ab>(12>a<b)"),
    (["--user-id", "99999"], "--user-id: invalid UID: <99999>(99999)"),
    (["--unix-socket-mode", "0660"], "--unix-socket-mode: must be at most 3 digits: <0660>"),
    (["--event-loop-backend", "foo"],
     "--event-loop-backend: unknown event loop backend: <foo> available values: [glib|libev]"),
    (["--syslog-facility", "nowhere"], "--syslog-facility: unknown syslog facility: <nowhere>"),
])
def test_option_errors_are_printed_alone(arguments, message):
    assert run(*arguments) == (1, message + "\n", "")


# --- what it prints (tools.md §2.3) ----------------------------------------------------------

SPEC_EXAMPLE = """\
negotiate: version=<6>, action=<add-headers|change-body|add-envelope-recipient|delete-envelope-recipient|change-headers|quarantine|change-envelope-from|add-envelope-recipient-with-parameters|set-symbol-list>, step=<no-connect|no-helo|no-envelope-from|no-envelope-recipient|no-body|no-headers|no-end-of-header|no-reply-header|no-unknown|no-data|skip|envelope-recipient-rejected|no-reply-connect|no-reply-helo|no-reply-envelope-from|no-reply-envelope-recipient|no-reply-data|no-reply-unknown|no-reply-end-of-header|no-reply-body|header-value-with-leading-space>
connect: host=<mx.example.net>, address=<inet:50443@[192.168.123.123]>
macros:
  daemon_name=milter-test-server
  if_name=localhost
  if_addr=127.0.0.1
  j=mail.example.com
helo: <delian>
macros:
  tls_version=0
  cipher=0
  cipher_bits=0
  cert_subject=cert_subject
  cert_issuer=cert_issuer
envelope-from: <<sender@example.com>>
macros:
  mail_mailer=mail_mailer
  mail_host=mail_host
  mail_addr=mail_addr
envelope-recipient: <<receiver@example.org>>
macros:
  rcpt_mailer=rcpt_mailer
  rcpt_host=rcpt_host
  rcpt_addr=<receiver@example.org>
unknown: <XYZ>
macros:
  rcpt_mailer=rcpt_mailer
  rcpt_host=rcpt_host
  rcpt_addr=<receiver@example.org>
data
macros:
  i=i
header: <Subject: hello>
header: <From: <sender@example.com>>
header: <To: <receiver@example.org>>
end-of-header
macros:
  i=i
body: <chunk1>
body: <chunk2>
end-of-message
macros:
  i=i
finished
[TIME]: [sessions][finished] 1(+1) 0
"""


def test_the_spec_example_driven_by_milter_test_server(client):
    started = client()
    out = drive(started.port, "--unknown=XYZ", "--header", "Subject:hello", "-b",
                      "chunk1", "-b", "chunk2")
    assert out.startswith("status: pass\n")
    status, printed, err = started.stop()
    assert (status, err) == (0, "")
    assert re.sub(TIME, "[TIME]", printed) == SPEC_EXAMPLE


def test_negotiation_asks_for_every_command():
    # tools.md §2.2: version 6 or lower, the offered actions, the offered steps
    # without envelope-recipient-rejected, leading space and every no-* bit.
    port = free_port()
    started = Client("--no-report-request", "-s", f"inet:{port}@127.0.0.1", port=port)
    try:
        for version, actions, steps, expected_steps in [
                (6, 0x1FF, 0x1FFFFF, 0x400), (2, 0x3F, 0x7F, 0), (8, 0x11, 0x300C00, 0x200400)]:
            mta = MTA(port)
            mta.send(Negotiate(version, actions, steps))
            reply = mta.reply()
            assert (reply.version, reply.actions, reply.steps, reply.macro_requests) == (
                min(version, 6), actions, expected_steps, ())
            mta.send(Quit())
            mta.close()
    finally:
        started.stop()


def test_macros_of_unknown_and_abort_and_a_second_message(client):
    started = client()
    mta = MTA(started.port)
    mta.send(Negotiate(6, 0x1FF, 0))
    mta.reply()
    mta.send(DefineMacro(b"C", {b"j": b"mx"}), Connect.from_text(b"host", "unix:/tmp/x"))
    mta.send(Helo(b"helo.test"), DefineMacro(b"M", {b"{mail_addr}": b"a@x"}),
             EnvelopeFrom(b"<a@x>", (b"SIZE=10",)), Unknown(b"NOOP"), Abort())
    mta.send(EnvelopeFrom(b"<b@x>"), DefineMacro(b"R", {b"r": b"1"}),
             EnvelopeRecipient(b"<c@x>"), DefineMacro(b"E", {}), EndOfMessage(b"tail"), Quit())
    replies = [mta.reply().nick for _ in range(7)]
    assert replies == ["continue"] * 7    # connect helo mail unknown mail rcpt eom; abort none
    mta.close()
    status, printed, _ = started.stop()
    assert status == 0
    assert re.sub(TIME, "[TIME]", printed) == """\
negotiate: version=<6>, action=<add-headers|change-body|add-envelope-recipient|delete-envelope-recipient|change-headers|quarantine|change-envelope-from|add-envelope-recipient-with-parameters|set-symbol-list>, step=<>
connect: host=<host>, address=<unix:/tmp/x>
macros:
  j=mx
helo: <helo.test>
envelope-from: <<a@x>>
macros:
  mail_addr=a@x
unknown: <NOOP>
macros:
  mail_addr=a@x
abort
macros:
  mail_addr=a@x
envelope-from: <<b@x>>
envelope-recipient: <<c@x>>
macros:
  r=1
end-of-message: <tail>
finished
[TIME]: [sessions][finished] 1(+1) 0
"""


def test_a_decode_error_is_printed_without_newline(client):
    started = client()
    mta = MTA(started.port)
    mta.send(Negotiate(6, 0x1FF, 0))
    mta.reply()
    mta.sock.sendall(b"\0\0\0\x01X")
    assert mta.sock.recv(100) == b""      # the connection is closed
    mta.close()
    _, printed, _ = started.stop()
    assert printed.split("\n")[1] == "ERROR: unexpected command was received: Xfinished"


def test_no_report_request_prints_only_log_lines(client):
    started = client("--no-report-request")
    drive(started.port)
    drive(started.port)
    status, printed, _ = started.stop()
    assert status == 0
    lines = [re.sub(TIME, "[TIME]", line) for line in printed.splitlines()]
    # One statistics line per batch of finished sessions.
    assert lines and all(re.fullmatch(r"\[TIME\]: \[sessions\]\[finished\] \d\(\+\d\) 0", line)
                         for line in lines)
    assert lines[-1].startswith("[TIME]: [sessions][finished] 2(+")


def test_default_spec_from_the_environment_is_logged(client):
    port = free_port()
    env = dict(os.environ, MILTER_DEFAULT_CONNECTION_SPEC=f"inet:{port}@127.0.0.1")
    started = client("--log-level=info", port=port, env=env)
    _, printed, _ = started.stop()
    assert re.search(TIME + re.escape(f": [client][connection-spec][default] "
                                      f"<inet:{port}@127.0.0.1>"), printed)


def test_listen_failure_is_the_bare_message():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert run("-s", f"inet:{port}@127.0.0.1") == (
            1, f"failed to bind(): inet:{port}@127.0.0.1: Address already in use\n", "")


# --- process life (tools.md §2.1; cli.md §5-§9) ----------------------------------------------

def test_sigterm_finishes_the_open_session_and_refuses_new_ones(client):
    started = client()
    mta = MTA(started.port)
    mta.send(Negotiate(6, 0x1FF, 0))
    mta.reply()
    started.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 5
    while accepts(started.port):
        assert time.monotonic() < deadline, "still accepting after SIGTERM"
        time.sleep(0.02)
    mta.send(Helo(b"still.served"))
    assert mta.reply().nick == "continue"
    assert started.process.poll() is None
    mta.send(Quit())
    mta.close()
    assert started.process.wait(10) == 0
    assert "helo: <still.served>" in started.process.stdout.read().decode()


def test_unix_socket_pid_file_and_privileges(client, open_dir):
    path = open_dir / "client.sock"
    pid_file = open_dir / "client.pid"
    started = client("-s", f"unix:{path}", "--pid-file", str(pid_file), wait=False)
    deadline = time.monotonic() + 20
    while not pid_file.exists():
        assert started.process.poll() is None, started.process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert pid_file.read_text() == f"{started.process.pid}\n"
    assert path.is_socket() and (path.stat().st_mode & 0o777) == 0o660
    process = psutil.Process(started.process.pid)
    if os.geteuid() == 0:
        # cli.md §7: a root-started client runs as nobody (and owns its socket).
        nobody = pwd.getpwnam("nobody")
        assert process.uids().effective == nobody.pw_uid
        assert process.gids().effective == nobody.pw_gid
        assert path.stat().st_uid == nobody.pw_uid
    else:
        assert process.uids().effective == os.geteuid()
    status, _, _ = started.stop(signal.SIGTERM)
    assert status == 0
    assert not path.exists() and not pid_file.exists()


def test_workers_serve_and_drain(client):
    started = client("--n-workers=2", "--no-report-request")
    deadline = time.monotonic() + 10
    while len(psutil.Process(started.process.pid).children()) != 2:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    for _ in range(4):
        drive(started.port)
    status, printed, _ = started.stop(signal.SIGTERM)
    assert status == 0
    totals = [int(m) for m in re.findall(r"\[sessions\]\[finished\] \d+\(\+(\d+)\)", printed)]
    assert sum(totals) == 4


def test_a_dead_worker_is_replaced(client):
    started = client("--n-workers=1", "--no-report-request")
    deadline = time.monotonic() + 10
    master = psutil.Process(started.process.pid)
    while len(master.children()) != 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    first = master.children()[0].pid
    os.kill(first, signal.SIGKILL)
    while [child.pid for child in master.children()] in ([], [first]):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    drive(started.port)
    status, printed, _ = started.stop(signal.SIGTERM)
    assert status == 0
    assert f"[client][worker][exit] <1>: <{first}>: killed by signal 9" in printed


def test_daemon_mode(open_dir):
    port = free_port()
    pid_file = open_dir / "client.pid"
    done = subprocess.run([*CLIENT, "--daemon", "-s", f"inet:{port}@127.0.0.1",
                           "--pid-file", str(pid_file)], capture_output=True, timeout=30,
                          check=False)
    # The foreground process exits 0 once the daemon is ready (cli.md §5.2).
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    pid = int(pid_file.read_text())
    try:
        assert accepts(port)
        assert drive(port).startswith("status: pass\n")
    finally:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while pid_file.exists() or psutil.pid_exists(pid):
        assert time.monotonic() < deadline, "the daemon did not stop"
        time.sleep(0.02)


def test_worker_restarts_are_throttled(client):
    started = client("--n-workers=1", "--no-report-request")
    master = psutil.Process(started.process.pid)
    deadline = time.monotonic() + 15
    killed: list[int] = []
    while len(killed) < 6:
        children = [child.pid for child in master.children() if child.pid not in killed]
        assert time.monotonic() < deadline, "no replacement worker"
        if children:
            os.kill(children[0], signal.SIGKILL)
            killed.append(children[0])
        time.sleep(0.02)
    # The sixth death within 10 s: the restart waits a second and says so.
    while not [child for child in master.children() if child.pid not in killed]:
        assert time.monotonic() < deadline, "the throttled worker never came back"
        time.sleep(0.05)
    status, printed, _ = started.stop(signal.SIGTERM)
    assert status == 0
    assert printed.count("[client][worker][exit] <1>:") == 6
    assert printed.count("[client][worker][restart][throttle] <1>") == 1
