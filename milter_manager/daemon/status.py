"""The `get-status` body (cli.md §12.4): the layout rules of config.md §15.1."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from milter_manager import VERSION
from milter_manager.config.custom_xml import markup_escape


@dataclass
class Counters:
    """Cumulative per-process counters (the JSON line a worker sends)."""

    processing: int = 0
    processed: int = 0
    results: dict[str, int] = field(default_factory=dict)
    milters: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, data: dict[str, Any]) -> Counters:
        return cls(int(data.get("processing", 0)), int(data.get("processed", 0)),
                   {str(k): int(v) for k, v in (data.get("results") or {}).items()},
                   {str(k): [int(v[0]), int(v[1])]
                    for k, v in (data.get("milters") or {}).items()})

    def as_dict(self) -> dict[str, Any]:
        return {"processing": self.processing, "processed": self.processed,
                "results": self.results, "milters": self.milters}

    def add(self, other: Counters, processing: bool = True) -> None:
        if processing:
            self.processing += other.processing
        self.processed += other.processed
        for status, count in other.results.items():
            self.results[status] = self.results.get(status, 0) + count
        for name, (sessions, errors) in other.milters.items():
            counts = self.milters.setdefault(name, [0, 0])
            counts[0] += sessions
            counts[1] += errors


@dataclass
class ReloadState:
    loaded_time: float = field(default_factory=time.time)
    last_reload: str = "none"
    last_reload_error: str | None = None


def status_xml(*, start_time: float, reload: ReloadState, totals: Counters,
               workers: list[tuple[int, int, Counters]] | None, configuration: Any,
               pid: int | None = None) -> str:
    e = markup_escape
    now = time.time()
    lines = ["<status>",
             f"  <version>{e(VERSION)}</version>",
             f"  <pid>{pid if pid is not None else os.getpid()}</pid>",
             f"  <start-time>{int(start_time)}</start-time>",
             f"  <uptime>{int(now - start_time)}</uptime>",
             "  <configuration>",
             f"    <loaded-time>{int(reload.loaded_time)}</loaded-time>",
             f"    <last-reload>{reload.last_reload}</last-reload>"]
    if reload.last_reload == "error" and reload.last_reload_error is not None:
        lines.append(f"    <last-reload-error>{e(reload.last_reload_error)}</last-reload-error>")
    lines += ["  </configuration>",
              "  <sessions>",
              f"    <processing>{totals.processing}</processing>",
              f"    <processed>{totals.processed}</processed>",
              "  </sessions>"]
    if totals.results:
        lines.append("  <results>")
        for status, count in totals.results.items():
            lines.append(f"    <result><status>{e(status)}</status>"
                         f"<count>{count}</count></result>")
        lines.append("  </results>")
    else:
        lines.append("  <results>")
        lines.append("  </results>")
    if workers is not None:
        lines.append("  <workers>")
        for worker_id, worker_pid, counters in workers:
            lines.append(f"    <worker><id>{worker_id}</id><pid>{worker_pid}</pid>"
                         f"<processing>{counters.processing}</processing>"
                         f"<processed>{counters.processed}</processed></worker>")
        lines.append("  </workers>")
    lines.append("  <milters>")
    for egg in getattr(configuration, "eggs", ()) or ():
        sessions, errors = totals.milters.get(egg.name, [0, 0])
        lines += ["    <milter>",
                  f"      <name>{e(egg.name)}</name>",
                  f"      <enabled>{'true' if egg.enabled else 'false'}</enabled>"]
        if egg.connection_spec is not None:
            lines.append(f"      <connection-spec>{e(egg.connection_spec)}</connection-spec>")
        lines += [f"      <sessions>{sessions}</sessions>",
                  f"      <errors>{errors}</errors>",
                  "    </milter>"]
    lines.append("  </milters>")
    lines.append("</status>")
    return "\n".join(lines) + "\n"
