"""Ask corpus v2 (tests/ask/corpus_v2/, issue 20 item 5): ≥ 95% of its questions answered and
every conversation turn right, run with the same runner and matcher as corpus.toml.

Written before the new parser, so it measures the parser rather than describing it. Its own
answers files live in corpus_v2/assessments/ (the runner looks there first, then in
tests/ask/assessments/). The arithmetic behind every `calc` is checked here too, independently
of the `advisor` package, so a price-map update that moves a figure fails loudly.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
V2 = HERE / "corpus_v2"
CORPUS = V2 / "corpus.toml"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(V2))

from compute_v2 import check as check_figures  # noqa: E402
from test_corpus import THRESHOLD, run_corpus  # noqa: E402

NEEDED = {"goal_seek", "compare_models", "levers", "materiality", "capacity", "unsupported",
          "out_of_scope", "cautions", "combined_whatif", "calls_per_task_whatif", "brief",
          "follow_up", "undo", "reset", "lifecycle", "bill_gap"}


def _data() -> dict[str, Any]:
    return tomllib.loads(CORPUS.read_text(encoding="utf-8"))


def test_the_corpus_has_the_size_and_spread_issue_20_asks_for() -> None:
    data = _data()
    intents = {q["intent"] for q in data["q"]} | {
        t["intent"] for c in data["conversation"] for t in c["turn"]}
    known = {i["id"] for i in tomllib.loads((HERE / "intents.toml").read_text())["intent"]}
    assert len(data["q"]) >= 150 and len(data["conversation"]) >= 20
    assert all(2 <= len(c["turn"]) <= 4 for c in data["conversation"])
    assert intents >= NEEDED and intents <= known, (NEEDED - intents, intents - known)


def test_every_expected_figure_is_the_specs_arithmetic(capsys) -> None:
    assert check_figures() == 0, capsys.readouterr().out


@pytest.fixture(scope="module")
def rows(rulebase, prices) -> list[dict[str, Any]]:
    return run_corpus(rulebase, prices, CORPUS)


def test_the_v2_corpus_is_answered(rows) -> None:
    bad = [r for r in rows if not r["ok"]]
    share = 1 - len(bad) / len(rows)
    report = "\n".join(f"- [{r['assessment']}] {r['question']!r}: intent {r['intent']} "
                       f"(want {r['expected']}), missing {r['missing']}, present {r['present']}"
                       for r in bad)
    assert share >= THRESHOLD, f"{share:.1%} answered; failures:\n{report}"


def test_every_v2_conversation_turn_is_answered(rows) -> None:
    """Hidden conversations must be right on every turn (issue 20, done when)."""
    bad = [(r["conversation"], r["question"], r["intent"], r["missing"], r["present"])
           for r in rows if r["conversation"] and not r["ok"]]
    assert not bad, bad
