"""``advisor completion SHELL``: a completion script generated from the argparse parser.

bash and zsh come from shtab; fish from the same parser walked here (shtab has no fish).
"""

from __future__ import annotations

import argparse

from advisor.cli.output import emit


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=("bash", "zsh", "fish"))


def run(args: argparse.Namespace) -> int:
    from advisor.cli.parser import build_parser

    parser = build_parser(None)
    if args.shell == "fish":
        emit(fish_script(parser), None)
        return 0
    import shtab

    emit(shtab.complete(parser, shell=args.shell) + "\n", None)
    return 0


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_script(parser: argparse.ArgumentParser) -> str:
    """Commands, sub-actions and options with their help, as fish ``complete`` lines."""
    lines = ["# fish completion for advisor (advisor completion fish)",
             "complete -c advisor -f"]
    helps = {a.dest: a.help for a in parser._actions
             if isinstance(a, argparse._SubParsersAction)
             for a in a._choices_actions}
    commands = _subparsers(parser)
    for name, sub in commands.items():
        lines.append(f"complete -c advisor -n __fish_use_subcommand -a {name} "
                     f"-d {_quote(helps.get(name) or '')}")
        when = f"__fish_seen_subcommand_from {name}"
        for action in sub._actions:
            for flag in action.option_strings:
                opt = f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}"
                extra = ""
                if action.choices and not isinstance(action, argparse._SubParsersAction):
                    extra = " -x -a " + _quote(" ".join(map(str, action.choices)))
                elif action.nargs != 0 and action.metavar in ("OUT", "FILE", "DIR"):
                    extra = " -r -F"
                lines.append(f"complete -c advisor -n {_quote(when)} {opt}{extra} "
                             f"-d {_quote(action.help or '')}")
            if isinstance(action, argparse._SubParsersAction):
                for child in action._choices_actions:
                    lines.append(f"complete -c advisor -n {_quote(when)} -a {child.dest} "
                                 f"-d {_quote(child.help or '')}")
            elif not action.option_strings and action.dest in ("file", "paths"):
                lines.append(f"complete -c advisor -n {_quote(when)} -F")
    return "\n".join(lines) + "\n"
