"""Golden outputs of `milter-test-server` (tools.md §1.6), written by hand from the spec.

Each case runs the real command (a subprocess of the console entry point)
against one scenario test milter (scenarios.md §7) that gives one verdict
or one end-of-message modification, with colour off and on, and compares
the whole output; only the elapsed time is masked. The last tests run it
against the manager with two children (the merged result).
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from milter_manager.protocol.replies import AddHeader, ChangeHeader, Continue

from .test_test_server_doubles import ScriptedMilter, run_tool

RED, GREEN, END = "\033[01;31m", "\033[01;32m", "\033[00m"
ELAPSED = re.compile(rb"^elapsed-time: [0-9]+(\.[0-9]+)?(e-0[5-9])? seconds$", re.MULTILINE)
TOOL = [sys.executable, "-m", "milter_manager.tools.test_server"]
SCENARIO_MILTER = [sys.executable, "-m", "milter_manager.testing.scenario_milter"]

UNCHANGED_MESSAGE = """
Envelope:------------------------------
  MAIL FROM:<sender@example.com>
  RCPT TO:<receiver@example.org>
Header:--------------------------------
  From: <sender@example.com>
  To: <receiver@example.org>
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ScenarioMilter:
    """`python -m milter_manager.testing.scenario_milter … ARGS` on a free loopback port."""

    def __init__(self, *arguments: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [*SCENARIO_MILTER, "--print-status", "--timeout", "10", "--host", "127.0.0.1",
             "--port", str(self.port), *arguments],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        assert line == b"ready\n", self.process.stderr.read()  # type: ignore[union-attr]
        self.spec = f"inet:{self.port}@127.0.0.1"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


@pytest.fixture
def scenario_milter():
    made: list[ScenarioMilter] = []

    def start(*arguments: str) -> ScenarioMilter:
        milter = ScenarioMilter(*arguments)
        made.append(milter)
        return milter
    yield start
    for milter in made:
        milter.stop()


def tool(*arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run([*TOOL, *arguments], capture_output=True, timeout=60, check=False,
                          env=env)
    assert done.stderr == b""
    masked = ELAPSED.sub(b"elapsed-time: E seconds", done.stdout)
    return done.returncode, masked.decode()


def paint(text: str, colour: bool) -> str:
    """The expected text: `{-}…{/}` and `{+}…{/}` marks become colour codes or nothing."""
    codes = {"{-}": RED, "{+}": GREEN, "{/}": END} if colour else dict.fromkeys(
        ("{-}", "{+}", "{/}"), "")
    for mark, code in codes.items():
        text = text.replace(mark, code)
    return text


# (scenario milter arguments, expected output with {-}/{+}/{/} colour marks)
CASES = {
    "pass": ([], "status: pass\nelapsed-time: E seconds\n" + UNCHANGED_MESSAGE),
    "accept": (["--action", "accept", "--envelope-recipient", "<receiver@example.org>"],
               "status: accept\nelapsed-time: E seconds\n" + UNCHANGED_MESSAGE),
    "reject": (["--action", "reject", "--envelope-from", "<sender@example.com>"],
               "status: reject\nelapsed-time: E seconds\n" + UNCHANGED_MESSAGE),
    "reject-with-reply-code": (
        ["--reply-code", "554 5.7.1 1% 2%% 3%%%", "--helo", "delian"],
        "status: reject [554]<5.7.1>(1% 2%% 3%%%)\nelapsed-time: E seconds\n"
        + UNCHANGED_MESSAGE),
    "temporary-failure": (["--action", "temporary-failure", "--data"],
                          "status: temporary-failure\nelapsed-time: E seconds\n"
                          + UNCHANGED_MESSAGE),
    "temporary-failure-with-reply-code": (
        ["--reply-code", "451 4.7.1 Greylisting", "--end-of-message"],
        "status: temporary-failure [451]<4.7.1>(Greylisting)\nelapsed-time: E seconds\n"
        + UNCHANGED_MESSAGE),
    "discard": (["--action", "discard", "--end-of-message"],
                "status: discard\nelapsed-time: E seconds\n" + UNCHANGED_MESSAGE),
    "quarantine": (["--quarantine", "virus found"],
                   "status: quarantine\nelapsed-time: E seconds\n"
                   "Quarantine reason: <virus found>\n" + UNCHANGED_MESSAGE),
    "change-from": (["--change-from", "sender+changed@example.com"], """\
status: pass
elapsed-time: E seconds

Envelope:------------------------------
{-}- MAIL FROM:<sender@example.com>{/}
{+}+ MAIL FROM:<sender+changed@example.com>{/}
  RCPT TO:<receiver@example.org>
Header:--------------------------------
  From: <sender@example.com>
  To: <receiver@example.org>
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""),
    "add-recipient": (["--add-recipient", "receiver+added@example.org"], """\
status: pass
elapsed-time: E seconds

Envelope:------------------------------
  MAIL FROM:<sender@example.com>
  RCPT TO:<receiver@example.org>
{+}+ RCPT TO:<receiver+added@example.org>{/}
Header:--------------------------------
  From: <sender@example.com>
  To: <receiver@example.org>
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""),
    "delete-recipient": (["--delete-recipient", "receiver@example.org"], """\
status: pass
elapsed-time: E seconds

Envelope:------------------------------
  MAIL FROM:<sender@example.com>
{-}- RCPT TO:<receiver@example.org>{/}
Header:--------------------------------
  From: <sender@example.com>
  To: <receiver@example.org>
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""),
    "add-header": (["--add-header", "X-Test-Header1:TestHeader1Value"], """\
status: pass
elapsed-time: E seconds

Envelope:------------------------------
  MAIL FROM:<sender@example.com>
  RCPT TO:<receiver@example.org>
Header:--------------------------------
  From: <sender@example.com>
  To: <receiver@example.org>
{+}+ X-Test-Header1: TestHeader1Value{/}
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""),
    "insert-header": (["--insert-header", "1:To:<receiver+added@example.org>"], """\
status: pass
elapsed-time: E seconds

Envelope:------------------------------
  MAIL FROM:<sender@example.com>
  RCPT TO:<receiver@example.org>
Header:--------------------------------
  From: <sender@example.com>
{+}+ To: <receiver+added@example.org>{/}
  To: <receiver@example.org>
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""),
    "change-header": (["--change-header", "To:1:<receiver+changed@example.org>"], """\
status: pass
elapsed-time: E seconds

Envelope:------------------------------
  MAIL FROM:<sender@example.com>
  RCPT TO:<receiver@example.org>
Header:--------------------------------
  From: <sender@example.com>
{+}+ To: <receiver+changed@example.org>{/}
{-}- To: <receiver@example.org>{/}
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""),
    "delete-header": (["--delete-header", "To:1"], """\
status: pass
elapsed-time: E seconds

Envelope:------------------------------
  MAIL FROM:<sender@example.com>
  RCPT TO:<receiver@example.org>
Header:--------------------------------
  From: <sender@example.com>
{-}- To: <receiver@example.org>{/}
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""),
    "replace-body": (["--replace-body", "This is the replaced message."], """\
status: pass
elapsed-time: E seconds

Envelope:------------------------------
  MAIL FROM:<sender@example.com>
  RCPT TO:<receiver@example.org>
Header:--------------------------------
  From: <sender@example.com>
  To: <receiver@example.org>
Body:----------------------------------
This is the replaced message.
"""),
}


@pytest.mark.parametrize("colour", [False, True], ids=["colour-off", "colour-on"])
@pytest.mark.parametrize("case", list(CASES))
def test_golden_output_against_one_test_milter(capfdbinary, scenario_milter, case, colour):
    arguments, expected = CASES[case]
    child = scenario_milter(*arguments)
    # In this process for speed; the tests below run the installed command.
    status, out = run_tool(capfdbinary, "-s", child.spec, "--output-message",
                           "--color=yes" if colour else "--color=no")
    assert status == 0
    assert ELAPSED.sub(b"elapsed-time: E seconds", out).decode() == paint(expected, colour)


def test_status_only_without_output_message(scenario_milter):
    child = scenario_milter("--action", "reject", "--envelope-from", "<sender@example.com>")
    assert tool("-s", child.spec) == (0, "status: reject\nelapsed-time: E seconds\n")


def test_piped_output_is_not_coloured_by_default(scenario_milter):
    # [deviation] upstream colours it under a colour TERM; parsers read it.
    child = scenario_milter("--add-header", "X-Test-Header1:TestHeader1Value")
    status, out = tool("-s", child.spec, "--output-message",
                       env={"TERM": "xterm-256color", "PATH": "/usr/bin:/bin"})
    assert status == 0
    assert "\033" not in out and "+ X-Test-Header1: TestHeader1Value\n" in out


# --- details of the message part (tools.md §1.6) ------------------------------------------

def message_part(out: bytes) -> bytes:
    return out.split(b"Header:--------------------------------\n", 1)[1]


def test_upstreams_charset_case(capfdbinary):
    double = ScriptedMilter()
    try:
        status, out = run_tool(capfdbinary, "-s", double.spec, "--output-message", "--color=no",
                               '--header=Content-Type:text/plain; charset="us-ascii"')
    finally:
        double.close()
    assert status == 0
    assert message_part(out) == (
        b'  Content-Type: text/plain; charset="us-ascii"\n'
        b"  From: <sender@example.com>\n  To: <receiver@example.org>\n"
        b"Body:----------------------------------\n"
        b"La de da de da 1.\nLa de da de da 2.\nLa de da de da 3.\nLa de da de da 4.\n")


@pytest.mark.parametrize(("content_type", "body", "printed"), [
    ("text/plain; charset=iso-8859-1", b"caf\xe9", "café\n".encode()),
    ("text/plain; charset='ISO-8859-1'; format=flowed", b"caf\xe9", "café\n".encode()),
    ("text/plain; charset=utf-8", "café".encode(), "café\n".encode()),
    ("text/plain; charset=us-ascii", b"caf\xe9",
     (b"Error:---------------------------------\nInvalid byte sequence in conversion input\n"
     b"---------------------------------------\ncaf\xe9\n")),
    ("text/plain; charset=x-no-such-charset", b"body",
     "Error:---------------------------------\nConversion from character set "
     "“x-no-such-charset” to “UTF-8” is not supported\n"
     "---------------------------------------\nbody\n".encode()),
])
def test_body_is_converted_from_the_result_charset(capfdbinary, content_type, body, printed):
    double = ScriptedMilter()
    try:
        status, out = run_tool(capfdbinary, "-s", double.spec, "--output-message",
                               "--color=no", f"--header=Content-Type: {content_type}",
                               "-b", body.decode("utf-8", "surrogateescape"))
    finally:
        double.close()
    assert status == 0
    assert out.split(b"Body:----------------------------------\n", 1)[1] == printed


def test_folded_values_and_empty_values(capfdbinary):
    script = {b"E": [[AddHeader(b"X-Multi", b"a\r\n\tb\n c"), AddHeader(b"X-Empty", b""),
                      ChangeHeader(1, b"From", b""), Continue()]]}
    double = ScriptedMilter(script=script)
    try:
        status, out = run_tool(capfdbinary, "-s", double.spec, "--output-message",
                               "--color=yes")
    finally:
        double.close()
    assert status == 0
    green, red, end = GREEN.encode(), RED.encode(), END.encode()
    assert message_part(out).split(b"Body:")[0] == (
        red + b"- From: <sender@example.com>" + end + b"\n"
        b"  To: <receiver@example.org>\n"
        + green + b"+ X-Multi: a\r" + end + b"\n"
        + green + b"+ \tb" + end + b"\n"
        + green + b"+  c" + end + b"\n"
        + green + b"+ X-Empty:" + end + b"\n")


# --- against the manager with two children (tools.md §1; manager.md §7) --------------------

@pytest.fixture
def manager():
    """`Manager` on an ephemeral loopback port, serving in a thread of this process."""
    from milter_manager.manager import Manager, ManagerLog
    from milter_manager.manager.settings import EggSettings, ManagerSettings
    running = []

    def start(*specs: str) -> int:
        eggs = tuple(EggSettings(f"child{n}", spec) for n, spec in enumerate(specs, 1))
        instance = Manager(ManagerSettings(eggs=eggs), "inet:0@[127.0.0.1]",
                           log=ManagerLog(0, lambda *args: None))
        instance.start_in_thread()
        running.append(instance)
        return int(instance.port)
    yield start
    for instance in running:
        instance.stop()


def test_two_children_through_the_manager_give_the_merged_message(scenario_milter, manager):
    first = scenario_milter("--add-header", "X-Child1:one", "--change-from",
                            "changed@example.com")
    second = scenario_milter("--add-recipient", "added@example.org", "--add-header",
                             "X-Child2:two", "--quarantine", "second")
    port = manager(first.spec, second.spec)
    status, out = tool("-s", f"inet:{port}@127.0.0.1", "--output-message", "--color=no")
    assert status == 0
    assert out == """\
status: quarantine
elapsed-time: E seconds
Quarantine reason: <second>

Envelope:------------------------------
- MAIL FROM:<sender@example.com>
+ MAIL FROM:<changed@example.com>
  RCPT TO:<receiver@example.org>
+ RCPT TO:<added@example.org>
Header:--------------------------------
  From: <sender@example.com>
  To: <receiver@example.org>
+ X-Child1: one
+ X-Child2: two
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""


@pytest.mark.parametrize(("first", "second", "expected"), [
    ([], [], "status: pass"),
    ([], ["--action", "reject", "--envelope-from", "<sender@example.com>"], "status: reject"),
    (["--action", "temporary-failure", "--helo", "delian"], [], "status: temporary-failure"),
    (["--action", "discard", "--end-of-message"], ["--action", "reject", "--end-of-message"],
     "status: discard"),
])
def test_two_children_through_the_manager_give_the_merged_status(
        scenario_milter, manager, first, second, expected):
    port = manager(scenario_milter(*first).spec, scenario_milter(*second).spec)
    status, out = tool("-s", f"inet:{port}@127.0.0.1", "--unknown='!'")
    assert status == 0
    lines = out.split("\n")
    assert lines[:2] == [expected, "elapsed-time: E seconds"]


@pytest.fixture
def daemon(tmp_path):
    """The real `milter-manager` daemon: `--config-dir DIR -s inet:P@127.0.0.1 --no-daemon`."""
    started: list[subprocess.Popen] = []

    def start(*specs: str) -> int:
        lines = [f'define_milter("child{n}") do |milter|\n'
                 f'  milter.connection_spec = "{spec}"\nend\n'
                 for n, spec in enumerate(specs, 1)]
        (tmp_path / "milter-manager.conf").write_text("".join(lines))
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "milter_manager.cli.main", "--config-dir", str(tmp_path),
             "-s", f"inet:{port}@127.0.0.1", "--no-daemon"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, "milter-manager exited at start-up"
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return port
            time.sleep(0.05)
        raise AssertionError("milter-manager did not listen")
    yield start
    for process in started:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_children_through_the_real_daemon(scenario_milter, daemon):
    first = scenario_milter("--add-header", "X-Child1:one")
    second = scenario_milter("--action", "reject", "--envelope-recipient",
                             "<other@example.org>", "--delete-recipient", "receiver@example.org")
    port = daemon(first.spec, second.spec)
    status, out = tool("-s", f"inet:{port}@127.0.0.1", "-r", "receiver@example.org",
                       "-r", "other@example.org", "--output-message", "--color=yes")
    assert status == 0
    assert out == paint("""\
status: pass
elapsed-time: E seconds

Envelope:------------------------------
  MAIL FROM:<sender@example.com>
{-}- RCPT TO:<receiver@example.org>{/}
{-}- RCPT TO:<other@example.org>{/}
Header:--------------------------------
  From: <sender@example.com>
  To: <receiver@example.org>
{+}+ X-Child1: one{/}
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
""", colour=True)


@pytest.mark.parametrize(("text", "line"), [
    ("550 Rejected here", "status: reject [550]<(null)>(Rejected here)"),
    ("554 5.7.1", "status: reject [554]<5.7.1>((null))"),
    ("450", "status: temporary-failure [450]<(null)>((null))"),
    ("550-5.7.1 line one\r\n550 5.7.1 line two",
     "status: reject [550]<5.7.1>(line one\nline two)"),
])
def test_status_line_of_a_reply_code(capfdbinary, text, line):
    from milter_manager.protocol.reply_code import parse_reply_text
    double = ScriptedMilter(script={b"M": [parse_reply_text(text.encode())]})
    try:
        status, out = run_tool(capfdbinary, "-s", double.spec)
    finally:
        double.close()
    assert status == 0
    assert ELAPSED.sub(b"elapsed-time: E seconds", out).decode() == \
        f"{line}\nelapsed-time: E seconds\n"


def test_a_refused_recipient_among_others_keeps_pass_and_its_reply_code(capfdbinary):
    # tools.md §1.6: the bracket part is printed whenever a reply code was received.
    from milter_manager.protocol.reply_code import parse_reply_text
    double = ScriptedMilter(script={b"R": [parse_reply_text(b"550 5.1.1 No such user")]})
    try:
        status, out = run_tool(capfdbinary, "-s", double.spec, "-r", "gone@example.org",
                               "-r", "here@example.org", "--output-message", "--color=no")
    finally:
        double.close()
    assert status == 0
    assert ELAPSED.sub(b"elapsed-time: E seconds", out).decode() == """\
status: pass [550]<5.1.1>(No such user)
elapsed-time: E seconds

Envelope:------------------------------
  MAIL FROM:<sender@example.com>
- RCPT TO:<gone@example.org>
+ RCPT TO:<here@example.org>
- RCPT TO:<here@example.org>
Header:--------------------------------
  From: <sender@example.com>
  To: <gone@example.org>
Body:----------------------------------
La de da de da 1.
La de da de da 2.
La de da de da 3.
La de da de da 4.
"""
