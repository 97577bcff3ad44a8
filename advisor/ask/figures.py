"""Figures as people say them: "$4,000" (not "$4,000.00"), "$7.68", "$0.0064", "63%", "900,000".

Money of $10 or more is rounded half-up to whole dollars; smaller money keeps its cents; under
a cent, two significant digits, so a per-call cost never reads as "$0.00".
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def money(value: float | None, *, none: str = "n/a") -> str:
    if value is None or not math.isfinite(value):
        return none
    sign = "-" if value < 0 else ""
    v = Decimal(repr(abs(value)))
    if v >= 10:
        return f"{sign}${int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"
    if v >= Decimal("0.01") or v == 0:
        return f"{sign}${v.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
    digits = f"{float(v):.2g}"
    if "e" in digits:
        digits = f"{float(v):.10f}".rstrip("0")
        significant = len(digits) - len(digits.lstrip("0.")) + 2
        digits = f"{float(v):.{max(2, significant - 2)}f}"
    return f"{sign}${digits}"


def count(value: float | None, *, none: str = "n/a") -> str:
    if value is None or not math.isfinite(value):
        return none
    return f"{int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"


def share(fraction: float | None, *, none: str = "n/a") -> str:
    """A 0–1 fraction as a whole percentage."""
    if fraction is None or not math.isfinite(fraction):
        return none
    return f"{int(Decimal(repr(fraction * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))}%"
