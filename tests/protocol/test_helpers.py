"""Helpers the manager and the tools use: flags, addresses, macros, options, statuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milter_manager.protocol import (
    COMMAND_NICKS,
    MACRO_CONTEXTS,
    NO_EVENT_MASK,
    NO_REPLY_MASK,
    REPLY_DECODERS,
    REPLY_NICKS,
    YES_MASK,
    Accept,
    Connect,
    Continue,
    DefineMacro,
    Discard,
    MacroContexts,
    Negotiate,
    NegotiateReply,
    Option,
    ProtocolError,
    Reject,
    ReplyCode,
    Skip,
    Status,
    TemporaryFailure,
    cap,
    combine,
    decode_command_frame,
    filter_macros,
    flags,
    fold_status,
    format_actions,
    format_address,
    format_steps,
    frame,
    merge_macro_requests,
    negotiate_reply,
    parse_actions,
    parse_address,
    parse_steps,
    reply_status,
    requested_symbols,
    split_chunk,
)

# --- §2.3 / §2.4 flags --------------------------------------------------------

ACTION_TABLE = [  # §2.3, bit by bit
    (0x001, "add-headers"), (0x002, "change-body"), (0x004, "add-envelope-recipient"),
    (0x008, "delete-envelope-recipient"), (0x010, "change-headers"), (0x020, "quarantine"),
    (0x040, "change-envelope-from"), (0x080, "add-envelope-recipient-with-parameters"),
    (0x100, "set-symbol-list"),
]
STEP_TABLE = [  # §2.4, bit by bit, with the class
    (0x000001, "no-connect", "NO_EVENT"), (0x000002, "no-helo", "NO_EVENT"),
    (0x000004, "no-envelope-from", "NO_EVENT"), (0x000008, "no-envelope-recipient", "NO_EVENT"),
    (0x000010, "no-body", "NO_EVENT"), (0x000020, "no-headers", "NO_EVENT"),
    (0x000040, "no-end-of-header", "NO_EVENT"), (0x000080, "no-reply-header", "NO_REPLY"),
    (0x000100, "no-unknown", "NO_EVENT"), (0x000200, "no-data", "NO_EVENT"),
    (0x000400, "skip", "YES"), (0x000800, "envelope-recipient-rejected", "YES"),
    (0x001000, "no-reply-connect", "NO_REPLY"), (0x002000, "no-reply-helo", "NO_REPLY"),
    (0x004000, "no-reply-envelope-from", "NO_REPLY"),
    (0x008000, "no-reply-envelope-recipient", "NO_REPLY"),
    (0x010000, "no-reply-data", "NO_REPLY"), (0x020000, "no-reply-unknown", "NO_REPLY"),
    (0x040000, "no-reply-end-of-header", "NO_REPLY"), (0x080000, "no-reply-body", "NO_REPLY"),
    (0x100000, "header-value-with-leading-space", "YES"),
]


@pytest.mark.parametrize(("bit", "nick"), ACTION_TABLE)
def test_action_nicks(bit, nick):
    assert format_actions(bit) == nick
    assert parse_actions(nick) == bit


@pytest.mark.parametrize(("bit", "nick", "klass"), STEP_TABLE)
def test_step_nicks_and_classes(bit, nick, klass):
    assert format_steps(bit) == nick
    assert parse_steps(nick) == bit
    mask = {"NO_EVENT": NO_EVENT_MASK, "NO_REPLY": NO_REPLY_MASK, "YES": YES_MASK}[klass]
    assert bit & mask


def test_masks_partition_the_known_steps():
    assert NO_EVENT_MASK & NO_REPLY_MASK == 0
    assert NO_EVENT_MASK & YES_MASK == 0
    assert NO_REPLY_MASK & YES_MASK == 0
    assert NO_EVENT_MASK | NO_REPLY_MASK | YES_MASK == sum(bit for bit, _, _ in STEP_TABLE)


def test_flag_text_rules():
    assert format_actions(0x13F) == ("add-headers|change-body|add-envelope-recipient|"
                                     "delete-envelope-recipient|change-headers|quarantine|"
                                     "set-symbol-list")
    assert format_steps(0) == ""
    assert parse_steps("") == 0
    assert parse_steps("none") == 0
    assert parse_steps("skip|no-connect") == 0x401  # any order in, ascending out
    assert format_steps(0x401) == "no-connect|skip"
    with pytest.raises(ProtocolError, match="no-such-flag"):
        parse_steps("skip|no-such-flag")
    with pytest.raises(ProtocolError):
        parse_actions("skip")  # a step nick is no action nick


@given(st.integers(0, 2**32 - 1))
def test_flag_text_roundtrip_keeps_unknown_bits(value):
    assert parse_steps(format_steps(value)) == value
    assert parse_actions(format_actions(value)) == value


# --- §2.1 / §2.2 nicks ---------------------------------------------------------

def test_command_and_reply_nicks():
    assert COMMAND_NICKS == {
        b"O": "negotiate", b"D": "define-macro", b"C": "connect", b"H": "helo",
        b"M": "envelope-from", b"R": "envelope-recipient", b"T": "data", b"L": "header",
        b"N": "end-of-header", b"B": "body", b"E": "end-of-message", b"A": "abort",
        b"Q": "quit", b"U": "unknown", b"K": "quit-new-connection"}
    assert set(REPLY_NICKS) == {bytes((c,)) for c in REPLY_DECODERS}
    assert b"l" not in REPLY_NICKS


# --- §3.3 addresses ------------------------------------------------------------

@pytest.mark.parametrize(("text", "family", "port", "wire"), [
    ("inet:2929@[192.168.1.29]", b"4", 2929, b"192.168.1.29"),
    ("inet:2929@192.168.1.29", b"4", 2929, b"192.168.1.29"),
    ("inet6:25@[2001:db8::1]", b"6", 25, b"IPv6:2001:db8::1"),
    ("inet6:25@[2001:DB8:0:0:0:0:0:1]", b"6", 25, b"IPv6:2001:db8::1"),  # RFC 5952
    ("unix:/run/milter.sock", b"L", 0, b"/run/milter.sock"),
    ("unknown", b"U", 0, b""),
])
def test_parse_address(text, family, port, wire):
    assert parse_address(text) == (family, port, wire)


@pytest.mark.parametrize(("family", "port", "address", "text"), [
    (b"4", 50443, b"192.168.123.123", "inet:50443@[192.168.123.123]"),
    (b"6", 25, b"IPv6:2001:DB8::0:1", "inet6:25@[2001:db8::1]"),
    (b"6", 25, b"2001:db8:0:0:1:0:0:1", "inet6:25@[2001:db8::1:0:0:1]"),
    (b"6", 25, b"::ffff:192.0.2.1", "inet6:25@[::ffff:192.0.2.1]"),
    (b"L", 0, b"/tmp/s", "unix:/tmp/s"),
    (b"U", 0, b"", "unknown"),
])
def test_format_address(family, port, address, text):
    assert format_address(family, port, address) == text


@pytest.mark.parametrize("text", ["inet:99999@[1.2.3.4]", "inet:25@[1.2.3]", "inet:x@1.2.3.4",
                                  "inet6:25@[1.2.3.4]", "tcp:25@1.2.3.4", "unix:", "inet:25",
                                  ""])
def test_parse_address_errors(text):
    with pytest.raises(ProtocolError):
        parse_address(text)


def test_ipv6_connect_gains_its_prefix_for_children():  # §3.3
    packet = decode_command_frame(frame(b"C", b"host\x006\0\x19::1\0"))
    assert packet.address == b"::1"
    child = packet.for_child()
    assert child.address == b"IPv6:::1"
    assert child.encode() == frame(b"C", b"host\x006\0\x19IPv6:::1\0")
    ipv4 = Connect(b"h", b"4", 1, b"10.0.0.1")
    assert ipv4.for_child() == ipv4


def test_unknown_family_connect_is_only_the_family_byte():  # §3.3
    assert Connect.from_text(b"host", "unknown").encode() == frame(b"C", b"host\0U")


# --- §5 macros -----------------------------------------------------------------

def test_decoded_macro_names_lose_their_braces():
    packet = decode_command_frame(frame(b"D", b"C{daemon_name}\0d\0{}\0e\0{x\0f\0j\0a\0j\0b\0"))
    assert packet.macros == {b"daemon_name": b"d", b"{}": b"e", b"{x": b"f", b"j": b"b"}


def test_define_macro_key_forms():  # §3.4
    packet = DefineMacro(b"C", {b"j": b"1", b"daemon_name": b"2", b"{x": b"3", b"": b"4"})
    assert packet.encode() == frame(b"D", b"Cj\x001\0{daemon_name}\x002\0{x\x003\0")


def test_macro_tables_replace_and_lookup():
    macros = MacroContexts()
    macros.define(b"C", {b"{daemon_name}": b"Postfix", b"j": b"mx"})
    macros.define(b"M", {b"{mail_addr}": b"a@b", b"j": b"override"})
    assert macros.lookup(b"{daemon_name}", b"M") == b"Postfix"  # cumulative, braces fall back
    assert macros.lookup(b"daemon_name", b"C") == b"Postfix"
    assert macros.lookup(b"j", b"M") == b"override"  # latest definition wins
    assert macros.lookup(b"j", b"H") == b"mx"  # later contexts are not visible earlier
    assert macros.lookup(b"mail_addr", b"H") is None
    macros.define(b"M", {b"i": b"1"})  # a D replaces its context's table
    assert macros.lookup(b"mail_addr", b"R") is None
    assert macros.table(b"M") == {b"i": b"1"}  # each D carries only its own table
    macros.define(b"E", {b"i": b"2"})
    macros.clear_message()  # M R T L N B E go; C H U stay
    assert macros.table(b"M") == {} and macros.table(b"E") == {}
    assert macros.lookup(b"j", b"E") == b"mx"
    with pytest.raises(ProtocolError):
        macros.define(b"O", {})


def test_filter_macros_for_a_childs_request():  # manager.md §4.3
    table = {b"auth_type": b"plain", b"j": b"mx", b"daemon_name": b"pf"}
    assert filter_macros(table, None) == table
    assert filter_macros(table, [b"{auth_type}", b"j"]) == {b"auth_type": b"plain", b"j": b"mx"}
    assert filter_macros(table, []) == {}


def test_macro_contexts_are_the_spec_ones():
    assert set(MACRO_CONTEXTS) == set(b"CHMRTLNBEU")
    assert flags.STAGE_OF_COMMAND == {b"C": 0, b"H": 1, b"M": 2, b"R": 3, b"T": 4, b"E": 5,
                                      b"N": 6}


# --- §6 options ----------------------------------------------------------------

def test_cap_keeps_every_bit():
    assert cap(Negotiate(7, 0xFFFFFFFF, 0xFFFFFFFF)) == Option(6, 0xFFFFFFFF, 0xFFFFFFFF)
    assert cap(Negotiate(2, 1, 2)) == Option(2, 1, 2)


def test_combine():
    offered = Option(6, 0x1FF, 0x1FFFFF)
    assert combine(offered, NegotiateReply(4, 0x13, 0x400)) == Option(4, 0x13, 0x400)
    assert combine(Option(6, 0x01, 0x401), NegotiateReply(6, 0x03, 0x403)) == \
        Option(6, 0x01, 0x401)
    with pytest.raises(ProtocolError, match=r"^unsupported newer version is requested: 6 < 7$"):
        combine(offered, NegotiateReply(7, 0, 0))


def test_negotiate_reply_clears_no_event_no_reply_and_unknown_bits():  # §6.4
    mta = Negotiate(6, 0x01, 0xFFFFFFFF)
    children = [NegotiateReply(6, 0x10, 0xFFFFFFFF)]
    reply = negotiate_reply(mta, children)
    assert reply.steps == YES_MASK
    assert reply.actions == 0x11
    assert reply.version == 6


def test_negotiate_reply_yes_bits_need_the_mta_and_a_child():
    mta = Negotiate(6, 0, flags.SKIP)
    children = [NegotiateReply(6, 0, flags.SKIP | flags.HEADER_VALUE_WITH_LEADING_SPACE)]
    assert negotiate_reply(mta, children).steps == flags.SKIP


def test_negotiate_reply_without_children():  # §6.4
    reply = negotiate_reply(Negotiate(8, 0x13F, 0x1FFFFF), [])
    assert (reply.version, reply.actions, reply.steps, reply.macro_requests) == \
        (6, 0x13F, 0, ())
    assert reply.encode() == frame(b"O", bytes.fromhex("00000006 0000013f 00000000"))


def test_merge_does_not_depend_on_child_order():
    mta = Negotiate(6, 0, 0x1FFFFF)
    a = NegotiateReply(6, 0x01, flags.SKIP)
    b = NegotiateReply(5, 0x40, flags.ENVELOPE_RECIPIENT_REJECTED | flags.NO_CONNECT)
    first, second = negotiate_reply(mta, [a, b]), negotiate_reply(mta, [b, a])
    assert (first.actions, first.steps) == (second.actions, second.steps) == (
        0x41, flags.SKIP | flags.ENVELOPE_RECIPIENT_REJECTED)


def test_merge_macro_requests():  # §6.5
    merged = merge_macro_requests([
        ((2, (b"{auth_authen}", b"i")), (0, (b"j",))),
        ((0, (b"{j}", b"{daemon_name}")), (2, (b"auth_authen", b"{mail_mailer}")), (5, ())),
    ])
    assert merged == ((0, (b"j", b"{daemon_name}")),
                      (2, (b"{auth_authen}", b"i", b"{mail_mailer}")))
    assert merge_macro_requests([(), ()]) == ()


def test_requested_symbols():
    requests = ((0, (b"j",)), (2, ()))
    assert requested_symbols(requests, 0) == (b"j",)
    assert requested_symbols(requests, 2) == ()
    assert requested_symbols(requests, 1) is None


# --- §12 statuses ----------------------------------------------------------------

ORDER = [Status.DISCARD, Status.REJECT, Status.TEMPORARY_FAILURE, Status.CONTINUE, Status.SKIP,
         Status.ACCEPT]


def test_status_nicks_in_enum_order():
    assert [s.nick for s in Status] == [
        "default", "not-change", "continue", "reject", "discard", "accept",
        "temporary-failure", "no-reply", "skip", "all-options", "progress", "abort",
        "quarantine", "stop", "error"]
    assert Status.from_nick("temporary-failure") is Status.TEMPORARY_FAILURE
    with pytest.raises(ProtocolError):
        Status.from_nick("maybe")
    assert [s for s in Status if s.is_pass] == [Status.DEFAULT, Status.NOT_CHANGE,
                                                Status.CONTINUE]


@pytest.mark.parametrize("higher", range(len(ORDER)))
def test_fold_order(higher):
    for lower in ORDER[higher + 1:] + [Status.DEFAULT, Status.NOT_CHANGE, Status.STOP]:
        assert fold_status(lower, ORDER[higher]) is ORDER[higher]
        assert fold_status(ORDER[higher], lower) is ORDER[higher]
    assert fold_status(ORDER[higher], ORDER[higher]) is ORDER[higher]


def test_fold_examples():  # §12
    assert fold_status(Status.ACCEPT, Status.CONTINUE) is Status.CONTINUE
    assert fold_status(Status.SKIP, Status.ACCEPT) is Status.SKIP
    assert fold_status(Status.SKIP, Status.CONTINUE) is Status.CONTINUE
    for other in Status:
        assert fold_status(Status.DISCARD, other) is Status.DISCARD
    assert fold_status(Status.NOT_CHANGE, Status.STOP) is Status.NOT_CHANGE


def test_reply_status():  # §12
    assert reply_status(Continue()) is Status.CONTINUE
    assert reply_status(Accept()) is Status.ACCEPT
    assert reply_status(Reject()) is Status.REJECT
    assert reply_status(TemporaryFailure()) is Status.TEMPORARY_FAILURE
    assert reply_status(Discard()) is Status.DISCARD
    assert reply_status(Skip()) is Status.SKIP
    assert reply_status(NegotiateReply(6, 0, 0)) is Status.CONTINUE
    assert reply_status(ReplyCode.build(451, b"4.7.1", b"x")) is Status.TEMPORARY_FAILURE
    assert reply_status(ReplyCode.build(550)) is Status.REJECT


# --- §9 chunking ------------------------------------------------------------------

def test_split_chunk():
    assert list(split_chunk(b"")) == [b""]
    assert list(split_chunk(b"abcde", 2)) == [b"ab", b"cd", b"e"]
    assert [len(p) for p in split_chunk(b"x" * 65536)] == [65535, 1]
    with pytest.raises(ProtocolError):
        list(split_chunk(b"x", 65536))
    with pytest.raises(ProtocolError):
        list(split_chunk(b"x", 0))
