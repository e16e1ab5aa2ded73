"""Exception and its subclasses' accessors (`ruby-subset.md` §3.5)."""

from __future__ import annotations

from typing import Any

from ..native import Registry
from ..objects import RArray, RException, RModule, RString
from .util import sym

reg = Registry()
E = "Exception"


@reg.smethod(E, "exception", arity=-1, kw=True)
def class_exception(f: Any, self: RModule, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.send(f, self, "new", args, kw, blk)


@reg.method(E, "initialize", arity=(0, 1), visibility="private")
def initialize(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    self.msg = args[0] if args else None
    return None


@reg.method(E, "exception", arity=(0, 1))
def exception(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    if not args or args[0] is self:
        return self
    new = RException(self.cls, args[0])
    if self.ivars:
        new.ivars = dict(self.ivars)
    new.extra = getattr(self, "extra", None)
    return new


def message_text(f: Any, exc: RException) -> str:
    msg = exc.msg
    if msg is None:
        return f.interp.class_name(exc)
    if isinstance(msg, RString):
        return msg.s
    return f.interp.to_s(f, msg)


@reg.method(E, "to_s", arity=0)
def to_s(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    return RString(message_text(f, self))


@reg.method(E, "message", arity=0)
def message(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    return RString(f.interp.to_s(f, self))


@reg.method(E, "detailed_message", arity=0, kw=True)
def detailed_message(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    return RString(f"{f.interp.to_s(f, self)} ({f.interp.class_name(self)})")


@reg.method(E, "inspect", arity=0)
def inspect(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    text = f.interp.to_s(f, self)
    name = f.interp.class_name(self)
    if not text:
        return RString(name)
    return RString(f"#<{name}: {text}>")


@reg.method(E, "full_message", arity=0, kw=True)
def full_message(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    bt = self.bt or []
    head = bt[0] if bt else "-"
    lines = [f"{head}: {interp.to_s(f, self)} ({interp.class_name(self)})"]
    lines += [f"\tfrom {x}" for x in bt[1:]]
    return RString("\n".join(lines) + "\n")


@reg.method(E, "backtrace", arity=0)
def backtrace(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    if self.bt is None:
        return None
    return RArray(RString(x) for x in self.bt)


@reg.method(E, "backtrace_locations", arity=0)
def backtrace_locations(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    return None


@reg.method(E, "set_backtrace", arity=1)
def set_backtrace(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    bt = args[0]
    if bt is None:
        self.bt = None
    elif isinstance(bt, RArray):
        self.bt = [f.interp.to_s(f, x) for x in bt]
    else:
        self.bt = [f.interp.to_s(f, bt)]
    return bt


@reg.method(E, "cause", arity=0)
def cause(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    return self.cause


@reg.method(E, "==", arity=1)
def eq(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if o is self:
        return True
    if not isinstance(o, RException) or f.interp.real_class(o) is not f.interp.real_class(self):
        return False
    return f.interp.eq(f, f.interp.send(f, self, "message", []),
                       f.interp.send(f, o, "message", []))


def _extra(name: str, default: Any = None) -> Any:
    def fn(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
        extra = getattr(self, "extra", None) or {}
        return extra.get(name, default)
    return fn


def _init_with(names: tuple[str, ...], kwnames: tuple[str, ...] = ()) -> Any:
    """initialize(msg = nil, *names, key: …) for exceptions with extra data."""
    def fn(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
        self.msg = args[0] if args else None
        extra = dict(getattr(self, "extra", None) or {})
        for n, v in zip(names, args[1:]):
            extra[n] = v
        if kw is not None:
            for n in kwnames:
                if kw.has(sym(n)):
                    extra[n] = kw.get(sym(n))
        self.extra = extra
        return None
    return fn


@reg.setup
def _accessors(interp: Any) -> None:
    reg.method("NameError", "name", arity=0)(_extra("name"))
    reg.method("NameError", "receiver", arity=0)(_extra("receiver"))
    reg.method("NameError", "initialize", arity=(0, 2), kw=True,
               visibility="private")(_init_with(("name",), ("receiver",)))
    reg.method("NoMethodError", "args", arity=0)(_extra("args"))
    reg.method("NoMethodError", "initialize", arity=(0, 3), kw=True,
               visibility="private")(_init_with(("name", "args"), ("receiver",)))
    reg.method("KeyError", "key", arity=0)(_extra("key"))
    reg.method("KeyError", "receiver", arity=0)(_extra("receiver"))
    reg.method("KeyError", "initialize", arity=(0, 1), kw=True,
               visibility="private")(_init_with((), ("key", "receiver")))
    reg.method("FrozenError", "receiver", arity=0)(_extra("receiver"))
    reg.method("StopIteration", "result", arity=0)(_extra("result"))
    reg.method("UncaughtThrowError", "tag", arity=0)(_extra("tag"))
    reg.method("UncaughtThrowError", "value", arity=0)(_extra("value"))
    reg.method("LocalJumpError", "exit_value", arity=0)(_extra("exit_value"))
    reg.method("LocalJumpError", "reason", arity=0)(_extra("reason"))
    reg.method("SystemExit", "status", arity=0)(_extra("status", 0))
    reg.method("SystemExit", "success?", arity=0)(
        lambda f, s, a, k, b: (getattr(s, "extra", None) or {}).get("status", 0) == 0)

    def errno(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
        cls = f.interp.real_class(self)
        return cls.consts.get("Errno")
    reg.method("SystemCallError", "errno", arity=0)(errno)


@reg.method("SystemCallError", "initialize", arity=(0, 2), visibility="private")
def errno_initialize(f: Any, self: RException, args: list, kw: Any, blk: Any) -> Any:
    import os
    code = f.interp.real_class(self).consts.get("Errno")
    base = os.strerror(code) if code else "unknown error"
    if args and args[0] is not None:
        base += " - " + f.interp.to_s(f, args[0])
    self.msg = RString(base)
    return None
