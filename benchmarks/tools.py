"""Companion tools: milter-performance-check's own speed and the log analyzer's.

    .venv/bin/python benchmarks/tools.py [--mails 2000] [--lines 200000]

1. milter-performance-check against an aiosmtpd sink in its own process, at
   1, 8 and 32 concurrent sessions (one event loop) and with 2 workers: the
   tool's reported throughput, and its CPU time per mail.
2. milter-manager-log-analyzer: counting `--lines` syslog statistics lines
   (no graphs) and drawing every graph of a store with two milters.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SINK = """
import asyncio, sys
from aiosmtpd.controller import Controller
class H:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def performance_check(mails: int) -> None:
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert sink.stdout.readline() == "ready\n"
    try:
        for concurrency, workers in ((1, 1), (8, 1), (32, 1), (16, 2)):
            before = children_cpu()
            done = subprocess.run(
                [sys.executable, "-m", "milter_manager.tools.performance_check",
                 "--smtp-server=127.0.0.1", f"--smtp-port={port}", f"--n-mails={mails}",
                 f"--n-concurrent-connections={concurrency}", f"--n-workers={workers}"],
                capture_output=True, text=True, check=True)
            cpu = children_cpu() - before
            throughput = re.search(r"Throughput: +([\d.]+)", done.stdout).group(1)
            errors = re.search(r"Error: +(\d+)", done.stdout).group(1)
            total = mails * workers
            print(f"performance-check  concurrency {concurrency:3d} x {workers} worker(s): "
                  f"{throughput:>8} mails/s, {cpu / total * 1e3:6.2f} ms CPU/mail "
                  f"(errors {errors})")
    finally:
        sink.stdin.close()
        sink.wait()


def log_analyzer(lines: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "mail.log"
        start = 1795597200  # 2026-11-25T09:00:00Z
        with log.open("w") as stream:
            for index in range(lines // 4):
                moment = time.gmtime(start + index * 3 * 86400 // (lines // 4))  # over 3 days
                stamp = time.strftime("%b %d %H:%M:%S", moment)
                prefix = f"{stamp} mx.example.com milter-manager[1]: [statistics] "
                stream.write(
                    f"{prefix}[milter][header][add]({index}): <X-Spam-Flag>=<YES>: spamass\n"
                    f"{prefix}[session][end][end-of-message][pass][0.01]({index})\n"
                    f"{prefix}[milter][end][end-of-message][pass][0.01]({index}): spamass\n"
                    f"{prefix}[milter][end][end-of-message][pass][0.01]({index}): clamav\n")
        out = Path(directory) / "out"
        env = dict(os.environ, TZ="UTC")
        now = "2026-11-30T00:00:00Z"
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "milter_manager.tools.log_analyzer",
                        f"--log={log}", f"--output-directory={out}", f"--now={now}",
                        "--image-format=png"], check=True, env=env)
        counting = time.monotonic() - started
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "milter_manager.tools.log_analyzer",
                        "--no-update-db", f"--output-directory={out}", f"--now={now}"],
                       check=True, env=env)
        drawing = time.monotonic() - started
        print(f"log-analyzer       {lines} lines read, counted and 24 PNGs drawn: "
              f"{counting:.2f} s; redraw of 24 graphs as PNG + SVG: {drawing:.2f} s")
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "milter_manager.tools.log_analyzer",
                        f"--log={log}", f"--output-directory={out}", f"--now={now}",
                        "--image-format=png"], check=True, env=env)
        print(f"log-analyzer       next cron run on the same log (read positions): "
              f"{time.monotonic() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=200000)
    args = parser.parse_args()
    performance_check(args.mails)
    log_analyzer(args.lines)


if __name__ == "__main__":
    main()
