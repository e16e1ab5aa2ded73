"""Reply codes (`y`): protocol.md §10.1 decoding, §10.2 validation, §10.3 formatting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milter_manager.protocol import (
    REPLIES,
    FrameReader,
    ProtocolError,
    ReplyCode,
    Status,
    check_extended_code,
    extended_code_error,
    format_reply,
    frame,
    parse_reply_text,
)

# §10.1 examples table: child text -> (code, extended, message)
EXAMPLES = [
    (b"554 5.7.1 1% 2%% 3%%%", 554, b"5.7.1", b"1% 2%% 3%%%"),
    (b"451 4.7.1 Greylisting in action, please come back later", 451, b"4.7.1",
     b"Greylisting in action, please come back later"),
    (b"554 5.7.1", 554, b"5.7.1", None),
    (b"550 Rejected here", 550, None, b"Rejected here"),
    (b"550", 550, None, None),
    (b"550-5.7.1 line one\r\n550 5.7.1 line two", 550, b"5.7.1", b"line one\nline two"),
]


@pytest.mark.parametrize(("text", "code", "extended", "message"), EXAMPLES)
def test_examples_table(text, code, extended, message):
    (reply,) = FrameReader(REPLIES).feed(frame(b"y", text + b"\0"))
    assert (reply.code, reply.extended, reply.message) == (code, extended, message)
    assert reply.text == text
    assert reply.valid and reply.invalid_reason is None


def test_invalid_example_is_decoded_and_marked():
    (reply,) = FrameReader(REPLIES).feed(frame(b"y", b"554 3.7.1 1%% 2%% 3%%\0"))
    assert reply.code == 554
    assert not reply.valid
    assert reply.invalid_reason == \
        "class of extended status code should be '2', '4' or '5': <3.7.1>: <3>"


def test_reader_goes_on_after_an_invalid_extended_code():  # §10.4: not a decode error
    reader = FrameReader(REPLIES)
    packets = reader.feed(frame(b"y", b"550 5.9999.1 x\0") + frame(b"c"))
    assert [p.nick for p in packets] == ["reply-code", "continue"]
    assert not packets[0].valid


@pytest.mark.parametrize(("text", "status"), [
    (b"451 4.7.1 later", Status.TEMPORARY_FAILURE),
    (b"421", Status.TEMPORARY_FAILURE),
    (b"554 5.7.1", Status.REJECT),
    (b"599", Status.REJECT),
])
def test_class(text, status):  # §10.1 step 5
    assert parse_reply_text(text).status is status


def test_multi_line_rules():
    # one empty last piece is dropped
    assert parse_reply_text(b"550 5.7.1 ok\r\n").message == b"ok"
    # a line with another code makes the whole text one line
    reply = parse_reply_text(b"550-5.7.1 a\r\n551 5.7.1 b")
    assert reply.extended == b"5.7.1"
    assert reply.message == b"a\r\n551 5.7.1 b"
    # a space on a non-last line breaks the rule too
    assert parse_reply_text(b"550 a\r\n550 b").message == b"a\r\n550 b"
    # the last line may end right after the code
    assert parse_reply_text(b"550-a\r\n550").message == b"a\n"
    # X is removed only from lines that start with it
    assert parse_reply_text(b"550-5.7.1 a\r\n550 b").message == b"a\nb"
    # a separator other than `-`/space: the body starts right after the digits
    assert parse_reply_text(b"550x").message == b"x"


def test_extended_candidate_rules():
    # not a candidate without a dot, or with other characters: kept in the message
    assert parse_reply_text(b"550 571 no").extended is None
    assert parse_reply_text(b"550 5.7.1a no").extended is None
    assert parse_reply_text(b"550 5.7.1a no").message == b"5.7.1a no"
    # a candidate that is invalid marks the reply invalid
    reply = parse_reply_text(b"550 4.7.1 no")
    assert reply.invalid_reason == "extended code should use the same class of status code: " \
        "<550>:<4.7.1>"


# §10.2: every row, in order
VALIDATION_ROWS = [
    (550, "", "class of extended status code is missing: <>"),
    (550, ".7.1", "class of extended status code is missing: <.7.1>"),
    (550, "55.7.1", "class of extended status code should be '2', '4' or '5': <55.7.1>"),
    (550, "3.7.1", "class of extended status code should be '2', '4' or '5': <3.7.1>: <3>"),
    (550, "x.7.1", "class of extended status code should be '2', '4' or '5': <x.7.1>: <x>"),
    (550, "5.", "subject of extended status code is missing: <5.>"),
    (550, "5", "subject of extended status code is missing: <5>"),
    (550, "5..1", "subject of extended status code is missing: <5..1>"),
    (550, "5.1234.1",
     "subject of extended status code should be less than 1000: <1234>: <5.1234.1>"),
    (550, "5.12345.1",
     "subject of extended status code should be less than 1000: <1234>: <5.12345.1>"),
    (550, "5.a.1", "subject of extended status code should be digit: <5.a.1>: <a>"),
    (550, "5.7.", "detail of extended status code is missing: <5.7.>"),
    (550, "5.7", "detail of extended status code is missing: <5.7>"),
    (550, "5.7.1000",
     "detail of extended status code should be less than 1000: <1000>: <5.7.1000>"),
    (550, "5.7.x", "detail of extended status code should be digit: <x>: <5.7.x>"),
    (550, "5.7.1.", "detail of extended status code should be digit: <.>: <5.7.1.>"),
    (450, "5.7.1", "extended code should use the same class of status code: <450>:<5.7.1>"),
    (550, "2.0.0", "extended code should use the same class of status code: <550>:<2.0.0>"),
]


@pytest.mark.parametrize(("code", "extended", "message"), VALIDATION_ROWS)
def test_validation_rows(code, extended, message):
    assert extended_code_error(code, extended) == message
    assert extended_code_error(code, extended.encode()) == message
    with pytest.raises(ProtocolError) as info:
        check_extended_code(code, extended)
    assert str(info.value) == message


@pytest.mark.parametrize(("code", "extended"), [
    (550, "5.7.1"), (451, "4.7.1"), (250, "2.0.0"), (554, "5.999.999"), (550, "5.0.0"),
])
def test_valid_extended_codes(code, extended):
    assert extended_code_error(code, extended) is None
    check_extended_code(code, extended)


def test_build_rejects_an_invalid_extended_code():
    with pytest.raises(ProtocolError, match="^subject of extended status code is missing"):
        ReplyCode.build(550, b"5..1", b"no")
    with pytest.raises(ProtocolError, match="should be 4XX or 5XX"):
        ReplyCode.build(250, None, b"ok")


# §10.3 formatting ---------------------------------------------------------------

def spec_format_reply(code, extended, message):
    """The normative function of protocol.md §10.3, verbatim, as the oracle."""
    texts = [""] if message is None else [t[:-1] if t.endswith("\r") else t  # noqa: FURB188
                                          for t in message.split("\n")]
    lines = []
    for i, text in enumerate(texts):
        last = i == len(texts) - 1
        rest = " ".join(p for p in (extended, text) if p)
        if rest:
            lines.append("%03d%s%s" % (code, " " if last else "-", rest))  # noqa: UP031
        else:
            lines.append("%03d%s" % (code, "" if last else "-"))  # noqa: UP031
    return "\r\n".join(lines)


@pytest.mark.parametrize(("code", "extended", "message", "text"), [
    (554, b"5.7.1", b"1%% 2%% 3%%", b"554 5.7.1 1%% 2%% 3%%"),
    (554, b"5.7.1", None, b"554 5.7.1"),  # [deviation] P9: one line
    (550, None, None, b"550"),
    (551, b"5.7.1", b"a\nb", b"551-5.7.1 a\r\n551 5.7.1 b"),  # [deviation] P10
    (551, b"5.7.1", b"a\r\nb\r", b"551-5.7.1 a\r\n551 5.7.1 b"),
    (550, None, b"a\n\nb", b"550-a\r\n550-\r\n550 b"),
    (451, None, b"\n", b"451-\r\n451"),
])
def test_format_examples(code, extended, message, text):
    assert format_reply(code, extended, message) == text


text_bytes = st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\0"),
                     max_size=30)


@settings(max_examples=300)
@given(code=st.integers(400, 599),
       extended=st.none() | st.from_regex(r"\A[245]\.[0-9]{1,3}\.[0-9]{1,3}\Z"),
       message=st.none() | text_bytes)
def test_format_matches_the_normative_function(code, extended, message):
    expected = spec_format_reply(code, extended, message)
    got = format_reply(code, extended and extended.encode("latin-1"),
                       None if message is None else message.encode("latin-1"))
    assert got == expected.encode("latin-1")


@settings(max_examples=300)
@given(code=st.integers(400, 599), subject=st.integers(0, 999), detail=st.integers(0, 999),
       with_extended=st.booleans(),
       lines=st.lists(st.binary(max_size=20).filter(
           lambda b: b"\0" not in b and b"\n" not in b and not b.endswith(b"\r")),
           min_size=1, max_size=4))
def test_format_then_parse_gives_the_fields_back(code, subject, detail, with_extended, lines):
    extended = f"{code // 100}.{subject}.{detail}".encode() if with_extended else None
    if not with_extended:
        # the first word must not look like an extended code (§10.1 step 3)
        first = lines[0].split(b" ", 1)[0]
        if b"." in first and set(first) <= set(b"0123456789."):
            lines[0] = b"x" + lines[0]
    message = b"\n".join(lines)
    if message == b"":
        message = None  # a single empty line parses as "no message"
    reply = parse_reply_text(format_reply(code, extended, message))
    assert (reply.code, reply.extended, reply.message, reply.valid) == (
        code, extended, message, True)
