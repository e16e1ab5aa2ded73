"""`milter-test-server` command line (tools.md §1.1, §1.3; cli.md §1, §1.4, §2.1)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from milter_manager import VERSION
from milter_manager.tools.test_server import main, original_message, use_colour
from milter_manager.tools.test_server_goption import OptionError
from milter_manager.tools.test_server_message import (
    MailFileError,
    chunk_body,
    parse_mail,
)
from milter_manager.tools.test_server_options import parse_options, stage_macros

# tools.md §1.1: the help layout and option order (descriptions are ours).
HELP_OPTIONS = ["-?, --help"]
APPLICATION_OPTIONS = [
    "--name=NAME", "-s, --connection-spec=SPEC", "--negotiate-version=VERSION",
    "--connect-host=HOST", "--connect-address=SPEC", "--connect-macro=NAME:VALUE",
    "--helo-fqdn=FQDN", "--helo-macro=NAME:VALUE", "-f, --envelope-from=FROM",
    "--envelope-from-macro=NAME:VALUE", "-r, --envelope-recipient=RECIPIENT",
    "--envelope-recipient-macro=NAME:VALUE", "--data-macro=NAME:VALUE",
    "-h, --header=NAME:VALUE", "--end-of-header-macro=NAME:VALUE", "-b, --body=CHUNK",
    "--end-of-message-macro=NAME:VALUE", "--unknown=COMMAND", "--authenticated-name=NAME",
    "--authenticated-type=TYPE", "--authenticated-author=AUTHOR", "-m, --mail-file=PATH",
    "--output-message", "--color=[yes|true|no|false|auto]", "--connection-timeout=SECONDS",
    "--reading-timeout=SECONDS", "--writing-timeout=SECONDS",
    "--end-of-message-timeout=SECONDS", "--all-timeouts=SECONDS", "-t, --threads=N",
    "-v, --verbose", "--version",
]
SPEC = ["-s", "inet:10025@127.0.0.1"]


def run(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert err == ""
    return status, out


def error_of(*argv: str) -> str:
    with pytest.raises(OptionError) as caught:
        parse_options(list(argv))
    return caught.value.text


def test_help_layout(capsys):
    for flag in ("--help", "-?"):
        status, out = run(capsys, *SPEC, flag)
        assert status == 0
        lines = out.split("\n")
        assert lines[0] == "Usage:"
        assert lines[1] in ("  milter-test-server [OPTION…]", "  milter-test-server [OPTION...]")
        assert lines[2] == ""
        assert lines[3] == "Help Options:"
        assert lines[4 + len(HELP_OPTIONS)] == ""
        assert lines[5 + len(HELP_OPTIONS)] == "Application Options:"
        start = 6 + len(HELP_OPTIONS)
        assert lines[start + len(APPLICATION_OPTIONS):] == ["", ""]
        entries = lines[4:4 + len(HELP_OPTIONS)] + lines[start:start + len(APPLICATION_OPTIONS)]
        assert [entry[:49].strip() for entry in entries] == HELP_OPTIONS + APPLICATION_OPTIONS
        for entry in entries:
            assert entry.startswith("  ") and entry[48] == " " and entry[49] != " "


def test_version_is_printed_when_reached(capsys):
    assert run(capsys, "--version", "--bogus") == (0, f"milter-test-server {VERSION}\n")


def test_the_console_script():
    done = subprocess.run([sys.executable, "-m", "milter_manager.tools.test_server",
                           "--version"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, f"milter-test-server {VERSION}\n", "")


@pytest.mark.parametrize(("argv", "message"), [
    (["--bogus"], "Unknown option --bogus"),
    ([*SPEC, "-x"], "Unknown option -x"),
    ([*SPEC, "-vx"], "Unknown option -vx"),
    ([*SPEC, "--verbose=1"], "Unknown option --verbose=1"),
    ([*SPEC, "--help-all"], "Unknown option --help-all"),
    ([*SPEC, "--conn"], "Unknown option --conn"),          # no abbreviations
    ([*SPEC, "--header"], "Missing argument for --header"),
    (["-s"], "Missing argument for -s"),
    ([], "spec should not be NULL"),
    (["-v"], "spec should not be NULL"),
    (["-s", "xxxx:9999@localhost"],
     "protocol must be 'unix', 'inet' or 'inet6': <xxxx:9999@localhost>: <xxxx>"),
    (["-s", "inet:99999@localhost"],
     "port number should be less than 65536: <inet:99999@localhost>: <99999>"),
    (["--connection-spec=XXXX@localhost"], "spec doesn't have colon: <XXXX@localhost>"),
    ([*SPEC, "--connect-address", "inet:1@[no-address]"],
     "invalid host address: <inet:1@[no-address]>: <no-address>"),
    ([*SPEC, "--header", "no-colon"], "headers option should be 'NAME:VALUE'"),
    ([*SPEC, "--helo-macro", "no-colon"],
     "macro name and value delimiter ':' doesn't exist: <no-colon>"),
    ([*SPEC, "--color=maybe"], "Invalid color value: maybe"),
    ([*SPEC, "--threads=abc"], "Cannot parse integer value “abc” for --threads"),
    ([*SPEC, "-t", "3x"], "Cannot parse integer value “3x” for -t"),
    ([*SPEC, "--negotiate-version=99999999999"],
     "Integer value “99999999999” for --negotiate-version out of range"),
    ([*SPEC, "--reading-timeout=soon"], "Cannot parse double value “soon” for --reading-timeout"),
    ([*SPEC, "--all-timeouts=1e999"], "Double value “1e999” for --all-timeouts out of range"),
])
def test_option_errors_are_printed_alone_on_stdout(capsys, argv, message):
    assert run(capsys, *argv) == (1, message + "\n")


def test_the_first_invalid_value_is_reported():
    assert error_of("--threads=x", "--color=maybe", *SPEC) == \
        "Cannot parse integer value “x” for --threads"


def test_value_forms():
    o = parse_options(["-sinet:1@127.0.0.1", "--name", "--weird", "-h", "-X:-y",
                       "--envelope-from=a@example.com", "--from", "<b@example.com>",
                       "--negotiate-version", "0x4", "--threads", "010", "--", "--bogus"])
    assert o.spec is not None and o.spec.text == "inet:1@127.0.0.1"
    assert o.name == "--weird"                    # a required value is taken as is
    assert o.headers == [(b"-X", b"-y")]
    assert o.sender == b"<b@example.com>"        # the later one wins; normalised
    assert (o.negotiate_version, o.threads) == (4, 8)


@pytest.mark.parametrize(("argv", "color"), [
    ([], None), (["--color"], "yes"), (["--color=true"], "yes"), (["--color", "no"], "no"),
    (["--color", "false"], "no"), (["--color=auto"], "auto"), (["--color", "-v"], "yes"),
])
def test_color_takes_an_optional_value(argv, color):
    assert parse_options([*SPEC, *argv]).color == color


@pytest.mark.parametrize(("color", "tty", "term", "expected"), [
    ("yes", False, "dumb", True), ("no", True, "xterm", False),
    ("auto", False, "xterm", True),            # auto: the TERM test only (upstream)
    ("auto", True, "dumb", False),
    (None, False, "xterm-256color", False),    # [deviation] default: a TTY too
    (None, True, "xterm-256color", True), (None, True, "screen", True),
    (None, True, "linux", True), (None, True, "vt100", False),
])
def test_colour_decision(monkeypatch, color, tty, term, expected):
    monkeypatch.setattr("os.isatty", lambda fd: tty)
    o = parse_options([*SPEC, *([f"--color={color}"] if color else [])])
    assert use_colour(o, {"TERM": term}, 1) is expected


def test_defaults():
    o = parse_options(SPEC)
    assert (o.name, o.negotiate_version, o.connect_host, o.helo_fqdn) == (
        "milter-test-server", 6, b"mx.example.net", b"delian")
    assert o.connect_address == (b"4", 50443, b"192.168.123.123")
    assert (o.sender, o.recipients) == (b"<sender@example.com>", [b"<receiver@example.org>"])
    assert o.body_chunks == [(b"La de da de da 1.\nLa de da de da 2.\nLa de da de da 3.\n"
                             b"La de da de da 4.")]
    assert (o.connection_timeout, o.reading_timeout, o.writing_timeout,
            o.end_of_message_timeout, o.threads) == (300, 10, 10, 300, 0)


def test_all_timeouts_apply_after_the_single_ones():
    o = parse_options([*SPEC, "--all-timeouts=2.5", "--reading-timeout=7"])
    assert (o.connection_timeout, o.reading_timeout, o.writing_timeout,
            o.end_of_message_timeout) == (2.5, 2.5, 2.5, 2.5)


def test_macros_replace_in_place_and_exact_names():
    o = parse_options([*SPEC, "--connect-macro", "j:one", "--connect-macro", "{j}:two",
                       "--connect-macro", "j:three", "--data-macro", "i:x:y"])
    assert stage_macros(o, b"C") == [
        (b"{daemon_name}", b"milter-test-server"), (b"{if_name}", b"localhost"),
        (b"{if_addr}", b"127.0.0.1"), (b"j", b"three"), (b"{j}", b"two")]
    assert stage_macros(o, b"T") == [(b"i", b"x:y")]
    assert stage_macros(o, b"L") == [] and stage_macros(o, b"B") == []


def test_automatic_from_and_to_headers_only_when_absent():
    o = parse_options([*SPEC, "-h", "from:lower-case", "-r", "x@example.com"])
    assert original_message(o).headers == [(b"from", b"lower-case"),
                                           (b"From", b"<sender@example.com>"),
                                           (b"To", b"<x@example.com>")]


# --- mail files (tools.md §1.3) ------------------------------------------------------------

def test_mail_file_headers_envelope_and_body():
    mail = parse_mail(b"From someone Mon Jan  1 00:00:00 2024\n"
                      b"From: Alice <alice@example.com>\n"
                      b"To: bob@example.org (Bob)\n"
                      b"Subject:   spaced\n"
                      b"X-Folded: first\r\n"
                      b"\tsecond\r\n"
                      b" third\n"
                      b"\n"
                      b"line 1\r\nline 2\n")
    assert mail.headers == [(b"From", b"Alice <alice@example.com>"),
                            (b"To", b"bob@example.org (Bob)"), (b"Subject", b"spaced"),
                            (b"X-Folded", b"first\r\n\tsecond\n third")]
    assert (mail.sender, mail.recipients) == (b"<alice@example.com>", [b"<bob@example.org>"])
    assert mail.body == b"line 1\r\nline 2\n"


def test_mail_file_several_recipients_one_per_address():
    # [deviation] upstream keeps only the first token (`<a@x,>`).
    mail = parse_mail(b'To: a@example.com, "Doe, J" <j@example.com>,\n'
                      b"\tc@example.com,\nTo: <d@example.com>\n\nbody")
    assert mail.recipients == [b"<a@example.com>", b"<j@example.com>", b"<c@example.com>",
                               b"<d@example.com>"]


@pytest.mark.parametrize(("data", "message"), [
    (b"Subject: x\n-bad line\n\n", "invalid header: <-bad line>"),
    (b" leading space\n\n", "invalid header: < leading space>"),
    (b"No colon here\n\n", "invalid header: <No colon here>"),
    (b"From: Alice <alice@example.com\n\n", "invalid mail address: <Alice <alice@example.com>"),
])
def test_mail_file_errors(data, message):
    with pytest.raises(MailFileError) as caught:
        parse_mail(data)
    assert str(caught.value) == message


def test_mail_file_without_separator_has_no_body():
    assert parse_mail(b"Subject: only\n").body == b""
    assert parse_mail(b"Subject: only").body == b""


def test_body_chunks_are_cut_at_line_boundaries():
    line = b"x" * 999 + b"\n"
    chunks = chunk_body(line * 200)
    assert [len(c) for c in chunks] == [65000, 65000, 65000, 5000]
    assert b"".join(chunks) == line * 200
    # [deviation] a line longer than 65535 bytes is cut at 65535.
    chunks = chunk_body(b"short\n" + b"y" * 70000 + b"\nend")
    assert [len(c) for c in chunks] == [6, 65535, 4466 + 3]
    assert chunk_body(b"") == []


def test_mail_file_errors_from_the_command_line(capsys, tmp_path):
    missing = tmp_path / "missing.mail"
    assert run(capsys, *SPEC, "-m", str(missing)) == (1, f"{missing} does not exist.\n")
    bad = tmp_path / "bad.mail"
    bad.write_bytes(b"bad header\n\nbody")
    assert run(capsys, *SPEC, "--mail-file", str(bad)) == (1, "invalid header: <bad header>\n")
    directory = tmp_path / "dir.mail"
    directory.mkdir()
    status, out = run(capsys, *SPEC, "-m", str(directory))
    assert (status, out) == (1, (f"Loading from {directory} failed.: Failed to open file "
                                f"“{directory}”: Is a directory\n"))


def test_mail_file_replaces_envelope_and_keeps_option_headers_first(tmp_path):
    mail = tmp_path / "test.mail"
    mail.write_bytes(b"From: <file@example.com>\nTo: <one@example.org>, two@example.org\n"
                     b"Subject: from file\n\nbody\n")
    o = parse_options([*SPEC, "-r", "early@example.com", "-h", "X-Option:1", "-m", str(mail),
                       "-r", "late@example.com"])
    message = original_message(o)
    assert message.sender == b"<file@example.com>"
    assert message.recipients == [b"<one@example.org>", b"<two@example.org>",
                                  b"<late@example.com>"]
    assert message.headers == [(b"X-Option", b"1"), (b"From", b"<file@example.com>"),
                               (b"To", b"<one@example.org>, two@example.org"),
                               (b"Subject", b"from file")]
    assert o.body_chunks == [b"body\n"]


def test_mail_file_from_standard_input(monkeypatch):
    import io

    class Stdin:
        buffer = io.BytesIO(b"Subject: piped\n\npiped body")
    monkeypatch.setattr("sys.stdin", Stdin)
    o = parse_options([*SPEC, "-m", "-"])
    assert o.file_headers == [(b"Subject", b"piped")]
    assert o.body_chunks == [b"piped body"]
