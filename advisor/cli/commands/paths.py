"""``advisor paths``: where the store, drafts, config, prices and cache live on this machine."""

from __future__ import annotations

import argparse
import json

from advisor.cli.options import add_home
from advisor.cli.output import emit


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("which", nargs="?", choices=("store", "drafts", "config", "prices", "cache"),
                   help="print only this path (for scripts)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_home(p)


def run(args: argparse.Namespace) -> int:
    from advisor.data.paths import locations

    where = locations()
    if args.which:
        emit(where[args.which] + "\n", None)
    elif args.format == "json":
        emit(json.dumps(where, indent=2) + "\n", None)
    else:
        width = max(map(len, where))
        emit("".join(f"{name:<{width}}  {path}\n" for name, path in where.items()), None)
    return 0
