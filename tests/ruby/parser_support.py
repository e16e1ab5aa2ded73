"""Helpers for the parser tests: a compact S-expression view of the AST so
that expected structures can be written by hand and read at a glance.

    sexp(parse("a + 1").body)  ->  ("seq", ("call", ("vcall", "a"), "+", (("int", 1),)))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from milter_manager.ruby import ast
from milter_manager.ruby.parser import parse

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def sexp(node: Any) -> Any:
    """Nodes as nested tuples; positions left out (tests check them apart)."""
    if isinstance(node, list):
        return tuple(sexp(n) for n in node)
    if node is None or isinstance(node, (str, int, float, bool)):
        return node
    if isinstance(node, tuple):
        return tuple(sexp(n) for n in node)
    kind = type(node)
    if kind is ast.Seq:
        return ("seq", *[sexp(s) for s in node.stmts])
    if kind is ast.IntLit:
        return ("int", node.value)
    if kind is ast.FloatLit:
        return ("float", node.value)
    if kind is ast.StrLit:
        return ("str", node.value)
    if kind is ast.SymLit:
        return ("sym", node.name)
    if kind is ast.LVar:
        return ("lvar", node.name)
    if kind is ast.IVar:
        return ("ivar", node.name)
    if kind is ast.GVar:
        return ("gvar", node.name)
    if kind is ast.NilLit:
        return ("nil",)
    if kind is ast.TrueLit:
        return ("true",)
    if kind is ast.FalseLit:
        return ("false",)
    if kind is ast.SelfNode:
        return ("self",)
    if kind is ast.Const:
        if node.scope is None and not node.top:
            return ("const", node.name)
        return ("const", node.name, sexp(node.scope), node.top)
    if kind is ast.Call:
        if node.vcall:
            return ("vcall", node.name)
        out: tuple = ("call", sexp(node.receiver), node.name, sexp(node.args))
        if node.block is not None:
            out += (sexp(node.block),)
        if node.safe_nav:
            out += ("&.",)
        return out
    if kind is ast.Block:
        return ("block", sexp(node.params), sexp(node.body))
    if kind is ast.LAsgn:
        return ("lasgn", node.name, sexp(node.value))
    if kind is ast.IAsgn:
        return ("iasgn", node.name, sexp(node.value))
    if kind is ast.AttrAsgn:
        return ("attrasgn", sexp(node.receiver), node.name, sexp(node.args), sexp(node.value))
    name = kind.__name__.lower()
    fields = [f for klass in kind.__mro__ for f in getattr(klass, "__slots__", ())
              if f not in ("line", "column")]
    return (name, *[sexp(getattr(node, f)) for f in fields])


def body(source: str) -> Any:
    """The statements of a program, as S-expressions."""
    return sexp(parse(source, "t.rb").body)[1:]


def stmt(source: str) -> Any:
    """The last statement of a program."""
    return body(source)[-1]
