"""Sending messages outside compiled call sites, `method_missing`, `super`,
procs, and building Ruby exceptions with Ruby-level backtraces
(`ruby-subset.md` §3.1, §3.5, §5, §11). Mixed into `Interpreter`."""

from __future__ import annotations

import errno as errno_mod
import os
from collections.abc import Callable
from typing import Any

from .errors import RubyError
from .objects import MethodEntry, RException, RModule, RObject, RProc, RString, RSymbol


class NativeCode:
    """The `code` of a proc implemented in Python (`&:sym`, Method#to_proc)."""

    has_break = False
    arity = -1

    def __init__(self, fn: Callable[[Any, list, Any], Any], arity: int = -1) -> None:
        self.fn = fn
        self.arity = arity
        self.info = None
        self.binder = None

        def call(pr: Any, f: Any, args: list, blk: Any) -> Any:
            return fn(f, args, blk)

        def call_as(pr: Any, f: Any, args: list, kw: Any, blk: Any, self_: Any,
                    deftarget: Any = None, lambda_mode: bool = False, entry: Any = None,
                    new_home: bool = False) -> Any:
            if kw is not None and kw.d:
                args = list(args) + [kw]
            return fn(f, args, blk)
        def looper(pr: Any, f: Any) -> tuple[Callable[[Any], Any], Callable[[], None]]:
            return (lambda v: fn(f, [v], None)), (lambda: None)
        self.call = call
        self.call_as = call_as
        self.looper = looper


class DispatchMixin:
    # --- sending ------------------------------------------------------------

    def send(self, f: Any, recv: Any, name: str, args: list, kw: Any = None,
             blk: Any = None, public_only: bool = False) -> Any:
        """Call method `name` on `recv` like `__send__` (or `public_send`)."""
        if f is None:
            f = self.host_frame()
        m = self.find_method(self.class_of(recv), name)
        if m is None or (public_only and m.visibility != "public"):
            return self.call_missing(f, recv, name, args, kw, blk, vcall=False,
                                     selfcall=not public_only, entry=m)
        return m.invoke(f, recv, args, kw, blk)

    def call_method_entry(self, f: Any, entry: MethodEntry, recv: Any, args: list,
                          kw: Any = None, blk: Any = None) -> Any:
        if f is None:
            f = self.host_frame()
        return entry.invoke(f, recv, args, kw, blk)

    def respond_to(self, f: Any, obj: Any, name: str, include_private: bool = False) -> bool:
        m = self.find_method(self.class_of(obj), name)
        if m is not None:
            return include_private or m.visibility == "public"
        rtm = self.find_method(self.class_of(obj), "respond_to_missing?")
        if rtm is not None and rtm.kind != "native":
            return self.truthy(self.call_method_entry(f, rtm, obj, [RSymbol.get(name),
                                                                   include_private]))
        return False

    def call_missing(self, f: Any, recv: Any, name: str, args: list, kw: Any, blk: Any,
                     vcall: bool, selfcall: bool, entry: MethodEntry | None,
                     use_method_missing: bool = True) -> Any:
        if entry is not None and entry.visibility in ("private", "protected"):
            raise self.make_error(
                f, "NoMethodError",
                f"{entry.visibility} method '{name}' called for {self.describe_recv(f, recv)}",
                name=RSymbol.get(name), receiver=recv)
        mm = self.find_method(self.class_of(recv), "method_missing") \
            if use_method_missing else None
        if mm is not None and mm.kind != "native":
            return mm.invoke(f, recv, [RSymbol.get(name)] + list(args), kw, blk)
        desc = self.describe_recv(f, recv)
        if vcall:
            raise self.make_error(f, "NameError",
                                  f"undefined local variable or method '{name}' for {desc}",
                                  name=RSymbol.get(name), receiver=recv)
        raise self.make_error(f, "NoMethodError", f"undefined method '{name}' for {desc}",
                              name=RSymbol.get(name), receiver=recv)

    def describe_recv(self, f: Any, v: Any) -> str:
        """RECV of the §5 messages: nil, true, false, main, class X, an instance of X."""
        if v is None:
            return "nil"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if v is self.main_object:
            return "main"
        if isinstance(v, RModule):
            if v.is_singleton:
                return f"class {self.module_name(v)}"
            return f"{'class' if v.is_class else 'module'} {self.module_name(v)}"
        return f"an instance of {self.module_name(self.real_class(v))}"

    def protected_owner(self, m: MethodEntry) -> Any:
        owner = m.owner
        while owner is not None and owner.is_singleton:
            owner = owner.superclass
        return owner

    # --- super --------------------------------------------------------------

    def method_frame(self, f: Any) -> Any:
        fr = f
        while fr is not None and fr.meth is None:
            fr = fr.parent
        return fr

    def super_method(self, f: Any) -> MethodEntry | None:
        fr = self.method_frame(f)
        if fr is None:
            return None
        entry = fr.meth
        return self.find_method_after(self.class_of(fr.self_), entry.owner, entry.name)

    def call_super(self, f: Any, args: list, kw: Any, blk: Any) -> Any:
        fr = self.method_frame(f)
        if fr is None:
            raise self.make_error(f, "RuntimeError",
                                  "super called outside of method")
        entry = fr.meth
        recv = fr.self_
        m = self.find_method_after(self.class_of(recv), entry.owner, entry.name)
        if m is None:
            mm = self.find_method(self.class_of(recv), "method_missing")
            if mm is not None and mm.kind != "native":
                return mm.invoke(f, recv, [RSymbol.get(entry.name)] + list(args), kw, blk)
            raise self.make_error(f, "NoMethodError",
                                  f"super: no superclass method '{entry.name}' for "
                                  f"{self.describe_recv(f, recv)}",
                                  name=RSymbol.get(entry.name), receiver=recv)
        return m.invoke(f, recv, args, kw, blk)

    # --- procs --------------------------------------------------------------

    def native_proc(self, fn: Callable[[Any, list, Any], Any], arity: int = -1,
                    is_lambda: bool = False) -> RProc:
        pr = RProc(NativeCode(fn, arity), None, None, is_lambda)
        pr.native = fn
        pr.arity_value = arity
        return pr

    def symbol_proc(self, name: str) -> RProc:
        pr = self.symbol_procs.get(name)
        if pr is None:
            def call(f: Any, args: list, blk: Any) -> Any:
                if not args:
                    raise self.make_error(f, "ArgumentError", "no receiver given")
                return self.send(f, args[0], name, list(args[1:]), blk=blk, public_only=True)
            pr = self.native_proc(call, arity=-2, is_lambda=True)
            pr.symbol = name
            self.symbol_procs[name] = pr
        return pr

    def to_proc(self, f: Any, v: Any) -> Any:
        if v is None or type(v) is RProc:
            return v
        if type(v) is RSymbol:
            return self.symbol_proc(v.name)
        if isinstance(v, RProc):
            return v
        if self.respond_to(f, v, "to_proc", True):
            r = self.send(f, v, "to_proc", [])
            if isinstance(r, RProc):
                return r
            raise self.make_error(f, "TypeError",
                                  f"can't convert {self.module_name(self.real_class(v))} to Proc "
                                  f"({self.module_name(self.real_class(v))}#to_proc gives "
                                  f"{self.module_name(self.real_class(r))})")
        raise self.make_error(f, "TypeError",
                              f"wrong argument type {self.module_name(self.real_class(v))} "
                              f"(expected Proc)")

    def call_block(self, f: Any, blk: RProc, args: list) -> Any:
        return blk.code.call(blk, f, args, None)

    def yield1(self, f: Any, blk: RProc, v: Any) -> Any:
        return blk.code.call(blk, f, [v], None)

    def call_proc_from(self, f: Any, pr: RProc, args: list, kw: Any = None, blk: Any = None) -> Any:
        """Proc#call semantics from a native (`break` from a proc → LocalJumpError)."""
        if kw is not None and kw.d:
            return pr.code.call_as(pr, f, args, kw, blk, pr.self_)
        return pr.code.call(pr, f, args, blk)

    # --- errors -------------------------------------------------------------

    def exception_class(self, cls: Any) -> RModule:
        if isinstance(cls, RModule):
            return cls
        return self.module_at(cls)

    def error(self, cls: Any, msg: Any, **extra: Any) -> RubyError:
        """A RubyError without a backtrace (a native's caller fills it in)."""
        exc = RException(self.exception_class(cls),
                         RString(msg) if isinstance(msg, str) else msg)
        if extra:
            exc.extra = extra
        return RubyError(exc)

    def make_error(self, f: Any, cls: Any, msg: Any, **extra: Any) -> RubyError:
        err = self.error(cls, msg, **extra)
        err.exc.bt = self.backtrace(f) if f is not None else []
        return err

    def frozen_error(self, f: Any, obj: Any) -> RubyError:
        return self.error("FrozenError",
                               f"can't modify frozen {self.module_name(self.real_class(obj))}: "
                               f"{self.inspect(f, obj)}", receiver=obj)

    def arity_error(self, f: Any, n: int, lo: int, hi: int, label: str | None) -> RubyError:
        if hi < 0:
            expected = f"{lo}+"
        elif lo == hi:
            expected = str(lo)
        else:
            expected = f"{lo}..{hi}"
        err = self.error("ArgumentError",
                         f"wrong number of arguments (given {n}, expected {expected})")
        err.exc.bt = self.backtrace(f, label)
        return err

    def stack_error(self, f: Any) -> RubyError:
        err = self.error("SystemStackError", "stack level too deep")
        err.exc.bt = self.backtrace(f, limit=64)
        return err

    def budget_error(self, ts: Any, f: Any) -> RubyError:
        err = self.error(self.budget_class,
                         f"step budget of {ts.budget} steps exhausted "
                         f"(runaway code stopped)")
        err.exc.bt = self.backtrace(f, limit=64) if f is not None else []
        return err

    def errno_error(self, f: Any, e: OSError, op: str, path: Any = None) -> RubyError:
        """OSError → Errno::X with Ruby's message (`No such file or directory @ rb_sysopen - PATH`)."""
        code = e.errno or errno_mod.EIO
        name = errno_mod.errorcode.get(code, "EIO")
        cls = self.host_modules.get(f"Errno::{name}") or self.module_at("Errno::EIO")
        detail = os.strerror(code)
        if path is None:
            path = e.filename
        msg = f"{detail} @ {op} - {path}" if op else (f"{detail} - {path}" if path else detail)
        return self.error(cls, msg)

    def convert_python_error(self, f: Any, e: Exception, label: str | None) -> RubyError:
        if isinstance(e, RecursionError):
            return self.stack_error(f)
        if isinstance(e, ZeroDivisionError):
            err = self.error("ZeroDivisionError", "divided by 0")
        elif isinstance(e, OSError):
            err = self.errno_error(f, e, "")
            err.exc.bt = self.backtrace(f, label)
            return err
        elif isinstance(e, OverflowError):
            err = self.error("FloatDomainError", str(e))
        elif isinstance(e, MemoryError):
            err = self.error("NoMemoryError", "failed to allocate memory")
        elif isinstance(e, ValueError) and str(e) == "embedded null byte":
            # A path with a NUL reached the operating system (File.*, load,
            # the detectors): Ruby's own error, not an interpreter bug (found
            # by fuzzing the configuration files).
            err = self.error("ArgumentError", "path name contains null byte")
        else:
            err = self.error("RuntimeError", f"internal error: {type(e).__name__}: {e}")
            err.internal = True
            err.python_exception = e
        err.exc.bt = self.backtrace(f, label)
        return err

    def native_failed(self, f: Any, e: Exception, label: str | None) -> Exception:
        """The exception to raise when a native called directly from a call
        site failed: a RubyError gets its backtrace, a Python error is
        converted (`native.py` does the same inside `invoke`)."""
        if isinstance(e, RubyError):
            if e.exc.bt is None:
                e.exc.bt = self.backtrace(f, label)
            return e
        return self.convert_python_error(f, e, label)

    # --- backtraces ---------------------------------------------------------

    def native_frame_class(self, label: str) -> Any:
        """A Frame subclass per native label, made on first use."""
        cls = self.native_frame_classes.get(label)
        if cls is None:
            cls = self.native_frame_classes[label] = type(
                "NativeFrame", (self.Frame,), {"native_label": label})
        return cls

    def native_frame(self, f: Any, label: str, frame_class: Any = None) -> Any:
        """The frame of a native that calls a block (`Array#each`): in
        backtraces between the block and the caller. Its `parent` is the
        caller, so lexical lookups (constants, `def`) see the caller's."""
        nf = (frame_class or self.Frame)()
        nf.self_ = f.self_
        nf.home = f.home
        nf.parent = f
        nf.prev = f
        nf.ts = f.ts
        nf.code = f.code
        nf.line = f.line
        nf.depth = f.depth
        if frame_class is None:
            nf.native_label = label
        return nf

    def frame_label(self, fr: Any) -> str:
        if fr.native_label is not None:
            return fr.native_label
        if fr.meth is not None:
            return self.method_label_for(fr.meth.owner, fr.meth.name)
        code = fr.code
        if code is None:
            return "<main>"
        if code.kind in ("block", "lambda"):
            levels = 1
            p = fr.parent
            while p is not None and p.meth is None and p.code is not None \
                    and p.code.kind in ("block", "lambda"):
                levels += 1
                p = p.parent
            base = self.frame_label(p) if p is not None else "<main>"
            if levels == 1:
                return f"block in {base}"
            return f"block ({levels} levels) in {base}"
        return code.label

    def backtrace(self, f: Any, top_label: str | None = None, limit: int = 0) -> list[str]:
        out: list[str] = []
        if f is None:
            return out
        if top_label is not None:
            out.append(f"{f.code.file if f.code else '-'}:{f.line}:in '{top_label}'")
        fr = f
        while fr is not None:
            code = fr.code
            if code is not None and code.kind != "host":
                out.append(f"{code.file}:{fr.line}:in '{self.frame_label(fr)}'")
                if limit and len(out) >= limit:
                    break
            fr = fr.prev
        return out

    def host_frame(self) -> Any:
        """A frame for native code running outside interpreted code."""
        ts = self.thread_state()
        if ts.cur is not None:
            return ts.cur
        fr = self.Frame()
        fr.ts = ts
        fr.home = fr
        fr.ret_target = fr
        fr.self_ = self.main_object
        fr.code = self.host_code
        fr.deftarget = self.Object
        return fr

    def exception_new(self, cls: RModule, msg: Any = None) -> RException:
        exc = RException(cls, msg)
        return exc

    def is_exception(self, v: Any) -> bool:
        return isinstance(v, RException)

    def payload_of(self, obj: Any) -> Any:
        return obj.payload if isinstance(obj, RObject) else None
