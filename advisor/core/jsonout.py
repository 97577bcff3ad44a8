"""Strict JSON out: what ``--format json`` and every other JSON advisor writes must parse as
JSON in any strict reader, so no ``NaN``, ``Infinity`` or ``-Infinity`` ever leaves.

Inputs are bounded so that the figures computed from them are finite (README, "Input
limits"), and :func:`advisor.core.assess.assess` refuses the rest; :func:`finite` is the last
guard for data that was stored before those bounds (history rows) or summed across a batch.
"""

from __future__ import annotations

import json
import math
from typing import Any


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
    """``json.dumps`` that never writes NaN or Infinity (they become null)."""
    return json.dumps(finite(value), allow_nan=False, **kwargs)
