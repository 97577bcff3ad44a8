"""``advisor explain``: the full rule trace, and a what-if search for changes that move the tier.

The what-if search asks the engine itself: it re-assesses the answers with one (then two)
answers changed and keeps the smallest sets of changes that move the tier down, or up. Candidate
values are every option of choice and yes/no questions, and for numbers the literals the rules
compare them with (just either side of each threshold), so no threshold is missed. Questions
marked ``fixed`` in the questionnaire (what the organisation is, such as its archetype) are
left alone: the search proposes changes a person could make.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from advisor.core.answers import AnswersFile, validate_data
from advisor.core.assess import assess
from advisor.core.engine import RuleTrace, evaluate_rules
from advisor.core.errors import InputError
from advisor.core.prices import PriceBook
from advisor.core.rulebase import RuleBase

TIER_ORDER = {"lower": 0, "medium": 1, "high": 2}
_COST_INPUTS = frozenset({"model"})


@dataclass(frozen=True)
class Change:
    question: str
    before: Any
    after: Any


@dataclass(frozen=True)
class WhatIf:
    changes: tuple[Change, ...]
    tier: str
    score: int


def _numeric_candidates(rulebase: RuleBase, qid: str) -> list[float]:
    found: set[float] = set()
    for rule in rulebase.rules:
        for clause in rule.when.clauses():
            if clause.name == qid and isinstance(clause.value, int | float) and not isinstance(
                    clause.value, bool):
                v = float(clause.value)
                found.update({v - 1, v, v + 1})
    return sorted(found)


def candidates(rulebase: RuleBase, qid: str) -> list[Any]:
    q = rulebase.questionnaire.by_id[qid]
    if q.type == "choice":
        return list(q.option_values())
    if q.type == "bool":
        return [True, False]
    if q.type in ("int", "number"):
        values = _numeric_candidates(rulebase, qid)
        lo = q.min if q.min is not None else float("-inf")
        hi = q.max if q.max is not None else float("inf")
        values = [v for v in values if lo <= v <= hi]
        return [int(v) for v in values] if q.type == "int" else values
    return []


def what_if(answers_file: AnswersFile, rulebase: RuleBase, prices: PriceBook | None,
            *, max_pairs: int = 3) -> dict[str, list[WhatIf]]:
    """Smallest answer changes (one, else two) that move the tier down, and up.

    ``levers`` holds the single changes that lower the score most, tier change or not: the
    place to start when no one or two changes are enough.
    """
    base = assess(answers_file, rulebase, prices)
    current = answers_file.answers
    target = TIER_ORDER[base.tier]

    def run(updates: dict[str, Any]) -> tuple[str, int] | None:
        data = answers_file.as_data()
        data["answers"] = {k: v for k, v in {**current, **updates}.items() if v is not None}
        try:
            candidate = validate_data(data, rulebase.questionnaire)
            result = assess(candidate, rulebase, prices)
        except (InputError, ValueError):
            return None
        return result.tier, result.score

    singles: list[tuple[Change, str, int]] = []
    for q in rulebase.questionnaire.questions:
        if q.fixed or q.id in _COST_INPUTS:
            continue
        for value in candidates(rulebase, q.id):
            if value == current.get(q.id):
                continue
            outcome = run({q.id: value})
            if outcome:
                singles.append((Change(q.id, current.get(q.id), value), *outcome))

    def pick(direction: Callable[[int], bool]) -> list[WhatIf]:
        moved = [WhatIf((c,), t, s) for c, t, s in singles if direction(TIER_ORDER[t])]
        if moved:
            return sorted(moved, key=lambda w: (abs(TIER_ORDER[w.tier] - target) * -1,
                                                w.score if direction(-1) else -w.score,
                                                w.changes[0].question))[:8]
        # No single change is enough: try pairs of the changes that move the score the right way.
        helpful = [(c, s) for c, t, s in singles
                   if (s < base.score if direction(-1) else s > base.score)]
        helpful.sort(key=lambda cs: cs[1] if direction(-1) else -cs[1])
        pairs: list[WhatIf] = []
        for (a, _), (b, _) in itertools.combinations(helpful[:24], 2):
            if a.question == b.question:
                continue
            outcome = run({a.question: a.after, b.question: b.after})
            if outcome and direction(TIER_ORDER[outcome[0]]):
                pairs.append(WhatIf((a, b), *outcome))
        pairs.sort(key=lambda w: w.score if direction(-1) else -w.score)
        return pairs[:max_pairs]

    levers = sorted((WhatIf((c,), t, sc) for c, t, sc in singles if sc < base.score),
                    key=lambda w: (w.score, w.changes[0].question))[:5]
    return {"down": pick(lambda t: t < target) if target > 0 else [],
            "up": pick(lambda t: t > target) if target < 2 else [],
            "levers": levers}


def trace(answers_file: AnswersFile, rulebase: RuleBase, prices: PriceBook | None,
          *, as_of: str | None = None) -> tuple[Any, tuple[RuleTrace, ...]]:
    result = assess(answers_file, rulebase, prices, as_of=as_of)
    values = {**answers_file.answers, **result.derived}
    return result, evaluate_rules(rulebase, values)
