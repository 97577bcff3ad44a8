"""The questions issue 20 names, answered from the conversation's one state and the engine's
figures: follow-ups about the what-if in force, capacity, goal-seek, comparisons, levers,
materiality, a plain 'cannot', planning assumptions, voice, ids and length."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advisor.ask.conversation import Conversation
from advisor.ask.reading import cost

HERE = Path(__file__).resolve().parent


def chat(name, rulebase, prices) -> Conversation:
    return Conversation(str(HERE / "assessments" / name), rulebase, prices)


def test_follow_ups_answer_about_the_what_if_in_force(rulebase, prices) -> None:
    c = chat("startup-wrapper-gpt4o.json", rulebase, prices)
    c.ask("move to gpt-4o-mini")
    assert c.ask("traffic doubles").figures["monthly_usd"] == pytest.approx(252)  # builds on it
    reply = c.ask("is that still cheaper than self hosting?")
    assert reply.intent == "self_hosting"
    assert "$252" in reply.text and "$2,100" not in reply.text  # not the assessment's figure
    assert reply.recomputed is c.result


def test_capacity_is_one_division_from_the_engine(rulebase, prices) -> None:
    c = chat("enterprise-onprem-gpus.json", rulebase, prices)
    reply = c.ask("how many requests can 16 GPUs serve?")
    assert reply.intent == "capacity"
    h = cost(c.base, "self_hosting")
    hours = rulebase.defaults["days_per_month"] * 24
    peak = round(h.gpus_at_peak / h.gpus_busy, 1)
    want = 16 * hours * cost(c.base, "monthly_requests") / h.gpu_hours / peak
    assert reply.figures["capacity_requests"] == pytest.approx(want, rel=1e-6)


def test_what_the_figures_cannot_support_is_declined_naming_what_is_missing(
        rulebase, prices) -> None:
    reply = chat("enterprise-onprem-gpus.json", rulebase, prices).ask(
        "what is our revenue per GPU-hour?")
    assert reply.intent == "unsupported" and not reply.answered
    assert reply.text.startswith("I cannot give") and "revenue" in reply.text
    assert not re.search(r"\$\d", reply.text)


def test_goal_seek_searches_the_price_map_and_prices_with_the_engine(rulebase, prices) -> None:
    c = chat("startup-wrapper-gpt4o.json", rulebase, prices)
    reply = c.ask("which model swap gets inference under $1k/mo?")
    assert reply.intent == "goal_seek" and reply.text.startswith("**Yes:")
    assert reply.figures["monthly_usd"] < 1000
    assert c.whatif is None  # a question, not a change


def test_a_comparison_prices_both_models(rulebase, prices) -> None:
    c = chat("startup-wrapper-gpt4o.json", rulebase, prices)
    reply = c.ask("would gpt-4.1-mini be cheaper than claude haiku 4.5?")
    assert reply.intent == "compare_models"
    a = c.ask("what if we move to gpt-4.1-mini").figures["monthly_usd"]
    c.ask("reset")
    b = c.ask("what if we move to claude haiku 4.5").figures["monthly_usd"]
    assert reply.figures["gpt-4.1-mini_monthly_usd"] == pytest.approx(a)
    assert reply.figures["claude-haiku-4-5_monthly_usd"] == pytest.approx(b)
    assert reply.text.startswith("**Yes" if a < b else "**No")


def test_how_do_we_cut_this_leads_with_the_biggest_lever(rulebase, prices) -> None:
    c = chat("startup-wrapper-gpt4o.json", rulebase, prices)
    reply = c.ask("how do we cut this?")
    top = max(cost(c.base, "levers"), key=lambda lv: lv.ranking_usd)
    assert reply.intent == "levers" and reply.text.startswith("**The biggest lever")
    assert reply.figures["top_lever_savings_usd"] == pytest.approx(top.ranking_usd)


def test_does_this_matter_answers_from_materiality(rulebase, prices) -> None:
    reply = chat("startup-wrapper-gpt4o.json", rulebase, prices).ask("does this even matter?")
    assert reply.intent == "materiality" and "$2,100" in reply.text


def test_a_planning_assumption_is_not_a_what_if(rulebase, prices) -> None:
    c = chat("startup-wrapper-gpt4o.json", rulebase, prices)
    reply = c.ask("our budget assumes prices halve every year, sanity check that?")
    assert reply.intent == "cautions" and c.whatif is None
    assert "linear" in reply.text and "$2,100" in reply.text  # the stable-price case


def test_an_investor_hears_about_the_company(rulebase, prices) -> None:
    for q in ("what is their bill?", "how do they cut it?", "why this tier?",
              "should they self-host?"):
        text = chat("investor-vertical-saas.json", rulebase, prices).ask(q).text
        assert not re.search(r"\byour\b", text, re.IGNORECASE), (q, text)


def test_no_ids_reach_the_reader(rulebase, prices) -> None:
    ids = re.compile(r"\((?:faq-q\d|s\d)|\[(?:faq-q\d|s\d)|\bs6, developers\b")
    for name, q in (("startup-wrapper-gpt4o.json", "should we self-host?"),
                    ("enterprise-onprem-gpus.json", "what does scenario 2 mean for us"),
                    ("startup-tiny-4o-mini.json", "is gpt-4o-mini the right model for us"),
                    ("startup-contract-review.json", "what if we go to 2 calls per contract?")):
        text = chat(name, rulebase, prices).ask(q).text
        assert not ids.search(text), (q, text)


def test_in_two_sentences_is_honoured(rulebase, prices) -> None:
    reply = chat("startup-wrapper-gpt4o.json", rulebase, prices).ask(
        "explain to the board in 2 sentences")
    assert len(re.findall(r"[.!?](?:\s|$)", reply.text.strip())) <= 2
    assert "high" in reply.text and "-1" not in reply.text


def test_an_on_prem_bank_hears_the_constraint_first(rulebase, prices) -> None:
    reply = chat("enterprise-onprem-gpus.json", rulebase, prices).ask("can we use Azure OpenAI?")
    assert reply.text.startswith("You must stay on-premises")


def test_the_cheapest_model_for_clinical_notes_is_a_no(rulebase, prices) -> None:
    reply = chat("developer-onprem-healthcare.json", rulebase, prices).ask(
        "is the cheapest model OK for clinical notes?")
    assert reply.text.startswith("**No") and "quality" in reply.text


def test_a_new_value_replaces_the_old_and_undo_drops_the_last_change(rulebase, prices) -> None:
    c = chat("developer-agent-platform.json", rulebase, prices)
    c.ask("what if we trim each task to 30 calls")
    reply = c.ask("how about 25?")
    assert [e.form() for e in c.edits] == ["calls=25"]
    assert reply.what_if == ["LLM calls per task 45 → 25"]
    c.ask("and on haiku 4.5?")
    reply = c.ask("undo the model change")
    assert reply.intent == "undo" and reply.text.startswith("Undone: model")
    assert [e.form() for e in c.edits] == ["calls=25"]
    assert c.ask("undo").figures["monthly_usd"] == pytest.approx(16200) and c.whatif is None


def test_answer_changes_read_as_answers_not_codes(rulebase, prices) -> None:
    text = chat("enterprise-bill-mismatch.json", rulebase, prices).ask("why lower risk?").text
    assert "What would raise the tier" in text
    assert "unknown →" not in text and "→ -1;" not in text and "(%, e.g." not in text


def test_the_bill_and_the_cheapest_option_under_a_what_if(rulebase, prices) -> None:
    c = chat("enterprise-bill-mismatch.json", rulebase, prices)
    c.ask("what if volume doubles")
    bill = c.ask("does our bill match your numbers?")
    assert "$4,000" in bill.text and "$3,600" in bill.text  # today's bill, the state's cost
    cheapest = c.ask("what's the cheapest option for us now?")
    assert cheapest.intent == "self_hosting"
    assert cheapest.text.split("\n\n")[1].startswith("The cheapest of the three options")


def test_a_models_retirement_is_dated_from_the_report_day(rulebase, prices, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780272000")  # 2026-06-01
    c = chat("startup-wrapper-gpt4o.json", rulebase, prices)
    first = c.ask("is our model being retired?")  # gpt-4o: 2027-01-14 in the shipped map
    assert first.text.startswith("**Yes")
    assert "2027-01-14" in first.text or "14 January 2027" in first.text
    assert "227 days" in first.text
    c.ask("what if we move to azure/codex-mini")  # retires 2026-11-15 in the shipped map
    reply = c.ask("is our model being retired?")
    assert reply.intent == "lifecycle"
    assert "2026-11-15" in reply.text or "15 November 2026" in reply.text
    assert "167 days" in reply.text


def test_goal_seek_prefers_a_swap_within_the_provider_and_honours_cheapest(rulebase,
                                                                           prices) -> None:
    c = chat("enterprise-high-volume.json", rulebase, prices)
    swap = c.ask("which model swap gets inference under $40k/mo?")
    assert swap.text.startswith("**Yes: gpt-") and swap.figures["monthly_usd"] < 40_000
    cheapest = c.ask("what's the cheapest model that keeps us under $5,000 per month")
    assert cheapest.figures["monthly_usd"] < 5_000
    assert c.ask("can we get below 10k a month?").intent == "goal_seek"


def test_instead_replaces_the_change_it_names(rulebase, prices) -> None:
    c = chat("startup-wrapper-gpt4o.json", rulebase, prices)
    c.ask("what if volume doubles?")
    assert c.ask("what if it triples instead?").figures["monthly_usd"] == pytest.approx(6300)
    c.ask("and prices fall 50%")
    c.ask("what if prices fall 80% instead")
    assert [e.form() for e in c.edits] == ["volume*3", "market*0.2"]
