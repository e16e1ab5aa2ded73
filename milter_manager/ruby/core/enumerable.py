"""Enumerable (`ruby-subset.md` §6 Array/Hash/Range lists): the algorithms
work on a Python list of the yielded values; Array, Hash, Range, Enumerator
and user classes that `include Enumerable` (via `each`) share them.

`common(items_of)` returns the natives for one owner: `items_of(f, self)`
gives the list of values (Hash: [k, v] pairs)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from ..native import Registry
from ..objects import RArray, RHash, RString, hkey
from .util import STOP, enum_for, int_arg, iterate, to_list, truthy

reg = Registry()
EN = "Enumerable"

ItemsOf = Callable[[Any, Any], list]


def call1(f: Any, blk: Any, v: Any) -> Any:
    return blk.code.call(blk, f, [v], None)


def merge_sort(items: list, cmp: Callable[[Any, Any], int]) -> list:
    """Stable merge sort comparing (earlier, later) elements, so the first
    failing comparison names the operands as Ruby's sort does for short
    arrays (`comparison of String with 1 failed`)."""
    n = len(items)
    if n <= 1:
        return list(items)
    mid = n // 2
    left = merge_sort(items[:mid], cmp)
    right = merge_sort(items[mid:], cmp)
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        if cmp(left[i], right[j]) <= 0:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out


def sort_values(f: Any, items: list, blk: Any) -> list:
    interp = f.interp
    if blk is None:
        if all(type(x) is int for x in items) or all(type(x) is float for x in items):
            return sorted(items)
        if all(type(x) is RString and x.s.isascii() for x in items):
            return sorted(items, key=lambda x: x.s)
        return merge_sort(items, lambda a, b: interp.cmp_strict(f, a, b))

    def by_block(a: Any, b: Any) -> int:
        r = blk.code.call(blk, f, [a, b], None)
        if r is None:
            raise interp.compare_failed(f, a, b)
        if type(r) is not int:
            r = interp.cmp_strict(f, r, 0)
        return (r > 0) - (r < 0)
    return merge_sort(items, by_block)


def sort_by_values(f: Any, items: list, blk: Any) -> list:
    keys = [call1(f, blk, x) for x in items]
    interp = f.interp
    idx = list(range(len(items)))
    if all(type(k) is int for k in keys) or all(type(k) is float for k in keys):
        idx.sort(key=lambda i: keys[i])
    elif all(type(k) is RString for k in keys):
        idx.sort(key=lambda i: keys[i].s.encode("utf-8", "surrogateescape"))
    else:
        idx = merge_sort(idx, lambda a, b: interp.cmp_strict(f, keys[a], keys[b]))
    return [items[i] for i in idx]


def minmax_by(f: Any, items: list, blk: Any, want_max: bool) -> Any:
    interp = f.interp
    best = None
    best_key = None
    first = True
    for x in items:
        k = call1(f, blk, x)
        if first:
            best, best_key, first = x, k, False
            continue
        c = interp.cmp_strict(f, k, best_key)
        if (c > 0) if want_max else (c < 0):
            best, best_key = x, k
    return best


def min_max(f: Any, items: list, args: list, blk: Any, want_max: bool) -> Any:
    interp = f.interp
    if args and args[0] is not None:
        n = int_arg(f, args[0])
        ordered = sort_values(f, items, blk)
        if want_max:
            ordered = ordered[::-1]
        return RArray(ordered[:n])
    best = None
    first = True
    for x in items:
        if first:
            best, first = x, False
            continue
        if blk is not None:
            r = blk.code.call(blk, f, [x, best], None)
            if r is None:
                raise interp.compare_failed(f, x, best)
            c = r if type(r) is int else interp.cmp_strict(f, r, 0)
        else:
            c = interp.cmp_strict(f, x, best)
        if (c > 0) if want_max else (c < 0):
            best = x
    return best


def ruby_sum(f: Any, items: list, init: Any, blk: Any) -> Any:
    """Array#sum: exact Integer addition, Kahan-Babuska for Floats, `+` otherwise."""
    interp = f.interp
    v = init
    i = 0
    n = len(items)
    values = items if blk is None else [call1(f, blk, x) for x in items]
    while i < n and type(v) is int and type(values[i]) is int:
        v += values[i]
        i += 1
    if i < n and (type(v) in (int, float)) and type(values[i]) in (int, float) and \
            (type(v) is float or type(values[i]) is float):
        s = float(v)
        c = 0.0
        while i < n and type(values[i]) in (int, float):
            x = float(values[i])
            if math.isnan(s) or math.isnan(x) or math.isinf(s) or math.isinf(x):
                s = s + x
                c = 0.0 if not (math.isinf(s) or math.isnan(s)) else c
                i += 1
                continue
            t = s + x
            if abs(s) >= abs(x):
                c += (s - t) + x
            else:
                c += (x - t) + s
            s = t
            i += 1
        v = s + c if math.isfinite(s) else s
    while i < n:
        v = interp.send(f, v, "+", [values[i]])
        i += 1
    return v


def inject(f: Any, items: list, args: list, blk: Any) -> Any:
    interp = f.interp
    op = None
    if len(args) == 2:
        acc, op = args[0], interp.str_or_sym(f, args[1])
        rest = items
    elif len(args) == 1 and blk is None:
        op = interp.str_or_sym(f, args[0])
        if not items:
            return None
        acc, rest = items[0], items[1:]
    elif len(args) == 1:
        acc, rest = args[0], items
    else:
        if not items:
            return None
        acc, rest = items[0], items[1:]
    if op is not None:
        for x in rest:
            if op == "+" and type(acc) is int and type(x) is int:
                acc = acc + x
            else:
                acc = interp.send(f, acc, op, [x])
        return acc
    call = blk.code.call
    for x in rest:
        acc = call(blk, f, [acc, x], None)
    return acc


def flatten(f: Any, items: list, depth: int, out: list, seen: set) -> bool:
    changed = False
    for x in items:
        if isinstance(x, RArray) and depth != 0:
            if id(x) in seen:
                raise f.interp.error("ArgumentError", "tried to flatten recursive array")
            seen.add(id(x))
            flatten(f, list(x), depth - 1, out, seen)
            seen.discard(id(x))
            changed = True
        else:
            out.append(x)
    return changed


def uniq(f: Any, items: list, blk: Any) -> list:
    seen = set()
    out = []
    for x in items:
        k = hkey(call1(f, blk, x) if blk is not None else x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


def group_by(f: Any, items: list, blk: Any) -> RHash:
    h = RHash()
    for x in items:
        k = call1(f, blk, x)
        cur = h.get(k)
        if cur is None:
            cur = RArray()
            h.set(k, cur)
        cur.append(x)
    return h


def tally(f: Any, items: list) -> RHash:
    h = RHash()
    for x in items:
        h.set(x, (h.get(x) or 0) + 1)
    return h


def to_h(f: Any, items: list, blk: Any) -> RHash:
    interp = f.interp
    h = RHash()
    for x in items:
        pair = call1(f, blk, x) if blk is not None else x
        conv = interp.try_to_ary(f, pair)
        if conv is None:
            raise interp.error("TypeError", f"wrong element type {interp.class_name(pair)} "
                               f"(expected array)")
        if len(conv) != 2:
            raise interp.error("ArgumentError",
                               f"wrong array length (expected 2, was {len(conv)})")
        h.set(conv[0], conv[1])
    return h


def each_slice(f: Any, items: list, n: int) -> list:
    if n <= 0:
        raise f.interp.error("ArgumentError", "invalid slice size")
    return [RArray(items[i:i + n]) for i in range(0, len(items), n)]


def each_cons(f: Any, items: list, n: int) -> list:
    if n <= 0:
        raise f.interp.error("ArgumentError", "invalid size")
    return [RArray(items[i:i + n]) for i in range(len(items) - n + 1)]


def zip_lists(f: Any, items: list, others: list) -> list:
    lists = [to_list(f, o) if not isinstance(o, RArray) else list(o) for o in others]
    return [RArray([x] + [lst[i] if i < len(lst) else None for lst in lists])
            for i, x in enumerate(items)]


def count(f: Any, items: list, args: list, blk: Any) -> int:
    if args:
        return sum(1 for x in items if f.interp.eq(f, x, args[0]))
    if blk is not None:
        return sum(1 for x in items if truthy(call1(f, blk, x)))
    return len(items)


def predicate(f: Any, items: list, args: list, blk: Any, kind: str) -> bool:
    interp = f.interp
    if args:
        pat = args[0]
        test = lambda x: interp.case_eq(f, pat, x)
    elif blk is not None:
        call = blk.code.call
        test = lambda x: truthy(call(blk, f, [x], None))
    else:
        test = truthy
    if kind == "any":
        for x in items:
            if test(x):
                return True
        return False
    if kind == "all":
        for x in items:
            if not test(x):
                return False
        return True
    if kind == "none":
        for x in items:
            if test(x):
                return False
        return True
    hits = 0
    for x in items:
        if test(x):
            hits += 1
            if hits > 1:
                return False
    return hits == 1


def chunk_while(f: Any, items: list, blk: Any, negate: bool) -> list:
    out: list = []
    cur: list = []
    for x in items:
        if cur:
            r = truthy(blk.code.call(blk, f, [cur[-1], x], None))
            if r == negate:
                out.append(RArray(cur))
                cur = []
        cur.append(x)
    if cur:
        out.append(RArray(cur))
    return out


# --- natives over items_of ---------------------------------------------------------------

def common(target: Registry, owner: str, items_of: ItemsOf) -> None:
    """Register the list-based Enumerable methods on `owner` in registry
    `target` (methods the owner's module declares itself take precedence)."""
    def m(*names: str, arity: Any = 0) -> Callable:
        def deco(fn: Callable) -> Callable:
            target.method(owner, *names, arity=arity)(fn)
            return fn
        return deco

    def need(f: Any, self: Any, meth: str, args: list, blk: Any) -> Any:
        return None if blk is not None else enum_for(f, self, meth, args)

    @m("map", "collect")
    def map_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "map", args)
        call = blk.code.call
        return RArray([call(blk, f, [x], None) for x in items_of(f, self)])

    @m("flat_map", "collect_concat")
    def flat_map(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "flat_map", args)
        out = RArray()
        for x in items_of(f, self):
            r = call1(f, blk, x)
            if isinstance(r, RArray):
                out.extend(r)
            else:
                out.append(r)
        return out

    @m("each_with_index")
    def each_with_index(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "each_with_index", args)
        call = blk.code.call
        for i, x in enumerate(items_of(f, self)):
            call(blk, f, [x, i], None)
        return self

    @m("each_with_object", arity=1)
    def each_with_object(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "each_with_object", args)
        memo = args[0]
        call = blk.code.call
        for x in items_of(f, self):
            call(blk, f, [x, memo], None)
        return memo

    @m("select", "filter", "find_all")
    def select(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "select", args)
        call = blk.code.call
        return RArray([x for x in items_of(f, self) if truthy(call(blk, f, [x], None))])

    @m("filter_map")
    def filter_map(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "filter_map", args)
        out = RArray()
        for x in items_of(f, self):
            r = call1(f, blk, x)
            if truthy(r):
                out.append(r)
        return out

    @m("reject")
    def reject(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "reject", args)
        return RArray([x for x in items_of(f, self) if not truthy(call1(f, blk, x))])

    @m("find", "detect", arity=(0, 1))
    def find(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "find", args)
        for x in items_of(f, self):
            if truthy(call1(f, blk, x)):
                return x
        return None

    @m("find_index", arity=(0, 1))
    def find_index(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        for i, x in enumerate(items_of(f, self)):
            if (f.interp.eq(f, x, args[0]) if args else truthy(call1(f, blk, x))):
                return i
        return None

    @m("include?", "member?", arity=1)
    def include(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        o = args[0]
        return any(f.interp.eq(f, x, o) for x in items_of(f, self))

    @m("any?", arity=(0, 1))
    def any_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return predicate(f, items_of(f, self), args, blk, "any")

    @m("all?", arity=(0, 1))
    def all_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return predicate(f, items_of(f, self), args, blk, "all")

    @m("none?", arity=(0, 1))
    def none_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return predicate(f, items_of(f, self), args, blk, "none")

    @m("one?", arity=(0, 1))
    def one_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return predicate(f, items_of(f, self), args, blk, "one")

    @m("count", arity=(0, 1))
    def count_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return count(f, items_of(f, self), args, blk)

    @m("inject", "reduce", arity=(0, 2))
    def inject_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return inject(f, items_of(f, self), args, blk)

    @m("sum", arity=(0, 1))
    def sum_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return ruby_sum(f, items_of(f, self), args[0] if args else 0, blk)

    @m("sort")
    def sort(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RArray(sort_values(f, items_of(f, self), blk))

    @m("sort_by")
    def sort_by(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "sort_by", args)
        return RArray(sort_by_values(f, items_of(f, self), blk))

    @m("min", arity=(0, 1))
    def min_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return min_max(f, items_of(f, self), args, blk, False)

    @m("max", arity=(0, 1))
    def max_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return min_max(f, items_of(f, self), args, blk, True)

    @m("minmax")
    def minmax(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        items = items_of(f, self)
        return RArray([min_max(f, items, [], blk, False), min_max(f, items, [], blk, True)])

    @m("min_by", arity=(0, 1))
    def min_by(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "min_by", args)
        items = items_of(f, self)
        if args:
            return RArray(sort_by_values(f, items, blk)[:int_arg(f, args[0])])
        return minmax_by(f, items, blk, False)

    @m("max_by", arity=(0, 1))
    def max_by(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "max_by", args)
        items = items_of(f, self)
        if args:
            return RArray(sort_by_values(f, items, blk)[::-1][:int_arg(f, args[0])])
        return minmax_by(f, items, blk, True)

    @m("group_by")
    def group_by_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "group_by", args)
        return group_by(f, items_of(f, self), blk)

    @m("partition")
    def partition(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "partition", args)
        yes, no = RArray(), RArray()
        for x in items_of(f, self):
            (yes if truthy(call1(f, blk, x)) else no).append(x)
        return RArray([yes, no])

    @m("tally")
    def tally_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return tally(f, items_of(f, self))

    @m("to_a", "entries", arity=-1)
    def to_a(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RArray(items_of(f, self))

    @m("to_h")
    def to_h_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return to_h(f, items_of(f, self), blk)

    @m("each_slice", arity=1)
    def each_slice_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        slices = each_slice(f, items_of(f, self), int_arg(f, args[0]))
        if blk is None:
            return enum_for(f, RArray(slices), "each", [])
        for s in slices:
            call1(f, blk, s)
        return self

    @m("each_cons", arity=1)
    def each_cons_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        groups = each_cons(f, items_of(f, self), int_arg(f, args[0]))
        if blk is None:
            return enum_for(f, RArray(groups), "each", [])
        for s in groups:
            call1(f, blk, s)
        return self

    @m("each_entry")
    def each_entry(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        for x in items_of(f, self):
            call1(f, blk, x)
        return self

    @m("first", arity=(0, 1))
    def first(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if args:
            n = int_arg(f, args[0])
            if n < 0:
                raise f.interp.error("ArgumentError", "attempt to take negative size")
            out: list = []
            if n == 0:
                return RArray()

            def take(v: Any) -> Any:
                out.append(v)
                return STOP if len(out) >= n else None
            iterate(f, self, take)
            return RArray(out)
        got: list = []
        iterate(f, self, lambda v: (got.append(v), STOP)[1])
        return got[0] if got else None

    @m("take", arity=1)
    def take(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        n = int_arg(f, args[0])
        if n < 0:
            raise f.interp.error("ArgumentError", "attempt to take negative size")
        return RArray(items_of(f, self)[:n])

    @m("drop", arity=1)
    def drop(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        n = int_arg(f, args[0])
        if n < 0:
            raise f.interp.error("ArgumentError", "attempt to drop negative size")
        return RArray(items_of(f, self)[n:])

    @m("take_while")
    def take_while(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        out = RArray()
        for x in items_of(f, self):
            if not truthy(call1(f, blk, x)):
                break
            out.append(x)
        return out

    @m("drop_while")
    def drop_while(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        items = items_of(f, self)
        i = 0
        while i < len(items) and truthy(call1(f, blk, items[i])):
            i += 1
        return RArray(items[i:])

    @m("uniq")
    def uniq_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RArray(uniq(f, items_of(f, self), blk))

    @m("zip", arity=-1)
    def zip_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        rows = zip_lists(f, items_of(f, self), args)
        if blk is not None:
            for r in rows:
                call1(f, blk, r)
            return None
        return RArray(rows)

    @m("chunk_while")
    def chunk_while_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return enum_for(f, RArray(chunk_while(f, items_of(f, self), blk, False)), "each", [])

    @m("slice_when")
    def slice_when(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return enum_for(f, RArray(chunk_while(f, items_of(f, self), blk, True)), "each", [])

    @m("grep", arity=1)
    def grep(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        pat = args[0]
        out = RArray()
        for x in items_of(f, self):
            if f.interp.case_eq(f, pat, x):
                out.append(call1(f, blk, x) if blk is not None else x)
        return out

    @m("grep_v", arity=1)
    def grep_v(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        pat = args[0]
        out = RArray()
        for x in items_of(f, self):
            if not f.interp.case_eq(f, pat, x):
                out.append(call1(f, blk, x) if blk is not None else x)
        return out

    @m("cycle", arity=(0, 1))
    def cycle(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, self, "cycle", args)
        items = items_of(f, self)
        n = None if not args or args[0] is None else int_arg(f, args[0])
        if not items:
            return None
        k = 0
        while n is None or k < n:
            for x in items:
                call1(f, blk, x)
            k += 1
        return None

    @m("reverse_each")
    def reverse_each(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        if blk is None:
            return enum_for(f, RArray(items_of(f, self)[::-1]), "each", [])
        for x in items_of(f, self)[::-1]:
            call1(f, blk, x)
        return self

    @m("to_set")
    def to_set(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        raise f.interp.error("NotImplementedError", "Set is not supported by this implementation")

    @m("lazy")
    def lazy(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        raise f.interp.error("NotImplementedError",
                             "Enumerator::Lazy is not supported by this implementation")

    del need


def _enum_items(f: Any, self: Any) -> list:
    return to_list(f, self)


@reg.setup
def _enumerable(interp: Any) -> None:
    common(reg, EN, _enum_items)


def random_sample(items: list) -> Any:
    return random.choice(items) if items else None

