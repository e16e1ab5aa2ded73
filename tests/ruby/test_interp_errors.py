"""Runtime errors through the command-line runner (`ruby-subset.md` §5, §11):
the exact standard-error text in Ruby 3.4's layout, exit status 1, standard
output flushed before the message, never a Python traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_ruby(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "t.rb"
    path.write_text(source, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "milter_manager.ruby", "t.rb", *args],
                          cwd=tmp_path, check=False, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)})


# (source, expected standard error). Expected texts follow Ruby 3.4's wording
# and frame labels as the spec gives them (§5, §11), written by hand.
CASES = {
    "nomethod-nil": (
        "x = nil\nx.foo\n",
        "t.rb:2:in '<main>': undefined method 'foo' for nil (NoMethodError)\n"),
    "nomethod-instance": (
        "class Box\nend\nBox.new.unfold\n",
        "t.rb:3:in '<main>': undefined method 'unfold' for an instance of Box (NoMethodError)\n"),
    "nomethod-class": (
        "class Box\nend\nBox.unfold\n",
        "t.rb:3:in '<main>': undefined method 'unfold' for class Box (NoMethodError)\n"),
    "vcall-in-method": (
        "def foo\n  bar\nend\nfoo\n",
        ("t.rb:2:in 'Object#foo': undefined local variable or method 'bar' for main "
        "(NameError)\n\tfrom t.rb:4:in '<main>'\n")),
    "uninitialized-constant": (
        "p 1\nNoSuchThing.new\n",
        "t.rb:2:in '<main>': uninitialized constant NoSuchThing (NameError)\n"),
    "uninitialized-scoped-constant": (
        "module M\nend\nM::Nope\n",
        "t.rb:3:in '<main>': uninitialized constant M::Nope (NameError)\n"),
    "string-plus-integer": (
        '"a" + 1\n',
        ("t.rb:1:in 'String#+': no implicit conversion of Integer into String (TypeError)\n"
        "\tfrom t.rb:1:in '<main>'\n")),
    "integer-plus-string": (
        '1 + "a"\n',
        ("t.rb:1:in 'Integer#+': String can't be coerced into Integer (TypeError)\n"
        "\tfrom t.rb:1:in '<main>'\n")),
    "zero-division": (
        "def ratio(a, b)\n  a / b\nend\nratio(1, 0)\n",
        ("t.rb:2:in 'Integer#/': divided by 0 (ZeroDivisionError)\n"
        "\tfrom t.rb:2:in 'Object#ratio'\n\tfrom t.rb:4:in '<main>'\n")),
    "key-error": (
        "h = {}\nh.fetch(:x)\n",
        "t.rb:2:in 'Hash#fetch': key not found: :x (KeyError)\n\tfrom t.rb:2:in '<main>'\n"),
    "arity": (
        "def f(a, b = 1)\nend\nf\n",
        ("t.rb:1:in 'Object#f': wrong number of arguments (given 0, expected 1..2) "
        "(ArgumentError)\n\tfrom t.rb:3:in '<main>'\n")),
    "arity-rest": (
        "def f(a, *rest)\nend\nf\n",
        ("t.rb:1:in 'Object#f': wrong number of arguments (given 0, expected 1+) "
        "(ArgumentError)\n\tfrom t.rb:3:in '<main>'\n")),
    "missing-keyword": (
        "def f(name:)\nend\nf\n",
        ("t.rb:1:in 'Object#f': missing keyword: :name (ArgumentError)\n"
        "\tfrom t.rb:3:in '<main>'\n")),
    "unknown-keyword": (
        "def f(name: 1)\nend\nf(nope: 2)\n",
        ("t.rb:1:in 'Object#f': unknown keyword: :nope (ArgumentError)\n"
        "\tfrom t.rb:3:in '<main>'\n")),
    "raise-string": (
        'raise "boom"\n',
        "t.rb:1:in '<main>': boom (RuntimeError)\n"),
    "raise-in-class-method": (
        'class B\n  def self.c\n    raise ArgumentError, "bad"\n  end\nend\nB.c\n',
        "t.rb:3:in 'B.c': bad (ArgumentError)\n\tfrom t.rb:6:in '<main>'\n"),
    "comparison-failed": (
        '["a", 1].sort\n',
        ("t.rb:1:in 'Array#sort': comparison of String with 1 failed (ArgumentError)\n"
        "\tfrom t.rb:1:in '<main>'\n")),
    "integer-conversion": (
        'Integer("abc")\n',
        ("t.rb:1:in 'Kernel#Integer': invalid value for Integer(): \"abc\" (ArgumentError)\n"
        "\tfrom t.rb:1:in '<main>'\n")),
    "integer-nil": (
        "Integer(nil)\n",
        ("t.rb:1:in 'Kernel#Integer': can't convert nil into Integer (TypeError)\n"
        "\tfrom t.rb:1:in '<main>'\n")),
    "yield-without-block": (
        "def m\n  yield\nend\nm\n",
        ("t.rb:2:in 'Object#m': no block given (yield) (LocalJumpError)\n"
        "\tfrom t.rb:4:in '<main>'\n")),
    "frozen-string": (
        's = "x".freeze\ns << "y"\n',
        ("t.rb:2:in 'String#<<': can't modify frozen String: \"x\" (FrozenError)\n"
        "\tfrom t.rb:2:in '<main>'\n")),
    "private-method": (
        "class A\n  private\n  def x\n  end\nend\nA.new.x\n",
        "t.rb:6:in '<main>': private method 'x' called for an instance of A (NoMethodError)\n"),
    "block-labels": (
        "def each_pair_of(h)\n  h.each { |k, v| v.foo }\nend\neach_pair_of({a: 1})\n",
        ("t.rb:2:in 'block in Object#each_pair_of': undefined method 'foo' for an instance of "
        "Integer (NoMethodError)\n\tfrom t.rb:2:in 'Hash#each'\n"
        "\tfrom t.rb:2:in 'Object#each_pair_of'\n\tfrom t.rb:4:in '<main>'\n")),
    "nested-block-labels": (
        "[1].each do |x|\n  [2].each do |y|\n    raise \"deep\"\n  end\nend\n",
        ("t.rb:3:in 'block (2 levels) in <main>': deep (RuntimeError)\n"
        "\tfrom t.rb:2:in 'Array#each'\n\tfrom t.rb:2:in 'block in <main>'\n"
        "\tfrom t.rb:1:in 'Array#each'\n\tfrom t.rb:1:in '<main>'\n")),
    "enoent": (
        'File.read("/nonexistent/file.conf")\n',
        ("t.rb:1:in 'IO.read': No such file or directory @ rb_sysopen - /nonexistent/file.conf "
        "(Errno::ENOENT)\n\tfrom t.rb:1:in '<main>'\n")),
    "load-error": (
        'require "no_such_library"\n',
        ("t.rb:1:in 'Kernel#require': cannot load such file -- no_such_library (LoadError)\n"
        "\tfrom t.rb:1:in '<main>'\n")),
    "not-supported": (
        'system("true")\n',
        ("t.rb:1:in 'Kernel#system': system is not supported by this implementation "
        "(NotImplementedError)\n\tfrom t.rb:1:in '<main>'\n")),
    "singleton-on-integer": (
        "x = 1\ndef x.foo\nend\n",
        "t.rb:2:in '<main>': can't define singleton (TypeError)\n"),
    "uncaught-throw": (
        "throw :done\n",
        ("t.rb:1:in 'Kernel#throw': uncaught throw :done (UncaughtThrowError)\n"
        "\tfrom t.rb:1:in '<main>'\n")),
    "custom-exception": (
        "class AppError < StandardError\nend\nraise AppError\n",
        "t.rb:3:in '<main>': AppError (AppError)\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_runtime_error_text(tmp_path: Path, name: str) -> None:
    source, expected = CASES[name]
    done = run_ruby(tmp_path, source)
    assert done.stderr == expected
    assert done.returncode == 1


def test_stdout_is_flushed_before_the_error(tmp_path: Path) -> None:
    done = run_ruby(tmp_path, 'puts "before"\nprint "partial"\nnil.boom\n')
    assert done.stdout == "before\npartial"
    assert done.stderr == "t.rb:3:in '<main>': undefined method 'boom' for nil (NoMethodError)\n"
    assert done.returncode == 1


def test_syntax_error_prints_line_and_caret_and_runs_nothing(tmp_path: Path) -> None:
    done = run_ruby(tmp_path, 'puts "never"\ndef x(\n')
    assert done.stdout == ""
    assert done.stderr == "t.rb:2:7: syntax error, unexpected end-of-input\ndef x(\n      ^\n"
    assert done.returncode == 1


def test_success_exit_status_argv_and_program_name(tmp_path: Path) -> None:
    done = run_ruby(tmp_path, "p ARGV, $0, __FILE__\nwarn 'to stderr'\n", "a", "b c")
    assert done.stdout == '["a", "b c"]\n"t.rb"\n"t.rb"\n'
    assert done.stderr == "to stderr\n"
    assert done.returncode == 0


def test_internal_errors_never_print_a_python_traceback(tmp_path: Path) -> None:
    # A deliberately deep recursion exercises the interpreter's own limits.
    done = run_ruby(tmp_path, "def f(n)\n  f(n + 1)\nend\nf(0)\n")
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("t.rb:2:in 'Object#f': stack level too deep (SystemStackError)\n")
    assert done.returncode == 1
