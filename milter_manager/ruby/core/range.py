"""Range (`ruby-subset.md` §6 Range): Integer and String ranges, endless and
beginless ends, `===` is `cover?`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..native import Registry
from ..objects import RArray, RRange, RString
from . import enumerable as E
from .string_text import string_succ
from .util import enum_for, int_arg, truthy

reg = Registry()
R = "Range"


def cover(f: Any, r: RRange, v: Any) -> bool:
    interp = f.interp
    lo, hi = r.low, r.high
    if lo is not None:
        c = interp.cmp(f, lo, v)
        if c is None or c > 0:
            return False
    if hi is not None:
        c = interp.cmp(f, v, hi)
        if c is None or c > 0 or (r.excl and c == 0):
            return False
    return True


def iter_values(f: Any, r: RRange) -> Iterator[Any]:
    interp = f.interp
    lo, hi = r.low, r.high
    if lo.__class__ is int and (hi is None or hi.__class__ in (int, float)):
        i = lo
        while hi is None or i < hi or (i == hi and not r.excl):
            yield i
            i += 1
        return
    if isinstance(lo, RString):
        if hi is None:
            cur = lo.s
            while True:
                yield RString(cur)
                cur = string_succ(cur)
        end = interp.to_str(f, hi)
        cur = lo.s
        # String#upto: nothing when the start sorts after the end.
        c = interp.cmp(f, lo, RString(end))
        if len(cur) > len(end) or c is None or c > 0 or (r.excl and c == 0):
            return
        while True:
            if cur == end:
                if not r.excl:
                    yield RString(cur)
                return
            if len(cur) > len(end):
                return
            yield RString(cur)
            cur = string_succ(cur)
    if lo is None or lo.__class__ is float:
        raise interp.error("TypeError", f"can't iterate from {interp.class_name(lo)}")
    if not interp.respond_to(f, lo, "succ"):
        raise interp.error("TypeError", f"can't iterate from {interp.class_name(lo)}")
    cur = lo
    while True:
        if hi is not None:
            c = interp.cmp_strict(f, cur, hi)
            if c > 0 or (c == 0 and r.excl):
                return
        yield cur
        if hi is not None and interp.cmp_strict(f, cur, hi) == 0:
            return
        cur = interp.send(f, cur, "succ", [])


def range_list(f: Any, r: RRange) -> list:
    if r.high is None:
        raise f.interp.error("RangeError", "cannot convert endless range to an array")
    return list(iter_values(f, r))


def _items(f: Any, self: RRange) -> list:
    return range_list(f, self)


@reg.setup
def _common(interp: Any) -> None:
    E.common(reg, R, _items)


@reg.method(R, "initialize", arity=(2, 3), visibility="private")
def initialize(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    a, b = args[0], args[1]
    if not (a.__class__ in (int, float) and b.__class__ in (int, float)) and \
            a is not None and b is not None and f.interp.cmp(f, a, b) is None:
        raise f.interp.error("ArgumentError", "bad value for range")
    self.low, self.high = a, b
    self.excl = len(args) > 2 and truthy(args[2])
    return None


@reg.method(R, "first", "begin", arity=(0, 1))
def first(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    if not args:
        return self.low
    n = int_arg(f, args[0])
    if n < 0:
        raise f.interp.error("ArgumentError", "negative array size (or size too big)")
    out = []
    for v in iter_values(f, self):
        if len(out) >= n:
            break
        out.append(v)
    return RArray(out)


@reg.method(R, "end", arity=0)
def end(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    return self.high


@reg.method(R, "last", arity=(0, 1))
def last(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    if not args:
        return self.high
    items = range_list(f, self)
    n = int_arg(f, args[0])
    return RArray(items[len(items) - n:] if n else [])


@reg.method(R, "min", arity=(0, 1))
def min_(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    if blk is not None or args:
        return E.min_max(f, range_list(f, self), args, blk, False)
    c = f.interp.cmp(f, self.low, self.high) if self.high is not None else -1
    if c is None or c > 0 or (c == 0 and self.excl):
        return None
    return self.low


@reg.method(R, "max", arity=(0, 1))
def max_(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    if blk is not None or args:
        return E.min_max(f, range_list(f, self), args, blk, True)
    if self.high is None:
        raise f.interp.error("RangeError", "cannot get the maximum of endless range")
    c = f.interp.cmp(f, self.low, self.high) if self.low is not None else -1
    if c is None or c > 0 or (c == 0 and self.excl):
        return None
    if self.excl:
        if self.high.__class__ is not int:
            raise f.interp.error("TypeError", "cannot exclude non Integer end value")
        return self.high - 1
    return self.high


@reg.method(R, "exclude_end?", arity=0)
def exclude_end(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    return self.excl


@reg.method(R, "each", arity=0)
def each(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "each", [])
    call = blk.code.call
    lo, hi = self.low, self.high
    if lo.__class__ is int and hi.__class__ is int:
        stop = hi if self.excl else hi + 1
        i = lo
        while i < stop:
            call(blk, f, [i], None)
            i += 1
        return self
    for v in iter_values(f, self):
        call(blk, f, [v], None)
    return self


@reg.method(R, "reverse_each", arity=0)
def reverse_each(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    for v in reversed(range_list(f, self)):
        blk.code.call(blk, f, [v], None)
    return self


@reg.method(R, "step", "%", arity=1)
def step(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    n = args[0]
    if n.__class__ not in (int, float) or n <= 0:
        if n.__class__ in (int, float) and n == 0:
            raise f.interp.error("ArgumentError", "step can't be 0")
        raise f.interp.error("ArgumentError", "step can't be negative")
    lo, hi = self.low, self.high
    out = []
    if lo.__class__ in (int, float) and (hi is None or hi.__class__ in (int, float)):
        i = 0
        while True:
            v = lo + i * n
            if hi is not None and (v > hi or (self.excl and v == hi)):
                break
            if blk is not None:
                blk.code.call(blk, f, [v], None)
            else:
                out.append(v)
                if hi is None and len(out) > 10_000_000:
                    break
            i += 1
    else:
        for i, v in enumerate(range_list(f, self)):
            if i % n == 0:
                if blk is not None:
                    blk.code.call(blk, f, [v], None)
                else:
                    out.append(v)
    if blk is not None:
        return self
    return enum_for(f, RArray(out), "each", [])


@reg.method(R, "include?", "member?", arity=1)
def include_(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    # Numeric ranges test bounds; other ranges (Strings) iterate, so
    # ("a".."e").include?("cc") is false while cover?("cc") is true.
    lo, hi = self.low, self.high
    if lo.__class__ in (int, float) or hi.__class__ in (int, float) or lo is None or hi is None:
        return cover(f, self, args[0])
    if isinstance(lo, RString) and isinstance(hi, RString) and isinstance(args[0], RString) \
            and len(lo.s) == 1 and len(hi.s) == 1:
        v = args[0].s
        return len(v) == 1 and cover(f, self, args[0])
    return any(f.interp.eq(f, x, args[0]) for x in iter_values(f, self))


@reg.method(R, "===", "cover?", arity=1)
def include(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    v = args[0]
    if isinstance(v, RRange):
        return cover(f, self, v.low) and (v.high is None and self.high is None or
                                          v.high is not None and cover(f, self, v.high))
    return cover(f, self, v)


@reg.method(R, "size", "count", arity=(0, 1))
def size(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    if args or blk is not None:
        return E.count(f, range_list(f, self), args, blk)
    lo, hi = self.low, self.high
    if lo.__class__ not in (int, float):
        if lo is None and hi.__class__ in (int, float):
            return float("inf")
        return None
    if hi is None:
        return float("inf")
    if hi.__class__ not in (int, float):
        return None
    import math
    top = math.floor(hi) if hi.__class__ is float else hi
    n = top - lo + 1
    if self.excl and top == hi:
        n -= 1
    return max(0, int(n))


@reg.method(R, "to_a", "to_ary", "entries", arity=0)
def to_a(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    return RArray(range_list(f, self))


@reg.method(R, "sum", arity=(0, 1))
def sum_(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    lo, hi = self.low, self.high
    if blk is None and not args and lo.__class__ is int and hi.__class__ is int:
        top = hi - 1 if self.excl else hi
        return (lo + top) * (top - lo + 1) // 2 if top >= lo else 0
    return E.ruby_sum(f, range_list(f, self), args[0] if args else 0, blk)


@reg.method(R, "to_s", arity=0)
def to_s(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    lo = "" if self.low is None else interp.to_s(f, self.low)
    hi = "" if self.high is None else interp.to_s(f, self.high)
    return RString(f"{lo}{'...' if self.excl else '..'}{hi}")


@reg.method(R, "inspect", arity=0)
def inspect(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    lo = "" if self.low is None else interp.inspect(f, self.low)
    hi = "" if self.high is None else interp.inspect(f, self.high)
    return RString(f"{lo}{'...' if self.excl else '..'}{hi}")


@reg.method(R, "==", "eql?", arity=1)
def eq(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    return isinstance(o, RRange) and o.excl == self.excl and \
        f.interp.eq(f, self.low, o.low) and f.interp.eq(f, self.high, o.high)


@reg.method(R, "hash", arity=0)
def hash_(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    from ..objects import hkey
    return hash(hkey(self))


@reg.method(R, "frozen?", arity=0)
def frozen(f: Any, self: RRange, args: list, kw: Any, blk: Any) -> Any:
    return True
