"""The upstream scenario corpus, replayed on the wire against our manager (scenarios.md §1, §11).

One test id per scenario file (`test_scenario[envelope-from-reject]`; the other
sets as `children/…` and `manager/…`). The selected files are run once, in
parallel on remapped ports, by the same runner as `compat/scenarios.py`; each
test then asserts its own outcome, so a broken scenario fails CI by name.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from milter_manager.testing.harness.keyfile import KeyFile
from milter_manager.testing.harness.runner import (
    OMIT,
    PASS,
    RunnerOptions,
    default_jobs,
    run_file,
    run_files,
)

from .conftest import FIXTURES


def _cases() -> list[pytest.param]:
    cases = []
    for directory in ("leader", "children", "manager"):
        for path in sorted((FIXTURES / directory).glob("*.txt")):
            name = path.stem if directory == "leader" else f"{directory}/{path.stem}"
            cases.append(pytest.param(path, id=name))
    return cases


CASES = _cases()


class Outcomes(dict):
    """Outcomes by file; under pytest-xdist each worker runs its own files on demand."""

    def __missing__(self, file: str) -> object:
        outcome = run_file(file, RunnerOptions())   # remapped ports: workers run side by side
        self[file] = outcome
        return outcome


@pytest.fixture(scope="session")
def corpus_outcomes(request: pytest.FixtureRequest) -> Outcomes:
    """Run every selected scenario once, in parallel (§9 `--jobs`, one job per CPU)."""
    outcomes = Outcomes()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return outcomes  # xdist already runs the tests in parallel
    selected = [str(item.callspec.params["path"]) for item in request.session.items
                if getattr(item, "originalname", None) == "test_scenario"]
    for outcome in run_files(selected, RunnerOptions(jobs=default_jobs())):
        outcomes[outcome.file] = outcome
    return outcomes


def test_the_corpus_is_complete():
    """§1 and §11: 98 leader files, 11 children files, 4 manager scenarios."""
    names = [case.id for case in CASES]
    assert sum("/" not in name for name in names) == 98
    assert sum(name.startswith("children/") for name in names) == 11
    assert sum(name.startswith("manager/") for name in names) == 4


@pytest.mark.slow
@pytest.mark.parametrize("path", CASES)
def test_scenario(path: Path, corpus_outcomes: Outcomes) -> None:
    outcome = corpus_outcomes[str(path)]
    keys = KeyFile.load(path)
    if keys.has_key("scenario", "omit"):
        # §1: omitted by upstream itself; reported as omitted, never run.
        assert (outcome.result, outcome.message) == (OMIT, keys.get_string("scenario", "omit"))
        return
    assert outcome.result == PASS, f"{outcome.message}\n{outcome.diagnostics}"


@pytest.mark.slow
def test_process_mode_runs_the_daemon():
    """§9 `--mode process`: the same scenarios against the real `milter-manager` daemon,
    on a generated configuration that keeps the child order (a `.conf` that redefines
    one milter, an error group, a stopper)."""
    files = [str(FIXTURES / "leader" / name) for name in (
        "envelope-from-reject.txt", "add-header-evaluation.txt", "envelope-from-stop.txt")]
    outcomes = list(run_files(files, RunnerOptions(mode="process", jobs=default_jobs())))
    assert [(o.result, o.message) for o in outcomes] == [(PASS, "")] * 3, outcomes
