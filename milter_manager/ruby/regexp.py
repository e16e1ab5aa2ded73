"""Ruby (Onigmo) regular expressions translated to Python `re` (ruby-subset.md §7.3).

A Ruby regexp source is parsed once by a small recursive-descent translator
and rewritten into an equivalent Python pattern, compiled with `re.MULTILINE`
(Ruby's `^`/`$` are line anchors) and never `re.ASCII` (Ruby's `\\b` and `/i`
are Unicode-aware). `translate` is cached: the parser calls it for every
regexp literal, `Regexp.new` at run time.

Errors carry the spec's messages (§2.6): `invalid regular expression: DETAIL`
(DETAIL is Onigmo's own wording, e.g. `end pattern with unmatched
parenthesis`), `unsupported regular expression construct: TEXT` (TEXT the
offending piece of the source) and `unknown regexp option - X`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

IGNORECASE, EXTENDED, MULTILINE = 1, 2, 4

# Onigmo's limit on `{n,m}` bounds ("too big number for repeat range").
_REPEAT_MAX = 100000
_OCTAL = re.compile(r"[0-7]{1,3}")
_INTERVAL = re.compile(r"\{(\d*)(,?)(\d*)\}")


class RegexpTranslationError(Exception):
    """A Ruby regexp that cannot be translated; `str(e) == e.message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRegexpError(RegexpTranslationError):
    """Ruby itself rejects the pattern (Ruby raises RegexpError)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"invalid regular expression: {detail}")
        self.detail = detail


class UnsupportedRegexpError(RegexpTranslationError):
    """Valid Ruby, but a construct the port does not implement (§7.3)."""

    def __init__(self, text: str) -> None:
        super().__init__(f"unsupported regular expression construct: {text}")
        self.text = text


class UnknownRegexpOptionError(RegexpTranslationError):
    """A regexp literal flag letter Ruby does not know (§1)."""


@dataclass(frozen=True)
class TranslatedRegexp:
    source: str
    options: int
    pattern: re.Pattern
    group_names: tuple


# --- character sets ---------------------------------------------------------

def _chars(spec: str) -> frozenset[int]:
    """`a-z0-9_` style spec (ASCII only) → set of code points."""
    out: set[int] = set()
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.update(range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            out.add(ord(spec[i]))
            i += 1
    return frozenset(out)


_WORD = _chars("a-zA-Z0-9_")
_DIGIT = _chars("0-9")
_SPACE = frozenset(map(ord, " \t\n\x0b\f\r"))
_HEX = _chars("0-9a-fA-F")
_ASCII = frozenset(range(0x80))

# Escapes `\d \w \s \h` (ASCII in Ruby, §7.3) and their complements.
_ESCAPE_SETS = {"w": _WORD, "d": _DIGIT, "s": _SPACE, "h": _HEX}

# POSIX bracket classes: ASCII sets, except `word`, which is Python's Unicode `\w`.
# [deviation] Ruby's are Unicode-aware (§7.3; DEVIATIONS.md R1).
_POSIX_SETS: dict[str, frozenset[int] | None] = {
    "alpha": _chars("a-zA-Z"),
    "digit": _DIGIT,
    "alnum": _chars("a-zA-Z0-9"),
    "upper": _chars("A-Z"),
    "lower": _chars("a-z"),
    "space": _SPACE,
    "blank": frozenset(map(ord, " \t")),
    "punct": frozenset(map(ord, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")),
    "xdigit": _HEX,
    "cntrl": frozenset(list(range(0x20)) + [0x7F]),
    "print": frozenset(range(0x20, 0x7F)),
    "graph": frozenset(range(0x21, 0x7F)),
    "word": None,
    "ascii": _ASCII,
}
_UNICODE_WORD_ASCII = _WORD  # ASCII projection of Python's Unicode `\w`


def _cc(cp: int) -> str:
    """One code point written safely inside a Python character class."""
    if cp < 0x80:
        ch = chr(cp)
        if ch.isalnum():
            return ch
        if 0x20 <= cp < 0x7F:
            return "\\" + ch
        return f"\\x{cp:02x}"
    if 0xD800 <= cp <= 0xDFFF:
        return f"\\u{cp:04x}"
    return chr(cp)


def _lit(cp: int, icase: bool = False) -> str:
    """One code point as a literal outside a class."""
    if icase and cp >= 0x80:
        folded = chr(cp).casefold()
        if len(folded) > 1:
            # Ruby's /i uses full case folding (/ß/i matches "ss"); Python's
            # re.I only simple folding.
            return "(?:" + chr(cp) + "|" + "".join(_lit(ord(f)) for f in folded) + ")"
    if cp < 0x80:
        ch = chr(cp)
        if ch.isalnum() or ch == "_":
            return ch
        if 0x20 <= cp < 0x7F:
            return "\\" + ch
        return f"\\x{cp:02x}"
    if 0xD800 <= cp <= 0xDFFF:
        return f"\\u{cp:04x}"
    return chr(cp)


def _ranges_text(cps: frozenset[int] | set[int]) -> str:
    """A set of code points as the inside of a Python class (sorted ranges)."""
    return _intervals_text([(cp, cp) for cp in cps])


def _intervals_text(ranges: list[tuple[int, int]]) -> str:
    """Class members (code point intervals) merged and written as a class body."""
    out = []
    merged: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    for lo, hi in merged:
        if lo == hi:
            out.append(_cc(lo))
        elif hi == lo + 1:
            out.append(_cc(lo) + _cc(hi))
        else:
            out.append(_cc(lo) + "-" + _cc(hi))
    return "".join(out)


def _case_variants(cp: int) -> set[int]:
    ch = chr(cp)
    out = {cp}
    for v in (ch.lower(), ch.upper(), ch.casefold()):
        if len(v) == 1:
            out.add(ord(v))
    if cp in (ord("k"), ord("K")):
        out.add(0x212A)  # KELVIN SIGN folds to k
    if cp in (ord("s"), ord("S")):
        out.add(0x017F)  # LATIN SMALL LETTER LONG S folds to s
    return out


# --- the translator ---------------------------------------------------------

@dataclass
class _Flags:
    icase: bool
    dotall: bool
    extended: bool


class _ClassItems:
    """Members of one `[...]` class: Python fragments with their ASCII
    projection, and complements of finite ASCII sets (`\\W`, `[:^alpha:]`)."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int]] = []
        self.fragments: list[tuple[str, frozenset[int]]] = []
        self.negated_sets: list[frozenset[int]] = []

    def contains(self, cp: int) -> bool:
        for lo, hi in self.ranges:
            if lo <= cp <= hi:
                return True
        for text, projection in self.fragments:
            if cp < 0x80:
                if cp in projection:
                    return True
            elif re.match("[" + text + "]", chr(cp)):
                return True
        return False

    def emit(self, negated: bool, icase: bool) -> str:
        if not self.negated_sets:
            body = _intervals_text(self.ranges) + "".join(text for text, _ in self.fragments)
            return "[" + ("^" if negated else "") + body + "]"
        # §7.3: a complement escape among other members. Every complement is
        # "all but a finite ASCII set", so the union of the members is "all but
        # R", R = (intersection of those ASCII sets) minus the other members;
        # exact, and a single Python class.
        common = frozenset.intersection(*self.negated_sets)
        rest = set()
        for cp in common:
            variants = _case_variants(cp) if icase else (cp,)
            if not any(self.contains(v) for v in variants):
                rest.add(cp)
        if not negated:
            return "[^" + _ranges_text(rest) + "]" if rest else "(?s:.)"
        return "[" + _ranges_text(rest) + "]" if rest else "(?!)"


class _Translator:
    def __init__(self, source: str, options: int, plain_groups_capture: bool) -> None:
        self.src = source
        self.n = len(source)
        self.pos = 0
        self.capture_plain = plain_groups_capture
        self.group_count = 0          # Ruby's capture numbering
        self.groups_opened = 0        # every `(` counted, as Onigmo does while parsing
        self.names: list[str] = []
        self.numbered_refs: list[tuple[int, str]] = []
        self.named_refs: list[tuple[str, str]] = []
        self.lookbehinds: list[str] = []
        self.flags = _Flags(
            icase=bool(options & IGNORECASE),
            dotall=bool(options & MULTILINE),
            extended=bool(options & EXTENDED),
        )

    # -- helpers --

    def _peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.src[i] if i < self.n else ""

    def _skip_extended(self, flags: _Flags) -> None:
        if not flags.extended:
            return
        while self.pos < self.n:
            c = self.src[self.pos]
            if c in " \t\n\r\f\v":
                self.pos += 1
            elif c == "#":
                while self.pos < self.n and self.src[self.pos] != "\n":
                    self.pos += 1
            else:
                return

    # -- structure --

    def run(self) -> str:
        out = self._alternation(self.flags)
        if self.pos < self.n:  # only a stray `)` stops the top level
            raise InvalidRegexpError("unmatched close parenthesis")
        return out

    def _alternation(self, flags: _Flags) -> str:
        return "|".join(self._alternatives(flags))

    def _alternatives(self, flags: _Flags) -> list[str]:
        alts = []
        while True:
            alts.append(self._sequence(flags))
            if self._peek() == "|":
                self.pos += 1
                continue
            return alts

    def _sequence(self, flags: _Flags) -> str:
        # pieces: [text, kind]; kind "atom" (quantifiable), "quantified",
        # "anchor" (zero-width, wrapped before quantifying), "none" (not a target)
        pieces: list[list] = []
        while True:
            self._skip_extended(flags)
            if self.pos >= self.n:
                break
            c = self.src[self.pos]
            if c in "|)":
                break
            if c in "*+?":
                self._quantify(pieces)
                continue
            if c == "{":
                q = self._interval()
                if q is not None:
                    self._apply_interval(pieces, q)
                    continue
                self.pos += 1
                pieces.append(["\\{", "atom"])
                continue
            if c == "(":
                rest = self._group(pieces, flags)
                if rest:
                    break
                continue
            self.pos += 1
            if c == "[":
                pieces.append([self._class(flags), "atom"])
            elif c == ".":
                pieces.append([".", "atom"])
            elif c == "^":
                # Ruby's `^` never matches at the very end after a final
                # newline ("a\n".scan(/^/) has one match); Python's does.
                pieces.append(["(?:^(?!\\Z)|\\A)", "anchor"])
            elif c == "$":
                pieces.append(["$", "anchor"])
            elif c == "\\":
                self._escape(pieces, flags)
            else:
                pieces.append([_lit(ord(c), flags.icase), "atom"])
        return "".join(p[0] for p in pieces)

    def _target(self, pieces: list[list]) -> list:
        if not pieces or pieces[-1][1] == "none":
            raise InvalidRegexpError("target of repeat operator is not specified")
        piece = pieces[-1]
        if piece[1] in ("quantified", "anchor"):
            piece[0] = "(?:" + piece[0] + ")"
        return piece

    def _quantify(self, pieces: list[list]) -> None:
        c = self.src[self.pos]
        self.pos += 1
        piece = self._target(pieces)
        mod = self._peek()
        if mod == "?" or mod == "+":
            self.pos += 1
            c += mod
        piece[0] += c
        piece[1] = "quantified"

    def _interval(self) -> tuple[int, int | None] | None:
        """`{n}`, `{n,}`, `{,m}`, `{n,m}` at `self.pos`, else None (literal `{`)."""
        m = _INTERVAL.match(self.src, self.pos)
        if not m:
            return None
        lo_s, comma, hi_s = m.groups()
        if not lo_s and not hi_s:
            return None  # `{}` and `{,}` are literal text
        if not comma and not lo_s:
            return None
        self.pos = m.end()
        lo = int(lo_s) if lo_s else 0
        hi = (int(hi_s) if hi_s else None) if comma else lo
        if lo > _REPEAT_MAX or (hi is not None and hi > _REPEAT_MAX):
            raise InvalidRegexpError("too big number for repeat range")
        if hi is not None and hi < lo:
            raise InvalidRegexpError("upper is smaller than lower in repeat range")
        return lo, hi

    def _apply_interval(self, pieces: list[list], q: tuple[int, int | None]) -> None:
        lo, hi = q
        piece = self._target(pieces)
        if hi == lo:
            text = f"{{{lo}}}"
            # `{n}?` is not lazy in Ruby: the `?` is a new quantifier (optional).
        else:
            text = f"{{{lo},{'' if hi is None else hi}}}"
            if self._peek() == "?":
                self.pos += 1
                text += "?"
        # `{n,m}+` is not possessive in Ruby either; the `+` repeats again,
        # which `_target` handles by wrapping the quantified piece.
        piece[0] += text
        piece[1] = "quantified"

    def _group(self, pieces: list[list], flags: _Flags) -> bool:
        """Parse a `(`…`)` group; True when an inline option `(?i)` consumed
        the rest of the enclosing group."""
        start = self.pos
        self.pos += 1
        if self._peek() != "?":
            self.groups_opened += 1
            if self.capture_plain:
                self.group_count += 1
                body = self._group_body(flags)
                pieces.append(["(" + body + ")", "atom"])
            else:
                body = self._group_body(flags)
                pieces.append(["(?:" + body + ")", "atom"])
            return False
        self.pos += 1
        c = self._peek()
        if c == "":
            raise InvalidRegexpError("end pattern in group")
        if c == ":":
            self.pos += 1
            pieces.append(["(?:" + self._group_body(flags) + ")", "atom"])
        elif c in "=!":
            self.pos += 1
            pieces.append(["(?" + c + self._group_body(flags) + ")", "anchor"])
        elif c == ">":
            self.pos += 1
            pieces.append(["(?>" + self._group_body(flags) + ")", "atom"])
        elif c == "#":
            end = self.src.find(")", self.pos)
            if end < 0:
                raise InvalidRegexpError("end pattern in group")
            self.pos = end + 1
        elif c == "~":
            raise UnsupportedRegexpError("(?~")
        elif c == "<" and self._peek(1) in ("=", "!"):
            kind = self._peek(1)
            self.pos += 2
            alts = self._alternatives(flags)
            self._close_group()
            self.lookbehinds.append(self.src[start:self.pos])
            if len(alts) == 1:
                text = "(?<" + kind + alts[0] + ")"
            elif kind == "=":
                # §7.3: alternatives of different lengths, one lookbehind each
                text = "(?:" + "|".join("(?<=" + a + ")" for a in alts) + ")"
            else:
                text = "(?:" + "".join("(?<!" + a + ")" for a in alts) + ")"
            pieces.append([text, "anchor"])
        elif c == "<" or c == "'":
            name = self._group_name(">" if c == "<" else "'")
            if name in self.names:
                # [deviation] Python cannot repeat a group name (DEVIATIONS.md R3)
                raise UnsupportedRegexpError(self.src[start:self.pos])
            self.names.append(name)
            self.groups_opened += 1
            self.group_count += 1
            pieces.append(["(?P<" + name + ">" + self._group_body(flags) + ")", "atom"])
        elif c == "(":
            pieces.append([self._conditional(flags), "atom"])
        else:
            return self._options_group(pieces, flags, start)
        return False

    def _group_name(self, close: str) -> str:
        self.pos += 1
        end = self.src.find(close, self.pos)
        if end < 0:
            raise InvalidRegexpError(f"invalid group name <{self.src[self.pos:]}>")
        name = self.src[self.pos:end]
        self.pos = end + 1
        if not name:
            raise InvalidRegexpError("group name is empty")
        if not re.fullmatch(r"\w+", name) or name[0].isdigit() or not name.isidentifier():
            raise InvalidRegexpError(f"invalid group name <{name}>")
        return name

    def _conditional(self, flags: _Flags) -> str:
        self.pos += 1
        m = re.compile(r"(\d+)\)|<(\w+)>\)|'(\w+)'\)").match(self.src, self.pos)
        if not m:
            raise InvalidRegexpError("invalid conditional pattern")
        self.pos = m.end()
        if m.group(1):
            ref = m.group(1)
            self.numbered_refs.append((int(ref), ref))
        else:
            ref = m.group(2) or m.group(3)
            self.named_refs.append((ref, ref))
        alts = self._alternatives(flags)
        self._close_group()
        if len(alts) > 2:
            raise InvalidRegexpError("invalid conditional pattern")
        return "(?(" + ref + ")" + "|".join(alts) + ")"

    def _options_group(self, pieces: list[list], flags: _Flags, start: int) -> bool:
        on, off = set(), set()
        target = on
        while True:
            c = self._peek()
            if c == "":
                raise InvalidRegexpError("end pattern in group")
            if c in "imx":
                target.add(c)
            elif c == "-" and target is on:
                target = off
            elif c in "adlu":
                raise UnsupportedRegexpError(self.src[start:self.pos + 1])
            elif c in ":)":
                break
            else:
                raise InvalidRegexpError("undefined group option")
            self.pos += 1
        new = _Flags(
            icase=("i" in on) or (flags.icase and "i" not in off),
            dotall=("m" in on) or (flags.dotall and "m" not in off),
            extended=("x" in on) or (flags.extended and "x" not in off),
        )
        py_on = ("i" if new.icase and not flags.icase else "") + ("s" if new.dotall and not flags.dotall else "")
        py_off = ("i" if flags.icase and not new.icase else "") + ("s" if flags.dotall and not new.dotall else "")
        head = "(?" + py_on + ("-" + py_off if py_off else "") + ":"
        if self._peek() == ":":
            self.pos += 1
            pieces.append([head + self._group_body(new) + ")", "atom"])
            return False
        # `(?i)`: applies to the rest of the enclosing group, later alternatives
        # included (`a(?i)b|c` ≡ `a(?i:b|c)`, §7.3).
        self.pos += 1
        pieces.append([head + self._alternation(new) + ")", "atom"])
        return True

    def _group_body(self, flags: _Flags) -> str:
        body = self._alternation(flags)
        self._close_group()
        return body

    def _close_group(self) -> None:
        if self._peek() != ")":
            raise InvalidRegexpError("end pattern with unmatched parenthesis")
        self.pos += 1

    # -- escapes outside classes --

    def _escape(self, pieces: list[list], flags: _Flags) -> None:
        start = self.pos - 1
        if self.pos >= self.n:
            raise InvalidRegexpError("too short escape sequence")
        c = self.src[self.pos]
        self.pos += 1
        if c in _ESCAPE_SETS:
            pieces.append(["[" + _ranges_text(_ESCAPE_SETS[c]) + "]", "atom"])
        elif c.lower() in _ESCAPE_SETS and c.isupper():
            pieces.append(["[^" + _ranges_text(_ESCAPE_SETS[c.lower()]) + "]", "atom"])
        elif c == "A":
            pieces.append(["\\A", "anchor"])
        elif c == "z":
            pieces.append(["\\Z", "anchor"])
        elif c == "Z":
            pieces.append(["(?=\\n?\\Z)", "anchor"])
        elif c == "b":
            pieces.append(["\\b", "anchor"])
        elif c == "B":
            # Python's \B never matches in an empty string; Ruby's does.
            pieces.append(["(?:\\B|\\A\\Z)", "anchor"])
        elif c in "GKXR":
            # [deviation] no Python equivalent (§7.3; DEVIATIONS.md R3)
            raise UnsupportedRegexpError("\\" + c)
        elif c in "pP" and self._peek() == "{":
            end = self.src.find("}", self.pos)
            raise UnsupportedRegexpError(self.src[start:(end + 1 if end >= 0 else self.n)])
        elif c == "g" and self._peek() in ("<", "'"):
            close = ">" if self._peek() == "<" else "'"
            end = self.src.find(close, self.pos + 1)
            raise UnsupportedRegexpError(self.src[start:(end + 1 if end >= 0 else self.n)])
        elif c == "k" and self._peek() in ("<", "'"):
            pieces.append([self._named_backref(), "atom"])
        elif "1" <= c <= "9":
            self._digits_escape(pieces, c, start, flags)
        else:
            self.pos = start
            for cp in self._char_escape(in_class=False):
                pieces.append([_lit(cp, flags.icase), "atom"])

    def _named_backref(self) -> str:
        close = ">" if self._peek() == "<" else "'"
        self.pos += 1
        end = self.src.find(close, self.pos)
        if end < 0:
            raise InvalidRegexpError("invalid backref number/name")
        ref = self.src[self.pos:end]
        self.pos = end + 1
        if re.fullmatch(r"-?\d+", ref):
            num = int(ref)
            if num < 0:
                num = self.groups_opened + 1 + num
            if num <= 0:
                raise InvalidRegexpError("invalid backref number/name")
            self.numbered_refs.append((num, ref))
            return f"(?:\\{num})"
        if not ref:
            raise InvalidRegexpError("group name is empty")
        self.named_refs.append((ref, ref))
        return "(?P=" + ref + ")"

    def _digits_escape(self, pieces: list[list], c: str, start: int, flags: _Flags) -> None:
        m = re.compile(r"\d+").match(self.src, self.pos - 1)
        num = int(m.group(0))
        # Onigmo: a backreference when the number is at most 9 or at most the
        # groups opened so far; otherwise an octal escape (or a plain 8/9).
        if num <= 9 or num <= self.groups_opened:
            self.pos = m.end()
            self.numbered_refs.append((num, m.group(0)))
            pieces.append([f"(?:\\{num})", "atom"])
            return
        if c in "89":
            pieces.append([_lit(ord(c), flags.icase), "atom"])
            return
        self.pos = start
        for cp in self._char_escape(in_class=False):
            pieces.append([_lit(cp, flags.icase), "atom"])

    def _char_escape(self, in_class: bool) -> list[int]:
        """Escape at `self.pos` (on the backslash) that stands for characters;
        returns their code points. Byte escapes (`\\xHH`, octal) combine into
        one UTF-8 character as in Ruby."""
        raw = self._byte_escape()
        if raw is not None:
            if raw < 0x80:
                return [raw]
            data = bytearray([raw])
            need = 1 if 0xC2 <= raw <= 0xDF else 2 if 0xE0 <= raw <= 0xEF else 3 if 0xF0 <= raw <= 0xF4 else 0
            if need == 0:
                raise InvalidRegexpError("invalid multibyte escape")
            for _ in range(need):
                save = self.pos
                b = self._byte_escape() if self._peek() == "\\" else None
                if b is None or not 0x80 <= b <= 0xBF:
                    self.pos = save
                    raise InvalidRegexpError("invalid multibyte escape")
                data.append(b)
            try:
                text = bytes(data).decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidRegexpError("invalid multibyte escape") from None
            return [ord(text)]
        self.pos += 1  # the backslash
        c = self.src[self.pos]
        self.pos += 1
        simple = {"t": 9, "n": 10, "r": 13, "f": 12, "v": 11, "a": 7, "e": 27}
        if c in simple:
            return [simple[c]]
        if c == "b" and in_class:
            return [8]
        if c == "u":
            return self._unicode_escape()
        if c == "c" or (c == "C" and self._peek() == "-"):
            if c == "C":
                self.pos += 1
            if self.pos >= self.n:
                raise InvalidRegexpError("too short control escape")
            x = self.src[self.pos]
            self.pos += 1
            if x == "\\":
                self.pos -= 1
                inner = self._char_escape(in_class)
                if len(inner) != 1 or inner[0] >= 0x80:
                    raise InvalidRegexpError("invalid control escape")
                x = chr(inner[0])
            return [0x7F if x == "?" else ord(x) & 0x9F]
        if c == "C":
            raise InvalidRegexpError("too short control escape")
        if c == "M":
            if self._peek() != "-":
                raise InvalidRegexpError("too short meta escape")
            # A meta character is a byte >= 0x80: never valid UTF-8 alone.
            raise InvalidRegexpError("too short escaped multibyte character")
        return [ord(c)]

    def _byte_escape(self) -> int | None:
        """`\\xH`, `\\xHH`, `\\0`, `\\0NN`, `\\NNN` at `self.pos`: the byte
        value, or None (position unchanged) when the escape is something else."""
        c = self._peek(1)
        if c == "x":
            m = re.compile(r"[0-9a-fA-F]{1,2}").match(self.src, self.pos + 2)
            if not m:
                raise InvalidRegexpError("invalid hex escape")
            self.pos = m.end()
            return int(m.group(0), 16)
        if c and "0" <= c <= "7":
            m = _OCTAL.match(self.src, self.pos + 1)
            value = int(m.group(0), 8)
            if value > 0xFF:
                raise InvalidRegexpError("invalid escape code")
            self.pos = m.end()
            return value
        return None

    def _unicode_escape(self) -> list[int]:
        if self._peek() == "{":
            end = self.src.find("}", self.pos)
            if end < 0:
                raise InvalidRegexpError("invalid Unicode list")
            body = self.src[self.pos + 1:end]
            self.pos = end + 1
            parts = body.split()
            if not parts or not all(re.fullmatch(r"[0-9a-fA-F]{1,6}", p) for p in parts):
                raise InvalidRegexpError("invalid Unicode list")
            cps = [int(p, 16) for p in parts]
        else:
            m = re.compile(r"[0-9a-fA-F]{4}").match(self.src, self.pos)
            if not m:
                if self.pos >= self.n:
                    raise InvalidRegexpError("too short escape sequence")
                raise InvalidRegexpError("invalid Unicode escape")
            self.pos = m.end()
            cps = [int(m.group(0), 16)]
        for cp in cps:
            if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                raise InvalidRegexpError("invalid Unicode range")
        return cps

    # -- character classes --

    def _class(self, flags: _Flags) -> str:
        start = self.pos - 1
        negated = False
        if self._peek() == "^":
            negated = True
            self.pos += 1
        items = _ClassItems()
        first = True
        pending: int | None = None   # last single code point, may start a range
        last_was_set = False
        while True:
            if self.pos >= self.n:
                raise InvalidRegexpError("premature end of char-class")
            c = self.src[self.pos]
            if c == "]" and not first:
                self.pos += 1
                break
            if c == "]" and first and self.src.find("]", self.pos + 1) < 0:
                raise InvalidRegexpError("empty char-class")
            first = False
            if c == "[":
                posix = re.compile(r"\[:(\^?)([a-z]+):\]").match(self.src, self.pos)
                if posix and posix.group(2) in _POSIX_SETS:
                    self.pos = posix.end()
                    self._posix(items, posix.group(1) == "^", posix.group(2))
                    last_was_set = True
                    pending = None
                    self._no_range_after_set()
                    continue
                if posix:
                    raise InvalidRegexpError("invalid POSIX bracket type")
                raise UnsupportedRegexpError(self._nested_text(start))
            if c == "&" and self._peek(1) == "&":
                raise UnsupportedRegexpError(self.src[start:self._class_end(start)])
            if c == "-" and pending is not None and self._peek(1) not in ("]", ""):
                # a range pending-X
                self.pos += 1
                hi = self._class_single(items)
                if hi is None:
                    raise InvalidRegexpError("char-class value at end of range")
                lo = pending
                if hi < lo:
                    raise InvalidRegexpError("empty range in char class")
                items.ranges[-1] = (lo, hi)
                pending = None
                last_was_set = False
                continue
            if c == "-" and last_was_set and self._peek(1) not in ("]", ""):
                raise InvalidRegexpError("unmatched range specifier in char-class")
            cp = self._class_single(items)
            if cp is None:
                last_was_set = True
                pending = None
                self._no_range_after_set()
                continue
            items.ranges.append((cp, cp))
            pending = cp
            last_was_set = False
        return items.emit(negated, flags.icase)

    def _no_range_after_set(self) -> None:
        if self._peek() == "-" and self._peek(1) not in ("]", ""):
            raise InvalidRegexpError("unmatched range specifier in char-class")

    def _nested_text(self, start: int) -> str:
        return self.src[start:self._class_end(start)]

    def _class_end(self, start: int) -> int:
        depth, i = 0, start
        while i < self.n:
            ch = self.src[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "[":
                depth += 1
            elif ch == "]" and i > start + 1:
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return self.n

    def _class_single(self, items: _ClassItems) -> int | None:
        """One class member at `self.pos`: its code point, or None after adding
        a set escape (`\\w`, `\\D`, …) to `items`."""
        c = self.src[self.pos]
        if c != "\\":
            self.pos += 1
            return ord(c)
        if self.pos + 1 >= self.n:
            raise InvalidRegexpError("premature end of char-class")
        e = self.src[self.pos + 1]
        if e in _ESCAPE_SETS or (e.isupper() and e.lower() in _ESCAPE_SETS):
            self.pos += 2
            base = _ESCAPE_SETS[e.lower()]
            if e.islower():
                items.ranges.extend((cp, cp) for cp in sorted(base))
            else:
                items.negated_sets.append(base)
            return None
        if e in "pP" and self._peek(2) == "{":
            end = self.src.find("}", self.pos)
            raise UnsupportedRegexpError(self.src[self.pos:(end + 1 if end >= 0 else self.n)])
        if e in "89":
            self.pos += 2
            return ord(e)
        cps = self._char_escape(in_class=True)
        # `\\u{41 42}` in a class: several members; all but the last go in now.
        items.ranges.extend((cp, cp) for cp in cps[:-1])
        return cps[-1]

    def _posix(self, items: _ClassItems, negated: bool, name: str) -> None:
        base = _POSIX_SETS[name]
        if base is None:  # [:word:] is Python's Unicode \w
            items.fragments.append(("\\W" if negated else "\\w",
                                    _ASCII - _UNICODE_WORD_ASCII if negated else _UNICODE_WORD_ASCII))
        elif negated:
            items.negated_sets.append(base)
        else:
            items.ranges.extend((cp, cp) for cp in sorted(base))


# --- public API ---------------------------------------------------------------

def _translate_pattern(source: str, options: int, capture_plain: bool) -> _Translator:
    tr = _Translator(source, options, capture_plain)
    tr.output = tr.run()
    return tr


@functools.lru_cache(maxsize=4096)
def translate(source: str, options: int = 0) -> TranslatedRegexp:
    """Translate a Ruby regexp source with Regexp option bits (IGNORECASE,
    EXTENDED, MULTILINE) to a compiled Python pattern. Raises
    RegexpTranslationError with the spec's message."""
    tr = _translate_pattern(source, options, capture_plain=True)
    if tr.names:
        # Onigmo: once a pattern has named groups, plain `(…)` groups do not
        # capture, so `$~[n]` counts the named groups only.
        tr = _translate_pattern(source, options, capture_plain=False)
        if tr.numbered_refs:
            raise InvalidRegexpError("numbered backref/call is not allowed. (use name)")
    for num, _text in tr.numbered_refs:
        if num > tr.group_count:
            raise InvalidRegexpError("invalid backref number/name")
    for name, _text in tr.named_refs:
        if name not in tr.names:
            raise InvalidRegexpError(f"undefined name <{name}> reference")
    flags = re.MULTILINE
    if options & IGNORECASE:
        flags |= re.IGNORECASE
    if options & MULTILINE:
        flags |= re.DOTALL
    try:
        pattern = re.compile(tr.output, flags)
    except re.error as e:
        # Valid Ruby that Python's engine refuses: variable-width lookbehind,
        # a reference to a group that is still open or comes later, …
        if "look-behind" in str(e) and tr.lookbehinds:
            raise UnsupportedRegexpError(tr.lookbehinds[0]) from None
        raise UnsupportedRegexpError(source) from None
    return TranslatedRegexp(source, options, pattern, tuple(tr.names))


def options_from_flags(flags: str) -> int:
    """Option bits for regexp literal flag letters (§1): `i m x`, `o` (handled
    by the evaluator), `u`/`n` accepted and ignored."""
    options = 0
    unknown = ""
    for c in flags:
        if c == "i":
            options |= IGNORECASE
        elif c == "x":
            options |= EXTENDED
        elif c == "m":
            options |= MULTILINE
        elif c not in "oun":
            unknown += c
    if len(unknown) == 1:
        raise UnknownRegexpOptionError(f"unknown regexp option - {unknown}")
    if unknown:
        raise UnknownRegexpOptionError(f"unknown regexp options - {unknown}")
    return options


_ESCAPE_MAP = {"\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", " ": "\\ "}
_ESCAPE_PUNCT = frozenset("#$()*+-.?[\\]^{|}")


def escape(text: str) -> str:
    """Regexp.escape / Regexp.quote."""
    out = []
    for ch in text:
        if ch in _ESCAPE_PUNCT:
            out.append("\\" + ch)
        else:
            out.append(_ESCAPE_MAP.get(ch, ch))
    return "".join(out)


def _source_text(source: str, inspect: bool) -> str:
    """The source as Regexp#inspect/#to_s show it. Unchanged unless it holds a
    `/` or an ASCII control character; then `/` becomes `\\/`, control
    characters other than white space `\\xHH`, and (inspect only, as Ruby 3.1
    prints it under a UTF-8 locale) non-ASCII characters `\\uXXXX`. An escape
    pair `\\c` is kept as written."""
    if "/" not in source and not _CONTROL.search(source):
        return source
    out = []
    i = 0
    n = len(source)
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            out.append(source[i:i + 2])
            i += 2
            continue
        if c == "/":
            out.append("\\/")
        elif (c < " " and c not in "\t\n\v\f\r") or c == "\x7f":
            out.append(f"\\x{ord(c):02X}")
        elif inspect and c > "\x7f":
            cp = ord(c)
            out.append(f"\\u{cp:04X}" if cp <= 0xFFFF else f"\\u{{{cp:X}}}")
        else:
            out.append(c)
        i += 1
    return "".join(out)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _flag_letters(options: int) -> str:
    return (("m" if options & MULTILINE else "") + ("i" if options & IGNORECASE else "")
            + ("x" if options & EXTENDED else ""))


def inspect_regexp(source: str, options: int) -> str:
    """Regexp#inspect: `/SOURCE/FLAGS`, flags in the order m, i, x (§7.1)."""
    return "/" + _source_text(source, inspect=True) + "/" + _flag_letters(options)


_OPTION_BITS = {"m": MULTILINE, "i": IGNORECASE, "x": EXTENDED}


def regexp_to_s(source: str, options: int) -> str:
    """Regexp#to_s: `(?FLAGS-OFF:SOURCE)`. Like Ruby, option groups that span
    the whole source (`(?i)…`, `(?i:…)`) are folded into the outer flags."""
    src, opts = source, options & (IGNORECASE | EXTENDED | MULTILINE)
    while len(src) >= 4 and src.startswith("(?"):
        i, new = 2, opts
        while i < len(src) and src[i] in _OPTION_BITS:
            new |= _OPTION_BITS[src[i]]
            i += 1
        if i + 1 < len(src) and src[i] == "-":
            i += 1
            while i < len(src) and src[i] in _OPTION_BITS:
                new &= ~_OPTION_BITS[src[i]]
                i += 1
        if i < len(src) and src[i] == ")":
            src, opts = src[i + 1:], new
            continue
        if i < len(src) and src[i] == ":" and src.endswith(")"):
            inner = src[i + 1:-1]
            try:
                translate(inner, new)
            except UnsupportedRegexpError:
                pass  # valid Ruby all the same
            except RegexpTranslationError:
                src, opts = source, options
                break
            src, opts = inner, new
            break
        src, opts = source, options
        break
    on = _flag_letters(opts)
    off = _flag_letters(~opts & (IGNORECASE | EXTENDED | MULTILINE))
    return "(?" + on + ("-" + off if off else "") + ":" + _source_text(src, inspect=False) + ")"
