"""The Textual application: screens, the session, the live assessment, autosave and history.

The app owns the one :class:`Session` and the one :class:`Assessor`; screens ask it to
answer, navigate and save, so the rules for those live in one place. Answers are assessed
synchronously (the core takes well under a millisecond); drafts are written on a background
thread; the history store, the LLM and Ask run in thread workers, so the interface never waits.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from advisor.core.errors import InputError
from advisor.tui.assessing import Assessor, Outcome
from advisor.tui.drafts import DraftInfo, DraftWriter
from advisor.tui.screens.start import StartScreen
from advisor.tui.session import RESULTS, REVIEW, Session

#: ``review_return`` when the review was opened from the results (Esc goes back to them).


class AdvisorApp(App[None]):
    """``advisor`` with no arguments: the interactive assessment."""

    CSS_PATH = "advisor.tcss"
    TITLE = "advisor"
    SUB_TITLE = "AI inference cost assessment"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+t", "toggle_theme", "Theme", id="toggle_theme"),
    ]

    def __init__(self, *, cursor_blink: bool = True, assessor: Assessor | None = None,
                 llm_model: str = "", llm_base_url: str = "") -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.assessor = assessor or Assessor()
        self.drafts = DraftWriter()
        self.session: Session | None = None
        self.live = Outcome(hint="")
        self.llm_model = llm_model
        self.llm_base_url = llm_base_url
        self._recorded: str | None = None
        self._warned_draft = False
        self._draft_kept = False  # a draft of this session is on disk (the report not saved)
        self._llm_defaults_read = False
        #: The question the person was on when they opened the review mid-walk (Esc goes back
        #: there), or None when the review came at the end of the walk.
        self.review_return: str | None = None
        self._busy = False  # a file or draft is being read in a worker

    # ------------------------------------------------------------------ building blocks

    def make_input(self, **kwargs: Any) -> Input:
        """An Input that honours the app's cursor-blink setting (off for snapshots)."""
        box = Input(**kwargs)
        box.cursor_blink = self.cursor_blink
        return box

    def get_default_screen(self) -> Screen[Any]:
        """The start screen is the first screen: no blank screen is painted before it."""
        return StartScreen()

    def warm_up(self) -> None:
        """Import the core and read the price map in a thread, after the first paint."""
        self.run_worker(self.assessor.warm_up, thread=True, group="warm-up",
                        exit_on_error=False)

    def on_mount(self) -> None:
        from advisor.tui.prefs import load_prefs

        theme = load_prefs().get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Any) -> None:
        """Keep the chosen theme for the next start (ctrl+t or the palette's theme picker)."""
        from advisor.tui.prefs import save_prefs

        self.run_worker(lambda: save_prefs({"theme": theme.name}), thread=True,
                        group="prefs", exit_on_error=False)

    def on_unmount(self) -> None:
        self.drafts.close()

    async def action_quit(self) -> None:
        """Quit; when this session's answers are kept as a draft, say so on the way out."""
        self.exit(message=self.quit_notice())

    def quit_notice(self) -> str | None:
        """What is left behind: the draft to resume, or nothing to say."""
        if self.session is None or not self._draft_kept or not self.session.answers:
            return None
        from advisor.tui.drafts import draft_path

        answered = sum(1 for v in self.session.answers.values() if v is not None)
        return (f"advisor: your answers ({answered} given) are kept as a draft; run `advisor` "
                f"and pick it under \"Resume an unfinished draft\". "
                f"({draft_path(self.session.draft_id)})")

    # ------------------------------------------------------------------ sessions

    def new_session(self, role: str, organization: str = "") -> None:
        self.session = Session(self.assessor.rulebase.questionnaire, role,
                               organization=organization.strip())
        self._recorded = None
        self._draft_kept = False
        self.recompute()
        self._go_to_current()

    def resume_draft(self, draft: DraftInfo, on_error: Any = None) -> None:
        """Continue a draft where it stopped. The draft is rebuilt, checked and assessed in a
        worker, so a hostile one cannot freeze the screen; ``on_error(message)`` is called when
        it cannot be resumed."""
        self._in_worker(lambda: self._prepare_draft(draft), on_error)

    def _prepare_draft(self, draft: DraftInfo) -> tuple[Session, Outcome, list[str]]:
        try:
            session = Session.from_draft(self.assessor.rulebase.questionnaire, draft.data)
        except (ValueError, TypeError) as exc:
            raise InputError(f"This draft cannot be resumed: {exc}") from None
        dropped = self.assessor.sanitize(session)
        return session, self.assessor.assess(session), dropped

    def open_answers_file(self, path: str, on_error: Any = None) -> None:
        """Load an answers file in a worker and go to the review; ``on_error(message)`` gets
        the inline message when it cannot be read or is invalid."""
        self._in_worker(lambda: self._prepare_file(path), on_error)

    def _prepare_file(self, path: str) -> tuple[Session, Outcome, list[str]]:
        from advisor.data.answers_file import load_answers_bytes
        from advisor.tui.reading import read_bounded

        shown = str(Path(path).expanduser())
        data = read_bounded(shown)
        model = load_answers_bytes(data, file=path)
        session = Session.from_answers_file(self.assessor.rulebase.questionnaire, model)
        outcome = self.assessor.assess(session)
        if outcome.error is not None:
            raise outcome.error.with_file(path)
        session.current = REVIEW
        return session, outcome, []

    def _in_worker(self, prepare: Any, on_error: Any) -> None:
        """Run ``prepare`` (read, validate, assess) in a thread; then show the session it
        returns, or hand the error message to ``on_error``. One at a time."""
        if self._busy:
            return
        self._busy = True

        def work() -> None:
            try:
                prepared = prepare()
            except InputError as exc:
                self.call_from_thread(self._prepared, None, f"✗ {exc}", on_error)
            except Exception as exc:  # hostile input must never end the app
                message = f"✗ cannot use this input: {type(exc).__name__}"
                if isinstance(exc, RecursionError):
                    message = "✗ cannot use this input: it is nested too deeply"
                self.call_from_thread(self._prepared, None, message, on_error)
            else:
                self.call_from_thread(self._prepared, prepared, None, on_error)

        self.run_worker(work, thread=True, group="open", exit_on_error=False)

    def _prepared(self, prepared: Any, error: str | None, on_error: Any) -> None:
        self._busy = False
        if error is not None or prepared is None:
            if on_error is not None:
                on_error(error or "✗ cannot use this input")
            else:
                self.notify(error or "cannot use this input", severity="error")
            return
        session, outcome, dropped = prepared
        self.session = session
        self._recorded = None
        self.review_return = None
        if dropped:
            self.notify("Dropped answers the questionnaire no longer accepts: "
                        + ", ".join(self.assessor.field_name(f"answers.{d}", session.role)
                                    for d in dropped), severity="warning")
        self.show_outcome(outcome)
        self._go_to_current()

    def _go_to_current(self) -> None:
        assert self.session is not None
        if self.session.current == REVIEW:
            self.show_review()
        else:
            self.show_question(self.session.current)

    # ------------------------------------------------------------------ answering

    def answer(self, qid: str, value: Any) -> str | None:
        """Validate and record one answer; the inline message when it is rejected."""
        assert self.session is not None
        error, outcome = self.assessor.check_answer(self.session, qid, value)
        if error:
            return error
        self.session.set_answer(qid, value)
        self.show_outcome(outcome)
        return None

    def answers_changed(self) -> None:
        """Recompute the live panel and autosave (after an edit that does not move on)."""
        self.recompute()
        self.autosave()

    def recompute(self) -> None:
        assert self.session is not None
        self.show_outcome(self.assessor.assess(self.session))

    def show_outcome(self, outcome: Outcome) -> None:
        """Make ``outcome`` the live assessment and draw it in the current screen's panel."""
        self.live = outcome
        panel = getattr(self.screen, "live_panel", None)
        if panel is not None:
            panel.show(outcome)

    def autosave(self) -> None:
        """Queue the draft for writing; called after every answer once the next step is known."""
        assert self.session is not None
        if not self.session.answers:
            return
        self.drafts.save(self.session.draft_dict())
        self._draft_kept = True
        if self.drafts.last_error and not self._warned_draft:
            self._warned_draft = True
            self.notify(self.drafts.last_error, severity="warning")

    def set_probabilities(self, probs: dict[str, float] | None) -> None:
        from advisor.tui.screens.results import ResultsScreen

        assert self.session is not None
        self.session.set_scenario_probabilities(probs)
        self.answers_changed()
        if isinstance(self.screen, ResultsScreen) and self.live.result is not None:
            self.screen.refresh_all()

    def load_llm_defaults(self) -> None:
        """Pre-fill the model and base URL as ``advisor assess --llm`` would find them: the
        ``[llm]`` table of config.toml, ``ADVISOR_LLM_BASE_URL`` for the URL. Read once, when
        the results are first shown, so start-up never pays for it."""
        if self._llm_defaults_read:
            return
        self._llm_defaults_read = True
        try:
            from advisor.llm.settings import load_llm_config

            config = load_llm_config()
        except ImportError:
            return
        except InputError as exc:
            self.notify(f"LLM settings in the config file are ignored: {exc}",
                        severity="warning")
            return
        self.llm_model = self.llm_model or config["model"] or ""
        self.llm_base_url = (self.llm_base_url or os.environ.get("ADVISOR_LLM_BASE_URL")
                             or config["base_url"] or "")

    def set_narrative(self, narrative: Any) -> None:
        if self.live.result is not None:
            self.live.result.narrative = narrative

    # ------------------------------------------------------------------ navigation

    def _show(self, screen: Screen[Any]) -> None:
        """Show ``screen`` in place of the current one; the start screen stays underneath."""
        if len(self.screen_stack) <= 1:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def show_start(self) -> None:
        """Back to the start screen (always at the bottom of the stack), drafts re-listed."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        start = self.screen_stack[0]
        if isinstance(start, StartScreen):
            start.refresh_drafts()

    def show_question(self, qid: str, *, return_to_review: bool = False) -> None:
        if not return_to_review:
            self.review_return = None
        from advisor.tui.screens.question import QuestionScreen

        screen = self.screen
        if isinstance(screen, QuestionScreen) and screen.return_to_review == return_to_review:
            screen.show(qid)
        else:
            self._show(QuestionScreen(qid, return_to_review=return_to_review))

    def show_review(self, *, focus: str | None = None, came_from: str | None = None) -> None:
        """The review; ``focus`` is the answer to highlight (the one just edited), and
        ``came_from`` the question the person left mid-walk (Esc goes back to it)."""
        from advisor.tui.screens.review import ReviewScreen

        assert self.session is not None
        if came_from is not None:
            self.review_return = came_from
        self.session.current = REVIEW
        self.autosave()
        focus = focus or (came_from if came_from != RESULTS else None)
        screen = self.screen
        if isinstance(screen, ReviewScreen):
            screen.refill(focus)
        else:
            self._show(ReviewScreen(focus=focus))

    def show_results(self) -> None:
        from advisor.tui.screens.results import ResultsScreen

        if self.live.result is None:
            self.notify(self.live.hint or "The answers cannot be assessed yet.",
                        severity="warning")
            return
        self.load_llm_defaults()
        self._show(ResultsScreen())

    def show_save(self) -> None:
        from advisor.tui.screens.save import SaveScreen

        if self.live.result is not None:
            self.push_screen(SaveScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    # ------------------------------------------------------------------ saving and history

    def save_report(self, path: Path, fmt: str) -> str | None:
        """Write the report atomically; keep it in history; the draft is then finished."""
        from advisor.data.files import TargetError, write_output

        assert self.session is not None and self.live.result is not None
        text = self.assessor.report(self.live.result, fmt)
        try:
            write_output(path, text)
        except TargetError as exc:
            return f"cannot write {path}: {exc}"
        except OSError as exc:
            return f"cannot write {path}: {exc.strerror or exc}"
        self.record_history()
        self.drafts.discard(self.session.draft_id)
        self._draft_kept = False
        return None

    def save_answers(self, path: Path) -> str | None:
        from advisor.data.files import TargetError, write_output

        assert self.session is not None
        text = json.dumps(self.session.answers_file_dict(), indent=2, ensure_ascii=False) + "\n"
        try:
            write_output(path, text)
        except TargetError as exc:
            return f"cannot write {path}: {exc}"
        except OSError as exc:
            return f"cannot write {path}: {exc.strerror or exc}"
        return None

    def record_history(self) -> None:
        """Keep the finished assessment in the history store, once per distinct state."""
        if self.session is None or self.live.result is None:
            return
        answers = self.session.answers_file_dict()
        narrative = self.live.result.narrative
        llm_text = narrative.text if narrative is not None and narrative.source == "llm" else None
        key = json.dumps([answers, llm_text], sort_keys=True)
        if key == self._recorded:
            return
        self._recorded = key
        result = copy.copy(self.live.result)
        self.run_worker(lambda: self._record(answers, result), thread=True, group="history",
                        exit_on_error=False)

    def _record(self, answers: dict[str, Any], result: Any) -> None:
        from advisor.history.store import Store, StoreError

        report = self.assessor.report(result, "md")
        try:
            with Store.open() as store:
                store.record_assessment(answers, result, report, "md", origin="tui")
        except StoreError as exc:
            self.call_from_thread(self.notify, f"Not kept in history: {exc}",
                                  severity="warning")

    # ------------------------------------------------------------------ command palette

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from advisor.tui.screens.results import TABS, ResultsScreen

        yield from super().get_system_commands(screen)
        yield SystemCommand("Toggle light/dark theme", "Switch between the light and dark "
                            "themes", self.action_toggle_theme)
        yield SystemCommand("New assessment", "Go back to the start screen: pick a role, "
                            "resume a draft or open a file", self.show_start)
        if self.session is not None:
            yield SystemCommand("Review answers", "All answers on one screen, each editable",
                                self.show_review)
        if self.live.result is not None:
            yield SystemCommand("Show results", "Summary, recommendations, costs, "
                                "scenarios, report", self.show_results)
            yield SystemCommand("Save report and answers file", "Markdown, HTML or JSON, "
                                "with the answers file advisor assess reads, in one go",
                                self.show_save)
        if isinstance(screen, ResultsScreen):
            yield SystemCommand("Write narrative (LLM)", "Have a model of your choice draft "
                                "the narrative", screen.action_narrative)
            yield SystemCommand("Ask a question", "Ask about the result in plain words",
                                screen.action_ask)
            for tab in TABS:
                yield SystemCommand(f"Results: {tab.capitalize()} tab", f"Show the {tab} tab",
                                    lambda tab=tab: screen.show_tab(tab))
