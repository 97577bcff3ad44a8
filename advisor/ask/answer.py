"""What Ask returns: the answer, its figures and sources, and any recomputed result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advisor.core.result import Result


@dataclass
class Answer:
    """One answer: Markdown text, the article sections it rests on, and any recomputation."""

    text: str
    sources: list[str]
    recomputed: Result | None = None
    answered: bool = True
    matched: list[str] = field(default_factory=list)  # knowledge entries used, by id
    source: str = "offline"  # "offline" or "llm"
    note: str | None = None  # why an LLM answer was not used
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    usd: float | None = 0.0
    intent: str = "knowledge"
    figures: dict[str, float] = field(default_factory=dict)  # name → value the text states
    what_if: list[str] = field(default_factory=list)  # the edits in force, in words

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``advisor ask --format json``)."""
        return {
            "answer": self.text, "intent": self.intent, "answered": self.answered,
            "figures": self.figures, "sources": self.sources, "what_if": self.what_if,
            "recomputed": None if self.recomputed is None else self.recomputed.to_dict(),
            "source": self.source, "model": self.model, "note": self.note,
            "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
            "usd": self.usd,
        }
