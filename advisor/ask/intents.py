"""Question → topic and what-if edits: understand, before anything is computed.

The question becomes typed tokens (``tokens``), the edits are filled slot by slot whatever
the order of the words (``understand``), and the topic is the one whose cues score highest
(``rules/ask/topics.toml``). A topic marked ``over_edits`` is answered with the question's
edits applied ("at 12M requests, should we self-host?"); otherwise a question with edits is a
what-if. Every number and change word ends up used or listed in ``Parsed.unknown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from advisor.ask.edits import (
    KIND_INTENT,
    MAX_FACTOR,
    SCENARIO_IDS,
    WHAT_IF_INTENTS,
    Edit,
    Parsed,
)
from advisor.ask.lexicon import lexicon, read
from advisor.ask.tokens import Tokens, normalise, tokenize
from advisor.ask.understand import Situation, has_cue, leftovers, noop, understand

__all__ = ["KIND_INTENT", "MAX_FACTOR", "SCENARIO_IDS", "UNPARSED", "WHAT_IF_INTENTS", "Edit",
           "Parsed", "normalise", "parse", "scenario_named", "topic"]

UNPARSED = ("it is not a change I can recompute. I understand changes to the volume (\"doubles\", "
            "\"2 million requests a month\"), the model (\"switch to gpt-4o-mini\"), the price per "
            "million tokens (\"$0.30 per million\"), calls per task, tokens per call, scenario "
            "probabilities and market prices (\"fall another 10x\", \"stop falling\"); caching, "
            "batching discounts and splitting traffic between models are not modelled")
SHORT = 8  # words: a question this short may leave out who it is about


@dataclass(frozen=True)
class Topic:
    id: str
    weight: float
    patterns: tuple[re.Pattern[str], ...]
    over_edits: bool
    personal: bool
    no_edits: bool  # the question's numbers belong to the topic, never to a what-if


@cache
def topics() -> tuple[Topic, ...]:
    return tuple(Topic(t["id"], float(t.get("weight", 1)),
                       tuple(re.compile(p, re.IGNORECASE) for p in t["patterns"]),
                       bool(t.get("over_edits", False)), bool(t.get("personal", False)),
                       bool(t.get("no_edits", False)))
                 for t in read("topics.toml")["topic"])


_SELF = re.compile(r"\b(?:we|us|our|ours|my|me|i|they|them|their|this|these|you|its)\b|\bwe.re\b"
                   r"|\bthe (?:company|startup|business|investee|team)\b", re.IGNORECASE)


def personal(question: str) -> bool:
    """Whether the question is about this user ("our bill"), or short enough to be."""
    return bool(_SELF.search(question)) or len(question.split()) <= SHORT


def topic(question: str) -> tuple[str | None, bool]:
    """The topic whose cues score highest, and whether it wins over a what-if."""
    best = best_topic(question)
    return (best.id, best.over_edits) if best else (None, False)


def best_topic(question: str) -> Topic | None:
    """The topic whose cues score highest (ties: the one listed first)."""
    ranked = ranked_topics(question)
    return ranked[0] if ranked else None


#: Topics a question may ask alongside another ("our top recommendations and why this tier?").
_PAIRABLE = frozenset({"why_tier", "top_actions", "confidence", "moat", "monitoring",
                       "pricing_model", "deferred_use_cases", "quality_risk", "open_vs_closed",
                       "self_hosting", "compare_2023", "bill_gap", "budget_share",
                       "scenario_explain", "expected_cost", "levers", "materiality"})


def second_topic(question: str, first: Topic | None) -> str | None:
    """A second topic the question asks about, joined by "and" ("…recommendations and why
    this tier?"): answered after the first."""
    if first is None or first.id not in _PAIRABLE or not re.search(r"\band\b|&", question):
        return None
    for t in ranked_topics(question)[1:]:
        if t.id in _PAIRABLE and t.id != first.id:
            return t.id
    return None


def ranked_topics(question: str) -> list[Topic]:
    """Every topic whose cues match, the highest score first (ties: the one listed first)."""
    mine = personal(question)
    scored: list[tuple[float, int, Topic]] = []
    for order, t in enumerate(topics()):
        if t.personal and not mine:
            continue
        hits = sum(1 for p in t.patterns if p.search(question))
        if hits:
            scored.append((-(t.weight + hits - 1), order, t))
    scored.sort(key=lambda x: (x[0], x[1]))
    return [t for _, _, t in scored]


def follow_up_said(q: str) -> bool:
    """Whether the words build on what came before ("and …", "… again", "at that size")."""
    lx = lexicon()
    low = " " + re.sub(r"[^a-z0-9' ]", " ", q.lower()) + " "
    low = " ".join(low.split())
    starts = any(low == s or low.startswith(s + " ") for s in lx.follow_up_starts)
    return starts or any(f" {p} " in f" {low} " for p in lx.follow_up_phrases)


def parse(question: str, answers: dict[str, Any], rulebase: Any, prices: Any, *,
          current_model: str | None = None, probabilities: dict[str, float] | None = None,
          defaults: dict[str, float] | None = None, last_kind: str | None = None) -> Parsed:
    """The topic of ``question`` and the what-if edits it states.

    ``last_kind`` is the kind of the last what-if edit in force (None when there is none): it
    makes "and if it doubles again?" a change of that kind.
    """
    q = normalise(question)
    follow_up = last_kind is not None and follow_up_said(q)
    chosen = best_topic(q)
    name, over_edits = (chosen.id, chosen.over_edits) if chosen else (None, False)
    sentences = _sentences(q)
    if name in ("reset", "undo"):
        return Parsed(name, topic=name)
    toks = tokenize(q)
    defaults = defaults or {"stabilization": 0.5, "further_decline": 0.3, "divergence": 0.2}
    situation = Situation(answers, prices, current_model, probabilities or defaults, defaults,
                          last_kind, follow_up,
                          float(rulebase.defaults.get("days_per_month", 30)) if rulebase else 30)
    stated = follow_up or has_cue(toks, lexicon().whatif_cues) or len(q.split()) <= SHORT
    edits: list[Edit] = []
    problems: list[str] = []
    noops: list[Edit] = []
    if chosen is None or not chosen.no_edits:
        found = understand(toks, situation, stated=stated)
        edits, problems = found.edits, found.problems
        if not edits and rulebase is not None and stated:
            edits = _answer_edits(q, answers, rulebase)
        noops = [e for e in edits if noop(e, answers, current_model)]
        edits = [e for e in edits if e not in noops]
    scenario = scenario_named(q)
    unknown = leftovers(toks) if (edits or noops or name is None) else []
    parsed = Parsed("knowledge", edits, problems, scenario, False, unknown, noops, sentences,
                    name)
    parsed.also = second_topic(q, chosen) if not edits else None
    _mark_topic_numbers(toks, name, parsed)
    if noops and not edits and not problems and not over_edits and name in (None, "levers"):
        # "cut it to 3 calls" when it is 3 already: said so, with the figure in force
        parsed.intent = KIND_INTENT[noops[0].kind]
        return parsed
    if problems and not edits and not over_edits and re.search(
            r"\bwhat if\b|\bsuppose\b|\bimagine\b|\bhow about\b|\bwhat about\b|\bswitch|\bmove to\b"
            r"|\bwere\b|\bif we\b", q, re.IGNORECASE):
        parsed.intent = "what_if_problem"
        return parsed
    if follow_up and not edits and name in (None, "scenario_explain", "expected_cost"):
        parsed.intent, parsed.follow_up = "follow_up", True
        return parsed
    if name is not None and (over_edits or not edits):
        parsed.intent, parsed.follow_up = name, follow_up and bool(edits)
        return parsed
    if edits:
        kinds = {KIND_INTENT[e.kind] for e in edits}
        # a what-if asked while another is in force builds on it: a follow-up, however worded
        parsed.follow_up = follow_up or last_kind is not None
        parsed.intent = ("follow_up" if parsed.follow_up else "combined_whatif"
                         if len(kinds) > 1 else kinds.pop())
        return parsed
    if follow_up and (scenario or re.search(r"\bexpected|\bthat\b|\bthen\b", q, re.I)):
        parsed.intent, parsed.follow_up = "follow_up", True
        return parsed
    if problems:
        parsed.intent = "what_if_problem"
        return parsed
    if re.search(r"\bwhat if\b|\bsuppose\b|\bimagine\b", q, re.I):
        parsed.intent, parsed.problems = "what_if_problem", [UNPARSED]
        return parsed
    return parsed


def _mark_topic_numbers(toks: Tokens, name: str | None, parsed: Parsed) -> None:
    """Quantities a topic reads itself: the GPU count of a capacity question, the target of a
    goal ("under $40k a month")."""
    items = toks.items
    for t in items:
        if t.kind != "num":
            continue
        after = items[t.i + 1].text if t.i + 1 < len(items) else ""
        if after in ("gpus", "gpu") and "gpus" not in parsed.figures:
            parsed.figures["gpus"] = t.value
        if name == "goal_seek" and "goal_usd" not in parsed.figures and (
                t.unit == "$" or (t.unit == "" and t.value >= 100)):
            parsed.figures["goal_usd"] = t.value
    if name == "goal_seek" and "goal_usd" in parsed.figures:
        parsed.unknown = []  # the goal's figure is the topic's


def _sentences(q: str) -> int | None:
    m = re.search(r"\bin (\d+|one|two|three|a few|a couple of) (?:short )?(?:sentences?|lines?"
                  r"|bullets?)\b", q, re.IGNORECASE)
    if not m:
        return 2 if re.search(r"\b(?:tl;?dr|one[- ]liner|elevator pitch)\b", q, re.I) else None
    word = m.group(1).lower()
    return {"one": 1, "two": 2, "three": 3, "a few": 3, "a couple of": 2}.get(word) or int(word)


def scenario_named(q: str) -> str | None:
    """The scenario a question names ("scenario 2", "divergence", "the third scenario")."""
    for i, sid in enumerate(SCENARIO_IDS):
        number = ("1|one|first", "2|two|second", "3|three|third")[i]
        ordinal = number.split("|")[2]
        if re.search(rf"\bscenario\s*(?:#\s*)?(?:{number})\b|\b{ordinal} scenario\b", q, re.I):
            return sid
    low = q.lower()
    for phrase, sid in sorted(lexicon().scenarios.items(), key=lambda kv: -len(kv[0])):
        if sid == "further_decline" and not re.search(r"further|sharp|another fall", low):
            continue
        if phrase in ("stable",):
            continue
        if re.search(rf"\b{re.escape(phrase)}", low):
            return sid
    return None


_BOOL_PHRASES = {"regulated": r"\bregulated\b", "on_prem_required": r"\bon[- ]?prem(?:ise|ises)?\b"}
_NEGATION = re.compile(r"\b(?:not|no longer|weren't|wasn't|aren't|didn't|don't|without|no)\s+"
                       r"(?:\w+\s+){0,2}$", re.IGNORECASE)
_CHOICE_ALIASES = {
    "proprietary_data": ("proprietary data", "domain data", "own data"),
    "integration_depth": ("integration",),
    "switching_cost": ("switching cost", "switching costs"),
    "differentiation_is_access": ("differentiation", "value rests on access"),
    "provider_overlap": ("provider overlap", "providers compete"),
}


def _answer_edits(q: str, answers: dict[str, Any], rulebase: Any) -> list[Edit]:
    """Answers to bool and choice questions: "what if switching cost were high"."""
    if not re.search(r"\bwhat if\b|\bsuppose\b|\bimagine\b|\bif we (?:were|had)\b", q, re.I):
        return []
    edits = []
    lowered = q.lower()
    for qid, pattern in _BOOL_PHRASES.items():
        m = re.search(pattern, lowered)
        if m:
            value = not _NEGATION.search(lowered[max(0, m.start() - 30):m.start()])
            if answers.get(qid) != value:
                edits.append(Edit("answer", {qid: value}, m.group(0)))
    for question in rulebase.questionnaire.questions:
        if question.type != "choice" or question.id not in _CHOICE_ALIASES:
            continue
        if not any(a in lowered for a in _CHOICE_ALIASES[question.id]):
            continue
        for option in question.options:
            words = {str(option.label).lower(), str(option.value).replace("_", " ").lower()}
            words -= {"none", "other", "yes", "no"}
            if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words):
                if answers.get(question.id) != option.value:
                    edits.append(Edit("answer", {question.id: option.value}, str(option.label)))
                break
    return edits
