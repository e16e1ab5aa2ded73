"""Postfix -> rspamd proxy in milter mode -> sink (real-components.md §7.4).

rspamd asks for no reply to most commands (NO_REPLY steps): the must-test
case for the manager, whose test will put the manager in between."""

from __future__ import annotations

import pytest

from .components.postfix import inet_milter
from .components.rspamd import GTUBE_REPLY
from .components.spamassassin import GTUBE
from .delivery import assert_nothing_delivered, header_fields, parse_relayed
from .mails import RECIPIENT, SENDER, message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix, pytest.mark.real_milters]


def test_clean_mail_passes_unchanged(sink, rspamd, postfix_factory):
    postfix = postfix_factory([inet_milter(rspamd.port)])
    sent = message(1, "", "An ordinary note about lunch.\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    relayed = parse_relayed(sink.wait_for_one().data)
    # The default configuration adds no headers (§7.4).
    assert relayed.above == []
    assert (relayed.below, relayed.body) == header_fields(sent)


def test_gtube_is_rejected_with_rspamds_verdict(sink, rspamd, postfix_factory):
    postfix = postfix_factory([inet_milter(rspamd.port)])
    sent = message(1, "", f"This is the GTUBE:\n{GTUBE}\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.final_command == "DATA-END"
    assert (outcome.final.code, outcome.final.text) == GTUBE_REPLY
    assert_nothing_delivered(sink, outcome)
