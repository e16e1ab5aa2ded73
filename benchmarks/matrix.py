"""Throughput and added latency through the manager: the performance issue's matrix.

The real `milter-manager` daemon (its own process, `--n-workers` as given)
fans out to 2 or 8 fast test children (one process of their own); the load
generator (this process, one event loop) runs `concurrency` MTA sessions at
once, one message of the given size per session. The same load against one
child directly is the baseline; "added" latency is the difference of the
per-message latencies (MAIL sent -> end-of-message reply) at the same
percentile, concurrency and size.

    .venv/bin/python benchmarks/matrix.py [--children 2,8] [--concurrency 1,8,64,512]
        [--sizes 2048,65536,1048576] [--duration 3] [--workers 0] [--transport inet]
        [--json out.json] [--plot out.png]

Besides rate and latency it prints the CPU each party used per message
(manager user+system, children, generator): on a 2-core machine the load
itself needs a core, so "capacity" (messages per second of the manager's own
CPU time) is what the manager would sustain on a core of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil
from harness import (
    Children,
    Daemon,
    Run,
    cpu_seconds,
    machine,
    percentile,
    raise_nofile,
    spec_address,
)


def measure(address, concurrency: int, size: int, duration: float, warmup: float,
            parties: dict[str, list[psutil.Process]]) -> dict:
    """One cell: the run plus CPU seconds of each party during the measured window."""
    marks: dict[str, tuple[float, float]] = {}
    after: dict[str, tuple[float, float]] = {}
    me = [psutil.Process()]

    def start() -> None:
        for name, procs in {**parties, "generator": me}.items():
            marks[name] = cpu_seconds(procs)

    def stop() -> None:
        for name, procs in {**parties, "generator": me}.items():
            after[name] = cpu_seconds(procs)

    run = Run(address, concurrency, size, duration, warmup).go(start, stop)
    n = max(1, len(run.latencies))
    cell = {"concurrency": concurrency, "size": size, "messages": len(run.latencies),
            "rate": run.rate, "failures": run.failures,
            "p50_ms": percentile(run.latencies, 0.5) * 1000,
            "p99_ms": percentile(run.latencies, 0.99) * 1000}
    for name in after:
        user = after[name][0] - marks[name][0]
        system = after[name][1] - marks[name][1]
        cell[f"{name}_user_ms"] = user / n * 1000
        cell[f"{name}_sys_ms"] = system / n * 1000
    return cell


def size_label(size: int) -> str:
    return f"{size // 1048576} MiB" if size >= 1048576 else f"{size // 1024} KiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", default="2,8")
    parser.add_argument("--concurrency", default="1,8,64,512")
    parser.add_argument("--sizes", default="2048,65536,1048576")
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=0,
                        help="manager.n_workers (0: one process serves)")
    parser.add_argument("--transport", choices=("inet", "unix"), default="inet",
                        help="loopback TCP or Unix sockets for every hop")
    parser.add_argument("--no-direct", action="store_true", help="skip the baseline")
    parser.add_argument("--json", help="write the cells as JSON here")
    parser.add_argument("--plot", help="draw the throughput and latency plot (PNG) here")
    args = parser.parse_args()
    raise_nofile()
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {machine()}")
    print(f"manager: n_workers={args.workers}, transport {args.transport}, "
          f"{args.duration:g} s per cell; children and generator in their own processes")
    header = (f"{'via':>8} {'conc':>4} {'size':>7} {'msg/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'+p50':>6} {'+p99':>6} {'mgr usr+sys ms/msg':>18} {'capacity':>8} "
              f"{'children ms':>11} {'gen ms':>6}")
    results: dict = {"machine": machine(), "workers": args.workers,
                     "transport": args.transport, "direct": [], "manager": {}}
    with tempfile.TemporaryDirectory(prefix="mm-matrix-") as work:
        os.chmod(work, 0o755)
        work_path = Path(work)
        direct: dict[tuple[int, int], dict] = {}
        if not args.no_direct:
            child = Children(1, work_path, args.transport)
            print("\n" + header)
            try:
                parties = {"children": [psutil.Process(child.process.pid)]}
                for size in sizes:
                    for c in concurrencies:
                        cell = measure(spec_address(child.specs[0]), c, size, args.duration,
                                       args.warmup, parties)
                        direct[(c, size)] = cell
                        results["direct"].append(cell)
                        print(_row("direct", cell, None), flush=True)
            finally:
                child.close()
        for n_children in (int(n) for n in args.children.split(",")):
            children = Children(n_children, work_path, args.transport)
            daemon = Daemon(children.specs, args.workers, args.transport)
            print(f"\n{n_children} children\n" + header)
            cells = results["manager"].setdefault(str(n_children), [])
            try:
                parties = {"manager": daemon.processes(),
                           "children": [psutil.Process(children.process.pid)]}
                for size in sizes:
                    for c in concurrencies:
                        cell = measure(daemon.address(), c, size, args.duration, args.warmup,
                                       parties)
                        base = direct.get((c, size))
                        if base:
                            cell["added_p50_ms"] = cell["p50_ms"] - base["p50_ms"]
                            cell["added_p99_ms"] = cell["p99_ms"] - base["p99_ms"]
                        cells.append(cell)
                        print(_row(f"{n_children} ch", cell, base), flush=True)
            finally:
                daemon.close()
                children.close()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.plot:
        plot(results, args.plot)
    return 0


def _row(via: str, cell: dict, base: dict | None) -> str:
    mgr = cell.get("manager_user_ms", 0.0) + cell.get("manager_sys_ms", 0.0)
    capacity = 1000 / mgr if mgr else float("nan")
    added = (f"{cell['p50_ms'] - base['p50_ms']:>6.2f} {cell['p99_ms'] - base['p99_ms']:>6.2f}"
             if base else f"{'':>6} {'':>6}")
    children = cell.get("children_user_ms", 0.0) + cell.get("children_sys_ms", 0.0)
    gen = cell.get("generator_user_ms", 0.0) + cell.get("generator_sys_ms", 0.0)
    manager = (f"{cell['manager_user_ms']:.2f}+{cell['manager_sys_ms']:.2f}"
               if "manager_user_ms" in cell else "")
    return (f"{via:>8} {cell['concurrency']:>4} {size_label(cell['size']):>7} "
            f"{cell['rate']:>7.0f} {cell['p50_ms']:>7.2f} {cell['p99_ms']:>7.2f} {added} "
            f"{manager:>18} {capacity:>8.0f} {children:>11.2f} {gen:>6.2f}"
            + (f"  ({cell['failures']} failed)" if cell["failures"] else ""))


def plot(results: dict, path: str) -> None:
    """Throughput (left) and p50/p99 latency (right) against concurrency, one
    line per (children, size); the direct baseline dashed (the added latency,
    a difference of two noisy figures, is in the table)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5))
    colours = {2048: "tab:blue", 65536: "tab:orange", 1048576: "tab:green"}
    for n_children, cells in results["manager"].items():
        style = "-" if n_children == "2" else ":"
        for size in sorted({c["size"] for c in cells}):
            row = sorted((c for c in cells if c["size"] == size and c["messages"]),
                         key=lambda c: c["concurrency"])
            xs = [c["concurrency"] for c in row]
            colour = colours.get(size)
            left.plot(xs, [c["rate"] for c in row], style, marker="o", color=colour,
                      label=f"manager, {n_children} children, {size_label(size)}")
            right.plot(xs, [c["p50_ms"] for c in row], style, marker="o", color=colour,
                       label=f"p50, {n_children} ch, {size_label(size)}")
            right.plot(xs, [c["p99_ms"] for c in row], style, marker="x", color=colour,
                       alpha=0.4, label=f"p99, {n_children} ch, {size_label(size)}")
    for size in sorted({c["size"] for c in results["direct"]}):
        row = sorted((c for c in results["direct"] if c["size"] == size),
                     key=lambda c: c["concurrency"])
        left.plot([c["concurrency"] for c in row], [c["rate"] for c in row], "--",
                  color=colours.get(size), alpha=0.6,
                  label=f"one child directly, {size_label(size)}")
        right.plot([c["concurrency"] for c in row], [c["p50_ms"] for c in row], "--",
                   color=colours.get(size), alpha=0.6,
                   label=f"p50, one child directly, {size_label(size)}")
    for axis in (left, right):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("concurrent MTA sessions")
        axis.grid(True, which="both", alpha=0.3)
    left.set_yscale("log")
    left.set_ylabel("messages per second")
    left.set_title("Throughput")
    right.set_yscale("log")
    right.set_ylabel("ms (MAIL sent -> end-of-message reply)")
    right.set_title("Latency through the manager and directly")
    left.legend(fontsize=7)
    right.legend(fontsize=6, ncol=2)
    fig.suptitle(f"milter-manager (Python), n_workers={results['workers']}, "
                 f"{results['transport']} — {results['machine']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
