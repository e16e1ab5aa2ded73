"""Process (only `Process.pid`) and the classes §10 lists as not supported:
using them raises NotImplementedError `NAME is not supported by this
implementation`."""

from __future__ import annotations

import os
from typing import Any

from ..native import Registry

reg = Registry()

UNSUPPORTED_CONSTANTS = ["ObjectSpace", "GC", "Fiber", "Ractor", "Rational", "Complex",
                         "BigDecimal", "Set", "Struct", "ERB", "YAML", "Psych", "ActiveRecord",
                         "Signal", "Marshal", "Data", "TracePoint", "RubyVM", "Socket",
                         "TCPSocket", "UDPSocket", "UNIXSocket", "Open3", "StringIO",
                         "Etc", "FileUtils", "Pathname", "Date", "DateTime", "URI",
                         "SecureRandom", "Digest", "Logger", "Timeout", "Math"]


class Unsupported:
    def __init__(self, name: str) -> None:
        self.name = name


@reg.setup
def _setup(interp: Any) -> None:
    process = interp.new_module("Process")
    interp.Object.consts["Process"] = process

    def pid(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        return os.getpid()
    from ..native import define_native
    define_native(interp, interp.singleton_class(None, process), "pid", pid, arity=0,
                  label="Process.pid")
    interp.special_gvars["$$"] = (lambda f: os.getpid(), None)
    # Process.anything_else: method_missing on Process raises NotImplementedError.
    _not_supported_module(interp, process, "Process")
    for name in UNSUPPORTED_CONSTANTS:
        if name in interp.Object.consts:
            continue
        if name == "Math":
            continue
        mod = interp.new_class(name, interp.Object) if name in ("Struct", "Set") \
            else interp.new_module(name)
        interp.Object.consts[name] = mod
        _not_supported_module(interp, mod, name)


def _not_supported_module(interp: Any, mod: Any, name: str) -> None:
    from ..native import define_native

    def missing(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        meth = args[0].name if args else "?"
        raise interp.error("NotImplementedError",
                           f"{name}.{meth} is not supported by this implementation"
                           if name == "Process" else
                           f"{name} is not supported by this implementation")

    def new(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
        raise interp.error("NotImplementedError", f"{name} is not supported by this implementation")
    single = interp.singleton_class(None, mod)
    entry = define_native(interp, single, "method_missing", missing, arity=-1,
                          label=f"{name}.method_missing")
    entry.kind = "native-missing"
    if mod.is_class:
        define_native(interp, single, "new", new, arity=-1, label=f"{name}.new")
        define_native(interp, single, "[]", new, arity=-1, label=f"{name}.[]")
