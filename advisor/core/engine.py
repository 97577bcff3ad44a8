"""The rules engine: evaluate every rule against the answers, keep a full trace, score, tier.

Pure: takes the values (answers plus derived, read-only ids) and a :class:`RuleBase`, returns
data. ``explain`` and the TUI's live panel use the same function, so what the user sees is
exactly what the report says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.core.records import Record
from advisor.core.rulebase import Rule, RuleBase


class RuleTrace(Record):
    """A rule's outcome: fired (True), not fired (False), undecided for lack of answers (None)."""

    __slots__ = ("rule", "outcome", "read")

    def __init__(self, rule: Rule, outcome: bool | None, read: dict[str, Any]) -> None:
        self.rule = rule
        self.outcome = outcome
        self.read = read

    @property
    def fired(self) -> bool:
        return self.outcome is True


class Evaluation(Record):
    __slots__ = ("traces", "fired", "raw_score", "score", "tier", "confidence")

    def __init__(self, traces: tuple[RuleTrace, ...], fired: tuple[RuleTrace, ...],
                 raw_score: float, score: int, tier: str, confidence: float) -> None:
        self.traces = traces
        self.fired = fired
        self.raw_score = raw_score
        self.score = score
        self.tier = tier
        self.confidence = confidence


_NO_READS: dict[str, Any] = {}


def evaluate_rules(rulebase: RuleBase, values: Mapping[str, Any], *,
                   reads: bool = True) -> tuple[RuleTrace, ...]:
    """Every rule's outcome; ``reads`` also records the values each rule read (for traces).

    Scoring does not need the values read, and skipping them is a third of the work.
    """
    if not reads:
        return tuple(RuleTrace(rule, rule.when.evaluate(values), _NO_READS)
                     for rule in rulebase.rules)
    get = values.get
    return tuple(RuleTrace(rule, rule.when.evaluate(values), {n: get(n) for n in rule.reads})
                 for rule in rulebase.rules)


def confidence(rulebase: RuleBase, role: str, values: Mapping[str, Any]) -> float:
    """Weighted share of the role's questions that are answered, among those that count.

    A question counts when it is answered, or when it may apply to this client: its own
    condition is not definitely false (reading missing answers as undecided), and, for a
    question the rules read, at least one of those rules could still fire whatever the answer
    (issue 19: a team that sells nothing loses no confidence for not describing its moat). In
    three-valued logic a rule that is false with the answer unknown is false for every answer,
    so that test needs no guessing. Removing an answer therefore never raises confidence.
    """
    readers: dict[str, list[Rule]] = {}
    for rule in rulebase.rules:
        for name in rule.reads:
            readers.setdefault(name, []).append(rule)
    known = total = 0.0
    for q in rulebase.questionnaire.for_role(role):
        if q.weight <= 0:
            continue
        answered = values.get(q.id) is not None
        if answered or (q.relevant.evaluate(values, open_world=True) is not False
                        and _may_matter(readers.get(q.id, ()), q.id, values)):
            total += q.weight
            known += q.weight if answered else 0.0
    return round(known / total, 2) if total else 1.0


def _may_matter(rules: Any, name: str, values: Mapping[str, Any]) -> bool:
    """A question no rule reads matters (the cost model may); one the rules read matters when
    some rule reading it is not already decided false by the other answers."""
    if not rules:
        return True
    without = {k: v for k, v in values.items() if k != name}
    return any(rule.when.evaluate(without) is not False for rule in rules)


def evaluate(rulebase: RuleBase, role: str, values: Mapping[str, Any]) -> Evaluation:
    traces = evaluate_rules(rulebase, values, reads=False)
    fired = tuple(sorted((t for t in traces if t.fired),
                         key=lambda t: (-abs(t.rule.points), -t.rule.points, t.rule.id)))
    raw = sum(t.rule.points for t in fired)
    score = round(min(100.0, max(0.0, raw)))
    return Evaluation(traces=traces, fired=fired, raw_score=raw, score=score,
                      tier=rulebase.tier_for(score), confidence=confidence(rulebase, role, values))
