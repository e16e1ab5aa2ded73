"""Ruby text rendering (show-config.md §4.1–§4.3, ruby-subset.md §6, §7.1, §8.9).

Spec examples with expectations written from the spec, then differential tests
against the real `ruby` (Debian's Ruby 3.1): String#inspect and #dump of every
code point, invalid bytes, a few thousand floats, several thousand `format`
directives, Symbol#inspect and Shellwords.
"""

from __future__ import annotations

import itertools
import math
import random
import struct
import sys
from pathlib import Path

import pytest

from milter_manager.ruby.text import (
    FormatError,
    ShellwordsError,
    dump_string,
    float_to_s,
    format_string,
    inspect_string,
    inspect_symbol,
    shell_escape,
    shell_join,
    shell_split,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _ruby_oracle import ruby_json, run_ruby

# --- spec examples ---------------------------------------------------------------


def test_inspect_spec_table():
    assert inspect_string('say "hi"\\') == '"say \\"hi\\"\\\\"'
    assert inspect_string("#{x} #$y #@z # #a") == '"\\#{x} \\#$y \\#@z # #a"'
    assert inspect_string("\n\r\t\f\v\b\a\x1b") == '"\\n\\r\\t\\f\\v\\b\\a\\e"'
    assert inspect_string("\x00\x1f\x7f\x84\x86\x9f") == '"\\u0000\\u001F\\u007F\\u0084\\u0086\\u009F"'
    assert inspect_string("\u2028\u2029") == '"\\u2028\\u2029"'
    assert inspect_string("\u0378\U0010FFFF\ufffe") == '"\\u0378\\u{10FFFF}\\uFFFE"'   # unassigned
    assert inspect_string("\u0085\u200b\ue000 \u00e9") == '"\u0085\u200b\ue000 \u00e9"'
    invalid = b"a\xff\xc3".decode("utf-8", "surrogateescape")
    assert inspect_string(invalid) == '"a\\xFF\\xC3"'


def test_inspect_unicode_14_characters_are_unassigned_as_in_ruby_3_1():
    # U+1FAE0 MELTING FACE and U+0870 were assigned in Unicode 14.0
    assert inspect_string("\U0001FAE0") == '"\\u{1FAE0}"'
    assert inspect_string("\u0870") == '"\\u0870"'
    assert inspect_string("\U0001FAD6") == '"\U0001FAD6"'   # Unicode 13.0: printed as is


def test_dump_spec():
    assert dump_string("\u00e9") == '"\\u00E9"'
    assert dump_string("\U0001F600") == '"\\u{1F600}"'
    assert dump_string("a\x01\x7f\n\"\\#{") == '"a\\x01\\x7F\\n\\"\\\\\\#{"'
    assert dump_string(b"\xfe".decode("utf-8", "surrogateescape")) == '"\\xFE"'


@pytest.mark.parametrize("value, text", [
    (297.0, "297.0"), (15.5, "15.5"), (0.0001, "0.0001"),
    (123456789012345.6, "123456789012345.6"), (1e15, "1.0e+15"), (1.5e-05, "1.5e-05"),
    (9.999e-05, "9.999e-05"), (1e100, "1.0e+100"), (0.0, "0.0"), (-0.0, "-0.0"),
    (math.inf, "Infinity"), (-math.inf, "-Infinity"), (math.nan, "NaN"), (1e16, "1.0e+16"),
    (-2.5, "-2.5"), (100.0, "100.0"), (5e-324, "5.0e-324"),
])
def test_float_to_s_spec(value, text):
    assert float_to_s(value) == text


def test_symbol_inspect_spec():
    for name in ["name", "Name", "name?", "name!", "name=", "@x", "@@x", "$x", "+", "[]=", "<=>",
                 "call", "-@", "!"]:
        assert inspect_symbol(name) == ":" + name
    assert inspect_symbol("foo bar") == ':"foo bar"'
    assert inspect_symbol("9x") == ':"9x"'
    assert inspect_symbol("a?b") == ':"a?b"'


def _fmt(fmt, *args, **kw):
    return format_string(fmt, list(args), to_s=_to_s, inspect=_inspect, **kw)


def test_format_spec_examples():
    assert _fmt("%d", 3.7) == "3"
    assert _fmt("%d", -3.7) == "-3"
    assert _fmt("%x", -255) == "..f01"
    assert _fmt("%s and %p", "a", "b") == 'a and "b"'
    assert _fmt("%-5s|%05d|%+.2f|%x|%o|%e", "ab", 42, 3.14159, 255, 8, 12345.678) == \
        "ab   |00042|+3.14|ff|10|1.234568e+04"
    assert _fmt("%*d|%-*d|", 4, 1, 3, 2) == "   1|2  |"
    assert _fmt("%%") == "%"
    assert _fmt("%c%c", 65, "b") == "Ab"
    assert _fmt("%<a>s-%{b}", named={"a": 1, "b": "x"}.__getitem__) == "1-x"


@pytest.mark.parametrize("fmt, args, ruby_class, message", [
    ("%d %d", [1], "ArgumentError", "too few arguments"),
    ("%y", [1], "ArgumentError", "malformed format string - %y"),
    ("%", [], "ArgumentError", "incomplete format specifier; use %% (double %) instead"),
    ("%d", ["abc"], "ArgumentError", 'invalid value for Integer(): "abc"'),
    ("%d", [None], "TypeError", "can't convert nil into Integer"),
    ("%f", ["x"], "ArgumentError", 'invalid value for Float(): "x"'),
    ("%<a>s", [], "ArgumentError", "one hash required"),
])
def test_format_errors(fmt, args, ruby_class, message):
    with pytest.raises(FormatError) as info:
        format_string(fmt, args, to_s=_to_s, inspect=_inspect)
    assert info.value.ruby_class == ruby_class
    assert info.value.message == message == str(info.value)


def test_format_errors_are_python_exception_kinds():
    with pytest.raises(ValueError):
        _fmt("%d")
    with pytest.raises(TypeError):
        _fmt("%d", None)
    with pytest.raises(KeyError):
        _fmt("%<a>s", named={}.__getitem__)


def test_shellwords_spec():
    assert shell_split("a 'b c' \"d \\\" e\" f\\ g") == ["a", "b c", 'd " e', "f g"]
    assert shell_escape("") == "''"
    assert shell_escape("\u00e9") == "\\\u00e9"
    assert shell_escape("a b\nc") == "a\\ b'\n'c"
    assert shell_escape("A-Z_a.z,0:9+/@") == "A-Z_a.z,0:9+/@"
    assert shell_join(["a b", "", "c"]) == "a\\ b '' c"
    with pytest.raises(ShellwordsError) as info:
        shell_split("a 'b")
    assert info.value.message == "Unmatched quote: \"a 'b\""
    assert isinstance(info.value, ValueError)


# --- differential: String#inspect / #dump ------------------------------------------

ALL_CODE_POINTS_PROGRAM = r"""
buf = +""
(0..0x10FFFF).each do |cp|
  next if cp >= 0xD800 && cp <= 0xDFFF
  s = cp.chr(Encoding::UTF_8)
  buf << s.inspect << "\t" << s.dump << "\n"
  if buf.bytesize > 1 << 20
    $stdout.write(buf)
    buf = +""
  end
end
$stdout.write(buf)
"""


def test_inspect_and_dump_of_every_code_point_against_ruby():
    done = run_ruby(ALL_CODE_POINTS_PROGRAM, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    code_points = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    assert len(lines) == len(code_points) + 1 and lines[-1] == ""
    wrong = []
    for cp, line in zip(code_points, lines):
        ch = chr(cp)
        ours = inspect_string(ch) + "\t" + dump_string(ch)
        if ours != line:
            wrong.append((hex(cp), line, ours))
            if len(wrong) > 20:
                break
    assert not wrong, wrong


def _random_strings(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = list('ab #{$@}"\\\n\t\x00\x1b\x7f\x85\u00e9\u2028\u200b\U0001F600\u0378') + ["#{", "#$", "#@"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def _random_byte_strings(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    pieces = [b"a", b"#", b"{", b"\xff", b"\xc3", b"\xa9", b"\xc3\xa9", b"\xe2\x82", b"\xe2\x82\xac",
              b"\xed\xa0\x80", b"\xf0\x9f\x98\x80", b"\xf0\x9f", b"\xc0\x80", b"\xf4\x90\x80\x80",
              b"\x80", b"\n", b'"', b"\xef\xbf\xbe"]
    return [b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(count)]


def test_inspect_and_dump_of_mixed_and_invalid_strings_against_ruby():
    texts = _random_strings(500, 1)
    raw = [t.encode("utf-8") for t in texts] + _random_byte_strings(500, 2)
    program = r"""
    JSON.parse(STDIN.read).each do |hex|
      s = [hex].pack("H*").force_encoding(Encoding::UTF_8)
      puts JSON.generate([s.inspect, s.dump])
    end
    """
    expected = ruby_json(program, [b.hex() for b in raw])
    ours = []
    for b in raw:
        s = b.decode("utf-8", "surrogateescape")
        ours.append([inspect_string(s), dump_string(s)])
    wrong = [(b, e, o) for b, e, o in zip(raw, expected, ours) if e != o]
    assert not wrong, wrong[:20]


# --- differential: Float#to_s -----------------------------------------------------------

def _floats() -> list[float]:
    rng = random.Random(3)
    values = [0.0, -0.0, 1e15, 9.999999999999998e14, 1e16, 1e-4, 9.999999999999999e-05,
              0.0001, 0.00011, 1e-5, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
              1.7976931348623157e308, 0.1, 1 / 3, 2 / 3, 100.0, 1e22, 1e21, 1e23,
              123456789012345.6, 1234567890123456.7, 12345678901234567.0, 0.5, 1.5, -1.5,
              4.35, 0.1 + 0.2, 1e-7, 1.0e-10, 299792458.0, 6.02214076e23, math.pi, math.e]
    values += [10.0 ** e for e in range(-30, 31)]
    values += [-(10.0 ** e) * 1.5 for e in range(-30, 31)]
    for _ in range(1500):   # every bit pattern, so subnormals and huge exponents too
        v = struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0]
        if math.isfinite(v):
            values.append(v)
    for _ in range(1000):   # the everyday range around the fixed/exponent switches
        values.append(rng.uniform(-1, 1) * 10.0 ** rng.randint(-8, 18))
    for _ in range(500):
        values.append(round(rng.uniform(0, 1000), rng.randint(0, 6)))
    return values


def test_float_to_s_against_ruby():
    values = _floats()
    program = r"""
    JSON.parse(STDIN.read).each { |hex| puts JSON.generate([hex].pack("H*").unpack1("G").to_s) }
    """
    expected = ruby_json(program, [struct.pack(">d", v).hex() for v in values])
    wrong = [(v, e, float_to_s(v)) for v, e in zip(values, expected) if float_to_s(v) != e]
    assert not wrong, wrong[:20]
    assert len(values) >= 3000


# --- differential: format --------------------------------------------------------------

def _to_s(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _inspect(value)


def _inspect(value) -> str:
    if value is None:
        return "nil"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return inspect_string(value)
    if isinstance(value, float):
        return float_to_s(value)
    if isinstance(value, list):
        return "[" + ", ".join(_inspect(v) for v in value) + "]"
    return str(value)


def F(value: float) -> dict:
    """A Float argument, sent bit-exact (JSON has no -0.0, Infinity or NaN)."""
    return {"float": struct.pack(">d", value).hex()}


def _decode(value):
    if isinstance(value, dict) and "float" in value:
        return struct.unpack(">d", bytes.fromhex(value["float"]))[0]
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


FORMAT_CASES = [
    ["%d", []], ["%s %s", ["a"]], ["%y", [1]], ["%", []], ["abc%", []], ["%5%", []], ["%-5%", []],
    ["%%", []], ["100%%", []], ["%-%", []], ["%5\n", []], ["%\n", []], ["% ", []], ["%-", []],
    ["%5", []], ["%.", []], ["%1$", ["a"]], ["%z", []], ["%-y", [1]], ["%5y", [1]], ["%#y", []],
    ["%d", ["12"]], ["%d", ["0x1f"]], ["%d", ["0b101"]], ["%d", ["0o17"]], ["%d", ["017"]],
    ["%d", [" 42 "]], ["%d", ["1_000"]], ["%d", ["abc"]], ["%d", ["12abc"]], ["%d", [""]],
    ["%d", [None]], ["%d", [True]], ["%d", ["-0x1A"]], ["%d", ["+5"]], ["%d", ["1__0"]],
    ["%d", ["_1"]], ["%d", ["0d19"]], ["%d", ["08"]], ["%d", ["0_7"]], ["%d", ["0o"]], ["%d", ["0_"]],
    ["%d", ["1_"]], ["%d", ["0x_1"]], ["%d", ["0b1_0"]], ["%d", ["0"]], ["%d", ["-0"]], ["%x", ["ff"]],
    ["%o", ["0o17"]], ["%d", [F(3.7)]], ["%d", [F(-3.7)]], ["%d", [F(1e20)]], ["%d", [F(math.inf)]],
    ["%d", [F(math.nan)]], ["%x", [F(255.9)]], ["%i", [F(2.5)]], ["%u", [-5]],
    ["%f", ["1.5"]], ["%f", ["abc"]], ["%f", [None]], ["%f", [3]], ["%f", [10 ** 30]],
    ["%f", ["1e3"]], ["%f", ["  2.5  "]], ["%f", ["1_000.5"]], ["%f", ["0x1A"]], ["%f", [".5"]],
    ["%f", ["5."]], ["%f", ["1_.5"]], ["%f", ["_1"]], ["%f", ["1e1_0"]], ["%f", ["1E+3"]],
    ["%f", ["07"]], ["%f", ["0b11"]], ["%f", ["Infinity"]], ["%e", [0]], ["%g", [100000]],
    ["%g", [1000000]], ["%G", [F(1e-10)]], ["%e", [10 ** 400]], ["%#.0f", [3]], ["%+f", [10 ** 20]],
    ["%010.2f", [-10 ** 3]], ["%-10.1f|", [7]], ["% .0f", [7]],
    ["%a", [F(1.0)]], ["%a", [F(0.1)]], ["%a", [F(-2.5)]], ["%10a|", [F(1.0)]], ["%.2a", [F(1.0)]],
    ["%A", [F(255.5)]], ["%a", [F(0.0)]], ["%a", [F(math.inf)]], ["%a", [F(5e-324)]],
    ["%.3a", [F(0.1)]], ["%+a", [F(3.0)]], ["%a", [F(-0.0)]],
    ["%s", [None]], ["%s", [1]], ["%s", [F(1.0)]], ["%s", [F(1e20)]], ["%s", [[1, "a"]]],
    ["%p", [None]], ["%p", ['a"b']], ["%p", [F(1e16)]], ["%10p", ["x"]], ["%-10p|", ["x"]],
    ["%.2s", ["abcdef"]], ["%5.2s|", ["abcdef"]], ["%s", ["\u00e9\u00e8"]], ["%3s|", ["\u00e9"]],
    ["%-3s|", ["\u00e9"]], ["%.1s", ["\u00e9\u00e8"]], ["%s %p", ["\u2028", "\u2028"]],
    ["%c", [65]], ["%c", [0x1F600]], ["%c", [233]], ["%5c|", [97]], ["%c", [0x110000]],
    ["%c", [-300]], ["%c", [F(66.7)]], ["%c", ["abc"]], ["%c", [""]], ["%c", ["\u00e9"]],
    ["%*d", [5, 42]], ["%-*d|", [5, 42]], ["%*d|", [-5, 42]], ["%.*f", [2, F(3.14159)]],
    ["%*.*f|", [8, 3, F(3.14159)]], ["%.*d", [-1, 5]], ["%*s", ["3", 1]], ["%*s", [F(2.7), 1]],
    ["%.*s", [None, "a"]], ["%*d", [None, 1]], ["%1$*2$d|", [5, 3]],
    ["%1$s %1$s", ["a"]], ["%2$s %1$s", ["a", "b"]], ["%1$s %s", ["a", "b"]], ["%s %1$s", ["a", "b"]],
    ["%3$s", ["a"]], ["%1$1$s", ["a"]], ["%5-d", [1]], ["%.2-d", [1]], ["%5.2.3d", [1]],
    ["%-+05d|", [42]], ["%+-5d|", [42]], ["% -5d|", [42]], ["%05s|", ["ab"]], ["%+s", ["ab"]],
    ["%#s", ["ab"]], ["%+5s", ["ab"]],
    ["%<a>s", [{"a": "x"}]], ["%<a>5s|", [{"a": "x"}]], ["%<a>d", [{"a": 42}]],
    ["%<a>.2f", [{"a": F(3.14159)}]], ["%{a}", [{"a": "x"}]], ["%{a}s", [{"a": "x"}]],
    ["%-5{a}|", [{"a": "x"}]], ["%5{a}|", [{"a": "x"}]], ["%<b>s", [{"a": "x"}]], ["%{b}", [{"a": "x"}]],
    ["%<a>s", ["x"]], ["%<a>s %s", [{"a": 1}]], ["%s %<a>s", [{"a": 1}]], ["%<a>s %1$s", [{"a": 1}]],
    ["%<a", [{"a": 1}]], ["%{a", [{"a": 1}]],
    ["%s and %s", ["a", "b", "c"]], ["no directives", [1]], ["%d%%", [50]], ["%5.1f%%", [F(99.5)]],
    ["%x", [2 ** 100]], ["%o", [-(2 ** 70)]], ["%b", [-(2 ** 65)]], ["%d", [2 ** 64]],
    ["%.3x", [2 ** 64]], ["%x", [-(10 ** 20)]],
    ["%08.3f", [F(-3.14159)]], ["%+.3e", [F(12345.678)]], ["%#.0f", [F(3.0)]], ["%#x", [0]],
    ["%#.0o", [0]], ["%#.0x", [0]], ["% d", [-5]], ["%05d", [-42]], ["%+05d", [42]], ["% 05d", [42]],
    ["%#X", [255]], ["%#o", [8]], ["%b", [10]], ["%#b", [10]], ["%#B", [10]], ["%08b", [10]],
    ["%.10d", [-123]], ["%-10.5d|", [123]], ["%e", [F(0.0)]], ["%E", [F(1.5e-300)]],
    ["%g", [F(0.0001)]], ["%g", [F(1e15)]], ["%G", [F(1e-5)]], ["%.0e", [F(2.5)]],
    ["%.15g", [F(0.1)]], ["%.17g", [F(0.1)]], ["%.20f", [F(0.1)]], ["%#g", [F(1.0)]],
    ["%10.4e|", [F(-0.0)]], ["%.0f", [F(0.5)]], ["%.0f", [F(1.5)]], ["%.0f", [F(2.5)]],
    ["%.2f", [F(2.675)]], ["%.2f", [F(44.405)]], ["%.1f", [F(0.25)]], ["%.3g", [F(0.0001234)]],
    ["%g", [F(1e-5)]], ["%g", [F(123456789.0)]], ["%.2f", [F(0.005)]], ["%.2f", [F(0.015)]],
    ["%.1f", [F(0.05)]], ["%.3f", [F(0.0005)]], ["%.2e", [F(9.995)]], ["%.3g", [F(9.995)]],
    ["%g", [F(0.00001234565)]], ["%.13e", [F(1.23456789012345)]], ["%.15e", [F(1.23456789012345)]],
    ["%.2f", [F(-0.001)]], ["%f", [F(1e300)]], ["%.3f", [F(-380674.45764422475)]],
]

_FLAG_SETS = ["", "-", "+", " ", "0", "#", "+0", "-#", " 0", "#0", "-0"]


def _format_grid() -> list[list]:
    cases = []
    ints = [0, 7, -7, 255, -255, 123456789, -1, 2 ** 70, -(2 ** 70), -8]
    for conv, flags, width, prec in itertools.product("dxXobB", _FLAG_SETS, ["", "8"], [None, "0", "3"]):
        for v in ints:
            cases.append(["%" + flags + width + ("" if prec is None else "." + prec) + conv, [v]])
    floats = [0.0, -0.0, 1.5, -1.5, 3.14159, 1e10, 1e-10, 123456.789, -0.001, 2.5, 1e300,
              math.inf, -math.inf, math.nan, 0.125, 1e16]
    for conv, flags, prec in itertools.product("feEgG", _FLAG_SETS, [None, "0", "2", "10"]):
        for v in floats:
            cases.append(["%" + flags + "12" + ("" if prec is None else "." + prec) + conv, [F(v)]])
    for conv, flags, width, prec in itertools.product("spc", ["", "-", "0", "+"], ["", "5"], [None, "1"]):
        for v in ["abc", "", 65, "\u00e9"]:
            cases.append(["%" + flags + width + ("" if prec is None else "." + prec) + conv, [v]])
    return cases


FORMAT_PROGRAM = r"""
def dec(v)
  case v
  when Hash then v["float"] ? [v["float"]].pack("H*").unpack1("G") : v.to_h { |k, x| [k.to_sym, dec(x)] }
  when Array then v.map { |x| dec(x) }
  else v
  end
end
JSON.parse(STDIN.read).each do |fmt, args|
  begin
    r = format(fmt, *args.map { |a| dec(a) })
    puts JSON.generate(r.valid_encoding? ? {"ok" => r} : {"inspect" => r.inspect})
  rescue ArgumentError, TypeError, KeyError, RangeError => e
    puts JSON.generate({"error" => e.class.name, "message" => e.message})
  end
end
"""


def _our_format(fmt: str, args: list) -> dict:
    values = [_decode(a) for a in args]
    named = values[0].__getitem__ if values and isinstance(values[0], dict) else None
    try:
        out = format_string(fmt, values, to_s=_to_s, inspect=_inspect, named=named)
    except FormatError as e:
        return {"error": e.ruby_class, "message": e.message}
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:
        return {"inspect": inspect_string(out)}
    return {"ok": out}


def test_format_against_ruby():
    cases = FORMAT_CASES + _format_grid()
    assert len(FORMAT_CASES) >= 200
    expected = ruby_json(FORMAT_PROGRAM, cases)
    assert len(expected) == len(cases)
    wrong = []
    for (fmt, args), e in zip(cases, expected):
        ours = _our_format(fmt, args)
        if ours != e:
            wrong.append((fmt, args, e, ours))
    assert not wrong, "\n".join(map(repr, wrong[:30]))


def test_format_float_rounding_against_ruby():
    """Ruby rounds ties of the shortest decimal form half-even when at most 14
    digits are printed: check many such ties and ordinary values."""
    rng = random.Random(11)
    cases = []
    for ndigits in range(2, 18):
        for _ in range(40):
            digits = str(rng.randint(10 ** (ndigits - 2), 10 ** (ndigits - 1) - 1)) + "5"
            int_len = rng.randint(1, min(ndigits - 1, 6))
            text = digits[:int_len] + "." + digits[int_len:]
            value = float(text)
            cases.append([f"%.{ndigits - int_len - 1}f", [F(value)]])
            cases.append([f"%.{ndigits - 2}e", [F(value)]])
            cases.append([f"%.{ndigits - 1}g", [F(value)]])
    for _ in range(500):
        value = rng.uniform(-1e6, 1e6)
        cases.append([f"%.{rng.randint(0, 12)}{rng.choice('feEgG')}", [F(value)]])
    expected = ruby_json(FORMAT_PROGRAM, cases)
    wrong = [(f, a, e, o) for (f, a), e in zip(cases, expected) if (o := _our_format(f, a)) != e]
    assert not wrong, "\n".join(map(repr, wrong[:30]))


# --- differential: Symbol#inspect ----------------------------------------------------

SYMBOL_NAMES = [
    "a", "a?", "a!", "a=", "A", "A?", "A!", "A=", "_", "_a", "_1", "@a", "@@a", "$a", "@", "@@", "$",
    "@1", "$1", "$12", "$01", "$-", "$-w", "$-ww", "$~", "$!", "$0", "$:", "$é", "@é", "@_", "a?=",
    "a!=", "9x", "foo bar", "+", "-", "*", "/", "%", "**", "==", "===", "!=", "=~", "!~", "<", "<=",
    ">", ">=", "<=>", "<<", ">>", "&", "|", "^", "~", "!", "[]", "[]=", "+@", "-@", "call", "=",
    "!@", "~@", "::", "é", "É", "αβ", "Aé", "a-b", "a.b", "", "a b", 'a"b', "\x00", "a#b", "#{a}",
    "aé?", "ab\u200b", "`", "\x1b", "\x7f", "\x01", "a\nb", "é b", "é\x01", "\u0085", "a?b", "a=b",
    "[]?", "!==", "===x", "?", "a??", "A=b", "\u2028", "é\u2028",
]


def test_symbol_inspect_against_ruby():
    program = 'JSON.parse(STDIN.read).each { |s| puts JSON.generate(s.to_sym.inspect) }'
    expected = ruby_json(program, SYMBOL_NAMES)
    ours = [inspect_symbol(name) for name in SYMBOL_NAMES]
    wrong = [(n, e, o) for n, e, o in zip(SYMBOL_NAMES, expected, ours) if e != o]
    assert not wrong, wrong


# --- differential: Shellwords ------------------------------------------------------------

SPLIT_CASES = [
    "a b c", "  a   b  ", "", "   ", "a\\ b", "'a b' c", '"a b" c', '"a\\"b"', '"a\\$b"', '"a\\nb"',
    '"a\\\\b"', '"a\\`b"', "a\\\nb", '"a\\\nb"', "'a\\b'", "a'b'c", 'a"b"c', "'unterminated",
    '"unterminated', "a 'b", "a\\", "\\", "a\tb\nc", "é ü", "a\\é", "''", '""', "a '' b", 'x""y',
    "\\'", '\\"', "a\\\\b", "$HOME `cmd`", "a#b", '"a\'b"', "'a\"b'", "a\\ ", "'a'\"b\"c\\ d e",
    "foo\vbar", "a\u00a0b", '"\\a"', "a\rb", "-x --y=z", "a\\\n", '"a\nb"', "'a\nb'",
    "--opt='a b' \"c\\\"d\"", "a\fb", "'\u00e9 x'",
]
ESCAPE_CASES = [
    "", "abc", "a b", "é", "a\nb", "it's", 'a"b', "$x", "a/b:c,d.e+f@g-h_i", "\t", "~user", "*",
    "a\\b", "\n", "日本", "a\u00a0b", "=", "%", "#", "!",
]


def test_shellwords_against_ruby():
    program = r"""
    require "shellwords"
    split, escape = JSON.parse(STDIN.read)
    split.each do |s|
      r = begin
        {"ok" => Shellwords.split(s)}
      rescue ArgumentError => e
        {"error" => e.message}
      end
      puts JSON.generate(r)
    end
    escape.each { |s| puts JSON.generate(Shellwords.escape(s)) }
    puts JSON.generate(Shellwords.join(escape))
    puts JSON.generate(escape.shelljoin)
    """
    expected = ruby_json(program, [SPLIT_CASES, ESCAPE_CASES])
    ours = []
    for s in SPLIT_CASES:
        try:
            ours.append({"ok": shell_split(s)})
        except ShellwordsError as e:
            ours.append({"error": e.message})
    ours += [shell_escape(s) for s in ESCAPE_CASES]
    ours += [shell_join(ESCAPE_CASES)] * 2
    wrong = [(e, o) for e, o in zip(expected, ours) if e != o]
    assert len(expected) == len(ours)
    assert not wrong, wrong
