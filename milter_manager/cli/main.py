"""`milter-manager` command line (the daemon issue completes it)."""

import sys

from milter_manager import VERSION


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for arg in argv:
        if arg == "--version":
            sys.stdout.write(f"milter-manager {VERSION}\n")
            return 0
    sys.stderr.write("milter-manager: not implemented yet\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
