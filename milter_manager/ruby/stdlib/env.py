"""ENV (`ruby-subset.md` §8.1): the process environment; values are Strings."""

from __future__ import annotations

import os
from typing import Any

from ..native import Registry, define_native
from ..objects import RArray, RHash, RObject, RString

reg = Registry()


def _key(f: Any, k: Any) -> str:
    return f.interp.to_str(f, k)


def _val(s: str) -> RString:
    return RString(s, frozen=True)


@reg.setup
def _setup(interp: Any) -> None:
    env = RObject(interp.Object)
    interp.Object.consts["ENV"] = env
    single = interp.singleton_class(None, env)

    def d(name: str, fn: Any, arity: Any = 0) -> None:
        for n in name.split():
            define_native(interp, single, n, fn, arity=arity, label=f"ENV.{n}")

    def get(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        v = os.environ.get(_key(f, args[0]))
        return None if v is None else _val(v)

    def fetch(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        k = _key(f, args[0])
        v = os.environ.get(k)
        if v is not None:
            return _val(v)
        if blk is not None:
            return blk.code.call(blk, f, [args[0]], None)
        if len(args) > 1:
            return args[1]
        raise interp.error("KeyError", f"key not found: {interp.inspect(f, args[0])}",
                           key=args[0], receiver=env)

    def set_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        k = _key(f, args[0])
        if args[1] is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = interp.to_str(f, args[1])
        return args[1]

    def has(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return _key(f, args[0]) in os.environ

    def delete(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        v = os.environ.pop(_key(f, args[0]), None)
        if v is None and blk is not None:
            return blk.code.call(blk, f, [args[0]], None)
        return None if v is None else _val(v)

    def to_h(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RHash((_val(k), _val(v)) for k, v in os.environ.items())

    def keys(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RArray(_val(k) for k in os.environ)

    def values(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RArray(_val(v) for v in os.environ.values())

    def each(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        for k, v in list(os.environ.items()):
            blk.code.call(blk, f, [RArray((_val(k), _val(v)))], None)
        return env

    def size(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return len(os.environ)

    def empty(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return not os.environ

    def to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString("ENV")

    def inspect(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(interp.inspect(f, to_h(f, self, [], None, None)))

    d("[]", get, 1)
    d("fetch", fetch, (1, 2))
    d("[]= store", set_, 2)
    d("key? has_key? include? member?", has, 1)
    d("delete", delete, 1)
    d("to_h to_hash", to_h)
    d("keys", keys)
    d("values", values)
    d("each each_pair", each)
    d("size length", size)
    d("empty?", empty)
    d("to_s", to_s)
    d("inspect", inspect)
