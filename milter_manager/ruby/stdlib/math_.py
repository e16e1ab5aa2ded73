"""Math: the common functions (not listed by the spec; provided because
site conditions compute with them)."""

from __future__ import annotations

import math
from typing import Any

from ..native import Registry, define_native

reg = Registry()

FUNCS = {
    "sqrt": math.sqrt, "cbrt": lambda x: math.copysign(abs(x) ** (1 / 3), x),
    "exp": math.exp, "log2": math.log2, "log10": math.log10,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
}


@reg.setup
def _setup(interp: Any) -> None:
    m = interp.new_module("Math")
    interp.Object.consts["Math"] = m
    m.consts["PI"] = math.pi
    m.consts["E"] = math.e
    domain = interp.new_class("Math::DomainError", interp.ArgumentError, m)
    m.consts["DomainError"] = domain
    single = interp.singleton_class(None, m)

    def wrap(name: str, fn: Any, nargs: int) -> Any:
        def native(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
            xs = [interp.to_f(f, a) for a in args]
            try:
                return float(fn(*xs))
            except (ValueError, OverflowError):
                raise interp.error(domain, f'Numerical argument is out of domain - "{name}"') \
                    from None
        return native
    for name, fn in FUNCS.items():
        define_native(interp, single, name, wrap(name, fn, 1), arity=1, label=f"Math.{name}")

    def log(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        x = interp.to_f(f, args[0])
        try:
            if len(args) > 1:
                return math.log(x) / math.log(interp.to_f(f, args[1]))
            return math.log(x) if x != 0 else -math.inf
        except ValueError:
            raise interp.error(domain, 'Numerical argument is out of domain - "log"') from None
    define_native(interp, single, "log", log, arity=(1, 2), label="Math.log")
    define_native(interp, single, "atan2", wrap("atan2", math.atan2, 2), arity=2,
                  label="Math.atan2")
    define_native(interp, single, "hypot", wrap("hypot", math.hypot, 2), arity=2,
                  label="Math.hypot")
    define_native(interp, single, "pow", wrap("pow", math.pow, 2), arity=2, label="Math.pow")
