"""The merge engine on the wire: negotiation, broadcast stages, the chain,
end-of-message output, stoppers (manager.md §4–§13). Each test drives a real
manager with scripted child milters and checks what the MTA and the children
see."""

import pytest

from milter_manager.protocol import Negotiate
from milter_manager.protocol.commands import (
    Abort,
    Body,
    Data,
    DefineMacro,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Header,
    Helo,
    Unknown,
)
from milter_manager.protocol.flags import (
    HEADER_VALUE_WITH_LEADING_SPACE,
    NO_BODY,
    NO_CONNECT,
    NO_DATA,
    NO_REPLY_HEADER,
    SKIP,
)
from milter_manager.protocol.replies import (
    Accept,
    AddHeader,
    AddRecipient,
    ChangeHeader,
    Continue,
    DeleteRecipient,
    Discard,
    NegotiateReply,
    Progress,
    Quarantine,
    Reject,
    ReplaceBody,
    Skip,
    TemporaryFailure,
)

from .support import (
    CLOSE,
    Condition,
    Sleep,
    configuration,
    connect_packet,
    egg,
    run_until,
)


def two(milters, run_manager, a_script=None, b_script=None, a_kw=None, b_kw=None, **manager):
    a = milters("a", script=a_script, **(a_kw or {}))
    b = milters("b", script=b_script, **(b_kw or {}))
    eggs_a = dict(manager.pop("egg_a", {}))
    eggs_b = dict(manager.pop("egg_b", {}))
    running = run_manager(configuration(egg("a", a.spec, **eggs_a), egg("b", b.spec, **eggs_b),
                                        **manager))
    return a, b, running, running.mta()


def y(text: bytes) -> bytes:
    """A raw `y` frame with this text (valid or not)."""
    return (len(text) + 2).to_bytes(4, "big") + b"y" + text + b"\0"


# -- negotiation (§5.1, protocol.md §6) -------------------------------------------------

def test_negotiate_caps_version_keeps_bits_and_merges(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager, a_kw={"steps": SKIP},
                             b_kw={"steps": 0})
    offered_steps = 0x100E7F | 0x800000          # an unknown bit too
    reply = mta.command(Negotiate(8, 0x7F, offered_steps))
    for child in (a, b):
        option = child.received()[0]
        assert (option.version, option.actions, option.steps) == (6, 0x7F, offered_steps)
    assert isinstance(reply, NegotiateReply)
    assert (reply.version, reply.actions, reply.steps) == (6, 0x7F, SKIP)


def test_negotiate_macro_requests_merged_in_stage_order(milters, run_manager):
    _a, _b, _running, mta = two(
        milters, run_manager,
        a_kw={"macro_requests": ((2, (b"{auth_authen}",)), (0, (b"j", b"{daemon_name}")))},
        b_kw={"macro_requests": ((0, (b"daemon_name", b"{if_addr}")),)})
    reply = mta.negotiate()
    assert reply.macro_requests == ((0, (b"j", b"{daemon_name}", b"{if_addr}")),
                                    (2, (b"{auth_authen}",)))


def test_negotiate_without_children_replies_at_once(run_manager):
    running = run_manager(configuration())
    mta = running.mta()
    reply = mta.command(Negotiate(6, 0x7F, 0x1FFFFF))
    assert (reply.version, reply.actions, reply.steps) == (6, 0x7F, 0)
    # connect-no-child.txt: no child alive → the manager fallback, one reply.
    assert mta.command(connect_packet()).wire_code == b"a"
    assert mta.nothing(0.2)
    assert running.recorder.wait_for("All milters are no longer alive.")


def test_refused_child_is_dropped_silently(milters, run_manager):
    a = milters("a")
    dead = milters("dead", listen=False)
    running = run_manager(configuration(egg("a", a.spec), egg("dead", dead.spec)))
    mta = running.mta()
    run_until(mta, b"C")
    assert a.codes() == b"OC"


def test_negotiate_fallback_discard_expires_healthy_children(milters, run_manager):
    a = milters("a")
    dead = milters("dead", listen=False)
    running = run_manager(configuration(egg("a", a.spec),
                                        egg("dead", dead.spec, fallback_status="discard"),
                                        fallback_status="temporary-failure"))
    mta = running.mta()
    assert mta.negotiate().wire_code == b"O"
    # the session is expired by fallback: connect gets the *manager* fallback
    assert mta.command(connect_packet()).wire_code == b"t"
    # [deviation] M13: the healthy child is sent Q and never sees C.
    assert a.wait_for(lambda: a.codes() == b"OQ")


# -- broadcast stages (§5.3, §5.4) -----------------------------------------------------------

def test_broadcast_waits_for_every_child_and_folds(milters, run_manager):
    # envelope-from-reject-and-discard.txt: reject + (late) discard → discard.
    a, b, running, mta = two(milters, run_manager,
                             a_script={b"M": [Reject()]},
                             b_script={b"M": [Sleep(0.3), Discard()]})
    run_until(mta, b"H")
    assert mta.command(EnvelopeFrom(b"<x@example.com>")).wire_code == b"d"
    # §13.1: both children get A (a: last command M; b: processing).
    assert a.wait_for(lambda: a.codes().endswith(b"MA"))
    assert b.wait_for(lambda: b.codes().endswith(b"MA"))
    # the next RCPT finds no child processing the message: fallback, one reply.
    assert mta.command(EnvelopeRecipient(b"<r@example.com>")).wire_code == b"a"
    assert mta.nothing(0.2)
    assert running.recorder.wait_for("None of milters are processing message.")


def test_recipient_reject_refuses_only_that_recipient(milters, run_manager):
    script = {b"R": lambda p, r: [Reject()] if p.address == b"<bad@example.com>"
              else [Continue()]}
    a, b, _running, mta = two(milters, run_manager, a_script=script)
    run_until(mta, b"M")
    assert mta.command(EnvelopeRecipient(b"<bad@example.com>")).wire_code == b"r"
    assert mta.command(EnvelopeRecipient(b"<good@example.com>")).wire_code == b"c"
    assert mta.command(Data()).wire_code == b"c"
    assert a.codes() == b"OCHMRRT" and b.codes() == b"OCHMRRT"


def test_recipient_accept_leaves_the_message(milters, run_manager):
    # envelope-recipient-accept.txt
    a, b, _running, mta = two(milters, run_manager, a_script={b"R": [Accept()]})
    run_until(mta, b"M")
    assert mta.command(EnvelopeRecipient(b"<r1@example.com>")).wire_code == b"c"
    assert mta.command(EnvelopeRecipient(b"<r2@example.com>")).wire_code == b"c"
    assert mta.command(Data()).wire_code == b"c"
    assert a.codes() == b"OCHMR"
    assert b.codes() == b"OCHMRRT"


def test_evaluation_child_without_recipient_is_aborted_at_data(milters, run_manager):
    # envelope-recipient-reject-evaluation.txt
    a, b, _running, mta = two(milters, run_manager, a_script={b"R": [Reject()]},
                             egg_a={"evaluation_mode": True})
    run_until(mta, b"M")
    assert mta.command(EnvelopeRecipient(b"<r1@example.com>")).wire_code == b"c"
    assert mta.command(Data()).wire_code == b"c"
    assert a.wait_for(lambda: a.codes() == b"OCHMRA")
    assert mta.command(Header(b"From", b"kou")).wire_code == b"c"
    assert b.codes() == b"OCHMRTL"


def test_helo_reject_by_evaluation_child_folds_continue_and_quits_it(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager, a_script={b"H": [Reject()]},
                             egg_a={"evaluation_mode": True})
    run_until(mta, b"C")
    assert mta.command(Helo(b"delian")).wire_code == b"c"
    assert mta.command(EnvelopeFrom(b"<x@example.com>")).wire_code == b"c"
    assert a.wait_for(lambda: a.codes() == b"OCHQ")
    assert b.codes() == b"OCHM"


def test_connect_accept_quits_the_child(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager, a_script={b"C": [Accept()]})
    run_until(mta, b"O")
    assert mta.command(connect_packet()).wire_code == b"c"
    assert a.wait_for(lambda: a.codes() == b"OCQ")
    assert mta.command(Helo(b"h")).wire_code == b"c"
    assert b.codes() == b"OCH"


def test_close_without_reply_at_data_uses_fallback(milters, run_manager):
    # data-close-without-reply.txt
    _a, _b, _running, mta = two(milters, run_manager, a_script={b"T": CLOSE},
                             b_script={b"T": CLOSE})
    run_until(mta, b"R")
    assert mta.command(Data()).wire_code == b"a"


def test_reply_code_forwarded_verbatim(milters, run_manager):
    # reply-code.txt
    text = b"554 5.7.1 1%% 2%% 3%%"
    _a, _b, _running, mta = two(milters, run_manager, a_script={b"M": [y(text)]})
    run_until(mta, b"H")
    reply = mta.command(EnvelopeFrom(b"<x@example.com>"))
    assert reply.wire_code == b"y" and reply.text == text


def test_invalid_extended_code_gives_plain_reject(milters, run_manager):
    _a, _b, running, mta = two(milters, run_manager, a_script={b"M": [y(b"554 3.7.1 1%% 2%%")]})
    run_until(mta, b"H")
    assert mta.command(EnvelopeFrom(b"<x@example.com>")).wire_code == b"r"
    assert running.recorder.wait_for(
        "[leader][error][reply-code] class of extended status code should be '2', "
        "'4' or '5': <3.7.1>: <3>")


def test_no_event_child_is_not_sent_the_command(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager, b_kw={"steps": NO_CONNECT | NO_DATA})
    run_until(mta, b"T")
    assert a.codes() == b"OCHMRT"
    assert b.codes() == b"OHMR"


# -- message stages (§6) ----------------------------------------------------------------

def message_to_eom(mta, body=b"Hi,", headers=((b"From", b"kou"),)):
    for name, value in headers:
        assert mta.command(Header(name, value)).wire_code == b"c"
    assert mta.command(EndOfHeader()).wire_code == b"c"
    if body is not None:
        assert mta.command(Body(body)).wire_code == b"c"


def test_chain_feeds_only_the_head_then_replays(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager)
    run_until(mta, b"T")
    message_to_eom(mta)
    assert b.codes() == b"OCHMRT"
    assert mta.command(EndOfMessage()).wire_code == b"c"
    assert a.codes() == b"OCHMRTLNBE"
    assert b.codes() == b"OCHMRTLNBE"
    body = [p for p in b.received() if p.wire_code == b"B"]
    assert [p.chunk for p in body] == [b"Hi,"]


def test_skip_then_replay_coalesced(milters, run_manager):
    # body-skip.txt
    script = {b"B": lambda p, r: [Skip()] if b"Skip" in p.chunk else [Continue()]}
    a, b, _running, mta = two(milters, run_manager, a_script=script)
    run_until(mta, b"T")
    message_to_eom(mta, body=None)
    assert mta.command(Body(b"Skip")).wire_code == b"c"
    assert mta.command(Body(b"Continue")).wire_code == b"c"
    assert [p.chunk for p in a.received() if p.wire_code == b"B"] == [b"Skip"]
    assert mta.command(EndOfMessage()).wire_code == b"c"
    assert [p.chunk for p in b.received() if p.wire_code == b"B"] == [b"SkipContinue"]


def test_replay_uses_chunk_size(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager, chunk_size=4)
    run_until(mta, b"T")
    message_to_eom(mta, body=b"0123456789")
    assert mta.command(EndOfMessage()).wire_code == b"c"
    assert [p.chunk for p in a.received() if p.wire_code == b"B"] == [b"0123456789"]
    assert [p.chunk for p in b.received() if p.wire_code == b"B"] == [b"0123", b"4567", b"89"]


def test_large_live_chunk_split_at_65535_with_one_reply(milters, run_manager):
    # scenarios.md §9: 114688 bytes → 65535 + 49153, one reply.
    a, _b, _running, mta = two(milters, run_manager)
    run_until(mta, b"T")
    message_to_eom(mta, body=None)
    assert mta.command(Body(b"B" * 114688)).wire_code == b"c"
    assert mta.nothing(0.2)
    sizes = [len(p.chunk) for p in a.received() if p.wire_code == b"B"]
    assert sizes == [65535, 49153]


def test_body_accept_replays_to_next_in_same_command(milters, run_manager):
    # body-accept.txt
    _a, b, _running, mta = two(milters, run_manager, a_script={b"B": [Accept()]},
                             b_script={b"B": [Accept()]})
    run_until(mta, b"T")
    message_to_eom(mta, body=None)
    assert mta.command(Body(b"Accept message")).wire_code == b"a"
    assert [p.chunk for p in b.received() if p.wire_code == b"B"] == [b"Accept message"]


def test_header_reject_ends_message_and_aborts(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager, a_script={b"L": [Reject()]})
    run_until(mta, b"T")
    assert mta.command(Header(b"From", b"kou")).wire_code == b"r"
    assert b.wait_for(lambda: b.codes() == b"OCHMRTA")
    assert a.codes() == b"OCHMRTL"     # a left by its own reject: no A


def test_header_stopper_on_both_children(milters, run_manager):
    # header-stop-all.txt: both stopped → a, both get A.
    stop = Condition("stop-header", {"header": [lambda context, name, value: True]})
    a = milters("a")
    b = milters("b")
    running = run_manager(configuration(egg("a", a.spec, applicable_conditions=[stop]),
                                        egg("b", b.spec, applicable_conditions=[stop])))
    mta = running.mta()
    run_until(mta, b"T")
    assert mta.command(Header(b"From", b"kou")).wire_code == b"a"
    assert a.wait_for(lambda: a.codes() == b"OCHMRTA")
    assert b.wait_for(lambda: b.codes() == b"OCHMRTA")


def test_connect_stopper_sends_abort_then_quit(milters, run_manager):
    stop = Condition("policy", {"connect": [lambda context, host, address: True]})
    a = milters("a")
    b = milters("b")
    running = run_manager(configuration(egg("a", a.spec),
                                        egg("b", b.spec, applicable_conditions=[stop])))
    mta = running.mta()
    run_until(mta, b"C")
    assert b.wait_for(lambda: b.codes() == b"OAQ")
    assert a.codes() == b"OC"


def test_envelope_from_stopper_keeps_child_out_of_the_message(milters, run_manager):
    stop = Condition("stop-from", {"envelope_from": [
        lambda context, sender: sender == "<stop@example.com>"]})
    a = milters("a")
    b = milters("b")
    running = run_manager(configuration(egg("a", a.spec, applicable_conditions=[stop]),
                                        egg("b", b.spec)))
    mta = running.mta()
    run_until(mta, b"H")
    assert mta.command(EnvelopeFrom(b"<stop@example.com>")).wire_code == b"c"
    assert mta.command(EnvelopeRecipient(b"<r@example.com>")).wire_code == b"c"
    assert a.codes() == b"OCH" and b.codes() == b"OCHMR"
    mta.send(Abort())
    assert a.wait_for(lambda: a.codes() == b"OCHA")   # stopped at M still gets A


def test_stopper_exception_counts_as_false(milters, run_manager):
    def broken(context, fqdn):
        raise RuntimeError("boom")
    stop = Condition("broken", {"helo": [broken]})
    a = milters("a")
    running = run_manager(configuration(egg("a", a.spec, applicable_conditions=[stop])))
    mta = running.mta()
    run_until(mta, b"H")
    assert a.codes() == b"OCH"
    assert running.recorder.wait_for("RuntimeError: boom:")


def test_stopper_context_reads_cumulative_macros(milters, run_manager):
    seen = []

    def stopper(context, sender):
        seen.append((context.name, context.macro("{daemon_name}"), context.macro("mail_addr")))
        return False
    condition = Condition("c", {"envelope_from": [stopper]})
    a = milters("a")
    running = run_manager(configuration(egg("a", a.spec, applicable_conditions=[condition])))
    mta = running.mta()
    run_until(mta, b"O")
    mta.send(DefineMacro(b"C", {b"daemon_name": b"Postfix"}))
    assert mta.command(connect_packet()).wire_code == b"c"
    assert mta.command(Helo(b"h")).wire_code == b"c"
    mta.send(DefineMacro(b"M", {b"mail_addr": b"kou"}))
    assert mta.command(EnvelopeFrom(b"<kou>")).wire_code == b"c"
    assert seen == [("a", "Postfix", "kou")]


def test_data_emulation_for_version_6_mta(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager)
    run_until(mta, b"R")
    assert mta.command(Header(b"From", b"kou")).wire_code == b"c"
    assert a.codes() == b"OCHMRTL"
    assert b.codes() == b"OCHMRT"


def test_no_data_emulation_below_version_4(milters, run_manager):
    a, _b, _running, mta = two(milters, run_manager)
    run_until(mta, b"R", version=2)
    assert mta.command(Header(b"From", b"kou")).wire_code == b"c"
    assert a.codes() == b"OCHMRL"


def test_data_emulation_failure_answers_the_pending_command(milters, run_manager):
    _a, _b, _running, mta = two(milters, run_manager, b_script={b"T": [TemporaryFailure()]})
    run_until(mta, b"R")
    assert mta.command(Header(b"From", b"kou")).wire_code == b"t"
    assert mta.nothing(0.2)


def test_no_body_child_is_not_replayed_the_body(milters, run_manager):
    # no-body-flag-on-second-client.txt
    _a, b, _running, mta = two(milters, run_manager, b_kw={"steps": NO_BODY})
    run_until(mta, b"T")
    message_to_eom(mta)
    assert mta.command(EndOfMessage()).wire_code == b"c"
    assert b.codes() == b"OCHMRTLNE"


def test_pipelined_commands_get_one_reply_each_in_order(milters, run_manager):
    a, _b, _running, mta = two(milters, run_manager, a_script={b"H": [Sleep(0.1), Continue()]})
    run_until(mta, b"C")
    mta.send(Helo(b"h"), EnvelopeFrom(b"<s>"), EnvelopeRecipient(b"<r>"))
    assert [mta.reply()[0].wire_code for _ in range(3)] == [b"c", b"c", b"c"]
    assert a.codes() == b"OCHMR"


def test_unknown_reaches_every_child(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager)
    run_until(mta, b"H")
    assert mta.command(Unknown(b"FOO")).wire_code == b"c"
    assert a.codes() == b"OCHU" and b.codes() == b"OCHU"


def test_macros_forwarded_before_the_command(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager)
    run_until(mta, b"O")
    mta.send(DefineMacro(b"C", {b"daemon_name": b"Postfix", b"j": b"mx"}))
    assert mta.command(connect_packet()).wire_code == b"c"
    for child in (a, b):
        packets = child.received()
        assert [p.wire_code for p in packets] == [b"O", b"D", b"C"]
        assert packets[1].macros == {b"daemon_name": b"Postfix", b"j": b"mx"}


# -- end of message (§7) ------------------------------------------------------------------

def test_end_of_message_output_order(milters, run_manager):
    a_script = {b"E": [AddHeader(b"X-A", b"1"), AddRecipient(b"<add@example.com>"),
                       Progress(), ReplaceBody(b"new "), ReplaceBody(b"body"),
                       Quarantine(b"first"), Continue()]}
    b_script = {b"E": [ChangeHeader(1, b"Subject", b"changed"),
                       DeleteRecipient(b"<del@example.com>"), Quarantine(b"second"),
                       Continue()]}
    _a, b, _running, mta = two(milters, run_manager, a_script=a_script, b_script=b_script)
    run_until(mta, b"T")
    message_to_eom(mta, headers=((b"From", b"kou"), (b"Subject", b"s")))
    mta.send(EndOfMessage())
    reply, mods = mta.reply()
    assert reply.wire_code == b"c"
    codes = [m.wire_code for m in mods]
    assert codes == [b"+", b"p", b"-", b"b", b"m", b"h", b"q"]
    assert mods[3].chunk == b"new body"
    assert (mods[4].name, mods[4].index, mods[4].value) == (b"Subject", 1, b"changed")
    assert (mods[5].name, mods[5].value) == (b"X-A", b"1")
    assert mods[6].reason == b"second"
    # the second child was replayed the modified message
    assert [p.chunk for p in b.received() if p.wire_code == b"B"] == [b"new body"]
    assert [(p.name, p.value) for p in b.received() if p.wire_code == b"L"] == \
        [(b"From", b"kou"), (b"Subject", b"s"), (b"X-A", b"1")]


def test_add_recipient_forwarded_without_dedup(milters, run_manager):
    _a, _b, _running, mta = two(
        milters, run_manager,
        a_script={b"E": [AddRecipient(b"add1"), AddRecipient(b"add2"), Continue()]},
        b_script={b"E": [AddRecipient(b"add2"), AddRecipient(b"add3"), Continue()]})
    run_until(mta, b"T")
    message_to_eom(mta)
    mta.send(EndOfMessage())
    _reply, mods = mta.reply()
    assert [m.rcpt for m in mods] == [b"add1", b"add2", b"add2", b"add3"]


def test_end_of_message_reject_ends_message_for_later_children(milters, run_manager):
    _a, b, _running, mta = two(milters, run_manager,
                             a_script={b"E": [AddHeader(b"X-A", b"1"), Reject()]})
    run_until(mta, b"T")
    message_to_eom(mta)
    mta.send(EndOfMessage())
    reply, mods = mta.reply()
    assert reply.wire_code == b"r"
    assert [m.wire_code for m in mods] == [b"h"]   # collected modifications first
    assert b.wait_for(lambda: b.codes() == b"OCHMRTA")


def test_evaluation_modifications_ignored(milters, run_manager):
    _a, b, _running, mta = two(milters, run_manager,
                             a_script={b"E": [AddHeader(b"X-A", b"1"), Quarantine(b"q"),
                                              Reject()]},
                             egg_a={"evaluation_mode": True})
    run_until(mta, b"T")
    message_to_eom(mta)
    mta.send(EndOfMessage())
    reply, mods = mta.reply()
    assert reply.wire_code == b"c" and mods == []
    assert b.codes().endswith(b"E")


def test_modification_outside_end_of_message_fails_the_child(milters, run_manager):
    _a, _b, running, mta = two(milters, run_manager, a_script={b"H": [AddHeader(b"X", b"1")]},
                             egg_a={"fallback_status": "temporary-failure"})
    run_until(mta, b"C")
    assert mta.command(Helo(b"h")).wire_code == b"t"
    assert running.recorder.wait_for(
        "<add-header> should be caused on <end-of-message> but was <helo>")


def test_modification_without_action_bit_is_not_written(milters, run_manager):
    _a, _b, running, mta = two(milters, run_manager,
                             a_kw={"actions": 0}, b_kw={"actions": 0},
                             a_script={b"E": [AddHeader(b"X-A", b"1"), Continue()]})
    mta.command(Negotiate(6, 0, 0))
    for command in (connect_packet(), Helo(b"h"), EnvelopeFrom(b"<s>"),
                    EnvelopeRecipient(b"<r>"), Data()):
        assert mta.command(command).wire_code == b"c"
    message_to_eom(mta)
    mta.send(EndOfMessage())
    _reply, mods = mta.reply()
    assert mods == []
    assert running.recorder.wait_for(
        "add-header can only be done with <add-headers> action flags: <>")


def test_leading_space_stripped_and_added(milters, run_manager):
    a, b, _running, mta = two(
        milters, run_manager, a_kw={"steps": HEADER_VALUE_WITH_LEADING_SPACE},
        b_script={b"E": [AddHeader(b"X-B", b"v"), Continue()]})
    run_until(mta, b"T")
    assert mta.command(Header(b"From", b" kou")).wire_code == b"c"
    assert mta.command(EndOfHeader()).wire_code == b"c"
    mta.send(EndOfMessage())
    _reply, mods = mta.reply()
    assert [(p.name, p.value) for p in a.received() if p.wire_code == b"L"] == [(b"From", b" kou")]
    assert [(p.name, p.value) for p in b.received() if p.wire_code == b"L"] == [(b"From", b"kou")]
    assert [(m.name, m.value) for m in mods] == [(b"X-B", b" v")]


def test_second_message_reuses_children(milters, run_manager):
    a, b, _running, mta = two(milters, run_manager, a_script={b"M": [Reject()]})
    run_until(mta, b"H")
    assert mta.command(EnvelopeFrom(b"<s>")).wire_code == b"r"
    mta.send(Abort())
    assert mta.command(EnvelopeFrom(b"<s2>")).wire_code == b"r"
    assert a.codes().count(b"M") == 2 and b.codes().count(b"M") == 2


def test_abort_after_finished_message_reaches_both(milters, run_manager):
    # abort-on-end-of-message.txt
    a, b, _running, mta = two(milters, run_manager)
    run_until(mta, b"T")
    message_to_eom(mta)
    assert mta.command(EndOfMessage()).wire_code == b"c"
    mta.send(Abort())
    assert a.wait_for(lambda: a.codes().endswith(b"EA"))
    assert b.wait_for(lambda: b.codes().endswith(b"EA"))


@pytest.mark.parametrize("verdict,code", [(Reject(), b"r"), (TemporaryFailure(), b"t"),
                                          (Discard(), b"d")])
def test_end_of_message_verdict_of_first_child(milters, run_manager, verdict, code):
    _a, b, _running, mta = two(milters, run_manager, a_script={b"E": [verdict]})
    run_until(mta, b"T")
    message_to_eom(mta)
    assert mta.command(EndOfMessage()).wire_code == code
    assert b"L" not in b.codes()


def test_nr_header_child_gets_every_header(milters, run_manager):
    a, _b, _running, mta = two(milters, run_manager, a_kw={"steps": NO_REPLY_HEADER})
    run_until(mta, b"T")
    for i in range(3):
        assert mta.command(Header(b"X-%d" % i, b"v")).wire_code == b"c"
    # NO_REPLY: the MTA's reply may come before the child has read the header
    assert a.wait_for(lambda: [p.name for p in a.received() if p.wire_code == b"L"]
                      == [b"X-0", b"X-1", b"X-2"])



def test_inline_stoppers_run_on_the_loop_and_catch_up_without_recursion(milters, run_manager):
    import threading

    from milter_manager.protocol.flags import NO_HEADERS
    threads = set()

    class Inline:
        inline = True

        def __call__(self, context, name, value):
            threads.add(threading.current_thread().name)
            return False
    condition = Condition("inline", {"header": [Inline()]})
    a = milters("a")
    b = milters("b", steps=NO_HEADERS)
    running = run_manager(configuration(egg("a", a.spec),
                                        egg("b", b.spec, applicable_conditions=[condition])))
    mta = running.mta()
    run_until(mta, b"T")
    for i in range(3000):                  # b is caught up with all of them at once
        mta.send(Header(b"X-%d" % i, b"v"))
    for _ in range(3000):
        assert mta.reply()[0].wire_code == b"c"
    assert mta.command(EndOfMessage()).wire_code == b"c"
    assert threads == {"milter-manager-loop"}
    assert b.codes() == b"OCHMRTE"
