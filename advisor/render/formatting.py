"""Formatting and escaping for reports: money, percentages, and free text made inert.

Free text (the organization name, model names, any user string) is data, never markup: the
escapers here make sure a ``|``, ``#``, ``<script>`` or newline cannot change a document's
structure in Markdown or a terminal. HTML gets the same from Jinja's autoescaping.
"""

from __future__ import annotations

import math
import re
from typing import Any

# Figures as a person says them live in the core, so the core's own sentences (reasons,
# verdicts) and every report round alike.
from advisor.core.wording import MONTHS
from advisor.core.wording import hours as hours
from advisor.core.wording import money as money
from advisor.core.wording import quantity as quantity
from advisor.core.wording import whole_pct as whole_pct

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


def md_inline(text: Any) -> str:
    """Escape text placed after other text on a line (a list item, a sentence): no markup,
    no HTML; a leading figure ("7.2 billion") needs no escape there, unlike at a line's start."""
    flat = single_line(str(text))
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    return flat.replace("://", ":\\/\\/").replace("www.", "www\\.")


def estimate(value: float | None, *, none: str = "n/a") -> str:
    """A projected figure, rounded as an estimate is said: $32,300 rather than $32,256."""
    if value is None or not math.isfinite(value):
        return none
    v = abs(value)
    if v < 1000:
        return money(value)
    digits = 3 - 1 - math.floor(math.log10(v))
    return money(round(value, digits))


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




def long_date(day: Any) -> str:
    """29 November 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
