"""The AST of the Ruby subset: plain dataclasses, built by the parser
(`parser.py`), walked by the interpreter (`interpreter.py`).

This module is the contract between the two. Every node carries the 1-based
`line` and `column` (in characters) of the token that names it; for a call
that is the method-name token (`recv.foo` → `foo`; `r[k] = v` → `[`), which
locations, error messages and backtraces use (`ruby-subset.md` §2.1).

Adding a node or a field (with a default) is fine; renaming or removing one
breaks the other side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union


@dataclass(slots=True, kw_only=True)
class Node:
    line: int = 0
    column: int = 0


# --- program and sequences -------------------------------------------------

@dataclass(slots=True, kw_only=True)
class Seq(Node):
    """Statements evaluated in order; the value is the last one's (nil if empty)."""
    stmts: list[Node] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Program(Node):
    body: Seq
    filename: str = "-"
    # Names of the locals of the file's top-level scope, in order of appearance.
    locals: list[str] = field(default_factory=list)


# --- literals ----------------------------------------------------------------

@dataclass(slots=True, kw_only=True)
class NilLit(Node):
    pass


@dataclass(slots=True, kw_only=True)
class TrueLit(Node):
    pass


@dataclass(slots=True, kw_only=True)
class FalseLit(Node):
    pass


@dataclass(slots=True, kw_only=True)
class SelfNode(Node):
    pass


@dataclass(slots=True, kw_only=True)
class IntLit(Node):
    value: int


@dataclass(slots=True, kw_only=True)
class FloatLit(Node):
    value: float


@dataclass(slots=True, kw_only=True)
class StrLit(Node):
    """A string without interpolation ('…', "…", heredoc, %q, a `%w` word).
    Each evaluation makes a new mutable String."""
    value: str


@dataclass(slots=True, kw_only=True)
class DStr(Node):
    """An interpolated string: parts are StrLit or expressions (converted with to_s)."""
    parts: list[Node] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class XStr(Node):
    """A backtick / %x command: not supported (NotImplementedError at run time)."""
    parts: list[Node] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class SymLit(Node):
    name: str


@dataclass(slots=True, kw_only=True)
class DSym(Node):
    """`:"…#{x}…"`."""
    parts: list[Node] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class RegexLit(Node):
    """A regexp literal. `parts` as in DStr; `flags` the option letters as
    written after the closing delimiter (`i`, `m`, `x`, `o`; `u`/`n` dropped).
    For a literal without interpolation `source` is the Ruby source text and
    the parser has already checked that it translates (§7.3)."""
    parts: list[Node] = field(default_factory=list)
    flags: str = ""
    source: Optional[str] = None


@dataclass(slots=True, kw_only=True)
class ArrayLit(Node):
    """Elements may include Splat."""
    elements: list[Node] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Pair(Node):
    key: Node
    value: Node


@dataclass(slots=True, kw_only=True)
class HashLit(Node):
    """`{k => v, s: v, **h}`: items are Pair or DoubleSplat."""
    items: list[Node] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class RangeLit(Node):
    low: Optional[Node]
    high: Optional[Node]
    exclusive: bool = False


# --- variables and constants --------------------------------------------------

@dataclass(slots=True, kw_only=True)
class LVar(Node):
    name: str


@dataclass(slots=True, kw_only=True)
class IVar(Node):
    name: str          # with the "@"


@dataclass(slots=True, kw_only=True)
class CVar(Node):
    name: str          # with the "@@"


@dataclass(slots=True, kw_only=True)
class GVar(Node):
    """Every global, including the special ones: `$~ $1 … $9 $& $` $' $+ $! $@ $0`."""
    name: str          # with the "$"


@dataclass(slots=True, kw_only=True)
class Const(Node):
    """`Foo` (scope None, top False), `A::Foo` (scope A), `::Foo` (top True)."""
    name: str
    scope: Optional[Node] = None
    top: bool = False


# --- calls -------------------------------------------------------------------

@dataclass(slots=True, kw_only=True)
class Splat(Node):
    value: Node


@dataclass(slots=True, kw_only=True)
class DoubleSplat(Node):
    value: Node


@dataclass(slots=True, kw_only=True)
class KwArgs(Node):
    """Trailing `key: v` / `"k" => v` / `**h` arguments of a call written without
    braces. Always the last element of Call.args. Items are Pair or DoubleSplat."""
    items: list[Node] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class BlockPass(Node):
    """`&expr` in an argument list (`&:sym`, `&blk`); value None for anonymous `&`."""
    value: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class Param(Node):
    name: str


@dataclass(slots=True, kw_only=True)
class DestructureParam(Node):
    """`|(a, b), c|`: a nested parameter list of a block."""
    params: "Params"


@dataclass(slots=True, kw_only=True)
class Params(Node):
    required: list[Union[Param, DestructureParam]] = field(default_factory=list)
    optional: list[tuple[str, Node]] = field(default_factory=list)
    rest: Optional[str] = None            # "" for an anonymous `*`
    post: list[Union[Param, DestructureParam]] = field(default_factory=list)
    keywords: list[tuple[str, Optional[Node]]] = field(default_factory=list)  # None = required
    kwrest: Optional[str] = None          # "" for an anonymous `**`
    block: Optional[str] = None
    trailing_comma: bool = False          # `|a,|`: auto-splat like two params
    # Block-local variables `|a; b|`.
    block_locals: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Block(Node):
    """A `do … end` or `{ … }` block attached to a call. `body` may be a Begin
    (a do-block with rescue/ensure)."""
    params: Optional[Params]
    body: Node
    brace: bool = False


@dataclass(slots=True, kw_only=True)
class Call(Node):
    """A method call. receiver None = implicit self (private methods allowed).
    `vcall` marks a bare identifier that is not a local (`foo`): a NameError
    `undefined local variable or method` when it does not resolve.
    `block` is a Block or a BlockPass (or None). Operators are calls too
    (`a + b` → Call(a, "+", [b]); unary minus → "-@"; `a[k]` → "[]")."""
    receiver: Optional[Node]
    name: str
    args: list[Node] = field(default_factory=list)
    block: Optional[Node] = None
    safe_nav: bool = False                # `recv&.name`
    vcall: bool = False


@dataclass(slots=True, kw_only=True)
class Super(Node):
    """`super(args)` (has_args True) or bare `super` (zsuper: re-passes the
    current method's arguments)."""
    args: list[Node] = field(default_factory=list)
    block: Optional[Node] = None
    has_args: bool = False


@dataclass(slots=True, kw_only=True)
class Yield(Node):
    args: list[Node] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Lambda(Node):
    """`->(x) { … }` / `-> do … end`. (`lambda { }` is a Call with a Block.)"""
    params: Optional[Params]
    body: Node


# --- operators that are not method calls ---------------------------------------

@dataclass(slots=True, kw_only=True)
class And(Node):
    left: Node
    right: Node


@dataclass(slots=True, kw_only=True)
class Or(Node):
    left: Node
    right: Node


@dataclass(slots=True, kw_only=True)
class Not(Node):
    """`!x` and `not x` (`x != y` is Call "!=")."""
    value: Node


@dataclass(slots=True, kw_only=True)
class Defined(Node):
    value: Node


@dataclass(slots=True, kw_only=True)
class MatchAssign(Node):
    """`/(?<name>…)/ =~ expr` with a regexp literal on the left: sets the
    locals named by its captures (nil when there is no match)."""
    regex: RegexLit
    value: Node
    names: list[str] = field(default_factory=list)


# --- assignment --------------------------------------------------------------

@dataclass(slots=True, kw_only=True)
class LAsgn(Node):
    name: str
    value: Optional[Node] = None   # None only inside MAsgn / OpAsgn targets


@dataclass(slots=True, kw_only=True)
class IAsgn(Node):
    name: str
    value: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class CVAsgn(Node):
    name: str
    value: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class GAsgn(Node):
    name: str
    value: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class CDecl(Node):
    """`FOO = v`, `A::FOO = v`, `::FOO = v`."""
    name: str
    scope: Optional[Node] = None
    top: bool = False
    value: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class AttrAsgn(Node):
    """`recv.name = v` (calls `name=`) and `recv[args] = v` (name "[]", calls
    `[]=` with args + [v]). The expression's value is v."""
    receiver: Node
    name: str
    args: list[Node] = field(default_factory=list)
    value: Optional[Node] = None
    safe_nav: bool = False


@dataclass(slots=True, kw_only=True)
class SplatTarget(Node):
    """`*rest` in a multiple-assignment target list (target None for a bare `*`)."""
    target: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class MLhs(Node):
    """A (possibly nested) target list: LAsgn/IAsgn/GAsgn/CVAsgn/CDecl/AttrAsgn
    with value None, SplatTarget, or nested MLhs."""
    targets: list[Node] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class MAsgn(Node):
    """`a, b = v` / `a, *b = 1, 2, 3`: with several right-hand values `value`
    is an ArrayLit of them."""
    targets: MLhs
    value: Node


@dataclass(slots=True, kw_only=True)
class OpAsgn(Node):
    """`target OP= value` for OP in `+ - * / % ** << >> & | ^ || &&`.
    target is an assignment node with value None (LAsgn, IAsgn, GAsgn, CVAsgn,
    CDecl, AttrAsgn); receiver and index arguments are evaluated once."""
    target: Node
    op: str
    value: Node


# --- control flow ------------------------------------------------------------

@dataclass(slots=True, kw_only=True)
class If(Node):
    """`if`, `unless` (branches swapped), modifiers, and the ternary."""
    cond: Node
    then: Optional[Node] = None
    else_: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class While(Node):
    """`while`/`until` (until=True) and their modifiers; do_while for
    `begin … end while c` (body runs before the first test)."""
    cond: Node
    body: Node
    until: bool = False
    do_while: bool = False


@dataclass(slots=True, kw_only=True)
class For(Node):
    """`for target in iter … end` (target: an assignment target or MLhs)."""
    target: Node
    iter: Node
    body: Node


@dataclass(slots=True, kw_only=True)
class When(Node):
    patterns: list[Node]   # may contain Splat
    body: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class Case(Node):
    subject: Optional[Node]
    whens: list[When] = field(default_factory=list)
    else_: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class Break(Node):
    value: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class Next(Node):
    value: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class Return(Node):
    value: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class Retry(Node):
    pass


@dataclass(slots=True, kw_only=True)
class RescueClause(Node):
    classes: list[Node] = field(default_factory=list)   # empty = StandardError; may hold Splat
    target: Optional[Node] = None                          # `=> e`: an assignment node
    body: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class Begin(Node):
    """`begin … rescue … else … ensure … end`, and method/class/do-block bodies
    that have rescue/else/ensure clauses."""
    body: Node
    rescues: list[RescueClause] = field(default_factory=list)
    else_: Optional[Node] = None
    ensure: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class RescueMod(Node):
    """`expr rescue fallback`."""
    body: Node
    rescue: Node


# --- definitions -------------------------------------------------------------

@dataclass(slots=True, kw_only=True)
class Def(Node):
    """`def name(params) … end`; `def self.name` / `def obj.name` set singleton."""
    name: str
    params: Params
    body: Node
    singleton: Optional[Node] = None


@dataclass(slots=True, kw_only=True)
class ClassDef(Node):
    path: Const
    superclass: Optional[Node]
    body: Node


@dataclass(slots=True, kw_only=True)
class ModuleDef(Node):
    path: Const
    body: Node


@dataclass(slots=True, kw_only=True)
class SClass(Node):
    """`class << target … end`."""
    target: Node
    body: Node


@dataclass(slots=True, kw_only=True)
class Alias(Node):
    new: str
    old: str


@dataclass(slots=True, kw_only=True)
class Undef(Node):
    names: list[str] = field(default_factory=list)
