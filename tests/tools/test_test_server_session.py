"""`milter-test-server` sessions against a scripted milter (tools.md §1.2, §1.4, §1.7, §1.8).

The table of tools.md §1.7 ("upstream's test list") is reproduced case by
case: the milter's replies, the first output line, and how many times the
milter received each command.
"""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest

from milter_manager.protocol import flags
from milter_manager.protocol.replies import (
    Accept,
    AddHeader,
    ConnectionFailure,
    Continue,
    Discard,
    NegotiateReply,
    Progress,
    Reject,
    Shutdown,
    Skip,
    TemporaryFailure,
)
from milter_manager.protocol.reply_code import parse_reply_text

from .test_test_server_doubles import CLOSE, SILENT, ScriptedMilter, run_tool

ELAPSED = re.compile(rb"^elapsed-time: [0-9.e+-]+ seconds$")
COMMANDS = ("connect", "helo", "envelope-from", "envelope-recipient", "data", "header",
            "end-of-header", "body", "end-of-message", "quit")


@pytest.fixture
def milter():
    made: list[ScriptedMilter] = []

    def make(**kwargs) -> ScriptedMilter:
        double = ScriptedMilter(**kwargs)
        made.append(double)
        return double
    yield make
    for double in made:
        double.close()


def session(capfdbinary, double: ScriptedMilter, *argv: str) -> tuple[int, list[bytes]]:
    status, out = run_tool(capfdbinary, "-s", double.spec, "--color=no", *argv)
    double.wait()
    return status, out.split(b"\n")


def y(text: str):
    return parse_reply_text(text.encode())


# --- upstream's "result" cases (tools.md §1.7) ------------------------------------------

def test_all_continue_sends_every_command_once(capfdbinary, milter):
    double = milter()
    status, lines = session(capfdbinary, double)
    assert status == 0
    assert lines[0] == b"status: pass"
    assert ELAPSED.match(lines[1])
    assert lines[2:] == [b""]
    counts = {nick: double.count(nick) for nick in COMMANDS}
    assert counts == {"connect": 1, "helo": 1, "envelope-from": 1, "envelope-recipient": 1,
                      "data": 1, "header": 2, "end-of-header": 1, "body": 1,
                      "end-of-message": 1, "quit": 1}
    assert double.count("unknown") == 0 and double.count("abort") == 0


@pytest.mark.parametrize(("step", "nick"), [
    (flags.NO_CONNECT, "connect"), (flags.NO_HELO, "helo"),
    (flags.NO_ENVELOPE_FROM, "envelope-from"),
    (flags.NO_ENVELOPE_RECIPIENT, "envelope-recipient"), (flags.NO_UNKNOWN, "unknown"),
    (flags.NO_HEADERS, "header"), (flags.NO_END_OF_HEADER, "end-of-header"),
    (flags.NO_DATA, "data"), (flags.NO_BODY, "body"),
])
def test_a_command_the_milter_turned_off_is_not_sent(capfdbinary, milter, step, nick):
    double = milter(steps=step)
    status, lines = session(capfdbinary, double, "--unknown=XYZ")
    assert (status, lines[0]) == (0, b"status: pass")
    assert double.count(nick) == 0
    others = [name for name in COMMANDS + ("unknown",) if name != nick]
    assert all(double.count(name) >= 1 for name in others)


@pytest.mark.parametrize(("step", "nick"), [
    (flags.NO_REPLY_CONNECT, "connect"), (flags.NO_REPLY_HELO, "helo"),
    (flags.NO_REPLY_ENVELOPE_FROM, "envelope-from"),
    (flags.NO_REPLY_ENVELOPE_RECIPIENT, "envelope-recipient"),
    (flags.NO_REPLY_UNKNOWN, "unknown"), (flags.NO_REPLY_HEADER, "header"),
    (flags.NO_REPLY_END_OF_HEADER, "end-of-header"), (flags.NO_REPLY_DATA, "data"),
    (flags.NO_REPLY_BODY, "body"),
])
def test_no_reply_is_awaited_where_the_milter_waived_it(capfdbinary, milter, step, nick):
    # The double never answers those commands: a wait would end in a reading timeout.
    double = milter(steps=step)
    status, lines = session(capfdbinary, double, "--unknown=XYZ", "--reading-timeout=2")
    assert (status, lines[0]) == (0, b"status: pass")
    assert double.count(nick) >= 1
    assert double.count("end-of-message") == 1


@pytest.mark.parametrize(("code", "reply", "expected", "answered", "not_sent"), [
    (b"H", Accept(), b"status: accept", "helo", "envelope-from"),
    (b"M", Discard(), b"status: discard", "envelope-from", "envelope-recipient"),
    (b"T", TemporaryFailure(), b"status: temporary-failure", "data", "header"),
    (b"C", Reject(), b"status: reject", "connect", "helo"),
    (b"R", Reject(), b"status: reject", "envelope-recipient", "data"),
    (b"R", TemporaryFailure(), b"status: temporary-failure", "envelope-recipient", "data"),
    (b"H", y("554 5.7.1 1% 2%% 3%%%"), b"status: reject [554]<5.7.1>(1% 2%% 3%%%)",
     "helo", "envelope-from"),
    (b"H", y("451 4.7.1 Greylisting"), b"status: temporary-failure [451]<4.7.1>(Greylisting)",
     "helo", "envelope-from"),
    (b"H", ConnectionFailure(), b"status: error", "helo", "envelope-from"),
    (b"H", Shutdown(), b"status: abort", "helo", "envelope-from"),
])
def test_a_verdict_ends_the_session(capfdbinary, milter, code, reply, expected, answered,
                                    not_sent):
    double = milter(script={code: [reply]})
    status, lines = session(capfdbinary, double)
    assert status == 0
    assert lines[0] == expected
    assert ELAPSED.match(lines[1])
    assert double.count(answered) == 1
    assert double.count(not_sent) == 0
    # §1.4: abort + quit after a verdict that ends the session.
    assert [packet.nick for packet in double.received()[-2:]] == ["abort", "quit"]


@pytest.mark.parametrize(("replies", "expected", "data"), [
    ((Reject(), Continue()), b"status: pass", 1),
    ((Continue(), Reject()), b"status: pass", 1),
    ((TemporaryFailure(), Continue()), b"status: pass", 1),
    ((Continue(), TemporaryFailure()), b"status: pass", 1),
    ((Reject(), Reject()), b"status: reject", 0),
    ((TemporaryFailure(), TemporaryFailure()), b"status: temporary-failure", 0),
    ((Reject(), TemporaryFailure()), b"status: temporary-failure", 0),
    ((TemporaryFailure(), Reject()), b"status: reject", 0),
])
def test_a_refused_recipient_ends_the_session_only_when_none_is_left(
        capfdbinary, milter, replies, expected, data):
    double = milter(script={b"R": list(replies)})
    status, lines = session(capfdbinary, double, "-r", "recipient1@example.com",
                            "-r", "recipient2@example.com")
    assert (status, lines[0]) == (0, expected)
    assert double.count("envelope-recipient") == 2
    assert double.count("data") == data


def test_the_first_recipient_option_replaces_the_default(capfdbinary, milter):
    double = milter()
    session(capfdbinary, double, "-r", "a@example.com", "--recipient", "<b@example.com>")
    sent = [p.address for p in double.received() if p.nick == "envelope-recipient"]
    assert sent == [b"<a@example.com>", b"<b@example.com>"]
    headers = [(p.name, p.value) for p in double.received() if p.nick == "header"]
    assert headers == [(b"From", b"<sender@example.com>"), (b"To", b"<a@example.com>")]


# --- what is sent (tools.md §1.2, §1.4 step 3) -----------------------------------------------

def macros_of(double: ScriptedMilter) -> dict[bytes, list[dict[bytes, bytes]]]:
    tables: dict[bytes, list[dict[bytes, bytes]]] = {}
    for packet in double.received():
        if packet.nick == "define-macro":
            tables.setdefault(packet.context, []).append(dict(packet.macros))
    return tables


def test_default_macros_per_stage_as_upstreams_test_expects(capfdbinary, milter):
    double = milter()
    session(capfdbinary, double, "--connect-macro", "client_connections:10")
    tables = macros_of(double)

    def sorted_pairs(context: bytes) -> list[str]:
        (table,) = tables[context]
        return sorted(f"{k.decode()}={v.decode()}" for k, v in table.items())
    assert sorted_pairs(b"C") == ["client_connections=10", "daemon_name=milter-test-server",
                                  "if_addr=127.0.0.1", "if_name=localhost",
                                  "j=mail.example.com"]
    assert sorted_pairs(b"H") == ["cert_issuer=cert_issuer", "cert_subject=cert_subject",
                                  "cipher=0", "cipher_bits=0", "tls_version=0"]
    assert sorted_pairs(b"M") == ["mail_addr=mail_addr", "mail_host=mail_host",
                                  "mail_mailer=mail_mailer"]
    assert sorted_pairs(b"R") == ["rcpt_addr=<receiver@example.org>", "rcpt_host=rcpt_host",
                                  "rcpt_mailer=rcpt_mailer"]
    for context in (b"T", b"N", b"E"):
        assert sorted_pairs(context) == ["i=i"]
    assert set(tables) == {b"C", b"H", b"M", b"R", b"T", b"N", b"E"}


def test_macros_go_in_the_documented_order_defaults_first(capfdbinary, milter):
    double = milter()
    session(capfdbinary, double, "--name", "mta.test", "--connect-macro", "j:other",
            "--envelope-from-macro", "{auth_type}:ignored", "--authenticated-type", "PLAIN",
            "--authenticated-name", "alice", "--envelope-from-macro", "x:1")
    tables = macros_of(double)
    # --name sets {daemon_name} ([deviation]); a known name keeps its place.
    assert list(tables[b"C"][0].items()) == [
        (b"daemon_name", b"mta.test"), (b"if_name", b"localhost"),
        (b"if_addr", b"127.0.0.1"), (b"j", b"other")]
    assert list(tables[b"M"][0].items()) == [
        (b"mail_mailer", b"mail_mailer"), (b"mail_host", b"mail_host"),
        (b"mail_addr", b"mail_addr"), (b"auth_authen", b"alice"), (b"auth_type", b"PLAIN"),
        (b"x", b"1")]


def test_recipient_macros_precede_every_recipient(capfdbinary, milter):
    double = milter()
    session(capfdbinary, double, "-r", "a@example.com", "-r", "b@example.com",
            "--envelope-recipient-macro", "extra:yes")
    assert [t[b"rcpt_addr"] for t in macros_of(double)[b"R"]] == [b"<a@example.com>",
                                                                   b"<b@example.com>"]
    assert all(t[b"extra"] == b"yes" for t in macros_of(double)[b"R"])


def test_requested_macros_are_added_with_their_own_name_as_value(capfdbinary, milter):
    # Two requests for one stage: upstream's loop never ends there ([deviation]).
    requests = ((0, (b"{client_addr}", b"j", b"{client_name}")), (3, (b"{rcpt_addr}",)),
                (5, (b"{msg_id}",)))
    double = milter(macro_requests=requests)
    status, lines = session(capfdbinary, double)
    assert (status, lines[0]) == (0, b"status: pass")
    tables = macros_of(double)
    assert tables[b"C"][0][b"client_addr"] == b"{client_addr}"
    assert tables[b"C"][0][b"client_name"] == b"{client_name}"
    assert tables[b"C"][0][b"j"] == b"mail.example.com"      # provided: unchanged
    assert tables[b"R"][0][b"rcpt_addr"] == b"<receiver@example.org>"
    assert tables[b"E"][0] == {b"i": b"i", b"msg_id": b"{msg_id}"}


def test_the_connect_command_carries_host_and_address(capfdbinary, milter):
    double = milter()
    session(capfdbinary, double)
    (connect,) = [p for p in double.received() if p.nick == "connect"]
    assert connect.hostname == b"mx.example.net"
    assert connect.address_text == "inet:50443@[192.168.123.123]"
    double2 = milter()
    session(capfdbinary, double2, "--connect-host", "client.test",
            "--connect-address", "inet6:2525@[::1]", "--helo-fqdn", "helo.test")
    (connect,) = [p for p in double2.received() if p.nick == "connect"]
    assert (connect.hostname, connect.address_text) == (b"client.test", "inet6:2525@[::1]")
    assert [p.fqdn for p in double2.received() if p.nick == "helo"] == [b"helo.test"]


def test_the_negotiate_offer(capfdbinary, milter):
    double = milter()
    session(capfdbinary, double, "--negotiate-version", "4")
    offer = double.received()[0]
    assert (offer.version, offer.actions, offer.steps) == (4, 0x1FF, 0x1FFFFF)


@pytest.mark.parametrize(("version", "unknown", "data"), [(2, 0, 0), (3, 1, 0), (4, 1, 1),
                                                           (6, 1, 1)])
def test_unknown_and_data_depend_on_the_version(capfdbinary, milter, version, unknown, data):
    double = milter(version=version)
    session(capfdbinary, double, f"--negotiate-version={version}", "--unknown", "HELP")
    assert double.count("unknown") == unknown
    assert double.count("data") == data
    if unknown:
        # After the last RCPT, before DATA.
        nicks = [p.nick for p in double.received() if p.nick != "define-macro"]
        assert nicks.index("unknown") == nicks.index("envelope-recipient") + 1


def test_headers_bodies_and_skip(capfdbinary, milter):
    double = milter(script={b"B": [Continue(), Skip()]})
    status, lines = session(capfdbinary, double, "-h", "Subject: hello", "--header",
                            "X-Empty:", "-b", "one", "-b", "two", "-b", "three",
                            "-f", "<from@example.com>", "-h", "To:somebody")
    assert (status, lines[0]) == (0, b"status: pass")
    headers = [(p.name, p.value) for p in double.received() if p.nick == "header"]
    # Not trimmed; To: given, so only From: is added.
    assert headers == [(b"Subject", b" hello"), (b"X-Empty", b""), (b"To", b"somebody"),
                       (b"From", b"<from@example.com>")]
    assert [p.chunk for p in double.received() if p.nick == "body"] == [b"one", b"two"]
    (eom,) = [p for p in double.received() if p.nick == "end-of-message"]
    assert eom.chunk == b""


# --- timeouts, errors, exit status (tools.md §1.4 step 5, §1.7) ------------------------------

def test_reading_timeout(capfdbinary, milter):
    double = milter(script={b"H": [SILENT]})
    started = time.monotonic()
    status, lines = session(capfdbinary, double, "--reading-timeout=0.3")
    assert time.monotonic() - started < 5
    assert (status, lines) == (0, [b"reading timeout", b""])
    assert [p.nick for p in double.received()[-2:]] == ["abort", "quit"]


def test_end_of_message_timeout_is_its_own(capfdbinary, milter):
    # [deviation] upstream's option sets the writing timeout instead.
    double = milter(script={b"E": [SILENT]})
    status, lines = session(capfdbinary, double, "--end-of-message-timeout=0.3")
    assert (status, lines) == (0, [b"end-of-message timeout", b""])


def test_all_timeouts_wins_over_the_single_ones(capfdbinary, milter):
    double = milter(script={b"E": [SILENT]})
    status, lines = session(capfdbinary, double, "--all-timeouts=0.3",
                            "--end-of-message-timeout=100")
    assert (status, lines) == (0, [b"end-of-message timeout", b""])


def test_progress_keeps_the_end_of_message_wait_alive(capfdbinary, milter):
    class Delayed:
        def __init__(self, seconds, reply):
            self.seconds, self.reply = seconds, reply

        def encode(self):
            time.sleep(self.seconds)
            return self.reply.encode()
    script = {b"E": [[Progress(), Delayed(0.25, Progress()), Delayed(0.25, Progress()),
                      Delayed(0.25, Continue())]]}
    double = milter(script=script)
    status, lines = session(capfdbinary, double, "--end-of-message-timeout=0.4")
    assert (status, lines[0]) == (0, b"status: pass")


def test_connection_refused_is_logged_and_printed_and_exits_1(capfdbinary):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, out = run_tool(capfdbinary, "-s", f"inet:{port}@127.0.0.1")
    assert status == 1
    log, result, end = out.split(b"\n")
    message = f"Failed to connect to inet:{port}@127.0.0.1: Connection refused".encode()
    assert re.fullmatch(rb"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z\]: "
                        rb"\[server\]\[error\]\[connect\] \[milter-test-server\] "
                        + re.escape(message), log)
    assert (result, end) == (message, b"")


def test_connection_timeout_exits_1(capfdbinary):
    # A listener whose accept queue is full drops the SYN: connect() hangs.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    fillers = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(server.getsockname())
            fillers.append(filler)
        time.sleep(0.1)
        port = server.getsockname()[1]
        status, out = run_tool(capfdbinary, "-s", f"inet:{port}@127.0.0.1",
                               "--connection-timeout=0.3")
    finally:
        for filler in fillers:
            filler.close()
        server.close()
    assert (status, out) == (1, b"connection timeout\n")


def test_writing_timeout(capfdbinary):
    # A milter that negotiates and then reads nothing more: a big body chunk stalls.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    held: list[socket.socket] = []

    def serve():
        conn, _ = server.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        conn.recv(17)   # the negotiate command
        conn.sendall(NegotiateReply(6, 0x1FF, flags.NO_REPLY_MASK).encode())
        held.append(conn)
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        status, out = run_tool(capfdbinary, "-s", f"inet:{server.getsockname()[1]}@127.0.0.1",
                               "-b", "x" * (32 << 20), "--writing-timeout=0.3")
    finally:
        thread.join(5)
        for conn in held:
            conn.close()
        server.close()
    assert (status, out) == (0, b"writing timeout\n")


def test_a_modification_outside_end_of_message_is_a_protocol_error(capfdbinary, milter):
    double = milter(script={b"H": [[AddHeader(b"X", b"y"), Continue()]]})
    status, lines = session(capfdbinary, double)
    assert (status, lines) == (
        0, [b"<add-header> should be caused on <end-of-message> but was <helo>", b""])


def test_the_milter_closing_the_connection_is_an_error(capfdbinary, milter):
    double = milter(script={b"M": [CLOSE]})
    status, lines = session(capfdbinary, double)
    assert status == 0
    assert lines == [(b"the milter closed the connection while waiting for the reply "
                     b"to <envelope-from>"), b""]


def test_a_unix_socket_spec_and_a_bare_path(capfdbinary, milter, tmp_path):
    path = str(tmp_path / "milter.sock")
    double = milter(unix_path=path)
    status, out = run_tool(capfdbinary, "-s", path)
    double.wait()
    assert (status, out.split(b"\n")[0]) == (0, b"status: pass")


def test_threads_run_sessions_at_once_and_print_whole_blocks(capfdbinary, milter):
    double = milter()
    status, out = run_tool(capfdbinary, "-s", double.spec, "--threads=5", "--output-message",
                           "--color=no")
    double.wait(sessions=5)
    assert status == 0
    assert len(double.sessions) == 5
    blocks = out.split(b"status: pass\n")
    assert blocks[0] == b"" and len(blocks) == 6
    for block in blocks[1:]:
        lines = block.split(b"\n")
        assert ELAPSED.match(lines[0])
        assert lines[1:] == [b"", b"Envelope:------------------------------",
                             b"  MAIL FROM:<sender@example.com>",
                             b"  RCPT TO:<receiver@example.org>",
                             b"Header:--------------------------------",
                             b"  From: <sender@example.com>", b"  To: <receiver@example.org>",
                             b"Body:----------------------------------",
                             b"La de da de da 1.", b"La de da de da 2.", b"La de da de da 3.",
                             b"La de da de da 4.", b""]


def test_threads_exit_1_when_a_session_could_not_connect(capfdbinary):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, out = run_tool(capfdbinary, "-s", f"inet:{port}@127.0.0.1", "-t", "3")
    assert status == 1
    assert out.count(b"\nFailed to connect to") == 3
