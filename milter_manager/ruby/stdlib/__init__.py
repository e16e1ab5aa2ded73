"""The standard-library subset (`ruby-subset.md` §8, §10)."""

from __future__ import annotations

from typing import Any


def install_stdlib(interp: Any) -> None:
    from . import (
        env,
        file,
        ipaddr,
        json,
        math_,
        process,
        resolv,
        shellwords,
        thread,
        time,
    )
    for mod in (file, env, ipaddr, resolv, thread, json, time, shellwords, math_, process):
        mod.reg.install(interp)
