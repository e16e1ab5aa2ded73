"""Entry point for commands whose issue has not landed yet."""

import os
import sys


def main() -> int:
    name = os.path.basename(sys.argv[0]) or "command"
    sys.stderr.write(f"{name}: not implemented yet\n")
    return 1
