"""Compiling assignments (`ruby-subset.md` §3.6): locals, instance/class/global
variables, constants, attribute and index assignment, multiple assignment
and every `OP=` form (receiver and index arguments evaluated once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ast
from .frame import lexical_cref
from .objects import RArray, RHash

Fn = Callable[[Any], Any]
Setter = Callable[[Any, Any], Any]


class AssignCompiler:
    interp: Any

    # --- simple targets -------------------------------------------------------

    def _local_slot(self, name: str, sc: Any) -> tuple[int, int]:
        ref = sc.resolve(name)
        if ref is None:
            ref = (0, sc.declare(name))
        return ref

    def c_LAsgn(self, node: ast.LAsgn, sc: Any) -> Fn:
        depth, idx = self._local_slot(node.name, sc)
        value = self.compile(node.value, sc)
        if depth == 0:
            def set0(f: Any) -> Any:
                v = f.vars[idx] = value(f)
                return v
            return set0
        if depth == 1:
            def set1(f: Any) -> Any:
                v = f.parent.vars[idx] = value(f)
                return v
            return set1
        from .compiler import lvar_writer
        write = lvar_writer(depth, idx)

        def setn(f: Any) -> Any:
            v = value(f)
            write(f, v)
            return v
        return setn

    def c_IAsgn(self, node: ast.IAsgn, sc: Any) -> Fn:
        interp = self.interp
        name = node.name
        value = self.compile(node.value, sc)
        line = node.line

        def run(f: Any) -> Any:
            v = value(f)
            obj = f.self_
            iv = getattr(obj, "ivars", None)
            if iv is not None and not obj.frozen:
                iv[name] = v
            else:
                f.line = line
                interp.ivar_set(f, obj, name, v)
            return v
        return run

    def c_CVAsgn(self, node: ast.CVAsgn, sc: Any) -> Fn:
        interp = self.interp
        name = node.name
        value = self.compile(node.value, sc)

        def run(f: Any) -> Any:
            v = value(f)
            interp.cvar_set(f, name, v)
            return v
        return run

    def c_GAsgn(self, node: ast.GAsgn, sc: Any) -> Fn:
        interp = self.interp
        name = node.name
        value = self.compile(node.value, sc)
        line = node.line

        def run(f: Any) -> Any:
            v = value(f)
            f.line = line
            interp.gvar_set(f, name, v)
            return v
        return run

    def c_CDecl(self, node: ast.CDecl, sc: Any) -> Fn:
        setter = self.assigner(node, sc)
        value = self.compile(node.value, sc)

        def run(f: Any) -> Any:
            v = value(f)
            setter(f, v)
            return v
        return run

    def c_AttrAsgn(self, node: ast.AttrAsgn, sc: Any) -> Fn:
        interp = self.interp
        recv_fn = self.compile(node.receiver, sc)
        selfcall = type(node.receiver) is ast.SelfNode
        value = self.compile(node.value, sc)
        safe = node.safe_nav
        if node.name == "[]":
            fns, build = self.compile_args(node.args, sc)
            dispatch = self.make_dispatch("[]=", node.line, selfcall, False)
            fast = interp.fast_ops
            if build is None and len(fns) == 1:
                k_fn = fns[0]

                def index_set1(f: Any) -> Any:
                    recv = recv_fn(f)
                    if safe and recv is None:
                        return None
                    k = k_fn(f)
                    v = value(f)
                    if fast[0] and recv.__class__ is RHash and recv.cls is None \
                            and not recv.frozen:
                        recv.set(k, v)
                        return v
                    dispatch(f, recv, [k, v], None, None)
                    return v
                return index_set1

            def index_set(f: Any) -> Any:
                recv = recv_fn(f)
                if safe and recv is None:
                    return None
                if build is None:
                    args = [a(f) for a in fns]
                    kw = None
                else:
                    args, kw = build(f)
                    if kw is not None:
                        args.append(kw)
                v = value(f)
                dispatch(f, recv, args + [v], None, None)
                return v
            return index_set
        dispatch = self.make_dispatch(node.name + "=", node.line, selfcall, False)

        def attr_set(f: Any) -> Any:
            recv = recv_fn(f)
            if safe and recv is None:
                return None
            v = value(f)
            dispatch(f, recv, [v], None, None)
            return v
        return attr_set

    # --- assignment targets as setters (masgn, op-assign, rescue => e, for) --

    def assigner(self, node: ast.Node, sc: Any) -> Setter:
        """A function (f, value) that assigns `value` to target `node`."""
        interp = self.interp
        t = type(node)
        if t is ast.LAsgn:
            from .compiler import lvar_writer
            return lvar_writer(*self._local_slot(node.name, sc))
        if t is ast.LVar:
            from .compiler import lvar_writer
            return lvar_writer(*self._local_slot(node.name, sc))
        if t is ast.IAsgn:
            name = node.name
            return lambda f, v: interp.ivar_set(f, f.self_, name, v)
        if t is ast.GAsgn:
            name = node.name
            return lambda f, v: interp.gvar_set(f, name, v)
        if t is ast.CVAsgn:
            name = node.name
            return lambda f, v: interp.cvar_set(f, name, v)
        if t is ast.CDecl:
            name = node.name
            line = node.line
            if node.top:
                return lambda f, v: interp.const_set(f, interp.Object, name, v)
            if node.scope is not None:
                scope_fn = self.compile(node.scope, sc)

                def scoped(f: Any, v: Any) -> None:
                    mod = scope_fn(f)
                    f.line = line
                    interp.check_module(f, mod)
                    interp.const_set(f, mod, name, v)
                return scoped

            def lexical(f: Any, v: Any) -> None:
                cref = lexical_cref(f)
                mod = cref.module if cref is not None else interp.Object
                interp.const_set(f, mod, name, v)
            return lexical
        if t is ast.AttrAsgn:
            recv_fn = self.compile(node.receiver, sc)
            selfcall = type(node.receiver) is ast.SelfNode
            if node.name == "[]":
                build = self.splat_list(node.args, sc)
                dispatch = self.make_dispatch("[]=", node.line, selfcall, False)

                def index(f: Any, v: Any) -> None:
                    recv = recv_fn(f)
                    dispatch(f, recv, build(f) + [v], None, None)
                return index
            dispatch = self.make_dispatch(node.name + "=", node.line, selfcall, False)

            def attr(f: Any, v: Any) -> None:
                dispatch(f, recv_fn(f), [v], None, None)
            return attr
        if t is ast.MLhs:
            return self._mlhs_setter(node, sc)
        if t is ast.SplatTarget:
            inner = self.assigner(node.target, sc) if node.target is not None else None

            def splat(f: Any, v: Any) -> None:
                if inner is not None:
                    inner(f, RArray(interp.splat_to_list(f, v)))
            return splat
        raise NotImplementedError(f"assignment target {t.__name__}")

    def _mlhs_setter(self, node: ast.MLhs, sc: Any) -> Setter:
        targets = node.targets
        splat_at = next((i for i, tg in enumerate(targets) if type(tg) is ast.SplatTarget), None)
        setters = [self.assigner(tg, sc) for tg in targets]

        def assign(f: Any, v: Any) -> None:
            values = self._to_values(f, v)
            n = len(values)
            if splat_at is None:
                for i, s in enumerate(setters):
                    s(f, values[i] if i < n else None)
                return
            before = splat_at
            after = len(setters) - splat_at - 1
            for i in range(before):
                setters[i](f, values[i] if i < n else None)
            end = max(before, n - after)
            setters[splat_at](f, RArray(values[before:end]))
            for j in range(after):
                k = end + j
                setters[before + 1 + j](f, values[k] if k < n else None)
        return assign

    def _to_values(self, f: Any, v: Any) -> list:
        if type(v) is RArray:
            return list(v)
        conv = self.interp.try_to_ary(f, v)
        return [v] if conv is None else list(conv)

    def c_MAsgn(self, node: ast.MAsgn, sc: Any) -> Fn:
        setter = self._mlhs_setter(node.targets, sc)
        if type(node.value) is ast.ArrayLit:
            build = self.splat_list(node.value.elements, sc)

            def multi(f: Any) -> Any:
                values = RArray(build(f))
                setter(f, values)
                return values
            return multi
        value = self.compile(node.value, sc)

        def single(f: Any) -> Any:
            v = value(f)
            setter(f, v)
            return v
        return single

    # --- OP= ------------------------------------------------------------------

    def c_OpAsgn(self, node: ast.OpAsgn, sc: Any) -> Fn:
        interp = self.interp
        target = node.target
        op = node.op
        value = self.compile(node.value, sc)
        line = node.line
        t = type(target)
        if t is ast.AttrAsgn:
            return self._op_attr(node, sc)
        # Variables and constants: a reader and a writer.
        if t is ast.LAsgn:
            from .compiler import lvar_reader, lvar_writer
            ref = self._local_slot(target.name, sc)
            read = lvar_reader(*ref)
            write = lvar_writer(*ref)
        elif t is ast.IAsgn:
            name = target.name

            def read(f: Any) -> Any:
                iv = getattr(f.self_, "ivars", None)
                return iv.get(name) if iv else None

            def write(f: Any, v: Any) -> None:
                interp.ivar_set(f, f.self_, name, v)
        elif t is ast.GAsgn:
            name = target.name

            def read(f: Any) -> Any:
                return interp.gvar_get(f, name)

            def write(f: Any, v: Any) -> None:
                interp.gvar_set(f, name, v)
        elif t is ast.CVAsgn:
            name = target.name

            def read(f: Any) -> Any:
                return interp.cvar_get(f, name) if interp.cvar_defined(f, name) else None

            def write(f: Any, v: Any) -> None:
                interp.cvar_set(f, name, v)
        elif t is ast.CDecl:
            const_node = ast.Const(name=target.name, scope=target.scope, top=target.top,
                                   line=target.line, column=target.column)
            const_read = self.compile(const_node, sc)
            write = self.assigner(target, sc)

            def read(f: Any) -> Any:
                if op == "||":
                    try:
                        return const_read(f)
                    except interp.RubyError:
                        return None
                return const_read(f)
        else:
            raise NotImplementedError(f"op-assign target {t.__name__}")
        combine = self._combiner(op, line)

        if op == "||":
            def or_asgn(f: Any) -> Any:
                v = read(f)
                if v is None or v is False:
                    v = value(f)
                    write(f, v)
                return v
            return or_asgn
        if op == "&&":
            def and_asgn(f: Any) -> Any:
                v = read(f)
                if v is not None and v is not False:
                    v = value(f)
                    write(f, v)
                return v
            return and_asgn

        def op_asgn(f: Any) -> Any:
            v = combine(f, read(f), value(f))
            write(f, v)
            return v
        return op_asgn

    def _combiner(self, op: str, line: int) -> Callable[[Any, Any, Any], Any]:
        """f, a, b -> a OP b, with the Integer fast path for + and -."""
        dispatch = self.make_dispatch(op, line, False, False)
        fast = self.interp.fast_ops

        if op in ("+", "-"):
            plus = op == "+"

            def add(f: Any, a: Any, b: Any) -> Any:
                if fast[0] and a.__class__ is int and b.__class__ is int:
                    return a + b if plus else a - b
                return dispatch(f, a, [b], None, None)
            return add
        return lambda f, a, b: dispatch(f, a, [b], None, None)

    def _op_attr(self, node: ast.OpAsgn, sc: Any) -> Fn:
        target: ast.AttrAsgn = node.target
        op = node.op
        value = self.compile(node.value, sc)
        recv_fn = self.compile(target.receiver, sc)
        selfcall = type(target.receiver) is ast.SelfNode
        safe = target.safe_nav
        line = target.line
        combine = self._combiner(op, node.line)
        if target.name == "[]":
            build = self.splat_list(target.args, sc)
            getter = self.make_dispatch("[]", line, selfcall, False)
            setter = self.make_dispatch("[]=", line, selfcall, False)
        else:
            build = None
            getter = self.make_dispatch(target.name, line, selfcall, False)
            setter = self.make_dispatch(target.name + "=", line, selfcall, False)

        def run(f: Any) -> Any:
            recv = recv_fn(f)
            if safe and recv is None:
                return None
            args = build(f) if build is not None else []
            cur = getter(f, recv, list(args), None, None)
            if op == "||":
                if cur is not None and cur is not False:
                    return cur
                v = value(f)
            elif op == "&&":
                if cur is None or cur is False:
                    return cur
                v = value(f)
            else:
                v = combine(f, cur, value(f))
            setter(f, recv, list(args) + [v], None, None)
            return v
        return run
