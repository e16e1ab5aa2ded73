"""SMTP reply codes carried by `y` (protocol.md §10): parsing, validation, formatting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .errors import ProtocolError, show
from .status import Status
from .wire import frame

_DIGITS = b"0123456789"
_EXTENDED_CHARS = frozenset(b"0123456789.")


def extended_code_error(code: int, extended: str | bytes) -> str | None:
    """The §10.2 message for an invalid extended code, or None when it is valid.

    Checks run in the spec's order; the messages are exact (angle brackets literal).
    """
    e = extended if isinstance(extended, str) else show(extended)
    klass, _, rest = e.partition(".")
    if not klass:
        return f"class of extended status code is missing: <{e}>"
    if len(klass) > 1:
        return f"class of extended status code should be '2', '4' or '5': <{e}>"
    if klass not in "245":
        return f"class of extended status code should be '2', '4' or '5': <{e}>: <{klass}>"
    subject, _, detail = rest.partition(".")
    if not subject:  # nothing after `class.`, or `5..1`
        return f"subject of extended status code is missing: <{e}>"
    if len(subject) >= 4:
        return f"subject of extended status code should be less than 1000: <{subject[:4]}>: <{e}>"
    for ch in subject:
        if ch not in "0123456789":
            return f"subject of extended status code should be digit: <{e}>: <{ch}>"
    if not detail:
        return f"detail of extended status code is missing: <{e}>"
    if len(detail) >= 4:
        return f"detail of extended status code should be less than 1000: <{detail[:4]}>: <{e}>"
    for ch in detail:
        if ch not in "0123456789":
            # §10.2: CH before E here, as upstream
            return f"detail of extended status code should be digit: <{ch}>: <{e}>"
    if int(klass) != code // 100:
        return f"extended code should use the same class of status code: <{code}>:<{e}>"
    return None


def check_extended_code(code: int, extended: str | bytes) -> None:
    """Raise ProtocolError with the §10.2 message when the extended code is invalid."""
    error = extended_code_error(code, extended)
    if error is not None:
        raise ProtocolError(error)


def _check_code(code: int) -> None:
    if not 400 <= code <= 599:
        raise ProtocolError(f"SMTP reply code <{code}> should be 4XX or 5XX.")


def _body(line: bytes) -> bytes:
    # §10.1 step 2: skip the three digits and one `-` or space separator.
    return line[4:] if line[3:4] in (b"-", b" ") else line[3:]


def _multi_line(lines: list[bytes], digits: bytes) -> bool:
    last = len(lines) - 1
    for i, line in enumerate(lines):
        if line[:3] != digits:
            return False
        separator = line[3:4]
        if i < last:
            if separator != b"-":
                return False
        elif separator not in (b" ", b""):
            return False
    return True


def format_reply(code: int, extended: bytes | None, message: bytes | None) -> bytes:
    """The `y` text sent to the MTA (§10.3; the spec's function is normative).

    [deviation] P9: no message gives one line (upstream writes two);
    [deviation] P10: continuation lines use `-` (upstream's text is not valid SMTP).
    """
    if message is None:
        texts = [b""]
    else:
        texts = [t[:-1] if t.endswith(b"\r") else t for t in message.split(b"\n")]
    digits = b"%03d" % code
    lines = []
    last = len(texts) - 1
    for i, text in enumerate(texts):
        rest = b" ".join(p for p in (extended, text) if p)
        if rest:
            lines.append(digits + (b" " if i == last else b"-") + rest)
        else:
            lines.append(digits + (b"" if i == last else b"-"))
    return b"\r\n".join(lines)


@dataclass(slots=True)
class ReplyCode:
    """`y`: an SMTP reply. `text` is what travels; the other fields are parsed from it.

    `invalid_reason` is the §10.2 message when the extended code is invalid: such
    a reply still decodes (§10.4), and the manager answers with the plain verdict.
    """

    wire_code: ClassVar[bytes] = b"y"
    nick: ClassVar[str] = "reply-code"
    code: int
    extended: bytes | None
    message: bytes | None
    text: bytes
    invalid_reason: str | None = None

    @property
    def status(self) -> Status:
        """§10.1 step 5 / §12: 4xx is temporary-failure, 5xx reject."""
        return Status.TEMPORARY_FAILURE if self.code < 500 else Status.REJECT

    @property
    def valid(self) -> bool:
        return self.invalid_reason is None

    @classmethod
    def build(cls, code: int, extended: bytes | None = None,
              message: bytes | None = None) -> ReplyCode:
        """A reply formatted by §10.3; an invalid extended code raises ProtocolError (§10.2).

        The fields are then read back from the text (§10.1), so the object is what
        its peer will decode (a message `5.7.1 x` without extended code reads as one).
        """
        _check_code(code)
        if extended:
            check_extended_code(code, extended)
        text = format_reply(code, extended or None, message)
        if b"\0" in text:
            raise ProtocolError("reply-code: text contains a NUL byte")
        return parse_reply_text(text)

    def formatted(self) -> bytes:
        """This reply's text formatted again for the MTA (§10.3)."""
        return format_reply(self.code, self.extended, self.message)

    def encode(self) -> bytes:
        if b"\0" in self.text:
            raise ProtocolError("reply-code: text contains a NUL byte")
        return frame(b"y", self.text + b"\0")


def parse_reply_text(text: bytes) -> ReplyCode:
    """Decode a `y` text (the bytes before the NUL) following §10.1.

    [deviation] P8: a text without extended code, and a multi-line text, are
    accepted (upstream fails validation and then sends the MTA nothing).
    [deviation] P11: an invalid extended code is no decode error; the reply is
    marked with `invalid_reason` and the manager answers the plain `r`/`t`.
    """
    if len(text) < 3:
        raise ProtocolError("Reply code doesn't have SMTP reply code")
    digits = text[:3]
    if digits[0] not in b"45" or digits[1] not in _DIGITS or digits[2] not in _DIGITS:
        raise ProtocolError(f"SMTP reply code <{show(digits)}> should be 4XX or 5XX.")
    code = int(digits)

    # Step 2: lines. Drop one empty last piece; a malformed multi-line text is
    # one single line (taken without the dropped trailing CRLF).
    lines = text.split(b"\r\n")
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    if len(lines) > 1 and not _multi_line(lines, digits):
        lines = [b"\r\n".join(lines)]
    bodies = [_body(line) for line in lines]

    # Step 3: the extended code.
    extended = None
    reason = None
    candidate = bodies[0].split(b" ", 1)[0]
    if b"." in candidate and _EXTENDED_CHARS.issuperset(candidate):
        extended = candidate
        reason = extended_code_error(code, candidate)
        size = len(candidate)
        for i, body in enumerate(bodies):
            if body.startswith(candidate):
                body = body[size:]
                bodies[i] = body[1:] if body[:1] == b" " else body

    # Step 4: the message.
    if len(bodies) == 1 and not bodies[0]:
        message = None
    else:
        message = b"\n".join(bodies)
    return ReplyCode(code, extended, message, text, reason)


def decode_reply_code(payload: bytes) -> ReplyCode:
    """The `y` payload decoder (§4, §10.1)."""
    if not payload or payload[-1] != 0:
        raise ProtocolError("Reply code isn't terminated by NULL on REPLY CODE reply")
    text = payload[:-1]
    if b"\0" in text:
        raise ProtocolError("reply-code: bytes after the text's NUL")
    return parse_reply_text(text)
