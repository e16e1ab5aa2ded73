"""Compiling definitions: parameters, blocks, `def`, `class`, `module`,
`class << obj`, `alias`, `undef` (`ruby-subset.md` §3.3, §3.4).

Parameter binding has three modes: methods and lambdas are strict (exact
arity, ArgumentError), blocks and procs are lenient (missing → nil, extra
dropped, one Array argument auto-splatted over several parameters).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ast
from .callables import BlockCode, MethodFactory
from .frame import SINGLETON_OF_SELF, CodeInfo, def_target, lexical_cref
from .objects import RArray, RHash, RSymbol, sym

Fn = Callable[[Any], Any]


class Binder:
    """Binds call arguments to parameter slots of a frame."""

    def __init__(self) -> None:
        self.req: list[Any] = []        # slot index or ("d", sub-binder) for destructuring
        self.opt: list[tuple[int, Fn]] = []
        self.rest: int | None = None
        self.has_rest = False
        self.post: list[Any] = []
        self.kw: list[tuple[str, int, Fn | None]] = []
        self.kwrest: int | None = None
        self.has_kwrest = False
        self.block: int | None = None
        self.trailing_comma = False
        self.simple: int | None = None   # only plain required params: their count
        self.no_params = True

    def min_max(self) -> tuple[int, int | None]:
        """MRI's (min, max) argument counts; max None = unlimited."""
        mn = len(self.req) + len(self.post) + (1 if any(d is None for _, _, d in self.kw) else 0)
        if self.has_rest:
            return mn, None
        return mn, len(self.req) + len(self.opt) + len(self.post) + \
            (1 if self.kw or self.has_kwrest else 0)

    def arity_for(self, is_lambda: bool) -> int:
        mn, mx = self.min_max()
        if is_lambda:
            return mn if mn == mx else -mn - 1
        return mn if mx is not None else -mn - 1

    @property
    def arity(self) -> int:
        return self.arity_for(True)

    def autosplat(self) -> bool:
        """Proc semantics: does one Array argument spread over the params?"""
        lead = len(self.req) + len(self.post)
        if lead == 1 and not self.opt and not self.has_rest and not self.kw \
                and not self.trailing_comma and not self.post:
            return False
        return lead > 0 or len(self.opt) >= 2 or bool(self.kw) or \
            (self.has_rest and lead > 0)

    def expected(self) -> str:
        lo = len(self.req) + len(self.post)
        if self.has_rest:
            return f"{lo}+"
        hi = lo + len(self.opt)
        return f"{lo}..{hi}" if hi != lo else str(lo)


class DefCompiler:
    interp: Any
    file: str

    # --- parameters ---------------------------------------------------------

    def compile_params(self, params: ast.Params | None, sc: Any) -> Binder:
        b = Binder()
        if params is None:
            return b
        b.no_params = False
        b.trailing_comma = params.trailing_comma

        def target(p: Any) -> Any:
            if type(p) is ast.DestructureParam:
                return ("d", self.compile_params(p.params, sc))
            return sc.declare(p.name)
        # Declare in source order so slot numbers follow Ruby's local order.
        b.req = [target(p) for p in params.required]
        opt_slots = [sc.declare(name) for name, _ in params.optional]
        if params.rest is not None:
            b.has_rest = True
            b.rest = sc.declare(params.rest or "*")
        b.post = [target(p) for p in params.post]
        kw_slots = [sc.declare(name) for name, _ in params.keywords]
        if params.kwrest is not None:
            b.has_kwrest = True
            b.kwrest = sc.declare(params.kwrest or "**")
        if params.block is not None:
            b.block = sc.declare(params.block or "&")
        for name in params.block_locals:
            sc.declare(name)
        # Defaults are compiled after every parameter is declared (they may
        # refer to earlier ones) and run in the callee's frame.
        b.opt = [(slot, self.compile(node, sc))
                 for slot, (_, node) in zip(opt_slots, params.optional)]
        b.kw = [(name, slot, self.compile(node, sc) if node is not None else None)
                for slot, (name, node) in zip(kw_slots, params.keywords)]
        if (not b.opt and not b.has_rest and not b.post and not b.kw and not b.has_kwrest
                and b.block is None and all(type(r) is int for r in b.req)):
            b.simple = len(b.req)
        return b

    def make_bind(self, b: Binder) -> Callable[..., None]:
        """bind(fr, args, kw, blk, strict): fill fr.vars from the arguments."""
        interp = self.interp
        nreq = len(b.req)
        npost = len(b.post)
        nopt = len(b.opt)
        autosplat = b.autosplat()
        has_kw = bool(b.kw) or b.has_kwrest

        def assign(fr: Any, slot: Any, value: Any) -> None:
            if type(slot) is int:
                fr.vars[slot] = value
            else:
                sub = slot[1]
                if type(value) is RArray:
                    items = list(value)
                else:
                    items = interp.try_to_ary(fr, value)
                    items = [value] if items is None else list(items)
                sub_bind(sub)(fr, items, None, None, False)

        sub_binders: dict[int, Callable] = {}

        def sub_bind(sub: Binder) -> Callable:
            fn = sub_binders.get(id(sub))
            if fn is None:
                fn = sub_binders[id(sub)] = self.make_bind(sub)
            return fn

        def bind(fr: Any, args: list, kw: Any, blk: Any, strict: bool) -> None:
            if kw is not None and not has_kw:
                if kw.d:
                    args = args + [kw]
                kw = None
            n = len(args)
            if strict:
                if n < nreq + npost or (not b.has_rest and n > nreq + npost + nopt):
                    msg = f"wrong number of arguments (given {n}, expected {b.expected()}"
                    missing = [name for name, _, d in b.kw if d is None
                               and (kw is None or not kw.has(RSymbol.get(name)))]
                    if missing:
                        word = "keyword" if len(missing) == 1 else "keywords"
                        msg += f"; required {word}: " + ", ".join(missing)
                    raise interp.make_error(fr, "ArgumentError", msg + ")")
            else:
                if n == 1 and autosplat:
                    a0 = args[0]
                    if type(a0) is RArray:
                        args = list(a0)
                        n = len(args)
                    elif not isinstance(a0, (int, float, str)) and a0 is not None:
                        conv = interp.try_to_ary(fr, a0)
                        if conv is not None:
                            args = list(conv)
                            n = len(args)
                if n < nreq + npost:
                    args = list(args) + [None] * (nreq + npost - n)
                    n = len(args)
            i = 0
            for slot in b.req:
                assign(fr, slot, args[i])
                i += 1
            avail = n - nreq - npost
            for j, (slot, default) in enumerate(b.opt):
                if j < avail:
                    fr.vars[slot] = args[i]
                    i += 1
                else:
                    fr.vars[slot] = default(fr)
            if b.has_rest:
                end = n - npost
                fr.vars[b.rest] = RArray(args[i:end] if end > i else ())
                i = max(i, end)
            for slot in b.post:
                assign(fr, slot, args[i] if i < n else None)
                i += 1
            if has_kw:
                bind_keywords(fr, kw)
            if b.block is not None:
                fr.vars[b.block] = blk

        def bind_keywords(fr: Any, kw: Any) -> None:
            given = RHash() if kw is None else kw
            used = set()
            missing = []
            for name, slot, default in b.kw:
                key = RSymbol.get(name)
                if given.has(key):
                    fr.vars[slot] = given.get(key)
                    used.add(key)
                elif default is None:
                    missing.append(name)
                else:
                    fr.vars[slot] = default(fr)
            if missing:
                word = "keyword" if len(missing) == 1 else "keywords"
                raise interp.make_error(fr, "ArgumentError", f"missing {word}: " +
                                        ", ".join(":" + m for m in missing))
            extra = [(k, v) for k, v in given.items() if k not in used]
            if b.has_kwrest:
                fr.vars[b.kwrest] = RHash(extra)
            elif extra:
                word = "keyword" if len(extra) == 1 else "keywords"
                raise interp.make_error(fr, "ArgumentError", f"unknown {word}: " +
                                        ", ".join(interp.inspect(fr, k) for k, _ in extra))
        return bind

    # --- blocks -------------------------------------------------------------

    def compile_block(self, node: ast.Block, sc: Any, lambda_literal: bool = False) -> BlockCode:
        from .compiler import Scope
        info = CodeInfo(self.file, "block", "lambda" if lambda_literal else "block")
        bsc = Scope("lambda" if lambda_literal else "block", info, parent=sc)
        binder = self.compile_params(node.params, bsc)
        body_node = self.tail_return(node.body, ast.Next)
        if lambda_literal:
            body_node = self.tail_return(body_node, ast.Return)
        body = self.compile(body_node, bsc)
        code = BlockCode(body, info, binder, node.line)
        code.has_break = bsc.has_break
        code.reusable = not bsc.has_closures
        sc.has_closures = True
        code.build(self.interp, self.make_bind(binder), bsc.has_next)
        return code

    # --- def ----------------------------------------------------------------

    def c_Def(self, node: ast.Def, sc: Any) -> Fn:
        from .compiler import Scope
        interp = self.interp
        name = node.name
        info = CodeInfo(self.file, name, "method")
        msc = Scope("method", info)
        msc.params = node.params
        binder = self.compile_params(node.params, msc)
        body = self.compile_body(node.body, msc)
        bind = self.make_bind(binder)
        line = node.line
        singleton_fn = self.compile(node.singleton, sc) if node.singleton is not None else None
        factory = MethodFactory(interp, name, info, binder, bind, body, line)
        # `def x; @x; end` (a reader written out): no frame is needed to read
        # an instance variable, so the entry reads it directly.
        if not node.params.required and not node.params.optional and \
                node.params.rest is None and not node.params.post and \
                not node.params.keywords and node.params.kwrest is None and \
                node.params.block is None:
            inner = node.body.stmts[0] if type(node.body) is ast.Seq and \
                len(node.body.stmts) == 1 else node.body
            if type(inner) is ast.IVar:
                factory.reader = inner.name
        factory.keep_args = msc.uses_zsuper
        factory.marks_done = msc.has_block_return
        factory.reusable = not msc.has_closures

        def run(f: Any) -> Any:
            if singleton_fn is not None:
                obj = singleton_fn(f)
                f.line = line
                target = interp.singleton_class(f, obj)
                visibility = "public"
            else:
                target = def_target(f)
                if target is SINGLETON_OF_SELF:
                    target = interp.singleton_class(f, f.self_)
                visibility = f.visi
                if name in ("initialize", "initialize_copy", "respond_to_missing?"):
                    visibility = "private"
            f.line = line
            entry = factory.entry(target, visibility, lexical_cref(f))
            interp.add_method(target, entry)
            if f.module_function and singleton_fn is None:
                single = interp.singleton_class(f, target)
                interp.add_method(single, entry.copy(owner=single, visibility="public"))
            return sym(name)
        return run

    # --- class / module bodies ------------------------------------------------

    def _body_code(self, label: str, body: ast.Node) -> tuple[Fn, CodeInfo]:
        from .compiler import Scope
        info = CodeInfo(self.file, label, "class")
        csc = Scope("class", info)
        return self.compile(body, csc), info

    def _container(self, path: ast.Const, sc: Any) -> Fn:
        interp = self.interp
        if path.top:
            return lambda f: interp.Object
        if path.scope is not None:
            scope_fn = self.compile(path.scope, sc)
            line = path.line

            def scoped(f: Any) -> Any:
                mod = scope_fn(f)
                f.line = line
                interp.check_module(f, mod)
                return mod
            return scoped
        def lexical(f: Any) -> Any:
            cref = lexical_cref(f)
            return cref.module if cref is not None else interp.Object
        return lexical

    def c_ClassDef(self, node: ast.ClassDef, sc: Any) -> Fn:
        interp = self.interp
        name = node.path.name
        body, info = self._body_code(f"<class:{name}>", node.body)
        container = self._container(node.path, sc)
        super_fn = self.compile(node.superclass, sc) if node.superclass is not None else None
        line = node.line

        def run(f: Any) -> Any:
            where = container(f)
            superclass = super_fn(f) if super_fn is not None else None
            f.line = line
            klass = interp.open_class(f, where, name, superclass, super_fn is not None)
            return interp.run_body(f, klass, body, info, line)
        return run

    def c_ModuleDef(self, node: ast.ModuleDef, sc: Any) -> Fn:
        interp = self.interp
        name = node.path.name
        body, info = self._body_code(f"<module:{name}>", node.body)
        container = self._container(node.path, sc)
        line = node.line

        def run(f: Any) -> Any:
            where = container(f)
            f.line = line
            mod = interp.open_module(f, where, name)
            return interp.run_body(f, mod, body, info, line)
        return run

    def c_SClass(self, node: ast.SClass, sc: Any) -> Fn:
        interp = self.interp
        body, info = self._body_code("singleton class", node.body)
        target_fn = self.compile(node.target, sc)
        line = node.line

        def run(f: Any) -> Any:
            obj = target_fn(f)
            f.line = line
            klass = interp.singleton_class(f, obj)
            return interp.run_body(f, klass, body, info, line)
        return run

    def c_Alias(self, node: ast.Alias, sc: Any) -> Fn:
        interp = self.interp
        new, old = node.new, node.old
        line = node.line

        def run(f: Any) -> Any:
            f.line = line
            if new.startswith("$"):
                interp.alias_gvar(new, old)
                return None
            target = def_target(f)
            if target is SINGLETON_OF_SELF:
                target = interp.singleton_class(f, f.self_)
            interp.alias_method(f, target, new, old)
            return None
        return run

    def c_Undef(self, node: ast.Undef, sc: Any) -> Fn:
        interp = self.interp
        names = list(node.names)
        line = node.line

        def run(f: Any) -> Any:
            f.line = line
            target = def_target(f)
            if target is SINGLETON_OF_SELF:
                target = interp.singleton_class(f, f.self_)
            for n in names:
                interp.undef_method(f, target, n)
            return None
        return run
