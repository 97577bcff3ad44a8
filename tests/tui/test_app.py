"""The TUI driven with Textual's pilot: every role from start to a saved report, drafts that
survive being dropped mid-way, inline validation, the results tabs, and the LLM/Ask edges."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from advisor.cli.main import main as cli_main
from advisor.core.assess import assess
from advisor.core.result import Narrative
from advisor.data.answers_file import read_answers_file
from advisor.data.rules import load_rulebase
from advisor.history.store import Store
from advisor.render.charts import cost_bars
from advisor.render.formatting import money
from advisor.render.report import render
from advisor.tui.drafts import list_drafts
from advisor.tui.screens.question import QuestionScreen
from advisor.tui.screens.results import ResultsScreen
from advisor.tui.screens.review import ReviewScreen
from advisor.tui.screens.save import SaveScreen
from advisor.tui.screens.start import StartScreen
from advisor.tui.widgets.live_panel import LivePanel
from tests.conftest import EXAMPLES
from tests.tui.conftest import (
    PLANS,
    SIZE,
    answer_current,
    make_app,
    pick_role,
    settle,
    walk_questions,
)

pytestmark = pytest.mark.asyncio


def reference_report(answers_path: Path) -> str:
    """What ``advisor assess`` makes of the file: read, assess, render (built-in narrative)."""
    from advisor.data.price_map import default_price_book

    result = assess(read_answers_file(str(answers_path)), load_rulebase(), default_price_book())
    return render(result, load_rulebase(), "md")


def panel_text(app: Any) -> str:
    return str(app.screen.query_one(LivePanel).text.render())


async def save_both(pilot: Any, report: Path, answers: Path, fmt_index: int = 0) -> None:
    """Open the save dialog (ctrl+s) and save the report and the answers file."""
    await pilot.press("ctrl+s")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, SaveScreen)
    if fmt_index:
        dialog.query_one("#format").query("RadioButton")[fmt_index].value = True
        await pilot.pause()
    dialog.query_one("#report-path").value = str(report)
    box = dialog.query_one("#answers-path")
    box.value = str(answers)
    box.focus()
    await pilot.press("enter")  # one Enter saves both
    await pilot.pause()


async def open_example(pilot: Any, name: str) -> None:
    """From the start screen, open one of the example answers files (lands on the review)."""
    await pilot.pause()
    box = pilot.app.screen.query_one("#open-path")
    box.value = str(EXAMPLES / name)
    box.focus()
    await pilot.press("enter")
    await settle(pilot)


#: The report format each role's walk saves (all three are covered).
REPORT_FORMATS = {"startup": "md", "enterprise_it": "md", "investor": "json",
                  "developer": "html"}


@pytest.mark.parametrize("role", list(PLANS))
async def test_each_role_walks_from_start_to_a_saved_report(role: str, tmp_path: Path) -> None:
    """Start -> every question that applies -> review -> results -> edited probabilities ->
    saved report and answers file; ``advisor assess`` on that file gives the same bytes as the
    Report tab showed."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        roles = app.screen.query_one("#roles")
        assert [o.id for o in roles.options] == ["startup", "enterprise_it", "investor",
                                                 "developer"]
        app.screen.query_one("#organization").value = f"Acme {role}"
        await pick_role(pilot, role)
        asked = await walk_questions(pilot, {**PLANS[role], "regulated": None})
        assert isinstance(app.screen, ReviewScreen)
        # Every question that applies was asked exactly once, in order, and only the role's.
        assert asked == [q.id for q in app.session.relevant_questions()]
        assert set(asked) <= {q.id for q in app.session.questionnaire.for_role(role)}
        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        header = str(screen.query_one("#summary-header").render())
        assert f"score {app.live.result.score} / 100" in header
        screen.show_tab("scenarios")
        await pilot.pause()
        screen.query_one("#p-stabilization").value = "0.2"
        await pilot.pause()
        assert "must sum to 1" in str(screen.query_one("#scenario-error").render())
        screen.query_one("#p-further_decline").value = "60%"
        await pilot.pause()
        assert str(screen.query_one("#scenario-error").render()) == ""
        assert app.live.result.scenarios[0].probability == 0.2
        if role == "startup":  # what the Report tab shows (rendering it once is enough)
            screen.show_tab("report")
            await pilot.pause()
            shown = screen.query_one("#report-view").source
        else:
            shown = app.assessor.report(app.live.result, "md")
        fmt = REPORT_FORMATS[role]
        report = tmp_path / f"advisor-report.{fmt}"
        answers = tmp_path / "advisor-answers.json"
        await save_both(pilot, report, answers, fmt_index=["md", "html", "json"].index(fmt))
        assert "Answers saved" in str(app.screen.query_one("#save-status").render())
        await app.workers.wait_for_complete()
        app.drafts.flush()
    out = tmp_path / f"cli-report.{fmt}"
    assert cli_main(["assess", str(answers), "--format", fmt, "-o", str(out),
                     "--no-history"]) == 0
    assert report.read_bytes() == out.read_bytes()
    if fmt == "md":
        assert report.read_text(encoding="utf-8") == shown == reference_report(answers)
    data = json.loads(answers.read_text(encoding="utf-8"))
    assert data["role"] == role and data["schema_version"] == 1
    assert data["organization"] == f"Acme {role}"
    assert "regulated" not in data["answers"]  # "don't know" is left out of the file
    assert data["assumptions"] == {"scenario_probabilities": {
        "stabilization": 0.2, "further_decline": 0.6, "divergence": 0.2}}
    # The saved report finishes the draft; history holds the results as first shown and as
    # saved (after the probability edit), newest last.
    assert list_drafts() == []
    with Store.open() as store:
        rows = [(r["origin"], r["role"], r["answers_json"]) for r in store.iter_assessments()]
    assert [(r[0], r[1]) for r in rows] == [("tui", role), ("tui", role)]
    assert json.loads(rows[-1][2]) == data
    assert "assumptions" not in json.loads(rows[0][2])


async def test_a_dropped_session_resumes_with_every_completed_answer() -> None:
    """Answer a few questions, drop the app mid-way, start again with the same ADVISOR_HOME."""
    first = make_app()
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pick_role(pilot, "developer")
        plan = {**PLANS["developer"], "industry": None}
        for _ in range(9):
            await answer_current(pilot, plan)
        completed = dict(first.session.answers)
        where = first.session.current
        first.drafts.flush()
        # The draft on disk already holds every completed answer while the app is running:
        # nothing depends on a clean exit.
        (draft,) = list_drafts()
        assert draft.data["answers"] == completed and draft.data["current"] == where
    assert len(completed) == 9 and completed["industry"] is None

    second = make_app()
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        drafts = second.screen.query_one("#drafts")
        assert drafts.has_focus
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(second.screen, QuestionScreen)
        assert second.session.answers == completed
        assert second.screen.qid == where
        assert "Tier" in panel_text(second)


async def test_inline_validation_keeps_the_person_on_the_question() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_example(pilot, "investor-portfolio-vertical.json")  # no model named
        app.show_question("model")
        await pilot.pause()
        await pilot.press(*"gpt-4oo", "enter")
        error = str(app.screen.query_one("#error").render())
        assert "unknown model 'gpt-4oo'" in error and "gpt-4o" in error
        assert app.screen.question.id == "model" and "model" not in app.session.answers
        await pilot.press("backspace", "enter")
        assert app.session.answers["model"] == "gpt-4o"
        assert app.screen.question.id == "monthly_requests"  # now the volume applies
        app.show_question("gross_margin_pct")
        await pilot.pause()
        await pilot.press("ctrl+u", *"300")
        assert "at most 100" in str(app.screen.query_one("#error").render())
        await pilot.press("enter")
        assert app.screen.question.id == "gross_margin_pct"
        assert app.session.answers["gross_margin_pct"] == 62
        # Back works out the previous question from the answers (pricing_model applies here).
        await pilot.press("escape")
        assert app.screen.question.id == "pricing_model"


async def test_live_panel_follows_every_answer() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pick_role(pilot, "startup")
        assert "No tier yet" in panel_text(app)
        await answer_current(pilot, {"archetype": "api_wrapper"})
        assert "High risk" in panel_text(app)
        assert "A thin layer over someone else's model" in panel_text(app)
        plan = {"model": "gpt-4o", "monthly_requests": "1000", "avg_input_tokens": "1000",
                "avg_output_tokens": "1000"}
        while app.screen.question.id != "calls_per_task":
            await answer_current(pilot, plan)
        text = panel_text(app)
        costs = app.live.result.costs
        assert f"Today {money(costs['current']['monthly_usd'])}" in text
        assert f"2023  {money(costs['baseline_2023']['monthly_usd'])}" in text


async def test_review_edits_an_answer_and_returns() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_example(pilot, "investor-portfolio-vertical.json")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        answers = review.query_one("#answers")
        index = next(i for i, o in enumerate(answers.options) if o.id == "archetype")
        answers.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.screen.qid == "archetype"
        await pilot.press("up", "enter")  # from vertical_saas to the option above it
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.session.answers["archetype"] == "workflow_integrator"
        assert app.live.result.answers["archetype"] == "workflow_integrator"


async def test_open_an_answers_file_and_a_broken_history(tmp_path: Path,
                                                        advisor_home: Path) -> None:
    """A bad file is an inline message; a good one lands on the review with the same report
    as ``advisor assess``; a corrupt history store is a notification, never a crash."""
    (advisor_home / "advisor.sqlite3").write_bytes(b"this is not a database" * 100)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "role": "startup", "answers": {}}', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#open-path")
        box.value = str(bad)
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        message = str(app.screen.query_one("#open-error").render())
        assert "answers.archetype: required field is missing" in message
        box.value = str(EXAMPLES / "investor-portfolio-vertical.json")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert app.session.role == "investor"
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        expected = reference_report(EXAMPLES / "investor-portfolio-vertical.json")
        assert app.assessor.report(app.live.result, "md") == expected
        assert any("Not kept in history" in n.message for n in app._notifications)


async def test_keys_theme_palette_and_quit(advisor_home: Path) -> None:
    # The LLM model and server of the config file pre-fill the Narrative tab.
    (advisor_home / "config.toml").write_text(
        '[llm]\nmodel = "ollama/llama3.1"\nbase_url = "http://127.0.0.1:9/v1"\n',
        encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        assert not app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Toggle light/dark theme", "New assessment"} <= set(titles)
        await open_example(pilot, "startup-chat-wrapper.json")
        await pilot.press("ctrl+n")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Save report and answers file", "Write narrative (LLM)", "Ask a question",
                "Results: Costs tab"} <= set(titles)
        footer_keys = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.id}
        assert {"save", "review", "narrative", "quit", "toggle_theme"} <= footer_keys
        assert app.screen.query_one("#llm-model").value == "ollama/llama3.1"
        assert app.screen.query_one("#llm-base-url").value == "http://127.0.0.1:9/v1"
        # The palette's tab commands work; the Costs tab draws 2023 vs today vs scenarios.
        costs = next(c for c in app.get_system_commands(app.screen)
                     if c.title == "Results: Costs tab")
        costs.callback()
        await pilot.pause()
        chart = str(app.screen.query_one("#chart").render())
        bars = cost_bars(app.live.result)
        assert [b.label for b in bars][:2] == ["GPT-4, March 2023", "Today"]
        for bar in bars:
            assert bar.label in chart
        own = (app.live.result.costs.get("self_hosting") or {}).get("monthly_usd")
        assert "█" in chart and len(bars) == 4 + (own is not None) + len(
            app.live.result.scenarios)  # own GPUs: the third way to buy the work (costs.md)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def _results_app(pilot: Any) -> Any:
    await open_example(pilot, "developer-agent-platform.json")
    await pilot.press("ctrl+n")
    await pilot.pause()
    return pilot.app.screen


async def ask(pilot: Any, question: str) -> None:
    await pilot.press("ctrl+y")
    for _ in range(50):  # on a loaded machine the tab switch and focus take a few frames
        focused = pilot.app.focused
        if focused is not None and focused.id == "ask-input":
            break
        await pilot.pause(0.05)
    await pilot.press(*question, "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_ask_answers_in_a_worker_or_says_it_is_unavailable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def answer(question: str, answers_file: Any, rulebase: Any, prices: Any) -> Any:
        seen.update(question=question, role=answers_file.role, rulebase=rulebase)
        return types.SimpleNamespace(text="Because **agents** multiply calls.",
                                     sources=["faq-q5"])

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _results_app(pilot)
        # None in sys.modules: importing the module raises ImportError (and the package must
        # not still hold it as an attribute from an earlier import in this process)
        import advisor.ask

        monkeypatch.delattr(advisor.ask, "conversation", raising=False)
        monkeypatch.setitem(sys.modules, "advisor.ask.conversation", None)
        await ask(pilot, "why high?")
        log = " ".join(str(w.render()) for w in screen.query("#ask-log Static"))
        assert "You: why high?" in log and "Ask is not available" in log
        monkeypatch.setitem(sys.modules, "advisor.ask.conversation",
                            types.SimpleNamespace(answer=answer))
        await ask(pilot, "what about agents?")
        (reply,) = screen.query("#ask-log Markdown")
        assert "agents" in reply.source and "FAQ 5: AI agents and inference cost" in reply.source
    assert seen == {"question": "what about agents?", "role": "developer",
                    "rulebase": load_rulebase()}


def _fake_llm(monkeypatch: pytest.MonkeyPatch, narrative: Narrative, chunks: list[str]) -> dict:
    """Stand-ins for advisor.llm.settings / advisor.llm.narrative with the agreed interface."""
    calls: dict[str, Any] = {}

    class LLMSettings:
        def __init__(self, model: str, base_url: str | None, timeout: float) -> None:
            calls["settings"] = (model, base_url, timeout)

    def narrate(result: Any, rulebase: Any, settings: Any, on_chunk: Any = None) -> Narrative:
        for chunk in chunks:
            on_chunk(chunk)
        calls["streamed"] = True
        return narrative

    monkeypatch.setitem(sys.modules, "advisor.llm.settings",
                        types.SimpleNamespace(LLMSettings=LLMSettings))
    monkeypatch.setitem(sys.modules, "advisor.llm.narrative",
                        types.SimpleNamespace(narrate=narrate))
    return calls


async def write_narrative(pilot: Any) -> str:
    await pilot.press("ctrl+l")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return str(pilot.app.screen.query_one("#narrative-status").render())


async def test_llm_narrative_missing_fallback_then_streamed(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _results_app(pilot)
        # No model yet: the action asks for one.
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert screen.query_one("#llm-model").has_focus
        # The LLM modules are missing: a message, and the button works again.
        monkeypatch.setitem(sys.modules, "advisor.llm.narrative", None)
        screen.query_one("#llm-model").value = "any-model"
        status = await write_narrative(pilot)
        assert "not available" in status
        assert not screen.query_one("#write-narrative").disabled
        # The call falls back to the built-in narrative: its note is shown.
        fallback = Narrative(source="builtin", text="## Where you stand\n\nBuilt in.\n",
                             note="the model timed out after 60 s")
        _fake_llm(monkeypatch, fallback, [])
        status = await write_narrative(pilot)
        assert "Built-in narrative used" in status and "timed out after 60 s" in status
        # A streamed LLM narrative: chunks appended, then replaced by the returned text.
        final = Narrative(source="llm", text="## Where you stand\n\nFinal text.\n",
                          model="m1", input_tokens=10, output_tokens=20, usd=0.001)
        calls = _fake_llm(monkeypatch, final, ["## Where", " you stand\n\nStreamed"])
        screen.query_one("#llm-model").value = ""
        screen.query_one("#llm-model").focus()
        await pilot.press(*"m1", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen._narrative_text == final.text
        assert screen.query_one("#narrative-view").source == final.text
        assert "LLM narrative" in str(screen.query_one("#narrative-status").render())
        assert app.live.result.narrative is final
        report = tmp_path / "r.md"
        await save_both(pilot, report, tmp_path / "a.json")
    assert calls["settings"] == ("m1", None, 60.0) and calls["streamed"]
    assert "Final text." in report.read_text(encoding="utf-8")


async def test_the_mouse_works() -> None:
    """Click a role, an option, "Don't know", "Back", then the review's "See results"."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#roles", offset=(4, 2))  # the second line: Enterprise IT
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.session.role == "enterprise_it"
        await pilot.click("#choices", offset=(4, 1))  # the first option (inside the border)
        await pilot.pause()
        assert app.session.answers == {"archetype": "api_wrapper"}
        await pilot.click("#dont-know")
        await pilot.pause()
        assert app.session.answers["industry"] is None
        await pilot.click("#back-button")
        await pilot.pause()
        assert app.screen.qid == "industry"
        app.show_review()
        await pilot.pause()
        await pilot.click("#results-button")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        await pilot.click("Tab#--content-tab-costs")
        await pilot.pause()
        assert app.screen.query_one("#tabs").active == "costs"
