"""``advisor`` (or ``advisor tui``): the interactive assessment."""

from __future__ import annotations

import argparse
import sys

from advisor.cli.options import add_home


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_home(p)


def run(args: argparse.Namespace) -> int:
    from advisor.core.errors import InputError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError("the interactive assessment needs a terminal; for files and scripts "
                         "use `advisor assess FILE` (see `advisor --help`)")
    from advisor.tui import run as run_tui

    return run_tui(args)
