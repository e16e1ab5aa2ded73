"""Shell-variable extraction and option parameters (detectors.md §6, §8.1).

No shell semantics: one assignment per line at most, the last one in file
order wins, `if`/`case`/functions are not understood. Ruby regexps are
translated with ASCII `\\s`, `\\d` and `\\w` (ruby-subset.md §7.3).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from milter_manager.ruby.text import ShellwordsError, shell_split

# §6.1: the word boundary uses Unicode word characters, as Ruby's `\b`.
_ASSIGNMENT = re.compile(r"""\b([A-Z0-9_]+)=("[^\n]*?"|'[^\n]*?'|[^ \t\n\v\f\r]*)""")
_QUOTED = re.compile(r"""\A(["'])(.*)\1\Z""", re.DOTALL)
_POSITIONAL = re.compile(r"\A\$[0-9]+\Z")
_REFERENCE = re.compile(r"\$(\{?)([a-zA-Z0-9_]+)(\}?)")
_WHITESPACE = " \t\n\v\f\r\0"       # what Ruby's String#strip removes

Lookup = Callable[[str], "str | None"]


def ruby_strip(text: str) -> str:
    return text.strip(_WHITESPACE)


def normalize_value(raw: str, lookup: Lookup) -> str | None:
    """§6.2: unquote, drop positional parameters, expand `$X` / `${X}`.
    LOOKUP gives a variable's value (`name`: the detector's name), or None."""
    quoted = _QUOTED.match(raw)
    value = quoted.group(2) if quoted else raw
    if _POSITIONAL.match(value):
        return None

    def expand(match: re.Match) -> str:
        opening, name, closing = match.groups()
        if bool(opening) != bool(closing):          # `${X` or `$X}`: kept
            return match.group(0)
        found = lookup(name)
        return match.group(0) if found is None else found
    return _REFERENCE.sub(expand, value)


def extract_variables(text: str, variables: dict[str, str], name: str | None) -> None:
    """§6.1: add the assignments of TEXT to VARIABLES (in place); NAME is what
    `$name` expands to (None before the detector knows its name)."""

    def lookup(key: str) -> str | None:
        return name if key == "name" else variables.get(key)

    for line in text.split("\n"):
        line = line.split("#", 1)[0]          # even inside quotes, as upstream
        match = _ASSIGNMENT.search(line)
        if match is None:
            continue
        value = normalize_value(match.group(2), lookup)
        if value is not None:
            variables[match.group(1)] = value


def normalize(spec: str | None) -> str | None:
    """§6.4: nil → nil; strip; empty → nil."""
    if spec is None:
        return None
    spec = ruby_strip(spec)
    return spec or None


def param(flags: str | None, option: str) -> str | None:
    """§8.1: the value of OPTION in a flags string (`-p inet:1@x`,
    `-pinet:1@x`, `-p=unix:/s`); the last occurrence wins."""
    if flags is None:
        return None
    try:
        words = shell_split(flags)
    except ShellwordsError:
        return None              # [deviation] upstream raises on an unmatched quote
    value: str | None = None
    if option in words:
        index = len(words) - 1 - words[::-1].index(option)
        value = words[index + 1] if index + 1 < len(words) else None
    else:
        for word in words:
            if word.startswith(option):
                rest = word[len(option):]
                value = rest.removeprefix("=")
    if value is not None and value.startswith("$"):
        return None
    return value


def normalize_connection_spec(spec: str) -> str:
    """§8.2: `/path` → `unix:/path`; a run of `unix:`/`local:` prefixes
    collapses to the last one."""
    if spec.startswith("/"):
        spec = "unix:" + spec
    match = re.match(r"(?:(unix|local):)+", spec)
    if match:
        spec = f"{match.group(1)}:" + spec[match.end():]
    return spec
