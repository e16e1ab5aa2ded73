"""Running one leader scenario (scenarios.md §2, §4–§6, §8, §9) and its `children/` variant (§11.1).

Order of a run: load the configuration, start the manager under test, start
the clients (each one only after the previous one is ready), connect the fake
MTA, run every action; then close the MTA, stop the manager, stop the clients
(§8.2), pass or fail. The manager is started first because the clients give up
when no connection comes within their 1.5 s timeout, and loading a
configuration may take longer than that.
"""

from __future__ import annotations

import errno
import os
import pwd
import re
import shlex
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from milter_manager.protocol.status import Status

from .actions import ActionRunner, Failure
from .clients import (
    READY_TIMEOUT,
    ClientError,
    Clients,
    client_environment,
    milter_command,
)
from .fake_mta import FakeMTA, WireFailure
from .ports import PortInUse, PortMap
from .scenario import Action, Scenario, ScenarioError
from .target import (
    RETRY_CONNECT_TIME,
    InProcessManager,
    ProcessManager,
    TargetError,
    fallback_status,
    leader_files,
    load_files,
    process_configuration,
    remap_milters,
    remapped_spec,
    ruby_string,
)


@dataclass
class RunContext:
    """How to run: the ROOT of §2, the mode of §9, the ports, verbosity."""

    root: Path
    mode: str = "in-process"
    ports: PortMap = field(default_factory=PortMap)
    verbose: bool = False
    #: (files, load path) -> configuration; the port's loader unless a test
    #: hands in a configuration built another way.
    load_configuration: Callable[[list[Path], Path], Any] = load_files


class Run:
    """The live parts of one scenario run, stopped in the order of §8.2."""

    def __init__(self) -> None:
        self.target: Any = None
        self.clients: Clients | None = None
        self.mta: FakeMTA | None = None
        self.launched: list[subprocess.Popen[bytes]] = []

    def stop(self) -> None:
        if self.mta is not None:
            self.mta.close()
        if self.target is not None:
            self.target.stop()
        if self.clients is not None:
            self.clients.stop()

    def diagnostics(self) -> str:
        parts = []
        if self.mta is not None:
            parts.append("--- fake MTA received: " + " ".join(self.mta.received))
        if self.target is not None:
            parts.append(f"--- manager log ({self.target.mode}):\n" + self.target.log_text())
        if self.clients is not None:
            parts += [client.diagnostics() for client in self.clients]
        return "\n".join(parts)


def _start_clients(run: Run, scenario: Scenario, context: RunContext) -> Clients:
    clients = Clients(scenario.clients, context.ports)
    run.clients = clients
    try:
        clients.start()
    except ClientError as error:
        for client in clients:
            if b"Address already in use" in bytes(client.stderr):
                raise PortInUse(str(error)) from None
        raise Failure("scenario", str(error)) from None
    return clients


def run_leader(scenario: Scenario, context: RunContext, run: Run) -> None:
    """§4–§6 for one main scenario; raises Failure at the first difference."""
    files = leader_files(context.root, scenario.path.parent, scenario.configuration)
    try:
        config = context.load_configuration(files, files[0].parent)
        if context.mode == "process":
            text = process_configuration(files, list(config.eggs), context.ports)
            run.target = ProcessManager(text, context.ports.fresh(), fallback_status(config))
        else:
            remap_milters(config, context.ports)
            run.target = InProcessManager(config, verbose=context.verbose)
    except TargetError as error:
        raise Failure("scenario", str(error)) from None
    clients = _start_clients(run, scenario, context)
    _run_actions(scenario, run, clients, ActionRunner)


def _run_actions(scenario: Scenario, run: Run, clients: Clients, runner_class: type) -> None:
    try:
        run.mta = FakeMTA(run.target.host, run.target.port)
    except OSError as error:
        raise Failure("scenario", f"cannot connect to the manager: {error}") from None
    runner = runner_class(run.mta, clients, run.target.fallback, run.target.log_text)
    for action in scenario.actions:
        runner.run(action)


# --- children/ (§11.1) -----------------------------------------------------------------------

#: §11.1: `response` signal names that are not status nicks.
_NEGOTIATE_REPLY = "negotiate-reply"


class ChildrenActionRunner(ActionRunner):
    """§11.1: `response` is the signal upstream's children object emitted; on the wire
    the MTA's one reply. `n_emitted` counts emissions: exactly one reply per action."""

    def run(self, action: Action) -> None:
        self.clients.clear()
        self.mta.send(self.frames(action))
        try:
            self.check_children(action)
        except WireFailure as failure:
            raise Failure(action.group, str(failure)) from None
        finally:
            self.clients.clear()

    def check_children(self, action: Action) -> None:
        group = action.group
        if action.has("n_emitted") and action.integer("n_emitted") != 1:
            raise Failure(group, f"n_emitted={action.integer('n_emitted')}: on the wire the "
                                 "MTA gets exactly one reply per action")
        if action.command in ("abort", "quit"):
            return
        status = self.read_reply(action)
        response = action.string_or("response", None)
        if response is not None:
            if response == _NEGOTIATE_REPLY:
                if self.state.last_option is None or status != Status.CONTINUE:
                    raise Failure(group, f"response: expected the negotiate reply, got "
                                         f"{status.nick}")
            else:
                try:
                    expected = Status.from_nick(response)
                except Exception:  # noqa: BLE001 - ProtocolError: not a status nick
                    raise ScenarioError(f"{action.where('response')}: unknown signal "
                                        f"{response!r}") from None
                if status != expected:
                    raise Failure(group, f"response: expected {expected.nick}, got "
                                         f"{status.nick}")
        if action.has("error_domain"):
            self.check_connection_error(action)
        elif action.command == "negotiate" and self.launcher is not None \
                and not self.clients.wait_until(self.launcher.all_negotiated, 1.0):
            # `negotiate-retry.txt`: the launched client was connected on the
            # retry and negotiated (what "both negotiate" means on the wire).
            raise Failure(group, f"a launched client did not negotiate: "
                                 f"{self.launcher.command_lines}")

    def check_connection_error(self, action: Action) -> None:
        """`negotiate-retry-fail.txt`: the log names the failed retry at error level."""
        message = action.string("error_message")
        if action.has("error_errno") and "%s" in message:
            name = action.string("error_errno")
            number = getattr(errno, name, None)
            if number is None:
                raise ScenarioError(f"{action.where('error_errno')}: unknown errno {name!r}")
            message = message.replace("%s", os.strerror(number))
        # The spec as configured: with remapped ports, the mapped one.
        message = _SPEC.sub(lambda m: remapped_spec(m.group(0), self.port_map), message)
        if not self.clients.wait_until(
                lambda: any(line.startswith("[error]") and message in line
                            for line in self.log_text().splitlines()), 1.0):
            raise Failure(action.group, f"error_message: no error-level log line contains "
                                        f"{message!r}")
        stray = self.mta.expect_silence(0.1)
        if stray is not None:
            raise Failure(action.group, f"a second frame ({stray.nick}) followed the reply")  # type: ignore[attr-defined]

    port_map: Any = None
    launcher: TestLauncher | None = None


_SPEC = re.compile(r"inet6?:\d+(?=@)")


def children_configuration(scenario: Scenario, ports: PortMap) -> Any:
    """§11.1: one milter per client group, in `clients` order, named after the group."""
    from milter_manager.config.model import Configuration
    config = Configuration()
    user = pwd.getpwuid(os.getuid()).pw_name
    for client in scenario.clients:
        port = ports(client.port)
        program, *rest = milter_command(port, client.arguments)
        egg = config.begin_egg(client.name, None)
        config.set_egg(egg, "connection_spec", f"inet:{port}@localhost", None)
        config.set_egg(egg, "command", program, None)
        config.set_egg(egg, "command_options", " ".join(rest), None)
        config.set_egg(egg, "user_name", user, None)
        config.commit_egg(egg)
    return config


class TestLauncher:
    """§11.1 test hook: the process launcher of privilege mode, starting the command
    as the current user (never reachable from a configuration file)."""

    def __init__(self) -> None:
        self.command_lines: list[str] = []
        self.outputs: list[bytearray] = []
        self.lock = threading.Lock()

    def __call__(self, command_line: str, user_name: str | None = None) -> None:
        self.launch(command_line, user_name)

    def launch(self, command_line: str, user_name: str | None = None) -> None:
        """Start the command and return once it is up (its `ready`) or has exited.

        The daemon's launcher is a separate process and the manager's retry
        timer (0.3 s in `negotiate-retry.txt`) races with the command's start;
        waiting here makes the retry find the milter listening however loaded
        the machine is. It only delays this scenario's own manager.
        """
        process = subprocess.Popen(shlex.split(command_line), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   env=client_environment())
        output = bytearray()
        up = threading.Event()
        with self.lock:
            self.command_lines.append(command_line)
            self.outputs.append(output)
        # Not stopped by §8.2: it ends by itself (`Q` or its idle timeout). Its
        # output is kept (to see that it negotiated) and it is reaped.
        threading.Thread(target=self._collect, args=(process, output, up),
                         daemon=True).start()
        up.wait(READY_TIMEOUT)

    def _collect(self, process: subprocess.Popen[bytes], output: bytearray,
                 up: threading.Event) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self.lock:
                output += line
            up.set()  # the first line is `ready`
        process.wait()
        up.set()

    def all_negotiated(self) -> bool:
        with self.lock:
            return all(b"receive: negotiate" in output for output in self.outputs)


def children_process_configuration(config: Any, privileged: bool) -> str:
    """The §11.1 configuration as a file for the daemon."""
    lines = ["# -*- ruby -*-", "# Generated by the scenario harness (scenarios.md §11.1)."]
    for egg in config.eggs:
        lines.append(f"define_milter({ruby_string(egg.name)}) do |milter|")
        for item in ("connection_spec", "command", "command_options", "user_name"):
            lines.append(f"  milter.{item} = {ruby_string(getattr(egg, item))}")
        lines.append("end")
    if privileged:
        lines.append("security.privilege_mode = true")
    return "\n".join(lines) + "\n"


def run_children(scenario: Scenario, context: RunContext, run: Run) -> None:
    settings = scenario.config_group()
    retry = float(settings["retry_connect_time"]) if "retry_connect_time" in settings else None
    privileged = (settings.get("privilege_mode") == "true"
                  and settings.get("use_process_launcher") == "true")
    config = children_configuration(scenario, context.ports)
    launcher = TestLauncher() if privileged and context.mode != "process" else None
    try:
        if context.mode == "process":
            if retry is not None and retry != RETRY_CONNECT_TIME:
                raise Failure("scenario", f"[config] retry_connect_time={retry:g} cannot be "
                                          "given to the daemon (manager.md §9.3: an internal "
                                          "constant); this file runs in-process only")
            env = {}
            if privileged and os.geteuid() != 0:
                # The daemon's approved test switch (compat/DEVIATIONS.md, daemon section).
                env["MILTER_MANAGER_TEST_UNPRIVILEGED_LAUNCHER"] = "1"
            run.target = ProcessManager(children_process_configuration(config, privileged),
                                        context.ports.fresh(), Status.ACCEPT, env)
        else:
            run.target = InProcessManager(config, retry_connect_time=retry, launcher=launcher,
                                          privilege_mode=privileged or None,
                                          verbose=context.verbose)
    except TargetError as error:
        raise Failure("scenario", str(error)) from None
    clients = _start_clients(run, scenario, context)

    class Runner(ChildrenActionRunner):
        port_map = context.ports

    Runner.launcher = launcher

    _run_actions(scenario, run, clients, Runner)
