"""The scenario test milter against scenarios.md §7, on a real loopback socket."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from milter_manager.protocol.commands import (
    Abort,
    Body,
    Connect,
    Data,
    DefineMacro,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Header,
    Helo,
    Negotiate,
    Quit,
    Unknown,
)
from milter_manager.protocol.flags import format_actions, format_steps, parse_steps
from milter_manager.testing.harness.clients import client_environment

from .milter_process import MilterProcess

CONNECT = Connect.from_text(b"mx.local.net", "inet:2929@[192.168.1.29]")
MESSAGE_START = (CONNECT, Helo(b"delian"), EnvelopeFrom(b"kou+sender@example.com"),
                 EnvelopeRecipient(b"kou+receiver@example.com"))


@pytest.fixture
def milter():
    started: list[MilterProcess] = []

    def start(*arguments: str, **options) -> MilterProcess:
        process = MilterProcess(*arguments, **options)
        started.append(process)
        return process
    yield start
    for process in started:
        process.kill()


def session(milter, *arguments: str) -> MilterProcess:
    process = milter(*arguments).connect()
    process.negotiate()
    return process


# --- §7.2 negotiation ----------------------------------------------------------------

def test_negotiate_reply_masks_the_offered_steps(milter):
    process = milter("--negotiate-flags=skip", "--negotiate-flags",
                     "no-connect|header-value-with-leading-space").connect()
    offered = parse_steps("no-connect|no-helo|skip|header-value-with-leading-space")
    reply = process.negotiate(6, 0x7F, offered)
    assert (reply.version, reply.actions, reply.steps) == (
        6, 0x7F, parse_steps("no-connect|skip|header-value-with-leading-space"))
    assert reply.macro_requests == ()
    status, out, _ = process.finish()
    assert status == 0
    assert out == (f"receive: negotiate: 6 {format_actions(0x7F)} {format_steps(offered)}\n"
                   ).encode()


def test_negotiate_defaults_to_no_steps_and_the_offered_version(milter):
    process = milter().connect()
    reply = process.negotiate(2, 0x13F, 0x7F)
    assert (reply.version, reply.actions, reply.steps) == (2, 0x13F, 0)


def test_negotiate_version_option(milter):
    process = milter("--negotiate-version=4").connect()
    assert process.negotiate(6).version == 4


def test_unknown_negotiate_flag_fails_only_at_negotiate(milter):
    process = milter("--negotiate-flags=bogus").connect()   # `ready` was printed
    process.send(Negotiate(6, 0, 0))
    assert process.silent(1.0)
    status, _, err = process.finish()
    assert status == 1
    assert b"bogus" in err


# --- §7.4 the stdout protocol ---------------------------------------------------------

def test_every_command_is_printed_before_it_is_answered(milter):
    process = session(milter)
    process.send(DefineMacro(b"C", {b"{daemon_name}": b"Postfix", b"j": b"postfix"}), CONNECT,
                 Helo(b"delian"), EnvelopeFrom(b"kou+sender@example.com", (b"SIZE=10",)),
                 EnvelopeRecipient(b"kou+receiver@example.com"), Data(),
                 Header(b"From", b"kou+sender@example.com"), EndOfHeader(), Body(b"Hi,\n"),
                 EndOfMessage(), Unknown(b"UNKNWON COMMAND"), Abort(), Quit())
    assert process.codes(10) == b"cccccccccc"
    status, out, _ = process.finish()
    assert status == 0
    assert out.decode() == (
        "receive: negotiate: 6 " + format_actions(0x1FF) + " " + format_steps(0x1FFFFF) + "\n"
        "receive: define-macro: connect\ndaemon_name: Postfix\nj: postfix\n"
        "receive: connect: mx.local.net inet:2929@[192.168.1.29]\n"
        "receive: helo: delian\n"
        "receive: envelope-from: kou+sender@example.com\n"
        "receive: envelope-recipient: kou+receiver@example.com\n"
        "receive: data\n"
        "receive: header: From kou+sender@example.com\n"
        "receive: end-of-header\n"
        "receive: body: Hi,\n"                        # already ends with \n: no second one
        "receive: end-of-message\n"                   # empty payload: no info
        "receive: unknown: UNKNWON COMMAND\n"
        "receive: abort\n"
        "receive: quit\n")


def test_connect_address_text_forms(milter):
    process = session(milter)
    process.send(Connect.from_text(b"v6.example", "inet6:25@[2001:db8::1]"))
    process.codes(1)
    process.send(Abort(), Quit())
    _, out, _ = process.finish()
    assert b"receive: connect: v6.example inet6:25@[2001:db8::1]\n" in out


# --- §7.3 verdicts -------------------------------------------------------------------------

def test_last_matching_trigger_wins_for_envelope_from(milter):
    process = session(milter, "--action", "reject", "--envelope-from", "a@example.com",
                      "--action=accept", "--envelope-from=a@example.com",
                      "--envelope-from", "b@example.com")
    process.send(CONNECT, Helo(b"delian"), EnvelopeFrom(b"a@example.com"))
    assert process.codes(3) == b"cca"


@pytest.mark.parametrize(("arguments", "commands", "codes"), [
    (("--action=discard", "--connect-host=mx.local.net"), (CONNECT,), b"d"),
    (("--action=temporary_failure", "--helo=delian"), (CONNECT, Helo(b"delian")), b"ct"),
    (("--envelope-recipient=kou+receiver@example.com",), MESSAGE_START, b"cccr"),
    (("--action=skip", "--data", "--action=accept", "--data"), (*MESSAGE_START, Data()),
     b"cccca"),
    (("--action=accept", "--header=From,kou,ignored"),
     (*MESSAGE_START, Header(b"From", b"kou"), Header(b"From", b"kouhei")), b"ccccac"),
    (("--action=progress", "--connect-host=mx.local.net"), (CONNECT,), b"p"),
    (("--action=connection-failure", "--connect-host=mx.local.net"), (CONNECT,), b"f"),
    (("--action=shutdown", "--connect-host=mx.local.net"), (CONNECT,), b"4"),
])
def test_triggers_and_actions(milter, arguments, commands, codes):
    process = session(milter, *arguments)
    process.send(*commands)
    assert process.codes(len(codes)) == codes


def test_first_matching_body_trigger_in_command_line_order(milter):
    process = session(milter, "--action=skip", "--body-regexp=Sk.p", "--action=accept",
                      "--body=Skip", "--action=discard", "--body", "Other")
    process.send(*MESSAGE_START, Body(b"Skip"), Body(b"Other"), Body(b"nothing"))
    assert process.codes(7) == b"ccccsdc"


def test_reply_code_action_is_written_verbatim(milter):
    process = session(milter, "--reply-code", "554 5.7.1 1%% 2%% 3%%",
                      "--envelope-from", "reject@example.com",
                      "--reply-code=554 3.7.1 invalid", "--helo=bad")
    process.send(CONNECT, Helo(b"delian"), EnvelopeFrom(b"reject@example.com"))
    replies = process.replies(3)
    assert replies[2].text == b"554 5.7.1 1%% 2%% 3%%"


def test_end_of_message_actions_then_chunk_trigger_then_default(milter):
    process = session(milter, "--add-header=X-Added: value", "--insert-header=0:X-First:1",
                      "--change-header=Subject:2:new", "--delete-header=To:1",
                      "--remove-header=Cc:3", "--change-from=changed@example.com",
                      "--add-recipient=add@example.com", "--delete-recipient=del@example.com",
                      "--quarantine=spam", "--progress", "--replace-body=New body",
                      "--action=reject", "--end-of-message-chunk-regexp=^Bad",
                      "--action=accept", "--end-of-message")
    process.send(*MESSAGE_START, EndOfMessage(b"Bad chunk"))
    replies = process.replies(4 + 12)[4:]
    assert [r.wire_code for r in replies] == [b"h", b"i", b"m", b"m", b"m", b"e", b"+", b"-",
                                             b"q", b"p", b"b", b"r"]
    assert (replies[0].name, replies[0].value) == (b"X-Added", b" value")
    assert (replies[1].index, replies[1].name, replies[1].value) == (0, b"X-First", b"1")
    assert (replies[2].name, replies[2].index, replies[2].value) == (b"Subject", 2, b"new")
    assert (replies[3].name, replies[3].index, replies[3].value) == (b"To", 1, b"")
    assert (replies[4].name, replies[4].index, replies[4].value) == (b"Cc", 3, b"")
    assert replies[5].sender == b"changed@example.com"
    assert replies[10].chunk == b"New body"


def test_end_of_message_default_and_empty_payload_matches_nothing(milter):
    process = session(milter, "--action=discard", "--end-of-message-chunk-regexp=.*",
                      "--action=temporary-failure", "--end-of-message")
    process.send(*MESSAGE_START, EndOfMessage(b""))
    assert process.codes(5) == b"cccct"


def test_long_replacement_body_is_cut_into_frames(milter):
    body = "x" * 70000
    process = session(milter, f"--replace-body={body}")
    process.send(*MESSAGE_START, EndOfMessage())
    replies = process.replies(4 + 3)[4:]
    assert [len(r.chunk) for r in replies[:2]] == [65535, 70000 - 65535]
    assert replies[2].wire_code == b"c"


def test_no_response_writes_nothing_and_aborts(milter):
    process = session(milter, "--action=no-response", "--envelope-from=slow@example.com")
    process.send(CONNECT, Helo(b"delian"), EnvelopeFrom(b"slow@example.com"))
    assert process.codes(2) == b"cc"
    assert process.silent(0.3)
    process.send(EnvelopeFrom(b"next@example.com"))   # allowed from the `abort` state
    assert process.codes(1) == b"c"


def test_unknown_action_fails_when_triggered(milter):
    process = session(milter, "--action=bogus", "--helo=delian")
    process.send(CONNECT, Helo(b"delian"))
    assert process.codes(1) == b"c"
    assert process.silent(0.5)
    status, _, err = process.finish()
    assert status == 1
    assert b"bogus" in err


def test_no_reply_steps_suppress_only_their_verdict(milter):
    process = milter("--negotiate-flags=no-reply-helo|no-reply-header|no-reply-unknown",
                     "--action=reject", "--helo=delian").connect()
    reply = process.negotiate()
    assert reply.steps == parse_steps("no-reply-helo|no-reply-header|no-reply-unknown")
    process.send(CONNECT, Helo(b"delian"), Unknown(b"X"), EnvelopeFrom(b"a@example.com"))
    # helo's reject is suppressed; unknown is always answered.
    assert process.codes(3) == b"ccc"
    assert process.silent(0.3)


# --- §7.4 states ------------------------------------------------------------------------

def test_command_in_a_wrong_state_gets_shutdown_and_exit_1(milter):
    process = session(milter)
    process.send(Helo(b"delian"))
    assert process.codes(1) == b"4"
    status, out, err = process.finish()
    assert status == 1
    assert out.endswith(b"receive: helo: delian\n")   # printed before acting
    assert b"should not receive reply for helo on negotiated" in err


def test_unknown_state_accepts_anything_but_connect(milter):
    process = session(milter)
    process.send(CONNECT, Unknown(b"X"), Data(), Unknown(b"Y"), CONNECT)
    assert process.codes(5) == b"cccc4"
    status, _, err = process.finish()
    assert status == 1
    assert b"should not receive reply for connect on unknown" in err


def test_second_message_after_end_of_message(milter):
    process = session(milter)
    process.send(*MESSAGE_START, EndOfMessage(), EnvelopeFrom(b"again@example.com"),
                 EnvelopeRecipient(b"r@example.com"), Header(b"A", b"1"), EndOfHeader(),
                 Body(b"x"), EndOfMessage())
    assert process.codes(11) == b"ccccccccccc"


# --- §7.5 process behaviour ------------------------------------------------------------------

def test_quit_ends_at_once_ignoring_frames_in_the_same_read(milter):
    process = session(milter)
    process.send(Quit(), CONNECT)
    assert process.silent(0.5)
    status, out, _ = process.finish()
    assert status == 0
    assert out.endswith(b"receive: quit\n")


def test_quit_without_reply(milter):
    process = session(milter, "--quit-without-reply=data")
    process.send(*MESSAGE_START, Data())
    assert process.codes(4) == b"cccc"
    assert process.silent(0.5)
    status, out, _ = process.finish()
    assert status == 0
    assert out.endswith(b"receive: data\n")


def test_listening_socket_is_closed_after_accepting(milter):
    process = milter().connect()
    process.negotiate()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", process.port), timeout=2).close()


def test_idle_timeout_exits_1_and_eof_exits_0(milter):
    idle = milter(timeout=0.3).connect()
    assert idle.process.wait(5) == 1
    closed = milter().connect()
    closed.negotiate()
    status, _, _ = closed.finish()
    assert status == 0


def test_no_connection_within_the_timeout_exits_1(milter):
    process = milter(timeout=0.3)
    process.wait_ready()
    assert process.process.wait(5) == 1
    assert b"no connection" in process.process.stderr.read()


def test_no_bind_prints_ready_sleeps_and_exits_0(milter):
    process = milter("--no-bind", "--timeout=0.3")
    process.wait_ready()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", process.port), timeout=1).close()
    assert process.process.wait(5) == 0


def test_later_options_override_the_prefix(milter):
    process = milter("--timeout=0.2")   # the prefix says 5 s
    process.wait_ready()
    assert process.process.wait(3) == 1


def test_exit_option_exits_at_once_without_output(milter):
    process = milter("--exit", "--bogus-after-exit")
    assert process.process.wait(5) == 0
    assert process.process.stdout.read() == b""


@pytest.mark.parametrize("arguments", [
    ("--bogus",), ("--port",), ("--port=abc",), ("--add-header=NoColon",),
    ("--insert-header=x:Name:v",), ("--delete-header=Name",), ("--timeout=soon",),
    ("--body-regexp=(",), ("--data=1",),
])
def test_bad_command_lines_exit_1_before_ready(arguments):
    done = subprocess.run([sys.executable, "-m", "milter_manager.testing.scenario_milter",
                           "--print-status", *arguments], capture_output=True, timeout=10,
                          env=client_environment(), check=False)
    assert done.returncode == 1
    assert done.stdout == b""
    assert done.stderr


def test_package_main_is_the_same_command(milter):
    process = milter(module="milter_manager.testing").connect()
    assert process.negotiate(6, 1, 0).version == 6


def test_non_option_arguments_are_ignored(milter):
    process = milter("stray", "--quiet", "--verbose", "--debug").connect()
    process.negotiate()
    process.send(CONNECT)
    assert process.codes(1) == b"c"
    _, _, err = process.finish()
    assert b"connect" in err   # --debug traces on stderr only
