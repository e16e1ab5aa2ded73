"""Postfix -> spamass-milter (+ spamd, local tests only) -> sink
(real-components.md §7.3)."""

from __future__ import annotations

import re
import socket

import pytest

from .components.postfix import inet_milter
from .components.spamassassin import GTUBE, REJECT_CODE, REJECT_TEXT, spam_header_names
from .delivery import assert_nothing_delivered, field_name, header_fields, parse_relayed
from .mails import RECIPIENT, SENDER, message

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix, pytest.mark.real_milters]


def test_clean_mail_gets_spam_status_headers(sink, spamassassin, postfix_factory):
    postfix = postfix_factory([inet_milter(spamassassin.port)])
    sent = message(1, "", "An ordinary note about lunch.\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.accepted, outcome
    relayed = parse_relayed(sink.wait_for_one().data)
    sent_fields, sent_body = header_fields(sent)
    assert relayed.above == []
    assert relayed.below[:len(sent_fields)] == sent_fields
    added = relayed.below[len(sent_fields):]
    assert [field_name(f) for f in added] == spam_header_names(added[0])
    status = added[0].decode()
    # Not spam: "No", a score well below the threshold, spamd's version.
    assert re.match(r"X-Spam-Status: No, score=-?\d+\.\d required=5\.0 tests=", status), status
    assert "version=4." in status
    checker = added[-1].decode()
    assert re.fullmatch(rf"X-Spam-Checker-Version: SpamAssassin 4\.\S+ \(\S+\) on "
                        rf"{re.escape(socket.gethostname())}\r\n", checker), checker
    # spamass-milter rewrites nothing else for a message below the threshold.
    assert relayed.body == sent_body


def test_gtube_is_rejected_with_spamass_milters_reply(sink, spamassassin, postfix_factory):
    postfix = postfix_factory([inet_milter(spamassassin.port)])
    sent = message(1, "", f"This is the GTUBE:\n{GTUBE}\n")

    outcome = postfix.send(SENDER, [RECIPIENT], sent)

    assert outcome.final_command == "DATA-END"
    assert (outcome.final.code, outcome.final.text) == (REJECT_CODE, REJECT_TEXT)
    assert_nothing_delivered(sink, outcome)
