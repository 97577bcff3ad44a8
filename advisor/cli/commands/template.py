"""``advisor template --role R``: a starter answers file with every question for that role."""

from __future__ import annotations

import argparse
import json
from typing import Any

from advisor.cli.output import emit
from advisor.cli.roles import add_role
from advisor.data.rules import load_rulebase


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_role(p, required=True)


def run(args: argparse.Namespace) -> int:
    q = load_rulebase().questionnaire
    answers: dict[str, Any] = {question.id: None for question in q.for_role(args.role)}
    data = {"schema_version": 1, "role": args.role, "organization": "", "answers": answers}
    emit(json.dumps(data, indent=2) + "\n", None)
    return 0
