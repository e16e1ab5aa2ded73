"""`milter-test-server` for the `manager/` set (scenarios.md §11.2).

The `manager/` scenarios run `milter-test-server --unknown='!' -s inet:P@127.0.0.1`
and compare its first two stdout lines. Until the companion-tools issue shipped
the real tool, the harness played its default session with its own fake MTA;
the command is named in this one place.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: The companion tool (tools.md §1), found next to this interpreter when installed there.
TEST_SERVER_COMMAND = ["milter-test-server"]


@dataclass
class TestServerResult:
    returncode: int
    stdout: str
    stderr: str


def run_test_server(arguments: list[str], timeout: float = 30.0) -> TestServerResult:
    """Run `milter-test-server ARGUMENTS` (no shell) and collect what it printed."""
    program, *rest = TEST_SERVER_COMMAND
    beside = Path(sys.executable).parent / program  # the venv's entry point
    if beside.exists():
        program = str(beside)
    done = subprocess.run([program, *rest, *arguments], capture_output=True, timeout=timeout,
                          check=False)
    return TestServerResult(done.returncode, done.stdout.decode("utf-8", "replace"),
                            done.stderr.decode("utf-8", "replace"))
