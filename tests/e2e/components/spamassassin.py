"""spamd (SpamAssassin, local tests only) and spamass-milter in front of it
(real-components.md §7.3)."""

from __future__ import annotations

import math
import re
from pathlib import Path

from .ports import free_ports
from .process import ManagedProcess
from .waiting import wait_tcp

# The Generic Test for Unsolicited Bulk Email: SpamAssassin scores a body
# containing it 1000 (shown as 999.0 after the ALL_TRUSTED bonus).
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
# spamass-milter -r: reject at or above this score.
REJECT_SCORE = 15
# spamass-milter's reply to a rejected message (man spamass-milter: -R
# default text, -C default extended code 5.7.1).
REJECT_CODE = 550
REJECT_TEXT = "5.7.1 Blocked by SpamAssassin"

_SCORE = re.compile(rb"^X-Spam-Status: (?:Yes|No), score=(-?\d+\.\d) ")


def spam_header_names(status_field: bytes) -> list[bytes]:
    """The header fields spamass-milter appends to a message below the
    reject threshold, in its order, given the X-Spam-Status field it added.

    X-Spam-Level is SpamAssassin's `_STARS(*)_` template, one star per whole
    point: empty below a score of 1, and an empty header is not added. The
    score depends on the clock (the DATE_IN_PAST_* rules look at the fixed
    Date of the test mails), so the expectation follows the score."""
    match = _SCORE.match(status_field)
    assert match, f"not an X-Spam-Status field: {status_field!r}"
    stars = math.floor(float(match.group(1)))
    level = [b"X-Spam-Level"] if stars >= 1 else []
    return [b"X-Spam-Status", *level, b"X-Spam-Checker-Version"]


SPAMD_TIMEOUT = 60.0  # §2: ≈ 1.4 s to listen
MILTER_TIMEOUT = 20.0


class SpamAssassin:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.spamd_port, self.port = free_ports(2)
        self.spamd = ManagedProcess(
            "spamd",
            ["spamd", f"--listen=127.0.0.1:{self.spamd_port}",
             "-L",                       # local tests only: no DNS (§0)
             "-m", "2",
             "--username=debian-spamd",  # the package's user
             f"--pidfile={workdir / 'spamd.pid'}",
             "-s", workdir / "spamd.log"],
            output=workdir / "spamd.out", logs=[workdir / "spamd.log"])
        # `--` passes the rest to spamc: where spamd listens.
        self.milter = ManagedProcess(
            "spamass-milter",
            ["spamass-milter", "-p", f"inet:{self.port}@127.0.0.1", "-r", str(REJECT_SCORE),
             "--", "-d", "127.0.0.1", "-p", str(self.spamd_port)],
            output=workdir / "milter.out")

    @property
    def logs(self) -> list[Path]:
        return [*self.milter.logs, *self.spamd.logs]

    def start(self) -> SpamAssassin:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.spamd.start()
        wait_tcp(self.spamd_port, timeout=SPAMD_TIMEOUT, proc=self.spamd, logs=self.spamd.logs)
        self.milter.start()
        wait_tcp(self.port, timeout=MILTER_TIMEOUT, proc=self.milter, logs=self.logs)
        return self

    @property
    def processes(self) -> list[ManagedProcess]:
        """In stop order: the milter before the daemon it talks to."""
        return [self.milter, self.spamd]

    def stop(self) -> None:
        self.milter.stop()
        self.spamd.stop()

    def assert_stopped(self) -> None:
        self.milter.assert_stopped()
        self.spamd.assert_stopped()
