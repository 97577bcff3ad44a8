"""The start screen: pick a role, resume a draft, or open an answers file.

The four roles and their one-line descriptions come from ``[role_labels]`` in
``rules/questions.toml``. This is the first thing painted, so it touches nothing heavier than
the rule base and the drafts folder; the core is warmed up in the background afterwards.
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from advisor.tui.drafts import DraftInfo, list_drafts

#: How many drafts the start screen offers (newest first).
MAX_DRAFTS = 5


def role_option(text: str, number: int | None = None) -> Content:
    """``1 Startup founder…: what it covers`` with the part before the colon in bold; the
    number is the key that picks the role directly."""
    key = (f"{number} ", "bold $text-accent") if number is not None else ("", "")
    head, sep, tail = text.partition(":")
    if not sep:
        return Content.assemble(key, (text, "bold"))
    return Content.assemble(key, (head, "bold"), (":" + tail, ""))


class StartScreen(Screen[None]):
    """Role choice, drafts to resume, and an answers file to open."""

    BINDINGS = [
        Binding("ctrl+o", "focus_open", "Open file", id="open_file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._drafts: list[DraftInfo] = []

    def compose(self) -> ComposeResult:
        app: Any = self.app
        questionnaire = app.assessor.rulebase.questionnaire
        self._drafts = list_drafts()
        yield Header()
        with VerticalScroll(id="start"):
            yield Static("How exposed are you to the collapse in AI inference prices? Answer a "
                         "few questions; get a report you can forward.", id="intro")
            yield Label("Resume an unfinished draft", classes="heading", id="drafts-heading")
            yield OptionList(*self._draft_options(), id="drafts")
            yield Static("", id="drafts-error", classes="error")
            yield Label("Organization (optional, printed on the report)", classes="heading")
            yield app.make_input(placeholder="e.g. Acme Copilot; Enter, then pick your role",
                                 id="organization", max_length=200, select_on_focus=False)
            yield Label(f"Start a new assessment: who are you? (keys 1–{len(questionnaire.roles)}"
                        ", or ↑/↓ and Enter)", classes="heading")
            yield OptionList(*[Option(role_option(questionnaire.role_labels.get(role, role),
                                                  number),
                                      id=role)
                               for number, role in enumerate(questionnaire.roles, 1)],
                             id="roles")
            yield Label("Or open an answers file", classes="heading")
            with Horizontal(classes="row"):
                yield app.make_input(placeholder="path/to/answers.json", id="open-path")
                yield Button("Open", id="open", compact=True)
            yield Static("", id="open-error", classes="error")
        yield Footer()

    def _draft_options(self) -> list[Option]:
        questionnaire = self.app.assessor.rulebase.questionnaire  # type: ignore[attr-defined]
        return [Option(self._draft_text(d, questionnaire), id=d.id)
                for d in self._drafts[:MAX_DRAFTS]]

    def refresh_drafts(self) -> None:
        """Re-read the drafts folder (on returning here, a draft may have been added or saved)."""
        self._drafts = list_drafts()
        drafts = self.query_one("#drafts", OptionList)
        drafts.clear_options()
        drafts.add_options(self._draft_options())
        self._show_drafts()

    def _show_drafts(self) -> None:
        self.query_one("#drafts-heading", Label).display = bool(self._drafts)
        self.query_one("#drafts", OptionList).display = bool(self._drafts)
        self.query_one("#drafts-error", Static).update("")
        self.query_one("#open-error", Static).update("")
        # With a draft, resuming it is one Enter away; without, the organization comes first
        # (Enter then moves to the roles). Typing on a list goes to the organization anyway.
        # The role list gets the focus only when the person moves to it (Enter after the
        # organization, Tab, a click): Enter never picks a role before they reach the list.
        # Once it has the focus, the first role is highlighted and Enter picks it (_list_focused).
        self.query_one("#roles", OptionList).highlighted = None
        if self._drafts:
            self.query_one("#drafts", OptionList).focus()
        else:
            self.query_one("#organization", Input).focus()

    @on(events.DescendantFocus)
    def _list_focused(self, event: events.DescendantFocus) -> None:
        """The role list, once it has the focus, highlights its first role (Enter picks it)."""
        roles = self.query_one("#roles", OptionList)
        if event.widget is roles and roles.highlighted is None and roles.option_count:
            roles.highlighted = 0

    def on_key(self, event: events.Key) -> None:
        """On the role list, a digit picks that role directly ("2" for the second); other
        characters typed while a list has the focus are the organization's name, not lost
        (so "3M" typed on the drafts list is a name, not the third role)."""
        focused = self.focused
        char = event.character
        box = self.query_one("#organization", Input)
        roles = self.query_one("#roles", OptionList)
        if (focused is roles and char and char.isdigit() and len(char) == 1
                and 1 <= int(char) <= roles.option_count):
            event.stop()
            event.prevent_default()
            option = roles.get_option_at_index(int(char) - 1)
            self.app.new_session(str(option.id), box.value)  # type: ignore[attr-defined]
            return
        if (isinstance(focused, OptionList) and char and len(char) == 1 and char.isprintable()
                and (not char.isspace() or box.value)):
            box.value += char
            box.cursor_position = len(box.value)
            box.focus()
            event.stop()
            event.prevent_default()

    def _draft_text(self, draft: DraftInfo, questionnaire: Any) -> Content:
        label = questionnaire.role_labels.get(draft.role, draft.role).partition(":")[0]
        org = f" · {draft.organization}" if draft.organization else ""
        return Content.assemble((label, "bold"), org,
                                (f"  ({draft.answered} answered)", "dim"))

    def on_mount(self) -> None:
        app: Any = self.app
        self.sub_title = "Start"
        self._show_drafts()
        app.call_after_refresh(app.warm_up)

    @on(OptionList.OptionSelected, "#roles")
    def _role_chosen(self, event: OptionList.OptionSelected) -> None:
        organization = self.query_one("#organization", Input).value
        self.app.new_session(str(event.option.id), organization)  # type: ignore[attr-defined]

    @on(OptionList.OptionSelected, "#drafts")
    def _draft_chosen(self, event: OptionList.OptionSelected) -> None:
        draft = next((d for d in self._drafts if d.id == event.option.id), None)
        if draft is None:
            return
        status = self.query_one("#drafts-error", Static)
        status.update(Content.assemble(("Opening the draft…", "dim")))
        self.app.resume_draft(draft, on_error=status.update)  # type: ignore[attr-defined]

    @on(Input.Submitted, "#open-path")
    @on(Button.Pressed, "#open")
    def _open(self) -> None:
        path = self.query_one("#open-path", Input).value.strip()
        error = self.query_one("#open-error", Static)
        if not path:
            error.update("Type the path of an answers file (JSON), then Open.")
            return
        error.update(Content.assemble((f"Opening {path}…", "dim")))
        self.app.open_answers_file(path, on_error=error.update)  # type: ignore[attr-defined]

    @on(Input.Submitted, "#organization")
    def _organization_done(self) -> None:
        self.query_one("#roles", OptionList).focus()

    def action_focus_open(self) -> None:
        self.query_one("#open-path", Input).focus()
