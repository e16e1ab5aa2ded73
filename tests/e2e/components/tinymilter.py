"""The tiny test milter as a subprocess (real-components.md §5)."""

from __future__ import annotations

import ast
import sys
from collections.abc import Sequence
from pathlib import Path

from .ports import free_port
from .process import ManagedProcess
from .waiting import wait_tcp

SERVER = Path(__file__).with_name("tinymilter_server.py")
DEFAULT_HEADER = ("X-Tiny-Milter", "seen-by-tinymilter")
START_TIMEOUT = 10.0


class TinyMilter:
    """A tiny milter on a free loopback port that adds `headers` at
    end-of-message and accepts."""

    def __init__(self, workdir: Path, *, name: str = "tiny",
                 headers: Sequence[tuple[str, str]] = (DEFAULT_HEADER,),
                 eom_delay: float = 0.0) -> None:
        self.name = name
        self.port = free_port()
        self.headers = list(headers)
        self.command_log = workdir / f"{name}.commands"
        argv: list[str | Path] = [sys.executable, SERVER, str(self.port), self.command_log]
        for header_name, value in self.headers:
            argv += ["--header", header_name, value]
        if eom_delay:
            argv += ["--eom-delay", str(eom_delay)]
        self.process = ManagedProcess(f"tinymilter:{name}", argv,
                                      output=workdir / f"{name}.out", logs=[self.command_log])

    @property
    def logs(self) -> list[Path]:
        return self.process.logs

    def start(self) -> TinyMilter:
        self.process.start()
        wait_tcp(self.port, timeout=START_TIMEOUT, proc=self.process, logs=self.logs)
        return self

    def stop(self) -> None:
        self.process.stop()

    def commands(self) -> list[tuple[int, str, bytes]]:
        """(connection number, command letter, first bytes of the data) for
        every command received so far."""
        result = []
        for line in self.command_log.read_text().splitlines():
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[0].isdigit() and len(parts[1]) == 1:
                result.append((int(parts[0]), parts[1], ast.literal_eval(parts[2])))
        return result
