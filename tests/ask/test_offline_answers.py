"""Ask, offline: what-ifs recomputed by the core, questions about the assessment, and the
article's facts from rules/knowledge.toml, each answer naming the sections it rests on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from advisor.ask.conversation import answer
from advisor.core.knowledge import terms
from advisor.core.sources import SECTION_KEYS
from advisor.data.answers_file import validate_answers
from advisor.data.rules import load_knowledge

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT.parent / "shared" / "seed" / "inference-cost-collapse.txt"  # CI: ../shared


def example(name: str) -> dict:
    return json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def startup():
    return validate_answers(example("startup-chat-wrapper.json"))


def ask(question: str, answers, rulebase, prices):
    return answer(question, answers, rulebase, prices)


# ------------------------------------------------------------------ the article's FAQ and checklist

FAQ_AND_CHECKLIST = [
    ("How does the inference cost decline affect AI providers' profitability?", "faq-q1",
     "AWS, Azure and GCP"),
    ("How much cost can be saved by self-hosting an open-source LLM?", "faq-q2",
     "several million requests a month"),
    ("Does inference cost decline also drive down training costs?", "faq-q3",
     "Fine-tuning existing models"),
    ("Can small and medium-sized businesses benefit from AI cost reductions immediately?",
     "faq-q4", "no new infrastructure"),
    ("What is the relationship between AI agents and inference cost decline?", "faq-q5",
     "dozens to hundreds of calls"),
    ("Are there industries where AI inference costs remain high despite the general trend?",
     "faq-q6", "audit trails"),
    ("What tools are available for monitoring inference costs?", "faq-q7", "Helicone"),
    ("Does lower cost mean lower quality AI-generated content?", "faq-q8", "quality standards"),
    ("How does this trend affect the AI startup investment ecosystem?", "faq-q9",
     "unit economics"),
    ("What drove the price decline?", "s1-drivers", "fiercer competition"),
    ("How much did GPT-4 cost at launch?", "s1-prices", "$30 per million input tokens"),
    ("How far have inference prices fallen since 2023?", "s1-prices", "97–99%"),
    ("Which businesses are most at risk?", "s2-high", "user interface over another company"),
    ("Are GPU rental companies at risk?", "s2-medium", "fewer GPUs"),
    ("Which businesses are at lower risk?", "s2-lower", "Domain data"),
    ("What new markets open up when AI gets cheap?", "s3-patterns", "whole corpus"),
    ("How should we price an AI product now?", "s4-business-model", "outcome"),
    ("Does our differentiation rest on cheaper access to AI?", "s6-checklist",
     "from the model to your data and workflow"),
    ("Do falling inference costs unlock features that were previously impossible?",
     "s6-checklist", "feature roadmap"),
    ("API cost is more than half of the AI budget: what should enterprise IT do?",
     "s6-checklist", "run several providers"),
    ("Should we reassess AI use cases that were deferred due to cost?", "s6-checklist",
     "assess them again"),
    ("Does the investee's value proposition rest on API access convenience?", "s6-checklist",
     "how hard it is for customers to leave"),
    ("Does cost decline expand or contract the TAM?", "s6-checklist", "vertical AI markets"),
    ("Should developers use the most powerful model?", "s6-checklist", "quality the task"),
    ("Is there a monitoring system for inference costs we should build?", "s6-checklist",
     "dashboard of token usage"),
    ("Will prices keep falling linearly?", "s7-risk-factors", "straight line"),
    ("Will open source completely replace closed models?", "s7-risk-factors",
     "closed providers"),
    ("Does cheap AI solve all problems?", "s7-risk-factors", "quality"),
    ("What did 1,000 users asking ten questions a day cost in 2023?", "prologue", "$13,500"),
    ("What is an input contract?", "exec-summary", "objective"),
]


@pytest.mark.parametrize(("question", "section", "phrase"), FAQ_AND_CHECKLIST)
def test_article_questions(question: str, section: str, phrase: str, startup, rulebase,
                           prices) -> None:
    reply = ask(question, startup, rulebase, prices)
    assert reply.answered
    assert section in reply.sources, (reply.sources, reply.text)
    assert phrase in reply.text
    assert reply.recomputed is None


def test_a_knowledge_answer_keeps_what_matched_out_of_the_text(startup, rulebase,
                                                                prices) -> None:
    # issue 13: no "Matched knowledge entry …" debug text in an answer; the ids stay in matched
    reply = ask("What tools are available for monitoring inference costs?", startup, rulebase,
                prices)
    assert reply.matched[0] == "faq-q7-monitoring-tools"
    assert "Matched knowledge entry" not in reply.text


@pytest.mark.parametrize("question", ["What's the weather in Paris?", "Who won the world cup?",
                                      "How do I bake bread?", "Tell me a joke"])
def test_it_says_plainly_when_it_has_no_answer(question: str, startup, rulebase,
                                               prices) -> None:
    reply = ask(question, startup, rulebase, prices)
    assert not reply.answered
    assert reply.sources == []
    assert reply.text.startswith("I cannot answer that")  # spec: says plainly what it cannot


# ------------------------------------------------------------------ what-ifs


def test_volume_doubles_is_recomputed_not_guessed(startup, rulebase, prices) -> None:
    from advisor.core.assess import assess

    now = assess(startup, rulebase, prices)
    reply = ask("What if our volume doubles?", startup, rulebase, prices)
    after = reply.recomputed
    assert after is not None
    assert after.costs["monthly_requests"] == 2 * now.costs["monthly_requests"]
    assert after.costs["current"]["monthly_usd"] == pytest.approx(
        2 * now.costs["current"]["monthly_usd"])
    # money as people say it (issue 13): "$4,050", not "$4,050.00"
    assert "$2,025" in reply.text and "$4,050" in reply.text
    assert after.answers["daily_users"] == 2000
    assert "300,000 → 600,000 requests a month" in reply.text
    assert "faq-q2" in reply.sources


def test_absolute_volume(startup, rulebase, prices) -> None:
    reply = ask("What if we had 2 million requests a month?", startup, rulebase, prices)
    assert reply.recomputed.costs["monthly_requests"] == 2_000_000
    assert "$13,500 a month" in reply.text


def test_switching_model(startup, rulebase, prices) -> None:
    reply = ask("What if we switch to gpt-4o-mini?", startup, rulebase, prices)
    current = reply.recomputed.costs["current"]
    assert current["model"] == "gpt-4o-mini"
    assert current["monthly_usd"] < 2025
    assert "gpt-4o → gpt-4o-mini" in reply.text
    assert "s1-prices" in reply.sources


def test_an_unknown_model_is_not_guessed(startup, rulebase, prices) -> None:
    reply = ask("What if we switch to gpt-9-ultra?", startup, rulebase, prices)
    assert not reply.answered and reply.recomputed is None
    assert "no price for the model 'gpt-9-ultra'" in reply.text


def test_input_tokens(startup, rulebase, prices) -> None:
    reply = ask("What if input tokens were 3000?", startup, rulebase, prices)
    assert reply.recomputed.answers["avg_input_tokens"] == 3000
    assert "input tokens per call 1,500 → 3,000" in reply.text


def test_calls_per_task(startup, rulebase, prices) -> None:
    reply = ask("What if each task took 50 calls?", startup, rulebase, prices)
    assert reply.recomputed.answers["calls_per_task"] == 50
    assert "plan-for-agent-costs" in [r.id for r in reply.recomputed.recommendations]
    assert "Budget for agent call chains" in reply.text
    assert "faq-q5" in reply.sources


def test_scenario_probability(startup, rulebase, prices) -> None:
    reply = ask("What if stabilization were 70%?", startup, rulebase, prices)
    probs = {s.id: s.probability for s in reply.recomputed.scenarios}
    assert probs["stabilization"] == pytest.approx(0.7)
    assert sum(probs.values()) == pytest.approx(1.0)
    assert probs["further_decline"] / probs["divergence"] == pytest.approx(0.3 / 0.2)
    assert reply.sources == ["s5-scenarios"]


def test_choice_answers(startup, rulebase, prices) -> None:
    reply = ask("What if switching cost were high and we had substantial proprietary data?",
                startup, rulebase, prices)
    assert reply.recomputed.answers["switching_cost"] == "high"
    assert reply.recomputed.answers["proprietary_data"] == "substantial"
    assert reply.recomputed.score < 99
    assert "s2-lower" in reply.sources


# ------------------------------------------------------------------ the assessment itself


def test_why_medium_and_not_lower(rulebase, prices) -> None:
    answers = validate_answers(example("investor-gpu-cloud.json"))
    reply = ask("Why medium and not lower?", answers, rulebase, prices)
    # an investor reads about the company, in the third person
    assert re.search(r"The company's tier is \*\*medium\*\* with a score of \d+", reply.text)
    assert "GPU" in reply.text and "`" not in reply.text  # the finding in words, no rule id
    assert "What would lower the tier" in reply.text
    assert "⇒ **lower**" in reply.text
    assert "s2-medium" in reply.sources


def test_why_not_higher_looks_up(rulebase, prices) -> None:
    answers = validate_answers(example("investor-gpu-cloud.json"))
    reply = ask("Why medium and not high?", answers, rulebase, prices)
    assert "What would raise the tier" in reply.text and "⇒ **high**" in reply.text


def test_scenario_2_for_us(startup, rulebase, prices) -> None:
    reply = ask("What does scenario 2 mean for us?", startup, rulebase, prices)
    assert "**Scenario 2: Another sharp fall** (probability 30%)" in reply.text
    assert "$203" in reply.text  # $202.50 as people say it
    assert reply.sources == ["s5-scenarios"]


def test_should_we_self_host(startup, rulebase, prices) -> None:
    reply = ask("Should we self-host?", startup, rulebase, prices)
    assert "Stay on the API at your volume" in reply.text
    assert re.search(r"break-even against gpt-4o is about [\d,.]+(?: million)? "
                     r"requests a month", reply.text)
    assert "faq-q2" in reply.sources


def test_top_recommendations(startup, rulebase, prices) -> None:
    from advisor.core.assess import assess
    from advisor.data.clock import as_of

    # Ask assesses as of the report's day, as the report does (a retirement counts from it)
    recs = assess(startup, rulebase, prices, as_of=as_of()).recommendations
    reply = ask("What are our top recommendations?", startup, rulebase, prices)
    positions = [reply.text.index(r.title) for r in recs[:5]]  # the five that come first
    assert positions == sorted(positions)
    assert {r.source for r in recs[:5]} <= set(reply.sources)


def test_our_costs_and_confidence(startup, rulebase, prices) -> None:
    reply = ask("How much do we pay a month?", startup, rulebase, prices)
    assert "$2,025 a month" in reply.text and "89.3%" in reply.text
    reply = ask("How confident is this assessment?", startup, rulebase, prices)
    assert "Confidence is 70%" in reply.text


# ------------------------------------------------------------------ the knowledge base as data


def test_the_knowledge_base_covers_every_section() -> None:
    kb = load_knowledge()
    assert 40 <= len(kb.entries) <= 60
    assert {e.section for e in kb.entries} == SECTION_KEYS
    assert all(e.keywords and e.text for e in kb.entries)
    assert all(kb.brief(key) is not None for key in SECTION_KEYS)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9$.%]+", text.lower().replace("–", "-"))


@pytest.mark.skipif(not ARTICLE.exists(), reason="the article is not in this checkout")
def test_knowledge_is_in_our_own_words() -> None:
    """No entry shares a run of six words with the article (names aside, nothing is copied)."""
    words = _words(ARTICLE.read_text(encoding="utf-8"))
    grams = {tuple(words[i:i + 6]) for i in range(len(words) - 5)}
    for e in load_knowledge().entries:
        ew = _words(e.text)
        copied = [" ".join(ew[i:i + 6]) for i in range(len(ew) - 5) if tuple(ew[i:i + 6]) in grams]
        assert not copied, (e.id, copied)


def test_retrieval_terms_are_normalised() -> None:
    assert "selfhost" in terms("Should we self-host?")
    assert terms("self hosting") == terms("Self-Hosted")
    assert "opensource" in terms("an open-source LLM")


# ------------------------------------------------------------------ the command


def test_the_ask_command(capsys) -> None:
    from advisor.cli.main import main

    rc = main(["ask", str(ROOT / "examples" / "startup-chat-wrapper.json"),
               "what does scenario 2 mean for us?"])
    out = capsys.readouterr().out
    assert rc == 0
    assert out.rstrip().endswith(
        "Sources: §5 Three scenarios for the next 12–24 months")


def test_the_ask_command_with_a_bad_file(tmp_path, capsys) -> None:
    from advisor.cli.main import main

    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["ask", str(bad), "why?"]) == 2
    assert "invalid JSON" in capsys.readouterr().err
    assert main(["ask", str(tmp_path / "missing.json"), "why?"]) == 2


@pytest.mark.parametrize("question", ["How much cheaper is AI now?",
                                      "How much cheaper is this than in 2023?"])
def test_cheaper_than_2023_uses_the_assessment_and_the_article(question: str, startup,
                                                               rulebase, prices) -> None:
    reply = ask(question, startup, rulebase, prices)
    assert "s1-prices" in reply.sources
    assert "$18,900" in reply.text and "89.3% less" in reply.text and "97–99%" in reply.text


@pytest.mark.parametrize("question", ["Who is most at risk?",
                                      "Which businesses are most exposed?"])
def test_who_is_at_risk_points_to_the_high_risk_tier(question: str, rulebase, prices) -> None:
    developer = validate_answers(example("developer-agent-platform.json"))
    assert ask(question, developer, rulebase, prices).sources[0] == "s2-high"
