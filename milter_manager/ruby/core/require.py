"""`require`, `require_relative`, `load` (`ruby-subset.md` §8.10)."""

from __future__ import annotations

import os
from typing import Any

from ..native import Registry
from .util import str_arg

reg = Registry()
K = "Kernel"


def kfunc(*names: str, arity: Any = 0, kw: bool = False) -> Any:
    return reg.method(K, *names, arity=arity, kw=kw, visibility="private")


@kfunc("require", arity=1)
def require(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    return do_require(f, str_arg(f, args[0]), None)


@kfunc("require_relative", arity=1)
def require_relative(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    base = os.path.dirname(os.path.abspath(f.code.file if f.code else "."))
    return do_require(f, str_arg(f, args[0]), base)


@kfunc("load", arity=(1, 2))
def load(f: Any, self: Any, args: list, kw: Any, blk: Any) -> Any:
    path = str_arg(f, args[0])
    if not os.path.isfile(path):
        raise f.interp.error("LoadError", f"cannot load such file -- {path}")
    run_file(f, path)
    return True


# §8.10: names whose features are built in.
BUILTIN_FEATURES = {"resolv", "thread", "ipaddr", "socket", "English", "shellwords", "json",
                    "time", "timeout", "pathname", "set", "etc", "fileutils", "tmpdir",
                    "uri", "date", "stringio", "securerandom", "digest", "open3", "logger",
                    "rbconfig", "pp", "enumerator", "rational", "complex", "monitor"}
ENGLISH_ALIASES = {"$PREMATCH": "$`", "$POSTMATCH": "$'", "$MATCH": "$&",
                   "$LAST_MATCH_INFO": "$~", "$ERROR_INFO": "$!", "$PROGRAM_NAME": "$0",
                   "$ERROR_POSITION": "$@", "$LAST_PAREN_MATCH": "$+",
                   "$INPUT_RECORD_SEPARATOR": "$/", "$RS": "$/", "$FIELD_SEPARATOR": "$;",
                   "$FS": "$;", "$OUTPUT_FIELD_SEPARATOR": "$,", "$OFS": "$,",
                   "$PID": "$$", "$PROCESS_ID": "$$", "$CHILD_STATUS": "$?"}
# Libraries that are recognised but not provided (§10).
UNSUPPORTED_FEATURES = {"set": "Set", "etc": "Etc", "fileutils": "FileUtils",
                        "tmpdir": "Dir.mktmpdir", "uri": "URI", "date": "Date",
                        "stringio": "StringIO", "securerandom": "SecureRandom",
                        "digest": "Digest", "open3": "Open3", "logger": "Logger",
                        "rbconfig": "RbConfig", "erb": "ERB", "yaml": "YAML",
                        "psych": "YAML", "bigdecimal": "BigDecimal"}


# Loaded before the program starts in Ruby 3.1, and what requiring a library
# loads with it: `require` of these returns false, as in real Ruby.
PRELOADED = {"thread", "rbconfig", "enumerator", "rational", "complex", "monitor", "fiber"}
DEPENDENCIES = {"resolv": ("socket", "timeout", "securerandom"), "ipaddr": ("socket",),
                "time": ("date",), "tmpdir": ("fileutils", "etc"), "open3": ("fileutils",)}


def do_require(f: Any, name: str, base: Any) -> bool:
    interp = f.interp
    if base is None:
        if name in BUILTIN_FEATURES or name.startswith("milter"):
            if name == "English":
                for new, old in ENGLISH_ALIASES.items():
                    interp.alias_gvar(new, old)
            if name in interp.loaded_features or name in PRELOADED:
                return False
            interp.loaded_features.add(name)
            interp.loaded_features.update(DEPENDENCIES.get(name, ()))
            return True
        if not (name.startswith(("/", "./", "../"))):
            raise interp.error("LoadError", f"cannot load such file -- {name}")
        path = name
    else:
        path = os.path.join(base, name)
    candidates = [path] if path.endswith(".rb") else [path + ".rb", path]
    for cand in candidates:
        if os.path.isfile(cand):
            full = os.path.realpath(cand)
            if full in interp.loaded_features:
                return False
            interp.loaded_features.add(full)
            run_file(f, cand)
            return True
    raise interp.error("LoadError", f"cannot load such file -- {path if base else name}")


def run_file(f: Any, path: str) -> Any:
    interp = f.interp
    from ..parser import RubySyntaxError, parse
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            source = fh.read()
    except OSError as e:
        raise interp.errno_error(f, e, "rb_sysopen", path) from None
    try:
        program = parse(source, path)
    except RubySyntaxError as e:
        raise interp.error("SyntaxError", str(e)) from None
    body, info = interp.compile_program(program, "<top (required)>")
    fr = interp.Frame()
    fr.self_ = interp.main_object
    fr.vars = [None] * info.nvars
    fr.home = fr
    fr.ret_target = fr
    fr.prev = f
    fr.ts = f.ts
    fr.code = info
    fr.deftarget = interp.Object
    fr.visi = "private"
    fr.depth = f.depth + 1
    from ..errors import ReturnSignal
    try:
        return body(fr)
    except ReturnSignal as e:
        if e.target is fr:
            return e.value
        raise
    finally:
        fr.done = True

