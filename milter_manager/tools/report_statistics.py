"""Placeholder until the companion-tools issue fills this command in."""

import sys

from milter_manager._not_implemented import main

if __name__ == "__main__":
    sys.exit(main())
