"""Typed text <-> answer values for the questions answered in a text box.

Numbers are read as people type them: ``1,000`` and ``1 000`` are a thousand, ``300k`` is
300,000, ``1.5M`` and ``1.5 million`` are 1,500,000, ``$38,000`` is 38,000 and ``72%`` is 72.
Parsing never judges a value: whatever the person typed is handed to the answers-file models,
so the TUI shows exactly the message ``advisor assess`` would give for the same value in a file.
"""

from __future__ import annotations

from typing import Any

from advisor.core.numbers import MAX_NUMBER_TEXT, parse_number
from advisor.core.questionnaire import Question

__all__ = ["MAX_NUMBER_TEXT", "format_value", "parse_number", "parse_text"]

def parse_text(question: Question, text: str) -> Any:
    """The value to validate for ``text``: a number when it reads as one, else the text itself.

    An unreadable number is returned as the raw string so that validation rejects it with the
    model's own wording ("expected a valid integer").
    """
    raw = text.strip()
    if question.type == "string":
        return raw
    number = parse_number(raw)
    if number is None:
        return raw
    if question.min == 0 and question.max == 1 and raw.endswith("%"):
        number = number / 100  # a share (0 to 1) typed as a percentage: 60% is 0.6
    if question.type == "number":
        return float(number) if abs(number) < 1e300 else raw
    return number


def format_value(question: Question, value: Any) -> str:
    """The text to pre-fill a box with for an existing answer (no thousands separators)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and question.type in ("int", "number"):
        return str(int(value))
    return str(value)
