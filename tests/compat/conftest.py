"""Shared fixtures of the scenario-harness tests."""

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SHARED = (PROJECT / ".." / "shared").resolve()
FIXTURES = SHARED / "upstream" / "test" / "fixtures"


@pytest.fixture
def shared() -> Path:
    return SHARED
