"""The syntax error of the Ruby subset (`ruby-subset.md` §2.6, §11).

Kept in its own small module so that the lexer and the parser can raise it
without importing the interpreter's object model; `parser.py` re-exports it.
"""

from __future__ import annotations


class RubySyntaxError(Exception):
    """A syntax error: ``str(e) == f"{filename}:{line}:{column}: {message}"``
    (`config.md` §14.2). `line` and `column` are 1-based, the column counted in
    characters; `source_line` is the offending line without its newline."""

    def __init__(self, message: str, filename: str, line: int, column: int,
                 source_line: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.line = line
        self.column = column
        self.source_line = source_line

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}: {self.message}"

    def format_with_caret(self) -> str:
        """The three lines the command-line runner prints (`ruby-subset.md`
        §11): the message line, the source line as in the file and COLUMN - 1
        spaces followed by ``^``. No trailing newline."""
        return f"{self}\n{self.source_line}\n{' ' * (self.column - 1)}^"
