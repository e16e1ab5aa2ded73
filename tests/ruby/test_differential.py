"""Differential tests: every program in tests/ruby/cases/ must print the same
standard output in our interpreter as in Debian's real `ruby` (Ruby 3.1).

ruby-subset.md §11: only standard output is compared (error messages and
backtraces follow Ruby 3.4's wording in the port, so the cases avoid printing
them). Each case gets a fresh, empty temporary directory, passed as ARGV[0] and
in ENV["RCASE_TMPDIR"], which is also the working directory; both interpreters
see the same path, arguments and environment.

Both interpreters are run for all selected cases in a thread pool as soon as
the first case is requested, so the subprocess start-up costs overlap; each
test then waits for its own case.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = sorted(CASES_DIR.glob("*.rb"))
TIMEOUT = 60  # seconds per program run; a hung interpreter fails its case only

RUBY = shutil.which("ruby")


@dataclass(frozen=True)
class Run:
    argv: list[str]
    returncode: int | None  # None: killed after TIMEOUT
    stdout: bytes
    stderr: bytes


@dataclass(frozen=True)
class Pair:
    ruby: Run
    ours: Run


def _environment(workdir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # Options that would change how either interpreter runs the program.
        if not key.startswith(("RUBY", "GEM_", "BUNDLE"))
        and key not in ("PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONWARNINGS")
    }
    env.update(
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        TZ="UTC",  # Time cases print local times (ruby-subset.md §8.2)
        RCASE_TMPDIR=str(workdir),
        RCASE_GREETING="hello",  # read by the ENV cases
    )
    return env


def _fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _run(argv: list[str], workdir: Path) -> Run:
    try:
        done = subprocess.run(
            argv,
            cwd=workdir,
            env=_environment(workdir),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,  # the exit status is asserted by the test
        )
    except subprocess.TimeoutExpired as exc:
        return Run(argv, None, exc.stdout or b"", exc.stderr or b"")
    return Run(argv, done.returncode, done.stdout, done.stderr)


def _run_pair(case: Path, workdir: Path) -> Pair:
    # The same directory path for both runs, emptied in between, so a case that
    # creates files sees the same state in both interpreters.
    assert RUBY is not None
    # --disable-gems: rubygems only slows start-up (about 40 ms per case); the
    # subset's libraries (json, ipaddr, shellwords, resolv, …) are all in the
    # standard library, and every case prints the same with or without it.
    ruby = _run([RUBY, "--disable-gems", str(case), str(workdir)], _fresh_dir(workdir))
    ours = _run(
        [sys.executable, "-m", "milter_manager.ruby", str(case), str(workdir)],
        _fresh_dir(workdir),
    )
    shutil.rmtree(workdir, ignore_errors=True)
    return Pair(ruby, ours)


class _Runner:
    """Runs case pairs in a pool; results are keyed by case path."""

    def __init__(self, base: Path) -> None:
        self._base = base
        self._pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
        self._futures: dict[Path, Future[Pair]] = {}

    def submit(self, case: Path) -> Future[Pair]:
        if case not in self._futures:
            workdir = self._base / case.stem
            self._futures[case] = self._pool.submit(_run_pair, case, workdir)
        return self._futures[case]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def runner(request: pytest.FixtureRequest):
    assert RUBY is not None, (
        "Debian's ruby is needed as the oracle: ./scripts/install-system-packages ruby "
        "(./scripts/test installs it from scripts/test-packages.txt)"
    )
    # Resolved path: Dir.pwd and File.expand_path print it without symlinks.
    base = Path(tempfile.mkdtemp(prefix="rcases-")).resolve()
    pool = _Runner(base)
    # Under pytest-xdist every worker collects all cases but runs only some;
    # there xdist provides the parallelism and cases are run on demand.
    if "PYTEST_XDIST_WORKER" not in os.environ:
        for item in request.session.items:
            callspec = getattr(item, "callspec", None)
            if callspec is not None and item.originalname == "test_case":
                pool.submit(callspec.params["case"])
    yield pool
    pool.close()
    shutil.rmtree(base, ignore_errors=True)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="backslashreplace")


def _describe(run: Run) -> str:
    status = "timed out" if run.returncode is None else f"exit status {run.returncode}"
    stderr = _text(run.stderr)
    if len(stderr) > 3000:
        stderr = stderr[:3000] + "\n[... stderr truncated]"
    return f"{' '.join(run.argv)}: {status}\nstderr:\n{stderr}"


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_case(case: Path, runner: _Runner) -> None:
    pair = runner.submit(case).result()
    # A case must be a valid, complete program for the oracle itself.
    assert pair.ruby.returncode == 0, (
        f"the case fails on real ruby\n{_describe(pair.ruby)}"
    )
    if pair.ours.stdout != pair.ruby.stdout:
        diff = difflib.unified_diff(
            _text(pair.ruby.stdout).splitlines(keepends=True),
            _text(pair.ours.stdout).splitlines(keepends=True),
            fromfile=f"ruby {case.name}",
            tofile=f"ours {case.name}",
        )
        pytest.fail(
            "standard output differs from real ruby:\n"
            + "".join(diff)
            + "\n"
            + _describe(pair.ours),
            pytrace=False,
        )
    # ruby-subset.md §11: exit status 0 when the program ends.
    assert pair.ours.returncode == 0, _describe(pair.ours)


def test_corpus_size() -> None:
    # Issue 3 acceptance: at least 300 programs.
    assert len(CASES) >= 300, f"only {len(CASES)} cases in {CASES_DIR}"
