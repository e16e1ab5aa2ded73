"""Evaluation mode live (the real-MTA issue; manager.md §10, cli.md §14.2):
a child in evaluation mode that rejects lets the mail through, and the log
shows what it would have done.

clamav-milter and spamass-milter run in evaluation mode next to the tiny
milter: the marker mail and the GTUBE, which each of them rejects when it
is live (test_manager_postfix.py), are delivered with the tiny milter's
header only (an evaluation child's modifications are ignored), and their
`[milter][end]` lines say `reject`.
"""

from __future__ import annotations

import pytest

from .components.clamav import DETECTED_NAME, MARKER
from .components.manager import ruby_config
from .components.spamassassin import GTUBE
from .components.tinymilter import DEFAULT_HEADER
from .delivery import added_field, deliver, header_fields, parse_relayed
from .mails import TestMail as Mail
from .mails import message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix, pytest.mark.real_milters]

MAILS = {
    "clamav-milter": Mail("marker", "user@example.com", ("rcpt@example.org",),
                          message(1, "", f"carrying {MARKER}\n")),
    "spamass-milter": Mail("gtube", "user@example.com", ("rcpt@example.org",),
                           message(2, "", f"This is the GTUBE:\n{GTUBE}\n")),
}


@pytest.mark.parametrize("rejecting", MAILS.keys())
def test_rejecting_child_in_evaluation_mode_lets_the_mail_through(
        rejecting, sink, tiny_milter, clamav, spamassassin, manager_factory, postfix_factory):
    manager = manager_factory(ruby_config(
        [("clamav-milter", clamav.port), ("spamass-milter", spamassassin.port),
         ("tiny", tiny_milter.port)],
        settings={"clamav-milter": {"evaluation_mode": True},
                  "spamass-milter": {"evaluation_mode": True}}))
    postfix = postfix_factory([manager.postfix_milter])
    mail = MAILS[rejecting]

    outcome, delivered = deliver(postfix, sink, mail)

    assert outcome.final.code == 250
    relayed = parse_relayed(delivered.data)
    sent_fields, sent_body = header_fields(mail.data)
    # Only the live child's change reaches the message: the evaluation
    # children's X-Virus-*/X-Spam-* headers are logged and dropped.
    assert relayed.above == []
    assert relayed.below == [*sent_fields, added_field(*DEFAULT_HEADER)]
    assert relayed.body == sent_body
    ends = {end.name: end for end in manager.wait_for_milter_ends(3)}
    assert (ends[rejecting].state, ends[rejecting].status) == ("end-of-message", "reject")
    assert ends["tiny"].status == "accept"
    if rejecting == "clamav-milter":
        # cli.md §14.2: a child's header additions are logged also in
        # evaluation mode; none was sent to the MTA for it.
        stats = manager.statistics()
        infected = f"<X-Virus-Status>=<Infected ({DETECTED_NAME})>: clamav-milter"
        assert any(s.startswith("[milter][header][add](") and s.endswith(infected)
                   for s in stats), stats
        assert not any(s.startswith("[session][header][add](") and "X-Virus" in s
                       for s in stats), stats
