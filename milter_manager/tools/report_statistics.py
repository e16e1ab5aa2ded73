"""`milter-report-statistics`: memory, CPU and fd usage of processes (tools.md §5).

Samples the matching processes every interval with psutil and prints one row
per process. Linux only (upstream's Solaris `prstat` support is not ported).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import psutil

from .ruby_optparse import REQUIRED, OptionError, OptionParser, integer, number

PROGRAM = "milter-report-statistics"
ROW = "%8s %6s %9s %9s %5s %8s %5s %s"
HEADER = ROW % ("Time", "PID", "VSS", "RSS", "%CPU", "CPU time", "#FD", "command")
INTERPRETERS = ("python", "ruby", "perl")


@dataclass
class Options:
    filters: list[re.Pattern[str]] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    pid_directory: str | None = None
    interval: float = 1.0
    targets: list[str] = field(default_factory=list)
    help: bool = False


def parse_options(argv: list[str]) -> tuple[Options, OptionParser]:
    options = Options()
    parser = OptionParser(f"Usage: {PROGRAM} [options] TARGET1 TARGET2 ...")

    def add_filter(text: str) -> None:
        options.filters.append(re.compile(text, re.IGNORECASE))

    def regexp(text: str) -> str:
        try:
            re.compile(text)
        except re.error:
            raise ValueError(text) from None
        return text

    def interval(value: float) -> None:
        if value <= 0:
            raise OptionError(f"invalid argument: --interval={value:g}")
        options.interval = value

    parser.add("filter", add_filter, argument=REQUIRED, convert=regexp, metavar="REGEXP",
               help="report only processes whose command line matches (repeatable)")
    parser.add("pid", options.pids.append, argument=REQUIRED, convert=integer, metavar="PID",
               help="report exactly this process (repeatable)")
    parser.add("pid-directory", lambda v: setattr(options, "pid_directory", v),
               argument=REQUIRED, metavar="DIR", help="add the pids of the *.pid files below DIR")
    # tools.md §6: the manual says units; the code (followed) takes a plain number.
    parser.add("interval", interval, argument=REQUIRED, convert=number, metavar="SECONDS",
               help="seconds between reports (default: 1)")
    parser.add("help", lambda v: setattr(options, "help", v), short="h", help="show this help")
    options.targets = parser.parse(argv)
    return options, parser


def pids_below(directory: str) -> list[int]:
    """The pid in every `*.pid` regular file below DIR (recursively)."""
    pids = []
    for path in sorted(Path(directory).rglob("*.pid")):
        try:
            if not path.is_file():
                continue
            text = path.read_text(errors="replace").split()
        except OSError:
            continue
        if text and text[0].isdigit():
            pids.append(int(text[0]))
    return pids


# -- matching (§5.2) --------------------------------------------------------------------------

def _strip_lt(name: str) -> str:
    return name.removeprefix("lt-")


def process_names(argv: list[str], comm: str) -> set[str]:
    """The names a TARGET is compared with: argv[0]'s basename, the kernel name
    ([deviation] tools.md §5.2, upstream argv[0] only), and for an interpreter
    the basename of its first argument that is not an option."""
    names = set()
    if argv:
        first = os.path.basename(argv[0])
        names.add(first)
        if first.startswith(INTERPRETERS):
            for argument in argv[1:]:
                if not argument.startswith("-"):
                    names.add(os.path.basename(argument))
                    break
    if comm:
        names.add(comm)
    return names


def matches(target: str, argv: list[str], comm: str) -> bool:
    return any(name == target or _strip_lt(name) == target
               for name in process_names(argv, comm))


# -- sampling (§5.3) --------------------------------------------------------------------------

@dataclass
class Sample:
    pid: int
    vss: str
    rss: str
    cpu_seconds: float | None
    fds: int
    command: str
    started: float


def sample(process: psutil.Process) -> Sample | None:
    """One process's fields, or None if it went away (left out of the round).
    [deviation] tools.md §5.3: the CPU columns are filled (upstream's are
    always empty) and #FD counts real descriptors (upstream adds `.` and `..`)."""
    try:
        with process.oneshot():
            command = " ".join(process.cmdline())
            started = process.create_time()
            try:
                memory = process.memory_info()
                # Kernel threads have no VmSize/VmRSS: the fields stay empty.
                vss = f"{memory.vms // 1024} kB" if memory.vms else ""
                rss = f"{memory.rss // 1024} kB" if memory.vms else ""
            except psutil.AccessDenied:
                vss = rss = ""
            try:
                times = process.cpu_times()
                cpu: float | None = times.user + times.system
            except psutil.AccessDenied:
                cpu = None
            try:
                fds = process.num_fds()
            except psutil.AccessDenied:
                fds = 0
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:
        return None
    return Sample(process.pid, vss, rss, cpu, fds, command, started)


def cpu_time(seconds: float) -> str:
    """`M:SS.hh` (minutes, seconds, hundredths): `0:00.06`."""
    hundredths = round(seconds * 100)
    minutes, rest = divmod(hundredths, 6000)
    return f"{minutes}:{rest // 100:02d}.{rest % 100:02d}"


class Reporter:
    """Chooses the processes and prints a round of rows."""

    def __init__(self, options: Options, out: TextIO,
                 clock: Callable[[], float] = time.time) -> None:
        self.options = options
        self.out = out
        self.clock = clock
        self.previous: dict[tuple[int, float], tuple[float, float]] = {}
        self.pids = list(options.pids)
        if options.pid_directory:
            self.pids += pids_below(options.pid_directory)

    def candidates(self) -> Iterable[psutil.Process]:
        if self.pids:
            for pid in sorted(set(self.pids)):
                try:
                    yield psutil.Process(pid)
                except psutil.NoSuchProcess:
                    continue
            return
        me = os.getpid()
        for process in psutil.process_iter():
            if process.pid == me:
                continue
            try:
                argv = process.cmdline()
                comm = process.name()
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
            if not any(matches(target, argv, comm) for target in self.options.targets):
                continue
            command = " ".join(argv)
            if all(pattern.search(command) for pattern in self.options.filters):
                yield process

    def header(self) -> None:
        self.out.write(HEADER + "\n")
        self.out.flush()

    def round(self) -> list[str]:
        now = self.clock()
        stamp = time.strftime("%H:%M:%S", time.localtime(now))
        samples = [s for s in (sample(p) for p in self.candidates()) if s is not None]
        samples.sort(key=lambda s: s.pid)
        rows = []
        seen = {}
        for s in samples:
            key = (s.pid, s.started)
            seen[key] = (now, s.cpu_seconds or 0.0)
            if s.cpu_seconds is None:
                percent, total = "", ""
            else:
                before = self.previous.get(key)
                if before is None:
                    # The first row: the average since the process started.
                    elapsed, used = now - s.started, s.cpu_seconds
                else:
                    elapsed, used = now - before[0], s.cpu_seconds - before[1]
                percent = f"{(used / elapsed * 100) if elapsed > 0 else 0.0:.1f}"
                total = cpu_time(s.cpu_seconds)
            rows.append(ROW % (stamp, s.pid, s.vss, s.rss, percent, total, s.fds, s.command))
        self.previous = seen
        if not rows:
            rows.append("%8s not found" % stamp)  # noqa: UP031 - the spec's format
        for row in rows:
            self.out.write(row + "\n")
            self.out.flush()
        return rows


class _Stop(Exception):
    pass


def main(argv: list[str] | None = None, *, out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    try:
        options, parser = parse_options(list(sys.argv[1:] if argv is None else argv))
    except OptionError as error:
        sys.stderr.write(f"{PROGRAM}: {error}\n")
        return 1
    if options.help:
        stream.write(parser.help_text())
        return 0
    reporter = Reporter(options, stream)
    if not options.targets and not reporter.pids:  # (before the header)
        # tools.md §5.1 and §6: the usage on stdout, exit status 1 (upstream's code).
        stream.write(parser.help_text())
        return 1

    def stop(signum: int, frame: object) -> None:
        raise _Stop

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        reporter.header()
        while True:
            started = time.monotonic()
            reporter.round()
            time.sleep(max(0.0, options.interval - (time.monotonic() - started)))
    except (_Stop, BrokenPipeError):
        return 0


if __name__ == "__main__":
    sys.exit(main())
