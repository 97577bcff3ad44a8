"""``advisor assess FILE``: an answers file in, a report out (Markdown, JSON or HTML)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from advisor.cli.options import REPORT_FORMATS, add_home, add_llm_options
from advisor.cli.output import check_output_target, emit, output_errors, warn
from advisor.core.assess import assess
from advisor.core.errors import InputError
from advisor.data import clock
from advisor.data.answers_file import read_answers_file
from advisor.data.paths import config_dir
from advisor.data.price_map import default_price_book
from advisor.data.rules import load_rulebase
from advisor.render.report import render


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="answers file (JSON), or - for standard input")
    p.add_argument("-o", "--output", metavar="OUT", help="write the report here (atomically)")
    p.add_argument("--format", choices=REPORT_FORMATS, default="md")
    p.add_argument("--no-history", action="store_true",
                   help="do not keep this assessment in the local history store")
    add_home(p)
    add_llm_options(p)


def run(args: argparse.Namespace) -> int:
    check_output_target(args.output, inputs=(args.file,))
    answers = read_answers_file(args.file)
    rulebase = load_rulebase()
    try:
        result = assess(answers, rulebase, default_price_book(), as_of=clock.as_of())
    except InputError as exc:
        raise exc.with_file("<stdin>" if args.file == "-" else args.file) from None
    settings = llm_settings(args)
    if settings is not None:
        from advisor.llm.narrative import narrate

        result.narrative = narrate(result, rulebase, settings)
        if result.narrative.note:  # said here, never in the report (experience.md)
            from advisor.render.formatting import terminal_escape

            warn(f"{terminal_escape(result.narrative.note)} Details: advisor history failures")
    text = render(result, rulebase, args.format)
    report_path = os.path.abspath(args.output) if args.output else None
    if _to_a_person(args):  # a person reads it on a terminal: the summary
        from advisor.cli import terminal_report

        with output_errors(terminal_report.report_path(args.file), "the report"):
            report_path = terminal_report.show(text, args.file)
    else:
        emit(text, args.output, inputs=(args.file,))
    if not args.no_history:
        record(answers, result, text, args.format, source=args.file,
               report_path=report_path)
    return 0


def _to_a_person(args: argparse.Namespace) -> bool:
    """Markdown to a terminal, not to a file or a pipe (checked before importing the
    terminal renderer, which a piped run never needs)."""
    if args.output or args.format != "md":
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # no stdout, or a closed one
        return False


def llm_settings(args: argparse.Namespace) -> Any:
    """LLM settings from --llm or the config file's [llm] table; None for the built-in narrative.

    The config file is only parsed when it exists, so the default path stays as cheap as it was.
    """
    config = os.path.join(config_dir(), "config.toml")
    if not getattr(args, "llm", None) and not os.path.isfile(config):
        return None
    from advisor.llm.settings import settings_from_args  # the optional LLM path only

    return settings_from_args(args)


def record(answers: Any, result: Any, report: str, fmt: str, *, source: str | None,
           report_path: str | None) -> None:
    """Keep the assessment in the history store; a store problem never costs the report."""
    from advisor.history.store import Store, StoreError  # not with --no-history

    try:
        with Store.open() as store:
            store.record_assessment(answers.as_data(), result, report, fmt, source=source,
                                    report_path=report_path)
    except StoreError as exc:
        warn(f"not kept in history: {exc}")
