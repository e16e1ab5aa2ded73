"""Comparable (`ruby-subset.md` §6): built on `<=>`."""

from __future__ import annotations

from typing import Any

from ..native import Registry

reg = Registry()
CMP = "Comparable"


def _cmp(f: Any, a: Any, b: Any) -> int:
    return f.interp.cmp_strict(f, a, b)


@reg.method(CMP, "==", arity=1)
def eq(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if self is args[0]:
        return True
    c = f.interp.cmp(f, self, args[0])
    return c == 0 if c is not None else False


@reg.method(CMP, "<", arity=1)
def lt(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return _cmp(f, self, args[0]) < 0


@reg.method(CMP, "<=", arity=1)
def le(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return _cmp(f, self, args[0]) <= 0


@reg.method(CMP, ">", arity=1)
def gt(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return _cmp(f, self, args[0]) > 0


@reg.method(CMP, ">=", arity=1)
def ge(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return _cmp(f, self, args[0]) >= 0


@reg.method(CMP, "between?", arity=2)
def between(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return _cmp(f, self, args[0]) >= 0 and _cmp(f, self, args[1]) <= 0


@reg.method(CMP, "clamp", arity=(1, 2))
def clamp(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    from ..objects import RRange
    interp = f.interp
    if len(args) == 1:
        r = args[0]
        if not isinstance(r, RRange):
            raise interp.error("TypeError", f"wrong argument type {interp.class_name(r)} "
                               f"(expected Range)")
        if r.excl and r.high is not None:
            raise interp.error("ArgumentError", "cannot clamp with an exclusive range")
        lo, hi = r.low, r.high
    else:
        lo, hi = args
    if lo is not None and hi is not None and _cmp(f, lo, hi) > 0:
        raise interp.error("ArgumentError", "min argument must be less than or equal to "
                           "max argument")
    if lo is not None and _cmp(f, self, lo) < 0:
        return lo
    if hi is not None and _cmp(f, self, hi) > 0:
        return hi
    return self
