"""The bookkeeping of the Ruby lexer: states, the nesting stack, local scopes
and the string-literal terms (`ruby-subset.md` §2.2–§2.5).

Kept apart from `lexer.py` so the rules that decide tokens read on their own.
"""

from __future__ import annotations

import enum
import re
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


# --- shared by the lexer modules ---------------------------------------------

BEG, MID, ARG, END, DOT, FNAME, CLASS, ENDFN = (
    State.BEG, State.MID, State.ARG, State.END, State.DOT, State.FNAME, State.CLASS, State.ENDFN)

_IDENT = re.compile(r"[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*")
_SPACES = re.compile(r"[ \t\f\v\r]*")
_ASSIGN_AHEAD = re.compile(
    r"[ \t]*(?:=(?![=~>])|(?:\+|-|\*\*?|/|%|<<|>>|&&?|\|\|?|\^)=)")
_NUMBER = re.compile(r"[0-9][0-9A-Za-z_]*")
_DECIMAL_TAIL = re.compile(r"\.[0-9][0-9_]*")
_EXPONENT = re.compile(r"[eE][+-]?[0-9][0-9_]*")
# A multiple-assignment left-hand side at statement start (§2.4): targets
# separated by commas, then `=` that is not `==`, `=~` or `=>`.
_MLHS_TARGET = (r"\*?[ \t]*(?:\((?:[^()\n]|\([^()\n]*\))*\)"
                r"|(?:@@?|\$)?[A-Za-z_][A-Za-z0-9_]*(?:(?:\.|&\.|::)[A-Za-z_][A-Za-z0-9_]*|\[[^\]\n]*\])*)?")
_MLHS = re.compile(rf"[ \t]*{_MLHS_TARGET}(?:[ \t]*,[ \t]*{_MLHS_TARGET})*[ \t]*,?[ \t]*=(?![=~>])")
_BARE_TARGET = re.compile(
    r"(?<![.@$:\w])([a-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_]|[ \t]*(?:\.|\[|::|\())")

KEYWORDS = frozenset((
    "alias", "and", "begin", "break", "case", "class", "def", "defined?", "do", "else", "elsif",
    "end", "ensure", "false", "for", "if", "in", "module", "next", "nil", "not", "or", "redo",
    "rescue", "retry", "return", "self", "super", "then", "true", "undef", "unless", "until",
    "when", "while", "yield", "__FILE__", "__LINE__", "__ENCODING__", "BEGIN", "END"
))

# Keywords that are plain values: the state after them is END.
_VALUE_KEYWORDS = {
    "self": "KW_SELF", "nil": "KW_NIL", "true": "KW_TRUE", "false": "KW_FALSE",
    "__FILE__": "KW_FILE", "__LINE__": "KW_LINE", "__ENCODING__": "KW_ENCODING",
    "redo": "KW_REDO", "retry": "KW_RETRY",
}
# Tokens that can begin an operand: after an ARG-state method name and a
# space they start command arguments (§2.3).
OPERAND_START = frozenset((
    "IDENT", "FID", "CONSTANT", "LVAR", "IVAR", "GVAR", "CVAR", "LABEL", "INTEGER", "FLOAT",
    "CHAR", "STRING_BEG", "XSTRING_BEG", "DSYM_BEG", "REGEXP_BEG", "WORDS_BEG", "SYMBOLS_BEG",
    "SYMBOL", "LPAREN_ARG", "LBRACK", "COLON3", "LAMBDA", "UMINUS", "UPLUS", "BANG", "TILDE",
    "USTAR", "UDSTAR", "UAMPER", "KW_NIL", "KW_TRUE", "KW_FALSE", "KW_SELF", "KW_NOT",
    "KW_DEFINED", "KW_FILE", "KW_LINE", "KW_ENCODING", "KW_IF", "KW_UNLESS", "KW_WHILE",
    "KW_UNTIL", "KW_CASE", "KW_BEGIN", "KW_DEF", "KW_SUPER", "KW_YIELD", "KW_CLASS",
    "KW_MODULE", "KW_FOR", "NUMPARAM"
))
# After these tokens a statement begins (multiple-assignment look-ahead).
STMT_START = frozenset((
    "NL", "SEMI", "LPAREN", "LPAREN_ARG", "LBRACE_BLOCK", "LAMBEG", "DO", "DO_BLOCK",
    "DO_LAMBDA", "DO_COND", "KW_THEN", "KW_ELSE", "KW_BEGIN", "KW_ENSURE", "STRING_DBEG", "PIPE"
))
_BLOCK_OPENERS = frozenset({"LBRACE_BLOCK", "DO", "DO_BLOCK"})
_TERMS = frozenset({"NL", "SEMI"})
_FNAME_OPERATORS = ("[]=", "[]", "<=>", "===", "==", "=~", "!=", "!~", "**", "+@", "-@",
                    "<<", ">>", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "!", "~",
                    "&", "|", "^", "`")


class Params:
    """A parameter list being lexed: names in parameter position become locals
    of the new scope (§2.4)."""
    __slots__ = ("default_depth", "depth", "expect", "kind")

    def __init__(self, kind: str, depth: int) -> None:
        self.kind = kind          # "def", "def_bare", "block", "lambda", "lambda_bare"
        self.depth = depth        # nesting depth of the list itself
        self.expect = True        # next identifier is a parameter name
        self.default_depth = -1   # inside a default value opened at this depth
