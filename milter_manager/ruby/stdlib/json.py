"""JSON (`ruby-subset.md` §8.6): `JSON.parse`, `JSON.generate`,
`JSON.pretty_generate`, `#to_json`."""

from __future__ import annotations

import json as pyjson
import math
from typing import Any

from ..native import Registry, define_native
from ..objects import RArray, RHash, RString, RSymbol
from ..text import float_to_s

reg = Registry()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"unexpected token at '{name}'")


def parse(f: Any, text: str, symbolize: bool) -> Any:
    interp = f.interp

    def convert(v: Any) -> Any:
        if isinstance(v, str):
            return RString(v)
        if isinstance(v, list):
            return RArray(convert(x) for x in v)
        if isinstance(v, tuple):
            return v
        return v

    def pairs(items: list) -> RHash:
        h = RHash()
        for k, v in items:
            h.set(RSymbol.get(k) if symbolize else RString(k), convert(v))
        return h
    try:
        value = pyjson.loads(text, object_pairs_hook=pairs, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        msg = str(e)
        if not msg.startswith("unexpected token"):
            pos = getattr(e, "pos", 0) or 0
            msg = f"unexpected token at '{text[pos:pos + 40]}'"
        raise interp.error(interp.Object.consts["JSON"].consts["ParserError"], msg) from None
    return convert(value)


def _escape(s: str) -> str:
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "\f":
            out.append("\\f")
        elif c == "\b":
            out.append("\\b")
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def generate(f: Any, v: Any, pretty: bool, indent: str = "", depth: int = 0) -> str:
    interp = f.interp
    nl = "\n" if pretty else ""
    step = "  " if pretty else ""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = v.__class__
    if t is int:
        return str(v)
    if t is float:
        if math.isnan(v) or math.isinf(v):
            raise interp.error(interp.Object.consts["JSON"].consts["GeneratorError"],
                               f"{float_to_s(v)} not allowed in JSON")
        return float_to_s(v)
    if isinstance(v, RString):
        return _escape(v.s)
    if isinstance(v, RSymbol):
        return _escape(v.name)
    if depth > 100:
        raise interp.error(interp.Object.consts["JSON"].consts["NestingError"],
                           "nesting of 101 is too deep")
    inner = indent + step
    if isinstance(v, RArray):
        if not v:
            return "[]"
        items = [inner + generate(f, x, pretty, inner, depth + 1) for x in v]
        return "[" + nl + ("," + nl).join(items) + nl + indent + "]"
    if isinstance(v, RHash):
        if not v.d:
            return "{}"
        sep = ": " if pretty else ":"
        items = [inner + _escape(interp.to_s(f, k)) + sep + generate(f, x, pretty, inner, depth + 1)
                 for k, x in v.items()]
        return "{" + nl + ("," + nl).join(items) + nl + indent + "}"
    m = interp.find_method(interp.class_of(v), "to_json")
    if m is not None and m.kind != "native":
        return interp.to_s(f, m.invoke(f, v, [], None, None))
    if interp.respond_to(f, v, "to_h", False) and not isinstance(v, (RArray,)) and False:
        pass
    return _escape(interp.to_s(f, v))


@reg.setup
def _setup(interp: Any) -> None:
    mod = interp.new_module("JSON")
    interp.Object.consts["JSON"] = mod
    base = interp.new_class("JSON::JSONError", interp.StandardError, mod)
    mod.consts["JSONError"] = base
    for name in ("ParserError", "GeneratorError", "NestingError"):
        mod.consts[name] = interp.new_class(f"JSON::{name}", base, mod)
    single = interp.singleton_class(None, mod)

    def parse_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        from ..core.util import sym, truthy
        symbolize = kw is not None and truthy(kw.get(sym("symbolize_names")))
        return parse(f, interp.to_str(f, args[0]), symbolize)

    def generate_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(generate(f, args[0], False))

    def pretty(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(generate(f, args[0], True))
    define_native(interp, single, "parse", parse_, arity=(1, 2), kw=True, label="JSON.parse")
    define_native(interp, single, "generate", generate_, arity=(1, 2), label="JSON.generate")
    define_native(interp, single, "dump", generate_, arity=(1, 2), label="JSON.dump")
    define_native(interp, single, "pretty_generate", pretty, arity=(1, 2),
                  label="JSON.pretty_generate")


@reg.method("Kernel", "to_json", arity=-1)
def to_json(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RString(generate(f, self, False))
