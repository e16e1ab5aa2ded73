"""clamd with a one-line signature database, and clamav-milter in front of it
(real-components.md §7.2). No freshclam, no official database, no network.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .files import chown_tree
from .ports import free_port
from .process import ManagedProcess
from .waiting import wait_tcp, wait_unix

# A body containing this text is "infected": the database holds one
# signature for it (target 0 = any file, offset * = anywhere).
MARKER = "PORT-TEST-MALWARE-MARKER-7f3a9c"
SIGNATURE_NAME = "TestSig.Marker"
# clamd reports signatures from a non-official database with this suffix.
DETECTED_NAME = f"{SIGNATURE_NAME}.UNOFFICIAL"
# clamav-milter's RejectMsg: "%v" becomes the virus name. Set explicitly so
# the test knows the reply text the MTA must pass on.
REJECT_MESSAGE = "Rejected: infected by %v"

CLAMD_TIMEOUT = 60.0  # §2: 0.4 s to 5 s observed
MILTER_TIMEOUT = 20.0


def signature_line() -> str:
    return f"{SIGNATURE_NAME}:0:*:{MARKER.encode().hex()}\n"


class ClamAV:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.socket = workdir / "clamd.sock"
        self.clamd = ManagedProcess(
            "clamd", ["clamd", "-c", workdir / "clamd.conf"],
            output=workdir / "clamd.out", logs=[workdir / "clamd.log"])
        self.milter = ManagedProcess(
            "clamav-milter", ["clamav-milter", "-c", workdir / "clamav-milter.conf"],
            output=workdir / "milter.out", logs=[workdir / "milter.log"])

    @property
    def logs(self) -> list[Path]:
        return [*self.milter.logs, *self.clamd.logs]

    def write_config(self) -> None:
        w = self.workdir
        (w / "db").mkdir(parents=True, exist_ok=True)
        (w / "db" / "test.ndb").write_text(signature_line())
        (w / "clamd.conf").write_text(
            f"LocalSocket {self.socket}\n"
            f"DatabaseDirectory {w / 'db'}\n"
            "Foreground yes\n"
            f"LogFile {w / 'clamd.log'}\n"
            "User clamav\n"
            f"PidFile {w / 'clamd.pid'}\n"
            f"TemporaryDirectory {w}\n")
        (w / "clamav-milter.conf").write_text(
            f"MilterSocket inet:{self.port}@127.0.0.1\n"
            f"ClamdSocket unix:{self.socket}\n"
            "Foreground yes\n"
            f"LogFile {w / 'milter.log'}\n"
            "User clamav\n"
            "OnInfected Reject\n"
            "OnFail Defer\n"
            "AddHeader Replace\n"
            f'RejectMsg "{REJECT_MESSAGE}"\n'
            f"PidFile {w / 'milter.pid'}\n")
        # Both daemons drop to clamav and must still reach their files (§7.2).
        chown_tree(w, "clamav")

    def start(self) -> ClamAV:
        self.write_config()
        self.clamd.start()
        wait_unix(self.socket, timeout=CLAMD_TIMEOUT, proc=self.clamd, logs=self.clamd.logs)
        self.milter.start()
        wait_tcp(self.port, timeout=MILTER_TIMEOUT, proc=self.milter, logs=self.logs)
        return self

    @property
    def processes(self) -> list[ManagedProcess]:
        """In stop order: the milter before the daemon it talks to."""
        return [self.milter, self.clamd]

    def stop(self) -> None:
        self.milter.stop()
        self.clamd.stop()

    @property
    def version(self) -> str:
        """clamav-milter's version as it writes it into X-Virus-Scanned."""
        out = subprocess.run(["clamav-milter", "--version"], check=True, capture_output=True,
                             text=True, timeout=30).stdout
        match = re.fullmatch(r"clamav-milter (\S+)\n?", out)
        assert match, f"unexpected clamav-milter --version output: {out!r}"
        return match.group(1)

    def assert_stopped(self) -> None:
        self.milter.assert_stopped()
        self.clamd.assert_stopped()
