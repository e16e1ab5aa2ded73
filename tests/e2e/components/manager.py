"""Our milter-manager as a real subprocess between the MTA and the children
(real-components.md §9).

Started as `python -m milter_manager.cli.main --no-daemon --config-dir DIR
-s inet:PORT@127.0.0.1 --log-path FILE` with the venv's interpreter, as root
and without --user-name unless a test asks: it then drops to `nobody`
(cli.md §7), so the configuration directory is made readable (and its
ancestors searchable) for that user; the log file is opened before the drop.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .files import grant_traverse
from .ports import free_port
from .process import ManagedProcess
from .waiting import wait_tcp, wait_until

PROJECT_ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 10.0  # §2: upstream listens within 0.2 s
STOP_TIMEOUT = 30.0   # SIGTERM drains running sessions first (cli.md §8.1)


def manager_spec(port: int) -> str:
    """The manager's own connection-spec syntax, `inet:PORT@HOST` (§4.2)."""
    return f"inet:{port}@127.0.0.1"


RubyValue = str | bool | int | Sequence[str]


def ruby_literal(value: RubyValue) -> str:
    """A Python value as a Ruby literal for a configuration file (strings,
    booleans, integers, arrays of strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("#", "\\#")
        return f'"{escaped}"'
    return "[" + ", ".join(ruby_literal(item) for item in value) + "]"


def ruby_config(children: Sequence[tuple[str, int]], *, port: int | None = None,
                prelude: str = "", settings: Mapping[str, Mapping[str, RubyValue]] | None = None,
                extra: str = "") -> str:
    """A milter-manager.conf defining `children` [(name, port)] in order, as
    in real-components.md §9. `prelude` (Ruby, e.g. a `load` of stock
    conditions) comes first; `settings` gives per-milter members,
    {name: {"fallback_status": "reject", "evaluation_mode": True, …}}
    (config.md §9.3); `extra` is appended (more Ruby)."""
    settings = settings or {}
    unknown = set(settings) - {name for name, _ in children}
    assert not unknown, f"settings for undefined milters: {unknown}"
    lines = []
    if prelude:
        lines.append(prelude.rstrip("\n"))
    if port is not None:
        lines.append(f'manager.connection_spec = "{manager_spec(port)}"')
    lines.append("log.use_syslog = false")
    for name, child_port in children:
        lines += [f'define_milter("{name}") do |milter|',
                  f'  milter.connection_spec = "{manager_spec(child_port)}"']
        lines += [f"  milter.{key} = {ruby_literal(value)}"
                  for key, value in settings.get(name, {}).items()]
        lines.append("end")
    if extra:
        lines.append(extra.rstrip("\n"))
    return "\n".join(lines) + "\n"


class Manager:
    """One milter-manager process with its own configuration directory."""

    # The program under test; the venv's interpreter, so no PATH lookup can
    # pick up another milter-manager (e.g. upstream's).
    COMMAND: tuple[str, ...] = (sys.executable, "-m", "milter_manager.cli.main")

    def __init__(self, workdir: Path, config: str, *,
                 extra_files: Mapping[str, str] | None = None,
                 user_name: str | None = None,
                 traverse_up_to: Path | None = None) -> None:
        self.workdir = workdir
        self.config = config
        self.extra_files = dict(extra_files or {})
        self.user_name = user_name
        self.traverse_up_to = traverse_up_to
        self.port = free_port()
        self.config_dir = workdir / "config"
        self.log = workdir / "manager.log"
        argv: list[str | Path] = [
            *self.COMMAND, "--no-daemon",
            "--config-dir", self.config_dir, "-s", manager_spec(self.port),
            "--log-path", self.log]
        if user_name is not None:
            argv += ["--user-name", user_name]
        self.process = ManagedProcess("milter-manager", argv, output=workdir / "manager.out",
                                      logs=[self.log], cwd=PROJECT_ROOT)

    @property
    def logs(self) -> list[Path]:
        return self.process.logs

    @property
    def postfix_milter(self) -> str:
        """This manager as a Postfix smtpd_milters entry (`inet:HOST:PORT`)."""
        return f"inet:127.0.0.1:{self.port}"

    def write_config(self) -> None:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        (self.config_dir / "milter-manager.conf").write_text(self.config)
        for name, text in self.extra_files.items():
            path = self.config_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        # Readable by the user it drops to (reloads read the files again),
        # writable by nobody else (config files writable by others are
        # logged as insecure).
        for path in [self.config_dir, *self.config_dir.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        if self.traverse_up_to is not None:
            grant_traverse(self.config_dir, self.traverse_up_to)

    def start(self) -> Manager:
        self.write_config()
        self.process.start()
        wait_tcp(self.port, timeout=START_TIMEOUT, proc=self.process, logs=self.logs)
        return self

    def stop(self) -> None:
        self.process.stop(timeout=STOP_TIMEOUT)

    def terminate(self) -> None:
        """SIGTERM without waiting: the manager drains its running sessions
        and then exits (cli.md §8.1); see wait_exit."""
        self.process.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout: float = STOP_TIMEOUT) -> int:
        return self.process.wait_exit(timeout)

    def restart(self) -> Manager:
        """Start again on the same port, with the same configuration, after
        a stop (the same pid record, so teardown checks every run)."""
        assert not self.process.alive(), "restart() needs a stopped manager"
        return self.start()

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines() if self.log.exists() else []

    def messages(self) -> list[str]:
        """The log's messages without their prefix (cli.md §13.2, default
        items: `[TIME]: MESSAGE`); a message that spans several lines (a
        folded header value) is one entry with its line breaks."""
        entries: list[str] = []
        for line in self.log_lines():
            match = LINE_PREFIX.match(line)
            if match:
                entries.append(line[match.end():])
            elif entries:
                entries[-1] += "\n" + line
        return entries

    def statistics(self) -> list[str]:
        """The statistics messages of the log (cli.md §14.2), without the
        prefix. The `[statistics] ` marker exists only in syslog (§13.5); in
        the log file a statistics message is recognised by its own form."""
        return [message for message in self.messages() if STATISTICS_MESSAGE.match(message)]

    def milter_ends(self) -> list[MilterEnd]:
        """Every `[milter][end]` line, parsed (cli.md §14.2)."""
        return [MilterEnd.parse(message) for message in self.statistics()
                if message.startswith("[milter][end]")]

    def wait_for_milter_ends(self, count: int, timeout: float = 20.0) -> list[MilterEnd]:
        """The `[milter][end]` lines once at least `count` are logged: they
        are written when the session ends, after the MTA got its reply."""
        def enough() -> list[MilterEnd] | None:
            ends = self.milter_ends()
            return ends if len(ends) >= count else None

        return wait_until(enough, timeout=timeout, what=f"{count} [milter][end] lines",
                          logs=self.logs)

    def session_ends(self) -> list[SessionEnd]:
        """Every `[session][end]` line, parsed (cli.md §14.2)."""
        return [SessionEnd.parse(message) for message in self.statistics()
                if message.startswith("[session][end]")]


# cli.md §13.2: the default prefix is the UTC time in brackets, then ": ".
LINE_PREFIX = re.compile(r"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?Z\]: ")
# cli.md §14.2: the forms of the statistics messages.
STATISTICS_MESSAGE = re.compile(
    r"\[session\]\[end\]\[|\[milter\]\[end\]\[|\[session\]\[disconnected\]\["
    r"|\[milter\]\[header\]\[add\]\(|\[session\]\[header\]\[add\]\("
    r"|\[reply\]\[end-of-message\]\[quarantine\]\(|\[sessions\]\[finished\] "
    r"|\[maintain\]\[memory\] ")
_MILTER_END = re.compile(
    r"\[milter\]\[end\]\[(?P<state>[a-z-]+)\]\[(?P<status>[a-z-]+)\]"
    r"\[(?P<elapsed>[0-9.e+-]+)\]\((?P<tag>\d+)\): (?P<name>.+)")
_SESSION_END = re.compile(
    r"\[session\]\[end\]\[(?P<state>[a-z-]+)\]\[(?P<status>[a-z-]+)\]"
    r"\[(?P<elapsed>[0-9.e+-]+)\]\((?P<tag>\d+)\)")


@dataclass(frozen=True)
class MilterEnd:
    """`[milter][end][STATE][STATUS][ELAPSED](TAG): NAME`."""

    state: str
    status: str
    tag: int
    name: str

    @classmethod
    def parse(cls, message: str) -> MilterEnd:
        match = _MILTER_END.fullmatch(message)
        assert match, f"not a [milter][end] line: {message!r}"
        return cls(match["state"], match["status"], int(match["tag"]), match["name"])


@dataclass(frozen=True)
class SessionEnd:
    """`[session][end][STATE][STATUS][ELAPSED](TAG)`."""

    state: str
    status: str
    tag: int

    @classmethod
    def parse(cls, message: str) -> SessionEnd:
        match = _SESSION_END.fullmatch(message)
        assert match, f"not a [session][end] line: {message!r}"
        return cls(match["state"], match["status"], int(match["tag"]))
