"""Manager throughput and added latency (the manager issue's benchmark).

An in-process load generator (harness.py's Run) runs many concurrent MTA sessions on one event
loop against the manager, which runs in its own process pinned to one CPU
and fans out to 2 fast test children (another process) on loopback. Each
session is O C H M R T, 20 headers, N, one body chunk (10 KiB message in
all), E, Q. The same load is also run against one child directly; the
difference of the per-message latencies (MAIL sent → end-of-message reply)
is the latency the manager adds.

    .venv/bin/python benchmarks/manager.py [--duration 5] [--concurrency 1,8,64]

Targets (manager issue): ≥ 500 messages/s at concurrency 8 on one core, p50
added latency ≤ 2 ms (later: ≥ 1,000 messages/s, ≤ 0.5 ms).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from types import SimpleNamespace

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from harness import N_HEADERS, FastChild, Run, cpu_seconds, message_frames, percentile

from milter_manager.manager.listener import Listener, listen_socket
from milter_manager.manager.loop import EventLoop
from milter_manager.protocol import REPLIES, FrameReader

MESSAGE_SIZE = 10 * 1024


def pin(cpus: set[int] | None) -> None:
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cpus)


def serve_children(n: int, cpus: set[int] | None) -> None:
    pin(cpus)
    loop = EventLoop()
    ports = []
    for _ in range(n):
        sock, bound = listen_socket("inet:0@[127.0.0.1]")
        listener = Listener(loop, sock, bound, lambda c, a: FastChild(loop, c))
        listener.start()
        ports.append(str(listener.port))
    print(" ".join(ports), flush=True)
    loop.run_forever()


class PassStopper:
    """A stopper that never stops; `inline` says whether it may run on the loop."""

    def __init__(self, inline: bool) -> None:
        self.inline = inline

    def __call__(self, context, *args):
        return False


class EveryStage:
    """An applicable condition with a pass-through stopper at every stage."""

    name = "benchmark"

    def __init__(self, inline: bool) -> None:
        self.stopper = PassStopper(inline)

    def stoppers_for(self, stage: str) -> list:
        return [self.stopper]


def serve_manager(ports: list[str], cpu: int | None, backend: str | None,
                  stoppers: str) -> None:
    from milter_manager.manager import Manager, ManagerLog
    from milter_manager.manager.log import CRITICAL, ERROR
    pin({cpu} if cpu is not None else None)
    conditions = [] if stoppers == "none" else [EveryStage(stoppers == "inline")]
    eggs = [SimpleNamespace(name=f"child{i}", connection_spec=f"inet:{port}@127.0.0.1",
                            enabled=True, applicable_conditions=conditions)
            for i, port in enumerate(ports)]
    conf = SimpleNamespace(manager=SimpleNamespace(), eggs=eggs)
    manager = Manager(conf, "inet:0@[127.0.0.1]", log=ManagerLog(CRITICAL | ERROR),
                      event_loop_backend=backend)
    manager.start()
    print(manager.port, flush=True)
    manager.run_forever()


# -- load generator ------------------------------------------------------------------------

def idle_rss(port: int, process: psutil.Process, n: int) -> int:
    """Open `n` sessions that stop after HELO and stay idle; the manager's RSS."""
    before, _ = message_frames(MESSAGE_SIZE)
    socks = []
    for _ in range(n):
        sock = socket.create_connection(("127.0.0.1", port))
        socks.append(sock)
        reader = FrameReader(REPLIES)
        for command in before:
            sock.sendall(command)
            while not reader.feed(sock.recv(65536)):
                pass
    time.sleep(0.5)
    rss = process.memory_info().rss
    for sock in socks:
        sock.close()
    time.sleep(0.5)
    return rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", default="1,8,64")
    parser.add_argument("--manager-cpu", type=int, default=0,
                        help="the CPU the manager process is pinned to")
    parser.add_argument("--isolate", action="store_true",
                        help="also keep the children and the load generator off that CPU "
                             "(on a VM, cross-CPU wakeups can then dominate the latency)")
    parser.add_argument("--backend", choices=("glib", "libev"), default="glib",
                        help="the manager's event loop backend (poll / epoll)")
    parser.add_argument("--stoppers", choices=("none", "threads", "inline"), default="none",
                        help="give both milters a stopper at every stage, run on the "
                             "worker threads or inline on the loop (manager.md §12)")
    parser.add_argument("--idle", type=int, default=1000,
                        help="idle sessions for the memory figure (0: skip)")
    parser.add_argument("--serve-children", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-manager", help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # The manager gets a CPU of its own; the children and the load generator
    # share the others, so they never preempt it.
    all_cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    others = ((all_cpus - {args.manager_cpu}) or None) if args.isolate else None
    if args.serve_children:
        serve_children(args.serve_children, others)
        return 0
    if args.serve_manager:
        serve_manager(args.serve_manager.split(","), args.cpu, args.backend, args.stoppers)
        return 0

    pin(others)
    me = [sys.executable, os.path.abspath(__file__)]
    children = subprocess.Popen([*me, "--serve-children", "2"], stdout=subprocess.PIPE, text=True)
    ports = children.stdout.readline().split()
    manager = subprocess.Popen([*me, "--serve-manager", ",".join(ports),
                                "--cpu", str(args.manager_cpu), "--backend", args.backend,
                                "--stoppers", args.stoppers],
                               stdout=subprocess.PIPE, text=True)
    manager_port = int(manager.stdout.readline())
    print(f"manager on one CPU ({args.manager_cpu}), 2 fast children, "
          f"{MESSAGE_SIZE // 1024} KiB message with {N_HEADERS} headers, "
          f"{args.duration:g} s per run")
    print("capacity = messages per second of the manager's own CPU time (user + system),")
    print("i.e. what it would sustain on one core of its own; rate = what this machine did.")
    print(f"{'concurrency':>11} {'direct msg/s':>12} {'manager msg/s':>13} {'capacity':>8} "
          f"{'cpu ms/msg':>10} {'p50 added ms':>12} {'p99 added ms':>12} "
          f"{'manager p50/p99 ms':>18}")
    process = psutil.Process(manager.pid)
    rss_before = process.memory_info().rss
    marks: list[float] = []       # the manager's CPU seconds when measuring starts and stops

    def mark() -> None:
        marks.append(sum(cpu_seconds([process])))
    try:
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            direct = Run((socket.AF_INET, ("127.0.0.1", int(ports[0]))), concurrency,
                         MESSAGE_SIZE, args.duration, args.warmup).go()
            marks.clear()
            run = Run((socket.AF_INET, ("127.0.0.1", manager_port)), concurrency, MESSAGE_SIZE,
                      args.duration, args.warmup).go(on_start=mark, on_stop=mark)
            via = run.latencies
            cpu_per_message = (marks[1] - marks[0]) / max(1, len(via))
            p50 = percentile(via, 0.5) - percentile(direct.latencies, 0.5)
            p99 = percentile(via, 0.99) - percentile(direct.latencies, 0.99)
            print(f"{concurrency:>11} {direct.rate:>12.0f} {run.rate:>13.0f} "
                  f"{1 / cpu_per_message:>8.0f} {cpu_per_message * 1000:>10.2f} "
                  f"{p50 * 1000:>12.2f} {p99 * 1000:>12.2f} "
                  f"{percentile(via, 0.5) * 1000:>8.2f}/{percentile(via, 0.99) * 1000:.2f}",
                  flush=True)
        if args.idle:
            print(f"{args.idle} idle sessions (negotiated, connected, 2 children each): "
                  f"manager RSS {idle_rss(manager_port, process, args.idle) / 1048576:.1f} MiB "
                  f"(before: {rss_before / 1048576:.1f} MiB)")
    finally:
        manager.terminate()
        children.terminate()
        manager.wait()
        children.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
