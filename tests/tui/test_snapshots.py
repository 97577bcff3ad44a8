"""Snapshots of the main screens at 80×24 and 120×40 (pytest-textual-snapshot).

Deterministic by construction: no clock in the header, no random ids on screen, the cursor
does not blink (``AdvisorApp(cursor_blink=False)``), a fixed terminal size, and every test gets
an empty ADVISOR_HOME (tests/conftest.py) so no draft from elsewhere is listed.
Regenerate after a deliberate change with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.tui.conftest import make_app, pick_role, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def open_file(pilot: Any, name: str) -> None:
    box = pilot.app.screen.query_one("#open-path")
    box.value = str(EXAMPLES / name)
    box.focus()
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_start_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_first_question(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pick_role(pilot, "startup")
        await pilot.press("down")  # a highlighted option shows its hint under the list
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_live_panel_with_costs(snap_compare: Any, size: tuple[int, int]) -> None:
    """A number question being typed, the panel showing tier, drivers and cost now vs 2023."""

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await open_file(pilot, "startup-chat-wrapper.json")
        review = pilot.app.screen
        answers = review.query_one("#answers")
        answers.highlighted = next(i for i, o in enumerate(answers.options)
                                   if o.id == "calls_per_task")
        await pilot.press("enter", "1", "2")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_review(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await open_file(pilot, "developer-agent-platform.json")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_results_summary(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await open_file(pilot, "startup-chat-wrapper.json")
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_first_question_light_theme(snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pick_role(pilot, "investor")

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_question_at_60x20(snap_compare: Any) -> None:
    """Below 70 columns the live panel folds into one line beside Back and Next."""

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pick_role(pilot, "investor")
        await pilot.press("v", "enter")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(60, 20), run_before=run_before)


def test_results_scenarios(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await open_file(pilot, "startup-chat-wrapper.json")
        await pilot.press("ctrl+n")
        await settle(pilot)
        pilot.app.screen.show_tab("scenarios")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_save_dialog(snap_compare: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await open_file(pilot, "startup-chat-wrapper.json")
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        # The folder shown is the test's temporary one: blank it for a stable picture.
        from textual.content import Content

        pilot.app.screen.query_one(".heading").update(Content("Save"))
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_model_suggestions(snap_compare: Any) -> None:
    """The model box with the closest names listed under it, for a hospital running its own."""

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        app = pilot.app
        app.new_session("enterprise_it", "Hospital group")
        await settle(pilot)
        for qid, value in (("archetype", "internal_user"), ("on_prem_required", True)):
            app.answer(qid, value)
        app.show_question("model")
        await settle(pilot)
        await pilot.press(*"llama 3.1 70")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
