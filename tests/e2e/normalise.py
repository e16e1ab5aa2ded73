"""Normalisation for the differential test (real-components.md §10).

Two deliveries of the same message, one through the MTA's native milter
chain and one through the manager, must be identical apart from what
necessarily differs between two runs:

1. every `Received:` header is dropped (queue ids, times);
2. in `DKIM-Signature` (and the ARC signatures) the `t=` and `b=` values are
   blanked (they depend on the signing second); `bh=`, `h=` and the rest
   must match;
3. headers are unfolded; names compare case-insensitively, values byte-exact;
4. the body is compared byte-exact (None when there is no empty line).

The header list keeps its order: a test that compared added headers as a set
would hide a wrong position (deviation M0, manager.md §7.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .delivery import field_name, header_fields

TIMESTAMPED_SIGNATURES = {b"dkim-signature", b"arc-message-signature", b"arc-seal"}
BLANKED_TAGS = {b"t", b"b"}
_FOLD = re.compile(rb"\r\n(?=[ \t])")


@dataclass(frozen=True)
class Normalised:
    headers: tuple[tuple[bytes, bytes], ...]  # (lower-case name, unfolded value)
    body: bytes | None


def unfold(field: bytes) -> tuple[bytes, bytes]:
    """(name, value) of one raw field: CRLF before whitespace removed, the
    value as it follows the colon (leading space kept), final CRLF dropped."""
    name = field_name(field)
    value = _FOLD.sub(b"", field[len(name) + 1:])
    return name, value.removesuffix(b"\r\n")


def blank_signature_times(value: bytes) -> bytes:
    """`t=` and `b=` of a tag=value list emptied; everything else kept."""
    tags = value.split(b";")
    for i, tag in enumerate(tags):
        name, eq, _ = tag.partition(b"=")
        if eq and name.strip() in BLANKED_TAGS:
            tags[i] = name + b"="
    return b";".join(tags)


def normalise(data: bytes) -> Normalised:
    fields, body = header_fields(data)
    headers = []
    for field in fields:
        name, value = unfold(field)
        key = name.lower()
        if key == b"received":
            continue
        if key in TIMESTAMPED_SIGNATURES:
            value = blank_signature_times(value)
        headers.append((key, value))
    return Normalised(tuple(headers), body)
