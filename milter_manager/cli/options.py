"""Command-line options of `milter-manager` (cli.md §1–§3).

Parsed with argparse in GOption style: no abbreviations, values checked left
to right by each option's action (so the option *as typed* is known for the
`OPT: MESSAGE` errors), error texts on standard output with exit status 1
(cli.md §1.4). The configuration issue implements the options that touch the
configuration (config.md §13) and the log baseline; the daemon issue
completes the rest (help texts, daemon options).
"""

from __future__ import annotations

import argparse
import grp
import locale
import os
import pwd
import sys
from dataclasses import dataclass, field
from typing import Any, NoReturn

from milter_manager import VERSION
from milter_manager.config.overrides import Overrides

UINT_MAX = 4294967295


class OptionError(Exception):
    """An option error; `text` is printed on stdout, then exit status 1."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class EarlyExit(Exception):
    """--version / --help: print `text` on stdout, exit 0."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass
class Options:
    config_dir: str | None = None
    show_config: bool = False
    overrides: Overrides = field(default_factory=Overrides)
    log_level: int | None = None          # the baseline level, when given
    log_path: str | None = None           # "-" = stdout
    log_path_given: bool = False
    log_fd: int | None = None             # --log-path, opened while parsing
    daemon: bool | None = None
    syslog: bool = False
    syslog_facility: str | None = None
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- help (cli.md §2): upstream's layout, our words ------------------------------

HELP_OPTIONS = [
    ("-h, --help", "Show help options"),
    ("--help-all", "Show all help options"),
    ("--help-milter", "Show milter help options"),
]
APPLICATION_OPTIONS = [
    ("-c, --config-dir=DIRECTORY", "Look for configuration files in DIRECTORY first"),
    ("--show-config", "Print the loaded configuration and exit"),
    ("--version", "Print the version and exit"),
]
MILTER_OPTIONS = [
    ("-s, --connection-spec=SPEC", "Listen on SPEC (unix:PATH, inet:PORT[@HOST], inet6:...)"),
    ("--log-level=LEVEL", "Log messages of LEVEL (e.g. error|warning)"),
    ("--log-path=PATH", "Append log lines to PATH ('-' is standard output)"),
    ("-v, --verbose", "Log everything (--log-level=all)"),
    ("-q, --quiet", "Log nothing (--log-level=none)"),
    ("--syslog", "Also log to syslog"),
    ("--syslog-facility=FACILITY", "Use FACILITY for syslog"),
    ("--daemon", "Run in the background"),
    ("--no-daemon", "Stay in the foreground"),
    ("-u, --user=UID_OR_USER_NAME", "Run as this user"),
    ("--user-id=UID", "Run as the user with this UID"),
    ("--user-name=USER_NAME", "Run as the user with this name"),
    ("-g, --group=GID_OR_GROUP_NAME", "Run as this group"),
    ("--group-id=GID", "Run as the group with this GID"),
    ("--group-name=GROUP_NAME", "Run as the group with this name"),
    ("--unix-socket-group=GROUP", "Give the listening UNIX socket to GROUP"),
    ("--socket-group-name=GROUP", "Deprecated: use --unix-socket-group"),
    ("--unix-socket-mode=MODE", "Permissions of the listening UNIX socket"),
    ("--n-workers=N_WORKERS", "Run N_WORKERS worker processes"),
    ("--event-loop-backend=BACKEND", "Event loop to use (glib or libev)"),
    ("--packet-buffer-size=SIZE", "Buffer up to SIZE bytes of packets per session"),
    ("--pid-file=FILE", "Write the process id to FILE"),
    ("--max-pending-finished-sessions=N_SESSIONS",
     "Finish at most N_SESSIONS sessions per loop turn"),
]


def _ellipsis() -> str:
    """`…` when the locale's encoding is UTF-8, `...` otherwise (cli.md §2.1).

    Python switches a C/POSIX locale to UTF-8 at start-up (PEP 538/540), so
    the implicit UTF-8 mode tells that the invoking locale was C or POSIX."""
    explicit_utf8 = os.environ.get("PYTHONUTF8") == "1" or "utf8" in sys._xoptions
    if sys.flags.utf8_mode and not explicit_utf8:
        return "..."
    try:
        encoding = locale.nl_langinfo(locale.CODESET)
    except (AttributeError, ValueError):
        encoding = locale.getpreferredencoding(False) or ""
    return "…" if encoding.lower().replace("-", "") == "utf8" else "..."


def _block(title: str, options: list[tuple[str, str]]) -> list[str]:
    lines = [title]
    for text, description in options:
        lines.append(f"  {text}".ljust(49) + description)
    lines.append("")
    return lines


def help_text(which: str = "main") -> str:
    """`main` (--help), `all` (--help-all) or `milter` (--help-milter)."""
    lines = ["Usage:", f"  milter-manager [OPTION{_ellipsis()}]", ""]
    if which != "milter":
        lines += _block("Help Options:", HELP_OPTIONS)
    if which in ("all", "milter"):
        lines += _block("Milter Common Options", MILTER_OPTIONS)
    if which != "milter":
        lines += _block("Application Options:", APPLICATION_OPTIONS)
    return "\n".join(lines) + "\n"


# --- value syntaxes (cli.md §1.2, §1.3) ----------------------------------------

def strtol(text: str) -> tuple[int | None, int]:
    """C `strtol(text, &end, 0)`: (value or None when no digits, end index)."""
    i = 0
    n = len(text)
    while i < n and text[i] in " \t\n\v\f\r":
        i += 1
    sign = 1
    if i < n and text[i] in "+-":
        sign = -1 if text[i] == "-" else 1
        i += 1
    base = 10
    digits_start = i
    if text[i:i + 2].lower() == "0x" and i + 2 < n and text[i + 2] in "0123456789abcdefABCDEF":
        base = 16
        i += 2
        digits_start = i
    elif text[i:i + 1] == "0":
        base = 8
    valid = "0123456789abcdef"[:base]
    j = digits_start
    while j < n and text[j].lower() in valid:
        j += 1
    if j == digits_start:
        return None, 0
    return sign * int(text[digits_start:j], base), j


def parse_integer(option: str, value: str) -> int:
    number, end = strtol(value)
    if value == "":
        return 0                          # C strtol: an empty value parses as 0
    if number is None or end < len(value):
        parsed = value[:end] if number is not None else ""
        rest = value[end:] if number is not None else value
        raise OptionError(f"{option}: invalid integer value: <{value}>"
                          f"({parsed}>{rest[0]}<{rest[1:]})")
    return number


def parse_uint(option: str, value: str, maximum: int) -> int:
    number = parse_integer(option, value)
    if number < 0:
        # [deviation] upstream wraps negative values.
        raise OptionError(f"{option}: must be larger than 0 or equal to 0: <{value}>: "
                          f"parsed=<{number}>")
    if number > maximum:
        raise OptionError(f"{option}: too big: <{value}>: parsed=<{number}>, max=<{maximum}>")
    return number


def parse_unix_socket_mode(value: str) -> int:
    """cli.md §1.3; 0 = not given."""
    if value == "":
        return 0
    first = value[0]
    if first in "01234567":
        for index, char in enumerate(value):
            if index >= 3:
                raise OptionError(f"must be at most 3 digits: <{value}>")
            if char not in "01234567":
                raise OptionError(f"must be 0-7: '{char}': <{value}>")
        return int(value, 8)
    if first not in "augo":
        raise OptionError(f"invalid character: '{first}': <{value}>")
    who = 0
    i = 0
    masks = {"u": 0o700, "g": 0o070, "o": 0o007, "a": 0o777}
    while i < len(value) and value[i] in masks:
        who |= masks[value[i]]
        i += 1
    if i == len(value):
        raise OptionError(f"set mode '=' is missing: <{value}>")
    if value[i] != "=":
        raise OptionError(f"set mode must be '=': '{value[i]}': <{value}>")
    i += 1
    if i == len(value):
        raise OptionError(f"mode 'r', 'w' or 'x' is missing: <{value}>")
    perms = 0
    bits = {"r": 0o444, "w": 0o222, "x": 0o111}
    for char in value[i:]:
        if char not in bits:
            raise OptionError(f"mode must be 'r', 'w' or 'x': '{char}': <{value}>")
        perms |= bits[char]
    return who & perms


def _user_name(option: str, value: str, by_id: bool) -> str:
    number, end = strtol(value)
    whole = number is not None and end == len(value)
    if by_id:
        number = parse_integer(option, value)
        try:
            return pwd.getpwuid(number).pw_name
        except (KeyError, OverflowError):
            raise OptionError(f"{option}: invalid UID: <{value}>({number})") from None
    if whole:
        try:
            return pwd.getpwuid(number).pw_name
        except (KeyError, OverflowError):
            pass
    return value


def _group_name(option: str, value: str, by_id: bool) -> str:
    number, end = strtol(value)
    whole = number is not None and end == len(value)
    if by_id:
        number = parse_integer(option, value)
        try:
            return grp.getgrgid(number).gr_name
        except (KeyError, OverflowError):
            raise OptionError(f"{option}: invalid GID: <{value}>({number})") from None
    if whole:
        try:
            return grp.getgrgid(number).gr_name
        except (KeyError, OverflowError):
            pass
    return value


# --- actions -------------------------------------------------------------------

class _Store(argparse.Action):
    """Converts and stores when the option is reached (left to right)."""

    def __init__(self, *args: Any, convert: Any = None, **kwargs: Any) -> None:
        self.convert = convert
        super().__init__(*args, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        options: Options = namespace.options
        self.convert(options, option_string or self.dest, values)


class _Flag(_Store):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, nargs=0, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        self.convert(namespace.options, option_string or self.dest, None)


def _set(attribute: str):
    def convert(options: Options, option: str, value: Any) -> None:
        setattr(options, attribute, value)
    return convert


def _override(attribute: str, parse=None):
    def convert(options: Options, option: str, value: str) -> None:
        setattr(options.overrides, attribute, parse(option, value) if parse else value)
    return convert


def _connection_spec(option: str, value: str) -> str:
    from milter_manager.config.connection_spec import (
        ConnectionSpecError,
        parse_connection_spec,
    )
    try:
        parse_connection_spec(value)
    except ConnectionSpecError as error:
        raise OptionError(f"{option}: {error.detail}") from None
    return value


def _log_level(options: Options, option: str, value: str) -> None:
    from milter_manager.config.log_level import LogLevelError, parse_level
    try:
        options.log_level = parse_level(value, options.log_level or 0)
    except LogLevelError as error:
        raise OptionError(f"{option}: {error}") from None


def _log_path(options: Options, option: str, value: str) -> None:
    fd = None
    if value != "-":
        try:
            # Opened while parsing, as the invoking user (cli.md §1.2); the
            # daemon logs to this descriptor, so it works after the drop.
            fd = os.open(value, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as error:
            raise OptionError(f"{option}: failed to set log output path: <{value}>: "
                              f"{error.strerror}") from None
    if options.log_fd is not None:
        os.close(options.log_fd)          # given twice: the later one wins
    options.log_fd = fd
    options.log_path = value
    options.log_path_given = True


def _syslog_facility(options: Options, option: str, value: str) -> None:
    from milter_manager.config.sections import SYSLOG_FACILITIES
    if value.lower() not in SYSLOG_FACILITIES:
        raise OptionError(f"{option}: unknown syslog facility: <{value}>")
    options.syslog_facility = value


def _event_loop_backend(option: str, value: str) -> str:
    if value not in ("glib", "libev", "default"):
        raise OptionError(f"{option}: unknown event loop backend: <{value}> "
                          "available values: [glib|libev]")
    return value


def _socket_group_alias(options: Options, option: str, value: str) -> None:
    options.warnings.append(f"[client][option][deprecated][{option}] "
                            "use --unix-socket-group instead")
    options.overrides.unix_socket_group = value


def _version(options: Options, option: str, value: Any) -> NoReturn:
    raise EarlyExit(f"milter-manager {VERSION}\n")


def _help(options: Options, option: str, value: Any) -> NoReturn:
    which = {"--help-all": "all", "--help-milter": "milter"}.get(option, "main")
    raise EarlyExit(help_text(which))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ArgparseFailure(message)


class _ArgparseFailure(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="milter-manager", allow_abbrev=False, add_help=False)
    a = p.add_argument
    a("-h", "--help", "-?", action=_Flag, convert=_help)
    a("--help-all", action=_Flag, convert=_help)
    a("--help-milter", action=_Flag, convert=_help)
    a("-c", "--config-dir", action=_Store, convert=_set("config_dir"))
    a("--show-config", action=_Flag, convert=lambda o, opt, v: setattr(o, "show_config", True))
    a("--version", action=_Flag, convert=_version)
    a("-s", "--connection-spec", action=_Store,
      convert=_override("connection_spec", _connection_spec))
    a("--log-level", action=_Store, convert=_log_level)
    a("--log-path", action=_Store, convert=_log_path)
    a("-v", "--verbose", action=_Flag, convert=lambda o, opt, v: _log_level(o, opt, "all"))
    a("-q", "--quiet", action=_Flag, convert=lambda o, opt, v: _log_level(o, opt, "none"))
    a("--syslog", action=_Flag, convert=lambda o, opt, v: setattr(o, "syslog", True))
    a("--syslog-facility", action=_Store, convert=_syslog_facility)
    a("--daemon", action=_Flag, convert=lambda o, opt, v: setattr(o, "daemon", True))
    a("--no-daemon", action=_Flag, convert=lambda o, opt, v: setattr(o, "daemon", False))
    a("-u", "--user", action=_Store,
      convert=_override("effective_user", lambda o, v: _user_name(o, v, False)))
    a("--user-id", action=_Store,
      convert=_override("effective_user", lambda o, v: _user_name(o, v, True)))
    a("--user-name", action=_Store, convert=_override("effective_user"))
    a("-g", "--group", action=_Store,
      convert=_override("effective_group", lambda o, v: _group_name(o, v, False)))
    a("--group-id", action=_Store,
      convert=_override("effective_group", lambda o, v: _group_name(o, v, True)))
    a("--group-name", action=_Store, convert=_override("effective_group"))
    a("--unix-socket-group", action=_Store, convert=_override("unix_socket_group"))
    a("--socket-group-name", action=_Store, convert=_socket_group_alias)
    a("--unix-socket-mode", action=_Store,
      convert=_override("unix_socket_mode",
                        lambda o, v: _prefixed(o, parse_unix_socket_mode, v)))
    a("--n-workers", action=_Store,
      convert=_override("n_workers", lambda o, v: parse_uint(o, v, 1000)))
    a("--event-loop-backend", action=_Store,
      convert=_override("event_loop_backend", _event_loop_backend))
    a("--packet-buffer-size", action=_Store,
      convert=_override("packet_buffer_size", lambda o, v: parse_uint(o, v, UINT_MAX)))
    a("--pid-file", action=_Store, convert=_override("pid_file"))
    a("--max-pending-finished-sessions", action=_Store,
      convert=_override("max_pending_finished_sessions",
                        lambda o, v: parse_uint(o, v, UINT_MAX)))
    return p


def _prefixed(option: str, parse, value: str):
    try:
        return parse(value)
    except OptionError as error:
        raise OptionError(f"{option}: {error.text}") from None


def _normalise(parser: argparse.ArgumentParser,
               argv: list[str]) -> tuple[list[str], list[str], OptionError | None]:
    """GOption's reading of ARGV (cli.md §1) as unambiguous argparse tokens.

    A value option always takes the next argument, even one starting with
    `-` (`--log-level -info`); short options cluster (`-vq`, `-sVALUE`).
    Returns (tokens, non-option arguments, the error that stops parsing):
    tokens before an unknown option or a missing argument are still parsed
    first, since the first error in command-line order is the one reported.
    """
    takes_value = {s for action in parser._actions if action.nargs is None
                   for s in action.option_strings}
    flags = {s for action in parser._actions if action.nargs == 0
             for s in action.option_strings}
    tokens: list[str] = []
    extras: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            extras.extend(argv[i + 1:])
            break
        if arg.startswith("--"):
            name, equals, value = arg.partition("=")
            if name in takes_value:
                if not equals:
                    if i + 1 >= len(argv):
                        return tokens, extras, OptionError(f"Missing argument for {name}")
                    i += 1
                    value = argv[i]
                tokens.append(f"{name}={value}")
            elif arg in flags:
                tokens.append(arg)
            else:
                return tokens, extras, _unknown(arg)
        elif arg.startswith("-") and arg != "-":
            j = 1
            while j < len(arg):
                short = "-" + arg[j]
                if short in flags:
                    tokens.append(short)
                    j += 1
                    continue
                if short not in takes_value:
                    return tokens, extras, _unknown(arg)
                value = arg[j + 1:]
                if not value:
                    if i + 1 >= len(argv):
                        return tokens, extras, OptionError(f"Missing argument for {short}")
                    i += 1
                    value = argv[i]
                tokens.append(f"{short}={value}")
                break
        else:
            extras.append(arg)
        i += 1
    return tokens, extras, None


def _unknown(arg: str) -> OptionError:
    return OptionError(f"Unknown option {arg}\n\n{help_text('main')}")


def parse_options(argv: list[str]) -> Options:
    """Parse ARGV; raises OptionError / EarlyExit (the caller prints and exits)."""
    parser = build_parser()
    namespace = argparse.Namespace(options=Options())
    tokens, extras, pending = _normalise(parser, argv)
    try:
        parser.parse_args(tokens, namespace)
    except _ArgparseFailure as failure:   # pragma: no cover - tokens are always known
        raise OptionError(str(failure)) from None
    if pending is not None:
        raise pending
    options: Options = namespace.options
    options.ignored.extend(extras)
    return options


def main_exit(error: OptionError) -> int:
    text = error.text if error.text.endswith("\n") else error.text + "\n"
    sys.stdout.write(text)
    sys.stdout.flush()
    return 1
