"""`milter-manager-log-analyzer`: graphs from the statistics lines (tools.md §4).

One run: read the options, load the store of the output directory, read the
logs from where the previous run stopped (`reader`), count the statistics
lines per minute (`lines`, `series`), fold the minutes into the store
(`store`), draw the graphs (`graphs`) and write `index.html` (`html`).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from ..ruby_optparse import REQUIRED, OptionError, OptionParser
from . import html
from .reader import LineCounter, read_file, read_stream
from .series import MILTER_STATUS, Tally, series_items
from .store import (
    POSITIONS,
    Series,
    StoreError,
    load_positions,
    load_store,
    save_store,
    write_json,
)

PROGRAM = "milter-manager-log-analyzer"
RANGE_ORDER = ("day", "week", "month", "year")


class Failure(Exception):
    """[deviation] tools.md §4.1: one line on stderr and exit status 1
    (upstream dies with a Ruby backtrace)."""


class Options:
    def __init__(self) -> None:
        self.logs: list[str] = []
        self.output_directory = "."
        self.update_db = True
        self.formats = ["png", "svg"]
        self.now: float | None = None
        self.help = False


def _formats(text: str) -> list[str]:
    formats = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not formats or any(f not in ("png", "svg") for f in formats):
        raise ValueError(text)
    return list(dict.fromkeys(formats))


def _now(text: str) -> float:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a time without zone is local time
    return moment.timestamp()


def parse_options(argv: list[str]) -> tuple[Options, OptionParser]:
    options = Options()
    parser = OptionParser(f"Usage: {PROGRAM} [options] [LOG_FILE...]")
    parser.add("log", options.logs.append, argument=REQUIRED, metavar="FILE",
               help="log to read (default: the arguments, or standard input)")
    parser.add("output-directory", lambda v: setattr(options, "output_directory", v),
               argument=REQUIRED, metavar="DIRECTORY",
               help="where the store, the images and index.html go (default: .)")
    parser.add("update-db", lambda v: setattr(options, "update_db", v), negatable=True,
               help="read the log (default); --no-update-db only redraws")
    parser.add("image-format", lambda v: setattr(options, "formats", v), argument=REQUIRED,
               convert=_formats, metavar="LIST", help="png, svg or both (default: png,svg)")
    parser.add("now", lambda v: setattr(options, "now", v), argument=REQUIRED, convert=_now,
               metavar="TIME", help='ISO 8601 time used as "now" (for tests)')
    parser.add("help", lambda v: setattr(options, "help", v), short="h",
               help="show this help")
    options.logs += parser.parse(argv)
    return options, parser


def _open_inputs(names: list[str]) -> list[tuple[str, BinaryIO]]:
    inputs = []
    for name in names:
        try:
            inputs.append((name, open(name, "rb")))  # noqa: SIM115 - closed by run()
        except OSError as error:
            for _, stream in inputs:
                stream.close()
            raise Failure(f"{name}: {error.strerror}") from None
    return inputs


def _prepare_directory(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise Failure(f"{path}: {error.strerror}") from None


def update(store: dict[str, Series], directory: Path, names: list[str],
           stdin: BinaryIO | None, now: float) -> dict[str, Series]:
    """Count the new lines and fold them into the store (§4.2–§4.4)."""
    positions = load_positions(directory)
    skip = {name: series.last_update for name, series in store.items()}
    tally = Tally()
    counter = LineCounter(tally, now, skip)
    new_positions = dict(positions)
    inputs = _open_inputs(names)
    try:
        if not names and stdin is not None:
            read_stream(counter, stdin)
        for name, stream in inputs:
            key = str(Path(name).resolve())
            new_positions[key] = read_file(counter, stream, positions.get(key)).to_json()
    finally:
        for _, stream in inputs:
            stream.close()
    known = milters_in(store)
    tally.finish(known, skip)
    created = max([s.created for s in store.values()], default=0)
    for name, minutes in tally.minutes.items():
        series = store.get(name)
        if series is None:
            created += 1
            series = store[name] = Series(name, series_items(name), created=created)
        series.fold(minutes)
    save_store(directory, store)
    write_json(directory / POSITIONS, new_positions)
    return store


def milters_in(store: dict[str, Series]) -> list[str]:
    """The milters of the store in order of first appearance.
    [deviation] tools.md §4.3: every milter of the store is drawn, not only
    those the current run saw (upstream drops the others from index.html)."""
    stored = sorted((s for s in store.values() if s.name.startswith(MILTER_STATUS)),
                    key=lambda s: (s.created, s.name))
    return [s.name[len(MILTER_STATUS):] for s in stored]


def draw_all(store: dict[str, Series], directory: Path, now: float,
             formats: list[str]) -> str:
    """Every graph of every range, then the page; returns the page."""
    try:
        from . import graphs  # matplotlib loads only when something is drawn
    except ImportError as error:
        raise Failure(f"{error}: install the analyzer extra "
                      "(pip install 'milter-manager[analyzer]')") from None
    session = store.get("session")
    names = graphs.graph_list(store, milters_in(store))
    ranges = []
    for range_name in RANGE_ORDER:
        entries = []
        for name in names:
            graph = graphs.graphs_for(name, range_name)
            if graph is None:
                continue
            graphs.draw(graph, store[name], session, range_name, now, directory, formats)
            entries.append(html.Entry(graph.title, graph.base))
        ranges.append((graphs.WINDOWS[range_name][0], entries))
    return html.render(ranges, formats)


def run(options: Options, stdin: BinaryIO | None) -> None:
    directory = Path(options.output_directory)
    _prepare_directory(directory)
    now = options.now if options.now is not None else time.time()
    try:
        store = load_store(directory)
        if options.update_db:
            store = update(store, directory, options.logs, stdin, now)
    except StoreError as error:
        raise Failure(str(error)) from None
    except OSError as error:
        raise Failure(f"{error.filename or directory}: {error.strerror}") from None
    page = draw_all(store, directory, now, options.formats)
    try:
        (directory / "index.html").write_text(page, encoding="utf-8")
    except OSError as error:
        raise Failure(f"{directory / 'index.html'}: {error.strerror}") from None


def main(argv: list[str] | None = None) -> int:
    try:
        options, parser = parse_options(list(sys.argv[1:] if argv is None else argv))
    except OptionError as error:
        sys.stderr.write(f"{PROGRAM}: {error}\n")
        return 1
    if options.help:
        sys.stdout.write(parser.help_text())
        return 0
    try:
        run(options, sys.stdin.buffer)
    except Failure as error:
        sys.stderr.write(f"{PROGRAM}: {error}\n")
        return 1
    return 0
