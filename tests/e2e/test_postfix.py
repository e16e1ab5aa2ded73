"""Postfix with the tiny test milter: the fixtures and Postfix's own milter
behaviour that the manager tests will rely on (real-components.md §4, §5)."""

from __future__ import annotations

import pytest

from .components.ports import free_port
from .components.postfix import inet_milter
from .components.tinymilter import DEFAULT_HEADER
from .delivery import added_field, header_fields, parse_relayed
from .mails import RECIPIENT, SENDER, message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix]

TINY = added_field(*DEFAULT_HEADER)


def test_tiny_milter_header_is_appended(sink, tiny_milter, postfix_factory):
    postfix = postfix_factory([inet_milter(tiny_milter.port)])
    sent = message(1, "X-Folded: first\n\tsecond\n", "body line 1\n.dot line\nbody line 2\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    assert outcome.final.text.startswith("2.0.0 Ok: queued as ")
    delivered = sink.wait_for_one()
    assert (delivered.mail_from, delivered.rcpt_tos) == (SENDER, (RECIPIENT,))
    relayed = parse_relayed(delivered.data)
    assert relayed.queue_id == outcome.queue_id
    assert relayed.received["helo"] == b"client.example"
    assert relayed.received["rcpt"] == RECIPIENT.encode()
    assert relayed.above == []
    # add-header lands after the last header; nothing else changes.
    sent_fields, sent_body = header_fields(sent)
    assert relayed.below == [*sent_fields, TINY]
    assert relayed.body == sent_body


def test_tiny_milter_sees_every_stage(sink, tiny_milter, postfix_factory):
    postfix = postfix_factory([inet_milter(tiny_milter.port)])
    outcome = postfix.send(SENDER, [RECIPIENT], message(1, "", "body\n"))
    assert outcome.accepted, outcome
    sink.wait_for_one()

    commands = [cmd for conn, cmd, _ in tiny_milter.commands() if cmd != "D"]
    # Postfix 3.7 offers protocol 6 with every step; the milter asked for all
    # of them: connect, helo, MAIL, RCPT, DATA, 5 headers, EOH, body, EOM;
    # then abort twice and quit (§4, "What Postfix 3.7 sends").
    assert commands == ["O", "C", "H", "M", "R", "T", "L", "L", "L", "L", "L", "N", "B", "E",
                        "A", "A", "Q"]
    headers = [data for _, cmd, data in tiny_milter.commands() if cmd == "L"]
    assert headers[0] == b"From\0User <user@example.com>\0"  # no leading space


def test_native_chain_applies_milters_in_list_order(sink, tiny_milter_factory, postfix_factory):
    first = tiny_milter_factory("first", headers=[("X-First", "1")])
    second = tiny_milter_factory("second", headers=[("X-Second", "2")])
    postfix = postfix_factory([inet_milter(first.port), inet_milter(second.port)])
    sent = message(1, "", "chained\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    relayed = parse_relayed(sink.wait_for_one().data)
    assert relayed.below == [*header_fields(sent)[0], b"X-First: 1\r\n", b"X-Second: 2\r\n"]
    # Postfix's cleanup runs the whole message through one milter after the
    # other, applying each one's changes before the next: the second milter
    # sees the header the first one added, as the last header.
    seen_by_second = [tuple(data.split(b"\0")[:2])
                      for _, cmd, data in second.commands() if cmd == "L"]
    assert seen_by_second == [
        (b"From", b"User <user@example.com>"), (b"To", b"rcpt@example.org"),
        (b"Subject", b"differential test 1"), (b"Date", b"Wed, 25 Nov 2026 08:00:00 +0000"),
        (b"Message-ID", b"<difftest-1@example.com>"), (b"X-First", b"1")]


def test_non_smtpd_milters_apply_to_local_submission(sink, tiny_milter, postfix_factory):
    postfix = postfix_factory(smtpd_milters=[], non_smtpd_milters=[inet_milter(tiny_milter.port)])
    sent = message(1, "", "submitted with sendmail(1)\n")

    postfix.submit_local(SENDER, [RECIPIENT], sent)

    delivered = sink.wait_for_one()
    assert (delivered.mail_from, delivered.rcpt_tos) == (SENDER, (RECIPIENT,))
    relayed = parse_relayed(delivered.data, local=True)
    assert relayed.below == [*header_fields(sent)[0], TINY]
    assert relayed.body == header_fields(sent)[1]


def test_unreachable_milter_tempfails_with_default_action(sink, postfix_factory):
    # Nothing listens on the milter port: milter_default_action = tempfail
    # answers every command with 451 (§4.4), which is what the MTA does while
    # the manager is down.
    postfix = postfix_factory([inet_milter(free_port())], milter_default_action="tempfail")

    outcome = postfix.send(SENDER, [RECIPIENT], message(1, "", "body\n"))

    assert outcome.final_command == "MAIL"
    assert (outcome.final.code, outcome.final.text) == (
        451, "4.7.1 Service unavailable - try again later")
    assert sink.messages == []


def test_unreachable_milter_skipped_with_accept(sink, tiny_milter, postfix_factory):
    # Per-milter default_action=accept: the dead milter is skipped, the live
    # one still applies (§4.2, the native counterpart of fallback_status).
    postfix = postfix_factory([inet_milter(free_port(), default_action="accept"),
                               inet_milter(tiny_milter.port)])
    sent = message(1, "", "body\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    relayed = parse_relayed(sink.wait_for_one().data)
    assert relayed.below == [*header_fields(sent)[0], TINY]
