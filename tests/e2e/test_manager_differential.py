"""The differential test of the real-MTA issue (real-components.md §10): the
same mails through Postfix with the children chained natively (the oracle)
and through Postfix -> our manager -> the same children, in the same order.

The SMTP replies (queue ids masked), the envelopes and the delivered
messages after normalise.py (no `Received:`, DKIM `t=`/`b=` blanked, headers
unfolded, in order) must be identical. Header positions count: through the
manager an appended header must land where the native chain puts it
(manager.md §7.3, deviation M0).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from .components.clamav import MARKER
from .components.manager import Manager, ruby_config
from .components.ports import free_port
from .components.postfix import Postfix, inet_milter
from .components.sink import Delivered, Sink
from .components.smtp import Outcome
from .components.spamassassin import GTUBE
from .delivery import reply_without_queue_id, wait_for_queue_ids
from .mails import TestMail as Mail
from .mails import differential_mails, message
from .normalise import normalise

pytestmark = [pytest.mark.slow, pytest.mark.e2e_postfix, pytest.mark.real_milters]

MAILS = differential_mails()


def send_all(postfix: Postfix, mails: Sequence[Mail]) -> dict[str, Outcome]:
    return {mail.name: postfix.send(mail.sender, mail.recipients, mail.data,
                                    mail_options=mail.mail_options) for mail in mails}


def run_both(native: Postfix, managed: Postfix, sink: Sink, mails: Sequence[Mail]
             ) -> tuple[dict[str, tuple[Outcome, Delivered | None]], ...]:
    """Send every mail through both instances; {name: (outcome, delivery or
    None when it was not accepted)} for each side."""
    outcomes = (send_all(native, mails), send_all(managed, mails))
    queue_ids = [o.queue_id for side in outcomes for o in side.values() if o.accepted]
    delivered = wait_for_queue_ids(sink, queue_ids, timeout=120)
    return tuple({name: (o, delivered[o.queue_id] if o.accepted else None)
                  for name, o in side.items()} for side in outcomes)


def differences(native: dict[str, tuple[Outcome, Delivered | None]],
                managed: dict[str, tuple[Outcome, Delivered | None]]) -> list[str]:
    found = []
    for name, (outcome_a, delivered_a) in native.items():
        outcome_b, delivered_b = managed[name]
        if reply_without_queue_id(outcome_a) != reply_without_queue_id(outcome_b):
            found.append(f"{name}: SMTP replies differ: native {outcome_a} / manager {outcome_b}")
            continue
        if delivered_a is None:
            continue
        assert delivered_b is not None
        if (delivered_a.mail_from, delivered_a.rcpt_tos, delivered_a.mail_options) != (
                delivered_b.mail_from, delivered_b.rcpt_tos, delivered_b.mail_options):
            found.append(f"{name}: envelopes differ")
        a, b = normalise(delivered_a.data), normalise(delivered_b.data)
        if a.headers != b.headers:
            found.append(f"{name}: headers differ:\n  native  {a.headers}\n  manager {b.headers}")
        if a.body != b.body:
            found.append(f"{name}: bodies differ")
    return found


def native_and_managed(postfix_factory, manager_factory, children: Sequence[tuple[str, int]],
                       native_milters: Sequence[str] | None = None
                       ) -> tuple[Postfix, Postfix, Manager]:
    """Postfix with `children` chained natively, and Postfix with our
    manager (returned too) defining the same children in the same order."""
    native = postfix_factory(native_milters if native_milters is not None
                             else [inet_milter(port) for _, port in children])
    manager = manager_factory(ruby_config(children))
    return native, postfix_factory([manager.postfix_milter]), manager


def test_twenty_mails_native_chain_vs_manager(sink, tiny_milter, opendkim, manager_factory,
                                              postfix_factory):
    native, managed, manager = native_and_managed(
        postfix_factory, manager_factory, [("tiny", tiny_milter.port), ("opendkim", opendkim.port)])

    results = run_both(native, managed, sink, MAILS)

    assert all(outcome.accepted for outcome, _ in results[1].values())
    assert differences(*results) == []
    # The comparison is not blind: every delivery carries both children's work.
    for _, delivered in results[1].values():
        assert opendkim.verify(delivered.data)
        assert b"\r\nX-Tiny-Milter: seen-by-tinymilter\r\n" in delivered.data
    ends = manager.wait_for_milter_ends(2 * len(MAILS))
    assert {(end.name, end.state, end.status) for end in ends} == {
        ("tiny", "end-of-message", "accept"), ("opendkim", "end-of-message", "accept")}


def test_twenty_mails_every_real_child_native_vs_manager(
        sink, tiny_milter, opendkim, clamav, spamassassin, rspamd, manager_factory,
        postfix_factory):
    # All five children at once: header adds and inserts, body scans, and
    # rspamd's NO_REPLY steps, on every kind of mail.
    native, managed, _ = native_and_managed(postfix_factory, manager_factory, [
        ("tiny", tiny_milter.port), ("opendkim", opendkim.port), ("clamav-milter", clamav.port),
        ("spamass-milter", spamassassin.port), ("rspamd", rspamd.port)])

    results = run_both(native, managed, sink, MAILS)

    assert all(outcome.accepted for outcome, _ in results[1].values())
    assert differences(*results) == []
    for _, delivered in results[1].values():
        assert opendkim.verify(delivered.data)
        assert b"\r\nX-Virus-Status: Clean\r\n" in delivered.data
        assert b"\r\nX-Spam-Status: No, score=" in delivered.data


def test_verdicts_of_clamav_and_spamass_native_vs_manager(sink, opendkim, clamav, spamassassin,
                                                          manager_factory, postfix_factory):
    native, managed, _ = native_and_managed(postfix_factory, manager_factory, [
        ("opendkim", opendkim.port), ("clamav-milter", clamav.port),
        ("spamass-milter", spamassassin.port)])
    mails = [Mail(name, "user@example.com", ("rcpt@example.org",), data) for name, data in [
        ("clean", message(1, "", "A clean message for every child.\n")),
        ("marker", message(2, "", f"carrying {MARKER}\n")),
        ("gtube", message(3, "", f"{GTUBE}\n"))]]

    results = run_both(native, managed, sink, mails)

    assert [o.final.code for o, _ in results[1].values()] == [250, 550, 550]
    assert differences(*results) == []


def test_rspamd_native_vs_manager(sink, tiny_milter, rspamd, manager_factory, postfix_factory):
    native, managed, _ = native_and_managed(
        postfix_factory, manager_factory, [("tiny", tiny_milter.port), ("rspamd", rspamd.port)])
    mails = [Mail(name, "user@example.com", ("rcpt@example.org",), data) for name, data in [
        ("clean", message(1, "", "An ordinary note about lunch.\n")),
        ("gtube", message(2, "", f"This is the GTUBE:\n{GTUBE}\n"))]]

    results = run_both(native, managed, sink, mails)

    assert [o.final.code for o, _ in results[1].values()] == [250, 554]
    assert differences(*results) == []


def test_child_down_default_action_accept_vs_fallback_accept(sink, tiny_milter, manager_factory,
                                                             postfix_factory):
    # A child that is down: Postfix's per-milter default_action=accept skips
    # it; the manager goes on without it (manager.md §9.3, fallback accept).
    down = free_port()
    native, managed, manager = native_and_managed(
        postfix_factory, manager_factory, [("down", down), ("tiny", tiny_milter.port)],
        native_milters=[inet_milter(down, default_action="accept"), inet_milter(tiny_milter.port)])

    results = run_both(native, managed, sink, MAILS[:3])

    assert all(outcome.accepted for outcome, _ in results[1].values())
    assert differences(*results) == []
    # cli.md §14.2: a child that never connected ends at `start` with `pass`,
    # once per session.
    ends = [end for end in manager.wait_for_milter_ends(6) if end.name == "down"]
    assert [(end.state, end.status) for end in ends] == [("start", "pass")] * 3
