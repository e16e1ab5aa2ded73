"""The Ruby-subset interpreter: the API the rest of the port uses.

    from milter_manager.ruby.interpreter import Interpreter, RubyError
    from milter_manager.ruby.parser import parse

    interp = Interpreter()
    program = parse(source, "s25r.conf")
    interp.load_program(program, loader_obj,
                        lexical_scope=[loader_singleton, loader_cls, manager_mod, milter_mod])

Values (see `objects.py`): nil/true/false/Integer/Float are None/True/False/
int/float; String is `RString` (text in ``.s``), Symbol `RSymbol`
(``RSymbol.get(name)``), Array `RArray` (a list), Hash `RHash`; `to_ruby()`
and `to_python()` convert plain Python data both ways.

Running code (each call from the host gets its own step budget; nested calls
from a native back into Ruby share the outer one):

* ``load_program(program, self_obj=None, *, lexical_scope=None, def_target=None,
  def_visibility=None, label="<main>", budget=None)`` evaluates a parsed file
  with `self_obj` as self (default: the `main` object) and a fresh local
  scope. `lexical_scope` is the constant nesting, innermost first (`Object`
  is always searched last); a constant assigned at the file's top level goes
  to its first module. A top-level `def` goes to `def_target` (default: the
  singleton class of `self_obj`, public; for `main`, Object, private).
* ``call_method(obj, name, *args, block=None, kwargs=None)``,
  ``call_proc(proc, *args)``: call into Ruby (a stopper is `call_proc`).
* ``eval_string(source, filename, ...)``: parse and `load_program`.

Errors: every Ruby exception reaches the host as `RubyError` (`errors.py`):
`class_name`, `message`, `backtrace` (``FILE:LINE:in 'LABEL'`` strings,
innermost first), `location` (FILE, LINE) and `internal` (an interpreter bug,
reported as ``internal error: DETAIL``). No other Python exception escapes.

Defining the DSL from Python:

* ``define_class("Milter::Manager::Egg", superclass=None)``,
  ``define_module("Milter::Manager")`` (intermediate modules are created);
* ``define_native(target, name, fn, arity=-1, kw=False, visibility="public")``
  with ``fn(interp, self, args, kwargs, block)`` — args a list of Ruby values,
  kwargs an RHash or None (when ``kw=False`` keywords arrive as a trailing
  Hash), block an RProc or None; ``define_singleton_native(obj, ...)`` for
  class methods and per-object methods;
* ``new_object(cls, payload)``: an instance carrying a Python object
  (``obj.payload``); ``error(cls_or_path, message)`` builds a RubyError a
  native raises (its backtrace is filled in from the calling frame);
* ``current_location()``: (FILE, LINE) of the innermost interpreted frame of
  the calling thread — where a DSL setter was called from.

Threads (`ruby-subset.md` §3.7): interpreted code runs under `self.lock`;
natives that block (Queue#pop, sleep, DNS, join) release it with
``with interp.released():``. Every thread has its own frames, `$~`, `$!`.
Any thread may call into the interpreter (stoppers from worker threads).

Limits: ``Interpreter(budget=DEFAULT_BUDGET, max_depth=DEFAULT_MAX_DEPTH)``
— steps per host call (StepBudgetExceeded) and Ruby frames (SystemStackError);
`compat/DEVIATIONS.md` I1/I2. ``interp.log(level, message)`` reports what has
no Ruby caller (an exception ending a Thread); replace it to route it.
Standard output/error of `puts`/`warn` go to ``Interpreter(stdout=, stderr=)``
(default: sys.stdout/sys.stderr at the time of writing).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .bootstrap import build_hierarchy, install_library
from .compiler import Compiler
from .conversions import ConversionMixin
from .dispatch import DispatchMixin
from .errors import (
    BreakSignal,
    ControlFlow,
    NextSignal,
    ReturnSignal,
    RubyError,
    ThreadKilled,
    ThrowSignal,
)
from .frame import CodeInfo, Cref, Frame, ThreadState
from .native import define_native as _define_native
from .objects import RArray, RClass, RHash, RModule, RObject, RProc, RString, RSymbol
from .runtime import ModelMixin

__all__ = ["Interpreter", "RubyError"]

# Python types that already are Ruby values (no to_ruby conversion needed).
_RUBY_VALUE_TYPES = frozenset([int, float, bool, RString, RSymbol, RArray, RHash, RObject, RProc])

# ruby-subset.md §3.7 (decision in compat/DEVIATIONS.md, "Ruby interpreter"):
# steps are method/block calls and loop iterations.
DEFAULT_BUDGET = 5_000_000
# Ruby-level frames (methods, blocks, class bodies) before SystemStackError.
DEFAULT_MAX_DEPTH = 10_000


class Interpreter(ModelMixin, DispatchMixin, ConversionMixin):
    RubyError = RubyError

    def __init__(self, *, budget: int = DEFAULT_BUDGET, max_depth: int = DEFAULT_MAX_DEPTH,
                 stdout: Any = None, stderr: Any = None) -> None:
        self.budget = budget
        self.max_depth = max_depth
        self._stdout = stdout
        self._stderr = stderr
        self.epoch = 0
        self.const_epoch = 0
        self.fast_ops = [True]
        self.tcls: dict[type, RModule] = {}
        self.gvars: dict[str, Any] = {}
        self.gvar_aliases: dict[str, str] = {}
        self.special_gvars: dict[str, tuple[Callable, Callable | None]] = {}
        self.symbol_procs: dict[str, RProc] = {}
        self.native_frame_classes: dict[str, Any] = {}
        self.loaded_features: set[str] = set()
        self.lock = threading.Lock()
        self._tls = threading.local()
        self.threads_alive = 0
        self.waiters = 0
        self.thread_count_lock = threading.Lock()
        self.Frame = type("Frame", (Frame,), {"interp": self})
        self.host_code = CodeInfo("-", "<host>", "host")
        self.main_object: Any = None
        self.host_modules: dict[str, RModule] = {}
        build_hierarchy(self)
        self.class_of = self._make_class_of()
        self.main_object = RObject(self.Object)
        install_library(self)
        self.remember_host_modules()
        self._error_globals()
        _ensure_recursion_limit(max_depth)

    # --- output -------------------------------------------------------------

    @property
    def stdout(self) -> Any:
        return self._stdout if self._stdout is not None else sys.stdout

    @property
    def stderr(self) -> Any:
        return self._stderr if self._stderr is not None else sys.stderr

    def _error_globals(self) -> None:
        """`$!` (the exception being handled, per thread) and `$@`."""
        def errinfo(f: Any) -> Any:
            return f.ts.errinfo if f is not None else None

        def errpos(f: Any) -> Any:
            exc = errinfo(f)
            if exc is None or exc.bt is None:
                return None
            return RArray(RString(x) for x in exc.bt)
        self.special_gvars["$!"] = (errinfo, None)
        self.special_gvars["$@"] = (errpos, None)

    # --- logging -------------------------------------------------------------

    def log(self, level: str, message: str) -> None:
        """Where the interpreter reports what has no Ruby caller (an uncaught
        exception ending a Thread). The configuration layer replaces it with
        its logger; by default it goes to standard error."""
        try:
            self.stderr.write(message + "\n")
        except (OSError, ValueError):
            pass

    # --- threads, lock, budget --------------------------------------------------

    def thread_state(self) -> ThreadState:
        ts = getattr(self._tls, "ts", None)
        if ts is None:
            ts = ThreadState(self, self.budget)
            ts.active = 0
            ts.holds_lock = False
            ts.root = None
            self._tls.ts = ts
        return ts

    def acquire(self) -> None:
        """Take the interpreter lock, counting the threads that wait for it
        (so a long computation makes room for them at its checkpoints)."""
        if self.lock.acquire(blocking=False):
            return
        with self.thread_count_lock:
            self.waiters += 1
        try:
            self.lock.acquire()
        finally:
            with self.thread_count_lock:
                self.waiters -= 1

    def yield_lock(self) -> None:
        """At a budget checkpoint: let other interpreter threads run."""
        if self.threads_alive > 0 or self.waiters > 0:
            ts = self.thread_state()
            if ts.holds_lock:
                self.lock.release()
                try:
                    threading.Event().wait(0.0005)
                finally:
                    self.acquire()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Release the interpreter lock around a blocking native call."""
        ts = self.thread_state()
        if not ts.holds_lock:
            yield
            return
        ts.holds_lock = False
        self.lock.release()
        try:
            yield
        finally:
            self.acquire()
            ts.holds_lock = True

    def _host_call(self, run: Callable[[Any], Any], budget: int | None) -> Any:
        ts = getattr(self._tls, "ts", None) or self.thread_state()
        acquired = False
        if not ts.holds_lock:
            self.acquire()
            ts.holds_lock = True
            acquired = True
        outer = ts.cur
        nested = ts.active > 0
        if not nested:
            ts.reset_budget(budget if budget is not None else self.budget)
            root = ts.root
            if root is None:
                root = ts.root = self._root_frame(ts)
            root.last_match = None
        else:
            root = self._root_frame(ts)
            if outer is not None:
                root.prev = outer
                root.depth = outer.depth
        ts.active += 1
        try:
            return run(root)
        except RubyError:
            raise
        except ThreadKilled:
            raise
        except ControlFlow as e:
            raise self.stray_control_flow(ts.cur or root, e) from None
        except RecursionError:
            raise self.stack_error(root) from None
        except Exception as e:  # noqa: BLE001 - never let a Python error escape
            raise self.convert_python_error(root, e, None) from None
        finally:
            ts.active -= 1
            ts.cur = outer
            if acquired:
                ts.holds_lock = False
                self.lock.release()

    def _root_frame(self, ts: ThreadState) -> Any:
        """The frame a call from the host starts from (not in backtraces)."""
        root = self.Frame()
        root.ts = ts
        root.home = root
        root.ret_target = root
        root.self_ = self.main_object
        root.code = self.host_code
        root.deftarget = self.Object
        return root

    def stray_control_flow(self, f: Any, e: ControlFlow) -> RubyError:
        if isinstance(e, BreakSignal):
            return self.make_error(f, "LocalJumpError", "break from proc-closure")
        if isinstance(e, ReturnSignal):
            return self.make_error(f, "LocalJumpError", "unexpected return")
        if isinstance(e, NextSignal):
            return self.make_error(f, "LocalJumpError", "unexpected next")
        if isinstance(e, ThrowSignal):
            err = self.make_error(f, "UncaughtThrowError",
                                  f"uncaught throw {self.inspect(f, e.tag)}")
            return err
        err = self.make_error(f, "RuntimeError", f"internal error: stray {type(e).__name__}")
        err.internal = True
        return err

    # --- running code -------------------------------------------------------------

    def compile_program(self, program: Any, label: str = "<main>") -> tuple[Any, CodeInfo]:
        return Compiler(self, program.filename).compile_program(program, label)

    def load_program(self, program: Any, self_obj: Any = None, *,
                     lexical_scope: list[RModule] | None = None,
                     def_target: RModule | None = None,
                     def_visibility: str | None = None,
                     label: str = "<main>", budget: int | None = None) -> Any:
        if self_obj is None:
            self_obj = self.main_object

        def run(root: Any) -> Any:
            body, info = self.compile_program(program, label)
            fr = self.Frame()
            fr.self_ = self_obj
            fr.vars = [None] * info.nvars
            fr.home = fr
            fr.ret_target = fr
            fr.prev = root
            fr.ts = root.ts
            fr.code = info
            fr.depth = root.depth + 1
            cref = None
            for mod in reversed(lexical_scope or []):
                if mod is not self.Object:
                    cref = Cref(mod, cref)
            fr.cref = cref
            is_main = self_obj is self.main_object
            if def_target is not None:
                fr.deftarget = def_target
            elif is_main:
                fr.deftarget = self.Object
            else:
                fr.deftarget = self.singleton_class(fr, self_obj)
            fr.visi = def_visibility or ("private" if is_main and def_target is None
                                         else "public")
            try:
                return body(fr)
            except ReturnSignal as e:
                if e.target is fr:
                    return e.value
                raise
            except RubyError as e:
                if e.exc.bt is None:
                    e.exc.bt = self.backtrace(fr)
                raise
            finally:
                fr.done = True
        return self._host_call(run, budget)

    def parse(self, source: str, filename: str) -> Any:
        from .parser import parse
        return parse(source, filename)

    def eval_string(self, source: str, filename: str = "-", self_obj: Any = None,
                    **options: Any) -> Any:
        return self.load_program(self.parse(source, filename), self_obj, **options)

    def call_method(self, obj: Any, name: str, *args: Any, block: RProc | None = None,
                    kwargs: dict | None = None, budget: int | None = None) -> Any:
        rargs = [self.to_ruby(a) for a in args]
        kw = self.to_ruby(kwargs) if kwargs else None
        return self._host_call(lambda root: self.send(root, obj, name, rargs, kw, block),
                               budget)

    def call_proc(self, proc: RProc, *args: Any, budget: int | None = None) -> Any:
        rargs = [a if a is None or a.__class__ in _RUBY_VALUE_TYPES else self.to_ruby(a)
                 for a in args]
        return self._host_call(lambda root: proc.code.call(proc, root, rargs, None), budget)

    # --- defining things from Python ------------------------------------------------

    def define_module(self, path: str) -> RModule:
        known = self.host_modules.get(path)
        if known is not None:
            return known
        container: RModule = self.Object
        for part in path.split("::"):
            existing = container.consts.get(part)
            if not isinstance(existing, RModule):
                existing = self.new_module(self.qualified_name(container, part))
                existing.lexical_parent = container
                self.const_set(None, container, part, existing)
            container = existing
        self.host_modules[path] = container
        return container

    def define_class(self, path: str, superclass: RModule | None = None) -> RClass:  # type: ignore[return]
        known = self.host_modules.get(path)
        if known is not None:
            return known
        outer, _, name = path.rpartition("::")
        container = self.define_module(outer) if outer else self.Object
        existing = container.consts.get(name)
        if not isinstance(existing, RModule):
            existing = self.new_class(self.qualified_name(container, name),
                                      superclass or self.Object, container)
            self.const_set(None, container, name, existing)
        self.host_modules[path] = existing
        return existing

    def define_native(self, target: RModule, name: str,
                      fn: Callable[[Any, Any, list, Any, Any], Any], arity: Any = -1,
                      kw: bool = False, visibility: str = "public") -> None:
        """Host convention: ``fn(interp, self, args, kwargs, block)``."""
        def native(f: Any, recv: Any, args: list, kwargs: Any, blk: Any) -> Any:
            ts = f.ts
            saved = ts.cur
            ts.cur = f
            try:
                return fn(self, recv, args, kwargs, blk)
            finally:
                ts.cur = saved
        _define_native(self, target, name, native, arity=arity, kw=kw, visibility=visibility)

    def define_singleton_native(self, obj: Any, name: str,
                                fn: Callable[[Any, Any, list, Any, Any], Any],
                                arity: Any = -1, kw: bool = False) -> None:
        self.define_native(self.singleton_class(None, obj), name, fn, arity=arity, kw=kw)

    def new_object(self, cls: RModule, payload: Any = None) -> RObject:
        return RObject(cls, payload)

    def current_location(self) -> tuple[str, int]:
        """(FILE, LINE) of the innermost interpreted frame of this thread."""
        ts = self.thread_state()
        fr = ts.cur
        while fr is not None and (fr.native_label is not None or
                                  (fr.code is not None and fr.code.kind == "host")):
            fr = fr.prev
        if fr is None or fr.code is None:
            return ("-", 0)
        return (fr.code.file, fr.line)

    def current_frame(self) -> Any:
        return self.thread_state().cur

    # --- value conversion ------------------------------------------------------------

    def to_ruby(self, v: Any) -> Any:
        if v is None or v is True or v is False or type(v) in (int, float):
            return v
        if isinstance(v, str):
            return RString(v)
        if isinstance(v, (list, tuple)) and not isinstance(v, RArray):
            return RArray(self.to_ruby(x) for x in v)
        if isinstance(v, dict):
            return RHash((self.to_ruby(k), self.to_ruby(x)) for k, x in v.items())
        return v

    def to_python(self, v: Any) -> Any:
        if isinstance(v, RString):
            return v.s
        if isinstance(v, RSymbol):
            return v.name
        if isinstance(v, (list, tuple)):
            return [self.to_python(x) for x in v]
        if isinstance(v, RHash):
            out = {}
            for k, x in v.items():
                pk = self.to_python(k)
                if isinstance(pk, list):
                    pk = tuple(pk)
                out[pk] = self.to_python(x)
            return out
        return v

    def sym(self, name: str) -> RSymbol:
        return RSymbol.get(name)

    def str(self, s: str) -> RString:
        return RString(s)

    # --- helpers used by core modules ------------------------------------------------

    def make_regexp(self, f: Any, source: str, options: int, literal: bool = True) -> Any:
        from .core.regexp_class import make_regexp
        return make_regexp(self, f, source, options, literal)

    def regexp_match(self, f: Any, rx: Any, s: str, pos: int = 0) -> Any:
        from .core.regexp_class import regexp_match
        return regexp_match(f, rx, s, pos)

    def range_cover(self, f: Any, r: Any, v: Any) -> bool:
        from .core.range import cover
        return cover(f, r, v)

    def hkey(self, v: Any) -> Any:
        from .objects import hkey
        return hkey(v)

    def write_out(self, text: str) -> None:
        out = self.stdout
        with self.released():
            out.write(text)

    def write_err(self, text: str) -> None:
        err = self.stderr
        with self.released():
            err.write(text)


def _ensure_recursion_limit(max_depth: int) -> None:
    # Each Ruby-level call nests a handful of Python frames (call site,
    # method entry, body, statements); leave room for natives in between.
    wanted = max_depth * 30 + 5000
    if sys.getrecursionlimit() < wanted:
        sys.setrecursionlimit(wanted)

