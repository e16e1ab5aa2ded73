"""Identifiers and keywords for the Ruby lexer (`ruby-subset.md` §1, §2.2–§2.4):
method names vs local variables (and the bindings that make a name local),
labels, `def`/`alias` names and the keyword table with its state changes.
A mixin of `Tokenizer` (`lexer.py`).
"""

from __future__ import annotations

from .lexer_state import (
    _ASSIGN_AHEAD,
    _BARE_TARGET,
    _IDENT,
    _MLHS,
    _SPACES,
    _VALUE_KEYWORDS,
    ARG,
    BEG,
    CLASS,
    DOT,
    END,
    END_FRAMES,
    ENDFN,
    FNAME,
    FRAME_CLASS,
    FRAME_DEF,
    FRAME_DO,
    FRAME_KEYWORD,
    KEYWORDS,
    MID,
    Params,
)


class WordLexing:
    """Mixin of `Tokenizer`: identifiers and keywords."""

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
                self.params = Params("def_bare", len(self.frames))
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

