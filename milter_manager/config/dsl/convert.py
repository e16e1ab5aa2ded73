"""Ruby values ↔ the model's plain values (values.py), and small helpers
shared by the DSL natives."""

from __future__ import annotations

import os
import sys
from typing import Any

from milter_manager.config.locations import Site
from milter_manager.config.values import Opaque, StatusValue, Symbol
from milter_manager.ruby.objects import RArray, RHash, RObject, RString, RSymbol


def inspect(interp: Any, value: Any) -> str:
    return interp.inspect(interp.host_frame(), value)


def to_s(interp: Any, value: Any) -> str:
    return interp.to_s(interp.host_frame(), value)


def to_plain(interp: Any, value: Any) -> Any:
    """A Ruby value as a plain value; objects the model does not know become
    `Opaque` carrying their `inspect` (for error messages)."""
    if value is None or value is True or value is False:
        return value
    kind = type(value)
    if kind is int or kind is float:
        return value
    if isinstance(value, RString):
        return value.s
    if isinstance(value, RSymbol):
        return Symbol(value.name)
    if isinstance(value, RArray):
        return [to_plain(interp, item) for item in value]
    if isinstance(value, RObject):
        payload = value.payload
        if isinstance(payload, StatusValue):
            return payload
        model = getattr(payload, "model_value", None)
        if model is not None:
            return model
    return Opaque(inspect(interp, value))


def to_ruby(value: Any) -> Any:
    """A model value (None, bool, int, float, str) for Ruby (a new String)."""
    if isinstance(value, str):
        return RString(value)
    return value


def is_string(value: Any) -> bool:
    return isinstance(value, RString)


def to_hash_of_strings(interp: Any, value: RHash) -> list[tuple[str, str]]:
    return [(to_s(interp, k), to_s(interp, v)) for k, v in value.items()]


def site(interp: Any) -> Site:
    """The call site of the DSL method being run (config.md §12)."""
    file, line = interp.current_location()
    return Site(file, line)


def library_site(depth: int = 1) -> Site:
    """A site in the port's own library: the Python caller's file and line
    (config.md §12: locations of values set by library code)."""
    frame = sys._getframe(depth)
    return Site(os.path.abspath(frame.f_code.co_filename), frame.f_lineno)
