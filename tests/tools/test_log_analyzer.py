"""milter-manager-log-analyzer on hand-written logs (tools.md §4)."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from milter_manager.tools.log_analyzer.html import normalize
from milter_manager.tools.log_analyzer.lines import parse_line
from milter_manager.tools.log_analyzer.series import count_line, report_items
from milter_manager.tools.log_analyzer.store import RANGES, Series, StoreError

MODULE = "milter_manager.tools.log_analyzer"
NOW = "2026-11-25T10:00:30Z"
NOW_TS = datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC).timestamp()


def ts(hour: int, minute: int, second: int = 0) -> float:
    return datetime(2026, 11, 25, hour, minute, second, tzinfo=UTC).timestamp()


def analyze(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, TZ="UTC")
    return subprocess.run([sys.executable, "-m", MODULE, *args], input=stdin,
                          capture_output=True, env=env, timeout=300, check=False)


def syslog(hour: int, minute: int, text: str, host: str = "mx.example.com") -> str:
    return (f"Nov 25 {hour:02d}:{minute:02d}:07 {host} milter-manager[4630]: "
            f"[statistics] {text}\n")


def load(directory: Path, series: str) -> dict:
    return json.loads((directory / f"{series}.json").read_text())


def minute_values(directory: Path, series: str) -> tuple[list[str], dict]:
    """The day range's buckets (8 minutes each) of a series."""
    data = load(directory, series)
    return data["items"], data["ranges"]["day"]["buckets"]


def item_sum(directory: Path, series: str, item: str) -> int:
    """Σ over the day buckets of one item: the number of counted lines."""
    items, buckets = minute_values(directory, series)
    index = items.index(item)
    return sum(bucket["sum"][index] for bucket in buckets.values())


# -- input lines (§4.2) --------------------------------------------------------------------------

@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_syslog_forms(utc):
    text = "[session][end][end-of-message][pass][0.01](1)"
    for host in ("mx", "mx.example.com", "mx-1.example.com", "[::1]"[1:-1], "10.0.0.1"):
        line = syslog(9, 5, text, host).encode()
        parsed = parse_line(line, NOW_TS)
        assert parsed is not None and parsed.text == text and parsed.time == ts(9, 5, 7)
    rfc = (b"2026-11-25T09:05:07.123456+01:00 mx.example.com milter-manager[1]: "
           b"[statistics] " + text.encode() + b"\n")
    parsed = parse_line(rfc, NOW_TS)
    assert parsed.time == ts(8, 5, 7) + 0.123456 and parsed.text == text
    solaris = (b"Nov 25 09:05:07 mx milter-manager[1]: [ID 702911 mail.notice] "
               b"[statistics] " + text.encode())
    assert parse_line(solaris, NOW_TS).text == text
    assert parse_line(b"Nov  5 09:05:07 mx milter-manager[1]: [statistics] x\n",
                      NOW_TS).time == datetime(2026, 11, 5, 9, 5, 7, tzinfo=UTC).timestamp()


@pytest.mark.parametrize("line", [
    b"Nov 25 09:05:07 mx postfix[1]: [statistics] [session][end][connect][pass][0](1)",
    b"Nov 25 09:05:07 mx milter-manager[1]: [session][end][connect][pass][0](1)",
    b"Nov 25 09:05:07 mx milter-manager: [statistics] [session][end][connect][pass][0](1)",
    b"Nov 25 09:05:07 mx milter-manager-process-launcher[1]: [statistics] x",
    b"garbage",
])
def test_lines_that_are_not_statistics(line, utc):
    assert parse_line(line, NOW_TS) is None


def test_traditional_time_in_the_previous_year_when_it_would_be_in_the_future(utc):
    january = datetime(2027, 1, 1, 0, 10, tzinfo=UTC).timestamp()
    line = b"Dec 31 23:59:00 mx milter-manager[1]: [statistics] [sessions][finished] 1(+1) 0"
    assert parse_line(line, january).time == datetime(2026, 12, 31, 23, 59,
                                                      tzinfo=UTC).timestamp()


@pytest.mark.parametrize("prefix", [
    "[2026-11-25T09:02:18.088942Z]: ",
    "[2026-11-25T09:02:18Z]: ",
    "[statistics][2026-11-25T09:02:18.088942Z]: ",
    "[2026-11-25T09:02:18.088942Z] [milter-manager]: ",
    "[2026-11-25T09:02:18.088942Z] [milter-manager][4657]: ",
    "[2026-11-25T09:02:18.088942Z] [4663]: ",
])
def test_log_file_forms(prefix):
    text = "[session][end][end-of-message][pass][0.007893](1)"
    parsed = parse_line((prefix + text + "\n").encode(), NOW_TS)
    assert parsed is not None and parsed.text == text
    assert int(parsed.time) == int(ts(9, 2, 18))


@pytest.mark.parametrize("line", [
    "[error][2026-11-25T09:02:18Z]: [session][end][connect][pass][0](1)",
    "[2026-11-25T09:02:18Z]: [1] [session][end][connect][pass][0](1)",
    "[2026-11-25T09:02:18Z]: [session][end][0.5](1)",             # legacy forms
    "[2026-11-25T09:02:18Z]: [milter][end][0.5](1): a",
    "[2026-11-25T09:02:18Z]: [reply][end-of-message][quarantine](1)",
    "[2026-11-25T09:02:18Z]: [configuration][load] loaded",
])
def test_log_file_lines_that_are_not_statistics(line):
    assert parse_line(line.encode(), NOW_TS) is None


def test_invalid_utf8_is_tolerated(utc):
    line = syslog(9, 5, "[milter][header][add](2): <X-Spam-Flag>=<YES>: m\xff").encode("latin-1")
    parsed = parse_line(line, NOW_TS)
    assert parsed is not None and parsed.text.endswith("m\ufffd")


# -- how lines count (§4.3) ------------------------------------------------------------------------

def items(text):
    events, milter = count_line(text)
    return sorted((e.series, e.item, e.value) for e in events), milter


def test_line_to_item_table():
    assert items("[session][end][envelope-from][reject][0.009972](40)") == (
        [("milter-manager.status", "reject", 1), ("session", "smtp", 1)], None)
    assert items("[milter][end][connect][stop][0.001](5): milter-greylist") == (
        [("milter.status.milter-greylist", "stop", 1), ("session", "child", 1)],
        "milter-greylist")
    assert items("[session][disconnected][1.5](7)") == ([("session", "disconnected", 1)], None)
    assert items("[sessions][finished] 10(+3) 4") == ([("session", "concurrent", 4)], None)
    assert items("[session][end][0.5](3)") == ([("session", "smtp", 1)], None)
    assert items("[milter][end][0.5](3): a") == ([("session", "child", 1)], "a")
    assert items("[reply][end-of-message][continue]") == (
        [("milter-manager.status", "pass", 1)], None)
    assert items("[reply][envelope-from][continue]") == ([], None)
    assert items("[reply][end-of-message][quarantine](4)") == (
        [("milter-manager.status", "quarantine", 1)], None)
    assert items("[abort][data]") == ([("milter-manager.status", "abort", 1)], None)
    assert items("[milter][header][add](2): <X-Virus-Status>=<Infected (Eicar)>: clamav") == (
        [("milter-manager.report", "virus", 1), ("milter.report.clamav", "virus", 1)], None)
    assert items("[session][header][add](1): <X-Spam-Flag>=<YES>") == ([], None)
    assert items("[session][start](1)") == ([], None)


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("X-Spam", "yes", ["spam"]), ("X-Spam-Flag", "YES", ["spam"]),
    ("x-spam-flag", "Yes", ["spam"]), ("X-Spam-Flag", "NO", []), ("X-Spam-Flag", "yes!", []),
    ("X-Spam-Status", "Yes, score=9.1 required=5.0 tests=BAYES_99,URIBL_BLACK autolearn=no",
     ["uribl"]),
    ("X-Spam-Status", "Yes, tests=BAYES_99, uribl_sbl ,X autolearn=no", ["uribl"]),
    ("X-Spam-Status", "No, score=0 tests=NONE autolearn=URIBL_BLACK", []),
    ("X-Spam-Status", "URIBL_BLACK", []),
    ("Authentication-Results",
     "mx.example.com; spf=pass smtp.mailfrom=a@b; dkim=fail (bad sig) header.d=b",
     ["spf-pass", "dkim-fail"]),
    ("Authentication-Results", "spf=pass; sender-id=hardfail; dkim-adsp=pass",
     ["sender-id-fail", "dkim-adsp-pass"]),
    ("Authentication-Results", "mx; dkim=neutral (verification failed) header.d=x",
     ["dkim-fail"]),
    ("Authentication-Results", "mx; dkim=neutral (no signature); dmarc=pass", []),
    ("X-Greylist", "Message whitelisted by tarpit 10s; Delayed for 00:05:00", ["tarpitting-pass"]),
    ("X-Greylist", "Delayed for 00:05:00 by milter-greylist", ["greylisting-pass"]),
    ("X-Greylist", "Sender is SPF-compliant, not delayed", ["spf-pass"]),
    ("X-Greylist", "Sender passed SPF test, not delayed", ["spf-pass"]),
    ("X-Greylist", "IP, sender and recipient auto-whitelisted", []),
    ("X-Virus-Status", "Infected (Eicar-Test-Signature)", ["virus"]),
    ("X-Virus-Status", "Clean", []),
])
def test_header_rules(name, value, expected):
    assert report_items(name, value) == expected


# -- store (§4.4) ----------------------------------------------------------------------------------

def test_consolidation_fills_minutes_and_keeps_sum_and_max():
    series = Series("session", ("smtp", "child", "disconnected", "concurrent"))
    base = 1_000_000 * 480  # a day-bucket boundary (aligned to the epoch)
    series.fold({base: [1, 2, 0, 3], base + 180: [2, 0, 0, 1]})
    day = series.buckets["day"][base]
    assert (day.n, day.sum, day.max) == (4, [3, 2, 0, 4], [2, 2, 0, 3])
    assert series.last_update == base + 180
    # Minutes before last_update are skipped; the gap to the next one is zeros.
    series.fold({base + 60: [9, 9, 9, 9], base + 600: [1, 0, 0, 0]})
    assert series.buckets["day"][base].n == 8
    assert series.buckets["day"][base].sum == [3, 2, 0, 4]
    assert series.buckets["day"][base + 480].n == 3
    rows = series.consolidated("day", base, base + 960)
    assert rows[0] == (base, [3 / 8, 2 / 8, 0, 4 / 8], [2, 2, 0, 3])
    assert rows[1][1] is None  # 3 of 8 minutes: below the xff of 0.5
    week_start = base - base % RANGES["week"]
    assert series.buckets["week"][week_start].n == 11


def test_only_200_buckets_are_kept_and_long_pauses_are_cheap():
    series = Series("milter-manager.report", tuple("abcdefghijklm"))
    series.fold({0: [1] * 13})
    year = 400 * 86400
    started = time.monotonic()
    series.fold({year: [1] * 13})
    assert time.monotonic() - started < 2
    for name, step in RANGES.items():
        starts = sorted(series.buckets[name])
        assert len(starts) <= 201
        assert starts[-1] == year - year % step
        assert starts[0] >= starts[-1] - 200 * step


def test_store_migration_adds_items_and_refuses_to_remove_them():
    data = Series("milter.status.a", ("pass", "accept")).to_json()
    data["items"] = ["pass", "accept"]
    data["ranges"]["day"]["buckets"] = {"480": {"n": 1, "sum": [1, 2], "max": [1, 2]}}
    series = Series.from_json(data)
    assert series.items[-1] == "stop" and len(series.items) == 9
    assert series.buckets["day"][480].sum == [1, 2, 0, 0, 0, 0, 0, 0, 0]
    data["items"] = ["pass", "accept", "gone"]
    data["ranges"]["day"]["buckets"] = {}
    with pytest.raises(StoreError, match="^data source can't be removed!$"):
        Series.from_json(data)


# -- whole runs --------------------------------------------------------------------------------

LOG = (
    syslog(9, 0, "[milter][header][add](2): <X-Spam-Flag>=<YES>: spamass")
    + syslog(9, 0, "[session][end][end-of-message][pass][0.01](1)")
    + syslog(9, 0, "[milter][end][end-of-message][pass][0.01](2): spamass")
    + syslog(9, 0, "[milter][end][end-of-message][pass][0.01](3): clamav/milter")
    + syslog(9, 0, "[sessions][finished] 1(+1) 2")
    + "Nov 25 09:00:08 mx postfix/smtpd[9]: connect from unknown[127.0.0.1]\n"
    + syslog(9, 3, "[session][end][envelope-recipient][temporary-failure][0.01](4)")
    + syslog(9, 3, "[milter][end][envelope-recipient][temporary-failure][0.01](5): clamav/milter")
    + syslog(9, 3, "[milter][end][envelope-recipient][abort][0.01](6): spamass")
    + syslog(9, 3, "[sessions][finished] 2(+1) 5")
    + syslog(9, 3, "[sessions][finished] 3(+1) 1")
)


def test_a_run_counts_every_series(tmp_path):
    log = tmp_path / "mail.log"
    log.write_text(LOG)
    out = tmp_path / "out"
    result = analyze(f"--log={log}", f"--output-directory={out}", f"--now={NOW}",
                     "--image-format=png")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"" and result.stderr == b""
    assert item_sum(out, "session", "smtp") == 2
    assert item_sum(out, "session", "child") == 4
    assert load(out, "session")["ranges"]["day"]["buckets"][day_bucket(ts(9, 0))]["max"][3] == 5
    assert item_sum(out, "milter-manager.status", "pass") == 1
    assert item_sum(out, "milter-manager.status", "temporary_failure") == 1
    assert item_sum(out, "milter-manager.report", "spam") == 1
    assert item_sum(out, "milter.report.spamass", "spam") == 1
    assert item_sum(out, "milter.status.spamass", "abort") == 1
    assert item_sum(out, "milter.status.clamav_milter", "pass") == 1
    assert item_sum(out, "milter.status.clamav_milter", "temporary_failure") == 1
    clamav = json.loads((out / "milter.status.clamav_milter.json").read_text())
    assert clamav["series"] == "milter.status.clamav/milter"
    # Every minute from the first to the last line has a value (§4.3): 09:00
    # to 09:03, all in the day bucket 08:56-09:04.
    assert load(out, "session")["ranges"]["day"]["buckets"][day_bucket(ts(9, 0))]["n"] == 4
    assert load(out, "session")["last_update"] == int(ts(9, 3))
    for name in ("milter-manager.status", "milter-manager.report", "milter.status.spamass",
                 "milter.report.spamass", "milter.status.clamav_milter",
                 "milter.report.clamav_milter"):
        for range_name in ("day", "week", "month", "year"):
            assert (out / f"{name}.{range_name}.png").is_file()
            assert not (out / f"{name}.{range_name}.svg").exists()
    assert not list(out.glob("session.*.png"))


def day_bucket(moment: float) -> str:
    """§4.4: bucket start = minute − minute mod step (aligned to the epoch)."""
    return str(int(moment - moment % RANGES["day"]))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_graph_files_and_index(tmp_path):
    log = tmp_path / "mail.log"
    log.write_text(LOG)
    out = tmp_path / "out"
    assert analyze(str(log), f"--output-directory={out}", f"--now={NOW}").returncode == 0
    assert (out / "milter-manager.status.day.svg").read_text().lstrip().startswith("<?xml")
    width, height = png_size(out / "milter-manager.status.day.png")
    assert width >= 600 and height >= 200
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<title>milter-manager statistics</title>" in page
    assert "<h1>milter-manager statistics</h1>" in page
    assert '<meta http-equiv="refresh" content="300">' in page
    assert "no-cache" in page
    headings = re.findall(r'<h2 id="([^"]+)">([^<]+)</h2>', page)
    assert headings == [("last-day", "Last Day"), ("last-week", "Last Week"),
                        ("last-month", "Last Month"), ("last-year", "Last Year")]
    day_ids = re.findall(r'<p id="(last-day-[^"]+)"', page)
    assert day_ids == ["last-day-milter-manager-status", "last-day-milter-manager-report",
                       "last-day-milter-status-spamass", "last-day-milter-report-spamass",
                       "last-day-milter-status-clamav/milter",
                       "last-day-milter-report-clamav/milter"]
    images = re.findall(r'<img src="([^"]+)"', page)
    assert images[:2] == ["milter-manager.status.day.png", "milter-manager.report.day.png"]
    assert all((out / image).is_file() for image in images)
    assert 'href="milter-manager.status.day.svg"' in page
    index_links = re.findall(r'<a href="#([^"]+)">', page)
    assert index_links[:3] == ["last-day", "last-day-milter-manager-status",
                               "last-day-milter-manager-report"]
    assert normalize("milter: status: clamav-milter") == "milter-status-clamav-milter"


def test_growing_log_is_not_read_twice_and_open_minutes_wait(tmp_path):
    log = tmp_path / "mail.log"
    out = tmp_path / "out"
    first = syslog(9, 0, "[session][end][end-of-message][pass][0.01](1)")
    open_minute = syslog(10, 0, "[session][end][end-of-message][reject][0.01](2)")
    log.write_text(first + open_minute + "Nov 25 10:00:09 mx milter-manager[1]: [stat")
    assert analyze(str(log), f"--output-directory={out}", f"--now={NOW}",
                   "--image-format=svg").returncode == 0
    positions = json.loads((out / "positions.json").read_text())
    assert positions[str(log.resolve())]["offset"] == len(first.encode())
    assert item_sum(out, "session", "smtp") == 1
    # Five minutes later: the open minute is closed, the line is complete, more came.
    with log.open("a") as stream:
        stream.write("istics] [session][end][connect][accept][0](3)\n")
        stream.write(syslog(10, 4, "[session][end][connect][reject][0](4)"))
    later = "2026-11-25T10:05:30Z"
    assert analyze(str(log), f"--output-directory={out}", f"--now={later}",
                   "--image-format=svg").returncode == 0
    assert item_sum(out, "session", "smtp") == 4
    assert item_sum(out, "milter-manager.status", "reject") == 2
    assert item_sum(out, "milter-manager.status", "accept") == 1
    size = log.stat().st_size
    assert json.loads((out / "positions.json").read_text())[str(log.resolve())]["offset"] == size
    # Again with nothing new; then the file is rotated (new inode) and holds
    # the old lines plus a new one: nothing is counted twice.
    assert analyze(str(log), f"--output-directory={out}", f"--now={later}",
                   "--image-format=svg").returncode == 0
    assert item_sum(out, "session", "smtp") == 4
    rotated = log.read_text() + syslog(10, 4, "[session][end][connect][pass][0](5)")
    log.unlink()
    log.write_text(rotated)
    later = "2026-11-25T10:06:30Z"
    assert analyze(str(log), f"--output-directory={out}", f"--now={later}",
                   "--image-format=svg").returncode == 0
    # 10:04 was already folded in: its new line is not counted (§4.2, as upstream).
    assert item_sum(out, "session", "smtp") == 4


def test_standard_input_is_read_whole_and_deduplicated(tmp_path):
    out = tmp_path / "out"
    data = LOG.encode()
    for _ in range(2):
        result = analyze(f"--output-directory={out}", f"--now={NOW}", "--image-format=svg",
                         stdin=data)
        assert result.returncode == 0, result.stderr
    assert item_sum(out, "session", "smtp") == 2
    assert not json.loads((out / "positions.json").read_text())


def test_no_update_db_only_redraws(tmp_path):
    log = tmp_path / "mail.log"
    log.write_text(LOG)
    out = tmp_path / "out"
    assert analyze(f"--output-directory={out}", "--no-update-db", f"--now={NOW}",
                   str(log)).returncode == 0
    assert not (out / "session.json").exists()
    assert "<h2" not in (out / "index.html").read_text()


def test_errors_exit_1_with_one_line(tmp_path):
    result = analyze(f"--output-directory={tmp_path}", str(tmp_path / "missing.log"))
    assert result.returncode == 1
    assert result.stderr == (f"milter-manager-log-analyzer: {tmp_path / 'missing.log'}: "
                             "No such file or directory\n").encode()
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = analyze(f"--output-directory={blocker / 'sub'}", stdin=b"")
    assert result.returncode == 1
    assert result.stderr.startswith(b"milter-manager-log-analyzer: ")
    assert result.stderr.count(b"\n") == 1
    result = analyze("--image-format=gif")
    assert result.returncode == 1
    assert result.stderr == b"milter-manager-log-analyzer: invalid argument: --image-format=gif\n"
    store = tmp_path / "store"
    store.mkdir()
    data = Series("session", ("smtp", "child", "disconnected", "concurrent")).to_json()
    data["items"].append("removed")
    (store / "session.json").write_text(json.dumps(data))
    result = analyze(f"--output-directory={store}", stdin=b"")
    assert result.returncode == 1
    assert result.stderr == b"milter-manager-log-analyzer: data source can't be removed!\n"


def test_help():
    result = analyze("--help")
    assert result.returncode == 0
    for option in (b"--log=FILE", b"--output-directory=DIRECTORY", b"--[no-]update-db",
                   b"--image-format=LIST", b"--now=TIME"):
        assert option in result.stdout


def test_a_lone_defined_bucket_is_drawn(tmp_path):
    """Day buckets 09:04-09:12 (5 minutes of passes: AVERAGE defined) and
    09:12-09:20 (2 minutes: undefined, a gap) — the first still shows."""
    from PIL import Image
    log = tmp_path / "mail.log"
    log.write_text("".join(syslog(9, minute, "[session][end][end-of-message][pass][0.01](1)")
                           for minute in (7, 8, 9, 10, 11, 12, 13)))
    out = tmp_path / "out"
    assert analyze(str(log), f"--output-directory={out}", "--now=2026-11-25T09:20:30Z",
                   "--image-format=png").returncode == 0
    with Image.open(out / "milter-manager.status.day.png") as image:
        plot = image.convert("RGB").crop((80, 40, 680, 240))
        colours = {colour: count for count, colour in plot.getcolors(maxcolors=1 << 20)}
    # 1 pass per minute over 200 pixels of height: a column of pass blue.
    assert colours.get((0, 0, 255), 0) >= 150
