"""Creating the class hierarchy of a fresh interpreter (`ruby-subset.md` §3.1,
§3.5, §6, §8) and installing the native core library."""

from __future__ import annotations

from typing import Any

from .objects import (
    RArray,
    RClass,
    RException,
    RHash,
    RMatchData,
    RModule,
    RObject,
    RProc,
    RRange,
    RRegexp,
    RString,
    RSymbol,
)

# Exception hierarchy: (name, superclass name), in creation order (§3.5).
EXCEPTIONS = [
    ("Exception", None),
    ("NoMemoryError", "Exception"),
    ("ScriptError", "Exception"),
    ("LoadError", "ScriptError"),
    ("NotImplementedError", "ScriptError"),
    ("SyntaxError", "ScriptError"),
    ("SecurityError", "Exception"),
    ("SignalException", "Exception"),
    ("Interrupt", "SignalException"),
    ("SystemExit", "Exception"),
    ("SystemStackError", "Exception"),
    ("StandardError", "Exception"),
    ("ArgumentError", "StandardError"),
    ("UncaughtThrowError", "ArgumentError"),
    ("EncodingError", "StandardError"),
    ("FiberError", "StandardError"),
    ("IOError", "StandardError"),
    ("EOFError", "IOError"),
    ("IndexError", "StandardError"),
    ("KeyError", "IndexError"),
    ("StopIteration", "IndexError"),
    ("ClosedQueueError", "StopIteration"),
    ("LocalJumpError", "StandardError"),
    ("NameError", "StandardError"),
    ("NoMethodError", "NameError"),
    ("RangeError", "StandardError"),
    ("FloatDomainError", "RangeError"),
    ("RegexpError", "StandardError"),
    ("RuntimeError", "StandardError"),
    ("FrozenError", "RuntimeError"),
    ("SystemCallError", "StandardError"),
    ("ThreadError", "StandardError"),
    ("TypeError", "StandardError"),
    ("ZeroDivisionError", "StandardError"),
]

ERRNO = ["ENOENT", "EACCES", "EISDIR", "ENOTDIR", "EEXIST", "EPERM", "EIO", "EBADF",
         "EINVAL", "ENOSPC", "EROFS", "ENOTEMPTY", "EPIPE", "ECONNREFUSED", "ETIMEDOUT",
         "EAGAIN", "EINTR", "ELOOP", "ENAMETOOLONG", "EMFILE", "ENXIO", "ESPIPE",
         "ECONNRESET", "EADDRINUSE", "EHOSTUNREACH", "ENETUNREACH"]


def build_hierarchy(interp: Any) -> None:
    basic = RClass("BasicObject", None)
    obj = RClass("Object", basic)
    module = RClass("Module", obj)
    klass = RClass("Class", module)
    for c in (basic, obj, module, klass):
        obj.consts[c.name] = c
        c.interp = interp
    interp.BasicObject = basic
    interp.Object = obj
    interp.Module = module
    interp.Class = klass
    basic.allocator = lambda cls: RObject(cls)
    obj.allocator = basic.allocator
    basic.subclasses.append(obj)
    obj.subclasses.append(module)
    module.subclasses.append(klass)

    kernel = RModule("Kernel")
    kernel.interp = interp
    obj.consts["Kernel"] = kernel
    obj.includes.append(kernel)
    interp.Kernel = kernel
    for name in ("Comparable", "Enumerable"):
        m = RModule(name)
        m.interp = interp
        obj.consts[name] = m
        setattr(interp, name, m)

    def cls(name: str, sup: RModule, alloc: Any = None, includes: tuple = ()) -> RClass:
        c = RClass(name, sup)
        c.interp = interp
        c.allocator = alloc if alloc is not None else sup.allocator
        sup.subclasses.append(c)
        obj.consts[name] = c
        for m in includes:
            c.includes.append(m)
        setattr(interp, name.replace("::", "_"), c)
        return c

    comparable, enumerable = interp.Comparable, interp.Enumerable
    cls("NilClass", obj, alloc=_no_alloc)
    cls("TrueClass", obj, alloc=_no_alloc)
    cls("FalseClass", obj, alloc=_no_alloc)
    numeric = cls("Numeric", obj, includes=(comparable,))
    cls("Integer", numeric, alloc=_no_alloc)
    cls("Float", numeric, alloc=_no_alloc)
    cls("String", obj, alloc=_alloc_string, includes=(comparable,))
    cls("Symbol", obj, alloc=_no_alloc, includes=(comparable,))
    cls("Array", obj, alloc=_alloc_array, includes=(enumerable,))
    cls("Hash", obj, alloc=_alloc_hash, includes=(enumerable,))
    cls("Range", obj, alloc=_alloc_range, includes=(enumerable,))
    cls("Regexp", obj, alloc=_no_alloc)
    cls("MatchData", obj, alloc=_no_alloc)
    cls("Proc", obj, alloc=_no_alloc)
    cls("Method", obj, alloc=_no_alloc)
    cls("UnboundMethod", obj, alloc=_no_alloc)
    cls("Encoding", obj, alloc=_no_alloc)
    cls("Binding", obj, alloc=_no_alloc)

    # Metaclasses for every class so far: class methods are inherited.
    for c in [basic, obj, module, klass] + [v for v in obj.consts.values()
                                             if isinstance(v, RClass) and v not in
                                             (basic, obj, module, klass)]:
        interp.singleton_class(None, c)

    exc_alloc = _alloc_exception
    for name, sup in EXCEPTIONS:
        c = interp.new_class(name, obj if sup is None else obj.consts[sup])
        if sup is None:
            c.allocator = exc_alloc
        obj.consts[name] = c
        setattr(interp, name, c)
    errno = RModule("Errno")
    errno.interp = interp
    obj.consts["Errno"] = errno
    import errno as errno_mod
    for name in ERRNO:
        c = interp.new_class(f"Errno::{name}", interp.SystemCallError, errno)
        c.consts["Errno"] = getattr(errno_mod, name, 0)
        errno.consts[name] = c

    interp.budget_class = interp.new_class("StepBudgetExceeded", interp.RuntimeError)
    obj.consts["StepBudgetExceeded"] = interp.budget_class

    interp.tcls.update({
        int: interp.Integer,
        float: interp.Float,
        type(None): interp.NilClass,
        RString: interp.String,
        RSymbol: interp.Symbol,
        RArray: interp.Array,
        RHash: interp.Hash,
        RRange: interp.Range,
        RProc: interp.Proc,
        RRegexp: interp.Regexp,
        RMatchData: interp.MatchData,
        RModule: module,
        RClass: klass,
    })


def _no_alloc(cls: RModule) -> Any:
    return None


def _alloc_string(cls: RModule) -> RString:
    s = RString("")
    s.cls = cls
    return s


def _alloc_array(cls: RModule) -> RArray:
    a = RArray()
    a.cls = cls
    return a


def _alloc_hash(cls: RModule) -> RHash:
    h = RHash()
    h.cls = cls
    return h


def _alloc_range(cls: RModule) -> RRange:
    r = RRange(None, None)
    r.cls = cls
    return r


def _alloc_exception(cls: RModule) -> RException:
    return RException(cls, None)


def install_library(interp: Any) -> None:
    """Install every native module of `core/` and `stdlib/`."""
    from .core import install_core
    from .stdlib import install_stdlib
    install_core(interp)
    install_stdlib(interp)
