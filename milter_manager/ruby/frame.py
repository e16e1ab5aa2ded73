"""Frames and per-thread interpreter state (`ruby-subset.md` §3.2, §3.7).

A `Frame` is one activation: the file's top level, a method call, a block
call or a class body. Locals live in `vars` (a list indexed by slots fixed at
compile time); a block frame reaches the locals of the frames it closes over
through `parent`. `home` is the method-level frame whose `$~`, block
(`yield`) and arguments the frame uses; `ret_target` the frame that `return`
ends (the method, or a lambda); `prev` the calling frame (backtraces).

Frames are plain objects with class-level defaults so that creating one
sets only what differs. Each interpreter derives its own Frame subclass that
carries `interp` as a class attribute.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CodeInfo:
    """Static facts about a compiled body: file, frame label, local count."""

    __slots__ = ("file", "kind", "label", "names", "nvars")

    def __init__(self, file: str, label: str, kind: str) -> None:
        self.file = file
        self.label = label
        self.kind = kind          # "top", "method", "block", "class", "lambda", "native"
        self.nvars = 0
        self.names: list[str] = []


class Cref:
    """One link of the lexical module nesting (constant lookup, `Module.nesting`)."""

    __slots__ = ("module", "parent")

    def __init__(self, module: Any, parent: Cref | None) -> None:
        self.module = module
        self.parent = parent


class Frame:
    interp: Any = None            # set on the per-interpreter subclass
    self_: Any = None
    vars: ClassVar[list] = []     # always replaced per frame
    parent: Frame | None = None
    home: Frame | None = None
    ret_target: Frame | None = None
    block: Any = None             # the block passed to this method frame
    prev: Frame | None = None
    ts: Any = None
    code: CodeInfo | None = None
    cref: Cref | None = None
    deftarget: Any = None         # module receiving `def` (SINGLETON_OF_SELF marker allowed)
    visi: str = "public"          # default visibility of later `def`s (class bodies)
    module_function: bool = False
    line: int = 0
    depth: int = 0                # Ruby-level call depth (SystemStackError)
    proc: Any = None              # the RProc of a block frame (break target)
    last_match: Any = None        # `$~` (on home frames)
    done: bool = False            # the method has returned (LocalJumpError on return)
    args: Any = None              # (args, kw) of a method frame, for zsuper
    meth: Any = None              # MethodEntry of a method frame (super, __method__)
    native_label: str | None = None   # label of a native frame ("Array#each")
    busy: bool = False            # a reusable block frame is running (compile_defs.py)

    def location(self) -> tuple[str, int]:
        return (self.code.file if self.code else "-", self.line)


SINGLETON_OF_SELF = object()   # deftarget inside instance_eval: the receiver's singleton class


def lexical_cref(f: Any) -> Cref | None:
    """The constant nesting of frame f. Block frames do not store it: they
    use the one of the frame they were written in."""
    while f is not None:
        c = f.cref
        if c is not None or f.parent is None:
            return c
        f = f.parent
    return None


def def_target(f: Any) -> Any:
    """Where `def` in frame f defines: the nearest frame that says so
    (instance_eval blocks override it; plain blocks inherit)."""
    while f.deftarget is None and f.parent is not None:
        f = f.parent
    return f.deftarget


class ThreadState:
    """Per-thread interpreter state: step budget, recursion depth, `$!`."""

    CHECK_EVERY = 10_000

    def __init__(self, interp: Any, budget: int) -> None:
        self.interp = interp
        self.remaining = budget      # steps left after the current stretch
        self.budget = budget
        self.steps = min(budget, self.CHECK_EVERY)
        self.remaining -= self.steps
        self.depth = 0
        self.killed = False
        self.errinfo: Any = None     # `$!`
        self.cur: Frame | None = None   # innermost frame seen by host natives
        self.thread: Any = None      # the Ruby Thread object, if any
        self.exhausted = False

    def reset_budget(self, budget: int) -> None:
        self.budget = budget
        self.exhausted = False
        steps = min(self.CHECK_EVERY, budget)
        self.remaining = budget - steps
        self.steps = 0 if self.killed else steps

    def checkpoint(self, f: Any = None) -> None:
        """Called when `steps` runs out: kill check, budget, fair scheduling."""
        interp = self.interp
        if self.killed:
            self.steps = 0
            from .errors import ThreadKilled
            raise ThreadKilled()
        if self.remaining <= 0:
            self.steps = 0
            self.exhausted = True
            raise interp.budget_error(self, f)
        n = min(self.remaining, self.CHECK_EVERY)
        self.remaining -= n
        self.steps = n
        interp.yield_lock()
