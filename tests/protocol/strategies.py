"""Hypothesis strategies for every command and reply type (protocol.md §3, §4)."""

from __future__ import annotations

from hypothesis import strategies as st

from milter_manager.protocol import (
    MACRO_CONTEXTS,
    MILTER_CHUNK_SIZE,
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
    Header,
    Helo,
    InsertHeader,
    Negotiate,
    NegotiateReply,
    Progress,
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
    parse_reply_text,
)

u32 = st.integers(0, 2**32 - 1)

# Any byte but NUL, non-ASCII included; now and then a long value.
_no_nul = st.binary(max_size=40).map(lambda b: b.replace(b"\0", b"\xff"))
text = st.one_of(_no_nul, st.just(b""), st.just(bytes(range(1, 256)) * 20))
nonempty = text.filter(bool)
raw = st.one_of(st.binary(max_size=200), st.just(b""),
                st.just(bytes(range(256)) * 256))  # includes NULs; 65536 bytes

# §3: a stored macro name never carries both braces (they are removed on decode).
macro_name = nonempty.filter(lambda b: not (len(b) > 2 and b[:1] == b"{" and b[-1:] == b"}"))

connect = st.one_of(
    st.builds(lambda h, p, a: Connect(h, b"4", p, str(a).encode()),
              nonempty, st.integers(0, 65535), st.ip_addresses(v=4)),
    st.builds(lambda h, p, a, prefix: Connect(h, b"6", p, prefix + str(a).encode()),
              nonempty, st.integers(0, 65535), st.ip_addresses(v=6),
              st.sampled_from([b"", b"IPv6:"])),
    st.builds(lambda h, path: Connect(h, b"L", 0, path), nonempty, nonempty),
    st.builds(lambda h: Connect(h, b"U", 0, b""), nonempty),
)

commands = st.one_of(
    st.builds(Negotiate, u32, u32, u32),
    st.builds(DefineMacro, st.sampled_from([bytes((c,)) for c in MACRO_CONTEXTS]),
              st.dictionaries(macro_name, text, max_size=6)),
    connect,
    st.builds(Helo, nonempty),
    st.builds(EnvelopeFrom, nonempty, st.lists(text, max_size=4).map(tuple)),
    st.builds(EnvelopeRecipient, nonempty, st.lists(text, max_size=4).map(tuple)),
    st.just(Data()),
    st.builds(Header, nonempty, text),
    st.just(EndOfHeader()),
    st.builds(Body, raw),
    st.builds(EndOfMessage, raw),
    st.just(Abort()),
    st.just(Quit()),
    st.builds(Unknown, nonempty),
    st.just(QuitNewConnection()),
)

symbol = nonempty.map(lambda b: b.replace(b" ", b"_"))
macro_requests = st.lists(
    st.tuples(st.integers(0, 6), st.lists(symbol, max_size=4).map(tuple)), max_size=7,
).map(tuple)

# A `y` text: a 4XX/5XX code and anything after it (§10.1); decoded to get the fields.
reply_code = st.builds(
    lambda first, rest, tail: parse_reply_text(b"%d%02d" % (first, rest) + tail),
    st.sampled_from([4, 5]), st.integers(0, 99),
    st.one_of(text, st.sampled_from([b" 5.7.1 no", b"-5.7.1 a\r\n550 5.7.1 b",
                                     b" 4.7.1 later", b" 5.7.1", b" 3.1.1 x"])),
) | st.builds(ReplyCode.build, st.sampled_from([421, 451, 550, 554]),
              st.sampled_from([None, b""]), st.none() | nonempty)

replies = st.one_of(
    st.builds(NegotiateReply, u32, u32, u32, macro_requests),
    st.sampled_from([Continue(), Accept(), Reject(), TemporaryFailure(), Discard(), Skip(),
                     Progress(), ConnectionFailure(), Shutdown()]),
    reply_code,
    st.builds(AddHeader, nonempty, text),
    st.builds(InsertHeader, u32, nonempty, text),
    st.builds(ChangeHeader, u32, nonempty, text),
    st.builds(ChangeFrom, nonempty, text),
    st.builds(AddRecipient, nonempty, text),
    st.builds(DeleteRecipient, nonempty),
    st.builds(ReplaceBody, raw.map(lambda b: b[:MILTER_CHUNK_SIZE])),
    st.builds(Quarantine, nonempty),
)
