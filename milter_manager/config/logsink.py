"""Where the configuration layer's log messages go while loading.

The daemon installs its own logger (cli.md §13); `--show-config` and the
tests use `StdoutLog`, which writes the default line format of cli.md §13.2
(`[TIME]: MESSAGE`) to standard output, or to the log path in effect.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable
from typing import Protocol, TextIO

from milter_manager.config import log_level


class LogSink(Protocol):
    def __call__(self, level: int, message: str) -> None:
        """Log MESSAGE at LEVEL (one flag bit of log_level)."""


def timestamp() -> str:
    now = datetime.datetime.now(datetime.UTC)
    text = now.strftime("%Y-%m-%dT%H:%M:%S")
    if now.microsecond:
        text += f".{now.microsecond:06d}"
    return text + "Z"


class StdoutLog:
    """Writes enabled messages as `[TIME]: MESSAGE`. `level_in_effect` gives
    the level bits in effect at the time of the call (the configuration being
    loaded decides, as upstream's process-wide logger does)."""

    def __init__(self, level_in_effect: Callable[[], int] = lambda: 0,
                 path_in_effect: Callable[[], str | None] = lambda: None,
                 stream: TextIO | None = None) -> None:
        self.level_in_effect = level_in_effect
        self.path_in_effect = path_in_effect
        self.stream = stream

    def enabled(self, level: int) -> bool:
        return bool(level & log_level.effective_level(self.level_in_effect()))

    def __call__(self, level: int, message: str) -> None:
        if not self.enabled(level):
            return
        line = f"[{timestamp()}]: {message}\n"
        path = self.path_in_effect()
        if path is not None:
            with open(path, "a", encoding="utf-8", errors="surrogateescape") as out:
                out.write(line)
            return
        stream = self.stream or sys.stdout
        stream.write(line)
        stream.flush()
