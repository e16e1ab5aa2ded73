"""OpenDKIM as a signing child milter (real-components.md §7.1).

The key pair is generated per test run with opendkim-genkey; the signature
is verified with dkimpy against the public key from the generated TXT
record, handed to the verifier through its DNS hook (no DNS, §0).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import dkim

from .ports import free_port
from .process import ManagedProcess
from .waiting import wait_tcp

DOMAIN = "example.com"
SELECTOR = "test"
START_TIMEOUT = 10.0


class OpenDkim:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.keys = workdir / "keys"
        self.config = workdir / "opendkim.conf"
        self.process = ManagedProcess(
            "opendkim", ["opendkim", "-f", "-x", self.config], output=workdir / "opendkim.out")

    @property
    def logs(self) -> list[Path]:
        return self.process.logs

    def write_config(self) -> None:
        self.keys.mkdir(parents=True, exist_ok=True)
        subprocess.run(["opendkim-genkey", "-D", str(self.keys), "-d", DOMAIN, "-s", SELECTOR],
                       check=True, capture_output=True, timeout=60)
        self.config.write_text(
            "Syslog no\n"
            "Mode sv\n"
            f"Domain {DOMAIN}\n"
            f"Selector {SELECTOR}\n"
            f"KeyFile {self.keys / (SELECTOR + '.private')}\n"
            f"Socket inet:{self.port}@127.0.0.1\n"
            "Canonicalization relaxed/simple\n"
            # It reads the root-owned 0600 key before dropping to this user.
            "UserID opendkim\n"
            f"PidFile {self.workdir / 'opendkim.pid'}\n"
            # The key directory is reachable by other users: without this
            # opendkim refuses the key as unsafe (§7.1).
            "RequireSafeKeys false\n")

    def start(self) -> OpenDkim:
        self.write_config()
        self.process.start()
        wait_tcp(self.port, timeout=START_TIMEOUT, proc=self.process, logs=self.logs)
        return self

    @property
    def processes(self) -> list[ManagedProcess]:
        return [self.process]

    def stop(self) -> None:
        self.process.stop()

    def assert_stopped(self) -> None:
        self.process.assert_stopped()

    # -- verification ------------------------------------------------------

    def txt_record(self) -> bytes:
        """The DKIM TXT record opendkim-genkey wrote, its quoted parts joined
        (`test._domainkey IN TXT ( "v=DKIM1; h=sha256; k=rsa; " "p=…" )`)."""
        text = (self.keys / f"{SELECTOR}.txt").read_text()
        parts = re.findall(r'"([^"]*)"', text)
        assert parts, f"no quoted TXT data in {text!r}"
        return "".join(parts).encode()

    def verify(self, message: bytes) -> bool:
        """True when the message carries a valid DKIM signature by our key.

        Only the record for `test._domainkey.example.com` exists; any other
        lookup fails as NXDOMAIN would."""
        record = self.txt_record()
        wanted = f"{SELECTOR}._domainkey.{DOMAIN}."

        def dnsfunc(name: bytes | str, timeout: int = 5) -> bytes | None:
            if isinstance(name, bytes):
                name = name.decode()
            return record if name.rstrip(".") + "." == wanted else None

        return bool(dkim.verify(message, dnsfunc=dnsfunc))
