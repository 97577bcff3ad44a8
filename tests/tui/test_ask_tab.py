"""The TUI's Ask tab: a conversation (follow-ups build on the what-if), answers read from their
start, no debug text, and litellm imported in the background once an LLM is configured."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.tui.conftest import SIZE, make_app, settle
from tests.tui.test_app import ask

pytestmark = pytest.mark.asyncio


async def _results(pilot: Any, name: str = "developer-agent-platform.json") -> Any:
    await pilot.pause()
    box = pilot.app.screen.query_one("#open-path")
    box.value = str(EXAMPLES / name)
    box.focus()
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("ctrl+n")
    await pilot.pause()
    return pilot.app.screen


async def _ask(pilot: Any, question: str) -> None:
    await ask(pilot, question)
    await pilot.pause()


async def test_follow_ups_build_on_the_what_if_and_answers_start_in_view() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _results(pilot)
        await _ask(pilot, "what if we cut calls per task to 20")
        await _ask(pilot, "and on claude haiku 4.5?")
        answers = list(screen.query("#ask-log Markdown"))
        assert len(answers) == 2
        first, second = (a.source for a in answers)
        assert "LLM calls per task 40 → 20" in first
        assert "40 → 20" in second and "claude-haiku-4-5" in second  # built on the first
        assert "Matched knowledge entry" not in first + second
        log = screen.query_one("#ask-log")
        question = list(screen.query("#ask-log .ask-question"))[-1]
        # the new question sits at the top of the view (or as high as the log can scroll), its
        # answer below it: an answer is read from its start, not its tail
        at_top = abs(question.region.y - log.region.y) <= 2
        assert question.region.height and log.region.contains_region(question.region)
        assert at_top or log.scroll_y >= log.max_scroll_y, (question.region, log.region,
                                                            log.scroll_y, log.max_scroll_y)
        await _ask(pilot, "what are our top recommendations and why this tier?")
        long_answer = list(screen.query("#ask-log Markdown"))[-1]
        question = list(screen.query("#ask-log .ask-question"))[-1]
        assert long_answer.region.height >= log.region.height // 2 or long_answer.size.height \
            > log.region.height  # long: the old scroll-to-end would hide its start
        assert abs(question.region.y - log.region.y) <= 2, (question.region, log.region)
        await _ask(pilot, "reset")
        assert "Back to your assessment" in list(screen.query("#ask-log Markdown"))[-1].source


async def test_litellm_is_warmed_up_once_an_llm_is_configured(monkeypatch) -> None:
    import advisor.llm.client as client

    calls: list[int] = []
    monkeypatch.setattr(client, "warm_up", lambda: calls.append(1) or True)
    app = make_app()
    app.llm_model = "openai/gpt-4o-mini"
    async with app.run_test(size=SIZE) as pilot:
        await _results(pilot)
        await pilot.app.workers.wait_for_complete()
        assert calls == [1]  # as soon as the results show, before any question
        await pilot.press("ctrl+y")
        await pilot.press("w", "h", "y")
        await pilot.app.workers.wait_for_complete()
    assert calls == [1]  # once
