"""Small, pure helpers that put figures into words for the core's own sentences.

The core writes a few sentences itself (the self-hosting verdict, the reasons a recommendation
was given), so they read the same in every edge. The renderers have richer filters; these
only need to be exact and deterministic.
"""

from __future__ import annotations

from typing import Any


def usd(x: float | None) -> str:
    """Dollars: cents below $100, whole dollars above (the figures are monthly estimates)."""
    if x is None:
        return "unknown"
    if abs(x) < 100:
        return f"${x:,.2f}"
    return f"${x:,.0f}"


def count(x: float | None) -> str:
    if x is None:
        return "unknown"
    return f"{round(x):,}"


def percent(share: float | None) -> str:
    """A share (0.78) as a percentage ("78%")."""
    if share is None:
        return "unknown"
    return f"{share * 100:.0f}%"


def volume(requests: float | None, calls: float | None) -> str:
    """A monthly volume naming both units when a request makes more than one LLM call."""
    if requests is None:
        return "an unknown number of requests"
    text = f"{count(requests)} requests"
    if calls is not None and round(calls) != round(requests):
        text += f" ({count(calls)} LLM calls)"
    return text


def fill(template: str, facts: dict[str, Any]) -> str | None:
    """``template`` with ``{name}`` replaced from ``facts``; None if a fact is missing."""
    try:
        return template.format_map(_Strict(facts))
    except KeyError:
        return None


class _Strict(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        raise KeyError(key)
