"""The manager's logging hook (cli.md §13, §14).

The manager writes its messages through one `ManagerLog`: a level mask (the
bits of cli.md §13.1) and a sink. The daemon owns the destinations (stdout,
log file, syslog, colour, prefixes) and installs its own sink; the default
sink forwards to Python's `logging` so tests and embedders see the lines.

Hot paths check `log.mask & DEBUG` (or `log.enabled(DEBUG)`) before they
build a message, so nothing is formatted below the active level.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

NONE = 1
CRITICAL = 2
ERROR = 4
WARNING = 8
MESSAGE = 16
INFO = 32
DEBUG = 64
TRACE = 128
STATISTICS = 256
PROFILE = 512
DEFAULT_MASK = CRITICAL | ERROR | WARNING | MESSAGE | STATISTICS

LEVEL_NICKS = {
    CRITICAL: "critical", ERROR: "error", WARNING: "warning", MESSAGE: "message",
    INFO: "info", DEBUG: "debug", TRACE: "trace", STATISTICS: "statistics",
    PROFILE: "profile",
}

# Python logging levels for the default sink.
_PY_LEVELS = {
    CRITICAL: logging.CRITICAL, ERROR: logging.ERROR, WARNING: logging.WARNING,
    MESSAGE: 25, INFO: logging.INFO, DEBUG: logging.DEBUG, TRACE: 5,
    STATISTICS: 25, PROFILE: 5,
}

#: `sink(level_bit, domain, message)`; domain is cli.md §13.2's
#: `milter-manager`, `milter-core`, `milter-client` or `milter-server`.
Sink = Callable[[int, str, str], None]

_python_logger = logging.getLogger("milter_manager")


def python_sink(level: int, domain: str, message: str) -> None:
    _python_logger.log(_PY_LEVELS.get(level, logging.INFO), "%s", message)


class ManagerLog:
    """Level mask + sink. `mask` may be changed at any time (reload)."""

    __slots__ = ("mask", "sink")

    def __init__(self, mask: int = DEFAULT_MASK, sink: Sink | None = None) -> None:
        self.mask = mask
        self.sink = sink if sink is not None else python_sink

    def enabled(self, level: int) -> bool:
        return bool(self.mask & level)

    def log(self, level: int, message: str, domain: str = "milter-manager") -> None:
        if self.mask & level:
            try:
                self.sink(level, domain, message)
            except Exception:  # noqa: BLE001, S110 - a broken sink must never break a session
                pass

    def critical(self, message: str) -> None:
        self.log(CRITICAL, message)

    def error(self, message: str, domain: str = "milter-manager") -> None:
        self.log(ERROR, message, domain)

    def warning(self, message: str, domain: str = "milter-manager") -> None:
        self.log(WARNING, message, domain)

    def message(self, message: str) -> None:
        self.log(MESSAGE, message)

    def info(self, message: str, domain: str = "milter-manager") -> None:
        self.log(INFO, message, domain)

    def debug(self, message: str, domain: str = "milter-manager") -> None:
        self.log(DEBUG, message, domain)

    def statistics(self, message: str) -> None:
        self.log(STATISTICS, message)


def format_elapsed(seconds: float) -> str:
    """cli.md §14.1 ELAPSED: C `%g`."""
    return "%g" % seconds  # noqa: UP031 - exactly C's %g


class TagCounter:
    """cli.md §14.1 TAG: one per-process counter for sessions and child
    connections, 1..4294967295, wrapping to 1."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        value = self.value + 1
        if value > 4294967295:
            value = 1
        self.value = value
        return value
