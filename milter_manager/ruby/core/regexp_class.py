"""Regexp (`ruby-subset.md` §6 Regexp, §7.1, §7.3) and the `$~` family of
globals. Translation to Python `re` is `regexp.py`'s job; this module makes
Ruby objects of it and runs matches (positions are character offsets)."""

from __future__ import annotations

import re
from typing import Any

from ..native import Registry
from ..objects import RArray, RMatchData, RRegexp, RString, RSymbol
from ..regexp import RegexpTranslationError, translate
from .util import int_arg, truthy

reg = Registry()
R = "Regexp"
IGNORECASE, EXTENDED, MULTILINE = 1, 2, 4


def unescape_slashes(source: str) -> str:
    """Ruby keeps `\\/` of a literal as `/` in Regexp#source."""
    if "\\/" not in source:
        return source
    out = []
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            out.append(source[i + 1] if source[i + 1] == "/" else source[i:i + 2])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def make_regexp(interp: Any, f: Any, source: str, options: int, literal: bool = False) -> RRegexp:
    if literal:
        source = unescape_slashes(source)
    try:
        tr = translate(source, options & 7)
    except RegexpTranslationError as e:
        raise interp.make_error(f, "RegexpError", e.message) if f is not None \
            else interp.error("RegexpError", e.message) from None
    return RRegexp(source, options & 7, tr.pattern, list(tr.group_names))


def regexp_match(f: Any, rx: RRegexp, s: str, pos: int = 0, set_last: bool = True) -> RMatchData | None:
    if pos < 0:
        pos += len(s)
        if pos < 0:
            if set_last:
                f.home.last_match = None
            return None
    m = rx.pattern.search(s, pos)
    md = RMatchData(m, rx, s) if m is not None else None
    if set_last:
        f.home.last_match = md
    return md


def to_regexp(f: Any, pat: Any) -> RRegexp:
    """A pattern argument: a Regexp, or a String matched literally."""
    if isinstance(pat, RRegexp):
        return pat
    if isinstance(pat, RString):
        return literal_regexp(pat.s)
    raise f.interp.error("TypeError",
                         f"wrong argument type {f.interp.class_name(pat)} (expected Regexp)")


_literal_cache: dict[str, RRegexp] = {}


def literal_regexp(s: str) -> RRegexp:
    rx = _literal_cache.get(s)
    if rx is None:
        rx = RRegexp(escape(s), 0, re.compile(re.escape(s)), [])
        if len(_literal_cache) < 1024:
            _literal_cache[s] = rx
    return rx


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\f": "\\f", "\v": "\\v", " ": "\\ "}


def escape(s: str) -> str:
    out = []
    for c in s:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif c in ".*?+^$|()[]{}\\-#":
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def flag_letters(options: int) -> str:
    return ("m" if options & MULTILINE else "") + ("i" if options & IGNORECASE else "") + \
        ("x" if options & EXTENDED else "")


def inspect_regexp(rx: RRegexp) -> str:
    out = []
    src = rx.source
    i = 0
    while i < len(src):
        c = src[i]
        if c == "\\" and i + 1 < len(src):
            out.append(src[i:i + 2])
            i += 2
            continue
        if c == "/":
            out.append("\\/")
        elif c == "\n":
            out.append("\\n")
        else:
            out.append(c)
        i += 1
    return "/" + "".join(out) + "/" + flag_letters(rx.options)


def regexp_to_s(rx: RRegexp) -> str:
    on = flag_letters(rx.options)
    off = "".join(c for c in "mix" if c not in on)
    return f"(?{on}{'-' + off if off else ''}:{rx.source})"


@reg.setup
def _constants(interp: Any) -> None:
    interp.Regexp.consts.update({"IGNORECASE": IGNORECASE, "EXTENDED": EXTENDED,
                                 "MULTILINE": MULTILINE})
    _install_match_globals(interp)


def _install_match_globals(interp: Any) -> None:
    def md(f: Any) -> Any:
        return f.home.last_match if f is not None and f.home is not None else None

    def set_md(f: Any, v: Any) -> None:
        if v is not None and not isinstance(v, RMatchData):
            raise interp.error("TypeError", f"wrong argument type {interp.class_name(v)} "
                               f"(expected MatchData)")
        f.home.last_match = v

    def text(fn: Any) -> Any:
        def get(f: Any) -> Any:
            m = md(f)
            if m is None:
                return None
            r = fn(m)
            return None if r is None else RString(r)
        return get

    def last_paren(m: RMatchData) -> str | None:
        for g in range(m.m.re.groups, 0, -1):
            if m.m.group(g) is not None:
                return m.m.group(g)
        return None

    interp.special_gvars.update({
        "$~": (md, set_md),
        "$&": (text(lambda m: m.m.group(0)), None),
        "$`": (text(lambda m: m.string[:m.m.start()]), None),
        "$'": (text(lambda m: m.string[m.m.end():]), None),
        "$+": (text(last_paren), None),
    })
    interp.nth_ref = lambda f, n: _nth(md(f), n)


def _nth(m: RMatchData | None, n: int) -> Any:
    if m is None or n > (m.m.re.groups or 0):
        return None
    g = m.m.group(n)
    return None if g is None else RString(g)


# --- Regexp class methods --------------------------------------------------------

@reg.smethod(R, "new", "compile", arity=(1, 3))
def new(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    src = args[0]
    if isinstance(src, RRegexp):
        return RRegexp(src.source, src.options, src.pattern, src.names)
    source = interp.to_str(f, src)
    opts = 0
    if len(args) > 1:
        o = args[1]
        if o.__class__ is int:
            opts = o & 7
        elif isinstance(o, RString):
            for c in o.s:
                if c not in "mix":
                    raise interp.error("ArgumentError", f"unknown regexp option: {o.s}")
            opts = (IGNORECASE if "i" in o.s else 0) | (EXTENDED if "x" in o.s else 0) | \
                (MULTILINE if "m" in o.s else 0)
        elif truthy(o):
            opts = IGNORECASE
    rx = make_regexp(interp, f, source, opts)
    if self is not interp.Regexp:
        rx.cls = self
    return rx


@reg.smethod(R, "escape", "quote", arity=1)
def escape_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    v = args[0]
    s = v.name if isinstance(v, RSymbol) else f.interp.to_str(f, v)
    return RString(escape(s))


@reg.smethod(R, "union", arity=-1)
def union(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    pats = list(args[0]) if len(args) == 1 and isinstance(args[0], RArray) else args
    if not pats:
        return make_regexp(interp, f, "(?!)", 0)
    parts = []
    for p in pats:
        if isinstance(p, RRegexp):
            parts.append(regexp_to_s(p) if len(pats) > 1 else p.source)
        else:
            parts.append(escape(interp.to_str(f, p)))
    if len(pats) == 1 and isinstance(pats[0], RRegexp):
        return pats[0]
    return make_regexp(interp, f, "|".join(parts), 0)


@reg.smethod(R, "last_match", arity=(0, 1))
def last_match(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    m = f.home.last_match
    if not args:
        return m
    if m is None:
        return None
    from .matchdata import md_index
    return md_index(f, m, args[0])


# --- Regexp instance methods ------------------------------------------------------

def _subject(f: Any, v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, RSymbol):
        return v.name
    return f.interp.to_str(f, v)


@reg.method(R, "=~", arity=1)
def match_op(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    s = _subject(f, args[0])
    if s is None:
        f.home.last_match = None
        return None
    md = regexp_match(f, self, s)
    return md.m.start() if md is not None else None


@reg.method(R, "match", arity=(1, 2))
def match(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    s = _subject(f, args[0])
    if s is None:
        f.home.last_match = None
        return None
    pos = int_arg(f, args[1]) if len(args) > 1 else 0
    md = regexp_match(f, self, s, pos)
    if md is not None and blk is not None:
        return blk.code.call(blk, f, [md], None)
    return md


@reg.method(R, "match?", arity=(1, 2))
def match_p(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    s = _subject(f, args[0])
    if s is None:
        return False
    pos = int_arg(f, args[1]) if len(args) > 1 else 0
    if pos < 0:
        pos += len(s)
    return self.pattern.search(s, pos) is not None


@reg.method(R, "===", arity=1)
def case_eq(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    v = args[0]
    if v.__class__ is RString:
        s = v.s
        m = self.pattern.search(s)
        f.home.last_match = None if m is None else RMatchData(m, self, s)
        return m is not None
    if isinstance(v, RSymbol):
        v = RString(v.name)
    if not isinstance(v, RString):
        return False
    return regexp_match(f, self, v.s) is not None


@reg.method(R, "~", arity=0)
def tilde(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    line = f.interp.gvars.get("$_")
    if not isinstance(line, RString):
        f.home.last_match = None
        return None
    md = regexp_match(f, self, line.s)
    return md.m.start() if md is not None else None


@reg.method(R, "source", arity=0)
def source(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.source, frozen=True)


@reg.method(R, "options", arity=0)
def options(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    return self.options


@reg.method(R, "casefold?", arity=0)
def casefold(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    return bool(self.options & IGNORECASE)


@reg.method(R, "to_s", arity=0)
def to_s(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    return RString(regexp_to_s(self))


@reg.method(R, "inspect", arity=0)
def inspect(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    return RString(inspect_regexp(self))


@reg.method(R, "names", arity=0)
def names(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    return RArray(RString(n) for n in self.names)


@reg.method(R, "==", "eql?", arity=1)
def eq(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    return isinstance(o, RRegexp) and o.source == self.source and o.options == self.options


@reg.method(R, "hash", arity=0)
def hash_(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    return hash((self.source, self.options))


@reg.method(R, "freeze", arity=0)
def freeze(f: Any, self: RRegexp, args: list, kw: Any, blk: Any) -> Any:
    return self
