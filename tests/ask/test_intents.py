"""The what-if grammar: numbers read whole, huge factors refused, several edits at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.ask.conversation import Conversation
from advisor.ask.intents import parse

HERE = Path(__file__).resolve().parent
WRAPPER = str(HERE / "assessments" / "startup-wrapper-gpt4o.json")


def edits(question: str, rulebase, prices, **kw) -> list[tuple[str, object]]:
    parsed = parse(question, {"model": "gpt-4o", "daily_users": 1000,
                              "requests_per_user_per_day": 10}, rulebase, prices,
                   current_model="gpt-4o", **kw)
    return [(e.kind, e.value) for e in parsed.edits]


@pytest.mark.parametrize("question", ["what if volume grows 1e308 times?",
                                      "what if traffic is 1e308x",
                                      "what if prices fall 1e308 times",
                                      "what if we had 1e308 requests a month"])
def test_huge_numbers_are_read_whole_and_refused_plainly(question, rulebase, prices) -> None:
    parsed = parse(question, {"daily_users": 1000, "requests_per_user_per_day": 10}, rulebase,
                   prices)
    assert parsed.edits == [] and parsed.intent == "what_if_problem"
    assert "beyond what I can compute" in parsed.problems[0]
    shown = parsed.problems[0]
    for whole in ("1e+308", "1e-308", "1e308"):
        shown = shown.replace(whole, "")
    assert "308" not in shown  # never read as ×308
    reply = Conversation(WRAPPER, rulebase, prices).ask(question)  # no OverflowError
    assert not reply.answered and reply.text.startswith("I could not recompute that")


@pytest.mark.parametrize(("question", "expected"), [
    ("what if our volume doubles?", [("volume_factor", 2.0)]),
    ("what if we grow ten times", [("volume_factor", 10.0)]),
    ("what if we cut traffic by 30%", [("volume_factor", 0.7)]),
    ("how much if we reach 2M requests a month", [("requests", 2_000_000.0)]),
    ("what if we go to 300k requests a day", [("requests", 9_000_000.0)]),
    ("what if we switch to 4o mini", [("model", "gpt-4o-mini")]),
    ("what if prices fall another 10x?", [("market", 0.1)]),
    ("prices drop 25%?", [("market", 0.75)]),
    ("if the API prices just stop falling, what do we pay?", [("market", 1.0)]),
    ("what if openai raises prices 3x", [("market", 3.0)]),
    ("what if we move to an open model at $0.30 per million tokens?",
     [("price", {"in": 0.3, "out": 0.3})]),
    ("suppose we negotiate $1.50 per million in and $6 out", [("price", {"in": 1.5, "out": 6.0})]),
    ("what if we cut calls per task from 45 to 20", [("calls_per_task", 20)]),
    ("put 60% on further decline, 30% stabilization, 10% divergence",
     [("probabilities", {"stabilization": 0.3, "further_decline": 0.6, "divergence": 0.1})]),
])
def test_edits(question, expected, rulebase, prices) -> None:
    got = edits(question, rulebase, prices)
    assert [k for k, _ in got] == [k for k, _ in expected]
    for (_, value), (_, want) in zip(got, expected, strict=True):
        if isinstance(want, float | dict):
            assert value == pytest.approx(want)
        else:
            assert value == want


def test_several_edits_apply_together_market_last(rulebase, prices) -> None:
    reply = Conversation(WRAPPER, rulebase, prices).ask(
        "what if volume doubles, we switch to gpt-4o-mini and prices fall 50%")
    assert reply.intent == "combined_whatif"
    # 600,000 requests on gpt-4o-mini is $252; prices halved on top: $126
    assert reply.figures["monthly_usd"] == pytest.approx(126)


def test_a_bare_factor_repeats_the_last_kind_of_edit(rulebase, prices) -> None:
    chat = Conversation(WRAPPER, rulebase, prices)
    chat.ask("what if prices fall by half?")
    reply = chat.ask("and by half again?")
    assert reply.intent == "follow_up" and reply.figures["monthly_usd"] == pytest.approx(525)
    reply = chat.ask("what if our volume doubles?")  # one state: it builds on the halvings
    assert reply.figures["monthly_usd"] == pytest.approx(1050)


def test_partial_migration_is_named_not_guessed(rulebase, prices) -> None:
    reply = Conversation(WRAPPER, rulebase, prices).ask(
        "could we save by moving half the traffic to gpt-4o-mini")
    assert "moving only part of the traffic" in reply.text
    assert reply.figures["monthly_usd"] == pytest.approx(126)  # the whole workload, said so


def test_a_question_too_long_is_refused_plainly(rulebase, prices) -> None:
    import time

    chat = Conversation(WRAPPER, rulebase, prices)
    start = time.perf_counter()
    reply = chat.ask("1" * 5000 + " requests a month")
    assert time.perf_counter() - start < 1
    assert not reply.answered and reply.text.startswith("I cannot take a question that long")


#: Paraphrases tried after the parser was written (so not a measure of honesty like the
#: corpus, but a guard against regressions in wording the corpus does not use).
PARAPHRASES = [
    ("startup-contract-review.json", "whats the bill if we triple contracts", "volume_whatif"),
    ("startup-contract-review.json", "if we processed 100k contracts monthly, cost?",
     "volume_whatif"),
    ("startup-contract-review.json", "what if the price per million went to $2 in and $8 out",
     "price_per_mtok_whatif"),
    ("startup-contract-review.json", "prices up by a third?", "price_change_whatif"),
    ("enterprise-high-volume.json", "is our spend too concentrated on one provider",
     "budget_share"),
    ("enterprise-high-volume.json", "what if we cut traffic by 30%", "volume_whatif"),
    ("enterprise-high-volume.json", "what if we use 1,000 input tokens instead of 1,800",
     "tokens_whatif"),
    ("startup-tiny-4o-mini.json", "what r we paying", "monthly_cost"),
    ("startup-tiny-4o-mini.json", "is gpt-4o-mini the right model for us", "quality_risk"),
    ("startup-tiny-4o-mini.json", "should we be worried", "why_tier"),
    ("startup-tiny-4o-mini.json", "what happens if openai raises prices 3x",
     "price_change_whatif"),
    ("startup-tiny-4o-mini.json", "compare 4o mini vs 4.1 nano for us", "compare_models"),
    ("investor-gpu-cloud.json", "what would change the rating", "why_tier"),
    ("investor-gpu-cloud.json", "if tpus take over, what happens", "gpu_demand"),
    ("investor-wrapper-seed.json", "can openai kill them", "moat"),
    ("investor-wrapper-seed.json", "would you invest", "out_of_scope"),
    ("enterprise-legal-regulated.json", "can we use gpt-4o-mini for contract drafts",
     "model_whatif"),
    ("enterprise-legal-regulated.json", "what does compliance cost us", "on_prem_fit"),
    ("developer-agent-platform.json", "what if input tokens drop to 1500", "tokens_whatif"),
    # caching and the batch API are levers the core prices (costs.md, levers)
    ("developer-agent-platform.json", "what if we cached half the tokens", "levers"),
    ("developer-batch-nano.json", "what does a million lines cost", "volume_whatif"),
    ("developer-batch-nano.json", "what if we use the batch api at half price", "levers"),
    ("enterprise-onprem-gpus.json", "do we need to buy more GPUs for 3x the load",
     "volume_whatif"),
]


@pytest.mark.parametrize(("assessment", "question", "intent"), PARAPHRASES)
def test_paraphrases(assessment, question, intent, rulebase, prices) -> None:
    reply = Conversation(str(HERE / "assessments" / assessment), rulebase, prices).ask(question)
    assert reply.intent == intent, reply.text
    assert "$0.00" not in reply.text


def test_a_follow_up_that_points_back_uses_the_what_if_in_force(rulebase, prices) -> None:
    chat = Conversation(str(HERE / "assessments" / "investor-vertical-saas.json"), rulebase,
                        prices)
    chat.ask("what if they grow 5x")
    reply = chat.ask("what does that mean in scenario 2?")
    assert reply.intent == "follow_up" and "$2,000" in reply.text
    assert reply.text.startswith("With the what-if in force")
    assert chat.ask("what is the expected cost then?").figures["expected_monthly_usd"] == \
        pytest.approx(5 * 2920)
    later = chat.ask("what does scenario 2 mean for them")  # one state: still the what-if
    assert "$2,000" in later.text
