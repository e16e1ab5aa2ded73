"""Symbol (`ruby-subset.md` §6 Symbol, §7.1 inspect)."""

from __future__ import annotations

from typing import Any

from ..native import Registry
from ..objects import RString, RSymbol
from ..text import inspect_symbol
from .string_text import string_succ

reg = Registry()
SY = "Symbol"


@reg.method(SY, "to_s", "id2name", arity=0)
def to_s(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.name)


@reg.method(SY, "name", arity=0)
def name(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.name, frozen=True)


@reg.method(SY, "to_sym", arity=0)
def to_sym(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(SY, "to_proc", arity=0)
def to_proc(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.symbol_proc(self.name)


@reg.method(SY, "inspect", arity=0)
def inspect(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return RString(inspect_symbol(self.name))


@reg.method(SY, "==", "===", "equal?", "eql?", arity=1)
def eq(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return self is args[0]


@reg.method(SY, "<=>", arity=1)
def cmp(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if not isinstance(o, RSymbol):
        return None
    return f.interp.cmp(f, RString(self.name), RString(o.name))


@reg.method(SY, "hash", arity=0)
def hash_(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return hash(("sym", self.name))


@reg.method(SY, "length", "size", arity=0)
def length(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return len(self.name)


@reg.method(SY, "empty?", arity=0)
def empty(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return not self.name


def _case(fn: Any) -> Any:
    def method(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
        return RSymbol.get(fn(self.name))
    return method


@reg.setup
def _cases(interp: Any) -> None:
    reg.method(SY, "upcase", arity=(0, 1))(_case(str.upper))
    reg.method(SY, "downcase", arity=(0, 1))(_case(str.lower))
    reg.method(SY, "capitalize", arity=(0, 1))(
        _case(lambda s: s[:1].upper() + s[1:].lower()))
    reg.method(SY, "swapcase", arity=(0, 1))(_case(str.swapcase))
    reg.method(SY, "succ", "next", arity=0)(_case(string_succ))


@reg.method(SY, "start_with?", arity=-1)
def start_with(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    from .string import start_with as s_start
    return s_start(f, RString(self.name), args, kw, blk)


@reg.method(SY, "end_with?", arity=-1)
def end_with(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return any(self.name.endswith(f.interp.to_str(f, a)) for a in args)


@reg.method(SY, "[]", "slice", arity=(1, 2))
def index(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    from .string_match import str_index
    return str_index(f, RString(self.name), args)


@reg.method(SY, "=~", arity=1)
def match_op(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    from .string_match import match_op as m
    return m(f, RString(self.name), args, kw, blk)


@reg.method(SY, "match", arity=(1, 2))
def match(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    from .string_match import match as m
    return m(f, RString(self.name), args, kw, blk)


@reg.method(SY, "match?", arity=(1, 2))
def match_p(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    from .string_match import match_p as m
    return m(f, RString(self.name), args, kw, blk)


@reg.method(SY, "encoding", arity=0)
def encoding(f: Any, self: RSymbol, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.Encoding.consts["UTF_8" if not self.name.isascii() else "US_ASCII"]


@reg.smethod(SY, "all_symbols", arity=0)
def all_symbols(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    from ..objects import RArray
    return RArray(RSymbol._table.values())
