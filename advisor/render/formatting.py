"""Formatting and escaping for reports: money, percentages, and free text made inert.

Free text (the organization name, model names, any user string) is data, never markup: the
escapers here make sure a ``|``, ``#``, ``<script>`` or newline cannot change a document's
structure in Markdown or a terminal. HTML gets the same from Jinja's autoescaping.
"""

from __future__ import annotations

import math
import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_MD_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")
#: Control characters (C0 but tab, DEL, C1), line/paragraph separators, and the bidi
#: embeddings, overrides and isolates (an RTL override in a file name could make the text a
#: terminal or a Markdown reader shows differ from what is there).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e"
                      "\u2066-\u2069]")


def single_line(text: Any) -> str:
    """Collapse newlines and control characters to spaces."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


_MD_PLAIN = re.compile(r"[\\`*_\[\]#|~<>&\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e"
                       r"\u2066-\u2069]|  |://|www\.|^[-+=\d\s]|\s$")


def md_escape(text: Any) -> str:
    """Escape user text for inline Markdown (tables included): no markup, no HTML, one line."""
    text = str(text)
    if not _MD_PLAIN.search(text):
        return text  # the common case: nothing that Markdown or HTML would read as markup
    flat = single_line(text)
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    # Nothing that could start a list or heading, and no bare autolinks (GFM links www. and ://).
    flat = _MD_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", flat)
    return flat.replace("://", ":\\/\\/").replace("www.", "www\\.")


def terminal_escape(text: Any) -> str:
    """Strip escape sequences and control characters from text bound for a terminal."""
    return single_line(str(text).replace("\x1b", ""))


def usd(value: float | None, *, none: str = "n/a") -> str:
    """$13,500.00 for ordinary amounts; four significant figures below a cent."""
    if value is None or not math.isfinite(value):
        return none
    if value == 0:
        return "$0.00"
    if abs(value) < 1e-6:
        return f"${value:.2e}"
    if abs(value) < 1:
        digits = f"{abs(value):.6f}".rstrip("0")
        whole, _, frac = digits.partition(".")
        sign = "-" if value < 0 else ""
        return f"{sign}${whole}.{frac.ljust(2, '0')}"
    if abs(value) >= 1e9:
        return f"${value / 1e9:,.2f} billion"
    return f"${value:,.2f}"


def per_mtok(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"${value:.4g}" if 0 < value < 0.01 else f"${value:,.2f}"


def number(value: float | None, *, none: str = "n/a") -> str:
    if value is None or not math.isfinite(value):
        return none
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def percent(value: float | None, *, none: str = "n/a", digits: int = 0) -> str:
    """A 0-1 fraction as a percentage."""
    if value is None:
        return none
    return f"{value * 100:.{digits}f}%"


def pct(value: float | None, *, none: str = "n/a") -> str:
    """A value already in percent."""
    if value is None:
        return none
    return f"{value:.1f}%" if not float(value).is_integer() else f"{int(value)}%"


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


def whole_pct(value: float | None, *, none: str = "n/a") -> str:
    """A value already in percent, rounded as said: 89%, 99.6% (never "100%" for 99.6)."""
    if value is None or not math.isfinite(value):
        return none
    rounded = round(value)
    if (rounded in (0, 100) and value != rounded) or abs(value) < 1:
        return f"{round(value, 1):g}%"
    return f"{rounded:g}%"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def long_date(day: Any) -> str:
    """29 November 2026."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
