"""milter-performance-check without a network: options, mails, report (tools.md §3)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from milter_manager.tools.performance_check.mails import (
    Mailer,
    MailSource,
    collect_sources,
    file_envelope,
    generated_text,
)
from milter_manager.tools.performance_check.options import (
    UsageError,
    parse_arguments,
    parse_period,
    read_auth_map,
)
from milter_manager.tools.performance_check.report import (
    PERIODIC_HEADER,
    Collector,
    PeriodicReport,
    ProgressBar,
    csv_row,
    format_report,
)
from milter_manager.tools.performance_check.smtp import (
    ERROR,
    REJECT,
    SUCCESS,
    TEMPORARY_FAILURE,
    ReplyReader,
    Result,
    SessionError,
    dot_stuff,
)

MODULE = "milter_manager.tools.performance_check"


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", MODULE, *args], input=stdin.decode(),
                          capture_output=True, text=True, timeout=60, check=False)


# -- options (§3.1) -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "seconds"), [
    ("5", 5.0), ("0.5s", 0.5), ("10m", 600.0), ("1.5h", 5400.0), ("2SEC", 2.0),
    ("3seconds", 3.0), ("1second", 1.0), ("2min", 120.0), ("1Minute", 60.0),
    ("2minutes", 120.0), ("1hour", 3600.0), ("2hours", 7200.0),
])
def test_period_syntax(text, seconds):
    assert parse_period(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "1.", ".5", "1d", "1 s", "-1", "1.5.2", "5mins"])
def test_period_syntax_errors(text):
    with pytest.raises(UsageError, match="^invalid period format$"):
        parse_period(text)


def test_defaults_follow_the_code_not_the_manual():
    settings, _ = parse_arguments([])
    assert settings.n_concurrent_connections == 1  # §6: manual 10, code 1
    assert settings.auth_mechanism == "auto"        # §6: upstream's typo `auth`
    assert settings.smtp_server == "localhost" and settings.smtp_port == 25
    assert settings.helo_fqdn == "localhost.localdomain"
    assert settings.from_list == ["from@example.com"]
    assert settings.recipient_list == ["to@example.com"]
    assert settings.n_mails == 100 and settings.reading_timeout == 60


def test_option_forms_prefixes_and_repeats():
    settings, _ = parse_arguments([
        "--smtp-s=mx", "--smtp-port", "2525", "--from", "a@x", "--from=b@x",
        "--recipient=r1@x", "--recipient", "r2@x", "--shuffle", "--no-shuffle",
        "--n-mails=7", "dir1", "--flood", "mail2", "--report-periodically"])
    assert settings.smtp_server == "mx" and settings.smtp_port == 2525
    assert settings.froms == ["a@x", "b@x"] and settings.recipients == ["r1@x", "r2@x"]
    assert settings.shuffle is False and settings.n_mails == 7
    # An optional value only after `=` (OptionParser): `mail2` stays a file.
    assert settings.flood and settings.flood_period is None
    assert settings.paths == ["dir1", "mail2"]
    assert settings.report_periodically == 1.0


@pytest.mark.parametrize(("args", "message"), [
    (["--foo"], "invalid option: --foo"),
    (["--smtp-port"], "missing argument: --smtp-port"),
    (["--n-mails=abc"], "invalid argument: --n-mails=abc"),
    (["--n-mails", "abc"], "invalid argument: --n-mails abc"),
    (["--interval=1", "--period=2"], "can't use with --interval"),
    (["--period=2", "--flood"], "can't use with --period"),
    (["--flood", "--interval=1"], "can't use with --flood"),
    (["--interval=1x"], "invalid period format"),
    (["--n-workers=-1"], "must be positive number."),
    (["--starttls=sometimes"], "invalid argument: --starttls=sometimes"),
    (["--auth-mechanism=auth"], "invalid argument: --auth-mechanism=auth"),
    (["--n"], "ambiguous option: --n"),
    (["--shuffle=yes"], "needless argument: --shuffle=yes"),
])
def test_option_errors_are_one_line_and_exit_1(args, message):
    result = run(*args)
    assert result.returncode == 1
    assert result.stderr == f"milter-performance-check: {message}\n"
    assert result.stdout == ""


def test_help_lists_the_options_and_exits_0():
    result = run("--help")
    assert result.returncode == 0
    for option in ("--smtp-server", "--n-concurrent-connections", "--flood[=PERIOD]",
                   "--[no-]shuffle", "--report-periodically[=INTERVAL]", "--[no-]progress"):
        assert option in result.stdout
    assert run("-h").stdout == result.stdout


def test_auth_map(tmp_path):
    path = tmp_path / "map"
    path.write_text("# comment\n  mx.example.com:25 alice:secret  \n\n"
                    "127.0.0.1:smtp bob:pw:with:colons # trailing\n")
    assert read_auth_map(str(path)) == {("mx.example.com", 25): ("alice", "secret"),
                                        ("127.0.0.1", 25): ("bob", "pw:with:colons")}
    path.write_text("ok:25 a:b\nbroken line here\n")
    with pytest.raises(UsageError) as error:
        read_auth_map(str(path))
    assert str(error.value) == f"invalid format: {path}:2: <broken line here>"


def test_bad_auth_map_is_fatal(tmp_path):
    path = tmp_path / "map"
    path.write_text("server-without-port user:pw\n")
    result = run(f"--auth-map={path}", "--smtp-port=1", "--n-mails=1")
    assert result.returncode == 1
    assert result.stderr == (f"milter-performance-check: invalid format: {path}:1: "
                             "<server-without-port user:pw>\n")


# -- mails (§3.2, §3.3) ---------------------------------------------------------------------

def test_generated_mail_layout():
    now = datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC)
    text = generated_text("me@example.com", ["a@example.org", "b@example.org"],
                          "client.example", 2, now)
    pattern = (
        r"Return-Path: <me@example\.com>\n"
        r"Received: from client\.example \(client\.example \[192\.168\.1\.1\]\)\n"
        r"\tby mail\.example\.com with ESMTP id [0-9a-zA-Z]{10};\n"
        r"\tWed, 25 Nov 2026 09:00:00 \+0000\n"
        r"MIME-Version: 1\.0\n"
        r"Content-Transfer-Encoding: 7bit\n"
        r"Content-Type: text/plain; charset=US-ASCII\n"
        r"X-Mailer: milter-performance-check\n"
        r"Message-Id: <[0-9a-f]{64}@mail\.example\.com>\n"
        r"Subject: test mail\n"
        r"From: me@example\.com\n"
        r"To: a@example\.org, b@example\.org\n"
        r"Date: Wed, 25 Nov 2026 09:00:00 \+0000\n"
        r"\n"
        r"Hello,\n\nThis is a test mail\.\n"
        r"(0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n){2}")
    assert re.fullmatch(pattern, text), text


def test_envelope_from_a_mail_file():
    data = (b"Received: from mx1.example.com (mx1 [10.0.0.1])\n\tby x; date\n"
            b"Received: from other.example.net\n"
            b"From: \"Sender\" <sender@example.com>\n"
            b"To: Alice <alice@example.org>,\n bob@example.org (Bob)\n"
            b"Cc: carol@example.org\n"
            b"Subject: s\n\nTo: not-a-header@example.org\n")
    sender, recipients, helo = file_envelope(data)
    assert sender == "sender@example.com"
    assert recipients == ["alice@example.org", "bob@example.org", "carol@example.org"]
    assert helo == "mx1.example.com"  # [deviation] upstream: `mx`


def test_sender_without_angle_brackets_and_missing_headers():
    assert file_envelope(b"From: user@example.com (User)\r\n\r\nbody")[0] == "user@example.com"
    assert file_envelope(b"Subject: only\n\nbody") == (None, [], None)


def test_mailer_uses_froms_in_turn_and_forced_envelope():
    settings, _ = parse_arguments(["--from=a@x", "--from=b@x", "--helo-fqdn=h.example"])
    mailer = Mailer(settings)
    generated = MailSource(None)
    senders = [mailer.next(generated).sender for _ in range(3)]
    assert senders == ["a@x", "b@x", "a@x"]
    no_from = MailSource("f", b"To: t@example.org\n\nbody\n")
    mail = mailer.next(no_from)
    assert (mail.sender, mail.recipients, mail.helo) == ("b@x", ("t@example.org",), "h.example")
    assert mail.message == b"To: t@example.org\r\n\r\nbody\r\n"
    forced, _ = parse_arguments(["--force-from=f@x", "--force-recipient=r1@x",
                                 "--force-recipient=r2@x"])
    mail = Mailer(forced).next(MailSource("f", b"From: s@x\nTo: t@x\n\nb\n"))
    assert (mail.sender, mail.recipients) == ("f@x", ("r1@x", "r2@x"))


def test_stdin_mail_gets_a_new_message_id_on_reuse():
    settings, _ = parse_arguments(["-"])
    data = b"From: s@x\nMessage-Id: <original@x>\nSubject: s\n\nMessage-Id: <body@x>\n"
    sources = collect_sources(settings, data)
    assert len(sources) == 100  # one file (stdin): sent --n-mails times
    mailer = Mailer(settings)
    first, second, third = (mailer.next(sources[i]).message for i in range(3))
    assert b"Message-Id: <original@x>\r\n" in first
    ids = [re.search(rb"^Message-Id: (.*)\r$", m, re.MULTILINE).group(1) for m in (second, third)]
    assert all(re.fullmatch(rb"<[0-9a-f]{64}@mail\.example\.com>", i) for i in ids)
    assert ids[0] != ids[1]
    assert second.endswith(b"\r\n\r\nMessage-Id: <body@x>\r\n")  # the body is untouched


def test_mail_list_files_directories_and_counts(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ("d/b", "d/sub/a", "c"):
        (tmp_path / name).write_bytes(name.encode())
    settings, _ = parse_arguments([str(tmp_path / "d"), str(tmp_path / "c"), "--n-mails=5"])
    paths = [s.path for s in collect_sources(settings)]
    assert paths == sorted([str(tmp_path / "d/b"), str(tmp_path / "d/sub/a"),
                            str(tmp_path / "c")])  # ≥ 2 files: --n-mails ignored
    one, _ = parse_arguments([str(tmp_path / "c"), "--n-mails=3"])
    assert [s.path for s in collect_sources(one)] == [str(tmp_path / "c")] * 3
    none, _ = parse_arguments(["--n-mails=4"])
    assert [s.path for s in collect_sources(none)] == [None] * 4


# -- SMTP pieces ----------------------------------------------------------------------------

def test_dot_stuffing_and_final_dot():
    assert dot_stuff(b".a\r\nb\r\n..c\r\n") == b"..a\r\nb\r\n...c\r\n.\r\n"
    assert dot_stuff(b"no final newline") == b"no final newline\r\n.\r\n"


def test_reply_reader_multiline_and_split_reads():
    reader = ReplyReader()
    assert reader.feed(b"250-mx.example\r\n250-STARTTLS\r") == []
    replies = reader.feed(b"\n250 AUTH PLAIN\r\n451 4.7.1 try later\r\n")
    assert [(r.code, r.lines) for r in replies] == [
        (250, ["mx.example", "STARTTLS", "AUTH PLAIN"]), (451, ["4.7.1 try later"])]
    assert replies[1].text() == "451 4.7.1 try later"
    with pytest.raises(SessionError):
        ReplyReader().feed(b"hello\r\n")


# -- report (§3.5) --------------------------------------------------------------------------

def result(path, started, seconds, kind=SUCCESS, message="", size=100):
    return Result(path, started, seconds, size, kind, message, started + seconds)


def test_report_with_files_failures_and_responses():
    collector = Collector()
    for item in [result("m/a", 1.0, 0.5), result("m/b", 2.0, 1.25, REJECT, "550 5.7.1 no"),
                 result("m/c", 3.0, 0.5, TEMPORARY_FAILURE, "451 4.7.1 later"),
                 result("m/d", 4.0, 0.25, ERROR, "TimeoutError: timed out")]:
        collector.add(item)
    text = format_report(collector, used_files=True, failure_responses=True, elapsed=2.0)
    assert text == (
        " 1.25 (sec): m/b\n"
        " 0.50 (sec): m/a\n"   # tie with m/c: send order
        " 0.50 (sec): m/c\n"
        " 0.25 (sec): m/d\n"
        "\n"
        "Rejected mails:\nm/b\n\n"
        "Temporary failed mails:\nm/c\n\n"
        "Total:\n"
        "      N mails:      4\n"
        " Elapsed time:   2.00 (sec)\n"
        "   Throughput:   2.00 (mails/sec)\n"
        "\n"
        "Per mail:\n"
        "          Max:   1.25 (sec)\n"
        "          Min:   0.25 (sec)\n"
        "      Average:   0.62 (sec)\n"
        "\n"
        "Status:\n"
        " Temporary failure:   1 ( 25.00%)\n"
        "            Reject:   1 ( 25.00%)\n"
        "             Error:   1 ( 25.00%)\n"
        "\n"
        "Temporary failures:\n  1 451 4.7.1 later\n"
        "Rejects:\n  1 550 5.7.1 no\n"
        "Errors:\n  1 TimeoutError: timed out\n")


def test_report_of_no_mail_and_wide_numbers():
    text = format_report(Collector(), used_files=False, failure_responses=True, elapsed=0.0)
    assert "      N mails:      0\n" in text
    assert "   Throughput:   0.00 (mails/sec)\n" in text
    assert "          Min:   0.00 (sec)\n" in text
    assert " Temporary failure:   0 (  0.00%)\n" in text  # [deviation] upstream: NaN
    assert text.endswith("             Error:   0 (  0.00%)\n")
    collector = Collector()
    for i in range(1000):
        collector.add(result(None, i, 0.001))
    text = format_report(collector, used_files=False, failure_responses=False, elapsed=0.5)
    assert "      N mails:   1000\n" in text
    assert "   Throughput: 2000.00 (mails/sec)\n" in text  # wider than the field


def test_slowest_lists_at_most_ten_and_numbers_are_padded_to_the_count():
    collector = Collector()
    for i in range(12):
        collector.add(result(f"f{i:02d}", i, i / 10, ERROR, f"E{i}"))
    text = format_report(collector, used_files=True, failure_responses=True, elapsed=1.0)
    slowest = text.split("\n\n")[0].splitlines()
    assert slowest[0] == " 1.10 (sec): f11" and slowest[-1] == " 0.20 (sec): f02"
    assert len(slowest) == 10
    errors = text.split("Errors:\n")[1].splitlines()
    assert errors[0] == "   1 E0" and errors[11] == "  12 E11"


def test_periodic_rows(capsys):
    report = PeriodicReport(sys.stdout)
    report.header()
    report.add(result(None, 0, 0.5))
    report.add(result(None, 0, 1.5, REJECT))
    report.add(result(None, 0, 1.0, ERROR))
    row = report.row(2.0, now=0)
    assert PERIODIC_HEADER == "    Time  Sent mails/s Max(s) Min(s) Avg(s)   4XX   5XX Error"
    assert re.fullmatch(r"\d\d:\d\d:\d\d     3    1.50   1.50   0.50   1.00     0     1     1",
                        row)
    assert capsys.readouterr().out == PERIODIC_HEADER + "\n" + row + "\n"


def test_csv_row():
    started = datetime(2026, 11, 25, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=0)))
    row = csv_row(result(None, started.timestamp(), 0.0501, size=512))
    match = re.fullmatch(r"(\S+),0\.0501,512\n", row)
    assert match
    assert datetime.fromisoformat(match.group(1)) == started
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d", match.group(1))


def test_progress_line_forms(capsys):
    collector = Collector()
    for kind in (SUCCESS, SUCCESS, TEMPORARY_FAILURE, ERROR):
        collector.add(result(None, 0, 0.1, kind))
    bar = ProgressBar(sys.stderr, total=8, period=None)
    line = bar.line(collector, 2.0)
    assert re.fullmatch(r"4/8 \[#{15}-{15}\]  50% 2\.00 mails/s 4xx:1 5xx:0 err:1 ETA 0:02",
                        line), line
    flood = ProgressBar(sys.stderr, total=None, period=60.0)
    assert flood.line(collector, 15.0).startswith("0:15/1:00 [")
    endless = ProgressBar(sys.stderr, total=None, period=None)
    assert endless.line(collector, 2.0) == "4 mails 2.00 mails/s 4xx:1 5xx:0 err:1"
    bar.draw(collector, 2.0)
    bar.above("ConnectionRefusedError: x")
    bar.erase()
    err = capsys.readouterr().err
    assert err == ("\r\033[K" + line + "\r\033[KConnectionRefusedError: x\n" + line
                   + "\r\033[K")
