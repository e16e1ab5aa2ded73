"""Which log lines carry statistics, and when they were written (tools.md §4.2).

Three line forms are read: the traditional syslog line, rsyslog's RFC 3339
line, and a line of the port's own log file (cli.md §13.2). Lines are bytes
(a log may hold invalid UTF-8); the statistics text is decoded with
replacement, which never changes the ASCII parts the series look at.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime

MONTHS = {name: index for index, name in enumerate(
    (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
     b"Dec"), 1)}

# [deviation] tools.md §4.2: HOST [\w.:-]+ (upstream [\w-]+ drops FQDN hosts).
_TRADITIONAL = re.compile(
    rb"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d+):(\d+):(\d+) "
    rb"[\w.:-]+ ([\w-]+)\[\d+\]: (.*)$")
# [deviation] tools.md §4.2: rsyslog's high-precision form, an addition.
_RFC3339 = re.compile(
    rb"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d) "
    rb"[\w.:-]+ ([\w-]+)\[\d+\]: (.*)$")
# [deviation] tools.md §4.2: the port's own log file, an addition.
_LOGFILE = re.compile(
    rb"^(?:\[statistics\])?\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{6})?Z\]"
    rb"(?: \[milter-manager\])?(?: ?\[\d+\])?: (.*)$")
_SOLARIS = re.compile(rb"^\[ID \d+ \w+\.\w+\] ")
_PREFIX = b"[statistics] "
PROGRAM = b"milter-manager"

# The current statistics forms (cli.md §14.2) a log-file line must have.
CURRENT_FORMS = re.compile(
    r"^(?:\[session\]\[end\]\[|\[milter\]\[end\]\[|\[session\]\[disconnected\]|"
    r"\[sessions\]\[finished\] |\[milter\]\[header\]\[add\])")
_LEGACY_END = re.compile(r"^\[(?:session|milter)\]\[end\]\[[^\]]*\]\(")
DAY = 86400


@dataclass(frozen=True)
class StatisticsLine:
    time: float  # Unix time
    text: str    # the statistics line (cli.md §14.2), without the line end


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _traditional_time(match: re.Match[bytes], now: float) -> float:
    """Local time in the year of "now"; more than a day after "now" means the
    previous year ([deviation] upstream drops December lines read in January)."""
    month = MONTHS[match.group(1)]
    day, hour, minute, second = (int(match.group(i)) for i in range(2, 6))
    year = time.localtime(now).tm_year
    for candidate in (year, year - 1):
        try:
            stamp = time.mktime((candidate, month, day, hour, minute, second, 0, 0, -1))
        except (OverflowError, ValueError):
            return -1.0
        if stamp <= now + DAY:
            return stamp
    return stamp


def _iso_time(seconds: bytes, fraction: bytes | None, zone: bytes) -> float:
    text = seconds.decode() + (fraction or b"")[:7].decode() + zone.decode()
    return datetime.fromisoformat(text).timestamp()


def parse_line(line: bytes, now: float) -> StatisticsLine | None:
    """The statistics line carried by one log line, or None (§4.2)."""
    line = line.rstrip(b"\r\n")
    if line.startswith(b"["):
        match = _LOGFILE.match(line)
        if match is None:
            return None
        text = _decode(match.group(3))
        # Only the current forms (not the legacy ones, and never a line that
        # starts with a session tag `[N] `).
        if not CURRENT_FORMS.match(text) or _LEGACY_END.match(text):
            return None
        return StatisticsLine(_iso_time(match.group(1), match.group(2), b"Z"), text)
    match = _TRADITIONAL.match(line)
    if match is not None:
        program, rest = match.group(6), match.group(7)
        stamp = _traditional_time(match, now)
    else:
        match = _RFC3339.match(line)
        if match is None:
            return None
        program, rest = match.group(4), match.group(5)
        try:
            stamp = _iso_time(match.group(1), match.group(2), match.group(3))
        except ValueError:
            return None
    if program != PROGRAM:
        return None
    rest = _SOLARIS.sub(b"", rest, count=1)
    if not rest.startswith(_PREFIX):
        return None
    return StatisticsLine(stamp, _decode(rest[len(_PREFIX):]))
