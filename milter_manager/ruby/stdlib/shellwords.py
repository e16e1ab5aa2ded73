"""Shellwords (`ruby-subset.md` §8.9), on `text.py`'s implementation."""

from __future__ import annotations

from typing import Any

from ..native import Registry, define_native
from ..objects import RArray, RString
from ..text import ShellwordsError, shell_escape, shell_join, shell_split

reg = Registry()


def _split(f: Any, s: str) -> RArray:
    try:
        return RArray(RString(w) for w in shell_split(s))
    except ShellwordsError as e:
        raise f.interp.error("ArgumentError", e.message) from None


@reg.setup
def _setup(interp: Any) -> None:
    mod = interp.new_module("Shellwords")
    interp.Object.consts["Shellwords"] = mod
    single = interp.singleton_class(None, mod)

    def split(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return _split(f, interp.to_str(f, args[0]))

    def escape(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(shell_escape(interp.to_s(f, args[0])))

    def join(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(shell_join([interp.to_s(f, x) for x in interp.to_ary(f, args[0])]))
    for n in ("split", "shellsplit", "shellwords"):
        define_native(interp, single, n, split, arity=1, label=f"Shellwords.{n}")
    for n in ("escape", "shellescape"):
        define_native(interp, single, n, escape, arity=1, label=f"Shellwords.{n}")
    for n in ("join", "shelljoin"):
        define_native(interp, single, n, join, arity=1, label=f"Shellwords.{n}")


@reg.method("String", "shellsplit", "shellwords", arity=0)
def shellsplit(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return _split(f, self.s)


@reg.method("String", "shellescape", arity=0)
def shellescape(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RString(shell_escape(self.s))


@reg.method("Array", "shelljoin", arity=0)
def shelljoin(f: Any, self: RArray, args: list, kw: Any, blk: Any) -> Any:
    return RString(shell_join([f.interp.to_s(f, x) for x in self]))
