"""Array operators, comparison and rendering (`ruby-subset.md` §6 Array, §7.1):
`+ - * & |`, `==`/`eql?`/`<=>`/`hash`, `join`, `inspect`, `pack`, `to_h`,
`sum`. Installed after `array.py`."""

from __future__ import annotations

from typing import Any

from ..native import Registry
from ..objects import RArray, RObject, RString, hkey
from . import enumerable as E
from .util import int_arg, truthy

reg = Registry()
A = "Array"


def to_ary_arg(f: Any, v: Any) -> list:
    if isinstance(v, RArray):
        return v
    return f.interp.to_ary(f, v)


# --- operators ---------------------------------------------------------------------------------

@reg.method(A, "+", arity=1)
def plus(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if not isinstance(o, RArray):
        o = f.interp.to_ary(f, o)
    return RArray(list(self) + list(o))


@reg.method(A, "-", "difference", arity=-1)
def minus(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    drop = set()
    for o in args:
        for x in to_ary_arg(f, o):
            drop.add(hkey(x))
    return RArray(x for x in self if hkey(x) not in drop)


@reg.method(A, "*", arity=1)
def times(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if isinstance(o, RString):
        return join(f, self, [o], kw, blk)
    n = int_arg(f, o)
    if n < 0:
        raise f.interp.error("ArgumentError", "negative argument")
    return RArray(list(self) * n)


@reg.method(A, "&", "intersection", arity=-1)
def intersection(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    result = E.uniq(f, list(self), None)
    for o in args:
        keys = {hkey(x) for x in to_ary_arg(f, o)}
        result = [x for x in result if hkey(x) in keys]
    return RArray(result)


@reg.method(A, "intersect?", arity=1)
def intersect(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    keys = {hkey(x) for x in to_ary_arg(f, args[0])}
    return any(hkey(x) in keys for x in self)


@reg.method(A, "|", "union", arity=-1)
def union(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    items = list(self)
    for o in args:
        items.extend(to_ary_arg(f, o))
    return RArray(E.uniq(f, items, None))


@reg.method(A, "==", arity=1)
def eq(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if not isinstance(o, RArray):
        if isinstance(o, RObject) and f.interp.respond_to(f, o, "to_ary", True):
            return truthy(f.interp.send(f, o, "==", [self]))
        return False
    return len(self) == len(o) and f.interp._seq_eq(f, self, o, f.interp.eq)


@reg.method(A, "eql?", arity=1)
def eql(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.eql(f, self, args[0])


@reg.method(A, "<=>", arity=1)
def cmp(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if not isinstance(args[0], RArray):
        return None
    return f.interp.cmp(f, self, args[0])


@reg.method(A, "hash", arity=0)
def hash_(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return hash(hkey(self))


@reg.method(A, "frozen?", arity=0)
def frozen(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return bool(self.frozen)


# --- rendering -------------------------------------------------------------------------------

def join_items(f: Any, items: list, sep: str, seen: set) -> str:
    interp = f.interp
    out = []
    for x in items:
        if x.__class__ is RString:
            out.append(x.s)
        elif isinstance(x, RArray):
            if id(x) in seen:
                raise interp.error("ArgumentError", "recursive array join")
            seen.add(id(x))
            out.append(join_items(f, list(x), sep, seen))
            seen.discard(id(x))
        else:
            conv = interp.try_to_ary(f, x) if isinstance(x, RObject) else None
            if conv is not None:
                out.append(join_items(f, list(conv), sep, seen))
            else:
                out.append(interp.to_s(f, x))
    return sep.join(out)


@reg.method(A, "join", arity=(0, 1))
def join(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    sep = ""
    if args and args[0] is not None:
        sep = f.interp.to_str(f, args[0])
    elif f.interp.gvars.get("$,") is not None:
        sep = f.interp.to_s(f, f.interp.gvars["$,"])
    return RString(join_items(f, list(self), sep, {id(self)}))


@reg.method(A, "inspect", "to_s", arity=0)
def inspect(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    guard = interp.inspect_guard()
    if id(self) in guard:
        return RString("[...]")
    guard.add(id(self))
    try:
        return RString("[" + ", ".join(interp.inspect(f, x) for x in self) + "]")
    finally:
        guard.discard(id(self))


@reg.method(A, "pack", arity=1)
def pack(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    fmt = f.interp.to_str(f, args[0])
    if fmt in ("U*", "C*", "c*"):
        if fmt == "U*":
            return RString("".join(chr(int_arg(f, x)) for x in self))
        data = bytes(int_arg(f, x) & 0xFF for x in self)
        return RString(data.decode("utf-8", "surrogateescape"))
    raise f.interp.error("NotImplementedError",
                         f"Array#pack({fmt}) is not supported by this implementation")


@reg.method(A, "to_h", arity=0)
def to_h(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return E.to_h(f, self, blk)


@reg.method(A, "sum", arity=(0, 1))
def sum_(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return E.ruby_sum(f, self, args[0] if args else 0, blk)
