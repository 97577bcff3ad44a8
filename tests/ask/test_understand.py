"""Understand, on its own: questions → the edit form, every number used or named.

Two sources: ``parse_cases.toml`` (issue 20's examples and the classes behind them) and every
single question of ``corpus.toml`` with a ``calc``: the parse must give the calc's edits.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from advisor.ask.edits import forms
from advisor.ask.intents import parse

HERE = Path(__file__).resolve().parent
CASES = tomllib.loads((HERE / "parse_cases.toml").read_text(encoding="utf-8"))["case"]
CORPUS = tomllib.loads((HERE / "corpus.toml").read_text(encoding="utf-8"))


def _parse(question, answers, rulebase, prices):
    return parse(question, answers, rulebase, prices, current_model=answers.get("model"))


@pytest.mark.parametrize("case", CASES, ids=[c["question"] for c in CASES])
def test_parse_cases(case, rulebase, prices) -> None:
    parsed = _parse(case["question"], dict(case["answers"]), rulebase, prices)
    assert sorted(forms(parsed.edits).split()) == sorted(case["edits"].split())
    assert forms(parsed.noops) == case.get("noop", "")
    assert parsed.unknown == case.get("unknown", [])


def _calc_cases():
    out = []
    for q in CORPUS["q"]:
        calcs = q.get("calc", [])
        calcs = calcs if isinstance(calcs, list) else [calcs]
        edits = [c for c in calcs if c and not c.startswith("->")]
        if edits:
            out.append((q["assessment"], q["question"], edits[0].split("->")[0].split()))
    return out


@pytest.mark.parametrize(("assessment", "question", "want"), _calc_cases(),
                         ids=[c[1] for c in _calc_cases()])
def test_the_corpus_calcs_are_the_parse(assessment, question, want, rulebase, prices) -> None:
    answers = json.loads((HERE / "assessments" / assessment).read_text("utf-8"))["answers"]
    parsed = _parse(question, answers, rulebase, prices)
    got = []
    for e in parsed.edits:
        form = e.form()
        if form.startswith("requests+"):  # the corpus writes the volume it comes to
            form = f"requests={float(form[9:]) + answers['monthly_requests']:.10g}"
        got += form.split()

    def norm(forms_: list[str]) -> list[str]:
        out = []
        for f in forms_:
            key, _, value = f.partition("=") if "=" in f else f.partition("*")
            op = "=" if "=" in f else "*"
            key = "calls" if key == "calls_per_task" else key
            out.append(f"{key}{op}{float(value):.6g}" if value.replace(".", "").replace(
                "/", "").isdigit() and "/" not in value else f"{key}{op}{value}")
        return sorted(out)

    assert norm(got) == norm(want)
    assert not parsed.unknown


def test_a_no_op_is_never_shown_as_a_recompute(rulebase, prices) -> None:
    from advisor.ask.conversation import Conversation

    chat = Conversation(str(HERE / "assessments" / "startup-contract-review.json"), rulebase,
                        prices)
    reply = chat.ask("what if each contract took 4 calls?")  # it is 4 already
    assert reply.text.startswith("No change to recompute")
    assert "Recomputed by the engine" not in reply.text and chat.whatif is None


def test_words_not_understood_are_named_in_the_answer(rulebase, prices) -> None:
    from advisor.ask.conversation import Conversation

    chat = Conversation(str(HERE / "assessments" / "startup-wrapper-gpt4o.json"), rulebase,
                        prices)
    reply = chat.ask("what if traffic doubles and 40 widgets")
    assert "$4,200" in reply.text and "Not understood" in reply.text and "'40'" in reply.text
