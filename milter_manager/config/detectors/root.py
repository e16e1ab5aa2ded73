"""The detector root (detectors.md §2): every path a detector reads, tests or
executes is taken under ROOT, chroot-like, so tests run the detectors on a
fake `/etc` tree. Values reported in the configuration stay un-rooted.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Sequence

MAX_LINKS = 40          # as the kernel's ELOOP limit


class DetectorRoot:
    """Rooted file access: `exists`, `readable`, `executable`, `read_text`, `run`."""

    def __init__(self, root: str = "/") -> None:
        self.root = os.path.abspath(root or "/")

    def __repr__(self) -> str:
        return f"DetectorRoot({self.root!r})"

    def resolve(self, path: str) -> str | None:
        """The host path of PATH under the root, symbolic links followed with
        absolute targets re-rooted (§2); None on a link loop. A relative PATH
        (a value read from a file) is taken from the root directory."""
        pending = [part for part in path.split("/") if part]
        pending.reverse()
        resolved: list[str] = []
        hops = 0
        while pending:
            part = pending.pop()
            if part == ".":
                continue
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = os.path.join(self.root, *resolved, part)
            try:
                target = os.readlink(candidate)
            except OSError:          # not a link (or missing): keep the name
                resolved.append(part)
                continue
            hops += 1
            if hops > MAX_LINKS:
                return None
            if target.startswith("/"):
                resolved = []
            # The link's own parts replace it, resolved from here on.
            pending.extend(reversed([p for p in target.split("/") if p]))
        return os.path.join(self.root, *resolved) if resolved else self.root

    def exists(self, path: str) -> bool:
        real = self.resolve(path)
        return real is not None and os.path.exists(real)

    def readable(self, path: str) -> bool:
        """A readable non-directory."""
        real = self.resolve(path)
        return (real is not None and os.path.exists(real) and not os.path.isdir(real)
                and os.access(real, os.R_OK))

    def executable(self, path: str) -> bool:
        """A regular file with an execute bit for this process."""
        real = self.resolve(path)
        if real is None:
            return False
        try:
            info = os.stat(real)
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and os.access(real, os.X_OK)

    def which(self, name: str, search_path: str | None = None) -> str | None:
        """The un-rooted path of command NAME as a shell finds it: the first
        directory of SEARCH_PATH (default: $PATH, else the system default)
        where ROOT/DIR/NAME is executable. Relative entries are skipped."""
        if search_path is None:
            search_path = os.environ.get("PATH") or os.defpath
        for directory in search_path.split(":"):
            if not directory.startswith("/"):
                continue
            candidate = os.path.join(directory, name)
            if self.executable(candidate):
                return candidate
        return None

    def read_text(self, path: str) -> str | None:
        """UTF-8 text, invalid bytes replaced (detectors.md §5 [deviation]);
        None when the file is not readable."""
        if not self.readable(path):
            return None
        real = self.resolve(path)
        assert real is not None
        try:
            with open(real, "rb") as stream:
                return stream.read().decode("utf-8", "replace")
        except OSError:
            return None

    def run(self, path: str, arguments: Sequence[str], timeout: float) -> str | None:
        """Run the rooted command PATH with ARGUMENTS (stdin /dev/null,
        inherited environment); its standard output, or None when it cannot
        run, exits non-zero or outlives TIMEOUT seconds."""
        real = self.resolve(path)
        if real is None:
            return None
        try:
            # Its own process group, so a timeout also ends what it started
            # (a grandchild holding the pipe open would make us wait forever).
            process = subprocess.Popen([real, *arguments], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
        except OSError:
            return None
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, 9)
            except OSError:
                pass
            process.communicate()
            return None
        if process.returncode != 0:
            return None
        return output.decode("utf-8", "replace")
