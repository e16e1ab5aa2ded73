"""Compiling method calls, blocks, `yield`, `super` and lambdas.

A call site keeps an inline cache (receiver class, global method epoch,
method entry): a hit costs two identity checks. Integer/Float operators have a
fast path that applies unless a built-in operator was redefined
(`interp.fast_ops[0]` goes false then). `ruby-subset.md` §3.1, §3.3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ast
from .call_sites import make_call, make_respond_to
from .errors import BreakSignal
from .objects import RArray, RHash, RProc, RString, RSymbol, sym

Fn = Callable[[Any], Any]


def _int_div(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return a // b
    return a / b


def _int_mod(a: Any, b: Any) -> Any:
    # Python's % floors like Ruby's Integer#% and Float#% (sign of the divisor).
    return a % b


ARITH = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
# Operators that need a non-zero right operand in the fast path.
DIVISION = {"/": _int_div, "%": _int_mod}
INT_ONLY = {
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
}
# Binary operators compiled with an inline Integer/Float/String fast path.
OPERATORS = frozenset(ARITH) | frozenset(DIVISION) | frozenset(INT_ONLY) | {"[]", "<<"}


class CallCompiler:
    interp: Any

    # --- argument lists -----------------------------------------------------

    def compile_args(self, args: list[ast.Node], sc: Any) -> tuple[list[Fn] | None, Callable | None]:
        """Simple positional arguments → (fns, None); otherwise (None, build)
        where build(f) returns (args list, kw RHash or None)."""
        has_kw = bool(args) and type(args[-1]) is ast.KwArgs
        positional = args[:-1] if has_kw else args
        if not has_kw and not any(type(a) is ast.Splat for a in positional):
            return [self.compile(a, sc) for a in positional], None
        build_pos = self.splat_list(positional, sc)
        build_kw = self.hash_items(args[-1].items, sc) if has_kw else None

        def build(f: Any) -> tuple[list, RHash | None]:
            lst = build_pos(f)
            kw = build_kw(f) if build_kw is not None else None
            if kw is not None and not kw.d:
                kw = None
            return lst, kw
        return None, build

    def compile_block_arg(self, block: ast.Node | None, sc: Any) -> tuple[Any | None, Fn | None]:
        """→ (BlockCode of a literal block, None) or (None, fn giving a proc or None)."""
        if block is None:
            return None, None
        if type(block) is ast.Block:
            return self.compile_block(block, sc), None
        interp = self.interp
        if block.value is None:      # anonymous `&`: forward this method's block
            return None, lambda f: f.home.block
        value_fn = self.compile(block.value, sc)
        line = block.line

        def block_pass(f: Any) -> Any:
            v = value_fn(f)
            if v is None or type(v) is RProc:
                return v
            f.line = line
            return interp.to_proc(f, v)
        return None, block_pass

    # --- calls --------------------------------------------------------------

    def c_Call(self, node: ast.Call, sc: Any) -> Fn:
        name = node.name
        line = node.line
        recv_node = node.receiver
        fcall = recv_node is None
        selfcall = fcall or type(recv_node) is ast.SelfNode

        if fcall and name in ("block_given?", "iterator?") and not node.args and node.block is None:
            return lambda f: f.home.block is not None
        if fcall and name in ("private", "public", "protected", "module_function") \
                and not node.args:
            # They change state on this frame (visibility of later defs).
            sc.has_closures = True

        vcall = node.vcall and not node.args
        safe = node.safe_nav
        simple = node.block is None and not any(
            type(a) in (ast.Splat, ast.KwArgs, ast.BlockPass) for a in node.args)
        if simple and not (len(node.args) == 1 and not safe and not selfcall and
                           name in OPERATORS):
            return self.plain_call(node, selfcall, vcall, sc)

        recv_fn: Fn = (lambda f: f.self_) if fcall else self.compile(recv_node, sc)
        fns, build = self.compile_args(node.args, sc)
        bcode, bfn = self.compile_block_arg(node.block, sc)
        dispatch = self.make_dispatch(name, line, selfcall, vcall)

        if bcode is None and bfn is None and build is not None:
            def call_general(f: Any) -> Any:
                recv = recv_fn(f)
                if safe and recv is None:
                    return None
                args, kw = build(f)
                return dispatch(f, recv, args, kw, None)
            return call_general

        if bcode is not None or bfn is not None:
            return self._call_with_block(recv_fn, fns, build, bcode, bfn, dispatch, safe)

        assert fns is not None
        op = self._operator_call(name, recv_fn, fns[0], dispatch)
        assert op is not None
        return op

    def _resolver(self, name: str, line: int, selfcall: bool, vcall: bool) -> Callable:
        """resolve(f, recv, nargs) -> (method entry, cacheable): the lookup
        behind an inline cache miss; visibility and method_missing handled."""
        interp = self.interp
        class_of = interp.class_of
        find_method = interp.find_method

        def resolve(f: Any, recv: Any, args: list, kw: Any, blk: Any) -> Any:
            m = find_method(class_of(recv), name)
            if m is None or (m.visibility == "private" and not selfcall):
                f.line = line
                return None, interp.call_missing(f, recv, name, args, kw, blk, vcall=vcall,
                                                 selfcall=selfcall, entry=m)
            if m.visibility == "protected" and not selfcall:
                # Callable from a method of (a subclass of) the defining class.
                f.line = line
                if not interp.is_a(f.self_, interp.protected_owner(m)):
                    return None, interp.call_missing(f, recv, name, args, kw, blk,
                                                     vcall=False, selfcall=False, entry=m)
                return m, False
            return m, recv.__class__ is not bool
        return resolve

    def operand(self, node: ast.Node | None, sc: Any) -> tuple:
        """How a generated call site reads an operand (`call_sites.py`)."""
        t = type(node)
        if node is None or t is ast.SelfNode:
            return ("self",)
        if t is ast.LVar:
            ref = sc.resolve(node.name)
            if ref is None:
                ref = (0, sc.declare(node.name))
            if ref[0] <= 2:
                return ("lvar", ref[0], ref[1])
        if t is ast.IntLit or t is ast.FloatLit:
            return ("const", node.value)
        if t is ast.SymLit:
            return ("const", sym(node.name))
        if t is ast.NilLit:
            return ("const", None)
        if t is ast.TrueLit:
            return ("const", True)
        if t is ast.FalseLit:
            return ("const", False)
        return ("fn", self.compile(node, sc))

    def plain_call(self, node: ast.Call, selfcall: bool, vcall: bool, sc: Any) -> Fn:
        """A call with positional arguments only and no block."""
        resolve = self._resolver(node.name, node.line, selfcall, vcall)
        recv = self.operand(node.receiver, sc)
        args = [self.operand(a, sc) for a in node.args]
        if node.name == "respond_to?" and len(args) == 1 and not node.safe_nav and \
                args[0][0] == "const" and type(args[0][1]) is RSymbol:
            return make_respond_to(self.interp, resolve, node.line, recv, args[0][1])
        return make_call(self.interp, resolve, node.line, node.safe_nav, recv, args)

    def _call_with_block(self, recv_fn: Fn, fns: list[Fn] | None, build: Callable | None,
                         bcode: Any, bfn: Fn | None, dispatch: Callable, safe: bool) -> Fn:
        if fns is not None:
            def args_of(f: Any) -> tuple[list, None]:
                return [a(f) for a in fns], None
        else:
            args_of = build  # type: ignore[assignment]
        if bcode is not None:
            catches_break = bcode.has_break

            def call_block_literal(f: Any) -> Any:
                recv = recv_fn(f)
                if safe and recv is None:
                    return None
                args, kw = args_of(f)
                pr = RProc(bcode, f, f.self_)
                if catches_break:
                    try:
                        return dispatch(f, recv, args, kw, pr)
                    except BreakSignal as e:
                        if e.tag is pr:
                            return e.value
                        raise
                return dispatch(f, recv, args, kw, pr)
            return call_block_literal

        def call_block_pass(f: Any) -> Any:
            recv = recv_fn(f)
            if safe and recv is None:
                return None
            args, kw = args_of(f)
            pr = bfn(f)
            return dispatch(f, recv, args, kw, pr)
        return call_block_pass

    def make_dispatch(self, name: str, line: int, selfcall: bool, vcall: bool) -> Callable:
        """The generic send of one call site, with its inline cache:
        dispatch(f, recv, args, kw, block) calls the method."""
        interp = self.interp
        resolve = self._resolver(name, line, selfcall, vcall)
        key: Any = None
        epoch = -1
        meth: Any = None

        def dispatch(f: Any, recv: Any, args: list, kw: Any, blk: Any) -> Any:
            nonlocal key, epoch, meth
            if (getattr(recv, "cls", None) or recv.__class__) is key and epoch == interp.epoch:
                f.line = line
                return meth.invoke(f, recv, args, kw, blk)
            m, cacheable = resolve(f, recv, args, kw, blk)
            if m is None:
                return cacheable
            if cacheable:
                key = getattr(recv, "cls", None) or recv.__class__
                epoch = interp.epoch
                meth = m
            f.line = line
            return m.invoke(f, recv, args, kw, blk)
        return dispatch

    def _operator_call(self, name: str, recv_fn: Fn, arg_fn: Fn, dispatch: Callable) -> Fn | None:
        interp = self.interp
        fast = interp.fast_ops
        op = ARITH.get(name)
        if op is not None:
            if name == "==":
                def eq(f: Any) -> Any:
                    a = recv_fn(f)
                    b = arg_fn(f)
                    ta = a.__class__
                    if fast[0]:
                        if ta is int or ta is float:
                            tb = b.__class__
                            if tb is int or tb is float:
                                return a == b
                        elif ta is RString and a.cls is None and b.__class__ is RString:
                            return a.s == b.s
                        elif ta is RSymbol or a is None:
                            return a is b
                    return dispatch(f, a, [b], None, None)
                return eq
            if name == "!=":
                def ne(f: Any) -> Any:
                    a = recv_fn(f)
                    b = arg_fn(f)
                    ta = a.__class__
                    if fast[0]:
                        if ta is int or ta is float:
                            tb = b.__class__
                            if tb is int or tb is float:
                                return a != b
                        elif ta is RString and a.cls is None and b.__class__ is RString:
                            return a.s != b.s
                        elif ta is RSymbol or a is None:
                            return a is not b
                    return dispatch(f, a, [b], None, None)
                return ne

            def arith(f: Any) -> Any:
                a = recv_fn(f)
                b = arg_fn(f)
                ta = a.__class__
                if (ta is int or ta is float) and fast[0]:
                    tb = b.__class__
                    if tb is int or tb is float:
                        return op(a, b)
                return dispatch(f, a, [b], None, None)
            return arith
        div = DIVISION.get(name)
        if div is not None:
            def division(f: Any) -> Any:
                a = recv_fn(f)
                b = arg_fn(f)
                ta = a.__class__
                if (ta is int or ta is float) and fast[0]:
                    tb = b.__class__
                    if (tb is int or tb is float) and b != 0:
                        return div(a, b)
                return dispatch(f, a, [b], None, None)
            return division
        iop = INT_ONLY.get(name)
        if iop is not None:
            def bitop(f: Any) -> Any:
                a = recv_fn(f)
                b = arg_fn(f)
                if a.__class__ is int and b.__class__ is int and fast[0]:
                    return iop(a, b)
                return dispatch(f, a, [b], None, None)
            return bitop
        if name == "[]":
            def index(f: Any) -> Any:
                a = recv_fn(f)
                b = arg_fn(f)
                if fast[0]:
                    ta = a.__class__
                    if ta is RArray and a.cls is None and b.__class__ is int:
                        try:
                            return a[b] if b >= -len(a) else None
                        except IndexError:
                            return None
                    if ta is RHash and a.cls is None and a.default_proc is None:
                        e = a.d.get(b.s if b.__class__ is RString else
                                    (b if b.__class__ is RSymbol else interp.hkey(b)))
                        return a.default if e is None else e[1]
                return dispatch(f, a, [b], None, None)
            return index
        if name == "<<":
            def shovel(f: Any) -> Any:
                a = recv_fn(f)
                b = arg_fn(f)
                if fast[0] and a.__class__ is RArray and a.cls is None and not a.frozen:
                    a.append(b)
                    return a
                return dispatch(f, a, [b], None, None)
            return shovel
        return None

    # --- yield, super, lambda ---------------------------------------------------

    def c_Yield(self, node: ast.Yield, sc: Any) -> Fn:
        interp = self.interp
        line = node.line
        fns, build = self.compile_args(node.args, sc)

        def no_block(f: Any) -> Any:
            f.line = line
            raise interp.make_error(f, "LocalJumpError", "no block given (yield)")

        if fns is not None and len(fns) == 1:
            a0 = fns[0]

            def yield1(f: Any) -> Any:
                blk = f.home.block
                if blk is None:
                    no_block(f)
                v = a0(f)
                f.line = line
                return blk.code.call(blk, f, [v], None)
            return yield1
        if fns is not None:
            def yieldn(f: Any) -> Any:
                blk = f.home.block
                if blk is None:
                    no_block(f)
                args = [a(f) for a in fns]
                f.line = line
                return blk.code.call(blk, f, args, None)
            return yieldn

        def yield_general(f: Any) -> Any:
            blk = f.home.block
            if blk is None:
                no_block(f)
            args, kw = build(f)
            if kw is not None:
                args.append(kw)
            f.line = line
            return blk.code.call(blk, f, args, None)
        return yield_general

    def c_Super(self, node: ast.Super, sc: Any) -> Fn:
        interp = self.interp
        line = node.line
        bcode, bfn = self.compile_block_arg(node.block, sc)
        if node.has_args:
            fns, build = self.compile_args(node.args, sc)
            if build is None:
                def args_of(f: Any) -> tuple[list, Any]:
                    return [a(f) for a in fns], None
            else:
                args_of = build
        else:
            sc.home_scope().uses_zsuper = True
            args_of = self.zsuper_args(sc)

        def run(f: Any) -> Any:
            args, kw = args_of(f)
            if bcode is not None:
                blk = RProc(bcode, f, f.self_)
            elif bfn is not None:
                blk = bfn(f)
            else:
                blk = f.home.block
            f.line = line
            try:
                return interp.call_super(f, args, kw, blk)
            except BreakSignal as e:
                if bcode is not None and e.tag is blk:
                    return e.value
                raise
        return run

    def zsuper_args(self, sc: Any) -> Callable[[Any], tuple[list, Any]]:
        """Bare `super`: the current values of the method's parameters."""
        home = sc.home_scope()
        params = home.params
        if params is None:
            return lambda f: (list(f.home.args[0]) if f.home.args else [], None)
        req = [home.names.get(p.name) for p in params.required if type(p) is ast.Param]
        opt = [home.names.get(name) for name, _ in params.optional]
        rest = home.names.get(params.rest) if params.rest else None
        post = [home.names.get(p.name) for p in params.post if type(p) is ast.Param]
        kws = [(name, home.names.get(name)) for name, _ in params.keywords]
        kwrest = home.names.get(params.kwrest) if params.kwrest else None
        simple = (len(req) == len(params.required) and len(post) == len(params.post))

        def build(f: Any) -> tuple[list, Any]:
            hv = f.home.vars
            if not simple:
                return list(f.home.args[0]) if f.home.args else [], None
            out = [hv[i] for i in req]
            out += [hv[i] for i in opt]
            if rest is not None:
                out += list(hv[rest] or [])
            out += [hv[i] for i in post]
            kw = None
            if kws or kwrest is not None:
                kw = RHash()
                for name, i in kws:
                    kw.set(RSymbol.get(name), hv[i])
                if kwrest is not None and hv[kwrest] is not None:
                    for k, v in hv[kwrest].items():
                        kw.set(k, v)
            return out, kw
        return build

    def c_Lambda(self, node: ast.Lambda, sc: Any) -> Fn:
        block = ast.Block(params=node.params, body=node.body, brace=True,
                          line=node.line, column=node.column)
        code = self.compile_block(block, sc, lambda_literal=True)

        def run(f: Any) -> Any:
            pr = RProc(code, f, f.self_, True)
            return pr
        return run
