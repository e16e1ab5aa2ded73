"""The AST of the context-dependent constructs (ruby-subset.md §2.2–§2.5).
Expected structures are written from Ruby's own rules (checked against
`ruby --dump=parsetree` where in doubt), as S-expressions (parser_support)."""

from __future__ import annotations

import pytest
from parser_support import body, stmt

from milter_manager.ruby import ast
from milter_manager.ruby.parser import RubySyntaxError, parse


def call(recv, name, *args, block=None):
    out = ("call", recv, name, tuple(args))
    return out if block is None else out + (block,)


def vcall(name):
    return ("vcall", name)


def lvar(name):
    return ("lvar", name)


def i(v):
    return ("int", v)


def s(v):
    return ("str", v)


EMPTY = ("seq",)


def params(required=(), optional=(), rest=None, post=(), keywords=(), kwrest=None, block=None,
           trailing_comma=False, block_locals=()):
    return ("params", tuple(("param", r) for r in required), tuple(optional), rest,
            tuple(("param", p) for p in post), tuple(keywords), kwrest, block, trailing_comma,
            tuple(block_locals))


# --- division vs regexp (§2.2) ------------------------------------------------------

def test_division_chain() -> None:
    assert stmt("a / b / c") == call(call(vcall("a"), "/", vcall("b")), "/", vcall("c"))


def test_command_with_regexp_argument() -> None:
    assert stmt("foo /re/") == call(None, "foo", ("regexlit", (s("re"),), "", "re"))


def test_division_then_regexp_on_the_next_line() -> None:
    # lark's own lexers take `/ y /` as a regexp here (§2.1)
    assert body("x / y / z\nfoo /re/i") == (
        call(call(vcall("x"), "/", vcall("y")), "/", vcall("z")),
        call(None, "foo", ("regexlit", (s("re"),), "i", "re")))


def test_local_variable_divides() -> None:
    assert stmt("x = 4\nx /2/ 1") == call(call(lvar("x"), "/", i(2)), "/", i(1))


def test_divide_with_spaces_after_method() -> None:
    assert stmt("foo / 2") == call(vcall("foo"), "/", i(2))


def test_regexp_flags_and_escaped_slash() -> None:
    node = parse(r"x = /\A<(.+?)@(.+?)>\z/mix", "t.rb").body.stmts[0].value
    assert (node.flags, node.source) == ("mix", r"\A<(.+?)@(.+?)>\z")
    node = parse(r"x = /a\/b(?i)c/", "t.rb").body.stmts[0].value
    assert node.source == "a/b(?i)c"
    node = parse("x = %r{a/b}m", "t.rb").body.stmts[0].value
    assert (node.source, node.flags) == ("a/b", "m")


def test_regexp_with_interpolation_has_no_static_source() -> None:
    node = stmt('/a#{b}c/o')
    assert node == ("regexlit", (s("a"), vcall("b"), s("c")), "o", None)


def test_unknown_and_ignored_flags() -> None:
    assert parse("x = /a/un", "t.rb").body.stmts[0].value.flags == ""


# --- unary minus and locals (§2.2, §2.4) ------------------------------------------------

def test_minus_number_after_local_is_subtraction() -> None:
    assert stmt("x = 2\nx -1") == call(lvar("x"), "-", i(1))


def test_minus_number_after_method_is_an_argument() -> None:
    assert stmt("foo -1") == call(None, "foo", i(-1))


def test_spaced_minus_is_binary() -> None:
    assert stmt("foo - 1") == call(vcall("foo"), "-", i(1))
    assert stmt("foo-1") == call(vcall("foo"), "-", i(1))


def test_negative_literal_and_power() -> None:
    assert stmt("-2 ** 2") == call(call(i(2), "**", i(2)), "-@")
    assert stmt("2 ** -1") == call(i(2), "**", i(-1))
    assert stmt("-2.abs") == call(i(-2), "abs")
    assert stmt("x = 1\n-x") == call(lvar("x"), "-@")


def test_index_vs_array_argument() -> None:
    assert stmt("x = [1]\nx [0]") == call(lvar("x"), "[]", i(0))
    assert stmt("foo [0]") == call(None, "foo", ("arraylit", (i(0),)))
    assert stmt("foo[0]") == call(vcall("foo"), "[]", i(0))


def test_local_scope_per_file_def_and_block() -> None:
    program = parse("a = 1\ndef m\n  a\nend\n[1].each { |b| c = b }\nb\nc", "t.rb")
    stmts = program.body.stmts
    assert stmts[1].body.stmts == [ast.Call(receiver=None, name="a", vcall=True, line=3,
                                            column=3)]
    assert [type(x) for x in stmts[3:]] == [ast.Call, ast.Call]   # b, c: not locals here
    assert stmts[3].vcall and stmts[4].vcall
    assert program.locals == ["a"]


def test_locals_from_every_binding_form() -> None:
    program = parse(
        "user, domain = f\n"
        "x ||= 1\n"
        "begin; rescue => e; end\n"
        "for k in []; end\n"
        "/(?<word>\\w+)/ =~ 'hi'\n"
        "[user, domain, x, e, k, word]\n", "t.rb")
    assert program.locals == ["user", "domain", "x", "e", "k", "word"]
    assert sexp_last(program) == ("arraylit", tuple(lvar(n) for n in program.locals))


def sexp_last(program):
    from parser_support import sexp
    return sexp(program.body.stmts[-1])


def test_local_read_before_assignment_in_a_modifier() -> None:
    assert body("x = 1 if false; x")[-1] == lvar("x")


def test_named_captures_assign_locals() -> None:
    node = stmt("/(?<a>.)(?<b>.)/ =~ s")
    assert node[0] == "matchassign"
    assert node[-1] == ("a", "b")


def test_method_call_with_parens_on_a_local_name() -> None:
    assert stmt("foo = 1\nfoo(2)") == call(None, "foo", i(2))


# --- ternary vs character literal ---------------------------------------------------------

def test_ternary() -> None:
    assert stmt("x ? y : z") == ("if", vcall("x"), vcall("y"), vcall("z"))
    assert stmt("a ? b ? 1 : 2 : 3") == ("if", vcall("a"), ("if", vcall("b"), i(1), i(2)), i(3))
    assert stmt("c ? :a : :b") == ("if", vcall("c"), ("sym", "a"), ("sym", "b"))
    assert stmt("x.empty? ? 1 : 2") == ("if", call(vcall("x"), "empty?"), i(1), i(2))


def test_character_literal() -> None:
    assert stmt("x = ?c") == ("lasgn", "x", s("c"))
    assert stmt("foo ?c") == call(None, "foo", s("c"))
    assert stmt("x = ?\\n") == ("lasgn", "x", s("\n"))


# --- do / { } binding (§2.3) ------------------------------------------------------------------

def block(body=EMPTY, params=None, brace=False):
    return ("block", params, body)


def test_do_binds_to_the_command() -> None:
    assert stmt("foo bar do end") == call(None, "foo", vcall("bar"), block=block())
    assert stmt('define_milter "x" do |m| end') == call(
        None, "define_milter", s("x"), block=block(params=params(["m"])))


def test_do_binds_to_the_outermost_command_argument_list() -> None:
    assert stmt("foo a, lambda do end") == call(None, "foo", vcall("a"), vcall("lambda"),
                                                block=block())


def test_brace_binds_to_the_nearest_call() -> None:
    assert stmt("foo bar { }") == call(None, "foo", call(None, "bar", block=block()))


def test_do_after_parenthesised_call() -> None:
    assert stmt("foo(bar) do end") == call(None, "foo", vcall("bar"), block=block())
    assert stmt("x = lambda do |a| a end") == (
        "lasgn", "x", call(None, "lambda", block=block(("seq", lvar("a")), params(["a"]))))
    assert stmt("@services.size.times do end") == call(call(("ivar", "@services"), "size"),
                                                       "times", block=block())


def test_do_in_while_condition() -> None:
    assert stmt("while foo do bar end") == ("while", vcall("foo"), ("seq", vcall("bar")),
                                            False, False)


def test_do_block_assigned_from_a_command() -> None:
    assert stmt("x = foo 1 do end") == ("lasgn", "x", call(None, "foo", i(1), block=block()))


def test_shift_then_do_block() -> None:
    assert stmt("t = []\nt << Thread.new do end") == call(
        lvar("t"), "<<", call(("const", "Thread"), "new", block=block()))


def test_hash_vs_block_brace() -> None:
    assert stmt("x = {}") == ("lasgn", "x", ("hashlit", ()))
    assert stmt("foo {}") == call(None, "foo", block=block())
    assert stmt("foo({})") == call(None, "foo", ("hashlit", ()))
    assert stmt("[1].map { |v| v }") == call(("arraylit", (i(1),)), "map",
                                             block=block(("seq", lvar("v")), params(["v"])))


# --- strings ----------------------------------------------------------------------------------

def test_nested_interpolation() -> None:
    assert stmt('"a#{"b#{c}d"}e"') == (
        "dstr", (s("a"), ("dstr", (s("b"), vcall("c"), s("d"))), s("e")))


def test_interpolated_variables_and_escapes() -> None:
    assert stmt('"#@a-#$b-\\#{c}\\u00e9\\x41\\t"') == (
        "dstr", (("ivar", "@a"), s("-"), ("gvar", "$b"), s("-#{c}\u00e9A\t")))


def test_single_quotes_and_adjacent_literals() -> None:
    assert stmt("'a\\'b\\\\c\\n' \"d\"") == s("a'b\\c\\nd")


def test_heredocs() -> None:
    source = "x = <<~EOS\n    a\n      b #{1}\n    c\n  EOS\ny = 2\n"
    assert body(source) == (
        ("lasgn", "x", ("dstr", (s("a\n  b "), i(1), s("\nc\n")))),
        ("lasgn", "y", i(2)))


def test_two_heredocs_on_one_line() -> None:
    source = "foo(<<A, <<-'B')\nfirst #{x}\nA\n  second #{x}\n  B\nbar\n"
    assert body(source) == (
        call(None, "foo", ("dstr", (s("first "), vcall("x"), s("\n"))), s("  second #{x}\n")),
        vcall("bar"))


def test_heredoc_then_rest_of_line() -> None:
    assert stmt("x = <<EOS.strip + 'z'\n a\nEOS\n") == (
        "lasgn", "x", call(call(s(" a\n"), "strip"), "+", s("z")))


def test_word_and_symbol_arrays() -> None:
    assert stmt("%w[a b\\ c #{d}]") == ("arraylit", (s("a"), s("b c"), s("#{d}")))
    assert stmt("%i(x y)") == ("arraylit", (("sym", "x"), ("sym", "y")))


def test_percent_strings_and_symbols() -> None:
    assert stmt("%q(a (b) \\) c)") == s("a (b) ) c")
    assert stmt('%Q[#{x}]') == ("dstr", (vcall("x"),))
    assert stmt(':"a b"') == ("sym", "a b")
    assert stmt(":name=") == ("sym", "name=")
    assert stmt(":[]=") == ("sym", "[]=")


# --- line structure ----------------------------------------------------------------------------

def test_leading_dot_method_chain() -> None:
    assert stmt("foo\n  .bar\n  # comment\n\n  &.baz") == call(
        call(vcall("foo"), "bar"), "baz") + ("&.",)


def test_continuation_after_operator_and_backslash() -> None:
    assert stmt("x = 1 +\n 2") == ("lasgn", "x", call(i(1), "+", i(2)))
    assert stmt("x = 1 \\\n + 2") == ("lasgn", "x", call(i(1), "+", i(2)))
    assert stmt('d =\n  "a " +\n  "b"') == ("lasgn", "d", call(s("a "), "+", s("b")))


def test_newlines_inside_brackets() -> None:
    assert stmt("x = [\n  1,\n  # c\n  2,\n]") == ("lasgn", "x", ("arraylit", (i(1), i(2))))
    assert stmt("foo(\n  1,\n  2\n)") == call(None, "foo", i(1), i(2))


def test_comments_embedded_documents_and_end_marker() -> None:
    assert body("a # x\n=begin\nnot code\n=end\nb\n__END__\nc d e") == (vcall("a"), vcall("b"))


def test_bom_and_crlf() -> None:
    assert body("\ufeffa = 1\r\nb\r\n") == (("lasgn", "a", i(1)), vcall("b"))


# --- assignment forms ----------------------------------------------------------------------------

def test_multiple_assignment() -> None:
    assert stmt("a, b = 1, 2") == ("masgn", ("mlhs", (("lasgn", "a", None), ("lasgn", "b", None))),
                                   ("arraylit", (i(1), i(2))))
    assert stmt("a, *b = c") == ("masgn", ("mlhs", (("lasgn", "a", None),
                                                    ("splattarget", ("lasgn", "b", None)))),
                                 vcall("c"))
    assert stmt("*a, b = 1, 2") == ("masgn", ("mlhs", (("splattarget", ("lasgn", "a", None)),
                                                       ("lasgn", "b", None))),
                                    ("arraylit", (i(1), i(2))))
    assert stmt("a, b = b, a")[2] == ("arraylit", (lvar("b"), lvar("a")))


def test_chained_and_attribute_assignment() -> None:
    assert stmt("user = domain = nil") == ("lasgn", "user", ("lasgn", "domain", ("nil",)))
    assert stmt("r.x = 1") == ("attrasgn", vcall("r"), "x", (), i(1))
    assert stmt("r[k] = v") == ("attrasgn", vcall("r"), "[]", (vcall("k"),), vcall("v"))


def test_op_assign_forms() -> None:
    assert stmt("x ||= 1") == ("opasgn", ("lasgn", "x", None), "||", i(1))
    assert stmt("@h[:k] ||= []") == ("opasgn", ("attrasgn", ("ivar", "@h"), "[]", (("sym", "k"),),
                                                None), "||", ("arraylit", ()))
    assert stmt("m.conds += [n]") == ("opasgn", ("attrasgn", vcall("m"), "conds", (), None), "+",
                                      ("arraylit", (vcall("n"),)))
    assert stmt("x = 1\nx <<= 2") == ("opasgn", ("lasgn", "x", None), "<<", i(2))


def test_singleton_class_idiom() -> None:
    assert stmt("singleton_class = class << self; self; end") == (
        "lasgn", "singleton_class", ("sclass", ("self",), ("seq", ("self",))))


# --- rescue modifier, keywords, blocks ------------------------------------------------------------

def test_rescue_modifiers() -> None:
    assert stmt("foo rescue nil") == ("rescuemod", vcall("foo"), ("nil",))
    assert stmt("x = y rescue z") == ("lasgn", "x", ("rescuemod", vcall("y"), vcall("z")))
    assert stmt("(x = y) rescue z") == ("rescuemod", ("lasgn", "x", vcall("y")), vcall("z"))


def test_keyword_and_label_arguments() -> None:
    assert stmt('f("a", /b/, condition_name: "X")') == call(
        None, "f", s("a"), ("regexlit", (s("b"),), "", "b"),
        ("kwargs", (("pair", ("sym", "condition_name"), s("X")),)))
    assert stmt('f a: 1, "b": 2, c => 3, **h') == call(
        None, "f", ("kwargs", (("pair", ("sym", "a"), i(1)), ("pair", ("sym", "b"), i(2)),
                               ("pair", vcall("c"), i(3)), ("doublesplat", vcall("h")))))
    assert stmt("{a: 1, 'b' => 2}") == ("hashlit", (("pair", ("sym", "a"), i(1)),
                                                    ("pair", s("b"), i(2))))


def test_block_pass() -> None:
    assert stmt("threads.each(&:kill)") == call(vcall("threads"), "each",
                                                block=("blockpass", ("sym", "kill")))
    assert stmt("b = nil\nf(x, &b)") == call(None, "f", vcall("x"), block=("blockpass", lvar("b")))


def test_stabby_lambda() -> None:
    assert stmt("->(x) { x }") == ("lambda", params(["x"]), ("seq", lvar("x")))
    assert stmt("-> do 1 end") == ("lambda", None, ("seq", i(1)))
    assert stmt("f = ->(a, b = 2) { a }")[2][1] == params(["a"], [("b", i(2))])


def test_begin_end_while() -> None:
    assert stmt("begin\n  x\nend while y") == (
        "while", vcall("y"), ("begin", ("seq", vcall("x")), (), None, None), False, True)
    assert stmt("x while y") == ("while", vcall("y"), vcall("x"), False, False)


def test_file_and_line() -> None:
    assert body("__FILE__\n\n__LINE__") == (s("t.rb"), i(3))


def test_block_parameters() -> None:
    node = stmt("f { |a, (b, c), *d, k: 1, &e; z| }")
    p = node[-1][1]
    assert p[1] == (("param", "a"), ("destructureparam",
                                     params(["b", "c"])))
    assert (p[3], p[5], p[7], p[9]) == ("d", (("k", i(1)),), "e", ("z",))
    assert stmt("f { |a,| }")[-1][1] == params(["a"], trailing_comma=True)
    assert stmt("f { || }")[-1][1] == params()


def test_method_parameters() -> None:
    node = stmt("def f(a, b = 1, *r, c, k:, j: 2, **o, &blk)\nend")
    assert node[2] == params(["a"], [("b", i(1))], "r", ["c"], [("k", None), ("j", i(2))], "o",
                             "blk")
    assert stmt("def f a, b\n  a\nend")[2:4] == (params(["a", "b"]), ("seq", lvar("a")))


def test_setter_and_operator_definitions() -> None:
    assert [n[1] for n in body("def a=(v); end\ndef ==(o); end\ndef [](k); end\n"
                               "def self.x?; end\ndef -@; end")] == ["a=", "==", "[]", "x?", "-@"]


def test_return_with_modifier() -> None:
    assert stmt("def f\n  return if x\nend")[3] == ("seq", ("if", vcall("x"), ("return", None),
                                                            None))
    assert stmt("def f\n  return false unless a\nend")[3] == (
        "seq", ("if", vcall("a"), None, ("return", ("false",))))


def test_command_call_with_receiver_and_scope() -> None:
    assert stmt("Milter::Logger.warning message") == call(
        ("const", "Logger", ("const", "Milter"), False), "warning", vcall("message"))
    assert stmt("::Queue") == ("const", "Queue", None, True)


def test_endless_range_and_safe_navigation() -> None:
    assert stmt("a[1..]") == call(vcall("a"), "[]", ("rangelit", i(1), None, False))
    assert stmt("(1...3)") == ("rangelit", i(1), i(3), True)


@pytest.mark.parametrize("source,name,line,column", [
    ("milter.description =\n  'a' +\n  'b'", "description", 1, 8),
    ("  r[k] = v", "[]", 1, 4),
    ("foo.bar(1)", "bar", 1, 5),
    ("define_milter(\"x\") do |m|\nend", "define_milter", 1, 1),
    ("a +\n b", "+", 1, 3),
    ("x.y += 1", "y", 1, 3),
])
def test_call_position_is_the_method_name_token(source, name, line, column) -> None:
    node = parse(source, "t.rb").body.stmts[0]
    if isinstance(node, ast.OpAsgn):
        node = node.target
    assert (node.name, node.line, node.column) == (name, line, column)


def test_columns_count_characters() -> None:
    node = parse("x = 'é'; y.z", "t.rb").body.stmts[1]
    assert (node.name, node.column) == ("z", 12)


# --- operator precedence (§2.7) -----------------------------------------------------------------

def test_binary_operator_tiers() -> None:
    a, b, c, d = vcall("a"), vcall("b"), vcall("c"), vcall("d")
    assert stmt("1 + 2 * 3") == call(i(1), "+", call(i(2), "*", i(3)))
    assert stmt("a - b - c") == call(call(a, "-", b), "-", c)
    assert stmt("2 ** 3 ** 2") == call(i(2), "**", call(i(3), "**", i(2)))
    assert stmt("a || b && c") == ("or", a, ("and", b, c))
    assert stmt("a == b + 1 < c") == call(a, "==", call(call(b, "+", i(1)), "<", c))
    assert stmt("a | b & c << d") == call(a, "|", call(b, "&", call(c, "<<", d)))
    assert stmt("!a == b") == call(("not", a), "==", b)
    assert stmt("-a ** 2") == call(call(a, "**", i(2)), "-@")
    assert stmt("-a * 2") == call(call(a, "-@"), "*", i(2))
    assert stmt("a..b + 1") == ("rangelit", a, call(b, "+", i(1)), False)
    assert stmt("x = a ? b : c") == ("lasgn", "x", ("if", a, b, c))
    assert stmt("not a == b and c") == ("and", ("not", call(a, "==", b)), c)
    assert stmt("a = b or c") == ("or", ("lasgn", "a", b), c)


def test_comparisons_do_not_chain() -> None:
    with pytest.raises(RubySyntaxError) as info:
        parse("a == b == c", "t.rb")
    assert str(info.value) == "t.rb:1:8: syntax error, unexpected '=='"
