"""The `manager/` set: the whole daemon against `milter-test-server` (scenarios.md §11.2)."""

from __future__ import annotations

import re
from pathlib import Path

from .actions import Failure
from .leader import Run, RunContext, _start_clients
from .scenario import Scenario
from .target import (
    ProcessManager,
    TargetError,
    fallback_status,
    load_files,
    port_of,
    process_configuration,
)
from .test_server import run_test_server

MANAGER_CONFIGURATION = Path("test/fixtures/manager/milter-manager.conf")
_ELAPSED = re.compile(r"^elapsed-time: [\d.]+ seconds$")


def run_manager_set(scenario: Scenario, context: RunContext, run: Run) -> None:
    base = context.root / MANAGER_CONFIGURATION
    try:
        # Loaded here too, to know its milters (in order) and its controller spec.
        config = load_files([base], base.parent)
        controller = getattr(config.controller, "connection_spec", None)
        controller_port = port_of(controller)
        remapped_controller = None
        if controller_port is not None:
            # §11.2: remapped like the milters; kept on loopback.
            remapped_controller = f"inet:{context.ports.fresh()}@127.0.0.1"
        text = process_configuration([base], list(config.eggs), context.ports,
                                     remapped_controller)
        port = context.ports.fresh()
        run.target = ProcessManager(text, port, fallback_status(config))
    except TargetError as error:
        raise Failure("scenario", str(error)) from None
    # §11.2 step 3: upstream checks that the daemon printed nothing.
    output = run.target.log_text()
    if output:
        raise Failure("scenario", f"milter-manager wrote at start-up: {output[:500]!r}")
    _start_clients(run, scenario, context)
    # Step 4: no shell, so the unknown command is the three characters '!'.
    result = run_test_server(["--unknown='!'", "-s", f"inet:{port}@127.0.0.1"])
    if result.stderr:
        raise Failure("scenario", f"milter-test-server stderr: {result.stderr!r}")
    lines = result.stdout.split("\n")
    if lines[0] != scenario.expected:
        raise Failure("scenario", f"expected: expected {scenario.expected!r}, got "
                                  f"{lines[0]!r}")
    if len(lines) < 2 or not _ELAPSED.match(lines[1]):
        raise Failure("scenario", f"elapsed-time line: got {lines[1:2]!r}")
