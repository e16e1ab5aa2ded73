"""Every [deviation] of manager.md §16.1 (M0–M21), and the protocol
deviations the session layer implements (P2, P4, P12), each shown by what
the MTA (and, where it matters, a child) sees on the wire."""

import threading
import time

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
    NO_BODY,
    NO_REPLY_HEADER,
    NO_REPLY_MASK,
)
from milter_manager.protocol.replies import (
    AddHeader,
    ChangeHeader,
    Continue,
    Reject,
    ReplaceBody,
    TemporaryFailure,
)

from .support import (
    CLOSE,
    SILENT,
    Condition,
    FakeMilter,
    Sleep,
    configuration,
    connect_packet,
    egg,
    run_until,
)


def y(text: bytes) -> bytes:
    return (len(text) + 2).to_bytes(4, "big") + b"y" + text + b"\0"


def setup(milters, run_manager, a_script=None, b_script=None, a_kw=None, b_kw=None,
          egg_a=None, egg_b=None, **manager):
    a = milters("a", script=a_script, **(a_kw or {}))
    b = milters("b", script=b_script, **(b_kw or {}))
    running = run_manager(configuration(egg("a", a.spec, **(egg_a or {})),
                                        egg("b", b.spec, **(egg_b or {})), **manager))
    return a, b, running, running.mta()


def to_eom(mta, headers=((b"From", b"kou"), (b"Subject", b"s")), body=b"Hi,"):
    for name, value in headers:
        assert mta.command(Header(name, value)).wire_code == b"c"
    assert mta.command(EndOfHeader()).wire_code == b"c"
    if body is not None:
        assert mta.command(Body(body)).wire_code == b"c"
    mta.send(EndOfMessage())
    return mta.reply()


def test_m0_appended_header_is_sent_as_add_header(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager,
                         a_script={b"E": [AddHeader(b"X-A", b"1"), Continue()]},
                         b_script={b"E": [ChangeHeader(1, b"Subject", b"new"), Continue()]})
    run_until(mta, b"T")
    reply, mods = to_eom(mta)
    assert reply.wire_code == b"c"
    # upstream: m Subject #1, then i 2 X-A 1 (one place too early in real MTAs)
    assert [(m.wire_code, m.name, m.value) for m in mods] == [
        (b"m", b"Subject", b"new"), (b"h", b"X-A", b"1")]


def test_m1_no_reply_bits_never_offered_and_chain_intact(milters, run_manager):
    a, b, _, mta = setup(milters, run_manager, a_kw={"steps": NO_REPLY_MASK},
                         b_kw={"steps": NO_REPLY_MASK})
    reply = mta.command(Negotiate(6, 0x1FF, 0x1FFFFF))
    assert reply.steps & NO_REPLY_MASK == 0
    for command in (connect_packet(), Helo(b"h"), EnvelopeFrom(b"<s>"),
                    EnvelopeRecipient(b"<r>"), Data()):
        assert mta.command(command).wire_code == b"c"
    reply, _ = to_eom(mta, headers=((b"X-1", b"v"), (b"X-2", b"v"), (b"X-3", b"v")))
    assert reply.wire_code == b"c"
    # upstream: the second child only ever received the first header
    for child in (a, b):
        assert [p.name for p in child.received() if p.wire_code == b"L"] == \
            [b"X-1", b"X-2", b"X-3"]


def test_m1_no_reply_header_child_one_reply_per_header(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager, a_kw={"steps": NO_REPLY_HEADER})
    run_until(mta, b"T")
    mta.send(Header(b"X-1", b"v"), Header(b"X-2", b"v"))
    assert [mta.reply()[0].wire_code for _ in range(2)] == [b"c", b"c"]
    assert mta.nothing(0.2)


def test_m2_reply_code_used_for_exactly_one_reply(milters, run_manager):
    greylist = y(b"451 4.7.1 Greylisting in action, please come back later")
    script_a = {b"R": lambda p, r: [greylist] if p.address == b"<r1>" else [Continue()]}
    script_b = {b"R": lambda p, r: [Reject()] if p.address == b"<r2>" else [Continue()]}
    _a, _b, _, mta = setup(milters, run_manager, a_script=script_a, b_script=script_b)
    run_until(mta, b"M")
    first = mta.command(EnvelopeRecipient(b"<r1>"))
    assert first.wire_code == b"y" and first.text.startswith(b"451 4.7.1")
    # upstream repeated the 451 on this plain reject
    assert mta.command(EnvelopeRecipient(b"<r2>")).wire_code == b"r"


def test_m2_code_of_the_wrong_class_does_not_leak(milters, run_manager):
    script_a = {b"R": lambda p, r: [y(b"451 4.7.1 later")] if p.address == b"<r1>"
                else [Continue()]}
    script_b = {b"R": lambda p, r: [Reject()] if p.address == b"<r1>"
                else [TemporaryFailure()]}
    _a, _b, _, mta = setup(milters, run_manager, a_script=script_a, b_script=script_b)
    run_until(mta, b"M")
    assert mta.command(EnvelopeRecipient(b"<r1>")).wire_code == b"r"   # reject outranks
    assert mta.command(EnvelopeRecipient(b"<r2>")).wire_code == b"t"   # not the stale 451


def test_m2_same_class_tie_goes_to_first_child(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager,
                         a_script={b"M": [Sleep(0.2), y(b"550 5.7.1 from a")]},
                         b_script={b"M": [y(b"550 5.7.1 from b")]})
    run_until(mta, b"H")
    reply = mta.command(EnvelopeFrom(b"<s>"))
    assert reply.text == b"550 5.7.1 from a"


def test_m3_reply_without_extended_code_and_multiline_forwarded(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager,
                         a_script={b"H": [y(b"550-5.7.1 line one\r\n550 5.7.1 line two")]},
                         b_script={b"M": [y(b"550 Rejected here")]})
    run_until(mta, b"C")
    helo = mta.command(Helo(b"h"))
    assert (helo.wire_code, helo.text) == (b"y", b"550-5.7.1 line one\r\n550 5.7.1 line two")
    mail = mta.command(EnvelopeFrom(b"<s>"))
    assert (mail.wire_code, mail.text) == (b"y", b"550 Rejected here")


def test_m3_invalid_extended_code_gives_plain_verdict(milters, run_manager):
    _a, _b, running, mta = setup(milters, run_manager, a_script={b"M": [y(b"451 5.7.1 x")]})
    run_until(mta, b"H")
    assert mta.command(EnvelopeFrom(b"<s>")).wire_code == b"t"
    assert running.recorder.wait_for("[leader][error][reply-code] extended code should use "
                                     "the same class of status code: <451>:<5.7.1>")


def test_m4_reply_code_without_text_is_one_line(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager, a_script={b"M": [y(b"554 5.7.1")]})
    run_until(mta, b"H")
    assert mta.command(EnvelopeFrom(b"<s>")).text == b"554 5.7.1"


def test_m5_evaluation_child_never_cuts_off_the_chain(milters, run_manager):
    _a, b, _, mta = setup(milters, run_manager,
                         a_script={b"L": [Reject()]},
                         b_script={b"E": [TemporaryFailure()]},
                         egg_a={"evaluation_mode": True})
    run_until(mta, b"T")
    assert mta.command(Header(b"From", b"kou")).wire_code == b"c"
    assert mta.command(EndOfHeader()).wire_code == b"c"
    mta.send(EndOfMessage())
    assert mta.reply()[0].wire_code == b"t"        # the second child decides
    assert b"L" in b.codes()


def test_m6_end_of_message_timeout_keeps_earlier_modifications(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager,
                         a_script={b"E": [AddHeader(b"X-A", b"1"), Continue()]},
                         b_script={b"E": SILENT},
                         egg_b={"end_of_message_timeout": 0.3})
    run_until(mta, b"T")
    reply, mods = to_eom(mta)
    assert reply.wire_code == b"c"
    assert [(m.wire_code, m.name) for m in mods] == [(b"h", b"X-A")]


def test_m6_failure_with_reject_fallback_ends_after_modifications(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager,
                         a_script={b"E": [AddHeader(b"X-A", b"1"), Continue()]},
                         b_script={b"E": CLOSE},
                         egg_b={"fallback_status": "reject"})
    run_until(mta, b"T")
    reply, mods = to_eom(mta)
    assert reply.wire_code == b"r"
    assert [(m.wire_code, m.name) for m in mods] == [(b"h", b"X-A")]


def test_m7_data_stopper_does_not_answer_early(milters, run_manager):
    stop = Condition("stop-data", {"data": [lambda context: True]})
    a = milters("a")
    b = milters("b", script={b"T": [Sleep(0.4), Continue()]})
    running = run_manager(configuration(egg("a", a.spec, applicable_conditions=[stop]),
                                        egg("b", b.spec)))
    mta = running.mta()
    run_until(mta, b"R")
    started = time.monotonic()
    assert mta.command(Data()).wire_code == b"c"
    assert time.monotonic() - started >= 0.35
    assert mta.nothing(0.2)
    assert a.wait_for(lambda: a.codes() == b"OCHMRA")


def test_m8_empty_replacement_body_is_one_empty_b(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager,
                         a_script={b"E": [ReplaceBody(b""), Continue()]})
    run_until(mta, b"T")
    _reply, mods = to_eom(mta)
    assert [(m.wire_code, m.chunk) for m in mods] == [(b"b", b"")]


def test_m9_message_buckets_reset_per_message(milters, run_manager):
    count = []

    def once_reject(packet, record):
        count.append(1)
        return [Reject()] if len(count) == 1 else [Continue()]
    _a, _b, _, mta = setup(milters, run_manager, b_script={b"E": once_reject})
    run_until(mta, b"T")
    assert to_eom(mta)[0].wire_code == b"r"
    for command in (EnvelopeFrom(b"<s>"), EnvelopeRecipient(b"<r>"), Data()):
        assert mta.command(command).wire_code == b"c"
    assert to_eom(mta)[0].wire_code == b"c"       # upstream: the stale reject


def test_m10_braced_macro_request_matches_and_other_stages_get_all(milters, run_manager):
    a, b, _, mta = setup(milters, run_manager,
                         a_kw={"macro_requests": ((2, (b"{auth_type}",)),)})
    run_until(mta, b"O")
    mta.send(DefineMacro(b"C", {b"j": b"mx", b"daemon_name": b"Postfix"}))
    assert mta.command(connect_packet()).wire_code == b"c"
    assert mta.command(Helo(b"h")).wire_code == b"c"
    mta.send(DefineMacro(b"M", {b"{auth_type}": b"PLAIN", b"{mail_addr}": b"kou"}))
    assert mta.command(EnvelopeFrom(b"<kou>")).wire_code == b"c"
    macros = {p.context: p.macros for p in a.received() if p.wire_code == b"D"}
    assert macros[b"C"] == {b"j": b"mx", b"daemon_name": b"Postfix"}
    assert macros[b"M"] == {b"auth_type": b"PLAIN"}
    other = {p.context: p.macros for p in b.received() if p.wire_code == b"D"}
    assert other[b"M"] == {b"auth_type": b"PLAIN", b"mail_addr": b"kou"}


def test_m11_one_reply_when_no_child_processes_the_message(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager, a_script={b"M": [Reject()]},
                         b_script={b"M": [Reject()]})
    run_until(mta, b"H")
    assert mta.command(EnvelopeFrom(b"<s>")).wire_code == b"r"
    assert mta.command(EnvelopeRecipient(b"<r>")).wire_code == b"a"
    assert mta.nothing(0.3)                       # upstream wrote the fallback twice


def test_m12_unknown_verdict_only_folds(milters, run_manager):
    a, _b, _, mta = setup(milters, run_manager, a_script={b"U": [Reject()]})
    run_until(mta, b"R")
    assert mta.command(Unknown(b"VRFY x")).wire_code == b"r"
    assert mta.command(Data()).wire_code == b"c"
    assert a.codes() == b"OCHMRUT"               # no Q, no A


def test_m13_failed_child_connection_is_closed(milters, run_manager):
    a, _b, _, mta = setup(milters, run_manager, a_script={b"H": SILENT},
                         egg_a={"reading_timeout": 0.2})
    run_until(mta, b"C")
    assert mta.command(Helo(b"h")).wire_code == b"c"   # fallback accept folded
    assert a.wait_for(lambda: a.closed_connections == 1)


def test_m14_child_failing_in_negotiation_never_blocks_the_negotiate_reply(milters,
                                                                            run_manager):
    _a, _b, _, mta = setup(milters, run_manager, a_script={b"O": SILENT},
                         b_script={b"O": [b"\x00\x00\x00\x01Z"]},
                         egg_a={"reading_timeout": 0.3})
    started = time.monotonic()
    assert mta.negotiate().wire_code == b"O"
    assert time.monotonic() - started < 2
    assert mta.command(connect_packet()).wire_code == b"a"   # nobody left: fallback


def test_m15_max_connections_pauses_only_accepting(milters, run_manager):
    a = milters("a", script={b"H": [Sleep(0.3), Continue()]})
    running = run_manager(configuration(egg("a", a.spec), max_connections=1,
                                        suspend_time_on_unacceptable=1))
    first = running.mta()
    run_until(first, b"C")
    second = running.mta()                 # sits in the backlog
    second.send(Negotiate(6, 0x1FF, 0))
    assert second.nothing(0.3)
    started = time.monotonic()
    assert first.command(Helo(b"h")).wire_code == b"c"     # the first session still runs
    assert time.monotonic() - started < 1.0
    first.close()
    assert second.reply(timeout=4)[0].wire_code == b"O"
    assert running.recorder.wait_for("[client][accept][suspend] too many processing "
                                     "connection: 1, max: 1; suspend accepting connection "
                                     "in 1 seconds: #1")
    assert running.recorder.wait_for("[client][accept][resume] resume accepting "
                                     "connection: #1")


def test_m16_abort_cancels_a_pending_reply(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager, a_script={b"R": [Sleep(0.3), Continue()]})
    run_until(mta, b"M")
    mta.send(EnvelopeRecipient(b"<r>"), Abort())
    assert mta.nothing(0.6)                       # no stray RCPT reply
    assert mta.command(EnvelopeFrom(b"<s2>")).wire_code == b"c"
    assert mta.command(EnvelopeRecipient(b"<r2>")).wire_code == b"c"


def test_m17_each_childs_first_b_replaces_the_body(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager,
                         a_script={b"E": [ReplaceBody(b"A-"), ReplaceBody(b"body"), Continue()]},
                         b_script={b"E": [ReplaceBody(b"B-body"), Continue()]},
                         b_kw={"steps": NO_BODY})
    run_until(mta, b"T")
    _reply, mods = to_eom(mta)
    assert [m.chunk for m in mods if m.wire_code == b"b"] == [b"B-body"]


def test_m18_retried_child_gets_the_capped_option(milters, run_manager, tmp_path):
    path = str(tmp_path / "late.sock")
    late: list[FakeMilter] = []
    running = run_manager(configuration(egg("late", f"unix:{path}")), retry_connect_time=0.3)

    def appear():
        time.sleep(0.1)
        late.append(milters("late", unix_path=path))
    threading.Thread(target=appear).start()
    mta = running.mta()
    reply = mta.command(Negotiate(8, 0x1FF, 0x1FFFFF), timeout=5)
    assert reply.wire_code == b"O"
    option = late[0].received()[0]
    assert (option.version, option.actions, option.steps) == (6, 0x1FF, 0x1FFFFF)
    assert running.recorder.wait_for(f"Failed to connect to unix:{path}: No such file or "
                                     "directory")


def test_m19_evaluation_reply_code_never_stored(milters, run_manager):
    _a, _b, _, mta = setup(milters, run_manager,
                         a_script={b"R": [y(b"451 4.7.1 from evaluation")]},
                         b_script={b"R": [TemporaryFailure()]},
                         egg_a={"evaluation_mode": True})
    run_until(mta, b"M")
    assert mta.command(EnvelopeRecipient(b"<r>")).wire_code == b"t"   # plain, no y


def test_m20_message_macros_dropped_when_the_message_ends(milters, run_manager):
    a, _b, _, mta = setup(milters, run_manager)
    run_until(mta, b"M")
    mta.send(DefineMacro(b"R", {b"rcpt_addr": b"first"}))
    assert mta.command(EnvelopeRecipient(b"<r1>")).wire_code == b"c"
    assert mta.command(Data()).wire_code == b"c"
    assert to_eom(mta)[0].wire_code == b"c"
    mark = len(a.received())
    assert mta.command(EnvelopeFrom(b"<s2>")).wire_code == b"c"
    assert mta.command(EnvelopeRecipient(b"<r2>")).wire_code == b"c"
    later = a.received()[mark:]
    assert [p.wire_code for p in later] == [b"M", b"R"]        # no stale D R


def test_m21_connection_checker_ends_the_session(milters, run_manager):
    a = milters("a", script={b"R": [Sleep(3), Continue()]})
    conf = configuration(egg("a", a.spec), connection_check_interval=1)
    conf.connection_checkers = {"gone": lambda context: False}
    running = run_manager(conf)
    mta = running.mta()
    run_until(mta, b"M")
    mta.send(EnvelopeRecipient(b"<r>"))
    assert mta.reply(timeout=3)[0].wire_code == b"t"   # fallback_status_at_disconnect
    assert mta.closed(2)                               # upstream left it open
    assert running.recorder.wait_for("[session][disconnected][")


def test_p2_decode_error_closes_the_mta_connection(milters, run_manager):
    a, _b, running, mta = setup(milters, run_manager)
    run_until(mta, b"C")
    mta.send(b"\x00\x00\x00\x02Z\x00")
    assert mta.closed(2)
    assert a.wait_for(lambda: a.codes().endswith(b"Q"))
    assert running.recorder.wait_for("Decode error: unexpected command was received: Z")


def test_p4_quit_new_connection_is_quit(milters, run_manager):
    a, _b, _, mta = setup(milters, run_manager)
    run_until(mta, b"C")
    mta.send(b"\x00\x00\x00\x01K")
    assert mta.closed(2)
    assert a.wait_for(lambda: a.codes().endswith(b"Q"))


def test_p12_connection_failure_reply_fails_the_child(milters, run_manager):
    a, _b, _, mta = setup(milters, run_manager, a_script={b"H": [b"\x00\x00\x00\x01f"]},
                         egg_a={"fallback_status": "reject"})
    run_until(mta, b"C")
    assert mta.command(Helo(b"h")).wire_code == b"r"
    assert a.wait_for(lambda: a.closed_connections == 1)
