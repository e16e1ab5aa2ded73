"""The manager under test: its configuration and its two modes (scenarios.md §2, §9).

* `load_leader_configuration` loads the base configuration and the scenario's
  `.conf` on top of it (§2); `remap_milters` points the milters at the ports the
  clients really use, without changing the child order (§9).
* `InProcessManager` runs `milter_manager.manager.Manager` on a thread of this
  process on an ephemeral loopback port (the default mode).
* `ProcessManager` runs the real `milter-manager` daemon on a generated
  configuration directory (`--mode process`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from milter_manager.protocol.status import Status

from .clients import client_environment
from .ports import wait_for_port

#: scenarios.md §2: the configuration of every leader scenario.
BASE_CONFIGURATION = Path("test/fixtures/configuration/milter-manager.conf")
#: Environment variables the fixtures' Ruby code reads (manager/default.conf)
#: or that would change the load cycle; cleared so every run loads the same.
CLEARED_ENV = ("MILTER_LOG_LEVEL", "MILTER_LOG_PATH", "MILTER_MANAGER_CONFIG_DIR",
               "MILTER_EVENT_LOOP_BACKEND", "MILTER_N_WORKERS",
               "MILTER_MANAGER_DEFAULTS_PROFILE", "MILTER_MANAGER_DETECTOR_ROOT")
_INET = re.compile(r"^(inet6?):(\d+)(@.*)?$")
START_TIMEOUT = 20.0
#: manager.md §9.3: the daemon's pause before its one connection retry.
RETRY_CONNECT_TIME = 5.0


class TargetError(Exception):
    """The manager under test could not be configured or started."""


def clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}


# --- configuration ----------------------------------------------------------------------

def load_files(files: list[Path], load_path: Path) -> Any:
    """One load cycle of `files` (config.md), as the port's loader runs it."""
    from milter_manager.config.errors import ConfigurationError
    from milter_manager.config.loader import ConfigurationLoader, LoadOptions
    from milter_manager.config.logsink import StdoutLog
    options = LoadOptions(load_paths=[str(load_path)], files=[str(path) for path in files],
                          custom_directory=False, custom_xml=False,
                          env=clean_environment(), log=StdoutLog(lambda: 0))
    try:
        return ConfigurationLoader(options).startup()
    except ConfigurationError as error:
        raise TargetError(f"configuration: {error}") from None
    except ImportError as error:
        raise TargetError(f"configuration: the loader is not available: {error}") from None
    except Exception as error:  # noqa: BLE001 - a loader bug is not a harness bug
        import traceback
        raise TargetError(f"configuration: the loader failed: {error!r}\n"
                          f"{traceback.format_exc()}") from None


def leader_files(root: Path, scenario_dir: Path, configuration: str | None) -> list[Path]:
    """§2: the base configuration, then the main scenario's `.conf` on top of it."""
    files = [root / BASE_CONFIGURATION]
    if configuration:
        files.append(scenario_dir / configuration)
    return files


def port_of(spec: str | None) -> int | None:
    """The port of an `inet:`/`inet6:` spec, else None."""
    match = _INET.match(spec or "")
    return int(match.group(2)) if match else None


def remapped_spec(spec: str, port_map: Callable[[int], int]) -> str:
    """§9: `inet:10026@…` → `inet:P1@localhost` (the host as the corpus names it)."""
    match = _INET.match(spec)
    if match is None:
        return spec
    scheme, port, host = match.groups()
    return f"{scheme}:{port_map(int(port))}{host or ''}"


def remap_milters(config: Any, port_map: Callable[[int], int]) -> None:
    """§9 in-process: set the mapped spec on each milter, keeping the child order."""
    for egg in config.eggs:
        spec = egg.connection_spec
        if spec and port_of(spec) is not None:
            new = remapped_spec(spec, port_map)
            if new != spec:
                config.set_egg(egg, "connection_spec", new, None)


def fallback_status(config: Any) -> Status:
    from milter_manager.manager.settings import status_of
    return status_of(getattr(config.manager, "fallback_status", None), Status.ACCEPT)


# --- the two modes ----------------------------------------------------------------------

class LogBook:
    """The manager's log lines, kept for the error checks and the diagnostics."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.lock = threading.Lock()

    def add(self, line: str) -> None:
        with self.lock:
            self.lines.append(line)

    def text(self) -> str:
        with self.lock:
            return "\n".join(self.lines)


class InProcessManager:
    """`Manager` on a thread of this process, on an ephemeral port of 127.0.0.1."""

    mode = "in-process"

    def __init__(self, config: Any, *, retry_connect_time: float | None = None,
                 launcher: Any = None, privilege_mode: bool | None = None,
                 verbose: bool = False) -> None:
        from milter_manager.manager import Manager, ManagerLog
        from milter_manager.manager.log import DEFAULT_MASK, INFO, LEVEL_NICKS

        self.log = LogBook()
        nicks = LEVEL_NICKS

        def sink(level: int, domain: str, message: str) -> None:
            self.log.add(f"[{nicks.get(level, level)}] {message}")

        mask = DEFAULT_MASK | INFO
        if verbose:
            mask = 0xFFFF & ~1  # `all`
        options: dict[str, Any] = {"log": ManagerLog(mask, sink)}
        if retry_connect_time is not None:
            options["retry_connect_time"] = retry_connect_time
        if launcher is not None:
            options["launcher"] = launcher
        if privilege_mode is not None:
            options["privilege_mode"] = privilege_mode
        self.fallback = fallback_status(config)
        self.manager = Manager(config, "inet:0@[127.0.0.1]", **options)
        try:
            self.manager.start_in_thread()
        except Exception as error:  # noqa: BLE001 - ListenError and friends
            raise TargetError(f"the manager did not start: {error}") from None
        self.host = "127.0.0.1"
        self.port = int(self.manager.port)

    def log_text(self) -> str:
        return self.log.text()

    def stop(self) -> None:
        self.manager.stop()


def daemon_command() -> list[str]:
    """The `milter-manager` entry point next to this interpreter, else the module."""
    script = Path(sys.executable).parent / "milter-manager"
    if script.exists():
        return [str(script)]
    found = shutil.which("milter-manager")
    if found:
        return [found]
    code = "import sys; from milter_manager.cli.main import main; sys.exit(main())"
    return [sys.executable, "-c", code]


def ruby_string(text: str) -> str:
    """A single-quoted Ruby literal: only `\\` and `\'` are escapes there."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class ProcessManager:
    """The real daemon: `milter-manager --config-dir DIR -s inet:P@127.0.0.1` (§9, §11.2)."""

    mode = "process"

    def __init__(self, config_text: str, port: int, fallback: Status,
                 extra_env: dict[str, str] | None = None) -> None:
        self.fallback = fallback
        self.host = "127.0.0.1"
        self.port = port
        self.directory = tempfile.mkdtemp(prefix="milter-manager-scenario-")
        Path(self.directory, "milter-manager.conf").write_text(config_text)
        self.output = Path(self.directory, "output.log")
        env = client_environment()
        for key in CLEARED_ENV:
            env.pop(key, None)
        # Each line starts with its level (cli.md §13.2), for the error-level checks.
        env["MILTER_LOG_ITEM"] = "level"
        env.update(extra_env or {})
        command = [*daemon_command(), "--config-dir", self.directory,
                   "--connection-spec", f"inet:{port}@127.0.0.1", "--no-daemon"]
        with open(self.output, "wb") as output:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output,
                                            stderr=subprocess.STDOUT, env=env)
        if not wait_for_port(self.host, port, START_TIMEOUT, self.process.poll):
            text = self.log_text()
            self.stop()
            raise TargetError(f"milter-manager did not listen on {port}: {text[-2000:]}")

    def log_text(self) -> str:
        try:
            return self.output.read_text(errors="backslashreplace")
        except OSError:
            return ""

    def stop(self) -> None:
        process = self.process
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def process_configuration(files: list[Path], eggs: list[Any], port_map: Callable[[int], int],
                          controller_spec: str | None = None) -> str:
    """§9 process mode: load the files by absolute path, then redefine every milter
    (in configuration order, so the order is kept) with its mapped spec."""
    lines = ["# -*- ruby -*-", "# Generated by the scenario harness (scenarios.md §9)."]
    lines += [f"load({ruby_string(str(path.resolve()))})" for path in files]
    for egg in eggs:
        spec = egg.connection_spec
        lines.append(f"define_milter({ruby_string(egg.name)}) do |milter|")
        if spec:
            lines.append(f"  milter.connection_spec = {ruby_string(remapped_spec(spec, port_map))}")
        lines.append("end")
    if controller_spec is not None:
        lines.append(f"controller.connection_spec = {ruby_string(controller_spec)}")
    return "\n".join(lines) + "\n"


def free_socket_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
