"""Fuzz target: the Ruby lexer, parser and interpreter on mutated
configuration files.

Seeds are every configuration file of upstream's tree (stock files, test
fixtures) and our embedded stock configuration. Each case mutates one seed
(byte edits plus Ruby tokens: keywords, brackets, string and regexp openers,
heredocs, `%w(`, `=begin`, …) and loads it as a top-level configuration file
(config.md §4), which lexes, parses and runs it with the DSL bound.

What must hold (config.md §14, ruby-subset.md §3.5): loading ends with
success or a `ConfigurationError` (a syntax error, a Ruby exception, a
refused value); never another exception, never an `internal error`, and
runaway code is stopped by the step budget instead of hanging.

An interpreter (with the DSL and the library installed) costs ~0.1 s, so the
bench keeps one and replaces it every `RECYCLE` cases; each case still gets
a fresh loader object, as every top-level load does.
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
from pathlib import Path
from typing import Any

from milter_manager.config import log_level
from milter_manager.config.dsl import astcache
from milter_manager.config.dsl.session import RubySession
from milter_manager.config.errors import ConfigurationError
from milter_manager.config.loader import ConfigurationLoader, LoadOptions, data_dir
from milter_manager.config.model import Configuration
from milter_manager.config.sections import build_defaults

from .common import PROJECT, UPSTREAM, Violation, mutate_bytes, scratch_directory

ATOMS = [atom.encode() for atom in [
    "do", " do |x| ", "end", "end\n", "if ", "unless ", "while ", "until ", "begin\n",
    "rescue ", "ensure\n", "def f", "class C", "module M", "yield", "return", "break",
    "next", "redo", "retry", "super", "self", "nil", "true", "false", "__FILE__",
    "__LINE__", " then ", "else\n", "elsif ", "case ", "when ", " in ", " and ", " or ",
    "not ", "{", "}", "(", ")", "[", "]", "|", "||", "&&", "=", "==", "=~", "<<",
    "<<~EOS\n", "\nEOS\n", "<<-'X'\n", "#{", '"', "'", "/", "%w(", "%r{", "%i[", "%q<",
    ":", "::", ".", "&.", "->", "=>", "*", "**", "&", "?", "!", ",", ";", "\n", "\\",
    "@", "@@", "$", "$1", "1", "0x", "1e5", "-1", "..", "...", "%", "`", "?a", "__END__",
    "\n=begin\n", "\n=end\n", "\t", " ", "\u20ac", "milter.", "define_milter(\"x\")",
    "load(\"", "defined?(", "alias ", "undef ", "BEGIN {", "loop", "lambda", "proc",
    "Thread.new", ".each", ".map", "# comment\n", "::Milter::Manager", "0o17", "\0",
]] + [b"\xff", b"\xc3", b"\r"]

#: A new interpreter after this many cases (state piles up in a shared one).
RECYCLE = 300


def seed_files() -> list[Path]:
    roots = [UPSTREAM / "data", UPSTREAM / "test" / "fixtures", PROJECT / "milter_manager"
             / "data"]
    found = sorted(path for root in roots for path in root.rglob("*.conf"))
    if not found:
        raise RuntimeError(f"no configuration files under {UPSTREAM}")
    return found


class _Sink:
    """Loader log: formatted (every level on), checked, then dropped."""

    def __init__(self) -> None:
        self.internal: list[str] = []

    def enabled(self, level: int) -> bool:
        return True

    def __call__(self, level: int, message: str) -> None:
        if "internal error" in message:
            self.internal.append(message)


def _sandbox(interp: Any) -> None:
    """A mutated file may reach `File.open(path, "w")`, `File.delete`, …:
    the bench lets it read but never write, delete, rename or chmod."""
    import errno

    from milter_manager.ruby.stdlib import file as ruby_file

    def refuse(f: Any, recv: Any, args: list, kwargs: Any, block: Any) -> Any:
        raise interp.error("NotImplementedError", "writing is disabled by the fuzz bench")

    for path, names in (("File", ("delete", "unlink", "rename", "chmod")),
                        ("Dir", ("mkdir", "rmdir", "delete", "unlink"))):
        for name in names:
            interp.define_singleton_native(interp.module_at(path), name, refuse)
    if not getattr(ruby_file, "_fuzz_sandboxed", False):
        read_only = ruby_file._open

        def open_read_only(f: Any, path: str, mode: str) -> Any:
            if mode.split(":")[0] not in ("r", "rb", "rt"):
                raise f.interp.errno_error(f, PermissionError(errno.EACCES, "read-only bench"),
                                           "rb_sysopen", path)
            return read_only(f, path, mode)
        ruby_file._open = open_read_only
        ruby_file._fuzz_sandboxed = True


class RubyBench:
    def __init__(self) -> None:
        self.seeds = [(path, path.read_bytes()) for path in seed_files()]
        self.directory = scratch_directory("mm-fuzz-ruby-")
        atexit.register(shutil.rmtree, self.directory, ignore_errors=True)
        os.chmod(self.directory, 0o700)
        self.empty_root = os.path.join(self.directory, "root")
        os.mkdir(self.empty_root)
        # Never a real resolver (ruby-subset.md: tests never use the system's).
        os.environ["MILTER_MANAGER_RESOLV_CONF"] = os.path.join(self.directory, "no-resolv")
        # The AST cache keys on path, size and mtime: every case writes a new
        # text to a path in our directory, so those are parsed each time (the
        # stock files a case `load`s stay cached).
        cached = astcache.cached_parse
        directory = self.directory

        def parse_mutated(path: str, info: os.stat_result, parse: Any) -> Any:
            if path.startswith(directory):
                return parse()
            return cached(path, info, parse)
        astcache.cached_parse = parse_mutated
        self.sink = _Sink()
        self.cases = 0
        self.session: RubySession | None = None

    def _session(self) -> RubySession:
        if self.session is None or self.cases % RECYCLE == 0:
            loader = ConfigurationLoader(LoadOptions(
                files=[], load_paths=[data_dir()], custom_directory=False, custom_xml=False,
                detector_root=self.empty_root, env={}, log=self.sink, profile="debian"))
            config = Configuration(build_defaults(None), log_level.DEBUG, None)
            config.load_paths = [data_dir()]
            loader._current = config
            self.session = RubySession(config, loader)
            _sandbox(self.session.interp)
        return self.session

    def run_case(self, rng: random.Random) -> None:
        session = self._session()
        self.cases += 1
        path, data = rng.choice(self.seeds)
        for _ in range(rng.choice([1, 1, 1, 2])):
            data = mutate_bytes(rng, data, ATOMS)
        target = os.path.join(self.directory, path.name)
        with open(target, "wb") as stream:
            stream.write(data)
        self.sink.internal.clear()
        try:
            session.load_top_level(target)
        except ConfigurationError as error:
            if "internal error" in str(error):
                raise Violation(f"{path.name}: {error}") from None
        except Exception as error:
            raise Violation(f"{path.name}: {type(error).__name__}: {error}") from error
        if self.sink.internal:
            raise Violation(f"{path.name}: {self.sink.internal[0]}")


_bench: RubyBench | None = None


def run_case(rng: random.Random) -> None:
    global _bench
    if _bench is None:
        _bench = RubyBench()
    _bench.run_case(rng)
