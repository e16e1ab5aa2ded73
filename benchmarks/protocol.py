"""Decode and encode throughput of the milter codec on a realistic session mix.

One session, as an MTA and a milter exchange it (protocol.md):
  MTA -> milter: negotiate, D+connect, D+helo, D+envelope-from, 3 x (D+)envelope-recipient,
                 D+data, 20 headers, end-of-header, a 64 KiB body in chunks, D+end-of-message,
                 quit;
  milter -> MTA: negotiate reply, one continue per command, and at end-of-message
                 3 modifications (add-header, change-header, add-recipient) + accept.

Decoding feeds each direction's stream to a fresh FrameReader in socket-sized reads
(64 KiB), as the manager does. Run: .venv/bin/python benchmarks/protocol.py [--sessions N]
[--chunk-size BYTES] [--read-size BYTES]
"""

from __future__ import annotations

import argparse
import sys
import time

from milter_manager.protocol import (
    COMMANDS,
    REPLIES,
    Accept,
    AddHeader,
    AddRecipient,
    Body,
    ChangeHeader,
    Connect,
    Continue,
    Data,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    FrameReader,
    Header,
    Helo,
    Negotiate,
    NegotiateReply,
    Quit,
    define_macro,
    split_chunk,
)

BODY = (b"La de da de da 1.\r\nLa de da de da 2.\r\nLa de da de da 3.\r\n" * 1200)[:65536]


def session(chunk_size: int) -> tuple[list, list]:
    """The packets of one session: (commands, replies)."""
    commands: list = [
        Negotiate(6, 0x1FF, 0x1FFFFF),
        define_macro(b"C", {b"j": b"mx.example.net", b"daemon_name": b"Postfix",
                            b"v": b"Postfix 3.7.11", b"_": b"client.example.org [192.0.2.7]"}),
        Connect(b"client.example.org", b"4", 50443, b"192.0.2.7"),
        define_macro(b"H", {b"tls_version": b"TLSv1.3", b"cipher": b"TLS_AES_256_GCM_SHA384"}),
        Helo(b"client.example.org"),
        define_macro(b"M", {b"i": b"4XyZ1k2lmnz9", b"mail_addr": b"sender@example.org",
                            b"auth_type": b"", b"mail_mailer": b"smtp"}),
        EnvelopeFrom(b"<sender@example.org>", (b"SIZE=70000", b"BODY=8BITMIME")),
    ]
    for n in range(3):
        commands += [define_macro(b"R", {b"rcpt_addr": b"rcpt%d@example.net" % n,
                                         b"rcpt_mailer": b"local"}),
                     EnvelopeRecipient(b"<rcpt%d@example.net>" % n, (b"NOTIFY=NEVER",))]
    commands += [define_macro(b"T", {b"i": b"4XyZ1k2lmnz9"}), Data()]
    headers = [(b"Received", (b"from client.example.org (client.example.org [192.0.2.7]) "
                             b"by mx.example.net (Postfix) with ESMTPS id 4XyZ1k2lmnz9"))]
    headers += [(b"X-Header-%d" % n, b"value number %d with some text in it" % n)
                for n in range(19)]
    commands += [Header(name, value) for name, value in headers]
    commands.append(EndOfHeader())
    commands += [Body(piece) for piece in split_chunk(BODY, chunk_size)]
    commands += [define_macro(b"E", {b"i": b"4XyZ1k2lmnz9"}), EndOfMessage(b""), Quit()]

    answered = sum(1 for c in commands if c.nick not in ("define-macro", "negotiate",
                                                          "end-of-message", "quit"))
    replies: list = [NegotiateReply(6, 0x1FF, 0x400, ((0, (b"j", b"{daemon_name}")),))]
    replies += [Continue()] * answered
    replies += [AddHeader(b"X-Spam-Status", b"No, score=-0.1"),
                ChangeHeader(1, b"Subject", b"[checked] hello"),
                AddRecipient(b"<archive@example.net>"),
                Accept()]
    return commands, replies


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


def measure(label: str, seconds: float, packets: int, size: int) -> None:
    print(f"{label:<22} {packets / seconds:>12,.0f} packets/s {size / seconds / 1e6:>9.1f} MB/s"
          f"   ({packets:,} packets, {size / 1e6:,.1f} MB in {seconds:.2f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20000)
    parser.add_argument("--chunk-size", type=int, default=65535,
                        help="body chunk size of the MTA (Postfix and Sendmail: 65535)")
    parser.add_argument("--read-size", type=int, default=65536)
    args = parser.parse_args()

    commands, replies = session(args.chunk_size)
    command_stream = b"".join(p.encode() for p in commands)
    reply_stream = b"".join(p.encode() for p in replies)
    command_reads = chunks(command_stream, args.read_size)
    reply_reads = chunks(reply_stream, args.read_size)
    n = args.sessions
    per_session = len(commands) + len(replies)
    print(f"session: {len(commands)} commands ({len(command_stream):,} bytes), "
          f"{len(replies)} replies ({len(reply_stream):,} bytes); body chunk "
          f"{args.chunk_size}, read size {args.read_size}; {n:,} sessions; "
          f"python {sys.version.split()[0]}")

    # Correctness first: the decoded packets are the ones we encoded.
    reader = FrameReader(COMMANDS)
    assert [p for r in command_reads for p in reader.feed(r)] == commands
    reader = FrameReader(REPLIES)
    assert [p for r in reply_reads for p in reader.feed(r)] == replies

    start = time.perf_counter()
    count = 0
    for _ in range(n):
        reader = FrameReader(COMMANDS)
        for data in command_reads:
            count += len(reader.feed(data))
        reader.feed_eof()
    command_time = time.perf_counter() - start

    start = time.perf_counter()
    for _ in range(n):
        reader = FrameReader(REPLIES)
        for data in reply_reads:
            count += len(reader.feed(data))
        reader.feed_eof()
    reply_time = time.perf_counter() - start
    assert count == n * per_session

    size = len(command_stream) + len(reply_stream)
    measure("decode commands", command_time, n * len(commands), n * len(command_stream))
    measure("decode replies", reply_time, n * len(replies), n * len(reply_stream))
    measure("decode (both)", command_time + reply_time, n * per_session, n * size)

    everything = commands + replies
    start = time.perf_counter()
    for _ in range(n):
        b"".join([p.encode() for p in everything])
    encode_time = time.perf_counter() - start
    measure("encode (both)", encode_time, n * per_session, n * size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
