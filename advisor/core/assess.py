"""The pure core: a validated answers file -> :class:`Result`. No I/O, no UI, no network.

Every edge (CLI, TUI, batch, tests) calls :func:`assess`. Prices come in through a
:class:`PriceBook` the caller supplies (it is only consulted when a model is named), and the
rules through a :class:`RuleBase`, so this module never decides where anything is read from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.core import wording
from advisor.core.cost_records import Costs
from advisor.core.costs import CostAssumptions, compute_costs, merge_assumptions
from advisor.core.engine import Evaluation, evaluate
from advisor.core.findings import findings, voice_for
from advisor.core.prices import Price, PriceBook, in_house_by_answers
from advisor.core.result import (
    CautionItem,
    FiredRule,
    MissingAnswer,
    RecommendationItem,
    Result,
    ScenarioItem,
)
from advisor.core.rulebase import RuleBase, choose

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
    "bill_direction": "the bill against the computed cost: agree (within 20%), higher, lower, "
                      "or no_bill (nothing is paid to an API)",
    "in_house_reason": "why the work runs in house: regulation, on_premises or choice",
    "hybrid_gpus": "GPUs are owned for other work while this workload runs on an API",
    "materiality": "whether the cost matters: immaterial, material or critical (costs.md)",
    "top_lever_share": "the biggest cost lever's saving as a share of the monthly cost",
    "model_retiring": "the price map retires the current model within 12 months",
    "model_quality": "the current model's class: reasoning, frontier, fine_tuned or standard",
}


def regulated_domain(values: dict[str, Any], regulated_industries: list[str]) -> bool | None:
    """True when regulated or in a regulated industry; None while either is unknown and not True."""
    industry, regulated = values.get("industry"), values.get("regulated")
    if regulated is True or industry in regulated_industries:
        return True
    if regulated is False and industry is not None:
        return False
    return None


def derive(role: str, values: dict[str, Any], costs: Costs | None,
           regulated: bool | None) -> dict[str, Any]:
    hosting = None if costs is None else costs.self_hosting
    verdict = None if hosting is None else hosting.verdict
    pays = {"self-hosting pays": True, "stay on API": False, "never pays": False}.get(
        str(verdict)) if verdict is not None else None
    in_house = None if costs is None else costs.in_house
    if in_house is None and values.get("on_prem_required") is False and values.get(
            "model") is None:
        in_house = False
    requests = None if costs is None else costs.monthly_requests
    bill = None if costs is None else costs.bill
    matter = None if costs is None else costs.materiality
    # The biggest lever that keeps the same class of model (a swap to an open model that is
    # not like-for-like is a finding of its own, not a cut in the cost of an answer).
    best = None if costs is None else next(
        (lv for lv in costs.levers if lv.monthly_savings_usd is not None
         and lv.quality != "not_like_for_like"), None)
    today = None if costs is None else costs.monthly_usd
    return {
        "role": role,
        "regulated_domain": regulated,
        "requests_per_month": requests,
        "monthly_cost_usd": today,
        "api_share_of_ai_budget": None if costs is None else costs.api_share_of_ai_budget,
        "self_hosting_pays": pays if requests is not None or verdict == "never pays" else None,
        "spend_gap_flagged": None if bill is None else bill.far,
        "spend_differs": None if bill is None else bill.differs,
        "bill_direction": None if bill is None else bill.direction,
        "in_house": in_house,
        "in_house_reason": None if costs is None else costs.in_house_reason,
        "hybrid_gpus": None if hosting is None else hosting.hybrid,
        "model_below_open_band": _below_band(costs, in_house),
        "materiality": None if matter is None else matter.level,
        "top_lever_share": None if best is None or not today or best.monthly_savings_usd
        is None else round(best.monthly_savings_usd / today, 6),
        "model_retiring": None if costs is None or costs.current is None
        else costs.lifecycle is not None,
        "model_quality": None if costs is None or costs.current is None
        else costs.current.quality,
    }


def _below_band(costs: Costs | None, in_house: bool | None) -> bool | None:
    if costs is None or in_house:
        return None
    current = costs.monthly_usd
    band = None if costs.open_model_band is None else costs.open_model_band.low_usd
    if current is None or band is None or band <= 0:
        return None
    return current < band


def _price_overrides(assumptions: dict[str, Any]) -> dict[str, Price]:
    return {name: Price(name, p["input_per_mtok"], p["output_per_mtok"], "",
                        "assumptions.prices in the answers file")
            for name, p in (assumptions.get("prices") or {}).items()}


def _cost_facts(costs: Costs, put: Any, facts: dict[str, str],
                words: dict[str, dict[str, str]]) -> None:
    """The cost figures the rules' ``because`` sentences may name, in words."""
    current = costs.current
    today = costs.monthly_usd
    put("bill", costs.reported_spend_usd, wording.usd)
    put("api_share", costs.api_share_of_ai_budget, wording.percent)
    put("computed", today, wording.usd)
    put("current_model", None if current is None else current.name, str)
    spend = costs.reported_spend_usd
    put("spend", spend if spend is not None else today, wording.usd)
    if costs.monthly_requests is not None:
        facts["volume"] = wording.volume(costs.monthly_requests, costs.monthly_calls)
    hosting = costs.self_hosting
    if hosting is not None:
        if hosting.break_even_requests is not None:
            facts["break_even"] = wording.volume(hosting.break_even_requests,
                                                 hosting.break_even_calls)
        # the cost model words the options for a founder ("your current model's API"); the
        # reader's voice (rules/voice.toml) says "its" to an investor
        put("cheapest", None if hosting.summary is None else hosting.summary.replace(
            "your current model", f"{facts.get('its', 'your')} current model"), str)
        put("gpus_busy", hosting.gpus_at_peak,
            lambda v: "less than a tenth of a GPU busy" if v < 0.1 else
            f"{v:.1f} GPUs busy at peak")
        put("spare_gpus", hosting.spare_gpus, lambda v: f"{v:.1f}")
    put("in_house_cost", today if current is not None and current.basis == "in_house"
        else None, wording.usd)
    _bill_facts(costs, facts)
    _lever_facts(costs, facts, words)
    life = costs.lifecycle
    if life is not None:
        # a date already past is said as past ("retired on"), never "before" it
        facts["retired_date" if life.retired else "retire_date"] = wording.day(
            life.deprecation_date)
        put("successor", life.successor_model, str)
        put("successor_cost", life.successor_monthly_usd, wording.usd)


def _bill_facts(costs: Costs, facts: dict[str, str]) -> None:
    """The bill against the computed cost in words: "48× the", "53% above the", "35% below
    the" ({gap} cost computed), and the short form for titles ("48×", "53% higher")."""
    bill = costs.bill
    ratio = bill.ratio
    if ratio is None or ratio <= 0 or bill.direction not in ("higher", "lower"):
        return
    if ratio >= 2:
        facts["gap"], facts["gap_short"] = f"{wording.times(ratio)} the", wording.times(ratio)
    elif ratio >= 1:
        pct = f"{(ratio - 1) * 100:.0f}%"
        facts["gap"], facts["gap_short"] = f"{pct} above the", f"{pct} higher"
    else:
        pct = f"{(1 - ratio) * 100:.0f}%"
        facts["gap"], facts["gap_short"] = f"{pct} below the", f"{pct} lower"


def _lever_facts(costs: Costs, facts: dict[str, str], words: dict[str, dict[str, str]]) -> None:
    """The levers with a known saving in words (rules/recommendations.toml [words]): the one a
    title may name (the biggest that keeps the class of model: a swap to a lesser class is not
    the same work, costs.md), the biggest of all (``top_lever_*``), and the list, each lever
    with its quality caveat."""
    known = [lv for lv in costs.levers if lv.monthly_savings_usd]
    today = costs.monthly_usd
    if not known or not today:
        return
    names, caveats = words.get("levers", {}), words.get("lever_quality", {})

    def name(lever: Any) -> str:
        text = names.get(lever.id, lever.id.replace("_", " "))
        return wording.fill(text, {"model": lever.model or "a smaller model"}) or text

    def put(prefix: str, lever: Any) -> None:
        facts[f"{prefix}_name"] = name(lever)
        facts[f"{prefix}_saving"] = wording.usd(lever.monthly_savings_usd)
        facts[f"{prefix}_share"] = wording.whole_pct(100 * (lever.monthly_savings_usd or 0)
                                                     / today)

    put("top_lever", known[0])
    facts["top_lever_caveat"] = caveats.get(known[0].quality or "", "")
    same_work = [lv for lv in known if lv.quality != "not_like_for_like"]
    if same_work:
        put("lever", same_work[0])
    facts["levers"] = "; ".join(
        f"{name(lv)}, about {wording.usd(lv.monthly_savings_usd)}"
        f"{caveats.get(lv.quality or '', '')}" for lv in known[:3])


def _facts(values: dict[str, Any], costs: Costs | None, *,
           regulated_industry: bool = False, voice: dict[str, str] | None = None,
           words: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """The user's answers and figures in words, for the ``{name}`` slots of rules' ``because``,
    recommendations' titles and ``why``, and rules' explanations; ``voice`` adds the reader's
    words (rules/voice.toml: {your} is "your" or "the company's")."""
    facts: dict[str, str] = dict(voice or {})

    def put(key: str, value: Any, say: Any) -> None:
        if value is not None:
            facts[key] = say(value)

    for key in ("deferred_use_cases", "calls_per_task", "self_hosted_gpus"):
        put(key, values.get(key), wording.count)
    put("gross_margin_pct", values.get("gross_margin_pct"), lambda v: f"{v:g}%")
    put("model", values.get("model"), str)
    put("budget", values.get("monthly_ai_budget_usd"), wording.usd)
    if costs is not None:
        _cost_facts(costs, put, facts, words or {})
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
    # A field is called regulated only when the client did not say it is not (issue 19: no
    # constraint the client did not state is ever assumed).
    field = regulated_industry and values.get("regulated") is not False
    regulated = values.get("regulated") is True or field
    hosting = None if costs is None else costs.self_hosting
    switching = hosting is not None and hosting.cheapest_option not in (None, "current_api")
    facts["quality_caveat"] = (
        "" if not switching else
        "; in a regulated field, any cheaper model must pass the same validation and audit "
        "checks before it carries work" if regulated else
        "; where quality is trust-critical, any cheaper model must pass the same checks "
        "before it carries work" if values.get("relies_on_cheap_ai_for_quality") is True
        else "")
    why = []
    if values.get("regulated") is True:
        why.append("validation, audit logs or data governance are mandated")
    if values.get("on_prem_required") is True:
        why.append("the work must run on premises")
    if field:
        why.append(f"{facts.get('your', 'your')} industry "
                   f"({str(values.get('industry')).replace('_', ' ')}) is one where compliance "
                   "costs sit beside token prices")
    if why:
        facts["compliance_reason"] = "you answered that " + "; ".join(why)
    return facts


def _generic_because(rule: Any, values: dict[str, Any], rulebase: RuleBase,
                     facts: dict[str, str] | None = None) -> str:
    """A rule without its own wording: the answers it read, as the questionnaire words them."""
    q = rulebase.questionnaire.by_id
    role = values.get("role")
    parts = [f"{q[n].prompt_for(role).rstrip('?')}: {q[n].label_for(values[n]).lower()}"
             for n in rule.reads if n in q and values.get(n) is not None]
    return "you answered " + "; ".join(parts) if parts else rule.explanation_for(
        values, facts or {}).rstrip(".")


def _recommendations(rulebase: RuleBase, role: str, ev: Evaluation, values: dict[str, Any],
                     facts: dict[str, str]) -> list[RecommendationItem]:
    """Selected recommendations, by what matters to this reader (spec/result.md).

    Relevance is the weight of the fired rules that selected a recommendation (constraints
    such as on-premises operation are rules too); ties keep the catalogue order. Then the
    reader's situation reorders them, as data: those whose ``lead_when`` holds go first (in
    catalogue order: a bill far off before anything else), those whose ``defer_when`` holds go
    last (cost tooling after strategy when the cost is immaterial). One that conflicts with a
    stated constraint (its ``unless`` is true) is never given. Titles, ``why`` and ``because``
    are worded for this client, with their figures.
    """
    weight: dict[str, float] = {}
    reasons: dict[str, list[tuple[float, str]]] = {}
    for trace in ev.traces:
        if not trace.fired:
            continue
        rule = trace.rule
        said = choose(rule.becauses, values, facts) or _generic_because(
            rule, values, rulebase, facts)
        for rec_id in rule.recommends:
            weight[rec_id] = weight.get(rec_id, 0.0) + rule.weight
            reasons.setdefault(rec_id, []).append((rule.weight, said))
    chosen = [rulebase.recommendations[r] for r in weight
              if r in rulebase.recommendations and rulebase.recommendations[r].addressed_to(role)
              and not _ruled_out(rulebase.recommendations[r].unless, values)]

    def place(r: Any) -> tuple[int, float, int]:
        if r.lead is not None and r.lead.evaluate(values) is True:
            return (0, 0.0, r.rank)
        deferred = r.defer is not None and r.defer.evaluate(values) is True
        return (2 if deferred else 1, -weight[r.id], r.rank)

    chosen.sort(key=place)
    items = []
    for i, r in enumerate(chosen, start=1):
        ordered = sorted(reasons[r.id], key=lambda ws: -ws[0])
        because = tuple(dict.fromkeys(text for _, text in ordered))
        items.append(RecommendationItem(id=r.id, priority=i, title=r.title_for(values, facts),
                                        why=r.why_for(values, facts), source=r.source,
                                        because=because, relevance=weight[r.id]))
    return items


def _cautions(rulebase: RuleBase, values: dict[str, Any]) -> list[CautionItem]:
    """The §7 cautions this client is shown. One whose assumption the client answered "no" to
    (its ``applies`` is false) is not theirs: it is shown only when their field alone calls
    for it (``when`` true), never as "your answers do not rule this out" (issue 19)."""
    items = []
    for c in rulebase.cautions:
        outcome = c.when.evaluate(values)
        if outcome is False:
            continue
        applies = c.applies.evaluate(values)
        if applies is False and outcome is not True:
            continue
        items.append(CautionItem(id=c.id, text=c.text, source=c.source, applies=applies is True,
                                 shown_because=_caution_basis(c, values, outcome)))
    return items


def _scenarios(rulebase: RuleBase, values: dict[str, Any], a: CostAssumptions,
               costs: Costs | None) -> list[ScenarioItem]:
    projected = None if costs is None else costs.scenarios
    items = []
    for s in rulebase.scenarios:
        outlook = next((o.text for o in s.outlooks if o.when.evaluate(values) is True), "")
        cost = None if projected is None else projected.by_id.get(s.id)
        items.append(ScenarioItem(id=s.id, title=s.title, probability=a.probabilities[s.id],
                                  multiplier=None if cost is None else cost.multiplier,
                                  outlook=outlook, summary=s.summary,
                                  monthly_cost_usd=None if cost is None else cost.monthly_usd,
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


def _require_finite(costs: Costs, answers_file: AnswersFile) -> None:
    """Every computed figure is a finite number, or the input is refused (issue 14): the
    bounds of the schema keep products finite, and this names the fields if one is not."""
    from advisor.core.errors import InputError
    from advisor.core.jsonout import non_finite_paths

    bad = non_finite_paths(costs.to_dict())
    if not bad:
        return
    given = [f"answers.{k}" for k, v in answers_file.answers.items()
             if isinstance(v, int | float) and not isinstance(v, bool)]
    given += [f"assumptions.{k}" for k, v in answers_file.assumptions.items() if v]
    raise InputError(f"the figures computed from these answers are too large to be numbers "
                     f"({bad[0]})", path=", ".join(given) or None,
                     expected="smaller volumes, token counts or prices")


def priced_costs(values: dict[str, Any], price: Price | None, prices: PriceBook | None,
                 assumptions: CostAssumptions, *, regulated: bool, as_of: str | None,
                 model_name: str | None) -> Costs:
    """The cost model on ``values``, with what the price book adds beyond the model's own
    price: the same provider's models (the smaller-model lever) and the retiring model's
    successor, priced. One place, for assess and the stand-alone calculator alike."""
    siblings: tuple[Price, ...] = ()
    successor = None
    if price is not None and prices is not None and price.traits is not None:
        siblings = tuple(prices.siblings(price.provider))
        if price.traits.successor_model:
            successor = prices.lookup_full(price.traits.successor_model)
    return compute_costs(values, price, assumptions, regulated_domain=regulated, as_of=as_of,
                         siblings=siblings, successor=successor, model_name=model_name)


def assess(answers_file: AnswersFile, rulebase: RuleBase, prices: PriceBook | None, *,
           as_of: str | None = None) -> Result:
    """Answers -> result. Raises :class:`advisor.core.errors.InputError` for an unknown model.

    ``as_of`` is the report's date (ISO): the model-retirement finding counts from it, so the
    edges pass the day they date the report with; without it no retirement is reported.
    """
    role = answers_file.role
    answers = answers_file.answers
    assumptions = merge_assumptions(rulebase.defaults, rulebase.anchors, answers_file.assumptions)
    price = None
    model = answers.get("model")
    if model is not None:
        if prices is None:
            prices = PriceBook(entries={})
        price = prices.resolve(model, _price_overrides(answers_file.assumptions),
                               in_house=in_house_by_answers(answers))
    regulated = regulated_domain(answers, rulebase.defaults.get("regulated_industries", []))
    costs = priced_costs(answers, price, prices, assumptions, regulated=regulated is True,
                         as_of=as_of, model_name=model)
    _require_finite(costs, answers_file)
    values = {**answers, **derive(role, answers, costs, regulated)}
    voice = voice_for(rulebase.voices, values)
    ev = evaluate(rulebase, role, values)
    cautions = _cautions(rulebase, values)
    facts = _facts(values, costs, regulated_industry=answers.get("industry") in
                   rulebase.defaults.get("regulated_industries", []), voice=voice,
                   words=rulebase.words)
    missing = [MissingAnswer(q.id, q.prompt_for(role))
               for q in rulebase.questionnaire.relevant_for(role, values)
               if answers.get(q.id) is None and q.weight > 0]
    return Result(
        role=role,
        organization=answers_file.organization,
        tier=ev.tier,
        score=ev.score,
        confidence=ev.confidence,
        fired_rules=[FiredRule(t.rule.id, t.rule.points, t.rule.explanation_for(values, facts),
                               t.rule.source) for t in ev.fired],
        recommendations=_recommendations(rulebase, role, ev, values, facts),
        cautions=cautions,
        scenarios=_scenarios(rulebase, values, assumptions, costs),
        costs=costs,
        missing=missing,
        answers={k: v for k, v in answers.items() if v is not None},
        assumptions=assumptions.as_table(),
        rules_digest=rulebase.digest,
        derived={k: values[k] for k in DERIVED_IDS},
        as_of=as_of,
        findings=findings(costs, values, rulebase.findings, voice),
        voice=voice,
    )
