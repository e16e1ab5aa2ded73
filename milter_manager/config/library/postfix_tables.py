"""Postfix lookup tables for conditions (ruby-subset.md §9.10):
`Milter::Manager::PostfixRegexpTable` and `PostfixCIDRTable`."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from milter_manager.ruby import regexp as ruby_regexp
from milter_manager.ruby.objects import RString


class TableError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind            # "InvalidFormatError" / "InvalidValueError"
        self.message = message


def logical_lines(lines: list[str]) -> list[tuple[int, str]]:
    """Skip blank and comment lines; a line starting with whitespace
    continues the previous one (joined with one space)."""
    result: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        # `endif` may be indented; any other indented line continues the last.
        if line[:1].isspace() and result and stripped != "endif":
            start, text = result[-1]
            result[-1] = (start, f"{text} {stripped}")
        else:
            result.append((number, stripped))
    return result


@dataclass
class RegexpEntry:
    pattern: re.Pattern
    negated: bool
    result: str | None = None                 # None for an `if` block
    children: list[RegexpEntry] = field(default_factory=list)


def _split_pattern(text: str) -> tuple[bool, str, str, str] | None:
    """`[!]/PATTERN/FLAGS REST` → (negated, pattern, flags, rest)."""
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    if not text.startswith("/"):
        return None
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "/":
            break
        i += 1
    else:
        return None
    pattern = text[1:i]
    match = re.match(r"([a-zA-Z]*)(?:\s+(.*))?\Z", text[i + 1:], re.DOTALL)
    if match is None:
        return None
    return negated, pattern, match.group(1), (match.group(2) or "").strip()


def _compile(pattern: str, flags: str, where: str, line_text: str) -> re.Pattern:
    # Case-insensitive by default; `i` toggles it off ([deviation] upstream's
    # `i` leaves it on), `m` lets `.` match newlines, `x` is extended.
    options = ruby_regexp.IGNORECASE
    for flag in flags:
        if flag == "i":
            options ^= ruby_regexp.IGNORECASE
        elif flag == "m":
            options |= ruby_regexp.MULTILINE
        elif flag == "x":
            options |= ruby_regexp.EXTENDED
        else:
            raise TableError("InvalidFormatError", f"{where}: invalid format <{line_text}>")
    try:
        return ruby_regexp.translate(pattern, options).pattern
    except ruby_regexp.RegexpTranslationError as error:
        raise TableError("InvalidValueError",
                         f"{where}: {error.message}: <{pattern}>: <{line_text}>") from None


def parse_regexp_table(lines: list[str], path: str) -> list[RegexpEntry]:
    root: list[RegexpEntry] = []
    stack = [root]
    for number, text in logical_lines(lines):
        where = f"{path}:{number}"
        if text == "endif":
            if len(stack) == 1:
                # [deviation] upstream raises NoMethodError here.
                raise TableError("InvalidFormatError", f"{where}: endif isn't matched")
            stack.pop()
            continue
        is_if = re.match(r"if\s+(.*)\Z", text, re.DOTALL)
        parts = _split_pattern(is_if.group(1) if is_if else text)
        if parts is None or (is_if and parts[3]) or (not is_if and not parts[3]):
            raise TableError("InvalidFormatError", f"{where}: invalid format <{text}>")
        negated, pattern, flags, result = parts
        entry = RegexpEntry(_compile(pattern, flags, where, text), negated,
                            None if is_if else result)
        stack[-1].append(entry)
        if is_if:
            stack.append(entry.children)
    return root


def _expand(result: str, match: re.Match | None) -> str:
    def group(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        number = int(next(g for g in m.groups()[1:] if g is not None))
        if match is None or number > (match.re.groups or 0):
            return ""
        return match.group(number) or ""
    return re.sub(r"(\$\$)|\$(?:(\d+)|\{(\d+)\}|\((\d+)\))", group, result)


def find_regexp(entries: list[RegexpEntry], text: str) -> str | None:
    for entry in entries:
        match = entry.pattern.search(text)
        applies = (match is None) if entry.negated else (match is not None)
        if not applies:
            continue
        if entry.result is None:
            found = find_regexp(entry.children, text)
            if found is not None:
                return found
            continue
        return _expand(entry.result, None if entry.negated else match)
    return None


def parse_cidr_table(lines: list[str], path: str) -> list[tuple[Any, str]]:
    entries = []
    for number, text in logical_lines(lines):
        fields = text.split(None, 1)
        if len(fields) != 2:
            raise TableError("InvalidFormatError", f"{path}:{number}: invalid format <{text}>")
        address, result = fields
        try:
            network = ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise TableError("InvalidValueError",
                             f"{path}:{number}: invalid address: {address}: <{address}>: "
                             f"<{text}>") from None
        entries.append((network, result))
    return entries


def find_cidr(entries: list[tuple[Any, str]], address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    for network, result in entries:
        if ip.version == network.version and ip in network:
            return result
    return None


# --- Ruby bindings ---------------------------------------------------------------

class TablePayload:
    def __init__(self) -> None:
        self.entries: list[Any] = []


def install(session: Any) -> None:
    interp = session.interp
    base = interp.define_class("Milter::Manager::ConditionTable::Error",
                               interp.module_at("Milter::Error"))
    errors = {kind: interp.define_class(f"Milter::Manager::ConditionTable::{kind}", base)
              for kind in ("InvalidFormatError", "InvalidValueError")}

    def read(io: Any) -> tuple[list[str], str]:
        lines: list[str] = []

        def collect(frame: Any, args: list, block: Any) -> Any:
            lines.append(interp.to_str(frame, args[0]))
            return None
        interp.call_method(io, "each_line", block=interp.native_proc(collect, 1))
        path = "-"
        if interp.call_method(io, "respond_to?", interp.sym("path")):
            path = interp.to_s(interp.host_frame(), interp.call_method(io, "path"))
        return lines, path

    def define(name: str, parse: Any, find: Any, key: Any) -> None:
        cls = interp.define_class(f"Milter::Manager::{name}")
        interp.define_singleton_native(
            cls, "new", lambda i, r, a, k, b: i.new_object(r, TablePayload()), arity=0)

        def parse_io(interp, recv, args, kwargs, block):
            lines, path = read(args[0])
            try:
                recv.payload.entries = parse(lines, path)
            except TableError as error:
                raise interp.error(errors[error.kind], error.message) from None
            return recv

        def find_value(interp, recv, args, kwargs, block):
            found = find(recv.payload.entries, key(args[0]))
            return None if found is None else RString(found)
        interp.define_native(cls, "parse", parse_io, arity=1)
        interp.define_native(cls, "find", find_value, arity=1)

    def text_of(value: Any) -> str:
        return interp.to_s(interp.host_frame(), value)

    def address_of(value: Any) -> str:
        from milter_manager.config.library.socket_address import IPv4, IPv6
        payload = getattr(value, "payload", None)
        if isinstance(payload, (IPv4, IPv6)):
            return payload.address
        return text_of(value)

    define("PostfixRegexpTable", parse_regexp_table, find_regexp, text_of)
    define("PostfixCIDRTable", parse_cidr_table, find_cidr, address_of)
