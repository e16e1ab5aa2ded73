"""Small helpers shared by the native core modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import BreakSignal
from ..objects import RArray, RHash, RProc, RString, RSymbol


def call_blk(f: Any, blk: RProc, *args: Any) -> Any:
    return blk.code.call(blk, f, list(args), None)


def yield1(f: Any, blk: RProc, v: Any) -> Any:
    return blk.code.call(blk, f, [v], None)


def truthy(v: Any) -> bool:
    return v is not None and v is not False


def check_frozen(f: Any, obj: Any) -> None:
    if obj.frozen:
        raise f.interp.frozen_error(f, obj)


def int_arg(f: Any, v: Any) -> int:
    if v.__class__ is int:
        return v
    return f.interp.to_int(f, v)


def str_arg(f: Any, v: Any) -> str:
    if v.__class__ is RString:
        return v.s
    return f.interp.to_str(f, v)


def name_arg(f: Any, v: Any) -> str:
    return f.interp.str_or_sym(f, v)


def enum_for(f: Any, recv: Any, meth: str, args: list,
             size: Callable[[], Any] | None = None) -> Any:
    """The Enumerator a blockless iterator returns (`arr.each_with_index`)."""
    from .enumerator import make_enumerator
    return make_enumerator(f, recv, meth, args, size)


def pairs_of(h: RHash) -> list[RArray]:
    return [RArray(kv) for kv in h.d.values()]


class Stop(Exception):
    """Internal early exit from an iteration driven by a Ruby `each`."""


def iterate(f: Any, obj: Any, fn: Callable[[Any], Any]) -> None:
    """Call fn(value) for each value `obj.each` yields (several values are
    packed into an Array). fn may return the `STOP` marker to stop early."""
    interp = f.interp
    tag = object()

    def native(f2: Any, args: list, blk: Any) -> Any:
        v = args[0] if len(args) == 1 else RArray(args)
        if fn(v) is STOP:
            raise BreakSignal(tag, None)
        return None
    pr = interp.native_proc(native)
    try:
        interp.send(f, obj, "each", [], blk=pr)
    except BreakSignal as e:
        if e.tag is not tag:
            raise


STOP = object()


def to_list(f: Any, obj: Any) -> list:
    """The values of any enumerable (Array, Hash pairs, Range, or via `each`)."""
    if obj.__class__ is RArray:
        return list(obj)
    if isinstance(obj, RHash):
        return pairs_of(obj)
    out: list = []
    iterate(f, obj, out.append)
    return out


def sym(name: str) -> RSymbol:
    return RSymbol.get(name)
