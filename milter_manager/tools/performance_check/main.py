"""`milter-performance-check`: an SMTP load generator (tools.md §3).

Wiring only: read the options and the mail list, run the sending on one event
loop (in this process, or in `--n-workers` forked workers whose results come
back to this loop), then print the report. The SMTP dialog is `smtp.py`, the
modes `runner.py`, the output `report.py`.
"""

from __future__ import annotations

import signal
import sys
import time
from typing import TextIO

from milter_manager.manager.loop import EventLoop

from .mails import collect_sources
from .options import UsageError, credentials, parse_arguments, print_usage_error
from .report import (
    CSV_HEADER,
    Collector,
    PeriodicReport,
    ProgressBar,
    csv_row,
    format_report,
)
from .runner import Runner, Workers
from .smtp import ERROR, Result

PROGRESS_INTERVAL = 0.1  # §3.6: at most 10 redraws per second


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        settings, parser = parse_arguments(list(sys.argv[1:] if argv is None else argv))
        if settings.show_help:
            out.write(parser.help_text())
            return 0
        auth = credentials(settings)
        stdin = sys.stdin.buffer.read() if "-" in settings.paths else None
        sources = collect_sources(settings, stdin)
        csv = None
        # [deviation] tools.md §3.1: upstream's --report-statistics-data crashes.
        if settings.report_statistics_data:
            csv = open(settings.report_statistics_data, "w", encoding="utf-8")  # noqa: SIM115 - closed after the run
            csv.write(CSV_HEADER)
    except UsageError as error:
        print_usage_error(str(error))
        return 1
    except OSError as error:
        print_usage_error(f"{error.filename}: {error.strerror}")
        return 1

    collector = Collector()
    loop = EventLoop()
    periodic = PeriodicReport(out) if settings.report_periodically is not None else None
    progress = None
    if settings.progress_wanted(out.isatty()):
        endless = settings.flood and settings.flood_period is None
        progress = ProgressBar(
            err, total=None if endless else len(sources) * settings.n_workers,
            period=settings.flood_period if settings.flood else None)

    def on_result(result: Result) -> None:
        collector.add(result)
        last_finished[0] = time.monotonic()
        if periodic is not None:
            periodic.add(result)
        if csv is not None:
            csv.write(csv_row(result))
        if result.kind == ERROR:
            # §3.4: errors are also printed on stderr at once (above the bar).
            if progress is not None:
                progress.above(result.message)
            else:
                err.write(result.message + "\n")
                err.flush()

    last_finished = [0.0]
    if periodic is not None:
        periodic.header()
    started = time.monotonic()
    if settings.n_workers == 1:
        sender: Runner | Workers = Runner(loop, settings, sources, auth, on_result)
    else:
        sender = Workers(loop, settings, sources, auth, on_result)

    interrupted = []

    def on_signal(signum: int, frame: object) -> None:
        if interrupted:
            raise KeyboardInterrupt
        interrupted.append(signum)
        loop.call_soon_threadsafe(sender.interrupt)

    previous = signal.signal(signal.SIGINT, on_signal)
    try:
        if isinstance(sender, Runner):
            sender.start()
        _schedule_reports(loop, settings.report_periodically, periodic, progress,
                          collector, started)
        loop.run_until(lambda: sender.done)
    finally:
        signal.signal(signal.SIGINT, previous)
        if isinstance(sender, Workers):
            sender.reap()
        if csv is not None:
            csv.close()
        loop.close()
    if progress is not None:
        progress.erase()
    end = last_finished[0] if collector.n_sent else time.monotonic()
    if periodic is not None:
        out.write("\n")
    out.write(format_report(collector, used_files=bool(settings.paths),
                            failure_responses=settings.report_failure_responses,
                            elapsed=max(0.0, end - started)))
    out.flush()
    return 0


def _schedule_reports(loop: EventLoop, interval: float | None,
                      periodic: PeriodicReport | None, progress: ProgressBar | None,
                      collector: Collector, started: float) -> None:
    """Timers for the periodic rows and the progress bar, on the sending loop."""
    if periodic is not None and interval is not None and interval > 0:
        def tick(due: float) -> None:
            periodic.row(interval)
            following = due + interval
            loop.call_later(max(0.0, following - time.monotonic()), tick, following)
        first = started + interval
        loop.call_later(interval, tick, first)
    if progress is not None:
        def redraw() -> None:
            progress.draw(collector, time.monotonic() - started)
            loop.call_later(PROGRESS_INTERVAL, redraw)
        redraw()
