"""One question at a time, with its help text, inline validation and the live panel.

One screen instance shows every question in turn: the widgets stay mounted and are refilled,
so moving to the next question costs a few updates rather than a new screen. What a question
looks like comes from the questionnaire (type, options with hints, help, article section).
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from advisor.core.questionnaire import Question
from advisor.core.sources import SECTION_TITLES
from advisor.tui.values import format_value, parse_text
from advisor.tui.widgets.live_panel import LivePanel

#: The question whose answer is a model name: typed with completion from the price map.
MODEL_QUESTION = "model"

BOOL_OPTIONS: tuple[tuple[bool, str, str], ...] = ((True, "Yes", ""), (False, "No", ""))


def progress_bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else 0
    return "━" * filled + "─" * (width - filled)


def choice_rows(question: Question, role: str | None = None) -> list[tuple[Any, str, str]]:
    """(value, label, hint) for a question answered by picking from a list; each hint as
    ``role`` reads it."""
    if question.type == "bool":
        return list(BOOL_OPTIONS)
    return [(o.value, o.label, o.hint_for(role)) for o in question.options]


def option_content(label: str, hint: str, chosen: bool = False) -> Content:
    mark = ("● ", "bold") if chosen else ("  ", "")
    tail = ("  (your answer)", "italic") if chosen else ("", "")
    if not hint:
        return Content.assemble(mark, (label, "bold"), tail)
    return Content.assemble(mark, (label, "bold"), tail, ("  " + hint, "dim"))


class QuestionScreen(Screen[None]):
    """Asks the session's current question; Back/Next follow the questionnaire's relevance."""

    SCOPED_CSS = False  # the rules below are nested in the screen's own selector
    DEFAULT_CSS = """
    QuestionScreen {
        #question-pane {
            width: 1fr;
            padding: 0 1;
        }

        #progress {
            margin-bottom: 1;
        }

        #prompt {
            margin-bottom: 1;
        }

        #choices {
            height: auto;
            max-height: 12;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }

        #option-hint {
            color: $text-muted;
            padding: 0 1;
        }

        #error {
            margin-top: 1;
        }

        #value-row {
            height: auto;
        }

        #value {
            width: 1fr;
        }

        #suggestions {
            height: auto;
            max-height: 8;
            display: none;
        }

        #suggestions.-shown {
            display: block;
        }

        #suggest-hint {
            display: none;
            padding: 0 1;
        }

        #unit {
            width: auto;
            max-width: 50%;
            height: 3;
            padding: 0 1;
            content-align: left middle;
            color: $text-muted;
        }

        #nav {
            dock: bottom;
            height: 1;
            padding: 0 1;
            background: $boost;
        }

        #question-body {
            width: 1fr;
        }

        #nav Button {
            width: auto;
            min-width: 6;
            margin: 0 2 0 0;
        }

        #help {
            margin-top: 1;
            color: $text-muted;
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

        #live-mini {
            display: none;
            width: 1fr;
            text-align: right;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }

        &.-tiny #live-mini {
            display: block;
        }
    }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+n", "next", "Next", id="next"),
        Binding("ctrl+o", "dont_know", "Don't know", id="dont_know"),
        Binding("ctrl+r", "review", "Review", id="review"),
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (70, "-narrow"), (100, "-wide")]

    def __init__(self, qid: str, *, return_to_review: bool = False) -> None:
        super().__init__()
        self.qid = qid
        self.return_to_review = return_to_review
        self._values: list[Any] = []
        self._hints: list[str] = []
        self._suggested: list[str] = []

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield Header()
        mini = Static("", id="live-mini")  # the live panel in one line, when it is hidden
        with Horizontal(classes="body"):
            with Vertical(id="question-body"):
                with VerticalScroll(id="question-pane"):
                    yield Static("", id="progress")
                    yield Static("", id="prompt")
                    yield OptionList(id="choices")
                    yield Static("", id="option-hint")
                    with Horizontal(id="value-row"):
                        yield app.make_input(id="value", max_length=1000)
                        yield Static("", id="unit")  # what the number counts
                    # Model names closest to what is typed: ↓ goes into the list, Enter picks.
                    yield OptionList(id="suggestions")
                    yield Static(Content.assemble(("↑ the closest names: ↓ to pick one, Enter "
                                                   "to choose it", "dim")), id="suggest-hint")
                    yield Static("", id="error", classes="error")
                    yield Static("", id="help")
                # Outside the scrolling pane: Back and Next stay in view at any size.
                with Horizontal(id="nav", classes="row"):
                    yield Button("Back", id="back-button", compact=True)
                    yield Button("Don't know", id="dont-know", compact=True)
                    yield Button("Next", id="next-button", variant="primary", compact=True)
                    yield mini
            self.live_panel = LivePanel(id="live")
            self.live_panel.mini = mini
            yield self.live_panel
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.qid)

    # ------------------------------------------------------------------ display

    @property
    def question(self) -> Question:
        app: Any = self.app
        return app.session.questionnaire.by_id[self.qid]

    def show(self, qid: str) -> None:
        """Fill the widgets for ``qid`` and put the focus where typing or picking happens."""
        app: Any = self.app
        session = app.session
        self.qid = qid
        session.current = qid
        app.autosave()  # after an answer, the draft records it together with where to resume
        q = self.question
        role = session.role
        position, total, _ = session.progress(qid)
        section = session.questionnaire.section_title(q.section)
        self.sub_title = f"{section} · {position} of {total}"
        self.query_one("#progress", Static).update(Content.assemble(
            (section, "bold $text-accent"), f"  question {position} of {total}  ",
            (progress_bar(position - 1, total, 8), "$text-accent")))
        required = "" if not q.required else "  (required)"
        self.query_one("#prompt", Static).update(Content.assemble((q.prompt_for(role), "bold"),
                                                                  (required, "dim")))
        source = SECTION_TITLES.get(q.source, q.source)
        later = ("" if q.required else
                 "\nDon't know is fine: it lowers the confidence a little, and you can answer "
                 "later from Review (ctrl+r)." if q.weight > 0 else
                 "\nDon't know is fine: it leaves the confidence as it is, and you can answer "
                 "later from Review (ctrl+r).")
        self.query_one("#help", Static).update(Content.assemble(
            ("Why it matters  ", "bold"), q.help_for(role), "\n", ("Article: ", "dim"),
            (source, "italic"), (later, "dim")))
        self.set_error(None)
        self.query_one("#dont-know", Button).display = not q.required
        self.query_one("#back-button", Button).disabled = False
        current = session.answers.get(qid, _UNSET) if session.is_answered(qid) else _UNSET
        choices = self.query_one("#choices", OptionList)
        box = self.query_one("#value", Input)
        if q.type in ("choice", "bool"):
            rows = choice_rows(q, role)
            self._values = [value for value, _, _ in rows]
            chosen = (self._values.index(current)
                      if current is not _UNSET and current in self._values else None)
            choices.clear_options()
            # The answer given before is marked in words, not by colour alone.
            choices.add_options([Option(option_content(label, hint, i == chosen))
                                 for i, (_, label, hint) in enumerate(rows)])
            self._hints = [hint for _, _, hint in rows]
            # Show and focus the new control before hiding the old one: one focus change, so
            # the footer's bindings are rebuilt once.
            choices.display = True
            self.query_one("#option-hint", Static).display = True
            # Nothing is highlighted until the person moves: Next never records an option
            # they did not pick.
            choices.highlighted = chosen
            self._show_hint(chosen)
            choices.focus(scroll_visible=False)
            self.query_one("#value-row").display = False
            self._suggest("")
        else:
            box.display = True
            self.query_one("#value-row").display = True
            self.query_one("#option-hint", Static).display = False
            # A question not yet answered starts at its default (calls per request: 1); one
            # answered "don't know" starts empty, as it was left.
            start = (q.default if not session.is_answered(qid) and q.default is not None
                     else None if current is _UNSET else current)
            box.value = format_value(q, start)
            self.query_one("#unit", Static).update(q.unit)
            self.query_one("#unit", Static).display = bool(q.unit)
            box.placeholder = _placeholder(q)
            self._suggest(box.value if q.id == MODEL_QUESTION else "")
            box.cursor_position = len(box.value)
            box.focus(scroll_visible=False)
            choices.display = False
        self.query_one("#question-pane", VerticalScroll).scroll_home(animate=False)

    def set_error(self, message: str | None) -> None:
        """Show (or clear) the inline message under the answer."""
        error = self.query_one("#error", Static)
        error.display = bool(message)
        error.update(Content.assemble(("✗ ", "bold"), message) if message else "")

    def _show_hint(self, index: int | None) -> None:
        hint = self._hints[index] if index is not None and index < len(self._hints) else ""
        text = (Content.assemble(("→ ", "dim"), hint) if hint else
                Content.assemble(("↑/↓ or a first letter to pick, Enter to choose", "dim")))
        self.query_one("#option-hint", Static).update(text)

    # ------------------------------------------------------------------ model suggestions

    def _suggest(self, text: str) -> None:
        """Rank model names against ``text`` in a thread; the list shows the closest first."""
        if not text.strip():
            self._show_suggestions(text, [])
            return
        app: Any = self.app
        session = app.session

        def work() -> None:
            names = app.assessor.model_suggestions(session, text)
            app.call_from_thread(self._show_suggestions, text, names)

        self.run_worker(work, thread=True, exclusive=True, group="suggest", exit_on_error=False)

    def _show_suggestions(self, text: str, names: list[str]) -> None:
        box = self.query_one("#value", Input)
        if self.qid != MODEL_QUESTION:
            names = []  # moved to another question: no list
        elif box.value != text:
            return  # typed on since: the newer text's list follows
        listed = self.query_one("#suggestions", OptionList)
        if names and names[0].lower() == text.strip().lower() and len(names) == 1:
            names = []  # what is typed is the one name offered
        listed.clear_options()
        listed.add_options([Option(Content(name)) for name in names])
        listed.set_class(bool(names), "-shown")
        self.query_one("#suggest-hint", Static).display = bool(names)
        self._suggested = names

    @on(OptionList.OptionSelected, "#suggestions")
    def _suggestion_picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        box = self.query_one("#value", Input)
        box.value = self._suggested[event.option_index]
        box.cursor_position = len(box.value)
        box.focus()
        self.action_next()

    def on_key(self, event: events.Key) -> None:
        """On the options, a digit or a first letter highlights an option (Enter chooses it):
        "y" for Yes, "3" for the third, "s" for Software. In the model box, ↓ moves into the
        suggestions; ↑ from the first one goes back to typing."""
        listed = self.query_one("#suggestions", OptionList)
        box = self.query_one("#value", Input)
        if event.key == "down" and box.has_focus and listed.has_class("-shown"):
            listed.focus()
            listed.highlighted = 0
            event.stop()
            event.prevent_default()
            return
        if event.key == "up" and listed.has_focus and not listed.highlighted:
            box.focus()
            event.stop()
            event.prevent_default()
            return
        choices = self.query_one("#choices", OptionList)
        char = event.character
        if not choices.has_focus or not char or len(char) != 1 or not char.isalnum():
            return
        labels = [label for _, label, _ in choice_rows(self.question)]
        if char.isdigit():
            index = int(char) - 1
            found = index if 0 <= index < len(labels) else None
        else:
            start = choices.highlighted if choices.highlighted is not None else -1
            order = [(start + i) % len(labels) for i in range(1, len(labels) + 1)]
            found = next((i for i in order if labels[i].lower().startswith(char.lower())),
                         None)
        if found is not None:
            choices.highlighted = found
            event.stop()
            event.prevent_default()

    @on(OptionList.OptionHighlighted, "#choices")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_hint(event.option_index)

    # ------------------------------------------------------------------ answering

    def submit(self, value: Any) -> bool:
        """Validate and record ``value``; move on when it is accepted. True when accepted."""
        app: Any = self.app
        error = app.answer(self.qid, value)
        if error:
            self.set_error(error)
            return False
        if self.return_to_review:
            app.show_review(focus=self.qid)
            return True
        nxt = app.session.next_question(self.qid)
        if nxt is None:
            app.show_review()
        else:
            self.show(nxt.id)
        return True

    @on(OptionList.OptionSelected, "#choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.submit(self._values[event.option_index])

    @on(Input.Submitted, "#value")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @on(Input.Changed, "#value")
    def _typing(self, event: Input.Changed) -> None:
        """Numbers are checked as they are typed; names (a model) only on Enter, with the
        closest known names listed under the box as they are typed."""
        q = self.question
        if q.id == MODEL_QUESTION:
            self._suggest(event.value)
        if q.type not in ("int", "number") or not event.value.strip():
            self.set_error(None)
            return
        app: Any = self.app
        self.set_error(app.assessor.field_error(app.session, q.id, parse_text(q, event.value)))

    @on(Button.Pressed, "#next-button")
    def action_next(self) -> None:
        q = self.question
        if q.type in ("choice", "bool"):
            choices = self.query_one("#choices", OptionList)
            if choices.highlighted is not None:
                self.submit(self._values[choices.highlighted])
            else:
                self.set_error("Pick an option first (↑/↓ or its first letter, then Enter)"
                               + ("." if q.required else ", or choose Don't know."))
                choices.focus()
            return
        text = self.query_one("#value", Input).value
        if not text.strip():
            if q.required:
                self.set_error("This question needs an answer.")
                return
            self.submit(None)  # an empty box is "don't know"
            return
        self.submit(parse_text(q, text))

    @on(Button.Pressed, "#dont-know")
    def action_dont_know(self) -> None:
        if self.question.required:
            self.set_error("This question needs an answer.")
            return
        app: Any = self.app
        question = self.question
        if not self.submit(None):
            return
        now = app.live.result.confidence if app.live.result is not None else None
        answered = confidence_if_answered(app.assessor.rulebase, app.session.role,
                                          app.session.values(), question)
        app.clear_notifications()  # one notice at a time, the latest
        self.notify(dont_know_notice(now, answered), timeout=6)

    @on(Button.Pressed, "#back-button")
    def action_back(self) -> None:
        app: Any = self.app
        if self.return_to_review:  # Esc from an edit: back to the same place in the review
            app.show_review(focus=self.qid)
            return
        previous = app.session.previous_question(self.qid)
        if previous is None:
            app.show_start()
        else:
            self.show(previous.id)

    def action_review(self) -> None:
        app: Any = self.app
        if self.return_to_review:
            app.show_review(focus=self.qid)
        else:
            app.show_review(came_from=self.qid)


def dont_know_notice(now: float | None, answered: float | None) -> str:
    """What a "don't know" costs: the confidence now against what an answer would make it
    (a don't-know counts as much as a question not reached yet, so the figure does not drop
    at this moment; the cost is the rise given up)."""
    from advisor.render.formatting import percent

    where = " It is listed under Not answered; answer it any time from Review (ctrl+r)."
    if now is None or answered is None:
        return "Noted as don't know." + where
    if answered > now and percent(answered) != percent(now):
        return (f"Noted as don't know: confidence {percent(now)}; an answer would raise it to "
                f"{percent(answered)}." + where)
    return f"Noted as don't know: it does not change the confidence ({percent(now)})." + where


def confidence_if_answered(rulebase: Any, role: str, values: dict[str, Any],
                           question: Question) -> float:
    """The confidence were ``question`` answered (any value: only whether it is known counts
    there, beside which questions then apply)."""
    from advisor.core.engine import confidence

    sample: Any = (question.options[0].value if question.options else True
                   if question.type == "bool" else "x" if question.type == "string"
                   else question.min if question.min is not None else 0)
    return confidence(rulebase, role, {**values, question.id: sample})


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


def _placeholder(q: Question) -> str:
    """The question's own example (rules/questions.toml), and what an empty box means."""
    if q.type == "string":
        if q.id == MODEL_QUESTION:
            return "e.g. GPT-4o, Llama 3.1 70B, Claude Sonnet 4.5"
        return "type an answer"
    example = q.example or "a number"
    return example + ("" if q.required else "; empty = don't know")
