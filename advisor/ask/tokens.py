"""A question as typed tokens: numbers with their units, model names, and words with the
categories the lexicon gives them (``rules/ask/lexicon.toml``).

Numbers are read whole ("1e308" is one number, "1,000,000" another), with a scale ("300k",
"2M", "1.5 million"), a unit ("25%", "10x", "$0.30") and what they count per ("a day", "per
million tokens"). Model names are found first, so "gpt-4.1-mini" is never the number 4.1.
Every token remembers whether it was used, so nothing in the question is dropped silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from advisor.ask.lexicon import lexicon

NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+"
_SCALE = r"(?:k|thousand|mn|mio|millions|million|m|bn|billion|b)(?![a-z])"
_UNIT = r"(?:%|percent|per cent|x|×|times|fold|-fold)(?![a-z])"
_SCAN = re.compile(
    rf"(?P<money>\$\s*(?P<mnum>{NUM})\s*(?P<mscale>{_SCALE})?)"
    rf"|(?P<range>(?<![\w.])\d+(?:\.\d+)?\s*(?:-|–|to)\s*\d+(?:\.\d+)?(?=\s*(?:%\s*)?(?:years?|months?|weeks?|days?|%)))"
    rf"|(?P<triple>\b\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?\b)"
    rf"|(?P<num>(?<![\w.])(?P<n>{NUM})\s*(?P<scale>{_SCALE})?\s*(?P<unit>{_UNIT})?"
    r"(?:\s*(?P<cur>usd|dollars?|cents?|\$)(?![a-z]))?)"
    r"|(?P<word>[a-z_§][a-z0-9_'§-]*)"
    r"|(?P<sep>[,;?!.:()]|\s[-–—]\s|&)")
_PER_MILLION = re.compile(r"(?:per|/)\s*(?:1\s*)?(?:m|mtok|million|mn|1m)(?![a-z])(?:\s*tokens?)?"
                          r"|(?:\ba|\bfor (?:a|one|each))\s*(?:1\s*)?(?:m|mtok|million|mn|1m)"
                          r"\s*tokens?\b")
_PER = re.compile(r"(?:\b(?:a|per|each|every|in a)\s+|/\s*)(month|mo|day|year)\b")
_SLASH = re.compile(r"(?<=[a-z])\s*/\s*(?=[a-z])")


@dataclass
class Tok:
    """One token: ``kind`` is num, word, model or sep."""

    i: int
    kind: str
    text: str
    value: float = 0.0
    unit: str = ""  # for numbers: "", "%", "x" or "$"
    cats: frozenset[str] = frozenset()
    name: str = ""  # for models: the name as said
    used: bool = False

    def cat(self, *names: str) -> bool:
        return any(n in self.cats for n in names)


@dataclass
class Tokens:
    """The tokens of one question, and the text they came from."""

    text: str  # normalised: one space between words, chat spellings spelt out
    lowered: str  # with phrases joined and number words as digits
    items: list[Tok] = field(default_factory=list)

    def unused(self) -> list[Tok]:
        return [t for t in self.items if not t.used and t.kind == "num"]


def normalise(question: str) -> str:
    """One space between words, and chat spellings as words ("r" → "are", "wat" → "what")."""
    q = " ".join(question.split())
    for short, full in lexicon().spellings.items():
        q = re.sub(rf"(?<![\w'$.]){re.escape(short)}(?![\w'])", full, q, flags=re.IGNORECASE)
    return q


def _float(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except (ValueError, OverflowError):
        return math.nan


def _models(low: str) -> tuple[str, list[str]]:
    """The question with each model name replaced by a placeholder, and the names as said."""
    lx = lexicon()
    found: list[str] = []

    def keep(m: re.Match[str]) -> str:
        found.append(m.group(0).strip())
        return f" model{len(found) - 1}_ "

    aliases = "|".join(re.escape(a) for a in sorted(lx.models, key=len, reverse=True))
    stems = "|".join(re.escape(s) for s in lx.model_stems)
    suffixes = "|".join(re.escape(s) for s in lx.model_suffixes)
    pattern = re.compile(
        rf"(?<![\w.-])(?:(?:{stems})[\w./:@-]*(?:\s+(?:{suffixes}|\d[\w.-]*)){{0,3}}"
        rf"|(?:{aliases})(?![\w-]|\.\d))")
    return pattern.sub(lambda m: keep(m) if not m.group(0).rstrip(".").endswith(
        ("-", "/")) else m.group(0), low), found


def tokenize(question: str) -> Tokens:
    """The typed tokens of ``question``."""
    lx = lexicon()
    text = normalise(question)
    low, models = _models(text.lower())
    low = low.replace("’", "'")
    low = re.sub(r"\$\s*/", " usd /", low)
    low = _PER_MILLION.sub(" per_million ", low)
    low = _PER.sub(lambda m: f" per_{'month' if m.group(1) == 'mo' else m.group(1)} ", low)
    low = _SLASH.sub(" per ", low)
    low = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:\^|\*\*)\s*(\d+)", _power, low)  # 10^308
    low = re.sub(r"(?<![\w.])(?:inf|infinity|infinite|nan)(?![\w.])", "1e999", low)
    low = re.sub(r"(?<![\w./])24\s*/\s*7(?![\w./])", " around_the_clock ", low)
    low = re.sub(r"(?<![\w./])(\d+)\s*/\s*(\d+)(?![\w./])", _fraction, low)  # "by 2/3"
    low = re.sub(r"\b(?:by )?a factor of (\d+(?:\.\d+)?)", r"\1x", low)
    low = re.sub(r"(?<![\w.])[x×]\s*(\d+(?:\.\d+)?)(?![\w.])", r"\1x", low)  # "x4"
    low = lx.phrases.sub(lambda m: _phrase(m.group(1)), low)
    low = lx.number_words.sub(lambda m: f"{lx.numbers[m.group(1)]:g}", low)
    items: list[Tok] = []
    for m in _SCAN.finditer(low):
        i = len(items)
        if m.group("money"):
            value = _float(m.group("mnum")) * lx.scales.get(m.group("mscale") or "", 1.0)
            items.append(Tok(i, "num", m.group(0), value, "$"))
        elif m.group("range"):
            items.append(Tok(i, "num", m.group(0), 0.0, "range"))
        elif m.group("triple"):
            items.append(Tok(i, "num", m.group(0).replace(" ", ""), 0.0, "split"))
        elif m.group("num"):
            value = _float(m.group("n")) * lx.scales.get(m.group("scale") or "", 1.0)
            unit = m.group("unit") or ""
            unit = "%" if unit in ("%", "percent", "per cent") else "x" if unit else ""
            cur = m.group("cur") or ""
            if cur and not unit:
                unit = "$"
                value = value / 100 if cur.startswith("cent") else value
            items.append(Tok(i, "num", m.group(0).strip(), value, unit))
        elif m.group("word"):
            word = m.group("word")
            mm = re.fullmatch(r"model(\d+)_", word)
            if mm:
                items.append(Tok(i, "model", word, name=models[int(mm.group(1))]))
                continue
            said = word.replace("_", " ")
            if said in lx.numbers:
                items.append(Tok(i, "num", said, lx.numbers[said], ""))
                continue
            items.append(Tok(i, "word", said, cats=_cats(said)))
        else:
            items.append(Tok(i, "sep", m.group(0).strip() or "-"))
    return Tokens(text, low, items)


def _fraction(m: re.Match[str]) -> str:
    """"2/3" as a share (66.6667%); "24/7" and other ratios above one stay as written."""
    top, bottom = int(m.group(1)), int(m.group(2))
    return f"{100 * top / bottom:.6g}%" if 0 < top < bottom else m.group(0)


def _power(m: re.Match[str]) -> str:
    """"10^308" as one number, written so it reads back whole (1e308; too large: 1e999)."""
    try:
        value = float(m.group(1)) ** int(m.group(2))
    except OverflowError:
        return "1e999"
    return f"{value:.6g}".replace("e+", "e") if math.isfinite(value) else "1e999"


def _phrase(p: str) -> str:
    lx = lexicon()
    if p in lx.numbers:
        return f" {lx.numbers[p]:g} "
    return " " + p.replace(" ", "_") + " "


def _cats(word: str) -> frozenset[str]:
    lx = lexicon()
    cats = set()
    kind = lx.targets.get(word)
    if kind:
        cats.add(f"target:{kind}")
    if word in lx.task_nouns:
        cats.add("task")
    joined = word.replace(" ", "-")
    if word in lx.up or joined in lx.up:
        cats.add("up")
    if word in lx.down or joined in lx.down:
        cats.add("down")
    if word in lx.add:
        cats.add("add")
    if word in lx.sets:
        cats.add("set")
    if word in lx.factors:
        cats.add("factor")
    if word in lx.hold:
        cats.add("hold")
    if word in lx.instead:
        cats.add("instead")
    if word in lx.scenarios:
        cats.add("scenario")
    if word.startswith("per "):
        cats.add(word.replace(" ", "_"))
    if word in ("and", "but", "while", "whereas", "then", "also", "plus", "&"):
        cats.add("conj")
    return frozenset(cats)


def factor_of(tok: Tok) -> float:
    return lexicon().factors.get(tok.text, 1.0)


def scenario_of(tok: Tok) -> str | None:
    return lexicon().scenarios.get(tok.text)
