"""The argparse definition of every ``advisor`` command (spec/result.md).

Kept apart from :mod:`advisor.cli` so that ``advisor --help`` (printed from the one-line
summaries alone) does not pay for importing argparse; everything else builds this parser,
populated only for the command being run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from advisor.cli import _COMMAND_HELP, EXIT_INPUT
from advisor.cli_quick import REPORT_FORMATS

ROLES = ("startup", "enterprise_it", "investor", "developer")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with one line (argparse's own code is also 2)."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"advisor: error: {message}\n")


def _add_llm_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("LLM narrative (optional; offline built-in narrative by default)")
    g.add_argument("--llm", metavar="MODEL", help="draft the narrative with MODEL via litellm "
                   "(e.g. openai/gpt-4o-mini, ollama/llama3)")
    g.add_argument("--llm-base-url", metavar="URL",
                   help="OpenAI-compatible server URL (default: $ADVISOR_LLM_BASE_URL)")
    g.add_argument("--llm-timeout", metavar="S", type=float,
                   help="seconds allowed for each LLM call (default 60)")


def _add_home(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", metavar="DIR",
                   help="folder for the history store, drafts and config (default: "
                        "$ADVISOR_HOME, else the platform's user data folder)")




def _args_tui(p: argparse.ArgumentParser) -> None:
    _add_home(p)


def _args_assess(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="answers file (JSON), or - for standard input")
    p.add_argument("-o", "--output", metavar="OUT", help="write the report here (atomically)")
    p.add_argument("--format", choices=REPORT_FORMATS, default="md")
    p.add_argument("--no-history", action="store_true",
                   help="do not keep this assessment in the local history store")
    _add_home(p)
    _add_llm_options(p)


def _args_batch(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="answers files, folders (searched for *.json) or .jsonl files")
    p.add_argument("-o", "--output", metavar="DIR", required=True, help="output folder")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes (default: number of CPUs); with --llm, LLM calls "
                        "in flight (default 4)")
    p.add_argument("--format", choices=REPORT_FORMATS, default="md")
    p.add_argument("--no-history", action="store_true", help="do not record items in history")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    _add_home(p)
    _add_llm_options(p)


def _args_schema(p: argparse.ArgumentParser) -> None:
    pass


def _args_questions(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", choices=ROLES)
    p.add_argument("--format", choices=("md", "json"), default="md")


def _args_template(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", choices=ROLES, required=True)


def _args_rules(p: argparse.ArgumentParser) -> None:
    rsub = p.add_subparsers(dest="rules_command", metavar="ACTION", parser_class=_Parser,
                            required=True)
    rsub.add_parser("check", help="validate questions, packs, recommendations")
    rsub.add_parser("test", help="run the test cases kept in the rule packs")


def _args_explain(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="answers file (JSON), or - for standard input")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _args_cost(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, help="model name as litellm knows it")
    vol = p.add_mutually_exclusive_group(required=True)
    vol.add_argument("--requests", type=_non_negative_int, metavar="N",
                     help="user requests per month")
    vol.add_argument("--users", type=_non_negative_int, metavar="U", help="daily users")
    p.add_argument("--per-user", type=_non_negative_float, metavar="R",
                   help="requests per user per day (with --users)")
    p.add_argument("--input-tokens", type=_non_negative_int, default=0, metavar="I")
    p.add_argument("--output-tokens", type=_non_negative_int, default=0, metavar="O")
    p.add_argument("--calls-per-task", type=_positive_int, default=1, metavar="C")
    p.add_argument("--industry", help="industry (regulated ones keep prices in divergence)")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _args_prices(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="?", help="show models whose name contains this")
    p.add_argument("--provider", help="only this litellm provider")
    p.add_argument("--sort", choices=("name", "input", "output"), default="name")
    p.add_argument("--limit", type=_non_negative_int, default=None, metavar="N")
    p.add_argument("--format", choices=("text", "json"), default=None,
                   help="default: a table on a terminal, JSON when piped")


def _args_ask(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="answers file (JSON)")
    p.add_argument("question", help="the question, in plain words")
    _add_home(p)
    _add_llm_options(p)


def _args_history(p: argparse.ArgumentParser) -> None:
    _add_home(p)
    hsub = p.add_subparsers(dest="history_command", metavar="ACTION", parser_class=_Parser,
                            required=True)
    h = hsub.add_parser("list", help="past assessments, newest first")
    h.add_argument("--role", choices=ROLES)
    h.add_argument("--organization", metavar="TEXT", help="organization contains TEXT")
    h.add_argument("--tier", choices=("high", "medium", "lower"))
    h.add_argument("--limit", type=_non_negative_int, default=50)
    h.add_argument("--format", choices=("text", "json"), default="text")
    h = hsub.add_parser("show", help="the stored report again")
    h.add_argument("id", type=int)
    h.add_argument("--format", choices=("md", "json", "answers"), default="md")
    h = hsub.add_parser("diff", help="what changed between two assessments")
    h.add_argument("a", type=int)
    h.add_argument("b", type=int)
    h = hsub.add_parser("failures", help="LLM failure patterns, grouped by kind")
    h.add_argument("--format", choices=("text", "json"), default="text")
    h = hsub.add_parser("export", help="every assessment as JSON lines")
    h.add_argument("-o", "--output", metavar="FILE")
    h = hsub.add_parser("prune", help="delete old assessments")
    h.add_argument("--keep", type=_non_negative_int, metavar="N",
                   help="keep the newest N assessments")
    h.add_argument("--older-than", type=_non_negative_int, metavar="DAYS",
                   help="delete assessments older than DAYS days")


_POPULATE: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    name: globals()[f"_args_{name}"] for name in _COMMAND_HELP
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with arguments only for the command being run (all of them when unsure).

    Populating a dozen subcommands' arguments costs more than Python's own start-up, and
    ``advisor --help`` needs none of them: the subcommands' one-line help is enough.
    """
    parser = _Parser(
        prog="advisor",
        description="Strategy decision assistant for the era of cheap AI inference. "
                    "Run without a command to open the interactive assessment.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = _command_in(argv)
    for name, help_text in _COMMAND_HELP.items():
        # A named command needs only its own subparser: each costs ~0.5 ms to build, and the
        # others matter only for top-level usage errors and help, where `wanted` is None.
        if wanted in (None, "", name):
            p = sub.add_parser(name, help=help_text)
            if wanted is None or wanted == name:
                _POPULATE[name](p)
    return parser


def _command_in(argv: Sequence[str] | None) -> str | None:
    """The subcommand named in ``argv``, or None to populate every one (e.g. for tests)."""
    if argv is None:
        return None
    for token in argv:
        if token in _COMMAND_HELP:
            return token
        if not token.startswith("-"):
            return None
    return ""


def _version() -> str:
    from advisor import __version__

    return f"advisor {__version__}"


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (0 <= value < float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number, 0 or more")
    return value


