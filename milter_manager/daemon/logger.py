"""Log destinations of the daemon (cli.md §13).

One `DaemonLogger` per process writes every message to stdout or the log
file (with the items of §13.2 and the colour of §13.3) and, when on, to
syslog (§13.5). The manager core logs through a `ManagerLog` whose sink is
`DaemonLogger.sink`; the configuration loader through `loader_sink`.

Each line is one `os.write()` of PREFIX + MESSAGE + newline on a descriptor
opened in append mode, so lines of the master, the workers and the launcher
interleave line-wise (§13.2).
"""

from __future__ import annotations

import datetime
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from milter_manager.config import log_level
from milter_manager.manager.log import (
    CRITICAL,
    DEBUG,
    ERROR,
    INFO,
    LEVEL_NICKS,
    MESSAGE,
    PROFILE,
    STATISTICS,
    TRACE,
    WARNING,
)

PROGRAM = "milter-manager"

# §13.2 items (bits of upstream's MilterLogItemFlags).
ITEM_FLAGS = (("none", 1), ("domain", 2), ("level", 4), ("location", 8), ("time", 16),
              ("name", 32), ("pid", 64))
ITEM_BITS = dict(ITEM_FLAGS)
ITEM_DEFAULT = ITEM_BITS["time"]
ITEM_ALL = 2 | 4 | 8 | 16 | 32 | 64

# §13.3 colours.
COLOURS = {
    CRITICAL: "\033[01;33m\033[41m", ERROR: "\033[01;37m\033[41m",
    WARNING: "\033[01;37m\033[01;43m", MESSAGE: "\033[01;37m\033[01;42m",
    INFO: "\033[01;37m\033[01;46m", DEBUG: "\033[01;37m\033[01;44m",
    TRACE: "\033[01;37m\033[01;45m", STATISTICS: "\033[01;34m\033[01;47m",
    PROFILE: "\033[01;32m\033[40m",
}
COLOUR_END = "\033[00m"


def _syslog_priorities() -> dict[int, int]:
    import syslog
    return {CRITICAL: syslog.LOG_CRIT, ERROR: syslog.LOG_ERR, WARNING: syslog.LOG_WARNING,
            MESSAGE: syslog.LOG_NOTICE, INFO: syslog.LOG_INFO, DEBUG: syslog.LOG_DEBUG,
            TRACE: syslog.LOG_DEBUG, STATISTICS: syslog.LOG_NOTICE, PROFILE: syslog.LOG_DEBUG}


def syslog_facility(name: str | None) -> int:
    """§13.5 names (case-insensitive); `auth` and `authpriv` are LOG_AUTHPRIV."""
    import syslog
    text = (name or "mail").lower()
    if text in ("auth", "authpriv"):
        return syslog.LOG_AUTHPRIV
    value = getattr(syslog, f"LOG_{text.upper()}", None)
    if value is None:
        raise ValueError(f"unknown syslog facility: <{name}>")
    return value


class FlagError(ValueError):
    pass


def parse_items(text: str, current: int = 0) -> int:
    """MILTER_LOG_ITEM: the `+`/`-`/`|` grammar of log levels (config.md §8.1)
    over the item names, default `time`."""
    if text in ("", "default"):
        return ITEM_DEFAULT
    if text == "all":
        return ITEM_ALL
    rest = text
    adding = True
    if text[0] in "+-":
        current = current or ITEM_DEFAULT
        adding = text[0] == "+"
        result = current
        rest = text[1:]
    else:
        result = 0
    unknown = []
    for part in rest.split("|"):
        add = adding
        name = part
        if name[:1] in ("+", "-"):
            add = name[0] == "+"
            name = name[1:]
        if not name:
            continue
        if name == "all":
            result = result | ITEM_ALL | 1 if add else 0
            continue
        bits = ITEM_DEFAULT if name == "default" else ITEM_BITS.get(name)
        if bits is None:
            unknown.append(name)
            continue
        result = result | bits if add else result & ~bits
    if unknown:
        joined = "|".join(f"<{name}>" for name in unknown)
        raise FlagError(f"unknown flag names: [{joined}](<MilterLogItemFlags>)")
    return result


def iso_time(now: datetime.datetime | None = None) -> str:
    """§13.2 TIME: UTC, 6 fraction digits, no fraction when it is zero."""
    now = now or datetime.datetime.now(datetime.UTC)
    text = now.strftime("%Y-%m-%dT%H:%M:%S")
    if now.microsecond:
        text += f".{now.microsecond:06d}"
    return text + "Z"


def _wants_colour(mode: str, fd: int, env: Mapping[str, str]) -> bool:
    if mode == "console":
        return True
    if mode == "none":
        return False
    try:
        if not os.isatty(fd):
            return False
    except OSError:
        return False
    term = env.get("TERM", "")
    return (term.endswith(("term", "term-color", "term-256color"))
            or term in ("screen", "linux"))


class DaemonLogger:
    """stdout / log file / syslog for one process (cli.md §13)."""

    def __init__(self, env: Mapping[str, str] | None = None, *,
                 ident: str = PROGRAM) -> None:
        self.env = os.environ if env is None else env
        self.ident = ident
        self.level = 0                       # bits; 0 = default (DEFAULT_LEVEL)
        self.path: str | None = None         # None = stdout
        self.fd: int | None = None           # the log file's descriptor
        self.stdout_fd = 1
        self.items = ITEM_DEFAULT
        self.colour_mode = self.env.get("MILTER_LOG_COLORIZE") or "default"
        self.syslog_on = False
        self.syslog_open = False
        self.syslog_facility_name: str | None = None
        self.syslog_level: int | None = None  # MILTER_LOG_SYSLOG_LEVEL
        self.fatal_mask = 0
        self._priorities: dict[int, int] | None = None
        self._pid = os.getpid()
        debug = self.env.get("MILTER_DEBUG", "")
        for word in debug.replace(",", " ").split():
            if word in ("fatal-warnings", "fatal_warnings"):
                self.fatal_mask |= CRITICAL | ERROR | WARNING
            elif word in ("fatal-criticals", "fatal_criticals"):
                self.fatal_mask |= CRITICAL
        items = self.env.get("MILTER_LOG_ITEM")
        if items:
            try:
                self.items = parse_items(items)
            except FlagError as error:
                self.log(WARNING, f"[logger][item][set][warning] {error}")
        syslog_level = self.env.get("MILTER_LOG_SYSLOG_LEVEL")
        if syslog_level:
            try:
                self.syslog_level = log_level.parse_level(syslog_level, 0)
            except log_level.LogLevelError as error:
                self.log(WARNING, f"[syslog-logger][level][set][warning] {error}")

    # -- levels -------------------------------------------------------------
    def file_mask(self) -> int:
        return log_level.effective_level(self.level)

    def syslog_mask(self) -> int:
        if self.syslog_level is not None:
            return log_level.effective_level(self.syslog_level)
        return self.file_mask()

    def mask(self) -> int:
        """Every level some destination wants (the ManagerLog mask)."""
        mask = self.file_mask()
        if self.syslog_on:
            mask |= self.syslog_mask()
        return mask | self.fatal_mask

    # -- destinations ----------------------------------------------------------
    def use_fd(self, path: str | None, fd: int | None) -> None:
        """Switch to an already opened log file (or stdout when PATH is None)."""
        old = self.fd
        self.path, self.fd = path, fd
        if old is not None and old != fd:
            try:
                os.close(old)
            except OSError:
                pass

    def set_path(self, path: str | None) -> None:
        """§13.4: a configured path is opened when a load cycle commits; an
        unchanged path is not reopened. Raises OSError when it cannot be opened."""
        if path == self.path:
            return
        if path is None:
            self.use_fd(None, None)
            return
        fd = open_log_file(path)
        self.use_fd(path, fd)

    def reopen(self) -> None:
        """SIGUSR1 (§8.3)."""
        if self.path is None:
            return
        self.log(INFO, "[logger][reopen][close]")
        try:
            fd = open_log_file(self.path)
        except OSError as error:
            # [deviation] upstream falls back to stdout (/dev/null for a daemon).
            self.log(WARNING, f"[logger][reopen][open][warning] <{self.path}>: {error.strerror}")
            return
        self.use_fd(self.path, fd)
        self.log(INFO, "[logger][reopen][open]")

    def set_syslog(self, on: bool, facility: str | None) -> None:
        """§13.5: (re)open with the facility; close when off."""
        import syslog
        if not on:
            if self.syslog_open:
                syslog.closelog()
                self.syslog_open = False
            self.syslog_on = False
            return
        if self.syslog_open and facility == self.syslog_facility_name:
            self.syslog_on = True
            return
        if self.syslog_open:
            syslog.closelog()
        syslog.openlog(self.ident, syslog.LOG_PID, syslog_facility(facility))
        self.syslog_open = True
        self.syslog_on = True
        self.syslog_facility_name = facility

    def after_fork(self, ident: str | None = None) -> None:
        """In a forked child: new pid for the prefix; another syslog ident."""
        self._pid = os.getpid()
        if ident is not None and ident != self.ident:
            self.ident = ident
            if self.syslog_open:
                facility = self.syslog_facility_name
                self.syslog_open = False
                self.set_syslog(True, facility)

    # -- writing --------------------------------------------------------------
    def log(self, level: int, message: str, domain: str = PROGRAM) -> None:
        if level & self.file_mask():
            self._write_line(level, domain, message)
        if self.syslog_on and level & self.syslog_mask():
            self._syslog(level, message)
        if level & self.fatal_mask:
            os.abort()

    def sink(self, level: int, domain: str, message: str) -> None:
        """The `ManagerLog` sink."""
        self.log(level, message, domain)

    def loader_sink(self, level: int, message: str) -> None:
        """The configuration loader's `LogSink`."""
        self.log(level, message)

    def _prefix(self, level: int, domain: str) -> str:
        items = self.items
        prefix = ""
        if items & ITEM_BITS["level"]:
            prefix += "".join(f"[{nick}]" for bit, nick in LEVEL_NICKS.items() if level & bit)
        if items & ITEM_BITS["domain"]:
            prefix += f"[{domain}]"
        if items & ITEM_BITS["time"]:
            prefix += f"[{iso_time()}]"
        name = bool(items & ITEM_BITS["name"])
        if name:
            prefix += (" " if prefix else "") + f"[{PROGRAM}]"
        if items & ITEM_BITS["pid"]:
            prefix += (" " if prefix and not name else "") + f"[{self._pid}]"
        if items & ITEM_BITS["location"]:
            prefix += (" " if prefix else "") + _location()
        elif prefix:
            prefix += ": "
        return prefix

    def _write_line(self, level: int, domain: str, message: str) -> None:
        fd = self.fd if self.fd is not None else self.stdout_fd
        text = message
        colour = COLOURS.get(level)
        if colour and _wants_colour(self.colour_mode, fd, self.env):
            text = f"{colour}{message}{COLOUR_END}"
        line = f"{self._prefix(level, domain)}{text}\n".encode("utf-8", "surrogateescape")
        try:
            os.write(fd, line)
        except OSError:
            pass

    def _syslog(self, level: int, message: str) -> None:
        import syslog
        if self._priorities is None:
            self._priorities = _syslog_priorities()
        if level & STATISTICS:
            message = f"[statistics] {message}"
        try:
            syslog.syslog(self._priorities.get(level, syslog.LOG_INFO), message)
        except (OSError, ValueError):
            pass

    # -- Python logging (exceptions the event loop catches) ----------------------
    def python_handler(self) -> logging.Handler:
        return _PythonHandler(self)


def open_log_file(path: str) -> int:
    """Append mode, created with 0666 minus the umask, close-on-exec."""
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)


def _location() -> str:
    """`FILE:LINE: FUNCTION(): ` of the first frame outside the logging code."""
    frame: Any = sys._getframe(2)
    skip = (__file__, os.path.join(os.path.dirname(os.path.dirname(__file__)),
                                   "manager", "log.py"))
    while frame is not None and frame.f_code.co_filename in skip:
        frame = frame.f_back
    if frame is None:
        return ""
    code = frame.f_code
    return f"{code.co_filename}:{frame.f_lineno}: {code.co_name}(): "


class _PythonHandler(logging.Handler):
    _LEVELS = ((logging.CRITICAL, CRITICAL), (logging.ERROR, ERROR),
               (logging.WARNING, WARNING), (logging.INFO, INFO), (0, DEBUG))

    def __init__(self, logger: DaemonLogger) -> None:
        super().__init__()
        self.logger = logger

    def emit(self, record: logging.LogRecord) -> None:
        level = next(bit for threshold, bit in self._LEVELS if record.levelno >= threshold)
        try:
            text = record.getMessage()
            if record.exc_info:
                import traceback
                text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        except Exception:  # noqa: BLE001 - logging must never raise
            return
        self.logger.log(level, text)
