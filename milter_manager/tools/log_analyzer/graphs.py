"""The graphs (tools.md §4.5), drawn with matplotlib's Agg backend.

[deviation] tools.md §4: upstream draws with `rrdtool graph`; the port uses
matplotlib (a well-kept plotting library) with the same file names, titles,
series, colours and legend texts. Each graph is written as PNG and/or SVG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
# SVG text as text: much faster to write than glyph paths, and smaller.
matplotlib.rcParams["svg.fonttype"] = "none"

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .series import (
    MANAGER_REPORT,
    MANAGER_STATUS,
    MILTER_REPORT,
    MILTER_STATUS,
    SESSION,
)
from .store import MINUTE, RANGES, Series

# §4.5: range → (label, window in seconds)
WINDOWS = {"day": ("Last Day", 86400), "week": ("Last Week", 604800),
           "month": ("Last Month", 3024000), "year": ("Last Year", 36288000)}
STATUS_AREAS = [("pass", "Pass", "#0000ff"), ("accept", "Accept", "#00ff00"),
                ("reject", "Reject", "#ff0000"), ("discard", "Discard", "#ffd400"),
                ("temporary_failure", "Temp-Fail", "#888888"),
                ("quarantine", "Quarantine", "#a52a2a"), ("abort", "Abort", "#ff9999"),
                ("error", "Error", "#ff00ff")]
MILTER_STATUS_AREAS = [*STATUS_AREAS, ("stop", "Stop", "#99ffff")]
SESSION_LINES = [("smtp", "SMTP", "#000000"), ("disconnected", "Disconnected", "#999999"),
                 ("concurrent", "Concurrent", "#9999ff")]
REPORT_AREAS = [("spam", "spam", "#ff0000"), ("virus", "Virus", "#ddbb00"),
                ("uribl", "URIBL", "#dd00bb"),
                ("greylisting_pass", "Greylisting (pass)", "#888888"),
                ("tarpitting_pass", "Tarpitting (pass)", "#000088"),
                ("spf_pass", "SPF (pass)", "#33cc33"), ("spf_fail", "SPF (fail)", "#cc3333"),
                ("sender_id_pass", "Sender ID (pass)", "#33cccc"),
                ("sender_id_fail", "Sender ID (fail)", "#cccc33"),
                ("dkim_pass", "DKIM (pass)", "#3366cc"), ("dkim_fail", "DKIM (fail)", "#cc6633"),
                ("dkim_adsp_pass", "DKIM ADSP (pass)", "#3399cc"),
                ("dkim_adsp_fail", "DKIM ADSP (fail)", "#cc9933")]

DPI = 100
PLOT_WIDTH, PLOT_HEIGHT = 600, 200  # pixels, as upstream's --width 600 --height 200
LEFT, RIGHT, TOP, AXIS = 80, 40, 40, 50
LEGEND_LINE, FOOTER = 15, 25
_TICK_FORMATS = {"day": "%H:%M", "week": "%a", "month": "%b %d", "year": "%b"}


@dataclass(frozen=True)
class Graph:
    """One graph: its store series, base file name, title and y label."""

    series: str
    base: str
    title: str
    unit: str  # `sessions` (status) or `mails` (report)

    @property
    def ylabel(self) -> str:
        return f"{self.unit}/min"


def graphs_for(series: str, range_name: str) -> Graph | None:
    """§4.5's table: the graph of a series in a range (none for `session`)."""
    if series == MANAGER_STATUS:
        return Graph(series, f"{series}.{range_name}", "milter manager: status", "sessions")
    if series == MANAGER_REPORT:
        return Graph(series, f"{series}.{range_name}", "milter manager: report", "mails")
    if series.startswith(MILTER_STATUS):
        milter = series[len(MILTER_STATUS):]
        return Graph(series, f"{series.replace('/', '_')}.{range_name}",
                     f"milter: status: {milter}", "sessions")
    if series.startswith(MILTER_REPORT):
        milter = series[len(MILTER_REPORT):]
        return Graph(series, f"{series.replace('/', '_')}.{range_name}",
                     f"milter: report: {milter}", "mails")
    return None


def window(range_name: str, now: float) -> tuple[int, int]:
    """The last WINDOW seconds, ending at "now" rounded down to WINDOW / 200."""
    seconds = WINDOWS[range_name][1]
    resolution = seconds // 200
    end = int(now // resolution) * resolution
    return end - seconds, end


@dataclass
class Curve:
    label: str
    colour: str
    values: list[float]   # AVERAGE per bucket of the grid, NaN where undefined
    maxima: list[float]   # MAX per bucket, NaN where the bucket does not exist


def _curves(series: Series, range_name: str, start: int, end: int,
            spec: list[tuple[str, str, str]]) -> tuple[list[int], list[Curve]]:
    """The range's bucket grid over the window and one curve per item."""
    step = RANGES[range_name]
    first = start - start % step
    grid = list(range(first, end, step))
    rows = {row[0]: row for row in series.consolidated(range_name, first, end)}
    curves = []
    for item, label, colour in spec:
        index = series.items.index(item)
        values, maxima = [], []
        for bucket_start in grid:
            row = rows.get(bucket_start)
            average = row[1] if row is not None else None
            values.append(average[index] if average is not None else math.nan)
            maxima.append(row[2][index] if row is not None else math.nan)
        curves.append(Curve(label, colour, values, maxima))
    return grid, curves


def _legend_text(curve: Curve, width: int, steps: int, unit: str) -> str:
    """`LABEL total: %8.0f UNIT avg: %6.2f UNIT/min max: %4.0f UNIT/min` (§4.5)."""
    defined = [v for v in curve.values if not math.isnan(v)]
    maxima = [m for m in curve.maxima if not math.isnan(m)]
    total = sum(v * steps for v in defined)
    average = sum(defined) / len(defined) if defined else 0.0
    largest = max(maxima) if maxima else 0.0
    return (f"{curve.label.ljust(width)} total: {total:8.0f} {unit} "
            f"avg: {average:6.2f} {unit}/min max: {largest:4.0f} {unit}/min")


def draw(graph: Graph, series: Series, session: Series | None, range_name: str,
         now: float, directory: Path, formats: list[str]) -> list[Path]:
    """Draw one graph into `directory` in each format; returns the files."""
    start, end = window(range_name, now)
    step = RANGES[range_name]
    steps = step // MINUTE
    areas_spec = REPORT_AREAS if graph.unit == "mails" else (
        MILTER_STATUS_AREAS if graph.series.startswith(MILTER_STATUS) else STATUS_AREAS)
    grid, areas = _curves(series, range_name, start, end, areas_spec)
    lines: list[Curve] = []
    if graph.unit == "sessions" and session is not None:
        lines = _curves(session, range_name, start, end, SESSION_LINES)[1]
    n_legend = len(areas) + len(lines)
    width = LEFT + PLOT_WIDTH + RIGHT
    height = TOP + PLOT_HEIGHT + AXIS + n_legend * LEGEND_LINE + FOOTER
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
    axes = figure.add_axes((LEFT / width, (height - TOP - PLOT_HEIGHT) / height,
                            PLOT_WIDTH / width, PLOT_HEIGHT / height))
    # Each bucket is drawn from its start to its end: two points per bucket,
    # so a lone defined bucket between gaps still shows (a step of its width).
    x = [_date(t) for start in grid for t in (start, start + step)]
    bottom = [0.0] * len(grid)
    for curve in areas:
        top = [b + (0.0 if math.isnan(v) else v) for b, v in zip(bottom, curve.values,
                                                                  strict=True)]
        defined = [not math.isnan(v) for v in curve.values]
        if grid:
            axes.fill_between(x, _twice(bottom), _twice(top), where=_twice(defined),
                              color=curve.colour, linewidth=0, interpolate=False)
        bottom = top
    for curve in lines:
        if grid:
            axes.plot(x, _twice(curve.values), color=curve.colour, linewidth=2 * 72 / DPI)
    label_width = max(len(c.label) for c in [*areas, *lines])
    labels = [_legend_text(c, label_width, steps, graph.unit) for c in [*areas, *lines]]
    axes.set_title(graph.title, fontsize=10)
    axes.set_ylabel(graph.ylabel, fontsize=8)
    axes.set_xlim(_date(start), _date(end))
    top_value = max([0.0, *[v for v in bottom if not math.isnan(v)],
                     *[v for c in lines for v in c.values if not math.isnan(v)]])
    axes.set_ylim(0, top_value * 1.05 if top_value > 0 else 1)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    zone = _local_zone()
    axes.xaxis.set_major_locator(_tick_locator(range_name, zone))
    axes.xaxis.set_major_formatter(mdates.DateFormatter(_TICK_FORMATS[range_name], tz=zone))
    axes.tick_params(labelsize=7)
    axes.grid(True, color="#dddddd", linewidth=0.5)
    # The legend: one monospace line per curve under the plot, with its colour.
    legend_top = height - TOP - PLOT_HEIGHT - AXIS + 15
    for index, (curve, text) in enumerate(zip([*areas, *lines], labels, strict=True)):
        y = (legend_top - index * LEGEND_LINE) / height
        if curve in lines:
            figure.add_artist(Line2D([(LEFT - 20) / width, (LEFT - 8) / width],
                                     [y - 4 / height, y - 4 / height], color=curve.colour,
                                     linewidth=2 * 72 / DPI))
        else:
            figure.add_artist(Rectangle(((LEFT - 19) / width, y - 9 / height),
                                        10 / width, 10 / height, facecolor=curve.colour,
                                        edgecolor="none"))
        figure.text(LEFT / width, y, text, family="monospace", fontsize=7, va="top")
    if series.last_update is not None:
        stamp = datetime.fromtimestamp(series.last_update).astimezone().isoformat()
        figure.text(1 - 8 / width, 6 / height, f"[{stamp}]", ha="right", va="bottom",
                    fontsize=6)
    written = []
    for extension in formats:
        path = directory / f"{graph.base}.{extension}"
        figure.savefig(path, format=extension, dpi=DPI)
        written.append(path)
    return written


def _twice(values: list) -> list:
    return [value for value in values for _ in (0, 1)]


def _tick_locator(range_name: str, zone):
    """Ticks on round local times: every 3 hours, day, week, month."""
    if range_name == "day":
        return mdates.HourLocator(byhour=range(0, 24, 3), tz=zone)
    if range_name == "week":
        return mdates.DayLocator(tz=zone)
    if range_name == "month":
        return mdates.WeekdayLocator(byweekday=mdates.MO, tz=zone)
    return mdates.MonthLocator(tz=zone)


def _local_zone():
    return datetime.now().astimezone().tzinfo


def _date(timestamp: int) -> float:
    return mdates.date2num(datetime.fromtimestamp(timestamp, UTC))


def graph_list(store: dict[str, Series], milters: list[str]) -> list[str]:
    """The graphed series in index order: manager status, manager report,
    then per milter its status then its report (§4.6)."""
    order = [MANAGER_STATUS, MANAGER_REPORT]
    for milter in milters:
        order += [MILTER_STATUS + milter, MILTER_REPORT + milter]
    return [name for name in order if name in store and name != SESSION]
