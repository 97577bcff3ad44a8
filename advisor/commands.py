"""The command handlers behind ``advisor``. Each takes parsed arguments and returns an exit code.

Heavy or optional modules (the TUI, litellm, the history store, batch) are imported inside the
handler that needs them, so that ``advisor assess`` pays only for the core.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError

if TYPE_CHECKING:
    import argparse


def _emit(text: str, output: str | None) -> None:
    """Write to ``output`` atomically, or to stdout."""
    if output:
        from advisor.files import write_atomic

        try:
            write_atomic(output, text)
        except OSError as exc:
            raise InputError(f"cannot write the report: {exc.strerror}", file=output) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _check_output_target(output: str | None) -> None:
    """Fail before any work if ``-o`` cannot be written (a folder, or a missing parent)."""
    if not output:
        return
    if os.path.isdir(output):
        raise InputError("is a folder; give a file name", file=output)
    parent = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(parent):
        raise InputError("the folder does not exist", file=output)


def _warn(message: str) -> None:
    print(f"advisor: warning: {message}", file=sys.stderr)


def assess(args: argparse.Namespace) -> int:
    from advisor.assess import assess as run_assessment
    from advisor.loading import read_answers_file
    from advisor.paths import default_price_book
    from advisor.report import render
    from advisor.rulebase import load_rulebase

    _check_output_target(args.output)
    answers = read_answers_file(args.file)
    rulebase = load_rulebase()
    try:
        result = run_assessment(answers, rulebase, default_price_book())
    except InputError as exc:
        raise exc.with_file("<stdin>" if args.file == "-" else args.file) from None
    settings = _llm_settings(args)
    if settings is not None:
        from advisor.llm.narrative import narrate

        result.narrative = narrate(result, rulebase, settings)
    text = render(result, rulebase, args.format)
    _emit(text, args.output)
    if not args.no_history:
        _record(answers, result, text, args.format, source=args.file,
                report_path=os.path.abspath(args.output) if args.output else None)
    return 0


def _llm_settings(args: argparse.Namespace) -> Any:
    """LLM settings from --llm or the config file's [llm] table; None for the built-in narrative.

    The config file is only parsed when it exists, so the default path stays as cheap as it was.
    """
    if not getattr(args, "llm", None):
        from advisor.paths import config_dir

        if not os.path.isfile(os.path.join(config_dir(), "config.toml")):
            return None
    from advisor.llm.settings import settings_from_args

    return settings_from_args(args)


def _record(answers: Any, result: Any, report: str, fmt: str, **where: str | None) -> None:
    """Keep the assessment in the history store; a store problem never costs the report."""
    from advisor.store import Store, StoreError

    try:
        with Store.open() as store:
            store.record_assessment(answers.as_data(), result,
                                    report, fmt, **where)
    except StoreError as exc:
        _warn(f"not kept in history: {exc}")


def schema(args: argparse.Namespace) -> int:
    from advisor.answers import json_schema

    _emit(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", None)
    return 0


def questions(args: argparse.Namespace) -> int:
    from advisor.questionnaire_text import questionnaire_json, questionnaire_markdown
    from advisor.rulebase import load_rulebase

    q = load_rulebase().questionnaire
    if args.format == "json":
        text = json.dumps(questionnaire_json(q, args.role), indent=2, ensure_ascii=False) + "\n"
    else:
        text = questionnaire_markdown(q, args.role)
    _emit(text, None)
    return 0


def template(args: argparse.Namespace) -> int:
    from advisor.rulebase import load_rulebase

    q = load_rulebase().questionnaire
    answers: dict[str, Any] = {question.id: None for question in q.for_role(args.role)}
    data = {"schema_version": 1, "role": args.role, "organization": "",
            "answers": answers}
    _emit(json.dumps(data, indent=2) + "\n", None)
    return 0


def rules(args: argparse.Namespace) -> int:
    from advisor.paths import default_price_book
    from advisor.rulebase import load_rulebase
    from advisor.rules_check import check, run_tests

    rulebase = load_rulebase()
    if args.rules_command == "check":
        from advisor.resources import rules_dir

        problems = check(rulebase, rules_dir())
        for p in problems:
            print(f"{p.where}: {p.message}")
        n_rules = len(rulebase.rules)
        if problems:
            print(f"{len(problems)} problem(s) in {n_rules} rules", file=sys.stderr)
            return 2
        print(f"ok: {len(rulebase.questionnaire.questions)} questions, {n_rules} rules in "
              f"{len(rulebase.packs)} pack(s), {len(rulebase.recommendations)} recommendations, "
              f"{len(rulebase.cautions)} cautions, {len(rulebase.scenarios)} scenarios")
        return 0
    outcomes = run_tests(rulebase, default_price_book())
    for o in outcomes:
        print(f"{'PASS' if o.passed else 'FAIL'}  [{o.pack}] {o.name}")
        for f in o.failures:
            print(f"      {f}")
    failed = sum(not o.passed for o in outcomes)
    print(f"{len(outcomes) - failed} passed, {failed} failed")
    return 1 if failed else 0


def explain(args: argparse.Namespace) -> int:
    from advisor.explain import render_text, trace, what_if
    from advisor.loading import read_answers_file
    from advisor.paths import default_price_book
    from advisor.rulebase import load_rulebase

    answers = read_answers_file(args.file)
    rulebase, prices = load_rulebase(), default_price_book()
    try:
        if args.format == "text":
            _emit(render_text(answers, rulebase, prices), None)
            return 0
        result, traces = trace(answers, rulebase, prices)
        changes = what_if(answers, rulebase, prices)
    except InputError as exc:
        raise exc.with_file(args.file) from None
    data = {
        "tier": result.tier, "score": result.score, "confidence": result.confidence,
        "rules": [{"id": t.rule.id, "outcome": {True: "fired", False: "not fired",
                                                None: "unknown"}[t.outcome],
                   "points": t.rule.points, "when": t.rule.when.text, "read": t.read,
                   "source": t.rule.source} for t in traces],
        "what_if": {d: [{"changes": [{"question": c.question, "from": c.before, "to": c.after}
                                     for c in w.changes], "tier": w.tier, "score": w.score}
                        for w in ws] for d, ws in changes.items()},
    }
    _emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n", None)
    return 0


def cost(args: argparse.Namespace) -> int:
    from advisor.cost_command import run

    return run(args)


def prices(args: argparse.Namespace) -> int:
    from advisor.cost_command import run_prices

    return run_prices(args)


def batch(args: argparse.Namespace) -> int:
    from advisor.batch import run

    return run(args)


def ask(args: argparse.Namespace) -> int:
    from advisor.ask import run

    return run(args)


def history(args: argparse.Namespace) -> int:
    from advisor.history_command import run

    return run(args)


def tui(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError("the interactive assessment needs a terminal; for files and scripts "
                         "use `advisor assess FILE` (see `advisor --help`)")
    from advisor.tui import run

    return run(args)
