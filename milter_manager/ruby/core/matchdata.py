"""MatchData (`ruby-subset.md` §6): captures by number or name, positions in
characters."""

from __future__ import annotations

from typing import Any

from ..native import Registry
from ..objects import RArray, RHash, RMatchData, RRange, RString, RSymbol
from ..text import inspect_string

reg = Registry()
MD = "MatchData"


def _group(m: RMatchData, g: Any) -> str | None:
    return m.m.group(g)


def _ngroups(m: RMatchData) -> int:
    return m.m.re.groups or 0


def _rs(s: str | None) -> Any:
    return None if s is None else RString(s)


def group_index(f: Any, m: RMatchData, key: Any) -> Any:
    """Resolve a capture reference (Integer, String or Symbol name) to a `re` group."""
    interp = f.interp
    if isinstance(key, (RString, RSymbol)):
        name = key.s if isinstance(key, RString) else key.name
        if name not in m.m.re.groupindex:
            raise interp.error("IndexError", f"undefined group name reference: {name}")
        return name
    return interp.to_int(f, key)


def md_index(f: Any, m: RMatchData, key: Any) -> Any:
    g = group_index(f, m, key)
    if isinstance(g, str):
        return _rs(m.m.group(g))
    n = _ngroups(m)
    if g < 0:
        g += n + 1
    if g < 0 or g > n:
        return None
    return _rs(m.m.group(g))


def _all(m: RMatchData) -> list:
    return [_rs(m.m.group(i)) for i in range(_ngroups(m) + 1)]


@reg.method(MD, "[]", arity=(1, 2))
def index(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    if len(args) == 2:
        items = _all(self)
        start = f.interp.to_int(f, args[0])
        length = f.interp.to_int(f, args[1])
        if start < 0:
            start += len(items)
        if start < 0 or start > len(items) or length < 0:
            return None
        return RArray(items[start:start + length])
    key = args[0]
    if isinstance(key, RRange):
        from .array import range_bounds
        items = _all(self)
        b = range_bounds(f, key, len(items))
        return None if b is None else RArray(items[b[0]:b[0] + b[1]])
    return md_index(f, self, key)


@reg.method(MD, "captures", arity=0)
def captures(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RArray(_all(self)[1:])


@reg.method(MD, "named_captures", arity=0)
def named_captures(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RHash((RString(n), _rs(self.m.group(n))) for n in self.regexp.names)


@reg.method(MD, "names", arity=0)
def names(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RArray(RString(n) for n in self.regexp.names)


@reg.method(MD, "pre_match", arity=0)
def pre_match(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.string[:self.m.start()])


@reg.method(MD, "post_match", arity=0)
def post_match(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.string[self.m.end():])


@reg.method(MD, "to_a", arity=0)
def to_a(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RArray(_all(self))


@reg.method(MD, "to_s", arity=0)
def to_s(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.m.group(0))


@reg.method(MD, "string", arity=0)
def string(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.string, frozen=True)


@reg.method(MD, "regexp", arity=0)
def regexp(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return self.regexp


def _pos(f: Any, self: RMatchData, key: Any, which: str) -> Any:
    g = group_index(f, self, key)
    if isinstance(g, int) and (g < 0 or g > _ngroups(self)):
        raise f.interp.error("IndexError", f"index {g} out of matches")
    start, end = self.m.span(g)
    if start < 0:
        return None
    return start if which == "begin" else end


@reg.method(MD, "begin", arity=1)
def begin(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return _pos(f, self, args[0], "begin")


@reg.method(MD, "end", arity=1)
def end(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return _pos(f, self, args[0], "end")


@reg.method(MD, "offset", arity=1)
def offset(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RArray([_pos(f, self, args[0], "begin"), _pos(f, self, args[0], "end")])


@reg.method(MD, "values_at", arity=-1)
def values_at(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return RArray(md_index(f, self, a) for a in args)


@reg.method(MD, "size", "length", arity=0)
def size(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    return _ngroups(self) + 1


@reg.method(MD, "inspect", arity=0)
def inspect(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    parts = [inspect_string(self.m.group(0))]
    names = {v: k for k, v in self.m.re.groupindex.items()}
    for i in range(1, _ngroups(self) + 1):
        g = self.m.group(i)
        label = names.get(i, str(i))
        parts.append(f"{label}:{'nil' if g is None else inspect_string(g)}")
    return RString("#<MatchData " + " ".join(parts) + ">")


@reg.method(MD, "==", "eql?", arity=1)
def eq(f: Any, self: RMatchData, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    return isinstance(o, RMatchData) and o.string == self.string and \
        o.regexp.source == self.regexp.source and o.m.span() == self.m.span()
