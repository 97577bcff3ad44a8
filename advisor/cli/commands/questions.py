"""``advisor questions``: the questionnaire, for a person or a script filling a file."""

from __future__ import annotations

import argparse
import json

from advisor.cli.output import emit
from advisor.cli.roles import add_role
from advisor.data.rules import load_rulebase
from advisor.render.questionnaire import questionnaire_json, questionnaire_markdown


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_role(p, required=False)
    p.add_argument("--format", choices=("md", "json"), default="md")


def run(args: argparse.Namespace) -> int:
    q = load_rulebase().questionnaire
    if args.format == "json":
        text = json.dumps(questionnaire_json(q, args.role), indent=2, ensure_ascii=False) + "\n"
    else:
        text = questionnaire_markdown(q, args.role)
    emit(text, None)
    return 0
