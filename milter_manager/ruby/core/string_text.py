"""Pure text algorithms behind String methods, kept apart from the natives:
`split`, `succ`, `tr`-style character sets, numeric parsing (`to_i`, `to_f`,
`hex`, `oct`) and replacement-string expansion for `sub`/`gsub`
(`ruby-subset.md` §6 String notes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

AWK_SPACE = " \t\n\v\f\r"
STRIP_CHARS = " \t\n\v\f\r\0"


# --- split ----------------------------------------------------------------------

def finish_split(s: str, result: list[str], beg: int, limit: int | None, lim: int) -> list[str]:
    if len(s) > 0 and (limit is not None or len(s) > beg or lim < 0):
        result.append(s[beg:])
    if limit is None and lim == 0:
        while result and result[-1] == "":
            result.pop()
    return result


def split_awk(s: str, limit: int | None, lim: int) -> list[str]:
    result: list[str] = []
    beg = 0
    end = 0
    skip = True
    i = 1
    for pos, c in enumerate(s):
        if skip:
            if c in AWK_SPACE:
                beg = pos + 1
            else:
                end = pos + 1
                skip = False
                if limit is not None and lim <= i:
                    break
        elif c in AWK_SPACE:
            result.append(s[beg:end])
            skip = True
            beg = pos + 1
            if limit is not None:
                i += 1
        else:
            end = pos + 1
    return finish_split(s, result, beg, limit, lim)


def split_string(s: str, sep: str, limit: int | None, lim: int) -> list[str]:
    result: list[str] = []
    if sep == "":
        i = 1
        beg = 0
        for pos in range(len(s)):
            if limit is not None and lim <= i:
                break
            result.append(s[pos])
            beg = pos + 1
            i += 1
        return finish_split(s, result, beg, limit, lim)
    beg = 0
    i = 1
    n = len(s)
    while beg < n:
        end = s.find(sep, beg)
        if end < 0:
            break
        result.append(s[beg:end])
        beg = end + len(sep)
        i += 1
        if limit is not None and lim <= i:
            break
    return finish_split(s, result, beg, limit, lim)


def split_regexp(s: str, pattern: re.Pattern, limit: int | None, lim: int) -> list[str]:
    result: list[str] = []
    beg = 0
    start = 0
    last_null = False
    i = 1
    n = len(s)
    while start <= n:
        m = pattern.search(s, start)
        if m is None:
            break
        end = m.start()
        if start == end and m.start() == m.end():
            if n == 0:
                result.append("")
                break
            if last_null:
                result.append(s[beg:beg + 1])
                beg = start
            else:
                start += 1
                last_null = True
                continue
        else:
            result.append(s[beg:end])
            beg = start = m.end()
        last_null = False
        for g in range(1, (pattern.groups or 0) + 1):
            if m.start(g) != -1:
                result.append(m.group(g))
        i += 1
        if limit is not None and lim <= i:
            break
    return finish_split(s, result, beg, limit, lim)


# --- succ -------------------------------------------------------------------------

def _succ_char(c: str) -> tuple[str, bool]:
    """(next char, wrapped) for an alphanumeric ASCII char."""
    if c == "z":
        return "a", True
    if c == "Z":
        return "A", True
    if c == "9":
        return "0", True
    return chr(ord(c) + 1), False


def _alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def string_succ(s: str) -> str:
    if not s:
        return ""
    chars = list(s)
    if not any(_alnum(c) for c in chars):
        # No alphanumerics: increment the rightmost character, carrying.
        i = len(chars) - 1
        while i >= 0:
            cp = ord(chars[i])
            if cp < 0x10FFFF:
                chars[i] = chr(cp + 1)
                return "".join(chars)
            chars[i] = "\0"
            i -= 1
        return "\x01" + "".join(chars)
    last_alnum: str | None = None
    prev_not_char = False
    carry_pos = -1
    i = len(chars) - 1
    while i >= 0:
        c = chars[i]
        if prev_not_char and last_alnum is not None and (
                (last_alnum.isalpha() and c.isdigit()) or (last_alnum.isdigit() and c.isalpha())):
            break
        if not _alnum(c):
            prev_not_char = True
            i -= 1
            continue
        prev_not_char = False
        nxt, wrapped = _succ_char(c)
        chars[i] = nxt
        if not wrapped:
            return "".join(chars)
        last_alnum = c
        carry_pos = i
        i -= 1
    assert last_alnum is not None
    carry = "1" if last_alnum.isdigit() else ("a" if last_alnum.islower() else "A")
    chars.insert(carry_pos, carry)
    return "".join(chars)


# --- character sets (tr, delete, squeeze, count) ----------------------------------------

class CharSet:
    """A `tr`-style set: ranges `a-z`, leading `^` negates, `\\` escapes."""

    def __init__(self, spec: str) -> None:
        self.negated = len(spec) > 1 and spec[0] == "^"
        body = spec[1:] if self.negated else spec
        self.chars: list[str] = []
        i = 0
        n = len(body)
        while i < n:
            c = body[i]
            if c == "\\" and i + 1 < n:
                c = body[i + 1]
                i += 2
            else:
                i += 1
            if i < n - 1 and body[i] == "-":
                hi = body[i + 1]
                if hi == "\\" and i + 2 < n:
                    hi = body[i + 2]
                    i += 1
                i += 2
                if ord(hi) < ord(c):
                    raise ValueError(f'invalid range "{c}-{hi}" in string transliteration')
                self.chars.extend(chr(x) for x in range(ord(c), ord(hi) + 1))
            else:
                self.chars.append(c)
        self.members = set(self.chars)

    def __contains__(self, c: str) -> bool:
        return (c in self.members) != self.negated


def in_all(c: str, sets: list[CharSet]) -> bool:
    return all(c in cs for cs in sets)


def translate(s: str, from_spec: str, to_spec: str, squeeze: bool = False) -> str:
    src = CharSet(from_spec)
    dst = CharSet(to_spec).chars if to_spec else []
    out: list[str] = []
    last: str | None = None
    if src.negated:
        repl = dst[-1] if dst else None
        for c in s:
            if c in src:
                if repl is None:
                    continue
                if squeeze and last == repl:
                    continue
                out.append(repl)
                last = repl
            else:
                out.append(c)
                last = None
        return "".join(out)
    table: dict[str, str | None] = {}
    for idx, c in enumerate(src.chars):
        if c in table:
            continue
        if not dst:
            table[c] = None
        else:
            table[c] = dst[idx] if idx < len(dst) else dst[-1]
    for c in s:
        if c in table:
            r = table[c]
            if r is None:
                continue
            if squeeze and last == r:
                continue
            out.append(r)
            last = r
        else:
            out.append(c)
            last = None
    return "".join(out)


# --- numbers ----------------------------------------------------------------------------

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def parse_int_prefix(s: str, base: int) -> int:
    """String#to_i: whitespace, sign, optional prefix, digits with single
    underscores; stops at the first invalid character."""
    i = 0
    n = len(s)
    while i < n and s[i] in AWK_SPACE:
        i += 1
    sign = 1
    if i < n and s[i] in "+-":
        if s[i] == "-":
            sign = -1
        i += 1
    low = s[i:i + 2].lower()
    if (base == 16 and low == "0x") or (base == 2 and low == "0b") or \
            (base == 8 and low == "0o") or (base == 10 and low == "0d"):
        i += 2
    value = 0
    seen = False
    prev_us = False
    while i < n:
        c = s[i].lower()
        if c == "_":
            if not seen or prev_us:
                break
            prev_us = True
            i += 1
            continue
        d = _DIGITS.find(c) if c.isascii() else -1
        if d < 0 or d >= base:
            break
        value = value * base + d
        seen = True
        prev_us = False
        i += 1
    return sign * value


_FLOAT_PREFIX = re.compile(
    r"[ \t\n\v\f\r]*([+-]?(?:\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)"
    r"(?:[eE][+-]?\d+(?:_\d+)*)?)")


def parse_float_prefix(s: str) -> float:
    m = _FLOAT_PREFIX.match(s)
    if m is None:
        return 0.0
    text = m.group(1).replace("_", "")
    try:
        return float(text)
    except ValueError:
        return 0.0


def parse_hex(s: str) -> int:
    return parse_int_prefix(s, 16)


def parse_oct(s: str) -> int:
    t = s.lstrip(AWK_SPACE)
    sign = ""
    if t[:1] in "+-":
        sign, t = t[0], t[1:]
    low = t[:2].lower()
    base = {"0x": 16, "0b": 2, "0o": 8, "0d": 10}.get(low, 8)
    v = parse_int_prefix(t, base)
    return -v if sign == "-" else v


# --- sub/gsub replacement strings ---------------------------------------------------------

def expand_replacement(repl: str, m: re.Match, names: tuple, error: Callable[[str], Any]) -> str:
    if "\\" not in repl:
        return repl
    out: list[str] = []
    i = 0
    n = len(repl)
    s = m.string
    while i < n:
        c = repl[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        d = repl[i + 1]
        if d.isdigit():
            g = int(d)
            if g <= (m.re.groups or 0):
                out.append(m.group(g) or "")
            i += 2
        elif d == "&":
            out.append(m.group(0))
            i += 2
        elif d == "`":
            out.append(s[:m.start()])
            i += 2
        elif d == "'":
            out.append(s[m.end():])
            i += 2
        elif d == "\\":
            out.append("\\")
            i += 2
        elif d == "+":
            for g in range(m.re.groups or 0, 0, -1):
                if m.group(g) is not None:
                    out.append(m.group(g))
                    break
            i += 2
        elif d == "k" and i + 2 < n and repl[i + 2] == "<":
            close = repl.find(">", i + 3)
            if close < 0:
                out.append("\\k")
                i += 2
                continue
            name = repl[i + 3:close]
            if name not in m.re.groupindex:
                if name.isdigit():
                    out.append(m.group(int(name)) or "")
                else:
                    error(f"undefined group name reference: {name}")
            else:
                out.append(m.group(name) or "")
            i = close + 1
        else:
            out.append("\\" + d)
            i += 2
    return "".join(out)


def strip_chars(s: str, left: bool, right: bool) -> str:
    if left:
        s = s.lstrip(STRIP_CHARS)
    if right:
        s = s.rstrip(STRIP_CHARS)
    return s


def chomp(s: str, sep: str | None) -> str:
    if sep is None:
        if s.endswith("\r\n"):
            return s[:-2]
        if s.endswith(("\n", "\r")):
            return s[:-1]
        return s
    if sep == "":
        while s.endswith(("\r\n", "\n")):
            s = s[:-2] if s.endswith("\r\n") else s[:-1]
        return s
    if sep == "\n":
        return chomp(s, None)
    if s.endswith(sep):
        return s[:-len(sep)]
    return s


def each_line(s: str, sep: str | None, chomp_lines: bool) -> list[str]:
    if sep is None:
        return [s] if s else []
    lines: list[str] = []
    if sep == "":
        # Paragraph mode: split after runs of two or more newlines.
        parts = re.split(r"(?<=\n\n)(?=[^\n])", s)
        for p in parts:
            if p:
                lines.append(p.rstrip("\n") if chomp_lines else re.sub(r"\n\n+\Z", "\n\n", p))
        return lines
    start = 0
    n = len(s)
    while start < n:
        idx = s.find(sep, start)
        if idx < 0:
            lines.append(s[start:])
            break
        end = idx + len(sep)
        line = s[start:end]
        if chomp_lines:
            line = line[:-len(sep)]
            if sep == "\n" and line.endswith("\r"):
                line = line[:-1]
        lines.append(line)
        start = end
    return lines
