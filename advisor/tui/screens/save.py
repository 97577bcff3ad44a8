"""Save the report (Markdown, HTML or JSON) and the answers file, to paths the person picks.

The default name is ``<organization>-ai-exposure-<date>.<ext>`` in the current folder; the
extension follows the format; an existing file is replaced only after a second, explicit Save;
the path written is shown in full. The answers file is the same contract ``advisor assess``
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


def with_extension(text: str, fmt: str) -> str:
    """``text`` ending in ``.fmt``: another format's extension is replaced, none is added."""
    raw = text.strip()
    if not raw or raw.endswith(("/", os.sep)) or raw in (".", "..", "~"):
        return raw  # a folder: check_target says so
    try:
        if Path(raw).expanduser().is_dir():
            return raw
    except (OSError, ValueError):
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
    """A small dialog over the results."""

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
            margin: 0 0 0 1;
        }

        #save-status {
            height: auto;
        }
    }
    """

    BINDINGS = [Binding("escape", "close", "Close", id="close")]

    def __init__(self) -> None:
        super().__init__()
        self._confirm: dict[str, Path] = {}  # which box asked to replace which file

    def compose(self) -> ComposeResult:
        app: Any = self.app
        organization = app.session.organization if app.session is not None else ""
        report, answers = default_names(organization, "md")
        with VerticalScroll(id="save-dialog"):
            yield Static(Content.assemble(("Save", "bold"), (f"  into {Path.cwd()}", "dim")),
                         classes="heading")
            yield Label("Report format")
            with RadioSet(id="format"):
                for i, (_, label) in enumerate(FORMATS):
                    yield MarkedRadio(label, value=i == 0)
            with Horizontal(classes="row"):
                yield app.make_input(value=report, id="report-path", select_on_focus=False)
                yield Button("Save report", id="save-report", variant="primary", compact=True)
            yield Label("Answers file (what `advisor assess` reads)")
            with Horizontal(classes="row"):
                yield app.make_input(value=answers, id="answers-path", select_on_focus=False)
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
        box.value = with_extension(box.value, self._format())

    @on(Input.Changed)
    def _name_changed(self, event: Input.Changed) -> None:
        self._confirm.pop(event.input.id or "", None)
        if event.input.id == "report-path":
            # Typing another format's extension chooses that format ("board.html").
            ext = event.value.strip().rpartition(".")[2].lower()
            formats = [f for f, _ in FORMATS]
            if "." in event.value and ext in formats and ext != self._format():
                buttons = list(self.query_one("#format", RadioSet).query(RadioButton))
                buttons[formats.index(ext)].value = True

    def _status(self, text: str, ok: bool | None) -> None:
        mark = (("✓ ", "bold $text-success") if ok else
                ("✗ ", "bold $text-error") if ok is False else ("! ", "bold $text-warning"))
        self.query_one("#save-status", Static).update(Content.assemble(mark, text))

    def _target(self, box_id: str, fmt: str) -> Path | None:
        """The path to write from ``box_id``, after the extension and overwrite checks."""
        box = self.query_one(f"#{box_id}", Input)
        text = with_extension(box.value, fmt)
        path, error = check_target(text)
        if error or path is None:
            self._status(error or "no path", False)
            return None
        if text != box.value.strip():
            box.value = text  # the name now ends in the format's extension
        if path.exists() and self._confirm.get(box_id) != path:
            self._confirm[box_id] = path
            self._status(f"{path} already exists. Save again to replace it, or change the "
                         "name.", None)
            return None
        self._confirm.pop(box_id, None)
        return path

    @on(Button.Pressed, "#save-report")
    @on(Input.Submitted, "#report-path")
    def save_report(self) -> None:
        app: Any = self.app
        path = self._target("report-path", self._format())
        if path is None:
            return
        error = app.save_report(path, self._format())
        self._status(error or f"Report saved to {path}", error is None)

    @on(Button.Pressed, "#save-answers")
    @on(Input.Submitted, "#answers-path")
    def save_answers(self) -> None:
        app: Any = self.app
        path = self._target("answers-path", "json")
        if path is None:
            return
        error = app.save_answers(path)
        self._status(error or f"Answers saved to {path}", error is None)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
