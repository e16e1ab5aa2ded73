"""Proc, Method and UnboundMethod (`ruby-subset.md` §3.3, §6 Proc)."""

from __future__ import annotations

from typing import Any

from ..native import Registry
from ..objects import MethodEntry, RArray, RModule, RObject, RProc, RString
from .util import int_arg, sym

reg = Registry()
P = "Proc"


@reg.smethod(P, "new", arity=-1)
def proc_new(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        # [deviation] ruby-subset.md §3.3: a blockless Proc.new inside a
        # method called with a block returns that block (s25r.add_whitelist { }).
        blk = f.home.block if f.home is not None else None
        if blk is None:
            raise f.interp.error("ArgumentError", "tried to create Proc object without a block")
    blk.materialized = True
    if self is not f.interp.Proc:
        new = RProc(blk.code, blk.frame, blk.self_, blk.is_lambda)
        new.native = blk.native
        new.cls = self
        init = f.interp.find_method(self, "initialize")
        if init is not None and init.kind != "native":
            init.invoke(f, new, args, kw, None)
        return new
    return blk


def call_proc(f: Any, pr: RProc, args: list, kw: Any, blk: Any) -> Any:
    if kw is not None and kw.d:
        return pr.code.call_as(pr, f, args, kw, blk, pr.self_)
    return pr.code.call(pr, f, args, blk)


@reg.method(P, "call", "()", "yield", "===", arity=-1, kw=True)
def call(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    return call_proc(f, self, args, kw, blk)


@reg.method(P, "[]", arity=-1, kw=True)
def index(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    return call_proc(f, self, args, kw, blk)


@reg.method(P, "to_proc", arity=0)
def to_proc(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(P, "lambda?", arity=0)
def is_lambda(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    return self.is_lambda


def proc_arity(pr: RProc) -> int:
    if pr.native is not None:
        return pr.arity_value
    b = pr.code.binder
    if b is None or b.no_params:
        return 0
    return b.arity_for(pr.is_lambda)


@reg.method(P, "arity", arity=0)
def arity(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    return proc_arity(self)


@reg.method(P, "parameters", arity=0)
def parameters(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    b = self.code.binder if self.native is None else None
    out = RArray()
    if b is None:
        return out
    names = self.code.info.names
    req_kind = "req" if self.is_lambda else "opt"
    for slot in b.req:
        out.append(RArray([sym(req_kind), sym(names[slot])] if type(slot) is int
                          else [sym(req_kind)]))
    for slot, _ in b.opt:
        out.append(RArray([sym("opt"), sym(names[slot])]))
    if b.has_rest:
        out.append(RArray([sym("rest"), sym(names[b.rest])]))
    for slot in b.post:
        out.append(RArray([sym(req_kind), sym(names[slot])] if type(slot) is int
                          else [sym(req_kind)]))
    for name, _, d in b.kw:
        out.append(RArray([sym("keyreq" if d is None else "key"), sym(name)]))
    if b.has_kwrest:
        out.append(RArray([sym("keyrest"), sym(names[b.kwrest])]))
    if b.block is not None:
        out.append(RArray([sym("block"), sym(names[b.block])]))
    return out


@reg.method(P, "curry", arity=(0, 1))
def curry(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    a = proc_arity(self)
    n = int_arg(f, args[0]) if args else (a if a >= 0 else -a - 1)
    if self.is_lambda and args and a >= 0 and n != a:
        raise interp.error("ArgumentError", f"wrong number of arguments (given {n}, "
                           f"expected {a})")

    def make(collected: list) -> RProc:
        def step(f2: Any, more: list, b: Any) -> Any:
            got = collected + list(more)
            if len(got) >= n:
                return self.code.call(self, f2, got, b)
            return make(got)
        return interp.native_proc(step, arity=-1, is_lambda=True)
    return make([])


@reg.method(P, "inspect", "to_s", arity=0)
def inspect(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    if self.native is not None:
        s = getattr(self, "symbol", None)
        tail = f"(&:{s})" if s else ""
        return RString(f"#<Proc:0x{f.interp.address(self)}{tail}"
                       f"{' (lambda)' if self.is_lambda else ''}>")
    info = self.code.info
    return RString(f"#<Proc:{info.file}:{self.code.line}"
                   f"{' (lambda)' if self.is_lambda else ''}>")


@reg.method(P, "source_location", arity=0)
def source_location(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    if self.native is not None:
        return None
    return RArray([RString(self.code.info.file), self.code.line])


@reg.method(P, "==", "eql?", arity=1)
def eq(f: Any, self: RProc, args: list, kw: Any, blk: Any) -> Any:
    return self is args[0]


# --- Method / UnboundMethod ---------------------------------------------------------

class MethodPayload:
    def __init__(self, recv: Any, entry: MethodEntry, name: str, bound: bool) -> None:
        self.recv = recv
        self.entry = entry
        self.name = name
        self.bound = bound


def make_method_object(f: Any, recv: Any, name: str) -> RObject:
    interp = f.interp
    entry = interp.find_method(interp.class_of(recv), name)
    if entry is None:
        raise interp.error("NameError",
                           f"undefined method '{name}' for {interp.describe_recv(f, recv)}",
                           name=sym(name), receiver=recv)
    return RObject(interp.Method, MethodPayload(recv, entry, name, True))


def make_unbound_method(f: Any, mod: RModule, name: str) -> RObject:
    interp = f.interp
    entry = interp.find_method(mod, name)
    if entry is None:
        raise interp.error("NameError", f"undefined method '{name}' for "
                           f"{interp.describe_module(mod)}", name=sym(name))
    return RObject(interp.UnboundMethod, MethodPayload(None, entry, name, False))


def _entry_arity(entry: MethodEntry) -> int:
    return entry.arity_value


@reg.method("Method", "call", "()", "[]", "===", arity=-1, kw=True)
def method_call(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload
    return p.entry.invoke(f, p.recv, args, kw, blk)


@reg.method("Method", "to_proc", arity=0)
def method_to_proc(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload

    def run(f2: Any, a: list, b: Any) -> Any:
        return p.entry.invoke(f2, p.recv, a, None, b)
    pr = f.interp.native_proc(run, arity=_entry_arity(p.entry), is_lambda=True)
    return pr


@reg.method("Method", "arity", arity=0)
@reg.method("UnboundMethod", "arity", arity=0)
def method_arity(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return _entry_arity(self.payload.entry)


@reg.method("Method", "name", arity=0)
@reg.method("UnboundMethod", "name", arity=0)
def method_name(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return sym(self.payload.name)


@reg.method("Method", "owner", arity=0)
@reg.method("UnboundMethod", "owner", arity=0)
def method_owner(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return self.payload.entry.owner


@reg.method("Method", "receiver", arity=0)
def method_receiver(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return self.payload.recv


@reg.method("Method", "unbind", arity=0)
def method_unbind(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload
    return RObject(f.interp.UnboundMethod, MethodPayload(None, p.entry, p.name, False))


@reg.method("UnboundMethod", "bind", arity=1)
def unbound_bind(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload
    return RObject(f.interp.Method, MethodPayload(args[0], p.entry, p.name, True))


@reg.method("UnboundMethod", "bind_call", arity=(1, -1), kw=True)
def unbound_bind_call(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    return self.payload.entry.invoke(f, args[0], args[1:], kw, blk)


@reg.method("Method", "inspect", "to_s", arity=0)
@reg.method("UnboundMethod", "inspect", "to_s", arity=0)
def method_inspect(f: Any, self: RObject, args: list, kw: Any, blk: Any) -> Any:
    p = self.payload
    owner = p.entry.owner
    kind = "Method" if p.bound else "UnboundMethod"
    return RString(f"#<{kind}: {f.interp.module_name(owner)}#{p.name}>")
