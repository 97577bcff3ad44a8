"""Review: every answer on one screen, grouped by section; pick one to change it."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from advisor.tui.widgets.live_panel import LivePanel


def answer_text(question: Any, answers: dict[str, Any]) -> tuple[str, str]:
    """(text, style) of an answer: its label, "don't know", or "not answered"."""
    if question.id not in answers:
        return "not answered", "italic $text-warning"
    if answers[question.id] is None:
        return "don't know", "dim"
    return question.label_for(answers[question.id]), "bold"


class ReviewScreen(Screen[None]):
    """All answers that apply (plus any extra ones from a loaded file), each editable."""

    SCOPED_CSS = False  # the rules below are nested in the screen's own selector
    DEFAULT_CSS = """
    ReviewScreen {
        #review-pane {
            width: 1fr;
            padding: 0 1;
        }

        #answers {
            height: 1fr;
        }

        &.-narrow LivePanel {
            width: 28;
        }

        &.-wide LivePanel {
            width: 36;
        }

        &.-tiny LivePanel {
            display: none;
        }
    }
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (70, "-narrow"), (100, "-wide")]

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+n", "results", "Results", id="results"),
    ]

    def __init__(self, focus: str | None = None) -> None:
        super().__init__()
        self._focus = focus

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="body"):
            with Vertical(id="review-pane"):
                yield Static("Review your answers. Pick one to change it; then see the results.",
                             id="review-intro")
                yield OptionList(id="answers")
                yield Static("", id="review-error", classes="error")
                with Horizontal(classes="row"):
                    yield Button("Back", id="back-button", compact=True)
                    yield Button("See results", id="results-button", variant="primary",
                                 compact=True)
            self.live_panel = LivePanel(id="live")
            yield self.live_panel
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Review"
        self.refill(self._focus)

    def refill(self, focus: str | None = None) -> None:
        """List the answers; highlight ``focus`` (the answer just edited) or the first one."""
        app: Any = self.app
        session = app.session
        q = session.questionnaire
        listed = session.relevant_questions()
        listed_ids = {x.id for x in listed}
        listed += [q.by_id[k] for k in session.extra_answers() if k not in listed_ids]
        order = {x.id: i for i, x in enumerate(q.questions)}
        listed.sort(key=lambda x: order[x.id])
        options: list[Option | None] = []
        section = None
        self._ids: list[str | None] = []
        for question in listed:
            if question.section != section:
                section = question.section
                if options:
                    options.append(None)  # a separator line
                    self._ids.append(None)
                options.append(Option(Content.assemble((q.section_title(section).upper(),
                                                        "bold $text-accent")), disabled=True))
                self._ids.append(None)
            text, style = answer_text(question, session.answers)
            options.append(Option(Content.assemble(question.prompt_for(session.role), "\n  → ",
                                                   (text, style)), id=question.id))
            self._ids.append(question.id)
        answers = self.query_one("#answers", OptionList)
        answers.clear_options()
        answers.add_options(options)
        first = next((i for i, x in enumerate(answers.options) if not x.disabled), None)
        chosen = next((i for i, x in enumerate(answers.options) if focus and x.id == focus),
                      first)
        answers.highlighted = chosen
        answers.focus()
        if chosen is not None:
            self.call_after_refresh(answers.scroll_to_highlight, top=False)
        missing = [x for x in listed if x.required and x.id not in session.answers]
        self.query_one("#review-error", Static).update(
            f"✗ “{missing[0].prompt_for(session.role)}” needs an answer before the results."
            if missing else "")

    @on(OptionList.OptionSelected, "#answers")
    def _edit(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.show_question(event.option.id, return_to_review=True)  # type: ignore[attr-defined]

    @on(Button.Pressed, "#back-button")
    def action_back(self) -> None:
        """Back to where the person was: the question they left mid-walk, else the last one."""
        from advisor.tui.session import RESULTS

        app: Any = self.app
        where = app.review_return
        if where == RESULTS and app.live.result is not None:
            app.show_results()
            return
        if where is not None and where in {q.id for q in app.session.relevant_questions()}:
            app.show_question(where)
            return
        previous = app.session.previous_question(None)
        if previous is None:
            app.show_start()
        else:
            app.show_question(previous.id)

    @on(Button.Pressed, "#results-button")
    def action_results(self) -> None:
        app: Any = self.app
        if app.live.result is None:
            self.query_one("#review-error", Static).update(
                "✗ " + (app.live.hint or "the answers cannot be assessed yet"))
            return
        app.show_results()
