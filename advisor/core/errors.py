"""The one exception type for bad input.

Every edge (CLI, TUI, batch) turns an :class:`InputError` into a single clear message:
the CLI prints it and exits 2, the TUI shows it inline, batch lists it in the summary.
Carrying the file and the field path as data (not baked into a string) lets each edge
format it for its own medium.
"""

from __future__ import annotations


class InputError(Exception):
    """Invalid input: bad JSON, a schema violation, an unknown id or model, an unreadable file."""

    def __init__(self, message: str, *, file: str | None = None, path: str | None = None,
                 expected: str | None = None, more: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.path = path
        self.expected = expected
        self.more = more  # further problems found in the same input, not shown

    def with_file(self, file: str) -> InputError:
        """Return a copy naming ``file`` (the core does not know where input came from).

        An error that already names its file keeps it: a bad ``prices.toml`` met while
        assessing an answers file is still the price file's error."""
        return InputError(self.message, file=self.file or file, path=self.path,
                          expected=self.expected, more=self.more)

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.path) if p)
        text = f"{where}: {self.message}" if where else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        if self.more:
            text += f"; {self.more} more problem{'s' if self.more > 1 else ''} in this input"
        return text


class RulePackError(Exception):
    """A rule pack or questionnaire in ``rules/`` is malformed (a packaging bug, not user input)."""
