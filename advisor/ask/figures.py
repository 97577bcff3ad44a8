"""Figures in Ask are said exactly as the report says them: one formatting module for both
(``core.wording``), so Ask and the report never disagree ("$12.50" and "12%" in both)."""

from __future__ import annotations

from advisor.core import wording


def money(value: float | None, *, none: str = "n/a") -> str:
    return wording.money(value, none=none)


def count(value: float | None, *, none: str = "n/a") -> str:
    return wording.quantity(value, none=none)


def share(fraction: float | None, *, none: str = "n/a") -> str:
    """A 0–1 fraction as a whole percentage."""
    return none if fraction is None else wording.percent(fraction)


def about(value: float | None) -> str:
    """"about 2.4 million", "about 21,790": a count said as an estimate, "about" once."""
    text = count(value)
    return text if text.startswith("about ") else f"about {text}"
