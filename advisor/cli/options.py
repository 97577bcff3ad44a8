"""Argument types and option groups that several commands share."""

from __future__ import annotations

import argparse
import re

from advisor.core.numbers import parse_number

#: Report formats `assess` and `batch` write; the renderer's own list.
from advisor.render.formats import REPORT_FORMATS

__all__ = ["REPORT_FORMATS", "add_home", "add_llm_options", "bounded_int", "non_negative_float",
           "non_negative_int", "positive_int"]

#: "1e3": scientific notation is how machines write numbers, not people; a count is refused.
_EXPONENT = re.compile(r"\d\s*[eE]\s*[+-]?\d")

#: The largest whole number any count option accepts: past it, no answer means anything.
MAX_COUNT = 10**12


def add_llm_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("LLM narrative (optional; offline built-in narrative by default)")
    g.add_argument("--llm", metavar="MODEL", help="draft the narrative with MODEL via litellm "
                   "(e.g. openai/gpt-4o-mini, ollama/llama3)")
    g.add_argument("--llm-base-url", metavar="URL",
                   help="OpenAI-compatible server URL (default: $ADVISOR_LLM_BASE_URL)")
    g.add_argument("--llm-timeout", metavar="S", type=positive_float,
                   help="seconds allowed for each LLM call (default 60)")


def add_home(p: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``--home``; ``nested`` for a sub-action, so its default never hides the parent's value."""
    p.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS if nested else None,
                   help="folder for the history store, drafts, config and cache (default: "
                        "$ADVISOR_HOME, else the platform's user folders)")


def non_negative_int(text: str) -> int:
    return bounded_int(text, 0, MAX_COUNT)


def positive_int(text: str) -> int:
    return bounded_int(text, 1, MAX_COUNT)


def bounded_int(text: str, low: int, high: int) -> int:
    """A whole number in ``[low, high]``, typed as people do ("300k", "1.5M", "2,000")."""
    value = None if _EXPONENT.search(text) else parse_number(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number "
                                         "(300k and 1.5M work too)")
    if not isinstance(value, int):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number")
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} must be from {low:,} to {high:,}")
    return value


def non_negative_float(text: str) -> float:
    value = parse_number(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number")
    if not (0 <= value <= 1e15):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} must be a number from 0 to 1e15")
    return float(value)


def positive_float(text: str) -> float:
    value = non_negative_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value


def share(text: str) -> float:
    """A share of the workload, typed as 0.6 or 60%."""
    value = parse_number(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a share (0.6 or 60%)")
    if text.strip().endswith("%"):
        value = value / 100
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} must be a share from 0 to 1 (or 0% "
                                         "to 100%)")
    return float(value)


def margin_pct(text: str) -> float:
    """A gross margin in percent, from -100 to 100 ("72%", "-15")."""
    value = parse_number(text.strip().removesuffix("%").strip()) if text.strip() else None
    if value is None or not -100 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} must be a margin from -100% to 100%")
    return float(value)
