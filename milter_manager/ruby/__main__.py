"""`python -m milter_manager.ruby FILE [ARGS...]`: run a Ruby program like
`ruby FILE` (`ruby-subset.md` §11)."""

from __future__ import annotations

import sys

from .runner import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
