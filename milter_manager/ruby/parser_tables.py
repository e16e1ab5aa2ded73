"""The LALR tables of `grammar/ruby.lark`, shipped inside the package.

Building the tables (lark's grammar analysis) costs about a second of CPU
per process. lark's own `cache=` option stores them as a pickle, which is
only safe in a directory private to the user (`parser._cache_path`); a daemon
running as an unprivileged user without a home directory has none, and every
start paid the full second. So the tables are generated once, at development
time, into `_ruby_tables.py` (plain Python literals: no pickle, nothing read
from a writable location, loaded like any other module of the package, with
its byte-code cache), and checked against the grammar's SHA-256 and lark's
version on load. A stale file (the grammar or lark changed,
`python -m milter_manager.ruby.parser_tables` not run) is ignored and the
parser is built as before; the test suite fails on it
(`tests/ruby/test_parser_tables.py`). The parse table is written in a
canonical order, so the same grammar gives the same file.
"""

from __future__ import annotations

import hashlib
import pprint
import sys
from collections import deque
from pathlib import Path
from typing import Any

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lark import _LOAD_ALLOWED_OPTIONS
from lark.lexer import TerminalDef

#: stands for the custom lexer class in the generated literals
LEXER_PLACEHOLDER = "<milter_manager.ruby.parser._ThreadLexer>"
TABLES_MODULE = Path(__file__).with_name("_ruby_tables.py")


def grammar_digest(grammar: str) -> str:
    return hashlib.sha256(grammar.encode("utf-8")).hexdigest()


def serialize(parser: Lark) -> tuple[dict[str, Any], dict[Any, Any]]:
    """lark's own serialized form (what `Lark.save` pickles), with the lexer
    class replaced by a placeholder and the options given at load time left out."""
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["options"] = {name: value for name, value in data["options"].items()
                       if name not in _LOAD_ALLOWED_OPTIONS}
    data["options"]["lexer"] = LEXER_PLACEHOLDER
    data["parser"]["lexer_conf"]["lexer_type"] = LEXER_PLACEHOLDER
    data["parser"]["parser"] = canonical_table(data["parser"]["parser"])
    return data, memo


def canonical_table(table: dict[str, Any]) -> dict[str, Any]:
    """The serialized parse table with tokens numbered by name and states in
    breadth-first order from the start state, shifts taken in token-name
    order: lark numbers both by walking sets of objects hashed by identity,
    so the same grammar would otherwise give another file on every run."""
    names = table["tokens"]
    token = {old: new for new, (old, _) in
             enumerate(sorted(names.items(), key=lambda item: item[1]))}
    states = table["states"]
    number: dict[int, int] = {}
    queue: deque[int] = deque()

    def visit(state: int) -> None:
        if state not in number:
            number[state] = len(number)
            queue.append(state)

    for start in sorted(table["start_states"]):
        visit(table["start_states"][start])
    while queue:
        state = queue.popleft()
        for tok, (action, arg) in sorted(states[state].items(), key=lambda i: names[i[0]]):
            if action == 0:         # shift (or goto): arg is a state
                visit(arg)
    for state in sorted(states):    # unreachable states, if any, last
        visit(state)
    return {
        "tokens": {token[old]: name for old, name in sorted(names.items(),
                                                              key=lambda i: token[i[0]])},
        "states": {number[state]: {token[tok]: (action, number[arg] if action == 0 else arg)
                                   for tok, (action, arg) in
                                   sorted(actions.items(), key=lambda i: token[i[0]])}
                   for state, actions in sorted(states.items(), key=lambda i: number[i[0]])},
        "start_states": {name: number[state] for name, state in
                         sorted(table["start_states"].items())},
        "end_states": {name: number[state] for name, state in
                       sorted(table["end_states"].items())},
        **{key: value for key, value in table.items()
           if key not in ("tokens", "states", "start_states", "end_states")},
    }


def load(grammar: str, lexer: type, transformer: Any) -> Lark | None:
    """The parser from the shipped tables; None when they are missing or
    were generated from another grammar."""
    try:
        from . import _ruby_tables as tables
    except ImportError:
        return None
    if getattr(tables, "GRAMMAR_SHA256", None) != grammar_digest(grammar):
        return None
    if getattr(tables, "LARK_VERSION", None) != lark.__version__:
        return None         # lark's serialized form is its own (its cache= checks too)
    data = dict(tables.DATA)
    data["options"] = {**data["options"], "lexer": lexer}
    parser_data = dict(data["parser"])
    parser_data["lexer_conf"] = {**parser_data["lexer_conf"], "lexer_type": lexer}
    data["parser"] = parser_data
    lark_parser = Lark._load_from_dict(data, tables.MEMO, transformer=transformer,
                                       propagate_positions=True)
    # The parser holds its own objects now; the literals (about 5 MiB) are
    # not kept for the life of the process (a re-import reads the .pyc).
    sys.modules.pop(tables.__name__, None)
    return lark_parser


def generate(path: Path = TABLES_MODULE) -> None:
    """Build the parser from the grammar (no cache) and write the tables module."""
    from .parser import build_parser, grammar_text
    grammar = grammar_text()
    data, memo = serialize(build_parser(cache=False))
    text = (
        '"""Generated by `python -m milter_manager.ruby.parser_tables` from\n'
        'grammar/ruby.lark: lark\'s serialized LALR tables. Do not edit."""\n'
        "# ruff: noqa\n"
        "# fmt: off\n"
        f"GRAMMAR_SHA256 = {grammar_digest(grammar)!r}\n"
        f"LARK_VERSION = {lark.__version__!r}\n"
        f"DATA = {pprint.pformat(data, width=100, compact=True, sort_dicts=False)}\n"
        f"MEMO = {pprint.pformat(memo, width=100, compact=True, sort_dicts=False)}\n"
    )
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else TABLES_MODULE)
    print(f"wrote {sys.argv[1] if len(sys.argv) > 1 else TABLES_MODULE}")
