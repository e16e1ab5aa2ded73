"""Sendmail 8.17 (unpacked, in its own namespace) with the tiny milter: the
second MTA, queue-only, read back from its queue files (real-components.md §8)."""

from __future__ import annotations

import pytest

from .components.ports import free_port
from .components.sendmail import accepted_queue_id, as_queued, inet_filter, received_for
from .components.tinymilter import DEFAULT_HEADER
from .delivery import header_fields
from .mails import RECIPIENT, SENDER, message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_sendmail]


def test_tiny_milter_header_is_appended(tiny_milter, sendmail_factory):
    sendmail = sendmail_factory([inet_filter("tiny", tiny_milter.port)])
    sent = message(1, "X-Folded: first\n\tsecond\n", "body line 1\n.dot line\nbody line 2\n")

    outcome = sendmail.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    queue_id = accepted_queue_id(outcome)
    assert queue_id is not None, outcome.final
    queued = sendmail.queued(queue_id)
    assert queued.sender == f"<{SENDER}>"
    assert queued.recipients == (f"<{RECIPIENT}>",)
    assert received_for(queued).group(1) == queue_id
    sent_fields, sent_body = header_fields(sent)
    assert queued.plain_headers()[1:] == [*as_queued(sent_fields), DEFAULT_HEADER]
    assert queued.body == sent_body.replace(b"\r\n", b"\n")


def test_native_chain_applies_filters_in_order(tiny_milter_factory, sendmail_factory):
    first = tiny_milter_factory("first", headers=[("X-First", "1")])
    second = tiny_milter_factory("second", headers=[("X-Second", "2")])
    sendmail = sendmail_factory([inet_filter("first", first.port),
                                 inet_filter("second", second.port)])
    sent = message(1, "", "chained\n")

    outcome = sendmail.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    queued = sendmail.queued(accepted_queue_id(outcome))
    assert queued.plain_headers()[1:] == [
        *as_queued(header_fields(sent)[0]), ("X-First", "1"), ("X-Second", "2")]


def test_unreachable_filter_tempfails(sendmail_factory):
    # F=T: the filter is required; while it is down Sendmail tempfails the
    # transaction (what it does while the manager is down).
    sendmail = sendmail_factory([inet_filter("down", free_port())])

    outcome = sendmail.send(SENDER, [RECIPIENT], message(1, "", "body\n"))

    assert outcome.final_command == "MAIL"
    assert (outcome.final.code, outcome.final.text) == (451, "4.3.2 Please try again later")
