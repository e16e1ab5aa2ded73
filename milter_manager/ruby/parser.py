"""Parse Ruby-subset source into the AST (`ruby-subset.md` §2).

    program = parse(source, filename)      # -> ast.Program
    # raises RubySyntaxError (.filename .line .column .message .source_line);
    # str(e) == "FILE:LINE:COLUMN: MESSAGE", e.format_with_caret() adds the
    # source line and a caret (§11).

The hand-written lexer (`lexer.py`) feeds lark's LALR(1) parser built from
`grammar/ruby.lark`; the callbacks of `ast_builder.py` run inline, so no
parse tree is built. The Lark object is made once per process, lazily, from
the LALR tables shipped in the package (`parser_tables.py`); when they do not
match the grammar it is built (and cached on disk by lark in a private
directory: the grammar analysis is most of the start-up cost).
After parsing, a walk over the AST reports the errors that need context
(§2.6: `Invalid break`, `dynamic constant assignment`, …).
"""

from __future__ import annotations

import importlib
import importlib.resources
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedInput, UnexpectedToken

from . import ast
from .ast_builder import ASTBuilder, ParseContext, Redo, set_context
from .lexer import RubyLexer, Tokenizer
from .syntax_error import RubySyntaxError

__all__ = ["RubySyntaxError", "build_parser", "grammar_text", "parse"]

_lock = threading.Lock()
_parser: Lark | None = None
_current = threading.local()

# Tokens whose "source text" in `unexpected 'TEXT'` is the whole literal.
_LITERAL_BEGINS = {"STRING_BEG": ("STRING_END", "LABEL_END"), "XSTRING_BEG": ("STRING_END",),
                   "DSYM_BEG": ("STRING_END",), "REGEXP_BEG": ("REGEXP_END",),
                   "WORDS_BEG": ("STRING_END",), "SYMBOLS_BEG": ("STRING_END",)}


def grammar_text() -> str:
    return importlib.resources.files("milter_manager.grammar").joinpath("ruby.lark").read_text(
        encoding="utf-8")


class _ThreadLexer(RubyLexer):
    """lark calls `lex(text)`; the token stream of the parse running on this
    thread (its Tokenizer knows the file name and keeps the lexer state) is
    returned."""

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        stream = getattr(_current, "stream", None)
        return stream if stream is not None else Tokenizer(data).tokens()


def build_parser(strict: bool = False, cache: bool = True) -> Lark:
    """A new Lark LALR parser for the grammar, with the AST callbacks run
    inline (tests pass strict=True: any shift/reduce conflict is an error)."""
    options: dict[str, Any] = {}
    path = _cache_path() if cache and not strict else None
    if path is not None:
        options["cache"] = path
    return Lark(grammar_text(), parser="lalr", lexer=_ThreadLexer, propagate_positions=True,
                strict=strict, transformer=ASTBuilder(), **options)


def _private(path: str) -> bool:
    st = os.stat(path)
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _cache_path() -> str | None:
    """Where lark caches the grammar analysis (most of the start-up cost).
    The cache is a pickle, so it lives only in a directory private to this
    user (`$XDG_CACHE_HOME/milter-manager` or `~/.cache/milter-manager`),
    never in a shared temporary directory where another user could plant one
    for a daemon running as root to load; no such directory, no cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "milter-manager")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not _private(directory):
            return None
        path = os.path.join(directory, "ruby-grammar.lark-cache")
        if os.path.exists(path) and not _private(path):
            return None
        return path
    except OSError:
        return None


def _get_parser() -> Lark:
    global _parser
    if _parser is None:
        with _lock:
            if _parser is None:
                _parser = _shipped_parser()
                if _parser is None:
                    try:
                        _parser = build_parser()
                    except Exception:  # noqa: BLE001 - an unusable cache file: build without it
                        _parser = build_parser(cache=False)
    return _parser


def _shipped_parser() -> Lark | None:
    """The tables generated into the package (`parser_tables.py`): no grammar
    analysis and no cache file at start-up, whoever runs the process."""
    from .parser_tables import load
    try:
        return load(grammar_text(), _ThreadLexer, ASTBuilder())
    except Exception:  # noqa: BLE001 - unusable tables: build the parser instead
        return None


def _regexp_module() -> Any:
    """Static regexp literals are translated (validated) at parse time
    (§2.6, §7.3) when the translator is available."""
    try:
        return importlib.import_module("milter_manager.ruby.regexp")
    except ImportError:   # pragma: no cover - the translator ships with the package
        return None


def parse(source: str | bytes, filename: str = "-") -> ast.Program:
    """Parse a whole file (see the module docstring)."""
    if isinstance(source, bytes):
        source = source.decode("utf-8", "surrogateescape")
    # ruby-subset.md §1: CRLF is a newline. Ruby drops the CR before LF while
    # reading source lines, so a CRLF inside a string literal is one "\n";
    # doing it here keeps every line and column unchanged.
    if "\r\n" in source:
        source = source.replace("\r\n", "\n")
    tokenizer = Tokenizer(source, filename)
    gen = tokenizer.tokens()
    regexp = _regexp_module()

    def error(message: str, where: int | tuple[int, int]) -> RubySyntaxError:
        if isinstance(where, tuple):
            line, column = where
            return RubySyntaxError(message, filename, line, column, tokenizer.source_line(line))
        return tokenizer.error(message, where)

    def check_regexp(text: str, flags: str, beg: Token) -> None:
        options = ((regexp.IGNORECASE if "i" in flags else 0)
                   | (regexp.EXTENDED if "x" in flags else 0)
                   | (regexp.MULTILINE if "m" in flags else 0))
        try:
            regexp.translate(text, options)
        except regexp.RegexpTranslationError as e:
            raise tokenizer.error(e.message, beg.start_pos) from None

    parser = _get_parser()
    set_context(ParseContext(filename, error, check_regexp if regexp is not None else None))
    _current.stream = gen
    try:
        body = parser.parse(source)
    except UnexpectedToken as e:
        raise _unexpected(tokenizer, gen, e.token) from None
    except UnexpectedInput as e:  # pragma: no cover - the custom lexer never raises these
        raise tokenizer.error("syntax error", getattr(e, "pos_in_stream", 0) or 0) from None
    finally:
        _current.stream = None
        set_context(None)
    _Checker(error).check(body)
    return ast.Program(body=body, filename=filename, locals=list(tokenizer.top_scope.order),
                       line=1, column=1)


def _unexpected(tokenizer: Tokenizer, stream: Iterator[Token], token: Token) -> RubySyntaxError:
    """`syntax error, unexpected 'TEXT'` / `end-of-line` / `end-of-input` (§2.6)."""
    if token.type == "$END":
        return tokenizer.error("syntax error, unexpected end-of-input", tokenizer.eof_pos())
    if token.type == "NL":
        return tokenizer.error("syntax error, unexpected end-of-line", token.start_pos)
    start, end = token.start_pos, token.end_pos
    closers = _LITERAL_BEGINS.get(token.type)
    if closers is not None:
        end = _literal_end(stream, token, closers, end)
    text = tokenizer.src[start:end][:40]
    return tokenizer.error(f"syntax error, unexpected '{text}'", start)


def _literal_end(stream: Iterator[Token], token: Token, closers: tuple, default: int) -> int:
    """Finish reading a literal whose first token the parser rejected, so
    the message shows the whole literal."""
    depth = 0
    try:
        for tok in stream:
            if tok.type in _LITERAL_BEGINS:
                depth += 1
            elif tok.type in ("STRING_END", "LABEL_END", "REGEXP_END"):
                if depth == 0:
                    return tok.end_pos
                depth -= 1
    except RubySyntaxError:
        pass
    return default


class _Checker:
    """Errors that need the context of a node (§2.6): `Invalid break/next/
    redo/retry` outside a block, loop or rescue clause, `dynamic constant
    assignment` inside a method, and unsupported syntax found only in
    context (`redo`, flip-flops; §10)."""

    def __init__(self, error: Callable[[str, Any], RubySyntaxError]) -> None:
        self.error = error

    def check(self, root: ast.Node) -> None:
        self.walk(root, loop=False, in_def=False, rescue=False)

    def fail(self, message: str, node: ast.Node) -> None:
        raise self.error(message, (node.line, node.column))

    def walk(self, node: Any, loop: bool, in_def: bool, rescue: bool) -> None:
        if isinstance(node, list):
            for item in node:
                self.walk(item, loop, in_def, rescue)
            return
        if isinstance(node, tuple):
            for item in node:
                self.walk(item, loop, in_def, rescue)
            return
        if not isinstance(node, ast.Node):
            return
        kind = type(node)
        if kind is ast.Break and not loop:
            self.fail("Invalid break", node)
        elif kind is ast.Next and not loop:
            self.fail("Invalid next", node)
        elif kind is Redo:
            self.fail("syntax error, unexpected 'redo'" if loop else "Invalid redo", node)
        elif kind is ast.Retry and not rescue:
            self.fail("Invalid retry", node)
        elif kind is ast.CDecl and in_def:
            self.fail("dynamic constant assignment", node)
        elif kind is ast.Def:
            self.walk(node.singleton, loop, in_def, rescue)
            self.walk(node.params, False, True, False)
            self.walk(node.body, False, True, False)
            return
        elif kind in (ast.ClassDef, ast.ModuleDef, ast.SClass):
            if kind is ast.ClassDef:
                self.walk(node.superclass, loop, in_def, rescue)
            elif kind is ast.SClass:
                self.walk(node.target, loop, in_def, rescue)
            self.walk(node.body, False, False, False)
            return
        elif kind in (ast.Block, ast.Lambda):
            self.walk(node.params, True, in_def, False)
            self.walk(node.body, True, in_def, False)
            return
        elif kind is ast.While or kind is ast.For:
            if kind is ast.While:
                self.flip_flop(node.cond)
            for name in node.__slots__:
                self.walk(getattr(node, name), True, in_def, rescue)
            return
        elif kind is ast.If:
            self.flip_flop(node.cond)
        elif kind is ast.RescueClause:
            self.walk(node.classes, loop, in_def, rescue)
            self.walk(node.target, loop, in_def, rescue)
            self.walk(node.body, loop, in_def, True)
            return
        elif kind is ast.Begin:
            self.walk(node.body, loop, in_def, rescue)
            self.walk(node.rescues, loop, in_def, rescue)
            self.walk(node.else_, loop, in_def, rescue)
            self.walk(node.ensure, loop, in_def, rescue)
            return
        for name in _fields(kind):
            self.walk(getattr(node, name), loop, in_def, rescue)

    def flip_flop(self, cond: Any) -> None:
        """§10: a range of non-literals as a condition is a flip-flop."""
        if isinstance(cond, ast.RangeLit):
            literal = (ast.IntLit, ast.FloatLit, ast.StrLit, ast.NilLit)
            if not (isinstance(cond.low, literal) and isinstance(cond.high, literal)):
                op = "..." if cond.exclusive else ".."
                self.fail(f"syntax error, unexpected '{op}'", cond)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = tuple(n for klass in kind.__mro__ for n in getattr(klass, "__slots__", ())
                      if n not in ("line", "column"))
        _FIELDS[kind] = names
    return names
