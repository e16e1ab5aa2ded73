"""Differential tests: every program in tests/ruby/cases/ must print the same
standard output in our interpreter as in Debian's real `ruby` (Ruby 3.1).

ruby-subset.md §11: only standard output is compared (error messages and
backtraces follow Ruby 3.4's wording in the port, so the cases avoid printing
them). Each case gets a fresh, empty temporary directory, passed as ARGV[0] and
in ENV["RCASE_TMPDIR"], which is also the working directory; both interpreters
see the same path, arguments, environment and standard input (/dev/null).

Running our interpreter: the contract is the command line
`python -m milter_manager.ruby FILE ARGS` (test_entry_point runs a few cases
exactly so). For the whole corpus, starting Python and importing the
interpreter for every case costs ~0.4 s of CPU per case, most of the file's
runtime, so by default each case runs in a process forked from a "fork
server" (this file run as a script with --serve) that has imported and
warmed the interpreter once; the child sets up cwd, environment and file
descriptors like a fresh process and calls the same `runner.main` as
`__main__`. RCASES_SUBPROCESS=1 runs every case with the command line instead.

All selected cases are submitted to a thread pool as soon as the first case
is requested, so runs overlap on all cores; each test waits for its own case.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = sorted(CASES_DIR.glob("*.rb"))
TIMEOUT = 60  # seconds per program run; a hung interpreter fails its case only
RUBY = shutil.which("ruby")
OUR_COMMAND = [sys.executable, "-m", "milter_manager.ruby"]


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


def _run_command(argv: list[str], workdir: Path) -> Run:
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


def run_ruby(case: Path, workdir: Path) -> Run:
    # --disable-gems: rubygems only slows start-up (about 40 ms per case); the
    # subset's libraries (json, ipaddr, shellwords, resolv, …) are all in the
    # standard library, and every case prints the same with or without it.
    return _run_command(
        [RUBY or "ruby", "--disable-gems", str(case), str(workdir)], workdir
    )


def run_ours_subprocess(case: Path, workdir: Path) -> Run:
    return _run_command([*OUR_COMMAND, str(case), str(workdir)], workdir)


# --- the fork server -------------------------------------------------------


def _serve() -> None:
    """Fork server main loop (this file run with --serve). One JSON request
    per line on stdin: {"argv", "cwd", "env", "stdout", "stderr"}; one reply
    line {"status": int | null} once the forked child has finished."""
    from milter_manager.ruby import runner
    from milter_manager.ruby.interpreter import Interpreter
    from milter_manager.ruby.parser import parse

    # Warm up once: imports done lazily by the runner, the grammar, the
    # first-interpreter set-up. Children build their own Interpreter.
    Interpreter()
    parse("p 1\n", "-")
    replies = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        replies.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            status = 70
            try:
                _child_setup(request)
                status = runner.main(request["argv"])
                sys.stdout.flush()
                sys.stderr.flush()
            except BaseException as exc:  # noqa: BLE001 - report any crash of the runner itself
                os.write(2, f"fork server child: {exc!r}\n".encode())
            os._exit(status if isinstance(status, int) else 70)
        replies.write(json.dumps({"status": _wait(pid)}) + "\n")
        replies.flush()


def _child_setup(request: dict[str, Any]) -> None:
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    for fd, path, flags in (
        (0, os.devnull, os.O_RDONLY),
        (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
    ):
        opened = os.open(path, flags, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = [sys.argv[0], *request["argv"]]


def _wait(pid: int) -> int | None:
    deadline = time.monotonic() + TIMEOUT
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.005)


class ForkServer:
    """Client side: one server process, one request at a time."""

    def __init__(self, scratch: Path) -> None:
        self._scratch = scratch
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_environment(scratch),
            cwd=scratch,
            text=True,
        )

    def run(self, case: Path, workdir: Path) -> Run:
        argv = [str(case), str(workdir)]
        out, err = self._scratch / "stdout", self._scratch / "stderr"
        request = {
            "argv": argv,
            "cwd": str(workdir),
            "env": _environment(workdir),
            "stdout": str(out),
            "stderr": str(err),
        }
        stdin, stdout = self._pipes()
        stdin.write(json.dumps(request) + "\n")
        stdin.flush()
        reply = stdout.readline()
        if not reply:
            raise RuntimeError(
                f"the fork server died (exit status {self._process.wait()})"
            )
        status = json.loads(reply)["status"]
        return Run([*OUR_COMMAND, *argv], status, out.read_bytes(), err.read_bytes())

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        assert self._process.stdin is not None and self._process.stdout is not None
        return self._process.stdin, self._process.stdout

    def close(self) -> None:
        stdin, _ = self._pipes()
        stdin.close()
        try:
            self._process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


# --- the pool of case runs -------------------------------------------------


class Runner:
    """Runs (ruby, ours) pairs in a thread pool; results keyed by case."""

    def __init__(self, base: Path, use_fork_server: bool) -> None:
        self._base = base
        self._use_fork_server = use_fork_server
        self._pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
        self._futures: dict[Path, Future[Pair]] = {}
        self._local = threading.local()
        self._servers: list[ForkServer] = []
        self._lock = threading.Lock()

    def submit(self, case: Path) -> Future[Pair]:
        with self._lock:
            if case not in self._futures:
                self._futures[case] = self._pool.submit(self._run_pair, case)
            return self._futures[case]

    def _run_pair(self, case: Path) -> Pair:
        # The same directory path for both runs, emptied in between, so a case
        # that creates files sees the same state in both interpreters.
        workdir = self._base / case.stem
        ruby = run_ruby(case, _fresh_dir(workdir))
        _fresh_dir(workdir)
        if self._use_fork_server:
            ours = self._run_forked(case, workdir)
        else:
            ours = run_ours_subprocess(case, workdir)
        shutil.rmtree(workdir, ignore_errors=True)
        return Pair(ruby, ours)

    def _run_forked(self, case: Path, workdir: Path) -> Run:
        try:
            return self._server().run(case, workdir)
        except RuntimeError:
            self._local.server = None  # the next case starts a new server
            raise

    def _server(self) -> ForkServer:
        server = getattr(self._local, "server", None)
        if server is None:
            scratch = Path(tempfile.mkdtemp(prefix="server-", dir=self._base))
            server = self._local.server = ForkServer(scratch)
            with self._lock:
                self._servers.append(server)
        return server

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for server in self._servers:
            server.close()


def _fork_server_usable() -> bool:
    """The fork server needs fork() and an importable interpreter; when the
    interpreter cannot even be imported, the command-line form shows why."""
    if os.environ.get("RCASES_SUBPROCESS") or not hasattr(os, "fork"):
        return False
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import milter_manager.ruby.runner, milter_manager.ruby.parser",
        ],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
    sys.exit(0)


# --- the tests ------------------------------------------------------------

import pytest  # the fork server above must not need pytest


@pytest.fixture(scope="session")
def runner(request: pytest.FixtureRequest):
    assert RUBY is not None, (
        "Debian's ruby is needed as the oracle: ./scripts/install-system-packages ruby "
        "(./scripts/test installs it from scripts/test-packages.txt)"
    )
    # Resolved path: Dir.pwd and File.expand_path print it without symlinks.
    base = Path(tempfile.mkdtemp(prefix="rcases-")).resolve()
    pool = Runner(base, _fork_server_usable())
    # Under pytest-xdist every worker collects all cases but runs only some;
    # there xdist provides the parallelism and cases are run on demand.
    if "PYTEST_XDIST_WORKER" not in os.environ:
        for item in request.session.items:
            callspec = getattr(item, "callspec", None)
            if (
                callspec is not None
                and getattr(item, "originalname", "") == "test_case"
            ):
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


def assert_same_output(case: Path, pair: Pair) -> None:
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


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_case(case: Path, runner: Runner) -> None:
    assert_same_output(case, runner.submit(case).result())


# The command-line contract itself, on cases that depend on how the program is
# started: ARGV, $0/__FILE__, the working directory, ENV, top-level return.
ENTRY_POINT_CASES = [
    CASES_DIR / name
    for name in (
        "041-lit-file-line.rb",
        "042-lit-main-self.rb",
        "044-lit-top-level-return.rb",
        "289-env-tmpdir-argv.rb",
    )
]


@pytest.mark.parametrize(
    "case", ENTRY_POINT_CASES, ids=[c.stem for c in ENTRY_POINT_CASES]
)
def test_entry_point(case: Path, tmp_path: Path) -> None:
    assert RUBY is not None, (
        "Debian's ruby is needed: ./scripts/install-system-packages ruby"
    )
    workdir = tmp_path.resolve() / case.stem
    ruby = run_ruby(case, _fresh_dir(workdir))
    ours = run_ours_subprocess(case, _fresh_dir(workdir))
    assert_same_output(case, Pair(ruby, ours))


def test_corpus_size() -> None:
    # Issue 3 acceptance: at least 300 programs.
    assert len(CASES) >= 300, f"only {len(CASES)} cases in {CASES_DIR}"
