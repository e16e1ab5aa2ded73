"""Float (`ruby-subset.md` §6): rounding as MRI does it (half away from zero,
the `round_half_up` correction for ndigits > 0), `to_s` per show-config.md §4.3.
(Module named float_ so that it does not shadow the builtin in imports.)"""

from __future__ import annotations

import math
import sys
from typing import Any

from ..native import Registry
from ..objects import RString
from ..text import float_to_s
from .integer import _half_mode, int_ceil, int_floor, int_round
from .util import int_arg

reg = Registry()
F = "Float"
DBL_DIG = 15


@reg.setup
def _constants(interp: Any) -> None:
    fc = interp.Float
    fc.consts.update({
        "INFINITY": math.inf,
        "NAN": math.nan,
        "EPSILON": sys.float_info.epsilon,
        "MAX": sys.float_info.max,
        "MIN": sys.float_info.min,
        "DIG": DBL_DIG,
    })


def _domain_check(f: Any, x: float) -> None:
    if math.isnan(x):
        raise f.interp.error("FloatDomainError", "NaN")
    if math.isinf(x):
        raise f.interp.error("FloatDomainError", "Infinity" if x > 0 else "-Infinity")


def _overflow(ndigits: int, binexp: int) -> bool:
    return ndigits >= (DBL_DIG + 2) - (binexp // 4 if binexp > 0 else binexp // 3 - 1)


def _underflow(ndigits: int, binexp: int) -> bool:
    return ndigits < -(binexp // 3 + 1 if binexp > 0 else binexp // 4)


def _c_round(x: float) -> float:
    """C's round(): half away from zero (x - floor(x) is exact for doubles)."""
    if not math.isfinite(x):
        return x
    a = abs(x)
    fl = math.floor(a)
    r = fl + 1 if a - fl >= 0.5 else fl
    return math.copysign(r, x)


def round_half_up(x: float, s: float) -> float:
    xs = x * s
    fr = _c_round(xs)
    if s == 1.0:
        return fr
    if x > 0:
        if (fr + 0.5) / s <= x:
            fr += 1
    else:
        if (fr - 0.5) / s >= x:
            fr -= 1
    return fr


def round_half_down(x: float, s: float) -> float:
    xs = x * s
    fr = _c_round(xs)
    if x > 0:
        if (fr - 0.5) / s >= x:
            fr -= 1
    else:
        if (fr + 0.5) / s <= x:
            fr += 1
    return fr


def round_half_even(x: float, s: float) -> float:
    xs = x * s
    u = math.floor(xs) if xs >= 0 else math.ceil(xs)
    frac = xs - u
    if abs(frac) == 0.5:
        return u if u % 2 == 0 else u + math.copysign(1, xs)
    return _c_round(xs)


@reg.method(F, "round", arity=(0, 1), kw=True)
def round_(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    nd = int_arg(f, args[0]) if args else 0
    mode = _half_mode(f, kw)
    fn = {"up": round_half_up, "even": round_half_even, "down": round_half_down}[mode]
    if nd > 0:
        if not math.isfinite(self):
            return self
        if self == 0.0:
            return self
        _, binexp = math.frexp(self)
        if _overflow(nd, binexp):
            return self
        if self > 0.0 and _underflow(nd, binexp):
            return 0.0
        s = 10.0 ** nd
        return fn(self, s) / s
    _domain_check(f, self)
    if nd == 0:
        return int(fn(self, 1.0))
    return int_round(f, int(self), args, kw, blk)


@reg.method(F, "floor", arity=(0, 1))
def floor(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    nd = int_arg(f, args[0]) if args else 0
    if self == 0.0:
        return self if nd > 0 else 0
    if nd > 0:
        if not math.isfinite(self):
            return self
        _, binexp = math.frexp(self)
        if _overflow(nd, binexp):
            return self
        if self > 0.0 and _underflow(nd, binexp):
            return 0.0
        s = 10.0 ** nd
        mul = math.floor(self * s)
        res = (mul + 1) / s
        if res > self:
            res = mul / s
        return res
    _domain_check(f, self)
    v = math.floor(self)
    return int_floor(f, v, args, kw, blk) if nd < 0 else v


@reg.method(F, "ceil", arity=(0, 1))
def ceil(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    nd = int_arg(f, args[0]) if args else 0
    if self == 0.0:
        return self if nd > 0 else 0
    if nd > 0:
        if not math.isfinite(self):
            return self
        _, binexp = math.frexp(self)
        if _overflow(nd, binexp):
            return self
        s = 10.0 ** nd
        mul = math.ceil(self * s)
        res = (mul - 1) / s
        if res < self:
            res = mul / s
        return res
    _domain_check(f, self)
    v = math.ceil(self)
    return int_ceil(f, v, args, kw, blk) if nd < 0 else v


@reg.method(F, "to_i", "to_int", arity=0)
def to_i(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    _domain_check(f, self)
    return int(self)


@reg.method(F, "truncate", arity=(0, 1))
def truncate(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    if self > 0:
        return floor(f, self, args, kw, blk)
    return ceil(f, self, args, kw, blk)


@reg.method(F, "to_f", arity=0)
def to_f(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(F, "to_s", "inspect", arity=0)
def to_s(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    return RString(float_to_s(self))


@reg.method(F, "nan?", arity=0)
def nan(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    return math.isnan(self)


@reg.method(F, "infinite?", arity=0)
def infinite(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    if math.isinf(self):
        return 1 if self > 0 else -1
    return None


@reg.method(F, "finite?", arity=0)
def finite(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    return math.isfinite(self)


@reg.method(F, "next_float", arity=0)
def next_float(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    return math.nextafter(self, math.inf)


@reg.method(F, "prev_float", arity=0)
def prev_float(f: Any, self: float, args: list, kw: Any, blk: Any) -> Any:
    return math.nextafter(self, -math.inf)
