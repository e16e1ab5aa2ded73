"""The log analyzer fed the log of a real run of our milter-manager (tools.md §4,
the tools issue's acceptance): sessions with accept, reject, temporary
failure, discard and header additions go through the real daemon with two
scenario test milters as children; the analyzer's counts are checked against
those known sessions, and a headless Chromium shows the page with the graphs.

The screenshot is kept as a test artifact in tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from e2e.components.manager import Manager, ruby_config
from e2e.components.ports import free_ports
from e2e.components.waiting import wait_until
from PIL import Image

from milter_manager.protocol.commands import (
    Body,
    Connect,
    Data,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Header,
    Helo,
    Negotiate,
    Quit,
)
from milter_manager.protocol.flags import ALL_STEPS, NO_REPLY_OF_COMMAND
from milter_manager.testing.harness.fake_mta import FakeMTA
from milter_manager.tools.log_analyzer.store import RANGES

# Starts the real daemon and Chromium: CI runs it, `-m "not slow"` leaves it out.
pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ANALYZER = "milter_manager.tools.log_analyzer"
MILTER = "milter_manager.testing.scenario_milter"


@dataclass(frozen=True)
class Session:
    """One MTA session and the options of the two children for it."""

    sender: bytes
    tagger: tuple[str, ...]   # adds headers at end-of-message (first in the chain)
    judge: tuple[str, ...]    # gives the verdict
    expected: str             # the session's final status (cli.md §14.1)


SESSIONS = [
    Session(b"<pass@example.com>",
            ("--add-header=X-Spam-Flag:YES",
             ("--add-header=Authentication-Results:mx.example.net; spf=pass "
             "smtp.mailfrom=pass@example.com; dkim=fail (bad signature)"),
             "--add-header=X-Unrelated:1"),
            (), "pass"),
    Session(b"<reject@example.com>", (),
            ("--action=reject", "--envelope-from=<reject@example.com>"), "reject"),
    Session(b"<later@example.com>", (),
            ("--action=temporary-failure", "--envelope-recipient=<rcpt@example.org>"),
            "temporary-failure"),
    Session(b"<discard@example.com>",
            ("--add-header=X-Virus-Status:Infected (Eicar-Test-Signature)",),
            ("--action=discard", "--end-of-message"), "discard"),
    Session(b"<accept@example.com>",
            ("--action=accept", "--envelope-from=<accept@example.com>"),
            ("--action=accept", "--envelope-from=<accept@example.com>"), "accept"),
]


class Child:
    """One scenario test milter serving one connection (scenarios.md §7)."""

    def __init__(self, port: int, options: tuple[str, ...]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", MILTER, "--print-status", "--timeout=20",
             "--host=127.0.0.1", f"--port={port}", *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.process.stdout.readline()
        assert line == b"ready\n", (line, self.process.stderr.read())

    def finish(self) -> None:
        try:
            self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()
            self.process.stderr.close()


def drive(port: int, sender: bytes) -> None:
    """One MTA session through the manager with the codec's fake MTA; stops at
    the first verdict other than continue, then quits."""
    mta = FakeMTA("127.0.0.1", port, connect_timeout=10)
    try:
        mta.send(Negotiate(6, 0x1FF, ALL_STEPS).encode())
        steps = mta.read_final(command="negotiate", timeout=10).option[2]
        commands = [
            ("connect", b"C", Connect.from_text(b"client.example", "inet:50443@[192.0.2.1]")),
            ("helo", b"H", Helo(b"client.example")),
            ("envelope-from", b"M", EnvelopeFrom(sender)),
            ("envelope-recipient", b"R", EnvelopeRecipient(b"<rcpt@example.org>")),
            ("data", b"T", Data()),
            ("header", b"L", Header(b"Subject", b"log analyzer")),
            ("end-of-header", b"N", EndOfHeader()),
            ("body", b"B", Body(b"hello\r\n")),
            ("end-of-message", b"E", EndOfMessage()),
        ]
        for name, code, packet in commands:
            mta.send(packet.encode())
            if code != b"E" and steps & NO_REPLY_OF_COMMAND.get(code, 0):
                continue
            if mta.read_final(command=name, timeout=10).code != "c":
                break
        mta.send(Quit().encode())
    finally:
        mta.close()


@pytest.fixture(scope="module")
def real_log(tmp_path_factory) -> Path:
    """The manager's log file after the five sessions."""
    workdir = tmp_path_factory.mktemp("real-run")
    tagger_port, judge_port = free_ports(2)
    config = ruby_config([("tagger", tagger_port), ("judge", judge_port)])
    manager = Manager(workdir / "manager", config, user_name="root").start()
    try:
        for session in SESSIONS:
            children = [Child(tagger_port, session.tagger), Child(judge_port, session.judge)]
            try:
                drive(manager.port, session.sender)
            finally:
                for child in children:
                    child.finish()
        wait_until(lambda: any(f"[sessions][finished] {len(SESSIONS)}(" in line
                               for line in manager.log_lines()),
                   timeout=20, what="the statistics of every session", logs=manager.logs)
    finally:
        manager.stop()
    return manager.log


def analyze(log: Path, out: Path, now: float) -> Path:
    result = subprocess.run([sys.executable, "-m", ANALYZER, f"--log={log}",
                             f"--output-directory={out}",
                             f"--now={datetime.fromtimestamp(now, UTC).isoformat()}"],
                            capture_output=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    return out


@pytest.fixture(scope="module")
def analyzed(real_log, tmp_path_factory) -> Path:
    # "now" a few minutes after the run, so every minute of the log is closed.
    return analyze(real_log, tmp_path_factory.mktemp("analyzed"), time.time() + 180)


_STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?)Z\]")
REPLAYS = 10


@pytest.fixture(scope="module")
def analyzed_steady(real_log, tmp_path_factory) -> Path:
    """The run's lines replayed once a minute for ten minutes. A graph shows a
    bucket's AVERAGE only once half of its minutes have passed (the xff rule
    of §4.4: 4 of the day range's 8), which a run of a few seconds never
    fills; the replay is the same traffic as a steady load."""
    lines = real_log.read_text().splitlines()
    directory = tmp_path_factory.mktemp("steady")
    replayed = []
    for minute in range(REPLAYS):
        for line in lines:
            match = _STAMP.match(line)
            assert match, line
            moment = datetime.fromisoformat(match.group(1) + "+00:00").timestamp() \
                + minute * 60
            stamp = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
            replayed.append(f"[{stamp}Z]{line[match.end():]}\n")
    log = directory / "replayed.log"
    log.write_text("".join(replayed))
    return analyze(log, directory / "out", time.time() + REPLAYS * 60 + 180)


def total(out: Path, series: str, item: str) -> int:
    data = json.loads((out / f"{series}.json").read_text())
    index = data["items"].index(item)
    return sum(bucket["sum"][index] for bucket in data["ranges"]["day"]["buckets"].values())


def test_the_log_has_the_statistics_of_the_known_sessions(real_log):
    text = real_log.read_text()
    statuses = re.findall(r"\]: \[session\]\[end\]\[[^\]]+\]\[([^\]]+)\]", text)
    assert statuses == [session.expected for session in SESSIONS]


def test_counts_match_the_known_sessions(analyzed):
    out = analyzed
    assert total(out, "session", "smtp") == 5
    assert total(out, "session", "child") == 10  # every child of every session
    for status in ("pass", "accept", "reject", "discard", "temporary_failure"):
        assert total(out, "milter-manager.status", status) == 1, status
    for status in ("quarantine", "abort", "error"):
        assert total(out, "milter-manager.status", status) == 0, status
    # The judge's own replies, session by session.
    for status in ("pass", "reject", "temporary_failure", "discard", "accept"):
        assert total(out, "milter.status.judge", status) == 1, status
    assert total(out, "milter.status.tagger", "accept") == 1
    assert sum(total(out, "milter.status.tagger", s) for s in
               ("pass", "accept", "reject", "discard", "temporary_failure", "quarantine",
                "abort", "error", "stop")) == 5
    # Header additions: the tagger's, at end-of-message of sessions 1 and 4.
    for series in ("milter-manager.report", "milter.report.tagger"):
        assert total(out, series, "spam") == 1
        assert total(out, series, "spf_pass") == 1
        assert total(out, series, "dkim_fail") == 1
        assert total(out, series, "virus") == 1
        assert total(out, series, "uribl") == 0
    assert total(out, "milter.report.judge", "spam") == 0


def test_graphs_are_drawn(analyzed, analyzed_steady):
    assert total(analyzed_steady, "session", "smtp") == 5 * REPLAYS
    out = analyzed
    names = ["milter-manager.status", "milter-manager.report", "milter.status.tagger",
             "milter.report.tagger", "milter.status.judge", "milter.report.judge"]
    for name in names:
        for range_name in RANGES:
            for extension in ("png", "svg"):
                assert (out / f"{name}.{range_name}.{extension}").is_file()
    # The plot area of the day graph (600 × 200 pixels at 80, 40) shows the
    # stacked areas in their colours: pass, reject, discard, temp-fail, accept.
    with Image.open(analyzed_steady / "milter-manager.status.day.png") as image:
        plot = image.convert("RGB").crop((80, 40, 680, 240))
        colours = {colour for _, colour in plot.getcolors(maxcolors=1 << 20)}
    for colour in ((0, 0, 255), (255, 0, 0), (255, 212, 0), (136, 136, 136), (0, 255, 0)):
        assert colour in colours, colour
    page = (out / "index.html").read_text()
    assert re.findall(r'<p id="last-day-([^"]+)"', page) == [
        "milter-manager-status", "milter-manager-report", "milter-status-tagger",
        "milter-report-tagger", "milter-status-judge", "milter-report-judge"]


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        # The test installs Debian's chromium when it is missing (the tools issue).
        project = Path(__file__).resolve().parents[2]
        subprocess.run([str(project / "scripts" / "install-system-packages"), "chromium"],
                       check=True, timeout=1800)
        path = shutil.which("chromium")
    assert path is not None, "chromium is not installed"
    return path


def test_chromium_shows_the_graphs(analyzed_steady, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "log-analyzer-index.png"
    shot.unlink(missing_ok=True)
    result = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1000,2600", f"--screenshot={shot}",
         (analyzed_steady / "index.html").as_uri()],
        capture_output=True, timeout=180, check=False,
        env=dict(os.environ, HOME=str(tmp_path)))
    print(f"\nscreenshot of index.html: {shot}")
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert shot.is_file()
    with Image.open(shot) as image:
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 24)}
    # Colours that only the graph images contain (the page itself is black
    # text and links): Pass, Reject, Accept, Discard and the report's Virus.
    for colour in ((0, 0, 255), (255, 0, 0), (0, 255, 0), (255, 212, 0), (221, 187, 0)):
        assert colour in colours, colour
