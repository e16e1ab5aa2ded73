"""Command-line reading with Ruby `OptionParser` conventions.

Upstream's Ruby tools (`milter-performance-check`, `milter-report-statistics`,
`milter-manager-log-analyzer`) parse their options with Ruby's `OptionParser`,
and admins' scripts rely on its habits (tools.md §3.1): `--opt=VALUE` or
`--opt VALUE` for a required value, an optional value only after `=`
(`--flood=10m`; `--flood 10m` leaves `10m` as an argument), `--[no-]x`
booleans, any unique prefix of a long option, options and arguments in any
order (Ruby's "permute" mode), `--` ending the options. The error texts are
OptionParser's: `invalid option: --foo`, `missing argument: --smtp-port`,
`invalid argument: --n-mails=abc`, `ambiguous option: --re`,
`needless argument: --shuffle=yes`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


class OptionError(Exception):
    """A bad command line; the message is OptionParser's text."""


#: Converts the text of a value; raises ValueError for an invalid argument.
Converter = Callable[[str], Any]

REQUIRED = "required"
OPTIONAL = "optional"
NONE = "none"


@dataclass
class Option:
    """One option: its long name (without `--`), how it takes a value, and
    `apply(value)` that stores it (value is True/False for switches)."""

    name: str
    argument: str
    apply: Callable[[Any], None]
    convert: Converter = str
    short: str | None = None
    negatable: bool = False
    metavar: str = ""
    help: str = ""

    def usage(self) -> str:
        names = []
        if self.short:
            names.append(f"-{self.short}")
        long = f"--[no-]{self.name}" if self.negatable else f"--{self.name}"
        if self.argument == REQUIRED:
            long += f"={self.metavar or 'VALUE'}"
        elif self.argument == OPTIONAL:
            long += f"[={self.metavar or 'VALUE'}]"
        names.append(long)
        return ", ".join(names)


@dataclass
class OptionParser:
    """A list of options; `parse(argv)` applies them and returns the arguments."""

    banner: str
    options: list[Option] = field(default_factory=list)

    def add(self, name: str, apply: Callable[[Any], None], *, argument: str = NONE,
            convert: Converter = str, short: str | None = None, negatable: bool = False,
            metavar: str = "", help: str = "") -> None:
        self.options.append(Option(name, argument, apply, convert, short, negatable,
                                   metavar, help))

    def help_text(self) -> str:
        lines = [self.banner]
        for option in self.options:
            usage = option.usage()
            if len(usage) > 34:
                lines.append(f"    {usage}")
                if option.help:
                    lines.append(f"{'':38} {option.help}")
            else:
                lines.append(f"    {usage:34} {option.help}".rstrip())
        return "\n".join(lines) + "\n"

    # -- parsing -------------------------------------------------------------

    def parse(self, argv: Sequence[str]) -> list[str]:
        arguments: list[str] = []
        queue = list(argv)
        while queue:
            arg = queue.pop(0)
            if arg == "--":
                arguments.extend(queue)
                break
            if arg.startswith("--"):
                self._parse_long(arg, queue)
            elif arg.startswith("-") and arg != "-":
                self._parse_short(arg, queue)
            else:
                arguments.append(arg)
        return arguments

    def _parse_long(self, arg: str, queue: list[str]) -> None:
        text, equal, value = arg[2:].partition("=")
        option, negated = self._find(text, arg.partition("=")[0])
        if option.argument == NONE:
            if equal:
                raise OptionError(f"needless argument: --{text}={value}")
            option.apply(not negated)
            return
        if negated:
            raise OptionError(f"invalid option: {arg}")
        if option.argument == OPTIONAL:
            self._apply(option, f"--{option.name}", value if equal else None, "=")
            return
        if equal:
            self._apply(option, f"--{option.name}", value, "=")
            return
        if not queue:
            raise OptionError(f"missing argument: --{option.name}")
        self._apply(option, f"--{option.name}", queue.pop(0), " ")

    def _parse_short(self, arg: str, queue: list[str]) -> None:
        letter, rest = arg[1], arg[2:]
        for option in self.options:
            if option.short == letter:
                break
        else:
            raise OptionError(f"invalid option: {arg}")
        if option.argument == NONE:
            if rest:
                # Ruby reads `-hx` as `-h -x`; none of our tools needs that.
                raise OptionError(f"invalid option: {arg}")
            option.apply(True)
            return
        if rest:
            self._apply(option, f"-{letter}", rest, "")
        elif option.argument == REQUIRED:
            if not queue:
                raise OptionError(f"missing argument: -{letter}")
            self._apply(option, f"-{letter}", queue.pop(0), " ")
        else:
            self._apply(option, f"-{letter}", None, "")

    @staticmethod
    def _apply(option: Option, shown: str, value: str | None, separator: str) -> None:
        if value is None:
            option.apply(None)
            return
        try:
            converted = option.convert(value)
        except ValueError:
            raise OptionError(f"invalid argument: {shown}{separator}{value}") from None
        option.apply(converted)

    def _find(self, text: str, shown: str) -> tuple[Option, bool]:
        """The option named `text` (exact, or a unique prefix; `no-` negates)."""
        candidates: list[tuple[Option, bool]] = []
        for option in self.options:
            if option.name == text:
                return option, False
            if option.negatable and text == f"no-{option.name}":
                return option, True
        for option in self.options:
            if option.name.startswith(text):
                candidates.append((option, False))
            elif option.negatable and text.startswith("no-") \
                    and option.name.startswith(text[3:]):
                candidates.append((option, True))
        if len(candidates) == 1:
            return candidates[0]
        if not candidates or not text:
            raise OptionError(f"invalid option: {shown}")
        raise OptionError(f"ambiguous option: {shown}")


def integer(text: str) -> int:
    """Ruby OptionParser's Integer: decimal digits with an optional sign (and
    `_` between digits)."""
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.replace("_", "").isdigit() or body.startswith("_") \
            or body.endswith("_") or "__" in body:
        raise ValueError(text)
    return int(text.replace("_", ""))


def number(text: str) -> float:
    """A float (`1`, `0.5`, `1e3`)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value
