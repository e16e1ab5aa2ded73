"""NilClass, TrueClass, FalseClass (`ruby-subset.md` §6)."""

from __future__ import annotations

from typing import Any

from ..native import Registry
from ..objects import RArray, RString
from .util import truthy

reg = Registry()


@reg.method("NilClass", "to_s", arity=0)
def nil_to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RString("", frozen=True)


@reg.method("NilClass", "to_a", arity=0)
def nil_to_a(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RArray()


@reg.method("NilClass", "to_h", arity=0)
def nil_to_h(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    from ..objects import RHash
    return RHash()


@reg.method("NilClass", "to_i", arity=0)
def nil_to_i(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return 0


@reg.method("NilClass", "to_f", arity=0)
def nil_to_f(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return 0.0


@reg.method("NilClass", "inspect", arity=0)
def nil_inspect(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RString("nil")


@reg.method("NilClass", "nil?", arity=0)
def nil_p(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return True


@reg.method("NilClass", "&", arity=1)
@reg.method("FalseClass", "&", arity=1)
def false_and(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return False


@reg.method("NilClass", "|", "^", arity=1)
@reg.method("FalseClass", "|", "^", arity=1)
def false_or(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return truthy(args[0])


@reg.method("TrueClass", "&", arity=1)
def true_and(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return truthy(args[0])


@reg.method("TrueClass", "|", arity=1)
def true_or(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return True


@reg.method("TrueClass", "^", arity=1)
def true_xor(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return not truthy(args[0])


@reg.method("TrueClass", "to_s", "inspect", arity=0)
def true_to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RString("true", frozen=True)


@reg.method("FalseClass", "to_s", "inspect", arity=0)
def false_to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RString("false", frozen=True)


@reg.method("TrueClass", "!", arity=0)
def true_not(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return False


@reg.method("NilClass", "!", arity=0)
@reg.method("FalseClass", "!", arity=0)
def false_not(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return True


@reg.method("TrueClass", "===", "==", arity=1)
@reg.method("FalseClass", "===", "==", arity=1)
@reg.method("NilClass", "===", "==", arity=1)
def same(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self is args[0]
