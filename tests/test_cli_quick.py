"""The argparse-free reading of ``advisor assess`` agrees with argparse wherever it answers."""

from __future__ import annotations

import contextlib
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.cli_args import build_parser
from advisor.cli_quick import quick_assess_args

TOKENS = ["assess", "a.json", "b.json", "-", "-o", "--output", "out.md", "--format", "md",
          "html", "json", "pdf", "--no-history", "--home", "/tmp/h", "--llm", "openai/gpt-4o",
          "--llm-base-url", "http://127.0.0.1:9", "--llm-timeout", "5", "2.5", "x", "-h",
          "--help", "--out", "--format=md", "-oout.md", "--", "--bogus", "-1", ""]


def _argparse(argv: list[str]) -> dict | None:
    """argparse's reading, or None when it rejects the line (it exits)."""
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            return vars(build_parser(argv).parse_args(argv))
    except SystemExit:
        return None


@settings(max_examples=1500, deadline=None)
@given(rest=st.lists(st.sampled_from(TOKENS), max_size=7))
def test_quick_reading_matches_argparse(rest: list[str]) -> None:
    argv = ["assess", *rest]
    quick = quick_assess_args(argv)
    if quick is not None:
        assert vars(quick) == _argparse(argv), argv


def test_common_lines_take_the_quick_path() -> None:
    for argv in (["assess", "a.json"], ["assess", "-", "--format", "html", "-o", "r.html"],
                 ["assess", "a.json", "--no-history", "--home", "/tmp/h"],
                 ["assess", "a.json", "--llm", "openai/gpt-4o-mini", "--llm-timeout", "30"]):
        quick = quick_assess_args(argv)
        assert quick is not None and vars(quick) == _argparse(argv)


def test_anything_unusual_is_left_to_argparse() -> None:
    for argv in (["assess"], ["assess", "--help"], ["assess", "a.json", "b.json"],
                 ["assess", "a.json", "--format", "pdf"], ["assess", "a.json", "-o"],
                 ["assess", "a.json", "--out", "x"], ["assess", "a.json", "--llm-timeout", "x"],
                 ["assess", "a.json", "--format", "pdf", "--format", "md"],
                 ["assess", "a.json", "--llm-timeout", "x", "--llm-timeout", "5"],
                 ["explain", "a.json"]):
        assert quick_assess_args(argv) is None, argv
