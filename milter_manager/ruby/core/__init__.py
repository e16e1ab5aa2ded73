"""The native core classes (`ruby-subset.md` §6): one module per Ruby class."""

from __future__ import annotations

from typing import Any


def install_core(interp: Any) -> None:
    from . import (
        array,
        boolean,
        comparable,
        enumerable,
        enumerator,
        exception,
        float_,
        hash,
        integer,
        kernel,
        matchdata,
        module,
        proc,
        range,
        regexp_class,
        string,
        string_match,
        symbol,
    )
    for mod in (kernel, module, boolean, comparable, enumerable, enumerator, exception,
                integer, float_, string, string_match, symbol, array, hash, range,
                regexp_class, matchdata, proc):
        mod.reg.install(interp)
