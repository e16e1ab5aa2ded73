"""Round trips: encode -> decode -> equal, for every command and reply type."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milter_manager.protocol import COMMANDS, REPLIES, FrameReader

from .strategies import commands, replies

SETTINGS = settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])


def roundtrip(direction, packet):
    data = packet.encode()
    reader = FrameReader(direction)
    decoded = reader.feed(data)
    reader.feed_eof()
    return data, decoded


@SETTINGS
@given(commands)
def test_command_roundtrip(packet):
    data, decoded = roundtrip(COMMANDS, packet)
    assert decoded == [packet]
    assert decoded[0].nick == packet.nick
    assert decoded[0].encode() == data


@SETTINGS
@given(replies)
def test_reply_roundtrip(packet):
    data, decoded = roundtrip(REPLIES, packet)
    assert decoded == [packet]
    assert decoded[0].nick == packet.nick
    assert decoded[0].encode() == data


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, max_size=12), st.data())
def test_any_split_gives_the_same_packets(packets, data):
    stream = b"".join(p.encode() for p in packets)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    reader = FrameReader(COMMANDS)
    got = []
    start = 0
    for cut in [*cuts, len(stream)]:
        got += reader.feed(stream[start:cut])
        start = cut
    reader.feed_eof()
    assert got == packets


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(replies, max_size=12), st.integers(1, 7))
def test_byte_by_byte_feeding(packets, step):
    stream = b"".join(p.encode() for p in packets)
    reader = FrameReader(REPLIES)
    got = []
    for start in range(0, len(stream), step):
        got += reader.feed(memoryview(stream)[start:start + step])
    reader.feed_eof()
    assert got == packets
