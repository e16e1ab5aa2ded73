"""Stress detection behind `Milter::Manager::Breaker` (ruby-subset.md §9.9).

The threshold is detected lazily (at first use, never at load time) and
once per Breaker, i.e. once per load cycle: 3/4 of the Postfix smtpd process
limit, found from the running master process (the process table through
psutil, no `ps` subprocess), `postconf` and `master.cf`; 0 (never stressed)
otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable

_ASSIGNMENT = re.compile(r"\A(\w+)\s*=\s*(.+)\s*\Z")


def process_command_lines() -> list[str]:
    """Every process's command line as `ps ax` shows it (arguments joined
    with spaces), in pid order; kernel threads (no command line) left out."""
    import psutil
    lines = []
    for process in psutil.process_iter(["cmdline"]):
        arguments = process.info.get("cmdline")
        if arguments:
            lines.append(" ".join(arguments))
    return lines


def _postconf_path(master_command: str) -> str:
    match = re.search(r"(\S*?)/(?:lib|libexec)/postfix/master", master_command)
    if match and match.group(1):
        candidate = f"{match.group(1)}/sbin/postconf"
        if os.access(candidate, os.X_OK):
            return candidate
    return "postconf"


def _postconf(command: str) -> dict[str, str]:
    try:
        output = subprocess.run([command], capture_output=True, text=True, timeout=30,
                                env={**os.environ, "LANG": "C"}, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    values = {}
    for line in output.splitlines():
        match = _ASSIGNMENT.match(line)
        if match:
            values[match.group(1)] = match.group(2).strip()
    return values


def _smtp_maxproc(master_cf: str) -> str | None:
    try:
        with open(master_cf, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                if line.lstrip().startswith("#"):
                    continue
                fields = line.split()
                if fields and fields[0] == "smtp" and len(fields) >= 7:
                    return fields[6]
    except OSError:
        pass
    return None


def detect_threshold(log: Callable[[int, str], None] | None = None,
                     command_lines: Callable[[], list[str]] = process_command_lines) -> int:
    from milter_manager.config import log_level
    lines = command_lines()
    master = next((line for line in lines
                   if re.search("master", line, re.IGNORECASE) and re.search("postfix", line, re.IGNORECASE)),
                  None)
    if master is not None:
        values = _postconf(_postconf_path(master))
        limit: int | None = None
        default = values.get("default_process_limit")
        directory = values.get("config_directory")
        maxproc = _smtp_maxproc(os.path.join(directory, "master.cf")) if directory else None
        text = default if maxproc in (None, "-") else maxproc
        if text is not None and text.isdigit():
            limit = int(text)
        threshold = (limit * 3) // 4 if limit else 0
        if log is not None:
            log(log_level.INFO, f"[breaker][detect][threshold][postfix] <{threshold}>")
        return threshold
    if any("sendmail: sever" in line for line in lines):
        if log is not None:
            log(log_level.INFO, "[breaker][detect][threshold][sendmail] <0>")
        return 0
    if log is not None:
        log(log_level.ERROR, "[breaker][detect][error][threshold] can't detect MTA")
    return 0


class Breaker:
    def __init__(self, log: Callable[[int, str], None] | None = None) -> None:
        self._log = log
        self._threshold: int | None = None

    @property
    def threshold_n_connections(self) -> int:
        if self._threshold is None:
            self._threshold = detect_threshold(self._log)
        return self._threshold

    @threshold_n_connections.setter
    def threshold_n_connections(self, value: int) -> None:
        self._threshold = value

    def stressing(self, n_processing_sessions: int) -> bool:
        threshold = self.threshold_n_connections
        return threshold != 0 and threshold <= n_processing_sessions
