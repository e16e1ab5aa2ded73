"""The XML custom configuration `milter-manager.custom.conf` (config.md §15)
and `to_xml` for the controller (§15.1)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from milter_manager.config.errors import CONFIGURATION_ERROR, ConfigValueError
from milter_manager.config.locations import Site
from milter_manager.config.model import (
    Configuration,
    Egg,
)
from milter_manager.config.sections import (
    CONTROLLER_ITEMS,
    MANAGER_ITEMS,
    SECURITY_ITEMS,
)

CUSTOM_FILE = "milter-manager.custom.conf"

MILTER_ELEMENTS = ["name", "description", "enabled", "connection_spec", "command",
                   "command_options", "fallback_status", "evaluation_mode"]

_BOOL_ITEMS = {"remove_unix_socket_on_create", "remove_unix_socket_on_close", "daemon",
               "privilege_mode"}
_UINT_ITEMS = {"unix_socket_mode", "maintenance_interval", "suspend_time_on_unacceptable",
               "max_connections", "max_file_descriptors", "n_workers",
               "packet_buffer_size", "connection_check_interval", "chunk_size",
               "max_pending_finished_sessions"}
_SECTION_ITEMS = {
    "security": {item.name for item in SECURITY_ITEMS},
    "manager": {item.name for item in MANAGER_ITEMS},
    "controller": {item.name for item in CONTROLLER_ITEMS},
}


class XMLError(ConfigValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message, CONFIGURATION_ERROR)
        self.line = line


@dataclass
class Element:
    name: str               # local name, `-` mapped to `_`
    line: int
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def child(self, name: str) -> Element | None:
        for child in self.children:
            if child.name == name:
                return child
        return None


def parse_xml(data: bytes) -> Element:
    """Parse into Elements with the line of each start tag; XMLError on
    malformed input."""
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[Element] = []
    root: list[Element] = []

    def start(name: str, attributes: Any) -> None:
        local = name.rsplit(" ", 1)[-1].replace("-", "_")
        element = Element(local, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise XMLError(f"invalid XML: {expat.errors.messages[error.code]}",
                       error.lineno) from None
    return root[0]


def ruby_integer(text: str) -> int | None:
    """Ruby `Integer(text)` for a String; None where Ruby raises."""
    match = re.fullmatch(
        r"\s*([-+]?)(0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[bB][01]+(?:_[01]+)*"
        r"|0[oO]?[0-7]+(?:_[0-7]+)*|0|[1-9][0-9]*(?:_[0-9]+)*)\s*", text)
    if match is None:
        return None
    sign, digits = match.groups()
    digits = digits.replace("_", "")
    if len(digits) > 1 and digits[0] == "0" and digits[1] in "0123456789":
        digits = "0o" + digits[1:]          # a leading 0 means octal, as in Ruby
    value = int(digits, 0)
    return -value if sign == "-" else value


def _unexpected(path: str, element: Element, suffix: str = "") -> XMLError:
    return XMLError(f"unexpected element: {path}/{element.name}{suffix}", element.line)


def _no_children(path: str, element: Element) -> None:
    if element.children:
        raise _unexpected(f"{path}/{element.name}", element.children[0])


class _Applier:
    def __init__(self, config: Configuration, path: str) -> None:
        self.config = config
        self.path = path

    def site(self, element: Element) -> Site:
        return Site(self.path, element.line)

    def section(self, element: Element) -> None:
        section = getattr(self.config, element.name)
        allowed = _SECTION_ITEMS[element.name]
        base = f"/configuration/{element.name}"
        for item in element.children:
            if item.name not in allowed:
                raise _unexpected(base, item)
            _no_children(base, item)
            key = f"{element.name}.{item.name}"
            value: Any = item.text
            # [deviation] converted by the item's kind (upstream passes raw text).
            if item.name in _BOOL_ITEMS:
                if item.text not in ("true", "false"):
                    raise XMLError(f'{key} should be one of ["true", "false"] '
                                   f'but was {_inspect(item.text)}', item.line)
                value = item.text == "true"
            elif item.name in _UINT_ITEMS:
                value = ruby_integer(item.text)
                if value is None:
                    value = item.text       # the setter reports the uint error
            self._set(section, item, value)

    def _set(self, section: Any, item: Element, value: Any) -> None:
        self._call(item, lambda: section.set(item.name, value, self.site(item)))

    def _call(self, element: Element, action: Callable[[], None]) -> None:
        try:
            action()
        except XMLError:
            raise
        except ConfigValueError as error:
            raise XMLError(error.message, element.line) from None

    def milters(self, element: Element) -> None:
        for milter in element.children:
            if milter.name != "milter":
                raise _unexpected("/configuration/milters", milter)
            self.milter(milter)

    def milter(self, element: Element) -> None:
        base = "/configuration/milters/milter"
        conditions: list[str] | None = None
        for child in element.children:
            if child.name == "applicable_conditions":
                conditions = []
                for condition in child.children:
                    if condition.name != "applicable_condition":
                        raise _unexpected(f"{base}/applicable_conditions", condition)
                    _no_children(f"{base}/applicable_conditions", condition)
                    conditions.append(condition.text)
            elif child.name not in MILTER_ELEMENTS:
                raise _unexpected(base, child, f": available elements: {_inspect_list(MILTER_ELEMENTS)}")
            else:
                _no_children(base, child)
        name = element.child("name")
        if name is None:
            raise XMLError("milter name is missing", element.line)
        config = self.config
        egg = config.begin_egg(name.text, self.site(element))

        def set_item(item: str, value: Any) -> None:
            child = element.child(item)
            assert child is not None
            self._call(child, lambda: config.set_egg(egg, item, value, self.site(child)))

        def text(item: str) -> str | None:
            child = element.child(item)
            return None if child is None else child.text

        spec = text("connection_spec")
        if spec:
            set_item("connection_spec", spec)
        # An absent list clears the conditions, as upstream.
        self._call(element.child("applicable_conditions") or element,
                   lambda: config.set_egg_conditions(egg, conditions or []))
        if text("enabled") is not None:
            set_item("enabled", text("enabled") == "true")
        if text("description") is not None:
            set_item("description", text("description"))
        if text("command") is not None:
            set_item("command", text("command"))
            options = text("command_options")
            if options is None:
                config.set_egg(egg, "command_options", None, None)
            else:
                set_item("command_options", options)
        if text("fallback_status") is not None:
            set_item("fallback_status", text("fallback_status"))
        if text("evaluation_mode") is not None:
            set_item("evaluation_mode", text("evaluation_mode") == "true")
        config.commit_egg(egg)

    def apply(self, root: Element) -> None:
        if root.name != "configuration":
            raise XMLError("root element must be <configuration>", root.line)
        for element in root.children:
            if element.name in _SECTION_ITEMS:
                self.section(element)
            elif element.name == "milters":
                self.milters(element)
            elif element.name in ("last_modified", "applicable_conditions"):
                # Written by to_xml (get-configuration); nothing to apply.
                continue
            else:
                raise _unexpected("/configuration", element)


def _inspect(text: str) -> str:
    from milter_manager.ruby.text import inspect_string
    return inspect_string(text)


def _inspect_list(items: list[str]) -> str:
    return "[" + ", ".join(_inspect(item) for item in items) + "]"


def is_xml_file(path: str) -> bool:
    """§15: the first line starts, after optional whitespace, with `<`."""
    with open(path, "rb") as stream:
        first = stream.readline()
    return first.lstrip().startswith(b"<")


def load_custom_xml(config: Configuration, path: str,
                    warn: Callable[[str], None]) -> bool:
    """Apply PATH to CONFIG. False (and a warning) when it is not XML."""
    if not is_xml_file(path):
        # [deviation] upstream ignores it silently.
        warn(f"[configuration][custom][ignore] <{path}>: not an XML file")
        return False
    with open(path, "rb") as stream:
        data = stream.read()
    try:
        _Applier(config, path).apply(parse_xml(data))
    except XMLError as error:
        error.site = Site(path, error.line)  # type: ignore[attr-defined]
        raise
    config.custom_configuration_file = path
    return True


# --- to_xml (§15.1) ------------------------------------------------------------

def markup_escape(text: str) -> str:
    """GLib `g_markup_escape_text`."""
    out = []
    for char in text:
        code = ord(char)
        if char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char == ">":
            out.append("&gt;")
        elif char == '"':
            out.append("&quot;")
        elif char == "'":
            out.append("&apos;")
        elif ((0x1 <= code <= 0x8) or code in (0xB, 0xC) or (0xE <= code <= 0x1F)
              or (0x7F <= code <= 0x84) or (0x86 <= code <= 0x9F)):
            out.append(f"&#x{code:x};")
        else:
            out.append(char)
    return "".join(out)


def _egg_xml(egg: Egg, lines: list[str]) -> None:
    def element(indent: str, name: str, value: str) -> None:
        lines.append(f"{indent}<{name}>{markup_escape(value)}</{name}>")

    lines.append("    <milter>")
    element("      ", "name", egg.name)
    if egg.description is not None:
        element("      ", "description", egg.description)
    element("      ", "enabled", "true" if egg.enabled else "false")
    element("      ", "fallback-status", egg.fallback_status)
    element("      ", "evaluation-mode", "true" if egg.evaluation_mode else "false")
    for name, value in (("connection-spec", egg.connection_spec), ("command", egg.command),
                        ("command-options", egg.command_options)):
        if value is not None:
            element("      ", name, value)
    if egg.applicable_conditions:
        lines.append("      <applicable-conditions>")
        for condition in egg.applicable_conditions:
            element("        ", "applicable-condition", condition.name)
        lines.append("      </applicable-conditions>")
    lines.append("    </milter>")


def to_xml(config: Configuration) -> str:
    lines = ["<configuration>"]
    custom = config.custom_configuration_file
    if custom is not None and os.path.exists(custom):
        lines.append(f"  <last-modified>{int(os.stat(custom).st_mtime)}</last-modified>")
    if config.applicable_conditions:
        lines.append("  <applicable-conditions>")
        for condition in config.applicable_conditions:
            lines.append("    <applicable-condition>")
            lines.append(f"      <name>{markup_escape(condition.name)}</name>")
            if condition.description is not None:
                lines.append("      <description>"
                             f"{markup_escape(condition.description)}</description>")
            lines.append("    </applicable-condition>")
        lines.append("  </applicable-conditions>")
    if config.eggs:
        lines.append("  <milters>")
        for egg in config.eggs:
            _egg_xml(egg, lines)
        lines.append("  </milters>")
    lines.append("</configuration>")
    return "\n".join(lines) + "\n"
