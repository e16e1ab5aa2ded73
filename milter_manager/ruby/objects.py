"""The runtime object model of the Ruby subset (`ruby-subset.md` §3.1).

Value mapping (the contract with the configuration layer):

| Ruby | Python |
|---|---|
| nil / true / false | None / True / False |
| Integer / Float | int / float (never bool: check with ``type(v) is int``) |
| String | `RString` (mutable; the text is ``.s``, a ``str``) |
| Symbol | `RSymbol` (interned: ``RSymbol.get("name")``; compare with ``is``) |
| Array | `RArray` (a ``list`` subclass) |
| Hash | `RHash` (insertion ordered, Ruby ``eql?``/``hash`` key semantics) |
| Range, Regexp, MatchData, Proc | `RRange`, `RRegexp`, `RMatchData`, `RProc` |
| other objects | `RObject` (``.cls``, ``.ivars``, optional ``.payload``) |
| classes and modules | `RModule` / `RClass` |

Every heap value has a ``cls`` attribute: None means "the interpreter's
built-in class for this Python type" (so natives can create values without
knowing the interpreter); it is set when the object belongs to a user
subclass or has a singleton class.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

_next_id = itertools.count(1)


def object_id(obj: Any) -> int:
    """A stable, unique id for heap objects (Ruby's `object_id`)."""
    t = type(obj)
    if t is int:
        return 2 * obj + 1
    if obj is None:
        return 8
    if obj is True:
        return 20
    if obj is False:
        return 0
    oid = obj.__dict__.get("_oid") if hasattr(obj, "__dict__") else None
    if oid is None:
        oid = next(_next_id) * 8
        try:
            obj._oid = oid
        except AttributeError:  # slotted immutable values (RSymbol)
            oid = id(obj) // 8 * 8
    return oid


class RBasic:
    """Base of every heap object: class pointer, instance variables, frozen flag.

    Plain class with class-level defaults (no __slots__): creation sets only
    what differs, and CPython 3.11 keeps instance attributes inline."""

    cls: RModule | None = None
    ivars: dict | None = None
    frozen: bool = False


class RObject(RBasic):
    """An ordinary object; `payload` carries a Python object for native classes."""

    payload: Any = None

    def __init__(self, cls: RModule, payload: Any = None) -> None:
        self.cls = cls
        if payload is not None:
            self.payload = payload


class RString(RBasic):
    def __init__(self, s: str, frozen: bool = False) -> None:
        self.s = s
        if frozen:
            self.frozen = True

    def __repr__(self) -> str:  # debugging only
        return f"RString({self.s!r})"


class RSymbol:
    """An interned symbol. Identity is equality."""

    __slots__ = ("__weakref__", "name")
    cls = None
    frozen = True
    _table: ClassVar[dict[str, RSymbol]] = {}

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def get(cls, name: str) -> RSymbol:
        sym = cls._table.get(name)
        if sym is None:
            sym = cls._table.setdefault(name, RSymbol(name))
        return sym

    def __repr__(self) -> str:
        return f":{self.name}"


sym = RSymbol.get


class RArray(list):
    """A Ruby Array: a Python list with Ruby object state."""

    cls: RModule | None = None
    ivars: dict | None = None
    frozen: bool = False
    __hash__ = object.__hash__  # identity (never used as a Python dict key by value)

    def __eq__(self, other: object) -> bool:  # identity, like every Ruby object in Python
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other


class RRange(RBasic):
    frozen = True

    def __init__(self, low: Any, high: Any, excl: bool = False) -> None:
        self.low = low
        self.high = high
        self.excl = excl


class RProc(RBasic):
    """A block, proc or lambda.

    `code` is the compiled block (`compiler.BlockCode`); `frame` the frame in
    which it was created (its closure); `self_` the captured self. A native
    proc (`Symbol#to_proc`, `Method#to_proc`) has `native` set instead:
    ``native(f, args, block)``."""

    native: Callable | None = None
    code: Any = None
    frame: Any = None
    self_: Any = None
    is_lambda: bool = False
    from_method: bool = False   # define_method body: `return` returns from it
    file: str = "-"
    line: int = 0
    arity_value: int = -1
    cached_frame: Any = None   # a reusable frame of this block (compile_defs.BlockCode)

    def __init__(self, code: Any, frame: Any, self_: Any, is_lambda: bool = False) -> None:
        self.code = code
        self.frame = frame
        self.self_ = self_
        if is_lambda:
            self.is_lambda = True


class RRegexp(RBasic):
    frozen = True

    def __init__(self, source: str, options: int, pattern: Any, names: list[str]) -> None:
        self.source = source
        self.options = options
        self.pattern = pattern
        self.names = names


class RMatchData(RBasic):
    frozen = True

    def __init__(self, m: Any, regexp: RRegexp, string: str) -> None:
        self.m = m
        self.regexp = regexp
        self.string = string


class RException(RBasic):
    """A Ruby exception object: message (a Ruby value or None for the class
    name), backtrace (list of "FILE:LINE:in 'LABEL'" or None) and cause."""

    msg: Any = None
    bt: list | None = None
    cause: Any = None

    def __init__(self, cls: RModule, msg: Any = None) -> None:
        self.cls = cls
        self.msg = msg


UNDEF = object()   # method table entry of `undef_method`
MISSING = object()


class RModule(RBasic):
    """A module (and, through RClass, a class): method table, constants,
    included modules. Lookup caches are cleared when the interpreter's
    global epoch changes (any definition anywhere)."""

    is_class = False
    is_singleton = False
    attached: Any = None
    superclass: RModule | None = None
    lexical_parent: RModule | None = None
    name: str | None = None
    # For natively implemented classes: how `new` builds an instance.
    allocator: Callable | None = None
    interp: Any = None   # the owning interpreter (hash keys of user objects)

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self.methods: dict[str, Any] = {}
        self.consts: dict[str, Any] = {}
        self.includes: list[RModule] = []
        self.prepends: list[RModule] = []
        self.cvars: dict[str, Any] = {}
        self.mcache: dict[str, Any] = {}
        self.cache_epoch = -1
        self.anc: list[RModule] | None = None
        self.anc_epoch = -1
        self.subclasses: list[RModule] = []

    def __repr__(self) -> str:
        return f"<RModule {self.name}>"


class RClass(RModule):
    is_class = True

    def __init__(self, name: str | None, superclass: RModule | None) -> None:
        super().__init__(name)
        self.superclass = superclass


# --- method entries -----------------------------------------------------------

class MethodEntry:
    """A method in a method table. `invoke(f, recv, args, kw, block)` runs it:
    `f` the caller's frame, `args` a list, `kw` an RHash of keyword arguments
    or None, `block` an RProc or None.

    For a native, `fn` is the Python function and `lo`/`hi` its arity
    bounds (hi = -1: unlimited); call sites call `fn` directly when the
    argument count fits, skipping `invoke`'s checks (`compile_calls.py`)."""

    __slots__ = (
        "arity_value",
        "data",
        "fn",
        "hi",
        "invoke",
        "kind",
        "label",
        "lo",
        "name",
        "owner",
        "visibility",
    )

    def __init__(self, name: str, owner: RModule | None, visibility: str,
                 invoke: Callable, kind: str, data: Any = None, arity_value: int = -1) -> None:
        self.name = name
        self.owner = owner
        self.visibility = visibility
        self.invoke = invoke
        self.kind = kind          # "native", "ruby", "proc", "attr_reader", "attr_writer"
        self.data = data          # kind-specific (UserMethod code, proc, ivar name)
        self.arity_value = arity_value
        self.fn: Callable | None = None
        self.lo = 0
        self.hi = -1
        self.label: str | None = None

    def copy(self, name: str | None = None, owner: RModule | None = None,
             visibility: str | None = None) -> MethodEntry:
        e = MethodEntry(name or self.name, owner or self.owner,
                        visibility or self.visibility, self.invoke, self.kind,
                        self.data, self.arity_value)
        e.fn, e.lo, e.hi, e.label = self.fn, self.lo, self.hi, self.label
        return e


# --- Hash --------------------------------------------------------------------

class _TrueKey:
    __slots__ = ()


class _FalseKey:
    __slots__ = ()


TRUE_KEY = _TrueKey()
FALSE_KEY = _FalseKey()


class FloatKey:
    """Floats are never `eql?` to Integers (1 and 1.0 are different keys)."""

    __slots__ = ("v",)

    def __init__(self, v: float) -> None:
        self.v = 0.0 if v == 0.0 else v

    def __hash__(self) -> int:
        return hash(("f", self.v))

    def __eq__(self, other: object) -> bool:
        return type(other) is FloatKey and (other.v == self.v)


class CustomKey:
    """Key of an object whose class defines `hash`/`eql?` in Ruby."""

    __slots__ = ("eql", "h", "obj")

    def __init__(self, obj: Any, h: int, eql: Callable[[Any, Any], bool]) -> None:
        self.obj = obj
        self.h = h
        self.eql = eql

    def __hash__(self) -> int:
        return self.h

    def __eq__(self, other: object) -> bool:
        return type(other) is CustomKey and bool(self.eql(self.obj, other.obj))


def hkey(v: Any) -> Any:
    """The Python dict key standing for Ruby key `v` (eql?/hash semantics)."""
    t = type(v)
    if t is RString:
        return v.s
    if t is RSymbol or t is int or v is None:
        return v
    if t is float:
        return FloatKey(v)
    if v is True:
        return TRUE_KEY
    if v is False:
        return FALSE_KEY
    if t is RArray:
        return ("a",) + tuple(hkey(x) for x in v)
    if t is RRange:
        return ("r", hkey(v.low), hkey(v.high), v.excl)
    if t is RHash:
        return ("h",) + tuple((k, hkey(e[1])) for k, e in v.d.items())
    if isinstance(v, RString):     # String subclasses
        return v.s
    cls = getattr(v, "cls", None)
    if cls is not None and cls.interp is not None:
        return cls.interp.custom_key(v)
    return v


class RHash(RBasic):
    """Insertion-ordered Hash. `d` maps hkey(key) -> (key, value)."""

    default: Any = None
    default_proc: Any = None

    def __init__(self, items: Iterable[tuple[Any, Any]] | None = None) -> None:
        self.d: dict[Any, tuple[Any, Any]] = {}
        if items is not None:
            for k, v in items:
                self.set(k, v)

    def get(self, k: Any, default: Any = None) -> Any:
        e = self.d.get(hkey(k))
        return default if e is None else e[1]

    def has(self, k: Any) -> bool:
        return hkey(k) in self.d

    def set(self, k: Any, v: Any) -> None:
        hk = hkey(k)
        old = self.d.get(hk)
        if old is not None:
            self.d[hk] = (old[0], v)     # Ruby keeps the original key object
            return
        if type(k) is RString and not k.frozen:
            k = RString(k.s, frozen=True)   # ruby-subset.md §3.6
        self.d[hk] = (k, v)

    def delete(self, k: Any) -> Any:
        e = self.d.pop(hkey(k), None)
        return e

    def items(self) -> list[tuple[Any, Any]]:
        return list(self.d.values())

    def keys(self) -> list[Any]:
        return [e[0] for e in self.d.values()]

    def values(self) -> list[Any]:
        return [e[1] for e in self.d.values()]

    def __len__(self) -> int:
        return len(self.d)

    def rehash(self) -> None:
        old = list(self.d.values())
        self.d = {}
        for k, v in old:
            self.d[hkey(k)] = (k, v)


def truthy(v: Any) -> bool:
    return v is not None and v is not False
