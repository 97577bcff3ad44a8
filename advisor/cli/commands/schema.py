"""``advisor schema``: the JSON Schema of the answers file, from the same schema that validates."""

from __future__ import annotations

import argparse
import json

from advisor.cli.output import emit
from advisor.core.answers import json_schema
from advisor.data.rules import load_rulebase


def add_arguments(p: argparse.ArgumentParser) -> None:
    """No options."""


def run(args: argparse.Namespace) -> int:
    schema = json_schema(load_rulebase().questionnaire)
    emit(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", None)
    return 0
