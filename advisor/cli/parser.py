"""The ``advisor`` argument parser: argparse, built from the command modules.

Only the module of the command being run is imported and asked for its arguments; the
others contribute their one-line help from :data:`HELPS`, kept here so that ``advisor
--help`` imports no command module.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from advisor.cli.commands import MODULES, NAMES

EXIT_INPUT = 2
DESCRIPTION = ("Strategy decision assistant for the era of cheap AI inference. "
               "Run without a command to open the interactive assessment.")

#: One line per command for ``advisor --help`` and each command's own help: the one place
#: these lines live, so ``advisor --help`` imports no command module.
HELPS = {
    "tui": "open the interactive assessment (the default)",
    "assess": "answers file -> report",
    "batch": "many answers files -> one report each plus a summary",
    "ask": "ask a question about an assessment (no question: a conversation)",
    "explain": "the rule trace and what-if for an answers file",
    "cost": "the cost calculator on its own",
    "prices": "the price table the cost model uses (offline)",
    "questions": "print the questionnaire",
    "template": "print a starter answers file for a role",
    "schema": "print the JSON Schema of the answers file",
    "rules": "validate the rule packs or run their test cases",
    "history": "past assessments in the local store",
    "paths": "print where advisor keeps its store, drafts, config and cache",
    "completion": "print a shell completion script (bash, zsh or fish)",
}


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, told the terminal width so that it never imports shutil.

    argparse asks ``shutil.get_terminal_size()`` for every formatter it builds, including the
    ones ``add_argument`` makes on every run; importing shutil (and the compression modules
    it pulls in) costs about 2 ms of a cold ``advisor assess``. Same rule: ``$COLUMNS``, else
    the terminal, else 80; minus 2, as argparse does.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one ``advisor: error:`` line and exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"advisor: error: {message}\n")


class _Version(argparse.Action):
    """``--version`` printed as written (argparse's own action re-wraps the lines)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        sys.stdout.write(version_text() + "\n")
        parser.exit()


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"advisor.cli.commands.{MODULES.get(name, name)}")


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The parser; with ``argv``, only the named command's arguments are added."""
    parser = Parser(prog="advisor", description=DESCRIPTION,
                    epilog="Run `advisor COMMAND --help` for a command's options.")
    parser.add_argument("--version", action=_Version, help="show the version of advisor, "
                        "its rule pack and its price map, and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    wanted = _command_in(argv)
    for name in NAMES:
        p = sub.add_parser(name, help=HELPS[name], description=HELPS[name])
        if wanted is None or wanted == name:
            command_module(name).add_arguments(p)
    return parser


def _command_in(argv: Sequence[str] | None) -> str | None:
    """The subcommand named in ``argv``; None populates every one (help, completion, tests)."""
    if argv is None:
        return None
    for token in argv:
        if token in HELPS:
            return token
        if not token.startswith("-"):
            return None
    return ""


def version_text() -> str:
    """``advisor --version``: the package, the rule pack and the price map it would use."""
    from advisor import __version__

    lines = [f"advisor {__version__}"]
    try:
        from advisor.data.rules import load_rulebase

        rb = load_rulebase()
        lines.append(f"rules: {', '.join(rb.packs)} (digest {rb.digest})")
    except Exception as exc:  # --version must answer even with broken rules
        lines.append(f"rules: unreadable ({exc})")
    from advisor.data.price_map import read_price_map

    label, rows = read_price_map()
    lines.append(f"prices: {label}, {len(rows):,} models")
    return "\n".join(lines)
