"""Log level expressions (config.md §8.1)."""

import pytest

from milter_manager.config.log_level import (
    ALL,
    DEFAULT_LEVEL,
    LogLevelError,
    format_level,
    parse_level,
)


@pytest.mark.parametrize("text, current, expected", [
    ("", 0, 0),
    ("default", 4, 0),
    (None, 4, 0),
    ("all", 0, 1022),
    ("error", 0, 4),
    ("warning|error|critical", 0, 2 | 4 | 8),
    ("+info", 0, DEFAULT_LEVEL | 32),            # + on "default" starts from DEFAULT_LEVEL
    ("-message", 0, DEFAULT_LEVEL & ~16),
    ("+debug", 4, 4 | 64),
    ("-error", 4 | 8, 8),
    ("error|-error", 0, 0),                     # a name's own prefix wins
    ("+info|-warning", 4 | 8, 4 | 32),
    ("-all", 4, 0),                             # removing all clears
    ("info|all", 0, 1023),                      # all inside a list adds all ten bits
    ("default|debug", 0, DEFAULT_LEVEL | 64),
    ("none", 0, 1),
])
def test_parse_level(text, current, expected):
    assert parse_level(text, current) == expected


def test_unknown_names_are_listed_in_input_order():
    with pytest.raises(LogLevelError) as info:
        parse_level("error|foo|+bar", 0)
    assert str(info.value) == "unknown flag names: [<foo>|<bar>](<MilterLogLevelFlags>)"


def test_names_are_case_sensitive():
    with pytest.raises(LogLevelError) as info:
        parse_level("ERROR", 0)
    assert str(info.value) == "unknown flag names: [<ERROR>](<MilterLogLevelFlags>)"


@pytest.mark.parametrize("level, text", [
    (0, "default"),
    (2 | 4 | 8, "critical|error|warning"),
    (ALL, "critical|error|warning|message|info|debug|trace|statistics|profile"),
    (1, "none"),
    (512 | 1, "none|profile"),
])
def test_format_level_in_bit_order(level, text):
    assert format_level(level) == text
