"""The TUI's session rules, without Textual: navigation, relevance, progress, files, drafts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.core.assess import assess
from advisor.data.answers_file import validate_answers
from advisor.tui.assessing import Assessor
from advisor.tui.drafts import DraftWriter, draft_path, list_drafts
from advisor.tui.session import REVIEW, Session
from advisor.tui.values import format_value, parse_text
from tests.conftest import example


@pytest.fixture
def questionnaire(rulebase):
    return rulebase.questionnaire


def ids(questions):
    return [q.id for q in questions]


def test_asks_a_role_only_its_questions(questionnaire):
    investor = Session(questionnaire, "investor")
    asked = ids(investor.questions())
    assert "tam_effect" in asked and "cost_monitoring" not in asked
    assert asked == ids(questionnaire.for_role("investor"))


def test_cost_questions_apply_only_with_a_model(questionnaire):
    s = Session(questionnaire, "developer")
    s.set_answer("archetype", "api_wrapper")
    s.set_answer("model", None)  # don't know
    relevant = ids(s.relevant_questions())
    assert "avg_input_tokens" not in relevant and "monthly_requests" not in relevant
    s.set_answer("model", "gpt-4o")
    relevant = ids(s.relevant_questions())
    assert {"avg_input_tokens", "monthly_requests", "daily_users"} <= set(relevant)


def test_an_answer_that_stops_applying_is_dropped(questionnaire):
    s = Session(questionnaire, "startup")
    for qid, value in [("archetype", "api_wrapper"), ("model", "gpt-4o"),
                       ("monthly_requests", 1000), ("avg_input_tokens", 500)]:
        s.set_answer(qid, value)
    dropped = s.set_answer("model", None)
    assert sorted(dropped) == ["avg_input_tokens", "monthly_requests"]
    assert "monthly_requests" not in s.answers and s.answers["model"] is None


def test_volume_given_directly_skips_users_times_requests(questionnaire):
    s = Session(questionnaire, "startup", answers={"archetype": "api_wrapper", "model": "gpt-4o"})
    s.set_answer("monthly_requests", 5000)
    assert "daily_users" not in ids(s.relevant_questions())
    s.set_answer("monthly_requests", None)
    assert "daily_users" in ids(s.relevant_questions())


def test_next_and_back_follow_relevance(questionnaire):
    s = Session(questionnaire, "startup", answers={"archetype": "api_wrapper"})
    s.set_answer("model", None)
    after_model = s.next_question("model")
    assert after_model is not None and after_model.id == "monthly_api_spend_usd"
    back = s.previous_question("monthly_api_spend_usd")
    assert back is not None and back.id == "model"
    s.set_answer("model", "gpt-4o")
    after_model = s.next_question("model")
    assert after_model is not None and after_model.id == "monthly_requests"
    assert s.previous_question("archetype") is None
    assert s.next_question(None).id == "archetype"
    assert s.previous_question(REVIEW).id == ids(s.relevant_questions())[-1]


def test_progress_counts_only_questions_that_apply(questionnaire):
    s = Session(questionnaire, "developer")
    s.set_answer("archetype", "api_wrapper")
    s.set_answer("model", None)
    position, total, answered = s.progress("model")
    assert total == len(s.relevant_questions())
    assert answered == 2
    assert position == ids(s.relevant_questions()).index("model") + 1
    s.set_answer("model", "gpt-4o")
    assert s.progress("model")[1] > total


def test_resume_point_is_first_unanswered_question(questionnaire):
    s = Session(questionnaire, "investor", answers={"archetype": "vertical_saas",
                                                    "industry": None})
    assert s.current == "proprietary_data"
    everything = {q.id: None for q in s.relevant_questions() if not q.required}
    s2 = Session(questionnaire, "investor", answers={"archetype": "vertical_saas", **everything})
    assert s2.current == REVIEW


def test_required_question_cannot_be_unknown(questionnaire):
    s = Session(questionnaire, "startup")
    with pytest.raises(ValueError):
        s.set_answer("archetype", None)


def test_answers_file_holds_only_known_answers_in_questionnaire_order(questionnaire, rulebase,
                                                                      prices):
    s = Session(questionnaire, "startup", organization="  Acme  ")
    s.set_answer("regulated", True)
    s.set_answer("archetype", "api_wrapper")
    s.set_answer("industry", None)
    data = s.answers_file_dict()
    assert data == {"schema_version": 1, "role": "startup", "organization": "Acme",
                    "answers": {"archetype": "api_wrapper", "regulated": True}}
    assert list(data["answers"]) == ["archetype", "regulated"]
    assert "assumptions" not in data
    assess(validate_answers(data), rulebase, prices)  # a valid answers file


def test_from_answers_file_round_trips(questionnaire):
    doc = example("enterprise-claims-team.json")
    s = Session.from_answers_file(questionnaire, validate_answers(doc))
    data = s.answers_file_dict()
    assert data["answers"] == doc["answers"]
    assert data["assumptions"]["scenario_probabilities"] == \
        doc["assumptions"]["scenario_probabilities"]
    assert data["organization"] == doc["organization"]


def test_draft_round_trip_keeps_dont_knows_and_position(questionnaire):
    s = Session(questionnaire, "developer")
    s.set_answer("archetype", "workflow_integrator")
    s.set_answer("industry", None)
    s.current = "proprietary_data"
    again = Session.from_draft(questionnaire, json.loads(json.dumps(s.draft_dict())))
    assert again.answers == {"archetype": "workflow_integrator", "industry": None}
    assert again.current == "proprietary_data" and again.draft_id == s.draft_id
    with pytest.raises(ValueError):
        Session.from_draft(questionnaire, {"draft_version": 99, "role": "developer"})


def test_draft_writer_writes_in_order_and_lists_newest(questionnaire):
    writer = DraftWriter()
    s = Session(questionnaire, "startup")
    for value in ("api_wrapper", "consumer_app", "gpu_cloud"):
        s.set_answer("archetype", value)
        writer.save(s.draft_dict())
    writer.flush()
    saved = json.loads(draft_path(s.draft_id).read_text(encoding="utf-8"))
    assert saved["answers"] == {"archetype": "gpu_cloud"}
    assert [d.id for d in list_drafts()] == [s.draft_id]
    writer.discard(s.draft_id)
    writer.close()
    assert list_drafts() == []


def test_unreadable_drafts_are_skipped(advisor_home):
    folder = advisor_home / "drafts"
    folder.mkdir()
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "empty.json").write_text('{"answers": {}}', encoding="utf-8")
    assert list_drafts() == []


def test_field_errors_use_the_answers_file_rules(questionnaire):
    assessor = Assessor()
    s = Session(questionnaire, "startup", answers={"archetype": "api_wrapper"})
    message = assessor.field_error(s, "gross_margin_pct", 300.0)
    assert message is not None and "at most 100" in message
    message = assessor.field_error(s, "monthly_api_spend_usd", "lots")
    assert message is not None and "lots" in message
    assert assessor.field_error(s, "gross_margin_pct", 40.0) is None
    message = assessor.field_error(s, "model", "gpt-4oo")
    assert message is not None and "unknown model 'gpt-4oo'" in message
    assert assessor.field_error(s, "model", "gpt-4o") is None


def test_no_tier_until_the_archetype_is_known(questionnaire):
    assessor = Assessor()
    s = Session(questionnaire, "startup")
    outcome = assessor.assess(s)
    assert outcome.result is None and outcome.hint and "Which description" in outcome.hint
    s.set_answer("archetype", "api_wrapper")
    assert assessor.assess(s).result.tier == "high"


def test_sanitize_drops_what_the_models_reject(questionnaire):
    s = Session(questionnaire, "startup", answers={"archetype": "api_wrapper",
                                                   "gross_margin_pct": 900.0})
    assert Assessor().sanitize(s) == ["gross_margin_pct"]
    assert s.answers == {"archetype": "api_wrapper"}


@pytest.mark.parametrize(("qtype", "text", "expected"), [
    ("int", "1,000", 1000), ("int", " 12 ", 12), ("int", "1.5", 1.5), ("int", "abc", "abc"),
    ("number", "62%", 62.0), ("number", "0.25", 0.25), ("number", "nan", "nan"),
    ("int", "300k", 300_000), ("int", "1.5M", 1_500_000), ("int", "1.5k", 1500),
    ("int", "2 million", 2_000_000), ("int", "30,000 requests", 30_000),
    ("number", "$38,000", 38_000.0), ("number", "USD 1.2m a month", 1_200_000.0),
    ("number", "72%", 72.0), ("int", "9" * 400, int("9" * 400)), ("int", "1.5kk", "1.5kk"),
    ("number", "inf", "inf"), ("int", "k", "k"),
    ("string", "  gpt-4o ", "gpt-4o"),
])
def test_parse_text(questionnaire, qtype, text, expected):
    question = next(q for q in questionnaire.questions if q.type == qtype)
    value = parse_text(question, text)
    assert value == expected and type(value) is type(expected)


def test_format_value(questionnaire):
    q = questionnaire.by_id["monthly_api_spend_usd"]
    assert format_value(q, 4200.0) == "4200"
    assert format_value(q, 12.5) == "12.5"
    assert format_value(q, None) == ""


def test_importing_the_package_does_not_import_textual() -> None:
    code = ("import sys, advisor.tui, advisor.tui.session, advisor.tui.drafts, "
            "advisor.tui.assessing; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"


def test_rule_ids_read_as_names_with_their_acronyms() -> None:
    """A rule without a label (a user's own pack) is still named in words."""
    from advisor.tui.widgets.live_panel import driver_name

    assert driver_name("thin-wrapper", {"thin-wrapper": "A thin layer"}) == "A thin layer"
    assert driver_name("thin-wrapper") == "Thin wrapper"
    assert driver_name("vertical-saas-entrants") == "Vertical SaaS entrants"
    assert driver_name("tam-assessed") == "TAM assessed"
    assert driver_name("api-over-half-of-budget") == "API over half of budget"


def test_self_hosting_line_gives_the_figures_behind_the_verdict(rulebase, prices) -> None:
    from advisor.tui.screens.results import self_hosting_line

    doc = example("startup-chat-wrapper.json")
    costs = assess(validate_answers(doc), rulebase, prices).costs
    line = self_hosting_line(costs.self_hosting, costs)
    break_even = costs.self_hosting.break_even_requests
    assert 300_000 < break_even < 5_000_000  # costs.md: a few million requests a month
    assert line.startswith("stay on the API") and f"{round(break_even):,}" in line
    assert "300,000" in line
    doc["answers"]["monthly_requests"] = 5_000_000
    costs = assess(validate_answers(doc), rulebase, prices).costs
    assert self_hosting_line(costs.self_hosting, costs).startswith("pays: this workload's "
                                                                   "5,000,000 requests")
    doc["answers"]["model"] = "never-cheaper"
    doc["assumptions"] = {"prices": {"never-cheaper": {"input_per_mtok": 0.01,
                                                       "output_per_mtok": 0.01}}}
    costs = assess(validate_answers(doc), rulebase, prices).costs
    assert self_hosting_line(costs.self_hosting, costs).startswith("never pays")
