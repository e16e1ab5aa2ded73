"""Helpers shared by the configuration tests."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SHARED = (PROJECT / ".." / "shared").resolve()
UPSTREAM = SHARED / "upstream"
SPEC = SHARED / "spec"
DATA = PROJECT / "milter_manager" / "data"

# Environment variables that change what a load produces (show-config.md §8).
MILTER_ENV = ("MILTER_LOG_LEVEL", "MILTER_LOG_PATH", "MILTER_MANAGER_CONFIG_DIR",
              "MILTER_EVENT_LOOP_BACKEND", "MILTER_N_WORKERS",
              "MILTER_MANAGER_DEFAULTS_PROFILE", "MILTER_MANAGER_DETECTOR_ROOT")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in MILTER_ENV}
    env["PYTHONPATH"] = str(PROJECT)
    env.update(extra)
    return env


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    path.chmod(0o644)
    return path


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "milter_manager.cli.main", *args],
                          capture_output=True, text=True, timeout=120, check=False,
                          env=env if env is not None else clean_env(), cwd=str(PROJECT))


def spec_code_blocks(name: str, heading: str) -> list[str]:
    """The fenced code blocks of the spec section whose heading starts with HEADING."""
    text = (SPEC / name).read_text()
    start = text.index("\n" + heading)
    rest = text[start + 1:]
    following = rest.find("\n## ", 1)
    section = rest if following < 0 else rest[:following]
    blocks = []
    parts = section.split("```")
    for index in range(1, len(parts), 2):
        block = parts[index]
        blocks.append(block.split("\n", 1)[1] if "\n" in block else "")
    return blocks
