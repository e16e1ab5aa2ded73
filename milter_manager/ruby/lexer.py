"""The hand-written, stateful lexer of the Ruby subset (`ruby-subset.md` §2).

Ruby cannot be tokenised without context: `/` starts a regexp or divides,
`-1` is a literal or a subtraction, `[` indexes or starts an array, `{`
opens a hash or a block, `do` binds to a command or to the nearest call, and
all of that depends on whether an identifier is a local variable. The lexer
decides every such token itself from MRI-style state (§2.2), the nesting
stack (brackets, `end` blocks, interpolation) and the local scopes (§2.4),
so that `grammar/ruby.lark` stays a plain LALR(1) grammar over distinct
terminals. String-like literals are lexed by `lexer_strings.py`.

`Tokenizer(text, filename).tokens()` yields lark Tokens; `RubyLexer` is the
adapter lark calls.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator

from lark import Token
from lark.lexer import Lexer

from .lexer_punct import _PUNCT, PunctLexing
from .lexer_state import (
    _SPACES,
    _TERMS,
    ARG,
    BEG,
    BEG_STATES,
    CLASS,
    DOT,
    FNAME,
    FRAME_INTERP,
    FRAME_TOP,
    KEYWORDS,
    OPERAND_START,
    STMT_START,
    Frame,
    Params,
    Scope,
    StrTerm,
)
from .lexer_strings import StringLexing, inspect_char
from .lexer_words import WordLexing
from .syntax_error import RubySyntaxError


class Tokenizer(WordLexing, PunctLexing, StringLexing):
    """Turns Ruby source into lark Tokens (see the module docstring)."""

    def __init__(self, text: str, filename: str = "-") -> None:
        text = text.removeprefix("\ufeff")
        self.src = text
        self.n = len(text)
        self.filename = filename
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.pos = 0
        self.state = BEG
        self.frames: list[Frame] = [Frame(FRAME_TOP)]
        self.top_scope = Scope(opaque=True)
        self.scopes: list[Scope] = [self.top_scope]
        self.str_term: StrTerm | None = None
        self.heredoc_resume: int | None = None
        self.pending: deque[Token] = deque()
        self.last_type: str | None = None
        self.space_seen = False
        self.cmd_candidate = False      # last token: a method name in ARG state
        self.params: Params | None = None
        self.def_stage = 0              # 1: after `def`; 2: after `def recv.`
        self.fname_left = 0             # alias/undef names still to come
        self.lambdas: list[int] = []    # nesting depths of `->` awaiting their body
        self.rescue_clause = False      # `rescue … => e`: e is declared
        self.declare_next = False
        self.for_vars = False           # `for a, b in`: a and b are declared
        self.eof = False

    # --- positions and errors ------------------------------------------------

    def line_col(self, pos: int) -> tuple[int, int]:
        i = bisect_right(self.line_starts, pos) - 1
        return i + 1, pos - self.line_starts[i] + 1

    def source_line(self, line: int) -> str:
        if line - 1 >= len(self.line_starts):
            return ""
        start = self.line_starts[line - 1]
        end = self.src.find("\n", start)
        text = self.src[start:] if end < 0 else self.src[start:end]
        return text.removesuffix("\r")

    def error(self, message: str, pos: int) -> RubySyntaxError:
        line, col = self.line_col(pos)
        return RubySyntaxError(message, self.filename, line, col, self.source_line(line))

    def eof_pos(self) -> int:
        """Where `unexpected end-of-input` points: just after the last
        character, a final line terminator not counted (as MRI does)."""
        pos = self.n
        if self.src.endswith("\r\n"):
            pos -= 2
        elif self.src.endswith("\n"):
            pos -= 1
        return pos

    # --- token emission --------------------------------------------------------

    def make(self, type_: str, value: str, start: int, end: int) -> Token:
        line, col = self.line_col(start)
        eline, ecol = self.line_col(end)
        return Token(type_, value, start, line, col, eline, ecol, end)

    def emit(self, type_: str, value: str, start: int, end: int | None = None) -> Token:
        if end is None:
            end = self.pos
        frame = self.frames[-1]
        if self.cmd_candidate and self.space_seen and type_ in OPERAND_START:
            frame.cmdarg = True         # §2.3: command-argument mode starts
        self.cmd_candidate = False
        self.last_type = type_
        tok = self.make(type_, value, start, end)
        self.pending.append(tok)
        return tok

    @property
    def cmd_start(self) -> bool:
        return self.last_type is None or self.last_type in STMT_START

    # --- scopes ----------------------------------------------------------------

    def is_local(self, name: str) -> bool:
        for scope in reversed(self.scopes):
            if name in scope.names:
                return True
            if scope.opaque:
                return False
        return False

    def declare(self, name: str) -> None:
        self.scopes[-1].declare(name)

    def push_scope(self, frame: Frame, opaque: bool) -> None:
        self.scopes.append(Scope(opaque))
        frame.scopes += 1

    def push_frame(self, kind: str, ignore_newlines: bool = False) -> Frame:
        frame = Frame(kind, ignore_newlines=ignore_newlines)
        self.frames.append(frame)
        return frame

    def pop_frame(self) -> Frame:
        frame = self.frames.pop() if len(self.frames) > 1 else self.frames[0]
        for _ in range(frame.scopes):
            if len(self.scopes) > 1:
                self.scopes.pop()
        if self.params is not None and len(self.frames) < self.params.depth:
            self.params = None
        return frame

    # --- the main loop ------------------------------------------------------------

    def tokens(self) -> Iterator[Token]:
        while True:
            if not self.pending:
                if self.eof:
                    return
                if self.str_term is not None:
                    self.lex_string()
                else:
                    self.lex_code()
                continue
            yield self.pending.popleft()

    def at_line_start(self) -> bool:
        return self.pos == 0 or self.src[self.pos - 1] == "\n"

    def skip_line_start_constructs(self) -> bool:
        """`=begin … =end` and `__END__` at the start of a line (§1).
        Returns True at the end of the program."""
        src = self.src
        while self.at_line_start():
            if src.startswith("=begin", self.pos) and (
                    self.pos + 6 >= self.n or src[self.pos + 6] in " \t\r\n"):
                start = self.pos
                m = re.compile(r"^=end(?:[ \t\r].*)?$", re.MULTILINE).search(src, self.pos + 6)
                if m is None:
                    raise self.error("embedded document meets end of file", start)
                nl = src.find("\n", m.end())
                self.pos = self.n if nl < 0 else nl + 1
                continue
            if src.startswith("__END__", self.pos):
                rest = src[self.pos + 7:self.pos + 9]
                if rest in ("", "\n", "\r\n") or rest.startswith("\n"):
                    self.pos = self.n
                    return True
            return False
        return False

    def newline_ignored(self) -> bool:
        if self.state in (BEG, DOT, FNAME, CLASS) or self.last_type in _TERMS:
            return True
        if self.last_type is None:
            return True
        if self.frames[-1].ignore_newlines or self.frames[-1].ternary:
            return True         # inside [ ], { }, call ( ); `c ? a\n : b`
        if self.params is not None and self.params.kind == "block":
            return True
        # A leading-dot method chain continues the statement (§1).
        src, i = self.src, self.pos
        while i < self.n:
            m = _SPACES.match(src, i)
            i = m.end()
            if i < self.n and src[i] == "#":
                nl = src.find("\n", i)
                i = self.n if nl < 0 else nl + 1
                continue
            if i < self.n and src[i] == "\n":
                i += 1
                continue
            break
        if i < self.n and src[i] == "." and not src.startswith("..", i):
            return True
        return src.startswith("&.", i)

    def lex_code(self) -> None:
        src, n = self.src, self.n
        self.space_seen = False
        while True:
            if self.at_line_start() and self.skip_line_start_constructs():
                self.finish()
                return
            if self.pos >= n:
                self.finish()
                return
            c = src[self.pos]
            if c in " \t\f\v\r":
                self.pos += 1
                self.space_seen = True
            elif c == "\\" and src.startswith("\n", self.pos + 1):
                self.pos += 2
                self.space_seen = True
            elif c == "\\" and src.startswith("\r\n", self.pos + 1):
                self.pos += 3
                self.space_seen = True
            elif c == "#":
                nl = src.find("\n", self.pos)
                self.pos = n if nl < 0 else nl
            elif c == "\n":
                nl_pos = self.pos
                if self.heredoc_resume is not None:
                    self.pos = self.heredoc_resume
                    self.heredoc_resume = None
                else:
                    self.pos += 1
                self.space_seen = True
                if self.newline_ignored():
                    continue
                self.end_statement()
                self.emit("NL", "\n", nl_pos, nl_pos + 1)
                self.state = BEG
                return
            else:
                break
        self.lex_token(c)

    def finish(self) -> None:
        if self.str_term is not None:
            raise self.unterminated(self.str_term)
        self.eof = True

    def end_statement(self) -> None:
        """A newline or `;` ends the statement: command arguments, a while
        condition, a class header, a rescue clause header (§2.3)."""
        frame = self.frames[-1]
        frame.cmdarg = False
        frame.cond = False
        frame.ternary = 0
        if frame.pending_scope:
            frame.pending_scope = False
            self.push_scope(frame, opaque=True)
        self.rescue_clause = False
        self.declare_next = False
        if self.params is not None and self.params.kind == "def_bare":
            self.params = None

    # --- one token -------------------------------------------------------------------

    def lex_token(self, c: str) -> None:
        if c.isdigit():
            self.lex_number(self.pos, "")
        elif c == "_" or c.isalpha() or (c > "\x7f" and c.isidentifier()):
            self.lex_identifier()
        elif c in "\"'`":
            self.lex_quote(c)
        elif c == "@":
            self.lex_ivar()
        elif c == "$":
            self.lex_gvar()
        else:
            handler = _PUNCT.get(c)
            if handler is None:
                if "\udc80" <= c <= "\udcff":
                    raise self.error("invalid multibyte char (UTF-8)", self.pos)
                raise self.error(f"invalid character '{inspect_char(c)}'", self.pos)
            handler(self, c)

    def peek(self, k: int = 1) -> str:
        i = self.pos + k
        return self.src[i] if i < self.n else ""

    def space_after(self, k: int = 1) -> bool:
        """W' of the decision table: whitespace (or the end) right after the
        operator of length k."""
        ch = self.peek(k)
        return ch == "" or ch in " \t\r\n\f\v"

    def prefix_position(self, k: int = 1) -> bool:
        """An operator of length k is a prefix (unary) here: in BEG/MID, or in
        ARG with whitespace before and none after (§2.2)."""
        if self.state in BEG_STATES:
            return True
        return self.state == ARG and self.space_seen and not self.space_after(k)


# Every terminal the grammar declares (`%declare`); the parser checks that the
# grammar and the lexer agree on this set.
TERMINALS = frozenset((
    "IDENT", "FID", "CONSTANT", "LVAR", "IVAR", "GVAR", "CVAR", "LABEL", "INTEGER", "FLOAT",
    "CHAR", "NUMPARAM", "FNAME_ID", "SYMBOL", "STRING_BEG", "XSTRING_BEG", "DSYM_BEG",
    "REGEXP_BEG", "WORDS_BEG", "SYMBOLS_BEG", "STRING_CONTENT", "STRING_DBEG", "STRING_DEND",
    "STRING_DVAR", "STRING_END", "LABEL_END", "REGEXP_END", "KW_ALIAS", "KW_AND", "KW_BEGIN",
    "KW_BREAK", "KW_CASE", "KW_CLASS", "KW_DEF", "KW_DEFINED", "DO", "DO_BLOCK", "DO_COND",
    "DO_LAMBDA", "KW_ELSE", "KW_ELSIF", "KW_END", "KW_ENSURE", "KW_FALSE", "KW_FOR", "KW_IF",
    "IF_MOD", "KW_IN", "KW_MODULE", "KW_NEXT", "KW_NIL", "KW_NOT", "KW_OR", "KW_REDO",
    "KW_RESCUE", "RESCUE_MOD", "KW_RETRY", "KW_RETURN", "KW_SELF", "KW_SUPER", "KW_THEN",
    "KW_TRUE", "KW_UNDEF", "KW_UNLESS", "UNLESS_MOD", "KW_UNTIL", "UNTIL_MOD", "KW_WHEN",
    "KW_WHILE", "WHILE_MOD", "KW_YIELD", "KW_FILE", "KW_LINE", "KW_ENCODING", "KW_BEGIN_UPPER",
    "KW_END_UPPER", "NL", "SEMI", "COMMA", "DOT", "ANDDOT", "COLON2", "COLON3", "LPAREN",
    "LPAREN_ARG", "LPAREN_CALL", "RPAREN", "LBRACK", "LBRACK_INDEX", "RBRACK", "LBRACE",
    "LBRACE_BLOCK", "LAMBEG", "RBRACE", "PIPE", "QMARK", "COLON", "ASSIGN", "OP_ASGN", "ASSOC",
    "LAMBDA", "DOT2", "DOT3", "SCLASS", "ADDOP", "MULOP", "POW", "EQOP", "RELOP", "LT", "ANDOP",
    "OROP", "AMPER", "BAROP", "SHIFTOP", "UMINUS", "UPLUS", "BANG", "TILDE", "USTAR", "UDSTAR",
    "UAMPER"
))


class RubyLexer(Lexer):
    """The adapter lark calls (`ruby-subset.md` §2.1). The parser module
    sets `filename` and keeps the Tokenizer for error positions."""

    current: Tokenizer | None = None

    def __init__(self, lexer_conf) -> None:
        self.lexer_conf = lexer_conf

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        tokenizer = RubyLexer.current
        if tokenizer is None or tokenizer.src != data:
            tokenizer = Tokenizer(data)
        return tokenizer.tokens()


__all__ = [
    "FRAME_INTERP",
    "FRAME_TOP",
    "KEYWORDS",
    "TERMINALS",
    "Frame",
    "RubyLexer",
    "Tokenizer",
]
