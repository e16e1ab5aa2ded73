"""Enumerator: what a blockless iterator returns (`arr.each_with_index`,
`map.with_index(1)`, `each_slice(2).to_a`, `loop`-style `next`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..native import Registry
from ..objects import RArray, RObject, RString
from .enumerable import common
from .util import int_arg, to_list

reg = Registry()
EN = "Enumerator"


class EnumPayload:
    def __init__(self, recv: Any, meth: str, args: list,
                 size: Callable[[], Any] | None = None) -> None:
        self.recv = recv
        self.meth = meth
        self.args = args
        self.size = size
        self.buffer: list | None = None
        self.pos = 0


def make_enumerator(f: Any, recv: Any, meth: str, args: list,
                    size: Callable[[], Any] | None = None) -> RObject:
    return RObject(f.interp.module_at("Enumerator"), EnumPayload(recv, meth, list(args), size))


def _each(f: Any, self: RObject, blk: Any) -> Any:
    p = self.payload
    return f.interp.send(f, p.recv, p.meth, list(p.args), blk=blk)


def _items(f: Any, self: RObject) -> list:
    return to_list(f, self)


@reg.setup
def _setup(interp: Any) -> None:
    en = interp.new_class("Enumerator", interp.Object)
    en.includes.append(interp.Enumerable)
    interp.Object.consts["Enumerator"] = en
    interp.singleton_class(None, en)
    common(reg, EN, _items)


@reg.method(EN, "each", arity=0)
def each(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return self
    return _each(f, self, blk)


@reg.method(EN, "with_index", "each_with_index", arity=(0, 1))
def with_index(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    offset = int_arg(f, args[0]) if args and args[0] is not None else 0
    if blk is None:
        return make_enumerator(f, self, "with_index", args)
    counter = [offset]

    def inner(f2: Any, a: list, b: Any) -> Any:
        v = a[0] if len(a) == 1 else RArray(a)
        i = counter[0]
        counter[0] += 1
        return blk.code.call(blk, f2, [v, i], None)
    return _each(f, self, interp.native_proc(inner))


@reg.method(EN, "with_object", "each_with_object", arity=1)
def with_object(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    memo = args[0]

    def inner(f2: Any, a: list, b: Any) -> Any:
        v = a[0] if len(a) == 1 else RArray(a)
        return blk.code.call(blk, f2, [v, memo], None)
    _each(f, self, f.interp.native_proc(inner))
    return memo


@reg.method(EN, "size", arity=0)
def size(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload
    if p.size is not None:
        return p.size()
    if isinstance(p.recv, RArray) and p.meth in ("each", "map", "each_with_index", "select",
                                                  "reject", "collect", "filter"):
        return len(p.recv)
    return None


def _buffer(f: Any, self: RObject) -> list:
    p = self.payload
    if p.buffer is None:
        p.buffer = to_list(f, self)
        p.pos = 0
    return p.buffer


@reg.method(EN, "next", arity=0)
def next_(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    buf = _buffer(f, self)
    p = self.payload
    if p.pos >= len(buf):
        raise f.interp.error("StopIteration", "iteration reached an end")
    p.pos += 1
    return buf[p.pos - 1]


@reg.method(EN, "peek", arity=0)
def peek(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    buf = _buffer(f, self)
    p = self.payload
    if p.pos >= len(buf):
        raise f.interp.error("StopIteration", "iteration reached an end")
    return buf[p.pos]


@reg.method(EN, "rewind", arity=0)
def rewind(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    self.payload.pos = 0
    return self


@reg.method(EN, "inspect", "to_s", arity=0)
def inspect(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload
    interp = f.interp
    a = "(" + ", ".join(interp.inspect(f, x) for x in p.args) + ")" if p.args else ""
    return RString(f"#<Enumerator: {interp.inspect(f, p.recv)}:{p.meth}{a}>")
