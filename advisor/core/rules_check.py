"""``advisor rules check`` and ``advisor rules test``: keep the rule packs honest.

``check`` finds what a pack author can get wrong and the engine would silently tolerate:
unknown ids, option values that do not exist, type mismatches, duplicate ids, unknown
sources and recommendations, and rules that can never fire (found by trying every
combination of the values that matter to the rule). ``test`` runs the cases kept in the packs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from advisor.core import conditions
from advisor.core.assess import DERIVED_IDS, assess
from advisor.core.errors import RulePackError
from advisor.core.knowledge import parse_entries
from advisor.core.loading import validate_answers
from advisor.core.prices import PriceBook
from advisor.core.rulebase import RuleBase
from advisor.core.sources import SECTION_KEYS

_DERIVED_TYPES = {"role": "choice", "regulated_domain": "bool", "requests_per_month": "number",
                  "monthly_cost_usd": "number", "api_share_of_ai_budget": "number",
                  "self_hosting_pays": "bool", "spend_gap_flagged": "bool",
                  "spend_differs": "bool", "in_house": "bool", "model_below_open_band": "bool",
                  "bill_direction": "choice", "in_house_reason": "choice", "hybrid_gpus": "bool",
                  "materiality": "choice", "top_lever_share": "number",
                  "model_retiring": "bool", "model_quality": "choice"}


def _derived_options(name: str) -> tuple[Any, ...]:
    """The values a derived choice can take, from the cost records that produce them."""
    from advisor.core.cost_records import BILL_DIRECTIONS, IN_HOUSE_REASONS, MATERIALITY_LEVELS

    return {"bill_direction": BILL_DIRECTIONS, "in_house_reason": IN_HOUSE_REASONS,
            "materiality": MATERIALITY_LEVELS,
            "model_quality": ("reasoning", "frontier", "fine_tuned", "standard")}.get(name, ())


@dataclass(frozen=True)
class Problem:
    where: str
    message: str


def _kind(rulebase: RuleBase, name: str) -> tuple[str, tuple[Any, ...]] | None:
    q = rulebase.questionnaire.by_id.get(name)
    if q is not None:
        return q.type, q.option_values()
    if name in DERIVED_IDS:
        options = rulebase.questionnaire.roles if name == "role" else _derived_options(name)
        return _DERIVED_TYPES.get(name, "string"), tuple(options)
    return None


def _check_clause(rulebase: RuleBase, clause: conditions.Clause, where: str) -> list[Problem]:
    kind = _kind(rulebase, clause.name)
    if kind is None:
        known = list(rulebase.questionnaire.by_id) + list(DERIVED_IDS)
        import difflib

        close = difflib.get_close_matches(clause.name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return [Problem(where, f"unknown id {clause.name!r}{hint}")]
    qtype, options = kind
    if clause.value is None:
        return []
    literals = clause.value if isinstance(clause.value, tuple) else (clause.value,)
    problems = []
    for lit in literals:
        if qtype == "choice" and lit not in options:
            problems.append(Problem(where, f"{clause.name} has no option {lit!r}; options: "
                                           + ", ".join(map(str, options))))
        elif qtype == "bool" and not isinstance(lit, bool):
            problems.append(Problem(where, f"{clause.name} is yes/no; {lit!r} is not a boolean"))
        elif qtype in ("int", "number") and (isinstance(lit, bool) or not isinstance(
                lit, int | float)):
            problems.append(Problem(where, f"{clause.name} is a number; {lit!r} is not"))
        elif qtype == "string" and not isinstance(lit, str):
            problems.append(Problem(where, f"{clause.name} is text; {lit!r} is not"))
    if qtype in ("choice", "bool", "string") and clause.op in ("<", "<=", ">", ">="):
        problems.append(Problem(where, f"{clause.op} makes no sense for {qtype} {clause.name}"))
    return problems


def _values_to_try(rulebase: RuleBase, cond: conditions.Condition, name: str) -> list[Any]:
    kind = _kind(rulebase, name)
    values: list[Any] = [None]
    if kind is None:
        return values
    qtype, options = kind
    if qtype == "choice":
        return values + list(options)
    if qtype == "bool":
        return [*values, True, False]
    for clause in cond.clauses():
        if clause.name != name:
            continue
        lits = clause.value if isinstance(clause.value, tuple) else (clause.value,)
        for lit in lits:
            if isinstance(lit, int | float) and not isinstance(lit, bool):
                values += [lit - 1, lit - 0.5, lit, lit + 0.5, lit + 1]
            elif lit is not None:
                values.append(lit)
    return values


def firing_values(rulebase: RuleBase, cond: conditions.Condition,
                  limit: int = 20000) -> dict[str, Any] | None:
    """The smallest-looking assignment of values that makes ``cond`` true, or None.

    Raises OverflowError when there are too many combinations to try.
    """
    names = list(dict.fromkeys(cond.names()))
    pools = [_values_to_try(rulebase, cond, n) for n in names]
    total = 1
    for pool in pools:
        total *= len(pool)
    if total > limit:
        raise OverflowError(f"{total} combinations")
    for combo in itertools.product(*pools):
        values = dict(zip(names, combo, strict=True))
        if cond.evaluate(values) is True:
            return {k: v for k, v in values.items() if v is not None}
    return None


def can_fire(rulebase: RuleBase, cond: conditions.Condition, limit: int = 20000) -> bool | None:
    """True if some combination of values makes ``cond`` true; None if too many to try."""
    try:
        return firing_values(rulebase, cond, limit) is not None
    except OverflowError:
        return None


def _check_worded(rulebase: RuleBase, variants: Any, where: str) -> list[Problem]:
    """Per-reader wordings: their conditions read known ids with real options, and the last
    one answers every client (no condition), so a text is never left without words."""
    problems = [p for v in variants for c in v.when.clauses()
                for p in _check_clause(rulebase, c, where)]
    if variants and variants[-1].when_spec is not None:
        problems.append(Problem(where, "the last wording needs no `when`, so every client "
                                       "gets one"))
    return problems


def check(rulebase: RuleBase, knowledge: dict[str, Any] | None = None) -> list[Problem]:
    """Every problem in the rules; ``knowledge`` (the parsed knowledge file) is checked too."""
    problems: list[Problem] = []
    if knowledge is not None:
        try:
            parse_entries(knowledge)
        except RulePackError as exc:
            problems.append(Problem("knowledge.toml", str(exc)))
    seen: dict[str, str] = {}

    def unique(kind: str, ident: str) -> None:
        key = f"{kind}:{ident}"
        if key in seen:
            problems.append(Problem(f"{kind} {ident!r}", "duplicate id"))
        seen[key] = ident

    def source(where: str, key: str) -> None:
        if key not in SECTION_KEYS:
            problems.append(Problem(where, f"unknown source section {key!r}"))

    q = rulebase.questionnaire
    for question in q.questions:
        where = f"question {question.id!r}"
        unique("question", question.id)
        source(where, question.source)
        if question.section not in {s.id for s in q.sections}:
            problems.append(Problem(where, f"unknown section {question.section!r}"))
        for role in question.roles:
            if role != "*" and role not in q.roles:
                problems.append(Problem(where, f"unknown role {role!r}"))
        for field, worded in (("prompts", question.prompts), ("helps", question.helps)):
            for role in worded:
                if role not in q.roles:
                    problems.append(Problem(where, f"{field}: unknown role {role!r}"))
                elif not question.asked_of(role):
                    problems.append(Problem(where, f"{field}: worded for {role!r}, who is "
                                                   "not asked it"))
        if question.type == "choice" and not question.options:
            problems.append(Problem(where, "a choice question needs options"))
        for value in question.risk:
            if question.type == "choice" and value not in question.option_values():
                problems.append(Problem(where, f"risk order names unknown option {value!r}"))
        for clause in question.relevant.clauses():
            problems += _check_clause(rulebase, clause, where)
    for rule in rulebase.rules:
        where = f"rule {rule.id!r} (pack {rule.pack})"
        unique("rule", rule.id)
        source(where, rule.source)
        clause_problems = [p for c in rule.when.clauses()
                           for p in _check_clause(rulebase, c, where)]
        problems += clause_problems
        for rec in rule.recommends:
            if rec not in rulebase.recommendations:
                problems.append(Problem(where, f"recommends unknown id {rec!r}"))
        if not clause_problems and can_fire(rulebase, rule.when) is False:
            problems.append(Problem(where, "can never fire: no combination of answers makes "
                                           f"`{rule.when.text}` true"))
        if not rule.recommends and rule.points == 0:
            problems.append(Problem(where, "has no points and recommends nothing"))
    for rule in rulebase.rules:
        for field, variants in (("explanations", rule.explanations),
                                ("becauses", rule.becauses)):
            problems += _check_worded(rulebase, variants, f"rule {rule.id!r} {field}")
    for recommendation in rulebase.recommendations.values():
        where = f"recommendation {recommendation.id!r}"
        source(where, recommendation.source)
        for field, cond in (("unless", recommendation.unless), ("lead_when", recommendation.lead),
                            ("defer_when", recommendation.defer)):
            if cond is not None:
                for clause in cond.clauses():
                    problems += _check_clause(rulebase, clause, f"{where} {field}")
        for field, variants in (("titles", recommendation.titles),
                                ("whys", recommendation.whys)):
            problems += _check_worded(rulebase, variants, f"{where} {field}")
        if not any(recommendation.id in r.recommends for r in rulebase.rules):
            problems.append(Problem(where, "no rule selects it"))
    for caution in rulebase.cautions:
        where = f"caution {caution.id!r}"
        unique("caution", caution.id)
        source(where, caution.source)
        for clause in caution.when.clauses():
            problems += _check_clause(rulebase, clause, where)
        if caution.applies is not caution.when:
            for clause in caution.applies.clauses():
                problems += _check_clause(rulebase, clause, f"{where} applies")
    for scenario in rulebase.scenarios:
        source(f"scenario {scenario.id!r}", scenario.source)
        for outlook in scenario.outlooks:
            for clause in outlook.when.clauses():
                problems += _check_clause(rulebase, clause, f"scenario {scenario.id!r} outlook")
    if rulebase.tier_high <= rulebase.tier_medium:
        problems.append(Problem("tiers", "high must be above medium"))
    return problems


@dataclass(frozen=True)
class TestOutcome:
    pack: str
    name: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run_tests(rulebase: RuleBase, prices: PriceBook | None = None) -> list[TestOutcome]:
    outcomes = []
    for case in rulebase.tests:
        failures: list[str] = []
        try:
            answers = validate_answers({"schema_version": 1, "role": case.role,
                                        "answers": case.answers}, rulebase.questionnaire,
                                       file=f"test {case.name!r}")
            result = assess(answers, rulebase, prices, as_of=case.as_of)
        except Exception as exc:
            outcomes.append(TestOutcome(case.pack, case.name, (f"error: {exc}",)))
            continue
        fired = {r.id for r in result.fired_rules}
        recs = {r.id for r in result.recommendations}
        if case.tier and result.tier != case.tier:
            failures.append(f"tier {result.tier} (score {result.score}), expected {case.tier}")
        failures += [f"rule {r!r} did not fire" for r in case.fired if r not in fired]
        failures += [f"recommendation {r!r} missing" for r in case.recommendations
                     if r not in recs]
        failures += [f"{r!r} present but should be absent" for r in case.absent
                     if r in recs or r in fired]
        order = [r.id for r in result.recommendations][:len(case.first)]
        if case.first and order != list(case.first):
            failures.append(f"first recommendations {order}, expected {list(case.first)}")
        outcomes.append(TestOutcome(case.pack, case.name, tuple(failures)))
    return outcomes
