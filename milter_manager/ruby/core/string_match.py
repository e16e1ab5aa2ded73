"""String slicing, matching, substitution, scanning and splitting
(`ruby-subset.md` §6 String notes: `[]`, `split`, `sub`/`gsub`, `$~`)."""

from __future__ import annotations

from typing import Any

from ..native import Registry
from ..objects import RArray, RHash, RMatchData, RRange, RRegexp, RString
from . import string_text as T
from .regexp_class import literal_regexp, make_regexp, regexp_match
from .string import mutate
from .util import int_arg, str_arg

reg = Registry()
S = "String"


def range_bounds(f: Any, r: RRange, n: int) -> tuple[int, int] | None:
    """rb_range_beg_len: (start, length) of a Range over n items, or None."""
    lo = 0 if r.low is None else int_arg(f, r.low)
    hi = n if r.high is None else int_arg(f, r.high)
    excl = r.excl and r.high is not None
    if lo < 0:
        lo += n
        if lo < 0:
            return None
    if lo > n:
        return None
    if hi < 0:
        hi += n
    if not excl:
        hi += 1
    hi = min(hi, n)
    length = hi - lo
    length = max(length, 0)
    return lo, length


def _set_md(f: Any, md: Any) -> None:
    f.home.last_match = md


# --- [] / slice ----------------------------------------------------------------------

def str_index(f: Any, self: RString, args: list) -> Any:
    s = self.s
    n = len(s)
    a = args[0]
    if len(args) == 2:
        if isinstance(a, RRegexp):
            md = regexp_match(f, a, s)
            if md is None:
                return None
            from .matchdata import md_index
            return md_index(f, md, args[1])
        start = int_arg(f, a)
        length = int_arg(f, args[1])
        if start < 0:
            start += n
        if start < 0 or start > n or length < 0:
            return None
        return RString(s[start:start + length])
    if a.__class__ is int:
        if a < 0:
            a += n
        if 0 <= a < n:
            return RString(s[a])
        return None
    if isinstance(a, RRange):
        b = range_bounds(f, a, n)
        if b is None:
            return None
        return RString(s[b[0]:b[0] + b[1]])
    if isinstance(a, RRegexp):
        md = regexp_match(f, a, s)
        return None if md is None else RString(md.m.group(0))
    if isinstance(a, RString):
        return RString(a.s) if a.s in s else None
    idx = int_arg(f, a)
    return str_index(f, self, [idx])


@reg.method(S, "[]", "slice", arity=(1, 2))
def index_op(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return str_index(f, self, args)


def _span(f: Any, self: RString, args: list) -> tuple[int, int]:
    """The (start, end) a `[]=`/`slice!` selector denotes; IndexError if none."""
    interp = f.interp
    s = self.s
    n = len(s)
    a = args[0]
    if len(args) == 2 and not isinstance(a, RRegexp):
        start = int_arg(f, a)
        length = int_arg(f, args[1])
        if start < 0:
            start += n
        if start < 0 or start > n:
            raise interp.error("IndexError", f"index {int_arg(f, a)} out of string")
        if length < 0:
            raise interp.error("IndexError", f"negative length {length}")
        return start, min(n, start + length)
    if a.__class__ is int:
        i = a + n if a < 0 else a
        if i < 0 or i >= n:
            raise interp.error("IndexError", f"index {a} out of string")
        return i, i + 1
    if isinstance(a, RRange):
        b = range_bounds(f, a, n)
        if b is None:
            raise interp.error("RangeError", f"{interp.inspect(f, a)} out of range")
        return b[0], b[0] + b[1]
    if isinstance(a, RRegexp):
        md = regexp_match(f, a, s)
        if md is None:
            raise interp.error("IndexError", "regexp not matched")
        g = 0
        if len(args) == 2:
            from .matchdata import group_index
            g = group_index(f, md, args[1])
        return md.m.span(g)
    if isinstance(a, RString):
        i = s.find(a.s)
        if i < 0:
            raise interp.error("IndexError", "string not matched")
        return i, i + len(a.s)
    return _span(f, self, [int_arg(f, a)] + args[1:])


@reg.method(S, "[]=", arity=(2, 3))
def index_set(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    value = args[-1]
    start, end = _span(f, self, args[:-1])
    mutate(f, self, self.s[:start] + str_arg(f, value) + self.s[end:])
    return value


@reg.method(S, "slice!", arity=(1, 2))
def slice_bang(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    got = str_index(f, self, args)
    if got is None:
        return None
    start, end = _span(f, self, args)
    mutate(f, self, self.s[:start] + self.s[end:])
    return got


# --- matching ---------------------------------------------------------------------------

def _as_regexp(f: Any, pat: Any) -> RRegexp:
    """`match`/`match?`: a String argument is a regexp source."""
    if isinstance(pat, RRegexp):
        return pat
    return make_regexp(f.interp, f, str_arg(f, pat), 0)


def _literal(f: Any, pat: Any) -> RRegexp:
    """`sub`/`gsub`/`scan`/`index`/`split`: a String argument matches literally."""
    if isinstance(pat, RRegexp):
        return pat
    return literal_regexp(str_arg(f, pat))


@reg.method(S, "=~", arity=1)
def match_op(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if isinstance(o, RRegexp):
        md = regexp_match(f, o, self.s)
        return None if md is None else md.m.start()
    if isinstance(o, RString):
        raise f.interp.error("TypeError", "wrong argument type String (expected Regexp)")
    return f.interp.send(f, o, "=~", [self])


@reg.method(S, "match", arity=(1, 2))
def match(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    rx = _as_regexp(f, args[0])
    pos = int_arg(f, args[1]) if len(args) > 1 else 0
    md = regexp_match(f, rx, self.s, pos)
    if md is not None and blk is not None:
        return blk.code.call(blk, f, [md], None)
    return md


@reg.method(S, "match?", arity=(1, 2))
def match_p(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    rx = _as_regexp(f, args[0])
    pos = int_arg(f, args[1]) if len(args) > 1 else 0
    if pos < 0:
        pos += len(self.s)
        if pos < 0:
            return False
    return rx.pattern.search(self.s, pos) is not None


@reg.method(S, "index", arity=(1, 2))
def index(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    s = self.s
    pos = int_arg(f, args[1]) if len(args) > 1 else 0
    if pos < 0:
        pos += len(s)
        if pos < 0:
            if isinstance(args[0], RRegexp):
                _set_md(f, None)
            return None
    if pos > len(s):
        return None
    pat = args[0]
    if isinstance(pat, RRegexp):
        md = regexp_match(f, pat, s, pos)
        return None if md is None else md.m.start()
    i = s.find(str_arg(f, pat), pos)
    return None if i < 0 else i


@reg.method(S, "rindex", arity=(1, 2))
def rindex(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    s = self.s
    n = len(s)
    pos = int_arg(f, args[1]) if len(args) > 1 else n
    if pos < 0:
        pos += n
        if pos < 0:
            return None
    pos = min(pos, n)
    pat = args[0]
    if isinstance(pat, RRegexp):
        for i in range(pos, -1, -1):
            m = pat.pattern.match(s, i)
            if m is not None:
                _set_md(f, RMatchData(m, pat, s))
                return i
        _set_md(f, None)
        return None
    sub = str_arg(f, pat)
    i = s.rfind(sub, 0, pos + len(sub))
    return None if i < 0 else i


# --- sub / gsub ------------------------------------------------------------------------------

def substitute(f: Any, self: RString, args: list, blk: Any, global_: bool) -> str | None:
    """The substituted text, or None when nothing matched."""
    interp = f.interp
    if len(args) == 1 and blk is None:
        raise interp.error("ArgumentError", "wrong number of arguments (given 1, expected 2)")
    rx = _literal(f, args[0])
    s = self.s
    repl: Any = None
    table: RHash | None = None
    if len(args) == 2:
        if isinstance(args[1], RHash):
            table = args[1]
        else:
            repl = str_arg(f, args[1])
    out: list[str] = []
    pos = 0
    last = None

    def error(msg: str) -> None:
        raise interp.error("IndexError", msg)
    for m in rx.pattern.finditer(s):
        md = RMatchData(m, rx, s)
        last = md
        out.append(s[pos:m.start()])
        if repl is not None:
            out.append(T.expand_replacement(repl, m, tuple(rx.names), error))
        elif table is not None:
            out.append(interp.to_s(f, interp.send(f, table, "[]", [RString(m.group(0))])))
        else:
            _set_md(f, md)
            out.append(interp.to_s(f, blk.code.call(blk, f, [RString(m.group(0))], None)))
        pos = m.end()
        if not global_:
            break
    _set_md(f, last)
    if last is None:
        return None
    out.append(s[pos:])
    return "".join(out)


@reg.method(S, "sub", arity=(1, 2))
def sub(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    r = substitute(f, self, args, blk, False)
    return RString(self.s if r is None else r)


@reg.method(S, "gsub", arity=(1, 2))
def gsub(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if len(args) == 1 and blk is None:
        from .util import enum_for
        return enum_for(f, self, "gsub", args)
    r = substitute(f, self, args, blk, True)
    return RString(self.s if r is None else r)


@reg.method(S, "sub!", arity=(1, 2))
def sub_bang(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if self.frozen:
        raise f.interp.frozen_error(f, self)
    r = substitute(f, self, args, blk, False)
    if r is None:
        return None
    mutate(f, self, r)
    return self


@reg.method(S, "gsub!", arity=(1, 2))
def gsub_bang(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if self.frozen:
        raise f.interp.frozen_error(f, self)
    r = substitute(f, self, args, blk, True)
    if r is None:
        return None
    mutate(f, self, r)
    return self


@reg.method(S, "scan", arity=1)
def scan(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    rx = _literal(f, args[0])
    s = self.s
    groups = rx.pattern.groups or 0
    out = RArray()
    last = None
    for m in rx.pattern.finditer(s):
        md = RMatchData(m, rx, s)
        last = md
        if groups:
            item: Any = RArray(None if g is None else RString(g) for g in m.groups())
        else:
            item = RString(m.group(0))
        if blk is not None:
            _set_md(f, md)
            blk.code.call(blk, f, [item], None)
        else:
            out.append(item)
    _set_md(f, last)
    return self if blk is not None else out


# --- split / partition ------------------------------------------------------------------------

@reg.method(S, "split", arity=(0, 2))
def split(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    s = self.s
    pat = args[0] if args else None
    limit: int | None = None
    lim = 0
    if len(args) > 1:
        lim = int_arg(f, args[1])
        if lim == 1:
            parts = [s] if s else []
            return _split_result(f, self, parts, blk)
        if lim > 0:
            limit = lim
    if pat is None:
        pat = f.interp.gvars.get("$;")
    if pat is None or (isinstance(pat, RString) and pat.s == " "):
        parts = T.split_awk(s, limit, lim)
    elif isinstance(pat, RRegexp):
        parts = T.split_regexp(s, pat.pattern, limit, lim)
    else:
        parts = T.split_string(s, str_arg(f, pat), limit, lim)
    return _split_result(f, self, parts, blk)


def _split_result(f: Any, self: RString, parts: list[str], blk: Any) -> Any:
    if blk is not None:
        for p in parts:
            blk.code.call(blk, f, [RString(p)], None)
        return self
    return RArray(RString(p) for p in parts)


@reg.method(S, "partition", arity=1)
def partition(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    s = self.s
    pat = args[0]
    if isinstance(pat, RRegexp):
        md = regexp_match(f, pat, s)
        if md is None:
            return RArray([RString(s), RString(""), RString("")])
        a, b = md.m.span()
        return RArray([RString(s[:a]), RString(s[a:b]), RString(s[b:])])
    sep = str_arg(f, pat)
    i = s.find(sep)
    if i < 0:
        return RArray([RString(s), RString(""), RString("")])
    return RArray([RString(s[:i]), RString(sep), RString(s[i + len(sep):])])


@reg.method(S, "rpartition", arity=1)
def rpartition(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    s = self.s
    pat = args[0]
    if isinstance(pat, RRegexp):
        for i in range(len(s), -1, -1):
            m = pat.pattern.match(s, i)
            if m is not None:
                _set_md(f, RMatchData(m, pat, s))
                a, b = m.span()
                return RArray([RString(s[:a]), RString(s[a:b]), RString(s[b:])])
        _set_md(f, None)
        return RArray([RString(""), RString(""), RString(s)])
    sep = str_arg(f, pat)
    i = s.rfind(sep)
    if i < 0:
        return RArray([RString(""), RString(""), RString(s)])
    return RArray([RString(s[:i]), RString(sep), RString(s[i + len(sep):])])
