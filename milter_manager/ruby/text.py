"""Ruby text rendering: String#inspect / #dump, Float#to_s, Symbol#inspect,
`format`/`String#%`, Shellwords (show-config.md §4.1–§4.3, ruby-subset.md
§6, §7.1, §8.9).

Strings are Python `str`; bytes that were not valid UTF-8 are kept as
surrogate escapes (U+DC80–U+DCFF) and render as `\\xHH`, as Ruby renders an
invalid byte.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

# --- String#inspect / String#dump -----------------------------------------

# Code points assigned in Unicode 14.0 (Python 3.11's `unicodedata`) but not in
# Unicode 13.0, the version of the reference Ruby 3.1: Ruby escapes them as
# unassigned (show-config.md §4.1).
_UNICODE_14_ADDITIONS = (
    (0x061D, 0x061D), (0x0870, 0x088E), (0x0890, 0x0891), (0x0898, 0x089F),
    (0x08B5, 0x08B5), (0x08C8, 0x08D2), (0x0C3C, 0x0C3C), (0x0C5D, 0x0C5D),
    (0x0CDD, 0x0CDD), (0x170D, 0x170D), (0x1715, 0x1715), (0x171F, 0x171F),
    (0x180F, 0x180F), (0x1AC1, 0x1ACE), (0x1B4C, 0x1B4C), (0x1B7D, 0x1B7E),
    (0x1DFA, 0x1DFA), (0x20C0, 0x20C0), (0x2C2F, 0x2C2F), (0x2C5F, 0x2C5F),
    (0x2E53, 0x2E5D), (0x9FFD, 0x9FFF), (0xA7C0, 0xA7C1), (0xA7D0, 0xA7D1),
    (0xA7D3, 0xA7D3), (0xA7D5, 0xA7D9), (0xA7F2, 0xA7F4), (0xFBC2, 0xFBC2),
    (0xFD40, 0xFD4F), (0xFDCF, 0xFDCF), (0xFDFE, 0xFDFF), (0x10570, 0x1057A),
    (0x1057C, 0x1058A), (0x1058C, 0x10592), (0x10594, 0x10595), (0x10597, 0x105A1),
    (0x105A3, 0x105B1), (0x105B3, 0x105B9), (0x105BB, 0x105BC), (0x10780, 0x10785),
    (0x10787, 0x107B0), (0x107B2, 0x107BA), (0x10F70, 0x10F89), (0x11070, 0x11075),
    (0x110C2, 0x110C2), (0x116B9, 0x116B9), (0x11740, 0x11746), (0x11AB0, 0x11ABF),
    (0x12F90, 0x12FF2), (0x16A70, 0x16ABE), (0x16AC0, 0x16AC9), (0x1AFF0, 0x1AFF3),
    (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE), (0x1B11F, 0x1B122), (0x1CF00, 0x1CF2D),
    (0x1CF30, 0x1CF46), (0x1CF50, 0x1CFC3), (0x1D1E9, 0x1D1EA), (0x1DF00, 0x1DF1E),
    (0x1E290, 0x1E2AE), (0x1E7E0, 0x1E7E6), (0x1E7E8, 0x1E7EB), (0x1E7ED, 0x1E7EE),
    (0x1E7F0, 0x1E7FE), (0x1F6DD, 0x1F6DF), (0x1F7F0, 0x1F7F0), (0x1F979, 0x1F979),
    (0x1F9CC, 0x1F9CC), (0x1FA7B, 0x1FA7C), (0x1FAA9, 0x1FAAC), (0x1FAB7, 0x1FABA),
    (0x1FAC3, 0x1FAC5), (0x1FAD7, 0x1FAD9), (0x1FAE0, 0x1FAE7), (0x1FAF0, 0x1FAF6),
    (0x2A6DE, 0x2A6DF), (0x2B735, 0x2B738),
)
_UNICODE_14_SET = frozenset(
    cp for lo, hi in _UNICODE_14_ADDITIONS for cp in range(lo, hi + 1)
)

_NAMED_ESCAPES = {
    "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f",
    "\v": "\\v", "\b": "\\b", "\x07": "\\a", "\x1b": "\\e",
    '"': '\\"', "\\": "\\\\",
}

# Candidates for escaping; the callback decides for non-ASCII characters.
_INSPECT_CANDIDATES = re.compile(r'[^ !#-\[\]-~]|#(?=[{$@])')
_DUMP_CANDIDATES = _INSPECT_CANDIDATES


def _unicode_escape(cp: int) -> str:
    return f"\\u{cp:04X}" if cp <= 0xFFFF else f"\\u{{{cp:X}}}"


def _bytes_escape(ch: str) -> str:
    """A lone surrogate: an invalid byte kept by `surrogateescape`, or (any
    other surrogate) the bytes Ruby would hold for it."""
    cp = ord(ch)
    if 0xDC80 <= cp <= 0xDCFF:
        return f"\\x{cp - 0xDC00:02X}"
    return "".join(f"\\x{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))


def _is_unassigned(cp: int) -> bool:
    return cp in _UNICODE_14_SET or unicodedata.category(chr(cp)) == "Cn"


def _inspect_char(m: re.Match) -> str:
    ch = m.group(0)
    named = _NAMED_ESCAPES.get(ch)
    if named is not None:
        return named
    if ch == "#":
        return "\\#"
    cp = ord(ch)
    if cp < 0x20 or 0x7F <= cp <= 0x84 or 0x86 <= cp <= 0x9F or cp in (0x2028, 0x2029):
        return _unicode_escape(cp)
    if 0xD800 <= cp <= 0xDFFF:
        return _bytes_escape(ch)
    if cp > 0x9F and _is_unassigned(cp):
        return _unicode_escape(cp)
    return ch


def inspect_string(s: str) -> str:
    """Ruby String#inspect of a UTF-8 string, with the quotes (show-config.md §4.1)."""
    # [deviation] always as under a UTF-8 locale (show-config.md §4.1; DEVIATIONS.md R2)
    return '"' + _INSPECT_CANDIDATES.sub(_inspect_char, s) + '"'


def _dump_char(m: re.Match) -> str:
    ch = m.group(0)
    named = _NAMED_ESCAPES.get(ch)
    if named is not None:
        return named
    if ch == "#":
        return "\\#"
    cp = ord(ch)
    if cp < 0x80:
        return f"\\x{cp:02X}"
    if 0xD800 <= cp <= 0xDFFF:
        return _bytes_escape(ch)
    return _unicode_escape(cp)


def dump_string(s: str) -> str:
    """Ruby String#dump (show-config.md §4.2)."""
    return '"' + _DUMP_CANDIDATES.sub(_dump_char, s) + '"'


def _inspect_ascii_string(s: str) -> str:
    """String#inspect of an ASCII-only string whose encoding is US-ASCII (what
    Ruby gives a Symbol's name): control characters as `\\xHH`."""
    def char(m: re.Match) -> str:
        ch = m.group(0)
        named = _NAMED_ESCAPES.get(ch)
        if named is not None:
            return named
        if ch == "#":
            return "\\#"
        return f"\\x{ord(ch):02X}"
    return '"' + _INSPECT_CANDIDATES.sub(char, s) + '"'


# --- Float#to_s ---------------------------------------------------------------

def float_to_s(f: float) -> str:
    """Ruby Float#to_s (show-config.md §4.3): shortest round-trip digits, fixed
    notation for 1e-4 <= |x| < 1e15, else `d.ddd e+XX`."""
    if math.isnan(f):
        return "NaN"
    if f == math.inf:
        return "Infinity"
    if f == -math.inf:
        return "-Infinity"
    if f == 0.0:
        return "-0.0" if math.copysign(1.0, f) < 0 else "0.0"
    sign = "-" if f < 0 else ""
    r = repr(abs(f))
    mantissa, _, exp_text = r.partition("e")
    exp = int(exp_text) if exp_text else 0
    int_part, _, frac_part = mantissa.partition(".")
    all_digits = int_part + frac_part
    stripped = all_digits.lstrip("0")
    leading_zeros = len(all_digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    e = exp + len(int_part) - 1 - leading_zeros   # value = d1.d2... × 10^e
    # show-config.md §4.3 says fixed for -4 <= e < 15; Ruby 3.1 also keeps
    # fixed notation at e == 15 when there are digits after the point
    # (1234567890123456.8.to_s == "1234567890123456.8", 1e15 → "1.0e+15").
    if -4 <= e < 15 or (e == 15 and len(digits) > 16):
        if e >= 0:
            whole = digits[:e + 1].ljust(e + 1, "0")
            frac = digits[e + 1:] or "0"
            return f"{sign}{whole}.{frac}"
        return f"{sign}0.{'0' * (-e - 1)}{digits}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}e{'+' if e >= 0 else '-'}{abs(e):02d}"


# --- Symbol#inspect -----------------------------------------------------------

_OPERATOR_SYMBOLS = frozenset(
    ["+", "-", "*", "/", "%", "**", "==", "===", "!=", "=~", "!~", "<", "<=", ">", ">=", "<=>", "<<", ">>", "&", "|", "^", "~", "!", "[]", "[]=", "+@", "-@", "`"]
)
# (a negated ASCII class is much cheaper to compile than a range up to U+10FFFF)
_IDENT = r"(?:[A-Za-z_]|[^\x00-\x7f])(?:[A-Za-z0-9_]|[^\x00-\x7f])*"
_PLAIN_SYMBOL = re.compile(
    rf"(?:{_IDENT}[?!=]?"
    rf"|@@?{_IDENT}"
    rf"|\$(?:{_IDENT}|[~*$?!@/\\;,.=:<>\"&`'+0]|[1-9][0-9]*|-[A-Za-z0-9_]))\Z"
)


def inspect_symbol(name: str) -> str:
    """Ruby Symbol#inspect (ruby-subset.md §7.1): `:name` or `:"…"`."""
    if name in _OPERATOR_SYMBOLS or (
        _PLAIN_SYMBOL.match(name)
        # Ruby also requires every character to be printable (no \u escape)
        and (name.isascii() or _INSPECT_CANDIDATES.sub(_inspect_char, name) == name)
    ):
        return ":" + name
    if name.isascii():
        return ":" + _inspect_ascii_string(name)
    return ":" + inspect_string(name)


# --- format / String#% ---------------------------------------------------------

class FormatError(Exception):
    """Base of the errors `format_string` raises; `ruby_class` names the Ruby
    exception the interpreter raises with `message`."""

    ruby_class = "ArgumentError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FormatArgumentError(FormatError, ValueError):
    ruby_class = "ArgumentError"


class FormatTypeError(FormatError, TypeError):
    ruby_class = "TypeError"


class FormatKeyError(FormatError, KeyError):
    ruby_class = "KeyError"


class FormatRangeError(FormatError, ValueError):
    ruby_class = "RangeError"


class FormatFloatDomainError(FormatRangeError):
    ruby_class = "FloatDomainError"


_RUBY_SPACE = "[ \t\n\v\f\r]*"
_INT_LITERAL = re.compile(
    _RUBY_SPACE + r"(?P<sign>[-+]?)(?:"
    r"0[xX](?P<hex>[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)"
    r"|0[bB](?P<bin>[01]+(?:_[01]+)*)"
    r"|0[oO]?_?(?P<oct>[0-7]+(?:_[0-7]+)*)"
    r"|0[dD](?P<dec0>[0-9]+(?:_[0-9]+)*)"
    r"|(?P<dec>[1-9][0-9]*(?:_[0-9]+)*|0)"
    r")" + _RUBY_SPACE + r"\Z"
)
_FLOAT_LITERAL = re.compile(
    _RUBY_SPACE + r"[-+]?(?:[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?|\.[0-9]+(?:_[0-9]+)*)"
    r"(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?" + _RUBY_SPACE + r"\Z"
)
_HEX_FLOAT_LITERAL = re.compile(
    _RUBY_SPACE + r"(?P<sign>[-+]?)0[xX](?P<hex>[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)" + _RUBY_SPACE + r"\Z"
)


def _string_to_integer(s: str) -> int:
    """Kernel#Integer of a String (ruby-subset.md §6)."""
    m = _INT_LITERAL.match(s)
    if not m:
        raise FormatArgumentError(f"invalid value for Integer(): {inspect_string(s)}")
    sign = -1 if m.group("sign") == "-" else 1
    for group, base in (("hex", 16), ("bin", 2), ("oct", 8), ("dec0", 10), ("dec", 10)):
        digits = m.group(group)
        if digits is not None:
            return sign * int(digits.replace("_", ""), base)
    raise AssertionError("unreachable")


def _string_to_float(s: str) -> float:
    """Kernel#Float of a String: decimal (no octal reading of `07`) or hex."""
    if _FLOAT_LITERAL.match(s):
        return float(s.replace("_", "").strip(" \t\n\v\f\r"))
    m = _HEX_FLOAT_LITERAL.match(s)
    if m:
        value = float(int(m.group("hex").replace("_", ""), 16))
        return -value if m.group("sign") == "-" else value
    raise FormatArgumentError(f"invalid value for Float(): {inspect_string(s)}")


def _to_integer(arg: Any, to_i: Callable[[Any], int] | None) -> int:
    """The Integer a numeric directive formats (Kernel#Integer semantics)."""
    if arg is None:
        raise FormatTypeError("can't convert nil into Integer")
    if arg is True or arg is False:
        raise FormatTypeError(f"can't convert {'true' if arg else 'false'} into Integer")
    if isinstance(arg, int):
        return arg
    if isinstance(arg, float):
        if not math.isfinite(arg):
            raise FormatFloatDomainError(float_to_s(arg))
        return int(arg)  # toward zero (ruby-subset.md §6)
    if isinstance(arg, str):
        return _string_to_integer(arg)
    if to_i is not None:
        return to_i(arg)
    raise FormatTypeError(f"can't convert {type(arg).__name__} into Integer")


def _to_width(arg: Any, to_i: Callable[[Any], int] | None) -> int:
    """A `*` width or precision: implicit conversion only (no Strings)."""
    if arg is None:
        raise FormatTypeError("no implicit conversion from nil to integer")
    if arg is True or arg is False or isinstance(arg, str):
        name = {True: "true", False: "false"}.get(arg, "String") if not isinstance(arg, str) else "String"
        raise FormatTypeError(f"no implicit conversion of {name} into Integer")
    return _to_integer(arg, to_i)


def _to_float(arg: Any, to_f: Callable[[Any], float] | None) -> float:
    if arg is None:
        raise FormatTypeError("can't convert nil into Float")
    if arg is True or arg is False:
        raise FormatTypeError(f"can't convert {'true' if arg else 'false'} into Float")
    if isinstance(arg, float):
        return arg
    if isinstance(arg, int):
        try:
            return float(arg)
        except OverflowError:
            return math.inf if arg > 0 else -math.inf
    if isinstance(arg, str):
        return _string_to_float(arg)
    if to_f is not None:
        return to_f(arg)
    raise FormatTypeError(f"can't convert {type(arg).__name__} into Float")


_BASES = {"x": 16, "X": 16, "o": 8, "b": 2, "B": 2}
_PREFIXES = {"x": "0x", "X": "0X", "o": "0", "b": "0b", "B": "0B"}


def _digits(value: int, base: int) -> str:
    return format(value, {16: "x", 8: "o", 2: "b"}.get(base, "d"))


def _twos_complement(value: int, base: int) -> str:
    """Digits of a negative number as Ruby shows it without a sign: the
    shortest two's complement whose top digit is the base's largest
    (`-255` → `f01`, shown as `..f01`)."""
    n = 1
    while base ** n + value < (base - 1) * base ** (n - 1):
        n += 1
    return _digits(base ** n + value, base).rjust(n, "0")


def _pad(body: str, width: int | None, left: bool) -> str:
    if width is None or len(body) >= width:
        return body
    return body.ljust(width) if left else body.rjust(width)


def _sign(negative: bool, flags: str) -> str:
    return "-" if negative else "+" if "+" in flags else " " if " " in flags else ""


def _format_integer(value: int, conv: str, flags: str, width: int | None,
                    prec: int | None) -> str:
    left = "-" in flags
    zero = "0" in flags and not left and prec is None
    alt = "#" in flags
    base = _BASES.get(conv, 10)
    if value < 0 and base != 10 and "+" not in flags and " " not in flags:
        # Ruby shows a negative %x/%o/%b without a sign flag as two's
        # complement after `..`; padding repeats the top digit.
        digits = _twos_complement(value, base)
        fill = digits[0]
        if conv == "X":
            digits, fill = digits.upper(), fill.upper()
        prefix = _PREFIXES[conv] if alt and conv != "o" else ""
        if prec is not None:
            digits = digits.rjust(prec - 2, fill)
        elif zero and width is not None:
            digits = digits.rjust(width - 2 - len(prefix), fill)
        return _pad(prefix + ".." + digits, width, left)
    digits = _digits(abs(value), base)
    if conv == "X":
        digits = digits.upper()
    if prec is not None:
        # C semantics: precision 0 prints no digits for 0
        digits = "" if prec == 0 and value == 0 else digits.rjust(prec, "0")
    prefix = ""
    if alt and conv == "o":
        prefix = "" if digits.startswith("0") else "0"
    elif alt and base != 10 and value != 0:
        prefix = _PREFIXES[conv]
    head = _sign(value < 0, flags) + prefix
    if zero and width is not None:
        digits = digits.rjust(width - len(head), "0")
    return _pad(head + digits, width, left)


def _format_exact_integer_f(value: int, flags: str, width: int | None, prec: int | None) -> str:
    """`%f` of an Integer: Ruby formats the exact value, not a Float."""
    digits = str(abs(value))
    prec = 6 if prec is None else prec
    if prec > 0:
        digits += "." + "0" * prec
    head = _sign(value < 0, flags)
    if "0" in flags and "-" not in flags and width is not None:
        digits = digits.rjust(width - len(head), "0")
    return _pad(head + digits, width, "-" in flags)


def _hex_float(value: float, prec: int | None) -> str:
    """C99 `%a` digits of a finite non-negative float: `1.8p+1`."""
    if value == 0.0:
        mantissa, exp = 0, 0
        lead = 0
    else:
        m, e = math.frexp(value)            # value = m × 2**e, 0.5 <= m < 1
        bits = int(m * (1 << 53))           # 53 significant bits, leading 1
        lead, mantissa, exp = 1, bits - (1 << 52), e - 1
    frac = format(mantissa, "013x")
    if prec is None:
        frac = frac.rstrip("0")
    elif prec < 13:
        shift = (13 - prec) * 4
        rounded = (mantissa + (1 << (shift - 1))) >> shift
        if rounded >> (prec * 4):
            lead, rounded = lead + 1, 0
        frac = format(rounded, f"0{prec}x") if prec else ""
    else:
        frac = frac.ljust(prec, "0")
    return f"{lead}" + (f".{frac}" if frac else "") + f"p{'+' if exp >= 0 else '-'}{abs(exp)}"


def _ruby_rounding(value: float, conv: str, prec: int | None) -> tuple[float, bool]:
    """Ruby's dtoa takes a shortcut when at most 14 significant digits are
    asked for: a value whose shortest decimal form is a tie at the cut (ends in
    a 5 just past it) is rounded half-even on those decimal digits
    (`"%.2f" % 2.675` is "2.68", `"%.2f" % 44.405` is "44.40"), where C rounds
    the exact binary value. Returns the value to format and whether it was such
    a tie rounded down against the exact value (then `%g` keeps its trailing
    zeros). Known difference: for some non-tie values printed with exactly 14
    significant digits Ruby's shortcut is off by one in the last digit
    (`"%.14g" % 942385.2467937544`); we print the correctly rounded digits."""
    if value == 0.0:
        return value, False
    shortest = Decimal(repr(value))
    if conv in "eE":
        digits = (6 if prec is None else prec) + 1
    elif conv in "gG":
        digits = 6 if prec is None else max(prec, 1)
    else:
        digits = shortest.adjusted() + 1 + (6 if prec is None else prec)
    all_digits = shortest.as_tuple().digits
    if not 1 <= digits <= 14 or len(all_digits) != digits + 1 or all_digits[-1] != 5:
        return value, False
    quantum = Decimal(1).scaleb(shortest.adjusted() - digits + 1)
    rounded = shortest.quantize(quantum, rounding=ROUND_HALF_EVEN)
    # Ruby's `%g` keeps trailing zeros when that rounding went down although
    # the exact binary value lies above the tie ("%.2g" % 9.05 == "9.0").
    against_exact = abs(rounded) < abs(shortest) < abs(Decimal(value))
    return float(rounded), against_exact


def _format_float(value: float, conv: str, flags: str, width: int | None,
                  prec: int | None) -> str:
    left = "-" in flags
    if not math.isfinite(value):
        text = "NaN" if math.isnan(value) else "Inf"
        return _pad(_sign(value < 0, flags) + text, width, left)
    if conv in "aA":
        negative = math.copysign(1.0, value) < 0
        head = _sign(negative, flags) + "0x"
        body = _hex_float(abs(value), prec)
        if "0" in flags and not left and width is not None:
            body = body.rjust(width - len(head), "0")
        text = head + body
        return _pad(text.upper() if conv == "A" else text, width, left)
    value, tie = _ruby_rounding(value, conv, prec)
    precision = "" if prec is None else f".{prec}"
    if not (tie and conv in "gG" and "#" not in flags):
        spec = "%" + "".join(c for c in "-+ 0#" if c in flags)
        return f"{spec}{'' if width is None else width}{precision}{conv}" % value
    # `%g` of a tie keeps its trailing zeros, like `#` but without forcing a
    # decimal point.
    text = re.sub(r"\.(?=[eE]|$)", "", (f"%{_sign(False, flags)}#{precision}{conv}") % value)
    if width is not None and "0" in flags and not left:
        sign = text[0] if text[0] in "+- " else ""
        text = sign + text[len(sign):].rjust(width - len(sign), "0")
    return _pad(text, width, left)


_FLAG_CHARS = frozenset("-+ 0#")


class _Arguments:
    """Ruby's argument selection for format: unnumbered, `N$` and named
    references may not be mixed (sprintf's own messages)."""

    def __init__(self, args: Sequence[Any], named: Callable[[str], Any] | None) -> None:
        self.args = args
        self.named = named
        self.next = 0
        self.mode: str | None = None

    def unnumbered(self) -> Any:
        if self.mode == "numbered":
            raise FormatArgumentError(f"unnumbered({self.next + 1}) mixed with numbered")
        if self.mode == "named":
            raise FormatArgumentError(f"unnumbered({self.next + 1}) mixed with named")
        self.mode = "unnumbered"
        if self.next >= len(self.args):
            raise FormatArgumentError("too few arguments")
        self.next += 1
        return self.args[self.next - 1]

    def numbered(self, n: int) -> Any:
        if self.mode == "unnumbered":
            raise FormatArgumentError(f"numbered({n}) after unnumbered({self.next})")
        if self.mode == "named":
            raise FormatArgumentError(f"numbered({n}) after named")
        self.mode = "numbered"
        if n > len(self.args):
            raise FormatArgumentError("too few arguments")
        return self.args[n - 1]

    def by_name(self, name: str, brackets: str) -> Any:
        if self.mode == "unnumbered":
            raise FormatArgumentError(f"named{brackets[0]}{name}{brackets[1]} after unnumbered({self.next})")
        if self.mode == "numbered":
            raise FormatArgumentError(f"named{brackets[0]}{name}{brackets[1]} after numbered")
        self.mode = "named"
        if self.named is None:
            raise FormatArgumentError("one hash required")
        try:
            return self.named(name)
        except KeyError:
            raise FormatKeyError(f"key{brackets[0]}{name}{brackets[1]} not found") from None


def _read_number(fmt: str, j: int) -> tuple[int, int]:
    """Digits at fmt[j:]; a directive ending inside them is malformed."""
    k = j
    while k < len(fmt) and fmt[k].isdigit() and fmt[k].isascii():
        k += 1
    if k >= len(fmt):
        raise FormatArgumentError("malformed format string - %*[0-9]")
    return (int(fmt[j:k]) if k > j else 0), k


def format_string(fmt: str, args: Sequence[Any], *, to_s: Callable[[Any], str],
                  inspect: Callable[[Any], str], to_i: Callable[[Any], int] | None = None,
                  to_f: Callable[[Any], float] | None = None,
                  named: Callable[[str], Any] | None = None) -> str:
    """Kernel#format / String#% (ruby-subset.md §6).

    `to_s`/`inspect` render Ruby objects for `%s`/`%p` (Python `str` is used
    as is for `%s`); `to_i`/`to_f` convert objects other than
    int/float/str/None/bool for numeric directives; `named(name)` looks up
    `%<name>s`/`%{name}` in the Hash argument (raising KeyError when the key is
    missing); pass None when the argument is not a Hash. Errors are
    FormatError subclasses carrying Ruby's exception class and message."""
    out: list[str] = []
    source = _Arguments(args, named)
    n = len(fmt)
    pos = 0
    while pos < n:
        i = fmt.find("%", pos)
        if i < 0:
            out.append(fmt[pos:])
            break
        out.append(fmt[pos:i])
        j = i + 1
        if j >= n:
            raise FormatArgumentError("incomplete format specifier; use %% (double %) instead")
        flags = ""
        width: int | None = None
        prec: int | None = None
        value: Any = None
        have_value = False
        while True:
            c = fmt[j] if j < n else ""
            if c and c in _FLAG_CHARS:
                if width is not None:
                    raise FormatArgumentError("flag after width")
                if prec is not None:
                    raise FormatArgumentError("flag after precision")
                flags += c
                j += 1
            elif c and "1" <= c <= "9":
                number, k = _read_number(fmt, j)
                if fmt[k] == "$":
                    if have_value:
                        raise FormatArgumentError(f"value given twice - {number}$")
                    value, have_value = source.numbered(number), True
                    j = k + 1
                else:
                    if width is not None:
                        raise FormatArgumentError("width given twice")
                    width, j = number, k
            elif c in ("<", "{"):
                close = ">" if c == "<" else "}"
                end = fmt.find(close, j + 1)
                if end < 0:
                    raise FormatArgumentError("malformed name - unmatched parenthesis")
                name = fmt[j + 1:end]
                value, have_value = source.by_name(name, c + close), True
                j = end + 1
                if c == "{":
                    # `%{name}`: the value's to_s, no conversion character
                    text = value if isinstance(value, str) else to_s(value)
                    out.append(_pad(text, width, "-" in flags))
                    break
            elif c == "*":
                j += 1
                m = _STAR_POSITION.match(fmt, j)
                if m:  # `*N$`: the width is argument N
                    w = _to_width(source.numbered(int(m.group(1))), to_i)
                    j = m.end()
                else:
                    w = _to_width(source.unnumbered(), to_i)
                if w < 0:
                    flags += "-"
                    w = -w
                width = w
            elif c == ".":
                if prec is not None:
                    raise FormatArgumentError("precision given twice")
                j += 1
                if j < n and fmt[j] == "*":
                    m = _STAR_POSITION.match(fmt, j + 1)
                    if m:
                        p = _to_width(source.numbered(int(m.group(1))), to_i)
                        j = m.end()
                    else:
                        p = _to_width(source.unnumbered(), to_i)
                        j += 1
                    prec = p if p >= 0 else None
                else:
                    prec, j = _read_number(fmt, j)
            else:
                j = _convert(fmt, j, c, flags, width, prec, value if have_value else _NO_VALUE,
                             source, out, to_s, inspect, to_i, to_f)
                break
        pos = j
    return "".join(out)


_NO_VALUE = object()
_STAR_POSITION = re.compile(r"([1-9][0-9]*)\$")


def _convert(fmt: str, j: int, c: str, flags: str, width: int | None, prec: int | None,
             value: Any, source: _Arguments, out: list[str], to_s: Callable[[Any], str],
             inspect: Callable[[Any], str], to_i: Callable[[Any], int] | None,
             to_f: Callable[[Any], float] | None) -> int:
    """Apply the conversion character `c` at fmt[j]; returns the index after it."""
    if c in ("", "\n", "\0", "%"):
        # `%%`, or a `%` at the end of the text or before a newline, is a
        # literal percent sign, but only without flags, width or precision.
        if flags or width is not None or prec is not None:
            raise FormatArgumentError("invalid format character - %")
        out.append("%")
        return j + 1 if c == "%" else j
    if c not in "spdiuxXobBfeEgGaAc":
        raise FormatArgumentError(f"malformed format string - %{c}")
    if value is _NO_VALUE:
        value = source.unnumbered()
    left = "-" in flags
    if c in "sp":
        if c == "p":
            text = inspect(value)
        else:
            text = value if isinstance(value, str) else to_s(value)
        if prec is not None:
            text = text[:prec]
        out.append(_pad(text, width, left))
    elif c in "diu":
        out.append(_format_integer(_to_integer(value, to_i), "d", flags, width, prec))
    elif c in "xXobB":
        out.append(_format_integer(_to_integer(value, to_i), c, flags, width, prec))
    elif c == "f" and isinstance(value, int) and not isinstance(value, bool):
        out.append(_format_exact_integer_f(value, flags, width, prec))
    elif c in "feEgGaA":
        out.append(_format_float(_to_float(value, to_f), c, flags, width, prec))
    else:  # %c
        if isinstance(value, str):
            if len(value) != 1:
                raise FormatArgumentError("%c requires a character")
            ch = value
        else:
            code = _to_integer(value, to_i)
            if not 0 <= code <= 0x10FFFF:
                # [deviation] Ruby emits a raw byte for some negatives (DEVIATIONS.md R6)
                raise FormatArgumentError("invalid character")
            ch = chr(code)
        out.append(_pad(ch, width, left))
    return j + 1


# --- Shellwords ---------------------------------------------------------------

class ShellwordsError(ValueError):
    """Shellwords.split on an unmatched quote (Ruby ArgumentError)."""

    ruby_class = "ArgumentError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Ruby's `\s` is ASCII white space only.
_SHELL_TOKEN = re.compile(
    r"""[ \t\n\v\f\r]*(?:([^ \t\n\v\f\r\\'"]+)|'([^']*)'|"((?:[^"\\]|\\.)*)"|(\\.?)"""
    r"""|([^ \t\n\v\f\r]))([ \t\n\v\f\r]|\Z)?""",
    re.DOTALL,
)


def shell_split(s: str) -> list[str]:
    """Shellwords.split / String#shellsplit (ruby-subset.md §8.9)."""
    words: list[str] = []
    field = ""
    pos = 0
    n = len(s)
    while pos < n:
        m = _SHELL_TOKEN.match(s, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        word, sq, dq, esc, garbage, sep = m.groups()
        if garbage is not None:
            raise ShellwordsError(f"Unmatched quote: {inspect_string(s)}")
        if word is not None:
            field += word
        elif sq is not None:
            field += sq
        elif dq is not None:
            field += re.sub(r'\\([$`"\\\n])', r"\1", dq)
        elif esc is not None:
            field += re.sub(r"\\(.)", r"\1", esc)
        if sep is not None:
            words.append(field)
            field = ""
    return words


_SHELL_UNSAFE = re.compile(r"[^A-Za-z0-9_\-.,:+/@\n]")


def shell_escape(s: str) -> str:
    """Shellwords.escape / String#shellescape (ruby-subset.md §8.9)."""
    if not s:
        return "''"
    return _SHELL_UNSAFE.sub(lambda m: "\\" + m.group(0), s).replace("\n", "'\n'")


def shell_join(a: Sequence[str]) -> str:
    """Shellwords.join / Array#shelljoin."""
    return " ".join(shell_escape(x) for x in a)
