"""A "don't know" is listed under Not answered, whatever its weight, and the toast tells what it
cost in the confidence figures it moved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from advisor.tui.screens.question import dont_know_notice
from advisor.tui.screens.results import summary_items
from tests.tui.conftest import make_app, settle


def test_the_notice_says_what_moved() -> None:
    assert "confidence 80%; an answer would raise it to 85%" in dont_know_notice(0.80, 0.85)
    assert "does not change the confidence (100%)" in dont_know_notice(1.0, 1.0)
    assert "Not answered" in dont_know_notice(None, None)


async def dont_know(pilot: Any, qid: str) -> str:
    app: Any = pilot.app
    app.show_question(qid)
    await settle(pilot)
    notes: list[str] = []
    original = app.screen.notify

    def notify(message: str, **kwargs: Any) -> None:
        notes.append(message)
        original(message, **kwargs)

    app.screen.notify = notify
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert app.session.answers[qid] is None
    return notes[-1]


@pytest.mark.asyncio
async def test_weight_zero_dont_know_is_listed_and_told_truthfully(advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.new_session("startup")
        for qid, value in (("archetype", "api_wrapper"), ("model", "gpt-4o"),
                           ("monthly_requests", 30_000)):
            assert app.answer(qid, value) is None
        await settle(pilot)
        gpus = app.assessor.rulebase.questionnaire.by_id["self_hosted_gpus"]
        assert gpus.weight == 0
        app.show_question("self_hosted_gpus")
        await settle(pilot)
        assert "leaves the confidence as it is" in str(app.screen.query_one("#help").render())
        note = await dont_know(pilot, "self_hosted_gpus")
        assert "does not change the confidence" in note
        weighted = await dont_know(pilot, "industry")
        assert "an answer would raise it to" in weighted
        text = "\n".join(str(c) for _, c in summary_items(app.live.result,
                                                         app.session.questionnaire))
        assert gpus.prompt_for("startup") in text and "does not change the confidence" in text
        industry = app.session.questionnaire.by_id["industry"].prompt_for("startup")
        assert f"{industry} (lowers the confidence)" in text
