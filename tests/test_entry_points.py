"""The console scripts are installed and behave as the foundation issue says."""

import subprocess
import sys

import pytest

from milter_manager import VERSION


def run(module, *args):
    return subprocess.run([sys.executable, "-m", module, *args],
                          capture_output=True, text=True, timeout=60)


def test_version():
    result = run("milter_manager.cli.main", "--version")
    assert result.returncode == 0
    assert result.stdout == f"milter-manager {VERSION}\n"
