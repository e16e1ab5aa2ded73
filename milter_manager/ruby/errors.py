"""The bridge between Ruby exceptions and Python (`ruby-subset.md` §3.5).

`RubyError` is the one Python exception type that carries a Ruby exception
out of the interpreter (and through native methods). The other classes here
are the interpreter's internal control flow (`break`, `next`, `return`,
`throw`, `retry`, thread kill); they derive from BaseException so that
neither `rescue Exception` nor a native's ``except Exception`` sees them.
"""

from __future__ import annotations

from typing import Any

from .objects import RException, RString


class RubyError(Exception):
    """A Ruby exception in flight. `exc` is the Ruby exception object.

    For the host: `class_name` ("NoMethodError", "IPAddr::InvalidAddressError"),
    `message` (str), `backtrace` (list of "FILE:LINE:in 'LABEL'", innermost
    first), `internal` (True when it stands for a bug in the interpreter,
    reported as ``internal error: DETAIL``)."""

    internal = False

    def __init__(self, exc: RException) -> None:
        super().__init__()
        self.exc = exc

    @property
    def class_name(self) -> str:
        cls = self.exc.cls
        while cls is not None and cls.is_singleton:
            cls = cls.superclass
        return cls.name if cls is not None and cls.name else "Exception"

    @property
    def message(self) -> str:
        msg = self.exc.msg
        if msg is None:
            return self.class_name
        if isinstance(msg, RString):
            return msg.s
        return str(msg)

    @property
    def backtrace(self) -> list[str]:
        return list(self.exc.bt or [])

    @property
    def location(self) -> tuple[str, int] | None:
        """(FILE, LINE) of the innermost frame, for `FILE:LINE: MESSAGE`."""
        for entry in self.exc.bt or []:
            file, _, rest = entry.partition(":")
            line = rest.split(":", 1)[0]
            if line.isdigit():
                # A path may itself contain ":"; split at the last ":LINE:in".
                head, sep, _tail = entry.rpartition(":in ")
                if sep:
                    file, _, line = head.rpartition(":")
                return file, int(line)
        return None

    def __str__(self) -> str:
        return f"{self.message} ({self.class_name})"


class ControlFlow(BaseException):
    """Base of the interpreter's non-exception control transfers."""


class BreakSignal(ControlFlow):
    """`break` out of a block: ends the call that received the block `tag`."""

    def __init__(self, tag: Any, value: Any) -> None:
        self.tag = tag
        self.value = value


class NextSignal(ControlFlow):
    """`next` in a block (not in tail position): ends that block call."""

    def __init__(self, value: Any) -> None:
        self.value = value


class ReturnSignal(ControlFlow):
    """`return` that is not in tail position: ends frame `target`."""

    def __init__(self, target: Any, value: Any) -> None:
        self.target = target
        self.value = value


class LoopBreak(ControlFlow):
    def __init__(self, value: Any) -> None:
        self.value = value


class LoopNext(ControlFlow):
    def __init__(self, value: Any) -> None:
        self.value = value


class RetrySignal(ControlFlow):
    pass


class ThrowSignal(ControlFlow):
    def __init__(self, tag: Any, value: Any) -> None:
        self.tag = tag
        self.value = value


class ThreadKilled(ControlFlow):
    """`Thread#kill`: unwinds the killed thread, running `ensure` only."""


class StopLoad(ControlFlow):
    """`return` at the top level of a file: ends that file's evaluation."""

    def __init__(self, value: Any) -> None:
        self.value = value
