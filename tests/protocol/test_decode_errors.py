"""Decode errors: the messages protocol.md quotes, and the checks of §3 and §4."""

from __future__ import annotations

import struct

import pytest

from milter_manager.protocol import (
    COMMANDS,
    REPLIES,
    AddHeader,
    AddRecipient,
    ChangeFrom,
    ChangeHeader,
    Continue,
    DeleteRecipient,
    FrameReader,
    InsertHeader,
    Negotiate,
    NegotiateReply,
    ProtocolError,
    Quarantine,
    ReplaceBody,
    action_error,
    combine,
    frame,
)


def decode(direction: str, data: bytes):
    reader = FrameReader(direction)
    packets = reader.feed(data)
    reader.feed_eof()
    return packets


def error_of(direction: str, data: bytes) -> str:
    with pytest.raises(ProtocolError) as info:
        decode(direction, data)
    return str(info.value)


# --- §1 framing --------------------------------------------------------------

def test_too_large_is_raised_once_the_length_is_read():
    reader = FrameReader(COMMANDS)
    assert reader.feed(b"\x04\x00") == []
    with pytest.raises(ProtocolError) as info:
        reader.feed(b"\x00\x01")  # L = 0x04000001 = 67108865, nothing more sent
    assert str(info.value) == "packet is too large: 67108865 bytes (maximum 67108864)"


def test_largest_length_is_not_too_large():
    reader = FrameReader(COMMANDS)
    assert reader.feed(struct.pack(">I", 67108864) + b"B") == []
    assert reader.pending == 5


def test_hostile_length_at_4_gib():
    assert error_of(COMMANDS, b"\xff\xff\xff\xff") == \
        "packet is too large: 4294967295 bytes (maximum 67108864)"


def test_max_frame_is_a_parameter():
    reader = FrameReader(REPLIES, max_frame=10)
    with pytest.raises(ProtocolError, match=r"^packet is too large: 11 bytes \(maximum 10\)$"):
        reader.feed(b"\0\0\0\x0b")


def test_empty_frame():
    assert error_of(COMMANDS, b"\0\0\0\0") == "packet is empty"
    assert error_of(REPLIES, b"\0\0\0\0") == "packet is empty"


@pytest.mark.parametrize("data", [b"\0", b"\0\0\0", b"\0\0\0\x05", (b"\0\0\0\x05H"
                                  b"abc")])
def test_eof_inside_a_frame(data):
    reader = FrameReader(COMMANDS)
    assert reader.feed(data) == []
    with pytest.raises(ProtocolError) as info:
        reader.feed_eof()
    assert str(info.value) == "stream is ended unexpectedly"


def test_eof_between_frames_is_a_normal_close():
    reader = FrameReader(COMMANDS)
    assert [p.nick for p in reader.feed(frame(b"Q"))] == ["quit"]
    reader.feed_eof()  # no error


def test_reader_is_dead_after_an_error():
    reader = FrameReader(COMMANDS)
    with pytest.raises(ProtocolError):
        reader.feed(b"\0\0\0\0")
    with pytest.raises(ProtocolError):
        reader.feed(frame(b"Q"))
    with pytest.raises(ProtocolError):
        reader.feed_eof()


def test_packets_before_the_bad_frame_are_kept_on_the_error():
    reader = FrameReader(COMMANDS)
    with pytest.raises(ProtocolError) as info:
        reader.feed(frame(b"A") + frame(b"Q") + frame(b"Z"))
    assert [p.nick for p in info.value.packets] == ["abort", "quit"]


# --- unknown codes -----------------------------------------------------------

def test_unknown_command():
    assert error_of(COMMANDS, frame(b"X")) == "unexpected command was received: X"
    # a reply code is no command
    assert error_of(COMMANDS, frame(b"c")) == "unexpected command was received: c"


@pytest.mark.parametrize("code", [b"X", b"l", b"C"])
def test_unknown_reply(code):
    # §4: set-symbol-list `l` is not accepted
    assert error_of(REPLIES, frame(code, b"x\0")) == \
        f"unexpected reply was received: {code.decode()}"


# --- §3 command checks -------------------------------------------------------

def test_unknown_macro_context():
    assert error_of(COMMANDS, frame(b"D", b"Xj\0v\0")) == "unknown macro context: X"
    # `O` has no macros (the contexts are C H M R T L N B E U)
    assert error_of(COMMANDS, frame(b"D", b"O")) == "unknown macro context: O"


def test_unexpected_family():
    assert error_of(COMMANDS, frame(b"C", b"mx.example.net\0X\0\x19x\0")) == \
        "unexpected family on connect command: <mx.example.net>: <X>"


COMMAND_DEFECTS = [
    # (payload frame, nick the message must name)
    (frame(b"O", b"\0" * 11), "negotiate"),
    (frame(b"O", b"\0" * 13), "negotiate"),
    (frame(b"D"), "define-macro"),
    (frame(b"D", b"Cj\0"), "define-macro"),  # name without value
    (frame(b"D", b"Cj\0v"), "define-macro"),  # value without NUL
    (frame(b"D", b"C\0v\0"), "define-macro"),  # empty name
    (frame(b"C", b"\x004\0\x19127.0.0.1\0"), "connect"),  # empty host name
    (frame(b"C", b"host"), "connect"),  # host name without NUL
    (frame(b"C", b"host\0"), "connect"),  # family missing
    (frame(b"C", b"host\0U\0"), "connect"),  # U must end after the family byte
    (frame(b"C", b"host\x004\0"), "connect"),  # port truncated
    (frame(b"C", b"host\x004\0\x19"), "connect"),  # address missing
    (frame(b"C", b"host\x004\0\x19\0"), "connect"),  # empty address
    (frame(b"C", b"host\x004\0\x19127.0.0.1"), "connect"),  # address without NUL
    (frame(b"C", b"host\x004\0\x19127.0.0.256\0"), "connect"),  # invalid IPv4
    (frame(b"C", b"host\x004\0\x19::1\0"), "connect"),  # IPv6 text with family 4
    (frame(b"C", b"host\x006\0\x19IPv6:1::2::3\0"), "connect"),  # invalid IPv6
    (frame(b"C", b"host\x006\0\x19127.0.0.1\0"), "connect"),
    (frame(b"C", b"host\x00L\0\0\0"), "connect"),  # empty path
    (frame(b"H", b"\0"), "helo"),
    (frame(b"H", b"fqdn"), "helo"),
    (frame(b"H", b""), "helo"),
    (frame(b"M", b"\0"), "envelope-from"),
    (frame(b"M", b"<a@b>"), "envelope-from"),
    (frame(b"M", b"<a@b>\0SIZE=1"), "envelope-from"),
    (frame(b"R", b"\0"), "envelope-recipient"),
    (frame(b"R", b""), "envelope-recipient"),
    (frame(b"T", b"x"), "data"),
    (frame(b"L", b"\0value\0"), "header"),
    (frame(b"L", b"name\0value"), "header"),
    (frame(b"L", b"name\0"), "header"),
    (frame(b"L", b"name\0value\0x\0"), "header"),
    (frame(b"N", b"\0"), "end-of-header"),
    (frame(b"A", b"\0"), "abort"),
    (frame(b"Q", b"x"), "quit"),
    (frame(b"U", b"\0"), "unknown"),
    (frame(b"U", b"HELP"), "unknown"),
    (frame(b"K", b"x"), "quit-new-connection"),
]


@pytest.mark.parametrize(("data", "nick"), COMMAND_DEFECTS)
def test_command_defects(data, nick):
    assert nick in error_of(COMMANDS, data)


COMMAND_EDGES_THAT_ARE_VALID = [
    frame(b"D", b"C"),  # zero pairs
    frame(b"D", b"Cj\0\0"),  # empty value
    frame(b"C", b"host\0U"),
    frame(b"C", b"host\x006\0\x19::1\0"),  # IPv6 without prefix
    frame(b"C", b"host\x006\0\x19IPv6:2001:db8::1\0"),
    frame(b"C", b"host\x00L\0\0/" + b"x" * 300 + b"\0"),  # [deviation] P13: any length
    frame(b"L", b"name\0\0"),  # empty header value
    frame(b"B"),  # empty body chunk
    frame(b"E"),
    frame(b"K"),
    frame(b"M", b"<>\0SIZE=10\0BODY=8BITMIME\0"),
]


@pytest.mark.parametrize("data", COMMAND_EDGES_THAT_ARE_VALID)
def test_command_edges_that_are_valid(data):
    (packet,) = decode(COMMANDS, data)
    assert packet.encode() == data


# --- §4 reply checks ---------------------------------------------------------

def test_unexpected_macro_stage():
    data = struct.pack(">III", 6, 0, 0) + struct.pack(">I", 7) + b"j\0"
    assert error_of(REPLIES, frame(b"O", data)) == "unexpected macro stage was received: 0007"


REPLY_DEFECTS = [
    (frame(b"O", b"\0" * 11), "negotiate-reply"),
    (frame(b"O", b"\0" * 14), "negotiate-reply"),  # stage truncated
    (frame(b"O", b"\0" * 16 + b"j"), "negotiate-reply"),  # list without NUL
    (frame(b"c", b"\0"), "continue"),
    (frame(b"a", b"x"), "accept"),
    (frame(b"r", b"x"), "reject"),
    (frame(b"t", b"x"), "temporary-failure"),
    (frame(b"d", b"x"), "discard"),
    (frame(b"s", b"x"), "skip"),
    (frame(b"p", b"x"), "progress"),
    (frame(b"f", b"x"), "connection-failure"),
    (frame(b"4", b"x"), "shutdown"),
    (frame(b"h", b"\0v\0"), "add-header"),
    (frame(b"h", b"n\0v"), "add-header"),
    (frame(b"i", b"\0\0\0"), "insert-header"),
    (frame(b"i", b"\0\0\0\x01\0v\0"), "insert-header"),
    (frame(b"m", b"\0\0\0"), "change-header"),
    (frame(b"m", b"\0\0\0\x01n\0"), "change-header"),
    (frame(b"e", b"\0"), "change-from"),
    (frame(b"e", b"<a>\0\0"), "change-from"),  # params present but empty
    (frame(b"e", b"<a>\0p"), "change-from"),
    (frame(b"e", b"<a>\0p\0q\0"), "change-from"),
    (frame(b"+", b"<a>"), "add-recipient"),  # [deviation] P14: NUL required
    (frame(b"+", b"\0"), "add-recipient"),
    (frame(b"2", b"\0"), "add-recipient-with-parameters"),
    (frame(b"2", b"<a>\0\0"), "add-recipient-with-parameters"),
    (frame(b"-", b"\0"), "delete-recipient"),
    (frame(b"-", b"<a>"), "delete-recipient"),
    (frame(b"q", b"\0"), "quarantine"),
    (frame(b"q", b""), "quarantine"),
]


@pytest.mark.parametrize(("data", "nick"), REPLY_DEFECTS)
def test_reply_defects(data, nick):
    assert nick in error_of(REPLIES, data)


REPLY_EDGES_THAT_ARE_VALID = [
    frame(b"O", b"\0" * 12),
    frame(b"O", b"\0\0\0\x06" + b"\0" * 8 + b"\0\0\0\x02\0"),  # [deviation] P6: empty list
    frame(b"b"),  # an empty replace-body chunk
    frame(b"h", b"X\0\0"),
    frame(b"e", b"<a>\0SIZE=1\0"),
    frame(b"2", b"<a>\0NOTIFY=NEVER\0"),
]


@pytest.mark.parametrize("data", REPLY_EDGES_THAT_ARE_VALID)
def test_reply_edges_that_are_valid(data):
    (packet,) = decode(REPLIES, data)
    assert packet.encode() == data


def test_empty_macro_request_list_is_kept():
    (packet,) = decode(REPLIES, frame(b"O", b"\0\0\0\x06" + b"\0" * 8 + b"\0\0\0\x02\0"))
    assert packet.macro_requests == ((2, ()),)


# --- reply code input checks (§10.1) -----------------------------------------

@pytest.mark.parametrize(("payload", "message"), [
    (b"554 5.7.1", "Reply code isn't terminated by NULL on REPLY CODE reply"),
    (b"", "Reply code isn't terminated by NULL on REPLY CODE reply"),
    (b"55\0", "Reply code doesn't have SMTP reply code"),
    (b"\0", "Reply code doesn't have SMTP reply code"),
    (b"250 ok\0", "SMTP reply code <250> should be 4XX or 5XX."),
    (b"5a0 no\0", "SMTP reply code <5a0> should be 4XX or 5XX."),
])
def test_reply_code_decode_errors(payload, message):
    assert error_of(REPLIES, frame(b"y", payload)) == message


def test_reply_code_with_bytes_after_its_nul():
    assert "reply-code" in error_of(REPLIES, frame(b"y", b"550 no\0junk\0"))


# --- §6.2 -------------------------------------------------------------------

def test_newer_version_is_an_error():
    with pytest.raises(ProtocolError) as info:
        combine(Negotiate(2, 0x13F, 0x7F), NegotiateReply(6, 0x13F, 0))
    assert str(info.value) == "unsupported newer version is requested: 2 < 6"


# --- §11.2 ------------------------------------------------------------------

@pytest.mark.parametrize(("reply", "message"), [
    (AddHeader(b"X", b"v"), ("add-header can only be done with <add-headers> action flags: "
                            "<change-body>")),
    (InsertHeader(0, b"X", b"v"), ("insert-header can only be done with <add-headers> "
                                  "action flags: <change-body>")),
    (ChangeHeader(1, b"X", b"v"), ("change-header can only be done with <change-headers> "
                                  "action flags: <change-body>")),
    (ChangeHeader(1, b"X", b""), ("delete-header can only be done with <change-headers> "
                                 "action flags: <change-body>")),
    (ChangeFrom(b"<a>"), ("change-from can only be done with <change-envelope-from> "
                         "action flags: <change-body>")),
    (AddRecipient(b"<a>", b"N=1"), ("add-recipient can only be done with "
                                   "<add-envelope-recipient> action flags: <change-body>")),
    (DeleteRecipient(b"<a>"), ("delete-recipient can only be done with "
                              "<delete-envelope-recipient> action flags: <change-body>")),
])
def test_action_check_messages(reply, message):
    assert action_error(reply, 0x002) == message


def test_action_check_passes_and_unchecked_replies():
    assert action_error(ReplaceBody(b"x"), 0x002) is None
    assert action_error(ReplaceBody(b"x"), 0x001) == \
        "replace-body can only be done with <change-body> action flags: <add-headers>"
    assert action_error(Quarantine(b"why"), 0) is None  # not checked (upstream)
    assert action_error(Continue(), 0) is None
    assert action_error(AddHeader(b"X", b"v"), 0) == \
        "add-header can only be done with <add-headers> action flags: <>"
