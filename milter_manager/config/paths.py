"""Path resolution for `load` and friends (config.md §2.3) and Ruby
`Dir.glob` patterns.

Paths are kept exactly as spelled (no normalisation): the resolved spelling
becomes the file's `__FILE__` and its location prefix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

_MAGIC = re.compile(r"[*?\[]")


def bytewise(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def join(directory: str, name: str) -> str:
    """`D/P`: D joined with P by `/` (no second `/` when D already ends with one)."""
    if directory.endswith("/"):
        return directory + name
    return directory + "/" + name


def _child(base: str, name: str) -> str:
    return name if base == "" else join(base, name)


# --- glob ----------------------------------------------------------------------

def expand_braces(pattern: str) -> list[str]:
    """`{a,b}` alternatives, nested, `\\` escaping (expanded before matching)."""
    depth = 0
    start = -1
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            if depth == 0:
                start = i
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                return _expand_group(pattern, start, i)
        i += 1
    return [pattern]


def _expand_group(pattern: str, start: int, end: int) -> list[str]:
    inner = pattern[start + 1:end]
    alternatives: list[str] = []
    depth = 0
    current = ""
    i = 0
    while i < len(inner):
        char = inner[i]
        if char == "\\" and i + 1 < len(inner):
            current += inner[i:i + 2]
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            alternatives.append(current)
            current = ""
            i += 1
            continue
        current += char
        i += 1
    alternatives.append(current)
    prefix, suffix = pattern[:start], pattern[end + 1:]
    result: list[str] = []
    for alternative in alternatives:
        result.extend(expand_braces(prefix + alternative + suffix))
    return result


def _has_magic(segment: str) -> bool:
    i = 0
    while i < len(segment):
        if segment[i] == "\\":
            i += 2
            continue
        if segment[i] in "*?[":
            return True
        i += 1
    return False


def _unescape(segment: str) -> str:
    return re.sub(r"\\(.)", r"\1", segment)


def _segment_regex(segment: str) -> re.Pattern[str]:
    out = []
    i = 0
    n = len(segment)
    while i < n:
        char = segment[i]
        if char == "\\" and i + 1 < n:
            out.append(re.escape(segment[i + 1]))
            i += 2
        elif char == "*":
            out.append(".*")
            i += 1
        elif char == "?":
            out.append(".")
            i += 1
        elif char == "[":
            cls, i = _char_class(segment, i)
            out.append(cls)
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def _char_class(segment: str, start: int) -> tuple[str, int]:
    i = start + 1
    negate = False
    if i < len(segment) and segment[i] in "!^":
        negate = True
        i += 1
    members: list[str] = []
    first = True
    while i < len(segment):
        char = segment[i]
        if char == "]" and not first:
            body = "".join(members)
            return ("[^" if negate else "[") + body + "]", i + 1
        first = False
        if char == "\\" and i + 1 < len(segment):
            char = segment[i + 1]
            i += 1
        if (i + 2 < len(segment) and segment[i + 1] == "-" and segment[i + 2] != "]"):
            high = segment[i + 2]
            if high == "\\" and i + 3 < len(segment):
                high = segment[i + 3]
                i += 1
            members.append(re.escape(char) + "-" + re.escape(high))
            i += 3
            continue
        members.append(re.escape(char))
        i += 1
    # No closing bracket: a literal `[`.
    return re.escape("["), start + 1


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path or ".")
    except OSError:
        return []


def _recursive_dirs(base: str) -> Iterable[str]:
    """BASE and every directory below it (`**/`): hidden directories and
    symbolic links to directories are not entered, as Ruby does."""
    yield base
    for name in sorted(_listdir(base), key=bytewise):
        if name.startswith("."):
            continue
        path = _child(base, name)
        if os.path.isdir(path) and not os.path.islink(path):
            yield from _recursive_dirs(path)


def _glob_one(pattern: str) -> list[str]:
    if pattern.startswith("/"):
        bases = ["/"]
        segments = pattern.lstrip("/").split("/")
    else:
        bases = [""]
        segments = pattern.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**" and not last:
            bases = [d for base in bases for d in _recursive_dirs(base)]
            continue
        if not _has_magic(segment):
            literal = _unescape(segment)
            bases = [_child(base, literal) if literal else base + "/" for base in bases]
            continue
        regex = _segment_regex(segment)
        explicit_dot = segment.startswith((".", "\\."))
        matched = []
        for base in bases:
            for name in _listdir(base):
                # Wildcards never match a leading dot (Ruby without FNM_DOTMATCH).
                if name.startswith(".") and not explicit_dot:
                    continue
                if regex.fullmatch(name):
                    matched.append(_child(base, name))
        bases = matched
    return [path for path in bases if os.path.lexists(path)]


def glob(pattern: str) -> list[str]:
    """Ruby `Dir.glob(pattern)`, sorted bytewise (ruby-subset.md §8.1)."""
    found: set[str] = set()
    for expanded in expand_braces(pattern):
        if _has_magic(expanded):
            found.update(_glob_one(expanded))
        else:
            literal = _unescape(expanded)
            if os.path.lexists(literal):
                found.add(literal)
    return sorted(found, key=bytewise)


# --- resolve_path --------------------------------------------------------------

def _files_of(path: str) -> list[str]:
    names = [name for name in os.listdir(path) if not os.path.isdir(join(path, name))]
    return [join(path, name) for name in sorted(names, key=bytewise)]


def resolve_path(path: str, load_paths: Sequence[str]) -> list[str]:
    """The files PATH stands for (config.md §2.3), possibly none."""
    if path.startswith("/"):
        # [deviation] upstream returns an absolute path unexamined.
        candidates = [path]
    else:
        candidates = [join(directory, path) for directory in load_paths]
    result: list[str] = []
    for candidate in candidates:
        if os.path.isdir(candidate):
            result.extend(_files_of(candidate))
            break
        if os.path.exists(candidate):
            result.append(candidate)
            break
        result.extend(match for match in glob(candidate) if not os.path.isdir(match))
    # [deviation] each real file once, in the sorted order (upstream may load
    # the same file twice).
    seen: set[str] = set()
    unique = []
    for entry in result:
        real = os.path.realpath(entry)
        if real not in seen:
            seen.add(real)
            unique.append(entry)
    return unique
