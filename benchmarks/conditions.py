"""The stock applicable conditions' cost per message, and stoppers on the
interpreter's worker threads versus inline on the loop (the spec README's
"where stoppers run" decision).

The manager runs in its own process with the stock configuration (ours or
upstream's, `--stock`), two fast test children (benchmarks/manager.py's)
carrying the conditions of `--conditions`, and `stress.threshold_n_connections
= 1000` (so No Stress never stops and never runs postconf). The load
generator of benchmarks/manager.py drives sessions (O C H M R T, 20 headers,
N, B, E, Q; the client 203.0.113.10 named `[203.0.113.10]`, so S25R, Remote
Network and Unauthenticated all let the children through; a stopped child
would show as `[children][error]` lines on standard error).

    .venv/bin/python benchmarks/conditions.py [--duration 5] [--concurrency 8]

Rows: no condition; debian.conf's spam-checker stack (Remote Network,
Unauthenticated, No Stress) and S25R, with the stoppers on the worker
threads (as shipped) and — for measurement only — forced inline on the loop.
Stoppers that can block (DNSBL, Sendmail Compatible) are not in the rows:
they must never run inline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import psutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import manager as load  # benchmarks/manager.py: the children and the load generator
from manager import Run, cpu_seconds, percentile

from milter_manager.protocol.commands import Connect

_message_commands = load.message_commands


def message_commands() -> tuple[list[bytes], list[bytes]]:
    """benchmarks/manager.py's session from an unresolved client (S25R applies)."""
    before, after = _message_commands()
    before[1] = Connect(b"[203.0.113.10]", b"4", 40000, b"203.0.113.10").encode()
    return before, after


load.message_commands = message_commands

ROWS = [
    ("none", [], False),
    ("spam stack + S25R, worker threads", ["Remote Network", "Unauthenticated",
                                           "No Stress", "S25R"], False),
    ("spam stack + S25R, inline (measured only)", ["Remote Network", "Unauthenticated",
                                                   "No Stress", "S25R"], True),
]


def serve_manager(ports: list[str], stock: str, conditions: list[str], inline: bool) -> None:
    from milter_manager.config import runtime
    from milter_manager.config.loader import ConfigurationLoader, LoadOptions, data_dir
    from milter_manager.manager import Manager, ManagerLog
    from milter_manager.manager.log import CRITICAL, ERROR
    stock_dir = data_dir() if stock == "own" else os.path.join(ROOT, "..", "shared",
                                                                "upstream", "data")
    directory = tempfile.mkdtemp(prefix="milter-manager-bench-")
    milters = "\n".join(
        f'define_milter("child{i}") {{ |m| m.connection_spec = "inet:{port}@127.0.0.1"; '
        f"m.applicable_conditions = {conditions!r} }}" for i, port in enumerate(ports))
    with open(os.path.join(directory, "milter-manager.local.conf"), "w") as stream:
        stream.write("stress.threshold_n_connections = 1000\n" + milters + "\n")
    os.mkdir(os.path.join(directory, "root"))
    config = ConfigurationLoader(LoadOptions(
        load_paths=[directory, stock_dir], custom_directory=False, custom_xml=False,
        uid=1000, env={}, detector_root=os.path.join(directory, "root"),
        log=lambda level, message: None)).startup()
    if inline:
        # Measurement only: these stoppers do not block, but nothing proves it.
        runtime.runs_inline = lambda configuration, egg, stage: True
    manager = Manager(config, "inet:0@[127.0.0.1]", log=ManagerLog(CRITICAL | ERROR))
    manager.start()
    print(manager.port, flush=True)
    manager.run_forever()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--stock", choices=("own", "upstream"), default="own")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        ports, conditions, inline = args.serve.split("|")
        serve_manager(ports.split(","), args.stock,
                      [c for c in conditions.split(",") if c], inline == "1")
        return 0
    children = subprocess.Popen([sys.executable, os.path.join(HERE, "manager.py"),
                                 "--serve-children", "2"], stdout=subprocess.PIPE, text=True)
    ports = children.stdout.readline().split()
    print(f"{args.stock} stock files, 2 fast children, concurrency {args.concurrency}, "
          f"{args.duration:g} s per row")
    print(f"{'conditions':<42} {'msg/s':>7} {'cpu ms/msg':>10} {'p50 ms':>7} {'p99 ms':>7}")
    try:
        for label, conditions, inline in ROWS:
            spec = f"{','.join(ports)}|{','.join(conditions)}|{int(inline)}"
            manager = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                                        "--stock", args.stock, "--serve", spec],
                                       stdout=subprocess.PIPE, text=True)
            try:
                port = int(manager.stdout.readline())
                process = psutil.Process(manager.pid)
                run = Run(port, args.concurrency, args.duration, args.warmup)
                rate, latencies = run.go(lambda process=process: cpu_seconds(process))
                per_message = run.cpu / max(1, len(latencies))
                print(f"{label:<42} {rate:>7.0f} {per_message * 1000:>10.2f} "
                      f"{percentile(latencies, 0.5) * 1000:>7.2f} "
                      f"{percentile(latencies, 0.99) * 1000:>7.2f}", flush=True)
            finally:
                manager.terminate()
                manager.wait()
    finally:
        children.terminate()
        children.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
