"""Log lines of the protocol tools (cli.md §3 environment, §13.1–§13.3, §13.5).

`milter-test-server` and `milter-test-client` log like the daemon: one
`write()` of PREFIX + MESSAGE + newline on standard output (or the file
named by `MILTER_LOG_PATH` / `--log-path`), the prefix made of the items of
`MILTER_LOG_ITEM` (default: the time), colour per `MILTER_LOG_COLORIZE`,
the level from `MILTER_LOG_LEVEL` (default: critical, error, warning,
message, statistics). `milter-test-client --syslog` adds syslog (§13.5).
The object is a `ManagerLog` sink, so the event loop and the codec's users
log through the same interface as the manager.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Mapping

from milter_manager.config import log_level
from milter_manager.manager.log import (
    INFO,
    LEVEL_NICKS,
    STATISTICS,
    WARNING,
    ManagerLog,
)

# cli.md §13.2 items (upstream's MilterLogItemFlags bits).
ITEMS = {"none": 1, "domain": 2, "level": 4, "location": 8, "time": 16, "name": 32,
         "pid": 64}
ITEM_DEFAULT = ITEMS["time"]
ITEM_ALL = 2 | 4 | 8 | 16 | 32 | 64

# cli.md §13.1 colours.
COLOURS = {2: "\033[01;33m\033[41m", 4: "\033[01;37m\033[41m", 8: "\033[01;37m\033[01;43m",
           16: "\033[01;37m\033[01;42m", 32: "\033[01;37m\033[01;46m",
           64: "\033[01;37m\033[01;44m", 128: "\033[01;37m\033[01;45m",
           256: "\033[01;34m\033[01;47m", 512: "\033[01;32m\033[40m"}
COLOUR_END = "\033[00m"


def parse_items(text: str) -> int:
    """`MILTER_LOG_ITEM`: item names with the `|`, `+`, `-` grammar of levels (cli.md §13.2)."""
    if text in ("", "default"):
        return ITEM_DEFAULT
    if text == "all":
        return ITEM_ALL
    result, adding, rest = 0, True, text
    if text[0] in "+-":
        result, adding, rest = ITEM_DEFAULT, text[0] == "+", text[1:]
    unknown = []
    for part in rest.split("|"):
        add = adding
        if part[:1] in ("+", "-"):
            add, part = part[0] == "+", part[1:]
        if not part:
            continue
        bits = ITEM_ALL if part == "all" else ITEM_DEFAULT if part == "default" \
            else ITEMS.get(part)
        if bits is None:
            unknown.append(part)
            continue
        result = result | bits if add else result & ~bits
    if unknown:
        names = "|".join(f"<{name}>" for name in unknown)
        raise ValueError(f"unknown flag names: [{names}](<MilterLogItemFlags>)")
    return result


def iso_time() -> str:
    """cli.md §13.2 TIME: UTC with 6 fraction digits, none when they are all zero."""
    now = datetime.datetime.now(datetime.UTC)
    text = now.strftime("%Y-%m-%dT%H:%M:%S")
    if now.microsecond:
        text += f".{now.microsecond:06d}"
    return text + "Z"


def colour_capable_term(env: Mapping[str, str]) -> bool:
    """cli.md §13.3: a TERM that looks colour-capable."""
    term = env.get("TERM", "")
    return term.endswith(("term", "term-color", "term-256color")) or term in ("screen", "linux")


class ToolLog:
    """stdout / log file (and syslog) for one tool process."""

    def __init__(self, program: str, env: Mapping[str, str] | None = None) -> None:
        self.program = program
        self.env = os.environ if env is None else env
        self.level = log_level.DEFAULT_LEVEL
        self.items = ITEM_DEFAULT
        self.fd = 1
        self.path: str | None = None
        self.colour_mode = self.env.get("MILTER_LOG_COLORIZE") or "default"
        self.syslog = False
        self.syslog_level: int | None = None
        self.pid = os.getpid()
        self.manager_log = ManagerLog(self.level, self.sink)
        text = self.env.get("MILTER_LOG_LEVEL")
        if text:
            try:
                self.set_level(log_level.effective_level(log_level.parse_level(text)))
            except log_level.LogLevelError as error:
                self.log(WARNING, f"[logger][level][set][warning] {error}")
        items = self.env.get("MILTER_LOG_ITEM")
        if items:
            try:
                self.items = parse_items(items)
            except ValueError as error:
                self.log(WARNING, f"[logger][item][set][warning] {error}")
        path = self.env.get("MILTER_LOG_PATH")
        if path and path != "-":
            try:
                self.set_path(path)
            except OSError as error:
                self.log(WARNING, f"[logger][path][set][warning] "
                                  f"failed to set log output path: <{path}>: {error.strerror}")

    def set_level(self, level: int) -> None:
        self.level = level
        self.manager_log.mask = level | (self.syslog_level or 0 if self.syslog else 0)

    def set_path(self, path: str) -> None:
        """Append to PATH from now on (raises OSError when it cannot be opened)."""
        self.use_fd(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                            0o666), path)

    def use_fd(self, fd: int, path: str | None) -> None:
        """Write to FD (opened on PATH) from now on."""
        if self.fd not in (1, fd):
            os.close(self.fd)
        self.fd, self.path = fd, path

    def reopen(self) -> None:
        """cli.md §8.3 (SIGUSR1): open the log path again; keep the old file on failure."""
        if self.path is None:
            return
        self.log(INFO, "[logger][reopen][close]")
        try:
            self.set_path(self.path)
        except OSError as error:
            self.log(WARNING, f"[logger][reopen][open][warning] <{self.path}>: {error.strerror}")
            return
        self.log(INFO, "[logger][reopen][open]")

    def open_syslog(self, facility: int) -> None:
        """cli.md §13.5: ident = the program, LOG_PID; threshold MILTER_LOG_SYSLOG_LEVEL."""
        import syslog
        syslog.openlog(self.program, syslog.LOG_PID, facility)
        self.syslog = True
        text = self.env.get("MILTER_LOG_SYSLOG_LEVEL")
        if text:
            try:
                self.syslog_level = log_level.effective_level(log_level.parse_level(text))
            except log_level.LogLevelError as error:
                self.log(WARNING, f"[syslog-logger][level][set][warning] {error}")
        self.set_level(self.level)

    def log(self, level: int, message: str, domain: str = "milter-core") -> None:
        if level & self.level:
            self._write(level, domain, message)
        if self.syslog and level & (self.syslog_level or self.level):
            self._syslog(level, message)

    def sink(self, level: int, domain: str, message: str) -> None:
        """The `ManagerLog` sink."""
        self.log(level, message, domain)

    def _prefix(self, level: int, domain: str) -> str:
        items = self.items
        prefix = ""
        if items & ITEMS["level"]:
            prefix += "".join(f"[{nick}]" for bit, nick in LEVEL_NICKS.items() if level & bit)
        if items & ITEMS["domain"]:
            prefix += f"[{domain}]"
        if items & ITEMS["time"]:
            prefix += f"[{iso_time()}]"
        if items & ITEMS["name"]:
            prefix += (" " if prefix else "") + f"[{self.program}]"
        if items & ITEMS["pid"]:
            prefix += (" " if prefix and not items & ITEMS["name"] else "") + f"[{self.pid}]"
        if items & ITEMS["location"]:
            prefix += (" " if prefix else "") + _location()
        elif prefix:
            prefix += ": "
        return prefix

    def _colour(self) -> bool:
        if self.colour_mode == "console":
            return True
        if self.colour_mode == "none":
            return False
        try:
            return os.isatty(self.fd) and colour_capable_term(self.env)
        except OSError:
            return False

    def _write(self, level: int, domain: str, message: str) -> None:
        colour = COLOURS.get(level)
        if colour and self._colour():
            message = colour + message + COLOUR_END
        line = (self._prefix(level, domain) + message + "\n").encode("utf-8", "surrogateescape")
        try:
            sys.stdout.flush()   # keep the order of lines printed by the tool itself
            os.write(self.fd, line)
        except OSError:
            pass

    def _syslog(self, level: int, message: str) -> None:
        import syslog
        priority = {2: syslog.LOG_CRIT, 4: syslog.LOG_ERR, 8: syslog.LOG_WARNING,
                    16: syslog.LOG_NOTICE, 32: syslog.LOG_INFO,
                    256: syslog.LOG_NOTICE}.get(level, syslog.LOG_DEBUG)
        if level & STATISTICS:
            message = "[statistics] " + message
        try:
            syslog.syslog(priority, message)
        except (OSError, ValueError):
            pass


def _location() -> str:
    """`FILE:LINE: FUNCTION(): ` of the first caller outside the logging code."""
    skip = (__file__, ManagerLog.log.__code__.co_filename)
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename in skip:
        frame = frame.f_back
    code = frame.f_code
    return f"{code.co_filename}:{frame.f_lineno}: {code.co_name}(): "
