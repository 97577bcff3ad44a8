"""``advisor ask FILE ["question"]``: questions about an assessment, answered from its figures.

With a question, one answer. Without one, a conversation in the terminal: questions are read
line by line from stdin (a terminal or a pipe) until end of input or "quit"; follow-ups build
on the previous what-if until "reset". ``--format json`` prints each answer as one JSON object
(a line each in a conversation) with its figures, sources and any recomputed result.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from advisor.cli.options import add_home, add_llm_options
from advisor.cli.output import emit

QUIT = frozenset({"quit", "exit", "q", ":q", "bye"})


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="answers file (JSON)")
    p.add_argument("question", nargs="?", default=None,
                   help="the question, in plain words; without it, read questions from stdin "
                        "(a conversation) until end of input or 'quit'")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default) or json: the answer with its figures, sources and any "
                        "recomputed result")
    add_home(p)
    add_llm_options(p)


def _terminal_safe(text: str) -> str:
    """Drop escape sequences and control characters (keeping newlines and tabs)."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f\x1b]", "", text)


def _text(reply: Any) -> str:
    from advisor.core.sources import SECTION_TITLES

    out = [_terminal_safe(reply.text).rstrip(), ""]
    if reply.note:
        out += [_terminal_safe(reply.note), ""]
    if reply.sources:
        out.append("Sources: " + "; ".join(SECTION_TITLES[k] for k in reply.sources))
    else:
        out.append("Sources: none" if not reply.answered else "Sources: this assessment")
    return "\n".join(out) + "\n"


def _json(reply: Any, question: str) -> str:
    from advisor.core.sources import SECTION_TITLES

    data = {"question": question, **reply.to_dict()}
    data["sources"] = [{"key": k, "title": SECTION_TITLES.get(k, k)} for k in reply.sources]
    return json.dumps(data, ensure_ascii=False)


def run(args: argparse.Namespace) -> int:
    """Answer the question, or hold a conversation over stdin."""
    from advisor.ask.conversation import Conversation
    from advisor.core.errors import InputError
    from advisor.data.answers_file import read_answers_file
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase
    from advisor.llm.settings import settings_from_args

    if args.question is None and args.file == "-":
        raise InputError("a conversation reads its questions from stdin, so the answers file "
                         "cannot come from stdin too: give its path", file="<stdin>")
    answers_file = read_answers_file(args.file)
    rulebase, prices = load_rulebase(), default_price_book()
    settings = settings_from_args(args)  # --llm, else the config file's model, else None
    try:
        chat = Conversation(answers_file, rulebase, prices, settings=settings)
        if args.question is not None:
            reply = chat.ask(args.question)
            emit(_json(reply, args.question) + "\n" if args.format == "json"
                 else _text(reply), None)
            return 0
        return _converse(chat, args.format)
    except InputError as exc:
        raise exc.with_file("<stdin>" if args.file == "-" else args.file) from None


def _converse(chat: Any, fmt: str) -> int:
    interactive = sys.stdin.isatty() and fmt == "text"
    if interactive:
        base = chat.base
        who = f" for {base.organization}" if base.organization else ""
        print(_terminal_safe(f"Ask about this assessment{who} ({base.tier} tier). Type a "
                             "question; \"reset\" drops the what-ifs; \"quit\" or Ctrl-D ends."),
              flush=True)
    while True:
        try:
            line = input("> " if interactive else "")
        except EOFError:
            break
        except KeyboardInterrupt:
            print()
            break
        question = line.strip()
        if not question:
            continue
        if question.lower() in QUIT:
            break
        reply = chat.ask(question)
        if fmt == "json":
            emit(_json(reply, question) + "\n", None)
        else:
            emit(("" if interactive else f"> {_terminal_safe(question)}\n") + _text(reply)
                 + "\n", None)
        sys.stdout.flush()
    return 0
