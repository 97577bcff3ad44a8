"""Save the report (Markdown, HTML or JSON) and the answers file, to paths the person picks.

Both are written atomically. The answers file is the same contract ``advisor assess`` reads,
so running it on the saved file reproduces the saved report (with the built-in narrative).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

FORMATS = (("md", "Markdown"), ("html", "HTML"), ("json", "JSON"))
DEFAULT_REPORT = "./advisor-report"
DEFAULT_ANSWERS = "./advisor-answers.json"


def check_target(text: str) -> tuple[Path | None, str | None]:
    """The path to write for ``text``, or why it cannot be written."""
    raw = text.strip()
    if not raw:
        return None, "Type a file name."
    path = Path(raw).expanduser()
    if path.is_dir():
        return None, f"{raw} is a folder; give a file name."
    if not path.resolve().parent.is_dir():
        return None, f"The folder of {raw} does not exist."
    return path, None


class SaveScreen(ModalScreen[None]):
    """A small dialog over the results."""

    SCOPED_CSS = False  # the rules below are nested in the screen's own selector
    DEFAULT_CSS = """
    SaveScreen {
        align: center middle;

        #save-dialog {
            width: 76;
            max-width: 100%;
            height: auto;
            border: thick $accent 60%;
            background: $surface;
            padding: 1 2;
        }

        #save-dialog RadioSet {
            layout: horizontal;
            width: auto;
        }

        #save-dialog .row {
            margin-bottom: 1;
        }

        #save-dialog .row Button {
            margin: 1 0 0 1;
        }
    }
    """

    BINDINGS = [Binding("escape", "close", "Close", id="close")]

    def compose(self) -> ComposeResult:
        app: Any = self.app
        with Vertical(id="save-dialog"):
            yield Static(Content.assemble(("Save", "bold")), classes="heading")
            yield Label("Report format")
            with RadioSet(id="format"):
                for i, (_, label) in enumerate(FORMATS):
                    yield RadioButton(label, value=i == 0)
            with Horizontal(classes="row"):
                yield app.make_input(value=f"{DEFAULT_REPORT}.md", id="report-path")
                yield Button("Save report", id="save-report", variant="primary", compact=True)
            yield Label("Answers file (what `advisor assess` reads)")
            with Horizontal(classes="row"):
                yield app.make_input(value=DEFAULT_ANSWERS, id="answers-path")
                yield Button("Save answers", id="save-answers", compact=True)
            yield Static("", id="save-status")
            yield Button("Close", id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-path", Input).focus()

    def _format(self) -> str:
        index = self.query_one("#format", RadioSet).pressed_index
        return FORMATS[max(index, 0)][0]

    @on(RadioSet.Changed, "#format")
    def _format_changed(self) -> None:
        box = self.query_one("#report-path", Input)
        path = Path(box.value)
        if path.suffix.lstrip(".") in {f for f, _ in FORMATS}:
            box.value = str(path.with_suffix("." + self._format()))
            if not box.value.startswith((".", "/", "~")):
                box.value = "./" + box.value

    def _status(self, text: str, ok: bool) -> None:
        mark = ("✓ ", "bold $text-success") if ok else ("✗ ", "bold $text-error")
        self.query_one("#save-status", Static).update(Content.assemble(mark, text))

    @on(Button.Pressed, "#save-report")
    @on(Input.Submitted, "#report-path")
    def save_report(self) -> None:
        app: Any = self.app
        path, error = check_target(self.query_one("#report-path", Input).value)
        if error or path is None:
            self._status(error or "no path", False)
            return
        error = app.save_report(path, self._format())
        self._status(error or f"Report saved to {path}", error is None)

    @on(Button.Pressed, "#save-answers")
    @on(Input.Submitted, "#answers-path")
    def save_answers(self) -> None:
        app: Any = self.app
        path, error = check_target(self.query_one("#answers-path", Input).value)
        if error or path is None:
            self._status(error or "no path", False)
            return
        error = app.save_answers(path)
        self._status(error or f"Answers saved to {path}", error is None)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
