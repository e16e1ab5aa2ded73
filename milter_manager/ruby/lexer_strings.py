"""String-like literals for the Ruby lexer (`ruby-subset.md` §1, §2.5):
quotes, `%` literals, `%w`/`%i`, symbols with quotes, regexps and heredocs.

A literal is lexed as a token sequence: a begin token, STRING_CONTENT pieces
(their value is the text after escape processing; for regexps the source as
written, `\\/` unescaped), STRING_DBEG … ordinary tokens … STRING_DEND for
`#{}`, STRING_DVAR + a variable token for `#@x`/`#$x`, and an end token
(STRING_END, LABEL_END for `"name":`, REGEXP_END carrying the flags). The
mixin works on the Tokenizer's fields (`src`, `pos`, `str_term`, …).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from .lexer_state import FRAME_INTERP, State, StrTerm

if TYPE_CHECKING:  # pragma: no cover
    from .lexer import Tokenizer

_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_SIMPLE_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "b": "\b", "a": "\a",
    "e": "\x1b", "s": " ",
}
_HEX = re.compile(r"[0-9a-fA-F]{1,2}")
_OCT = re.compile(r"[0-7]{1,3}")
_U4 = re.compile(r"[0-9a-fA-F]{4}")
_HEREDOC = re.compile(r"<<([~-]?)(?:([\"'`])([^\"'`\n]*)\2|([A-Za-z_][A-Za-z0-9_]*))")
_REGEXP_FLAGS = re.compile(r"[A-Za-z]*")
_MATCH_OP = re.compile(r"[ \t]*=~")
_NAMED_GROUP = re.compile(r"\(\?(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')")
_NAMED_CHARS = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f", "\v": "\\v",
                "\b": "\\b", "\a": "\\a", "\x1b": "\\e", "\\": "\\\\", '"': '\\"'}


def inspect_char(c: str) -> str:
    """A character as `String#inspect` shows it, without the quotes
    (`show-config.md` §4.1), for `invalid character 'C'`."""
    if c in _NAMED_CHARS:
        return _NAMED_CHARS[c]
    cp = ord(c)
    if 0xDC80 <= cp <= 0xDCFF:
        return f"\\x{cp - 0xDC00:02X}"
    if (cp < 0x20 or 0x7F <= cp <= 0x84 or 0x86 <= cp <= 0x9F or cp in (0x2028, 0x2029)
            or unicodedata.category(c) == "Cn"):
        return f"\\u{cp:04X}" if cp <= 0xFFFF else f"\\u{{{cp:X}}}"
    return c


class StringLexing:
    """Mixin of `Tokenizer` (see the module docstring)."""

    # --- openers -------------------------------------------------------------

    def lex_quote(self: Tokenizer, c: str) -> None:
        start = self.pos
        self.pos += 1
        if c == "`":
            if self.state == State.FNAME or self.state == State.DOT:
                self.emit("FNAME_ID" if self.state == State.FNAME else "IDENT", "`", start)
                self.state = State.ARG
                return
            self.str_term = StrTerm("xstring", "`", interp=True, start=start)
            self.emit("XSTRING_BEG", "`", start)
            return
        self.str_term = StrTerm("string", c, interp=c == '"', start=start,
                                label_ok=self.label_context())
        self.emit("STRING_BEG", c, start)

    def begin_regexp(self: Tokenizer, start: int, term: str, paren: str, length: int) -> None:
        self.pos = start + length
        self.str_term = StrTerm("regexp", term, paren=paren, interp=True, start=start,
                                resume=start + length)   # where the source begins
        self.emit("REGEXP_BEG", self.src[start:self.pos], start)

    def begin_percent(self: Tokenizer) -> bool:
        """`%q(…)`, `%Q(…)`, `%(…)`, `%w[…]`, `%i[…]`, `%r{…}`, `%x(…)`, `%s(…)`."""
        src, start = self.src, self.pos
        kind = src[start + 1] if start + 1 < self.n else ""
        if kind.isalpha():
            if kind not in "qQwWiIrxs":
                return False
            delim_at = start + 2
        else:
            kind, delim_at = "Q", start + 1
        if delim_at >= self.n:
            raise self.error("unterminated quoted string meets end of file", start)
        open_ = src[delim_at]
        if open_.isalnum() or open_ in " \t\r\n":
            return False
        term = _PAIRS.get(open_, open_)
        paren = open_ if open_ in _PAIRS else ""
        if kind == "r":
            self.begin_regexp(start, term, paren, delim_at + 1 - start)
            return True
        self.pos = delim_at + 1
        if kind in "wWiI":
            # §1: %w/%i word arrays (no interpolation; %W/%I read like %w/%i
            # but process double-quote escapes).
            self.str_term = StrTerm("words" if kind in "wW" else "symbols", term, paren=paren,
                                    interp=kind in "WI", start=start)
            self.emit("WORDS_BEG" if kind in "wW" else "SYMBOLS_BEG", src[start:self.pos], start)
            return True
        if kind == "s":
            self.str_term = StrTerm("dsym", term, paren=paren, interp=False, start=start)
            self.emit("DSYM_BEG", src[start:self.pos], start)
            return True
        if kind == "x":
            self.str_term = StrTerm("xstring", term, paren=paren, interp=True, start=start)
            self.emit("XSTRING_BEG", src[start:self.pos], start)
            return True
        self.str_term = StrTerm("string", term, paren=paren, interp=kind == "Q", start=start)
        self.emit("STRING_BEG", src[start:self.pos], start)
        return True

    def begin_heredoc(self: Tokenizer) -> bool:
        src, start = self.src, self.pos
        m = _HEREDOC.match(src, start)
        if m is None:
            return False
        mode, quote, quoted_id, bare_id = m.groups()
        ident = quoted_id if quote else bare_id
        if self.heredoc_resume is not None:
            body_start = self.heredoc_resume
        else:
            nl = src.find("\n", m.end())
            body_start = self.n if nl < 0 else nl + 1
        # Find the terminator line.
        i = body_start
        body_end = resume = -1
        indent = -1
        while i < self.n:
            nl = src.find("\n", i)
            line_end = self.n if nl < 0 else nl
            line = src[i:line_end]
            line = line.removesuffix("\r")
            if (line.strip(" \t") if mode else line) == ident:
                body_end = i
                resume = self.n if nl < 0 else nl + 1
                break
            if mode == "~" and line.strip(" \t"):
                width = 0
                for ch in line:
                    if ch == " ":
                        width += 1
                    elif ch == "\t":
                        width = (width // 8 + 1) * 8
                    else:
                        break
                indent = width if indent < 0 else min(indent, width)
            i = self.n if nl < 0 else nl + 1
        if body_end < 0:
            raise self.error(f'can\'t find string "{ident}" anywhere before EOF', start)
        self.heredoc_resume = resume
        self.pos = m.end()
        term = StrTerm("heredoc", "", interp=quote != "'", start=start, body_end=body_end,
                       resume=m.end(), indent=max(indent, 0) if mode == "~" else -1,
                       heredoc_id=ident, xstring=quote == "`")
        self.emit("XSTRING_BEG" if quote == "`" else "STRING_BEG", src[start:m.end()], start)
        self.str_term = term
        self.pos = body_start
        return True

    # --- bodies ----------------------------------------------------------------

    def unterminated(self: Tokenizer, term: StrTerm) -> Exception:
        what = {"regexp": "regexp", "words": "list", "symbols": "list"}.get(term.kind, "string")
        if term.kind == "heredoc":
            return self.error(f'can\'t find string "{term.heredoc_id}" anywhere before EOF',
                              term.start)
        return self.error(f"unterminated {what} meets end of file", term.start)

    def lex_string(self: Tokenizer) -> None:
        term = self.str_term
        if term.kind in ("words", "symbols"):
            self.lex_words(term)
            return
        src = self.src
        if term.kind == "heredoc":
            if self.pos >= term.body_end:
                end_start = term.body_end
                self.str_term = None
                self.pos = term.resume
                self.state = State.END
                self.emit("STRING_END", "", end_start, end_start)
                return
            limit = term.body_end
        else:
            limit = self.n
        if self.pos >= limit:
            raise self.unterminated(term)
        c = src[self.pos]
        if term.kind != "heredoc" and c == term.term and term.nest == 0:
            self.close_literal(term)
            return
        if term.interp and c == "#" and self.pos + 1 < limit:
            nxt = src[self.pos + 1]
            if nxt == "{":
                start = self.pos
                self.pos += 2
                term.has_interp = True
                frame = self.push_frame(FRAME_INTERP)
                frame.str_term = term
                self.str_term = None
                self.state = State.BEG
                self.emit("STRING_DBEG", "#{", start)
                return
            if nxt in "@$" and self.dvar_follows(self.pos + 1):
                start = self.pos
                self.pos += 1
                term.has_interp = True
                self.emit("STRING_DVAR", "#", start)
                self.str_term = None
                if nxt == "@":
                    self.lex_ivar()
                else:
                    self.lex_gvar()
                self.str_term = term
                return
        self.lex_content(term, limit)

    def dvar_follows(self: Tokenizer, i: int) -> bool:
        src = self.src
        if src[i] == "@":
            j = i + 2 if src.startswith("@@", i) else i + 1
            return j < self.n and (src[j] == "_" or src[j].isalpha())
        return self.gvar_end(i) > 0

    def close_literal(self: Tokenizer, term: StrTerm) -> None:
        start = self.pos
        self.pos += 1
        self.str_term = None
        self.state = State.END
        if term.kind == "regexp":
            m = _REGEXP_FLAGS.match(self.src, self.pos)
            flags = m.group()
            for i, ch in enumerate(flags):
                if ch not in "imxoun":
                    bad = "".join(c for c in flags if c not in "imxoun")
                    s = "s" if len(bad) > 1 else ""
                    raise self.error(f"unknown regexp option{s} - {bad}", self.pos + i)
            self.pos = m.end()
            if not term.has_interp and _MATCH_OP.match(self.src, self.pos):
                # §2.4: `/(?<name>…)/ =~ s` makes each named capture a local.
                for a, b in _NAMED_GROUP.findall(self.src, term.resume, start):
                    self.declare(a or b)
            self.emit("REGEXP_END", flags, start)
            return
        if (term.kind == "string" and term.label_ok and self.src.startswith(":", self.pos)
                and not self.src.startswith("::", self.pos)):
            self.pos += 1
            self.state = State.BEG
            self.emit("LABEL_END", ":", start)
            return
        self.emit("STRING_END", term.term, start)

    def lex_content(self: Tokenizer, term: StrTerm, limit: int) -> None:
        """One STRING_CONTENT token: up to the closing delimiter, an
        interpolation or (heredocs) the end of the body."""
        src = self.src
        start = self.pos
        out: list[str] = []
        pending_bytes = bytearray()
        i = self.pos
        regexp = term.kind == "regexp"
        heredoc = term.kind == "heredoc"
        while i < limit:
            if heredoc and term.indent > 0 and (i == 0 or src[i - 1] == "\n"):
                i = self.skip_indent(i, term.indent, limit)
                if i >= limit:
                    break
            c = src[i]
            if not heredoc:
                if c == term.term and term.nest == 0:
                    break
                if term.paren and c == term.paren:
                    term.nest += 1
                elif term.paren and c == term.term:
                    term.nest -= 1
            if term.interp and c == "#" and i + 1 < limit and (
                    src[i + 1] == "{" or (src[i + 1] in "@$" and self.dvar_follows(i + 1))):
                break
            if "\udc80" <= c <= "\udcff":
                raise self.error("invalid multibyte char (UTF-8)", i)
            if c == "\\" and i + 1 < limit:
                if regexp:
                    nxt = src[i + 1]
                    if nxt == "/" and term.term == "/":
                        self.flush_bytes(pending_bytes, out)
                        out.append("/")
                    elif nxt == "\n":
                        pass            # a backslash-newline is removed
                    else:
                        self.flush_bytes(pending_bytes, out)
                        out.append(src[i:i + 2])
                    i += 2
                    continue
                if term.interp:
                    i = self.dq_escape(i, out, pending_bytes)
                    continue
                nxt = src[i + 1]
                self.flush_bytes(pending_bytes, out)
                if nxt == "\\" or nxt == term.term or (term.paren and nxt == term.paren):
                    out.append(nxt)
                else:
                    out.append("\\" + nxt)
                i += 2
                continue
            self.flush_bytes(pending_bytes, out)
            out.append(c)
            i += 1
        self.flush_bytes(pending_bytes, out)
        self.pos = i
        if i == start and not heredoc:
            raise self.unterminated(term)
        if i > start or out:
            self.emit("STRING_CONTENT", "".join(out), start, i)

    def skip_indent(self: Tokenizer, i: int, indent: int, limit: int) -> int:
        """`<<~`: remove `indent` columns of leading whitespace (§2.5)."""
        src = self.src
        width = 0
        while i < limit and width < indent:
            ch = src[i]
            if ch == " ":
                width += 1
            elif ch == "\t":
                new = (width // 8 + 1) * 8
                if new > indent:
                    break
                width = new
            else:
                break
            i += 1
        return i

    @staticmethod
    def flush_bytes(pending: bytearray, out: list[str]) -> None:
        if pending:
            out.append(bytes(pending).decode("utf-8", "surrogateescape"))
            pending.clear()

    def dq_escape(self: Tokenizer, i: int, out: list[str], pending: bytearray) -> int:
        """One double-quote escape at src[i] == '\\' (§1); returns the index
        after it. `\\xHH` and octal escapes are bytes, decoded as UTF-8 when the
        run of byte escapes ends (invalid bytes kept as surrogate escapes)."""
        src = self.src
        c = src[i + 1]
        if c == "x":
            m = _HEX.match(src, i + 2)
            if m is None:
                raise self.error("invalid hex escape", i)
            pending.append(int(m.group(), 16))
            return m.end()
        if c in "01234567":
            m = _OCT.match(src, i + 1)
            pending.append(int(m.group(), 8) & 0xFF)
            return m.end()
        self.flush_bytes(pending, out)
        if c == "u":
            if src.startswith("{", i + 2):
                close = src.find("}", i + 3)
                body = src[i + 3:close] if close >= 0 else ""
                parts = body.split()
                if close < 0 or not parts or any(
                        not re.fullmatch(r"[0-9a-fA-F]{1,6}", p) or int(p, 16) > 0x10FFFF
                        for p in parts) or body != body.strip(" \t"):
                    raise self.error("invalid Unicode escape", i)
                out.extend(chr(int(p, 16)) for p in parts)
                return close + 1
            m = _U4.match(src, i + 2)
            if m is None:
                raise self.error("invalid Unicode escape", i)
            out.append(chr(int(m.group(), 16)))
            return m.end()
        if c in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[c])
            return i + 2
        if c == "\n":
            return i + 2                # backslash-newline: removed
        if c == "\r" and src.startswith("\n", i + 2):
            return i + 3
        if c == "c" or (c == "C" and src.startswith("-", i + 2)):
            j = i + 2 if c == "c" else i + 3
            if j >= self.n:
                raise self.error("unterminated string meets end of file", i)
            ch = src[j]
            out.append("\x7f" if ch == "?" else chr(ord(ch) & 0x9F))
            return j + 1
        if c == "M" and src.startswith("-", i + 2) and i + 3 < self.n:
            pending.append((ord(src[i + 3]) | 0x80) & 0xFF)
            return i + 4
        out.append(c)
        return i + 2

    def char_escape(self: Tokenizer, i: int) -> tuple[str, int]:
        """`?\\n`: a character literal with an escape at src[i]."""
        out: list[str] = []
        pending = bytearray()
        end = self.dq_escape(i, out, pending)
        self.flush_bytes(pending, out)
        return "".join(out), end

    def lex_words(self: Tokenizer, term: StrTerm) -> None:
        """`%w[a b]` / `%i[a b]`: one STRING_CONTENT per word (§1)."""
        src, n = self.src, self.n
        i = self.pos
        while i < n and src[i] in " \t\r\n\f\v":
            i += 1
        self.pos = i
        if i >= n:
            raise self.unterminated(term)
        if src[i] == term.term and term.nest == 0:
            self.close_literal(term)
            return
        start = i
        out: list[str] = []
        pending = bytearray()
        while i < n:
            c = src[i]
            if c in " \t\r\n\f\v":
                break
            if term.paren and c == term.paren:
                term.nest += 1
            elif c == term.term:
                if term.nest == 0:
                    break
                term.nest -= 1
            if c == "\\" and i + 1 < n:
                nxt = src[i + 1]
                if term.interp:
                    i = self.dq_escape(i, out, pending)
                    continue
                if nxt in " \t\r\n\f\v\\" or nxt == term.term or nxt == term.paren:
                    out.append(nxt)
                else:
                    out.append("\\" + nxt)
                i += 2
                continue
            self.flush_bytes(pending, out)
            out.append(c)
            i += 1
        self.flush_bytes(pending, out)
        self.pos = i
        self.emit("STRING_CONTENT", "".join(out), start, i)
