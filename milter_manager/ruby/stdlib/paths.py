"""Path arithmetic with Ruby's rules (`ruby-subset.md` §8.1): `File.join`,
`dirname`, `basename`, `extname`, `expand_path` (lexical), and `Dir.glob`
(`config.md` §2.3 syntax). Pure functions over str."""

from __future__ import annotations

import os
import pwd
import re


def join(parts: list[str]) -> str:
    if not parts:
        return ""
    out = parts[0]
    for p in parts[1:]:
        if out.endswith("/"):
            out = out.rstrip("/") + "/" + p.lstrip("/") if p.startswith("/") else out + p
        elif p.startswith("/"):
            out = out + "/" + p.lstrip("/")
        else:
            out = out + "/" + p
    return out


def dirname(p: str) -> str:
    if not p:
        return "."
    stripped = p.rstrip("/")
    if not stripped:
        return "/"
    idx = stripped.rfind("/")
    if idx < 0:
        return "."
    head = stripped[:idx].rstrip("/")
    return head if head else "/"


def basename(p: str, suffix: str | None = None) -> str:
    if not p:
        return ""
    stripped = p.rstrip("/")
    if not stripped:
        return "/"
    base = stripped[stripped.rfind("/") + 1:]
    if suffix is None:
        return base
    if suffix == ".*":
        idx = base.rfind(".")
        if idx > 0:
            return base[:idx]
        return base
    if suffix and base.endswith(suffix) and base != suffix:
        return base[:-len(suffix)]
    return base


def extname(p: str) -> str:
    base = basename(p)
    if base.startswith("."):
        base = base.lstrip(".")
        if "." not in base:
            return ""
    idx = base.rfind(".")
    if idx <= 0:
        return ""
    return base[idx:]


def _home(user: str) -> str:
    if not user:
        home = os.environ.get("HOME")
        if home is None:
            raise KeyError("couldn't find login name -- expanding '~'")
        return home
    try:
        return pwd.getpwnam(user).pw_dir
    except KeyError:
        raise KeyError(f"user {user} doesn't exist") from None


def normalize(p: str) -> str:
    """Lexical normalisation of an absolute path: `.`, `..`, `//`."""
    parts: list[str] = []
    for seg in p.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
            continue
        parts.append(seg)
    return "/" + "/".join(parts)


def expand_path(p: str, base: str | None = None) -> str:
    if p.startswith("~"):
        slash = p.find("/")
        user = p[1:slash] if slash >= 0 else p[1:]
        rest = p[slash:] if slash >= 0 else ""
        p = _home(user) + rest
    if not p.startswith("/"):
        if base is None:
            base = os.getcwd()
        else:
            base = expand_path(base)
        p = base.rstrip("/") + "/" + p
    return normalize(p)


# --- glob ---------------------------------------------------------------------------

def _expand_braces(pattern: str) -> list[str]:
    depth = 0
    start = -1
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            if depth == 0:
                start = i
            depth += 1
        elif c == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                body = pattern[start + 1:i]
                alts = _split_top(body)
                out = []
                for a in alts:
                    out.extend(_expand_braces(pattern[:start] + a + pattern[i + 1:]))
                return out
        i += 1
    return [pattern]


def _split_top(body: str) -> list[str]:
    parts = []
    depth = 0
    cur = ""
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            cur += body[i:i + 2]
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


def _segment_regex(seg: str) -> re.Pattern:
    out = []
    i = 0
    n = len(seg)
    while i < n:
        c = seg[i]
        if c == "\\" and i + 1 < n:
            out.append(re.escape(seg[i + 1]))
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = i + 1
            if j < n and seg[j] in "!^":
                j += 1
            if j < n and seg[j] == "]":
                j += 1
            while j < n and seg[j] != "]":
                j += 1
            if j >= n:
                out.append(re.escape(c))
                i += 1
                continue
            body = seg[i + 1:j]
            neg = body[:1] in ("!", "^")
            if neg:
                body = body[1:]
            body = body.replace("\\", "\\\\")
            out.append(f"[{'^' if neg else ''}{body}]")
            i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _has_magic(seg: str) -> bool:
    return any(c in seg for c in "*?[\\")


def _unescape(seg: str) -> str:
    return re.sub(r"\\(.)", r"\1", seg)


def glob(pattern: str) -> list[str]:
    results: list[str] = []
    for pat in _expand_braces(pattern):
        results.extend(_glob_one(pat))
    seen = set()
    out = []
    for r in results:
        if r not in seen:
            seen.add(r)
            out.append(r)
    return sorted(out, key=lambda s: s.encode("utf-8", "surrogateescape"))


def _glob_one(pattern: str) -> list[str]:
    absolute = pattern.startswith("/")
    segs = [s for s in pattern.split("/") if s != ""]
    trailing_slash = pattern.endswith("/") and len(pattern) > 1
    start = "/" if absolute else ""
    matches = _walk(start, segs)
    if trailing_slash:
        matches = [m + "/" for m in matches if os.path.isdir(m)]
    return matches


def _join_path(base: str, name: str) -> str:
    if base == "":
        return name
    if base.endswith("/"):
        return base + name
    return base + "/" + name


def _walk(base: str, segs: list[str]) -> list[str]:
    if not segs:
        return [base] if base else []
    seg, rest = segs[0], segs[1:]
    dir_path = base or "."
    if seg == "**":
        out = _walk(base, rest)
        for sub in _subdirs_recursive(dir_path):
            out.extend(_walk(_join_path(base, sub), rest))
        return out
    if not _has_magic(seg):
        path = _join_path(base, _unescape(seg))
        if os.path.lexists(path):
            if rest and not os.path.isdir(path):
                return []
            return _walk(path, rest)
        return []
    try:
        names = os.listdir(dir_path)
    except OSError:
        return []
    rx = _segment_regex(seg)
    out = []
    for name in names:
        if name.startswith(".") and not seg.startswith("."):
            continue
        if rx.match(name):
            path = _join_path(base, name)
            if rest and not os.path.isdir(path):
                continue
            out.extend(_walk(path, rest))
    return out


def _subdirs_recursive(root: str) -> list[str]:
    out = []
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return out
    for name in names:
        if name.startswith("."):
            continue
        full = os.path.join(root, name)
        if os.path.isdir(full) and not os.path.islink(full):
            out.append(name)
            for sub in _subdirs_recursive(full):
                out.append(name + "/" + sub)
    return out
