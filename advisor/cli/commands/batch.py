"""``advisor batch PATH... -o DIR``: one report per answers file plus a portfolio summary."""

from __future__ import annotations

import argparse

from advisor.cli.options import REPORT_FORMATS, add_home, add_llm_options, bounded_int

#: More workers than this only adds memory and contention on any machine advisor runs on.
MAX_JOBS = 256


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="answers files, folders (searched for *.json) or .jsonl files")
    p.add_argument("-o", "--output", metavar="DIR", required=True, help="output folder")
    p.add_argument("--jobs", type=lambda t: bounded_int(t, 1, MAX_JOBS), default=None,
                   metavar="N", help="worker processes (default: number of CPUs; at most "
                   f"{MAX_JOBS}); with --llm, LLM calls in flight (default 4)")
    p.add_argument("--format", choices=REPORT_FORMATS, default="md")
    p.add_argument("--no-history", action="store_true", help="do not record items in history")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    add_home(p)
    add_llm_options(p)


def run(args: argparse.Namespace) -> int:
    from advisor.batch.run import run as run_batch

    return run_batch(args)
