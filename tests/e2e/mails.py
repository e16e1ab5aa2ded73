"""The 20 varied mails of the differential test (the real-MTA issue).

The same messages go through Postfix with the children chained natively
(the oracle) and, later, through Postfix -> our manager -> the same children;
the delivered messages must be identical apart from `Received:` and queue
ids. Everything here is deterministic (fixed Date and Message-ID, no random
data) so that two runs are comparable byte for byte.

Every message uses CRLF line ends and ends with CRLF (smtplib would append
one otherwise), has a From: in example.com (so opendkim signs it) and goes to
recipients in example.org (relayed to the sink).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

DATE = "Wed, 25 Nov 2026 08:00:00 +0000"
SENDER = "user@example.com"
RECIPIENT = "rcpt@example.org"


@dataclass(frozen=True)
class TestMail:
    name: str
    sender: str  # envelope sender ("" is the null sender <>)
    recipients: tuple[str, ...]
    data: bytes  # the message as sent (CRLF, not dot-stuffed)
    mail_options: tuple[str, ...] = ()

    @property
    def headers(self) -> bytes:
        """The header block, each header ending with CRLF."""
        head, sep, _ = self.data.partition(b"\r\n\r\n")
        return head + b"\r\n" if sep else self.data

    @property
    def body(self) -> bytes | None:
        """The body; None when the message has no empty line at all."""
        _, sep, body = self.data.partition(b"\r\n\r\n")
        return body if sep else None


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def message(n: int, headers: str, body: str | bytes, *, subject: str | None = None,
            extra_first: str = "") -> bytes:
    """Standard headers (From, To, Subject, Date, Message-ID) around `headers`."""
    subject = f"differential test {n}" if subject is None else subject
    head = (f"{extra_first}From: User <{SENDER}>\nTo: {RECIPIENT}\nSubject: {subject}\n"
            f"Date: {DATE}\nMessage-ID: <difftest-{n}@example.com>\n{headers}")
    body_bytes = body if isinstance(body, bytes) else crlf(body)
    return crlf(head) + b"\r\n" + body_bytes


def _pseudo_random_bytes(size: int, seed: bytes) -> bytes:
    """Deterministic bytes (a SHA-256 stream) for attachments."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return bytes(out[:size])


def _base64_lines(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76)) + "\n"


def differential_mails() -> list[TestMail]:
    """The 20 mails, in a fixed order; names are unique (test ids)."""
    mails: list[TestMail] = []

    def add(name: str, data: bytes, *, sender: str = SENDER,
            recipients: tuple[str, ...] = (RECIPIENT,), options: tuple[str, ...] = ()) -> None:
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
        mails.append(TestMail(name, sender, recipients, data, options))

    n = len(mails) + 1
    add("plain", message(n, "", "Hello,\n\nthis is a plain text message.\n\nBye\n"))

    n = len(mails) + 1
    add("empty-body", message(n, "", ""))

    n = len(mails) + 1
    # No empty line at all: the message ends after its last header.
    add("headers-only", message(n, "", "")[:-2])

    n = len(mails) + 1
    add("folded-subject", message(
        n, "", "The Subject is folded over three lines.\n",
        subject=f"differential test {n}, a subject long enough that\n\tit is folded with"
                " a tab\n    and again with four spaces"))

    n = len(mails) + 1
    refs = "\n ".join(f"<ref-{i:03d}.{'x' * 20}@lists.example.net>" for i in range(60))
    add("long-folded-header", message(n, f"References: {refs}\n",
                                      "A References header of 60 folded lines.\n"))

    n = len(mails) + 1
    long_value = " ".join(f"word{i:03d}" for i in range(110))  # 879 bytes, one line
    add("long-header-line", message(n, f"X-Long-Line: {long_value}\n",
                                    "One header line close to the 998-byte limit.\n"))

    n = len(mails) + 1
    many = "".join(f"X-Trace-{i:03d}: hop {i} via relay{i % 7}.example.net\n" for i in range(120))
    add("many-headers", message(n, many, "120 extra headers.\n"))

    n = len(mails) + 1
    add("duplicate-headers", message(
        n,
        "Comments: first comment\nComments: second comment\nX-Dup: same\nX-Dup: same\n"
        "x-lower-case: lower\nX-LOWER-CASE: upper\n",
        "Repeated headers and header names in different case.\n"))

    n = len(mails) + 1
    add("odd-header-values", message(
        n,
        "X-Empty:\nX-Spaces:    \nX-No-Space:value\nX-Tab:\ttabbed value\n"
        "X-Trailing: trailing blanks  \t\nX-Colons: a: b: c\n",
        "Header values that are empty, blank or unusual.\n"))

    n = len(mails) + 1
    rcpts = tuple(f"rcpt{i:02d}@example.org" for i in range(30))
    add("many-recipients", message(n, "Cc: list@example.org\n", "Thirty envelope recipients.\n"),
        recipients=rcpts)

    n = len(mails) + 1
    add("8bit-body", message(
        n, "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\n",
        "Grüße aus Köln – naïve café, 日本語のテキスト, emoji 🙂.\n"),
        options=("BODY=8BITMIME",))

    n = len(mails) + 1
    add("8bit-header", message(
        n, "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\n",
        "Raw UTF-8 in the Subject header.\n", subject="Prüfung – raw 8bit subject"),
        options=("BODY=8BITMIME",))

    n = len(mails) + 1
    encoded_subject = "=?UTF-8?B?" + base64.b64encode("Grüße, encoded".encode()).decode() + "?="
    add("encoded-words", message(
        n, "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n",
        "RFC 2047 encoded words in the Subject.\n", subject=encoded_subject))

    n = len(mails) + 1
    add("multipart-alternative", message(
        n, "MIME-Version: 1.0\n"
           'Content-Type: multipart/alternative; boundary="alt-boundary-1"\n',
        "This is a multi-part message in MIME format.\n\n"
        "--alt-boundary-1\nContent-Type: text/plain; charset=us-ascii\n\nPlain part.\n\n"
        "--alt-boundary-1\nContent-Type: text/html; charset=us-ascii\n\n"
        "<html><body><p>HTML part.</p></body></html>\n\n--alt-boundary-1--\n"))

    n = len(mails) + 1
    attachment = _base64_lines(_pseudo_random_bytes(6000, b"attachment"))
    add("multipart-base64", message(
        n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"mix-2\"\n",
        "--mix-2\nContent-Type: text/plain; charset=us-ascii\n\nSee the attachment.\n\n"
        "--mix-2\nContent-Type: application/octet-stream; name=\"data.bin\"\n"
        "Content-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename=\"data.bin\"\n\n"
        f"{attachment}\n--mix-2--\n"))

    n = len(mails) + 1
    add("nested-multipart", message(
        n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"outer\"\n",
        "--outer\nContent-Type: multipart/alternative; boundary=\"inner\"\n\n"
        "--inner\nContent-Type: text/plain\n\nInner plain.\n\n"
        "--inner\nContent-Type: text/html\n\n<p>Inner html.</p>\n\n--inner--\n\n"
        "--outer\nContent-Type: message/rfc822\n\n"
        "From: Other <other@example.net>\nTo: someone@example.net\nSubject: forwarded\n"
        "Date: Tue, 24 Nov 2026 07:00:00 +0000\n\nThe forwarded message's body.\n\n"
        "--outer--\n"))

    n = len(mails) + 1
    add("dot-lines", message(
        n, "", ".leading dot\n..two dots\n.\n. dot space\nlast line\n"))

    n = len(mails) + 1
    lines = "".join(f"line {i:05d}: {'lorem ipsum dolor sit amet ' * 2}\n" for i in range(5000))
    add("large-body", message(n, "", lines))  # ≈ 300 KB: several milter body chunks

    n = len(mails) + 1
    add("whitespace-body", message(
        n, "", "trailing blanks   \n\ttab-indented line\n \n\nline after blank lines\n\n\n\n"))

    n = len(mails) + 1
    add("null-sender-qp", message(
        n, "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
           "Content-Transfer-Encoding: quoted-printable\n",
        "A quoted-printable body with a soft line break that joins this long line =\n"
        "with the next one, and an encoded =E9 character.\n"),
        sender="")

    assert len(mails) == 20 and len({m.name for m in mails}) == 20
    return mails
