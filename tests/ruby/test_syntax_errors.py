"""Syntax errors: exact texts and positions for every row of ruby-subset.md
§2.6, the `FILE:LINE:COLUMN: MESSAGE` line (config.md §14.2) and the caret
form of the command-line runner (§11)."""

from __future__ import annotations

import pytest

from milter_manager.ruby.parser import RubySyntaxError, parse

CASES = [
    # unexpected token: its source text, at most 40 characters
    ("x = 1 2\n", 1, 7, "syntax error, unexpected '2'"),
    ("foo(1,,2)\n", 1, 7, "syntax error, unexpected ','"),
    ("x = )\n", 1, 5, "syntax error, unexpected ')'"),
    ("end\n", 1, 1, "syntax error, unexpected 'end'"),
    ("a = 1\n  b = ]\n", 2, 7, "syntax error, unexpected ']'"),
    ('x = 1 "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"\n', 1, 7,
     "syntax error, unexpected '\"abcdefghijklmnopqrstuvwxyz0123456789ABC'"),
    ("x = 1 foo\n", 1, 7, "syntax error, unexpected 'foo'"),
    ("x = 1 :sym\n", 1, 7, "syntax error, unexpected ':'"),
    # unexpected newline / end of file
    ("for x\nin [1]\nend\n", 1, 6, "syntax error, unexpected end-of-line"),
    ("def foo\n  1\n", 2, 4, "syntax error, unexpected end-of-input"),
    ("if x\n  foo\n\n\n", 4, 1, "syntax error, unexpected end-of-input"),
    ("foo(", 1, 5, "syntax error, unexpected end-of-input"),
    # unterminated literals: position of their start
    ('x = "abc\n\n', 1, 5, "unterminated string meets end of file"),
    ("x = 'abc", 1, 5, "unterminated string meets end of file"),
    ("y = 1\nx = /abc\n", 2, 5, "unterminated regexp meets end of file"),
    ("x = %w[a b\n", 1, 5, "unterminated list meets end of file"),
    ("x = <<EOS\nabc\n", 1, 5, "can't find string \"EOS\" anywhere before EOF"),
    ("x = <<~'END'\n  abc\n END2\n", 1, 5, "can't find string \"END\" anywhere before EOF"),
    ("x = 1\n=begin\nfoo\n", 2, 1, "embedded document meets end of file"),
    # bad characters and encoding
    ("x = 1 \x01\n", 1, 7, "invalid character '\\u0001'"),
    ("x = 1 \\ 2\n", 1, 7, "invalid character '\\\\'"),
    ("x = 1 €\n", 1, 7, "invalid character '€'"),
    ('x = "a\udcffb"\n', 1, 7, "invalid multibyte char (UTF-8)"),
    # numbers
    ("x = 0678\n", 1, 5, "Invalid octal digit"),
    ("x = 0x\n", 1, 5, "numeric literal without digits"),
    ("x = 0b\n", 1, 5, "numeric literal without digits"),
    ("x = 1_\n", 1, 5, "trailing '_' in number"),
    ("x = 1__0\n", 1, 5, "trailing '_' in number"),
    # escapes
    ('x = "\\xZZ"\n', 1, 6, "invalid hex escape"),
    ('x = "\\u12"\n', 1, 6, "invalid Unicode escape"),
    ('x = "\\u{}"\n', 1, 6, "invalid Unicode escape"),
    # regexps: translated at parse time (§7.3)
    ("x = /a/q\n", 1, 8, "unknown regexp option - q"),
    ("x = /a(/\n", 1, 5, "invalid regular expression: end pattern with unmatched parenthesis"),
    ("x = /\\p{Alpha}/\n", 1, 5, "unsupported regular expression construct: \\p{Alpha}"),
    # semantics
    ("def f\n  X = 1\nend\n", 2, 3, "dynamic constant assignment"),
    ("nil = 1\n", 1, 1, "Can't assign to nil"),
    ("true = 1\n", 1, 1, "Can't assign to true"),
    ("self = 1\n", 1, 1, "Can't assign to self"),
    ("__FILE__ = 1\n", 1, 1, "Can't assign to __FILE__"),
    ("__LINE__ = 1\n", 1, 1, "Can't assign to __LINE__"),
    ("x = 1\nbreak\n", 2, 1, "Invalid break"),
    ("def f\n  next\nend\n", 2, 3, "Invalid next"),
    ("redo\n", 1, 1, "Invalid redo"),
    ("def f\n  retry\nend\n", 2, 3, "Invalid retry"),
    # unsupported syntax (§10)
    ("def foo = 1\n", 1, 9, "syntax error, unexpected '='"),
    ("case x\nin 1 then 2\nend\n", 2, 1, "syntax error, unexpected 'in'"),
    ("[1].each { p _1 }\n", 1, 14, "syntax error, unexpected '_1'"),
    ("BEGIN { 1 }\n", 1, 1, "syntax error, unexpected 'BEGIN'"),
    ("[1].each { redo }\n", 1, 12, "syntax error, unexpected 'redo'"),
]


@pytest.mark.parametrize("source,line,column,message", CASES,
                         ids=[f"{i:02d}-{c[3][:30]}" for i, c in enumerate(CASES)])
def test_syntax_error(source: str, line: int, column: int, message: str) -> None:
    with pytest.raises(RubySyntaxError) as info:
        parse(source, "broken.conf")
    e = info.value
    assert (e.filename, e.line, e.column, e.message) == ("broken.conf", line, column, message)
    assert str(e) == f"broken.conf:{line}:{column}: {message}"


def test_only_the_first_error_is_reported() -> None:
    with pytest.raises(RubySyntaxError) as info:
        parse("x = )\ny = ]\n", "f.rb")
    assert str(info.value) == "f.rb:1:5: syntax error, unexpected ')'"


def test_format_with_caret() -> None:
    with pytest.raises(RubySyntaxError) as info:
        parse("a = 1\n\tfoo(1,,2)\n", "t.rb")
    assert info.value.format_with_caret() == (
        "t.rb:2:8: syntax error, unexpected ','\n"
        "\tfoo(1,,2)\n"
        "       ^")
    assert info.value.source_line == "\tfoo(1,,2)"


def test_caret_at_end_of_input_after_last_line() -> None:
    with pytest.raises(RubySyntaxError) as info:
        parse("if x\n  foo\n", "t.rb")
    assert info.value.format_with_caret() == (
        "t.rb:2:6: syntax error, unexpected end-of-input\n"
        "  foo\n"
        "     ^")


def test_valid_code_next_to_the_error_cases_parses() -> None:
    # The same constructs used correctly: the errors above are not spurious.
    parse("x = [1, 2]\ny = (1 +\n 2)\nwhile true do break end\n"
          "[1].each { next }\nbegin; rescue; retry; end\nX = 1\nx = 0o17 + 0x1F + 0b1 + 1_000\n"
          "x = \"\\x41\\u{41 42}\"\nx = /a/iu\n", "ok.rb")
