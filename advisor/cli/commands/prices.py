"""``advisor prices [QUERY]``: the offline price table the cost model uses."""

from __future__ import annotations

import argparse
import sys

from advisor.cli.options import non_negative_int
from advisor.cli.output import emit
from advisor.render import formatting


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="?", help="show models whose name contains this")
    p.add_argument("--provider", help="only this litellm provider")
    p.add_argument("--sort", choices=("name", "input", "output"), default="name")
    p.add_argument("--limit", type=non_negative_int, default=None, metavar="N")
    p.add_argument("--format", choices=("text", "json"), default=None,
                   help="default: a table on a terminal, JSON when piped")


def run(args: argparse.Namespace) -> int:
    from advisor.data.price_map import default_price_book

    book = default_price_book()
    rows = book.all()
    if args.query:
        needle = args.query.lower()
        rows = [p for p in rows if needle in p.model.lower()]
    if args.provider:
        rows = [p for p in rows if p.provider == args.provider]
    if args.sort == "input":
        rows.sort(key=lambda p: (p.input_per_mtok, p.model))
    elif args.sort == "output":
        rows.sort(key=lambda p: (p.output_per_mtok, p.model))
    if args.limit is not None:
        rows = rows[: args.limit]
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    if fmt == "json":
        data = [{"model": p.model, "provider": p.provider, "input_per_mtok": p.input_per_mtok,
                 "output_per_mtok": p.output_per_mtok, "source": p.source} for p in rows]
        from advisor.core.jsonout import dumps

        emit(dumps(data, indent=2) + "\n", None)
        return 0
    if not rows:
        print("no model matches", file=sys.stderr)
        return 0
    width = min(60, max(len(p.model) for p in rows))
    out = [f"{'model':<{width}}  {'provider':<18} {'$/M in':>10} {'$/M out':>10}"]
    for p in rows:
        out.append(f"{formatting.terminal_escape(p.model):<{width}}  {p.provider[:18]:<18} "
                   f"{p.input_per_mtok:>10.4g} {p.output_per_mtok:>10.4g}")
    out.append(f"{len(rows)} model(s); source: {book.source_label}")
    emit("\n".join(out) + "\n", None)
    return 0
