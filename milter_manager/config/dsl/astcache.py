"""Parsed configuration files, cached in memory and on disk.

Start-up time matters (`--show-config`, the daemon): building the LALR parser
and parsing the stock files is most of it. A parsed file is kept under a key
of its path, size, mtime and inode (ruby-subset.md §2.1 allows caching across
reloads) plus the version of the parser's own sources, in memory and as a
pickle under `$XDG_CACHE_HOME/milter-manager/ast` (default
`~/.cache/milter-manager/ast`). The disk cache is only used when that
directory belongs to the current user and nobody else can write to it (a
pickle must not come from someone else); any problem with it just means a
parse.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
from typing import Any

_MEMORY: dict[tuple, Any] = {}
_PARSER_SOURCES = ("ast.py", "ast_builder.py", "parser.py", "lexer.py", "lexer_state.py",
                   "lexer_strings.py", "lexer_punct.py", "lexer_ident.py", "regexp.py")
_version: str | None = None


def parser_version() -> str:
    """Changes whenever the parser's sources (or the package) change."""
    global _version
    if _version is None:
        from milter_manager import VERSION
        ruby_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), "ruby")
        parts = [VERSION]
        for name in _PARSER_SOURCES:
            try:
                info = os.stat(os.path.join(ruby_dir, name))
                parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
            except OSError:
                parts.append(f"{name}:-")
        _version = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
    return _version


def cache_dir() -> str | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "milter-manager", "ast")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        info = os.stat(directory)
    except OSError:
        return None
    if info.st_uid != os.geteuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return directory


def _disk_path(key: tuple) -> str | None:
    directory = cache_dir()
    if directory is None:
        return None
    digest = hashlib.sha256(repr(key).encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(directory, digest + ".pickle")


def _read(path: str) -> Any:
    try:
        with open(path, "rb") as stream:
            info = os.fstat(stream.fileno())
            if info.st_uid != os.geteuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
            return pickle.load(stream)
    except Exception:  # noqa: BLE001 - a broken cache entry is a cache miss
        return None


MAX_ENTRIES = 500


def _prune(directory: str) -> None:
    """Keep the cache small: past MAX_ENTRIES, drop the least recently written half."""
    try:
        entries = [entry for entry in os.scandir(directory) if entry.name.endswith(".pickle")]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime)
        for entry in entries[:len(entries) - MAX_ENTRIES // 2]:
            os.unlink(entry.path)
    except OSError:
        pass


def _write(path: str, program: Any) -> None:
    _prune(os.path.dirname(path))
    try:
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "wb") as stream:
            pickle.dump(program, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:  # noqa: BLE001 - caching is best effort
        try:
            os.unlink(temporary)
        except (OSError, UnboundLocalError):
            pass


def cached_parse(path: str, info: os.stat_result, parse: Any) -> Any:
    """The Program of PATH: from memory, from disk, or `parse()` (which reads
    and parses the file and may raise a syntax error, never cached)."""
    key = (path, info.st_size, info.st_mtime_ns, info.st_ino, parser_version())
    program = _MEMORY.get(key)
    if program is not None:
        return program
    disk = _disk_path(key)
    if disk is not None:
        program = _read(disk)
    if program is None or getattr(program, "filename", None) != path:
        program = parse()
        if disk is not None:
            _write(disk, program)
    _MEMORY[key] = program
    return program
