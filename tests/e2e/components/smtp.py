"""The SMTP client side of a test: send one message, keep every reply.

The issue asks for assertions "on the SMTP reply the client saw", so the
client records the reply to each command instead of turning a refusal into an
exception the way `smtplib.SMTP.sendmail` does.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field

QUEUED_RE = re.compile(r"queued as ([0-9A-Za-z]+)")


@dataclass(frozen=True)
class Reply:
    code: int
    text: str  # the reply lines joined with "\n", as smtplib returns them

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


@dataclass
class Outcome:
    """What the client saw for one message."""

    replies: list[tuple[str, Reply]] = field(default_factory=list)  # (command, reply)

    def add(self, command: str, code: int, text: bytes | str) -> Reply:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        reply = Reply(code, text)
        self.replies.append((command, reply))
        return reply

    @property
    def final(self) -> Reply:
        """The reply that decided the message: the end of DATA, or the refusal."""
        return self.replies[-1][1]

    @property
    def final_command(self) -> str:
        return self.replies[-1][0]

    @property
    def accepted(self) -> bool:
        return self.final_command == "DATA-END" and self.final.code == 250

    @property
    def queue_id(self) -> str | None:
        match = QUEUED_RE.search(self.final.text) if self.accepted else None
        return match.group(1) if match else None

    def reply_to(self, command: str) -> Reply:
        for cmd, reply in self.replies:
            if cmd == command:
                return reply
        raise KeyError(f"no reply to {command} in {self}")

    def __str__(self) -> str:
        return "; ".join(f"{cmd} -> {reply}" for cmd, reply in self.replies)


def send_mail(
    port: int,
    sender: str,
    recipients: Sequence[str],
    data: bytes,
    *,
    host: str = "127.0.0.1",
    helo: str = "client.example",
    mail_options: Sequence[str] = (),
    xclient: str | None = None,
    timeout: float = 90.0,
) -> Outcome:
    """One SMTP transaction; stops at the first command that is refused.

    `data` is the message with CRLF line ends; smtplib dot-stuffs it.
    `xclient` ("NAME=… ADDR=…") is sent after EHLO, followed by a second EHLO
    (real-components.md §4.3), for tests of applicable conditions.
    """
    outcome = Outcome()
    client = smtplib.SMTP(timeout=timeout)
    try:
        code, text = client.connect(host, port)
        if outcome.add("CONNECT", code, text).code != 220:
            return outcome
        code, text = client.ehlo(helo)
        if outcome.add("EHLO", code, text).code != 250:
            return outcome
        if xclient is not None:
            code, text = client.docmd("XCLIENT", xclient)
            if outcome.add("XCLIENT", code, text).code != 220:
                return outcome
            code, text = client.ehlo(helo)
            if outcome.add("EHLO", code, text).code != 250:
                return outcome
        code, text = client.mail(sender, list(mail_options))
        if outcome.add("MAIL", code, text).code != 250:
            return outcome
        accepted = 0
        for rcpt in recipients:
            code, text = client.rcpt(rcpt)
            outcome.add("RCPT", code, text)
            accepted += code in (250, 251)
        if not accepted:
            return outcome
        try:
            code, text = client.data(data)
            outcome.add("DATA-END", code, text)
        except smtplib.SMTPDataError as exc:  # the DATA command itself refused
            outcome.add("DATA", exc.smtp_code, exc.smtp_error)
        return outcome
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
