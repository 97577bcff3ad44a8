"""``advisor ask FILE "question"``: a question about an assessment, answered from its figures."""

from __future__ import annotations

import argparse
import re

from advisor.cli.options import add_home, add_llm_options
from advisor.cli.output import emit

HELP = "ask a question about an assessment"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="answers file (JSON)")
    p.add_argument("question", help="the question, in plain words")
    add_home(p)
    add_llm_options(p)


def _terminal_safe(text: str) -> str:
    """Drop escape sequences and control characters (keeping newlines and tabs)."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f\x1b]", "", text)


def run(args: argparse.Namespace) -> int:
    """``advisor ask FILE "question"``: print the answer and the sections it rests on."""
    from advisor.ask.conversation import answer
    from advisor.core.errors import InputError
    from advisor.core.sources import SECTION_TITLES
    from advisor.data.answers_file import read_answers_file
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase
    from advisor.llm.settings import settings_from_args

    answers_file = read_answers_file(args.file)
    rulebase, prices = load_rulebase(), default_price_book()
    settings = settings_from_args(args)  # --llm, else the config file's model, else None
    try:
        reply = answer(args.question, answers_file, rulebase, prices, settings)
    except InputError as exc:
        raise exc.with_file("<stdin>" if args.file == "-" else args.file) from None
    out = [_terminal_safe(reply.text).rstrip(), ""]
    if reply.note:
        out += [_terminal_safe(reply.note), ""]
    if reply.sources:
        out.append("Sources: " + "; ".join(f"{k} ({SECTION_TITLES[k]})" for k in reply.sources))
    else:
        out.append("Sources: none" if not reply.answered else "Sources: this assessment")
    emit("\n".join(out) + "\n", None)
    return 0
