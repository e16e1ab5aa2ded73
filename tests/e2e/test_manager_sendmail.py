"""Sendmail 8.17 -> our milter-manager -> children: the second MTA, for the
basic cases (the real-MTA issue; real-components.md §8, §9, §10).

Sendmail speaks to a milter differently from Postfix (other macros, `i`
only at MAIL, no `A` after end-of-message, just `Q`). Each case is compared
with Sendmail's own filter chain, read back from the queue files.
"""

from __future__ import annotations

import pytest

from .components.clamav import DETECTED_NAME, MARKER, REJECT_MESSAGE
from .components.manager import ruby_config
from .components.sendmail import accepted_queue_id, as_queued, inet_filter, received_for
from .components.tinymilter import DEFAULT_HEADER
from .delivery import header_fields
from .mails import RECIPIENT, SENDER, differential_mails, message
from .normalise import normalise

pytestmark = [pytest.mark.slow, pytest.mark.e2e_sendmail]


def test_added_header_lands_last_as_with_sendmails_own_filter(tiny_milter, manager_factory,
                                                              sendmail_factory):
    manager = manager_factory(ruby_config([("tiny", tiny_milter.port)]))
    sendmail = sendmail_factory([inet_filter("manager", manager.port)])
    sent = message(1, "X-Folded: first\n\tsecond\n", "body line 1\n.dot line\nbody line 2\n")

    outcome = sendmail.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    queue_id = accepted_queue_id(outcome)
    queued = sendmail.queued(queue_id)
    assert (queued.sender, queued.recipients) == (f"<{SENDER}>", (f"<{RECIPIENT}>",))
    assert received_for(queued).group(1) == queue_id
    sent_fields, sent_body = header_fields(sent)
    # M0 (manager.md §7.3): `h`, so after the last header; upstream's `i`
    # put it right after Sendmail's own Received (real-components.md §10).
    assert queued.plain_headers()[1:] == [*as_queued(sent_fields), DEFAULT_HEADER]
    assert queued.body == sent_body.replace(b"\r\n", b"\n")
    ends = manager.wait_for_milter_ends(1)
    assert [(e.state, e.status, e.name) for e in ends] == [("end-of-message", "accept", "tiny")]


def test_two_children_native_filters_vs_manager(tiny_milter_factory, manager_factory,
                                                sendmail_factory):
    first = tiny_milter_factory("first", headers=[("X-First", "1")])
    second = tiny_milter_factory("second", headers=[("X-Second", "2")])
    native = sendmail_factory([inet_filter("first", first.port),
                               inet_filter("second", second.port)])
    manager = manager_factory(ruby_config([("first", first.port), ("second", second.port)]))
    managed = sendmail_factory([inet_filter("manager", manager.port)])
    sent = message(1, "", "chained\n")

    results = []
    for sendmail in (native, managed):
        outcome = sendmail.send(SENDER, [RECIPIENT], sent)
        assert outcome.accepted, outcome
        results.append(sendmail.queued(accepted_queue_id(outcome)))

    native_queued, managed_queued = results
    expected = [*as_queued(header_fields(sent)[0]), ("X-First", "1"), ("X-Second", "2")]
    assert native_queued.plain_headers()[1:] == expected
    assert managed_queued.plain_headers()[1:] == expected
    assert managed_queued.body == native_queued.body


@pytest.mark.real_milters
def test_clamav_reject_native_filter_vs_manager(clamav, manager_factory, sendmail_factory):
    native = sendmail_factory([inet_filter("clamav", clamav.port)])
    manager = manager_factory(ruby_config([("clamav-milter", clamav.port)]))
    managed = sendmail_factory([inet_filter("manager", manager.port)])
    sent = message(1, "", f"carrying {MARKER}\n")

    replies = [sendmail.send(SENDER, [RECIPIENT], sent) for sendmail in (native, managed)]

    for outcome in replies:
        assert outcome.final_command == "DATA-END", outcome
        assert outcome.final.code == 550
        assert REJECT_MESSAGE.replace("%v", DETECTED_NAME) in outcome.final.text
    assert replies[0].final.text == replies[1].final.text


def test_manager_down_sendmail_tempfails(tiny_milter, manager_factory, sendmail_factory):
    # F=T: while the manager is down Sendmail tempfails, as with any
    # unavailable filter (test_sendmail.py); restarted, service resumes.
    manager = manager_factory(ruby_config([("tiny", tiny_milter.port)]))
    sendmail = sendmail_factory([inet_filter("manager", manager.port)])
    manager.stop()

    down = sendmail.send(SENDER, [RECIPIENT], message(1, "", "body\n"))
    manager.restart()
    up = sendmail.send(SENDER, [RECIPIENT], message(2, "", "body\n"))

    assert down.final_command == "MAIL"
    assert (down.final.code, down.final.text) == (451, "4.3.2 Please try again later")
    assert up.accepted, up
    assert sendmail.queued(accepted_queue_id(up)).plain_headers()[-1] == DEFAULT_HEADER


@pytest.mark.real_milters
def test_twenty_mails_sendmail_native_filters_vs_manager(tiny_milter, opendkim, manager_factory,
                                                         sendmail_factory):
    # The same with Sendmail (real-components.md §10): several
    # INPUT_MAIL_FILTER lines vs one for the manager, compared in the queue.
    native = sendmail_factory([inet_filter("tiny", tiny_milter.port),
                               inet_filter("opendkim", opendkim.port)])
    manager = manager_factory(ruby_config([("tiny", tiny_milter.port),
                                           ("opendkim", opendkim.port)]))
    managed = sendmail_factory([inet_filter("manager", manager.port)])

    found = []
    for mail in differential_mails():
        queued = []
        for sendmail in (native, managed):
            outcome = sendmail.send(mail.sender, mail.recipients, mail.data,
                                    mail_options=mail.mail_options)
            assert outcome.accepted, f"{mail.name}: {outcome}"
            queued.append(sendmail.queued(accepted_queue_id(outcome)))
        a, b = queued
        if (a.sender, a.recipients) != (b.sender, b.recipients):
            found.append(f"{mail.name}: envelopes differ")
        if normalise(a.as_message()) != normalise(b.as_message()):
            found.append(f"{mail.name}: messages differ:\n  native  {a.plain_headers()}\n"
                         f"  manager {b.plain_headers()}")
        assert (b.plain_headers()[-1] == ("X-Tiny-Milter", "seen-by-tinymilter")), mail.name
        assert b.plain_headers()[0][0] == "DKIM-Signature", mail.name
    assert found == []
