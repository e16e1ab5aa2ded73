"""Errors of the configuration layer (config.md §14).

Two levels:

* `ConfigValueError` is raised by the object model when a setter rejects a
  value (InvalidValue, NonexistentPath, MissingValue and the plain
  configuration errors). It carries only the message; the DSL turns it into a
  Ruby exception of the matching class so that interpreted code may `rescue`
  it, and the load cycle adds `FILE:LINE:` from the call site.
* `ConfigurationError` is what a failed load cycle raises: `str(error)` is the
  one-line error of config.md §14.2. Nothing of a failed cycle is applied.
"""

from __future__ import annotations

# Ruby class names of the configuration errors (ruby-subset.md §9.13). Errors
# of these classes carry no ` (CLASS)` suffix in the error line (§14.2).
INVALID_VALUE = "InvalidValue"
NONEXISTENT_PATH = "NonexistentPath"
MISSING_VALUE = "MissingValue"
# Port-only class for the remaining suffix-less errors of §14.3 ("recursive
# load", "failed to set log output path", XML errors, ...).
CONFIGURATION_ERROR = "Error"

SUFFIXLESS = (INVALID_VALUE, NONEXISTENT_PATH, MISSING_VALUE, CONFIGURATION_ERROR)


class ConfigValueError(Exception):
    """A value, path or state the configuration refuses (config.md §14.3)."""

    def __init__(self, message: str, kind: str = INVALID_VALUE) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


class ConfigurationError(Exception):
    """A load cycle failed. `str()` is the error line (config.md §14.2)."""

    def __init__(self, message: str, file: str | None = None,
                 line: int | None = None, column: int | None = None,
                 ruby_class: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.ruby_class = ruby_class
        super().__init__(self.error_line)

    @property
    def error_line(self) -> str:
        text = self.message
        if self.ruby_class:
            text = f"{text} ({self.ruby_class})"
        if self.file is None:
            return text
        if self.column is not None:
            return f"{self.file}:{self.line}:{self.column}: {text}"
        return f"{self.file}:{self.line}: {text}"

    def __str__(self) -> str:
        return self.error_line
