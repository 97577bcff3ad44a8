"""Number questions: each has its own unit, example and default (rules/questions.toml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from advisor.tui.values import parse_text
from tests.tui.conftest import make_app, settle

NUMBERS = ["monthly_requests", "daily_users", "requests_per_user_per_day", "avg_input_tokens",
           "avg_output_tokens", "calls_per_task", "monthly_api_spend_usd", "self_hosted_gpus",
           "gross_margin_pct", "monthly_ai_budget_usd", "deferred_use_cases"]


async def ask(pilot: Any, role: str, qid: str) -> Any:
    app: Any = pilot.app
    app.new_session(role)
    app.session.set_answer("archetype", "api_wrapper")
    app.session.set_answer("model", "gpt-4o")  # the cost questions apply
    await settle(pilot)
    app.show_question(qid)
    await settle(pilot)
    return app.screen


def test_every_number_has_a_unit_and_its_own_example(rulebase: Any) -> None:
    questions = [q for q in rulebase.questionnaire.questions if q.type in ("int", "number")]
    assert {q.id for q in questions} >= set(NUMBERS)
    for q in questions:
        assert q.unit and q.example, q.id
        if q.default is not None:
            assert q.min is None or q.min <= q.default, q.id
            assert q.max is None or q.default <= q.max, q.id
    # No generic example shared by unlike questions (tokens, calls, GPUs, use cases).
    examples = [q.example for q in questions if q.id in
                ("avg_input_tokens", "calls_per_task", "self_hosted_gpus", "deferred_use_cases")]
    assert len(set(examples)) == len(examples)
    assert not any("300k or 1.5M" in q.example for q in questions if q.id != "monthly_requests")


@pytest.mark.asyncio
async def test_calls_per_request_starts_at_one(advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ask(pilot, "startup", "calls_per_task")
        box = screen.query_one("#value")
        assert box.value == "1"
        assert str(screen.query_one("#unit").render()) == "LLM calls per request"
        await pilot.press("enter")  # Enter accepts the default
        await settle(pilot)
        assert app.session.answers["calls_per_task"] == 1
        # Answered "don't know", the box is empty when the question comes back.
        app.show_question("calls_per_task")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        app.show_question("calls_per_task")
        await settle(pilot)
        assert app.screen.query_one("#value").value == ""


@pytest.mark.asyncio
async def test_tokens_say_tokens(advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ask(pilot, "developer", "avg_input_tokens")
        box = screen.query_one("#value")
        assert box.value == "" and "1,500" in box.placeholder
        assert "300k" not in box.placeholder
        assert str(screen.query_one("#unit").render()) == "tokens per call"


@pytest.mark.parametrize(("text", "value"), [("60%", 0.6), ("0.6", 0.6), ("100%", 1.0)])
def test_a_share_reads_a_percentage(rulebase: Any, text: str, value: float) -> None:
    q = rulebase.questionnaire.by_id["cacheable_input_share"]
    assert parse_text(q, text) == pytest.approx(value)
    margin = rulebase.questionnaire.by_id["gross_margin_pct"]
    assert parse_text(margin, "72%") == 72
