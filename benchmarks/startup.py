"""Start-up time: the daemon until it serves, `--show-config`, the parser.

1. `milter-manager --no-daemon` on the embedded stock configuration (copied
   to a temporary directory, platform debian, empty detector root) until its
   pid file exists (written when it listens and serves, cli.md §4), then
   SIGTERM; with the parsed-file cache warm and with no usable cache
   directory at all (`XDG_CACHE_HOME` unusable: a daemon user without a
   home).
2. `milter-manager --show-config` the same two ways.
3. In-process: building the Ruby parser from the grammar (what every start
   paid without a private cache) against loading the tables shipped in the
   package.

    .venv/bin/python benchmarks/startup.py [--runs 7]

Byte-code caches on (PYTHONDONTWRITEBYTECODE unset), as installed by pip.
Targets: `--show-config` under 300 ms (issue 4).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import free_port, machine


def environment(work: Path, cache: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MILTER_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["MILTER_MANAGER_DETECTOR_ROOT"] = str(work / "root")
    env["PYTHONPATH"] = str(ROOT)
    if not cache:
        env["XDG_CACHE_HOME"] = "/proc/no-cache-here"     # mkdir fails, even for root
    return env


def time_show_config(work: Path, cache: bool, runs: int) -> list[float]:
    command = [sys.executable, "-m", "milter_manager.cli.main", "-c", str(work / "etc"),
               "--show-config"]
    env = environment(work, cache)
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)   # fills caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def time_daemon(work: Path, cache: bool, runs: int) -> list[float]:
    env = environment(work, cache)
    times = []
    for _ in range(runs + 1):
        pid_file = work / "manager.pid"
        command = [sys.executable, "-m", "milter_manager.cli.main", "-c", str(work / "etc"),
                   "--no-daemon", "-s", f"inet:{free_port()}@127.0.0.1",
                   "--pid-file", str(pid_file), "--log-path", str(work / "manager.log"),
                   "--user-name", "root" if os.geteuid() == 0 else os.environ.get("USER", "")]
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        while not pid_file.exists():
            if process.poll() is not None:
                sys.exit(f"milter-manager exited: {process.stderr.read().decode()}")
            time.sleep(0.002)
        times.append(time.perf_counter() - start)
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    return times[1:]      # the first run fills the byte-code and parsed-file caches


def parser_times() -> tuple[float, float]:
    code = ("import time, sys\n"
            "from milter_manager.ruby import parser, parser_tables\n"
            "from milter_manager.ruby.ast_builder import ASTBuilder\n"
            "t = time.perf_counter()\n"
            "p = parser_tables.load(parser.grammar_text(), parser._ThreadLexer, ASTBuilder())\n"
            "assert p is not None\n"
            "shipped = time.perf_counter() - t\n"
            "t = time.perf_counter()\n"
            "parser.build_parser(cache=False)\n"
            "print(shipped, time.perf_counter() - t)\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def summary(times: list[float]) -> str:
    return (f"median {statistics.median(times) * 1000:7.1f} ms   "
            f"min {min(times) * 1000:7.1f} ms   ({len(times)} runs)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from milter_manager.config.loader import data_dir
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="mm-startup-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        shutil.copytree(data_dir(), work / "etc")
        (work / "root").mkdir()
        baseline = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            baseline.append(time.perf_counter() - start)
        rows = [("python -c pass", baseline)]
        for cache in (True, False):
            label = "caches warm" if cache else "no cache directory"
            rows.append((f"--show-config, {label}", time_show_config(work, cache, args.runs)))
            rows.append((f"daemon ready, {label}", time_daemon(work, cache, args.runs)))
        for label, times in rows:
            print(f"{label:40} {summary(times)}")
    shipped, built = parser_times()
    print(f"{'Ruby parser from the shipped tables':40} {shipped * 1000:7.1f} ms")
    print(f"{'Ruby parser built from the grammar':40} {built * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
