"""Generated call-site closures (the evaluator's hottest code).

A plain call `recv.meth(a, b)` (positional arguments only, no block) becomes
one Python function that reads its receiver and simple arguments inline
(`f.self_`, a local slot, a literal) instead of through one closure call
each, checks a two-entry inline cache (receiver class → method entry, valid
for one method epoch) and calls a native's Python function directly when the
argument count fits its arity. The source of each shape (receiver kind,
argument kinds) is generated once and compiled with `exec`; the closures of
a shape differ only in the values bound to their parameters.

Operand kinds:
  ("self",)          f.self_
  ("lvar", d, i)     the local in slot i, d block levels up
  ("const", v)       a literal value (Integer, Float, Symbol, nil, true, false)
  ("fn", fn)         any other expression: fn(f)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_TEMPLATE = '''
def factory(interp, resolve, native_failed, line, safe, n, {params}):
    epoch = -1
    k1 = m1 = n1 = k2 = m2 = n2 = None

    def slow(f, recv, args):
        nonlocal epoch, k1, m1, n1, k2, m2, n2
        key = getattr(recv, "cls", None) or recv.__class__
        m, cacheable = resolve(f, recv, args, None, None)
        if m is None:
            return cacheable
        fn = m.fn if (m.fn is not None and m.lo <= n and (m.hi < 0 or n <= m.hi)) else None
        if not cacheable:
            f.line = line
            return m.invoke(f, recv, args, None, None)
        if epoch != interp.epoch:
            epoch = interp.epoch
            k2 = m2 = n2 = None
        else:
            k2, m2, n2 = k1, m1, n1
        k1, m1, n1 = key, m, fn
        f.line = line
        if fn is not None:
            try:
                return fn(f, recv, args, None, None)
            except Exception as e:
                raise native_failed(f, e, m.label) from None
        return m.invoke(f, recv, args, None, None)

    def call(f):
        recv = {recv}
        if safe and recv is None:
            return None
        args = [{args}]
        if epoch == interp.epoch:
            key = getattr(recv, "cls", None) or recv.__class__
            if key is k1:
                f.line = line
                if n1 is not None:
                    try:
                        return n1(f, recv, args, None, None)
                    except Exception as e:
                        raise native_failed(f, e, m1.label) from None
                return m1.invoke(f, recv, args, None, None)
            if key is k2:
                f.line = line
                if n2 is not None:
                    try:
                        return n2(f, recv, args, None, None)
                    except Exception as e:
                        raise native_failed(f, e, m2.label) from None
                return m2.invoke(f, recv, args, None, None)
        return slow(f, recv, args)
    return call
'''

_factories: dict[tuple, Callable] = {}


def _expr(kind: tuple, param: str) -> str:
    tag = kind[0]
    if tag == "self":
        return "f.self_"
    if tag == "lvar":
        depth = kind[1]
        return "f" + ".parent" * depth + f".vars[{param}]"
    if tag == "const":
        return param
    return f"{param}(f)"


def _value(kind: tuple) -> Any:
    tag = kind[0]
    if tag == "self":
        return None
    if tag == "lvar":
        return kind[2]
    return kind[1]


def make_call(interp: Any, resolve: Callable, line: int, safe: bool, recv: tuple,
              args: list[tuple]) -> Callable[[Any], Any]:
    shape = (recv[0], recv[1] if recv[0] == "lvar" else None,
             tuple((a[0], a[1] if a[0] == "lvar" else None) for a in args))
    factory = _factories.get(shape)
    if factory is None:
        params = ["R"] + [f"A{i}" for i in range(len(args))]
        source = _TEMPLATE.format(
            params=", ".join(params),
            recv=_expr(recv, "R"),
            args=", ".join(_expr(a, f"A{i}") for i, a in enumerate(args)))
        namespace: dict[str, Any] = {}
        exec(compile(source, f"<call site {shape}>", "exec"), namespace)  # noqa: S102
        factory = _factories[shape] = namespace["factory"]
    return factory(interp, resolve, interp.native_failed, line, safe, len(args),
                   _value(recv), *[_value(a) for a in args])


_RESPOND_TEMPLATE = '''
def factory(interp, resolve, native_failed, line, builtin, SYM, R):
    epoch = -1
    k1 = v1 = k2 = v2 = None
    args_of = lambda: [SYM]

    def slow(f, recv, key):
        nonlocal epoch, k1, v1, k2, v2
        m, cacheable = resolve(f, recv, [SYM], None, None)
        if m is None:
            return cacheable
        f.line = line
        if m.fn is not builtin:
            return m.invoke(f, recv, [SYM], None, None)
        try:
            value = builtin(f, recv, [SYM], None, None)
        except Exception as e:
            raise native_failed(f, e, m.label) from None
        cls = interp.class_of(recv)
        rtm = interp.find_method(cls, "respond_to_missing?")
        if cacheable and (rtm is None or rtm.kind == "native"):
            if epoch != interp.epoch:
                epoch = interp.epoch
                k2 = v2 = None
            else:
                k2, v2 = k1, v1
            k1, v1 = key, value
        return value

    def call(f):
        recv = {recv}
        key = getattr(recv, "cls", None) or recv.__class__
        if epoch == interp.epoch:
            if key is k1:
                return v1
            if key is k2:
                return v2
        return slow(f, recv, key)
    return call
'''


def make_respond_to(interp: Any, resolve: Callable, line: int, recv: tuple,
                    name: Any) -> Callable[[Any], Any]:
    """`x.respond_to?(:name)` with a literal Symbol: the answer depends only
    on the receiver's class (while `respond_to?` and `respond_to_missing?`
    are the built-in ones), so the site remembers it per class and epoch."""
    from .core.kernel import respond_to as builtin
    shape = ("respond_to?", recv[0], recv[1] if recv[0] == "lvar" else None)
    factory = _factories.get(shape)
    if factory is None:
        source = _RESPOND_TEMPLATE.format(recv=_expr(recv, "R"))
        namespace: dict[str, Any] = {}
        exec(compile(source, f"<call site {shape}>", "exec"), namespace)  # noqa: S102
        factory = _factories[shape] = namespace["factory"]
    return factory(interp, resolve, interp.native_failed, line, builtin, name, _value(recv))
