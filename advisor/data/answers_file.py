"""Answers files read from disk or standard input, validated against the installed rules.

The core's validators take the questionnaire as an argument; these wrappers supply the one in
``rules/`` so the edges (CLI, batch, TUI, Ask) can validate with one call.
"""

from __future__ import annotations

import sys
from typing import Any

from advisor.core import loading
from advisor.core.answers import AnswersFile
from advisor.core.errors import InputError
from advisor.data.rules import load_rulebase


def validate_answers(data: Any, *, file: str = "<answers>") -> AnswersFile:
    """Validate a parsed JSON value as an answers file of the installed questionnaire."""
    return loading.validate_answers(data, load_rulebase().questionnaire, file=file)


def load_answers_bytes(data: bytes | str, *, file: str = "<answers>") -> AnswersFile:
    """Parse and validate the bytes of an answers file."""
    return loading.load_answers_bytes(data, load_rulebase().questionnaire, file=file)


def read_answers_file(path: str) -> AnswersFile:
    """Read ``path`` (or ``-`` for standard input) and validate it."""
    if path == "-":
        return load_answers_bytes(sys.stdin.buffer.read(), file="<stdin>")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=path) from None
    return load_answers_bytes(data, file=path)
