"""Question → intent and structured what-if edits.

The topics and their wording are data (``vocabulary.toml`` beside this module); the what-if
grammar is here: volume (×N, +N%, to N requests or daily users, N more), model, price per
million tokens (one price, or input and output), calls per task, scenario probabilities,
tokens per call, a market-wide price change (×N, −N%, "halves", "stops falling"), and the
answers to choice questions. Several edits in one question are kept together. Numbers are read
whole ("1e308" is one number, never 308), and a factor beyond what can be computed is a
problem to report, not an edit.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

#: Edits whose kind is one of these map to the intent of that what-if.
KIND_INTENT = {
    "volume_factor": "volume_whatif", "requests": "volume_whatif", "add_requests":
    "volume_whatif", "daily_users": "volume_whatif", "model": "model_whatif",
    "price": "price_per_mtok_whatif", "calls_per_task": "calls_per_task_whatif",
    "market": "price_change_whatif", "probabilities": "probabilities_whatif",
    "input_tokens": "tokens_whatif", "output_tokens": "tokens_whatif", "answer": "answer_whatif",
}
WHAT_IF_INTENTS = frozenset(KIND_INTENT.values()) | {"combined_whatif", "follow_up"}
UNPARSED = ("it is not a change I can recompute. I understand changes to the volume (\"doubles\", "
            "\"2 million requests a month\"), the model (\"switch to gpt-4o-mini\"), the price per "
            "million tokens (\"$0.30 per million\"), calls per task, tokens per call, scenario "
            "probabilities and market prices (\"fall another 10x\", \"stop falling\"); caching, "
            "batching discounts and splitting traffic between models are not modelled")
MAX_FACTOR = 1e6  # a what-if may scale a figure up (or down) a million times, no more
SCENARIO_IDS = ("stabilization", "further_decline", "divergence")


@dataclass
class Edit:
    """One change to the answers: ``kind`` and ``value`` (see :data:`KIND_INTENT`)."""

    kind: str
    value: Any
    said: str = ""  # the words it came from


@dataclass
class Parsed:
    intent: str
    edits: list[Edit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    scenario: str | None = None  # a scenario named in the question
    follow_up: bool = False


@dataclass(frozen=True)
class _Topic:
    id: str
    patterns: tuple[re.Pattern[str], ...]
    over_edits: bool
    personal: bool


@dataclass(frozen=True)
class Vocabulary:
    topics: tuple[_Topic, ...]
    models: dict[str, str]
    numbers: dict[str, float]
    spellings: dict[str, str]


@cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads((Path(__file__).parent / "vocabulary.toml").read_text("utf-8"))
    topics = tuple(_Topic(t["id"], tuple(re.compile(p, re.IGNORECASE) for p in t["patterns"]),
                          bool(t.get("over_edits", False)), bool(t.get("personal", False)))
                   for t in data["intent"])
    return Vocabulary(topics, dict(data.get("models", {})),
                      {k: float(v) for k, v in data.get("numbers", {}).items()},
                      dict(data.get("spellings", {})))


_SELF = re.compile(r"\b(?:we|us|our|ours|my|me|i|they|them|their|this|these|you)\b|\bwe.re\b",
                   re.IGNORECASE)
SHORT = 8  # words: a question this short may leave out who it is about


def personal(question: str) -> bool:
    """Whether the question is about this user ("our bill"), or short enough to be."""
    return bool(_SELF.search(question)) or len(question.split()) <= SHORT


def topic(question: str) -> tuple[str | None, bool]:
    """The first topic whose pattern matches, and whether it wins over a what-if."""
    mine = personal(question)
    for t in vocabulary().topics:
        if t.personal and not mine:
            continue
        if any(p.search(question) for p in t.patterns):
            return t.id, t.over_edits
    return None, False


# ---------------------------------------------------------------------------- numbers

_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mio": 1e6, "million": 1e6,
          "millions": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
_NUM = r"(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?"
_NUMBER = re.compile(rf"(?<![\w.])({_NUM})\s*(k|thousand|mn|mio|million|millions|m|bn|billion|b)?"
                     r"(?![\w])", re.IGNORECASE)


def _words_to_digits(q: str) -> str:
    words = vocabulary().numbers
    for w in sorted(words, key=len, reverse=True):
        q = re.sub(rf"\b{re.escape(w)}\b", f"{words[w]:g}", q, flags=re.IGNORECASE)
    return q


def _value(num: str, scale: str | None) -> float:
    return _float(num) * _SCALE.get((scale or "").lower(), 1.0)


def _float(text: str) -> float:
    """A number as typed ("1,000,000", "1e400"): thousands separators dropped, and a value
    too large for a float is infinity, which every caller refuses in words."""
    try:
        return float(text.replace(",", "").replace("_", ""))
    except (ValueError, OverflowError):
        return math.nan


# ---------------------------------------------------------------------------- edits

_VOLUME_NOUN = (r"(?:volume|traffic|usage|requests?|users?|demand|load|queries|customers|"
                r"contracts?|documents?|tasks?|conversations|clients|log lines|lines|tickets|"
                r"jobs|number of \w+|the business)")
_GROW = (r"(?:grows?|grew|growing|go(?:es)?|goes up|increases?|rises?|expand\w*|jumps?|get|gets"
         r"|reach|scale)")
_SHRINK = r"(?:falls?|fell|drops?|decreases?|shrinks?|goes down|declines?|lose|loses)"
_PRICE_NOUN = (r"(?:prices?|costs?|token prices?|api prices?|model prices?|inference|fees?|"
               r"rates?|the price of tokens|price of tokens|pricing)")
_FACTOR_WORD = {"double": 2.0, "doubles": 2.0, "doubled": 2.0, "doubling": 2.0, "twice": 2.0,
                "triple": 3.0, "triples": 3.0, "tripled": 3.0, "tripling": 3.0,
                "quadruple": 4.0, "quadruples": 4.0, "quadrupled": 4.0,
                "halve": 0.5, "halves": 0.5, "halved": 0.5, "halving": 0.5, "half": 0.5}
_FACTOR_RE = (r"(double[sd]?|doubling|twice|triple[sd]?|tripling|quadruple[sd]?|halve[sd]?|halving"
              r"|half)")
_SC = r"(k|thousand|m|mn|million|b|bn|billion)?"  # a scale after a number: 2M, 300k
_TIMES = rf"({_NUM})\s*(?:x|×|times|fold|-fold)(?![a-z])"
_CONDITIONAL = re.compile(
    r"\bwhat if\b|\bwhat happens?\b|\bwhat would\b|\bsuppose\b|\bimagine\b|\bassume\b|\bsay\b"
    r"|\bif\b|\bwhen\b|\bwith\b|\bhow much\b|\bwould\b|\bcould\b|\bput\b|\bmight\b|\bplan to\b"
    r"|\bexpect\b|\bproject\b|\bwant to\b|\binstead\b|\bon\b|\bswitch|\bmov(?:e|ed|ing)\b"
    r"|\bdowngrad|\bupgrad|\bswap|\bcost\b|\bbill\b|\bto\b|\bcompar|\bvs\.?|\bversus\b"
    r"|\buse\b|\busing\b|\btry\b|\brun\b|\bafford",
    re.IGNORECASE)
# A what-if is stated as one ("what if", "suppose", "with", "how much would"...) or asked in a
# few words ("prices drop 25%?"); "What did 1,000 users cost in 2023?" states none.
_WHAT_IF_CUE = re.compile(
    r"\bwhat if\b|\bwhat happens?\b|\bwhat would\b|\bwhat.s the\b|\bsuppose\b|\bimagine\b"
    r"|\bassum|\bsay\b|\bif\b|\bwhen\b|\bwith\b|\bhow much\b|\bwould\b|\bcould\b|\bput\b"
    r"|\bmight\b|\bplan\b|\bexpect|\bproject|\bwant\b|\binstead\b|\bswitch|\bmov(?:e|ed|ing)\b"
    r"|\bdowngrad|\bupgrad|\bswap|\bgo(?:es)? to\b|\bgrow|\breach|\bcut|\badd|\bwill\b"
    r"|\bshould\b|\bwhats\b|\bchange|\bhappen|\bimpact|\baffect|\bmean\b|\bhit\b|\bneed"
    r"|\bcan we\b|\bdo we\b|\bare we\b", re.IGNORECASE)
_EXPLICIT = re.compile(r"\bwhat if\b|\bsuppose\b|\bimagine\b|\bhow about\b|\bwhat about\b"
                       r"|\bswitch|\bmove to\b|\bwere\b|\bif we\b", re.IGNORECASE)
_FOLLOW_UP = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|so|right|fine|now)\W+)?(?:and|then|also|plus|what about|how about)\b"
    r"|\b(?:again|on top of (?:that|this)|after that|in the meantime|at that size"
    r"|at the same time|for those calls|what would that be|that scenario)\b"
    r"|\b(?:too|as well)\b\W*(?:,|$|what|how)"
    r"|\bthen\W*$|\bin that case\b|\b(?:that|this) (?:mean|means|be|cost|costs|look)\b"
    r"|\bat (?:that|this) (?:volume|size|level|price|scale)\b", re.IGNORECASE)


def _factor_problem(factor: float, what: str) -> str | None:
    if not math.isfinite(factor) or factor > MAX_FACTOR or (0 < factor < 1 / MAX_FACTOR):
        said = f"of ×{factor:g}" if math.isfinite(factor) else "that large"
        return (f"a {what} change {said} is beyond what I can compute (I recompute "
                f"changes up to ×{MAX_FACTOR:,.0f}); give a smaller factor")
    if factor <= 0:
        return f"a {what} change must leave something to compute"
    return None


def _strip_instead(q: str) -> str:
    """'10M log lines instead of 3M', 'nano instead of mini': the old value is not an edit."""
    return re.sub(r"\b(?:instead of|rather than|compared (?:to|with))\s+[^,;?]*?"
                  r"(?=\s+(?:to|a|per|each|and|,)\b|[,;?]|$)", " ", q, flags=re.IGNORECASE)


def _market_edit(q: str, problems: list[str]) -> Edit | None:
    if re.search(r"\bstop(?:s|ped)?\s+(?:to\s+)?(?:fall|drop|declin|go(?:ing)? down|getting "
                 r"cheaper)"
                 r"|\b(?:stay|stays|remain|remains|hold|holds)\s+(?:flat|the same|where they are|"
                 r"at today|steady|level)|\bno (?:further )?(?:price )?(?:fall|drop|decline)s?\b",
                 q, re.I) and re.search(_PRICE_NOUN, q, re.I):
        return Edit("market", 1.0, "prices stop falling")
    m = re.search(r"\b(?:at\s+)?half\s+(?:the\s+)?(?:price|cost)\b", q, re.I)
    if m:
        return Edit("market", 0.5, m.group(0))
    m = re.search(rf"\b({_NUM})\s*%\s*(?:off|discount|cheaper|lower)\b|\bdiscount of ({_NUM})\s*%",
                  q, re.I)
    if m:
        n = _float(m.group(1) or m.group(2))
        if not 0 < n < 100:
            problems.append("a discount must be between 0% and 100%")
            return None
        return Edit("market", 1 - n / 100, m.group(0))
    m = re.search(r"\ban(?:other)? order of magnitude\b", q, re.I)
    if m and re.search(_PRICE_NOUN + r"|\bcheaper\b", q, re.I):
        return Edit("market", 0.1, "prices fall another order of magnitude")
    down = (r"(?:fall|falls|fell|drop|drops|dropped|crash|crashes|decline|declines|go down|"
            r"goes down|come down|comes down|are cut|get cut|cut|cuts|slash|slashes|down|"
            r"become|becomes|get|gets|is|are|sink|sinks|shrink|shrinks|reduce|reduced)")
    up = (r"(?:rise|rises|rose|go up|goes up|increase|increases|increased|up|jump|jumps|double"
          r"|doubles)")
    subject = (rf"{_PRICE_NOUN}|\b(?:openai|anthropic|google|the providers?|they)\b"
               rf"(?=[^?]*{_PRICE_NOUN})")
    for direction, verbs in (("down", down), ("up", up)):
        head = (rf"(?:{subject})\s+(?:\w+\s+){{0,3}}?{verbs}\b"
                r"(?:\s+(?:by|another|again|a further|further|to|in))*\s*")
        m = re.search(head + rf"({_NUM})\s*(%|percent|x|×|times|fold)", q, re.I)
        if m:
            n, unit = _float(m.group(1)), m.group(2).lower()
            if unit in ("%", "percent"):
                if direction == "down" and n >= 100:
                    problems.append("prices cannot fall by 100% or more")
                    return None
                factor = 1 - n / 100 if direction == "down" else 1 + n / 100
            else:
                factor = 1 / n if direction == "down" and n > 0 else n
            problem = _factor_problem(factor, "price")
            if problem:
                problems.append(problem)
                return None
            return Edit("market", factor, m.group(0).strip())
        m = re.search(head + r"(half|halve|a half|in half|by half|a third|a quarter)\b", q, re.I)
        if m:
            part = {"a third": 1 / 3, "a quarter": 0.25}.get(m.group(1).lower(), 0.5)
            factor = 1 - part if direction == "down" else 1 + part
            return Edit("market", factor, m.group(0).strip())
        # "cuts prices by 90%", "cuts haiku prices in half"
    m = re.search(rf"\b(cut|cuts|slash|slashes|lower|lowers|drop|drops|raise|raises|hike|hikes|"
                  rf"increase|increases|double|doubles)\s+(?:\w+\s+){{0,2}}?"
                  rf"{_PRICE_NOUN}\b\s*(?:by\s+)?"
                  rf"(?:({_NUM})\s*(%|percent|x|times)|(in half|by half|half))?",
                  q, re.I)
    if m and m.group(1).lower().startswith("double"):
        return Edit("market", 2.0, m.group(0))
    if m and (m.group(2) or m.group(4)):
        rising = m.group(1).lower().startswith(("raise", "hike", "increase"))
        if m.group(4):
            return Edit("market", 0.5, m.group(0))
        n, unit = _float(m.group(2)), m.group(3).lower()
        if rising:
            factor = 1 + n / 100 if unit in ("%", "percent") else n
        else:
            factor = 1 - n / 100 if unit in ("%", "percent") else 1 / n if n else 0.0
        problem = _factor_problem(factor, "price")
        if problem or factor <= 0:
            problems.append(problem or "prices cannot fall by 100% or more")
            return None
        return Edit("market", factor, m.group(0))
    m = re.search(rf"{_PRICE_NOUN}\s+(?:\w+\s+){{0,2}}?(halve[sd]?|halving|double[sd]?)\b", q, re.I)
    if m:
        return Edit("market", _FACTOR_WORD[m.group(1).lower()], m.group(0))
    m = re.search(rf"({_NUM})\s*(?:x|×|times)\s+cheaper|gets?\s+({_NUM})\s*(?:x|×|times)\s+cheaper",
                  q, re.I)
    if m:
        n = _float(m.group(1) or m.group(2))
        problem = _factor_problem(1 / n if n else 0.0, "price")
        if problem:
            problems.append(problem)
            return None
        return Edit("market", 1 / n, m.group(0))
    return None


def _volume_edits(q: str, answers: dict[str, Any], problems: list[str]) -> list[Edit]:
    if re.search(r"\b(?:half|part|some|\d+\s*%)\s+(?:of\s+)?(?:the\s+|our\s+|their\s+)?"
                 r"(?:traffic|volume|requests|workload|calls|users)\s+(?:to|on|onto|over to)\b",
                 q, re.I):
        problems.append("moving only part of the traffic to another model is not modelled: the "
                        "figure is the whole workload on it, and a split costs in between")
        return []
    # absolute: "2M requests a month", "300k requests a day", "daily users go to 300k"
    m = re.search(rf"\b(?:add|adding|another|extra|plus)\s+({_NUM})\s*{_SC}\s+"
                  rf"(?:more\s+)?(?:requests|queries|calls|tasks|users)\b[^?]*?\b(?:a|per|each|/)\s*(month|day)\b",
                  q, re.I)
    if m:
        n = _value(m.group(1), m.group(2)) * (30 if m.group(3).lower() == "day" else 1)
        return [Edit("add_requests", n, m.group(0))]
    m = (re.search(rf"({_NUM})\s*{_SC}\s+(?:daily\s+(?:active\s+)?users|"
                   rf"users\s+(?:a|per|each)\s+day|dau)\b", q, re.I)
         or re.search(rf"\bdaily (?:active )?users\b\s+(?:\w+\s+){{0,3}}?(?:to|of|at|reach|hit)\s+"
                      rf"({_NUM})\s*{_SC}", q, re.I))
    if m:
        return [Edit("daily_users", _value(m.group(1), m.group(2)), m.group(0))]
    m = (re.search(rf"({_NUM})\s*{_SC}\s+(?:user\s+|llm\s+|api\s+|log\s+)?"
                   rf"(?:requests?|queries|questions|tasks|conversations|log lines|lines|documents|"
                   rf"contracts|tickets|jobs)?\s*(?:(?:a|per|each|every|/|in a)\s*(month|day|mo)\b"
                   rf"|(monthly|daily)\b)",
                   q, re.I)
         or re.search(rf"\b(?:requests?|volume|usage|traffic)\b\s+(?:\w+\s+){{0,3}}?"
                      rf"(?:to|of|at|reach|hit)\s+"
                      rf"({_NUM})\s*(k|thousand|m|mn|million|b|bn|billion)?(?:\s*(?:a|per|each|/)\s*(month|day))?",
                      q, re.I)
         or re.search(rf"(?:^|\b(?:with|at|on|reach|hit)\s+)({_NUM})\s*{_SC}\s+"
                      rf"(?:requests|queries|tasks)\b()", q, re.I))
    if m:
        per = (m.group(3) or (m.group(4) if m.lastindex and m.lastindex >= 4 else None)
               or "month").lower()
        n = _value(m.group(1), m.group(2)) * (30 if per in ("day", "daily") else 1)
        if not math.isfinite(n) or n > 1e12:
            problems.append(f"{m.group(0).strip()!r} is beyond what I can compute")
            return []
        return [Edit("requests", n, m.group(0))]
    m = re.search(rf"\b(?:what (?:does|do|would|will)|how much (?:does|do|would|will))\s+"
                  rf"(?:a\s+)?({_NUM})\s*{_SC}\s+(?:more\s+)?(?:requests|queries|calls|tasks|"
                  rf"lines|log lines|documents|contracts|tickets|conversations|records|items)\s+"
                  rf"(?:a month\s+)?cost", q, re.I)
    if m:
        return [Edit("requests", _value(m.group(1), m.group(2)), m.group(0))]
    # relative: "volume doubles", "double the users", "3x more users", "grow ten times"
    factor = None
    said = ""
    for pattern in (rf"\b{_VOLUME_NOUN}\b[^.?!,]{{0,30}}?\b{_FACTOR_RE}\b",
                    rf"\b{_FACTOR_RE}\b\s+(?:\w+\s+){{0,3}}?{_VOLUME_NOUN}\b",
                    r"\b(?:lose|lost|losing)\s+(half)\b"):
        m = re.search(pattern, q, re.I)
        if m and not re.search(_PRICE_NOUN + r"\s*$", q[:m.start(1)], re.I):
            factor, said = _FACTOR_WORD[m.group(1).lower()], m.group(0)
            break
    if factor is None:
        for pattern in (rf"\b{_VOLUME_NOUN}\b\s+(?:\w+\s+){{0,3}}?(?:{_GROW}\s+)?(?:by\s+)?"
                        rf"{_TIMES}",
                        rf"{_TIMES}\s+(?:more\s+|the\s+|their\s+|our\s+)?{_VOLUME_NOUN}\b",
                        rf"\b(?:grow|grows|scale|scales|expand|expands)\s+(?:by\s+)?{_TIMES}",
                        rf"\bto\s+{_TIMES}\s+(?:their|our|the)\s+{_VOLUME_NOUN}"):
            m = re.search(pattern, q, re.I)
            if m:
                factor, said = _float(m.group(1)), m.group(0)
                break
    if factor is None:
        m = re.search(rf"\b(cut|cuts|reduce|reduces|lower|lowers|trim|increase|increases|grow|"
                      rf"grows|raise|raises|boost|boosts)\s+(?:the\s+|our\s+|their\s+)?"
                      rf"{_VOLUME_NOUN}\s+by\s+({_NUM})\s*(?:%|percent)", q, re.I)
        if m:
            pct = _float(m.group(2)) / 100
            up = m.group(1).lower().startswith(("increase", "grow", "raise", "boost"))
            factor, said = (1 + pct if up else 1 - pct), m.group(0)
    if factor is None:
        m = (re.search(rf"\b{_VOLUME_NOUN}\b\s+(?:\w+\s+){{0,3}}?({_GROW}|{_SHRINK})\s+"
                       rf"(?:by\s+)?({_NUM})\s*(?:%|percent)", q, re.I)
             or re.search(rf"()({_NUM})\s*(?:%|percent)\s+(more|less|fewer)\s+{_VOLUME_NOUN}",
                          q, re.I))
        if m:
            pct = _float(m.group(2)) / 100
            verb = (m.group(1) or (m.group(3) if m.lastindex and m.lastindex >= 3 else "")).lower()
            if m.re.pattern.startswith("()"):
                verb = m.group(3).lower()
            shrink = bool(re.match(_SHRINK, verb)) or verb in ("less", "fewer")
            factor, said = (1 - pct if shrink else 1 + pct), m.group(0)
    if factor is None:
        return []
    problem = _factor_problem(factor, "volume")
    if problem:
        problems.append(problem)
        return []
    return [Edit("volume_factor", factor, said)]


def _model_edits(q: str, prices: Any, current: str | None, follow_up: bool,
                 problems: list[str]) -> list[Edit]:
    if prices is None:
        return []
    cue = _CONDITIONAL.search(q) or follow_up
    if not cue:
        return []
    aliases = vocabulary().models
    found: list[tuple[int, str, str]] = []
    lowered = q.lower()
    for alias in sorted(aliases, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w.-]){re.escape(alias)}(?![\w-]|\.\d)", lowered):
            if any(s <= m.start() < e for s, e, *_ in [(f[0], f[0] + len(f[2])) for f in found]):
                continue
            found.append((m.start(), aliases[alias], q[m.start():m.end()]))
    for m in re.finditer(r"(?<![\w.])((?:gpt|claude|gemini|llama|mistral|o\d|deepseek|qwen|"
                         r"anthropic|openai|together_ai|groq)[\w./:@-]*(?:\s+(?:mini|nano|"
                         r"turbo|flash|pro|haiku|sonnet|opus|\d[\w.-]*)){0,3})", q, re.I):
        if any(s <= m.start() < s + len(said) for s, _, said in found):
            continue
        name = m.group(1).rstrip(".,?!")
        if re.fullmatch(r"gpt[\s-]?4", name, re.I) and re.search(r"2023|launch", q):
            continue  # GPT-4 at launch is the 2023 baseline, not a model to switch to
        found.append((m.start(), name, name))
    edits = []
    for _, name, said in sorted(found):
        resolved = None
        for candidate in (name, said):
            try:
                resolved = prices.resolve(candidate, {}).model
                break
            except Exception:  # an unknown name is reported below, not raised
                continue
        if resolved is None:
            if re.search(r"\d", name):
                problems.append(f"I have no price for the model {said!r}")
            continue
        edits.append(Edit("model", resolved, said))
    # "swap sonnet for haiku", "replace gpt-4o with open source": the model in use is where
    # the change starts, not where it goes.
    others = [e for e in edits if e.value != current]
    return others[-1:]


def _price_edits(q: str) -> list[Edit]:
    per_m = r"(?:per|a|/|for (?:a|one|each))\s*(?:1\s*)?(?:m\b|mtok|million|mn\b|1m\b)"
    money = rf"(?:\$\s*({_NUM})|({_NUM})\s*(?:\$|usd|dollars?|cents?))"
    found = []
    for m in re.finditer(money, q, re.I):
        value = _float(m.group(1) or m.group(2))
        if "cent" in m.group(0).lower():
            value /= 100
        tail = q[m.end():m.end() + 60]
        found.append((m.start(), m.end(), value, tail))
    if not found or not re.search(per_m + r"|/\s*m\b|per million", q, re.I):
        return []
    edits = []
    for start, end, value, tail in found:
        which = re.match(rf"\s*(?:{per_m}\s*)?(?:tokens?\s*)?(?:of\s+)?"
                         r"(input|in|output|out|prompt|completion)\b",
                         tail, re.I)
        if which:
            kind = "in" if which.group(1).lower() in ("input", "in", "prompt") else "out"
            edits.append(Edit("price", {kind: value}, q[start:end + which.end()]))
        else:
            edits.append(Edit("price", {"in": value, "out": value}, q[start:end]))
    if len(edits) == 2 and all(len(e.value) == 2 for e in edits):
        edits[0].value = {"in": edits[0].value["in"]}
        edits[1].value = {"out": edits[1].value["out"]}
    merged: dict[str, float] = {}
    for e in edits:
        merged.update(e.value)
    return [Edit("price", merged, " and ".join(e.said.strip() for e in edits))]


def _calls_edit(q: str, problems: list[str]) -> list[Edit]:
    task = r"(?:task|request|contract|document|job|ticket|query|run|conversation|review)s?"
    m = re.search(rf"\bfrom\s+({_NUM})\s*(?:llm\s+)?(?:calls?\s+)?(?:per\s+{task}\s+)?to\s+"
                  rf"({_NUM})\s*(?:llm\s+)?(?:calls?|(?:calls?\s+)?(?:per|a|each)\s+{task})",
                  q, re.I) or re.search(
        rf"\bcalls?\s+per\s+{task}\s+from\s+{_NUM}\s+to\s+({_NUM})()", q, re.I)
    if m:
        value = _float(m.group(2) or m.group(1)) if m.group(2) else _float(m.group(1))
        return _calls(value, m.group(0), problems)
    for pattern in (rf"({_NUM})\s+(?:single\s+)?(?:llm\s+|model\s+|api\s+)?calls?\s+"
                    rf"(?:per|a|an|each|for each|every|in each|in a)\s+{task}",
                    rf"\b(?:each|every|a|one|per)\s+{task}\s+(?:\w+\s+){{0,2}}?(?:took|takes|take|needs?|needed|uses?|used|makes?|made|requires?|required|had|has)\s+({_NUM})\s+(?:llm\s+)?calls?",
                    rf"\bcalls?\s+per\s+{task}\s*"
                    rf"(?:were|was|is|of|=|to|at|went to|goes to|down to|up to)?\s*({_NUM})",
                    rf"\b(?:down|up|go|goes|get|gets|cut|cuts)\s+to\s+({_NUM})\s+calls?\b"):
        m = re.search(pattern, q, re.I)
        if m:
            return _calls(_float(m.group(1)), m.group(0), problems)
    return []


def _calls(value: float, said: str, problems: list[str]) -> list[Edit]:
    if not 1 <= value <= 100_000 or value != int(value):
        problems.append(f"calls per task must be a whole number from 1 to 100,000 (not {value:g})")
        return []
    return [Edit("calls_per_task", int(value), said)]


_SCENARIO_WORDS = ((r"stabili[sz]\w*|prices? hold", "stabilization"),
                   (r"further (?:sharp )?declines?|sharp (?:fall|decline)|another fall|declines?",
                    "further_decline"),
                   (r"divergence|two[- ]tier", "divergence"))


def scenario_named(q: str) -> str | None:
    """The scenario a question names ("scenario 2", "divergence", "the third scenario")."""
    for i, (_, sid) in enumerate(_SCENARIO_WORDS):
        number = ("1|one|first", "2|two|second", "3|three|third")[i]
        ordinal = number.split("|")[2]
        if re.search(rf"\bscenario\s*(?:#\s*)?(?:{number})\b|\b{ordinal} scenario\b", q, re.I):
            return sid
    for pattern, sid in _SCENARIO_WORDS:
        if sid == "further_decline" and not re.search(r"further|sharp|another fall", q, re.I):
            continue
        if re.search(rf"\b(?:{pattern})", q, re.I):
            return sid
    if re.search(r"\bpremium (?:speciali[sz]ed )?models\b", q, re.I):
        return "divergence"
    return None


def _probability_edits(q: str, current: dict[str, float], defaults: dict[str, float],
                       problems: list[str]) -> list[Edit]:
    if re.search(r"\b(?:article.?s|default|original|standard)\b[^?]{0,30}\b(?:split|probabilit|"
                 r"weights|odds)|\b50\s*/\s*30\s*/\s*20\b", q, re.I):
        return [Edit("probabilities", dict(defaults), "the article's 50/30/20")]
    m = re.search(rf"\b({_NUM})\s*/\s*({_NUM})\s*/\s*({_NUM})\b", q)
    if m and re.search(r"scenario|split|probabilit|odds|weights", q, re.I):
        values = [_float(m.group(i)) for i in (1, 2, 3)]
        scale = 100 if sum(values) > 1.5 else 1
        return _probabilities(dict(zip(SCENARIO_IDS, (v / scale for v in values), strict=True)),
                              current, m.group(0), problems)
    names = []
    several = sum(bool(re.search(p, q, re.I)) for p, _ in _SCENARIO_WORDS) >= 2
    for pattern, sid in _SCENARIO_WORDS:
        if sid == "further_decline" and not several and not re.search(r"further|sharp", q, re.I):
            continue
        for m in re.finditer(rf"\b(?:{pattern})", q, re.I):
            names.append((m.start(), m.end(), sid))
    if not names:
        return []
    pcts = [(m.start(), m.end(), _float(m.group(1)) / 100)
            for m in re.finditer(rf"({_NUM})\s*(?:%|percent)", q, re.I)]
    given: dict[str, float] = {}
    paired: set[int] = set()
    link = (r"\s*(?:scenario\s*)?(?:.s\s+)?(?:probability\s*)?(?:is|was|were|at|of|to|=|:|gets?|"
            r"becomes?|had|has|with)?\s*(?:a\s+)?(?:probability\s+(?:of\s+)?)?$")
    for i, (start, _end, p) in enumerate(pcts):  # "further decline is 50%"
        before = [n for n in names if n[1] <= start and re.match(link, q[n[1]:start], re.I)]
        if before:
            sid = max(before)[2]
            if sid not in given:
                given[sid] = p
                paired.add(i)
    for i, (_start, end, p) in enumerate(pcts):  # "60% on further decline", "10% divergence"
        if i in paired:
            continue
        after = [n for n in names if n[0] >= end and re.match(
            r"^\s*(?:on|for|to|in)?\s*(?:the\s+)?(?:a\s+)?$", q[end:n[0]], re.I)]
        if after and min(after)[2] not in given:
            given[min(after)[2]] = p
    if re.search(r"\bno (?:divergence|stabili[sz]\w*|further decline)\b", q, re.I):
        for pattern, sid in _SCENARIO_WORDS:
            if re.search(rf"\bno (?:{pattern})", q, re.I):
                given[sid] = 0.0
    if not given:
        return []
    return _probabilities(given, current, ", ".join(f"{k.replace('_', ' ')} {v:.0%}"
                                                     for k, v in given.items()), problems)


def _probabilities(given: dict[str, float], current: dict[str, float], said: str,
                   problems: list[str]) -> list[Edit]:
    if any(not 0 <= p <= 1 for p in given.values()):
        problems.append("a probability must be between 0% and 100%")
        return []
    if len(given) == 3 or abs(sum(given.values()) - 1) < 1e-6:
        new = {sid: given.get(sid, 0.0) for sid in SCENARIO_IDS}
        if abs(sum(new.values()) - 1) > 1e-6:
            problems.append(f"the probabilities must add up to 100% (these add up to "
                            f"{sum(new.values()):.0%})")
            return []
        return [Edit("probabilities", new, said)]
    if len(given) == 2:
        rest = 1 - sum(given.values())
        if rest < -1e-9:
            problems.append("the probabilities must add up to 100%")
            return []
        missing = next(s for s in SCENARIO_IDS if s not in given)
        return [Edit("probabilities", {**given, missing: round(rest, 9)}, said)]
    (sid, p), = given.items()
    others = {k: v for k, v in current.items() if k != sid}
    total = sum(others.values())
    new = {sid: p}
    for k, v in others.items():
        new[k] = (1 - p) * (v / total if total > 0 else 1 / len(others))
    new = {k: round(v, 6) for k, v in new.items()}
    last = next(k for k in SCENARIO_IDS if k != sid)
    new[last] = round(new[last] + 1 - sum(new.values()), 6)
    return [Edit("probabilities", {k: new[k] for k in SCENARIO_IDS},
                 said + " (the others rescaled to keep their ratio)")]


def _token_edits(q: str) -> list[Edit]:
    edits = []
    for kind in ("input", "output"):
        m = (re.search(rf"\b{kind}\s+tokens?\b(?:\s+(?:per|a|each)\s+(?:call|request))?\s*"
                       rf"(?:\w+\s+)?(?:were|was|are|is|of|=|to|at|became|become)?\s*"
                       rf"(?:about\s+)?({_NUM})\s*(k)?\b", q, re.I)
             or re.search(rf"({_NUM})\s*(k)?\s+{kind}\s+tokens?\b", q, re.I))
        if m:
            edits.append(Edit(f"{kind}_tokens", round(_value(m.group(1), m.group(2))), m.group(0)))
    return edits


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


def _bare_factor(q: str, last_kind: str | None) -> list[Edit]:
    """'and if it doubles again?', 'and another 10x after that?', 'by half again'."""
    if last_kind not in ("volume_factor", "market", "requests", "daily_users", "add_requests"):
        return []
    m = re.search(rf"\b{_FACTOR_RE}\b|{_TIMES}", q, re.I)
    if not m:
        return []
    if m.group(1):
        factor = _FACTOR_WORD[m.group(1).lower()]
    else:
        factor = _float(m.group(2))
        if last_kind == "market" and re.search(r"fall|drop|down|cheaper|cut", q, re.I):
            factor = 1 / factor if factor else factor
    kind = "market" if last_kind == "market" else "volume_factor"
    if _factor_problem(factor, "price" if kind == "market" else "volume"):
        return []
    return [Edit(kind, factor, m.group(0))]


def normalise(question: str) -> str:
    """One space between words, and chat spellings as words ("r" → "are", "wat" → "what")."""
    q = " ".join(question.split())
    for short, full in vocabulary().spellings.items():
        q = re.sub(rf"(?<![\w'$.]){re.escape(short)}(?![\w'])", full, q, flags=re.IGNORECASE)
    return q


def parse(question: str, answers: dict[str, Any], rulebase: Any, prices: Any, *,
          current_model: str | None = None, probabilities: dict[str, float] | None = None,
          defaults: dict[str, float] | None = None, last_kind: str | None = None) -> Parsed:
    """The intent of ``question`` and the what-if edits it states.

    ``last_kind`` is the kind of the previous what-if edit in the conversation (None when
    there is none): it makes "and if it doubles again?" a follow-up on that edit.
    """
    q = normalise(question)
    follow_up = last_kind is not None and bool(_FOLLOW_UP.search(q))
    name, over_edits = topic(q)
    if name == "reset":
        return Parsed("reset")
    text = _strip_instead(_words_to_digits(q))
    problems: list[str] = []
    edits: list[Edit] = []
    defaults = defaults or {"stabilization": 0.5, "further_decline": 0.3, "divergence": 0.2}
    stated = follow_up or bool(_WHAT_IF_CUE.search(q)) or len(q.split()) <= SHORT
    if name not in ("out_of_scope", "sources", "cautions"):
        edits += _probability_edits(text, probabilities or defaults, defaults, problems)
    if name not in ("out_of_scope", "sources", "cautions") and stated:
        price = _price_edits(text)
        edits += price
        edits += _calls_edit(text, problems)
        market = None
        if not any(e.kind == "probabilities" for e in edits):
            market = None if price else _market_edit(text, problems)
            edits += _volume_edits(text, answers, problems)
        if not price:
            edits += _model_edits(text, prices, current_model, follow_up, problems)
        edits += _token_edits(text)
        if market is not None:  # last: a market change in the same breath applies to the new model
            edits.append(market)
        if not edits:
            edits += _answer_edits(q, answers, rulebase)
        if not edits and follow_up:
            edits += _bare_factor(text, last_kind)
    scenario = scenario_named(q)
    if problems and not edits and not over_edits and _EXPLICIT.search(q):
        return Parsed("what_if_problem", [], problems, scenario)
    if follow_up and not edits and name in (None, "scenario_explain", "expected_cost",
                                            "monthly_cost", "cost_per_task", "usage_volume"):
        return Parsed("follow_up", [], problems, scenario, True)
    if name is not None and (over_edits or not edits):
        return Parsed(name, edits, problems, scenario, follow_up and bool(edits))
    if edits:
        kinds = {KIND_INTENT[e.kind] for e in edits}
        if follow_up:
            intent = "follow_up"
        elif len(kinds) > 1:
            intent = "combined_whatif"
        else:
            intent = kinds.pop()
        return Parsed(intent, edits, problems, scenario, follow_up)
    if follow_up and (scenario or re.search(r"\bexpected|\bthat\b|\bthen\b", q, re.I)):
        return Parsed("follow_up", [], problems, scenario, True)
    if problems:
        return Parsed("what_if_problem", [], problems, scenario)
    if re.search(r"\bwhat if\b|\bsuppose\b|\bimagine\b", q, re.I):
        return Parsed("what_if_problem", [], [UNPARSED], scenario)
    return Parsed("knowledge", [], problems, scenario)
