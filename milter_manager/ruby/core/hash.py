"""Hash (`ruby-subset.md` §6 Hash, §3.6 key semantics): insertion ordered;
iteration yields [key, value] pairs (auto-splatted by `|k, v|`)."""

from __future__ import annotations

from typing import Any

from ..native import Registry
from ..objects import RArray, RHash, RProc, RString, hkey
from . import enumerable as E
from .util import enum_for, int_arg, pairs_of, truthy

reg = Registry()
H = "Hash"


def _items(f: Any, self: RHash) -> list:
    return pairs_of(self)


@reg.setup
def _common(interp: Any) -> None:
    E.common(reg, H, _items)


def frozen_check(f: Any, self: RHash) -> None:
    if self.frozen:
        raise f.interp.frozen_error(f, self)


def lookup(f: Any, h: RHash, k: Any) -> Any:
    """h[k] with the default value / default proc."""
    e = h.d.get(hkey(k))
    if e is not None:
        return e[1]
    if h.default_proc is not None:
        pr = h.default_proc
        return pr.code.call(pr, f, [h, k], None)
    return h.default


def yield_pair(f: Any, blk: RProc, k: Any, v: Any) -> Any:
    # A lambda of arity 2 gets the key and value as two arguments (each_pair).
    if blk.is_lambda and blk.code.arity == 2:
        return blk.code.call(blk, f, [k, v], None)
    return blk.code.call(blk, f, [RArray((k, v))], None)


# --- construction -----------------------------------------------------------------------

@reg.method(H, "initialize", arity=(0, 1), kw=True, visibility="private")
def initialize(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is not None:
        if args:
            raise f.interp.error("ArgumentError",
                                 "wrong number of arguments (given 1, expected 0)")
        blk.materialized = True
        self.default_proc = blk
    elif args:
        self.default = args[0]
    return None


@reg.smethod(H, "[]", arity=-1)
def class_index(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    h = RHash()
    if len(args) == 1:
        a = args[0]
        if isinstance(a, RHash):
            h.d = dict(a.d)
            return h
        for pair in interp.to_ary(f, a):
            items = interp.to_ary(f, pair)
            if len(items) not in (1, 2):
                raise interp.error("ArgumentError",
                                   f"invalid number of elements ({len(items)} for 1..2)")
            h.set(items[0], items[1] if len(items) > 1 else None)
        return h
    if len(args) % 2:
        raise interp.error("ArgumentError", "odd number of arguments for Hash")
    for i in range(0, len(args), 2):
        h.set(args[i], args[i + 1])
    return h


@reg.method(H, "initialize_copy", "replace", arity=1)
def replace(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    other = f.interp.to_hash(f, args[0])
    self.d = dict(other.d)
    self.default = other.default
    self.default_proc = other.default_proc
    return self


# --- access ------------------------------------------------------------------------------

@reg.method(H, "[]", arity=1)
def index(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return lookup(f, self, args[0])


@reg.method(H, "[]=", "store", arity=2)
def index_set(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    self.set(args[0], args[1])
    return args[1]


@reg.method(H, "fetch", arity=(1, 2))
def fetch(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    k = args[0]
    e = self.d.get(hkey(k))
    if e is not None:
        return e[1]
    if blk is not None:
        return blk.code.call(blk, f, [k], None)
    if len(args) > 1:
        return args[1]
    interp = f.interp
    raise interp.error("KeyError", f"key not found: {interp.inspect(f, k)}", key=k, receiver=self)


@reg.method(H, "fetch_values", arity=-1)
def fetch_values(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return RArray(fetch(f, self, [k], kw, blk) for k in args)


@reg.method(H, "values_at", arity=-1)
def values_at(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return RArray(lookup(f, self, k) for k in args)


@reg.method(H, "dig", arity=(1, -1))
def dig(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    v = lookup(f, self, args[0])
    if len(args) == 1 or v is None:
        return v
    return f.interp.send(f, v, "dig", args[1:])


@reg.method(H, "key?", "has_key?", "include?", "member?", arity=1)
def has_key(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return hkey(args[0]) in self.d


@reg.method(H, "value?", "has_value?", arity=1)
def has_value(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return any(f.interp.eq(f, v, args[0]) for _, v in self.d.values())


@reg.method(H, "key", arity=1)
def key(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    for k, v in self.d.values():
        if f.interp.eq(f, v, args[0]):
            return k
    return None


@reg.method(H, "keys", arity=0)
def keys(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return RArray(self.keys())


@reg.method(H, "values", arity=0)
def values(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return RArray(self.values())


@reg.method(H, "size", "length", "count", arity=(0, 1))
def size(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if args or blk is not None:
        return E.count(f, pairs_of(self), args, blk)
    return len(self.d)


@reg.method(H, "empty?", arity=0)
def empty(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return not self.d


@reg.method(H, "default", arity=(0, 1))
def default(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if args and self.default_proc is not None:
        pr = self.default_proc
        return pr.code.call(pr, f, [self, args[0]], None)
    return self.default


@reg.method(H, "default=", arity=1)
def set_default(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    self.default = args[0]
    self.default_proc = None
    return args[0]


@reg.method(H, "default_proc", arity=0)
def default_proc(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return self.default_proc


# --- mutation ---------------------------------------------------------------------------

@reg.method(H, "delete", arity=1)
def delete(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    e = self.delete(args[0])
    if e is None:
        return blk.code.call(blk, f, [args[0]], None) if blk is not None else None
    return e[1]


@reg.method(H, "clear", arity=0)
def clear(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    self.d = {}
    return self


@reg.method(H, "shift", arity=0)
def shift(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    if not self.d:
        return None
    hk = next(iter(self.d))
    k, v = self.d.pop(hk)
    return RArray((k, v))


def _merge_into(f: Any, target: RHash, others: list, blk: Any) -> None:
    interp = f.interp
    for o in others:
        for k, v in list(interp.to_hash(f, o).d.values()):
            hk = hkey(k)
            if blk is not None and hk in target.d:
                v = blk.code.call(blk, f, [k, target.d[hk][1], v], None)
            target.set(k, v)


@reg.method(H, "merge", arity=-1)
def merge(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    out = RHash()
    out.d = dict(self.d)
    out.default = self.default
    out.default_proc = self.default_proc
    _merge_into(f, out, args, blk)
    return out


@reg.method(H, "merge!", "update", arity=-1)
def merge_bang(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    _merge_into(f, self, args, blk)
    return self


def _filter(f: Any, self: RHash, blk: Any, keep_truthy: bool) -> list:
    return [(k, v) for k, v in list(self.d.values())
            if truthy(yield_pair(f, blk, k, v)) == keep_truthy]


@reg.method(H, "select", "filter", arity=0)
def select(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "select", [])
    return RHash(_filter(f, self, blk, True))


@reg.method(H, "reject", arity=0)
def reject(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "reject", [])
    return RHash(_filter(f, self, blk, False))


def _filter_bang(f: Any, self: RHash, blk: Any, keep: bool, none_if_same: bool) -> Any:
    frozen_check(f, self)
    kept = _filter(f, self, blk, keep)
    changed = len(kept) != len(self.d)
    self.d = {hkey(k): (k, v) for k, v in kept}
    if none_if_same and not changed:
        return None
    return self


@reg.method(H, "select!", "filter!", arity=0)
def select_bang(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return _filter_bang(f, self, blk, True, True)


@reg.method(H, "keep_if", arity=0)
def keep_if(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return _filter_bang(f, self, blk, True, False)


@reg.method(H, "reject!", arity=0)
def reject_bang(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return _filter_bang(f, self, blk, False, True)


@reg.method(H, "delete_if", arity=0)
def delete_if(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return _filter_bang(f, self, blk, False, False)


@reg.method(H, "compact", arity=0)
def compact(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return RHash((k, v) for k, v in self.d.values() if v is not None)


@reg.method(H, "slice", arity=-1)
def slice_(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    out = RHash()
    for k in args:
        e = self.d.get(hkey(k))
        if e is not None:
            out.set(e[0], e[1])
    return out


@reg.method(H, "except", arity=-1)
def except_(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    drop = {hkey(k) for k in args}
    return RHash((k, v) for hk, (k, v) in self.d.items() if hk not in drop)


@reg.method(H, "invert", arity=0)
def invert(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return RHash((v, k) for k, v in self.d.values())


@reg.method(H, "transform_values", arity=0)
def transform_values(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "transform_values", [])
    return RHash((k, blk.code.call(blk, f, [v], None)) for k, v in list(self.d.values()))


@reg.method(H, "transform_values!", arity=0)
def transform_values_bang(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    for hk, (k, v) in list(self.d.items()):
        self.d[hk] = (k, blk.code.call(blk, f, [v], None))
    return self


@reg.method(H, "transform_keys", arity=(0, 1))
def transform_keys(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    mapping = args[0] if args else None
    out = RHash()
    for k, v in list(self.d.values()):
        if mapping is not None and hkey(k) in mapping.d:
            nk = mapping.d[hkey(k)][1]
        elif blk is not None:
            nk = blk.code.call(blk, f, [k], None)
        else:
            nk = k
        out.set(nk, v)
    return out


@reg.method(H, "transform_keys!", arity=(0, 1))
def transform_keys_bang(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    frozen_check(f, self)
    new = transform_keys(f, self, args, kw, blk)
    self.d = new.d
    return self


# --- iteration ----------------------------------------------------------------------------

@reg.method(H, "each", "each_pair", arity=0)
def each(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "each", [], size=lambda: len(self.d))
    for k, v in list(self.d.values()):
        yield_pair(f, blk, k, v)
    return self


@reg.method(H, "each_key", arity=0)
def each_key(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, RArray(self.keys()), "each", [])
    for k in self.keys():
        blk.code.call(blk, f, [k], None)
    return self


@reg.method(H, "each_value", arity=0)
def each_value(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, RArray(self.values()), "each", [])
    for v in self.values():
        blk.code.call(blk, f, [v], None)
    return self


@reg.method(H, "any?", arity=(0, 1))
def any_(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is None and not args:
        return bool(self.d)
    if blk is not None and not args:
        for k, v in list(self.d.values()):
            if truthy(yield_pair(f, blk, k, v)):
                return True
        return False
    return E.predicate(f, pairs_of(self), args, blk, "any")


@reg.method(H, "find", "detect", arity=0)
def find(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    for k, v in list(self.d.values()):
        if truthy(yield_pair(f, blk, k, v)):
            return RArray((k, v))
    return None


@reg.method(H, "map", "collect", arity=0)
def map_(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "map", [])
    return RArray([yield_pair(f, blk, k, v) for k, v in list(self.d.values())])


@reg.method(H, "to_h", arity=0)
def to_h(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        if self.cls is None:
            return self
        out = RHash()
        out.d = dict(self.d)
        return out
    return E.to_h(f, pairs_of(self), blk)


@reg.method(H, "to_hash", arity=0)
def to_hash(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(H, "to_a", "entries", arity=0)
def to_a(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return RArray(pairs_of(self))


@reg.method(H, "sort", arity=0)
def sort(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return RArray(E.sort_values(f, pairs_of(self), blk))


@reg.method(H, "first", arity=(0, 1))
def first(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    pairs = pairs_of(self)
    if not args:
        return pairs[0] if pairs else None
    return RArray(pairs[:int_arg(f, args[0])])


# --- comparison and rendering --------------------------------------------------------------

@reg.method(H, "==", "eql?", arity=1)
def eq(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if o is self:
        return True
    if not isinstance(o, RHash) or len(o.d) != len(self.d):
        return False
    for hk, (_, v) in self.d.items():
        e = o.d.get(hk)
        if e is None or not f.interp.eq(f, v, e[1]):
            return False
    return True


@reg.method(H, "hash", arity=0)
def hash_(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    return hash(frozenset((hk, hkey(v)) for hk, (_, v) in self.d.items()))


@reg.method(H, "inspect", "to_s", arity=0)
def inspect(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if not self.d:
        return RString("{}")
    guard = interp.inspect_guard()
    if id(self) in guard:
        return RString("{...}")
    guard.add(id(self))
    try:
        parts = [f"{interp.inspect(f, k)}=>{interp.inspect(f, v)}" for k, v in self.d.values()]
    finally:
        guard.discard(id(self))
    return RString("{" + ", ".join(parts) + "}")


@reg.method(H, "compare_by_identity", arity=0)
def compare_by_identity(f: Any, self: RHash, args: list, kw: Any, blk: Any) -> Any:
    raise f.interp.error("NotImplementedError",
                         "Hash#compare_by_identity is not supported by this implementation")
