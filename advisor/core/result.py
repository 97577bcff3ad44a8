"""The assessment result (spec/result.md) as plain records.

Plain classes rather than pydantic models: a result is produced by our own code, never parsed
from users, and batch builds thousands a second. ``to_dict`` gives the JSON contract.
"""

from __future__ import annotations

from typing import Any

from advisor.core.cost_records import Costs
from advisor.core.findings import Finding
from advisor.core.records import Record

RESULT_SCHEMA_VERSION = 1


class FiredRule(Record):
    __slots__ = ("id", "points", "explanation", "source")

    def __init__(self, id: str, points: float, explanation: str, source: str) -> None:
        self.id = id
        self.points = points
        self.explanation = explanation
        self.source = source


class RecommendationItem(Record):
    __slots__ = ("id", "priority", "title", "why", "source", "because", "relevance")

    def __init__(self, id: str, priority: int, title: str, why: str, source: str,
                 because: tuple[str, ...], relevance: float = 0.0) -> None:
        self.id = id
        self.priority = priority
        self.title = title
        self.why = why
        self.source = source
        self.because = because  # the answers that selected it, in words
        self.relevance = relevance  # the weight of the rules that selected it


class CautionItem(Record):
    __slots__ = ("id", "text", "source", "applies", "shown_because")

    def __init__(self, id: str, text: str, source: str, applies: bool,
                 shown_because: str = "") -> None:
        self.id = id
        self.text = text
        self.source = source
        self.applies = applies  # True only when the user's own answers show the assumption
        # "your_plans" (applies), "your_field" (the domain alone), "unanswered" (not ruled out)
        self.shown_because = shown_because


class ScenarioItem(Record):
    __slots__ = ("id", "title", "probability", "multiplier", "outlook", "summary",
                 "monthly_cost_usd", "source")

    def __init__(self, id: str, title: str, probability: float, multiplier: float | None,
                 outlook: str, summary: str, monthly_cost_usd: float | None,
                 source: str) -> None:
        self.id = id
        self.title = title
        self.probability = probability
        self.multiplier = multiplier
        self.outlook = outlook
        self.summary = summary
        self.monthly_cost_usd = monthly_cost_usd
        self.source = source


class MissingAnswer(Record):
    __slots__ = ("id", "prompt")

    def __init__(self, id: str, prompt: str) -> None:
        self.id = id
        self.prompt = prompt


class Narrative(Record):
    """The report's narrative: built-in (templates) or drafted by an LLM, with what it cost."""

    __slots__ = ("source", "text", "model", "input_tokens", "output_tokens", "usd", "note",
                 "cached")
    __hash__ = None  # type: ignore[assignment]  # mutable

    def __init__(self, source: str, text: str, model: str | None = None,
                 input_tokens: int | None = None, output_tokens: int | None = None,
                 usd: float | None = 0.0, note: str | None = None, cached: bool = False) -> None:
        self.source = source  # "builtin" or "llm"
        self.text = text
        self.model = model
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.usd = usd
        self.note = note  # why a requested LLM narrative fell back, for instance
        self.cached = cached

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "model": self.model, "text": self.text,
                "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "usd": self.usd, "note": self.note, "cached": self.cached}


class Result(Record):
    """One assessment. Mutable only so an edge can attach the narrative after the core ran."""

    __slots__ = ("role", "organization", "tier", "score", "confidence", "fired_rules",
                 "recommendations", "cautions", "scenarios", "costs", "missing", "answers",
                 "assumptions", "rules_digest", "narrative", "derived", "as_of", "findings",
                 "voice")
    __hash__ = None  # type: ignore[assignment]  # mutable: the narrative is attached later

    def __init__(self, role: str, organization: str | None, tier: str, score: int,
                 confidence: float, fired_rules: list[FiredRule],
                 recommendations: list[RecommendationItem], cautions: list[CautionItem],
                 scenarios: list[ScenarioItem], costs: Costs | None,
                 missing: list[MissingAnswer], answers: dict[str, Any],
                 assumptions: list[tuple[str, str, str]], rules_digest: str,
                 narrative: Narrative | None = None,
                 derived: dict[str, Any] | None = None, as_of: str | None = None,
                 findings: list[Finding] | None = None,
                 voice: dict[str, str] | None = None) -> None:
        self.role = role
        self.organization = organization
        self.tier = tier
        self.score = score
        self.confidence = confidence
        self.fired_rules = fired_rules
        self.recommendations = recommendations
        self.cautions = cautions
        self.scenarios = scenarios
        self.costs = costs
        self.missing = missing
        self.answers = answers
        self.assumptions = assumptions
        self.rules_digest = rules_digest
        self.narrative = narrative
        self.derived = {} if derived is None else derived
        #: the date the figures were computed for (ISO): a what-if recomputes as of the same day
        self.as_of = as_of
        #: what decides things for this client, with figures (core/findings.py)
        self.findings = [] if findings is None else findings
        #: the reader's words ("your" or "the company's"), for every edge that words a sentence
        self.voice = {} if voice is None else voice

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
                                 "why": r.why, "source": r.source, "because": list(r.because),
                                 "relevance": _num(r.relevance)}
                                for r in self.recommendations],
            "cautions": [{"id": c.id, "text": c.text, "source": c.source, "applies": c.applies,
                          "shown_because": c.shown_because} for c in self.cautions],
            "scenarios": [{"id": s.id, "title": s.title, "probability": s.probability,
                           "multiplier": s.multiplier, "outlook": s.outlook,
                           "monthly_cost_usd": s.monthly_cost_usd, "source": s.source}
                          for s in self.scenarios],
            "costs": None if self.costs is None else self.costs.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "missing_answers": [m.id for m in self.missing],
            "rules_digest": self.rules_digest,
            "narrative": self.narrative.to_dict() if self.narrative else None,
        }


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x
