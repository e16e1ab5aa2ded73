"""The command line of `milter-performance-check` (tools.md §3.1)."""

from __future__ import annotations

import re
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..ruby_optparse import OPTIONAL, REQUIRED, OptionError, OptionParser, integer

PROGRAM = "milter-performance-check"

AUTH_MECHANISMS = ("auto", "plain", "login", "cram_md5", "cram-md5")
STARTTLS_MODES = ("auto", "always", "disable")

# §3.1: NUMBER[UNIT]; NUMBER is \d+(.\d+)? (a literal dot), UNIT case-insensitive.
_PERIOD = re.compile(
    r"(\d+(?:\.\d+)?)(s|sec|seconds?|m|min|minutes?|h|hours?)?", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


class UsageError(Exception):
    """A fatal command-line problem: one line on stderr, exit status 1.
    [deviation] tools.md §3.1: upstream dies with a Ruby backtrace."""


def parse_period(text: str) -> float:
    """`5`, `0.5s`, `10m`, `1.5h` → seconds (§3.1)."""
    match = _PERIOD.fullmatch(text)
    if match is None:
        raise UsageError("invalid period format")
    unit = (match.group(2) or "s")[0].lower()
    return float(match.group(1)) * _UNIT_SECONDS[unit]


@dataclass
class Settings:
    """Everything the command line says (defaults of §3.1)."""

    smtp_server: str = "localhost"
    smtp_port: int = 25
    connect_host: str | None = None
    connect_address: str | None = None
    helo_fqdn: str = "localhost.localdomain"
    starttls: str = "auto"
    auth_user: str | None = None
    auth_password: str | None = None
    # [deviation] tools.md §3.1: upstream's default is the misspelled `auth`.
    auth_mechanism: str = "auto"
    auth_map: str | None = None
    froms: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    force_from: str | None = None
    force_recipients: list[str] = field(default_factory=list)
    reading_timeout: int = 60
    n_mails: int = 100
    n_additional_lines: int = 0
    # tools.md §6: the manual says 10, upstream's code (followed) 1.
    n_concurrent_connections: int = 1
    n_workers: int = 1
    period: float | None = None
    interval: float | None = None
    flood: bool = False
    flood_period: float | None = None
    shuffle: bool = False
    report_statistics_data: str | None = None
    report_failure_responses: bool = False
    report_periodically: float | None = None
    progress: bool | None = None  # None: on iff stdout is a TTY (§3.1)
    paths: list[str] = field(default_factory=list)
    show_help: bool = False

    @property
    def from_list(self) -> list[str]:
        return self.froms or ["from@example.com"]

    @property
    def recipient_list(self) -> list[str]:
        return self.recipients or ["to@example.com"]

    def progress_wanted(self, stdout_is_tty: bool) -> bool:
        if self.progress is not None:
            return self.progress
        return stdout_is_tty and self.report_periodically is None


def _choice(values: tuple[str, ...]):
    def convert(text: str) -> str:
        if text.lower() not in values:
            raise ValueError(text)
        return text.lower()
    return convert


def _exclusive(settings: Settings, mode: str) -> None:
    """§3.1: --period, --interval and --flood exclude each other."""
    others = {"period": settings.period is not None,
              "interval": settings.interval is not None,
              "flood": settings.flood}
    for name, used in others.items():
        if used and name != mode:
            raise UsageError(f"can't use with --{name}")


def build_parser(settings: Settings) -> OptionParser:
    s = settings
    p = OptionParser(f"Usage: {PROGRAM} [options] [MAIL_FILE_OR_DIRECTORY|-]...")

    def store(name: str):
        return lambda value: setattr(s, name, value)

    def positive(name: str):
        def apply(value: int) -> None:
            if value < 0:
                raise UsageError("must be positive number.")
            setattr(s, name, value)
        return apply

    def period(value: str) -> None:
        _exclusive(s, "period")
        s.period = parse_period(value)

    def interval(value: str) -> None:
        _exclusive(s, "interval")
        s.interval = parse_period(value)

    def flood(value: str | None) -> None:
        _exclusive(s, "flood")
        s.flood = True
        s.flood_period = None if value is None else parse_period(value)

    def periodically(value: str | None) -> None:
        s.report_periodically = parse_period(value if value is not None else "1s")

    def concurrency(value: int) -> None:
        # [deviation] zero or fewer concurrent sessions would send nothing and
        # never end; refused like a negative worker count.
        if value < 1:
            raise UsageError("must be positive number.")
        s.n_concurrent_connections = value

    p.add("smtp-server", store("smtp_server"), argument=REQUIRED, metavar="SERVER",
          help="SMTP server (default: localhost)")
    p.add("smtp-port", store("smtp_port"), argument=REQUIRED, convert=integer,
          metavar="PORT", help="SMTP port (default: 25)")
    p.add("connect-host", store("connect_host"), argument=REQUIRED, metavar="HOST",
          help="client host name sent with XCLIENT")
    p.add("connect-address", store("connect_address"), argument=REQUIRED,
          metavar="ADDRESS", help="client address sent with XCLIENT")
    p.add("helo-fqdn", store("helo_fqdn"), argument=REQUIRED, metavar="FQDN",
          help="EHLO/HELO name (default: localhost.localdomain)")
    p.add("starttls", store("starttls"), argument=REQUIRED,
          convert=_choice(STARTTLS_MODES), metavar="HOW",
          help="auto, always or disable (default: auto)")
    p.add("auth-user", store("auth_user"), argument=REQUIRED, metavar="USER",
          help="SMTP AUTH user")
    p.add("auth-password", store("auth_password"), argument=REQUIRED,
          metavar="PASSWORD", help="SMTP AUTH password")
    p.add("auth-mechanism", store("auth_mechanism"), argument=REQUIRED,
          convert=_choice(AUTH_MECHANISMS), metavar="MECHANISM",
          help="auto, plain, login or cram-md5 (default: auto)")
    p.add("auth-map", store("auth_map"), argument=REQUIRED, metavar="FILE",
          help="'SERVER:PORT USER:PASSWORD' lines")
    p.add("from", s.froms.append, argument=REQUIRED, metavar="FROM",
          help="envelope sender (repeatable, used in turn)")
    p.add("recipient", s.recipients.append, argument=REQUIRED, metavar="RECIPIENT",
          help="envelope recipient (repeatable)")
    p.add("force-from", store("force_from"), argument=REQUIRED, metavar="FROM",
          help="sender even when the mail has From:")
    p.add("force-recipient", s.force_recipients.append, argument=REQUIRED,
          metavar="RECIPIENT", help="recipient even when the mail has To:/Cc:")
    p.add("reading-timeout", store("reading_timeout"), argument=REQUIRED,
          convert=integer, metavar="SECONDS", help="SMTP read timeout (default: 60)")
    p.add("n-mails", store("n_mails"), argument=REQUIRED, convert=integer, metavar="N",
          help="number of mails (default: 100)")
    p.add("n-additional-lines", store("n_additional_lines"), argument=REQUIRED,
          convert=integer, metavar="N", help="extra body lines of generated mails")
    p.add("n-concurrent-connections", concurrency, argument=REQUIRED, convert=integer,
          metavar="N", help="concurrent SMTP sessions (default: 1)")
    p.add("n-workers", positive("n_workers"), argument=REQUIRED, convert=integer,
          metavar="N", help="worker processes (default: 1)")
    p.add("period", period, argument=REQUIRED, metavar="PERIOD",
          help="spread the mails over PERIOD")
    p.add("interval", interval, argument=REQUIRED, metavar="INTERVAL",
          help="start one mail every INTERVAL")
    p.add("flood", flood, argument=OPTIONAL, metavar="PERIOD",
          help="send in a loop (for PERIOD)")
    p.add("shuffle", store("shuffle"), negatable=True, help="random mail order")
    p.add("report-statistics-data", store("report_statistics_data"), argument=REQUIRED,
          metavar="FILE", help="CSV of every mail's response time")
    p.add("report-failure-responses", store("report_failure_responses"), negatable=True,
          help="list the failure responses")
    p.add("report-periodically", periodically, argument=OPTIONAL, metavar="INTERVAL",
          help="a statistics row every INTERVAL (default: 1s)")
    p.add("progress", store("progress"), negatable=True,
          help="progress bar on stderr (default: when stdout is a terminal)")
    p.add("help", store("show_help"), short="h", help="show this help")
    return p


def parse_arguments(argv: list[str]) -> tuple[Settings, OptionParser]:
    """Settings from `argv`; raises UsageError with the one-line message."""
    settings = Settings()
    parser = build_parser(settings)
    try:
        settings.paths = parser.parse(argv)
    except OptionError as error:
        raise UsageError(str(error)) from None
    return settings, parser


# -- --auth-map (§3.1) -----------------------------------------------------------------

def _port_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    try:
        return socket.getservbyname(text, "tcp")
    except OSError:
        return None


def read_auth_map(path: str) -> dict[tuple[str, int], tuple[str, str]]:
    """`SERVER:PORT USER:PASSWORD` lines; `#` comments, blank-trimmed.
    A bad line is fatal: `invalid format: FILE:LINE: <LINE>`."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None
    entries: dict[tuple[str, int], tuple[str, str]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        match = None
        if len(parts) == 2:
            server, _, port_text = parts[0].rpartition(":")
            user, colon, password = parts[1].partition(":")
            port = _port_number(port_text) if server else None
            if port is not None and colon and user:
                match = (server, port, user, password)
        if match is None:
            raise UsageError(f"invalid format: {path}:{number}: <{raw}>")
        server, port, user, password = match
        entries.setdefault((server, port), (user, password))
    return entries


def credentials(settings: Settings) -> tuple[str, str] | None:
    """The AUTH user and password: the options, else the map entry of the
    server and port, else none."""
    if settings.auth_user is not None:
        return settings.auth_user, settings.auth_password or ""
    if settings.auth_map is None:
        return None
    return read_auth_map(settings.auth_map).get((settings.smtp_server, settings.smtp_port))


def print_usage_error(message: str) -> None:
    sys.stderr.write(f"{PROGRAM}: {message}\n")
