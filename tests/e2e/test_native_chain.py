"""The oracle: Postfix's own milter chain with the real children.

The differential test of the real-MTA issue sends the same mails through
Postfix with children A, B chained natively and through Postfix -> our
manager -> A, B, and compares the delivered messages. This module is the
native half, proven today: every one of the 20 mails of mails.py goes
through tiny (A) and opendkim (B) and arrives exactly as Postfix's chain is
documented to produce it (real-components.md §10); and the full set of real
children gives the verdicts the manager must reproduce.
"""

from __future__ import annotations

import socket

import pytest

from .components.clamav import DETECTED_NAME, MARKER, REJECT_MESSAGE
from .components.postfix import inet_milter
from .components.spamassassin import GTUBE, REJECT_CODE, REJECT_TEXT, spam_header_names
from .components.tinymilter import DEFAULT_HEADER
from .delivery import (
    added_field,
    assert_nothing_delivered,
    deliver,
    deliver_all,
    field_name,
    header_fields,
    parse_relayed,
    reply_without_queue_id,
)
from .mails import RECIPIENT, SENDER, differential_mails, message
from .normalise import normalise

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix, pytest.mark.real_milters]

MAILS = differential_mails()


@pytest.mark.parametrize("mail", MAILS, ids=[mail.name for mail in MAILS])
def test_differential_mail_through_native_chain(mail, sink, tiny_milter, opendkim,
                                               postfix_factory):
    postfix = postfix_factory([inet_milter(tiny_milter.port), inet_milter(opendkim.port)])

    _, delivered = deliver(postfix, sink, mail)

    # aiosmtpd writes the null sender as "<>".
    assert (delivered.mail_from, delivered.rcpt_tos) == (mail.sender or "<>", mail.recipients)
    assert ("BODY=8BITMIME" in delivered.mail_options) == ("BODY=8BITMIME" in mail.mail_options)
    relayed = parse_relayed(delivered.data)
    assert relayed.received["helo"] == b"client.example"
    single = mail.recipients[0].encode() if len(mail.recipients) == 1 else None
    assert relayed.received["rcpt"] == single
    # B's insert at index 0 lands above Postfix's Received; A's add-header
    # after the last original header; the original header fields and the
    # body are untouched, byte for byte.
    assert [field_name(f) for f in relayed.above] == [b"DKIM-Signature"]
    assert relayed.below == [*header_fields(mail.data)[0], added_field(*DEFAULT_HEADER)]
    assert relayed.body == mail.body
    assert opendkim.verify(delivered.data)


FULL_CHAIN = ("opendkim", "clamav", "spamassassin")


@pytest.fixture
def full_chain(sink, opendkim, clamav, spamassassin, postfix_factory):
    """Postfix with opendkim, clamav-milter and spamass-milter, in that order."""
    return postfix_factory([inet_milter(opendkim.port), inet_milter(clamav.port),
                            inet_milter(spamassassin.port)])


def test_full_chain_clean_mail(full_chain, sink, opendkim, clamav):
    sent = message(1, "", "A clean message for every child.\n")

    outcome = full_chain.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    delivered = sink.wait_for_one()
    relayed = parse_relayed(delivered.data)
    sent_fields, sent_body = header_fields(sent)
    assert [field_name(f) for f in relayed.above] == [b"DKIM-Signature"]
    assert opendkim.verify(delivered.data)
    assert relayed.below[:len(sent_fields)] == sent_fields
    added = relayed.below[len(sent_fields):]
    # Additions in list order: clamav-milter's, then spamass-milter's.
    assert [field_name(f) for f in added] == [
        b"X-Virus-Scanned", b"X-Virus-Status", *spam_header_names(added[2])]
    assert added[:2] == [
        added_field("X-Virus-Scanned", f"clamav-milter {clamav.version} at {socket.gethostname()}"),
        added_field("X-Virus-Status", "Clean")]
    assert added[2].startswith(b"X-Spam-Status: No, score=")
    assert relayed.body == sent_body


def test_full_chain_marker_mail_gets_clamavs_reject(full_chain, sink):
    outcome = full_chain.send(SENDER, [RECIPIENT], message(1, "", f"{MARKER}\n"))

    assert outcome.final_command == "DATA-END"
    assert (outcome.final.code, outcome.final.text) == (
        550, "5.7.1 " + REJECT_MESSAGE.replace("%v", DETECTED_NAME))
    assert_nothing_delivered(sink, outcome)


def test_full_chain_gtube_gets_spamass_reject(full_chain, sink):
    # clamav-milter passes the GTUBE (no signature for it); spamass-milter,
    # next in the chain, rejects it.
    outcome = full_chain.send(SENDER, [RECIPIENT], message(1, "", f"{GTUBE}\n"))

    assert outcome.final_command == "DATA-END"
    assert (outcome.final.code, outcome.final.text) == (REJECT_CODE, REJECT_TEXT)
    assert_nothing_delivered(sink, outcome)


def test_two_native_runs_are_identical_after_normalisation(sink, tiny_milter, opendkim,
                                                            postfix_factory):
    # The differential harness itself, with the native chain on both sides:
    # the later test swaps the second instance for Postfix -> manager -> A, B.
    milters = [inet_milter(tiny_milter.port), inet_milter(opendkim.port)]
    first = deliver_all(postfix_factory(milters), sink, MAILS)
    second = deliver_all(postfix_factory(milters), sink, MAILS)

    differences = []
    for mail in MAILS:
        (outcome_a, delivered_a), (outcome_b, delivered_b) = first[mail.name], second[mail.name]
        if reply_without_queue_id(outcome_a) != reply_without_queue_id(outcome_b):
            differences.append(f"{mail.name}: SMTP replies differ")
        if (delivered_a.mail_from, delivered_a.rcpt_tos) != (delivered_b.mail_from,
                                                             delivered_b.rcpt_tos):
            differences.append(f"{mail.name}: envelopes differ")
        if normalise(delivered_a.data) != normalise(delivered_b.data):
            differences.append(f"{mail.name}: messages differ")
        # Not equal before normalisation: the Received headers differ.
        assert delivered_a.data != delivered_b.data
    assert differences == []
