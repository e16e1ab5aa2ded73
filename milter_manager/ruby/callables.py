"""What a compiled `def` and a compiled block become at run time: the
`invoke` of a method entry (`MethodFactory`) and the `call` of a proc
(`BlockCode`) — frame set-up, argument binding, `return`/`next`/`break`
handling. The hottest code of the evaluator; `compile_defs.py` builds them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import BreakSignal, NextSignal, ReturnSignal, RubyError
from .frame import CodeInfo, Cref
from .objects import MethodEntry, RArray

if TYPE_CHECKING:
    from .compile_defs import Binder

Fn = Callable[[Any], Any]

_SELF = property(lambda fr: fr)


def _noop() -> None:
    return None


class MethodFactory:
    """Builds the method entry of a `def` each time the `def` runs (the
    entry captures the defining frame's lexical constant scope)."""

    def __init__(self, interp: Any, name: str, info: CodeInfo, binder: Binder,
                 bind: Callable, body: Fn, line: int) -> None:
        self.interp = interp
        self.name = name
        self.info = info
        self.binder = binder
        self.bind = bind
        self.body = body
        self.line = line
        self.keep_args = True     # cleared by c_Def when the body has no bare `super`
        self.marks_done = True    # cleared when no block in the body has a `return`
        self.reusable = False     # set when the body creates no closure
        self.reader: str | None = None   # the body is just this instance variable

    def entry(self, owner: Any, visibility: str, cref: Cref | None) -> MethodEntry:
        e = MethodEntry(self.name, owner, visibility, None, "ruby", self,
                        arity_value=self.binder.arity)
        e.invoke = self.make_reader(e, owner) if self.reader else \
            self.make_invoke(e, owner, cref)
        return e

    def make_reader(self, entry: MethodEntry, owner: Any) -> Callable:
        ivar = self.reader
        slow = self.make_invoke(entry, owner, None)

        def invoke(f: Any, recv: Any, args: list, kw: Any, blk: Any) -> Any:
            if args or (kw is not None and kw.d):
                return slow(f, recv, args, kw, blk)      # the arity error
            ts = f.ts
            ts.steps -= 1
            if ts.steps < 0:
                ts.checkpoint(f)
            iv = getattr(recv, "ivars", None)
            return iv.get(ivar) if iv else None
        return invoke

    def make_invoke(self, entry: MethodEntry, owner: Any, cref: Cref | None) -> Callable:
        interp = self.interp
        # A method frame is its own home and return target: properties, so
        # frames hold no reference to themselves (no cyclic garbage per call).
        Frame = type("MethodFrame", (interp.Frame,),
                     {"code": self.info, "cref": cref, "deftarget": owner, "meth": entry,
                      "line": self.line, "home": _SELF, "ret_target": _SELF})
        max_depth = interp.max_depth
        info = self.info
        body = self.body
        line = self.line
        binder = self.binder
        bind = self.bind
        simple = binder.simple

        keep_args = self.keep_args
        marks_done = self.marks_done
        reusable = self.reusable and not marks_done
        pad = [None] * (info.nvars - simple) if simple is not None else None
        cached: Any = None

        def invoke(f: Any, recv: Any, args: list, kw: Any, blk: Any) -> Any:
            nonlocal cached
            ts = f.ts
            ts.steps -= 1
            if ts.steps < 0:
                ts.checkpoint(f)
            # A body that creates no closure leaves no reference to its frame:
            # one frame per method is reused (a busy one — recursion, another
            # thread — means a fresh frame).
            fr = cached
            if fr is None or fr.busy:
                fr = Frame()
                if reusable and cached is None:
                    cached = fr
            else:
                fr.line = line
                if fr.last_match is not None:
                    fr.last_match = None
            fr.self_ = recv
            fr.block = blk
            fr.prev = f
            fr.ts = ts
            d = fr.depth = f.depth + 1
            if d > max_depth:
                raise interp.stack_error(f)
            fr.busy = True
            if keep_args:
                fr.args = (args, kw)
            if pad is not None and kw is None:
                if len(args) != simple:
                    bind(fr, args, kw, blk, True)   # raises the arity error
                fr.vars = args + pad
            else:
                fr.vars = [None] * info.nvars
                bind(fr, args, kw, blk, True)
            if not marks_done:
                fr.busy = True
                try:
                    return body(fr)
                except ReturnSignal as e:
                    if e.target is fr:
                        return e.value
                    raise
                except RubyError as e:
                    if e.exc.bt is None:
                        e.exc.bt = interp.backtrace(fr)
                    raise
                finally:
                    fr.busy = False
            try:
                return body(fr)
            except ReturnSignal as e:
                if e.target is fr:
                    return e.value
                raise
            except RubyError as e:
                if e.exc.bt is None:
                    e.exc.bt = interp.backtrace(fr)
                raise
            finally:
                # A block written here may `return` later: LocalJumpError then.
                fr.done = True
        return invoke


class BlockCode:
    """A compiled block. `call(pr, f, args, blk)` runs proc `pr` (proc or
    lambda semantics after `pr.is_lambda`) called from frame `f`;
    `call_as(...)` also replaces self (instance_eval, define_method)."""

    has_break = False
    reusable = False      # the body creates no closure: its frame can be reused

    def __init__(self, body: Fn, info: CodeInfo, binder: Binder, line: int) -> None:
        self.body = body
        self.info = info
        self.binder = binder
        self.line = line
        self.arity = binder.arity if not binder.no_params else 0

    def build(self, interp: Any, bind: Callable, catches_next: bool) -> None:
        # Constant facts of this block's frames are class attributes, so a
        # call stores only what varies (`frame.py`: cref/deftarget are
        # looked up through `parent`).
        Frame = type("BlockFrame", (interp.Frame,), {"code": self.info, "line": self.line})
        max_depth = interp.max_depth
        body = self.body
        info = self.info
        line = self.line
        binder = self.binder
        simple = binder.simple
        single = simple == 1 and not binder.trailing_comma
        multi = simple is not None and simple >= 2 or (simple == 1 and binder.trailing_comma)
        none = binder.no_params or simple == 0
        nvars = info.nvars

        def enter(pr: Any, f: Any, self_: Any) -> Any:
            ts = f.ts
            ts.steps -= 1
            if ts.steps < 0:
                ts.checkpoint(f)
            parent = pr.frame
            fr = Frame()
            fr.self_ = self_
            fr.parent = parent
            fr.home = parent.home
            fr.prev = f
            fr.ts = ts
            fr.proc = pr
            d = fr.depth = f.depth + 1
            if d > max_depth:
                raise interp.stack_error(f)
            return fr

        def run_lambda(pr: Any, fr: Any, args: list, kw: Any, blk: Any) -> Any:
            fr.ret_target = fr
            fr.vars = [None] * info.nvars
            bind(fr, args, kw, blk, True)
            try:
                return body(fr)
            except ReturnSignal as e:
                if e.target is fr:
                    return e.value
                raise
            except BreakSignal as e:
                if e.tag is pr:
                    return e.value
                raise
            except NextSignal as e:
                return e.value
            except RubyError as e:
                if e.exc.bt is None:
                    e.exc.bt = interp.backtrace(fr)
                raise

        reusable = self.reusable

        def call(pr: Any, f: Any, args: list, blk: Any) -> Any:
            ts = f.ts
            ts.steps -= 1
            if ts.steps < 0:
                ts.checkpoint(f)
            if pr.is_lambda:
                return run_lambda(pr, enter_fresh(pr, f, ts), args, None, blk)
            # A block whose body creates no closure leaves no reference to its
            # frame once it returns: the proc keeps one frame and reuses it
            # across calls (each call of `list.any? { … }` yields to the same
            # proc many times). Busy (recursion, another thread): a new one.
            fr = pr.cached_frame
            if fr is None or fr.busy:
                parent = pr.frame
                fr = Frame()
                fr.self_ = pr.self_
                fr.parent = parent
                fr.home = parent.home
                fr.proc = pr
                fr.ret_target = parent.ret_target
                if reusable and pr.cached_frame is None:
                    pr.cached_frame = fr
            else:
                fr.line = line
            fr.prev = f
            fr.ts = ts
            d = fr.depth = f.depth + 1
            if d > max_depth:
                raise interp.stack_error(f)
            if single:
                if nvars == 1:
                    fr.vars = [args[0] if args else None]
                else:
                    fr.vars = [args[0] if args else None] + [None] * (nvars - 1)
            elif multi:
                if len(args) == 1 and type(args[0]) is RArray:
                    args = args[0]
                n = len(args)
                if n >= simple:
                    fr.vars = args[:simple] + [None] * (nvars - simple)
                else:
                    fr.vars = list(args) + [None] * (nvars - n)
            elif none:
                fr.vars = [None] * nvars
            else:
                fr.vars = [None] * nvars
                bind(fr, args, None, blk, False)
            fr.busy = True
            try:
                return body(fr)
            except NextSignal as e:
                if not catches_next:
                    raise
                return e.value
            except RubyError as e:
                # An error raised by compiled code itself (not by a native,
                # which fills it in) gets the backtrace of this frame.
                if e.exc.bt is None:
                    e.exc.bt = interp.backtrace(fr)
                raise
            finally:
                fr.busy = False

        def enter_fresh(pr: Any, f: Any, ts: Any) -> Any:
            parent = pr.frame
            fr = Frame()
            fr.self_ = pr.self_
            fr.parent = parent
            fr.home = parent.home
            fr.prev = f
            fr.ts = ts
            fr.proc = pr
            d = fr.depth = f.depth + 1
            if d > max_depth:
                raise interp.stack_error(f)
            return fr

        def call_as(pr: Any, f: Any, args: list, kw: Any, blk: Any, self_: Any,
                    deftarget: Any = None, lambda_mode: bool = False, entry: Any = None,
                    new_home: bool = False) -> Any:
            fr = enter(pr, f, self_)
            if deftarget is not None:
                fr.deftarget = deftarget
            if new_home:
                # A Thread body: its own `$~` (§3.2), still yielding to the
                # block of the method it was written in.
                home = Frame()
                home.block = fr.home.block
                home.meth = fr.home.meth
                home.self_ = fr.home.self_
                home.code = fr.home.code
                fr.home = home
            if entry is not None:
                # A define_method body: a method frame of its own for
                # `return`, `yield`'s block and backtrace labels.
                fr.meth = entry
                fr.block = blk
            if lambda_mode or pr.is_lambda:
                return run_lambda(pr, fr, args, kw, blk)
            fr.ret_target = fr.parent.ret_target
            fr.vars = [None] * info.nvars
            if kw is not None and kw.d:
                args = list(args) + [kw]
            bind(fr, args, None, blk, False)
            try:
                return body(fr)
            except NextSignal as e:
                return e.value
            except RubyError as e:
                if e.exc.bt is None:
                    e.exc.bt = interp.backtrace(fr)
                raise

        def looper(pr: Any, f: Any) -> tuple[Callable[[Any], Any], Callable[[], None]]:
            """(one, release) for a native yielding many values in a row
            (`each`, `any?`, `map`): the frame is set up once and `one(v)`
            only binds the value and runs the body. `release()` afterwards."""
            if pr.is_lambda or not reusable or not (single or multi or none):
                # A body that creates closures needs a fresh frame per value.
                return (lambda v: call(pr, f, [v], None)), _noop
            fr = pr.cached_frame
            if fr is None or fr.busy:
                parent = pr.frame
                fr = Frame()
                fr.self_ = pr.self_
                fr.parent = parent
                fr.home = parent.home
                fr.proc = pr
                fr.ret_target = parent.ret_target
                if reusable and pr.cached_frame is None:
                    pr.cached_frame = fr
            fr.prev = f
            ts = fr.ts = f.ts
            d = fr.depth = f.depth + 1
            if d > max_depth:
                raise interp.stack_error(f)
            fr.busy = True
            fr.line = line
            pad = [None] * (nvars - 1) if nvars > 1 else None

            def one(v: Any) -> Any:
                ts.steps -= 1
                if ts.steps < 0:
                    ts.checkpoint(f)
                if single:
                    fr.vars = [v] if pad is None else [v] + pad
                elif multi:
                    args = v if type(v) is RArray else [v]
                    n = len(args)
                    if n >= simple:
                        fr.vars = args[:simple] + [None] * (nvars - simple)
                    else:
                        fr.vars = list(args) + [None] * (nvars - n)
                else:
                    fr.vars = [None] * nvars
                try:
                    return body(fr)
                except NextSignal as e:
                    if not catches_next:
                        raise
                    return e.value
                except RubyError as e:
                    if e.exc.bt is None:
                        e.exc.bt = interp.backtrace(fr)
                    raise

            def release() -> None:
                fr.busy = False
            return one, release

        self.call = call
        self.call_as = call_as
        self.looper = looper
