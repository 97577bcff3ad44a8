"""The article's facts as data (``rules/knowledge.toml``) and a retrieval a person can audit.

Retrieval is deliberately simple: question and entries are reduced to normalised terms (lower
case, a light stemmer, a small synonym table, stop words removed); each entry is scored by the
inverse-document-frequency weight of the question terms it contains, counted double when the
term is one of the entry's keywords. The answer can then say exactly which entry matched and
on which words, which an embedding search could not.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from advisor.core.errors import RulePackError
from advisor.core.sources import SECTION_KEYS

KEYWORD_WEIGHT = 2.0
TEXT_WEIGHT = 1.0
#: Below this an entry is not an answer; tuned so off-topic questions find nothing.
MIN_SCORE = 4.0

# Phrases rewritten to one token before splitting, so "self hosting" and "self-host" agree.
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), t) for p, t in (
        (r"\bself[\s-]*host(?:ed|ing|s)?\b|\bhost(?:ing)? (?:it |our own |models? )?ourselves\b"
         r"|\brun (?:it|models?|llms?) ourselves\b|\bown gpus?\b", " selfhost "),
        (r"\bopen[\s-]*(?:source|weights?)\b", " opensource "),
        (r"\bon[\s-]*prem(?:ise|ises)?\b", " onprem "),
        (r"\bfine[\s-]*tun(?:e|ed|ing)\b", " finetune "),
        (r"\bswitching[\s-]*costs?\b", " switchingcost "),
        (r"\bfree[\s-]*tiers?\b", " freetier "),
        (r"\bbatch[\s-]*(?:processing|jobs?|work)?\b", " batch "),
        (r"\bvertical[\s-]*saas\b", " verticalsaas "),
        (r"\buse[\s-]*cases?\b", " usecase "),
        (r"\btwo[\s-]*tier(?:ed)?\b", " twotier "),
        (r"\bgpt[\s-]*4o\b", " gpt4o "),
        (r"\bgpt[\s-]*4\b", " gpt4 "),
        (r"\bgpt[\s-]*3\.5\b", " gpt35 "),
        (r"\bmixture[\s-]*of[\s-]*experts\b", " moe "),
        (r"\binput contract\b", " inputcontract "),
        (r"\bhow (?:should|do|can|could) (?:we|i) (?:price|charge for)\b", " pricing "),
        (r"\baddressable market\b", " tam "),
        (r"\bsmall (?:and (?:medium|mid)[\s-]*sized )?(?:business(?:es)?|compan(?:y|ies)|firms?)\b"
         r"|\bsmes?\b|\bsmbs?\b", " smallbusiness "),
        (r"\bai[\s-]*agents?\b|\bagentic\b", " agent "),
        (r"\bcall[\s-]*chains?\b", " agent calls "),
        (r"\bstate[\s-]*space\b", " statespace "),
        (r"\bcustom gpts?\b", " customgpt "),
        (r"\bclaude projects?\b", " claudeprojects "),
    ))

# Words that mean the same thing here (after stemming) -> one canonical term.
_SYNONYMS: dict[str, str] = {
    "cheaper": "cheap", "cheapest": "cheap", "inexpensive": "cheap",
    "price": "cost", "prices": "cost", "priced": "cost", "expense": "cost", "spend": "cost",
    "bill": "cost", "fee": "cost", "expensive": "cost", "costly": "cost",
    "pricing": "pricing", "billing": "pricing", "charge": "pricing", "monetize": "pricing",
    "monetise": "pricing",
    "decline": "fall", "drop": "fall", "fell": "fall", "fallen": "fall", "decrease": "fall",
    "collapse": "fall", "reduction": "fall", "cut": "fall", "plunge": "fall",
    "profitability": "profit", "profitable": "profit",
    "observability": "monitor", "track": "monitor", "watch": "monitor",
    "regulation": "regulate", "regulatory": "regulate", "compliance": "regulate",
    "vendor": "provider", "supplier": "provider",
    "investee": "investor", "investment": "invest", "vc": "invest", "venture": "invest",
    "funding": "invest",
    "gpus": "gpu",
    "train": "training",
    "deferred": "defer", "shelved": "defer", "shelve": "defer", "postponed": "defer",
    "postpone": "defer",
    "differentiate": "differentiation", "edge": "moat", "defence": "moat", "defense": "moat",
    "defensible": "moat",
    "gain": "benefit",
    "immediately": "immediate", "linearly": "linear",
}

_STOP_WORDS = """
a an and are as at be been being but by can could did do does doing for from had has have how
i if in into is it its it's me my of on or our ours should so than that the their them then
there these they this those to too us was we were what when where which who why will with
would you your yours about any all also am get got just more most much many now one only other
out over own same some such very via vs what's whats tell explain mean means meaning article
say says said think really s
"""
_STOP = frozenset(_STOP_WORDS.split())


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: len(word) - len(suffix)] + keep
    return word


def terms(text: str) -> list[str]:
    """Normalised terms of ``text`` (the same function for questions and entries)."""
    flat = text.lower().replace("–", " ").replace("—", " ").replace("’", "'")
    for pattern, token in _PHRASES:
        flat = pattern.sub(token, flat)
    out = []
    for word in re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", flat):
        if word in _STOP:
            continue
        stem = _stem(word)
        out.append(_SYNONYMS.get(word, _SYNONYMS.get(stem, stem)))
    return out


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    section: str
    keywords: tuple[str, ...]
    text: str
    brief: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    score: float
    matched: tuple[str, ...]  # the question's terms the entry contains, best first


class KnowledgeBase:
    """The entries and a term index over them."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.by_id = {e.id: e for e in entries}
        self._weights: list[dict[str, float]] = []
        df: Counter[str] = Counter()
        for e in entries:
            weights: dict[str, float] = {}
            for t in terms(e.text):
                weights[t] = max(weights.get(t, 0.0), TEXT_WEIGHT)
            for kw in e.keywords:
                for t in terms(kw):
                    weights[t] = KEYWORD_WEIGHT
            self._weights.append(weights)
            df.update(weights.keys())
        n = len(entries)
        self._idf = {t: math.log(1 + n / d) for t, d in df.items()}

    def brief(self, section: str) -> Entry | None:
        """The entry marked as the section's short note (the first entry if none is marked)."""
        found = [e for e in self.entries if e.section == section]
        return next((e for e in found if e.brief), found[0] if found else None)

    def search(self, question: str, *, limit: int = 3,
               min_score: float = MIN_SCORE) -> list[Match]:
        """Entries ranked by weighted term overlap with ``question``, at least ``min_score``."""
        q_terms = list(dict.fromkeys(terms(question)))
        ranked = []
        for entry, weights in zip(self.entries, self._weights, strict=True):
            hits = [(t, self._idf[t] * weights[t]) for t in q_terms if t in weights]
            if not hits or not any(weights[t] == KEYWORD_WEIGHT for t, _ in hits):
                continue
            score = sum(s for _, s in hits)
            if score >= min_score:
                hits.sort(key=lambda ts: -ts[1])
                ranked.append(Match(entry, round(score, 3), tuple(t for t, _ in hits)))
        ranked.sort(key=lambda m: (-m.score, self.entries.index(m.entry)))
        return ranked[:limit]


def parse_entries(data: dict[str, Any], name: str = "knowledge.toml") -> list[Entry]:
    """The entries of a parsed knowledge file, checked: known keys, known sections, unique ids."""
    entries = []
    seen: set[str] = set()
    raw_entries = data.get("entries", [])
    if not isinstance(raw_entries, list):
        raise RulePackError(f"{name}: entries must be a list of tables")
    for i, raw in enumerate(raw_entries):
        where = f"{name}: entries[{i}]"
        unknown = set(raw) - {"id", "section", "keywords", "text", "brief"}
        if unknown:
            raise RulePackError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        try:
            entry = Entry(id=str(raw["id"]), section=str(raw["section"]),
                          keywords=tuple(str(k) for k in raw["keywords"]),
                          text=" ".join(str(raw["text"]).split()),
                          brief=bool(raw.get("brief", False)))
        except KeyError as exc:
            raise RulePackError(f"{where}: missing {exc.args[0]!r}") from None
        if entry.section not in SECTION_KEYS:
            raise RulePackError(f"{where}: unknown section {entry.section!r}")
        if entry.id in seen:
            raise RulePackError(f"{where}: duplicate id {entry.id!r}")
        seen.add(entry.id)
        entries.append(entry)
    return entries
