"""Fuzz the frame reader: random and mutated frames, fed in random splits.

Every case must end in decoded packets or a ProtocolError; anything else is a
crash (protocol.md §13: bad input never raises another exception). Decoded
packets must also encode again. Prints the number of cases, crashes and time;
exits 1 when there was a crash.

Run: .venv/bin/python benchmarks/fuzz_protocol.py [--cases N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import struct
import sys
import time
import traceback

from milter_manager.protocol import (
    COMMANDS,
    RAW,
    REPLIES,
    Abort,
    Accept,
    AddHeader,
    AddRecipient,
    Body,
    ChangeFrom,
    ChangeHeader,
    Connect,
    ConnectionFailure,
    Continue,
    Data,
    DefineMacro,
    DeleteRecipient,
    Discard,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    FrameReader,
    Header,
    Helo,
    InsertHeader,
    Negotiate,
    NegotiateReply,
    Progress,
    ProtocolError,
    Quarantine,
    Quit,
    QuitNewConnection,
    Reject,
    ReplaceBody,
    ReplyCode,
    Shutdown,
    Skip,
    TemporaryFailure,
    Unknown,
)

COMMAND_SEEDS = [
    Negotiate(6, 0x1FF, 0x1FFFFF), Negotiate(2, 0x13F, 0x7F),
    DefineMacro(b"C", {b"j": b"mx", b"daemon_name": b"Postfix", b"v": b"Postfix 2.5.5"}),
    DefineMacro(b"H", {}), DefineMacro(b"M", {b"mail_addr": b"a@b"}),
    Connect(b"mx.local.net", b"4", 50443, b"192.168.123.123"),
    Connect(b"host", b"6", 25, b"IPv6:2001:db8::1"), Connect(b"host", b"6", 25, b"::1"),
    Connect(b"host", b"L", 0, b"/run/sock"), Connect(b"host", b"U", 0, b""),
    Helo(b"delian"), EnvelopeFrom(b"<kou@example.com>", (b"SIZE=100", b"BODY=8BITMIME")),
    EnvelopeRecipient(b"<a@b>"), Data(), Header(b"From", b"<kou@example.com>"),
    Header(b"X-Empty", b""), EndOfHeader(), Body(b"La de da de da 1.\r\n" * 4), Body(b""),
    EndOfMessage(b""), EndOfMessage(b"tail\r\n"), Abort(), Quit(), Unknown(b"HELP"),
    QuitNewConnection(),
]
REPLY_SEEDS = [
    NegotiateReply(6, 0x1FF, 0x400, ((0, (b"j", b"{daemon_name}")), (2, (b"{auth_authen}",)))),
    NegotiateReply(2, 0x13F, 0), Continue(), Accept(), Reject(), TemporaryFailure(),
    Discard(), Skip(), Progress(), ConnectionFailure(), Shutdown(),
    ReplyCode.build(554, b"5.7.1", b"1% 2%% 3%%%"), ReplyCode.build(550, None, b"a\nb"),
    ReplyCode.build(451, b"4.7.1", None), AddHeader(b"X-Test", b"value"),
    InsertHeader(0, b"X-Test", b"v"), ChangeHeader(1, b"X-Test", b""),
    ChangeHeader(2, b"Subject", b"new"), ChangeFrom(b"<a@b>", b"SIZE=1"), ChangeFrom(b"<a@b>"),
    AddRecipient(b"<c@d>"), AddRecipient(b"<c@d>", b"NOTIFY=NEVER"),
    DeleteRecipient(b"<e@f>"), ReplaceBody(b"new body\r\n"), ReplaceBody(b""),
    Quarantine(b"suspicious"),
]
COMMAND_FRAMES = [p.encode() for p in COMMAND_SEEDS]
REPLY_FRAMES = [p.encode() for p in REPLY_SEEDS]
ATOMS = [b"\0", b"4", b"6", b"L", b"U", b"\0\x19", b"127.0.0.1", b"IPv6:", b"::1", b"{", b"}",
         b"j", b"550", b"451", b" 5.7.1", b"\r\n", b"-", b".", b"\0\0\0\x02", b"\0\0\0\x07",
         b"\xff\xff\xff\xff", b"x", b"\xc3\xa9", b"\x80"]
CODES = b"ODCHMRTLNBEAQUKcartdspf4yhime+2-bqlZ\0\xff"
MAX_FRAME = 1 << 20  # a smaller limit makes the too-large path common too


def random_bytes(rng: random.Random) -> bytes:
    return rng.randbytes(rng.randrange(0, 64))


def structured_frames(rng: random.Random) -> bytes:
    out = []
    for _ in range(rng.randrange(1, 4)):
        payload = b"".join(rng.choice(ATOMS) for _ in range(rng.randrange(0, 10)))
        out.append(struct.pack(">I", len(payload) + 1) + bytes((rng.choice(CODES),)) + payload)
    return b"".join(out)


def mutated_frames(rng: random.Random, pool: list[bytes]) -> bytes:
    data = bytearray(b"".join(rng.choice(pool) for _ in range(rng.randrange(1, 5))))
    for _ in range(rng.randrange(1, 5)):
        if not data:
            break
        at = rng.randrange(len(data))
        kind = rng.randrange(6)
        if kind == 0:
            data[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data[at] = rng.randrange(256)
        elif kind == 2:
            del data[at:at + rng.randrange(1, 4)]
        elif kind == 3:
            data[at:at] = rng.choice(ATOMS)
        elif kind == 4:
            del data[at:]
        else:
            data[at:at + 4] = struct.pack(">I", rng.choice(
                [0, 1, 2, 5, 12, 255, MAX_FRAME, MAX_FRAME + 1, 2**32 - 1,
                 rng.randrange(2**32)]))
    return bytes(data)


def run_case(direction: str, stream: bytes, rng: random.Random) -> None:
    """Feed `stream` in random pieces; raise anything that is not a ProtocolError."""
    reader = FrameReader(direction, max_frame=MAX_FRAME)
    cuts = sorted(rng.randrange(len(stream) + 1) for _ in range(rng.randrange(0, 5)))
    start = 0
    packets = []
    try:
        for cut in [*cuts, len(stream)]:
            packets += reader.feed(stream[start:cut])
            start = cut
        reader.feed_eof()
    except ProtocolError as error:
        packets += error.packets
    for packet in packets:
        packet.encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    crashes = 0
    examples: list[str] = []
    started = time.perf_counter()
    for _ in range(args.cases):
        kind = rng.randrange(4)
        direction = rng.choice((COMMANDS, REPLIES, RAW)) if kind < 2 else None
        if kind == 0:
            stream = random_bytes(rng)
        elif kind == 1:
            stream = structured_frames(rng)
        elif kind == 2:
            direction, stream = COMMANDS, mutated_frames(rng, COMMAND_FRAMES)
        else:
            direction, stream = REPLIES, mutated_frames(rng, REPLY_FRAMES)
        try:
            run_case(direction, stream, rng)
        except Exception:  # noqa: BLE001 - counting crashes is the point
            crashes += 1
            if len(examples) < 5:
                examples.append(f"{direction} {stream!r}\n{traceback.format_exc()}")
    elapsed = time.perf_counter() - started
    for example in examples:
        print(example, file=sys.stderr)
    print(f"fuzz_protocol: {args.cases:,} cases, {crashes} crashes, {elapsed:.1f} s "
          f"({args.cases / elapsed:,.0f} cases/s, seed {args.seed})")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
