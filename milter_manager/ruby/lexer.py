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

from .lexer_state import (
    BEG_STATES,
    END_FRAMES,
    FRAME_BRACE,
    FRAME_BRACKET,
    FRAME_CALL,
    FRAME_CLASS,
    FRAME_DEF,
    FRAME_DO,
    FRAME_HASH,
    FRAME_INTERP,
    FRAME_KEYWORD,
    FRAME_PARAMS,
    FRAME_PAREN,
    FRAME_TOP,
    Frame,
    Scope,
    State,
    StrTerm,
)
from .lexer_strings import StringLexing, inspect_char
from .syntax_error import RubySyntaxError

BEG, MID, ARG, END, DOT, FNAME, CLASS, ENDFN = (
    State.BEG, State.MID, State.ARG, State.END, State.DOT, State.FNAME, State.CLASS, State.ENDFN)

_IDENT = re.compile(r"[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*")
_SPACES = re.compile(r"[ \t\f\v\r]*")
_ASSIGN_AHEAD = re.compile(
    r"[ \t]*(?:=(?![=~>])|(?:\+|-|\*\*?|/|%|<<|>>|&&?|\|\|?|\^)=)")
_NUMBER = re.compile(r"[0-9][0-9A-Za-z_]*")
_DECIMAL_TAIL = re.compile(r"\.[0-9][0-9_]*")
_EXPONENT = re.compile(r"[eE][+-]?[0-9][0-9_]*")
# A multiple-assignment left-hand side at statement start (§2.4): targets
# separated by commas, then `=` that is not `==`, `=~` or `=>`.
_MLHS_TARGET = (r"\*?[ \t]*(?:\((?:[^()\n]|\([^()\n]*\))*\)"
                r"|(?:@@?|\$)?[A-Za-z_][A-Za-z0-9_]*(?:(?:\.|&\.|::)[A-Za-z_][A-Za-z0-9_]*|\[[^\]\n]*\])*)?")
_MLHS = re.compile(rf"[ \t]*{_MLHS_TARGET}(?:[ \t]*,[ \t]*{_MLHS_TARGET})*[ \t]*,?[ \t]*=(?![=~>])")
_BARE_TARGET = re.compile(
    r"(?<![.@$:\w])([a-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_]|[ \t]*(?:\.|\[|::|\())")

KEYWORDS = frozenset((
    "alias", "and", "begin", "break", "case", "class", "def", "defined?", "do", "else", "elsif",
    "end", "ensure", "false", "for", "if", "in", "module", "next", "nil", "not", "or", "redo",
    "rescue", "retry", "return", "self", "super", "then", "true", "undef", "unless", "until",
    "when", "while", "yield", "__FILE__", "__LINE__", "__ENCODING__", "BEGIN", "END"
))

# Keywords that are plain values: the state after them is END.
_VALUE_KEYWORDS = {
    "self": "KW_SELF", "nil": "KW_NIL", "true": "KW_TRUE", "false": "KW_FALSE",
    "__FILE__": "KW_FILE", "__LINE__": "KW_LINE", "__ENCODING__": "KW_ENCODING",
    "redo": "KW_REDO", "retry": "KW_RETRY",
}
# Tokens that can begin an operand: after an ARG-state method name and a
# space they start command arguments (§2.3).
OPERAND_START = frozenset((
    "IDENT", "FID", "CONSTANT", "LVAR", "IVAR", "GVAR", "CVAR", "LABEL", "INTEGER", "FLOAT",
    "CHAR", "STRING_BEG", "XSTRING_BEG", "DSYM_BEG", "REGEXP_BEG", "WORDS_BEG", "SYMBOLS_BEG",
    "SYMBOL", "LPAREN_ARG", "LBRACK", "COLON3", "LAMBDA", "UMINUS", "UPLUS", "BANG", "TILDE",
    "USTAR", "UDSTAR", "UAMPER", "KW_NIL", "KW_TRUE", "KW_FALSE", "KW_SELF", "KW_NOT",
    "KW_DEFINED", "KW_FILE", "KW_LINE", "KW_ENCODING", "KW_IF", "KW_UNLESS", "KW_WHILE",
    "KW_UNTIL", "KW_CASE", "KW_BEGIN", "KW_DEF", "KW_SUPER", "KW_YIELD", "KW_CLASS",
    "KW_MODULE", "KW_FOR", "NUMPARAM"
))
# After these tokens a statement begins (multiple-assignment look-ahead).
STMT_START = frozenset((
    "NL", "SEMI", "LPAREN", "LPAREN_ARG", "LBRACE_BLOCK", "LAMBEG", "DO", "DO_BLOCK",
    "DO_LAMBDA", "DO_COND", "KW_THEN", "KW_ELSE", "KW_BEGIN", "KW_ENSURE", "STRING_DBEG", "PIPE"
))
_BLOCK_OPENERS = frozenset({"LBRACE_BLOCK", "DO", "DO_BLOCK"})
_TERMS = frozenset({"NL", "SEMI"})
_FNAME_OPERATORS = ("[]=", "[]", "<=>", "===", "==", "=~", "!=", "!~", "**", "+@", "-@",
                    "<<", ">>", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "!", "~",
                    "&", "|", "^", "`")


class _Params:
    """A parameter list being lexed: names in parameter position become locals
    of the new scope (§2.4)."""
    __slots__ = ("default_depth", "depth", "expect", "kind")

    def __init__(self, kind: str, depth: int) -> None:
        self.kind = kind          # "def", "def_bare", "block", "lambda", "lambda_bare"
        self.depth = depth        # nesting depth of the list itself
        self.expect = True        # next identifier is a parameter name
        self.default_depth = -1   # inside a default value opened at this depth


class Tokenizer(StringLexing):
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
        self.params: _Params | None = None
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

    # --- identifiers and keywords ----------------------------------------------------------

    def lex_identifier(self) -> None:
        src, start = self.src, self.pos
        m = _IDENT.match(src, start)
        name = m.group()
        end = m.end()
        if self.predicate_suffix(end):
            name += src[end]
            end += 1
        self.pos = end
        state = self.state

        if state == DOT:
            self.state = ARG
            self.emit(self.name_type(name), name, start)
            self.cmd_candidate = True
            return
        if state == FNAME:
            self.lex_fname(name, start)
            return
        if self.label_possible(name):
            self.pos += 1           # the ':'
            self.state = BEG
            if self.params is not None and self.params.expect:
                self.declare(name)
                self.params.expect = False
                self.params.default_depth = len(self.frames)
            self.emit("LABEL", name, start)
            return
        if name in KEYWORDS:
            self.lex_keyword(name, start)
            return
        if name.startswith("_") and len(name) == 2 and name[1] in "123456789":
            # ruby-subset.md §10: numbered block parameters are unsupported.
            self.state = END
            self.emit("NUMPARAM", name, start)
            return
        if name[0].isupper():
            self.state = ARG
            self.emit("CONSTANT", name, start)
            self.cmd_candidate = True
            return
        if name[-1] in "?!":
            self.state = ARG
            self.emit("FID", name, start)
            self.cmd_candidate = True
            return
        if self.binding_position(name, start):
            self.state = END
            self.emit("LVAR", name, start)
            return
        if self.is_local(name) and not (end < self.n and src[end] == "("):
            self.state = END
            self.emit("LVAR", name, start)
            return
        self.state = ARG
        self.emit("IDENT", name, start)
        self.cmd_candidate = True

    def predicate_suffix(self, end: int) -> bool:
        """A method name may end in `?`/`!` unless `=` follows (`foo != x`,
        but `foo? == x`), §1; `x ?a:b`-style ternaries are left alone."""
        src = self.src
        nxt = src[end] if end < self.n else ""
        if nxt not in ("?", "!"):
            return False
        if src.startswith("=", end + 1) and not src.startswith(("==", "=~"), end + 1):
            return False
        if src.startswith(":", end + 1) and not src.startswith("::", end + 1):
            return self.label_context()     # `{a?: 1}` but `x ?a:b`
        return True

    @staticmethod
    def name_type(name: str) -> str:
        if name[-1] in "?!":
            return "FID"
        if name[0].isupper():
            return "CONSTANT"
        return "IDENT"

    def binding_position(self, name: str, start: int) -> bool:
        """Is this identifier being bound here (§2.4)? Declares it if so."""
        params = self.params
        if params is not None and params.expect and len(self.frames) >= params.depth:
            self.declare(name)
            params.expect = False
            return True
        if self.declare_next or self.for_vars:
            self.declare(name)
            self.declare_next = False
            return True
        if _ASSIGN_AHEAD.match(self.src, self.pos):
            self.declare(name)
            return True
        if self.cmd_start and self.src.startswith(",", _SPACES.match(self.src, self.pos).end()):
            self.declare_mlhs(start)
            return self.is_local(name)
        return False

    def declare_mlhs(self, start: int) -> None:
        """At statement start, `a, b = …` / `*a, b = …` declares every bare
        identifier target (§2.4: one-line look-ahead)."""
        m = _MLHS.match(self.src, start)
        if m is not None:
            for target in _BARE_TARGET.findall(m.group()[:-1]):
                if target not in KEYWORDS:
                    self.declare(target)

    def label_possible(self, name: str) -> bool:
        """`name:` is a label (a Symbol key) in argument lists, hash literals
        and parameter lists, unless a ternary is waiting for its `:`."""
        src, end = self.src, self.pos
        if end >= self.n or src[end] != ":" or src.startswith("::", end):
            return False
        if name[-1] == "?" or name[-1] == "!":
            pass
        return self.label_context()

    def label_context(self) -> bool:
        if self.frames[-1].ternary > 0:
            return False
        if self.params is not None and self.params.expect:
            return True
        if self.last_type in ("LPAREN_CALL", "LPAREN_ARG", "COMMA", "LBRACE", "LBRACK", "PIPE"):
            return True
        return self.cmd_candidate and self.space_seen

    def lex_fname(self, name: str, start: int) -> None:
        """A name after `def`, `alias` or `undef`."""
        src = self.src
        if (self.def_stage == 1 and src.startswith(".", self.pos)
                and not src.startswith("..", self.pos)):
            # `def recv.name`: the receiver is an expression of the outer scope.
            self.def_stage = 2
            if name == "self":
                self.state = END
                self.emit("KW_SELF", name, start)
            elif self.is_local(name):
                self.state = END
                self.emit("LVAR", name, start)
            else:
                self.state = END
                self.emit(self.name_type(name), name, start)
            return
        if (src.startswith("=", self.pos) and not src.startswith(("==", "=~", "=>"), self.pos)
                and name[-1] not in "?!"):
            name += "="             # a setter name: `def name=(v)`, `alias a= b=`
            self.pos += 1
        self.emit("FNAME_ID", name, start)
        self.after_fname()

    def after_fname(self) -> None:
        if self.def_stage:
            self.def_stage = 0
            self.state = ENDFN
            self.push_scope(self.frames[-1], opaque=True)
            # Parameters without parentheses start on the same line.
            i = _SPACES.match(self.src, self.pos).end()
            if i < self.n and self.src[i] not in "(\n;#=":
                self.params = _Params("def_bare", len(self.frames))
            return
        if self.fname_left > 1:
            self.fname_left -= 1
            self.state = FNAME
        else:
            self.fname_left = 0
            self.state = END

    def lex_keyword(self, name: str, start: int) -> None:
        state = self.state
        frame = self.frames[-1]
        typ = _VALUE_KEYWORDS.get(name)
        if typ is not None:
            self.state = END
            self.emit(typ, name, start)
            return
        stmt = state in (BEG, CLASS)      # MRI: keyword (not modifier) form only in BEG
        if name in ("if", "unless", "while", "until", "rescue"):
            if stmt:
                if name == "rescue":
                    self.rescue_clause = True
                    self.state = MID
                    self.emit("KW_RESCUE", name, start)
                    return
                self.state = BEG
                self.emit("KW_" + name.upper(), name, start)
                new = self.push_frame(FRAME_KEYWORD)
                new.cond = name in ("while", "until")
                return
            frame.cmdarg = False
            self.state = MID if name == "rescue" else BEG
            self.emit(name.upper() + "_MOD", name, start)
            return
        if name == "do":
            self.lex_do(start)
            return
        if name == "end":
            if self.frames[-1].kind in END_FRAMES:
                self.pop_frame()
            self.state = END
            self.emit("KW_END", name, start)
            return
        if name == "def":
            self.state = FNAME
            self.def_stage = 1
            self.emit("KW_DEF", name, start)
            self.push_frame(FRAME_DEF)
            return
        if name in ("class", "module"):
            if name == "class" and state == DOT:   # pragma: no cover (DOT handled earlier)
                return
            self.state = CLASS if name == "class" else BEG
            self.emit("KW_" + name.upper(), name, start)
            new = self.push_frame(FRAME_CLASS)
            new.pending_scope = True
            return
        if name in ("begin", "case"):
            self.state = BEG
            self.emit("KW_" + name.upper(), name, start)
            self.push_frame(FRAME_KEYWORD)
            return
        if name == "for":
            self.state = BEG
            self.emit("KW_FOR", name, start)
            new = self.push_frame(FRAME_KEYWORD)
            new.cond = True
            self.for_vars = True
            return
        if name == "in":
            self.for_vars = False
            self.state = BEG
            self.emit("KW_IN", name, start)
            return
        if name in ("return", "break", "next"):
            self.state = MID
            self.emit("KW_" + name.upper(), name, start)
            return
        if name in ("super", "yield", "defined?"):
            self.state = ARG
            self.emit("KW_DEFINED" if name == "defined?" else "KW_" + name.upper(), name, start)
            self.cmd_candidate = name != "defined?"
            return
        if name in ("alias", "undef"):
            self.state = FNAME
            self.fname_left = 2 if name == "alias" else 1
            self.emit("KW_" + name.upper(), name, start)
            return
        if name in ("then", "and", "or"):
            frame.cmdarg = False
            if name == "then":
                self.rescue_clause = False
        if name in ("BEGIN", "END"):
            self.state = END
            self.emit("KW_" + name + "_UPPER", name, start)
            return
        self.state = BEG
        self.emit("KW_" + name.upper(), name, start)

    def lex_do(self, start: int) -> None:
        """The four `do` tokens (§2.3)."""
        frame = self.frames[-1]
        self.state = BEG
        if self.lambdas and self.lambdas[-1] == len(self.frames):
            self.lambdas.pop()
            self.emit("DO_LAMBDA", "do", start)
            new = self.push_frame(FRAME_DO)
            new.scopes = 1          # the lambda's scope, pushed at `->`
            self.params = None
            return
        if frame.cond:
            frame.cond = False
            self.for_vars = False
            self.emit("DO_COND", "do", start)
            return
        if frame.cmdarg:
            frame.cmdarg = False
            self.emit("DO_BLOCK", "do", start)
        else:
            self.emit("DO", "do", start)
        new = self.push_frame(FRAME_DO)
        self.push_scope(new, opaque=False)

    # --- variables -------------------------------------------------------------------

    def lex_ivar(self) -> None:
        start = self.pos
        k = 2 if self.src.startswith("@@", start) else 1
        m = _IDENT.match(self.src, start + k)
        if m is None or m.group()[0].isdigit():
            raise self.error(f"invalid character '{inspect_char('@')}'", start)
        self.pos = m.end()
        name = self.src[start:self.pos]
        if self.state == FNAME:
            self.emit("FNAME_ID", name, start)
            self.after_fname()
            return
        typ = "CVAR" if k == 2 else "IVAR"
        self.state = END
        if self.declare_next:
            self.declare_next = False
        self.emit(typ, name, start)

    def gvar_end(self, start: int) -> int:
        src, i = self.src, start + 1
        if i >= self.n:
            return -1
        c = src[i]
        if c == "_" or c.isalpha():
            return _IDENT.match(src, i).end()
        if c.isdigit():
            j = i
            while j < self.n and src[j].isdigit():
                j += 1
            return j
        if c == "-" and i + 1 < self.n and (src[i + 1].isalnum() or src[i + 1] == "_"):
            return i + 2
        if c in "~*$?!@/\\;,.=:<>\"&`'+0":
            return i + 1
        return -1

    def lex_gvar(self) -> None:
        start = self.pos
        end = self.gvar_end(start)
        if end < 0:
            raise self.error(f"invalid character '{inspect_char('$')}'", start)
        self.pos = end
        name = self.src[start:end]
        if self.state == FNAME:
            self.emit("FNAME_ID", name, start)
            self.after_fname()
            return
        self.state = END
        self.emit("GVAR", name, start)

    # --- numbers ---------------------------------------------------------------------

    def lex_number(self, start: int, sign: str) -> None:
        """Integer and Float literals (§1); `start` includes a glued sign."""
        src = self.src
        m = _NUMBER.match(src, self.pos)
        text = m.group()
        end = m.end()
        is_float = False
        low = text.lower()
        if low.startswith(("0x", "0b", "0o", "0d")) or (low.startswith("0") and len(low) > 1
                                                        and (low[1].isdigit() or low[1] == "_")):
            if low[1] in "xbod":
                base = {"x": 16, "b": 2, "o": 8, "d": 10}[low[1]]
                digits = text[2:]
            else:
                base, digits = 8, text[1:]
            valid = {16: "0123456789abcdef", 10: "0123456789", 8: "01234567", 2: "01"}[base]
            j = 0
            while j < len(digits) and (digits[j].lower() in valid or digits[j] == "_"):
                j += 1
            if base == 8 and j < len(digits) and digits[j] in "89":
                raise self.error("Invalid octal digit", start)
            body = digits[:j]
            end = self.pos + len(text) - len(digits) + j
            if not body.replace("_", "") and not (base == 8 and low[1] not in "o"):
                raise self.error("numeric literal without digits", start)
            if body.endswith("_") or "__" in body or body.startswith("_") and low[1] in "xbod":
                raise self.error("trailing '_' in number", start)
            value = int(body.replace("_", "") or "0", base)
        else:
            j = 0
            while j < len(text) and (text[j].isdigit() or text[j] == "_"):
                j += 1
            body = text[:j]
            end = self.pos + j
            if body.endswith("_") or "__" in body:
                raise self.error("trailing '_' in number", start)
            tail = _DECIMAL_TAIL.match(src, end)
            if tail is not None:
                is_float = True
                end = tail.end()
            exp = _EXPONENT.match(src, end)
            if exp is not None:
                is_float = True
                end = exp.end()
            literal = src[self.pos:end]
            if literal.endswith("_") or "__" in literal or "_." in literal or "_e" in literal.lower():
                raise self.error("trailing '_' in number", start)
            value = float(literal.replace("_", "")) if is_float else int(literal.replace("_", ""))
        self.pos = end
        self.state = END
        if is_float:
            self.emit("FLOAT", repr(-value if sign == "-" else value), start)
        else:
            self.emit("INTEGER", str(-value if sign == "-" else value), start)

    # --- punctuation --------------------------------------------------------------------

    def op(self, type_: str, text: str, state: State = BEG) -> None:
        start = self.pos
        self.pos += len(text)
        self.state = state
        self.emit(type_, text, start)

    def fname_operator(self) -> bool:
        """In FNAME state an operator is a method name (`def ==(o)`, `def []=(k, v)`);
        after `.` too (`x.-@`, `x.==(y)`)."""
        if self.state != FNAME and self.state != DOT:
            return False
        for text in _FNAME_OPERATORS:
            if self.src.startswith(text, self.pos):
                start = self.pos
                self.pos += len(text)
                if self.state == DOT:
                    self.state = ARG
                    self.emit("IDENT", text, start)
                    self.cmd_candidate = True
                    return True
                self.emit("FNAME_ID", text, start)
                self.after_fname()
                return True
        return False

    def p_paren(self, c: str) -> None:
        start = self.pos
        self.pos += 1
        state = self.state
        last = self.last_type
        params = self.params
        if params is not None and params.kind == "def_bare" and last == "FNAME_ID":
            self.params = params = None
        if last == "FNAME_ID" or (self.lambdas and self.lambdas[-1] == len(self.frames)
                                  and last == "LAMBDA"):
            # Parameter list of a def or a lambda.
            self.state = BEG
            self.emit("LPAREN", "(", start)
            self.push_frame(FRAME_PARAMS, ignore_newlines=True)
            kind = "def" if last == "FNAME_ID" else "lambda"
            self.params = _Params(kind, len(self.frames))
            return
        if params is not None and len(self.frames) >= params.depth and params.default_depth < 0:
            # `|(a, b), c|`: a destructuring group in block parameters
            self.state = BEG
            self.emit("LPAREN", "(", start)
            self.push_frame(FRAME_PARAMS, ignore_newlines=True)
            params.expect = True
            return
        if state == DOT or (state == ARG and not self.space_seen):
            typ, frame = "LPAREN_CALL", FRAME_CALL
        elif state == ARG:
            typ, frame = "LPAREN_ARG", FRAME_PAREN
        else:
            typ, frame = "LPAREN", FRAME_PAREN
        self.state = BEG
        self.emit(typ, "(", start)
        self.push_frame(frame, ignore_newlines=frame == FRAME_CALL)

    def p_rparen(self, c: str) -> None:
        start = self.pos
        self.pos += 1
        frame = self.frames[-1]
        closing_params = frame.kind == FRAME_PARAMS
        if frame.kind in (FRAME_PAREN, FRAME_CALL, FRAME_PARAMS):
            self.pop_frame()
        params = self.params
        if closing_params and params is not None:
            if len(self.frames) < params.depth:
                self.params = None
                self.state = ENDFN
                self.emit("RPAREN", ")", start)
                return
            params.expect = False
        self.state = END
        self.emit("RPAREN", ")", start)

    def p_bracket(self, c: str) -> None:
        if self.fname_operator():
            return
        start = self.pos
        self.pos += 1
        state = self.state
        if state in BEG_STATES or (state == ARG and self.space_seen):
            typ = "LBRACK"
        else:
            typ = "LBRACK_INDEX"
        self.state = BEG
        self.emit(typ, "[", start)
        self.push_frame(FRAME_BRACKET, ignore_newlines=True)

    def p_rbracket(self, c: str) -> None:
        start = self.pos
        self.pos += 1
        if self.frames[-1].kind == FRAME_BRACKET:
            self.pop_frame()
        self.state = END
        self.emit("RBRACK", "]", start)

    def p_brace(self, c: str) -> None:
        start = self.pos
        self.pos += 1
        state = self.state
        if self.lambdas and self.lambdas[-1] == len(self.frames):
            self.lambdas.pop()
            self.params = None
            self.state = BEG
            self.emit("LAMBEG", "{", start)
            frame = self.push_frame(FRAME_BRACE)
            frame.scopes = 1        # the lambda's scope, pushed at `->`
            return
        if state == ARG or (state in (END, ENDFN) and self.last_type in ("RPAREN", "RBRACK")):
            self.state = BEG
            self.emit("LBRACE_BLOCK", "{", start)
            frame = self.push_frame(FRAME_BRACE)
            self.push_scope(frame, opaque=False)
            return
        self.state = BEG
        self.emit("LBRACE", "{", start)
        self.push_frame(FRAME_HASH, ignore_newlines=True)

    def p_rbrace(self, c: str) -> None:
        start = self.pos
        self.pos += 1
        frame = self.frames[-1]
        if frame.kind == FRAME_INTERP:
            self.pop_frame()
            self.str_term = frame.str_term
            self.emit("STRING_DEND", "}", start)
            return
        if frame.kind in (FRAME_BRACE, FRAME_HASH):
            self.pop_frame()
        self.state = END
        self.emit("RBRACE", "}", start)

    def p_pipe(self, c: str) -> None:
        src, start = self.src, self.pos
        params = self.params
        if self.last_type in _BLOCK_OPENERS:
            if src.startswith("||", start):
                self.pos += 1
                self.emit("PIPE", "|", start)
                self.pos += 1
                self.emit("PIPE", "|", start + 1)
                self.state = BEG
                return
            self.pos += 1
            self.state = BEG
            self.emit("PIPE", "|", start)
            self.params = _Params("block", len(self.frames))
            return
        if params is not None and params.kind == "block" and len(self.frames) == params.depth:
            self.pos += 1
            self.params = None
            self.state = BEG
            self.emit("PIPE", "|", start)
            return
        if src.startswith("||=", start):
            self.op("OP_ASGN", "||=")
        elif src.startswith("||", start):
            if self.fname_operator():
                return
            self.op("OROP", "||")
        elif src.startswith("|=", start):
            self.op("OP_ASGN", "|=")
        elif not self.fname_operator():
            self.op("BAROP", "|")

    def p_amper(self, c: str) -> None:
        src, start = self.src, self.pos
        if src.startswith("&&=", start):
            self.op("OP_ASGN", "&&=")
        elif src.startswith("&&", start):
            self.op("ANDOP", "&&")
        elif src.startswith("&=", start):
            self.op("OP_ASGN", "&=")
        elif src.startswith("&.", start) and self.state not in BEG_STATES:
            self.op("ANDDOT", "&.", DOT)
        elif self.fname_operator():
            return
        elif self.prefix_position():
            self.op("UAMPER", "&")
        else:
            self.op("AMPER", "&")

    def p_star(self, c: str) -> None:
        src = self.src
        if self.fname_operator():
            return
        if src.startswith("**=", self.pos):
            self.op("OP_ASGN", "**=")
        elif src.startswith("**", self.pos):
            self.op("UDSTAR" if self.prefix_position(2) else "POW", "**")
        elif src.startswith("*=", self.pos):
            self.op("OP_ASGN", "*=")
        elif self.prefix_position():
            if self.cmd_start:
                self.declare_mlhs(self.pos)     # `*a, b = …`
            self.op("USTAR", "*")
            if self.params is not None:
                self.params.expect = True
        else:
            self.op("MULOP", "*")

    def p_plus_minus(self, c: str) -> None:
        src, start = self.src, self.pos
        if c == "-" and src.startswith("->", start):
            self.op("LAMBDA", "->", ENDFN)
            scope = Scope(opaque=False)
            self.scopes.append(scope)
            self.lambdas.append(len(self.frames))
            i = _SPACES.match(src, self.pos).end()
            if i < self.n and src[i] not in "({" and not src.startswith("do", i):
                self.params = _Params("lambda_bare", len(self.frames))
            return
        if self.state == FNAME and src.startswith(c + "@", start):
            self.pos += 2
            self.emit("FNAME_ID", c + "@", start)
            self.after_fname()
            return
        if self.fname_operator():
            return
        if src.startswith(c + "=", start) and self.state not in BEG_STATES:
            self.op("OP_ASGN", c + "=")
            return
        if self.prefix_position():
            nxt = self.peek()
            if nxt.isdigit():
                # A sign glued to a number is part of the literal (§1), except
                # before `**`: `-2 ** 2` is `-(2 ** 2)` (§2.7 tier 18).
                self.pos += 1
                save = self.pos
                probe = _NUMBER.match(src, self.pos).end()
                tail = _DECIMAL_TAIL.match(src, probe)
                if tail is not None:
                    probe = tail.end()
                exp = _EXPONENT.match(src, probe)
                if exp is not None:
                    probe = exp.end()
                if src.startswith("**", _SPACES.match(src, probe).end()):
                    self.pos = start
                    self.op("UMINUS" if c == "-" else "UPLUS", c)
                    return
                self.pos = save
                self.lex_number(start, c)
                return
            self.op("UMINUS" if c == "-" else "UPLUS", c)
            return
        self.op("ADDOP", c)

    def p_slash(self, c: str) -> None:
        if self.fname_operator():
            return
        state = self.state
        if state in BEG_STATES or (state == ARG and self.space_seen and not self.space_after()
                                   and self.peek() != "="):
            self.begin_regexp(self.pos, "/", "", 1)
            return
        if self.src.startswith("/=", self.pos):
            self.op("OP_ASGN", "/=")
        else:
            self.op("MULOP", "/")

    def p_percent(self, c: str) -> None:
        if self.fname_operator():
            return
        state = self.state
        nxt = self.peek()
        if (state in BEG_STATES or (state == ARG and self.space_seen and not self.space_after()
                                    and nxt != "=")) and nxt and self.begin_percent():
            return
        if self.src.startswith("%=", self.pos):
            self.op("OP_ASGN", "%=")
        else:
            self.op("MULOP", "%")

    def p_lt(self, c: str) -> None:
        src, start = self.src, self.pos
        if self.fname_operator():
            return
        if src.startswith("<=>", start):
            self.op("EQOP", "<=>")
        elif src.startswith("<=", start):
            self.op("RELOP", "<=")
        elif src.startswith("<<=", start):
            self.op("OP_ASGN", "<<=")
        elif src.startswith("<<", start):
            if self.state == CLASS:
                self.op("SCLASS", "<<")
            elif (self.state in BEG_STATES or (self.state == ARG and self.space_seen
                                               and not self.space_after(2))) and self.begin_heredoc():
                return
            else:
                self.op("SHIFTOP", "<<")
        else:
            self.op("LT", "<")

    def p_gt(self, c: str) -> None:
        src = self.src
        if self.fname_operator():
            return
        if src.startswith(">=", self.pos):
            self.op("RELOP", ">=")
        elif src.startswith(">>=", self.pos):
            self.op("OP_ASGN", ">>=")
        elif src.startswith(">>", self.pos):
            self.op("SHIFTOP", ">>")
        else:
            self.op("RELOP", ">")

    def p_equal(self, c: str) -> None:
        src, start = self.src, self.pos
        if self.fname_operator():
            return
        if src.startswith("===", start):
            self.op("EQOP", "===")
        elif src.startswith("==", start):
            self.op("EQOP", "==")
        elif src.startswith("=~", start):
            self.op("EQOP", "=~")
        elif src.startswith("=>", start):
            if self.rescue_clause:
                self.declare_next = True
            self.op("ASSOC", "=>")
        else:
            params = self.params
            if params is not None and params.default_depth < 0:
                params.default_depth = len(self.frames)
            self.op("ASSIGN", "=")

    def p_bang(self, c: str) -> None:
        src = self.src
        if self.fname_operator():
            return
        if src.startswith("!=", self.pos):
            self.op("EQOP", "!=")
        elif src.startswith("!~", self.pos):
            self.op("EQOP", "!~")
        else:
            self.op("BANG", "!")

    def p_tilde(self, c: str) -> None:
        if not self.fname_operator():
            self.op("TILDE", "~")

    def p_caret(self, c: str) -> None:
        if self.fname_operator():
            return
        if self.src.startswith("^=", self.pos):
            self.op("OP_ASGN", "^=")
        else:
            self.op("BAROP", "^")

    def p_dot(self, c: str) -> None:
        src = self.src
        if src.startswith("...", self.pos):
            self.op("DOT3", "...")
        elif src.startswith("..", self.pos):
            self.op("DOT2", "..")
        elif self.def_stage == 2:
            self.op("DOT", ".", FNAME)     # `def recv.name`: a method name follows
        else:
            self.op("DOT", ".", DOT)

    def p_comma(self, c: str) -> None:
        params = self.params
        if params is not None:
            depth = len(self.frames)
            if params.default_depth < 0 or depth <= params.default_depth:
                params.default_depth = -1
                params.expect = True
        if self.last_type == "FNAME_ID" and self.state == END:
            self.fname_left = 1
            self.op("COMMA", ",", FNAME)
            return
        self.op("COMMA", ",")

    def p_semi(self, c: str) -> None:
        start = self.pos
        self.pos += 1
        params = self.params
        if params is not None and params.kind == "block":
            params.expect = True        # `|a; b|`: block-local variables
            params.default_depth = -1
            self.state = BEG
            self.emit("SEMI", ";", start)
            return
        self.end_statement()
        if self.last_type in _TERMS:
            self.state = BEG
            return
        self.state = BEG
        self.emit("SEMI", ";", start)

    def p_colon(self, c: str) -> None:
        src, start = self.src, self.pos
        state = self.state
        if src.startswith("::", start):
            if state in BEG_STATES or (state == ARG and self.space_seen and not self.space_after(2)):
                self.op("COLON3", "::")
            else:
                self.op("COLON2", "::", DOT)
            return
        nxt = self.peek()
        symbol_ok = state in BEG_STATES or state == FNAME or (
            state == ARG and self.space_seen and not self.space_after())
        if symbol_ok and nxt and nxt not in " \t\r\n":
            if nxt in "\"'":
                self.pos += 2
                self.state = END
                term = StrTerm("dsym", nxt, interp=nxt == '"', start=start)
                self.str_term = term
                self.emit("DSYM_BEG", ":" + nxt, start)
                return
            end = self.symbol_end(start + 1)
            if end > 0:
                self.pos = end
                name = src[start + 1:end]
                if self.state == FNAME:
                    self.after_fname()
                else:
                    self.state = END
                self.emit("SYMBOL", name, start)
                return
        frame = self.frames[-1]
        if frame.ternary > 0:
            frame.ternary -= 1
        self.op("COLON", ":")

    def symbol_end(self, i: int) -> int:
        """End of the name of `:name` starting at i, or -1."""
        src = self.src
        c = src[i] if i < self.n else ""
        if c == "_" or c.isalpha():
            end = _IDENT.match(src, i).end()
            if end < self.n and src[end] in "?!=":
                if src[end] == "=":
                    if not src.startswith(("==", "=~", "=>"), end):
                        end += 1
                elif not src.startswith("=", end + 1) or src.startswith("==", end + 1):
                    end += 1
            return end
        if c == "@" or c == "$":
            if c == "$":
                return self.gvar_end(i)
            m = _IDENT.match(src, i + (2 if src.startswith("@@", i) else 1))
            return m.end() if m else -1
        for text in _FNAME_OPERATORS:
            if src.startswith(text, i):
                return i + len(text)
        return -1

    def p_question(self, c: str) -> None:
        start = self.pos
        if self.state in BEG_STATES or (self.state == ARG and self.space_seen):
            nxt = self.peek()
            after = self.peek(2)
            if nxt and nxt not in " \t\r\n\f\v":
                if nxt == "\\":
                    value, end = self.char_escape(start + 1)
                    self.pos = end
                    self.state = END
                    self.emit("CHAR", value, start)
                    return
                if not (after and (after.isalnum() or after == "_") and (nxt.isalnum() or nxt == "_")):
                    self.pos += 2
                    self.state = END
                    self.emit("CHAR", nxt, start)
                    return
        self.frames[-1].ternary += 1
        self.op("QMARK", "?")

    def p_backslash(self, c: str) -> None:
        raise self.error(f"invalid character '{inspect_char(c)}'", self.pos)


_PUNCT = {
    "(": Tokenizer.p_paren, ")": Tokenizer.p_rparen, "[": Tokenizer.p_bracket,
    "]": Tokenizer.p_rbracket, "{": Tokenizer.p_brace, "}": Tokenizer.p_rbrace,
    "|": Tokenizer.p_pipe, "&": Tokenizer.p_amper, "*": Tokenizer.p_star,
    "+": Tokenizer.p_plus_minus, "-": Tokenizer.p_plus_minus, "/": Tokenizer.p_slash,
    "%": Tokenizer.p_percent, "<": Tokenizer.p_lt, ">": Tokenizer.p_gt, "=": Tokenizer.p_equal,
    "!": Tokenizer.p_bang, "~": Tokenizer.p_tilde, "^": Tokenizer.p_caret, ".": Tokenizer.p_dot,
    ",": Tokenizer.p_comma, ";": Tokenizer.p_semi, ":": Tokenizer.p_colon,
    "?": Tokenizer.p_question, "\\": Tokenizer.p_backslash,
}

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
