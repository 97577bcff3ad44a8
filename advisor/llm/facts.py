"""The assessment's facts, as the LLM sees them and as the guard checks against.

One function builds both, so the figures a draft may use are exactly the figures it was
shown. Money and percentages are formatted the way the report formats them, which keeps the
model from re-deriving them. Free text (the organization name) stays a JSON string value: the
prompt presents the whole block as data, and JSON escaping keeps quotes, newlines and angle
brackets inside it from breaking out of the block.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from advisor.core.result import Result
from advisor.core.rulebase import RuleBase
from advisor.core.wording import ratio_words
from advisor.render import formatting
from advisor.render.formats import LEVER_NAMES

#: Keys of the facts that hold the user's free text: data for the prompt, never facts.
FREE_TEXT = ("organization",)
MAX_DRIVERS = 3
MAX_RECOMMENDATIONS = 6
MAX_NOTES = 4
REASONS_FOR_TOP = 3  # the first recommendations carry their "why"; the rest only a title
ALWAYS_CITED = ("s1-prices", "s5-scenarios")
_CHECKLIST_ROWS = {"startup": "startup", "enterprise_it": "enterprise", "investor": "investor",
                   "developer": "developer"}


@dataclass(frozen=True, slots=True)
class Facts:
    data: dict[str, Any]  # what goes into the prompt (JSON)
    sections: tuple[str, ...]  # article section keys the facts rest on
    notes: dict[str, str]  # section key -> our short note on that section
    #: what the user typed (a model named "acme 987654"): its digits are not facts
    typed: tuple[str, ...] = ()

    def as_json(self) -> str:
        """The facts block: compact JSON, with ``<`` and ``>`` escaped so it cannot close a tag."""
        text = json.dumps({**self.data, "article_notes": self.notes}, ensure_ascii=False)
        return text.replace("<", "\\u003c").replace(">", "\\u003e")

    def texts(self) -> list[str]:
        """Every string the guard may take figures from: the facts, never the free text.

        The organization name is what the user typed: "$987,654 a month" in it is not a
        figure the engine computed, so a draft repeating it is an invented figure."""
        data = {k: v for k, v in self.data.items() if k not in FREE_TEXT}
        text = json.dumps({**data, "article_notes": self.notes}, ensure_ascii=False)
        # A typed name is quoted wherever the facts name it (the model, a lever "(model)"):
        # cut it out, so "acme 987654" lends no 987654 to a draft.
        for typed in sorted(self.typed, key=len, reverse=True):
            text = text.replace(json.dumps(typed, ensure_ascii=False)[1:-1], " ")
        return [text]


def _usd(x: float | None) -> str | None:
    """Dollars as the report writes them ($48,600; $0.00675), so the draft reads like it."""
    return None if x is None else formatting.money(x)


def _costs(result: Result) -> dict[str, Any]:
    """The cost figures a narrative may quote, said as the report says them, and the
    findings, so "how do we cut this?" and "does this even matter?" rest on the same figures."""
    c = result.costs
    out: dict[str, Any] = {}
    if c is None:
        return out
    current = c.current
    if current is not None:
        out["model"] = current.name or current.model
        if current.input_per_mtok is not None:
            out["model_price_per_million_tokens"] = (
                f"{formatting.per_mtok(current.input_per_mtok)} input / "
                f"{formatting.per_mtok(current.output_per_mtok)} output")
        out["monthly_cost_now"] = _usd(current.monthly_usd)
        if current.basis == "in_house":
            out["cost_basis"] = "owned GPUs: cloud price cuts never lower it"
            out["why_in_house"] = {"regulation": "required by regulation",
                                   "on_premises": "an on-premises policy",
                                   "choice": "the organisation's own choice (an API is "
                                             "allowed)"}.get(c.in_house_reason or "")
    if c.monthly_requests is not None:
        out["monthly_requests"] = formatting.number(c.monthly_requests)
    if c.monthly_calls is not None and c.monthly_calls != c.monthly_requests:
        out["monthly_llm_calls"] = formatting.number(c.monthly_calls)
    if c.per_task_usd is not None:
        out["cost_per_request"] = _usd(c.per_task_usd)
    base = c.baseline_2023
    if base is not None and base.monthly_usd is not None:
        out["same_workload_at_gpt4_march_2023_prices"] = f"{_usd(base.monthly_usd)} a month"
        if c.monthly_usd is not None:
            difference = base.monthly_usd - c.monthly_usd
            key = "saving_vs_2023_per_month" if difference >= 0 else "extra_vs_2023_per_month"
            out[key] = _usd(abs(difference))
    if c.reduction_vs_2023_pct is not None:
        out["reduction_vs_2023"] = formatting.pct(c.reduction_vs_2023_pct)
    band = c.open_model_band
    if band is not None and band.low_usd is not None:
        out["same_tokens_on_open_models_late_2025"] = (
            f"{_usd(band.low_usd)} to {_usd(band.high_usd)} a month")
    bill = c.bill
    if bill.reported_usd is not None:
        out["reported_api_spend"] = f"{formatting.money(bill.reported_usd)} a month"
        if bill.direction in ("higher", "lower") and bill.ratio is not None:
            out["reported_vs_computed"] = (
                f"the bill is {ratio_words(bill.ratio)} the computed cost: the computed "
                f"figures are {'a floor' if bill.direction == 'higher' else 'a ceiling'}; "
                "show both; never call it 'in line'")
        elif bill.direction == "no_bill":
            out["reported_vs_computed"] = "no API bill is paid: nothing to reconcile"
    if c.api_share_of_ai_budget is not None:
        out["api_share_of_ai_budget"] = formatting.percent(c.api_share_of_ai_budget)
    hosting = c.self_hosting
    if hosting is not None and not c.in_house:  # in house, the cost now is the GPUs' cost
        parts = [f"verdict: {hosting.verdict or 'unknown'}"]
        if hosting.break_even_requests is not None:
            parts.append(f"break-even at {formatting.number(hosting.break_even_requests)} "
                         "requests a month")
        if hosting.monthly_usd is not None:
            parts.append(f"self-hosting would cost {_usd(hosting.monthly_usd)} a month")
        if hosting.summary and not c.in_house:
            # names the cheapest of the three options with its figure
            parts = [hosting.summary, *(p for p in parts if p.startswith("break-even"))]
        out["self_hosting"] = "; ".join(parts)
    if c.scenarios is not None and c.scenarios.expected_monthly_usd is not None:
        out["expected_monthly_cost_in_12_24_months"] = formatting.estimate(
            c.scenarios.expected_monthly_usd)
    levers = []
    for lv in c.levers:
        saving = (f"{_usd(lv.monthly_savings_usd)} a month" if lv.monthly_savings_usd is not None
                  else f"{_usd(lv.savings_per_10pct_usd)} a month per 10% of the workload")
        name = LEVER_NAMES[lv.id] + (f" ({lv.model})" if lv.model else "")
        note = "; not like-for-like" if lv.quality == "not_like_for_like" else (
            "; needs a quality test" if lv.quality == "needs_quality_test" else "")
        levers.append(f"{name}: {saving}{note}")
    if levers:
        out["cost_levers_largest_first"] = levers[:2]
    if c.materiality.level is not None:
        out["does_the_cost_matter"] = c.materiality.level
    if result.findings:
        out["findings"] = [f.text for f in result.findings[:3]]
        if any(f.id == "cheapest_option" for f in result.findings[:3]):
            # the finding names the cheapest option with its figure: keep the break-even only
            kept = [p for p in str(out.get("self_hosting", "")).split("; ")
                    if p.startswith("break-even")]
            out["self_hosting"] = "; ".join(kept) or None
    return {k: v for k, v in out.items() if v is not None}


def _market(rulebase: RuleBase) -> dict[str, str]:
    """The article's reference prices (s1-prices), which a narrative naturally quotes."""
    a = rulebase.anchors
    launch, band, cut = a["gpt4_launch"], a["open_model_band"], a["reduction"]
    return {
        "gpt4_launch_march_2023": (f"{formatting.per_mtok(launch['input_per_mtok'])} input / "
                                   f"{formatting.per_mtok(launch['output_per_mtok'])} output "
                                   "per million tokens"),
        "open_models_late_2025": (f"{formatting.per_mtok(band['low_per_mtok'])}–"
                                  f"{formatting.per_mtok(band['high_per_mtok'])} per million "
                                  "tokens"),
        "price_fall_at_gpt4_level_since_2023": (f"{formatting.number(cut['low_pct'])}–"
                                                f"{formatting.number(cut['high_pct'])}%"),
    }


def _numbers_given(result: Result, rulebase: RuleBase) -> dict[str, Any]:
    q = rulebase.questionnaire.by_id
    return {k: v for k, v in result.answers.items()
            if k in q and q[k].type in ("int", "number") and not isinstance(v, bool)}


def build_facts(result: Result, rulebase: RuleBase, *, notes_for: tuple[str, ...] | None = None
                ) -> Facts:
    """The facts of ``result`` (and the notes on the article sections behind them)."""
    from advisor.data.rules import load_knowledge
    from advisor.render.report import ROLE_LABELS

    drivers = [r for r in result.fired_rules if r.points > 0][:MAX_DRIVERS]
    favour = [r for r in result.fired_rules if r.points < 0][:2]
    recs = result.recommendations[:MAX_RECOMMENDATIONS]
    data: dict[str, Any] = {
        "organization": result.organization or None,
        "role": ROLE_LABELS.get(result.role, result.role),
        "tier": result.tier,
        "score": result.score,
        "score_scale": (f"0-100, higher = more exposed; high from "
                        f"{formatting.number(rulebase.tier_high)}, medium from "
                        f"{formatting.number(rulebase.tier_medium)}"),
        "confidence": formatting.percent(result.confidence),
        "drivers": [{"points": f"{r.points:+g}", "why": r.explanation, "source": r.source}
                    for r in drivers],
        "in_your_favour": [{"points": f"{r.points:+g}", "why": r.explanation,
                            "source": r.source} for r in favour],
        "recommendations": [
            {"priority": r.priority, "action": r.title, "source": r.source,
             # the answers and figures that put it first, as the summary says them; the
             # catalogue's reasoning only where there is none (the prompt budget, bench B8)
             **(({"because": r.because[0]} if r.because else {"why": r.why})
                if i < REASONS_FOR_TOP else {})}
            for i, r in enumerate(recs)],
        "more_recommendations": max(0, len(result.recommendations) - len(recs)),
        "numbers_given": _numbers_given(result, rulebase),
        "costs": _costs(result),
        "scenario_horizon": "12–24 months",
        "scenarios_12_24_months": [
            {"name": s.title, "probability": formatting.percent(s.probability),
             **({"price_multiplier": f"×{s.multiplier:g}"} if s.multiplier is not None else {}),
             **({"monthly_cost": _usd(s.monthly_cost_usd)} if s.monthly_cost_usd is not None
                else {}),
             "outlook": s.outlook or s.summary}
            for s in result.scenarios],
        "cautions": [c.text for c in result.cautions if c.applies][:2],
        "market": _market(rulebase),
        "unanswered_questions": len(result.missing),
    }
    if not data["in_your_favour"]:
        del data["in_your_favour"]
    if not data["cautions"]:
        del data["cautions"]
    cited = ({r.source for r in drivers} | {r.source for r in favour}
             | {r.source for r in recs} | {c.source for c in result.cautions if c.applies}
             | set(ALWAYS_CITED))
    from advisor.core.sources import SECTION_TITLES

    order = list(SECTION_TITLES)
    sections = tuple(sorted((k for k in cited if k in SECTION_TITLES), key=order.index))
    kb = load_knowledge()
    notes = {}
    if notes_for is None:
        # The sections behind the strongest drivers and first recommendations come first; the
        # prompt budget (2,000 tokens) holds about four notes.
        ranked = [r.source for r in drivers] + [r.source for r in recs] + list(ALWAYS_CITED)
        notes_for = tuple(dict.fromkeys(k for k in ranked if k in SECTION_TITLES))[:MAX_NOTES]
    for key in notes_for:
        if key == "s6-checklist":
            # The checklist has rows per position: the reader's rows are the relevant note.
            prefix = "s6-" + _CHECKLIST_ROWS.get(result.role, result.role)
            rows = [e.text for e in kb.entries if e.id.startswith(prefix)]
            if rows:
                notes[key] = " ".join(rows)
                continue
        entry = kb.brief(key)
        if entry is not None:
            notes[key] = entry.text
    return Facts(data=data, sections=sections, notes=notes,
                 typed=_typed(result, rulebase))


def _typed(result: Result, rulebase: RuleBase) -> tuple[str, ...]:
    """The free text of the answers (string questions, such as the model's name) that
    carries a digit: what the user wrote, not what the engine computed."""
    q = rulebase.questionnaire.by_id
    return tuple(v for k, v in result.answers.items()
                 if k in q and q[k].type == "string" and isinstance(v, str)
                 and any(c.isdigit() for c in v))
