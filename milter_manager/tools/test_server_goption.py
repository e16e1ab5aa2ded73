"""GLib-style (GOption) command-line parsing for the protocol tools.

`milter-test-server` and `milter-test-client` parse their options the way
upstream's GOption does (tools.md §1.1, §2.1; the rules of cli.md §1 and
§1.4), which argparse cannot give exactly: repeatable options accumulate in
command-line order, an option with an optional value takes the next argument
unless it starts with `-` (`--color no`), a required value is the next
argument whatever it is, `-h` can be an ordinary option, and an unknown
option is reported alone as `Unknown option ARG`.

Each option's handler runs when the option is reached, so values are
checked left to right and the first invalid one stops parsing.
"""

from __future__ import annotations

import locale
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from milter_manager.cli.options import EarlyExit, OptionError, strtol

__all__ = ["NONE", "OPTIONAL", "REQUIRED", "EarlyExit", "Option", "OptionError",
           "help_block", "parse", "usage_ellipsis"]

NONE = "none"            # a flag
REQUIRED = "required"    # --name=VALUE, --name VALUE, -xVALUE, -x VALUE
OPTIONAL = "optional"    # --name[=VALUE]; a next argument not starting with `-` is taken

#: `handler(option_as_typed, value)`; value is None for flags and absent optional values.
Handler = Callable[[str, str | None], None]


@dataclass(frozen=True)
class Option:
    long: str | None                # without the leading `--`; None: a short option only
    short: str | None
    arg: str
    handler: Handler
    aliases: tuple[str, ...] = ()   # hidden long names (`--from` for `--envelope-from`)


def parse(argv: list[str], options: list[Option]) -> list[str]:
    """Run every option's handler in command-line order; return the non-option arguments.

    Raises OptionError (`Unknown option ARG`, `Missing argument for OPT`, or a
    handler's message) and lets a handler's EarlyExit through.
    """
    by_long: dict[str, Option] = {}
    by_short: dict[str, Option] = {}
    for option in options:
        for name in (option.long, *option.aliases):
            if name is not None:
                by_long[name] = option
        if option.short:
            by_short[option.short] = option
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg.startswith("--"):
            i = _long(arg, argv, i, by_long)
        elif arg.startswith("-") and arg != "-":
            i = _short(arg, argv, i, by_short)
        else:
            rest.append(arg)
    return rest


def _long(arg: str, argv: list[str], i: int, by_long: dict[str, Option]) -> int:
    name, equal, value = arg[2:].partition("=")
    option = by_long.get(name)
    if option is None or (equal and option.arg == NONE):
        # GOption matches a flag only without `=`: `--verbose=x` is unknown.
        raise OptionError(f"Unknown option {arg}")
    typed = "--" + name
    if option.arg == NONE:
        option.handler(typed, None)
    elif equal:
        option.handler(typed, value)
    elif option.arg == REQUIRED:
        if i >= len(argv):
            raise OptionError(f"Missing argument for {typed}")
        option.handler(typed, argv[i])
        i += 1
    elif i < len(argv) and not argv[i].startswith("-"):
        option.handler(typed, argv[i])   # GOption: `--color no`
        i += 1
    else:
        option.handler(typed, None)
    return i


def _short(arg: str, argv: list[str], i: int, by_short: dict[str, Option]) -> int:
    # A cluster of flags (`-v`); an option with a value takes the rest of the
    # cluster (`-sVALUE`, cli.md §1) or else the next argument.
    position = 1
    while position < len(arg):
        letter = arg[position]
        position += 1
        option = by_short.get(letter)
        if option is None:
            raise OptionError(f"Unknown option {arg}")
        typed = "-" + letter
        if option.arg == NONE:
            option.handler(typed, None)
            continue
        if position < len(arg):
            option.handler(typed, arg[position:])
        elif option.arg == REQUIRED:
            if i >= len(argv):
                raise OptionError(f"Missing argument for {typed}")
            option.handler(typed, argv[i])
            i += 1
        else:
            option.handler(typed, None)
        break
    return i


def usage_ellipsis() -> str:
    """cli.md §2.1: `…` when the locale's encoding is UTF-8, else `...`."""
    encoding = (locale.getlocale()[1] or locale.getpreferredencoding(False) or "").lower()
    return "…" if encoding.replace("-", "").replace("_", "") == "utf8" else "..."


def help_block(title: str, entries: list[tuple[str, str]]) -> list[str]:
    """One help block: descriptions from column 50 (cli.md §2.1), then an empty line."""
    lines = [title]
    for text, description in entries:
        lines.append(f"  {text}".ljust(49) + description)
    lines.append("")
    return lines


def parse_c_int(option: str, value: str) -> int:
    """GOption's integer argument: C `strtol(…, 0)` over the whole value, within `int`."""
    number, end = strtol(value)
    if not value or number is None or end != len(value):
        raise OptionError(f"Cannot parse integer value “{value}” for {option}")
    if not -2**31 <= number < 2**31:
        raise OptionError(f"Integer value “{value}” for {option} out of range")
    return number


def parse_c_double(option: str, value: str) -> float:
    """GOption's double argument: C `strtod` over the whole value (decimal forms)."""
    text = value.lstrip(" \t\n\v\f\r")  # strtod skips leading white space only
    if not re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", text):
        raise OptionError(f"Cannot parse double value “{value}” for {option}")
    number = float(text)
    if math.isinf(number):
        raise OptionError(f"Double value “{value}” for {option} out of range")
    return number
