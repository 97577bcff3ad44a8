"""Issue 21 class 8: only figures the engine computed are facts; digits in a name the user
typed (a model called "acme 987654") are not."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.llm import guard
from advisor.llm.facts import build_facts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _result(model: str):
    from advisor.core.assess import assess
    from advisor.core.loading import load_answers_bytes
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase

    doc = json.loads((EXAMPLES / "startup-chat-wrapper.json").read_text(encoding="utf-8"))
    doc["answers"]["model"] = model
    doc["assumptions"] = {"prices": {model: {"input_per_mtok": 1.25, "output_per_mtok": 5.0}}}
    rulebase = load_rulebase()
    answers = load_answers_bytes(json.dumps(doc), rulebase.questionnaire, file="t.json")
    return assess(answers, rulebase, default_price_book()), rulebase


def test_a_typed_model_name_lends_no_figure() -> None:
    result, rulebase = _result("acme 987654")
    facts = build_facts(result, rulebase)
    assert "987654" in facts.as_json()  # the model still hears the name ...
    allowed = guard.FactFigures(facts.texts())
    for claim in ("It costs $987,654 a month.", "About 987,654 requests.", "987654 tokens"):
        found = guard.figures(claim)
        assert found and not any(allowed.allows(f) for f in found), claim


def test_computed_figures_stay_facts() -> None:
    result, rulebase = _result("acme 987654")
    facts = build_facts(result, rulebase)
    allowed = guard.FactFigures(facts.texts())
    score = guard.figures(f"a score of {result.score + 0.0:.1f} out of 100")[0]
    assert allowed.allows(score) or result.score in guard.SMALL_INTEGERS
