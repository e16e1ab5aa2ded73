"""Compiling control flow: `if`, `case`, loops, jumps, `begin`/`rescue`/`ensure`
(`ruby-subset.md` §3.3 control flow, §3.5 exceptions, §4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ast
from .errors import (
    BreakSignal,
    LoopBreak,
    LoopNext,
    NextSignal,
    RetrySignal,
    ReturnSignal,
    RubyError,
)
from .objects import RArray, RRange

Fn = Callable[[Any], Any]


def _nil(f: Any) -> Any:
    return None


class ControlCompiler:
    interp: Any

    def c_If(self, node: ast.If, sc: Any) -> Fn:
        cond = self.compile(node.cond, sc)
        then = self.compile(node.then, sc) if node.then is not None else _nil
        else_ = self.compile(node.else_, sc) if node.else_ is not None else _nil

        def run(f: Any) -> Any:
            v = cond(f)
            if v is None or v is False:
                return else_(f)
            return then(f)
        return run

    # --- loops --------------------------------------------------------------

    def _loop_body(self, body: ast.Node | None, sc: Any) -> tuple[Fn, dict]:
        target = {"break": False, "next": False}
        sc.loop += 1
        sc.loop_targets.append(target)
        try:
            fn = self.compile(body, sc)
        finally:
            sc.loop -= 1
            sc.loop_targets.pop()
        return fn, target

    def c_While(self, node: ast.While, sc: Any) -> Fn:
        cond = self.compile(node.cond, sc)
        body, target = self._loop_body(node.body, sc)
        until = node.until
        do_while = node.do_while
        catches_next = target["next"]

        def run(f: Any) -> Any:
            ts = f.ts
            first = do_while
            try:
                while True:
                    if first:
                        first = False
                    else:
                        v = cond(f)
                        if (v is None or v is False) is not until:
                            return None
                    ts.steps -= 1
                    if ts.steps < 0:
                        ts.checkpoint(f)
                    if catches_next:
                        try:
                            body(f)
                        except LoopNext:
                            pass
                    else:
                        body(f)
            except LoopBreak as e:
                return e.value
        return run

    def c_For(self, node: ast.For, sc: Any) -> Fn:
        interp = self.interp
        iter_fn = self.compile(node.iter, sc)
        assign = self.assigner(node.target, sc)
        body, _ = self._loop_body(node.body, sc)
        line = node.line

        def step(f: Any, v: Any) -> None:
            assign(f, v)
            try:
                body(f)
            except LoopNext:
                pass

        def run(f: Any) -> Any:
            coll = iter_fn(f)
            ts = f.ts
            try:
                if type(coll) is RArray:
                    i = 0
                    while i < len(coll):
                        ts.steps -= 1
                        if ts.steps < 0:
                            ts.checkpoint(f)
                        step(f, coll[i])
                        i += 1
                    return coll
                if type(coll) is RRange and type(coll.low) is int and \
                        (type(coll.high) is int or coll.high is None):
                    i = coll.low
                    while coll.high is None or i < coll.high or (i == coll.high and not coll.excl):
                        ts.steps -= 1
                        if ts.steps < 0:
                            ts.checkpoint(f)
                        step(f, i)
                        i += 1
                    return coll
            except LoopBreak as e:
                return e.value
            # Any other object: iterate with its `each`.
            tag = object()

            def native_block(f2: Any, args: list, blk: Any) -> Any:
                try:
                    step(f, args[0] if len(args) == 1 else RArray(args))
                except LoopBreak as e:
                    raise BreakSignal(tag, e.value)
                return None
            pr = interp.native_proc(native_block, arity=-1)
            f.line = line
            try:
                return interp.send(f, coll, "each", [], blk=pr)
            except BreakSignal as e:
                if e.tag is tag:
                    return e.value
                raise
        return run

    # --- jumps --------------------------------------------------------------

    def c_Break(self, node: ast.Break, sc: Any) -> Fn:
        value = self.compile(node.value, sc)
        interp = self.interp
        line = node.line
        if sc.loop > 0:
            sc.loop_targets[-1]["break"] = True

            def loop_break(f: Any) -> Any:
                raise LoopBreak(value(f))
            return loop_break
        if sc.kind in ("block", "lambda"):
            sc.has_break = True

            def block_break(f: Any) -> Any:
                raise BreakSignal(f.proc, value(f))
            return block_break

        def invalid(f: Any) -> Any:
            f.line = line
            raise interp.make_error(f, "LocalJumpError", "break from proc-closure")
        return invalid

    def c_Next(self, node: ast.Next, sc: Any) -> Fn:
        value = self.compile(node.value, sc)
        interp = self.interp
        line = node.line
        if sc.loop > 0:
            sc.loop_targets[-1]["next"] = True

            def loop_next(f: Any) -> Any:
                raise LoopNext(value(f))
            return loop_next
        if sc.kind in ("block", "lambda"):
            sc.has_next = True

            def block_next(f: Any) -> Any:
                raise NextSignal(value(f))
            return block_next

        def invalid(f: Any) -> Any:
            f.line = line
            raise interp.make_error(f, "LocalJumpError", "unexpected next")
        return invalid

    def c_Return(self, node: ast.Return, sc: Any) -> Fn:
        if sc.parent is not None:
            sc.home_scope().has_block_return = True
        value = self.compile(node.value, sc)
        interp = self.interp
        line = node.line

        def ret(f: Any) -> Any:
            v = value(f)
            target = f.ret_target
            if target is None or target.done:
                f.line = line
                raise interp.make_error(f, "LocalJumpError", "unexpected return")
            raise ReturnSignal(target, v)
        return ret

    def c_Retry(self, node: ast.Retry, sc: Any) -> Fn:
        interp = self.interp
        line = node.line
        if sc.rescue > 0:
            def retry(f: Any) -> Any:
                raise RetrySignal()
            return retry

        def invalid(f: Any) -> Any:
            f.line = line
            raise interp.make_error(f, "SyntaxError", "Invalid retry")
        return invalid

    # --- case ---------------------------------------------------------------

    def c_Case(self, node: ast.Case, sc: Any) -> Fn:
        interp = self.interp
        case_eq = interp.case_eq
        subject = self.compile(node.subject, sc) if node.subject is not None else None
        whens = []
        for w in node.whens:
            pats = []
            for p in w.patterns:
                if type(p) is ast.Splat:
                    pats.append((True, self.compile(p.value, sc), p.line))
                else:
                    pats.append((False, self.compile(p, sc), p.line or w.line))
            whens.append((pats, self.compile(w.body, sc) if w.body is not None else _nil))
        else_ = self.compile(node.else_, sc) if node.else_ is not None else _nil

        if subject is None:
            def run_bare(f: Any) -> Any:
                for pats, body in whens:
                    for is_splat, p, _line in pats:
                        vals = interp.splat_to_list(f, p(f)) if is_splat else (p(f),)
                        for v in vals:
                            if v is not None and v is not False:
                                return body(f)
                return else_(f)
            return run_bare

        def run(f: Any) -> Any:
            v = subject(f)
            for pats, body in whens:
                for is_splat, p, line in pats:
                    if is_splat:
                        for pat in interp.splat_to_list(f, p(f)):
                            f.line = line
                            if case_eq(f, pat, v):
                                return body(f)
                    else:
                        pat = p(f)
                        f.line = line
                        if case_eq(f, pat, v):
                            return body(f)
            return else_(f)
        return run

    # --- exceptions -----------------------------------------------------------

    def c_Begin(self, node: ast.Begin, sc: Any) -> Fn:
        body = self.compile(node.body, sc)
        clauses = []
        for rc in node.rescues:
            classes = []
            for c in rc.classes:
                if type(c) is ast.Splat:
                    classes.append((True, self.compile(c.value, sc)))
                else:
                    classes.append((False, self.compile(c, sc)))
            target = self.assigner(rc.target, sc) if rc.target is not None else None
            sc.rescue += 1
            try:
                handler = self.compile(rc.body, sc) if rc.body is not None else _nil
            finally:
                sc.rescue -= 1
            clauses.append((classes, target, handler, rc.line))
        else_ = self.compile(node.else_, sc) if node.else_ is not None else None
        ensure = self.compile(node.ensure, sc) if node.ensure is not None else None
        if not clauses:
            inner = body
            if else_ is not None:
                def body_else(f: Any) -> Any:
                    body(f)
                    return else_(f)
                inner = body_else
        else:
            inner = self._rescuer(body, clauses, else_)
        if ensure is None:
            return inner

        def with_ensure(f: Any) -> Any:
            try:
                return inner(f)
            finally:
                ensure(f)
        return with_ensure

    def _rescuer(self, body: Fn, clauses: list, else_: Fn | None) -> Fn:
        interp = self.interp

        def matching(f: Any, exc: Any) -> Any:
            for classes, target, handler, line in clauses:
                if not classes:
                    if interp.is_a(exc, interp.StandardError):
                        return target, handler
                    continue
                for is_splat, fn in classes:
                    f.line = line
                    mods = interp.splat_to_list(f, fn(f)) if is_splat else (fn(f),)
                    for mod in mods:
                        if not interp.is_module(mod):
                            raise interp.make_error(f, "TypeError",
                                                    "class or module required for rescue clause")
                        if interp.rescue_match(f, mod, exc):
                            return target, handler
            return None

        def run(f: Any) -> Any:
            while True:
                try:
                    v = body(f)
                except (RubyError, RecursionError) as caught:
                    err = caught
                    if type(err) is RecursionError:
                        err = interp.stack_error(f)
                    exc = err.exc
                    # §3.7: once the step budget is exhausted, nothing in the
                    # runaway call may rescue the error.
                    found = None if f.ts.exhausted else matching(f, exc)
                    if found is None:
                        if err is not caught:
                            raise err from None
                        raise
                    target, handler = found
                    ts = f.ts
                    saved = ts.errinfo
                    ts.errinfo = exc
                    try:
                        if target is not None:
                            target(f, exc)
                        return handler(f)
                    except RetrySignal:
                        ts.steps -= 1      # a retry loop is runaway code too
                        if ts.steps < 0:
                            ts.checkpoint(f)
                        continue
                    finally:
                        ts.errinfo = saved
                if else_ is not None:
                    return else_(f)
                return v
        return run

    def c_RescueMod(self, node: ast.RescueMod, sc: Any) -> Fn:
        interp = self.interp
        body = self.compile(node.body, sc)
        fallback = self.compile(node.rescue, sc)

        def run(f: Any) -> Any:
            try:
                return body(f)
            except (RubyError, RecursionError) as err:
                if type(err) is RecursionError:
                    err = interp.stack_error(f)
                if f.ts.exhausted or not interp.is_a(err.exc, interp.StandardError):
                    raise err  # noqa: TRY201 - err may be the converted RecursionError
                ts = f.ts
                saved = ts.errinfo
                ts.errinfo = err.exc
                try:
                    return fallback(f)
                finally:
                    ts.errinfo = saved
        return run
