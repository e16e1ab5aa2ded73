"""`milter-test-server` for the `manager/` set (scenarios.md §11.2), real or stand-in.

The `manager/` scenarios run `milter-test-server --unknown='!' -s inet:P@127.0.0.1`
and compare its first two stdout lines. Until the companion-tools issue ships the
real command, `FakeTestServer` plays its default session (tools.md §1.4: the
default envelope, headers and body, replies handled as §1.4's table says) on
the harness's fake-MTA codec and prints the same two lines.

Switching to the real tool is the one line `TEST_SERVER_COMMAND` below.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass

from milter_manager.protocol import REPLIES, FrameReader, ProtocolError
from milter_manager.protocol.commands import (
    Abort,
    Body,
    Connect,
    Data,
    DefineMacro,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Header,
    Helo,
    Negotiate,
    Quit,
    Unknown,
)
from milter_manager.protocol.flags import (
    ALL_STEPS,
    NO_EVENT_OF_COMMAND,
    NO_REPLY_OF_COMMAND,
)

#: The real `milter-test-server` command, or None for the stand-in below.
#: (Run with this interpreter: the console script need not be on PATH.)
TEST_SERVER_COMMAND: list[str] | None = [sys.executable, "-m", "milter_manager.tools.test_server"]


@dataclass
class TestServerResult:
    returncode: int
    stdout: str
    stderr: str


def run_test_server(arguments: list[str], timeout: float = 30.0) -> TestServerResult:
    """Run `milter-test-server ARGUMENTS` (no shell) and collect what it printed."""
    if TEST_SERVER_COMMAND is not None:
        done = subprocess.run([*TEST_SERVER_COMMAND, *arguments], capture_output=True,
                              timeout=timeout, check=False)
        return TestServerResult(done.returncode, done.stdout.decode("utf-8", "replace"),
                                done.stderr.decode("utf-8", "replace"))
    return FakeTestServer.from_arguments(arguments).run()


# tools.md §1.2: default macros per stage, in the order they are sent.
_MACROS = {
    b"C": {b"{daemon_name}": b"milter-test-server", b"{if_name}": b"localhost",
           b"{if_addr}": b"127.0.0.1", b"j": b"mail.example.com"},
    b"H": {b"{tls_version}": b"0", b"{cipher}": b"0", b"{cipher_bits}": b"0",
           b"{cert_subject}": b"cert_subject", b"{cert_issuer}": b"cert_issuer"},
    b"M": {b"{mail_mailer}": b"mail_mailer", b"{mail_host}": b"mail_host",
           b"{mail_addr}": b"mail_addr"},
    b"T": {b"i": b"i"}, b"N": {b"i": b"i"}, b"E": {b"i": b"i"},
}
_BODY = b"La de da de da 1.\nLa de da de da 2.\nLa de da de da 3.\nLa de da de da 4."
# tools.md §1.4 status names; the pass statuses print as `pass`.
_STATUS = {b"c": "pass", b"a": "accept", b"r": "reject", b"t": "temporary-failure",
           b"d": "discard", b"f": "error", b"4": "abort"}


class Ended(Exception):
    """The session ended early (a verdict other than continue)."""


class FakeTestServer:
    """The default session of `milter-test-server` (tools.md §1.4–§1.6), one connection."""

    def __init__(self, host: str, port: int, unknown: bytes | None) -> None:
        self.host = host
        self.port = port
        self.unknown = unknown
        self.status = "pass"
        self.code_text = ""
        self.quarantine: bytes | None = None

    @classmethod
    def from_arguments(cls, arguments: list[str]) -> FakeTestServer:
        """The options the `manager/` set uses: `-s`/`--connection-spec`, `--unknown`."""
        spec = None
        unknown = None
        i = 0
        while i < len(arguments):
            argument = arguments[i]
            name, equal, value = argument.partition("=")
            if name in ("-s", "--connection-spec", "--unknown") and not equal:
                i += 1
                value = arguments[i] if i < len(arguments) else ""
            if name in ("-s", "--connection-spec"):
                spec = value
            elif name == "--unknown":
                unknown = value.encode()
            else:
                raise ValueError(f"the stand-in milter-test-server does not support {argument}")
            i += 1
        if not spec or not spec.startswith("inet:") or "@" not in spec:
            raise ValueError(f"the stand-in milter-test-server needs -s inet:PORT@HOST: {spec}")
        port, _, host = spec[len("inet:"):].partition("@")
        return cls(host.strip("[]"), int(port), unknown)

    def run(self) -> TestServerResult:
        import socket
        try:
            sock = socket.create_connection((self.host, self.port), timeout=300)
        except OSError as error:
            return TestServerResult(1, f"Failed to connect to inet:{self.port}@{self.host}: "
                                       f"{error.strerror}\n", "")
        started = time.monotonic()
        self.sock = sock
        self.reader = FrameReader(REPLIES)
        self.pending: list[object] = []
        try:
            self.session()
        except Ended:
            pass
        except (OSError, ProtocolError, TimeoutError) as error:
            sock.close()
            return TestServerResult(0, f"{error}\n", "")
        sock.close()
        elapsed = time.monotonic() - started
        lines = [f"status: {self.status}{self.code_text}", f"elapsed-time: {elapsed:g} seconds"]
        if self.quarantine is not None:
            lines.append(f"Quarantine reason: <{self.quarantine.decode('utf-8', 'replace')}>")
        return TestServerResult(0, "\n".join(lines) + "\n", "")

    # --- the session (tools.md §1.4) -----------------------------------------------------

    def session(self) -> None:
        self.sock.sendall(Negotiate(6, 0x1FF, ALL_STEPS).encode())
        option = self.reply(end_of_message=False)
        self.version, self.steps = option.version, option.steps  # type: ignore[attr-defined]
        self.step(b"C", Connect.from_text(b"mx.example.net", "inet:50443@[192.168.123.123]"))
        self.step(b"H", Helo(b"delian"))
        self.step(b"M", EnvelopeFrom(b"<sender@example.com>"))
        self.step(b"R", EnvelopeRecipient(b"<receiver@example.org>"),
                  {b"{rcpt_mailer}": b"rcpt_mailer", b"{rcpt_host}": b"rcpt_host",
                   b"{rcpt_addr}": b"<receiver@example.org>"})
        if self.unknown is not None and self.version >= 3:
            self.step(b"U", Unknown(self.unknown))
        if self.version >= 4:
            self.step(b"T", Data())
        self.step(b"L", Header(b"From", b"<sender@example.com>"))
        self.step(b"L", Header(b"To", b"<receiver@example.org>"))
        self.step(b"N", EndOfHeader())
        if not self.step(b"B", Body(_BODY), skippable=True):
            pass  # a skip: the rest of the body is not sent
        self.step(b"E", EndOfMessage(), final=True)
        self.sock.sendall(Quit().encode())

    def step(self, code: bytes, command: object, macros: dict[bytes, bytes] | None = None,
             *, skippable: bool = False, final: bool = False) -> bool:
        """Send one command (unless turned off); False when the milter answered skip."""
        if not final and self.steps & NO_EVENT_OF_COMMAND.get(code, 0):
            return True
        table = macros if macros is not None else _MACROS.get(code)
        data = command.encode()  # type: ignore[attr-defined]
        if table:
            data = DefineMacro(code, table).encode() + data
        self.sock.sendall(data)
        if not final and self.steps & NO_REPLY_OF_COMMAND.get(code, 0):
            return True
        reply = self.reply(end_of_message=final)
        code_byte = reply.wire_code  # type: ignore[attr-defined]
        if code_byte == b"s" and skippable:
            return False
        if code_byte in (b"c", b"s", b"O"):
            return True
        if code_byte == b"y":
            self.status = "temporary-failure" if reply.code < 500 else "reject"  # type: ignore[attr-defined]
            extended = (reply.extended or b"(null)").decode()  # type: ignore[attr-defined]
            message = (reply.message or b"(null)").decode()  # type: ignore[attr-defined]
            self.code_text = f" [{reply.code}]<{extended}>({message})"  # type: ignore[attr-defined]
        else:
            self.status = _STATUS.get(code_byte, "error")
        self.sock.sendall(Abort().encode() + Quit().encode())
        raise Ended

    def reply(self, *, end_of_message: bool) -> object:
        """The next final reply; modifications and progress are taken along the way."""
        while True:
            while not self.pending:
                data = self.sock.recv(65536)
                if not data:
                    raise OSError("the milter closed the connection")
                self.pending.extend(self.reader.feed(data))
            packet = self.pending.pop(0)
            code = packet.wire_code  # type: ignore[attr-defined]
            if code == b"p":
                continue
            if code == b"q":
                self.quarantine = packet.reason  # type: ignore[attr-defined]
                self.status = "quarantine"
                continue
            if code in b"him+2-be" and end_of_message:
                continue  # applied to the result message, which is not printed here
            return packet
