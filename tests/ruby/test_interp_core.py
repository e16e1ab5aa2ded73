"""Semantics the differential corpus cannot check against Ruby 3.1: the
spec's deviations, §10's unsupported features, and renderings with object
addresses (`ruby-subset.md` §3.3, §7.1, §10)."""

from __future__ import annotations

import re

import pytest

from milter_manager.ruby.errors import RubyError
from milter_manager.ruby.interpreter import Interpreter
from milter_manager.ruby.parser import parse


@pytest.fixture
def interp() -> Interpreter:
    return Interpreter()


def run(interp: Interpreter, source: str) -> object:
    return interp.load_program(parse(source, "c.rb"))


def error_of(interp: Interpreter, source: str) -> tuple[str, str]:
    with pytest.raises(RubyError) as info:
        run(interp, source)
    return info.value.class_name, info.value.message


def test_blockless_proc_new_returns_the_methods_block(interp) -> None:
    # [deviation] §3.3: the documented block forms of s25r/trust keep working.
    got = run(interp, """
list = []
obj = Object.new
def obj.add(matcher = Proc.new)
  @list = matcher
end
def obj.check(x)
  @list.call(x)
end
obj.add { |host| host.end_with?(".test") }
[obj.check("a.test"), obj.check("a.example"), proc { 1 }.call]
""")
    assert interp.to_python(got) == [True, False, 1]
    assert error_of(interp, "def m\n  Proc.new\nend\nm") == \
        ("ArgumentError", "tried to create Proc object without a block")


@pytest.mark.parametrize("source, name", [
    ("`ls`", "`"),
    ("eval('1 + 1')", "eval"),
    ("exit", "exit"),
    ("fork", "fork"),
    ("binding", "binding"),
    ("Set.new", "Set"),
    ("Struct.new(:a)", "Struct"),
    ("ObjectSpace.each_object", "ObjectSpace"),
    ("GC.start", "GC"),
    ("Process.kill(9, 1)", "Process.kill"),
    ("2 ** -1", "Rational"),
])
def test_unsupported_features_raise_not_implemented(interp, source: str, name: str) -> None:
    assert error_of(interp, source) == \
        ("NotImplementedError", f"{name} is not supported by this implementation")


def test_process_pid_is_supported(interp) -> None:
    import os
    assert run(interp, "Process.pid") == os.getpid()


def test_object_and_proc_inspect_formats(interp) -> None:
    got = run(interp, """
class Foo
  def initialize
    @a = 1
    @b = "x"
  end
end
[Foo.new.inspect, Object.new.inspect, Object.new.to_s, proc { }.inspect,
 lambda { }.inspect, -> {}.lambda?, Class.new.inspect]
""")
    texts = interp.to_python(got)
    assert re.fullmatch(r'#<Foo:0x[0-9a-f]{16} @a=1, @b="x">', texts[0])
    assert re.fullmatch(r"#<Object:0x[0-9a-f]{16}>", texts[1])
    assert re.fullmatch(r"#<Object:0x[0-9a-f]{16}>", texts[2])
    assert texts[3] == "#<Proc:c.rb:8>"
    assert texts[4] == "#<Proc:c.rb:9 (lambda)>"
    assert texts[5] is True
    assert re.fullmatch(r"#<Class:0x[0-9a-f]{16}>", texts[6])
    assert texts[1] != texts[2]    # ids are unique per object


def test_string_keys_are_frozen_copies(interp) -> None:
    got = run(interp, 'k = "key"\nh = {}\nh[k] = 1\nk << "!"\n'
                      '[h.keys.first, h.keys.first.frozen?, k.frozen?, h["key"]]')
    assert interp.to_python(got) == ["key", True, False, 1]


def test_last_match_is_local_to_the_method_frame(interp) -> None:
    got = run(interp, """
def other
  "zzz" =~ /(z)/
  $1
end
"abc" =~ /(b)/
inner = other
[$1, inner, [1].map { "q" =~ /(q)/; $1 }.first, $1]
""")
    # A block shares its method's $~ (the last assignment wins).
    assert interp.to_python(got) == ["b", "z", "q", "q"]


def test_define_method_has_lambda_semantics(interp) -> None:
    got = run(interp, """
class K
  define_method(:two) { |a, b| [a, b] }
  define_method(:early) { |x| return :early if x; :late }
end
k = K.new
[k.two(1, 2), k.early(true), k.early(false)]
""")
    assert interp.to_python(got) == [[1, 2], "early", "late"]
    assert error_of(interp, "class K\n  define_method(:one) { |a| a }\nend\nK.new.one(1, 2)") == \
        ("ArgumentError", "wrong number of arguments (given 2, expected 1)")


def test_return_from_a_proc_whose_method_returned(interp) -> None:
    assert error_of(interp, "def m\n  proc { return 1 }\nend\nm.call") == \
        ("LocalJumpError", "unexpected return")


def test_posix_classes_are_ascii_only(interp) -> None:
    # [deviation] §7.3: non-ASCII letters do not match [[:alpha:]].
    got = run(interp, '["a" =~ /[[:alpha:]]/, "é" =~ /[[:alpha:]]/, "é" =~ /\\w/]')
    assert interp.to_python(got) == [0, None, None]


def test_float_and_integer_rendering(interp) -> None:
    got = run(interp, "[1e15.to_s, 1.0e-5.to_s, 100.0.inspect, (2 ** 70).to_s, 2.5.round, "
                      "(-2.5).round, 7.fdiv(2), -7 / 2, -7 % 3]")
    assert interp.to_python(got) == ["1.0e+15", "1.0e-05", "100.0", str(2 ** 70), 3, -3, 3.5,
                                     -4, 2]


def test_instance_eval_defs_and_class_eval(interp) -> None:
    got = run(interp, """
o = Object.new
o.instance_eval do
  @x = 5
  def x
    @x
  end
end
String.class_eval do
  def twice
    self * 2
  end
end
[o.x, "ab".twice, o.singleton_methods]
""")
    assert interp.to_python(got) == [5, "abab", ["x"]]


def test_reentrant_and_closure_creating_blocks_keep_their_own_locals(interp) -> None:
    # Frames of blocks and methods are reused when nothing can capture them;
    # recursion, closures and nested loops must still see their own locals.
    got = run(interp, """
fact = proc { |n| n <= 1 ? 1 : n * fact.call(n - 1) }
procs = []
[1, 2, 3].each { |x| procs << -> { x * 10 } }
pairs = []
[1, 2].each { |a| [3, 4].each { |b| pairs << [a, b] } }
def depth(n)
  n.zero? ? 0 : depth(n - 1) + 1
end
[fact.call(6), procs.map(&:call), pairs, depth(50), [[1, [2]], 3].flatten.any? { |v| v == 2 }]
""")
    assert interp.to_python(got) == [720, [10, 20, 30], [[1, 3], [1, 4], [2, 3], [2, 4]], 50,
                                     True]
