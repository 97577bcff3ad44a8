"""``advisor explain`` as plain text: the rule trace and the what-if, for a terminal."""

from __future__ import annotations

from typing import Any

from advisor.core.answers import AnswersFile
from advisor.core.explain import WhatIf, trace, what_if
from advisor.core.prices import PriceBook
from advisor.core.rulebase import RuleBase
from advisor.render.formatting import terminal_escape


def render_text(answers_file: AnswersFile, rulebase: RuleBase, prices: PriceBook | None) -> str:
    """The trace and what-if as plain text for a terminal."""
    result, traces = trace(answers_file, rulebase, prices)
    q = rulebase.questionnaire
    lines = [f"Tier: {result.tier}  score {result.score}/100  confidence {result.confidence:.0%}"
             f"  (high from {rulebase.tier_high:g}, medium from {rulebase.tier_medium:g})", "",
             "Rules (fired first, then undecided, then not fired):"]
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
