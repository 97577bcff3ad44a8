"""Save the report (Markdown, HTML or JSON) and its answers file together, in one action.

The default name is ``<organization>-ai-exposure-<date>.<ext>`` in the current folder, and the
answers file sits beside it (``….answers.json``, following the report's name until the person
edits it); the extension follows the format; an existing file is replaced only after a second,
explicit Save, and a warning about it is cleared as soon as a name or the format changes; the
paths written are shown in full. The answers file is the same contract ``advisor assess``
reads, so running it on the saved file reproduces the saved report (with the built-in narrative).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

FORMATS = (("md", "Markdown"), ("html", "HTML"), ("json", "JSON"))
EXTENSIONS = {f for f, _ in FORMATS}


def run_date() -> _dt.date:
    """Today, or the day ``SOURCE_DATE_EPOCH`` names (as the report's own date)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit() and len(epoch) < 16:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            pass
    return _dt.date.today()


def slug(organization: str) -> str:
    """``Acme Copilot, Inc.`` -> ``acme-copilot-inc``; empty -> ``advisor``."""
    text = re.sub(r"[^\w]+", "-", organization.lower(), flags=re.ASCII).strip("-")
    return text[:60].strip("-") or "advisor"


def default_names(organization: str, fmt: str = "md") -> tuple[str, str]:
    """(report, answers file) names for ``organization`` today."""
    stem = f"{slug(organization)}-ai-exposure-{run_date().isoformat()}"
    return f"{stem}.{fmt}", f"{stem}.answers.json"


def answers_name(report: str) -> str:
    """The answers file beside ``report``: ``board.html`` -> ``board.answers.json``."""
    raw = report.strip()
    head, dot, ext = raw.rpartition(".")
    if dot and ext.lower() in EXTENSIONS and "/" not in ext and head:
        raw = head
    return f"{raw}.answers.json" if raw else ""


def with_extension(text: str, fmt: str) -> str:
    """``text`` ending in ``.fmt``: another format's extension is replaced, none is added."""
    raw = text.strip()
    if not raw or raw.endswith(("/", os.sep)) or raw in (".", "..", "~"):
        return raw  # a folder: check_target says so
    try:
        if Path(raw).expanduser().is_dir():
            return raw
    except (OSError, ValueError, RuntimeError):  # RuntimeError: "~someone" with no such user
        return raw
    head, dot, ext = raw.rpartition(".")
    if dot and ext.lower() in EXTENSIONS and "/" not in ext:
        return f"{head}.{fmt}"
    if raw.lower().endswith(f".{fmt}"):
        return raw
    return f"{raw}.{fmt}"


def check_target(text: str) -> tuple[Path | None, str | None]:
    """The full path to write for ``text``, or why it cannot be written (one line)."""
    from advisor.data.files import TargetError
    from advisor.data.files import check_target as check

    raw = text.strip()
    if not raw:
        return None, "Type a file name."
    if "\x00" in raw:
        return None, "A file name cannot hold a NUL character."
    try:
        path = Path(raw).expanduser().absolute()
        if any(len(os.fsencode(part)) > 255 for part in path.parts):
            return None, "That name is too long: at most 255 bytes per file or folder name."
        check(path)
    except TargetError as exc:
        return None, f"{_shown(raw)}: {exc}."
    except (OSError, ValueError, RuntimeError) as exc:
        return None, f"{_shown(raw)}: cannot use this path ({exc})."
    return path, None


def _shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class MarkedRadio(RadioButton):
    """A radio button whose choice is shown by a filled dot, not by colour alone."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "●" if self.value else " "


class SaveScreen(ModalScreen[None]):
    """A small dialog over the results: Enter (or Save) writes the report and the answers."""

    SCOPED_CSS = False  # the rules below are nested in the screen's own selector
    DEFAULT_CSS = """
    SaveScreen {
        align: center middle;

        #save-dialog {
            width: 80;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: thick $accent 60%;
            background: $surface;
            padding: 0 1;
        }

        #save-dialog RadioSet {
            layout: horizontal;
            width: auto;
        }

        #save-dialog .row {
            margin-bottom: 1;
        }

        #save-dialog .row Button {
            width: auto;
            min-width: 8;
            margin: 0 1 0 0;
        }

        #save-status {
            height: auto;
            margin-bottom: 1;
        }
    }
    """

    BINDINGS = [Binding("escape", "close", "Close", id="close")]

    def __init__(self) -> None:
        super().__init__()
        self._confirm: frozenset[Path] = frozenset()  # existing files a second Save replaces
        self._report_name = ""  # the report's name as last seen (the answers name follows it)

    def compose(self) -> ComposeResult:
        app: Any = self.app
        organization = app.session.organization if app.session is not None else ""
        report, answers = default_names(organization, "md")
        self._report_name = report
        with VerticalScroll(id="save-dialog"):
            yield Static(Content.assemble(("Save the report and its answers file", "bold"),
                                          (f"  into {Path.cwd()}", "dim")), classes="heading")
            yield Label("Report format")
            with RadioSet(id="format"):
                for i, (_, label) in enumerate(FORMATS):
                    yield MarkedRadio(label, value=i == 0)
            yield Label("Report")
            yield app.make_input(value=report, id="report-path", select_on_focus=False)
            yield Label("Answers file: what `advisor assess` reads (Enter saves both)")
            yield app.make_input(value=answers, id="answers-path", select_on_focus=False)
            yield Static("", id="save-status")
            with Horizontal(classes="row"):
                yield Button("Save both", id="save", variant="primary", compact=True)
                yield Button("Close", id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-path", Input).focus()

    def _format(self) -> str:
        index = self.query_one("#format", RadioSet).pressed_index
        return FORMATS[max(index, 0)][0]

    def _set(self, box_id: str, value: str) -> None:
        box = self.query_one(f"#{box_id}", Input)
        if box.value != value:
            box.value = value

    def _forget_warning(self) -> None:
        """A name or the format changed: an "already exists" warning no longer holds."""
        if self._confirm:
            self._confirm = frozenset()
            self.query_one("#save-status", Static).update("")

    @on(RadioSet.Changed, "#format")
    def _format_changed(self) -> None:
        self._forget_warning()
        box = self.query_one("#report-path", Input)
        self._set("report-path", with_extension(box.value, self._format()))

    @on(Input.Changed)
    def _name_changed(self, event: Input.Changed) -> None:
        self._forget_warning()
        if event.input.id == "report-path":
            # The answers name follows the report's, unless the person gave it another.
            answers = self.query_one("#answers-path", Input)
            if answers.value == answers_name(self._report_name):
                self._set("answers-path", answers_name(event.value))
            self._report_name = event.value
            # Typing another format's extension chooses that format ("board.html").
            ext = event.value.strip().rpartition(".")[2].lower()
            formats = [f for f, _ in FORMATS]
            if "." in event.value and ext in formats and ext != self._format():
                buttons = list(self.query_one("#format", RadioSet).query(RadioButton))
                buttons[formats.index(ext)].value = True

    def _status(self, lines: list[tuple[str, bool | None]]) -> None:
        parts: list[Any] = []
        for text, ok in lines:
            mark = (("✓ ", "bold $text-success") if ok else
                    ("✗ ", "bold $text-error") if ok is False else ("! ", "bold $text-warning"))
            parts += ["\n" if parts else "", mark, text]
        self.query_one("#save-status", Static).update(Content.assemble(*parts))

    def _target(self, box_id: str, fmt: str) -> tuple[Path | None, str | None]:
        """The path to write from ``box_id`` (its name now ending in the format's extension),
        or why it cannot be written."""
        box = self.query_one(f"#{box_id}", Input)
        text = with_extension(box.value, fmt)
        path, error = check_target(text)
        if error or path is None:
            return None, error or "no path"
        if text != box.value.strip():
            self._set(box_id, text)
        return path, None

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#report-path")
    @on(Input.Submitted, "#answers-path")
    def save(self) -> None:
        """Write the report and the answers file; existing files only on a second Save."""
        app: Any = self.app
        fmt = self._format()
        report, report_error = self._target("report-path", fmt)
        answers, answers_error = self._target("answers-path", "json")
        if report_error or answers_error or report is None or answers is None:
            self._status([(e, False) for e in (report_error, answers_error) if e])
            return
        if report == answers:
            self._status([("The report and the answers file need different names.", False)])
            return
        existing = frozenset(p for p in (report, answers) if p.exists())
        if existing and existing != self._confirm:
            self._confirm = existing
            one = len(existing) == 1
            names = " and ".join(str(p) for p in sorted(existing))
            self._status([(f"{names} already exist{'s' if one else ''}. Save again to replace "
                           f"{'it' if one else 'them'}, or change the name.", None)])
            return
        self._confirm = frozenset()
        report_failed = app.save_report(report, fmt)
        answers_failed = app.save_answers(answers)
        self._status([(report_failed or f"Report saved to {report}", report_failed is None),
                      (answers_failed or f"Answers saved to {answers}", answers_failed is None)])

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
