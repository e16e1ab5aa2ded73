"""Log level expressions (config.md §8.1, cli.md §13.1).

A level is an int of flag bits; 0 means "default" (behaves as DEFAULT_LEVEL).
"""

from __future__ import annotations

FLAGS = (
    ("none", 1), ("critical", 2), ("error", 4), ("warning", 8),
    ("message", 16), ("info", 32), ("debug", 64), ("trace", 128),
    ("statistics", 256), ("profile", 512),
)
BITS = dict(FLAGS)
NONE = 1
CRITICAL = 2
ERROR = 4
WARNING = 8
MESSAGE = 16
INFO = 32
DEBUG = 64
TRACE = 128
STATISTICS = 256
PROFILE = 512
DEFAULT_LEVEL = CRITICAL | ERROR | WARNING | MESSAGE | STATISTICS
ALL = 1022                 # every bit except `none` (the expression "all")
ALL_BITS = 1023            # the name `all` inside a list adds all ten bits


class LogLevelError(ValueError):
    """Unknown flag names; str() is the message of config.md §8.1 step 6."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        joined = "|".join(f"<{name}>" for name in names)
        super().__init__(f"unknown flag names: [{joined}](<MilterLogLevelFlags>)")


def is_default_expression(text: str | None) -> bool:
    """True for the values that mean "default" and reset the location."""
    return text is None or text in ("", "default")


def parse_level(text: str | None, current: int = 0) -> int:
    """Evaluate a level expression against the current value (§8.1)."""
    if is_default_expression(text):
        return 0
    assert text is not None
    if text == "all":
        return ALL
    rest = text
    adding = True
    if text[0] in "+-":
        if current == 0:
            current = DEFAULT_LEVEL
        adding = text[0] == "+"
        result = current
        rest = text[1:]
    else:
        result = 0
    unknown: list[str] = []
    for part in rest.split("|"):
        add = adding
        name = part
        if name[:1] in ("+", "-"):
            add = name[0] == "+"
            name = name[1:]
        if name == "":
            continue
        if name == "all":
            result = result | ALL_BITS if add else 0
            continue
        if name == "default":
            bits = DEFAULT_LEVEL
        elif name in BITS:
            bits = BITS[name]
        else:
            unknown.append(name)
            continue
        result = result | bits if add else result & ~bits
    if unknown:
        raise LogLevelError(unknown)
    return result


def format_level(level: int) -> str:
    """The level as `--show-config` prints it (show-config.md §3.3)."""
    if level == 0:
        return "default"
    return "|".join(name for name, bit in FLAGS if level & bit)


def effective_level(level: int) -> int:
    """The bits in effect: 0 behaves as DEFAULT_LEVEL."""
    return level or DEFAULT_LEVEL
