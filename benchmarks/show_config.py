"""Start-up time of `milter-manager --show-config` on the stock configuration.

Measures process start to exit (wall clock) of
`python -m milter_manager.cli.main --show-config` with the embedded stock
configuration copied into a temporary configuration directory (platform
debian, no detectable milter, the detector root an empty directory), next to
`python -c pass` on the same interpreter. Prints the median and the minimum
of each over N runs (after one run that fills the parsed-file cache,
`config/dsl/astcache.py`). Target (issue 4): under 300 ms wall.

Run: .venv/bin/python benchmarks/show_config.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, check=False)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"{' '.join(command)} failed: {result.stderr.decode()}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    from milter_manager.config.loader import data_dir

    with tempfile.TemporaryDirectory() as work:
        config_dir = os.path.join(work, "etc")
        shutil.copytree(data_dir(), config_dir)
        empty_root = os.path.join(work, "root")
        os.mkdir(empty_root)
        # As installed: byte-code caches written (PYTHONDONTWRITEBYTECODE
        # unset), the parsed-file cache warm after the first run.
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("MILTER_") and key != "PYTHONDONTWRITEBYTECODE"}
        env["MILTER_MANAGER_DETECTOR_ROOT"] = empty_root
        env["PYTHONPATH"] = ROOT
        python = sys.executable
        command = [python, "-m", "milter_manager.cli.main", "-c", config_dir, "--show-config"]
        first = measure(command, env, 1)
        baseline = measure([python, "-c", "pass"], env, args.runs)
        show = measure(command, env, args.runs)
    print(f"{'first run (cold parse cache)':32} {first[0] * 1000:7.1f} ms")
    for label, times in (("python -c pass", baseline),
                         ("milter-manager --show-config", show)):
        print(f"{label:32} median {statistics.median(times) * 1000:7.1f} ms   "
              f"min {min(times) * 1000:7.1f} ms   ({args.runs} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
