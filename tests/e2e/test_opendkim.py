"""Postfix -> opendkim (signing) -> sink: a valid DKIM-Signature, verified
with the key the fixture generated (real-components.md §7.1)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from .components.opendkim import DOMAIN, SELECTOR
from .components.postfix import inet_milter
from .delivery import field_name, header_fields, parse_relayed
from .mails import RECIPIENT, SENDER, message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix, pytest.mark.real_milters]


def dkim_tags(field: bytes) -> dict[str, str]:
    value = field.split(b":", 1)[1].decode()
    unfolded = re.sub(r"\s+", "", value)
    return dict(tag.split("=", 1) for tag in unfolded.strip(";").split(";"))


def simple_body_hash(body: bytes) -> str:
    """RFC 6376 §3.4.3 "simple" body canonicalization, then SHA-256."""
    body = body.rstrip(b"\r\n") + b"\r\n" if body.strip(b"\r\n") else b"\r\n"
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def test_signature_is_inserted_on_top_and_verifies(sink, opendkim, postfix_factory):
    postfix = postfix_factory([inet_milter(opendkim.port)])
    sent = message(1, "", "signed body line 1\nsigned body line 2\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    delivered = sink.wait_for_one()
    relayed = parse_relayed(delivered.data)
    sent_fields, sent_body = header_fields(sent)
    # opendkim inserts at index 0, which Postfix places above its own
    # Received header; the message itself is unchanged.
    assert [field_name(f) for f in relayed.above] == [b"DKIM-Signature"]
    assert relayed.below == sent_fields
    assert relayed.body == sent_body
    tags = dkim_tags(relayed.above[0])
    assert (tags["v"], tags["a"], tags["c"], tags["d"], tags["s"]) == (
        "1", "rsa-sha256", "relaxed/simple", DOMAIN, SELECTOR)
    assert tags["h"] == "From:To:Subject:Date"
    assert tags["bh"] == simple_body_hash(sent_body)
    assert opendkim.verify(delivered.data)


def test_verification_rejects_a_changed_message(sink, opendkim, postfix_factory):
    # The verifier used above is not a rubber stamp.
    postfix = postfix_factory([inet_milter(opendkim.port)])
    outcome = postfix.send(SENDER, [RECIPIENT], message(1, "", "original body\n"))
    assert outcome.accepted, outcome
    data = sink.wait_for_one().data
    assert opendkim.verify(data)
    assert not opendkim.verify(data.replace(b"original body", b"modified body"))
    assert not opendkim.verify(data.replace(b"Subject: differential test 1",
                                            b"Subject: differential test 2"))
