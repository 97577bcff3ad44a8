"""Typed text <-> answer values for the questions answered in a text box.

Parsing here is deliberately lenient (``1,000`` and ``1 000`` are a thousand) and never
judges a value: whatever the person typed is handed to the answers-file models, so the TUI
shows exactly the message ``advisor assess`` would give for the same value in a file.
"""

from __future__ import annotations

import math
from typing import Any

from advisor.core.questionnaire import Question


def parse_text(question: Question, text: str) -> Any:
    """The value to validate for ``text``: a number when it reads as one, else the text itself.

    An unreadable number is returned as the raw string so that validation rejects it with the
    model's own wording ("expected a valid integer").
    """
    raw = text.strip()
    if question.type == "string":
        return raw
    cleaned = raw.replace(",", "").replace("_", "").replace(" ", "")
    if question.type == "number" and cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    try:
        number = float(cleaned)
    except ValueError:
        return raw
    if not math.isfinite(number):
        return raw
    if question.type == "int":
        try:
            return int(cleaned)
        except ValueError:
            return int(number) if number.is_integer() else number
    return number


def format_value(question: Question, value: Any) -> str:
    """The text to pre-fill a box with for an existing answer (no thousands separators)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and question.type in ("int", "number"):
        return str(int(value))
    return str(value)
