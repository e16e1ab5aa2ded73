"""The lark callbacks that turn `grammar/ruby.lark` reductions into the AST of
`ast.py` (`ruby-subset.md` §2.1). Run inline by the LALR parser, so no parse
tree is built. Positions come from tokens: a call's is its method-name token
(`recv.foo` → `foo`, `r[k] = v` → `[`, `a + b` → `+`), a literal's its first
token.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from lark import Token, Transformer, Tree

from . import ast
from .syntax_error import RubySyntaxError

_NAMED_GROUP = re.compile(r"\(\?(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')")
# Binding strength of the binary operators of `binary_expr` (§2.7).
_NONASSOC, _POW = 3, 10
_PRECEDENCE = {
    "||": 1, "&&": 2,
    "<=>": _NONASSOC, "==": _NONASSOC, "===": _NONASSOC, "!=": _NONASSOC, "=~": _NONASSOC,
    "!~": _NONASSOC,
    "<": 4, "<=": 4, ">": 4, ">=": 4, "|": 5, "^": 5, "&": 6, "<<": 7, ">>": 7,
    "+": 8, "-": 8, "*": 9, "/": 9, "%": 9, "**": _POW,
}
_ASSIGN_NODES = (ast.LAsgn, ast.IAsgn, ast.GAsgn, ast.CVAsgn, ast.CDecl, ast.AttrAsgn,
                 ast.OpAsgn, ast.MAsgn)


class Redo(ast.Node):
    """`redo`: unsupported (§3.3); only lives until the post-parse checks,
    which report it as a syntax error."""
    __slots__ = ()


class _Args:
    """An argument list while it is being built."""
    __slots__ = ("args", "block", "kw")

    def __init__(self, args: list | None = None, kw: list | None = None,
                 block: ast.BlockPass | None = None) -> None:
        self.args = args if args is not None else []
        self.kw = kw
        self.block = block

    def flat(self) -> list[ast.Node]:
        if self.kw:
            return self.args + [ast.KwArgs(items=self.kw, line=self.kw[0].line,
                                           column=self.kw[0].column)]
        return list(self.args)


def _pos(tok: Any) -> dict:
    return {"line": tok.line, "column": tok.column}


def _node_pos(node: ast.Node) -> dict:
    return {"line": node.line, "column": node.column}


def _tokens_out(children: list) -> list:
    return [c for c in children if not isinstance(c, Token)]


class ParseContext:
    """What the callbacks need to know about the parse in progress."""
    __slots__ = ("error", "explicit_begin", "filename", "parenthesized", "translate", "uminus")

    def __init__(self, filename: str, error: Callable[[str, Any], RubySyntaxError],
                 translate: Callable[[str, str, Token], None] | None = None) -> None:
        self.filename = filename
        self.error = error
        self.translate = translate
        self.parenthesized: set[int] = set()   # ids of nodes written in ( )
        self.explicit_begin: set[int] = set()  # ids of `begin … end` nodes
        self.uminus: set[int] = set()          # ids of `-x` calls (for `-x ** y`)


_local = threading.local()


def set_context(ctx: ParseContext | None) -> None:
    _local.ctx = ctx


class ASTBuilder(Transformer):
    """The callbacks; one instance serves every parse (lark binds it when the
    parser is built), the per-parse context lives in a thread-local."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)

    @property
    def ctx(self) -> ParseContext:
        return _local.ctx

    def error(self, message: str, where: Any) -> RubySyntaxError:
        return _local.ctx.error(message, where)

    # --- program and statements ----------------------------------------------------

    def start(self, c: list) -> ast.Seq:
        return c[0]

    def __default__(self, data: str, children: list, meta: Any) -> Any:
        # Helper rules (`_term`, lark's `__…_star` expansions) are inlined into
        # their parent by lark; every named rule has a callback here.
        if data.startswith("_"):
            return Tree(data, children, meta)
        raise AssertionError(f"no AST callback for grammar rule {data!r}")

    def compstmt(self, c: list) -> ast.Seq:
        stmts = _tokens_out(c)
        if stmts:
            return ast.Seq(stmts=stmts, **_node_pos(stmts[0]))
        return ast.Seq(stmts=[])

    def if_mod(self, c: list) -> ast.If:
        return ast.If(cond=c[2], then=c[0], **_pos(c[1]))

    def unless_mod(self, c: list) -> ast.If:
        return ast.If(cond=c[2], else_=c[0], **_pos(c[1]))

    def _loop_mod(self, c: list, until: bool) -> ast.While:
        body = c[0]
        do_while = isinstance(body, ast.Begin) and id(body) in self.ctx.explicit_begin
        return ast.While(cond=c[2], body=body, until=until, do_while=do_while, **_pos(c[1]))

    def while_mod(self, c: list) -> ast.While:
        return self._loop_mod(c, False)

    def until_mod(self, c: list) -> ast.While:
        return self._loop_mod(c, True)

    def rescue_mod(self, c: list) -> ast.Node:
        body, tok, fallback = c
        # `x = y rescue z` is `x = (y rescue z)` (parse.y gives the rescue
        # modifier of an assignment's right-hand side the higher precedence).
        target = body
        while (isinstance(target, _ASSIGN_NODES) and id(target) not in self.ctx.parenthesized
               and getattr(target, "value", None) is not None):
            inner = target.value
            if isinstance(inner, _ASSIGN_NODES) and id(inner) not in self.ctx.parenthesized:
                target = inner
                continue
            target.value = ast.RescueMod(body=inner, rescue=fallback, **_pos(tok))
            return body
        return ast.RescueMod(body=body, rescue=fallback, **_pos(tok))

    def fitem(self, c: list) -> str:
        item = c[0]
        if isinstance(item, Token):
            return str(item)
        if isinstance(item, ast.SymLit):
            return item.name
        raise self.error("syntax error, unexpected string literal", (item.line, item.column))

    def alias(self, c: list) -> ast.Alias:
        return ast.Alias(new=c[1], old=c[2], **_pos(c[0]))

    def undef_list(self, c: list) -> ast.Undef:
        if isinstance(c[0], ast.Undef):
            c[0].names.append(c[2])
            return c[0]
        return ast.Undef(names=[c[1]], **_pos(c[0]))

    # --- assignment --------------------------------------------------------------------

    def assign(self, c: list) -> ast.Node:
        target, _tok, value = c
        if isinstance(value, _MRhs):
            value = value.array
        if isinstance(target, ast.MLhs):
            return ast.MAsgn(targets=target, value=value, **_node_pos(target))
        target.value = value
        return target

    masgn = assign

    def op_asgn(self, c: list) -> ast.OpAsgn:
        target, tok, value = c
        return ast.OpAsgn(target=target, op=str(tok)[:-1], value=value, **_node_pos(target))

    def index_op_asgn(self, c: list) -> ast.OpAsgn:
        if len(c) == 6:
            recv, lb, args, _rb, tok, value = c
        else:
            recv, lb, _rb, tok, value = c
            args = _Args()
        target = ast.AttrAsgn(receiver=recv, name="[]", args=args.flat(), **_pos(lb))
        return ast.OpAsgn(target=target, op=str(tok)[:-1], value=value, **_pos(lb))

    def attr_op_asgn(self, c: list) -> ast.OpAsgn:
        recv, op, name, tok, value = c
        target = ast.AttrAsgn(receiver=recv, name=str(name), safe_nav=op == "&.", **_pos(name))
        return ast.OpAsgn(target=target, op=str(tok)[:-1], value=value, **_pos(name))

    def var_lhs(self, c: list) -> ast.Node:
        return self._var_target(c[0])

    def _var_target(self, tok: Token) -> ast.Node:
        name = str(tok)
        if tok.type == "LVAR":
            return ast.LAsgn(name=name, **_pos(tok))
        if tok.type == "IVAR":
            return ast.IAsgn(name=name, **_pos(tok))
        if tok.type == "GVAR":
            return ast.GAsgn(name=name, **_pos(tok))
        if tok.type == "CVAR":
            return ast.CVAsgn(name=name, **_pos(tok))
        return ast.CDecl(name=name, **_pos(tok))

    def lvar_lhs(self, c: list) -> ast.Node:
        return self._var_target(c[0])

    ivar_lhs = gvar_lhs = cvar_lhs = const_lhs = lvar_lhs

    def keyword_lhs(self, c: list) -> ast.Node:
        tok = c[0]
        raise self.error(f"Can't assign to {tok}", tok.start_pos)

    def keyword_variable(self, c: list) -> Token:
        return c[0]

    def index_lhs(self, c: list) -> ast.AttrAsgn:
        recv, lb = c[0], c[1]
        args = c[2] if len(c) == 4 else _Args()
        if args.block is not None:
            raise self.error("block arg given in index assignment", _where(args.block))
        return ast.AttrAsgn(receiver=recv, name="[]", args=args.flat(), **_pos(lb))

    def attr_lhs(self, c: list) -> ast.AttrAsgn:
        recv, op, name = c
        return ast.AttrAsgn(receiver=recv, name=str(name), safe_nav=op == "&.", **_pos(name))

    def scoped_const_lhs(self, c: list) -> ast.CDecl:
        return ast.CDecl(name=str(c[2]), scope=c[0], **_pos(c[2]))

    def top_const_lhs(self, c: list) -> ast.CDecl:
        return ast.CDecl(name=str(c[1]), top=True, **_pos(c[1]))

    def mlhs(self, c: list) -> ast.MLhs:
        targets: list = []
        for item in c:
            if isinstance(item, list):
                targets.extend(item)
            elif isinstance(item, Token):
                continue
            else:
                targets.append(item)
        return ast.MLhs(targets=targets, **_node_pos(targets[0]))

    def mlhs_head(self, c: list) -> list:
        if isinstance(c[0], list):
            return c[0] + [c[1]]
        return [c[0]]

    def mlhs_post(self, c: list) -> list:
        if isinstance(c[0], list):
            return c[0] + [c[2]]
        return [c[0]]

    def mlhs_splat(self, c: list) -> ast.SplatTarget:
        return ast.SplatTarget(target=c[1] if len(c) > 1 else None, **_pos(c[0]))

    def mlhs_group(self, c: list) -> ast.MLhs:
        return c[1]

    def mrhs_list(self, c: list) -> list:
        if isinstance(c[0], list):
            return c[0] + [c[2]]
        return [c[0]]

    def mrhs(self, c: list) -> _MRhs:
        if isinstance(c[0], Token):     # `*a`
            items = [ast.Splat(value=c[1], **_pos(c[0]))]
        else:
            items = c[0] + [c[2]]
        return _MRhs(ast.ArrayLit(elements=items, **_node_pos(items[0])))

    # --- boolean operators -----------------------------------------------------------

    def and_kw(self, c: list) -> ast.And:
        return ast.And(left=c[0], right=c[2], **_pos(c[1]))

    and_op = and_kw

    def or_kw(self, c: list) -> ast.Or:
        return ast.Or(left=c[0], right=c[2], **_pos(c[1]))

    or_op = or_kw

    def not_kw(self, c: list) -> ast.Not:
        return ast.Not(value=c[1], **_pos(c[0]))

    not_op = not_kw

    def defined(self, c: list) -> ast.Defined:
        value = c[2] if len(c) == 4 else c[1]
        return ast.Defined(value=value, **_pos(c[0]))

    def ternary(self, c: list) -> ast.If:
        return ast.If(cond=c[0], then=c[2], else_=c[4], **_pos(c[1]))

    def range2(self, c: list) -> ast.RangeLit:
        high = c[2] if len(c) == 3 else None      # `a..`: an endless range
        return ast.RangeLit(low=c[0], high=high, exclusive=str(c[1]) == "...", **_pos(c[1]))

    range3 = range2

    def binary_expr(self, c: list) -> ast.Node:
        """Operands and operators of tiers 8-18 (§2.7), combined by
        precedence climbing: left-associative except `**` (right) and the
        comparisons `<=> == === != =~ !~`, which do not chain."""
        if len(c) == 1:
            return c[0]
        operands, ops = c[0::2], c[1::2]
        index = 0

        def climb(min_prec: int) -> ast.Node:
            nonlocal index
            left = operands[index]
            while index < len(ops):
                tok = ops[index]
                prec = _PRECEDENCE[str(tok)]
                if prec < min_prec:
                    break
                index += 1
                right = climb(prec if prec == _POW else prec + 1)
                left = self._combine(left, tok, right)
                if (prec == _NONASSOC and index < len(ops)
                        and _PRECEDENCE[str(ops[index])] == _NONASSOC):
                    nxt = ops[index]
                    raise self.error(f"syntax error, unexpected '{nxt}'", nxt.start_pos)
            return left

        return climb(0)

    def _combine(self, left: ast.Node, tok: Token, right: ast.Node) -> ast.Node:
        op = str(tok)
        if op == "||":
            return ast.Or(left=left, right=right, **_pos(tok))
        if op == "&&":
            return ast.And(left=left, right=right, **_pos(tok))
        if op == "**" and id(left) in self.ctx.uminus:
            # `-a ** b` is `-(a ** b)` (tier 17 below tier 18)
            left.receiver = self._combine(left.receiver, tok, right)
            return left
        return self.binop([left, tok, right])

    def uminus(self, c: list) -> ast.Call:
        node = self.unary(c)
        self.ctx.uminus.add(id(node))
        return node

    def binop(self, c: list) -> ast.Node:
        left, tok, right = c
        op = str(tok)
        if (op == "=~" and isinstance(left, ast.RegexLit) and left.source is not None
                and id(left) not in self.ctx.parenthesized):
            names = [a or b for a, b in _NAMED_GROUP.findall(left.source)]
            if names:
                return ast.MatchAssign(regex=left, value=right, names=list(dict.fromkeys(names)),
                                       **_pos(tok))
        return ast.Call(receiver=left, name=op, args=[right], **_pos(tok))

    def unary(self, c: list) -> ast.Call:
        tok, value = c
        name = {"-": "-@", "+": "+@", "~": "~"}[str(tok)]
        return ast.Call(receiver=value, name=name, **_pos(tok))

    # --- calls ---------------------------------------------------------------------------

    def operation(self, c: list) -> Token:
        return c[0]

    operation2 = call_op = operation

    def _call(self, recv: ast.Node | None, name_tok: Token, args: _Args | None,
              op: Token | None = None, name: str | None = None) -> ast.Call:
        args = args or _Args()
        return ast.Call(receiver=recv, name=name or str(name_tok), args=args.flat(),
                        block=args.block, safe_nav=op is not None and op == "&.",
                        **_pos(name_tok))

    def fcommand(self, c: list) -> ast.Call:
        return self._call(None, c[0], c[1])

    def command_recv(self, c: list) -> ast.Call:
        return self._call(c[0], c[2], c[3], c[1])

    def super_command(self, c: list) -> ast.Super:
        args = c[1]
        return ast.Super(args=args.flat(), block=args.block, has_args=True, **_pos(c[0]))

    def yield_command(self, c: list) -> ast.Yield:
        return ast.Yield(args=c[1].flat(), **_pos(c[0]))

    def _jump_value(self, args: _Args) -> ast.Node | None:
        items = args.flat()
        if args.block is not None:
            raise self.error("block argument should not be given", _where(args.block))
        if len(items) == 1 and not isinstance(items[0], ast.Splat):
            return items[0]
        return ast.ArrayLit(elements=items, **_node_pos(items[0]))

    def return_command(self, c: list) -> ast.Return:
        return ast.Return(value=self._jump_value(c[1]), **_pos(c[0]))

    def break_command(self, c: list) -> ast.Break:
        return ast.Break(value=self._jump_value(c[1]), **_pos(c[0]))

    def next_command(self, c: list) -> ast.Next:
        return ast.Next(value=self._jump_value(c[1]), **_pos(c[0]))

    def _attach_block(self, call: ast.Node, block: ast.Block) -> ast.Node:
        if isinstance(call, ast.Yield):
            # `yield x do ... end`: Ruby's own parse error (found by fuzzing:
            # a Yield node has no block to attach).
            raise self.error("block given to yield", _where(block))
        if getattr(call, "block", None) is not None:
            raise self.error("both block arg and actual block given", _where(block))
        call.block = block
        return call

    def block_command(self, c: list) -> ast.Node:
        call, do = c[0], c[1]
        params = c[2] if len(c) == 5 else None
        return self._attach_block(call, ast.Block(params=params, body=c[-2], **_pos(do)))

    def args_command(self, c: list) -> _Args:
        return _Args([c[0]])

    def call_args(self, c: list) -> _Args:
        result = _Args()
        for item in c:
            if isinstance(item, Token):
                continue
            if isinstance(item, _AssocList):
                result.kw = item.items
            elif isinstance(item, _ArgList):
                result.args = item.items
            elif isinstance(item, _Args):
                return item
            elif isinstance(item, ast.BlockPass):
                result.block = item
        return result

    def paren_call_args(self, c: list) -> _Args:
        return c[0]

    def paren_args(self, c: list) -> _Args:
        return c[1] if len(c) == 3 else _Args()

    def args(self, c: list) -> _ArgList:
        if isinstance(c[0], _ArgList):
            c[0].items.append(c[2])
            return c[0]
        return _ArgList([c[0]])

    def splat(self, c: list) -> ast.Splat:
        return ast.Splat(value=c[1], **_pos(c[0]))

    def block_arg(self, c: list) -> ast.BlockPass:
        return ast.BlockPass(value=c[1] if len(c) > 1 else None, **_pos(c[0]))

    def assocs(self, c: list) -> _AssocList:
        if isinstance(c[0], _AssocList):
            c[0].items.append(c[2])
            return c[0]
        return _AssocList([c[0]])

    def pair(self, c: list) -> ast.Pair:
        return ast.Pair(key=c[0], value=c[2], **_node_pos(c[0]))

    def label_pair(self, c: list) -> ast.Pair:
        tok = c[0]
        return ast.Pair(key=ast.SymLit(name=str(tok), **_pos(tok)), value=c[1], **_pos(tok))

    def string_label_pair(self, c: list) -> ast.Pair:
        beg, parts, value = c[0], c[1:-2], c[-1]
        key = self._string_node(beg, parts)
        if isinstance(key, ast.StrLit):
            key = ast.SymLit(name=key.value, **_pos(beg))
        else:
            key = ast.DSym(parts=key.parts, **_pos(beg))
        return ast.Pair(key=key, value=value, **_pos(beg))

    def double_splat(self, c: list) -> ast.DoubleSplat:
        return ast.DoubleSplat(value=c[1], **_pos(c[0]))

    def fcall(self, c: list) -> ast.Call:
        return self._call(None, c[0], c[1])

    def call(self, c: list) -> ast.Call:
        return self._call(c[0], c[2], c[3] if len(c) == 4 else None, c[1])

    def call_proc(self, c: list) -> ast.Call:
        return self._call(c[0], c[1], c[2], c[1], name="call")

    def colon_call(self, c: list) -> ast.Call:
        return self._call(c[0], c[2], c[3] if len(c) == 4 else None)

    def super_call(self, c: list) -> ast.Super:
        args = c[1]
        return ast.Super(args=args.flat(), block=args.block, has_args=True, **_pos(c[0]))

    def zsuper(self, c: list) -> ast.Super:
        return ast.Super(block=c[1] if len(c) > 1 else None, **_pos(c[0]))

    def fcall_block(self, c: list) -> ast.Call:
        return ast.Call(receiver=None, name=str(c[0]), block=c[1], **_pos(c[0]))

    def call_with_block(self, c: list) -> ast.Node:
        return self._attach_block(c[0], c[1])

    def index(self, c: list) -> ast.Call:
        recv, lb = c[0], c[1]
        args = c[2] if len(c) == 4 else _Args()
        return ast.Call(receiver=recv, name="[]", args=args.flat(), block=args.block, **_pos(lb))

    def yield_(self, c: list) -> ast.Yield:
        args = c[2] if len(c) == 4 else _Args()
        return ast.Yield(args=args.flat(), **_pos(c[0]))

    def vcall(self, c: list) -> ast.Call:
        tok = c[0]
        # A bare `foo?` is a method call, not a possible local (NoMethodError).
        return ast.Call(receiver=None, name=str(tok), vcall=tok.type == "IDENT", **_pos(tok))

    # --- blocks and parameters -------------------------------------------------------------

    def brace_block(self, c: list) -> ast.Block:
        params = c[1] if len(c) == 4 else None
        return ast.Block(params=params, body=c[-2], brace=True, **_pos(c[0]))

    def do_block(self, c: list) -> ast.Block:
        params = c[1] if len(c) == 4 else None
        return ast.Block(params=params, body=c[-2], **_pos(c[0]))

    def block_params(self, c: list) -> ast.Params:
        if len(c) == 3:
            return c[1]
        return ast.Params(**_pos(c[0]))

    def param_list(self, c: list) -> ast.Params:
        items: list = []
        locals_: list[str] = []
        for part in c:
            if isinstance(part, _ParamItems):
                items = part.items
            elif isinstance(part, _Locals):
                locals_ = part.names
        params = self._params(items, c[0])
        params.block_locals = locals_
        return params

    def param_list_trailing(self, c: list) -> ast.Params:
        params = self._params(c[0].items, c[0])
        params.trailing_comma = True
        return params

    def block_locals(self, c: list) -> _Locals:
        if isinstance(c[0], _Locals):
            c[0].names.append(str(c[2]))
            return c[0]
        return _Locals([str(c[0])])

    def f_params(self, c: list) -> _ParamItems:
        if isinstance(c[0], _ParamItems):
            c[0].items.append(c[2])
            return c[0]
        return _ParamItems([c[0]])

    bf_params = f_params

    def param_req(self, c: list) -> tuple:
        return ("req", ast.Param(name=str(c[0]), **_pos(c[0])), c[0])

    def param_opt(self, c: list) -> tuple:
        return ("opt", (str(c[0]), c[2]), c[0])

    def param_rest(self, c: list) -> tuple:
        return ("rest", str(c[1]) if len(c) > 1 else "", c[0])

    def param_kwrest(self, c: list) -> tuple:
        return ("kwrest", str(c[1]) if len(c) > 1 else "", c[0])

    def param_block(self, c: list) -> tuple:
        return ("block", str(c[1]) if len(c) > 1 else "", c[0])

    def param_kw(self, c: list) -> tuple:
        return ("kw", (str(c[0]), c[1] if len(c) > 1 else None), c[0])

    def param_destructure(self, c: list) -> tuple:
        inner = self._params(c[1].items, c[0])
        return ("req", ast.DestructureParam(params=inner, **_pos(c[0])), c[0])

    def _params(self, items: list, where: Any) -> ast.Params:
        pos = _pos(items[0][2]) if items else (
            _pos(where) if isinstance(where, Token) else {})
        params = ast.Params(**pos)
        seen_rest_or_opt = False
        for kind, value, tok in items:
            if kind == "req":
                (params.post if seen_rest_or_opt else params.required).append(value)
            elif kind == "opt":
                params.optional.append(value)
                seen_rest_or_opt = True
            elif kind == "rest":
                params.rest = value
                seen_rest_or_opt = True
            elif kind == "kw":
                params.keywords.append(value)
            elif kind == "kwrest":
                params.kwrest = value
            else:
                params.block = value
        return params

    def lambda_params(self, c: list) -> ast.Params:
        if isinstance(c[0], Token):     # ( … )
            items = c[1].items if len(c) == 3 else []
            return self._params(items, c[0])
        return self._params(c[0].items, c[0])

    def lambda_expr(self, c: list) -> ast.Lambda:
        params = c[1] if isinstance(c[1], ast.Params) else None
        return ast.Lambda(params=params, body=c[-2], **_pos(c[0]))

    # --- literals ------------------------------------------------------------------------

    def integer(self, c: list) -> ast.IntLit:
        return ast.IntLit(value=int(c[0]), **_pos(c[0]))

    def float_lit(self, c: list) -> ast.FloatLit:
        return ast.FloatLit(value=float(c[0]), **_pos(c[0]))

    def char(self, c: list) -> ast.StrLit:
        return ast.StrLit(value=str(c[0]), **_pos(c[0]))

    def symbol(self, c: list) -> ast.SymLit:
        return ast.SymLit(name=str(c[0]), **_pos(c[0]))

    def str_content(self, c: list) -> ast.StrLit:
        return ast.StrLit(value=str(c[0]), **_pos(c[0]))

    def str_interp(self, c: list) -> ast.Node:
        seq = c[1]
        if not seq.stmts:
            return ast.NilLit(**_pos(c[0]))
        if len(seq.stmts) == 1:
            return seq.stmts[0]
        return seq

    def str_ivar(self, c: list) -> ast.IVar:
        return ast.IVar(name=str(c[1]), **_pos(c[1]))

    def str_cvar(self, c: list) -> ast.CVar:
        return ast.CVar(name=str(c[1]), **_pos(c[1]))

    def str_gvar(self, c: list) -> ast.GVar:
        return ast.GVar(name=str(c[1]), **_pos(c[1]))

    @staticmethod
    def _merge_parts(parts: list) -> list:
        merged: list = []
        for part in parts:
            if isinstance(part, ast.StrLit) and merged and isinstance(merged[-1], ast.StrLit):
                prev = merged[-1]
                merged[-1] = ast.StrLit(value=prev.value + part.value, **_node_pos(prev))
            else:
                merged.append(part)
        return merged

    def _string_node(self, beg: Token, parts: list) -> ast.Node:
        parts = self._merge_parts(parts)
        if all(isinstance(p, ast.StrLit) for p in parts):
            return ast.StrLit(value="".join(p.value for p in parts), **_pos(beg))
        return ast.DStr(parts=parts, **_pos(beg))

    def string(self, c: list) -> ast.Node:
        return self._string_node(c[0], c[1:-1])

    def strings(self, c: list) -> ast.Node:
        if len(c) == 1:
            return c[0]
        first, second = c
        parts: list = []
        for node in (first, second):
            parts.extend(node.parts if isinstance(node, ast.DStr) else [node])
        parts = self._merge_parts(parts)
        if all(isinstance(p, ast.StrLit) for p in parts):
            return ast.StrLit(value="".join(p.value for p in parts), **_node_pos(first))
        return ast.DStr(parts=parts, **_node_pos(first))

    def xstring(self, c: list) -> ast.XStr:
        return ast.XStr(parts=self._merge_parts(c[1:-1]), **_pos(c[0]))

    def dsym(self, c: list) -> ast.Node:
        node = self._string_node(c[0], c[1:-1])
        if isinstance(node, ast.StrLit):
            return ast.SymLit(name=node.value, **_pos(c[0]))
        return ast.DSym(parts=node.parts, **_pos(c[0]))

    def regexp(self, c: list) -> ast.RegexLit:
        beg, end = c[0], c[-1]
        parts = self._merge_parts(c[1:-1])
        flags = "".join(f for f in str(end) if f in "imxo")
        source = None
        if all(isinstance(p, ast.StrLit) for p in parts):
            source = "".join(p.value for p in parts)
            if self.ctx.translate is not None:
                self.ctx.translate(source, flags, beg)
        return ast.RegexLit(parts=parts, flags=flags, source=source, **_pos(beg))

    def words(self, c: list) -> ast.ArrayLit:
        items = [ast.StrLit(value=str(t), **_pos(t)) for t in c[1:-1]]
        return ast.ArrayLit(elements=items, **_pos(c[0]))

    def symbols(self, c: list) -> ast.ArrayLit:
        items = [ast.SymLit(name=str(t), **_pos(t)) for t in c[1:-1]]
        return ast.ArrayLit(elements=items, **_pos(c[0]))

    # --- variables and values ---------------------------------------------------------------

    def lvar(self, c: list) -> ast.LVar:
        return ast.LVar(name=str(c[0]), **_pos(c[0]))

    def ivar(self, c: list) -> ast.IVar:
        return ast.IVar(name=str(c[0]), **_pos(c[0]))

    def gvar(self, c: list) -> ast.GVar:
        return ast.GVar(name=str(c[0]), **_pos(c[0]))

    def cvar(self, c: list) -> ast.CVar:
        return ast.CVar(name=str(c[0]), **_pos(c[0]))

    def const(self, c: list) -> ast.Const:
        return ast.Const(name=str(c[0]), **_pos(c[0]))

    def scoped_const(self, c: list) -> ast.Const:
        return ast.Const(name=str(c[2]), scope=c[0], **_pos(c[2]))

    def top_const(self, c: list) -> ast.Const:
        return ast.Const(name=str(c[1]), top=True, **_pos(c[1]))

    def nil(self, c: list) -> ast.NilLit:
        return ast.NilLit(**_pos(c[0]))

    def self_(self, c: list) -> ast.SelfNode:
        return ast.SelfNode(**_pos(c[0]))

    def true(self, c: list) -> ast.TrueLit:
        return ast.TrueLit(**_pos(c[0]))

    def false(self, c: list) -> ast.FalseLit:
        return ast.FalseLit(**_pos(c[0]))

    def file(self, c: list) -> ast.StrLit:
        return ast.StrLit(value=self.ctx.filename, **_pos(c[0]))

    def line(self, c: list) -> ast.IntLit:
        return ast.IntLit(value=c[0].line, **_pos(c[0]))

    def encoding(self, c: list) -> ast.Const:
        return ast.Const(name="UTF_8", scope=ast.Const(name="Encoding", **_pos(c[0])), **_pos(c[0]))

    def array(self, c: list) -> ast.ArrayLit:
        elements: list = []
        if len(c) == 3:
            args = c[1]
            if args.block is not None:
                raise self.error("block argument should not be given", _where(args.block))
            elements = list(args.args)
            if args.kw:
                elements.append(ast.HashLit(items=args.kw, **_node_pos(args.kw[0])))
        return ast.ArrayLit(elements=elements, **_pos(c[0]))

    def hash_lit(self, c: list) -> ast.HashLit:
        items = c[1].items if len(c) == 3 else []
        return ast.HashLit(items=items, **_pos(c[0]))

    def assoc_list(self, c: list) -> _AssocList:
        return c[0]

    def paren(self, c: list) -> ast.Node:
        seq = c[1]
        if not seq.stmts:
            return ast.NilLit(**_pos(c[0]))
        node = seq.stmts[0] if len(seq.stmts) == 1 else seq
        self.ctx.parenthesized.add(id(node))
        return node

    def return_(self, c: list) -> ast.Return:
        return ast.Return(**_pos(c[0]))

    def break_(self, c: list) -> ast.Break:
        return ast.Break(**_pos(c[0]))

    def next_(self, c: list) -> ast.Next:
        return ast.Next(**_pos(c[0]))

    def redo(self, c: list) -> Redo:
        return Redo(**_pos(c[0]))

    def retry(self, c: list) -> ast.Retry:
        return ast.Retry(**_pos(c[0]))

    # --- compound statements ------------------------------------------------------------

    def if_stmt(self, c: list) -> ast.If:
        c = _strip_then(c)
        tail = c[3] if len(c) == 5 else None
        return ast.If(cond=c[1], then=c[2], else_=tail, **_pos(c[0]))

    def elsif(self, c: list) -> ast.If:
        c = _strip_then(c)
        tail = c[3] if len(c) == 4 else None
        return ast.If(cond=c[1], then=c[2], else_=tail, **_pos(c[0]))

    def else_(self, c: list) -> ast.Node:
        return c[1]

    else_clause = else_

    def unless_stmt(self, c: list) -> ast.If:
        c = _strip_then(c)
        other = c[3] if len(c) == 5 else None
        return ast.If(cond=c[1], then=other, else_=c[2], **_pos(c[0]))

    def while_stmt(self, c: list) -> ast.While:
        c = _strip_then(c)
        return ast.While(cond=c[1], body=c[2], until=c[0].type == "KW_UNTIL", **_pos(c[0]))

    until_stmt = while_stmt

    def for_stmt(self, c: list) -> ast.For:
        c = _strip_then(c)
        return ast.For(target=c[1], iter=c[3], body=c[4], **_pos(c[0]))

    def case_stmt(self, c: list) -> ast.Case:
        subject = None
        whens: list = []
        else_ = None
        for item in c[1:-1]:
            if isinstance(item, ast.When):
                whens.append(item)
            elif isinstance(item, Token):
                continue
            elif not whens:
                subject = item
            else:
                else_ = item
        return ast.Case(subject=subject, whens=whens, else_=else_, **_pos(c[0]))

    def when_clause(self, c: list) -> ast.When:
        c = _strip_then(c)
        return ast.When(patterns=c[1], body=c[2], **_pos(c[0]))

    def when_args(self, c: list) -> list:
        if isinstance(c[0], list):
            return c[0] + [c[2]]
        return [c[0]]

    exc_list = when_args

    def begin_stmt(self, c: list) -> ast.Begin:
        body = c[1]
        node = body if isinstance(body, ast.Begin) else ast.Begin(body=body)
        node.line, node.column = c[0].line, c[0].column
        self.ctx.explicit_begin.add(id(node))
        return node

    def bodystmt(self, c: list) -> ast.Node:
        body = c[0]
        rescues = [x for x in c[1:] if isinstance(x, ast.RescueClause)]
        rest = [x for x in c[1:] if not isinstance(x, ast.RescueClause)]
        if not rescues and not rest:
            return body
        else_ = ensure = None
        for item in rest:
            if isinstance(item, _Ensure):
                ensure = item.body
            else:
                else_ = item
        return ast.Begin(body=body, rescues=rescues, else_=else_, ensure=ensure,
                         **_node_pos(body))

    def rescue_clause(self, c: list) -> ast.RescueClause:
        c = _strip_then(c)
        classes: list = []
        target = None
        for item in c[1:-1]:
            if isinstance(item, list):
                classes = item
            else:
                target = item
        return ast.RescueClause(classes=classes, target=target, body=c[-1], **_pos(c[0]))

    def exc_lvar(self, c: list) -> ast.Node:
        return self._var_target(c[1])

    exc_ivar = exc_gvar = exc_cvar = exc_lvar

    def ensure_clause(self, c: list) -> _Ensure:
        return _Ensure(c[1])

    def def_(self, c: list) -> ast.Def:
        return ast.Def(name=str(c[1]), params=c[2], body=c[3], **_pos(c[1]))

    def defs(self, c: list) -> ast.Def:
        return ast.Def(name=str(c[3]), params=c[4], body=c[5], singleton=c[1], **_pos(c[3]))

    def def_params(self, c: list) -> ast.Params:
        for item in c:
            if isinstance(item, _ParamItems):
                return self._params(item.items, None)
        return ast.Params(**_pos(c[0]))

    def class_stmt(self, c: list) -> ast.ClassDef:
        superclass = c[2] if len(c) == 5 else None
        return ast.ClassDef(path=c[1], superclass=superclass, body=c[-2], **_node_pos(c[1]))

    def superclass(self, c: list) -> ast.Node:
        return c[1]

    def cpath(self, c: list) -> ast.Const:
        if len(c) == 1:
            return ast.Const(name=str(c[0]), **_pos(c[0]))
        if isinstance(c[0], Token):
            return ast.Const(name=str(c[1]), top=True, **_pos(c[1]))
        return ast.Const(name=str(c[2]), scope=c[0], **_pos(c[2]))

    def sclass_stmt(self, c: list) -> ast.SClass:
        return ast.SClass(target=c[2], body=c[-2], **_pos(c[0]))

    def module_stmt(self, c: list) -> ast.ModuleDef:
        return ast.ModuleDef(path=c[1], body=c[-2], **_node_pos(c[1]))


def _where(node: ast.Node) -> tuple[int, int]:
    return node.line, node.column


def _strip_then(c: list) -> list:
    """Drop the terminator/`then` tokens that `_then`/`_do` inline."""
    return [x for x in c if not (isinstance(x, Token) and x.type in ("NL", "SEMI", "KW_THEN",
                                                                      "DO_COND"))]


class _MRhs:
    __slots__ = ("array",)

    def __init__(self, array: ast.ArrayLit) -> None:
        self.array = array


class _ArgList:
    __slots__ = ("items",)

    def __init__(self, items: list) -> None:
        self.items = items


class _AssocList(_ArgList):
    __slots__ = ()


class _ParamItems(_ArgList):
    __slots__ = ()


class _Locals:
    __slots__ = ("names",)

    def __init__(self, names: list[str]) -> None:
        self.names = names


class _Ensure:
    __slots__ = ("body",)

    def __init__(self, body: ast.Node) -> None:
        self.body = body
