"""Postfix -> our milter-manager -> real children -> sink (real-components.md
§9): the acceptance of the real-MTA issue for the children's verdicts.

Each test builds its expectation from what was sent and from what each child
is documented to do (the same expectations as the native-chain tests of
test_clamav.py, test_spamassassin.py, test_opendkim.py, test_rspamd.py), so
the manager must deliver exactly what the children alone would have made.
"""

from __future__ import annotations

import socket

import pytest

from .components.clamav import DETECTED_NAME, MARKER, REJECT_MESSAGE
from .components.manager import ruby_config
from .components.rspamd import GTUBE_REPLY
from .components.spamassassin import GTUBE, REJECT_CODE, REJECT_TEXT, spam_header_names
from .components.tinymilter import DEFAULT_HEADER
from .delivery import (
    added_field,
    assert_nothing_delivered,
    field_name,
    header_fields,
    parse_relayed,
)
from .mails import RECIPIENT, SENDER, message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix]

TINY = added_field(*DEFAULT_HEADER)


# -- the tiny milter: the manager's own changes to the message ------------------

def test_added_header_lands_last_as_in_the_native_chain(sink, tiny_milter, manager_factory,
                                                        postfix_factory):
    manager = manager_factory(ruby_config([("tiny", tiny_milter.port)]))
    postfix = postfix_factory([manager.postfix_milter])
    sent = message(1, "X-Folded: first\n\tsecond\n", "body line 1\n.dot line\nbody line 2\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    relayed = parse_relayed(sink.wait_for_one().data)
    sent_fields, sent_body = header_fields(sent)
    # manager.md §7.3 (M0): a trailing addition goes to Postfix as `h`, so
    # it lands after the last header, not one place early as upstream's `i`.
    assert relayed.above == []
    assert relayed.below == [*sent_fields, TINY]
    assert relayed.body == sent_body
    # cli.md §14.2: the child's header as received, the one sent to the MTA,
    # and one end line for the session and for the child.
    ends = manager.wait_for_milter_ends(1)
    assert [(e.state, e.status, e.name) for e in ends] == [("end-of-message", "accept", "tiny")]
    stats = manager.statistics()
    assert any(s.startswith("[milter][header][add](") and
               s.endswith("): <X-Tiny-Milter>=<seen-by-tinymilter>: tiny") for s in stats), stats
    assert [(e.state, e.status) for e in manager.session_ends()] == [("end-of-message", "accept")]


def test_later_child_sees_the_header_an_earlier_child_added(sink, tiny_milter_factory,
                                                            manager_factory, postfix_factory):
    # The README decision on header visibility: Postfix's native chain shows
    # the second milter the first one's header as the last header
    # (test_postfix.py); the manager replays the modified header list to the
    # later child (manager.md §7.1), so the second child sees the same.
    first = tiny_milter_factory("first", headers=[("X-First", "1")])
    second = tiny_milter_factory("second", headers=[("X-Second", "2")])
    manager = manager_factory(ruby_config([("first", first.port), ("second", second.port)]))
    postfix = postfix_factory([manager.postfix_milter])
    sent = message(1, "", "chained\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    relayed = parse_relayed(sink.wait_for_one().data)
    assert relayed.below == [*header_fields(sent)[0], b"X-First: 1\r\n", b"X-Second: 2\r\n"]
    seen_by_second = [tuple(data.split(b"\0")[:2])
                      for _, cmd, data in second.commands() if cmd == "L"]
    assert seen_by_second == [
        (b"From", b"User <user@example.com>"), (b"To", b"rcpt@example.org"),
        (b"Subject", b"differential test 1"), (b"Date", b"Wed, 25 Nov 2026 08:00:00 +0000"),
        (b"Message-ID", b"<difftest-1@example.com>"), (b"X-First", b"1")]


def test_non_smtpd_milters_through_the_manager(sink, tiny_milter, manager_factory,
                                               postfix_factory):
    manager = manager_factory(ruby_config([("tiny", tiny_milter.port)]))
    postfix = postfix_factory(smtpd_milters=[], non_smtpd_milters=[manager.postfix_milter])
    sent = message(1, "", "submitted with sendmail(1)\n")

    postfix.submit_local(SENDER, [RECIPIENT], sent)

    delivered = sink.wait_for_one()
    relayed = parse_relayed(delivered.data, local=True)
    assert relayed.below == [*header_fields(sent)[0], TINY]
    assert relayed.body == header_fields(sent)[1]


# -- the real children: the first acceptance point -----------------------

REAL_CHILDREN = ("opendkim", "clamav-milter", "spamass-milter")


@pytest.fixture
def real_chain(sink, opendkim, clamav, spamassassin, manager_factory, postfix_factory):
    """Postfix -> manager -> opendkim, clamav-milter, spamass-milter."""
    manager = manager_factory(ruby_config([
        ("opendkim", opendkim.port), ("clamav-milter", clamav.port),
        ("spamass-milter", spamassassin.port)]))
    return manager, postfix_factory([manager.postfix_milter])


@pytest.mark.real_milters
def test_clean_mail_is_signed_scanned_and_scored(real_chain, sink, opendkim, clamav):
    manager, postfix = real_chain
    sent = message(1, "", "A clean message for every child.\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    delivered = sink.wait_for_one()
    relayed = parse_relayed(delivered.data)
    sent_fields, sent_body = header_fields(sent)
    # opendkim's insert at 0 lands above Postfix's Received and verifies
    # with the test key; the original fields and body are untouched.
    assert [field_name(f) for f in relayed.above] == [b"DKIM-Signature"]
    assert opendkim.verify(delivered.data)
    assert relayed.below[:len(sent_fields)] == sent_fields
    added = relayed.below[len(sent_fields):]
    # Additions in child order: clamav-milter's, then spamass-milter's.
    assert [field_name(f) for f in added] == [
        b"X-Virus-Scanned", b"X-Virus-Status", *spam_header_names(added[2])]
    assert added[:2] == [
        added_field("X-Virus-Scanned", f"clamav-milter {clamav.version} at {socket.gethostname()}"),
        added_field("X-Virus-Status", "Clean")]
    assert added[2].startswith(b"X-Spam-Status: No, score=")
    assert relayed.body == sent_body
    ends = manager.wait_for_milter_ends(3)
    assert sorted(e.name for e in ends) == sorted(REAL_CHILDREN)


@pytest.mark.real_milters
def test_marker_mail_gets_clamav_milters_reject(real_chain, sink):
    manager, postfix = real_chain

    outcome = postfix.send(SENDER, [RECIPIENT], message(1, "", f"carrying {MARKER}\n"))

    assert outcome.final_command == "DATA-END"
    assert (outcome.final.code, outcome.final.text) == (
        550, "5.7.1 " + REJECT_MESSAGE.replace("%v", DETECTED_NAME))
    assert_nothing_delivered(sink, outcome)
    ends = {e.name: e for e in manager.wait_for_milter_ends(3)}
    assert (ends["clamav-milter"].state, ends["clamav-milter"].status) == (
        "end-of-message", "reject")
    # The message ended at clamav-milter: spamass-milter, next in the chain,
    # never got its end-of-message.
    assert ends["spamass-milter"].status != "reject"


@pytest.mark.real_milters
def test_gtube_mail_gets_spamass_milters_reject(real_chain, sink):
    manager, postfix = real_chain

    outcome = postfix.send(SENDER, [RECIPIENT], message(1, "", f"{GTUBE}\n"))

    assert outcome.final_command == "DATA-END"
    assert (outcome.final.code, outcome.final.text) == (REJECT_CODE, REJECT_TEXT)
    assert_nothing_delivered(sink, outcome)
    ends = {e.name: e for e in manager.wait_for_milter_ends(3)}
    assert (ends["spamass-milter"].state, ends["spamass-milter"].status) == (
        "end-of-message", "reject")


# -- rspamd: NO_REPLY steps, upstream's known failure (real-components.md §7.4) ----

RSPAMD_ORDERS = {"rspamd-first": ("rspamd", "tiny"), "rspamd-second": ("tiny", "rspamd")}


@pytest.mark.real_milters
@pytest.mark.parametrize("order", RSPAMD_ORDERS.values(), ids=RSPAMD_ORDERS.keys())
def test_rspamd_as_a_child_gives_its_verdict(order, sink, tiny_milter, rspamd, manager_factory,
                                             postfix_factory):
    # Upstream hangs until Postfix's content timeout with rspamd first, and
    # lets the GTUBE through with rspamd second (tiny accepts at
    # end-of-message); the port honours rspamd's reject either way.
    ports = {"rspamd": rspamd.port, "tiny": tiny_milter.port}
    manager = manager_factory(ruby_config([(name, ports[name]) for name in order]))
    postfix = postfix_factory([manager.postfix_milter])
    clean = message(1, "", "An ordinary note about lunch.\n")
    spam = message(2, "", f"This is the GTUBE:\n{GTUBE}\n")

    clean_outcome = postfix.send(SENDER, [RECIPIENT], clean)
    spam_outcome = postfix.send(SENDER, [RECIPIENT], spam)

    assert clean_outcome.accepted, clean_outcome
    relayed = parse_relayed(sink.wait_for_one().data)
    # rspamd adds nothing to a clean message (§7.4); tiny its header.
    assert relayed.above == []
    assert relayed.below == [*header_fields(clean)[0], TINY]
    assert relayed.body == header_fields(clean)[1]
    assert spam_outcome.final_command == "DATA-END"
    assert (spam_outcome.final.code, spam_outcome.final.text) == GTUBE_REPLY
    assert len(sink.messages) == 1
    ends = manager.wait_for_milter_ends(4)
    rspamd_ends = [(e.state, e.status) for e in ends if e.name == "rspamd"]
    assert rspamd_ends == [("end-of-message", "accept"), ("end-of-message", "reject")]
