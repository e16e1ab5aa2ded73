"""The native core classes (`ruby-subset.md` §6): one module per Ruby class."""

from __future__ import annotations

from typing import Any


def install_core(interp: Any) -> None:
    from . import (
        array,
        array_ops,
        boolean,
        comparable,
        enumerable,
        enumerator,
        exception,
        float_,
        hash,
        integer,
        kernel,
        kernel_functions,
        matchdata,
        module,
        proc,
        range,
        regexp_class,
        require,
        string,
        string_match,
        symbol,
    )
    for mod in (kernel, kernel_functions, require, module, boolean, comparable, enumerable, enumerator, exception,
                integer, float_, string, string_match, symbol, array, array_ops, hash, range,
                regexp_class, matchdata, proc):
        mod.reg.install(interp)
