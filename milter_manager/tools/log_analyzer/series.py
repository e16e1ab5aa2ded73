"""How statistics lines count into series (tools.md §4.3).

`count_line` turns one statistics line (cli.md §14.2) into `Event`s: one
series, one item, a value, and whether the minute keeps the sum (+1 per line)
or the maximum (`concurrent`). `Tally` gathers a run's events per series and
per minute slot; the store folds them in at the end of the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATUS_ITEMS = ("pass", "accept", "reject", "discard", "temporary-failure", "quarantine",
                "abort", "error")
MILTER_STATUS_ITEMS = (*STATUS_ITEMS, "stop")
REPORT_ITEMS = ("spam", "virus", "uribl", "greylisting-pass", "spf-pass", "spf-fail",
                "sender-id-pass", "sender-id-fail", "dkim-pass", "dkim-fail", "dkim-adsp-pass",
                "dkim-adsp-fail", "tarpitting-pass")
SESSION_ITEMS = ("smtp", "child", "disconnected", "concurrent")

SESSION = "session"
MANAGER_STATUS = "milter-manager.status"
MANAGER_REPORT = "milter-manager.report"
MILTER_STATUS = "milter.status."
MILTER_REPORT = "milter.report."


def series_items(name: str) -> tuple[str, ...]:
    """The items of a series, as stored (`-` becomes `_`, §4.3)."""
    if name == SESSION:
        items = SESSION_ITEMS
    elif name == MANAGER_STATUS:
        items = STATUS_ITEMS
    elif name.startswith(MILTER_STATUS):
        items = MILTER_STATUS_ITEMS
    else:
        items = REPORT_ITEMS
    return tuple(item.replace("-", "_") for item in items)


_SESSION_END = re.compile(r"^\[session\]\[end\]\[[^\]]*\]\[([^\]]*)\]\[[^\]]*\]\(\d+\)")
_SESSION_END_LEGACY = re.compile(r"^\[session\]\[end\]\[[^\]]*\]\(\d+\)")
_MILTER_END = re.compile(r"^\[milter\]\[end\]\[[^\]]*\]\[([^\]]*)\]\[[^\]]*\]\(\d+\): (.+)$")
_MILTER_END_LEGACY = re.compile(r"^\[milter\]\[end\]\[[^\]]*\]\(\d+\): (.+)$")
_DISCONNECTED = re.compile(r"^\[session\]\[disconnected\]\[[^\]]*\]\(\d+\)")
_FINISHED = re.compile(r"^\[sessions\]\[finished\] \d+\(\+\d+\) (\d+)")
_HEADER_ADD = re.compile(r"^\[milter\]\[header\]\[add\]\((.+)\): <(.+?)>=<(.+?)>: (.+)$")
_REPLY_LEGACY = re.compile(r"^\[reply\]\[([^\]]*)\]\[([^\]]*)\]")
_ABORT_LEGACY = re.compile(r"^\[abort\]\[[^\]]*\]")

_TARPIT = re.compile(r"Message whitelisted by tarpit \d+s", re.IGNORECASE)
_NEXT_PARAMETER = re.compile(r"\s*\S+=")
_RESULT = re.compile(r"^(\S+?)=(\S+)\s*")
_AUTH_TYPES = ("spf", "sender-id", "dkim", "dkim-adsp")


@dataclass(frozen=True)
class Event:
    series: str
    item: str      # as in the spec (`temporary-failure`)
    value: int = 1
    maximum: bool = False  # the minute keeps the largest value instead of the sum


def report_items(name: str, value: str) -> list[str]:
    """The report items of one added header (§4.3 header rules)."""
    lowered = name.lower()
    if lowered in ("x-spam", "x-spam-flag"):
        return ["spam"] if value.lower() == "yes" else []
    if lowered == "x-spam-status":
        _, found, tests = value.partition("tests=")
        if not found:
            return []
        cut = _NEXT_PARAMETER.search(tests)
        if cut is not None:
            tests = tests[:cut.start()]
        if any(test.strip().upper().startswith("URIBL_") for test in tests.split(",")):
            return ["uribl"]
        return []
    if lowered == "authentication-results":
        items = []
        for part in re.split(r";\s*", value)[1:]:
            match = _RESULT.match(part)
            if match is None:
                continue
            kind, result = match.group(1).lower(), match.group(2).lower()
            rest = part[match.end():]
            if kind not in _AUTH_TYPES:
                continue
            if result == "pass":
                items.append(f"{kind}-pass")
            elif result in ("fail", "hardfail") or (
                    result == "neutral" and rest.startswith("(verification failed)")):
                items.append(f"{kind}-fail")
        return items
    if lowered == "x-greylist":
        if _TARPIT.search(value):
            return ["tarpitting-pass"]
        if value.startswith("Delayed for"):
            return ["greylisting-pass"]
        if "Sender is SPF-compliant" in value or "Sender passed SPF test" in value:
            return ["spf-pass"]
        return []
    if lowered == "x-virus-status":
        return ["virus"] if value.startswith("Infected") else []
    return []


def count_line(text: str) -> tuple[list[Event], str | None]:
    """The events of one statistics line, and the milter named by a
    `[milter][end]` line (whose per-milter series then exist)."""
    match = _SESSION_END.match(text)
    if match:
        return [Event(SESSION, "smtp"), Event(MANAGER_STATUS, match.group(1))], None
    if _SESSION_END_LEGACY.match(text):
        return [Event(SESSION, "smtp")], None
    match = _MILTER_END.match(text)
    if match:
        milter = match.group(2)
        return [Event(SESSION, "child"),
                Event(MILTER_STATUS + milter, match.group(1))], milter
    match = _MILTER_END_LEGACY.match(text)
    if match:
        return [Event(SESSION, "child")], match.group(1)
    if _DISCONNECTED.match(text):
        return [Event(SESSION, "disconnected")], None
    match = _FINISHED.match(text)
    if match:
        return [Event(SESSION, "concurrent", int(match.group(1)), maximum=True)], None
    match = _HEADER_ADD.match(text)
    if match:
        _, name, value, milter = match.groups()
        events = []
        for item in report_items(name, value):
            events += [Event(MANAGER_REPORT, item), Event(MILTER_REPORT + milter, item)]
        return events, None
    match = _REPLY_LEGACY.match(text)
    if match:
        state, status = match.groups()
        if status == "continue":
            # §4.3: a legacy `continue` reply is a pass only at end-of-message.
            return ([Event(MANAGER_STATUS, "pass")] if state == "end-of-message" else []), None
        return [Event(MANAGER_STATUS, status)], None
    if _ABORT_LEGACY.match(text):
        return [Event(MANAGER_STATUS, "abort")], None
    return [], None


@dataclass
class Tally:
    """A run's counts: series → minute slot → values per stored item."""

    minutes: dict[str, dict[int, list[int]]] = field(default_factory=dict)
    #: milters with a `[milter][end]` line, in order of appearance → first minute
    milters: dict[str, int] = field(default_factory=dict)
    #: minutes in which a statistics line counted
    active: set[int] = field(default_factory=set)

    def add(self, minute: int, events: list[Event], milter: str | None,
            skip: dict[str, int | None]) -> None:
        """Count `events` in `minute`, except for series whose store already
        holds that minute (`skip[series]` = its last_update, §4.2)."""
        self.active.add(minute)
        if milter is not None:
            self.milters[milter] = min(minute, self.milters.get(milter, minute))
        for event in events:
            items = series_items(event.series)
            item = event.item.replace("-", "_")
            if item not in items:
                continue  # e.g. `stop` for the manager's status (§4.3)
            values = self._slot(event.series, minute, skip)
            if values is None:
                continue
            index = items.index(item)
            if event.maximum:
                values[index] = max(values[index], event.value)
            else:
                values[index] += event.value

    def _slot(self, series: str, minute: int, skip: dict[str, int | None]) -> list[int] | None:
        last = skip.get(series)
        if last is not None and minute <= last:
            return None
        return self.minutes.setdefault(series, {}).setdefault(
            minute, [0] * len(series_items(series)))

    def finish(self, known_milters: list[str], skip: dict[str, int | None]) -> list[str]:
        """§4.3: every counted line is fed to every series, so each series
        has a value (0 when nothing matched) in each minute a line counted;
        a milter's series start at its first `[milter][end]` line. Returns
        every milter (stored ones first, then the new ones in order of
        appearance)."""
        milters = list(known_milters) + [m for m in self.milters if m not in known_milters]
        per_series: list[tuple[str, int | None]] = [
            (SESSION, None), (MANAGER_STATUS, None), (MANAGER_REPORT, None)]
        for milter in milters:
            first = self.milters.get(milter) if milter not in known_milters else None
            per_series += [(MILTER_STATUS + milter, first), (MILTER_REPORT + milter, first)]
        for series, first in per_series:
            for minute in self.active:
                if first is None or minute >= first:
                    self._slot(series, minute, skip)
        # Report lines of milters that never ended a session make no series.
        for series in list(self.minutes):
            if series.startswith(MILTER_REPORT) and series[len(MILTER_REPORT):] not in milters:
                del self.minutes[series]
        return milters
