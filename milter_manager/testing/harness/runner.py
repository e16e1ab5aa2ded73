"""Run scenario files, in parallel, and report (scenarios.md §9 "Runner").

    outcomes = run_files(paths, RunnerOptions(jobs=2))
    for outcome in outcomes:           # in the order the files were given
        print(outcome.line())

Each job runs one whole scenario at a time in its own process (a scenario's
manager and clients are never shared); `jobs=1` runs serially in this process
on the corpus's own ports.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .actions import Failure
from .fake_mta import WireFailure
from .keyfile import KeyFile, KeyFileError
from .leader import Run, RunContext, run_children, run_leader
from .manager_set import run_manager_set
from .ports import PortInUse, PortMap
from .scenario import SCENARIO, ScenarioError, load_scenario, scenario_root

PASS, FAIL, OMIT = "PASS", "FAIL", "OMIT"
#: §9: the limit for a whole scenario.
SCENARIO_TIMEOUT = 60.0
#: A scenario whose remapped port was taken is retried this often on new ports.
PORT_RETRIES = 3


#: The shared upstream tree, relative to the project (DEVELOPERS.md).
SHARED_ROOT = Path(__file__).resolve().parents[3] / ".." / "shared" / "upstream"


@dataclass
class RunnerOptions:
    #: ROOT of §2 for every file; None: derived from each file's place, else SHARED_ROOT.
    root: Path | None = None
    mode: str = "in-process"
    jobs: int = 1
    verbose: bool = False


@dataclass
class Outcome:
    file: str
    result: str
    message: str = ""
    diagnostics: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        if self.result == PASS:
            return f"{PASS} {self.file}"
        return f"{self.result} {self.file}: {self.message}"


class ScenarioTimeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise ScenarioTimeout


def run_file(file: str, options: RunnerOptions, *, corpus_ports: bool = False,
             load_configuration: Any = None) -> Outcome:
    """Run one scenario file to its outcome; never raises.

    `load_configuration(files, load_path)` replaces the port's configuration
    loader (tests of the harness itself).
    """
    started = time.monotonic()
    path = Path(file)
    try:
        keys = KeyFile.load(path)
        if keys.has_key(SCENARIO, "omit"):
            return Outcome(file, OMIT, keys.get_string(SCENARIO, "omit"))
        if not keys.has_key(SCENARIO, "expected") and not keys.has_key(SCENARIO, "actions"):
            return Outcome(file, OMIT, "import-only")
        scenario = load_scenario(path)
    except (OSError, KeyFileError, ScenarioError) as error:
        return Outcome(file, FAIL, f"[scenario] cannot load: {error}")
    root = options.root or scenario_root(path, SHARED_ROOT.resolve())
    handler_installed = threading.current_thread() is threading.main_thread()
    if handler_installed:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, SCENARIO_TIMEOUT)
    try:
        for attempt in range(PORT_RETRIES + 1):
            context = RunContext(root, options.mode, PortMap(identity=corpus_ports),
                                 options.verbose)
            if load_configuration is not None:
                context.load_configuration = load_configuration
            run = Run()
            try:
                {"leader": run_leader, "children": run_children,
                 "manager": run_manager_set}[scenario.kind](scenario, context, run)
            except PortInUse:
                run.stop()
                if corpus_ports or attempt == PORT_RETRIES:
                    return Outcome(file, FAIL, "[scenario] test client ports in use",
                                   run.diagnostics(), time.monotonic() - started)
                continue
            except Failure as failure:
                run.stop()
                return Outcome(file, FAIL, str(failure), run.diagnostics(),
                               time.monotonic() - started)
            except (ScenarioError, WireFailure) as error:
                run.stop()
                return Outcome(file, FAIL, f"[scenario] {error}", run.diagnostics(),
                               time.monotonic() - started)
            except ScenarioTimeout:
                run.stop()
                return Outcome(file, FAIL, f"[scenario] took more than {SCENARIO_TIMEOUT:g} s",
                               run.diagnostics(), time.monotonic() - started)
            except Exception as error:  # noqa: BLE001 - a harness bug must not stop the run
                run.stop()
                import traceback
                return Outcome(file, FAIL, f"[scenario] harness error: {error!r}",
                               traceback.format_exc() + run.diagnostics(),
                               time.monotonic() - started)
            run.stop()
            return Outcome(file, PASS, seconds=time.monotonic() - started)
        raise AssertionError("unreachable")
    finally:
        if handler_installed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _worker_init() -> None:
    # A worker must not die on the terminal's ^C before the parent has decided.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_in_worker(file: str, options: RunnerOptions) -> Outcome:
    return run_file(file, options)


def default_jobs() -> int:
    """§9: `--jobs` defaults to the number of CPUs."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def run_files(files: list[str], options: RunnerOptions) -> Iterator[Outcome]:
    """Outcomes in the order of `files`, each as soon as it and those before it are done."""
    if options.jobs <= 1:
        for file in files:
            yield run_file(file, options, corpus_ports=True)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    with ProcessPoolExecutor(max_workers=options.jobs, mp_context=context,
                             initializer=_worker_init) as pool:
        futures: list[Future[Outcome]] = [pool.submit(_run_in_worker, file, options)
                                          for file in files]
        try:
            for file, future in zip(files, futures):
                try:
                    yield future.result()
                except Exception as error:  # noqa: BLE001 - a worker died
                    yield Outcome(file, FAIL, f"[scenario] worker failed: {error!r}")
        finally:
            for future in futures:
                future.cancel()


def summary(outcomes: list[Outcome]) -> str:
    """§9 and the spec README: `<p> passed, <f> failed, <o> omitted`."""
    counts = {result: sum(1 for o in outcomes if o.result == result)
              for result in (PASS, FAIL, OMIT)}
    return f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[OMIT]} omitted"


def default_files(root: Path) -> list[str]:
    """With no FILE: every `*.txt` of ROOT/test/fixtures/leader/ (§9)."""
    return sorted(str(path) for path in (root / "test" / "fixtures" / "leader").glob("*.txt"))
