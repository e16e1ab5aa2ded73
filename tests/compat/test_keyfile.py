"""The GLib key-file reader against every rule and example of scenarios.md §3."""

import pytest

from milter_manager.testing.harness.keyfile import (
    KeyFile,
    KeyFileError,
    parse_boolean,
    parse_integer,
    split_list,
    unescape,
)


def keys(text: str) -> KeyFile:
    return KeyFile.parse(text)


# --- §3.1 lines ------------------------------------------------------------------------

def test_comments_and_blank_lines_are_ignored():
    parsed = keys("# comment\n\n   # indented comment\n[g]\n  \nk=v\n")
    assert parsed.groups() == ["g"]
    assert parsed.keys("g") == ["k"]


def test_there_are_no_inline_comments():
    assert keys("[g]\nk=v # x\n").get_string("g", "k") == "v # x"


def test_semicolon_is_not_a_comment_and_percent_is_not_interpolated():
    parsed = keys("[g]\n; not a comment=1\nreply=554 5.7.1 1%% 2%% 3%%\n")
    assert parsed.get_string("g", "; not a comment") == "1"
    assert parsed.get_string("g", "reply") == "554 5.7.1 1%% 2%% 3%%"


def test_key_is_trimmed_value_keeps_trailing_whitespace():
    parsed = keys("[g]\n  key   =   value  \n")
    assert parsed.keys("g") == ["key"]
    assert parsed.get_string("g", "key") == "value  "


def test_value_is_everything_after_the_first_equal_sign():
    assert keys("[g]\nk=a=b\n").get_string("g", "k") == "a=b"


def test_keys_are_case_sensitive():
    parsed = keys("[g]\nKey=1\nkey=2\n")
    assert parsed.get_string("g", "Key") == "1"
    assert parsed.get_string("g", "key") == "2"


def test_repeated_key_last_value_wins():
    assert keys("[g]\nk=1\nk=2\n").get_string("g", "k") == "2"


def test_repeated_group_is_one_group():
    parsed = keys("[g]\na=1\n[h]\nx=0\n[g]\nb=2\n")
    assert parsed.groups() == ["g", "h"]
    assert parsed.keys("g") == ["a", "b"]


def test_crlf_line_ends():
    assert keys("[g]\r\nk=v\r\n").get_string("g", "k") == "v"


@pytest.mark.parametrize("text", ["k=v\n", "[g]\njust text\n", "[g]\n=v\n", "[]\n"])
def test_malformed_lines_are_errors(text):
    with pytest.raises(KeyFileError):
        keys(text)


def test_localized_key_is_separate_and_falls_back():
    parsed = keys("[abort]\nresponse=abort\nresponse[client10027]=none\n")
    assert parsed.get_locale_string("abort", "response", "client10027") == "none"
    assert parsed.get_locale_string("abort", "response", "client10026") == "abort"
    assert parsed.get_string("abort", "response") == "abort"


def test_missing_group_or_key_is_an_error():
    parsed = keys("[g]\nk=v\n")
    with pytest.raises(KeyFileError):
        parsed.get_string("h", "k")
    with pytest.raises(KeyFileError):
        parsed.get_string("g", "x")


# --- §3.2 values -----------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "value"), [
    (r"a\sb", "a b"), (r"\n\t\r", "\n\t\r"), ("back\\\\slash", "back\\slash"),
    (r"\skou", " kou"), ("plain", "plain"),
])
def test_string_escapes(raw, value):
    assert unescape(raw) == value


@pytest.mark.parametrize("raw", [r"a\;b", r"\x", "trailing\\"])
def test_invalid_string_escapes(raw):
    with pytest.raises(KeyFileError):
        unescape(raw)
    with pytest.raises(KeyFileError):
        keys(f"[g]\nk={raw}\n").get_string("g", "k")


# The list table of §3.2, verbatim.
@pytest.mark.parametrize(("raw", "items"), [
    ("a;b", ["a", "b"]),
    ("a;b;", ["a", "b"]),
    ("a;;", ["a", ""]),
    (";;", ["", ""]),
    (";Hi,;", ["", "Hi,"]),
    (";", [""]),
    ("", []),
    ("From; kou", ["From", " kou"]),
    (r"a\;b;c", ["a;b", "c"]),
    (r"\skou", [" kou"]),
])
def test_string_list_examples(raw, items):
    assert keys(f"[g]\nk={raw}\n").get_string_list("g", "k") == items


def test_list_items_are_unescaped_after_splitting():
    assert keys("[g]\nk=a\\\\;b\n").get_string_list("g", "k") == ["a\\", "b"]


@pytest.mark.parametrize("raw", [r"a;\x", "a;b\\"])
def test_invalid_list_escapes(raw):
    with pytest.raises(KeyFileError):
        keys(f"[g]\nk={raw}\n").get_string_list("g", "k")


def test_split_list_keeps_escapes_for_unescape():
    assert split_list(r"a\;b;c\s") == [r"a\;b", r"c\s"]


@pytest.mark.parametrize(("raw", "value"), [("10026", 10026), (" 7 ", 7), ("-3", -3),
                                            ("+4", 4), ("0", 0)])
def test_integers(raw, value):
    assert parse_integer(raw) == value


@pytest.mark.parametrize("raw", ["", "1.5", "0x10", "ten", "1 2", "1_000", "²"])
def test_invalid_integers(raw):
    with pytest.raises(KeyFileError):
        parse_integer(raw)


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("false", False), ("1", True),
                                            ("0", False), ("true  ", True)])
def test_booleans(raw, value):
    assert parse_boolean(raw) is value


@pytest.mark.parametrize("raw", ["True", "yes", "FALSE", "2", ""])
def test_invalid_booleans(raw):
    with pytest.raises(KeyFileError):
        parse_boolean(raw)


def test_every_shared_scenario_file_parses(shared):
    fixtures = shared / "upstream" / "test" / "fixtures"
    files = sorted(fixtures.glob("*/*.txt"))
    assert len(files) >= 98 + 11 + 4
    for path in files:
        parsed = KeyFile.load(path)
        assert parsed.has_group("scenario"), path
