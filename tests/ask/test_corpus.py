"""The Ask corpus (tests/ask/corpus.toml): routing and answers hold for ≥ 95% of it.

Each single question is asked in a fresh conversation; each conversation's turns are asked in
order in one. A question passes when its intent is the expected one and the answer contains
every ``must_contain`` and none of the ``must_not_contain`` strings, matched as the corpus's
reference matcher (``compute_expected.contains``) does.
"""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from compute_expected import verdict  # noqa: E402

THRESHOLD = 0.95


def corpora() -> list[Path]:
    """corpus.toml, then any held-out corpus written beside it (``corpus_*/``, ``corpus_*.toml``,
    in the same format), each measured on its own."""
    found = [HERE / "corpus.toml"]
    found += sorted(p for p in HERE.glob("corpus_*.toml"))
    found += sorted(p for p in HERE.glob("corpus_*/**/*.toml")
                    if "[[q]]" in p.read_text(encoding="utf-8")
                    or "[[conversation]]" in p.read_text(encoding="utf-8"))
    return found


def corpus(path: Path | None = None) -> dict[str, Any]:
    return tomllib.loads((path or HERE / "corpus.toml").read_text(encoding="utf-8"))


def _assessment(path: Path, name: str) -> Path:
    """An assessment named by a corpus: beside it (its own assessments/), else the shared one."""
    for folder in (path.parent / "assessments", path.parent, HERE / "assessments"):
        if (folder / name).is_file():
            return folder / name
    return HERE / "assessments" / name


def run_corpus(rulebase: Any, prices: Any, path: Path | None = None) -> list[dict[str, Any]]:
    """Every question and turn with what came back and whether it passed."""
    from advisor.ask.conversation import Conversation
    from advisor.data.answers_file import read_answers_file

    path = path or HERE / "corpus.toml"
    files: dict[str, Any] = {}

    def conversation(name: str) -> Conversation:
        if name not in files:
            files[name] = read_answers_file(str(_assessment(path, name)))
        return Conversation(files[name], rulebase, prices)

    rows = []
    data = corpus(path)
    for q in data.get("q", []):
        reply = conversation(q["assessment"]).ask(q["question"])
        rows.append(_row(q, reply, q["assessment"], None))
    for conv in data.get("conversation", []):
        chat = conversation(conv["assessment"])
        for turn in conv["turn"]:
            rows.append(_row(turn, chat.ask(turn["question"]), conv["assessment"], conv["id"]))
    return rows


def _row(entry: dict[str, Any], reply: Any, assessment: str, conv: str | None) -> dict[str, Any]:
    missing, present = verdict(reply.text, entry)
    return {"assessment": assessment, "conversation": conv, "question": entry["question"],
            "expected": entry["intent"], "intent": reply.intent, "missing": missing,
            "present": present, "text": reply.text,
            "ok": reply.intent == entry["intent"] and not missing and not present}


@pytest.fixture(scope="module", params=corpora(), ids=lambda p: p.stem)
def rows(request, rulebase, prices) -> list[dict[str, Any]]:
    return run_corpus(rulebase, prices, request.param)


def test_the_corpus_is_answered(rows) -> None:
    bad = [r for r in rows if not r["ok"]]
    share = 1 - len(bad) / len(rows)
    report = "\n".join(f"- [{r['assessment']}] {r['question']!r}: intent {r['intent']} "
                       f"(want {r['expected']}), missing {r['missing']}, present {r['present']}"
                       for r in bad)
    assert share >= THRESHOLD, f"{share:.1%} answered; failures:\n{report}"


def test_every_conversation_turn_is_answered(rows) -> None:
    turns = [r for r in rows if r["conversation"]]
    bad = [r for r in turns if not r["ok"]]
    assert len(bad) <= len(turns) * (1 - THRESHOLD), bad


def test_no_answer_prints_a_zero_cost_for_a_gap(rows) -> None:
    """'$0.00' is never a cost for on-premises, no-model or no-usage assessments."""
    gaps = {"enterprise-onprem-gpus.json", "developer-onprem-healthcare.json",
            "developer-no-model.json", "investor-gpu-cloud.json"}
    assert not [r["question"] for r in rows
                if r["assessment"] in gaps and "$0.00" in r["text"]]


def share_by_intent(rows: list[dict[str, Any]]) -> dict[str, float]:
    total, ok = Counter(r["expected"] for r in rows), Counter(r["expected"] for r in rows
                                                               if r["ok"])
    return {k: ok[k] / n for k, n in total.items()}


if __name__ == "__main__":  # python tests/ask/test_corpus.py [-v]: the failures, for tuning
    from advisor.data.price_map import default_price_book
    from advisor.data.rules import load_rulebase

    chosen = [Path(a) for a in sys.argv[1:] if a.endswith(".toml")] or [HERE / "corpus.toml"]
    result = [r for c in chosen for r in run_corpus(load_rulebase(), default_price_book(), c)]
    for r in result:
        if not r["ok"]:
            print(f"[{r['assessment']}] {r['question']!r}: {r['intent']} (want {r['expected']})"
                  f" missing {r['missing']} present {r['present']}")
            if "-v" in sys.argv:
                print("   " + r["text"].replace("\n", "\n   ")[:1200])
    print(f"{sum(r['ok'] for r in result)}/{len(result)} answered")
    for k, v in sorted(share_by_intent(result).items(), key=lambda kv: kv[1]):
        if v < 1:
            print(f"  {k}: {v:.0%}")
