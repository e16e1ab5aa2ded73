"""The bookkeeping of the Ruby lexer: states, the nesting stack, local scopes
and the string-literal terms (`ruby-subset.md` §2.2–§2.5).

Kept apart from `lexer.py` so the rules that decide tokens read on their own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class State(enum.IntEnum):
    """A reduced set of MRI's `EXPR_*` states (§2.2)."""
    BEG = 0     # an operand may start; a newline is ignored
    MID = 1     # like BEG, but a newline ends the statement (after return/break/next)
    ARG = 2     # after a method name that may take arguments without parentheses
    END = 3     # an operand is complete
    DOT = 4     # after `.`, `&.`, infix `::`: the next identifier is a method name
    FNAME = 5   # after `def`/`alias`/`undef`: operator names and `name=` allowed
    CLASS = 6   # after `class`: `<<` opens a singleton class
    ENDFN = 7   # after a method name in `def`, after `)` of its parameters, after `->`


# States in which an operand may begin (the decision table's "BEG / MID" column).
BEG_STATES = frozenset({State.BEG, State.MID, State.CLASS})


class Scope:
    """One local-variable scope (§2.4). Opaque scopes (file, def, class,
    module, `class <<`) hide the outer locals; transparent ones (blocks,
    lambdas) see through."""

    __slots__ = ("names", "opaque", "order")

    def __init__(self, opaque: bool) -> None:
        self.names: set[str] = set()
        self.order: list[str] = []
        self.opaque = opaque

    def declare(self, name: str) -> None:
        if name not in self.names:
            self.names.add(name)
            self.order.append(name)


@dataclass(eq=False)
class Frame:
    """One level of the nesting stack: a bracket, an `end`-terminated
    construct or a string interpolation. Command-argument mode (`do` binding,
    §2.3), the `while` condition and ternaries are tracked per level, so a
    bracket closes them for free."""
    kind: str                       # see the FRAME_* names below
    ignore_newlines: bool = False   # inside [ ], { } hash, call ( ): no statements here
    cmdarg: bool = False            # inside the arguments of a command call
    cond: bool = False              # inside a while/until/for condition
    ternary: int = 0                # `?` seen without its `:`
    scopes: int = 0                 # local scopes to pop when this frame closes
    pending_scope: bool = False     # class/module: opaque scope starts after the header
    str_term: StrTerm | None = None   # interpolation: the literal to resume


FRAME_TOP = "top"
FRAME_PAREN = "paren"              # ( ) grouping, also `foo (x)`
FRAME_CALL = "call"                # ( ) call arguments
FRAME_PARAMS = "params"            # ( ) of def / lambda parameters
FRAME_BRACKET = "bracket"          # [ ]
FRAME_HASH = "hash"                # { } hash literal
FRAME_BRACE = "brace"              # { } block or lambda body
FRAME_INTERP = "interp"            # #{ }
FRAME_KEYWORD = "keyword"          # if/unless/while/until/case/begin/for … end
FRAME_DEF = "def"                  # def … end
FRAME_CLASS = "class"              # class/module … end
FRAME_DO = "do"                    # do … end block

END_FRAMES = frozenset({FRAME_KEYWORD, FRAME_DEF, FRAME_CLASS, FRAME_DO})


@dataclass(eq=False)
class StrTerm:
    """A string-like literal being lexed (§2.5)."""
    kind: str                 # "string", "xstring", "dsym", "regexp", "words", "symbols", "heredoc"
    term: str                 # closing delimiter
    paren: str = ""           # opening delimiter when it nests (`%q(a (b))`)
    interp: bool = True       # double-quote rules: escapes and #{}
    start: int = 0            # position of the literal's first character
    nest: int = 0
    label_ok: bool = False    # `"name": v` possible here
    has_interp: bool = False  # saw #{ … } (regexps: no parse-time translation)
    # heredocs
    body_end: int = 0         # start of the terminator line
    resume: int = 0           # where lexing of the opening line continues
    indent: int = -1          # `<<~`: columns of indentation to remove
    heredoc_id: str = ""
    xstring: bool = False
    words_sep: bool = field(default=True)  # %w: at a word boundary
