"""`milter-performance-check` (tools.md §3); the console script calls `main`."""

from .main import main

__all__ = ["main"]
