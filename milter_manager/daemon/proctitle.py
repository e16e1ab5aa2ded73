"""Process names (cli.md §15): the kernel name is `milter-manager` in every
process (so `pgrep milter-manager` finds them); the title, when the optional
`setproctitle` module is installed, tells the worker and the launcher apart."""

from __future__ import annotations

import ctypes
import ctypes.util

PR_SET_NAME = 15
NAME = b"milter-manager"


def set_process_name(title: str | None = None) -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_NAME, ctypes.c_char_p(NAME[:15]), 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if title is None:
        return
    try:
        import setproctitle  # type: ignore[import-not-found]
    except ImportError:
        return
    setproctitle.setproctitle(title)
