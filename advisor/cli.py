"""The ``advisor`` command line: one entry point, subcommands per spec/result.md.

Start-up cost matters (``advisor --help`` and ``advisor assess`` must feel instant), so this
module imports nothing heavy: the top-level help is printed from the command summaries below
without argparse, the parser lives in :mod:`advisor.cli_args`, and each command imports what it
needs when it runs. Textual is imported only by the TUI, litellm only for an LLM. Input errors
become one line on stderr and exit 2; anything else unexpected is a bug and exits 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2
DESCRIPTION = ("Strategy decision assistant for the era of cheap AI inference. "
               "Run without a command to open the interactive assessment.")

_COMMAND_HELP = {
    "tui": "open the interactive assessment (the default)",
    "assess": "answers file -> report",
    "batch": "many answers files -> one report each plus a summary",
    "schema": "print the JSON Schema of the answers file",
    "questions": "print the questionnaire",
    "template": "print a starter answers file for a role",
    "rules": "validate the rule packs or run their test cases",
    "explain": "the rule trace and what-if for an answers file",
    "cost": "the cost calculator on its own",
    "prices": "the price table the cost model uses (offline)",
    "ask": "ask a question about an assessment",
    "history": "past assessments in the local store",
}


def top_level_help() -> str:
    """``advisor --help``: usage, description and one line per command."""
    import textwrap

    width = max(len(name) for name in _COMMAND_HELP) + 4
    lines = ["usage: advisor [-h] [--version] COMMAND ...", "",
             textwrap.fill(DESCRIPTION, 79), "", "commands:"]
    lines += [f"  {name:<{width}}{summary}" for name, summary in _COMMAND_HELP.items()]
    lines += ["", "options:", "  -h, --help  show this help message and exit",
              "  --version   show the version and exit", "",
              "Run `advisor COMMAND --help` for a command's options."]
    return "\n".join(lines) + "\n"


def _commands() -> dict[str, Callable[..., int]]:
    from advisor import commands

    return {
        "assess": commands.assess,
        "schema": commands.schema,
        "questions": commands.questions,
        "template": commands.template,
        "rules": commands.rules,
        "explain": commands.explain,
        "cost": commands.cost,
        "prices": commands.prices,
        "batch": commands.batch,
        "ask": commands.ask,
        "history": commands.history,
        "tui": commands.tui,
    }


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv in (["-h"], ["--help"]):
        sys.stdout.write(top_level_help())
        return EXIT_OK
    from advisor.cli_quick import quick_assess_args

    args = quick_assess_args(argv)
    if args is None:
        from advisor.cli_args import build_parser

        args = build_parser(argv).parse_args(argv)  # type: ignore[assignment]
    if getattr(args, "home", None):
        from advisor import paths

        paths.set_home(args.home)
    command = args.command or "tui"
    if command == "tui" and not hasattr(args, "home"):
        args.home = None
    try:
        return _commands()[command](args)
    except KeyboardInterrupt:
        print("advisor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `advisor prices | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from advisor.errors import InputError

        if isinstance(exc, InputError):
            print(f"advisor: error: {exc}", file=sys.stderr)
            return EXIT_INPUT
        raise


if __name__ == "__main__":
    raise SystemExit(main())
