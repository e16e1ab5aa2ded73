"""What `milter-test-server` prints for a session (tools.md §1.6, §1.7).

The status block, or the error line that replaces it; with
`--output-message` the envelope, header and body of the result, each line
prefixed `  ` (unchanged), `- ` (only in the original) or `+ ` (only in the
result), the `-`/`+` lines optionally coloured. Bytes in, bytes out:
header and body bytes are printed as received.
"""

from __future__ import annotations

import re

from .test_server_message import Header, Message
from .test_server_session import Result

RED = b"\033[01;31m"
GREEN = b"\033[01;32m"
END = b"\033[00m"
COLOURS = {b"-": RED, b"+": GREEN}

# The section titles (the spec's literals: 39 characters each, then the newline).
ENVELOPE_TITLE = b"Envelope:------------------------------"
HEADER_TITLE = b"Header:--------------------------------"
BODY_TITLE = b"Body:----------------------------------"
ERROR_TITLE = b"Error:---------------------------------"
ERROR_END = b"---------------------------------------"

_CHARSET = re.compile(rb"charset=", re.IGNORECASE)


def _null(value: bytes | None) -> bytes:
    return b"(null)" if value is None else value


def status_block(result: Result) -> bytes:
    """`status: …`, `elapsed-time: …`, the quarantine line; or the error line (§1.7)."""
    if result.error is not None:
        return result.error.encode("utf-8", "surrogateescape") + b"\n"
    line = b"status: " + result.status.encode()
    code = result.reply_code
    if code is not None and (code.code > 0 or code.extended or code.message):
        line += b" [%d]<%s>(%s)" % (code.code, _null(code.extended), _null(code.message))
    lines = [line, b"elapsed-time: %s seconds" % (b"%g" % result.elapsed)]
    if result.quarantine_reason is not None:
        lines.append(b"Quarantine reason: <" + result.quarantine_reason + b">")
    return b"\n".join(lines) + b"\n"


def header_lines(original: list[Header], result: list[Header]) -> list[tuple[bytes, Header]]:
    """tools.md §1.6: upstream's header comparison, kept exactly (it decides the order)."""
    out: list[tuple[bytes, Header]] = []
    i = j = 0
    while i < len(original) and j < len(result):
        o, r = original[i], result[j]
        if o == r:
            out.append((b" ", o))
            i += 1
            j += 1
        elif r not in original[i:]:
            out.append((b"+", r))
            j += 1
        elif o not in result[j:]:
            out.append((b"-", o))
            i += 1
        elif o[0] == r[0]:
            out += [(b"-", o), (b"+", r)]
            i += 1
            j += 1
        else:
            out.append((b"+", r))
            j += 1
    out += [(b"-", h) for h in original[i:]] + [(b"+", h) for h in result[j:]]
    return out


def envelope_lines(original: Message, result: Message) -> list[tuple[bytes, bytes]]:
    lines: list[tuple[bytes, bytes]] = []
    if original.sender == result.sender:
        lines.append((b" ", b"MAIL FROM:" + original.sender))
    else:
        lines += [(b"-", b"MAIL FROM:" + original.sender),
                  (b"+", b"MAIL FROM:" + result.sender)]
    # Walk both recipient lists in parallel, then the rest of each.
    common = min(len(original.recipients), len(result.recipients))
    for before, after in zip(original.recipients, result.recipients, strict=False):
        if before == after:
            lines.append((b" ", b"RCPT TO:" + before))
        else:
            lines += [(b"-", b"RCPT TO:" + before), (b"+", b"RCPT TO:" + after)]
    lines += [(b"-", b"RCPT TO:" + rest) for rest in original.recipients[common:]]
    lines += [(b"+", b"RCPT TO:" + rest) for rest in result.recipients[common:]]
    return lines


def _header_text(prefix: bytes, header: Header) -> list[tuple[bytes, bytes]]:
    """`NAME: FIRST`, then one line per further `\\n`-separated part of the value."""
    name, value = header
    first, *rest = value.split(b"\n")
    head = name + b":" + (b" " + first if first else b"")
    return [(prefix, head)] + [(prefix, part) for part in rest]


def charset_of(headers: list[Header]) -> bytes | None:
    """The `charset=` parameter of the first Content-Type header, if any."""
    for name, value in headers:
        if name.lower() != b"content-type":
            continue
        match = _CHARSET.search(value)
        if match is None:
            return None
        rest = value[match.end():]
        if rest[:1] in (b'"', b"'"):
            end = rest.find(rest[:1], 1)
            return rest[1:end] if end > 0 else rest[1:]
        return rest.split(b";", 1)[0].strip()
    return None


def convert_body(body: bytes, charset: bytes) -> tuple[bytes, str | None]:
    """The body converted from CHARSET to UTF-8, or unchanged with the error message.

    The messages are worded like GLib's g_convert errors, which upstream prints.
    """
    name = charset.decode("ascii", "replace")
    try:
        return body.decode(name).encode("utf-8"), None
    except LookupError:
        return body, f"Conversion from character set “{name}” to “UTF-8” is not supported"
    except UnicodeDecodeError:
        return body, "Invalid byte sequence in conversion input"


def message_block(original: Message, result: Message, colour: bool) -> bytes:
    """The `--output-message` part: an empty line, then the three sections (§1.6)."""
    lines: list[tuple[bytes, bytes] | bytes] = [b"", ENVELOPE_TITLE]
    lines += envelope_lines(original, result)
    lines.append(HEADER_TITLE)
    for prefix, header in header_lines(original.headers, result.headers):
        lines += _header_text(prefix, header)
    lines.append(BODY_TITLE)
    body = result.final_body
    charset = charset_of(result.headers)
    if charset:
        body, error = convert_body(body, charset)
        if error is not None:
            lines += [ERROR_TITLE, error.encode("utf-8"), ERROR_END]
    out = bytearray()
    for line in lines:
        if isinstance(line, bytes):
            out += line + b"\n"
            continue
        prefix, text = line
        text = prefix + b" " + text
        colour_code = COLOURS.get(prefix) if colour else None
        if colour_code:
            text = colour_code + text + END
        out += text + b"\n"
    out += body + b"\n"
    return bytes(out)


def format_result(result: Result, output_message: bool, colour: bool) -> bytes:
    """Everything printed for one session, written at once (§1.8: never interleaved)."""
    text = status_block(result)
    if output_message and result.error is None and result.original is not None \
            and result.result is not None:
        text += message_block(result.original, result.result, colour)
    return text
