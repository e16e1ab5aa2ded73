"""Byte-exact examples quoted in protocol.md (§3.3, §3.4, §4, §6.4, §6.5, §10.3)."""

from __future__ import annotations

from milter_manager.protocol import (
    COMMANDS,
    REPLIES,
    AddRecipient,
    ChangeFrom,
    ChangeHeader,
    Connect,
    FrameReader,
    InsertHeader,
    Negotiate,
    NegotiateReply,
    ReplaceBody,
    ReplyCode,
    decode_command_frame,
    decode_reply_frame,
    define_macro,
    negotiate_reply,
    parse_steps,
)


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


CONNECT_EXAMPLE = hexbytes(
    "00 00 00 21 43 6d 78 2e 6c 6f 63 61 6c 2e 6e 65 74 00 34 c5 0b 31 39 32 2e 31 36 38 2e"
    " 31 32 33 2e 31 32 33 00")


def test_connect_example_decodes():  # §3.3
    packet = decode_command_frame(CONNECT_EXAMPLE)
    assert packet == Connect(b"mx.local.net", b"4", 50443, b"192.168.123.123")
    assert packet.address_text == "inet:50443@[192.168.123.123]"


def test_connect_example_encodes():  # §3.3
    assert Connect(b"mx.local.net", b"4", 50443, b"192.168.123.123").encode() == CONNECT_EXAMPLE


def test_connect_from_text_form():  # §3.3: the encoding of a connect address from its text
    assert Connect.from_text(b"mx.local.net", "inet:50443@[192.168.123.123]").encode() \
        == CONNECT_EXAMPLE


def test_macro_packet_example():  # §3.4
    expected = hexbytes(
        "00 00 00 22 44 43 7b 64 61 65 6d 6f 6e 5f 6e 61 6d 65 7d 00 50 6f 73 74 66 69 78 00"
        " 6a 00 70 6f 73 74 66 69 78 00")
    # stored keys have no braces; given in the "wrong" order to prove the sort
    assert define_macro(b"C", {b"j": b"postfix", b"daemon_name": b"Postfix"}).encode() \
        == expected
    # keys given with braces sort with the leading brace ignored and stay as written
    assert define_macro(b"C", {b"j": b"postfix", b"{daemon_name}": b"Postfix"}).encode() \
        == expected


def test_insert_header_example():  # §4
    expected = hexbytes("00 00 00 10 69 00 00 00 01 4e 41 4d 45 00 56 41 4c 55 45 00")
    assert InsertHeader(1, b"NAME", b"VALUE").encode() == expected
    assert decode_reply_frame(expected) == InsertHeader(1, b"NAME", b"VALUE")


def test_delete_header_example():  # §4
    expected = hexbytes(
        "00 00 00 15 6d 00 00 00 01 58 2d 54 65 73 74 2d 48 65 61 64 65 72 31 00 00")
    packet = ChangeHeader(1, b"X-Test-Header1", b"")
    assert packet.encode() == expected
    assert packet.nick == "delete-header"
    decoded = decode_reply_frame(expected)
    assert decoded == packet and decoded.nick == "delete-header"


def test_add_recipient_code_depends_on_params():  # §4 encoder rules
    assert AddRecipient(b"<a@b>").encode() == b"\0\0\0\x07+<a@b>\0"
    assert AddRecipient(b"<a@b>", b"NOTIFY=NEVER").encode() \
        == b"\0\0\0\x142<a@b>\0NOTIFY=NEVER\0"


def test_change_from_params_only_when_non_empty():  # §4 encoder rules
    assert ChangeFrom(b"<a@b>").encode() == b"\0\0\0\x07e<a@b>\0"
    assert ChangeFrom(b"<a@b>", b"SIZE=1").encode() == b"\0\0\0\x0ee<a@b>\0SIZE=1\0"


def test_replace_body_is_cut_into_65535_byte_frames():  # §4
    body = bytes(range(256)) * 600  # 153600 bytes
    data = ReplaceBody(body).encode()
    reader = FrameReader(REPLIES)
    pieces = reader.feed(data)
    assert [len(p.chunk) for p in pieces] == [65535, 65535, 153600 - 2 * 65535]
    assert b"".join(p.chunk for p in pieces) == body
    assert ReplaceBody(b"").encode() == b"\0\0\0\x01b"


def test_negotiate_reply_example():  # §6.4
    mta = Negotiate(6, 0x7F, 0x100E7F)
    assert mta.steps == parse_steps(
        "no-connect|no-helo|no-envelope-from|no-envelope-recipient|no-data|no-body|"
        "no-headers|no-end-of-header|skip|envelope-recipient-rejected|"
        "header-value-with-leading-space")
    children = [NegotiateReply(6, 0x7F, parse_steps("skip")), NegotiateReply(6, 0x7F, 0)]
    reply = negotiate_reply(mta, children)
    assert reply.encode() == hexbytes("00 00 00 0d 4f 00 00 00 06 00 00 00 7f 00 00 04 00")


def test_macro_request_example():  # §6.5
    tail = hexbytes(
        "00 00 00 00 6a 20 7b 64 61 65 6d 6f 6e 5f 6e 61 6d 65 7d 00 00 00 00 02 7b 61 75 74"
        " 68 5f 61 75 74 68 65 6e 7d 00")
    requests = ((0, (b"j", b"{daemon_name}")), (2, (b"{auth_authen}",)))
    data = NegotiateReply(6, 0, 0, requests).encode()
    assert data.endswith(tail)
    assert data[:4] == (13 + len(tail)).to_bytes(4, "big")
    assert decode_reply_frame(data).macro_requests == requests


def test_merged_macro_requests_are_written_in_stage_order():  # §6.5
    mta = Negotiate(6, 0, 0)
    children = [NegotiateReply(6, 0, 0, ((2, (b"{auth_authen}",)),)),
                NegotiateReply(6, 0, 0, ((0, (b"j", b"{daemon_name}")),))]
    reply = negotiate_reply(mta, children)
    assert reply.encode().endswith(hexbytes(
        "00 00 00 00 6a 20 7b 64 61 65 6d 6f 6e 5f 6e 61 6d 65 7d 00 00 00 00 02 7b 61 75 74"
        " 68 5f 61 75 74 68 65 6e 7d 00"))


def test_reply_code_format_example():  # §10.3
    expected = hexbytes(
        "00 00 00 17 79 35 35 34 20 35 2e 37 2e 31 20 31 25 25 20 32 25 25 20 33 25 25 00")
    assert ReplyCode.build(554, b"5.7.1", b"1%% 2%% 3%%").encode() == expected


def test_commands_reader_decodes_several_frames_in_one_read():  # §1
    data = define_macro(b"C", {b"j": b"x"}).encode() + CONNECT_EXAMPLE
    packets = FrameReader(COMMANDS).feed(data)
    assert [p.nick for p in packets] == ["define-macro", "connect"]
