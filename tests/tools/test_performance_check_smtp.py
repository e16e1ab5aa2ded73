"""milter-performance-check against a local aiosmtpd sink (tools.md §3,
real-components.md §3): what the sink received matches what the tool reports."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import itertools
import os
import pty
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from milter_manager.tools.performance_check import main

MODULE = "milter_manager.tools.performance_check"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    helo: str
    tls: bool
    auth: tuple[str, bytes] | None  # (mechanism, user)
    peer: str


@dataclass
class SinkHandler:
    """Stores every message; replies can be scripted per recipient/sender."""

    messages: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    mail_replies: dict[str, str] = field(default_factory=dict)
    data_delay: float = 0.0
    active: int = 0
    max_active: int = 0
    xclient: bool = False
    connects: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.xclient:
            responses.insert(-1, "250-XCLIENT NAME ADDR")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, options):
        with self.lock:
            self.connects += 1
        if address in self.mail_replies:
            return self.mail_replies[address]
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            if self.data_delay:
                await asyncio.sleep(self.data_delay)
        finally:
            self.active -= 1
        with self.lock:
            self.messages.append(Received(
                envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content),
                session.host_name, session.ssl is not None, session.auth_data,
                getattr(session, "xclient", session.peer[0])))
        return "250 2.0.0 OK stored"

    # RFC 2195 CRAM-MD5, which aiosmtpd does not ship: a handler mechanism.
    async def auth_CRAM__MD5(self, server, args):
        challenge = f"<{os.getpid()}.{time.time()}@sink.example>".encode()
        response = await server.challenge_auth(challenge)
        user, _, digest = response.decode().partition(" ")
        expected = hmac.new(b"secret", challenge, hashlib.md5).hexdigest()
        ok = user == "alice" and hmac.compare_digest(digest, expected)
        return AuthResult(success=ok, handled=False, auth_data=("CRAM-MD5", user.encode()))


class XclientSMTP(SMTP):
    """aiosmtpd with Postfix's XCLIENT (answered with a new 220 greeting)."""

    async def smtp_XCLIENT(self, arg):
        attributes = dict(item.split("=", 1) for item in arg.split())
        self.session.xclient = f"{attributes.get('NAME')}/{attributes.get('ADDR')}"
        self.session.host_name = None
        await self.push("220 sink.example ESMTP")


class SinkController(Controller):
    def factory(self):
        return XclientSMTP(self.handler, **self.SMTP_kwargs)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"alice" and auth_data.password == b"secret"
    return AuthResult(success=ok, handled=False, auth_data=(mechanism, auth_data.login))


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run([shutil.which("openssl") or "openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
                    "-subj", "/CN=sink.example"], check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def sink_factory():
    started: list[Controller] = []

    def make(*, tls=None, auth=False, **settings) -> tuple[SinkHandler, int]:
        handler = SinkHandler(**settings)
        port = free_port()
        kwargs = {}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            kwargs["tls_context"] = context
        if auth:
            kwargs.update(authenticator=authenticator, auth_require_tls=False)
        controller = SinkController(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        return handler, port

    yield make
    for controller in started:
        controller.stop()


def check(*args: str) -> tuple[str, str]:
    """Run the tool in this process; (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    assert main(list(args), stdout=out, stderr=err) == 0
    return out.getvalue(), err.getvalue()


def status_counts(report: str) -> dict[str, int]:
    values = dict(re.findall(r"^ *(N mails|Temporary failure|Reject|Error): +(\d+)", report,
                             re.MULTILINE))
    return {key: int(value) for key, value in values.items()}


# -- counts match what the sink received ------------------------------------------------------

def test_generated_mails_reach_the_sink_and_counts_match(sink_factory):
    sink, port = sink_factory()
    out, err = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=25",
                     "--n-concurrent-connections=5", "--from=a@example.com",
                     "--from=b@example.com", "--recipient=r1@example.org",
                     "--recipient=r2@example.org", "--helo-fqdn=client.example",
                     "--n-additional-lines=3")
    assert err == ""
    assert status_counts(out) == {"N mails": 25, "Temporary failure": 0, "Reject": 0,
                                  "Error": 0}
    assert len(sink.messages) == 25
    assert sorted(m.mail_from for m in sink.messages) == ["a@example.com"] * 13 + \
        ["b@example.com"] * 12
    for message in sink.messages:
        assert message.rcpt_tos == ["r1@example.org", "r2@example.org"]
        assert message.helo == "client.example"
        assert message.data.endswith(
            b"This is a test mail.\r\n"
            + b"0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n" * 3)
        assert f"From: {message.mail_from}\r\n".encode() in message.data
        assert b"To: r1@example.org, r2@example.org\r\n" in message.data
    # Every Message-Id is new.
    ids = {re.search(rb"Message-Id: (\S+)", m.data).group(1) for m in sink.messages}
    assert len(ids) == 25


def test_mail_files_are_sent_as_they_are_with_dot_stuffing(sink_factory, tmp_path):
    sink, port = sink_factory()
    mails = tmp_path / "mails"
    mails.mkdir()
    (mails / "one.eml").write_bytes(
        b"Received: from relay.example.net (relay [10.1.1.1])\n"
        b"From: Someone <someone@example.com>\nTo: x@example.org, Y <y@example.org>\n"
        b"Subject: dots\n\n.leading dot\n..two\nend\n")
    (mails / "two.eml").write_bytes(b"Subject: no envelope\r\n\r\nbody\r\n")
    out, _ = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", str(mails),
                   "--recipient=default@example.org")
    assert status_counts(out)["N mails"] == 2
    by_from = {m.mail_from: m for m in sink.messages}
    one = by_from["someone@example.com"]
    assert one.rcpt_tos == ["x@example.org", "y@example.org"]
    assert one.helo == "relay.example.net"
    assert one.data.endswith(b"\r\n\r\n.leading dot\r\n..two\r\nend\r\n")
    two = by_from["from@example.com"]
    assert two.rcpt_tos == ["default@example.org"] and two.helo == "localhost.localdomain"
    # SLOWEST lists both files (only with files).
    assert len(re.findall(r"^ *\d+\.\d\d \(sec\): .*\.eml$", out, re.MULTILINE)) == 2


def test_refusals_are_counted_by_class_and_listed(sink_factory, tmp_path):
    sink, port = sink_factory(
        rcpt_replies={"reject@example.org": "550 5.7.1 Rejected by policy"},
        mail_replies={"later@example.com": "451 4.7.1 Try again later"})
    for name, header in (("a-ok", "From: ok@example.com\nTo: ok@example.org"),
                         ("b-rejected", "From: ok@example.com\nTo: reject@example.org"),
                         ("c-tempfailed", "From: later@example.com\nTo: ok@example.org")):
        (tmp_path / name).write_text(f"{header}\nSubject: s\n\nbody\n")
    out, _ = check("--smtp-server=127.0.0.1", f"--smtp-port={port}",
                   "--report-failure-responses", str(tmp_path))
    assert len(sink.messages) == 1
    assert status_counts(out) == {"N mails": 3, "Temporary failure": 1, "Reject": 1,
                                  "Error": 0}
    assert f"Rejected mails:\n{tmp_path}/b-rejected\n\n" in out
    assert f"Temporary failed mails:\n{tmp_path}/c-tempfailed\n\n" in out
    assert out.endswith("\nTemporary failures:\n  1 451 4.7.1 Try again later\n"
                        "Rejects:\n  1 550 5.7.1 Rejected by policy\n")


def test_connection_errors_are_errors_and_printed_at_once():
    port = free_port()  # nothing listens
    out, err = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=2",
                     "--report-failure-responses")
    assert err == "ConnectionRefusedError: [Errno 111] Connection refused\n" * 2
    assert status_counts(out)["Error"] == 2
    assert out.endswith("Errors:\n  1 ConnectionRefusedError: [Errno 111] Connection refused\n"
                        "  2 ConnectionRefusedError: [Errno 111] Connection refused\n")


def test_reading_timeout_is_an_error():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # accepts (in the kernel) but never greets
        started = time.monotonic()
        out, err = check("--smtp-server=127.0.0.1", f"--smtp-port={silent.getsockname()[1]}",
                         "--n-mails=1", "--reading-timeout=1")
    assert 0.9 < time.monotonic() - started < 10
    assert err.startswith("TimeoutError: ")
    assert status_counts(out)["Error"] == 1


# -- concurrency and modes --------------------------------------------------------------------

def test_concurrent_connections_run_at_once(sink_factory):
    sink, port = sink_factory(data_delay=0.3)
    out, _ = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=12",
                   "--n-concurrent-connections=4")
    assert len(sink.messages) == 12 and status_counts(out)["N mails"] == 12
    assert sink.max_active == 4
    elapsed = float(re.search(r"Elapsed time: +([\d.]+)", out).group(1))
    assert 0.85 < elapsed < 3.0  # three waves of 0.3 s, not twelve


def test_interval_starts_one_mail_per_interval(sink_factory, tmp_path):
    sink, port = sink_factory(data_delay=0.5)
    csv = tmp_path / "stats.csv"
    _out, _ = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=4",
                   "--interval=0.2", f"--report-statistics-data={csv}")
    assert len(sink.messages) == 4
    assert sink.max_active >= 2  # each mail in its own session, overlapping
    lines = csv.read_text().splitlines()
    assert lines[0] == "wall clock time,response time,message size"
    from datetime import datetime
    starts = sorted(datetime.fromisoformat(line.split(",")[0]) for line in lines[1:])
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert all(0.15 < gap < 0.4 for gap in gaps), gaps
    sizes = sorted(int(line.split(",")[2]) for line in lines[1:])
    assert sizes == sorted(len(m.data) for m in sink.messages)
    assert all(float(line.split(",")[1]) >= 0.5 for line in lines[1:])


def test_period_spreads_the_mails(sink_factory):
    sink, port = sink_factory()
    started = time.monotonic()
    _out, _ = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=5",
                   "--period=1s")
    elapsed = time.monotonic() - started
    assert len(sink.messages) == 5
    assert 0.75 < elapsed < 3.0  # last start at 4 × 0.2 s, no sleep after it


def test_flood_sends_until_the_period_is_over(sink_factory):
    sink, port = sink_factory(data_delay=0.05)
    started = time.monotonic()
    out, _ = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=1",
                   "--flood=1", "--n-concurrent-connections=2")
    elapsed = time.monotonic() - started
    n = status_counts(out)["N mails"]
    assert n == len(sink.messages)
    assert n >= 6  # two lanes of ≥ 0.05 s mails for one second
    assert sink.max_active == 2
    assert 0.9 < elapsed < 3.0


def test_workers_each_send_the_whole_list(sink_factory):
    sink, port = sink_factory()
    result = subprocess.run(
        [sys.executable, "-m", MODULE, "--smtp-server=127.0.0.1", f"--smtp-port={port}",
         "--n-mails=5", "--n-workers=3", "--n-concurrent-connections=2"],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert status_counts(result.stdout)["N mails"] == 15
    assert len(sink.messages) == 15


def test_report_periodically(sink_factory):
    _sink, port = sink_factory(data_delay=0.2)
    out, _ = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=6",
                   "--report-periodically=0.5")
    lines = out.splitlines()
    assert lines[0] == "    Time  Sent mails/s Max(s) Min(s) Avg(s)   4XX   5XX Error"
    rows = lines[1:lines.index("")]
    assert 1 <= len(rows) <= 3  # 6 × ~0.2 s: full intervals only
    for row in rows:
        assert re.fullmatch(r"\d\d:\d\d:\d\d +\d+ +\d+\.\d\d( +\d+\.\d\d){3}( +\d+){3}", row)
    assert sum(int(row.split()[1]) for row in rows) <= 6
    assert lines[lines.index("") + 1] == "Total:"


# -- STARTTLS, AUTH, XCLIENT ------------------------------------------------------------------

def test_starttls_auto_uses_tls_when_offered(sink_factory, tls_files):
    sink, port = sink_factory(tls=tls_files)
    out, err = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=3",
                     "--n-concurrent-connections=3")
    assert err == "" and status_counts(out)["Error"] == 0
    assert [m.tls for m in sink.messages] == [True] * 3
    check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=1",
          "--starttls=disable")
    assert sink.messages[-1].tls is False


def test_starttls_always_without_the_extension_is_an_error(sink_factory):
    sink, port = sink_factory()
    out, err = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=1",
                     "--starttls=always")
    assert err == "SMTPNotSupportedError: STARTTLS is not supported on this server\n"
    assert status_counts(out)["Error"] == 1 and sink.messages == []


@pytest.mark.parametrize("mechanism", ["plain", "login", "cram-md5", "cram_md5", "auto"])
def test_auth_mechanisms(sink_factory, mechanism):
    sink, port = sink_factory(auth=True)
    _out, err = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=1",
                     "--auth-user=alice", "--auth-password=secret",
                     f"--auth-mechanism={mechanism}")
    assert err == "" and len(sink.messages) == 1
    # auto picks CRAM-MD5 first among the offered PLAIN, LOGIN, CRAM-MD5 (§3.1).
    expected = "CRAM-MD5" if mechanism == "auto" else mechanism.upper().replace("_", "-")
    assert sink.messages[0].auth == (expected, b"alice")


def test_auth_failures_are_errors(sink_factory, tmp_path):
    sink, port = sink_factory(auth=True)
    base = ["--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=1"]
    _, err = check(*base, "--auth-user=alice", "--auth-password=wrong",
                   "--auth-mechanism=plain")
    assert err == "SMTPAuthenticationError: 535 5.7.8 Authentication credentials invalid\n"
    no_auth, plain_port = sink_factory()
    _, err = check("--smtp-server=127.0.0.1", f"--smtp-port={plain_port}", "--n-mails=1",
                   "--auth-user=alice", "--auth-password=secret")
    assert err == "SMTPNotSupportedError: authentication isn't capable\n"
    assert sink.messages == [] and no_auth.messages == []
    # The map gives the credentials when --auth-user is not given.
    auth_map = tmp_path / "auth-map"
    auth_map.write_text(f"127.0.0.1:{port} alice:secret\n")
    _out, err = check(*base, f"--auth-map={auth_map}", "--auth-mechanism=login")
    assert err == "" and [m.auth for m in sink.messages] == [("LOGIN", b"alice")]


def test_xclient_sends_the_client_name_and_address(sink_factory):
    sink, port = sink_factory(xclient=True)
    _out, err = check("--smtp-server=127.0.0.1", f"--smtp-port={port}", "--n-mails=1",
                     "--connect-host=mail.example.net", "--connect-address=127.0.0.2")
    assert err == ""
    assert sink.messages[0].peer == "mail.example.net/127.0.0.2"
    _plain, plain_port = sink_factory()
    _, err = check("--smtp-server=127.0.0.1", f"--smtp-port={plain_port}", "--n-mails=1",
                   "--connect-host=mail.example.net")
    assert err == "SMTPNotSupportedError: XCLIENT is not supported on this server\n"


# -- progress bar (§3.6) -----------------------------------------------------------------------

def run_tool(port: int, *extra: str, tty: bool = False) -> tuple[bytes, bytes]:
    args = [sys.executable, "-m", MODULE, "--smtp-server=127.0.0.1", f"--smtp-port={port}",
            "--n-mails=6", *extra]
    if not tty:
        done = subprocess.run(args, capture_output=True, timeout=60, check=False)
        assert done.returncode == 0
        return done.stdout, done.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    _, err = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    return b"".join(chunks).replace(b"\r\n", b"\n"), err


def test_no_progress_bar_when_stdout_is_not_a_terminal(sink_factory):
    _, port = sink_factory(data_delay=0.05)
    out, err = run_tool(port)
    assert err == b""
    assert out.startswith(b"Total:\n")


def test_progress_bar_when_stdout_is_a_terminal(sink_factory):
    _, port = sink_factory(data_delay=0.1)
    out, err = run_tool(port, tty=True)
    assert re.search(rb"\r\x1b\[K\d/6 \[[#-]{30}\] +\d+% [\d.]+ mails/s 4xx:0 5xx:0 err:0 "
                     rb"ETA \d+:\d\d", err), err
    assert err.endswith(b"\r\x1b[K")  # erased before the report
    assert out.startswith(b"Total:\n") and b"\x1b" not in out


def test_progress_on_request_keeps_stdout_identical_in_form(sink_factory):
    _, port = sink_factory(data_delay=0.05)
    out, err = run_tool(port, "--progress")
    assert b"/6 [" in err
    plain_out, _ = run_tool(port, "--no-progress")
    strip = re.compile(rb"\d+\.\d\d")
    assert strip.sub(b"N", out) == strip.sub(b"N", plain_out)


def test_errors_are_printed_above_the_bar():
    port = free_port()
    out, err = run_tool(port, "--progress")
    # Each error erases the bar, takes its own line, and the bar is drawn again under it.
    above = re.findall(rb"\r\x1b\[KConnectionRefusedError: \[Errno 111\] Connection refused\n"
                       rb"\d/6 \[", err)
    assert len(above) == 6, err
    assert err.count(b"ConnectionRefusedError: [Errno 111] Connection refused\n") == 6
    assert b"Error:   6 (100.00%)" in out


def test_interrupt_prints_the_report_of_what_finished(sink_factory):
    sink, port = sink_factory(data_delay=0.05)
    process = subprocess.Popen(
        [sys.executable, "-m", MODULE, "--smtp-server=127.0.0.1", f"--smtp-port={port}",
         "--flood"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while len(sink.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(2)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    n = status_counts(out.decode())["N mails"]
    assert 3 <= n <= len(sink.messages)

