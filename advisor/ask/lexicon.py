"""The words Ask understands, read once from ``rules/ask/`` (data, not code).

``lexicon.toml`` gives words their categories (numbers, scales, factors, what a quantity is
about, directions, model names); ``topics.toml`` gives the topics and their cues;
``wording.toml`` the phrases answers are said in. A rules folder named by
``ADVISOR_RULES_DIR`` without an ``ask/`` folder falls back to the packaged one, so a test
that points at its own rule packs still has a vocabulary.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any


def ask_file(name: str) -> str:
    """The path of ``rules/ask/NAME``: the configured rules folder's, else the packaged one."""
    from advisor.data.resources import rules_dir

    path = os.path.join(rules_dir(), "ask", name)
    if os.path.exists(path):
        return path
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    for root in (os.path.join(here, "rules"), os.path.join(os.path.dirname(here), "rules")):
        candidate = os.path.join(root, "ask", name)
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(f"Ask's data file rules/ask/{name} is missing from the installation")


@cache
def read(name: str) -> dict[str, Any]:
    with open(ask_file(name), "rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class Lexicon:
    spellings: dict[str, str]
    numbers: dict[str, float]
    scales: dict[str, float]
    factors: dict[str, float]
    targets: dict[str, str]  # word → volume / users / calls / price / input / output
    task_nouns: frozenset[str]
    up: frozenset[str]
    down: frozenset[str]
    add: frozenset[str]
    sets: frozenset[str]
    hold: tuple[str, ...]
    model_cues: tuple[str, ...]
    whatif_cues: tuple[str, ...]
    instead: tuple[str, ...]
    follow_up_starts: tuple[str, ...]
    follow_up_phrases: tuple[str, ...]
    scenarios: dict[str, str]  # phrase → scenario id
    consumed_after: frozenset[str]
    consumed_before: frozenset[str]
    models: dict[str, str]
    model_stems: tuple[str, ...]
    model_suffixes: tuple[str, ...]
    phrases: re.Pattern[str]  # every phrase of several words, longest first

    def targets_of(self, kind: str) -> list[str]:
        return [w for w, k in self.targets.items() if k == kind]

    number_words: re.Pattern[str]  # numbers written as one word ("ten")


@cache
def lexicon() -> Lexicon:
    d = read("lexicon.toml")
    t = d["targets"]
    targets = {w: kind for kind in ("volume", "users", "calls", "price", "input", "output")
               for w in t[kind]}
    dirs = d["directions"]
    scenarios = {p: sid for sid, words in d["scenarios"].items() if sid != "ordinals"
                 for p in words}
    multi = [p for p in (*d["numbers"], *d["factors"], *dirs["hold"], *dirs["instead"],
                         *scenarios, *d["models"])
             if " " in p]
    multi += [w.replace("-", " ") for w in (*dirs["up"], *dirs["down"]) if "-" in w]
    phrases = re.compile(r"(?<![\w.-])(" + "|".join(
        re.escape(p) for p in sorted(set(multi), key=len, reverse=True)) + r")(?![\w-])")
    return Lexicon(
        spellings=dict(d["spellings"]), numbers={k: float(v) for k, v in d["numbers"].items()},
        scales={k: float(v) for k, v in d["scales"].items()},
        factors={k: float(v) for k, v in d["factors"].items()}, targets=targets,
        task_nouns=frozenset(t["task_nouns"]), up=frozenset(dirs["up"]),
        down=frozenset(dirs["down"]), add=frozenset(dirs["add"]), sets=frozenset(dirs["set"]),
        hold=tuple(dirs["hold"]), model_cues=tuple(dirs["model_cues"]),
        whatif_cues=tuple(dirs["whatif_cues"]),
        instead=tuple(dirs["instead"]), follow_up_starts=tuple(dirs["follow_up_starts"]),
        follow_up_phrases=tuple(dirs["follow_up_phrases"]), scenarios=scenarios,
        consumed_after=frozenset(d["consumed"]["after"]),
        consumed_before=frozenset(d["consumed"]["before"]),
        models=dict(d["models"]), model_stems=tuple(d["model_stems"]["stems"]),
        model_suffixes=tuple(d["model_stems"]["suffixes"]), phrases=phrases,
        number_words=re.compile(r"(?<![\w.-])(" + "|".join(
            re.escape(w) for w in d["numbers"] if " " not in w) + r")(?![\w-])"))
