"""Conversions and comparisons with Ruby semantics: `to_s`, `inspect`, `==`,
`eql?`, `hash`, `<=>`, `===`, implicit conversions (`to_str`, `to_ary`,
`to_int`, `to_hash`) and the error texts they produce (`ruby-subset.md`
§3.6, §5, §7.1). Mixed into `Interpreter`; fast paths for built-in values,
method dispatch for everything else (user classes may override)."""

from __future__ import annotations

import math
from typing import Any

from .objects import (
    RArray,
    RException,
    RHash,
    RModule,
    RObject,
    RProc,
    RRange,
    RRegexp,
    RString,
    RSymbol,
    hkey,
)
from .text import float_to_s, inspect_string, inspect_symbol


class ConversionMixin:
    # --- truthiness and names ---------------------------------------------------

    @staticmethod
    def truthy(v: Any) -> bool:
        return v is not None and v is not False

    def class_name(self, v: Any) -> str:
        return self.module_name(self.real_class(v))

    def conv_name(self, v: Any) -> str:
        """Name in `no implicit conversion of X into Y`."""
        if v is None:
            return "nil"
        if v is True:
            return "true"
        if v is False:
            return "false"
        return self.class_name(v)

    # --- to_s / inspect ---------------------------------------------------------

    def to_s(self, f: Any, v: Any) -> str:
        t = v.__class__
        if t is RString:
            return v.s
        if t is int:
            return str(v)
        if t is RSymbol:
            return v.name
        if v is None:
            return ""
        if t is float:
            return float_to_s(v)
        if v is True:
            return "true"
        if v is False:
            return "false"
        m = self.find_method(self.class_of(v), "to_s")
        if m is None:
            return self.any_to_s(v)
        r = m.invoke(f if f is not None else self.host_frame(), v, [], None, None)
        if isinstance(r, RString):
            return r.s
        return self.any_to_s(v)

    def any_to_s(self, v: Any) -> str:
        return f"#<{self.class_name(v)}>" if not isinstance(v, (RObject, RModule, RException)) \
            else f"#<{self.class_name(v)}:0x{self.address(v)}>"

    def inspect(self, f: Any, v: Any) -> str:
        t = v.__class__
        if t is RString and v.cls is None:
            return inspect_string(v.s)
        if t is int:
            return str(v)
        if t is RSymbol:
            return inspect_symbol(v.name)
        if v is None:
            return "nil"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if t is float:
            return float_to_s(v)
        m = self.find_method(self.class_of(v), "inspect")
        if m is None:
            return self.any_to_s(v)
        r = m.invoke(f if f is not None else self.host_frame(), v, [], None, None)
        if isinstance(r, RString):
            return r.s
        return self.to_s(f, r)

    def default_inspect(self, f: Any, v: Any) -> str:
        """Kernel#inspect: `#<Foo:0x… @a=1>`; recursion shows `#<Foo:0x… ...>`."""
        name = self.class_name(v)
        head = f"#<{name}:0x{self.address(v)}"
        iv = getattr(v, "ivars", None)
        if not iv:
            return head + ">"
        key = id(v)
        guard = self.inspect_guard()
        if key in guard:
            return head + " ...>"
        guard.add(key)
        try:
            parts = [f"{k}={self.inspect(f, x)}" for k, x in iv.items()]
        finally:
            guard.discard(key)
        return head + " " + ", ".join(parts) + ">"

    def inspect_guard(self) -> set:
        ts = self.thread_state()
        g = getattr(ts, "inspect_guard", None)
        if g is None:
            g = ts.inspect_guard = set()
        return g

    # --- equality, hashing, comparison -------------------------------------------

    def eq(self, f: Any, a: Any, b: Any) -> bool:
        """Ruby `a == b` as a Python bool."""
        if a is b:
            # NaN is not == itself in Ruby either.
            return not (a.__class__ is float and math.isnan(a))
        ta = a.__class__
        if ta is int or ta is float:
            tb = b.__class__
            if tb is int or tb is float:
                return a == b
        if a is None or a is True or a is False or ta is RSymbol:
            return False
        if ta is RString and a.cls is None:
            if isinstance(b, RString):
                return a.s == b.s
            if b is None or b.__class__ in (int, float, RSymbol, bool):
                return False
        if ta is RArray and a.cls is None and b.__class__ is RArray:
            if len(a) != len(b):
                return False
            return self._seq_eq(f, a, b, self.eq)
        return self.truthy(self.send(f, a, "==", [b]))

    def _seq_eq(self, f: Any, a: list, b: list, cmp: Any) -> bool:
        guard = self.inspect_guard()
        key = ("eq", id(a), id(b))
        if key in guard:
            return True
        guard.add(key)
        try:
            return all(cmp(f, x, y) for x, y in zip(a, b))
        finally:
            guard.discard(key)

    def eql(self, f: Any, a: Any, b: Any) -> bool:
        if a is b:
            return True
        ta = a.__class__
        if ta in (int, float) or b.__class__ in (int, float):
            return ta is b.__class__ and a == b
        if ta is RString and b.__class__ is RString:
            return a.s == b.s
        if ta is RArray and b.__class__ is RArray:
            return len(a) == len(b) and self._seq_eq(f, a, b, self.eql)
        if ta is RSymbol or a is None or a is True or a is False:
            return False
        return self.truthy(self.send(f, a, "eql?", [b]))

    def hash_value(self, f: Any, v: Any) -> int:
        return hash(hkey(v))

    def custom_key(self, v: Any) -> Any:
        """hkey() of an object: identity unless its class defines hash/eql? in Ruby."""
        m = self.find_method(self.class_of(v), "hash")
        if m is None or m.owner is self.Kernel:
            if isinstance(v, RHash):
                return ("h",) + tuple((k, hkey(e[1])) for k, e in v.d.items())
            return v
        from .objects import CustomKey
        f = self.host_frame()
        h = self.call_method_entry(f, m, v, [])
        h = h if type(h) is int else hash(hkey(h))
        return CustomKey(v, h, lambda a, b: self.eql(f, a, b))

    def cmp(self, f: Any, a: Any, b: Any) -> int | None:
        """Ruby `a <=> b` → -1/0/1 or None."""
        ta, tb = a.__class__, b.__class__
        if (ta is int or ta is float) and (tb is int or tb is float):
            if (ta is float and math.isnan(a)) or (tb is float and math.isnan(b)):
                return None
            return (a > b) - (a < b)
        if ta is RString and tb is RString:
            x, y = a.s, b.s
            if x == y:
                return 0
            return -1 if self._str_lt(x, y) else 1
        if ta is RArray and tb is RArray:
            for x, y in zip(a, b):
                c = self.cmp(f, x, y)
                if c is None or c != 0:
                    return c
            return (len(a) > len(b)) - (len(a) < len(b))
        r = self.send(f, a, "<=>", [b])
        if r is None:
            return None
        if type(r) is int:
            return (r > 0) - (r < 0)
        if type(r) is float:
            return (r > 0) - (r < 0)
        return None

    @staticmethod
    def _str_lt(x: str, y: str) -> bool:
        # Ruby compares bytes; UTF-8 keeps code point order except for the
        # surrogate escapes of invalid bytes, compared as their byte values.
        if x.isascii() and y.isascii():
            return x < y
        return x.encode("utf-8", "surrogateescape") < y.encode("utf-8", "surrogateescape")

    def compare_failed(self, f: Any, a: Any, b: Any) -> Any:
        return self.error("ArgumentError",
                               f"comparison of {self.class_name(a)} with "
                               f"{self.cmp_operand(f, b)} failed")

    def cmp_operand(self, f: Any, b: Any) -> str:
        if b is None or b is True or b is False or b.__class__ in (int, float):
            return self.inspect(f, b)
        return self.class_name(b)

    def cmp_strict(self, f: Any, a: Any, b: Any) -> int:
        c = self.cmp(f, a, b)
        if c is None:
            raise self.compare_failed(f, a, b)
        return c

    def case_eq(self, f: Any, pat: Any, v: Any) -> bool:
        """`pat === v` (case/when, rescue lists, grep)."""
        t = pat.__class__
        if t is RString and pat.cls is None:
            return isinstance(v, RString) and pat.s == v.s
        if t is RSymbol or pat is None or pat is True or pat is False:
            return pat is v
        if t is int or t is float:
            tv = v.__class__
            return (tv is int or tv is float) and pat == v
        if t is RRegexp and pat.cls is None:
            if isinstance(v, RSymbol):
                v = RString(v.name)
            if not isinstance(v, RString):
                f.home.last_match = None
                return False
            return self.regexp_match(f, pat, v.s, 0) is not None
        if isinstance(pat, RModule) and pat.cls is None or (
                isinstance(pat, RModule) and self._default_case_eq(pat)):
            return self.is_a(v, pat)
        if t is RRange and pat.cls is None:
            return self.range_cover(f, pat, v)
        return self.truthy(self.send(f, pat, "===", [v]))

    def _default_case_eq(self, mod: RModule) -> bool:
        m = self.find_method(self.class_of(mod), "===")
        return m is not None and m.kind == "native" and m.owner is self.Module

    def rescue_match(self, f: Any, mod: RModule, exc: Any) -> bool:
        if self._default_case_eq(mod):
            return self.is_a(exc, mod)
        return self.truthy(self.send(f, mod, "===", [exc]))

    # --- implicit conversions ------------------------------------------------------

    def splat_to_list(self, f: Any, v: Any) -> list:
        if v.__class__ is RArray:
            return list(v)
        if v is None:
            return []
        if isinstance(v, RArray):
            return list(v)
        if isinstance(v, RHash):
            return [RArray(kv) for kv in v.items()]
        if self.respond_to(f, v, "to_a", True):
            r = self.send(f, v, "to_a", [])
            if isinstance(r, RArray):
                return list(r)
            raise self.error("TypeError",
                                  f"can't convert {self.class_name(v)} to Array "
                                  f"({self.class_name(v)}#to_a gives {self.class_name(r)})")
        return [v]

    def try_to_ary(self, f: Any, v: Any) -> list | None:
        if isinstance(v, RArray):
            return v
        if v is None or v.__class__ in (int, float, RString, RSymbol, bool, RHash):
            return None
        if isinstance(v, (RObject,)) and self.respond_to(f, v, "to_ary", True):
            r = self.send(f, v, "to_ary", [])
            if r is None:
                return None
            if isinstance(r, RArray):
                return r
            raise self.error("TypeError",
                                  f"can't convert {self.class_name(v)} to Array "
                                  f"({self.class_name(v)}#to_ary gives {self.class_name(r)})")
        return None

    def to_ary(self, f: Any, v: Any) -> list:
        r = self.try_to_ary(f, v)
        if r is None:
            raise self.error("TypeError",
                                  f"no implicit conversion of {self.conv_name(v)} into Array")
        return r

    def to_str(self, f: Any, v: Any) -> str:
        if isinstance(v, RString):
            return v.s
        if isinstance(v, RObject) and self.respond_to(f, v, "to_str", True):
            r = self.send(f, v, "to_str", [])
            if isinstance(r, RString):
                return r.s
        raise self.error("TypeError",
                              f"no implicit conversion of {self.conv_name(v)} into String")

    def to_int(self, f: Any, v: Any) -> int:
        t = v.__class__
        if t is int:
            return v
        if t is float:
            if not math.isfinite(v):
                raise self.error("FloatDomainError", float_to_s(v))
            return int(v)
        if v is None:
            raise self.error("TypeError", "no implicit conversion from nil to integer")
        if isinstance(v, RObject) and self.respond_to(f, v, "to_int", True):
            r = self.send(f, v, "to_int", [])
            if type(r) is int:
                return r
        raise self.error("TypeError",
                              f"no implicit conversion of {self.conv_name(v)} into Integer")

    def to_hash(self, f: Any, v: Any) -> RHash:
        if isinstance(v, RHash):
            return v
        if isinstance(v, RObject) and self.respond_to(f, v, "to_hash", True):
            r = self.send(f, v, "to_hash", [])
            if isinstance(r, RHash):
                return r
        raise self.error("TypeError",
                              f"no implicit conversion of {self.conv_name(v)} into Hash")

    def to_f(self, f: Any, v: Any) -> float:
        t = v.__class__
        if t is float:
            return v
        if t is int:
            return float(v)
        if v is None:
            raise self.error("TypeError", "can't convert nil into Float")
        if isinstance(v, RObject) and self.respond_to(f, v, "to_f", True):
            r = self.send(f, v, "to_f", [])
            if type(r) is float:
                return r
        raise self.error("TypeError",
                              f"can't convert {self.conv_name(v)} into Float")

    def str_or_sym(self, f: Any, v: Any) -> str:
        """A method/variable name argument: Symbol or String."""
        if isinstance(v, RSymbol):
            return v.name
        if isinstance(v, RString):
            return v.s
        raise self.error("TypeError",
                              f"{self.inspect(f, v)} is not a symbol nor a string")

    def new_str(self, s: str) -> RString:
        return RString(s)

    def is_proc(self, v: Any) -> bool:
        return isinstance(v, RProc)
