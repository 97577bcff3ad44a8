"""Measure the LLM narrative's budget: input tokens, requested output tokens, dollars.

Budgets (issue 5): at most 2,000 input tokens on the largest example, at most 700 output
tokens requested, at most $0.001 per narrative on gpt-4o-mini at litellm's prices. Nothing is
sent anywhere: tokens are counted with ``litellm.token_counter`` and priced with
``litellm.cost_per_token`` on the bundled price map. The worst case assumes every requested
output token is used and the guard forces the one retry (so two calls).

    .venv/bin/python bench/llm_bench.py            # exit 1 if a budget is exceeded
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from rows import emit  # noqa: E402  (bench/ is not a package)

sys.path.insert(0, str(ROOT))

MODEL = "gpt-4o-mini"
MAX_INPUT_TOKENS = 2000
MAX_USD = 0.001


def largest_answers(role: str) -> dict[str, Any]:
    """Every question a role is asked, answered at its most exposed, with long free text."""
    from advisor.data.rules import load_rulebase

    answers: dict[str, Any] = {}
    for q in load_rulebase().questionnaire.for_role(role):
        if q.type == "choice":
            answers[q.id] = q.risk[-1] if q.risk else q.option_values()[0]
        elif q.type == "bool":
            answers[q.id] = True
        elif q.type == "int":
            answers[q.id] = 50 if q.id == "calls_per_task" else min(
                q.max if q.max is not None else 10_000_000, 10_000_000)
        elif q.type == "number":
            answers[q.id] = min(q.max if q.max is not None else 1e7, 1e7)
        elif q.id == "model":
            answers[q.id] = "gpt-4o"
        else:
            answers[q.id] = "x" * (q.max_length or 80)
    answers["archetype"] = "api_wrapper"
    answers["industry"] = "healthcare"
    return {"schema_version": 1, "role": role, "organization": "An Organisation Name " * 5,
            "answers": answers}


def cases() -> list[tuple[str, dict[str, Any]]]:
    out = [(p.name, json.loads(p.read_text(encoding="utf-8")))
           for p in sorted((ROOT / "examples").glob("*.json"))]
    out += [(f"largest-{role}", largest_answers(role))
            for role in ("startup", "enterprise_it", "investor", "developer")]
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="B8: the LLM narrative's prompt budget")
    parser.add_argument("--json", metavar="OUT", help="write the rows as JSON ('-': stdout)")
    parser.add_argument("--pairs", type=int, default=0, help="ignored (bench/run.py passes it)")
    args = parser.parse_args(argv)
    if args.json == "-":
        sys.stdout = sys.stderr  # readable lines to stderr, JSON rows to the real stdout
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
    import litellm

    from advisor.core.assess import assess
    from advisor.data.answers_file import validate_answers
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase
    from advisor.llm import guard
    from advisor.llm.facts import build_facts
    from advisor.llm.prompt import STANDING_INSTRUCTIONS, narrative_messages, retry_messages
    from advisor.llm.settings import LLMSettings
    from advisor.render.report import NARRATIVE_HEADINGS, ROLE_LABELS, builtin_narrative

    rulebase, prices = load_rulebase(), default_price_book()
    max_out = LLMSettings(model=MODEL).max_output_tokens
    every_standing = list(STANDING_INSTRUCTIONS.values())[:3]
    print(f"{'case':<36} {'in':>6} {'in+std':>7} {'retry':>6} {'out':>5} {'1 call $':>10} "
          f"{'worst $':>10} {'guard ms':>9}")
    worst_in = 0
    worst_usd = 0.0
    for name, doc in cases():
        answers = validate_answers(doc, file=name)
        result = assess(answers, rulebase, prices)
        facts = build_facts(result, rulebase)
        role = ROLE_LABELS[result.role]
        plain = narrative_messages(facts, role=role, headings=NARRATIVE_HEADINGS)
        standing = narrative_messages(facts, role=role, headings=NARRATIVE_HEADINGS,
                                      standing=every_standing)
        retry = retry_messages(standing, ["the model invented the figure $12,345",
                                          "the model called the tier medium"])
        n_plain = litellm.token_counter(model=MODEL, messages=plain)
        n_standing = litellm.token_counter(model=MODEL, messages=standing)
        n_retry = litellm.token_counter(model=MODEL, messages=retry)
        one = sum(litellm.cost_per_token(model=MODEL, prompt_tokens=n_standing,
                                         completion_tokens=max_out))
        worst = one + sum(litellm.cost_per_token(model=MODEL, prompt_tokens=n_retry,
                                                 completion_tokens=max_out))
        text = builtin_narrative(result, rulebase).text
        allowed = guard.FactFigures(facts.texts())
        started = time.perf_counter()
        for _ in range(20):
            guard.check(text, facts=allowed, tier=result.tier, headings=NARRATIVE_HEADINGS)
        guard_ms = (time.perf_counter() - started) / 20 * 1000
        worst_in = max(worst_in, n_standing)
        worst_usd = max(worst_usd, one)
        print(f"{name:<36} {n_plain:>6} {n_standing:>7} {n_retry:>6} {max_out:>5} "
              f"{one:>10.6f} {worst:>10.6f} {guard_ms:>9.2f}")
    ok_in = worst_in <= MAX_INPUT_TOKENS
    ok_out = max_out <= 700
    ok_usd = worst_usd <= MAX_USD
    print()
    print(f"largest input: {worst_in} tokens (budget {MAX_INPUT_TOKENS}): "
          f"{'ok' if ok_in else 'OVER'}")
    print(f"output requested: {max_out} tokens (budget 700): {'ok' if ok_out else 'OVER'}")
    print(f"largest cost of one narrative call on {MODEL}: ${worst_usd:.6f} (budget "
          f"${MAX_USD}): {'ok' if ok_usd else 'OVER'}")
    print("(\"worst $\" adds the one retry the guard may ask for; a cached narrative costs $0)")
    rows = [
        {"id": "B8a", "what": "LLM narrative prompt, largest case (litellm token_counter)",
         "figure": f"{worst_in} tokens", "budget": f"≤ {MAX_INPUT_TOKENS:,} tokens",
         "passed": ok_in},
        {"id": "B8b", "what": "LLM narrative: output tokens requested", "figure": str(max_out),
         "budget": "≤ 700", "passed": ok_out},
        {"id": "B8c", "what": f"LLM narrative: one call on {MODEL} at litellm's prices",
         "figure": f"${worst_usd:.6f}", "budget": f"≤ ${MAX_USD}", "passed": ok_usd},
    ]
    emit(rows, args.json)
    return 0 if ok_in and ok_out and ok_usd else 1


if __name__ == "__main__":
    raise SystemExit(main())
