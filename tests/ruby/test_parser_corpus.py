"""Every upstream configuration parses (ruby-subset.md §1 acceptance): each
`*.conf` under data/ and test/fixtures/, each show-config golden dump, and
the example configurations of show-config.md §9/§10. None is excluded."""

from __future__ import annotations

import re

import pytest
from parser_support import SHARED

from milter_manager.ruby import ast
from milter_manager.ruby.parser import build_parser, parse

UPSTREAM = SHARED / "upstream"
CONF_FILES = sorted(
    list((UPSTREAM / "data").rglob("*.conf")) + list((UPSTREAM / "test" / "fixtures").rglob("*.conf")))
DUMP_FILES = sorted((UPSTREAM / "show-config").glob("*.dump"))


def _spec_examples() -> list[tuple[str, str]]:
    """The fenced blocks of show-config.md §9 and §10: the local
    configuration of §10 and both complete outputs (dumps re-load, §6)."""
    text = (SHARED / "spec" / "show-config.md").read_text(encoding="utf-8")
    start = text.index("## 9. Worked example 1")
    blocks = re.findall(r"```(?:ruby)?\n(.*?)```", text[start:], re.DOTALL)
    return [(f"show-config.md-block{i}", block) for i, block in enumerate(blocks)]


SPEC_EXAMPLES = _spec_examples()


def test_the_corpus_is_there() -> None:
    # A moved or empty corpus must fail loudly, not parse nothing.
    assert len(CONF_FILES) >= 40
    assert len(DUMP_FILES) >= 30
    assert len(SPEC_EXAMPLES) == 3


@pytest.mark.parametrize("path", CONF_FILES + DUMP_FILES,
                         ids=lambda p: str(p.relative_to(UPSTREAM)))
def test_upstream_file_parses(path) -> None:
    program = parse(path.read_text(encoding="utf-8"), str(path))
    assert isinstance(program, ast.Program)
    assert program.filename == str(path)


@pytest.mark.parametrize("name,source", SPEC_EXAMPLES, ids=[n for n, _ in SPEC_EXAMPLES])
def test_spec_example_parses(name: str, source: str) -> None:
    program = parse(source, name)
    assert program.body.stmts


def test_grammar_has_no_conflicts() -> None:
    # lark resolves shift/reduce conflicts silently unless strict (§2.1).
    build_parser(strict=True)
