"""Small, pure helpers that put figures into words for the core's own sentences.

The core writes a few sentences itself (the self-hosting verdict, the reasons a recommendation
was given), so they read the same in every edge. The renderers have richer filters; these
only need to be exact and deterministic.
"""

from __future__ import annotations

import math
from typing import Any


def usd(x: float | None) -> str:
    """Dollars as a person says them (see :func:`money`)."""
    return "unknown" if x is None else money(x)


def count(x: float | None) -> str:
    """A count as a person says it (see :func:`quantity`)."""
    return "unknown" if x is None else quantity(x)


def percent(share: float | None) -> str:
    """A share (0.78) as a percentage ("78%")."""
    if share is None:
        return "unknown"
    return f"{share * 100:.0f}%"


def volume(requests: float | None, calls: float | None, *, exact: bool = False) -> str:
    """A monthly volume naming both units when a request makes more than one LLM call;
    ``exact`` writes every digit (the TUI's and ``explain``'s working figures)."""
    if requests is None:
        return "an unknown number of requests"
    say = (lambda x: f"{round(x):,}") if exact else count
    text = f"{say(requests)} requests"
    if calls is not None and round(calls) != round(requests):
        text += f" ({say(calls)} LLM calls)"
    return text


def fill(template: str, facts: dict[str, Any]) -> str | None:
    """``template`` with ``{name}`` replaced from ``facts``; None if a fact is missing."""
    try:
        return template.format_map(_Strict(facts))
    except KeyError:
        return None


class _Strict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)


# ---------------------------------------------------------------- figures as a person says them
#
# The board report rounds the way people talk: "$48,600", not "$48,600.00"; "about 1.2 million
# requests"; "about 261 GPU-hours". Amounts under a dollar keep three significant figures, so a
# per-request cost of $0.00675 stays meaningful. The raw figures stay in the JSON result.


def _significant(value: float, digits: int) -> float:
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _trim(x: float) -> str:
    """1.0 -> "1", 1.25 -> "1.25" (for "1.25 million")."""
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def money(value: float | None, *, none: str = "n/a") -> str:
    """Dollars as a person says them: $48,600 · $202.50 · $0.00675 · $1.25 million."""
    if value is None or not math.isfinite(value):
        return none
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if v == 0:
        return "$0"
    if v < 1:
        s = _significant(v, 3)
        digits = max(2, 2 - math.floor(math.log10(s)))
        text = f"{s:.{digits}f}"
        if "." in text:  # $0.00675, $0.10, $0.50
            whole, frac = text.split(".")
            frac = frac.rstrip("0").ljust(2, "0")
            text = f"{whole}.{frac}"
        return f"{sign}${text}"
    if v < 100:
        cents = round(v, 2)
        return f"{sign}${cents:,.0f}" if cents.is_integer() else f"{sign}${cents:,.2f}"
    if v < 1e6:
        return f"{sign}${math.floor(v + 0.5):,}"
    if v < 1e9:
        return f"{sign}${_trim(_significant(v, 3) / 1e6)} million"
    return f"{sign}${_trim(_significant(v, 3) / 1e9)} billion"


def quantity(value: float | None, *, none: str = "n/a") -> str:
    """A count as a person says it: 300,000 · 3,000,000 · about 1.2 million · 3.6 billion.

    Round figures below a billion are written out in full; others are rounded to two
    significant figures (three below a million) and say "about" when that changed them.
    """
    if value is None or not math.isfinite(value):
        return none
    v = float(value)
    if abs(v) < 100_000:
        whole = math.floor(v + 0.5)
        return f"{whole:,}" if abs(v - whole) < 1e-9 else f"about {whole:,}"
    digits = 3 if abs(v) < 1e6 else 2
    rounded = _significant(v, digits)
    about = "" if abs(rounded - v) <= 1e-9 * abs(v) else "about "
    if abs(v) >= 1e9:
        return f"{about}{_trim(rounded / 1e9)} billion"
    if not about:
        return f"{round(v):,}"
    if abs(v) < 1e6:
        return f"about {math.floor(rounded + 0.5):,}"
    return f"about {_trim(rounded / 1e6)} million"


def hours(value: float | None, *, none: str = "n/a") -> str:
    """GPU-hours: whole hours ("about 261"), never "261.11"."""
    if value is None or not math.isfinite(value):
        return none
    if value < 10:
        return _trim(round(value, 1))
    return quantity(round(value)) if round(value) >= 100_000 else f"{round(value):,}"


def times(x: float) -> str:
    """A multiple as people say it: 48.47 -> "48×", 2.43 -> "2.4×"."""
    return f"{_trim(_significant(x, 2))}×"


def ratio_words(ratio: float) -> str:
    """How a bill stands against the computed cost, as people say it: 48×, 2.4×, 53% higher,
    35% lower (never "4748% higher")."""
    if ratio <= 0:
        return "far below"
    if ratio >= 2:
        return times(ratio)
    if ratio <= 0.5:
        return f"1/{_trim(_significant(1 / ratio, 2))} of"
    if ratio >= 1:
        return f"{(ratio - 1) * 100:.0f}% higher than"
    return f"{(1 - ratio) * 100:.0f}% lower than"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def day(iso: str) -> str:
    """An ISO date as a report writes dates: "2026-12-11" -> "11 December 2026"."""
    try:
        year, month, date = (int(part) for part in iso.split("-"))
        return f"{date} {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


def whole_pct(value: float | None, *, none: str = "n/a") -> str:
    """A value already in percent, rounded as said: 89%, 99.6% (never "100%" for 99.6)."""
    if value is None or not math.isfinite(value):
        return none
    rounded = round(value)
    if (rounded in (0, 100) and value != rounded) or abs(value) < 1:
        return f"{round(value, 1):g}%"
    return f"{rounded:g}%"
