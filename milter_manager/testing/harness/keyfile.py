"""A reader for GLib key files, the format of the scenario corpus (scenarios.md §3).

`configparser` is no substitute: it treats `;` as a comment, interpolates `%`,
lower-cases keys and rejects duplicates, and knows neither GLib's escapes nor
its list rules. The rules here are the ones §3 states (checked against GLib):

    keys = KeyFile.parse(text)
    keys.get_string_list("scenario", "clients")   # ["client10026", "client10027"]
"""

from __future__ import annotations

from pathlib import Path

# scenarios.md §3.2: the only escapes a string value may hold.
_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


class KeyFileError(ValueError):
    """The file or a value breaks the key-file rules; the scenario cannot be loaded."""


class KeyFile:
    """Groups of `key=value` pairs, in file order; values are kept raw until read."""

    def __init__(self) -> None:
        self._groups: dict[str, dict[str, str]] = {}
        self.source = "<string>"

    # --- parsing (§3.1) -----------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> KeyFile:
        data = Path(path).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise KeyFileError(f"{path}: not UTF-8: {error}") from None
        keys = cls.parse(text, str(path))
        return keys

    @classmethod
    def parse(cls, text: str, source: str = "<string>") -> KeyFile:
        keys = cls()
        keys.source = source
        group: dict[str, str] | None = None
        for number, line in enumerate(text.split("\n"), 1):
            line = line.removesuffix("\r")  # GLib drops the CR of a CRLF line end
            stripped = line.lstrip()
            if not stripped or stripped.startswith("#"):
                continue  # blank line or comment; there are no inline comments
            if stripped.startswith("["):
                end = stripped.rfind("]")
                name = stripped[1:end] if end > 0 else ""
                if not name or stripped[end + 1:].strip():
                    raise KeyFileError(f"{source}:{number}: invalid group line: {line!r}")
                # A group that appears twice is one group: later keys add to it.
                group = keys._groups.setdefault(name, {})
                continue
            key, equal, value = stripped.partition("=")
            key = key.strip()
            if not equal or not key:
                raise KeyFileError(f"{source}:{number}: not a key=value line: {line!r}")
            if group is None:
                raise KeyFileError(f"{source}:{number}: key outside any group: {key!r}")
            # Leading whitespace of the value goes, trailing whitespace stays;
            # a repeated key: the last value wins.
            group[key] = value.lstrip()
        return keys

    # --- structure ----------------------------------------------------------------

    def groups(self) -> list[str]:
        return list(self._groups)

    def has_group(self, group: str) -> bool:
        return group in self._groups

    def has_key(self, group: str, key: str) -> bool:
        return key in self._groups.get(group, {})

    def keys(self, group: str) -> list[str]:
        return list(self._groups.get(group, {}))

    def raw(self, group: str, key: str) -> str:
        try:
            return self._groups[group][key]
        except KeyError:
            if group not in self._groups:
                raise KeyFileError(f"{self.source}: no group [{group}]") from None
            raise KeyFileError(f"{self.source}: [{group}] has no key {key!r}") from None

    def set_raw(self, group: str, key: str, value: str) -> None:
        self._groups.setdefault(group, {})[key] = value

    # --- typed getters (§3.2) -----------------------------------------------------

    def get_string(self, group: str, key: str) -> str:
        return self._unescape(self.raw(group, key), group, key, in_list=False)

    def get_locale_string(self, group: str, key: str, locale: str) -> str:
        """`key[locale]` if present, else the plain `key` (§3.2)."""
        localized = f"{key}[{locale}]"
        if self.has_key(group, localized):
            return self.get_string(group, localized)
        return self.get_string(group, key)

    def get_string_list(self, group: str, key: str) -> list[str]:
        raw = self.raw(group, key)
        return [self._unescape(item, group, key, in_list=True)
                for item in split_list(raw, f"{self.source}: [{group}] {key}")]

    def get_integer(self, group: str, key: str) -> int:
        return parse_integer(self.raw(group, key), f"{self.source}: [{group}] {key}")

    def get_boolean(self, group: str, key: str) -> bool:
        return parse_boolean(self.raw(group, key), f"{self.source}: [{group}] {key}")

    def _unescape(self, raw: str, group: str, key: str, *, in_list: bool) -> str:
        return unescape(raw, f"{self.source}: [{group}] {key}", in_list=in_list)


def unescape(raw: str, where: str = "value", *, in_list: bool = False) -> str:
    """Decode `\\s \\n \\t \\r \\\\` (and `\\;` inside a list item); anything else is an error."""
    if "\\" not in raw:
        return raw
    out = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        if i + 1 >= len(raw):
            raise KeyFileError(f"{where}: value ends with a lone backslash: {raw!r}")
        escaped = raw[i + 1]
        if escaped in _ESCAPES:
            out.append(_ESCAPES[escaped])
        elif escaped == ";" and in_list:
            out.append(";")
        else:
            raise KeyFileError(f"{where}: invalid escape \\{escaped} in {raw!r}")
        i += 2
    return "".join(out)


def split_list(raw: str, where: str = "value") -> list[str]:
    """Split at every unescaped `;`; a final `;` ends the last item (§3.2).

    Items are returned still escaped (a backslash protects the character after
    it from being a separator); `unescape(..., in_list=True)` decodes them.
    """
    items: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "\\":
            if i + 1 >= len(raw):
                raise KeyFileError(f"{where}: value ends with a lone backslash: {raw!r}")
            current.append(raw[i:i + 2])
            i += 2
            continue
        if char == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    if current:
        items.append("".join(current))
    return items


def parse_integer(raw: str, where: str = "value") -> int:
    """Optional surrounding whitespace, decimal digits with an optional sign (§3.2)."""
    text = raw.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise KeyFileError(f"{where}: not an integer: {raw!r}")
    return int(text)


def parse_boolean(raw: str, where: str = "value") -> bool:
    """`true`, `false`, `1`, `0`, trailing whitespace allowed; `True` is an error (§3.2)."""
    text = raw.rstrip()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise KeyFileError(f"{where}: not a boolean: {raw!r}")
