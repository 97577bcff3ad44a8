"""Check an LLM draft before it is used: figures, tier, headings, links, markup and length.

The LLM only words facts the engine computed, so anything it adds is suspect: a figure that is
not among the facts was invented (or miscalculated, which for a board report is the same), a
tier other than the engine's contradicts the assessment, a link that is not a source is
unsupported. Figures are compared by value, not by spelling, so ``$13,500``, ``13.5k``,
``$13.5K`` and ``13,500.00`` are one figure, ``89.3%`` matches ``89.29``, ``50%`` matches a
probability of ``0.5``, and rounding to the figure's own precision is allowed ("about $2,000"
for $2,025) within a small relative margin.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Every kind a violation can have; also the kinds recorded as failure patterns.
KINDS = ("invented_figure", "wrong_tier", "missing_headings", "link", "html", "too_long")

DEFAULT_MAX_CHARS = 4000
SMALL_INTEGERS = range(0, 11)  # list numbering, "three scenarios", "2 answers"
YEARS = range(1990, 2101)

_SUFFIX_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
                 "b": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12, "trillion": 1e12}

_NUMBER = re.compile(
    r"(?P<cur>[$€£])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<suf>\s?(?:thousand|million|billion|trillion)\b|(?:k|K|M|mn|B|bn|T)(?![A-Za-z])"
    r"|\s?(?:%|percent\b)|\s?[x×](?![A-Za-z]))?"
)
_TIER_WORD = r"(high|medium|moderate|lower|low)"
_TIER_PATTERNS = (
    re.compile(r"\b" + _TIER_WORD + r"(?:-|\s+)(?:risk|tier|exposure)\b", re.IGNORECASE),
    re.compile(r"\b(?:risk|exposure)\s+(?:tier|level|rating|category)\s*(?:is|of|:|=|-)?\s*"
               + _TIER_WORD + r"\b", re.IGNORECASE),
    re.compile(r"\btier\s*(?:is|:|=)\s*" + _TIER_WORD + r"\b", re.IGNORECASE),
)
_TIER_CANON = {"high": "high", "medium": "medium", "moderate": "medium", "lower": "lower",
               "low": "lower"}
# A tier named after one of these is hypothetical or contrasted, not a claim about this result.
_TIER_CONTRAST = re.compile(
    r"\b(?:not|no longer|never|rather than|instead of|from|to|into|toward|towards|than|below|"
    r"above|out of|unlike|versus|vs)\b[^.;:!?]{0,25}$", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.|mailto:|ftp://)[^\s)>\]\"']*", re.IGNORECASE)
_MD_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\n]*)\)")
_HTML = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>|<!--")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^\s*```[A-Za-z]*\s*\n(?P<body>.*?)\n\s*```\s*$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Figure:
    """A number as written in text, with the value and precision it claims."""

    text: str
    value: float
    resolution: float  # the place value of its last significant digit
    percent: bool
    times: bool
    plain: bool  # no currency, unit, suffix or decimals: could be a count, a year, a list number


@dataclass(frozen=True, slots=True)
class Violation:
    kind: str
    span: str
    message: str  # one clause, used in the retry prompt and the fallback note


def figures(text: str) -> list[Figure]:
    """Every figure in ``text``, skipping digits that are part of names (gpt-4o, H100, Q2)."""
    found = []
    for m in _NUMBER.finditer(text):
        start = m.start("num")
        before = text[max(0, start - 2):start]
        if before[-1:].isalpha() or before[-1:] == "_" or (
                before[-1:] in "-." and before[:1].isalpha() and m.group("cur") is None):
            continue  # "gpt-4", "H100", "v1.5", "claude-3-5"
        after = text[m.end():m.end() + 1]
        if not m.group("suf") and (after.isalpha() or after == "_"):
            continue  # "4o", "2nd"
        if not m.group("suf") and after in "-." and text[m.end() + 1:m.end() + 2].isalpha():
            continue  # "4-turbo", "3.5-sonnet"
        num = m.group("num").replace(",", "")
        suffix = (m.group("suf") or "").strip()
        value = float(num)
        if "." in num:
            resolution = 10.0 ** -len(num.split(".")[1])
        else:
            stripped = num.rstrip("0") or "0"
            resolution = 10.0 ** (len(num) - len(stripped)) if num != "0" else 1.0
        scale = _SUFFIX_SCALE.get(suffix.lower(), 1.0)
        percent = suffix in ("%", "percent")
        times = suffix in ("x", "×")
        plain = (m.group("cur") is None and not suffix and "." not in num and "," not in num)
        found.append(Figure(text=m.group(0).strip(), value=value * scale,
                            resolution=resolution * scale, percent=percent, times=times,
                            plain=plain))
    return found


def _close(fact: float, value: float, resolution: float) -> bool:
    diff = abs(fact - value)
    if diff <= 1e-9 * max(1.0, abs(fact)):
        return True
    if diff <= resolution / 2 * (1 + 1e-9) and diff <= 0.1 * abs(fact):
        return True  # rounded to the figure's own precision: "about $2,000" for $2,025
    # Truncated, always downwards: "over $13,000" for $13,500.
    return 0 <= abs(fact) - abs(value) < resolution and diff <= 0.05 * abs(fact)


class FactFigures:
    """The values a draft may mention: every figure found in the facts' text."""

    def __init__(self, facts_texts: Iterable[str]) -> None:
        values: set[float] = set()
        for text in facts_texts:
            for f in figures(text):
                values.add(abs(f.value))
                if f.times and f.value:
                    values.add(1 / abs(f.value))
        self.values = sorted(values)

    def allows(self, figure: Figure) -> bool:
        if figure.plain and (figure.value in SMALL_INTEGERS or figure.value in YEARS):
            return True
        candidates = [(abs(figure.value), figure.resolution)]
        if figure.percent:
            candidates.append((abs(figure.value) / 100, figure.resolution / 100))
        elif abs(figure.value) <= 1:
            candidates.append((abs(figure.value) * 100, figure.resolution * 100))
        if figure.times and figure.value:
            # "10x cheaper" states a multiplier of 0.1; its precision is that of the inverse.
            inverse = 1 / abs(figure.value)
            candidates.append((inverse, inverse * figure.resolution / abs(figure.value)))
        return any(_close(fact, value, res) for value, res in candidates
                   for fact in self.values if math.isfinite(fact))


def normalize(text: str) -> str:
    """Undo harmless packaging: a ```markdown fence around the whole text, heading case."""
    text = text.replace("\r\n", "\n").strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group("body").strip()
    return text + "\n" if text else ""


def canonical_headings(text: str, headings: Sequence[str]) -> str:
    """Rewrite ``## where you STAND`` as ``## Where you stand``; other headings untouched."""
    wanted = {h.removeprefix("## ").strip().lower(): h for h in headings}

    def fix(m: re.Match[str]) -> str:
        key = m.group(2).strip().strip("*").strip().rstrip(":").lower()
        if m.group(1) == "##" and key in wanted:
            return wanted[key]
        return m.group(0)

    return _HEADING.sub(fix, text)


def _check_figures(text: str, facts: FactFigures) -> list[Violation]:
    out = []
    seen = set()
    for f in figures(text):
        if f.text in seen or facts.allows(f):
            continue
        seen.add(f.text)
        out.append(Violation("invented_figure", f.text,
                             f"the model invented the figure {f.text}"))
    return out


def tier_mentions(text: str) -> list[tuple[str, str, int]]:
    """(tier, matched text, position) for every phrase that names a risk tier as a claim."""
    flat = re.sub(r"[*_`\"']", "", text)
    out = []
    for pattern in _TIER_PATTERNS:
        for m in pattern.finditer(flat):
            if _TIER_CONTRAST.search(flat[max(0, m.start() - 40):m.start()]):
                continue
            out.append((_TIER_CANON[m.group(1).lower()], m.group(0), m.start()))
    return sorted(out, key=lambda t: t[2])


def _check_tier(text: str, tier: str) -> list[Violation]:
    for named, span, _ in tier_mentions(text):
        if named != tier:
            return [Violation("wrong_tier", span,
                              f"the model called the tier {named} ({span!r}), but the "
                              f"assessment says {tier}")]
    return []


def _check_headings(text: str, headings: Sequence[str]) -> list[Violation]:
    found = [(m.group(1), f"{m.group(1)} {m.group(2)}") for m in _HEADING.finditer(text)]
    top = [h for level, h in found if len(level) <= 2]
    if top != list(headings):
        shown = ", ".join(top) if top else "none"
        return [Violation("missing_headings", shown[:200],
                          "the text did not have exactly the headings "
                          + ", ".join(repr(h) for h in headings) + f" in that order (found: "
                          f"{shown[:120]})")]
    before = text.split(headings[0], 1)[0].strip() if headings else ""
    if before:
        return [Violation("missing_headings", before[:200],
                          f"the text had something before {headings[0]!r}")]
    return []


def _check_links(text: str, allowed_urls: Sequence[str]) -> list[Violation]:
    allowed = {u.rstrip("/") for u in allowed_urls}
    for m in list(_MD_LINK.finditer(text)) + list(_URL.finditer(text)):
        target = (m.group(1) if m.re is _MD_LINK else m.group(0)).strip().rstrip(".,;/")
        if target in allowed:
            continue
        return [Violation("link", m.group(0)[:200],
                          f"the text contained a link that is not a source ({m.group(0)[:80]})")]
    return []


def check(text: str, *, facts: FactFigures, tier: str,
          headings: Sequence[str] | None = None, max_chars: int = DEFAULT_MAX_CHARS,
          allowed_urls: Sequence[str] = (), truncated: bool = False) -> list[Violation]:
    """Every problem with ``text``; an empty list means it may be used.

    ``headings`` are required in order when given (narratives), omitted for chat answers.
    ``truncated`` is the provider saying it stopped at the token limit.
    """
    problems: list[Violation] = []
    if truncated or len(text) > max_chars:
        problems.append(Violation("too_long", text[-120:],
                                  f"the text was longer than the limit ({max_chars:,} "
                                  "characters or the output-token budget)"))
    if headings:
        problems += _check_headings(text, headings)
    problems += _check_tier(text, tier)
    problems += _check_figures(text, facts)
    problems += _check_links(text, allowed_urls)
    html = _HTML.search(text)
    if html:
        problems.append(Violation("html", html.group(0)[:200],
                                  f"the text contained raw HTML ({html.group(0)[:60]})"))
    return problems
