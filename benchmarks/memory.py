"""Memory of the manager: idle sessions held, and growth over many sessions.

1. `--idle N` MTA sessions are opened against the real daemon (2 fast
   children each, so 3 sockets per session in the manager) and stopped after
   HELO: negotiated, connected, waiting. The manager's RSS is read with them
   all open, and again after they closed.
2. `--sessions N` whole sessions (a 2 KiB message each, 20 headers, by
   `--concurrency` concurrent MTA connections) run through the same daemon;
   RSS is sampled every N/10 sessions. A leak shows as a steady climb; the
   figure reported is the growth from the first sample (taken after a warm-up
   of N/10 sessions, when allocator pools and caches are filled) to the last.

    .venv/bin/python benchmarks/memory.py [--idle 1000] [--sessions 100000]
        [--concurrency 32] [--transport inet]

Targets (performance issue): 1,000 concurrent sessions under 150 MiB RSS; no
growth over 100,000 sessions.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Children, Daemon, Run, machine, message_frames, raise_nofile

from milter_manager.protocol import REPLIES, FrameReader

MiB = 1048576


def hold_idle(daemon: Daemon, n: int) -> tuple[float, float]:
    """RSS (MiB) with `n` sessions open after HELO, and after they closed."""
    before, _ = message_frames(2048)
    family, address = daemon.address()
    socks = []
    for _ in range(n):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.connect(address)
        socks.append(sock)
        reader = FrameReader(REPLIES)
        for frame in before:
            sock.sendall(frame)
            while not reader.feed(sock.recv(65536)):
                pass
    time.sleep(1.0)
    held = daemon.rss() / MiB
    for sock in socks:
        sock.close()
    time.sleep(1.0)
    return held, daemon.rss() / MiB


def growth(daemon: Daemon, sessions: int, concurrency: int) -> list[tuple[int, float, float]]:
    """(sessions done, RSS MiB, seconds) every sessions/10."""
    step = max(1, sessions // 10)
    samples = []
    done = 0
    started = time.perf_counter()
    # One Run per step: the generator's own state does not grow either.
    while done < sessions + step:
        run = Run(daemon.address(), concurrency, 2048, duration=0, warmup=0)
        _run_count(run, step)
        done += len(run.latencies)
        time.sleep(0.2)
        samples.append((done, daemon.rss() / MiB, time.perf_counter() - started))
        print(f"  {done:>7} sessions: RSS {samples[-1][1]:6.1f} MiB "
              f"({samples[-1][2]:.0f} s)", flush=True)
    return samples


def _run_count(run: Run, count: int) -> None:
    """Run sessions until `count` messages were answered."""
    from harness import Session
    run.measuring = True
    sessions = [Session(run) for _ in range(run.concurrency)]
    run.loop.run_until(lambda: len(run.latencies) >= count, timeout=3600)
    run.running = False
    run.loop.run_until(lambda: all(s.stream.closed for s in sessions), timeout=30)
    for session in sessions:
        session.stream.close()
    run.loop.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=100000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--transport", choices=("inet", "unix"), default="inet")
    args = parser.parse_args()
    raise_nofile()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="mm-memory-") as work:
        Path(work).chmod(0o755)
        children = Children(2, Path(work), args.transport)
        daemon = Daemon(children.specs, args.workers, args.transport)
        try:
            start_rss = daemon.rss() / MiB
            print(f"manager RSS after start-up: {start_rss:.1f} MiB "
                  f"(n_workers={args.workers}, 2 children, {args.transport})")
            if args.idle:
                held, after = hold_idle(daemon, args.idle)
                print(f"{args.idle} idle sessions held (negotiated, connected, HELO; "
                      f"{args.idle * 3} sockets): RSS {held:.1f} MiB; after they closed: "
                      f"{after:.1f} MiB")
            if args.sessions:
                print(f"{args.sessions} sessions, 2 KiB message each, concurrency "
                      f"{args.concurrency}:")
                samples = growth(daemon, args.sessions, args.concurrency)
                first, last = samples[1] if len(samples) > 2 else samples[0], samples[-1]
                print(f"growth from {first[0]} to {last[0]} sessions: "
                      f"{last[1] - first[1]:+.1f} MiB ({first[1]:.1f} -> {last[1]:.1f} MiB); "
                      f"{last[0] / last[2]:.0f} sessions/s")
        finally:
            daemon.close()
            children.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
