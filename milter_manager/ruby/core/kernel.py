"""BasicObject, Object and Kernel (`ruby-subset.md` §6 Object/Kernel, §8.10
`require`, §10 unsupported features)."""

from __future__ import annotations

import math
import os
import random
import time
from typing import Any

from ..errors import RubyError, ThrowSignal
from ..frame import SINGLETON_OF_SELF, lexical_cref
from ..native import Registry
from ..objects import (
    RArray,
    RException,
    RHash,
    RModule,
    RObject,
    RProc,
    RRange,
    RString,
    RSymbol,
    object_id,
)
from ..text import FormatError, format_string
from .util import check_frozen, int_arg, name_arg, str_arg, sym, truthy

reg = Registry()
K = "Kernel"
B = "BasicObject"

UNSUPPORTED = ["system", "exec", "fork", "spawn", "exit", "exit!", "abort", "at_exit", "trap",
               "eval", "binding", "set_trace_func", "`", "syscall", "open", "gets", "readline",
               "readlines", "select", "test", "autoload", "callcc"]


def not_supported(name: str) -> Any:
    def fn(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        raise f.interp.error("NotImplementedError",
                             f"{name} is not supported by this implementation")
    return fn


@reg.setup
def _unsupported(interp: Any) -> None:
    for name in UNSUPPORTED:
        reg.method(K, name, arity=-1, visibility="private")(not_supported(name))


# --- BasicObject -----------------------------------------------------------------

@reg.method(B, "initialize", arity=-1, visibility="private")
def initialize(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None


@reg.method(B, "==", "equal?", arity=1)
def identical(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if self.__class__ in (int, float) and o.__class__ is self.__class__:
        return self == o
    return self is o


@reg.method(B, "!", arity=0)
def not_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return not truthy(self)


@reg.method(B, "!=", arity=1)
def not_equal(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return not truthy(f.interp.send(f, self, "==", [args[0]]))


@reg.method(B, "__id__", arity=0)
def obj_id(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return object_id(self)


@reg.method(B, "__send__", arity=(1, -1), kw=True)
def send(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if not args:
        raise f.interp.error("ArgumentError", "no method name given")
    return f.interp.send(f, self, name_arg(f, args[0]), args[1:], kw, blk)


@reg.method(B, "instance_eval", arity=(0, 3))
def instance_eval(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if blk is None:
        if not args:
            raise interp.error("ArgumentError", "wrong number of arguments (given 0, expected 1..3)")
        return eval_string_in(f, self, args, SINGLETON_OF_SELF)
    return blk.code.call_as(blk, f, [self], None, None, self, SINGLETON_OF_SELF)


@reg.method(B, "instance_exec", arity=-1, kw=True)
def instance_exec(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        raise f.interp.error("LocalJumpError", "no block given (yield)")
    return blk.code.call_as(blk, f, list(args), kw, None, self, SINGLETON_OF_SELF)


def eval_string_in(f: Any, self: Any, args: list, deftarget: Any) -> Any:
    """`obj.instance_eval(string)` / `mod.class_eval(string)` (B, optional)."""
    interp = f.interp
    source = str_arg(f, args[0])
    filename = str_arg(f, args[1]) if len(args) > 1 else "(eval)"
    from ..parser import RubySyntaxError, parse
    try:
        program = parse(source, filename)
    except RubySyntaxError as e:
        raise interp.error("SyntaxError", str(e)) from None
    body, info = interp.compile_program(program, f.code.label if f.code else "<main>")
    fr = interp.Frame()
    fr.self_ = self
    fr.vars = [None] * info.nvars
    fr.home = fr
    fr.ret_target = fr
    fr.prev = f
    fr.ts = f.ts
    fr.code = info
    fr.cref = lexical_cref(f)
    fr.depth = f.depth + 1
    if deftarget is SINGLETON_OF_SELF:
        fr.deftarget = SINGLETON_OF_SELF
    else:
        from ..frame import Cref
        fr.deftarget = deftarget
        fr.cref = Cref(deftarget, lexical_cref(f))
    return body(fr)


@reg.method(B, "method_missing", arity=-1, visibility="private")
def method_missing(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if not args or not isinstance(args[0], RSymbol):
        raise interp.error("ArgumentError", "no method name given")
    return interp.call_missing(f, self, args[0].name, args[1:], kw, blk,
                               vcall=False, selfcall=False, entry=None,
                               use_method_missing=False)


@reg.method(B, "singleton_method_added", "singleton_method_removed", arity=1,
            visibility="private")
def noop_hook(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None


# --- Kernel (public instance methods) -------------------------------------------------

@reg.method(K, "send", arity=(1, -1), kw=True)
def kernel_send(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.send(f, self, name_arg(f, args[0]), args[1:], kw, blk)


@reg.setup
def _public_send(interp: Any) -> None:
    def public_send(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return f.interp.send(f, self, name_arg(f, args[0]), args[1:], kw, blk,
                             public_only=True)
    reg.method(K, "public_send", arity=(1, -1), kw=True)(public_send)


@reg.method(K, "nil?", arity=0)
def is_nil(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self is None


@reg.method(K, "eql?", arity=1)
def eql(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if self.__class__ in (int, float):
        return o.__class__ is self.__class__ and o == self
    return self is o


@reg.method(K, "===", arity=1)
def case_equal(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    return self is o or f.interp.eq(f, self, o)


@reg.method(K, "=~", arity=1)
def match_nil(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None


@reg.method(K, "!~", arity=1)
def not_match(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return not truthy(f.interp.send(f, self, "=~", [args[0]]))


@reg.method(K, "hash", arity=0)
def hash_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if self.__class__ in (int, float, RSymbol) or self is None or self is True or self is False:
        return hash(f.interp.hkey(self)) & 0x3FFFFFFFFFFFFFFF
    return object_id(self) * 2654435761 & 0x3FFFFFFFFFFFFFFF


@reg.method(K, "object_id", arity=0)
def object_id_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return object_id(self)


@reg.method(K, "class", arity=0)
def class_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.real_class(self)


@reg.method(K, "singleton_class", arity=0)
def singleton_class(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.singleton_class(f, self)


@reg.method(K, "is_a?", "kind_of?", arity=1)
def is_a(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    mod = args[0]
    if not isinstance(mod, RModule):
        raise f.interp.error("TypeError", "class or module required")
    return f.interp.is_a(self, mod)


@reg.method(K, "instance_of?", arity=1)
def instance_of(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    mod = args[0]
    if not isinstance(mod, RModule):
        raise f.interp.error("TypeError", "class or module required")
    return f.interp.real_class(self) is mod


@reg.method(K, "respond_to?", arity=(1, 2))
def respond_to(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    a = args[0]
    name = a.name if a.__class__ is RSymbol else name_arg(f, a)
    include_all = len(args) > 1 and truthy(args[1])
    cls = interp.class_of(self)
    m = interp.find_method(cls, name)
    if m is not None:
        return include_all or m.visibility == "public"
    rtm = interp.find_method(cls, "respond_to_missing?")
    if rtm is None or rtm.kind == "native":
        return False
    return interp.respond_to(f, self, name, include_all)


@reg.method(K, "respond_to_missing?", arity=2, visibility="private")
def respond_to_missing(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return False


@reg.method(K, "freeze", arity=0)
def freeze(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if hasattr(self, "frozen") and not isinstance(self, RSymbol):
        try:
            self.frozen = True
        except AttributeError:
            pass
    return self


@reg.method(K, "frozen?", arity=0)
def frozen(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if self is None or self is True or self is False or self.__class__ in (int, float, RSymbol):
        return True
    return bool(getattr(self, "frozen", False))


def copy_object(f: Any, self: Any, keep_frozen: bool) -> Any:
    interp = f.interp
    if self is None or self is True or self is False or self.__class__ in (int, float, RSymbol):
        return self
    if isinstance(self, (RModule, RProc)) and not keep_frozen and isinstance(self, RModule):
        pass
    cls = interp.real_class(self)
    if isinstance(self, RString):
        new: Any = RString(self.s)
    elif isinstance(self, RArray):
        new = RArray(self)
    elif isinstance(self, RHash):
        new = RHash()
        new.d = dict(self.d)
        new.default = self.default
        new.default_proc = self.default_proc
    elif isinstance(self, RException):
        new = RException(cls, self.msg)
        new.bt = self.bt
        new.extra = getattr(self, "extra", None)
    elif isinstance(self, RObject):
        new = RObject(cls, self.payload)
    elif isinstance(self, RRange):
        new = RRange(self.low, self.high, self.excl)
    elif isinstance(self, RModule):
        new = self.__class__(None, self.superclass) if self.is_class else RModule(None)
        new.interp = interp
        new.methods = dict(self.methods)
        new.consts = dict(self.consts)
        new.includes = list(self.includes)
        new.allocator = self.allocator
        interp.epoch += 1
        return new
    elif isinstance(self, RProc):
        new = RProc(self.code, self.frame, self.self_, self.is_lambda)
        new.native = self.native
        return new
    else:
        return self
    if getattr(self, "cls", None) is not None and not (self.cls.is_singleton):
        new.cls = self.cls
    elif getattr(self, "cls", None) is not None and self.cls.is_singleton and not keep_frozen:
        new.cls = cls if cls is not interp.tcls.get(type(self)) else None
    if self.ivars:
        new.ivars = dict(self.ivars)
    if keep_frozen:
        if self.cls is not None and self.cls.is_singleton:
            single = interp.singleton_class(f, new)
            single.methods.update(self.cls.methods)
            single.includes.extend(self.cls.includes)
        if self.frozen:
            new.frozen = True
    init = interp.find_method(interp.class_of(new), "initialize_copy")
    if init is not None and init.kind != "native":
        init.invoke(f, new, [self], None, None)
    return new


@reg.method(K, "dup", arity=0)
def dup(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return copy_object(f, self, False)


@reg.method(K, "clone", arity=0, kw=True)
def clone(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    keep = True
    if kw is not None and kw.has(sym("freeze")) and kw.get(sym("freeze")) is False:
        keep = False
    return copy_object(f, self, keep)


@reg.method(K, "initialize_copy", "initialize_dup", "initialize_clone", arity=1,
            visibility="private")
def initialize_copy(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(K, "tap", arity=0)
def tap(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        raise f.interp.error("LocalJumpError", "no block given (yield)")
    blk.code.call(blk, f, [self], None)
    return self


@reg.method(K, "then", "yield_self", arity=0)
def then(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        from .util import enum_for
        return enum_for(f, self, "then", [])
    return blk.code.call(blk, f, [self], None)


@reg.method(K, "itself", arity=0)
def itself(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(K, "to_s", arity=0)
def to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RString(f.interp.any_to_s(self) if isinstance(self, (RObject, RException, RModule))
                   else f"#<{f.interp.class_name(self)}>")


@reg.method(K, "inspect", arity=0)
def inspect(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if isinstance(self, RObject):
        # Kernel#inspect uses to_s only if the class overrides to_s? No:
        # Ruby 3.1 prints the ivars form; an object without ivars prints to_s's default.
        return RString(interp.default_inspect(f, self))
    return RString(interp.to_s(f, self))


@reg.method(K, "instance_variable_get", arity=1)
def ivar_get(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    name = ivar_name(f, args[0])
    return f.interp.ivar_get(self, name)


@reg.method(K, "instance_variable_set", arity=2)
def ivar_set(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    name = ivar_name(f, args[0])
    return f.interp.ivar_set(f, self, name, args[1])


@reg.method(K, "instance_variable_defined?", arity=1)
def ivar_defined(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    iv = getattr(self, "ivars", None)
    return bool(iv) and ivar_name(f, args[0]) in iv


@reg.method(K, "remove_instance_variable", arity=1)
def ivar_remove(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    name = ivar_name(f, args[0])
    iv = getattr(self, "ivars", None)
    if not iv or name not in iv:
        raise f.interp.error("NameError", f"instance variable {name} not defined")
    check_frozen(f, self)
    return iv.pop(name)


@reg.method(K, "instance_variables", arity=0)
def ivars(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    iv = getattr(self, "ivars", None) or {}
    return RArray(sym(k) for k in iv)


def ivar_name(f: Any, v: Any) -> str:
    name = name_arg(f, v)
    if not name.startswith("@") or name.startswith("@@") or len(name) < 2:
        raise f.interp.error("NameError", f"'{name}' is not allowed as an instance variable name")
    return name


@reg.method(K, "define_singleton_method", arity=(1, 2))
def define_singleton_method(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    from .module import define_method_on
    single = f.interp.singleton_class(f, self)
    return define_method_on(f, single, args, blk, "public")


@reg.method(K, "singleton_methods", arity=(0, 1))
def singleton_methods(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    c = getattr(self, "cls", None)
    if c is None or not c.is_singleton:
        return RArray()
    return RArray(sym(n) for n, m in c.methods.items()
                  if hasattr(m, "visibility") and m.visibility != "private")


@reg.method(K, "methods", "public_methods", arity=(0, 1))
def methods(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    seen: dict[str, None] = {}
    for mod in interp.ancestors(interp.class_of(self)):
        for n, m in mod.methods.items():
            if hasattr(m, "visibility") and m.visibility != "private" and n not in seen:
                seen[n] = None
    return RArray(sym(n) for n in seen)


@reg.method(K, "method", "public_method", arity=1)
def method(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    from .proc import make_method_object
    return make_method_object(f, self, name_arg(f, args[0]))


@reg.method(K, "extend", arity=(1, -1))
def extend(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    single = interp.singleton_class(f, self)
    for mod in args:
        if not isinstance(mod, RModule) or mod.is_class:
            raise interp.error("TypeError", f"wrong argument type {interp.class_name(mod)} "
                               f"(expected Module)")
        if mod not in single.includes:
            single.includes.append(mod)
        interp.epoch += 1
        hook = interp.find_method(interp.class_of(mod), "extended")
        if hook is not None and hook.kind != "native":
            hook.invoke(f, mod, [self], None, None)
    return self


@reg.method(K, "enum_for", "to_enum", arity=-1)
def enum_for_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    from .util import enum_for
    meth = name_arg(f, args[0]) if args else "each"
    return enum_for(f, self, meth, args[1:])


@reg.method(K, "display", arity=0)
def display(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    f.interp.write_out(f.interp.to_s(f, self))
    return None


# --- Kernel (private module functions) ------------------------------------------------

def kfunc(*names: str, arity: Any = 0, kw: bool = False) -> Any:
    return reg.method(K, *names, arity=arity, kw=kw, visibility="private")


def puts_lines(f: Any, args: list, out: list[str]) -> None:
    interp = f.interp
    for a in args:
        if a.__class__ is RString:
            s = a.s
        elif isinstance(a, RArray):
            guard = interp.inspect_guard()
            if id(a) in guard:
                out.append("[...]\n")
                continue
            guard.add(id(a))
            try:
                puts_lines(f, list(a), out)
            finally:
                guard.discard(id(a))
            continue
        elif a is None:
            s = ""
        else:
            conv = interp.try_to_ary(f, a) if isinstance(a, RObject) else None
            if conv is not None:
                puts_lines(f, list(conv), out)
                continue
            s = interp.to_s(f, a)
        out.append(s if s.endswith("\n") else s + "\n")


@kfunc("puts", arity=-1)
def puts(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if not args:
        f.interp.write_out("\n")
        return None
    out: list[str] = []
    puts_lines(f, args, out)
    f.interp.write_out("".join(out))
    return None


@kfunc("print", arity=-1)
def print_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    f.interp.write_out("".join(f.interp.to_s(f, a) for a in args))
    return None


@kfunc("p", arity=-1)
def p(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if args:
        interp.write_out("".join(interp.inspect(f, a) + "\n" for a in args))
    if not args:
        return None
    return args[0] if len(args) == 1 else RArray(args)


@reg.setup
def _pp(interp: Any) -> None:
    reg.method(K, "pp", arity=-1, visibility="private")(p)


@kfunc("warn", arity=-1, kw=True)
def warn(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    out: list[str] = []
    puts_lines(f, args, out)
    if out:
        f.interp.write_err("".join(out))
    return None


@kfunc("format", "sprintf", arity=(1, -1))
def format_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return RString(do_format(f, str_arg(f, args[0]), args[1:]))


@kfunc("printf", arity=-1)
def printf(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if args:
        f.interp.write_out(do_format(f, str_arg(f, args[0]), args[1:]))
    return None


def do_format(f: Any, fmt: str, args: list) -> str:
    interp = f.interp

    def to_i(v: Any) -> int:
        if isinstance(v, RString):
            return kernel_integer(f, v.s, None, True)
        return interp.to_int(f, v)

    def to_f(v: Any) -> float:
        if isinstance(v, RString):
            return kernel_float(f, v.s)
        return interp.to_f(f, v)

    def named(name: str) -> Any:
        if len(args) != 1 or not isinstance(args[0], RHash):
            return None
        h = args[0]
        key = sym(name)
        if not h.has(key):
            raise interp.error("KeyError", f"key<{name}> not found")
        return h.get(key)
    py_args = [a.s if a.__class__ is RString else a for a in args]
    try:
        return format_string(fmt, py_args,
                             to_s=lambda v: v if isinstance(v, str) else interp.to_s(f, v),
                             inspect=lambda v: interp.inspect(f, RString(v) if isinstance(v, str)
                                                              else v),
                             to_i=to_i, to_f=to_f, named=named)
    except FormatError as e:
        raise interp.error(e.ruby_class, e.message) from None


@kfunc("Integer", arity=(1, 2), kw=True)
def integer(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    v = args[0]
    exception = not (kw is not None and kw.get(sym("exception")) is False)
    base = int_arg(f, args[1]) if len(args) > 1 and args[1] is not None else None
    try:
        if isinstance(v, RString):
            return kernel_integer(f, v.s, base, True)
        if base is not None:
            raise interp.error("ArgumentError", "base specified for non string value")
        if v.__class__ is int:
            return v
        if v.__class__ is float:
            if not math.isfinite(v):
                raise interp.error("FloatDomainError", interp.to_s(f, v))
            return int(v)
        if v is None:
            raise interp.error("TypeError", "can't convert nil into Integer")
        if interp.respond_to(f, v, "to_int", True):
            return interp.send(f, v, "to_int", [])
        if interp.respond_to(f, v, "to_i", True):
            return interp.send(f, v, "to_i", [])
        raise interp.error("TypeError", f"can't convert {interp.class_name(v)} into Integer")
    except RubyError:
        if exception:
            raise
        return None


def kernel_integer(f: Any, s: str, base: Any, strict: bool) -> int:
    """Integer("0x1f"): prefixes, underscores, surrounding whitespace (§6)."""
    interp = f.interp
    text = s.strip(" \t\n\v\f\r")
    body = text
    sign = 1
    if body[:1] in "+-" and body:
        if body[0] == "-":
            sign = -1
        body = body[1:]
    b = base or 10
    low = body.lower()
    prefixes = {"0x": 16, "0b": 2, "0o": 8, "0d": 10}
    if low[:2] in prefixes and (base is None or base == prefixes[low[:2]]):
        b = prefixes[low[:2]]
        body = body[2:]
    elif base is None and len(body) > 1 and body[0] == "0":
        b = 8      # the leading 0 stays: "0_7" is valid
    ok = bool(body) and not body.startswith("_") and not body.endswith("_") and "__" not in body
    if ok:
        try:
            value = int(body.replace("_", ""), b)
        except ValueError:
            ok = False
    if not ok or "\0" in s:
        raise interp.error("ArgumentError",
                           f"invalid value for Integer(): {interp.inspect(f, RString(s))}")
    return sign * value


def kernel_float(f: Any, s: str) -> float:
    import re
    interp = f.interp
    text = s.strip(" \t\n\v\f\r")
    m = re.fullmatch(r"[-+]?(?:\d+(?:_\d+)*)(?:\.\d+(?:_\d+)*)?(?:[eE][-+]?\d+(?:_\d+)*)?", text)
    if m is None:
        m2 = re.fullmatch(r"[-+]?0[xX][0-9a-fA-F]+", text)
        if m2 is not None:
            return float(int(text, 16))
        raise interp.error("ArgumentError",
                           f"invalid value for Float(): {interp.inspect(f, RString(s))}")
    return float(text.replace("_", ""))


@kfunc("Float", arity=1, kw=True)
def float_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    v = args[0]
    exception = not (kw is not None and kw.get(sym("exception")) is False)
    try:
        if isinstance(v, RString):
            return kernel_float(f, v.s)
        if v.__class__ in (int, float):
            return float(v)
        if v is None:
            raise interp.error("TypeError", "can't convert nil into Float")
        return interp.to_f(f, v)
    except RubyError:
        if exception:
            raise
        return None


@kfunc("String", arity=1)
def string_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    v = args[0]
    if isinstance(v, RString):
        return v
    return RString(f.interp.to_s(f, v))


@kfunc("Array", arity=1)
def array_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    v = args[0]
    if isinstance(v, RArray):
        return v
    if v is None:
        return RArray()
    if isinstance(v, RHash):
        return RArray(RArray(kv) for kv in v.items())
    conv = f.interp.try_to_ary(f, v)
    if conv is not None:
        return RArray(conv)
    if isinstance(v, RObject) and f.interp.respond_to(f, v, "to_a", True):
        return f.interp.send(f, v, "to_a", [])
    if isinstance(v, RRange):
        return f.interp.send(f, v, "to_a", [])
    return RArray([v])


@kfunc("Hash", arity=1)
def hash_conv(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    v = args[0]
    if v is None or (isinstance(v, RArray) and not v):
        return RHash()
    return f.interp.to_hash(f, v)


@kfunc("raise", "fail", arity=(0, 3), kw=True)
def raise_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    cause_given = kw is not None and kw.has(sym("cause"))
    if kw is not None and kw.d and not cause_given:
        args = list(args) + [kw]
    if not args:
        cur = f.ts.errinfo
        if cur is not None:
            raise RubyError(cur)
        exc = RException(interp.RuntimeError, RString("unhandled exception"))
    else:
        exc = make_exception(f, args[0], args[1:2])
        if len(args) > 2 and args[2] is not None:
            exc.bt = [interp.to_s(f, x) for x in args[2]] if isinstance(args[2], RArray) \
                else [interp.to_s(f, args[2])]
    if cause_given:
        exc.cause = kw.get(sym("cause"))
    elif exc.cause is None and f.ts.errinfo is not exc:
        exc.cause = f.ts.errinfo
    if exc.bt is None:
        exc.bt = interp.backtrace(f)
    raise RubyError(exc)


def make_exception(f: Any, what: Any, msg_args: list) -> RException:
    interp = f.interp
    if isinstance(what, RString):
        if msg_args:
            raise interp.error("TypeError", "exception class/object expected")
        return RException(interp.RuntimeError, RString(what.s))
    if isinstance(what, (RModule, RException)) or \
            interp.respond_to(f, what, "exception", True):
        exc = interp.send(f, what, "exception", list(msg_args))
        if isinstance(exc, RException):
            return exc
    raise interp.error("TypeError", "exception class/object expected")


@kfunc("loop", arity=0)
def loop(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    if blk is None:
        from .util import enum_for
        return enum_for(f, self, "loop", [], size=lambda: float("inf"))
    call = blk.code.call
    stop = interp.StopIteration
    try:
        while True:
            call(blk, f, [], None)
    except RubyError as e:
        if interp.is_a(e.exc, stop):
            extra = getattr(e.exc, "extra", None) or {}
            return extra.get("result")
        raise


@kfunc("lambda", arity=0)
def lambda_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        raise f.interp.error("ArgumentError", "tried to create Proc object without a block")
    if not blk.is_lambda and not getattr(blk, "materialized", False):
        blk.is_lambda = True
    blk.materialized = True
    return blk


@kfunc("proc", arity=0)
def proc(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        # [deviation] ruby-subset.md §3.3: a blockless proc returns the
        # calling method's block (Ruby 3 raises ArgumentError).
        blk = f.home.block if f.home is not None else None
        if blk is None:
            raise f.interp.error("ArgumentError", "tried to create Proc object without a block")
    blk.materialized = True
    return blk


@kfunc("block_given?", "iterator?", arity=0)
def block_given(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return f.home is not None and f.home.block is not None


@kfunc("sleep", arity=(0, 1))
def sleep(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    start = time.monotonic()
    if args and args[0] is not None:
        secs = args[0]
        if secs.__class__ not in (int, float):
            raise interp.error("TypeError", f"can't convert {interp.class_name(secs)} into "
                               f"time interval")
        if secs < 0:
            raise interp.error("ArgumentError", "time interval must not be negative")
        with interp.released():
            time.sleep(secs)
    else:
        raise interp.error("NotImplementedError",
                           "sleep without a duration is not supported by this implementation")
    if f.ts.killed:
        f.ts.checkpoint(f)
    return round(time.monotonic() - start)


@kfunc("catch", arity=(0, 1))
def catch(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    tag = args[0] if args else RObject(f.interp.Object)
    ts = f.ts
    stack = getattr(ts, "catch_tags", None)
    if stack is None:
        stack = ts.catch_tags = []
    stack.append(tag)
    try:
        return blk.code.call(blk, f, [tag], None)
    except ThrowSignal as e:
        if e.tag is tag or (tag.__class__ in (int, float) and e.tag == tag):
            return e.value
        raise
    finally:
        stack.pop()


@kfunc("throw", arity=(1, 2))
def throw(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    tag = args[0]
    stack = getattr(f.ts, "catch_tags", None) or []
    if not any(t is tag or (t.__class__ in (int, float) and t == tag) for t in stack):
        err = interp.error("UncaughtThrowError", f"uncaught throw {interp.inspect(f, tag)}")
        err.exc.extra = {"tag": tag, "value": args[1] if len(args) > 1 else None}
        raise err
    raise ThrowSignal(tag, args[1] if len(args) > 1 else None)


@kfunc("caller", arity=(0, 2))
def caller(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    start = int_arg(f, args[0]) if args else 1
    bt = f.interp.backtrace(f)
    return RArray(RString(x) for x in bt[start:])


@kfunc("rand", arity=(0, 1))
def rand(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return random_value(f, args[0] if args else None)


def random_value(f: Any, limit: Any) -> Any:
    if limit is None or limit == 0:
        return random.random()
    if limit.__class__ is float:
        return random.random() * limit
    if isinstance(limit, RRange):
        lo, hi = limit.low, limit.high
        if limit.excl:
            hi -= 1
        return random.randint(lo, hi)
    n = int_arg(f, limit)
    return random.randrange(abs(n))


@kfunc("srand", arity=(0, 1))
def srand(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    random.seed(args[0] if args else None)
    return 0


@kfunc("__method__", arity=0)
def method_name(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    fr = f.interp.method_frame(f)
    return sym(fr.meth.name) if fr is not None else None


@kfunc("__dir__", arity=0)
def dir_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    file = f.code.file if f.code else "-"
    return RString(os.path.dirname(os.path.abspath(file)))


@kfunc("require", arity=1)
def require(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return do_require(f, str_arg(f, args[0]), None)


@kfunc("require_relative", arity=1)
def require_relative(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    base = os.path.dirname(os.path.abspath(f.code.file if f.code else "."))
    return do_require(f, str_arg(f, args[0]), base)


@kfunc("load", arity=(1, 2))
def load(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    path = str_arg(f, args[0])
    if not os.path.isfile(path):
        raise f.interp.error("LoadError", f"cannot load such file -- {path}")
    run_file(f, path)
    return True


# §8.10: names whose features are built in.
BUILTIN_FEATURES = {"resolv", "thread", "ipaddr", "socket", "English", "shellwords", "json",
                    "time", "timeout", "pathname", "set", "etc", "fileutils", "tmpdir",
                    "uri", "date", "stringio", "securerandom", "digest", "open3", "logger",
                    "rbconfig", "pp", "enumerator", "rational", "complex", "monitor"}
ENGLISH_ALIASES = {"$PREMATCH": "$`", "$POSTMATCH": "$'", "$MATCH": "$&",
                   "$LAST_MATCH_INFO": "$~", "$ERROR_INFO": "$!", "$PROGRAM_NAME": "$0",
                   "$ERROR_POSITION": "$@", "$LAST_PAREN_MATCH": "$+",
                   "$INPUT_RECORD_SEPARATOR": "$/", "$RS": "$/", "$FIELD_SEPARATOR": "$;",
                   "$FS": "$;", "$OUTPUT_FIELD_SEPARATOR": "$,", "$OFS": "$,",
                   "$PID": "$$", "$PROCESS_ID": "$$", "$CHILD_STATUS": "$?"}
# Libraries that are recognised but not provided (§10).
UNSUPPORTED_FEATURES = {"set": "Set", "etc": "Etc", "fileutils": "FileUtils",
                        "tmpdir": "Dir.mktmpdir", "uri": "URI", "date": "Date",
                        "stringio": "StringIO", "securerandom": "SecureRandom",
                        "digest": "Digest", "open3": "Open3", "logger": "Logger",
                        "rbconfig": "RbConfig", "erb": "ERB", "yaml": "YAML",
                        "psych": "YAML", "bigdecimal": "BigDecimal"}


# Loaded before the program starts in Ruby 3.1, and what requiring a library
# loads with it: `require` of these returns false, as in real Ruby.
PRELOADED = {"thread", "rbconfig", "enumerator", "rational", "complex", "monitor", "fiber"}
DEPENDENCIES = {"resolv": ("socket", "timeout", "securerandom"), "ipaddr": ("socket",),
                "time": ("date",), "tmpdir": ("fileutils", "etc"), "open3": ("fileutils",)}


def do_require(f: Any, name: str, base: Any) -> bool:
    interp = f.interp
    if base is None:
        if name in BUILTIN_FEATURES or name.startswith("milter"):
            if name == "English":
                for new, old in ENGLISH_ALIASES.items():
                    interp.alias_gvar(new, old)
            if name in interp.loaded_features or name in PRELOADED:
                return False
            interp.loaded_features.add(name)
            interp.loaded_features.update(DEPENDENCIES.get(name, ()))
            return True
        if not (name.startswith(("/", "./", "../"))):
            raise interp.error("LoadError", f"cannot load such file -- {name}")
        path = name
    else:
        path = os.path.join(base, name)
    candidates = [path] if path.endswith(".rb") else [path + ".rb", path]
    for cand in candidates:
        if os.path.isfile(cand):
            full = os.path.realpath(cand)
            if full in interp.loaded_features:
                return False
            interp.loaded_features.add(full)
            run_file(f, cand)
            return True
    raise interp.error("LoadError", f"cannot load such file -- {path if base else name}")


def run_file(f: Any, path: str) -> Any:
    interp = f.interp
    from ..parser import RubySyntaxError, parse
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            source = fh.read()
    except OSError as e:
        raise interp.errno_error(f, e, "rb_sysopen", path) from None
    try:
        program = parse(source, path)
    except RubySyntaxError as e:
        raise interp.error("SyntaxError", str(e)) from None
    body, info = interp.compile_program(program, "<top (required)>")
    fr = interp.Frame()
    fr.self_ = interp.main_object
    fr.vars = [None] * info.nvars
    fr.home = fr
    fr.ret_target = fr
    fr.prev = f
    fr.ts = f.ts
    fr.code = info
    fr.deftarget = interp.Object
    fr.visi = "private"
    fr.depth = f.depth + 1
    from ..errors import ReturnSignal
    try:
        return body(fr)
    except ReturnSignal as e:
        if e.target is fr:
            return e.value
        raise
    finally:
        fr.done = True


@reg.setup
def _main_object(interp: Any) -> None:
    main = interp.main_object

    def main_to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString("main")
    single = interp.singleton_class(None, main)
    from ..native import define_native
    define_native(interp, single, "to_s", main_to_s, arity=0, label="main.to_s")
    define_native(interp, single, "inspect", main_to_s, arity=0, label="main.inspect")
