"""Value conversion rules shared by every setter (config.md §7).

The object model works on *plain* values, which the DSL layer produces from
Ruby objects: None (nil), bool, int, float, str (a copy of a Ruby String),
`Symbol`, list, dict, `StatusValue` (a `Milter::Status`) and `Opaque` (any
other Ruby object, carrying its `inspect` text for error messages). Keeping
the interpreter out of this module lets the model be built and tested from
Python (the golden runner, hypothesis round trips).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from milter_manager.config.errors import ConfigValueError

UINT_MAX = 4294967295


@dataclass(frozen=True)
class Symbol:
    """A Ruby Symbol."""
    name: str


@dataclass(frozen=True)
class StatusValue:
    """A `Milter::Status` object (ruby-subset.md §9.2)."""
    nick: str


@dataclass(frozen=True)
class Opaque:
    """Any other Ruby object; only its `inspect` text matters here."""
    inspect: str


# ruby-subset.md §9.2, in this order (the fallback_status_at_disconnect list).
STATUS_NICKS = (
    "default", "not-change", "continue", "reject", "discard", "accept",
    "temporary-failure", "no-reply", "skip", "all-options", "progress",
    "abort", "quarantine", "stop", "error",
)
FALLBACK_STATUSES = ("accept", "reject", "temporary-failure", "discard")
EVENT_LOOP_BACKENDS = ("default", "glib", "libev")


# --- Ruby `inspect` of plain values (ruby-subset.md §7.1) ----------------------

def rinspect(value: Any) -> str:
    """Ruby `inspect` of a plain value."""
    from milter_manager.ruby.text import float_to_s, inspect_string, inspect_symbol
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_to_s(value)
    if isinstance(value, str):
        return inspect_string(value)
    if isinstance(value, Symbol):
        return inspect_symbol(value.name)
    if isinstance(value, StatusValue):
        return f"#<Milter::Status {value.nick}>"
    if isinstance(value, Opaque):
        return value.inspect
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(rinspect(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{rinspect(k)}=>{rinspect(v)}"
                               for k, v in value.items()) + "}"
    inspect = getattr(value, "ruby_inspect", None)
    if inspect is not None:
        return inspect()
    return f"#<{type(value).__name__}>"


def truthy(value: Any) -> bool:
    """Ruby truthiness: only nil and false are false."""
    return value is not None and value is not False


# --- conversions (config.md §7) -----------------------------------------------

def to_bool(key: str, value: Any) -> bool:
    # Kept on purpose: configs are Ruby, so "false" and 0 are true (§7).
    return truthy(value)


def to_string(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Symbol):
        return value.name
    raise ConfigValueError(f"{key} should be a String or nil but was {rinspect(value)}")


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def to_uint(key: str, value: Any, minimum: int = 0, maximum: int = UINT_MAX) -> int:
    # [deviation] upstream wraps negatives and ignores out-of-range values with
    # a GLib warning; the port reports them (config.md §7).
    number: int | None = None
    if _is_integer(value):
        number = value
    elif isinstance(value, float) and math.isfinite(value):
        number = math.trunc(value)
    if number is None or not minimum <= number <= maximum:
        raise ConfigValueError(
            f"{key} should be an Integer in {minimum}..{maximum} but was {rinspect(value)}")
    return number


def to_seconds(key: str, value: Any) -> float:
    if (_is_integer(value) or isinstance(value, float)) and value >= 0:
        try:
            seconds = float(value)
        except OverflowError:
            seconds = math.inf
        if math.isfinite(seconds):
            return seconds
    raise ConfigValueError(f"{key} should be a non-negative number but was {rinspect(value)}")


def normalize_status(value: Any) -> str | None:
    """The nick a status value stands for (§7), or None if it is no status."""
    if isinstance(value, StatusValue):
        return value.nick
    if isinstance(value, Symbol):
        value = value.name
    if isinstance(value, str):
        return value.lower().replace("_", "-")
    return None


def to_status(target: str, value: Any, allowed: Sequence[str]) -> str:
    nick = normalize_status(value)
    if nick is None or nick not in allowed:
        raise invalid_choice(target, list(allowed), value)
    return nick


def invalid_choice(target: str, available: Any, actual: Any) -> ConfigValueError:
    return ConfigValueError(
        f"{target} should be one of {rinspect(available)} but was {rinspect(actual)}")
