"""Compiles the AST into Python closures (the evaluator).

Each node becomes a closure ``fn(frame) -> value``; the walk over the tree
happens once per load, and evaluation is a chain of direct Python calls (no
per-node dispatch at run time). The compiler is split by concern:

* this module: scopes, sequences, literals, variables, constants, boolean
  operators, `defined?`;
* `compile_calls.py`: method calls, blocks, `yield`, `super`, lambdas;
* `compile_control.py`: `if`/`case`/loops/`begin`-`rescue`/jumps;
* `compile_defs.py`: `def`, `class`, `module`, `class <<`, parameters;
* `compile_assign.py`: every assignment form.

Local variables are resolved at compile time (`ruby-subset.md` §2.4, §3.2):
a `Scope` maps names to slots; a block scope is transparent (it reaches its
parents' slots through `frame.parent`), a method/class/file scope is opaque.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ast
from .compile_assign import AssignCompiler
from .compile_calls import CallCompiler
from .compile_control import ControlCompiler
from .compile_defs import DefCompiler
from .frame import CodeInfo
from .objects import RArray, RHash, RRange, RString, sym

Fn = Callable[[Any], Any]


class Scope:
    """Compile-time local scope. `kind`: top, method, block, lambda, class."""

    def __init__(self, kind: str, code: CodeInfo, parent: Scope | None = None) -> None:
        self.kind = kind
        self.code = code
        self.parent = parent          # enclosing scope, for blocks only
        self.names: dict[str, int] = {}
        self.loop = 0                 # > 0 inside a while/until/for body of this scope
        self.loop_targets: list[dict] = []   # per loop: {"break": bool, "next": bool}
        self.has_next = False         # a non-tail `next` targets this block
        self.has_break = False        # a `break` targets this block
        self.has_return = False       # a non-tail `return` (method scope or below)
        self.rescue = 0               # > 0 inside a rescue clause (retry allowed)
        self.params: ast.Params | None = None   # method params, for zsuper
        self.uses_zsuper = False      # a bare `super` in the method (keep its arguments)
        self.has_block_return = False  # a `return` inside a block of this method
        self.has_closures = False     # a block or lambda literal is written in this scope
        self.method_scope: Scope | None = None

    def declare(self, name: str) -> int:
        idx = self.names.get(name)
        if idx is None:
            idx = len(self.names)
            self.names[name] = idx
            self.code.nvars = len(self.names)
            self.code.names.append(name)
        return idx

    def resolve(self, name: str) -> tuple[int, int] | None:
        depth = 0
        sc: Scope | None = self
        while sc is not None:
            idx = sc.names.get(name)
            if idx is not None:
                return depth, idx
            sc = sc.parent
            depth += 1
        return None

    def block_depth(self) -> int:
        depth = 0
        sc = self
        while sc.parent is not None:
            sc = sc.parent
            depth += 1
        return depth

    def home_scope(self) -> Scope:
        sc = self
        while sc.parent is not None:
            sc = sc.parent
        return sc


def _const(v: Any) -> Fn:
    return lambda f: v


_nil = _const(None)


class Compiler(AssignCompiler, CallCompiler, ControlCompiler, DefCompiler):
    def __init__(self, interp: Any, file: str) -> None:
        self.interp = interp
        self.file = file
        self._dispatch: dict[type, Callable[[Any, Scope], Fn]] = {}
        for name in dir(self):
            if name.startswith("c_"):
                node_type = getattr(ast, name[2:], None)
                if node_type is not None:
                    self._dispatch[node_type] = getattr(self, name)

    # --- entry ------------------------------------------------------------

    def compile_program(self, program: ast.Program, label: str = "<main>") -> tuple[Fn, CodeInfo]:
        code = CodeInfo(self.file, label, "top")
        sc = Scope("top", code)
        for name in program.locals:
            sc.declare(name)
        body = self.compile_body(program.body, sc)
        return body, code

    def compile(self, node: ast.Node | None, sc: Scope) -> Fn:
        if node is None:
            return _nil
        fn = self._dispatch.get(type(node))
        if fn is None:
            return self.unsupported(node)
        return fn(node, sc)

    def unsupported(self, node: ast.Node) -> Fn:
        interp = self.interp
        name = type(node).__name__
        line = node.line

        def run(f: Any) -> Any:
            f.line = line
            raise interp.make_error(f, "NotImplementedError",
                                    f"{name} is not supported by this implementation")
        return run

    def compile_body(self, node: ast.Node | None, sc: Scope) -> Fn:
        """A method/lambda/file body: `return` in tail position is a plain value."""
        if node is None:
            return _nil
        return self.compile(self.tail_return(node), sc)

    # --- tail `return`/`next` elimination ----------------------------------
    # `return v` (in a method or lambda) and `next v` (in a block) in tail
    # position are just the value; `return v if c` followed by more statements
    # becomes `if c then v else <rest> end`. Both avoid Python exceptions on
    # the most common paths (`return true if only_check_ipv4? and …`).

    def tail_return(self, node: ast.Node, kind: type = ast.Return) -> ast.Node:
        t = type(node)
        if t is kind:
            return node.value if node.value is not None else ast.NilLit(line=node.line)
        if t is ast.Seq:
            stmts = node.stmts
            for i, s in enumerate(stmts):
                if (type(s) is ast.If and i < len(stmts) - 1
                        and self._ends_with(s.then, kind) and s.else_ is None):
                    rest = ast.Seq(stmts=stmts[i + 1:], line=stmts[i + 1].line)
                    new_if = ast.If(cond=s.cond, then=s.then, else_=rest,
                                    line=s.line, column=s.column)
                    return ast.Seq(stmts=stmts[:i] + [self.tail_return(new_if, kind)],
                                   line=node.line)
                if (type(s) is ast.If and i < len(stmts) - 1
                        and s.then is None and self._ends_with(s.else_, kind)):
                    rest = ast.Seq(stmts=stmts[i + 1:], line=stmts[i + 1].line)
                    new_if = ast.If(cond=s.cond, then=rest, else_=s.else_,
                                    line=s.line, column=s.column)
                    return ast.Seq(stmts=stmts[:i] + [self.tail_return(new_if, kind)],
                                   line=node.line)
            if stmts:
                last = self.tail_return(stmts[-1], kind)
                if last is not stmts[-1]:
                    return ast.Seq(stmts=stmts[:-1] + [last], line=node.line)
            return node
        if t is ast.If:
            then = self.tail_return(node.then, kind) if node.then is not None else None
            else_ = self.tail_return(node.else_, kind) if node.else_ is not None else None
            if then is not node.then or else_ is not node.else_:
                return ast.If(cond=node.cond, then=then, else_=else_,
                              line=node.line, column=node.column)
            return node
        if t is ast.Case:
            whens = [ast.When(patterns=w.patterns,
                              body=self.tail_return(w.body, kind) if w.body is not None else None,
                              line=w.line, column=w.column) for w in node.whens]
            else_ = self.tail_return(node.else_, kind) if node.else_ is not None else None
            return ast.Case(subject=node.subject, whens=whens, else_=else_,
                            line=node.line, column=node.column)
        return node

    def _ends_with(self, node: ast.Node | None, kind: type) -> bool:
        if node is None:
            return False
        if type(node) is kind:
            return True
        if type(node) is ast.Seq and node.stmts:
            return self._ends_with(node.stmts[-1], kind)
        return False

    # --- sequences ----------------------------------------------------------

    def c_Seq(self, node: ast.Seq, sc: Scope) -> Fn:
        fns = [self.compile(s, sc) for s in node.stmts]
        n = len(fns)
        if n == 0:
            return _nil
        if n == 1:
            return fns[0]
        if n == 2:
            a, b = fns

            def seq2(f: Any) -> Any:
                a(f)
                return b(f)
            return seq2
        if n == 3:
            a, b, c = fns

            def seq3(f: Any) -> Any:
                a(f)
                b(f)
                return c(f)
            return seq3
        head = fns[:-1]
        last = fns[-1]

        def seq(f: Any) -> Any:
            for s in head:
                s(f)
            return last(f)
        return seq

    def c_Program(self, node: ast.Program, sc: Scope) -> Fn:
        return self.compile(node.body, sc)

    # --- literals -----------------------------------------------------------

    def c_NilLit(self, node: ast.Node, sc: Scope) -> Fn:
        return _nil

    def c_TrueLit(self, node: ast.Node, sc: Scope) -> Fn:
        return _const(True)

    def c_FalseLit(self, node: ast.Node, sc: Scope) -> Fn:
        return _const(False)

    def c_SelfNode(self, node: ast.Node, sc: Scope) -> Fn:
        return lambda f: f.self_

    def c_IntLit(self, node: ast.IntLit, sc: Scope) -> Fn:
        return _const(node.value)

    def c_FloatLit(self, node: ast.FloatLit, sc: Scope) -> Fn:
        return _const(node.value)

    def c_StrLit(self, node: ast.StrLit, sc: Scope) -> Fn:
        value = node.value
        return lambda f: RString(value)

    def interpolation(self, parts: list[ast.Node], sc: Scope) -> Callable[[Any], str]:
        interp = self.interp
        to_s = interp.to_s
        pieces: list[Any] = []
        for p in parts:
            if type(p) is ast.StrLit:
                pieces.append(p.value)
            else:
                pieces.append(self.compile(p, sc))
        if len(pieces) == 1 and isinstance(pieces[0], str):
            text = pieces[0]
            return lambda f: text

        def build(f: Any) -> str:
            out = []
            for p in pieces:
                if p.__class__ is str:
                    out.append(p)
                else:
                    v = p(f)
                    out.append(v.s if v.__class__ is RString else to_s(f, v))
            return "".join(out)
        return build

    def c_DStr(self, node: ast.DStr, sc: Scope) -> Fn:
        build = self.interpolation(node.parts, sc)
        return lambda f: RString(build(f))

    def c_XStr(self, node: ast.XStr, sc: Scope) -> Fn:
        interp = self.interp
        line = node.line

        def run(f: Any) -> Any:
            f.line = line
            raise interp.make_error(f, "NotImplementedError",
                                    "` is not supported by this implementation")
        return run

    def c_SymLit(self, node: ast.SymLit, sc: Scope) -> Fn:
        return _const(sym(node.name))

    def c_DSym(self, node: ast.DSym, sc: Scope) -> Fn:
        build = self.interpolation(node.parts, sc)
        return lambda f: sym(build(f))

    def c_RegexLit(self, node: ast.RegexLit, sc: Scope) -> Fn:
        interp = self.interp
        options = regexp_options(node.flags)
        line = node.line
        dynamic = any(type(p) is not ast.StrLit for p in node.parts)
        if not dynamic:
            source = node.source if node.source is not None else "".join(
                p.value for p in node.parts)
            cache: list = []

            def literal(f: Any) -> Any:
                # A literal regexp is one object, built on first evaluation.
                if cache:
                    return cache[0]
                f.line = line
                rx = interp.make_regexp(f, source, options)
                cache.append(rx)
                return rx
            return literal
        build = self.interpolation(node.parts, sc)
        once = "o" in node.flags
        memo: list = []

        def dynamic_rx(f: Any) -> Any:
            if once and memo:
                return memo[0]
            f.line = line
            rx = interp.make_regexp(f, build(f), options)
            if once:
                memo.append(rx)
            return rx
        return dynamic_rx

    def c_ArrayLit(self, node: ast.ArrayLit, sc: Scope) -> Fn:
        if not any(type(e) is ast.Splat for e in node.elements):
            fns = [self.compile(e, sc) for e in node.elements]
            if not fns:
                return lambda f: RArray()
            if len(fns) == 1:
                a = fns[0]
                return lambda f: RArray((a(f),))
            if len(fns) == 2:
                a, b = fns
                return lambda f: RArray((a(f), b(f)))
            return lambda f: RArray([fn(f) for fn in fns])
        build = self.splat_list(node.elements, sc)
        return lambda f: RArray(build(f))

    def splat_list(self, elements: list[ast.Node], sc: Scope) -> Callable[[Any], list]:
        """Evaluate a list that may contain `*x` into a Python list."""
        interp = self.interp
        parts: list[tuple[bool, Fn]] = []
        for e in elements:
            if type(e) is ast.Splat:
                parts.append((True, self.compile(e.value, sc)))
            else:
                parts.append((False, self.compile(e, sc)))

        def build(f: Any) -> list:
            out: list = []
            for is_splat, fn in parts:
                v = fn(f)
                if is_splat:
                    out.extend(interp.splat_to_list(f, v))
                else:
                    out.append(v)
            return out
        return build

    def c_HashLit(self, node: ast.HashLit, sc: Scope) -> Fn:
        build = self.hash_items(node.items, sc)
        return build

    def hash_items(self, items: list[ast.Node], sc: Scope) -> Fn:
        interp = self.interp
        parts: list[tuple[Fn | None, Fn]] = []
        for it in items:
            if type(it) is ast.DoubleSplat:
                parts.append((None, self.compile(it.value, sc)))
            else:
                parts.append((self.compile(it.key, sc), self.compile(it.value, sc)))

        def build(f: Any) -> RHash:
            h = RHash()
            for kf, vf in parts:
                if kf is None:
                    other = vf(f)
                    if other is None:
                        continue
                    other = interp.to_hash(f, other)
                    for k, v in other.items():
                        h.set(k, v)
                else:
                    k = kf(f)
                    h.set(k, vf(f))
            return h
        return build

    def c_RangeLit(self, node: ast.RangeLit, sc: Scope) -> Fn:
        lo = self.compile(node.low, sc)
        hi = self.compile(node.high, sc)
        excl = node.exclusive
        interp = self.interp
        line = node.line

        def run(f: Any) -> Any:
            a = lo(f)
            b = hi(f)
            ta, tb = type(a), type(b)
            numeric = (ta is int or ta is float or a is None) and \
                (tb is int or tb is float or b is None)
            if not numeric and not (ta is tb or a is None or b is None):
                # Ruby checks `a <=> b` is not nil.
                f.line = line
                if interp.send(f, a, "<=>", [b]) is None:
                    raise interp.make_error(f, "ArgumentError", "bad value for range")
            return RRange(a, b, excl)
        return run

    # --- variables ----------------------------------------------------------

    def c_LVar(self, node: ast.LVar, sc: Scope) -> Fn:
        ref = sc.resolve(node.name)
        if ref is None:
            # The parser saw an assignment we have not walked yet (e.g. in a
            # modifier); the slot is nil until then.
            ref = (0, sc.declare(node.name))
        return lvar_reader(*ref)

    def c_IVar(self, node: ast.IVar, sc: Scope) -> Fn:
        name = node.name

        def run(f: Any) -> Any:
            iv = getattr(f.self_, "ivars", None)
            if iv is None:
                return None
            return iv.get(name)
        return run

    def c_CVar(self, node: ast.CVar, sc: Scope) -> Fn:
        interp = self.interp
        name = node.name
        line = node.line

        def run(f: Any) -> Any:
            f.line = line
            return interp.cvar_get(f, name)
        return run

    def c_GVar(self, node: ast.GVar, sc: Scope) -> Fn:
        interp = self.interp
        name = node.name
        return lambda f: interp.gvar_get(f, name)

    def c_Const(self, node: ast.Const, sc: Scope) -> Fn:
        interp = self.interp
        name = node.name
        line = node.line
        if node.scope is None and not node.top:
            cache: list = [None, -1, None]
            hops = sc.block_depth()

            def lexical(f: Any) -> Any:
                # Block frames do not store the nesting: read it from the
                # frame the (innermost) block was written in.
                fr = f
                for _ in range(hops):
                    fr = fr.parent
                cref = fr.cref
                if cache[1] == interp.const_epoch and cache[2] is cref:
                    return cache[0]
                f.line = line
                v = interp.const_lookup(f, cref, name)
                cache[0] = v
                cache[1] = interp.const_epoch
                cache[2] = cref
                return v
            return lexical
        if node.top:
            return lambda f: interp.const_get_scoped(f, interp.Object, name, line, top=True)
        scope_fn = self.compile(node.scope, sc)

        def scoped(f: Any) -> Any:
            mod = scope_fn(f)
            return interp.const_get_scoped(f, mod, name, line)
        return scoped

    # --- boolean operators --------------------------------------------------

    def c_And(self, node: ast.And, sc: Scope) -> Fn:
        a = self.compile(node.left, sc)
        b = self.compile(node.right, sc)

        def run(f: Any) -> Any:
            v = a(f)
            if v is None or v is False:
                return v
            return b(f)
        return run

    def c_Or(self, node: ast.Or, sc: Scope) -> Fn:
        a = self.compile(node.left, sc)
        b = self.compile(node.right, sc)

        def run(f: Any) -> Any:
            v = a(f)
            if v is None or v is False:
                return b(f)
            return v
        return run

    def c_Not(self, node: ast.Not, sc: Scope) -> Fn:
        a = self.compile(node.value, sc)
        interp = self.interp
        line = node.line

        def run(f: Any) -> Any:
            v = a(f)
            if v is None or v is False:
                return True
            if v is True or not hasattr(v, "cls") or v.cls is None:
                return False
            # A user class may define `!`.
            f.line = line
            return interp.send(f, v, "!", [])
        return run

    def c_Defined(self, node: ast.Defined, sc: Scope) -> Fn:
        return self.defined(node.value, sc)

    def defined(self, node: ast.Node, sc: Scope) -> Fn:
        interp = self.interp
        t = type(node)

        def text(s: str) -> Fn:
            return lambda f: RString(s, frozen=True)
        if t is ast.LVar:
            return text("local-variable")
        if t in (ast.LAsgn, ast.IAsgn, ast.GAsgn, ast.CVAsgn, ast.CDecl, ast.AttrAsgn,
                 ast.OpAsgn, ast.MAsgn):
            return text("assignment")
        if t is ast.SelfNode:
            return text("self")
        if t is ast.NilLit:
            return text("nil")
        if t is ast.TrueLit:
            return text("true")
        if t is ast.FalseLit:
            return text("false")
        if t is ast.IVar:
            name = node.name

            def ivar(f: Any) -> Any:
                iv = getattr(f.self_, "ivars", None)
                return RString("instance-variable", True) if iv and name in iv else None
            return ivar
        if t is ast.GVar:
            name = node.name
            return lambda f: (RString("global-variable", True)
                              if interp.gvar_defined(f, name) else None)
        if t is ast.CVar:
            name = node.name
            return lambda f: (RString("class variable", True)
                              if interp.cvar_defined(f, name) else None)
        if t is ast.Const:
            fn = self.compile(node, sc)

            def const(f: Any) -> Any:
                try:
                    fn(f)
                except interp.RubyError:
                    return None
                return RString("constant", True)
            return const
        if t is ast.Yield:
            return lambda f: RString("yield", True) if f.home.block is not None else None
        if t is ast.Super:
            return lambda f: RString("super", True) if interp.super_method(f) else None
        if t is ast.Call:
            name = node.name
            if node.receiver is None:
                def fcall(f: Any) -> Any:
                    m = interp.find_method(interp.class_of(f.self_), name)
                    return RString("method", True) if m is not None else None
                return fcall
            recv_fn = self.compile(node.receiver, sc)
            explicit = type(node.receiver) is not ast.SelfNode

            def call(f: Any) -> Any:
                try:
                    recv = recv_fn(f)
                except interp.RubyError:
                    return None
                m = interp.find_method(interp.class_of(recv), name)
                if m is None or (explicit and m.visibility != "public"):
                    return None
                return RString("method", True)
            return call
        def expr(f: Any) -> Any:
            return RString("expression", True)
        return expr

    def c_MatchAssign(self, node: ast.MatchAssign, sc: Scope) -> Fn:
        rx_fn = self.compile(node.regex, sc)
        val_fn = self.compile(node.value, sc)
        setters = []
        for name in node.names:
            ref = sc.resolve(name)
            if ref is None:
                ref = (0, sc.declare(name))
            setters.append((name, lvar_writer(*ref)))
        interp = self.interp
        line = node.line

        def run(f: Any) -> Any:
            rx = rx_fn(f)
            v = val_fn(f)
            f.line = line
            pos = interp.send(f, rx, "=~", [v])
            md = f.home.last_match
            for name, setter in setters:
                if md is None or pos is None:
                    setter(f, None)
                else:
                    s = md.m.group(name)
                    setter(f, None if s is None else RString(s))
            return pos
        return run


# --- local variable access closures ----------------------------------------------

def lvar_reader(depth: int, idx: int) -> Fn:
    if depth == 0:
        return lambda f: f.vars[idx]
    if depth == 1:
        return lambda f: f.parent.vars[idx]
    if depth == 2:
        return lambda f: f.parent.parent.vars[idx]

    def deep(f: Any) -> Any:
        for _ in range(depth):
            f = f.parent
        return f.vars[idx]
    return deep


def lvar_writer(depth: int, idx: int) -> Callable[[Any, Any], None]:
    if depth == 0:
        def w0(f: Any, v: Any) -> None:
            f.vars[idx] = v
        return w0
    if depth == 1:
        def w1(f: Any, v: Any) -> None:
            f.parent.vars[idx] = v
        return w1

    def deep(f: Any, v: Any) -> None:
        for _ in range(depth):
            f = f.parent
        f.vars[idx] = v
    return deep


def regexp_options(flags: str) -> int:
    opts = 0
    if "i" in flags:
        opts |= 1
    if "x" in flags:
        opts |= 2
    if "m" in flags:
        opts |= 4
    return opts
