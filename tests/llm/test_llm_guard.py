"""The guard: figures by value, the engine's tier, headings, links, HTML, length."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.llm import guard
from advisor.render.report import NARRATIVE_HEADINGS

ROOT = Path(__file__).resolve().parents[2]
GOOD = ("## Where you stand\n\nYou are at high risk.\n\n## What to do next\n\n1. Act.\n\n"
        "## What could change\n\nPrices may hold.\n")


def allowed(*texts: str) -> guard.FactFigures:
    return guard.FactFigures(texts)


@pytest.mark.parametrize("text", ["$13,500", "13.5k", "$13.5K", "13,500.00", "13500",
                                  "$13,500.00", "13.5 thousand", "$0.0135 million"])
def test_one_figure_in_many_spellings(text: str) -> None:
    (figure,) = guard.figures(f"It costs {text} a month.")
    assert figure.value == pytest.approx(13500)
    assert allowed('"monthly_cost_now": "$13,500.00"').allows(figure)


def test_an_invented_figure_is_caught() -> None:
    facts = allowed('"monthly_cost_now": "$13,500.00"')
    problems = guard.check(GOOD.replace("Prices may hold.", "You would save $12,345."),
                           facts=facts, tier="high", headings=NARRATIVE_HEADINGS)
    assert [(p.kind, p.span) for p in problems] == [("invented_figure", "$12,345")]
    assert "$12,345" in problems[0].message


@pytest.mark.parametrize(("fact", "text", "ok"), [
    ("89.29", "89.3%", True),
    ("89.29", "89%", True),
    ("89.29", "79%", False),
    ('"probability": 0.5', "50%", True),
    ('"probability": "50%"', "a probability of 0.5", True),
    ("$2,025.00", "about $2,000", True),
    ("$2,025.00", "$2k", True),
    ("$2,025.00", "$3,000", False),
    ("$2,025.00", "$2,100", False),
    ("3,042,254 requests", "3 million requests", True),
    ("3,042,254 requests", "4 million requests", False),
    ("×0.1", "10x cheaper", True),
    ("×0.1", "20x cheaper", False),
])
def test_formatting_and_rounding(fact: str, text: str, ok: bool) -> None:
    problems = guard.check(GOOD.replace("Prices may hold.", f"It is {text}."),
                           facts=allowed(fact), tier="high", headings=NARRATIVE_HEADINGS)
    assert (not problems) is ok, problems


@pytest.mark.parametrize("text", ["gpt-4o-mini", "GPT-4", "H100 GPUs", "claude-3-5-sonnet",
                                  "Q2", "in 2023 and 2026", "3 steps", "1. first", "s2-high",
                                  "faq-q7", "llama-3.1-70b"])
def test_names_years_and_small_counts_are_not_invented_figures(text: str) -> None:
    problems = guard.check(GOOD.replace("Prices may hold.", f"See {text}."),
                           facts=allowed(""), tier="high", headings=NARRATIVE_HEADINGS)
    assert problems == []


def test_a_small_amount_of_money_is_still_a_figure() -> None:
    problems = guard.check(GOOD.replace("Prices may hold.", "It costs $5."),
                           facts=allowed(""), tier="high", headings=NARRATIVE_HEADINGS)
    assert [p.kind for p in problems] == ["invented_figure"]


@pytest.mark.parametrize(("text", "tier", "ok"), [
    ("You are at medium risk.", "high", False),
    ("You are at **Medium** risk.", "high", False),
    ("Your risk tier is medium.", "high", False),
    ("You sit in the high-risk tier.", "high", True),
    ("You are at low risk.", "lower", True),
    ("You are at low risk.", "medium", False),
    ("Better data could move you to medium risk.", "high", True),
    ("You are not at lower risk yet.", "high", True),
    ("Unlike the high-risk tier, you are in the lower-risk tier.", "lower", True),
])
def test_the_tier_must_be_the_engines(text: str, tier: str, ok: bool) -> None:
    problems = guard.check(GOOD.replace("You are at high risk.", text),
                           facts=allowed(""), tier=tier, headings=NARRATIVE_HEADINGS)
    assert (not [p for p in problems if p.kind == "wrong_tier"]) is ok, problems


@pytest.mark.parametrize("text", [
    "You are fine.\n",
    "## What to do next\n\nA\n\n## Where you stand\n\nB\n\n## What could change\n\nC\n",
    "Sure, here it is.\n\n" + GOOD,
    GOOD + "\n## Appendix\n\nMore.\n",
    GOOD.replace("## What could change", "## What might change"),
])
def test_headings_must_be_the_three_in_order(text: str) -> None:
    problems = guard.check(text, facts=allowed(""), tier="high", headings=NARRATIVE_HEADINGS)
    assert "missing_headings" in [p.kind for p in problems]


def test_heading_case_and_a_fence_are_repaired_not_rejected() -> None:
    text = "```markdown\n" + GOOD.replace("## Where you stand", "## where you STAND") + "```"
    fixed = guard.canonical_headings(guard.normalize(text), NARRATIVE_HEADINGS)
    assert fixed == GOOD
    assert guard.check(fixed, facts=allowed(""), tier="high", headings=NARRATIVE_HEADINGS) == []


def test_subheadings_are_allowed() -> None:
    text = GOOD.replace("1. Act.", "### First\n\n1. Act.")
    assert guard.check(text, facts=allowed(""), tier="high", headings=NARRATIVE_HEADINGS) == []


@pytest.mark.parametrize("text", ["See https://example.com/x.", "See [the docs](docs.html).",
                                  "Visit www.example.com today.", "Mail mailto:a@b.c now."])
def test_links_are_violations_unless_allowed(text: str) -> None:
    body = GOOD.replace("Prices may hold.", text)
    problems = guard.check(body, facts=allowed(""), tier="high", headings=NARRATIVE_HEADINGS)
    assert [p.kind for p in problems] == ["link"]


def test_an_allowed_source_url_passes() -> None:
    body = GOOD.replace("Prices may hold.", "See https://example.com/source.")
    assert guard.check(body, facts=allowed(""), tier="high", headings=NARRATIVE_HEADINGS,
                       allowed_urls=["https://example.com/source"]) == []


def test_raw_html_and_length() -> None:
    body = GOOD.replace("Prices may hold.", "<script>alert(1)</script>")
    assert "html" in [p.kind for p in guard.check(body, facts=allowed("1"), tier="high",
                                                   headings=NARRATIVE_HEADINGS)]
    long = GOOD.replace("Prices may hold.", "word " * 1000)
    assert [p.kind for p in guard.check(long, facts=allowed(""), tier="high",
                                        headings=NARRATIVE_HEADINGS)] == ["too_long"]
    assert [p.kind for p in guard.check(GOOD, facts=allowed(""), tier="high",
                                        headings=NARRATIVE_HEADINGS,
                                        truncated=True)] == ["too_long"]


def test_chat_answers_need_no_headings() -> None:
    assert guard.check("You are at high risk.", facts=allowed(""), tier="high") == []


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").glob("*.json")))
def test_the_builtin_narrative_passes_the_guard(example: str, rulebase, prices) -> None:
    """No false alarms on text that only states facts: the built-in narrative must pass."""
    from advisor.core.assess import assess
    from advisor.data.answers_file import validate_answers
    from advisor.llm.facts import build_facts
    from advisor.render.report import builtin_narrative

    doc = json.loads((ROOT / "examples" / example).read_text(encoding="utf-8"))
    result = assess(validate_answers(doc), rulebase, prices)
    facts = build_facts(result, rulebase)
    text = builtin_narrative(result, rulebase).text
    assert guard.check(text, facts=guard.FactFigures(facts.texts()), tier=result.tier,
                       headings=NARRATIVE_HEADINGS) == []
