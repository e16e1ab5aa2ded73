"""Profile of the manager's hot path under load (the figures behind
"Where the manager's time goes" in README.md).

The real daemon runs under cProfile (`MM_BENCH_PROFILE`) with 2 fast
children while the load generator sends 2 KiB messages; at the end the
daemon exits cleanly and the profile is read: Python function calls per
message, syscalls per message (socket send/recv, poll, connect), and the top
functions by own time. With `--perf` (needs Linux `perf`), a second run is
sampled by `perf record` instead, without cProfile's overhead, and the split
between the interpreter, the kernel and libc is printed.

    .venv/bin/python benchmarks/hotpath.py [--concurrency 8] [--duration 5]
        [--transport inet|unix] [--perf] [--top 25]
    .venv/bin/python benchmarks/hotpath.py --calls     # Python calls per message
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Children, Daemon, Run, machine, raise_nofile

SYSCALLS = {"send": "{method 'send' of '_socket.socket' objects}",
            "sendmsg": "{method 'sendmsg' of '_socket.socket' objects}",
            "recv": "{method 'recv' of '_socket.socket' objects}",
            "poll": "{method 'poll' of 'select.poll' objects}",
            "connect": "{method 'connect_ex' of '_socket.socket' objects}"}


def profiled_run(args: argparse.Namespace, work: Path) -> None:
    out = work / "daemon.prof"
    os.environ["MM_BENCH_PROFILE"] = str(out)
    try:
        children = Children(2, work, args.transport)
        daemon = Daemon(children.specs, 0, args.transport)
    finally:
        del os.environ["MM_BENCH_PROFILE"]
    try:
        run = Run(daemon.address(), args.concurrency, 2048, args.duration, 0.5).go()
        messages = run.completed
    finally:
        daemon.close()          # SIGTERM: the daemon drains, exits, cProfile writes
        children.close()
    stats = pstats.Stats(str(out))
    by_name = {pstats.func_std_string(func): values for func, values in stats.stats.items()}
    print(f"cProfile, concurrency {args.concurrency}, {args.transport}: {messages} messages "
          f"(whole daemon life, start-up included)")
    print(f"  Python function calls per message: {stats.total_calls / messages:.0f}")
    for label, name in SYSCALLS.items():
        values = by_name.get(name)
        if values:
            print(f"  {label:8} {values[1] / messages:6.1f} per message, "
                  f"{values[2] / values[1] * 1e6:6.1f} us each (wall, includes waiting "
                  f"for the CPU on a loaded machine)")
    print(f"  top {args.top} by own time:")
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)
    for func, (_, calls, own, cumulative, _) in rows[:args.top]:
        name = pstats.func_std_string(func).replace(str(Path(__file__).resolve().parents[1])
                                                    + "/", "")
        print(f"    {own / messages * 1e6:8.1f} us/msg own {cumulative / messages * 1e6:9.1f} "
              f"us/msg cumulative {calls / messages:7.1f} calls/msg  {name}")


GENERATOR = ("import socket, sys; sys.path.insert(0, sys.argv[1]); from harness import Run; "
             "Run((socket.AF_UNIX, sys.argv[2]), 1, 2048, float(sys.argv[3]), 0.3).go()")


def calls_per_message(args: argparse.Namespace, work: Path) -> None:
    """The manager in this process (no configuration, log at error level),
    the generator in another, Unix sockets, concurrency 1: Python function
    calls per message, a figure that does not depend on the machine's load
    (the commits of the performance issue quote it)."""
    import cProfile
    from types import SimpleNamespace

    from milter_manager.manager import Manager, ManagerLog
    from milter_manager.manager.log import CRITICAL, ERROR
    for n in (2, 8):
        children = Children(n, work, "unix")
        eggs = [SimpleNamespace(name=f"child{i}", connection_spec=spec, enabled=True,
                                applicable_conditions=[])
                for i, spec in enumerate(children.specs)]
        manager = Manager(SimpleNamespace(manager=SimpleNamespace(), eggs=eggs),
                          f"unix:{work}/calls.sock", log=ManagerLog(CRITICAL | ERROR))
        manager.start()
        generator = subprocess.Popen(
            [sys.executable, "-c", GENERATOR, str(Path(__file__).resolve().parent),
             f"{work}/calls.sock", str(args.duration)])
        profiler = cProfile.Profile()
        profiler.enable()
        manager.loop.run_until(lambda g=generator: g.poll() is not None,
                               timeout=args.duration + 60)
        profiler.disable()
        manager.stop()
        children.close()
        stats = pstats.Stats(profiler)
        print(f"in-process manager, {n} children, concurrency 1, unix: "
              f"{stats.total_calls / manager.n_processed:.0f} Python calls per message "
              f"({manager.n_processed} messages)")


def perf_run(args: argparse.Namespace, work: Path) -> None:
    if shutil.which("perf") is None:
        print("perf: not installed (Debian: linux-perf)")
        return
    children = Children(2, work, args.transport)
    daemon = Daemon(children.specs, 0, args.transport)
    data = work / "perf.data"
    try:
        recorder = subprocess.Popen(
            ["perf", "record", "-F", "999", "-g", "-o", str(data), "-p",
             str(daemon.process.pid), "--", "sleep", str(args.duration)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run = Run(daemon.address(), args.concurrency, 2048, args.duration, 0.2).go()
        recorder.wait()
    finally:
        daemon.close()
        children.close()
    report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--sort",
                             "dso", "--stdio", "-g", "none"],
                            capture_output=True, text=True, check=False).stdout
    print(f"perf record, concurrency {args.concurrency}, {args.transport}: "
          f"{run.rate:.0f} msg/s during the sampling; samples by object:")
    for line in report.splitlines():
        if line.strip() and not line.startswith("#"):
            print("   ", line.strip())
    symbols = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--sort",
                              "sym", "--stdio", "-g", "none"],
                             capture_output=True, text=True, check=False).stdout
    print("  top symbols:")
    shown = 0
    for line in symbols.splitlines():
        if line.strip() and not line.startswith("#") and shown < args.top:
            print("   ", line.strip())
            shown += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--transport", choices=("inet", "unix"), default="inet")
    parser.add_argument("--perf", action="store_true")
    parser.add_argument("--calls", action="store_true",
                        help="only the Python calls per message of the in-process manager")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    raise_nofile()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="mm-profile-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        if args.calls:
            calls_per_message(args, work)
            return 0
        profiled_run(args, work)
        if args.perf:
            perf_run(args, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
