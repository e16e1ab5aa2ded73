"""Kernel's module functions (`ruby-subset.md` §6 Kernel): output, `format`,
the conversion functions, `raise`, `loop`, `lambda`/`proc`, `catch`/`throw`,
`sleep`, `rand`."""

from __future__ import annotations

import math
import os
import random
import time
from typing import Any

from ..errors import RubyError, ThrowSignal
from ..native import Registry
from ..objects import RArray, RException, RHash, RModule, RObject, RRange, RString
from ..text import FormatError, format_string
from .util import int_arg, str_arg, sym

reg = Registry()
K = "Kernel"


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

