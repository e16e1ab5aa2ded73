"""The message `milter-test-server` sends and the result the milter makes of it.

tools.md §1.3 (reading a mail file), §1.5 (the original and the result copy
of envelope, headers and body, and how each modification reply changes the
result). Header list operations are the manager's (`manager.md` §7.2), so
the fake MTA and the manager agree on where an added header goes.
Everything is bytes: header and body bytes that are not UTF-8 go through
unchanged.
"""

from __future__ import annotations

import copy
import os
import sys
from dataclasses import dataclass, field

from milter_manager.manager import headers as header_list
from milter_manager.protocol.replies import (
    AddHeader,
    AddRecipient,
    ChangeFrom,
    ChangeHeader,
    DeleteRecipient,
    InsertHeader,
    ReplaceBody,
)
from milter_manager.protocol.wire import MILTER_CHUNK_SIZE

Header = tuple[bytes, bytes]

DEFAULT_SENDER = b"<sender@example.com>"
DEFAULT_RECIPIENT = b"<receiver@example.org>"
DEFAULT_BODY = b"La de da de da 1.\nLa de da de da 2.\nLa de da de da 3.\nLa de da de da 4."


class MailFileError(Exception):
    """A mail file that cannot be read or parsed; str() is the message to print."""


def normalise_address(address: bytes) -> bytes:
    """tools.md §1.1: wrapped in `<>` unless it already starts with `<` and ends with `>`."""
    if len(address) >= 2 and address.startswith(b"<") and address.endswith(b">"):
        return address
    return b"<" + address + b">"


@dataclass
class Message:
    """Envelope, headers and body: the original, or the result copy (tools.md §1.5)."""

    sender: bytes
    recipients: list[bytes]
    headers: list[Header]
    body: bytes
    #: the concatenated `b` replies; None until the first one arrives
    replaced_body: bytes | None = None

    def copy(self) -> Message:
        return copy.deepcopy(self)

    @property
    def final_body(self) -> bytes:
        return self.body if self.replaced_body is None else self.replaced_body

    def apply(self, modification: object) -> None:
        """Apply one end-of-message modification reply (tools.md §1.5)."""
        if isinstance(modification, AddHeader):
            header_list.add_header(self.headers, modification.name, modification.value)
        elif isinstance(modification, InsertHeader):
            header_list.insert_header(self.headers, modification.index,
                                      modification.name, modification.value)
        elif isinstance(modification, ChangeHeader):
            if modification.value:
                header_list.change_header(self.headers, modification.name,
                                          modification.index, modification.value)
            else:  # an empty value is delete-header (protocol.md §4)
                header_list.delete_header(self.headers, modification.name, modification.index)
        elif isinstance(modification, ChangeFrom):
            self.sender = normalise_address(modification.sender)
        elif isinstance(modification, AddRecipient):
            self.recipients.append(normalise_address(modification.rcpt))
        elif isinstance(modification, DeleteRecipient):
            target = normalise_address(modification.rcpt)
            if target in self.recipients:
                self.recipients.remove(target)
        elif isinstance(modification, ReplaceBody):
            self.replaced_body = (self.replaced_body or b"") + modification.chunk
        else:
            raise TypeError(f"not a message modification: {modification!r}")


# --- mail files (tools.md §1.3) --------------------------------------------------------

@dataclass
class MailFile:
    headers: list[Header] = field(default_factory=list)
    body: bytes = b""
    sender: bytes | None = None               # from the last `From:` header
    recipients: list[bytes] = field(default_factory=list)   # from every `To:` header


def read_mail_file(path: str) -> MailFile:
    """Read PATH (`-` = standard input) and parse it; MailFileError carries §1.3's texts."""
    if path == "-":
        return parse_mail(sys.stdin.buffer.read())
    if not os.path.exists(path):
        raise MailFileError(f"{path} does not exist.")
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        # The detail is worded like GLib's g_file_get_contents error.
        raise MailFileError(f"Loading from {path} failed.: Failed to open file "
                            f"“{path}”: {error.strerror}") from None
    return parse_mail(data)


def _show(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def parse_mail(data: bytes) -> MailFile:
    """tools.md §1.3 steps 1–3 and 5: headers, envelope from headers, body."""
    lines = data.split(b"\n")
    index = 1 if lines[0].startswith(b"From ") else 0   # an mbox separator line
    mail = MailFile()
    separator = False
    while index < len(lines):
        line = lines[index]
        index += 1
        crlf = line.endswith(b"\r")
        text = line[:-1] if crlf else line
        if not text:
            separator = True
            break
        if text[:1] in (b" ", b"\t") and mail.headers:
            name, value = mail.headers[-1]
            mail.headers[-1] = (name, value + (b"\r\n" if crlf else b"\n") + text)
        elif text[:1].isalnum() and text[:1].isascii() and b":" in text:
            name, _, value = text.partition(b":")
            mail.headers.append((name, value.lstrip(b" \t")))
        else:
            raise MailFileError(f"invalid header: <{_show(text)}>")
    mail.body = b"\n".join(lines[index:]) if separator else b""
    for name, value in mail.headers:
        lowered = name.lower()
        if lowered == b"from":
            mail.sender = extract_address(value)
        elif lowered == b"to":
            mail.recipients.extend(extract_address(part) for part in split_addresses(value))
    return mail


def extract_address(value: bytes) -> bytes:
    """The first `<…>` part (brackets kept), else the first token wrapped in `<>`."""
    start = value.find(b"<")
    if start >= 0:
        end = value.find(b">", start)
        if end < 0:
            raise MailFileError(f"invalid mail address: <{_show(value)}>")
        return value[start:end + 1]
    tokens = value.split()
    return b"<" + (tokens[0] if tokens else b"") + b">"


def split_addresses(value: bytes) -> list[bytes]:
    """A `To:` value split at the commas between addresses.

    [deviation] tools.md §1.3: one recipient per address (upstream takes the first
    token only, giving recipients like `<a@x,>`). Commas inside a quoted display
    name or inside `<…>` do not split.
    """
    parts: list[bytes] = []
    current = bytearray()
    quoted = angle = False
    for byte in value:
        char = bytes((byte,))
        if char == b'"' and not angle:
            quoted = not quoted
        elif char == b"<" and not quoted:
            angle = True
        elif char == b">" and not quoted:
            angle = False
        elif char == b"," and not quoted and not angle:
            parts.append(bytes(current))
            current.clear()
            continue
        current += char
    parts.append(bytes(current))
    return [part.strip() for part in parts if part.strip()]


def chunk_body(body: bytes, size: int = MILTER_CHUNK_SIZE) -> list[bytes]:
    """tools.md §1.3 step 5: chunks of at most SIZE bytes, cut at line boundaries.

    [deviation] a single line longer than SIZE is cut at SIZE bytes (upstream
    sends it as one oversized body command).
    """
    chunks: list[bytes] = []
    current = bytearray()
    start = 0
    while start < len(body):
        end = body.find(b"\n", start)
        end = len(body) if end < 0 else end + 1
        line = body[start:end]
        start = end
        if current and len(current) + len(line) > size:
            chunks.append(bytes(current))
            current.clear()
        while len(line) > size:
            chunks.append(line[:size])
            line = line[size:]
        current += line
    if current:
        chunks.append(bytes(current))
    return chunks
