"""The one place Ask reads the cost model's figures from a result.

``result.costs`` is the core's typed record (advisor/core/cost_records.py): fields by name,
nested records likewise (``costs.current.monthly_usd``), the scenarios by id. Everything in
Ask reads through :func:`cost` and :func:`field`, so a change to that record is made here.
"""

from __future__ import annotations

from typing import Any


def field(record: Any, name: str, default: Any = None) -> Any:
    """``record.name`` (a scenario by id on the scenarios record); ``default`` when absent."""
    if record is None:
        return default
    if isinstance(record, dict):
        value = record.get(name)
    else:
        value = getattr(record, name, None)
        if value is None:
            by_id = getattr(record, "by_id", None)
            if isinstance(by_id, dict):
                value = by_id.get(name)
    return default if value is None else value


def cost(result: Any, *path: str) -> Any:
    """``result.costs.<path>``, or None when any step is missing."""
    value: Any = getattr(result, "costs", None)
    for p in path:
        value = field(value, p)
        if value is None:
            return None
    return value


def plain(value: Any) -> Any:
    """A record as the JSON result writes it (for the LLM's tools)."""
    return value.to_dict() if hasattr(value, "to_dict") else value


def finding(result: Any, finding_id: str) -> str | None:
    """The report's own sentence for a finding (``result.findings``), in the reader's voice
    and the report's figures, or None when the report has no such finding."""
    for f in getattr(result, "findings", None) or ():
        if field(f, "id") == finding_id:
            text = field(f, "text")
            return str(text) if text else None
    return None


def findings(result: Any) -> list[str]:
    """Every finding's sentence, in the report's order."""
    return [str(field(f, "text")) for f in getattr(result, "findings", None) or ()
            if field(f, "text")]
