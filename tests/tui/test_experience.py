"""The ten-minute board report (issue 15), driven with the pilot as a person would: Next never
records an option nobody picked, the review round trip keeps its place, every results tab
scrolls from the keyboard, Next and the Ask tab are in view at 60×20 and 80×24, the save
dialog names, extends, refuses to overwrite silently and shows the full path, the theme and the
organization typed are not lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from advisor.tui.screens.question import QuestionScreen
from advisor.tui.screens.results import TAB_SCROLLERS, TABS, ResultsScreen
from advisor.tui.screens.review import ReviewScreen
from advisor.tui.screens.save import SaveScreen
from tests.conftest import EXAMPLES
from tests.tui.conftest import make_app, pick_role, settle

pytestmark = pytest.mark.asyncio


async def open_example(pilot: Any, name: str) -> None:
    box = pilot.app.screen.query_one("#open-path")
    box.value = str(EXAMPLES / name)
    box.focus()
    await pilot.press("enter")
    await settle(pilot)


async def to_results(pilot: Any, name: str = "startup-chat-wrapper.json") -> ResultsScreen:
    await settle(pilot)
    await open_example(pilot, name)
    await pilot.press("ctrl+n")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ResultsScreen)
    return screen


def visible(app: Any, selector: str) -> bool:
    """The widget is shown whole inside the terminal (not cut off, not scrolled away)."""
    widget = app.screen.query_one(selector)
    region = widget.region
    width, height = app.size
    return (widget.display and region.width > 0 and region.height > 0 and region.x >= 0
            and region.y >= 0 and region.right <= width and region.bottom <= height)


# ---------------------------------------------------------------- Next never records silently

async def test_next_without_a_choice_records_nothing() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pick_role(pilot, "startup")
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.qid == "archetype"
        assert screen.query_one("#choices").highlighted is None
        for keys in (["ctrl+n"], ["enter"]):
            await pilot.press(*keys)
            await pilot.pause()
            assert app.session.answers == {} and screen.qid == "archetype"
        assert "Pick an option first" in str(screen.query_one("#error").render())
        await pilot.click("#next-button")
        await pilot.pause()
        assert app.session.answers == {}
        # A first letter highlights, Enter chooses: "w" is Workflow integrator.
        await pilot.press("w", "enter")
        assert app.session.answers == {"archetype": "workflow_integrator"}
        assert screen.qid == "industry" and screen.query_one("#choices").highlighted is None
        # Back to the answered question: the answer is highlighted and marked in words.
        await pilot.press("escape")
        assert screen.qid == "archetype"
        choices = screen.query_one("#choices")
        assert choices.highlighted == 4
        marked = [str(o.prompt) for o in choices.options if "(your answer)" in str(o.prompt)]
        assert len(marked) == 1 and "Workflow integrator" in marked[0]
        # Next now keeps that answer (it was picked), and a bool question takes "y"/"n".
        await pilot.press("ctrl+n")
        assert screen.qid == "industry"
        await pilot.press("ctrl+o")  # don't know
        assert app.session.answers["industry"] is None
        while screen.qid != "regulated":
            await pilot.press("ctrl+o")
        await pilot.press("n", "enter")
        assert app.session.answers["regulated"] is False


# ---------------------------------------------------------------- the review round trip

async def test_review_round_trip_keeps_the_place() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pick_role(pilot, "investor")
        screen = app.screen
        for key in ("v", "l", "s", "d", "h"):  # archetype … switching cost
            await pilot.press(key, "enter")
        assert screen.qid == "regulated"
        # Mid-walk review, then Esc: back where the person was, not at the last question.
        await pilot.press("ctrl+r")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        answers = review.query_one("#answers")
        assert answers.options[answers.highlighted].id == "regulated"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.screen.qid == "regulated"
        # Edit an answer from the review: the review comes back at that answer.
        await pilot.press("ctrl+r")
        await pilot.pause()
        answers = app.screen.query_one("#answers")
        answers.highlighted = next(i for i, o in enumerate(answers.options)
                                   if o.id == "switching_cost")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.screen.qid == "switching_cost"
        await pilot.press("l", "enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert app.session.answers["switching_cost"] == "low"
        answers = review.query_one("#answers")
        assert answers.options[answers.highlighted].id == "switching_cost"
        # Esc from an edit also returns to the same answer, changing nothing.
        answers.highlighted = next(i for i, o in enumerate(answers.options)
                                   if o.id == "integration_depth")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        answers = app.screen.query_one("#answers")
        assert isinstance(app.screen, ReviewScreen)
        assert answers.options[answers.highlighted].id == "integration_depth"
        assert app.session.answers["integration_depth"] == "deep"
        # And Esc from the review still goes back to the question left mid-walk.
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.qid == "regulated"
        # From the results, Edit (ctrl+r) then Esc goes back to the results.
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)


# ---------------------------------------------------------------- keyboard scrolling

@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_every_results_tab_scrolls_from_the_keyboard(size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await to_results(pilot, "developer-agent-platform.json")
        # Give the Ask tab a long conversation so it has something to scroll.
        log = screen.query_one("#ask-log")
        from textual.widgets import Static

        await log.mount_all([Static(f"line {i}") for i in range(60)])
        scrolled = []
        for tab in TABS:
            screen.query_one("#tabs Tabs").focus()  # the tab bar has the focus, as after ←/→
            screen.show_tab(tab)
            await settle(pilot)
            scroller = screen.tab_scroller(tab)
            assert scroller.id == TAB_SCROLLERS[tab]
            scroller.scroll_home(animate=False)
            await pilot.pause()
            if scroller.max_scroll_y == 0:
                continue  # everything fits: nothing to scroll
            await pilot.press("pagedown")
            await pilot.pause()
            after_page = scroller.scroll_y
            await pilot.press("down")
            await pilot.pause()
            assert after_page > 0 and scroller.scroll_y >= after_page, tab
            await pilot.press("end")
            await pilot.pause()
            assert scroller.scroll_y == scroller.max_scroll_y, tab
            await pilot.press("home")
            await pilot.pause()
            assert scroller.scroll_y == 0, tab
            scrolled.append(tab)
        assert {"summary", "report", "scenarios", "ask"} <= set(scrolled)


# ---------------------------------------------------------------- layouts

@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_next_and_the_ask_tab_are_in_view(size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pick_role(pilot, "enterprise_it")
        for _ in range(9):  # through choice, bool and number questions
            assert visible(app, "#next-button") and visible(app, "#back-button")
            if app.screen.question.type in ("choice", "bool"):
                assert visible(app, "#choices")
            else:
                assert visible(app, "#value")
            await pilot.press("ctrl+o" if not app.screen.question.required else "i")
            if app.screen.question.id == "archetype":
                await pilot.press("enter")
            await pilot.pause()
        # Where the live panel does not fit, its one-line summary is in the button row.
        if size[0] < 70:
            assert visible(app, "#live-mini") and not visible(app, "#live")
            assert "risk" in str(app.screen.query_one("#live-mini").render())
        else:
            assert visible(app, "#live")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert visible(app, "#results-button")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        for tab in TABS:
            assert visible(app, f"Tab#--content-tab-{tab}"), tab
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert visible(app, "#ask-input") and app.screen.query_one("#ask-input").has_focus


@pytest.mark.parametrize("size", [(3, 10), (1, 1), (12, 6), (40, 12)])
async def test_tiny_terminals_do_not_crash(size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("A", "enter", "down", "enter", "a", "enter", "ctrl+r")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await settle(pilot)
        for tab in TABS:
            app.screen.show_tab(tab)
            await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveScreen) and app.is_running
        await pilot.resize_terminal(80, 24) if hasattr(pilot, "resize_terminal") else None
        await pilot.pause()
        assert app.is_running


# ---------------------------------------------------------------- the start screen

async def test_the_organization_typed_is_never_lost(advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#organization")
        roles = app.screen.query_one("#roles")
        assert box.has_focus and roles.highlighted is None
        await pilot.press(*"Nordlicht", "enter")
        assert roles.has_focus and roles.highlighted == 0  # the first role, Enter picks it
        # Letters typed on the role list still go to the organization.
        await pilot.press(*" AG")
        assert box.value == "Nordlicht AG" and box.has_focus
        assert app.session is None
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert app.session.organization == "Nordlicht AG"
        assert app.session.role == "enterprise_it"


async def test_enter_on_the_role_list_picks_the_first_role(advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Acme", "enter", "enter")
        await pilot.pause()
        assert app.session.role == "startup" and app.session.organization == "Acme"


@pytest.mark.parametrize("key", ["1", "2", "3", "4"])
async def test_a_digit_picks_its_role(advisor_home: Path, key: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        roles = app.assessor.rulebase.questionnaire.roles
        await pilot.press("3")  # in the organization box a digit is part of the name
        assert app.session is None
        await pilot.press("enter", key)
        await pilot.pause()
        assert app.session.role == roles[int(key) - 1]
        assert app.session.organization == "3"


async def test_a_digit_on_the_drafts_is_part_of_the_name(advisor_home: Path) -> None:
    """With a draft to resume, the drafts list has the focus; "3M" typed there is the
    organization, and 1–4 pick a role once the role list has the focus."""
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await pilot.pause()
        await pilot.press("down", "enter")  # an answer, so a draft is kept
        await settle(pilot)
        first.drafts.close()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#drafts").has_focus
        await pilot.press("3", "M")
        await pilot.pause()
        assert app.session is None
        assert app.screen.query_one("#organization").value == "3M"
        await pilot.press("enter", "4")
        await pilot.pause()
        assert app.session.role == "developer" and app.session.organization == "3M"


async def test_the_theme_is_remembered(advisor_home: Path) -> None:
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert first.current_theme.dark
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert not first.current_theme.dark
    second = make_app()
    async with second.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not second.current_theme.dark
    # A damaged preferences file is no preferences file.
    (advisor_home / "tui.json").write_bytes(b"\xff{[" * 1000)
    third = make_app()
    async with third.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert third.current_theme.dark


# ---------------------------------------------------------------- the save dialog

async def save_dialog(pilot: Any, monkeypatch: pytest.MonkeyPatch, folder: Path) -> SaveScreen:
    monkeypatch.chdir(folder)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    await to_results(pilot)
    pilot.app.session.organization = "Acme Copilot, Inc."
    await pilot.press("ctrl+s")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, SaveScreen)
    return dialog


def status(dialog: SaveScreen) -> str:
    return str(dialog.query_one("#save-status").render())


async def test_save_dialog_names_extends_and_never_overwrites_silently(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await save_dialog(pilot, monkeypatch, tmp_path)
        report = dialog.query_one("#report-path")
        answers = dialog.query_one("#answers-path")
        assert report.value == "acme-copilot-inc-ai-exposure-2026-01-01.md"
        assert answers.value == "acme-copilot-inc-ai-exposure-2026-01-01.answers.json"
        # The selected format is marked by a filled dot, not by colour alone.
        buttons = list(dialog.query("RadioButton"))
        assert [b.BUTTON_INNER for b in buttons] == ["●", " ", " "]
        # The cursor starts at the end: two backspaces and "html" make an HTML report.
        assert report.has_focus
        await pilot.press("backspace", "backspace", *"html")
        assert report.value == "acme-copilot-inc-ai-exposure-2026-01-01.html"
        assert buttons[1].value
        buttons[0].value = True
        await settle(pilot)
        assert report.value == "acme-copilot-inc-ai-exposure-2026-01-01.md"
        # The extension follows the format.
        buttons[1].value = True
        await settle(pilot)
        assert report.value == "acme-copilot-inc-ai-exposure-2026-01-01.html"
        assert [b.BUTTON_INNER for b in buttons] == [" ", "●", " "]
        # One Enter saves the report and the answers file beside it.
        report.focus()
        await pilot.press("enter")
        await settle(pilot)
        first = tmp_path / "acme-copilot-inc-ai-exposure-2026-01-01.html"
        saved = tmp_path / "acme-copilot-inc-ai-exposure-2026-01-01.answers.json"
        assert first.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
        assert saved.is_file()
        assert status(dialog) == f"✓ Report saved to {first}\n✓ Answers saved to {saved}"
        # Typing another format's extension chooses that format.
        report.value = "typed.json"
        await settle(pilot)
        assert buttons[2].value and [b.BUTTON_INNER for b in buttons] == [" ", " ", "●"]
        assert answers.value == "typed.answers.json"  # the answers name follows the report's
        buttons[1].value = True
        await settle(pilot)
        assert report.value == "typed.html"
        # A name without an extension gets the format's.
        report.value = "board"
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "board.html").is_file() and report.value == "board.html"
        assert (tmp_path / "board.answers.json").is_file()
        # An existing file: the first Save asks, the second replaces.
        first.write_text("keep me", encoding="utf-8")
        saved.unlink()
        report.value = first.name
        await pilot.press("enter")
        await settle(pilot)
        assert first.read_text(encoding="utf-8") == "keep me" and not saved.exists()
        assert "already exists" in status(dialog) and str(first) in status(dialog)
        # A format change makes the warning moot: it goes, and nothing is replaced.
        buttons[0].value = True
        await settle(pilot)
        assert status(dialog) == "" and report.value == first.with_suffix(".md").name
        buttons[1].value = True
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "already exists" in status(dialog)
        await pilot.press("enter")
        await settle(pilot)
        assert first.read_text(encoding="utf-8") != "keep me" and saved.is_file()
        # Changing the name after the warning asks again for the next existing file.
        (tmp_path / "other.html").write_text("other", encoding="utf-8")
        report.value = "other.html"
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "other.html").read_text(encoding="utf-8") == "other"
        report.value = "fresh.html"
        await settle(pilot)
        assert status(dialog) == ""  # the stale warning does not outlive the name
        # An answers name the person typed is kept when the report's name changes.
        answers.value = "kept.json"
        report.value = "final.html"
        await settle(pilot)
        assert answers.value == "kept.json"


async def test_quitting_says_the_draft_is_kept(advisor_home: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "1")
        await pilot.pause()
        assert app.quit_notice() is None  # nothing answered, nothing kept
        await pilot.press("down", "enter")
        await settle(pilot)
        notice = app.quit_notice()
        assert notice is not None and "kept as a draft" in notice
        assert "Resume an unfinished draft" in notice
        seen: dict[str, Any] = {}
        original = app.exit

        def exit_(*args: Any, **kwargs: Any) -> None:
            seen.update(kwargs)
            original(*args, **kwargs)

        app.exit = exit_  # type: ignore[method-assign]
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert seen["message"] == notice  # printed on the terminal once the TUI has gone



@pytest.mark.parametrize("name", ["x" * 300, "a/" * 10 + "y" * 256, "folder-that-is-not/x.md",
                                  "bad\x00name.md", ".", "/", "~", "sub", ""])
async def test_save_dialog_refuses_unusable_names_inline(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await save_dialog(pilot, monkeypatch, tmp_path)
        (tmp_path / "sub").mkdir()
        report = dialog.query_one("#report-path")
        report.value = name
        report.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert status(dialog).startswith("✗"), status(dialog)
        assert app.is_running and isinstance(app.screen, SaveScreen)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]
    assert list((tmp_path / "sub").iterdir()) == []


async def test_save_onto_a_fifo_does_not_replace_it_or_hang(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import stat

    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await save_dialog(pilot, monkeypatch, tmp_path)
        report = dialog.query_one("#report-path")
        report.value = str(fifo)
        report.focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # confirm replacing it: still written through, or refused
        await pilot.pause()
        assert status(dialog).startswith(("✗", "!", "✓"))
        assert app.is_running
    assert stat.S_ISFIFO(fifo.stat().st_mode)


# ---------------------------------------------------------------- worded for the role

@pytest.mark.parametrize(("role", "words"), [("investor", "the company"),
                                             ("enterprise_it", "your AI systems")])
async def test_questions_are_worded_for_the_role(role: str, words: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pick_role(pilot, role)
        seen = []
        while isinstance(app.screen, QuestionScreen):
            prompt = str(app.screen.query_one("#prompt").render())
            seen.append(prompt)
            if role == "investor":
                assert "you serve" not in prompt and "your product" not in prompt, prompt
            else:
                assert "customers" not in prompt and "your product" not in prompt, prompt
            await pilot.press("ctrl+o" if not app.screen.question.required else "i", "enter")
            await pilot.pause()
        assert sum(words in p for p in seen) >= 3, seen
        # Numbers as people type them, and the bill beside the computed cost in the panel.
        app.show_question("model")
        await pilot.pause()
        await pilot.press(*"Azure OpenAI GPT-4o", "enter")
        assert app.session.answers["model"] == "Azure OpenAI GPT-4o"
        assert app.screen.question.id == "monthly_requests"
        await pilot.press(*"1.5M", "enter")
        assert app.session.answers["monthly_requests"] == 1_500_000
        app.show_question("monthly_api_spend_usd")
        await pilot.pause()
        await pilot.press(*"$38,000", "enter")
        assert app.session.answers["monthly_api_spend_usd"] == 38_000
        text = str(app.screen.live_panel.text.render())
        assert "Bill  $38,000" in text and "Today" in text
