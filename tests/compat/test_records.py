"""Cutting a test milter's stdout into records and reading them (scenarios.md §8.3)."""

from milter_manager.protocol.flags import parse_actions, parse_steps
from milter_manager.testing.harness.records import (
    ClientRecords,
    RecordSplitter,
    parse_option,
    split_record,
)


def test_ready_then_records_at_rest():
    splitter = RecordSplitter()
    assert splitter.feed(b"ready\n", at_rest=True) == []
    assert splitter.ready
    assert splitter.feed(b"receive: helo: delian\nreceive: data\n", at_rest=True) == [
        b"helo: delian", b"data"]


def test_a_record_followed_by_a_marker_is_complete_even_when_not_at_rest():
    splitter = RecordSplitter()
    assert splitter.feed(b"receive: data\nreceive: hel", at_rest=False) == [b"data"]
    assert splitter.feed(b"o: x\n", at_rest=False) == []      # more may follow
    assert splitter.feed(b"", at_rest=True) == [b"helo: x"]


def test_the_last_record_needs_a_newline_and_rest():
    splitter = RecordSplitter()
    assert splitter.feed(b"receive: body: partial", at_rest=True) == []
    assert splitter.feed(b" chunk\n", at_rest=True) == [b"body: partial chunk"]


def test_exactly_one_trailing_character_is_removed():
    # A body chunk that ends with a newline is printed without a second one
    # (Ruby's puts); §8.3 still removes one character.
    splitter = RecordSplitter()
    records = splitter.feed(b"receive: body: line 1\nline 2\n\nreceive: data\n", at_rest=True)
    assert records == [b"body: line 1\nline 2\n", b"data"]


def test_ready_is_only_recognised_first():
    splitter = RecordSplitter()
    splitter.feed(b"noise\n", at_rest=True)
    assert not splitter.ready
    assert bytes(splitter.garbage) == b"noise\n"


def test_split_record():
    assert split_record(b"negotiate: 6 add-headers skip") == ("negotiate",
                                                              b"6 add-headers skip")
    assert split_record(b"end-of-header") == ("end-of-header", b"")
    assert split_record(b"body: a: b") == ("body", b"a: b")


def test_parse_option_with_empty_flag_sets():
    assert parse_option(b"6 add-headers|quarantine skip") == (
        6, parse_actions("add-headers|quarantine"), parse_steps("skip"))
    assert parse_option(b"2  ") == (2, 0, 0)


def records(*lines: bytes) -> ClientRecords:
    kept = ClientRecords()
    for line in lines:
        kept.add(line)
    return kept


def test_counters_and_data_per_signal():
    kept = records(
        b"negotiate: 6 add-headers no-connect|skip",
        b"define-macro: connect\ndaemon_name: Postfix\nj: postfix",
        b"connect: mx.local.net inet:2929@[192.168.1.29]",
        b"helo: delian",
        b"envelope-from: kou+sender@example.com",
        b"envelope-recipient: kou+receiver@example.com",
        b"data",
        b"header: From kou+sender@example.com",
        b"header: Subject Hello world",
        b"end-of-header",
        b"body: Hi,",
        b"body:  there",
        b"end-of-message",
        b"unknown: UNKNWON COMMAND",
        b"abort",
        b"quit",
    )
    assert kept.counts["header"] == 2
    assert kept.counts["body"] == 2
    assert kept.counts["abort"] == kept.counts["quit"] == 1
    assert kept.n_records == 16
    assert kept.option == (6, parse_actions("add-headers"), parse_steps("no-connect|skip"))
    assert kept.macros == {"connect": [(b"daemon_name", b"Postfix"), (b"j", b"postfix")]}
    assert kept.connect == (b"mx.local.net", b"inet:2929@[192.168.1.29]")
    assert kept.helo == b"delian"
    assert kept.envelope_from == b"kou+sender@example.com"
    assert kept.envelope_recipient == b"kou+receiver@example.com"
    assert kept.header == (b"Subject", b"Hello world")   # the last one
    assert kept.body == b"Hi, there"                      # concatenated
    assert kept.end_of_message is None                    # no info: NULL
    assert kept.unknown == b"UNKNWON COMMAND"


def test_header_value_stops_at_its_first_newline_and_macros_replace():
    kept = records(b"header: X-Folded first\n second",
                   b"define-macro: envelope-from\na: 1",
                   b"define-macro: envelope-from\nb: 2",
                   b"end-of-message: final chunk")
    assert kept.header == (b"X-Folded", b"first")
    assert kept.macros == {"envelope-from": [(b"b", b"2")]}
    assert kept.end_of_message == b"final chunk"
