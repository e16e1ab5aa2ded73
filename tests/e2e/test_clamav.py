"""Postfix -> clamav-milter (+ clamd with a one-signature database) -> sink
(real-components.md §7.2)."""

from __future__ import annotations

import socket

import pytest

from .components.clamav import DETECTED_NAME, MARKER, REJECT_MESSAGE
from .components.postfix import inet_milter
from .delivery import (
    added_field,
    assert_nothing_delivered,
    header_fields,
    parse_relayed,
)
from .mails import RECIPIENT, SENDER, message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix, pytest.mark.real_milters]


def test_clean_mail_is_marked_clean(sink, clamav, postfix_factory):
    postfix = postfix_factory([inet_milter(clamav.port)])
    sent = message(1, "", "a harmless body\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    relayed = parse_relayed(sink.wait_for_one().data)
    sent_fields, sent_body = header_fields(sent)
    # AddHeader Replace: both headers appended (there were none to replace).
    assert relayed.above == []
    assert relayed.below == [
        *sent_fields,
        added_field("X-Virus-Scanned",
                    f"clamav-milter {clamav.version} at {socket.gethostname()}"),
        added_field("X-Virus-Status", "Clean")]
    assert relayed.body == sent_body


def test_marker_mail_is_rejected_with_clamav_milters_reply(sink, clamav, postfix_factory):
    postfix = postfix_factory([inet_milter(clamav.port)])
    sent = message(1, "", f"first line\ncarrying {MARKER} inside\nlast line\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    # OnInfected Reject with RejectMsg: the end-of-data reply is the milter's
    # own (550 5.7.1, %v replaced by the detected name).
    assert outcome.final_command == "DATA-END"
    assert (outcome.final.code, outcome.final.text) == (
        550, "5.7.1 " + REJECT_MESSAGE.replace("%v", DETECTED_NAME))
    assert_nothing_delivered(sink, outcome)
