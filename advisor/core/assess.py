"""The pure core: a validated answers file -> :class:`Result`. No I/O, no UI, no network.

Every edge (CLI, TUI, batch, tests) calls :func:`assess`. Prices come in through a
:class:`PriceBook` the caller supplies (it is only consulted when a model is named), and the
rules through a :class:`RuleBase`, so this module never decides where anything is read from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.core import wording
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
    "self_hosting_pays": "monthly volume is at or above the self-hosting break-even against "
                         "the current model's API (unknown when the work runs in house)",
    "spend_gap_flagged": "reported spend and computed cost differ by more than the gap factor",
    "spend_differs": "reported spend and computed cost differ by more than 20% (costs.md)",
    "in_house": "the work runs on the organisation's own hardware: on-premises required, a "
                "local model, or a price of 0 set for a private model",
    "model_below_open_band": "the current model costs less for this workload than the "
                             "open-model band's low end (a model picked for its price)",
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
    pays = {"self-hosting pays": True, "stay on API": False, "never pays": False}.get(
        str(verdict)) if verdict is not None else None
    in_house = costs.get("in_house")
    if in_house is None and values.get("on_prem_required") is False and values.get(
            "model") is None:
        in_house = False
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
        "spend_differs": costs.get("spend_differs"),
        "in_house": in_house,
        "model_below_open_band": _below_band(costs, in_house),
    }


def _below_band(costs: dict[str, Any], in_house: bool | None) -> bool | None:
    current = (costs.get("current") or {}).get("monthly_usd")
    band = (costs.get("open_model_band") or {}).get("low_usd")
    if in_house or current is None or band is None or band <= 0:
        return None
    return current < band


def _price_overrides(assumptions: dict[str, Any]) -> dict[str, Price]:
    return {name: Price(name, p["input_per_mtok"], p["output_per_mtok"], "",
                        "assumptions.prices in the answers file")
            for name, p in (assumptions.get("prices") or {}).items()}


def _facts(values: dict[str, Any], costs: dict[str, Any], *,
           regulated_industry: bool = False) -> dict[str, str]:
    """The user's answers and figures in words, for the ``{name}`` slots of rules' ``because``."""
    facts: dict[str, str] = {}

    def put(key: str, value: Any, say: Any) -> None:
        if value is not None:
            facts[key] = say(value)

    for key in ("deferred_use_cases", "calls_per_task", "self_hosted_gpus"):
        put(key, values.get(key), wording.count)
    put("gross_margin_pct", values.get("gross_margin_pct"), lambda v: f"{v:g}%")
    put("model", values.get("model"), str)
    put("budget", values.get("monthly_ai_budget_usd"), wording.usd)
    put("bill", costs.get("reported_spend_usd"), wording.usd)
    put("api_share", costs.get("api_share_of_ai_budget"), wording.percent)
    current = costs.get("current") or {}
    put("computed", current.get("monthly_usd"), wording.usd)
    put("current_model", current.get("model"), str)
    spend = costs.get("reported_spend_usd")
    put("spend", spend if spend is not None else current.get("monthly_usd"), wording.usd)
    requests, calls = costs.get("monthly_requests"), costs.get("monthly_calls")
    if requests is not None:
        facts["volume"] = wording.volume(requests, calls)
    hosting = costs.get("self_hosting") or {}
    be = hosting.get("break_even_requests")
    if be is not None:
        facts["break_even"] = wording.volume(be, hosting.get("break_even_calls"))
    put("cheapest", hosting.get("summary"), str)
    put("gpus_busy", hosting.get("gpus_busy"),
        lambda v: "less than a tenth of a GPU busy" if v < 0.1 else f"{v:.1f} GPUs busy")
    put("spare_gpus", hosting.get("spare_gpus"), lambda v: f"{v:.1f}")
    put("in_house_cost", current.get("monthly_usd") if current.get("basis") == "in_house"
        else None, wording.usd)
    deferred = values.get("deferred_use_cases")
    if deferred is not None:
        facts["deferred_text"] = ("1 use case was" if deferred == 1 else
                                  f"{wording.count(deferred)} use cases were")
    margin = values.get("gross_margin_pct")
    facts["margin_note"] = (
        "" if margin is None or margin >= 20 else
        f", and the product loses money at today's costs (a {margin:g}% margin)" if margin < 0
        else f", and the margin at today's costs is only {margin:g}%")
    tam = values.get("tam_effect")
    if tam is not None:
        facts["tam_text"] = {
            "expands": "you expect falling costs to expand the investee's market",
            "contracts": "you expect falling costs to shrink the investee's market",
            "unsure": "you are unsure whether falling costs grow or shrink the investee's market",
        }.get(tam, f"you answered {tam!r} on the investee's market")
    regulated = values.get("regulated") is True or regulated_industry
    switching = hosting.get("cheapest_option") not in (None, "current_api")
    facts["quality_caveat"] = (
        "; in a regulated field, any cheaper model must pass the same validation and audit "
        "checks before it carries work" if switching and (
            regulated or values.get("relies_on_cheap_ai_for_quality") is True) else "")
    why = []
    if values.get("regulated") is True:
        why.append("validation, audit logs or data governance are mandated")
    if values.get("on_prem_required") is True:
        why.append("the work must run on premises")
    if regulated_industry:
        why.append(f"your industry ({str(values.get('industry')).replace('_', ' ')}) is "
                   "one where compliance costs sit beside token prices")
    if why:
        facts["compliance_reason"] = "you answered that " + "; ".join(why)
    return facts


def _generic_because(rule: Any, values: dict[str, Any], rulebase: RuleBase) -> str:
    """A rule without its own wording: the answers it read, as the questionnaire words them."""
    q = rulebase.questionnaire.by_id
    role = values.get("role")
    parts = [f"{q[n].prompt_for(role).rstrip('?')}: {q[n].label_for(values[n]).lower()}"
             for n in rule.reads if n in q and values.get(n) is not None]
    return "you answered " + "; ".join(parts) if parts else rule.explanation.rstrip(".")


def _recommendations(rulebase: RuleBase, role: str, ev: Evaluation, values: dict[str, Any],
                     facts: dict[str, str]) -> list[RecommendationItem]:
    """Selected recommendations, by relevance to this user (spec/result.md).

    Relevance is the weight of the fired rules that selected a recommendation (constraints
    such as on-premises operation are rules too); ties keep the catalogue order. One that
    conflicts with a stated constraint (its ``unless`` is true) is never given.
    """
    weight: dict[str, float] = {}
    reasons: dict[str, list[tuple[float, str]]] = {}
    for trace in ev.traces:
        if not trace.fired:
            continue
        rule = trace.rule
        said = next((text for t in rule.because if (text := wording.fill(t, facts))),
                    None) or _generic_because(rule, values, rulebase)
        for rec_id in rule.recommends:
            weight[rec_id] = weight.get(rec_id, 0.0) + rule.weight
            reasons.setdefault(rec_id, []).append((rule.weight, said))
    chosen = [rulebase.recommendations[r] for r in weight
              if r in rulebase.recommendations and rulebase.recommendations[r].addressed_to(role)
              and not _ruled_out(rulebase.recommendations[r].unless, values)]
    chosen.sort(key=lambda r: (-weight[r.id], r.rank))
    items = []
    for i, r in enumerate(chosen, start=1):
        ordered = sorted(reasons[r.id], key=lambda ws: -ws[0])
        because = tuple(dict.fromkeys(text for _, text in ordered))
        items.append(RecommendationItem(id=r.id, priority=i, title=r.title, why=r.why,
                                        source=r.source, because=because,
                                        relevance=weight[r.id]))
    return items


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


def _caution_basis(caution: Any, values: dict[str, Any], shown: bool | None) -> str:
    """Why a caution is listed: the user's own plans, their field, or an open answer."""
    if caution.applies.evaluate(values) is True:
        return "your_plans"
    if shown is True:
        return "your_field"
    return "unanswered"


def _ruled_out(unless: Any, values: dict[str, Any]) -> bool:
    """A recommendation's ``unless`` condition holds for these answers."""
    return unless is not None and unless.evaluate(values) is True


def _require_finite(costs: dict[str, Any] | None, answers_file: AnswersFile) -> None:
    """Every computed figure is a finite number, or the input is refused (issue 14): the
    bounds of the schema keep products finite, and this names the fields if one is not."""
    from advisor.core.errors import InputError
    from advisor.core.jsonout import non_finite_paths

    bad = non_finite_paths(costs or {})
    if not bad:
        return
    given = [f"answers.{k}" for k, v in answers_file.answers.items()
             if isinstance(v, int | float) and not isinstance(v, bool)]
    given += [f"assumptions.{k}" for k, v in answers_file.assumptions.items() if v]
    raise InputError(f"the figures computed from these answers are too large to be numbers "
                     f"({bad[0]})", path=", ".join(given) or None,
                     expected="smaller volumes, token counts or prices")


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
    _require_finite(costs, answers_file)
    values = {**answers, **derive(role, answers, costs, regulated)}
    ev = evaluate(rulebase, role, values)
    cautions = [CautionItem(id=c.id, text=c.text, source=c.source,
                            applies=c.applies.evaluate(values) is True,
                            shown_because=_caution_basis(c, values, outcome))
                for c in rulebase.cautions
                if (outcome := c.when.evaluate(values)) is not False]
    missing = [MissingAnswer(q.id, q.prompt_for(role))
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
        recommendations=_recommendations(rulebase, role, ev, values, _facts(
            values, costs, regulated_industry=answers.get("industry") in rulebase.defaults.get(
                "regulated_industries", []))),
        cautions=cautions,
        scenarios=_scenarios(rulebase, values, assumptions, costs),
        costs=costs,
        missing=missing,
        answers={k: v for k, v in answers.items() if v is not None},
        assumptions=assumptions.as_table(),
        rules_digest=rulebase.digest,
        derived={k: values[k] for k in DERIVED_IDS},
    )
