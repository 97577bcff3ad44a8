"""Strict JSON out: what ``--format json`` and every other JSON advisor writes must parse as
JSON in any strict reader, so no ``NaN``, ``Infinity`` or ``-Infinity`` ever leaves.

Inputs are bounded so that the figures computed from them are finite (README, "Input
limits"), and :func:`advisor.core.assess.assess` refuses the rest; :func:`finite` is the last
guard for data that was stored before those bounds (history rows) or summed across a batch.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

#: Characters a terminal or a text viewer acts on rather than shows: C0 controls (JSON
#: escapes those already), DEL, C1 controls (8-bit CSI), line/paragraph separators and the
#: bidi embeddings, overrides and isolates. In JSON text they can only stand inside strings,
#: where ``\uXXXX`` means the same character, so escaping them changes no value.
_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """JSON text with every character a terminal would act on written as ``\\uXXXX``."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def finite(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None (containers copied as needed)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def non_finite_paths(value: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the non-finite floats in ``value`` (iterative: no depth limit)."""
    found: list[str] = []
    stack: list[tuple[str, Any]] = [(prefix, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            found.append(path)
        elif isinstance(item, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in item.items())
        elif isinstance(item, list | tuple):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(item))
    return sorted(found)


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that never writes NaN or Infinity (they become null), nor a raw
    control or bidi character (see :func:`terminal_safe`)."""
    return terminal_safe(json.dumps(finite(value), allow_nan=False, **kwargs))
