"""The LALR tables shipped in the package (`milter_manager/ruby/parser_tables.py`):
generated from the current grammar, equivalent to a parser built from it, and
used at start-up without any cache directory (a daemon user without a home)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import lark
import pytest

from milter_manager.ruby import _ruby_tables, parser, parser_tables
from milter_manager.ruby.ast_builder import ASTBuilder

PROJECT = Path(__file__).resolve().parents[2]
UPSTREAM = PROJECT / ".." / "shared" / "upstream"


def test_shipped_tables_were_generated_from_the_current_grammar():
    # Fails when grammar/ruby.lark (or the installed lark) changed without
    # `python -m milter_manager.ruby.parser_tables` being run.
    assert _ruby_tables.GRAMMAR_SHA256 == parser_tables.grammar_digest(parser.grammar_text())
    assert _ruby_tables.LARK_VERSION == lark.__version__


def test_tables_from_another_lark_version_are_not_used(monkeypatch):
    monkeypatch.setattr(lark, "__version__", "0.0.1")
    assert parser_tables.load(parser.grammar_text(), parser._ThreadLexer, ASTBuilder()) is None


def test_tables_for_another_grammar_are_not_used():
    assert parser_tables.load(parser.grammar_text() + "\n// changed\n",
                              parser._ThreadLexer, ASTBuilder()) is None


def _stock_files() -> list[Path]:
    files = sorted((UPSTREAM / "data").rglob("*.conf"))
    files += sorted((UPSTREAM / "test" / "fixtures").rglob("*.conf"))
    assert len(files) > 10
    return files


@pytest.fixture(scope="module")
def both_parsers():
    shipped = parser_tables.load(parser.grammar_text(), parser._ThreadLexer, ASTBuilder())
    assert shipped is not None
    built = parser.build_parser(cache=False)
    return shipped, built


def _parse_with(lark_parser, text: str, name: str):
    saved = parser._parser
    parser._parser = lark_parser
    try:
        return parser.parse(text, name)
    except parser.RubySyntaxError as error:
        return ("error", str(error))
    finally:
        parser._parser = saved


def test_shipped_parser_gives_the_same_trees_and_errors_as_a_built_one(both_parsers):
    shipped, built = both_parsers
    sources = [(str(p), p.read_text(encoding="utf-8")) for p in _stock_files()]
    # and a few syntax errors, whose messages come from the parse tables
    sources += [("bad1", "define_milter(\"x\" do |m|\nend\n"), ("bad2", "if\n"),
                ("bad3", "a = [1, 2\n"), ("bad4", "def f(a b); end\n")]
    for name, text in sources:
        expected = _parse_with(built, text, name)
        assert _parse_with(shipped, text, name) == expected, name
    assert any(isinstance(r, tuple) for r in
               (_parse_with(shipped, text, name) for name, text in sources[-4:]))


def test_a_process_without_home_or_cache_directory_uses_the_shipped_tables(tmp_path):
    # cli.md §7: the daemon may run as a user without a home directory; no
    # cache file is written anywhere and the grammar is not analysed.
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME",)}
    env["HOME"] = str(tmp_path / "missing")
    env["PYTHONPATH"] = str(PROJECT)
    code = ("from milter_manager.ruby import parser\n"
            "import lark.lark as g\n"
            "def refuse(*a, **k): raise SystemExit('grammar analysed')\n"
            "g.load_grammar = refuse\n"
            "p = parser._get_parser()\n"
            "print(p.source_path)\n"
            "print(type(parser.parse('x = 1 + 2', 'f')).__name__)\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["<deserialized>", "Program"]
    assert not (tmp_path / "missing").exists()
