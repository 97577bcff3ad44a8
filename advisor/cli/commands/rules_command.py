"""``advisor rules check`` and ``advisor rules test``: keep the rule packs honest."""

from __future__ import annotations

import argparse
import sys

from advisor.core.errors import RulePackError
from advisor.core.rules_check import check, run_tests
from advisor.data.price_map import default_price_book
from advisor.data.rules import load_rulebase, read_knowledge


def add_arguments(p: argparse.ArgumentParser) -> None:
    rsub = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True,
                            parser_class=type(p))
    rsub.add_parser("check", help="validate questions, packs, recommendations, knowledge")
    rsub.add_parser("test", help="run the test cases kept in the rule packs")


def run(args: argparse.Namespace) -> int:
    rulebase = load_rulebase()
    if args.rules_command == "check":
        try:
            problems = check(rulebase, read_knowledge())
        except RulePackError as exc:
            print(f"knowledge.toml: {exc}")
            return 2
        for p in problems:
            print(f"{p.where}: {p.message}")
        n_rules = len(rulebase.rules)
        if problems:
            print(f"{len(problems)} problem(s) in {n_rules} rules", file=sys.stderr)
            return 2
        print(f"ok: {len(rulebase.questionnaire.questions)} questions, {n_rules} rules in "
              f"{len(rulebase.packs)} pack(s), {len(rulebase.recommendations)} recommendations, "
              f"{len(rulebase.cautions)} cautions, {len(rulebase.scenarios)} scenarios")
        return 0
    outcomes = run_tests(rulebase, default_price_book())
    for o in outcomes:
        print(f"{'PASS' if o.passed else 'FAIL'}  [{o.pack}] {o.name}")
        for f in o.failures:
            print(f"      {f}")
    failed = sum(not o.passed for o in outcomes)
    print(f"{len(outcomes) - failed} passed, {failed} failed")
    return 1 if failed else 0
