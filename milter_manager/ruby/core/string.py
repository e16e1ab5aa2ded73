"""String (`ruby-subset.md` §6 String): mutable text (`RString.s`), indexes in
characters. Algorithms that need no interpreter live in `string_text.py`;
matching, substitution and scanning in `string_match.py`."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..native import Registry
from ..objects import RArray, RObject, RRegexp, RString, RSymbol
from ..text import dump_string, inspect_string
from . import string_text as T
from .util import enum_for, int_arg, str_arg, sym, truthy

reg = Registry()
S = "String"


def new_like(self: RString, s: str) -> RString:
    """A result string (Ruby 3: plain String, not the receiver's subclass)."""
    return RString(s)


def mutate(f: Any, self: RString, s: str) -> None:
    if self.frozen:
        raise f.interp.frozen_error(f, self)
    self.s = s


@reg.method(S, "initialize", arity=(0, 1), kw=True, visibility="private")
def initialize(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if args:
        self.s = str_arg(f, args[0])
    return None


@reg.method(S, "initialize_copy", "replace", arity=1)
def replace(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    mutate(f, self, str_arg(f, args[0]))
    return self


# --- basics ----------------------------------------------------------------------

@reg.method(S, "to_s", "to_str", arity=0)
def to_s(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if self.cls is not None and not self.cls.is_singleton:
        return RString(self.s)     # an instance of a String subclass
    return self


@reg.method(S, "inspect", arity=0)
def inspect(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RString(inspect_string(self.s))


@reg.method(S, "dump", arity=0)
def dump(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RString(dump_string(self.s))


@reg.method(S, "length", "size", arity=0)
def length(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return len(self.s)


@reg.method(S, "bytesize", arity=0)
def bytesize(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return len(self.s.encode("utf-8", "surrogateescape"))


@reg.method(S, "empty?", arity=0)
def empty(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return not self.s


@reg.method(S, "hash", arity=0)
def hash_(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return hash(self.s)


@reg.method(S, "==", "===", arity=1)
def eq(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if isinstance(o, RString):
        return o.s == self.s
    if isinstance(o, RObject) and f.interp.respond_to(f, o, "to_str", True):
        return truthy(f.interp.send(f, o, "==", [self]))
    return False


@reg.method(S, "eql?", arity=1)
def eql(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    return isinstance(o, RString) and o.s == self.s


@reg.method(S, "<=>", arity=1)
def cmp(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if not isinstance(o, RString):
        return None
    return f.interp.cmp(f, self, o)


@reg.method(S, "+", arity=1)
def plus(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    return RString(self.s + (o.s if o.__class__ is RString else str_arg(f, o)))


@reg.method(S, "*", arity=1)
def times(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    n = int_arg(f, args[0])
    if n < 0:
        raise f.interp.error("ArgumentError", "negative argument")
    if n * len(self.s) > 1 << 28:
        raise f.interp.error("ArgumentError", "argument too big")
    return RString(self.s * n)


@reg.method(S, "%", arity=1)
def format_op(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    from .kernel_functions import do_format
    a = args[0]
    values = list(a) if isinstance(a, RArray) else [a]
    return RString(do_format(f, self.s, values))


@reg.method(S, "<<", "concat", arity=-1)
def append(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    parts = []
    for o in args:
        if o.__class__ is int:
            if o < 0 or o > 0x10FFFF:
                raise f.interp.error("RangeError", f"{o} out of char range")
            parts.append(chr(o))
        else:
            parts.append(o.s if o.__class__ is RString else str_arg(f, o))
    mutate(f, self, self.s + "".join(parts))
    return self


@reg.method(S, "prepend", arity=-1)
def prepend(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    mutate(f, self, "".join(str_arg(f, o) for o in args) + self.s)
    return self


@reg.method(S, "insert", arity=2)
def insert(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    idx = int_arg(f, args[0])
    other = str_arg(f, args[1])
    n = len(self.s)
    if idx < 0:
        idx += n + 1
    if idx < 0 or idx > n:
        raise f.interp.error("IndexError", f"index {int_arg(f, args[0])} out of string")
    mutate(f, self, self.s[:idx] + other + self.s[idx:])
    return self


@reg.method(S, "clear", arity=0)
def clear(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    mutate(f, self, "")
    return self


@reg.method(S, "freeze", arity=0)
def freeze(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    self.frozen = True
    return self


@reg.method(S, "+@", arity=0)
def unary_plus(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.s) if self.frozen else self


@reg.method(S, "-@", "dedup", arity=0)
def unary_minus(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return self if self.frozen else RString(self.s, frozen=True)


@reg.method(S, "to_sym", "intern", arity=0)
def to_sym(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RSymbol.get(self.s)


@reg.method(S, "to_i", arity=(0, 1))
def to_i(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    base = int_arg(f, args[0]) if args else 10
    if base < 0 or base == 1 or base > 36:
        raise f.interp.error("ArgumentError", f"invalid radix {base}")
    return T.parse_int_prefix(self.s, base or 10)


@reg.method(S, "to_f", arity=0)
def to_f(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return T.parse_float_prefix(self.s)


@reg.method(S, "hex", arity=0)
def hex_(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return T.parse_hex(self.s)


@reg.method(S, "oct", arity=0)
def oct_(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return T.parse_oct(self.s)


@reg.method(S, "ord", arity=0)
def ord_(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if not self.s:
        raise f.interp.error("ArgumentError", "empty string")
    c = self.s[0]
    if 0xDC80 <= ord(c) <= 0xDCFF:
        raise f.interp.error("ArgumentError", "invalid byte sequence in UTF-8")
    return ord(c)


@reg.method(S, "chr", arity=0)
def chr_(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.s[:1])


@reg.method(S, "succ", "next", arity=0)
def succ(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RString(T.string_succ(self.s))


@reg.method(S, "succ!", "next!", arity=0)
def succ_bang(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    mutate(f, self, T.string_succ(self.s))
    return self


@reg.method(S, "upto", arity=(1, 2))
def upto(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "upto", args)
    last = str_arg(f, args[0])
    excl = len(args) > 1 and truthy(args[1])
    cur = self.s
    c = f.interp.cmp(f, self, RString(last))
    if c is None or c > 0 or (excl and c == 0):
        return self
    while True:
        if len(cur) > len(last):
            break
        if cur == last:
            if not excl:
                blk.code.call(blk, f, [RString(cur)], None)
            break
        blk.code.call(blk, f, [RString(cur)], None)
        cur = T.string_succ(cur)
    return self


# --- case -----------------------------------------------------------------------------

def _case(name: str, fn: Any) -> None:
    def plain(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
        return RString(fn(self.s))

    def bang(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
        new = fn(self.s)
        if new == self.s:
            if self.frozen:
                raise f.interp.frozen_error(f, self)
            return None
        mutate(f, self, new)
        return self
    reg.method(S, name, arity=(0, 2))(plain)
    reg.method(S, name + "!", arity=(0, 2))(bang)


def _capitalize(s: str) -> str:
    # Ruby title-cases the first character ("ǆ" → "ǅ", "ß" → "Ss").
    return s[:1].title() + _downcase(s[1:]) if s else s


def _downcase(s: str) -> str:
    # Ruby has no final-sigma rule: "ΣΑΣ".downcase is "σασ".
    return s.replace("\u03a3", "\u03c3").lower()


def _swapcase(s: str) -> str:
    return s.swapcase()


@reg.setup
def _cases(interp: Any) -> None:
    _case("upcase", str.upper)
    _case("downcase", _downcase)
    _case("capitalize", _capitalize)
    _case("swapcase", _swapcase)
    _case("strip", lambda s: T.strip_chars(s, True, True))
    _case("lstrip", lambda s: T.strip_chars(s, True, False))
    _case("rstrip", lambda s: T.strip_chars(s, False, True))
    _case("reverse", lambda s: s[::-1])
    _case("chop", _chop)


def _squeeze_all(s: str) -> str:
    out = []
    for c in s:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _chop(s: str) -> str:
    if s.endswith("\r\n"):
        return s[:-2]
    return s[:-1]


@reg.method(S, "squeeze", arity=-1)
def squeeze(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RString(_squeeze(f, self.s, args))


@reg.method(S, "squeeze!", arity=-1)
def squeeze_bang(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    new = _squeeze(f, self.s, args)
    if new == self.s:
        return None
    mutate(f, self, new)
    return self


def _squeeze(f: Any, s: str, args: list) -> str:
    if not args:
        return _squeeze_all(s)
    sets = [T.CharSet(str_arg(f, a)) for a in args]
    out: list[str] = []
    for c in s:
        if out and out[-1] == c and T.in_all(c, sets):
            continue
        out.append(c)
    return "".join(out)


@reg.method(S, "casecmp", arity=1)
def casecmp(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if not isinstance(o, RString):
        if isinstance(o, RSymbol) or o is None or o.__class__ in (int, float):
            raise f.interp.error("TypeError",
                                 f"no implicit conversion of {f.interp.conv_name(o)} into String")
        return None
    a = "".join(c.lower() if c.isascii() else c for c in self.s)
    b = "".join(c.lower() if c.isascii() else c for c in o.s)
    return f.interp.cmp(f, RString(a), RString(b))


@reg.method(S, "casecmp?", arity=1)
def casecmp_p(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    o = args[0]
    if not isinstance(o, RString):
        if isinstance(o, RSymbol) or o is None or o.__class__ in (int, float):
            raise f.interp.error("TypeError",
                                 f"no implicit conversion of {f.interp.conv_name(o)} into String")
        return None
    return self.s.casefold() == o.s.casefold()


# --- predicates and searching ----------------------------------------------------------

@reg.method(S, "include?", arity=1)
def include(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return str_arg(f, args[0]) in self.s


@reg.method(S, "start_with?", arity=-1)
def start_with(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    for a in args:
        if isinstance(a, RRegexp):
            m = a.pattern.match(self.s)
            if m is not None:
                from ..objects import RMatchData
                f.home.last_match = RMatchData(m, a, self.s)
                return True
        elif self.s.startswith(str_arg(f, a)):
            return True
    return False


@reg.method(S, "end_with?", arity=-1)
def end_with(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return any(self.s.endswith(str_arg(f, a)) for a in args)


@reg.method(S, "delete_prefix", arity=1)
def delete_prefix(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    p = str_arg(f, args[0])
    return RString(self.s[len(p):] if p and self.s.startswith(p) else self.s)


@reg.method(S, "delete_suffix", arity=1)
def delete_suffix(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    p = str_arg(f, args[0])
    return RString(self.s[:-len(p)] if p and self.s.endswith(p) else self.s)


@reg.method(S, "chomp", arity=(0, 1))
def chomp(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    sep = _sep_arg(f, args)
    return RString(T.chomp(self.s, sep) if sep is not False else self.s)


@reg.method(S, "chomp!", arity=(0, 1))
def chomp_bang(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    sep = _sep_arg(f, args)
    if sep is False:
        return None
    new = T.chomp(self.s, sep)
    if new == self.s:
        return None
    mutate(f, self, new)
    return self


def _sep_arg(f: Any, args: list) -> Any:
    if not args:
        return None
    if args[0] is None:
        return False
    return str_arg(f, args[0])


def _justify(f: Any, self: RString, args: list, mode: str) -> RString:
    width = int_arg(f, args[0])
    pad = str_arg(f, args[1]) if len(args) > 1 else " "
    if not pad:
        raise f.interp.error("ArgumentError", "zero width padding")
    s = self.s
    n = width - len(s)
    if n <= 0:
        return RString(s)
    if mode == "l":
        return RString(s + (pad * n)[:n])
    if mode == "r":
        return RString((pad * n)[:n] + s)
    left = n // 2
    right = n - left
    return RString((pad * left)[:left] + s + (pad * right)[:right])


@reg.method(S, "center", arity=(1, 2))
def center(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return _justify(f, self, args, "c")


@reg.method(S, "ljust", arity=(1, 2))
def ljust(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return _justify(f, self, args, "l")


@reg.method(S, "rjust", arity=(1, 2))
def rjust(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return _justify(f, self, args, "r")


# --- tr, delete, count -------------------------------------------------------------------

def _charset(f: Any, spec: str) -> T.CharSet:
    try:
        return T.CharSet(spec)
    except ValueError as e:
        raise f.interp.error("ArgumentError", str(e)) from None


@reg.method(S, "tr", arity=2)
def tr(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    _charset(f, str_arg(f, args[0]))
    return RString(T.translate(self.s, str_arg(f, args[0]), str_arg(f, args[1])))


@reg.method(S, "tr!", arity=2)
def tr_bang(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    new = T.translate(self.s, str_arg(f, args[0]), str_arg(f, args[1]))
    if new == self.s:
        return None
    mutate(f, self, new)
    return self


@reg.method(S, "tr_s", arity=2)
def tr_s(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RString(T.translate(self.s, str_arg(f, args[0]), str_arg(f, args[1]), squeeze=True))


def _sets(f: Any, args: list) -> list[T.CharSet]:
    if not args:
        raise f.interp.error("ArgumentError", "wrong number of arguments (given 0, expected 1+)")
    return [_charset(f, str_arg(f, a)) for a in args]


@reg.method(S, "delete", arity=-1)
def delete(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    sets = _sets(f, args)
    return RString("".join(c for c in self.s if not T.in_all(c, sets)))


@reg.method(S, "delete!", arity=-1)
def delete_bang(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    sets = _sets(f, args)
    new = "".join(c for c in self.s if not T.in_all(c, sets))
    if new == self.s:
        return None
    mutate(f, self, new)
    return self


@reg.method(S, "count", arity=-1)
def count(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    sets = _sets(f, args)
    return sum(1 for c in self.s if T.in_all(c, sets))


# --- iteration -----------------------------------------------------------------------------

def _lines(f: Any, self: RString, args: list, kw: Any) -> list[str]:
    sep: Any = "\n"
    if args:
        sep = None if args[0] is None else str_arg(f, args[0])
    chomp_lines = kw is not None and truthy(kw.get(sym("chomp")))
    return T.each_line(self.s, sep, chomp_lines)


@reg.method(S, "lines", arity=(0, 1), kw=True)
def lines(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    items = _lines(f, self, args, kw)
    if blk is not None:
        for line in items:
            blk.code.call(blk, f, [RString(line)], None)
        return self
    return RArray(RString(x) for x in items)


@reg.method(S, "each_line", arity=(0, 1), kw=True)
def each_line(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "each_line", args)
    for line in _lines(f, self, args, kw):
        blk.code.call(blk, f, [RString(line)], None)
    return self


@reg.method(S, "chars", arity=0)
def chars(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RArray(RString(c) for c in self.s)


@reg.method(S, "each_char", arity=0)
def each_char(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "each_char", [], size=lambda: len(self.s))
    for c in self.s:
        blk.code.call(blk, f, [RString(c)], None)
    return self


@reg.method(S, "bytes", arity=0)
def bytes_(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RArray(self.s.encode("utf-8", "surrogateescape"))


@reg.method(S, "each_byte", arity=0)
def each_byte(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    if blk is None:
        return enum_for(f, self, "each_byte", [])
    for b in self.s.encode("utf-8", "surrogateescape"):
        blk.code.call(blk, f, [b], None)
    return self


@reg.method(S, "getbyte", arity=1)
def getbyte(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    data = self.s.encode("utf-8", "surrogateescape")
    i = int_arg(f, args[0])
    if i < 0:
        i += len(data)
    return data[i] if 0 <= i < len(data) else None


# --- encoding ---------------------------------------------------------------------------------

@reg.method(S, "encoding", arity=0)
def encoding(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return f.interp.Encoding.consts["UTF_8"]


@reg.method(S, "force_encoding", "encode", arity=(0, 3), kw=True)
def force_encoding(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return self


@reg.method(S, "b", "scrub", arity=(0, 1))
def b(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return RString(self.s)


@reg.method(S, "valid_encoding?", arity=0)
def valid_encoding(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return not any(0xDC80 <= ord(c) <= 0xDCFF for c in self.s)


@reg.method(S, "ascii_only?", arity=0)
def ascii_only(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    return self.s.isascii()


@reg.method(S, "unicode_normalize", arity=(0, 1))
def unicode_normalize(f: Any, self: RString, args: list, kw: Any, blk: Any) -> Any:
    form = args[0].name.upper() if args and isinstance(args[0], RSymbol) else "NFC"
    if form not in ("NFC", "NFD", "NFKC", "NFKD"):
        raise f.interp.error("ArgumentError", f"Invalid normalization form {form.lower()}.")
    return RString(unicodedata.normalize(form, self.s))


@reg.setup
def _encoding(interp: Any) -> None:
    enc = interp.Encoding
    for name in ("UTF_8", "ASCII_8BIT", "US_ASCII", "BINARY"):
        label = {"UTF_8": "UTF-8", "ASCII_8BIT": "ASCII-8BIT", "BINARY": "ASCII-8BIT",
                 "US_ASCII": "US-ASCII"}[name]
        obj = RObject(enc, label)
        enc.consts[name] = obj

    def enc_to_s(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(self.payload)

    def enc_inspect(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return RString(f"#<Encoding:{self.payload}>")
    reg.method("Encoding", "to_s", "name", arity=0)(enc_to_s)
    reg.method("Encoding", "inspect", arity=0)(enc_inspect)

