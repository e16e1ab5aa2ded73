"""Replay scenario files over real loopback sockets against our manager.

A fake MTA drives the manager under test on the wire; the children are real
scenario test milters (`python -m milter_manager.testing`). Any scenario file
in the upstream formats runs: leader, `children/` and `manager/`
(../shared/spec/scenarios.md). One line per file, in the order given:

    PASS <file>
    FAIL <file>: [<group>] <first difference>
    OMIT <file>: <reason>

then `N passed, M failed, K omitted`. Exit status 0 iff nothing failed.

Run: .venv/bin/python compat/scenarios.py [--root ROOT] [--mode in-process|process]
         [--jobs N] [-v] [FILE...]
With no FILE: every *.txt of ROOT/test/fixtures/leader/.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = PROJECT / ".." / "shared" / "upstream"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(PROJECT))
    from milter_manager.testing.harness.runner import (
        FAIL,
        RunnerOptions,
        default_files,
        default_jobs,
        run_files,
        summary,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None,
                        help="the upstream tree (default: derived from each file's place "
                             "in ROOT/test/fixtures/<set>/, else ../shared/upstream)")
    parser.add_argument("--mode", choices=("in-process", "process"), default="in-process",
                        help="manager in this process (default) or the milter-manager daemon")
    parser.add_argument("--jobs", "-j", type=int, default=default_jobs(),
                        help="scenarios run in parallel on remapped ports (default: CPUs); "
                             "1 runs serially on the corpus's own ports")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="debug-level manager log in the diagnostics of failures")
    parser.add_argument("--timing", action="store_true", help="print each scenario's time")
    parser.add_argument("files", nargs="*", help="scenario files")
    args = parser.parse_args(argv)

    files = args.files or default_files((args.root or DEFAULT_ROOT).resolve())
    options = RunnerOptions(root=args.root.resolve() if args.root else None, mode=args.mode,
                            jobs=max(1, args.jobs), verbose=args.verbose)
    started = time.monotonic()
    outcomes = []
    for outcome in run_files(files, options):
        outcomes.append(outcome)
        line = outcome.line()
        if args.timing:
            line += f" ({outcome.seconds:.2f} s)"
        print(line, flush=True)
        if outcome.result == FAIL and outcome.diagnostics:
            print(_indent(outcome.diagnostics), flush=True)
    if args.timing:
        print(f"total {time.monotonic() - started:.1f} s with --jobs {options.jobs}")
    print(summary(outcomes))
    return 1 if any(outcome.result == FAIL for outcome in outcomes) else 0


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip("\n").splitlines())


if __name__ == "__main__":
    sys.exit(main())
