"""``advisor explain`` as plain text: the rule trace and the what-if, for a terminal."""

from __future__ import annotations

from typing import Any

from advisor.core.answers import AnswersFile
from advisor.core.cost_records import Costs
from advisor.core.explain import WhatIf, trace, what_if
from advisor.core.prices import PriceBook
from advisor.core.rulebase import RuleBase
from advisor.core.wording import ratio_words
from advisor.core.wording import volume as volume_words
from advisor.data import clock
from advisor.render.formats import LEVER_NAMES, OPTION_NAMES
from advisor.render.formatting import money as usd
from advisor.render.formatting import number, terminal_escape


def render_text(answers_file: AnswersFile, rulebase: RuleBase, prices: PriceBook | None) -> str:
    """The trace and what-if as plain text for a terminal."""
    result, traces = trace(answers_file, rulebase, prices, as_of=clock.as_of())
    q = rulebase.questionnaire
    lines = [f"Tier: {result.tier}  score {result.score}/100  confidence {result.confidence:.0%}"
             f"  (high from {rulebase.tier_high:g}, medium from {rulebase.tier_medium:g})", ""]
    lines += _cost_lines(result.costs, result.findings)
    lines += _recommendation_lines(result)
    lines += ["Rules (fired first, then undecided, then not fired):"]
    order = {True: 0, None: 1, False: 2}
    for t in sorted(traces, key=lambda t: (order[t.outcome], -abs(t.rule.points))):
        mark = {True: "FIRED    ", None: "unknown  ", False: "no       "}[t.outcome]
        read = ", ".join(f"{k}={_show(v)}" for k, v in t.read.items())
        lines.append(f"  {mark}{t.rule.points:+5g}  {t.rule.id:<32} [{t.rule.source}]")
        lines.append(f"             when {t.rule.when.text}")
        lines.append(f"             read {terminal_escape(read)}")
    changes = what_if(answers_file, rulebase, prices)
    for direction, label in (("down", "lower"), ("up", "raise")):
        lines += ["", f"What would {label} the tier:"]
        found = changes[direction]
        if not found:
            lines.append("  nothing within two answer changes" if (direction == "down" and
                         result.tier != "lower") or (direction == "up" and result.tier != "high")
                         else f"  already at the {'lowest' if direction == 'down' else 'highest'}"
                              " tier")
        for w in found:
            parts = "; ".join(
                f"{c.question}: {q.by_id[c.question].label_for(c.before)} -> "
                f"{q.by_id[c.question].label_for(c.after)}" for c in w.changes)
            lines.append(f"  {parts}  =>  {w.tier} ({w.score})")
        if direction == "down":
            lines += _levers(changes, result, q)
    return "\n".join(lines) + "\n"


_BASIS = {"answered": "the token sizes you gave",
          "inferred_from_bill": "tokens inferred from your bill at the model's price",
          "default_sizes": "default request sizes (an assumption; give yours to firm it up)"}
def _cost_lines(c: Costs | None, findings: list[Any]) -> list[str]:
    """What the costs rest on (spec/costs.md): the basis, the bill in its direction, the three
    options, the break-even, the levers, whether it matters, the model's retirement."""
    lines = ["Costs:"]
    if c is None:
        return [*lines, "  nothing to compute from these answers", ""]
    current = c.current
    in_house = bool(c.in_house)
    if c.monthly_usd is not None and current is not None:
        where = "in house (GPUs and operations)" if in_house else (
            f"at {terminal_escape(str(current.name or current.model))}'s list prices")
        lines.append(f"  today      {usd(c.monthly_usd)} a month {where}")
    if c.monthly_requests is not None:
        basis = _BASIS.get(c.volume_basis or "", "")
        said = volume_words(c.monthly_requests, c.monthly_calls, exact=True)
        lines.append(f"  volume     {said} a month" + (f", on {basis}" if basis else ""))
    bill = c.bill
    if bill.reported_usd is not None:
        text = f"  bill       {usd(bill.reported_usd)} a month"
        if bill.direction in ("higher", "lower") and bill.ratio is not None:
            text += (f": {ratio_words(bill.ratio)} the computed cost, so the computed figures "
                     f"are {'a floor' if bill.direction == 'higher' else 'a ceiling'}; the "
                     "budget share and the scenarios rest on the bill")
        elif bill.direction == "agree" and bill.apart_pct is not None:
            text += f": {bill.apart_pct:.0f}% from the computed cost"
        elif bill.direction == "no_bill":
            text += ": no API bill, nothing to reconcile"
        lines.append(text)
    h = c.self_hosting
    if h is not None and h.options:
        reason = {"choice": "if this work moved to an API",
                  "on_premises": "if the on-premises rule ever allowed an API"}.get(
            c.in_house_reason or "", "if regulation ever allowed an API")
        shown = ", ".join(f"{name} {usd(h.options[k])}" for k, name in OPTION_NAMES.items()
                          if k in h.options and not (in_house and k == "current_api"))
        lines.append(f"  options    {shown}" + (
            f" (an API {reason})" if in_house else
            f"; cheapest: {OPTION_NAMES.get(str(h.cheapest_option), h.cheapest_option)}"))
    if h is not None and in_house and h.gpus_at_peak is not None:
        text = f"  own GPUs   {h.gpus_at_peak:.1f} at the busiest hour ({h.gpus_busy:.1f} average)"
        if h.gpus_owned:
            text += f" of {number(h.gpus_owned)} owned, {h.spare_gpus or 0:.1f} free"
        lines.append(text + "; x1 in every scenario (depreciated, not repriced)")
    elif h is not None and h.break_even_requests is not None:
        volume = volume_words(h.break_even_requests, h.break_even_calls, exact=True)
        lines.append(f"  break-even about {volume} a month against the current model "
                     f"({h.verdict})")
    elif h is not None and h.verdict:
        lines.append(f"  break-even none: {h.verdict}")
    if h is not None and h.hybrid:
        lines.append(f"  owned GPUs {number(h.gpus_owned)} run other work: not spare capacity "
                     "for this workload")
    for lv in c.levers:
        saving = (f"{usd(lv.monthly_savings_usd)} a month" if lv.monthly_savings_usd is not None
                  else f"{usd(lv.savings_per_10pct_usd)} per 10% ({lv.question})")
        model = f" ({terminal_escape(lv.model)})" if lv.model else ""
        lines.append(f"  lever      {LEVER_NAMES[lv.id]}{model}: {saving}; from {lv.source}")
    if c.materiality.level is not None:
        why = ", ".join(r.replace("_", " ") for r in c.materiality.reasons)
        lines.append(f"  matters    {c.materiality.level} ({why or 'no threshold crossed'})")
    for f in findings:
        lines.append(f"  finding    {terminal_escape(f.text)}")
    for why in c.notes.values():
        lines.append(f"  missing    {why}")
    if len(lines) == 1:
        lines.append("  nothing to compute from these answers")
    return [*lines, ""]


def _recommendation_lines(result: Any) -> list[str]:
    """The recommendations by relevance, each with the weight and the answers behind it."""
    if not result.recommendations:
        return []
    lines = ["Recommendations (by relevance: the weight of the rules that selected each):"]
    for r in result.recommendations:
        lines.append(f"  {r.priority}. {r.id}  (relevance {r.relevance:g})")
        for because in r.because:
            lines.append(f"       because {terminal_escape(because)}")
    return [*lines, ""]


def _show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _levers(changes: dict[str, list[WhatIf]], result: Any, q: Any) -> list[str]:
    if changes["down"] or not changes["levers"] or result.tier == "lower":
        return []
    lines = ["  biggest single levers on the score meanwhile:"]
    for w in changes["levers"]:
        c = w.changes[0]
        lines.append(f"    {c.question}: {q.by_id[c.question].label_for(c.before)} -> "
                     f"{q.by_id[c.question].label_for(c.after)}  =>  score {w.score}"
                     f" ({w.score - result.score:+d})")
    return lines
