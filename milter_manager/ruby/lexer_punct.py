"""Variables, numbers and punctuation for the Ruby lexer (`ruby-subset.md`
§1, §2.2): every operator whose meaning depends on the lexer state and on
the whitespace around it (the decision table of §2.2). A mixin of
`Tokenizer` (`lexer.py`).
"""

from __future__ import annotations

from .lexer_state import (
    _BLOCK_OPENERS,
    _DECIMAL_TAIL,
    _EXPONENT,
    _FNAME_OPERATORS,
    _IDENT,
    _NUMBER,
    _SPACES,
    _TERMS,
    ARG,
    BEG,
    BEG_STATES,
    CLASS,
    DOT,
    END,
    ENDFN,
    FNAME,
    FRAME_BRACE,
    FRAME_BRACKET,
    FRAME_CALL,
    FRAME_HASH,
    FRAME_INTERP,
    FRAME_PARAMS,
    FRAME_PAREN,
    Params,
    Scope,
    State,
    StrTerm,
)
from .lexer_strings import inspect_char


class PunctLexing:
    """Mixin of `Tokenizer`: variables, numbers and punctuation."""

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
            self.params = Params(kind, len(self.frames))
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
            self.params = Params("block", len(self.frames))
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
                self.params = Params("lambda_bare", len(self.frames))
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
    "(": PunctLexing.p_paren, ")": PunctLexing.p_rparen, "[": PunctLexing.p_bracket,
    "]": PunctLexing.p_rbracket, "{": PunctLexing.p_brace, "}": PunctLexing.p_rbrace,
    "|": PunctLexing.p_pipe, "&": PunctLexing.p_amper, "*": PunctLexing.p_star,
    "+": PunctLexing.p_plus_minus, "-": PunctLexing.p_plus_minus, "/": PunctLexing.p_slash,
    "%": PunctLexing.p_percent, "<": PunctLexing.p_lt, ">": PunctLexing.p_gt, "=": PunctLexing.p_equal,
    "!": PunctLexing.p_bang, "~": PunctLexing.p_tilde, "^": PunctLexing.p_caret, ".": PunctLexing.p_dot,
    ",": PunctLexing.p_comma, ";": PunctLexing.p_semi, ":": PunctLexing.p_colon,
    "?": PunctLexing.p_question, "\\": PunctLexing.p_backslash,
}
