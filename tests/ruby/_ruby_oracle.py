"""Run the real `ruby` (Debian's Ruby 3.1) as an oracle for differential tests.

`run_ruby(source)` runs one program and returns its CompletedProcess (text
output, UTF-8 with surrogate escapes so invalid bytes survive). `ruby_json`
runs a program that prints one JSON document per line for a batch of inputs
(given as JSON on standard input) and returns the parsed lines: one ruby
process per batch keeps large differential tests fast.

A missing `ruby` is an error, not a skip: `./scripts/test` installs it
(scripts/test-packages.txt).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from typing import Any


def ruby_path() -> str:
    path = shutil.which("ruby")
    if path is None:
        raise RuntimeError(
            "the differential tests need Debian's ruby: run ./scripts/install-system-packages ruby"
        )
    return path


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUBY", "GEM_", "BUNDLE"))}
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="UTC")
    return env


def run_ruby(source: str, timeout: float = 60, *, input: str | None = None,
             args: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run `source` as a Ruby program; stdout/stderr decoded as UTF-8 with
    surrogate escapes. Does not check the exit status."""
    with tempfile.NamedTemporaryFile("w", suffix=".rb", encoding="utf-8", delete=False) as f:
        f.write(source)
        path = f.name
    try:
        done = subprocess.run(
            [ruby_path(), "--disable-gems", path, *(args or [])],
            input=None if input is None else input.encode("utf-8", "surrogateescape"),
            capture_output=True,
            timeout=timeout,
            env=_environment(),
            check=False,
        )
    finally:
        os.unlink(path)
    return subprocess.CompletedProcess(
        done.args, done.returncode,
        done.stdout.decode("utf-8", "surrogateescape"),
        done.stderr.decode("utf-8", "surrogateescape"),
    )


def ruby_json(source: str, data: Any, timeout: float = 120) -> list[Any]:
    """Run `source` with `data` as JSON on standard input (the program reads it
    with `JSON.parse(STDIN.read)`); return its output lines parsed as JSON.
    Fails loudly when ruby exits non-zero."""
    done = run_ruby("require 'json'\n" + source, timeout, input=json.dumps(data))
    if done.returncode != 0:
        raise AssertionError(f"ruby failed ({done.returncode}):\n{done.stderr}")
    # split on "\n" only: str.splitlines() would also break at U+2028 etc.
    return [json.loads(line) for line in done.stdout.split("\n") if line]
