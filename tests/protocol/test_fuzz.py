"""Fuzz: random and mutated frames in random splits give packets or ProtocolError only."""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milter_manager.protocol import COMMANDS, RAW, REPLIES, FrameReader, ProtocolError

from .strategies import commands, replies

FUZZ = settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow])
direction = st.sampled_from([COMMANDS, REPLIES, RAW])


def feed_in_pieces(reader_direction: str, stream: bytes, cuts: list[int]) -> list:
    """Feed the stream cut at `cuts`; return the packets; let only ProtocolError out."""
    reader = FrameReader(reader_direction, max_frame=1 << 20)
    got = []
    start = 0
    try:
        for cut in [*sorted(cuts), len(stream)]:
            got += reader.feed(stream[start:cut])
            start = cut
        reader.feed_eof()
    except ProtocolError as error:
        assert str(error)  # a message that says something
        assert reader.dead
        got += error.packets
    # Whatever came out is a packet that encodes again.
    for packet in got:
        assert isinstance(packet.encode(), bytes)
    return got


def _frame_stream(codes: bytes, payloads: list[bytes]) -> bytes:
    return b"".join(struct.pack(">I", len(p) + 1) + bytes((c,)) + p
                    for c, p in zip(codes, payloads, strict=False))


@FUZZ
@given(direction, st.binary(max_size=300), st.lists(st.integers(0, 300), max_size=8))
def test_random_bytes(reader_direction, stream, cuts):
    feed_in_pieces(reader_direction, stream, cuts)


# Frames with a right length but random code and payload: reaches every decoder.
@FUZZ
@given(direction, st.binary(min_size=1, max_size=6),
       st.lists(st.binary(max_size=60), min_size=6, max_size=6),
       st.lists(st.integers(0, 400), max_size=8))
def test_random_frames(reader_direction, codes, payloads, cuts):
    feed_in_pieces(reader_direction, _frame_stream(codes, payloads), cuts)


# Payloads built from the pieces decoders look for (NULs, families, addresses, stages).
_atoms = st.sampled_from([b"\0", b"4", b"6", b"L", b"U", b"\0\x19", b"127.0.0.1", b"IPv6:",
                          b"::1", b"{", b"}", b"j", b"550", b" 5.7.1", b"\r\n", b"-", b".",
                          b"\0\0\0\x02", b"\0\0\0\x07", b"\xff\xff\xff\xff", b"x"])
structured_payload = st.lists(_atoms, max_size=12).map(b"".join)


@FUZZ
@given(st.sampled_from([COMMANDS, REPLIES]),
       st.lists(st.sampled_from(b"ODCHMRTLNBEAQUKcartdspf4yhime+2-bqlZ\0"), min_size=1,
                max_size=5).map(bytes),
       st.lists(structured_payload, min_size=5, max_size=5),
       st.lists(st.integers(0, 200), max_size=6))
def test_structured_frames(reader_direction, codes, payloads, cuts):
    feed_in_pieces(reader_direction, _frame_stream(codes, payloads), cuts)


_mutation = st.tuples(st.sampled_from(["flip", "delete", "insert", "truncate", "length"]),
                      st.integers(0, 10_000), st.integers(0, 255))


def mutate(stream: bytes, mutations: list[tuple[str, int, int]]) -> bytes:
    data = bytearray(stream)
    for kind, where, value in mutations:
        if not data:
            break
        at = where % len(data)
        if kind == "flip":
            data[at] ^= value or 1
        elif kind == "delete":
            del data[at]
        elif kind == "insert":
            data.insert(at, value)
        elif kind == "truncate":
            del data[at:]
        else:  # rewrite a length prefix-sized window with a big or small number
            data[at:at + 4] = struct.pack(">I", value * 0x01010101 >> (value % 24))
    return bytes(data)


@FUZZ
@given(st.lists(commands, min_size=1, max_size=5), st.lists(_mutation, min_size=1,
                                                             max_size=4),
       st.lists(st.integers(0, 500), max_size=6))
def test_mutated_commands(packets, mutations, cuts):
    stream = mutate(b"".join(p.encode() for p in packets), mutations)
    feed_in_pieces(COMMANDS, stream, cuts)


@FUZZ
@given(st.lists(replies, min_size=1, max_size=5), st.lists(_mutation, min_size=1,
                                                            max_size=4),
       st.lists(st.integers(0, 500), max_size=6))
def test_mutated_replies(packets, mutations, cuts):
    stream = mutate(b"".join(p.encode() for p in packets), mutations)
    feed_in_pieces(REPLIES, stream, cuts)


@settings(max_examples=50)
@given(st.integers((1 << 20) + 1, 2**32 - 1))
def test_memory_stays_bounded_on_a_huge_length(length):
    reader = FrameReader(COMMANDS, max_frame=1 << 20)
    try:
        reader.feed(struct.pack(">I", length))
    except ProtocolError:
        pass
    else:
        raise AssertionError("a length above max_frame must fail at once")
    assert reader.pending == 0
