"""What `milter-performance-check` prints (tools.md §3.5, §3.6) and the CSV of
`--report-statistics-data` (§3.1).

The spec gives every field as a C/Python `%`-format (`%#6.2f`); they are kept
verbatim so the code reads like the spec.
"""
# ruff: noqa: UP031

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from .smtp import ERROR, REJECT, TEMPORARY_FAILURE, Result

PERIODIC_FORMAT = "%8s %5s %7s %6s %6s %6s %5s %5s %5s"
PERIODIC_HEADER = PERIODIC_FORMAT % (
    "Time", "Sent", "mails/s", "Max(s)", "Min(s)", "Avg(s)", "4XX", "5XX", "Error")
CSV_HEADER = "wall clock time,response time,message size\n"
SLOWEST_COUNT = 10


@dataclass
class Collector:
    """Every finished mail, in the order they finished; `sequence` orders them
    by start (send order) for the ties of §3.5."""

    results: list[Result] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    started: float = 0.0
    last_finished: float = 0.0

    def add(self, result: Result) -> None:
        self.results.append(result)
        self.counts[result.kind] = self.counts.get(result.kind, 0) + 1
        self.last_finished = max(self.last_finished, result.finished)

    @property
    def n_sent(self) -> int:
        return len(self.results)

    def count(self, kind: str) -> int:
        return self.counts.get(kind, 0)


def _percent(count: int, total: int) -> float:
    # [deviation] tools.md §3.5: 0.00 when no mail was sent (upstream: NaN).
    return count / total * 100 if total else 0.0


def format_report(collector: Collector, *, used_files: bool, failure_responses: bool,
                  elapsed: float) -> str:
    """The final report of §3.5."""
    results = collector.results
    n = len(results)
    in_send_order = sorted(results, key=lambda r: r.started)
    out: list[str] = []
    if used_files and results:
        # Slowest first; ties keep send order (a stable sort on send order).
        slowest = sorted(in_send_order, key=lambda r: -r.response_time)[:SLOWEST_COUNT]
        out += ["%#5.2f (sec): %s" % (r.response_time, r.path) for r in slowest]
        out.append("")
    if used_files:
        for label, kind in (("Rejected mails:", REJECT),
                            ("Temporary failed mails:", TEMPORARY_FAILURE)):
            paths = [r.path for r in in_send_order if r.kind == kind]
            if paths:
                out.append(label)
                out += [str(path) for path in paths]
                out.append("")
    times = [r.response_time for r in results]
    throughput = n / elapsed if elapsed > 0 else float(n)
    out += [
        "Total:",
        "      N mails: %#6d" % n,
        " Elapsed time: %#6.2f (sec)" % elapsed,
        "   Throughput: %#6.2f (mails/sec)" % throughput,
        "",
        "Per mail:",
        "          Max: %#6.2f (sec)" % (max(times) if times else 0.0),
        "          Min: %#6.2f (sec)" % (min(times) if times else 0.0),
        "      Average: %#6.2f (sec)" % (sum(times) / n if n else 0.0),
        "",
        "Status:",
    ]
    for label, kind in ((" Temporary failure", TEMPORARY_FAILURE),
                        ("            Reject", REJECT),
                        ("             Error", ERROR)):
        count = collector.count(kind)
        out.append("%s: %3d (%6.2f%%)" % (label, count, _percent(count, n)))
    if failure_responses and any(collector.count(k) for k in (TEMPORARY_FAILURE, REJECT, ERROR)):
        out.append("")
        for label, kind in (("Temporary failures:", TEMPORARY_FAILURE),
                            ("Rejects:", REJECT), ("Errors:", ERROR)):
            messages = [r.message for r in results if r.kind == kind]
            if not messages:
                continue
            width = len(str(len(messages)))
            out.append(label)
            out += ["  %*d %s" % (width, index, message)
                    for index, message in enumerate(messages, 1)]
    return "\n".join(out) + "\n"


class PeriodicReport:
    """`--report-periodically`: one row per INTERVAL for the mails finished in it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.window: list[Result] = []

    def header(self) -> None:
        self.stream.write(PERIODIC_HEADER + "\n")
        self.stream.flush()

    def add(self, result: Result) -> None:
        self.window.append(result)

    def row(self, interval: float, now: float | None = None) -> str:
        window, self.window = self.window, []
        times = [r.response_time for r in window]
        sent = len(window)
        line = PERIODIC_FORMAT % (
            time.strftime("%H:%M:%S", time.localtime(now)),
            "%#5d" % sent,
            "%#6.2f" % (sent / interval if interval > 0 else float(sent)),
            "%#6.2f" % (max(times) if times else 0.0),
            "%#6.2f" % (min(times) if times else 0.0),
            "%#6.2f" % (sum(times) / sent if sent else 0.0),
            "%#5d" % sum(1 for r in window if r.kind == TEMPORARY_FAILURE),
            "%#5d" % sum(1 for r in window if r.kind == REJECT),
            "%#5d" % sum(1 for r in window if r.kind == ERROR))
        self.stream.write(line + "\n")
        self.stream.flush()
        return line


def csv_row(result: Result) -> str:
    """`ISO8601-µs,SECONDS,BYTES`: the start in local time with its offset,
    the response time as Python's repr of the float (§3.1)."""
    stamp = datetime.fromtimestamp(result.started).astimezone().isoformat(
        timespec="microseconds")
    return f"{stamp},{result.response_time!r},{result.size}\n"


class ProgressBar:
    """The progress line of §3.6 on stderr, redrawn in place; `above(text)`
    prints an error line above it. [deviation] a port addition (tools.md §3.6)."""

    WIDTH = 30

    def __init__(self, stream: TextIO, *, total: int | None, period: float | None) -> None:
        self.stream = stream
        self.total = total      # count modes
        self.period = period    # --flood=PERIOD: the bar shows elapsed/PERIOD
        self.shown = False
        self.last = ""

    def line(self, collector: Collector, elapsed: float) -> str:
        sent = collector.n_sent
        rate = sent / elapsed if elapsed > 0 else 0.0
        counts = (f"4xx:{collector.count(TEMPORARY_FAILURE)} "
                  f"5xx:{collector.count(REJECT)} err:{collector.count(ERROR)}")
        if self.period is not None:
            fraction = min(1.0, elapsed / self.period) if self.period > 0 else 1.0
            head = f"{_clock(elapsed)}/{_clock(self.period)}"
            remaining = max(0.0, self.period - elapsed)
        elif self.total is not None:
            fraction = min(1.0, sent / self.total) if self.total else 1.0
            head = f"{sent}/{self.total}"
            remaining = (self.total - sent) / rate if rate > 0 else 0.0
        else:
            return f"{sent} mails {rate:.2f} mails/s {counts}"
        filled = int(fraction * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return (f"{head} [{bar}] {fraction * 100:3.0f}% {rate:.2f} mails/s {counts} "
                f"ETA {_clock(remaining)}")

    def draw(self, collector: Collector, elapsed: float) -> None:
        text = self.line(collector, elapsed)
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self.shown = True
        self.last = text

    def above(self, text: str) -> None:
        if self.shown:
            self.stream.write("\r\033[K" + text + "\n" + self.last)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def erase(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
