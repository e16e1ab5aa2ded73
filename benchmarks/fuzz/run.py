"""Long fuzz runs: millions of cases per target, in worker processes.

    .venv/bin/python benchmarks/fuzz/run.py --target manager --cases 1000000 [--workers 2]
    .venv/bin/python benchmarks/fuzz/run.py --target all --cases 1000000

Targets (the case generators and checks are shared with the suite's short
runs in tests/fuzz/):

* `protocol` — the frame reader on both sides (commands and replies):
  random, structured and mutated frames in random splits
  (benchmarks/fuzz_protocol.py's generators);
* `manager` — the manager between a random MTA and random children over
  loopback sockets (tests/fuzz/manager_target.py);
* `ruby` — the Ruby lexer, parser and interpreter on mutated configuration
  files (tests/fuzz/ruby_target.py);
* `keyfile` — the scenario key-file reader and scenario model on mutated
  scenario files (tests/fuzz/keyfile_target.py).

Case N of a run with seed S uses `random.Random(f"{S}:{N}")`, so any case
is replayed with `--replay N`. A *crash* is a case that broke an invariant
or let an unexpected exception out; a *hang* is a case that did not finish
within its limit (the target's own, or `--hang-seconds` as a backstop).
Prints progress, then `TARGET: N cases, C crashes, H hangs, T s (R cases/s)`
and, for the manager, the process's descriptors at each report; exits 1 when
anything failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import random
import signal
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

TARGETS = ("protocol", "manager", "ruby", "keyfile")


class _Alarm(BaseException):
    """SIGALRM: the case ran past --hang-seconds."""


def _on_alarm(signum: int, frame: object) -> None:
    raise _Alarm()


# --- targets ---------------------------------------------------------------------------

class ProtocolTarget:
    """Adapter over benchmarks/fuzz_protocol.py (its generators, one case per rng)."""

    def __init__(self) -> None:
        spec = importlib.util.spec_from_file_location(
            "fuzz_protocol", ROOT / "benchmarks" / "fuzz_protocol.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.m = module

    def run_case(self, rng: random.Random) -> None:
        m = self.m
        kind = rng.randrange(4)
        direction = rng.choice((m.COMMANDS, m.REPLIES, m.RAW))
        if kind == 0:
            stream = m.random_bytes(rng)
        elif kind == 1:
            stream = m.structured_frames(rng)
        elif kind == 2:
            direction, stream = m.COMMANDS, m.mutated_frames(rng, m.COMMAND_FRAMES)
        else:
            direction, stream = m.REPLIES, m.mutated_frames(rng, m.REPLY_FRAMES)
        m.run_case(direction, stream, rng)

    def reset(self) -> None:
        pass


class ModuleTarget:
    """A tests/fuzz target module (`run_case(rng)`); `reset()` drops its bench."""

    def __init__(self, name: str) -> None:
        self.module = importlib.import_module(f"fuzz.{name}_target")

    def run_case(self, rng: random.Random) -> None:
        self.module.run_case(rng)

    def reset(self) -> None:
        bench = getattr(self.module, "_bench", None)
        if bench is not None and hasattr(bench, "close"):
            try:
                bench.close()
            except Exception:  # noqa: BLE001, S110 - replacing a broken bench anyway
                pass
        self.module._bench = None


def make_target(name: str) -> ProtocolTarget | ModuleTarget:
    return ProtocolTarget() if name == "protocol" else ModuleTarget(name)


# --- workers -----------------------------------------------------------------------------

_target = None


def _init_worker(name: str) -> None:
    global _target
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _on_alarm)
    _target = make_target(name)


def run_chunk(job: tuple[str, str, int, int, float]) -> dict:
    """Cases [start, start+count) of one run; counts and the first examples."""
    from fuzz.common import Hang, Violation
    name, seed, start, count, hang_seconds = job
    crashes, hangs, examples, slowest = 0, 0, [], (0.0, -1)
    for index in range(start, start + count):
        rng = random.Random(f"{seed}:{index}")
        began = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, hang_seconds)
        failure = None
        try:
            _target.run_case(rng)
        except _Alarm:
            failure = ("hang", f"no end after {hang_seconds:g} s")
        except Hang as error:
            failure = ("hang", str(error))
        except Violation as error:
            failure = ("crash", str(error))
        except Exception as error:  # noqa: BLE001 - counting crashes is the point
            failure = ("crash", "".join(traceback.format_exception(error))[-2000:])
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.perf_counter() - began
        slowest = max(slowest, (elapsed, index))
        if failure is not None:
            if failure[0] == "hang":
                hangs += 1
            else:
                crashes += 1
            if len(examples) < 5:
                examples.append(f"case {index}: {failure[0]}: {failure[1]}")
            _target.reset()    # a failed case may leave the bench in any state
    fds = None
    if name == "manager":
        import psutil
        fds = psutil.Process().num_fds()
    return {"pid": os.getpid(), "cases": count, "crashes": crashes, "hangs": hangs,
            "examples": examples, "slowest": slowest, "fds": fds}


def run(name: str, cases: int, seed: str, workers: int, chunk: int, hang_seconds: float) -> int:
    jobs = [(name, seed, start, min(chunk, cases - start), hang_seconds)
            for start in range(0, cases, chunk)]
    done = crashes = hangs = 0
    examples: list[str] = []
    slowest = (0.0, -1)
    fds: dict[int, list[int]] = {}
    started = time.perf_counter()
    last_report = 0.0
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_worker, initargs=(name,)) as pool:
        for result in pool.imap_unordered(run_chunk, jobs):
            done += result["cases"]
            crashes += result["crashes"]
            hangs += result["hangs"]
            for example in result["examples"][:5 - len(examples)]:
                examples.append(example)
                print(example, file=sys.stderr, flush=True)    # at once: runs are long
            slowest = max(slowest, result["slowest"])
            if result["fds"] is not None:
                fds.setdefault(result["pid"], []).append(result["fds"])
            elapsed = time.perf_counter() - started
            if elapsed - last_report > 60 or done == cases:
                last_report = elapsed
                extra = ""
                if fds:
                    extra = ", fds per worker " + " ".join(
                        f"{v[0]}..{v[-1]}" for v in fds.values())
                print(f"  {name}: {done:,}/{cases:,} cases, {crashes} crashes, {hangs} hangs, "
                      f"{done / elapsed:,.0f} cases/s{extra}", flush=True)
    elapsed = time.perf_counter() - started
    print(f"{name}: {done:,} cases, {crashes} crashes, {hangs} hangs, {elapsed:.0f} s "
          f"({done / elapsed:,.0f} cases/s, {workers} workers, seed {seed}; slowest case "
          f"{slowest[1]}: {slowest[0]:.2f} s)", flush=True)
    return 1 if crashes or hangs else 0


def replay(name: str, seed: str, index: int) -> int:
    """Run one case in this process and show its traceback."""
    signal.signal(signal.SIGALRM, _on_alarm)
    target = make_target(name)
    try:
        target.run_case(random.Random(f"{seed}:{index}"))
    except BaseException:  # noqa: BLE001 - show whatever the case raised
        traceback.print_exc()
        return 1
    print(f"{name}: case {index} passes")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=(*TARGETS, "all"), required=True)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", default="20261125")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--hang-seconds", type=float, default=60.0)
    parser.add_argument("--replay", type=int, metavar="N", help="run case N alone")
    args = parser.parse_args()
    names = TARGETS if args.target == "all" else (args.target,)
    if args.replay is not None:
        return max(replay(name, args.seed, args.replay) for name in names)
    status = 0
    for name in names:
        status |= run(name, args.cases, args.seed, args.workers, args.chunk, args.hang_seconds)
    return status


if __name__ == "__main__":
    sys.exit(main())
