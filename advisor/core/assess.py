"""The pure core: a validated answers file -> :class:`Result`. No I/O, no UI, no network.

Every edge (CLI, TUI, batch, tests) calls :func:`assess`. Prices come in through a
:class:`PriceBook` the caller supplies (it is only consulted when a model is named), and the
rules through a :class:`RuleBase`, so this module never decides where anything is read from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.core.costs import CostAssumptions, compute_costs, merge_assumptions
from advisor.core.engine import Evaluation, evaluate
from advisor.core.prices import Price, PriceBook
from advisor.core.result import (
    CautionItem,
    FiredRule,
    MissingAnswer,
    RecommendationItem,
    Result,
    ScenarioItem,
)
from advisor.core.rulebase import RuleBase

if TYPE_CHECKING:
    from advisor.core.answers import AnswersFile

#: Read-only ids computed here and offered to rules beside the question ids.
DERIVED_IDS: dict[str, str] = {
    "role": "the stakeholder position of the answers file",
    "regulated_domain": "regulated is true, or the industry is one the assumptions call regulated",
    "requests_per_month": "monthly requests, given or from users x requests per user x 30",
    "monthly_cost_usd": "today's computed monthly cost",
    "api_share_of_ai_budget": "API spend (reported, else computed) / monthly AI budget",
    "self_hosting_pays": "monthly volume is at or above the self-hosting break-even",
    "spend_gap_flagged": "reported spend and computed cost differ by more than the gap factor",
}


def regulated_domain(values: dict[str, Any], regulated_industries: list[str]) -> bool | None:
    """True when regulated or in a regulated industry; None while either is unknown and not True."""
    industry, regulated = values.get("industry"), values.get("regulated")
    if regulated is True or industry in regulated_industries:
        return True
    if regulated is False and industry is not None:
        return False
    return None


def derive(role: str, values: dict[str, Any], costs: dict[str, Any] | None,
           regulated: bool | None) -> dict[str, Any]:
    costs = costs or {}
    hosting = costs.get("self_hosting") or {}
    verdict = hosting.get("verdict")
    pays = {"self-hosting pays": True, "stay on API": False, "never pays": False}.get(verdict)
    current = costs.get("current") or {}
    return {
        "role": role,
        "regulated_domain": regulated,
        "requests_per_month": costs.get("monthly_requests"),
        "monthly_cost_usd": current.get("monthly_usd"),
        "api_share_of_ai_budget": costs.get("api_share_of_ai_budget"),
        "self_hosting_pays": pays if costs.get("monthly_requests") is not None or verdict
        == "never pays" else None,
        "spend_gap_flagged": costs.get("spend_gap_flagged"),
    }


def _price_overrides(assumptions: dict[str, Any]) -> dict[str, Price]:
    return {name: Price(name, p["input_per_mtok"], p["output_per_mtok"], "",
                        "assumptions.prices in the answers file")
            for name, p in (assumptions.get("prices") or {}).items()}


def _recommendations(rulebase: RuleBase, role: str, ev: Evaluation) -> list[RecommendationItem]:
    because: dict[str, list[str]] = {}
    for trace in ev.traces:
        if trace.fired:
            for rec_id in trace.rule.recommends:
                because.setdefault(rec_id, []).append(trace.rule.id)
    chosen = sorted((rulebase.recommendations[r] for r in because
                     if r in rulebase.recommendations
                     and rulebase.recommendations[r].addressed_to(role)),
                    key=lambda r: r.rank)
    return [RecommendationItem(id=r.id, priority=i, title=r.title, why=r.why, source=r.source,
                               because=tuple(because[r.id]))
            for i, r in enumerate(chosen, start=1)]


def _scenarios(rulebase: RuleBase, values: dict[str, Any], a: CostAssumptions,
               costs: dict[str, Any] | None) -> list[ScenarioItem]:
    projected = (costs or {}).get("scenarios") or {}
    items = []
    for s in rulebase.scenarios:
        outlook = next((o.text for o in s.outlooks if o.when.evaluate(values) is True), "")
        cost = projected.get(s.id) or {}
        items.append(ScenarioItem(id=s.id, title=s.title, probability=a.probabilities[s.id],
                                  multiplier=cost.get("multiplier"), outlook=outlook,
                                  summary=s.summary, monthly_cost_usd=cost.get("monthly_usd"),
                                  source=s.source))
    return items


def assess(answers_file: AnswersFile, rulebase: RuleBase, prices: PriceBook | None) -> Result:
    """Answers -> result. Raises :class:`advisor.core.errors.InputError` for an unknown model."""
    role = answers_file.role
    answers = answers_file.answers
    assumptions = merge_assumptions(rulebase.defaults, rulebase.anchors, answers_file.assumptions)
    price = None
    model = answers.get("model")
    if model is not None:
        if prices is None:
            prices = PriceBook(entries={})
        price = prices.resolve(model, _price_overrides(answers_file.assumptions))
    regulated = regulated_domain(answers, rulebase.defaults.get("regulated_industries", []))
    costs = compute_costs(answers, price, assumptions, regulated_domain=regulated is True)
    values = {**answers, **derive(role, answers, costs, regulated)}
    ev = evaluate(rulebase, role, values)
    cautions = [CautionItem(id=c.id, text=c.text, source=c.source, applies=outcome is True)
                for c in rulebase.cautions
                if (outcome := c.when.evaluate(values)) is not False]
    missing = [MissingAnswer(q.id, q.prompt)
               for q in rulebase.questionnaire.relevant_for(role, values)
               if answers.get(q.id) is None and q.weight > 0]
    return Result(
        role=role,
        organization=answers_file.organization,
        tier=ev.tier,
        score=ev.score,
        confidence=ev.confidence,
        fired_rules=[FiredRule(t.rule.id, t.rule.points, t.rule.explanation, t.rule.source)
                     for t in ev.fired],
        recommendations=_recommendations(rulebase, role, ev),
        cautions=cautions,
        scenarios=_scenarios(rulebase, values, assumptions, costs),
        costs=costs,
        missing=missing,
        answers={k: v for k, v in answers.items() if v is not None},
        assumptions=assumptions.as_table(),
        rules_digest=rulebase.digest,
        derived={k: values[k] for k in DERIVED_IDS},
    )
