"""The mails `milter-performance-check` sends (tools.md §3.1–§3.3).

A `MailSource` is one entry of the mail list: a generated mail, a file, or the
mail read from standard input. `Mailer.next(source)` turns it into an
`Outgoing` mail: the envelope and the message as sent (CRLF line ends; the
dot-stuffing is the SMTP layer's job).
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import random
import re
import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .options import Settings, UsageError

ADDITIONAL_LINE = "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
_ID_CHARACTERS = string.digits + string.ascii_letters

# §3.3: the header part ends at the first empty line; a field starts at a line
# matching ^[a-z][a-z-]+:\s* (case-insensitive).
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(r"^([a-z][a-z-]+):\s*", re.IGNORECASE | re.MULTILINE)
# [deviation] tools.md §3.3: upstream matches [a-z.]+ only (`mx1` → `mx`).
_RECEIVED_FROM = re.compile(r"^from ([A-Za-z0-9.-]+)")
_ANGLE = re.compile(r"<([^>]*)>")
_COMMENT = re.compile(r"\([^)]*\)")
_MESSAGE_ID_LINE = re.compile(rb"^Message-Id:[^\r\n]*", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class MailSource:
    """One entry of the mail list: `path` is None for a generated mail and
    `-` for standard input; `data` is the file's bytes."""

    path: str | None
    data: bytes | None = None


@dataclass(frozen=True)
class Outgoing:
    """One mail ready to send."""

    path: str | None
    sender: str
    recipients: tuple[str, ...]
    helo: str
    message: bytes  # CRLF line ends, not dot-stuffed


def random_id(length: int = 10) -> str:
    return "".join(random.choice(_ID_CHARACTERS) for _ in range(length))


def random_tag() -> str:
    """64 lowercase hex digits: the SHA-256 of a random string (§3.2)."""
    return hashlib.sha256(os.urandom(32)).hexdigest()


def to_crlf(data: bytes) -> bytes:
    """Every line end as CRLF (a lone LF or CR becomes CRLF)."""
    return re.sub(rb"\r\n|\r|\n", b"\r\n", data)


def generated_text(sender: str, recipients: list[str], helo: str, n_lines: int,
                   now: datetime | None = None) -> str:
    """The generated mail of §3.2 (LF line ends)."""
    stamp = email.utils.format_datetime(now or datetime.now().astimezone())
    return (
        f"Return-Path: <{sender}>\n"
        f"Received: from {helo} ({helo} [192.168.1.1])\n"
        f"\tby mail.example.com with ESMTP id {random_id()};\n"
        f"\t{stamp}\n"
        "MIME-Version: 1.0\n"
        "Content-Transfer-Encoding: 7bit\n"
        "Content-Type: text/plain; charset=US-ASCII\n"
        "X-Mailer: milter-performance-check\n"
        f"Message-Id: <{random_tag()}@mail.example.com>\n"
        "Subject: test mail\n"
        f"From: {sender}\n"
        f"To: {', '.join(recipients)}\n"
        f"Date: {stamp}\n"
        "\n"
        "Hello,\n"
        "\n"
        "This is a test mail.\n"
        + ADDITIONAL_LINE * n_lines
    )


def header_fields(data: bytes) -> list[tuple[str, str]]:
    """(name, unfolded value) of the header part (§3.3)."""
    match = _HEADER_END.search(data)
    head = (data[:match.start()] if match else data).decode("utf-8", "replace")
    fields: list[tuple[str, str]] = []
    starts = list(_FIELD.finditer(head))
    for index, field in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(head)
        value = re.sub(r"\r?\n[ \t]+", " ", head[field.end():end]).rstrip("\r\n")
        fields.append((field.group(1), value))
    return fields


def extract_address(value: str) -> str:
    """The `<…>` content, else the value without `(comments)`, trimmed."""
    match = _ANGLE.search(value)
    if match:
        return match.group(1)
    return _COMMENT.sub("", value).strip()


def file_envelope(data: bytes) -> tuple[str | None, list[str], str | None]:
    """(sender, recipients, HELO) found in a mail file's header (§3.3)."""
    sender: str | None = None
    recipients: list[str] = []
    helo: str | None = None
    for name, value in header_fields(data):
        lowered = name.lower()
        if lowered == "received" and helo is None:
            match = _RECEIVED_FROM.match(value)
            helo = match.group(1) if match else None
            # Only the first Received: header counts.
            helo = helo or ""
        elif lowered == "from" and sender is None:
            sender = extract_address(value) or None
        elif lowered in ("to", "cc"):
            # [deviation] tools.md §3.3: upstream discards the extraction and
            # sends `RCPT TO:<Name <a@b>>`.
            for part in value.split(","):
                address = extract_address(part)
                if address:
                    recipients.append(address)
    return sender, recipients, helo or None


class Mailer:
    """Turns mail sources into outgoing mails; `--from` values are used in turn."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._from_index = 0
        self._stdin_uses = 0

    def _next_from(self) -> str:
        froms = self.settings.from_list
        value = froms[self._from_index % len(froms)]
        self._from_index += 1
        return value

    def next(self, source: MailSource) -> Outgoing:
        s = self.settings
        if source.data is None:
            sender = self._next_from()
            recipients = list(s.recipient_list)
            text = generated_text(sender, recipients, s.helo_fqdn, s.n_additional_lines)
            message = to_crlf(text.encode("utf-8"))
            helo = s.helo_fqdn
        else:
            data = source.data
            if source.path == "-":
                # §3.1: the stdin mail is reused, with a new Message-Id each time.
                if self._stdin_uses:
                    data = self._renew_message_id(data)
                self._stdin_uses += 1
            file_sender, file_recipients, file_helo = file_envelope(data)
            sender = file_sender if file_sender is not None else self._next_from()
            recipients = file_recipients or list(s.recipient_list)
            helo = file_helo or s.helo_fqdn
            message = to_crlf(data)
        if s.force_from is not None:
            sender = s.force_from
        if s.force_recipients:
            recipients = list(s.force_recipients)
        return Outgoing(source.path, sender, tuple(recipients), helo, message)

    @staticmethod
    def _renew_message_id(data: bytes) -> bytes:
        match = _HEADER_END.search(data)
        end = match.start() if match else len(data)
        head = _MESSAGE_ID_LINE.sub(
            f"Message-Id: <{random_tag()}@mail.example.com>".encode(), data[:end])
        return head + data[end:]


def collect_sources(settings: Settings, stdin: bytes | None = None) -> list[MailSource]:
    """The mail list of §3.1: files (directories recursively) or `-`, sorted;
    one file is sent N times; no file gives N generated mails."""
    paths: list[str] = []
    for argument in settings.paths:
        if argument == "-":
            paths.append("-")
            continue
        path = Path(argument)
        if path.is_dir():
            paths.extend(str(p) for p in sorted(path.rglob("*")) if p.is_file())
        else:
            paths.append(argument)
    paths.sort()
    sources: list[MailSource] = []
    for path in paths:
        if path == "-":
            sources.append(MailSource("-", stdin if stdin is not None else b""))
            continue
        try:
            sources.append(MailSource(path, Path(path).read_bytes()))
        except OSError as error:
            raise UsageError(f"{path}: {error.strerror}") from None
    if not sources:
        return [MailSource(None)] * settings.n_mails
    if len(sources) == 1:
        return sources * settings.n_mails
    return sources
