"""Array (`ruby-subset.md` §6 Array): an `RArray` is a Python list. The
Enumerable-style algorithms are shared (`enumerable.py`); this module has the
indexing, mutation, set operations and rendering."""

from __future__ import annotations

import random
from typing import Any

from ..native import Registry
from ..objects import RArray, RRange
from . import enumerable as E
from .string_match import range_bounds
from .util import enum_for, int_arg, truthy

reg = Registry()
A = "Array"


def _items(f: Any, self: RArray) -> list:
    return self


@reg.setup
def _common(interp: Any) -> None:
    E.common(reg, A, _items)


def frozen_check(f: Any, self: RArray) -> None:
    if self.frozen:
        raise f.interp.frozen_error(f, self)


def to_ary_arg(f: Any, v: Any) -> list:
    if isinstance(v, RArray):
        return v
    return f.interp.to_ary(f, v)


# --- construction -------------------------------------------------------------------

@reg.method(A, "initialize", arity=(0, 2), visibility="private")
def initialize(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    del self[:]
    if not args:
        return None
    if len(args) == 1 and isinstance(args[0], RArray):
        self.extend(args[0])
        return None
    n = int_arg(f, args[0])
    if n < 0:
        raise f.interp.error("ArgumentError", "negative array size")
    if blk is not None:
        for i in range(n):
            self.append(blk.code.call(blk, f, [i], None))
    else:
        self.extend([args[1] if len(args) > 1 else None] * n)
    return None


@reg.smethod(A, "[]", arity=-1)
def class_index(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RArray(args)


@reg.method(A, "initialize_copy", "replace", arity=1)
def replace(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    other = list(to_ary_arg(f, args[0]))
    self[:] = other
    return self


# --- access --------------------------------------------------------------------------

def ary_index(f: Any, self: RArray, args: list) -> Any:
    n = len(self)
    a = args[0]
    if len(args) == 2:
        start = int_arg(f, a)
        length = int_arg(f, args[1])
        if start < 0:
            start += n
        if start < 0 or start > n or length < 0:
            return None
        return RArray(self[start:start + length])
    if a.__class__ is int:
        if a < 0:
            a += n
        return self[a] if 0 <= a < n else None
    if isinstance(a, RRange):
        b = range_bounds(f, a, n)
        if b is None:
            return None
        return RArray(self[b[0]:b[0] + b[1]])
    return ary_index(f, self, [int_arg(f, a)])


@reg.method(A, "[]", "slice", arity=(1, 2))
def index(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return ary_index(f, self, args)


@reg.method(A, "at", arity=1)
def at(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return ary_index(f, self, [int_arg(f, args[0])])


@reg.method(A, "dig", arity=(1, -1))
def dig(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    v = ary_index(f, self, [args[0]])
    if len(args) == 1 or v is None:
        return v
    return f.interp.send(f, v, "dig", args[1:])


@reg.method(A, "fetch", arity=(1, 2))
def fetch(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    i = int_arg(f, args[0])
    n = len(self)
    j = i + n if i < 0 else i
    if 0 <= j < n:
        return self[j]
    if blk is not None:
        return blk.code.call(blk, f, [args[0]], None)
    if len(args) > 1:
        return args[1]
    raise f.interp.error("IndexError", f"index {i} outside of array bounds: {-n}...{n}")


@reg.method(A, "[]=", arity=(2, 3))
def index_set(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    interp = f.interp
    n = len(self)
    value = args[-1]
    if len(args) == 3 or isinstance(args[0], RRange):
        if len(args) == 3:
            start = int_arg(f, args[0])
            length = int_arg(f, args[1])
            if start < 0:
                start += n
                if start < 0:
                    raise interp.error("IndexError", f"index {start - n} too small for array; "
                                       f"minimum: -{n}")
            if length < 0:
                raise interp.error("IndexError", f"negative length ({length})")
        else:
            r = args[0]
            start = int_arg(f, r.low) if r.low is not None else 0
            if start < 0:
                start += n
                if start < 0:
                    raise interp.error("RangeError", f"{interp.inspect(f, r)} out of range")
            hi = n if r.high is None else int_arg(f, r.high)
            if hi < 0:
                hi += n
            if not r.excl or r.high is None:
                hi += 1 if r.high is not None else 0
            length = max(0, hi - start)
        if start > n:
            self.extend([None] * (start - n))
        repl = list(value) if isinstance(value, RArray) else [value]
        self[start:start + length] = repl
        return value
    i = int_arg(f, args[0])
    if i < 0:
        if i + n < 0:
            raise interp.error("IndexError", f"index {i} too small for array; minimum: -{n}")
        i += n
    if i >= n:
        self.extend([None] * (i - n + 1))
    self[i] = value
    return value


@reg.method(A, "first", arity=(0, 1))
def first(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if not args:
        return self[0] if self else None
    n = int_arg(f, args[0])
    if n < 0:
        raise f.interp.error("ArgumentError", "negative array size")
    return RArray(self[:n])


@reg.method(A, "last", arity=(0, 1))
def last(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if not args:
        return self[-1] if self else None
    n = int_arg(f, args[0])
    if n < 0:
        raise f.interp.error("ArgumentError", "negative array size")
    return RArray(self[len(self) - n:] if n else [])


@reg.method(A, "values_at", arity=-1)
def values_at(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    out = RArray()
    for a in args:
        if isinstance(a, RRange):
            b = range_bounds(f, a, len(self))
            if b is not None:
                out.extend(self[b[0]:b[0] + b[1]])
                hi = a.high if a.high is not None else len(self) - 1
                want = (hi if not a.excl else hi - 1) - b[0] + 1
                out.extend([None] * max(0, want - b[1]))
        else:
            out.append(ary_index(f, self, [a]))
    return out


@reg.method(A, "length", "size", arity=0)
def length(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return len(self)


@reg.method(A, "empty?", arity=0)
def empty(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return not self


# --- iteration (live: the block may change the array) -----------------------------------

@reg.method(A, "each", arity=0)
def each(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "each", [], size=lambda: len(self))
    one, release = blk.code.looper(blk, f)
    try:
        i = 0
        while i < len(self):
            one(self[i])
            i += 1
    finally:
        release()
    return self


@reg.method(A, "each_index", arity=0)
def each_index(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "each_index", [])
    i = 0
    while i < len(self):
        blk.code.call(blk, f, [i], None)
        i += 1
    return self


@reg.method(A, "each_with_index", arity=0)
def each_with_index(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "each_with_index", [], size=lambda: len(self))
    call = blk.code.call
    i = 0
    while i < len(self):
        call(blk, f, [self[i], i], None)
        i += 1
    return self


@reg.method(A, "reverse_each", arity=0)
def reverse_each(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, RArray(self[::-1]), "each", [])
    for x in list(self)[::-1]:
        blk.code.call(blk, f, [x], None)
    return self


@reg.method(A, "any?", arity=(0, 1))
def any_(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if blk is not None and not args:
        one, release = blk.code.looper(blk, f)
        try:
            for x in self:
                r = one(x)
                if r is not None and r is not False:
                    return True
        finally:
            release()
        return False
    return E.predicate(f, self, args, blk, "any")


# --- mutation -------------------------------------------------------------------------------

@reg.method(A, "push", "append", arity=-1)
def push(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    self.extend(args)
    return self


@reg.method(A, "<<", arity=1)
def shovel(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    self.append(args[0])
    return self


@reg.method(A, "pop", arity=(0, 1))
def pop(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    if not args:
        return self.pop() if self else None
    n = int_arg(f, args[0])
    if n < 0:
        raise f.interp.error("ArgumentError", "negative array size")
    out = RArray(self[len(self) - n:] if n else [])
    del self[len(self) - len(out):]
    return out


@reg.method(A, "shift", arity=(0, 1))
def shift(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    if not args:
        return self.pop(0) if self else None
    n = int_arg(f, args[0])
    if n < 0:
        raise f.interp.error("ArgumentError", "negative array size")
    out = RArray(self[:n])
    del self[:n]
    return out


@reg.method(A, "unshift", "prepend", arity=-1)
def unshift(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    self[0:0] = args
    return self


@reg.method(A, "insert", arity=(1, -1))
def insert(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    i = int_arg(f, args[0])
    n = len(self)
    if len(args) == 1:
        return self
    if i < 0:
        i += n + 1
        if i < 0:
            raise f.interp.error("IndexError", f"index {i - n - 1} too small for array; "
                                 f"minimum: -{n + 1}")
    if i > n:
        self.extend([None] * (i - n))
    self[i:i] = args[1:]
    return self


@reg.method(A, "concat", arity=-1)
def concat(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    extra: list = []
    for a in args:
        extra.extend(to_ary_arg(f, a))
    self.extend(extra)
    return self


@reg.method(A, "clear", arity=0)
def clear(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    del self[:]
    return self


@reg.method(A, "delete", arity=1)
def delete(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    target = args[0]
    found = None
    hit = False
    keep = []
    for x in self:
        if f.interp.eq(f, x, target):
            found = x
            hit = True
        else:
            keep.append(x)
    if not hit:
        return blk.code.call(blk, f, [target], None) if blk is not None else None
    frozen_check(f, self)
    self[:] = keep
    return found


@reg.method(A, "delete_at", arity=1)
def delete_at(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    i = int_arg(f, args[0])
    n = len(self)
    if i < 0:
        i += n
    if 0 <= i < n:
        return self.pop(i)
    return None


@reg.method(A, "slice!", arity=(1, 2))
def slice_bang(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    got = ary_index(f, self, args)
    if got is None:
        return None
    n = len(self)
    if len(args) == 1 and args[0].__class__ is int:
        i = args[0] + n if args[0] < 0 else args[0]
        del self[i]
        return got
    if len(args) == 2:
        start = int_arg(f, args[0])
        start = start + n if start < 0 else start
        del self[start:start + len(got)]
        return got
    b = range_bounds(f, args[0], n)
    if b is not None:
        del self[b[0]:b[0] + b[1]]
    return got


def _filter_in_place(f: Any, self: RArray, blk: Any, keep_truthy: bool, meth: str) -> Any:
    if blk is None:
        return enum_for(f, self, meth, [])
    frozen_check(f, self)
    kept = [x for x in list(self) if truthy(blk.code.call(blk, f, [x], None)) == keep_truthy]
    changed = len(kept) != len(self)
    self[:] = kept
    return changed


@reg.method(A, "delete_if", arity=0)
def delete_if(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    r = _filter_in_place(f, self, blk, False, "delete_if")
    return self if r is True or r is False else r


@reg.method(A, "reject!", arity=0)
def reject_bang(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    r = _filter_in_place(f, self, blk, False, "reject!")
    return (self if r else None) if r is True or r is False else r


@reg.method(A, "keep_if", arity=0)
def keep_if(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    r = _filter_in_place(f, self, blk, True, "keep_if")
    return self if r is True or r is False else r


@reg.method(A, "select!", "filter!", arity=0)
def select_bang(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    r = _filter_in_place(f, self, blk, True, "select!")
    return (self if r else None) if r is True or r is False else r


@reg.method(A, "map!", "collect!", arity=0)
def map_bang(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "map!", [])
    frozen_check(f, self)
    for i in range(len(self)):
        self[i] = blk.code.call(blk, f, [self[i]], None)
    return self


def _bang(name: str, fn: Any, none_if_same: bool) -> None:
    def method(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
        frozen_check(f, self)
        new = fn(f, self, args, blk)
        if none_if_same and len(new) == len(self) and all(a is b for a, b in zip(new, self)):
            return None
        self[:] = new
        return self
    reg.method(A, name, arity=-1)(method)


@reg.setup
def _bangs(interp: Any) -> None:
    _bang("uniq!", lambda f, s, a, b: E.uniq(f, s, b), True)
    _bang("compact!", lambda f, s, a, b: [x for x in s if x is not None], True)
    _bang("flatten!", lambda f, s, a, b: _flatten(f, s, a), True)
    _bang("reverse!", lambda f, s, a, b: s[::-1], False)
    _bang("sort!", lambda f, s, a, b: E.sort_values(f, list(s), b), False)
    _bang("sort_by!", lambda f, s, a, b: E.sort_by_values(f, list(s), b), False)
    _bang("shuffle!", lambda f, s, a, b: random.sample(list(s), len(s)), False)
    _bang("rotate!", lambda f, s, a, b: _rotate(f, s, a), False)


def _flatten(f: Any, self: list, args: list) -> list:
    depth = int_arg(f, args[0]) if args and args[0] is not None else -1
    out: list = []
    E.flatten(f, list(self), depth, out, {id(self)})
    return out


def _rotate(f: Any, self: list, args: list) -> list:
    if not self:
        return []
    n = (int_arg(f, args[0]) if args else 1) % len(self)
    return list(self[n:]) + list(self[:n])


@reg.method(A, "fill", arity=(0, 3))
def fill(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    if blk is None:
        value, rest = args[0], args[1:]
    else:
        value, rest = None, args
    start = int_arg(f, rest[0]) if rest and rest[0] is not None else 0
    if start < 0:
        start += len(self)
    end = start + int_arg(f, rest[1]) if len(rest) > 1 else len(self)
    if end > len(self):
        self.extend([None] * (end - len(self)))
    for i in range(start, end):
        self[i] = blk.code.call(blk, f, [i], None) if blk is not None else value
    return self


# --- non-mutating transforms ---------------------------------------------------------------

@reg.method(A, "reverse", arity=0)
def reverse(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return RArray(self[::-1])


@reg.method(A, "rotate", arity=(0, 1))
def rotate(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return RArray(_rotate(f, self, args))


@reg.method(A, "compact", arity=0)
def compact(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return RArray(x for x in self if x is not None)


@reg.method(A, "flatten", arity=(0, 1))
def flatten(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return RArray(_flatten(f, self, args))


@reg.method(A, "transpose", arity=0)
def transpose(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    rows = [to_ary_arg(f, r) for r in self]
    if not rows:
        return RArray()
    width = len(rows[0])
    for r in rows:
        if len(r) != width:
            raise f.interp.error("IndexError", f"element size differs ({len(r)} should be "
                                 f"{width})")
    return RArray(RArray(r[i] for r in rows) for i in range(width))


@reg.method(A, "product", arity=-1)
def product(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    import itertools
    lists = [list(self)] + [list(to_ary_arg(f, a)) for a in args]
    return RArray(RArray(t) for t in itertools.product(*lists))


@reg.method(A, "combination", arity=1)
def combination(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    import itertools
    combos = [RArray(c) for c in itertools.combinations(list(self), int_arg(f, args[0]))]
    if blk is None:
        return enum_for(f, RArray(combos), "each", [])
    for c in combos:
        blk.code.call(blk, f, [c], None)
    return self


@reg.method(A, "permutation", arity=(0, 1))
def permutation(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    import itertools
    n = int_arg(f, args[0]) if args else len(self)
    perms = [RArray(c) for c in itertools.permutations(list(self), n)]
    if blk is None:
        return enum_for(f, RArray(perms), "each", [])
    for c in perms:
        blk.code.call(blk, f, [c], None)
    return self


@reg.method(A, "take", arity=1)
def take(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    n = int_arg(f, args[0])
    if n < 0:
        raise f.interp.error("ArgumentError", "attempt to take negative size")
    return RArray(self[:n])


@reg.method(A, "index", "find_index", arity=(0, 1))
def index_of(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if not args and blk is None:
        return enum_for(f, self, "index", [])
    for i, x in enumerate(self):
        if (f.interp.eq(f, x, args[0]) if args else truthy(blk.code.call(blk, f, [x], None))):
            return i
    return None


@reg.method(A, "rindex", arity=(0, 1))
def rindex(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    for i in range(len(self) - 1, -1, -1):
        x = self[i]
        if (f.interp.eq(f, x, args[0]) if args else truthy(blk.code.call(blk, f, [x], None))):
            return i
    return None


@reg.method(A, "include?", "member?", arity=1)
def include(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    eq = f.interp.eq
    for x in self:
        if x is o or eq(f, x, o):
            return True
    return False


@reg.method(A, "assoc", arity=1)
def assoc(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    for x in self:
        if isinstance(x, RArray) and x and f.interp.eq(f, x[0], args[0]):
            return x
    return None


@reg.method(A, "sample", arity=(0, 1))
def sample(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if args:
        n = int_arg(f, args[0])
        return RArray(random.sample(list(self), min(n, len(self))))
    return random.choice(self) if self else None


@reg.method(A, "shuffle", arity=0, kw=True)
def shuffle(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return RArray(random.sample(list(self), len(self)))


@reg.method(A, "to_a", "entries", "to_ary", arity=0)
def to_a(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    if self.cls is not None and not self.cls.is_singleton:
        return RArray(self)
    return self
