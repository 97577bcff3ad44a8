"""``advisor explain`` as plain text: the rule trace and the what-if, for a terminal."""

from __future__ import annotations

from typing import Any

from advisor.core.answers import AnswersFile
from advisor.core.explain import WhatIf, trace, what_if
from advisor.core.prices import PriceBook
from advisor.core.rulebase import RuleBase
from advisor.core.wording import volume as volume_words
from advisor.data import clock
from advisor.render.formats import OPTION_NAMES
from advisor.render.formatting import number, terminal_escape, usd


def render_text(answers_file: AnswersFile, rulebase: RuleBase, prices: PriceBook | None) -> str:
    """The trace and what-if as plain text for a terminal."""
    result, traces = trace(answers_file, rulebase, prices, as_of=clock.as_of())
    q = rulebase.questionnaire
    lines = [f"Tier: {result.tier}  score {result.score}/100  confidence {result.confidence:.0%}"
             f"  (high from {rulebase.tier_high:g}, medium from {rulebase.tier_medium:g})", ""]
    lines += _cost_lines(result.costs or {})
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
def _cost_lines(c: dict[str, Any]) -> list[str]:
    """What the costs rest on (spec/costs.md): the basis, the three options, the break-even."""
    lines = ["Costs:"]
    current = c.get("current") or {}
    in_house = current.get("basis") == "in_house"
    if current.get("monthly_usd") is not None:
        where = "in house (GPUs and operations)" if in_house else (
            f"at {terminal_escape(str(current.get('model')))}'s list prices")
        lines.append(f"  today      {usd(current['monthly_usd'])} a month {where}")
    if c.get("monthly_requests") is not None:
        basis = _BASIS.get(c.get("volume_basis") or "", "")
        said = volume_words(c["monthly_requests"], c.get("monthly_calls"), exact=True)
        lines.append(f"  volume     {said} a month" + (f", on {basis}" if basis else ""))
    if c.get("reported_spend_usd") is not None and not in_house:
        text = f"  bill       {usd(c['reported_spend_usd'])} a month"
        if c.get("spend_differs"):
            text += (": more than 20% from the computed cost; the budget share rests on the "
                     "bill, the scenarios and self-hosting on the computed cost")
        lines.append(text)
    h = c.get("self_hosting") or {}
    options = h.get("options") or {}
    if options:
        shown = ", ".join(f"{name} {usd(options[k])}" for k, name in OPTION_NAMES.items()
                          if k in options and not (in_house and k == "current_api"))
        cheapest = h.get("cheapest_option")
        lines.append(f"  options    {shown}" + (
            " (an API only if rules ever allow one)" if in_house else
            f"; cheapest: {OPTION_NAMES.get(str(cheapest), cheapest)}"))
    if in_house and h.get("gpus_busy") is not None:
        text = f"  own GPUs   {h['gpus_busy']:.1f} busy"
        if h.get("gpus_owned"):
            text += f" of {number(h['gpus_owned'])} owned, {h.get('spare_gpus') or 0:.1f} spare"
        lines.append(text + "; x1 in every scenario (depreciated, not repriced)")
    elif h.get("break_even_requests") is not None:
        volume = volume_words(h["break_even_requests"], h.get("break_even_calls"),
                              exact=True)
        lines.append(f"  break-even about {volume} a month against the current model "
                     f"({h.get('verdict')})")
    elif h.get("verdict"):
        lines.append(f"  break-even none: {h['verdict']}")
    for why in (c.get("notes") or {}).values():
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
