"""Numbers as people type them: ``300k``, ``1.5M``, ``2 million``, ``$38,000``, ``72%``.

The TUI's text boxes and the command line's count options read numbers the same way, so
"300k" works wherever a person types a number. Parsing never judges a value: range checks
stay with the answers schema and the option types.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

#: Longest text read as a number (a 400-digit integer is still read, and refused by the model).
MAX_NUMBER_TEXT = 480

_SCALES = {"": 1, "k": 10**3, "thousand": 10**3, "m": 10**6, "mn": 10**6, "mio": 10**6,
           "million": 10**6, "millions": 10**6, "b": 10**9, "bn": 10**9, "billion": 10**9}
_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d{1,3}))?(%?)([a-z]*)$")
_CURRENCY = re.compile(r"^(usd|us\$|\$|€|eur|£|gbp)|(usd|\$|€|eur|£|gbp|/mo(nth)?|a month|per "
                       r"month|/day|a day|per day|tokens?|requests?|users?|calls?|gpus?)$")


def parse_number(text: str) -> int | float | None:
    """``300k`` -> 300000, ``1.5M`` -> 1500000, ``$38,000`` -> 38000, ``72%`` -> 72; None when
    the text is not a number as people write one."""
    raw = text.strip().lower()
    if not raw or len(raw) > MAX_NUMBER_TEXT:
        return None
    for _ in range(3):  # "$38,000 a month", "USD 1.2m"
        stripped = _CURRENCY.sub("", raw).strip()
        if stripped == raw:
            break
        raw = stripped
    raw = raw.replace(",", "").replace("_", "").replace(" ", "").replace("\u202f", "")
    raw = raw.replace("\u00a0", "").replace("'", "")
    match = _NUMBER.match(raw)
    if match is None:
        return None
    sign, digits, exponent, percent, unit = match.groups()
    if unit not in _SCALES or (percent and unit):
        return None
    with localcontext(prec=2 * MAX_NUMBER_TEXT + 1000):  # exact, however many digits
        try:
            value = Decimal(sign + digits) * _SCALES[unit]
            if exponent:
                value = value.scaleb(int(exponent))
        except InvalidOperation:
            return None
        if value == value.to_integral_value():
            return int(value)
    return float(value)
