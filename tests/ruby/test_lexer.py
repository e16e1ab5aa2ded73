"""The lexer's context-dependent decisions (ruby-subset.md §2.2–§2.5), as
token types: the same character becomes a different terminal by state and
whitespace."""

from __future__ import annotations

import pytest

from milter_manager.ruby.lexer import TERMINALS, Tokenizer
from milter_manager.ruby.parser import grammar_text


def types(source: str) -> list[str]:
    return [t.type for t in Tokenizer(source, "t.rb").tokens()]


def values(source: str) -> list[tuple[str, str]]:
    return [(t.type, str(t)) for t in Tokenizer(source, "t.rb").tokens()]


@pytest.mark.parametrize("source,expected", [
    ("a / b", ["IDENT", "MULOP", "IDENT"]),
    ("a /b/", ["IDENT", "REGEXP_BEG", "STRING_CONTENT", "REGEXP_END"]),
    ("a/b", ["IDENT", "MULOP", "IDENT"]),
    ("x = 1; x /b/ 2", ["LVAR", "ASSIGN", "INTEGER", "SEMI", "LVAR", "MULOP", "IDENT", "MULOP",
                        "INTEGER"]),
    ("a -1", ["IDENT", "INTEGER"]),
    ("a - 1", ["IDENT", "ADDOP", "INTEGER"]),
    ("a [1]", ["IDENT", "LBRACK", "INTEGER", "RBRACK"]),
    ("a[1]", ["IDENT", "LBRACK_INDEX", "INTEGER", "RBRACK"]),
    ("a (1)", ["IDENT", "LPAREN_ARG", "INTEGER", "RPAREN"]),
    ("a(1)", ["IDENT", "LPAREN_CALL", "INTEGER", "RPAREN"]),
    ("a *b", ["IDENT", "USTAR", "IDENT"]),
    ("a * b", ["IDENT", "MULOP", "IDENT"]),
    ("a &b", ["IDENT", "UAMPER", "IDENT"]),
    ("a ::B", ["IDENT", "COLON3", "CONSTANT"]),
    ("A::B", ["CONSTANT", "COLON2", "CONSTANT"]),
    ("a :b", ["IDENT", "SYMBOL"]),
    ("x ? a : b", ["IDENT", "QMARK", "IDENT", "COLON", "IDENT"]),
    ("x = ?a", ["LVAR", "ASSIGN", "CHAR"]),
    ("a {", ["IDENT", "LBRACE_BLOCK"]),
    ("x = {", ["LVAR", "ASSIGN", "LBRACE"]),
    ("a <<X\nX\n", ["IDENT", "STRING_BEG", "STRING_END", "NL"]),
    ("@a << b", ["IVAR", "SHIFTOP", "IDENT"]),
    ("class << self", ["KW_CLASS", "SCLASS", "KW_SELF"]),
    ("a if b", ["IDENT", "IF_MOD", "IDENT"]),
    ("if b", ["KW_IF", "IDENT"]),
    ("return if b", ["KW_RETURN", "IF_MOD", "IDENT"]),
    ("a rescue b", ["IDENT", "RESCUE_MOD", "IDENT"]),
    ("x.class", ["IDENT", "DOT", "IDENT"]),
    ("f a: 1", ["IDENT", "LABEL", "INTEGER"]),
    ("-> (x) { }", ["LAMBDA", "LPAREN", "LVAR", "RPAREN", "LAMBEG", "RBRACE"]),
])
def test_decision_table(source: str, expected: list[str]) -> None:
    assert types(source) == expected


def test_do_tokens() -> None:
    assert types("foo a do end")[2] == "DO_BLOCK"
    assert types("foo(a) do end")[4] == "DO"
    assert types("while a do end")[2] == "DO_COND"
    assert types("-> do end")[1] == "DO_LAMBDA"
    assert types("foo a, b.c do end")[6] == "DO_BLOCK"
    assert types("foo a\nbar do end")[4] == "DO"


def test_newlines() -> None:
    assert types("a +\nb") == ["IDENT", "ADDOP", "IDENT"]
    assert types("a\nb") == ["IDENT", "NL", "IDENT"]
    assert types("a\n\n# c\n\nb") == ["IDENT", "NL", "IDENT"]
    assert types("a\n  .b") == ["IDENT", "DOT", "IDENT"]
    assert types("a \\\n + b") == ["IDENT", "ADDOP", "IDENT"]
    assert types("[\n1,\n2\n]") == ["LBRACK", "INTEGER", "COMMA", "INTEGER", "RBRACK"]
    assert types("a;;\n;b") == ["IDENT", "SEMI", "IDENT"]


def test_locals_change_tokens() -> None:
    assert types("a = 1\na") == ["LVAR", "ASSIGN", "INTEGER", "NL", "LVAR"]
    assert types("def f(a)\n a\nend\na") == [
        "KW_DEF", "FNAME_ID", "LPAREN", "LVAR", "RPAREN", "NL", "LVAR", "NL", "KW_END", "NL",
        "IDENT"]
    assert types("f { |a| a }\na")[-1] == "IDENT"
    assert types("a, b = 1, 2\nb")[-1] == "LVAR"


def test_literal_values() -> None:
    assert values("0660 0x1F 0b101 0o17 0d9 1_000 00") == [
        ("INTEGER", "432"), ("INTEGER", "31"), ("INTEGER", "5"), ("INTEGER", "15"),
        ("INTEGER", "9"), ("INTEGER", "1000"), ("INTEGER", "0")]
    assert values("[-7, 1 -7]")[1:5] == [("INTEGER", "-7"), ("COMMA", ","), ("INTEGER", "1"),
                                          ("ADDOP", "-")]
    assert values("1.5 1e3 1.0e+15 1.5e-3") == [
        ("FLOAT", "1.5"), ("FLOAT", "1000.0"), ("FLOAT", "1000000000000000.0"),
        ("FLOAT", "0.0015")]
    assert values('"\\t\\e\\s\\0\\101\\x41\\u00e9\\u{1F600 41}\\cA\\q"') == [
        ("STRING_BEG", '"'), ("STRING_CONTENT", "\t\x1b \x00AA\u00e9\U0001F600A\x01q"),
        ("STRING_END", '"')]
    assert values('"\\xC3\\xA9\\xFF"')[1] == ("STRING_CONTENT", "\u00e9\udcff")
    assert values("/a\\/b\\d/i") == [("REGEXP_BEG", "/"), ("STRING_CONTENT", "a/b\\d"),
                                     ("REGEXP_END", "i")]


def test_interpolation_tokens() -> None:
    assert types('"a#{b}c#@d"') == ["STRING_BEG", "STRING_CONTENT", "STRING_DBEG", "IDENT",
                                    "STRING_DEND", "STRING_CONTENT", "STRING_DVAR", "IVAR",
                                    "STRING_END"]
    assert types('"#{ {a: 1}[:a] }"') == ["STRING_BEG", "STRING_DBEG", "LBRACE", "LABEL",
                                          "INTEGER", "RBRACE", "LBRACK_INDEX", "SYMBOL",
                                          "RBRACK", "STRING_DEND", "STRING_END"]


def test_token_positions() -> None:
    toks = list(Tokenizer("a = 1\n  foo.bar", "t.rb").tokens())
    assert [(t.type, t.line, t.column) for t in toks][-3:] == [
        ("IDENT", 2, 3), ("DOT", 2, 6), ("IDENT", 2, 7)]


def test_lexer_and_grammar_agree_on_terminals() -> None:
    declared = set()
    for line in grammar_text().splitlines():
        if line.startswith("%declare"):
            declared.update(line.split()[1:])
    assert declared == TERMINALS
