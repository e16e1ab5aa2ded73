"""The interpreter's host API as the configuration layer uses it
(`interpreter.py` docstring; `config.md` §4.1 evaluation model)."""

from __future__ import annotations

import pytest

from milter_manager.ruby.errors import RubyError
from milter_manager.ruby.interpreter import Interpreter
from milter_manager.ruby.objects import RArray, RHash, RObject, RProc, RString, RSymbol
from milter_manager.ruby.parser import parse


@pytest.fixture
def interp() -> Interpreter:
    return Interpreter()


def run(interp: Interpreter, source: str, filename: str = "t.rb", **kw) -> object:
    return interp.load_program(parse(source, filename), **kw)


class Loader:
    """A stand-in for the configuration loader: a native class whose
    instances carry a Python payload."""

    def __init__(self, interp: Interpreter) -> None:
        self.interp = interp
        self.klass = interp.define_class("Milter::Manager::ConfigurationLoader")
        self.calls: list[tuple[str, object, tuple[str, int]]] = []

        def record(ip: Interpreter, recv: RObject, args: list, kwargs: object, blk: object):
            self.calls.append(("set", ip.to_python(args[0]), ip.current_location()))
            return args[0]
        interp.define_native(self.klass, "value=", record, arity=1)

    def new(self) -> RObject:
        return self.interp.new_object(self.klass, {"state": 1})

    def scope(self, obj: RObject) -> list:
        ip = self.interp
        return [ip.singleton_class(None, obj), self.klass, ip.module_at("Milter::Manager"),
                ip.module_at("Milter")]


def test_loader_as_self_with_locals_defs_and_constants_per_top_level_load(interp) -> None:
    loader = Loader(interp)
    obj = loader.new()
    scope = loader.scope(obj)
    run(interp, "x = 1\nTIMEOUT = 5\ndef helper(v)\n  v * TIMEOUT\nend\n", "a.conf",
        self_obj=obj, lexical_scope=scope)
    # A later file of the same top-level load: the def and the constant are
    # visible, the local is not.
    assert run(interp, "helper(2)", "b.conf", self_obj=obj, lexical_scope=scope) == 10
    assert run(interp, "defined?(x).inspect", "c.conf", self_obj=obj,
               lexical_scope=scope).s == "nil"
    # The constant lives in the loader's singleton class, not in Object.
    assert "TIMEOUT" in interp.singleton_class(None, obj).consts
    assert "TIMEOUT" not in interp.Object.consts
    # The top-level def is a public singleton method of the loader.
    assert interp.call_method(obj, "helper", 3) == 15
    with pytest.raises(RubyError) as info:
        run(interp, "helper(1)", "d.conf", self_obj=loader.new(), lexical_scope=scope)
    assert info.value.class_name == "NoMethodError"


def test_native_setter_sees_the_call_site_location(interp) -> None:
    loader = Loader(interp)
    obj = loader.new()
    run(interp, "# comment\nself.value =\n  \"a\" +\n  \"b\"\n", "/etc/x.conf", self_obj=obj,
        lexical_scope=loader.scope(obj))
    assert loader.calls == [("set", "ab", ("/etc/x.conf", 2))]


def test_lexical_scope_resolves_library_constants_unqualified(interp) -> None:
    loader = Loader(interp)
    milter = interp.module_at("Milter")
    interp.const_set(None, milter, "Answer", 42)
    obj = loader.new()
    assert run(interp, "Answer", self_obj=obj, lexical_scope=loader.scope(obj)) == 42
    with pytest.raises(RubyError) as info:
        run(interp, "Answer", "plain.rb")
    assert info.value.message == "uninitialized constant Answer"


def test_top_level_return_ends_only_that_file(interp) -> None:
    out = run(interp, "$seen = []\n$seen << 1\nreturn\n$seen << 2\n")
    assert out is None
    assert interp.to_python(interp.gvars["$seen"]) == [1]


def test_call_method_and_call_proc_convert_python_values(interp) -> None:
    proc = run(interp, "proc { |a, b, c| [a, b, c] }")
    assert isinstance(proc, RProc)
    # Proc semantics: missing arguments are nil, extra ones dropped.
    assert interp.to_python(interp.call_proc(proc, "x")) == ["x", None, None]
    assert interp.to_python(interp.call_proc(proc, 1, 2, 3, 4)) == [1, 2, 3]
    arr = interp.call_method(RArray([3, 1, 2]), "sort")
    assert list(arr) == [1, 2, 3]
    h = interp.call_method(RHash(), "merge", {"a": [1, 2]})
    assert interp.to_python(h) == {"a": [1, 2]}


def test_ruby_error_carries_class_message_backtrace_and_location(interp) -> None:
    with pytest.raises(RubyError) as info:
        run(interp, "def boom\n  raise KeyError, 'gone'\nend\n\nboom\n", "/x/err.rb")
    err = info.value
    assert err.class_name == "KeyError"
    assert err.message == "gone"
    assert err.backtrace == ["/x/err.rb:2:in 'Object#boom'", "/x/err.rb:5:in '<main>'"]
    assert err.location == ("/x/err.rb", 2)
    assert not err.internal


def test_python_errors_in_natives_become_ruby_errors(interp) -> None:
    klass = interp.define_class("Broken")

    def broken(ip, recv, args, kwargs, blk):
        return {}["missing"]
    interp.define_native(klass, "call", broken, arity=0)
    interp.define_singleton_native(klass, "oops", lambda ip, r, a, k, b: 1 / 0, arity=0)
    with pytest.raises(RubyError) as info:
        run(interp, "Broken.new.call", "n.rb")
    assert info.value.internal
    assert info.value.message.startswith("internal error: KeyError")
    assert info.value.location == ("n.rb", 1)
    # Ruby code can rescue it like any StandardError...
    assert run(interp, "begin\n  Broken.new.call\nrescue => e\n  e.class.name\nend").s == \
        "RuntimeError"
    # ...and a Python ZeroDivisionError is Ruby's.
    with pytest.raises(RubyError) as info:
        run(interp, "Broken.oops")
    assert info.value.class_name == "ZeroDivisionError"
    assert info.value.message == "divided by 0"


def test_control_flow_never_escapes_to_the_host(interp) -> None:
    pr = run(interp, "proc { break 1 }")
    with pytest.raises(RubyError) as info:
        interp.call_proc(pr)
    assert (info.value.class_name, info.value.message) == \
        ("LocalJumpError", "break from proc-closure")
    with pytest.raises(RubyError) as info:
        run(interp, "throw :nowhere")
    assert info.value.class_name == "UncaughtThrowError"


def test_native_keyword_arguments(interp) -> None:
    klass = interp.define_class("Kw")
    seen = []
    interp.define_native(klass, "with_kw", lambda ip, r, a, k, b: seen.append(
        (ip.to_python(a), ip.to_python(k))), kw=True)
    interp.define_native(klass, "plain", lambda ip, r, a, k, b: seen.append(
        (ip.to_python(a), k)))
    run(interp, "Kw.new.with_kw(1, name: 'x')\nKw.new.plain('a', condition_name: 'X')")
    assert seen == [([1], {"name": "x"}), (["a", {"condition_name": "X"}], None)]


def test_value_conversion_helpers(interp) -> None:
    v = interp.to_ruby({"k": [1, 2.5, None, True, "s"]})
    assert isinstance(v, RHash)
    assert isinstance(v.get(RString("k"))[4], RString)
    assert interp.to_python(v) == {"k": [1, 2.5, None, True, "s"]}
    assert interp.to_python(RSymbol.get("sym")) == "sym"
    assert interp.sym("a") is RSymbol.get("a")


def test_hash_keys_use_eql_semantics(interp) -> None:
    got = run(interp, "h = {1 => :int, 1.0 => :float, 'a' => :str, [1, 2] => :ary}\n"
                      "[h[1], h[1.0], h['a'], h[[1, 2]], h.size]")
    assert interp.to_python(got) == ["int", "float", "str", "ary", 4]


def test_interpreters_are_independent(interp) -> None:
    other = Interpreter()
    run(interp, "class String\n  def shout\n    upcase\n  end\nend")
    assert run(interp, "'a'.shout").s == "A"
    with pytest.raises(RubyError):
        other.load_program(parse("'a'.shout", "o.rb"))


def test_eval_string_helper(interp) -> None:
    assert interp.eval_string("[1, 2].sum", "e.rb") == 3
