"""``advisor explain FILE``: every rule, fired or not and why, and what would move the tier."""

from __future__ import annotations

import argparse
import json

from advisor.cli.output import emit
from advisor.core.errors import InputError
from advisor.core.explain import trace, what_if
from advisor.data import clock
from advisor.data.answers_file import read_answers_file
from advisor.data.price_map import default_price_book
from advisor.data.rules import load_rulebase
from advisor.render.explain_text import render_text


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="answers file (JSON), or - for standard input")
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    answers = read_answers_file(args.file)
    rulebase, prices = load_rulebase(), default_price_book()
    try:
        if args.format == "text":
            emit(render_text(answers, rulebase, prices), None)
            return 0
        result, traces = trace(answers, rulebase, prices, as_of=clock.as_of())
        changes = what_if(answers, rulebase, prices)
    except InputError as exc:
        raise exc.with_file(args.file) from None
    data = {
        "tier": result.tier, "score": result.score, "confidence": result.confidence,
        "rules": [{"id": t.rule.id, "outcome": {True: "fired", False: "not fired",
                                                None: "unknown"}[t.outcome],
                   "points": t.rule.points, "when": t.rule.when.text, "read": t.read,
                   "source": t.rule.source} for t in traces],
        "what_if": {d: [{"changes": [{"question": c.question, "from": c.before, "to": c.after}
                                     for c in w.changes], "tier": w.tier, "score": w.score}
                        for w in ws] for d, ws in changes.items()},
    }
    from advisor.core.jsonout import terminal_safe

    emit(terminal_safe(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)) + "\n",
         None)
    return 0
