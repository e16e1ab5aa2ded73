"""The command-line runner (`ruby-subset.md` §11): top-level `self` is
`main`, `ARGV` the arguments, `$0`/`__FILE__` the file as given; an uncaught
exception prints Ruby 3.4's layout on standard error and exits 1. A Python
traceback is never printed."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from .errors import RubyError, ThreadKilled


def format_uncaught(err: RubyError) -> str:
    """`FILE:LINE:in 'LABEL': MESSAGE (CLASS)` then `\\tfrom …` lines."""
    bt = err.backtrace or ["-:0:in '<main>'"]
    message = err.message
    cls = err.class_name
    lines = message.split("\n")
    head = f"{bt[0]}: {lines[0]} ({cls})"
    if len(lines) > 1:
        head += "\n" + "\n".join(lines[1:])
    out = [head] + [f"\tfrom {entry}" for entry in bt[1:]]
    return "\n".join(out) + "\n"


def run(path: str, args: list[str], stdout: TextIO | None = None,
        stderr: TextIO | None = None) -> int:
    from .interpreter import Interpreter
    from .objects import RArray, RString
    from .parser import RubySyntaxError, parse

    out = stdout or sys.stdout
    err_stream = stderr or sys.stderr
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as e:
        err_stream.write(f"ruby: {e.strerror} -- {path} (LoadError)\n")
        return 1
    source = raw.decode("utf-8", "surrogateescape")
    try:
        program = parse(source, path)
    except RubySyntaxError as e:
        err_stream.write(e.format_with_caret() + "\n")
        return 1
    interp = Interpreter(stdout=out, stderr=err_stream)
    interp.Object.consts["ARGV"] = RArray(RString(a) for a in args)
    interp.gvars["$0"] = RString(path)
    interp.gvars["$PROGRAM_NAME"] = interp.gvars["$0"]
    interp.gvars["$*"] = interp.Object.consts["ARGV"]
    status = 0
    try:
        interp.load_program(program)
    except RubyError as e:
        _flush(out)
        err_stream.write(format_uncaught(e))
        if e.internal and os.environ.get("MILTER_MANAGER_RUBY_DEBUG"):
            import traceback
            exc = getattr(e, "python_exception", None)
            if exc is not None:
                traceback.print_exception(exc, file=err_stream)
        status = 1
    except ThreadKilled:
        status = 0
    _flush(out)
    return status


def _flush(stream: TextIO) -> None:
    try:
        stream.flush()
    except (OSError, ValueError):
        pass


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write("usage: python -m milter_manager.ruby FILE [ARGS...]\n")
        return 2
    return run(argv[0], argv[1:])
