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
_INSPECT_CANDIDATES = re.compile(r'["\\\x00-\x1f\x7f-\U0010ffff]|#(?=[{$@])')
_DUMP_CANDIDATES = re.compile(r'["\\\x00-\x1f\x7f-\U0010ffff]|#(?=[{$@])')


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
    notation for 1e-4 <= |x| < 1e16 exclusive of 1e15 and up, else `d.ddde+XX`."""
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
    if -4 <= e < 15:
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
_IDENT = r"[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*"
_PLAIN_SYMBOL = re.compile(
    rf"(?:{_IDENT}[?!=]?"
    rf"|@@?[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*"
    rf"|\$(?:{_IDENT}|[~*$?!@/\\;,.=:<>\"&`'+0]|[1-9][0-9]*|-[A-Za-z0-9_]))\Z"
)


def inspect_symbol(name: str) -> str:
    """Ruby Symbol#inspect (ruby-subset.md §7.1): `:name` or `:"…"`."""
    if name in _OPERATOR_SYMBOLS or _PLAIN_SYMBOL.match(name):
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


_DIRECTIVE = re.compile(
    r"%(?P<flags>[-+ 0#]*)"
    r"(?:(?P<pos>[1-9][0-9]*)\$)?"
    r"(?P<flags2>[-+ 0#]*)"
    r"(?:<(?P<aname>\w+)>|\{(?P<bname>\w+)\})?"
    r"(?P<flags3>[-+ 0#]*)"
    r"(?P<width>\*|[0-9]+)?"
    r"(?:\.(?P<prec>\*|[0-9]*))?"
    r"(?P<conv>.?)",
    re.DOTALL,
)

_INT_LITERAL = re.compile(
    r"\s*(?P<sign>[-+]?)(?:(?P<hex>0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)"
    r"|(?P<bin>0[bB][01]+(?:_[01]+)*)"
    r"|(?P<oct>0[oO]?[0-7]+(?:_[0-7]+)*|0[oO][0-7]+(?:_[0-7]+)*)"
    r"|(?P<dec>(?:0[dD])?[0-9]+(?:_[0-9]+)*))\s*\Z"
)
_FLOAT_LITERAL = re.compile(
    r"\s*[-+]?(?:[0-9]+(?:_[0-9]+)*)(?:\.[0-9]+(?:_[0-9]+)*)?(?:[eE][-+]?[0-9]+)?\s*\Z"
)


def _string_to_integer(s: str) -> int:
    """Kernel#Integer of a String (ruby-subset.md §6)."""
    m = _INT_LITERAL.match(s)
    if not m:
        raise FormatArgumentError(f"invalid value for Integer(): {inspect_string(s)}")
    sign = -1 if m.group("sign") == "-" else 1
    if m.group("hex"):
        return sign * int(m.group("hex")[2:].replace("_", ""), 16)
    if m.group("bin"):
        return sign * int(m.group("bin")[2:].replace("_", ""), 2)
    if m.group("oct"):
        digits = m.group("oct").lstrip("0").lstrip("oO").replace("_", "")
        return sign * int(digits or "0", 8)
    dec = m.group("dec")
    if dec[:2] in ("0d", "0D"):
        dec = dec[2:]
    return sign * int(dec.replace("_", ""))


def _string_to_float(s: str) -> float:
    if not _FLOAT_LITERAL.match(s):
        try:
            return float(_string_to_integer(s))
        except FormatArgumentError:
            raise FormatArgumentError(f"invalid value for Float(): {inspect_string(s)}") from None
    return float(s.replace("_", ""))


def _to_integer(arg: Any, to_i: Callable[[Any], int] | None) -> int:
    if arg is None:
        raise FormatTypeError("can't convert nil into Integer")
    if arg is True or arg is False:
        raise FormatTypeError(f"can't convert {'true' if arg else 'false'} into Integer")
    if isinstance(arg, int):
        return arg
    if isinstance(arg, float):
        if not math.isfinite(arg):
            raise FormatRangeError(f"{float_to_s(arg)} out of range of Integer")
        return int(arg)  # toward zero (ruby-subset.md §6)
    if isinstance(arg, str):
        return _string_to_integer(arg)
    if to_i is not None:
        return to_i(arg)
    raise FormatTypeError(f"can't convert {type(arg).__name__} into Integer")


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
    if base == 16:
        return format(value, "x")
    if base == 8:
        return format(value, "o")
    if base == 2:
        return format(value, "b")
    return str(value)


def _twos_complement(value: int, base: int) -> str:
    """Digits of a negative number as Ruby shows it without a sign: the
    shortest two's complement whose top digit is the base's largest
    (`-255` → `f01`, shown as `..f01`)."""
    n = 1
    while True:
        d = base ** n + value
        if d >= (base - 1) * base ** (n - 1):
            return _digits(d, base).rjust(n, "0")
        n += 1


def _pad(body: str, width: int | None, left: bool) -> str:
    if width is None or len(body) >= width:
        return body
    return body.ljust(width) if left else body.rjust(width)


def _format_integer(value: int, conv: str, flags: str, width: int | None,
                    prec: int | None) -> str:
    left = "-" in flags
    plus = "+" in flags
    space = " " in flags
    zero = "0" in flags and not left and prec is None
    alt = "#" in flags
    base = _BASES.get(conv, 10)
    sign = ""
    if value < 0 and (base == 10 or plus or space):
        sign = "-"
        digits = _digits(-value, base)
    elif value < 0:
        # Ruby prints negatives of %x/%o/%b as two's complement with `..`.
        digits = _twos_complement(value, base)
        fill = {16: "f", 8: "7", 2: "1"}[base]
        if conv == "X":
            digits = digits.upper()
            fill = "F"
        prefix = _PREFIXES[conv] if alt else ""
        if prec is not None and len(digits) < prec:
            digits = digits.rjust(prec, fill)
            return _pad(prefix + digits, width, left)
        if zero and width is not None:
            body_len = len(prefix) + len(digits)
            if body_len < width:
                digits = digits.rjust(width - len(prefix), fill)
                return prefix + digits
        return _pad(prefix + ".." + digits, width, left)
    else:
        digits = _digits(value, base)
        if plus:
            sign = "+"
        elif space:
            sign = " "
    if conv == "X":
        digits = digits.upper()
    prefix = ""
    if alt and base != 10 and value != 0:
        prefix = _PREFIXES[conv]
    if conv == "o" and alt and prec is not None and len(digits) < prec:
        prefix = ""
    if prec is not None and len(digits) < prec:
        digits = digits.rjust(prec, "0")
    if conv == "o" and alt and not digits.startswith("0"):
        prefix = "0"
    elif conv == "o":
        prefix = prefix if not digits.startswith("0") else ""
    head = sign + prefix
    if zero and width is not None and len(head) + len(digits) < width:
        digits = digits.rjust(width - len(head), "0")
    return _pad(head + digits, width, left)


def _format_float(value: float, conv: str, flags: str, width: int | None,
                  prec: int | None) -> str:
    left = "-" in flags
    if not math.isfinite(value):
        text = "NaN" if math.isnan(value) else "Inf"
        sign = "-" if value == -math.inf else "+" if "+" in flags else " " if " " in flags else ""
        return _pad(sign + text, width, left)
    spec = "%" + "".join(c for c in "-+ 0#" if c in flags)
    if width is not None:
        spec += str(width)
    if prec is not None:
        spec += "." + str(prec)
    return (spec + conv) % value


def format_string(fmt: str, args: Sequence[Any], *, to_s: Callable[[Any], str],
                  inspect: Callable[[Any], str], to_i: Callable[[Any], int] | None = None,
                  to_f: Callable[[Any], float] | None = None,
                  named: Callable[[str], Any] | None = None) -> str:
    """Kernel#format / String#% (ruby-subset.md §6).

    `to_s`/`inspect` render Ruby objects for `%s`/`%p`; `to_i`/`to_f` convert
    objects other than int/float/str/None/bool for numeric directives;
    `named(name)` looks up `%<name>s`/`%{name}` in the Hash argument (raise
    KeyError when missing; None when the argument is not a Hash). Errors are
    FormatError subclasses carrying Ruby's exception class and message."""
    out: list[str] = []
    pos = 0
    next_arg = 0
    numbered = False
    unnumbered = False
    n = len(fmt)

    def take(position: int | None = None) -> Any:
        nonlocal next_arg, numbered, unnumbered
        if position is not None:
            if unnumbered:
                raise FormatArgumentError(f"numbered({position}) after unnumbered({next_arg})")
            numbered = True
            if position > len(args):
                raise FormatArgumentError("too few arguments")
            return args[position - 1]
        if numbered:
            raise FormatArgumentError(f"unnumbered({next_arg + 1}) mixed with numbered")
        unnumbered = True
        if next_arg >= len(args):
            raise FormatArgumentError("too few arguments")
        next_arg += 1
        return args[next_arg - 1]

    while pos < n:
        i = fmt.find("%", pos)
        if i < 0:
            out.append(fmt[pos:])
            break
        out.append(fmt[pos:i])
        m = _DIRECTIVE.match(fmt, i)
        conv = m.group("conv")
        pos = m.end()
        flags = (m.group("flags") or "") + (m.group("flags2") or "") + (m.group("flags3") or "")
        if conv == "%" and m.end() == i + 2:
            out.append("%")
            continue
        if conv == "":
            raise FormatArgumentError("incomplete format specifier; use %% (double %) instead")
        name = m.group("aname") or m.group("bname")
        position = int(m.group("pos")) if m.group("pos") else None
        width_text, prec_text = m.group("width"), m.group("prec")
        width: int | None = None
        prec: int | None = None
        if width_text == "*":
            width = _to_integer(take(), to_i)
            if width < 0:
                flags += "-"
                width = -width
        elif width_text:
            width = int(width_text)
        if prec_text == "*":
            prec = _to_integer(take(), to_i)
            if prec < 0:
                prec = None
        elif prec_text is not None:
            prec = int(prec_text) if prec_text else 0
        if name is not None:
            if named is None:
                raise FormatArgumentError("one hash required")
            value = named(name)
            if m.group("bname"):
                # `%{name}` inserts the value's to_s without a conversion.
                text = value if isinstance(value, str) else to_s(value)
                out.append(_pad(text, width, "-" in flags))
                pos = m.end("bname") + 1
                continue
        elif conv in "sp" or conv in "diuxXobBfeEgGaAc":
            value = take(position)
        if conv == "s":
            text = value if isinstance(value, str) else to_s(value)
            if prec is not None:
                text = text[:prec]
            out.append(_pad(text, width, "-" in flags))
        elif conv == "p":
            text = inspect(value)
            if prec is not None:
                text = text[:prec]
            out.append(_pad(text, width, "-" in flags))
        elif conv in "diu":
            out.append(_format_integer(_to_integer(value, to_i), "d", flags, width, prec))
        elif conv in "xXobB":
            out.append(_format_integer(_to_integer(value, to_i), conv, flags, width, prec))
        elif conv in "feEgGaA":
            out.append(_format_float(_to_float(value, to_f), conv, flags, width, prec))
        elif conv == "c":
            if isinstance(value, str):
                ch = value[:1]
            else:
                code = _to_integer(value, to_i)
                if not 0 <= code <= 0x10FFFF:
                    raise FormatRangeError(f"{code} out of char range")
                ch = chr(code)
            out.append(_pad(ch, width, "-" in flags))
        elif conv == "\n" or conv == "\0":
            out.append("%" + conv)
        else:
            raise FormatArgumentError(f"malformed format string - %{conv}")
    return "".join(out)


# --- Shellwords ---------------------------------------------------------------

class ShellwordsError(ValueError):
    """Shellwords.split on an unmatched quote (Ruby ArgumentError)."""

    ruby_class = "ArgumentError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_SHELL_TOKEN = re.compile(
    r"""\s*(?:([^\s\\'"]+)|'([^']*)'|"((?:[^"\\]|\\.)*)"|(\\.?)|(\S))(\s|\Z)?""",
    re.DOTALL,
)
_SHELL_SPACE = frozenset(" \t\n\v\f\r")


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
