"""LLM failure patterns from the history store, grouped by kind, for ``advisor history failures``.

Each guard violation and provider failure is one row in the store (kind, model, the offending
span, a scrubbed detail). Grouped, they show which problems repeat, with which models, and an
example of each, which is what a person needs to adjust a model choice or a prompt, and what
the prompt builder itself reads to add standing instructions.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from advisor.render.formatting import terminal_escape

_DESCRIPTIONS = {
    "invented_figure": "a figure that is not among the assessment's facts",
    "wrong_tier": "a risk tier other than the engine's",
    "missing_headings": "the three narrative headings missing or out of order",
    "link": "a link that is not a source",
    "html": "raw HTML in the text",
    "too_long": "longer than the length limit",
    "timeout": "no answer within the timeout",
    "rate_limit": "rate-limited (HTTP 429) after the retries",
    "provider_error": "an error from the provider",
    "malformed_response": "a response that could not be read",
}


def failures_json(store: Any) -> list[dict[str, Any]]:
    """One record per failure kind, most frequent first: count, first and last seen, models,
    and the most recent example span and detail. Raises the store's StoreError on a bad store."""
    from advisor.history.store import StoreError

    try:
        rows = store.db.execute(
            "SELECT kind, COUNT(*), MIN(created_at), MAX(created_at) FROM llm_failures "
            "GROUP BY kind ORDER BY COUNT(*) DESC, kind").fetchall()
        out = []
        for kind, count, first, last in rows:
            models = [m for (m,) in store.db.execute(
                "SELECT model FROM llm_failures WHERE kind = ? AND model IS NOT NULL "
                "GROUP BY model ORDER BY COUNT(*) DESC, model", (kind,))]
            example = store.db.execute(
                "SELECT span, detail FROM llm_failures WHERE kind = ? ORDER BY created_at DESC, "
                "id DESC LIMIT 1", (kind,)).fetchone()
            span, detail = example if example else ("", "")
            out.append({"kind": kind, "description": _DESCRIPTIONS.get(kind, kind),
                        "count": int(count), "first_seen": first, "last_seen": last,
                        "models": models, "example_span": span or "",
                        "example_detail": detail or ""})
        return out
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"history store {store.path}: {exc}") from None


def failures_text(store: Any) -> str:
    """The same as :func:`failures_json`, as a plain-text report for a terminal."""
    groups = failures_json(store)
    if not groups:
        return "No LLM failures recorded.\n"
    total = sum(g["count"] for g in groups)
    lines = [f"{total} LLM failure(s) recorded, by kind (most frequent first):", ""]
    for g in groups:
        lines.append(f"{g['kind']}  ×{g['count']}  ({g['description']})")
        lines.append(f"  last seen {g['last_seen'][:19].replace('T', ' ')} UTC, first seen "
                     f"{g['first_seen'][:19].replace('T', ' ')} UTC")
        if g["models"]:
            lines.append("  models: " + terminal_escape(", ".join(g["models"])))
        if g["example_span"]:
            lines.append("  example: " + terminal_escape(g["example_span"])[:120])
        elif g["example_detail"]:
            lines.append("  example: " + terminal_escape(g["example_detail"])[:120])
        lines.append("")
    lines.append("Recurring guard failures are added to the narrative prompt as standing "
                 "instructions.")
    return "\n".join(lines) + "\n"
