"""`manager.n_workers` scaling: the same load through 0, 1 and 2 workers.

The real daemon with `--n-workers N` (cli.md §9: the master only accepts
nothing, each worker accepts and serves whole sessions), 2 fast children in
one process of their own, the load generator in this process; 2 KiB
messages at each concurrency. Each configuration runs `--runs` times,
alternating, and the median is printed with the CPU each party used per
message, so the figure can be read against the machine's cores: on a 2-core
machine the children and the generator need about as much CPU as the
manager, so a second worker has no core of its own to run on.

    .venv/bin/python benchmarks/workers.py [--workers 0,1,2] [--concurrency 8,64]
        [--runs 3] [--duration 3] [--transport inet]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil
from harness import Children, Daemon, machine, raise_nofile
from matrix import measure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="0,1,2")
    parser.add_argument("--concurrency", default="8,64")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--transport", choices=("inet", "unix"), default="inet")
    args = parser.parse_args()
    raise_nofile()
    workers = [int(w) for w in args.workers.split(",")]
    print(f"machine: {machine()}")
    print(f"2 fast children, {args.size} B messages, {args.transport}, median of "
          f"{args.runs} runs of {args.duration:g} s")
    results: dict[tuple[int, int], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="mm-workers-") as work:
        Path(work).chmod(0o755)
        children = Children(2, Path(work), args.transport)
        try:
            for _ in range(args.runs):
                for n in workers:
                    daemon = Daemon(children.specs, n, args.transport)
                    try:
                        parties = {"manager": daemon.processes(),
                                   "children": [psutil.Process(children.process.pid)]}
                        for c in (int(c) for c in args.concurrency.split(",")):
                            cell = measure(daemon.address(), c, args.size, args.duration,
                                           0.5, parties)
                            results.setdefault((n, c), []).append(cell)
                    finally:
                        daemon.close()
        finally:
            children.close()
    print(f"{'n_workers':>9} {'conc':>4} {'msg/s':>7} {'runs':>17} {'p50 ms':>7} "
          f"{'manager ms/msg':>14} {'children ms':>11} {'generator ms':>12}")
    for (n, c), cells in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        rate = statistics.median(cell["rate"] for cell in cells)

        def med(key: str, cells=cells) -> float:
            return statistics.median(cell[f"{key}_user_ms"] + cell[f"{key}_sys_ms"]
                                     for cell in cells)
        runs = "/".join(f"{cell['rate']:.0f}" for cell in cells)
        print(f"{n:>9} {c:>4} {rate:>7.0f} {runs:>17} "
              f"{statistics.median(cell['p50_ms'] for cell in cells):>7.2f} "
              f"{med('manager'):>14.2f} {med('children'):>11.2f} {med('generator'):>12.2f}")
    for c in (int(c) for c in args.concurrency.split(",")):
        if (1, c) in results and (2, c) in results:
            one = statistics.median(cell["rate"] for cell in results[(1, c)])
            two = statistics.median(cell["rate"] for cell in results[(2, c)])
            print(f"concurrency {c}: 2 workers / 1 worker = {two / one:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
