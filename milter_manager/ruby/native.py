"""Defining native (Python) methods on Ruby classes.

The core library modules declare their methods with a `Registry`:

    reg = Registry()

    @reg.method("String", "length", "size")
    def length(f, self, args, kw, blk):
        return len(self.s)

Internal natives receive the caller's frame `f` (for `$~`, the block of the
calling method, backtraces; `f.interp` is the interpreter). The host API
(`Interpreter.define_native`) uses the spec's convention
``fn(interp, self, args, kwargs, block)`` and wraps it.

Arity: an int n (exactly n arguments), a tuple (lo, hi) with hi = -1 for
"any number". Keyword arguments are appended as a trailing Hash unless the
method is declared with ``kw=True``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import RubyError
from .objects import MethodEntry

NativeFn = Callable[[Any, Any, list, Any, Any], Any]
Arity = int | tuple[int, int]


def arity_bounds(arity: Arity) -> tuple[int, int]:
    if isinstance(arity, tuple):
        return arity
    if arity < 0:
        return (-arity - 1, -1)
    return (arity, arity)


def arity_value(lo: int, hi: int) -> int:
    return lo if lo == hi else -lo - 1


def make_native_invoke(interp: Any, fn: NativeFn, lo: int, hi: int, kwok: bool,
                       label: str, shared: bool = True) -> Callable:
    """The `invoke` of a native method entry. It reaches the interpreter
    through the frame (`f.interp`), so one closure serves every interpreter
    (creating an interpreter installs ~1300 natives). The cache lives on the
    function itself: it goes away with a per-interpreter closure."""
    if not shared:
        return _build_invoke(fn, lo, hi, kwok, label)
    key = (lo, hi, kwok, label)
    cache = getattr(fn, "_ruby_invokes", None)
    if cache is None:
        cache = {}
        try:
            fn._ruby_invokes = cache  # type: ignore[attr-defined]
        except AttributeError:        # a bound method or builtin: no cache
            return _build_invoke(fn, lo, hi, kwok, label)
    invoke = cache.get(key)
    if invoke is None:
        invoke = cache[key] = _build_invoke(fn, lo, hi, kwok, label)
    return invoke


def _build_invoke(fn: NativeFn, lo: int, hi: int, kwok: bool, label: str) -> Callable:
    def invoke(f: Any, recv: Any, args: list, kw: Any, blk: Any) -> Any:
        if kw is not None and not kwok:
            if kw.d:
                args = args + [kw]
            kw = None
        n = len(args)
        if n < lo or (hi >= 0 and n > hi):
            raise f.interp.arity_error(f, n, lo, hi, label)
        if blk is not None:
            interp = f.interp
            f = interp.native_frame(f, label, interp.native_frame_class(label))
            try:
                return fn(f, recv, args, kw, blk)
            except RubyError as e:
                if e.exc.bt is None:
                    e.exc.bt = interp.backtrace(f)
                raise
            except Exception as e:  # noqa: BLE001 - Python errors become Ruby ones
                raise interp.convert_python_error(f, e, None) from None
        try:
            return fn(f, recv, args, kw, blk)
        except RubyError as e:
            if e.exc.bt is None:
                e.exc.bt = f.interp.backtrace(f, label)
            raise
        except Exception as e:  # noqa: BLE001
            raise f.interp.convert_python_error(f, e, label) from None
    return invoke


class Registry:
    """Collects native method definitions of one core module."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, tuple[str, ...], NativeFn, Arity, bool, str, bool]] = []
        self.setups: list[Callable[[Any], None]] = []

    def method(self, owner: str, *names: str, arity: Arity = 0, kw: bool = False,
               visibility: str = "public", singleton: bool = False) -> Callable[[NativeFn], NativeFn]:
        def deco(fn: NativeFn) -> NativeFn:
            self.entries.append((owner, names, fn, arity, kw, visibility, singleton))
            return fn
        return deco

    def smethod(self, owner: str, *names: str, arity: Arity = 0,
                kw: bool = False) -> Callable[[NativeFn], NativeFn]:
        """A singleton (class) method: `File.join`."""
        return self.method(owner, *names, arity=arity, kw=kw, singleton=True)

    def setup(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        """Run at installation (constants, class creation)."""
        self.setups.append(fn)
        return fn

    def install(self, interp: Any) -> None:
        """Define every collected method. Setups run first; when a name is
        registered twice for one target, the first registration wins (so a
        class's own natives beat the generic ones `setup` functions add)."""
        for setup in self.setups:
            setup(interp)
        done: set[tuple[int, str]] = set()
        targets: dict[tuple[str, bool], Any] = {}
        for owner, names, fn, arity, kw, visibility, singleton in self.entries:
            target = targets.get((owner, singleton))
            if target is None:
                mod = interp.module_at(owner)
                target = interp.singleton_class(None, mod) if singleton else mod
                targets[(owner, singleton)] = target
            lo, hi = arity_bounds(arity)
            for name in names:
                if (id(target), name) in done:
                    continue
                done.add((id(target), name))
                label = f"{owner}.{name}" if singleton else f"{owner}#{name}"
                entry = native_entry(interp, name, target, visibility, fn, lo, hi, kw, label)
                target.methods[name] = entry
        interp.epoch += 1


def native_label(mod: Any, name: str, singleton: bool) -> str:
    if singleton:
        return f"{mod.name}.{name}"
    return f"{mod.name}#{name}"


def define_native(interp: Any, target: Any, name: str, fn: NativeFn, arity: Arity = -1,
                  kw: bool = False, visibility: str = "public",
                  label: str | None = None) -> MethodEntry:
    lo, hi = arity_bounds(arity)
    if label is None:
        label = interp.method_label_for(target, name)
    # Functions given here are closures of one interpreter: nothing to share.
    entry = native_entry(interp, name, target, visibility, fn, lo, hi, kw, label, shared=False)
    interp.add_method(target, entry)
    return entry


def native_entry(interp: Any, name: str, target: Any, visibility: str, fn: NativeFn,
                 lo: int, hi: int, kw: bool, label: str, shared: bool = True) -> MethodEntry:
    entry = MethodEntry(name, target, visibility,
                        make_native_invoke(interp, fn, lo, hi, kw, label, shared),
                        "native", fn, arity_value(lo, hi))
    entry.fn = fn
    entry.lo = lo
    entry.hi = hi
    entry.label = label
    return entry
