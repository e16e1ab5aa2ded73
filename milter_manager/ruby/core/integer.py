"""Numeric and Integer (`ruby-subset.md` §6): arbitrary precision, floored
division, iteration helpers."""

from __future__ import annotations

import math
from typing import Any

from ..native import Registry
from ..objects import RArray, RObject, RString
from ..text import float_to_s
from .util import enum_for, int_arg, sym, truthy

reg = Registry()
I = "Integer"
N = "Numeric"


def coerce_fail(f: Any, a: Any, b: Any) -> Any:
    interp = f.interp
    if b is None or b is True or b is False:
        what = interp.inspect(f, b)
    else:
        what = interp.class_name(b)
    return interp.error("TypeError", f"{what} can't be coerced into {interp.class_name(a)}")


def coerce_op(f: Any, a: Any, b: Any, op: str) -> Any:
    """`a OP b` for a non-numeric b: use b.coerce(a) if b defines it."""
    interp = f.interp
    if isinstance(b, RObject) and interp.respond_to(f, b, "coerce", True):
        pair = interp.send(f, b, "coerce", [a])
        if isinstance(pair, RArray) and len(pair) == 2:
            return interp.send(f, pair[0], op, [pair[1]])
    raise coerce_fail(f, a, b)


def num(v: Any) -> bool:
    t = v.__class__
    return t is int or t is float


def compare_op(f: Any, a: Any, b: Any, op: str) -> Any:
    if not num(b):
        interp = f.interp
        if isinstance(b, RObject) and interp.respond_to(f, b, "coerce", True):
            return coerce_op(f, a, b, op)
        raise interp.compare_failed(f, a, b)
    return None


# --- arithmetic shared by Integer and Float ------------------------------------------

def _binop(op: str, fn: Any) -> Any:
    def method(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        b = args[0]
        if not num(b):
            return coerce_op(f, self, b, op)
        return fn(f, self, b)
    return method


def _add(f: Any, a: Any, b: Any) -> Any:
    return a + b


def _sub(f: Any, a: Any, b: Any) -> Any:
    return a - b


def _mul(f: Any, a: Any, b: Any) -> Any:
    return a * b


def _div(f: Any, a: Any, b: Any) -> Any:
    if a.__class__ is int and b.__class__ is int:
        if b == 0:
            raise f.interp.error("ZeroDivisionError", "divided by 0")
        return a // b
    return float_div(a, b)


def float_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if math.isnan(a) or a == 0:
            return math.nan
        sign = math.copysign(1.0, a) * math.copysign(1.0, float(b))
        return math.inf if sign > 0 else -math.inf


def _mod(f: Any, a: Any, b: Any) -> Any:
    if a.__class__ is int and b.__class__ is int:
        if b == 0:
            raise f.interp.error("ZeroDivisionError", "divided by 0")
        return a % b
    if b == 0:
        return math.nan
    # Python's float % takes the sign of the divisor, like Ruby's Float#%.
    return a % b


def _pow(f: Any, a: Any, b: Any) -> Any:
    interp = f.interp
    if a.__class__ is int and b.__class__ is int:
        if b < 0:
            raise interp.error("NotImplementedError",
                               "Rational is not supported by this implementation")
        if abs(a) > 1 and b > 10_000_000:
            raise interp.error("ArgumentError", "exponent is too large")
        return a ** b
    try:
        r = float(a) ** b
    except ZeroDivisionError:
        return math.inf
    except OverflowError:
        return math.inf if a > 0 or (b % 2 == 0) else -math.inf
    if isinstance(r, complex):
        raise interp.error("NotImplementedError", "Complex is not supported by this implementation")
    return r


@reg.setup
def _arith(interp: Any) -> None:
    for owner in (I, "Float"):
        reg.method(owner, "+", arity=1)(_binop("+", _add))
        reg.method(owner, "-", arity=1)(_binop("-", _sub))
        reg.method(owner, "*", arity=1)(_binop("*", _mul))
        reg.method(owner, "/", arity=1)(_binop("/", _div))
        reg.method(owner, "%", "modulo", arity=1)(_binop("%", _mod))
        reg.method(owner, "**", "pow", arity=(1, 2))(pow_)


def pow_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    if len(args) == 2:
        m = int_arg(f, args[1])
        if m == 0:
            raise f.interp.error("ZeroDivisionError", "divided by 0")
        return pow(self, int_arg(f, b), m)
    if not num(b):
        return coerce_op(f, self, b, "**")
    return _pow(f, self, b)


def _cmpop(op: str, fn: Any) -> Any:
    def method(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        b = args[0]
        if not num(b):
            return compare_op(f, self, b, op)
        return fn(self, b)
    return method


@reg.setup
def _compare(interp: Any) -> None:
    for owner in (I, "Float"):
        reg.method(owner, "<", arity=1)(_cmpop("<", lambda a, b: a < b))
        reg.method(owner, "<=", arity=1)(_cmpop("<=", lambda a, b: a <= b))
        reg.method(owner, ">", arity=1)(_cmpop(">", lambda a, b: a > b))
        reg.method(owner, ">=", arity=1)(_cmpop(">=", lambda a, b: a >= b))


@reg.method(I, "==", "===", arity=1)
@reg.method("Float", "==", "===", arity=1)
def eq(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    if num(b):
        return self == b
    if isinstance(b, RObject):
        return truthy(f.interp.send(f, b, "==", [self]))
    return False


@reg.method(I, "eql?", arity=1)
@reg.method("Float", "eql?", arity=1)
def eql(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    return b.__class__ is self.__class__ and b == self


@reg.method(I, "equal?", arity=1)
@reg.method("Float", "equal?", arity=1)
def equal(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    return b.__class__ is self.__class__ and b == self


@reg.method(I, "<=>", arity=1)
@reg.method("Float", "<=>", arity=1)
def cmp(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    if not num(b) or math.isnan(self) or math.isnan(b):
        return None
    return (self > b) - (self < b)


@reg.method(I, "hash", arity=0)
@reg.method("Float", "hash", arity=0)
def hash_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return hash(f.interp.hkey(self))


@reg.method(I, "-@", arity=0)
@reg.method("Float", "-@", arity=0)
def neg(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return -self


@reg.method(I, "+@", arity=0)
@reg.method("Float", "+@", arity=0)
def pos(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(I, "~", arity=0)
def invert(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return ~self


def _bitop(op: str, fn: Any) -> Any:
    def method(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
        b = args[0]
        if b.__class__ is not int:
            return coerce_op(f, self, b, op)
        return fn(self, b)
    return method


@reg.setup
def _bits(interp: Any) -> None:
    reg.method(I, "&", arity=1)(_bitop("&", lambda a, b: a & b))
    reg.method(I, "|", arity=1)(_bitop("|", lambda a, b: a | b))
    reg.method(I, "^", arity=1)(_bitop("^", lambda a, b: a ^ b))


def _shift(a: int, b: int) -> int:
    return a << b if b >= 0 else a >> -b


@reg.method(I, "<<", arity=1)
def lshift(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    b = int_arg(f, args[0])
    if b > 100_000_000:
        raise f.interp.error("RangeError", "shift width too big")
    return _shift(self, b)


@reg.method(I, ">>", arity=1)
def rshift(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    b = int_arg(f, args[0])
    return _shift(self, -b)


@reg.method(I, "[]", arity=1)
def bit(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return (self >> int_arg(f, args[0])) & 1


@reg.method(I, "abs", "magnitude", arity=0)
@reg.method("Float", "abs", "magnitude", arity=0)
def abs_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return abs(self)


@reg.method(I, "divmod", arity=1)
@reg.method("Float", "divmod", arity=1)
def divmod_(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    if not num(b):
        return coerce_op(f, self, b, "divmod")
    if b == 0 and (self.__class__ is int and b.__class__ is int):
        raise f.interp.error("ZeroDivisionError", "divided by 0")
    if b == 0:
        raise f.interp.error("ZeroDivisionError", "divided by 0")
    q, r = divmod(self, b)
    if q.__class__ is float:
        q = int(q) if math.isfinite(q) else q
        if isinstance(q, float):
            raise f.interp.error("FloatDomainError", float_to_s(q))
    return RArray([q, r])


@reg.method(I, "div", arity=1)
@reg.method("Float", "div", arity=1)
def div(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    if not num(b):
        return coerce_op(f, self, b, "div")
    if b == 0:
        raise f.interp.error("ZeroDivisionError", "divided by 0")
    return math.floor(self / b) if (self.__class__ is float or b.__class__ is float) \
        else self // b


@reg.method(I, "fdiv", arity=1)
@reg.method("Float", "fdiv", "quo", arity=1)
def fdiv(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    if not num(b):
        return coerce_op(f, self, b, "fdiv")
    return float_div(float(self), float(b))


@reg.method(I, "remainder", arity=1)
@reg.method("Float", "remainder", arity=1)
def remainder(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    if not num(b):
        return coerce_op(f, self, b, "remainder")
    if self.__class__ is int and b.__class__ is int:
        if b == 0:
            raise f.interp.error("ZeroDivisionError", "divided by 0")
        r = abs(self) % abs(b)
        return -r if self < 0 else r
    return math.fmod(self, b)


@reg.method(I, "times", arity=0)
def times(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "times", [], size=lambda: max(self, 0))
    call = blk.code.call
    i = 0
    while i < self:
        call(blk, f, [i], None)
        i += 1
    return self


@reg.method(I, "upto", arity=1)
def upto(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    limit = args[0]
    if blk is None:
        return enum_for(f, self, "upto", args)
    if not num(limit):
        raise f.interp.compare_failed(f, self, limit)
    call = blk.code.call
    i = self
    while i <= limit:
        call(blk, f, [i], None)
        i += 1
    return self


@reg.method(I, "downto", arity=1)
def downto(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    limit = args[0]
    if blk is None:
        return enum_for(f, self, "downto", args)
    if not num(limit):
        raise f.interp.compare_failed(f, self, limit)
    call = blk.code.call
    i = self
    while i >= limit:
        call(blk, f, [i], None)
        i -= 1
    return self


@reg.method(N, "step", arity=(0, 2), kw=True)
def step(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    interp = f.interp
    limit = args[0] if args else None
    by = args[1] if len(args) > 1 else 1
    if kw is not None:
        if kw.has(sym("by")):
            by = kw.get(sym("by"))
        if kw.has(sym("to")):
            limit = kw.get(sym("to"))
    if blk is None:
        return enum_for(f, self, "step", args)
    if by == 0:
        raise interp.error("ArgumentError", "step can't be 0")
    floats = any(x.__class__ is float for x in (self, limit, by))
    if floats:
        n = math.floor((limit - self) / by + 1e-9) if limit is not None else None
        i = 0
        while n is None or i <= n:
            blk.code.call(blk, f, [float(self + i * by)], None)
            i += 1
        return self
    i = self
    while limit is None or (i <= limit if by > 0 else i >= limit):
        blk.code.call(blk, f, [i], None)
        i += by
    return self


@reg.method(I, "succ", "next", arity=0)
def succ(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return self + 1


@reg.method(I, "pred", arity=0)
def pred(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return self - 1


@reg.method(I, "zero?", arity=0)
@reg.method("Float", "zero?", arity=0)
def zero(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self == 0


@reg.method(I, "nonzero?", arity=0)
@reg.method("Float", "nonzero?", arity=0)
def nonzero(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None if self == 0 else self


@reg.method(I, "positive?", arity=0)
@reg.method("Float", "positive?", arity=0)
def positive(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self > 0


@reg.method(I, "negative?", arity=0)
@reg.method("Float", "negative?", arity=0)
def negative(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return self < 0


@reg.method(I, "even?", arity=0)
def even(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return self % 2 == 0


@reg.method(I, "odd?", arity=0)
def odd(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return self % 2 == 1


@reg.method(I, "integer?", arity=0)
def integer_p(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return True


@reg.method("Float", "integer?", arity=0)
def float_integer_p(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return False


@reg.method(I, "finite?", arity=0)
def int_finite(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return True


@reg.method(I, "infinite?", arity=0)
def int_infinite(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return None


def round_half(x: Any, half: str) -> int:
    """Round a number to an integer: half away from zero (Ruby's default),
    half to even, or half down."""
    if x.__class__ is int:
        return x
    fl = math.floor(x)
    diff = x - fl
    if diff > 0.5:
        return fl + 1
    if diff < 0.5:
        return fl
    if half == "even":
        return fl if fl % 2 == 0 else fl + 1
    if half == "down":
        return fl if x > 0 else fl + 1
    return fl + 1 if x > 0 else fl


def _half_mode(f: Any, kw: Any) -> str:
    if kw is None or not kw.has(sym("half")):
        return "up"
    v = kw.get(sym("half"))
    if v is None:
        return "up"
    name = v.name if hasattr(v, "name") else f.interp.to_s(f, v)
    if name not in ("up", "even", "down"):
        raise f.interp.error("ArgumentError", f"invalid rounding mode: {name}")
    return name


@reg.method(I, "round", arity=(0, 1), kw=True)
def int_round(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    nd = int_arg(f, args[0]) if args else 0
    if nd >= 0:
        return self
    m = 10 ** (-nd)
    q, r = divmod(abs(self), m)
    half = _half_mode(f, kw)
    if r * 2 > m or (r * 2 == m and (half == "up" or (half == "even" and q % 2 == 1))):
        q += 1
    return (q * m) * (1 if self >= 0 else -1)


@reg.method(I, "floor", arity=(0, 1))
def int_floor(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    nd = int_arg(f, args[0]) if args else 0
    if nd >= 0:
        return self
    m = 10 ** (-nd)
    return (self // m) * m


@reg.method(I, "ceil", arity=(0, 1))
def int_ceil(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    nd = int_arg(f, args[0]) if args else 0
    if nd >= 0:
        return self
    m = 10 ** (-nd)
    return -((-self) // m) * m


@reg.method(I, "truncate", arity=(0, 1))
def int_truncate(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    nd = int_arg(f, args[0]) if args else 0
    if nd >= 0:
        return self
    m = 10 ** (-nd)
    return int(self / m) * m if abs(self) < 2 ** 52 else (abs(self) // m) * m * (1 if self >= 0 else -1)


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def int_to_s(n: int, base: int) -> str:
    if base == 10:
        return str(n)
    if n == 0:
        return "0"
    neg = n < 0
    n = abs(n)
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(DIGITS[r])
    return ("-" if neg else "") + "".join(reversed(out))


@reg.method(I, "to_s", "inspect", arity=(0, 1))
def to_s(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    base = int_arg(f, args[0]) if args else 10
    if not 2 <= base <= 36:
        raise f.interp.error("ArgumentError", f"invalid radix {base}")
    return RString(int_to_s(self, base))


@reg.method(I, "to_i", "to_int", "ord", arity=0)
def to_i(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(I, "to_f", arity=0)
def to_f(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    try:
        return float(self)
    except OverflowError:
        return math.inf if self > 0 else -math.inf


@reg.method(I, "chr", arity=(0, 1))
def chr_(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    if self < 0 or (not args and self > 255) or self > 0x10FFFF:
        raise f.interp.error("RangeError", f"{self} out of char range")
    if not args and self >= 128:
        return RString(bytes([self]).decode("utf-8", "surrogateescape"))
    return RString(chr(self))


@reg.method(I, "size", arity=0)
def size(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return 8


@reg.method(I, "bit_length", arity=0)
def bit_length(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return self.bit_length() if self >= 0 else (~self).bit_length()


@reg.method(I, "digits", arity=(0, 1))
def digits(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    base = int_arg(f, args[0]) if args else 10
    if self < 0:
        raise f.interp.error("ArgumentError", "out of domain")
    if self == 0:
        return RArray([0])
    out = RArray()
    n = self
    while n:
        n, r = divmod(n, base)
        out.append(r)
    return out


@reg.method(I, "gcd", arity=1)
def gcd(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    return math.gcd(self, int_arg(f, args[0]))


@reg.method(I, "lcm", arity=1)
def lcm(f: Any, self: int, args: list, kw: Any, blk: Any) -> Any:
    b = int_arg(f, args[0])
    return abs(self * b) // math.gcd(self, b) if self and b else 0


@reg.method(I, "coerce", arity=1)
@reg.method("Float", "coerce", arity=1)
def coerce(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    b = args[0]
    if self.__class__ is int and b.__class__ is int:
        return RArray([b, self])
    if num(b):
        return RArray([float(b), float(self)])
    if isinstance(b, RString):
        from .kernel_functions import kernel_float
        return RArray([kernel_float(f, b.s), float(self)])
    raise f.interp.error("TypeError", f"can't convert {f.interp.conv_name(b)} into Float")


@reg.smethod(I, "sqrt", arity=1)
def isqrt(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    n = int_arg(f, args[0])
    if n < 0:
        raise f.interp.error("ArgumentError", "Numerical argument is out of domain - \"isqrt\"")
    return math.isqrt(n)


@reg.method(N, "integer?", arity=0)
def numeric_integer(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return False
