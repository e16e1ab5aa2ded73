"""The upstream packet captures as decoder vectors (protocol.md §14)."""

from __future__ import annotations

import itertools
import re

import pytest

from milter_manager.protocol import (
    COMMANDS,
    RAW,
    REPLIES,
    Body,
    Connect,
    DefineMacro,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    FrameReader,
    Header,
    Negotiate,
    NegotiateReply,
    ReplyCode,
)

from .packet_captures import capture_files, read_capture

FILES = capture_files()


def _decode_blocks(path):
    """Every block split with §1 framing and decoded with its direction's decoder."""
    _, blocks = read_capture(path)
    decoded = []
    for block in blocks:
        reader = FrameReader(COMMANDS if block.from_mta else REPLIES)
        packets = reader.feed(block.data)
        reader.feed_eof()  # §14.1: every block splits exactly, no trailing bytes
        decoded.append((block.from_mta, packets))
    return decoded


def test_capture_files_present():
    # §14: 40 action/stage captures plus milter-packet.txt
    assert len(FILES) == 41


def test_total_frame_count():
    total = sum(len(packets) for f in FILES for _, packets in _decode_blocks(f))
    assert total == 943  # §14.1


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_frame_decodes_and_reencodes(path):
    _, blocks = read_capture(path)
    assert blocks
    for block in blocks:
        raw = FrameReader(RAW)
        frames = raw.feed(block.data)
        raw.feed_eof()
        reader = FrameReader(COMMANDS if block.from_mta else REPLIES)
        packets = reader.feed(block.data)
        assert len(packets) == len(frames)
        for frame, packet in zip(frames, packets, strict=True):
            assert packet.encode() == frame.encode()
        assert b"".join(p.encode() for p in packets) == block.data


# --- §14.2: values the captures contain -------------------------------------

SESSION = ["negotiate", "connect", "helo", "envelope-from", "envelope-recipient",
           "header", "header", "header", "header", "end-of-header", "body", "end-of-message"]
STAGE_INDEX = {"connect": 1, "helo": 2, "mail": 3, "rcpt": 4, "header": 5, "eoh": 9,
               "body": 10, "eom": 11}
VERDICT = {"accept": "accept", "discard": "discard", "reject": "reject",
           "tempfail": "temporary-failure", "reject-with-text": "reply-code"}
MACRO_BEFORE = {"connect": b"C", "helo": b"H", "envelope-from": b"M",
                "envelope-recipient": b"R", "header": b"L", "end-of-header": b"N",
                "body": b"B", "end-of-message": b"E"}


def _expected_exchange(action: str | None, stage: str | None):
    """The exchange the spec describes for a capture (§14.2), as (from_mta, nicks) blocks."""
    blocks = []
    verdict_at = STAGE_INDEX[stage] if stage else None
    for index, nick in enumerate(SESSION):
        sent = [nick] if nick == "negotiate" else ["define-macro", nick]
        blocks.append((True, sent))
        if nick == "negotiate":
            blocks.append((False, ["negotiate-reply"]))
        elif index == verdict_at:
            blocks.append((False, [VERDICT[action]]))
            if stage in ("connect", "helo"):
                if action != "discard":
                    return blocks  # the capture simply ends
                continue  # after d at connect or helo Postfix goes on
            message_level = not (stage == "mail" and action in
                                 ("reject", "tempfail", "reject-with-text"))
            blocks.append((True, ["abort", "abort", "quit"] if message_level
                           else ["abort", "quit"]))
            return blocks
        else:
            blocks.append((False, ["continue"]))
    blocks.append((True, ["abort", "abort", "quit"]))
    return blocks


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_exchange_shape(path):
    command, _ = read_capture(path)
    match = re.match(r"milter-packet-(.+)-on-(\w+)\.log$", path.name)
    action, stage = (match.group(1), match.group(2)) if match else (None, None)
    if command is not None:
        assert f"-c {stage} " in command
    got = [(from_mta, [p.nick for p in packets]) for from_mta, packets in _decode_blocks(path)]
    assert got == _expected_exchange(action, stage)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_values(path):
    decoded = _decode_blocks(path)
    commands = [p for from_mta, ps in decoded if from_mta for p in ps]
    replies = [p for from_mta, ps in decoded if not from_mta for p in ps]

    offer = commands[0]
    assert type(offer) is Negotiate
    assert (offer.version, offer.actions, offer.steps) == (2, 0x13F, 0x7F)
    answer = replies[0]
    assert type(answer) is NegotiateReply
    assert (answer.version, answer.actions, answer.steps) == (2, 0x13F, 0)
    assert answer.macro_requests == ()

    for before, packet in itertools.pairwise(commands):
        if packet.nick in MACRO_BEFORE:
            # each command is preceded by its own context's D
            assert type(before) is DefineMacro
            assert before.context == MACRO_BEFORE[packet.nick]

    for packet in commands:
        if type(packet) is DefineMacro:
            keys = list(packet.macros)
            expected = {b"C": [b"j", b"daemon_name", b"v"], b"H": [],
                        b"M": [b"mail_addr"], b"R": [b"rcpt_addr"], b"L": [b"i"],
                        b"N": [b"i"], b"B": [b"i"], b"E": [b"i"]}[packet.context]
            assert keys == expected
        elif type(packet) is Connect:
            assert packet.family == b"4"
            assert packet.address_text.startswith("inet:")
        elif type(packet) in (EnvelopeFrom, EnvelopeRecipient):
            assert packet.address.startswith(b"<") and packet.address.endswith(b">")
        elif type(packet) is Header:
            assert not packet.value.startswith(b" ")
        elif type(packet) is Body:
            assert packet.chunk.startswith(b"La de da de da 1.\r\n")
        elif type(packet) is EndOfMessage:
            assert packet.chunk == b""

    for packet in replies:
        if type(packet) is ReplyCode:
            assert packet.text == b"554 5.7.1 1% 2%% 3%%%"
            assert (packet.code, packet.extended, packet.message) == (
                554, b"5.7.1", b"1% 2%% 3%%%")
            assert packet.valid


def test_connect_example_from_milter_packet_txt():
    decoded = _decode_blocks(next(f for f in FILES if f.name == "milter-packet.txt"))
    connect = next(p for _, ps in decoded for p in ps if type(p) is Connect)
    assert connect.family == b"4"
    assert connect.address_text.startswith("inet:")
