"""The one exception type for bad input.

Every edge (CLI, TUI, batch) turns an :class:`InputError` into a single clear message:
the CLI prints it and exits 2, the TUI shows it inline, batch lists it in the summary.
Carrying the file and the field path as data (not baked into a string) lets each edge
format it for its own medium.
"""

from __future__ import annotations


class InputError(Exception):
    """Invalid user input: bad JSON, a schema violation, an unknown id or model, an unreadable file."""

    def __init__(self, message: str, *, file: str | None = None, path: str | None = None,
                 expected: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.path = path
        self.expected = expected

    def with_file(self, file: str) -> InputError:
        """Return a copy naming ``file`` (the core does not know where input came from)."""
        return InputError(self.message, file=file, path=self.path, expected=self.expected)

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.path) if p)
        text = f"{where}: {self.message}" if where else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class RulePackError(Exception):
    """A rule pack or questionnaire in ``rules/`` is malformed (a packaging bug, not user input)."""
