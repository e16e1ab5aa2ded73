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
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .files import grant_traverse
from .ports import free_port
from .process import ManagedProcess
from .waiting import wait_tcp

PROJECT_ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 10.0  # §2: upstream listens within 0.2 s
STOP_TIMEOUT = 30.0   # SIGTERM drains running sessions first (cli.md §8.1)


def manager_spec(port: int) -> str:
    """The manager's own connection-spec syntax, `inet:PORT@HOST` (§4.2)."""
    return f"inet:{port}@127.0.0.1"


def ruby_config(children: Sequence[tuple[str, int]], *, port: int | None = None,
                extra: str = "") -> str:
    """A milter-manager.conf defining `children` [(name, port)] in order, as
    in real-components.md §9; `extra` is appended (more Ruby)."""
    lines = []
    if port is not None:
        lines.append(f'manager.connection_spec = "{manager_spec(port)}"')
    lines.append("log.use_syslog = false")
    for name, child_port in children:
        lines += [f'define_milter("{name}") do |milter|',
                  f'  milter.connection_spec = "{manager_spec(child_port)}"',
                  "end"]
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

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines() if self.log.exists() else []

    def statistics(self) -> list[str]:
        """The statistics lines of the log (cli.md §14), prefix and all."""
        return [line for line in self.log_lines() if "[statistics]" in line]
