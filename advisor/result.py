"""The assessment result (spec/result.md) as plain dataclasses.

Dataclasses rather than pydantic models: a result is produced by our own code, never parsed
from users, and batch builds thousands a second. ``to_dict`` gives the JSON contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

RESULT_SCHEMA_VERSION = 1


class FiredRule(NamedTuple):
    id: str
    points: float
    explanation: str
    source: str


class RecommendationItem(NamedTuple):
    id: str
    priority: int
    title: str
    why: str
    source: str
    because: tuple[str, ...]  # ids of the rules that selected it


class CautionItem(NamedTuple):
    id: str
    text: str
    source: str
    applies: bool  # True when the answers say the plan makes this assumption; False when unknown


class ScenarioItem(NamedTuple):
    id: str
    title: str
    probability: float
    multiplier: float | None
    outlook: str
    summary: str
    monthly_cost_usd: float | None
    source: str


class MissingAnswer(NamedTuple):
    id: str
    prompt: str


@dataclass
class Narrative:
    source: str  # "builtin" or "llm"
    text: str
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    usd: float | None = 0.0
    note: str | None = None  # why a requested LLM narrative fell back, for instance
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "model": self.model, "text": self.text,
                "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "usd": self.usd, "note": self.note, "cached": self.cached}


@dataclass
class Result:
    role: str
    organization: str | None
    tier: str
    score: int
    confidence: float
    fired_rules: list[FiredRule]
    recommendations: list[RecommendationItem]
    cautions: list[CautionItem]
    scenarios: list[ScenarioItem]
    costs: dict[str, Any] | None
    missing: list[MissingAnswer]
    answers: dict[str, Any]
    assumptions: list[tuple[str, str, str]]
    rules_digest: str
    narrative: Narrative | None = None
    derived: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": RESULT_SCHEMA_VERSION,
            "role": self.role,
            "organization": self.organization,
            "tier": self.tier,
            "score": self.score,
            "confidence": self.confidence,
            "fired_rules": [{"id": r.id, "points": _num(r.points), "explanation": r.explanation,
                             "source": r.source} for r in self.fired_rules],
            "recommendations": [{"id": r.id, "priority": r.priority, "title": r.title,
                                 "why": r.why, "source": r.source, "because": list(r.because)}
                                for r in self.recommendations],
            "cautions": [{"id": c.id, "text": c.text, "source": c.source, "applies": c.applies}
                         for c in self.cautions],
            "scenarios": [{"id": s.id, "title": s.title, "probability": s.probability,
                           "multiplier": s.multiplier, "outlook": s.outlook,
                           "monthly_cost_usd": s.monthly_cost_usd, "source": s.source}
                          for s in self.scenarios],
            "costs": self.costs,
            "missing_answers": [m.id for m in self.missing],
            "rules_digest": self.rules_digest,
            "narrative": self.narrative.to_dict() if self.narrative else None,
        }


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x
