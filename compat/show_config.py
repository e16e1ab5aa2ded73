"""Run our `--show-config` on every golden of `../shared/upstream/show-config/`.

Each case is loaded as the golden's README says (show-config.md §8: explicit
load paths, no custom directory, the profile/uid/detector root of the case),
dumped with the same dumper as `milter-manager --show-config` and compared
line by line with the placeholder rules. One line per case, then
`N passed, M failed`. The `stock-debian-this-host*` goldens run the Debian
detectors on the fixture root of detectors.md §9.3, which
`milter_manager.config.detectors.fixture_root` builds in a temporary
directory (with and without `usr/bin/rspamadm`).

Run: .venv/bin/python compat/show_config.py [-v] [NAME ...]
Exit status 0 when every case passed.
"""

from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, ROOT)
    from milter_manager.config.golden import CLEARED_ENV, golden_cases, run_case

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print the differing lines of failed cases")
    parser.add_argument("names", nargs="*", help="only these cases")
    args = parser.parse_args(argv)
    # Ruby code of the fixtures reads ENV (manager/default.conf).
    for name in CLEARED_ENV:
        os.environ.pop(name, None)
    passed = failed = 0
    for case in golden_cases(SHARED):
        if args.names and case.name not in args.names:
            continue
        _, problems = run_case(case, SHARED)
        if problems:
            failed += 1
            print(f"FAIL {case.name}: {problems[0]}"
                  + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""))
            if args.verbose:
                for problem in problems[1:]:
                    print(f"     {problem}")
        else:
            passed += 1
            print(f"ok   {case.name}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
