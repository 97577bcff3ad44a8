"""Render a result as Markdown, HTML or JSON, and the built-in narrative, from Jinja2 templates.

Templates live in ``templates/`` so wording is data a user can read; this module only wires
filters and context. The environment is built once per process and templates are compiled
once. Output is deterministic: the same result renders to the same bytes.
"""

from __future__ import annotations

import datetime
import json
import re
from functools import cache
from typing import Any

from advisor import __version__
from advisor.core.cost_records import Costs
from advisor.core.findings import QUALITY_WORDS
from advisor.core.result import Narrative, Result
from advisor.core.rulebase import RuleBase
from advisor.core.sources import SECTION_TITLES
from advisor.core.wording import ratio_words
from advisor.data.clock import report_day
from advisor.render import charts, formatting
from advisor.render.formats import LEVER_NAMES, ROLE_LABELS, TIER_LABELS

NARRATIVE_HEADINGS = ("## Where you stand", "## What to do next", "## What could change")


_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 ._/:()+,-]")


def mermaid_label(text: Any) -> str:
    return _MERMAID_UNSAFE.sub("", formatting.single_line(text))[:40]


def _markdown(text: str) -> Any:
    """Narrative Markdown as safe HTML; imported on first use (only the HTML report needs it)."""
    from advisor.render.markdown_html import to_html

    return to_html(text)


def _lcfirst(text: str) -> str:
    """Lower-case the first letter only, for a sentence spliced into another ("AI" stays "AI")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _sentence(text: str) -> str:
    """A reason as a sentence of its own: capitalised, with its full stop."""
    text = str(text).strip()
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _label_of(rule_id: str, labels: dict[str, str]) -> str:
    """A rule's plain label (rules/packs), for naming what drives or protects a tier."""
    return labels.get(rule_id) or rule_id.replace("-", " ")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (a recommendation's "why" in the summary)."""
    return _SENTENCE_END.split(str(text).strip(), maxsplit=1)[0]


def rest_sentences(text: str) -> str:
    """Everything after the first sentence ("" when there is one sentence)."""
    parts = _SENTENCE_END.split(str(text).strip(), maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


_HINT = re.compile(r"\s*\(([^)]*)\)")


def _drop_hints(match: re.Match[str]) -> str:
    inside = match.group(1)
    if "litellm" in inside:
        return ""
    unit = re.split(r",?\s*e\.g\.", inside, maxsplit=1)[0].strip()
    return f" ({unit})" if unit else ""


def question_text(prompt: str) -> str:
    """A question as the report shows it: its unit kept ("(USD)"), examples and hints about
    the tool's internals left out (they help someone answering, not someone reading)."""
    return _HINT.sub(_drop_hints, str(prompt))


def answer_text(question: Any, value: Any) -> str:
    """An answer as a person reads it: "$38,000" for a bill, "18%" for a margin."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if question.id.endswith("_usd"):
            return formatting.money(value)
        if question.id.endswith("_pct"):
            return f"{formatting.number(value)}%"
        if question.id.endswith("_share") and 0 <= value <= 1:
            return formatting.whole_pct(value * 100)  # a share typed 0.7 or 70% reads 70%
    return question.label_for(value)


def assumption_source(src: str) -> str:
    """Where an assumption comes from, in words ("spec/costs.md" is advisor's own default)."""
    return "advisor default" if str(src).startswith("spec/") else str(src)


def section_title(key: str) -> str:
    return SECTION_TITLES.get(key, key)


def _bytecode_cache() -> Any:
    """Compiled templates cached on disk: compiling them costs more than rendering a report.

    Through advisor's own cache (never Jinja's file cache, which unpickles whatever is in its
    folder): a damaged entry is a miss, and one another user could write is never loaded."""
    from advisor.data.cache import TemplateCache

    return TemplateCache()


@cache
def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from advisor.data.resources import templates_dir

    env = Environment(
        bytecode_cache=_bytecode_cache(),
        auto_reload=False,  # templates do not change while a process runs
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"),
                                      default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=formatting.md_escape, usd=formatting.money, num=formatting.quantity,
        hours=formatting.hours, wpct=formatting.whole_pct, exact=formatting.number,
        percent=formatting.percent, pct=formatting.pct, per_mtok=formatting.per_mtok,
        section=section_title, mermaid=mermaid_label, one_line=formatting.single_line,
        markdown=_markdown, lcfirst=_lcfirst, first_sentence=first_sentence,
        rest_sentences=rest_sentences, question=question_text, answer=answer_text,
        assumption_source=assumption_source, md_text=formatting.md_inline,
        estimate=formatting.estimate, sentence=_sentence, label_of=_label_of,
    )
    env.globals.update(TIER_LABELS=TIER_LABELS, ROLE_LABELS=ROLE_LABELS, version=__version__,
                       LEVER_NAMES=LEVER_NAMES, QUALITY_WORDS=QUALITY_WORDS,
                       SECTION_TITLES=SECTION_TITLES)
    return env


#: costs.md: when the bill and the computed cost differ by more than this, every place that
#: shows the monthly cost shows both, and the gap is a finding.
BILL_GAP_PCT = 20.0


def report_date() -> datetime.date:
    """The day of the run, or the day ``SOURCE_DATE_EPOCH`` names (reproducible builds)."""
    return report_day()


def _question_words(rulebase: RuleBase) -> dict[str, str]:
    """Question id -> the question as a person reads it (in quotes), for plain-word notes."""
    return {qid: f"“{question_text(q.prompt).strip()}”"
            for qid, q in rulebase.questionnaire.by_id.items()}


_ID_WORD = re.compile(r"\b(?:answers\.)?([a-z][a-z0-9]*(?:_[a-z0-9]+)+|model)\b")


def plain_words(text: str, questions: dict[str, str]) -> str:
    """Replace field ids ("answers.model", "monthly_requests") with the question in words."""
    text = re.sub(r"\bgive\b", "answer", text)

    def swap(match: re.Match[str]) -> str:
        word = match.group(1)
        if word == "model" and not match.group(0).startswith("answers."):
            return match.group(0)
        return questions.get(word, match.group(0))

    return _ID_WORD.sub(swap, text)


#: Notes whose point the report already makes in its own words elsewhere.
_NOTES_SAID_ELSEWHERE = frozenset({"self_hosting.break_even_requests", "self_hosting.verdict"})


def _notes(costs: Costs | None, questions: dict[str, str]) -> list[str]:
    notes = {} if costs is None else costs.notes
    out = []
    for key in sorted(notes):
        if key in _NOTES_SAID_ELSEWHERE or not notes[key]:
            continue
        text = plain_words(str(notes[key]), questions).strip().rstrip(".")
        out.append(text[:1].upper() + text[1:] + ".")
    return list(dict.fromkeys(out))


def _because(result: Result, rulebase: RuleBase) -> dict[str, list[str]]:
    """Recommendation id -> its reasons in words (rule ids, which mean nothing to a reader,
    are left out: the drivers table says what each finding is)."""
    rule_ids = {r.id for r in rulebase.rules}
    out = {}
    for rec in result.recommendations:
        reasons = getattr(rec, "because", ()) or ()
        words = [str(b).strip() for b in reasons if b and str(b) not in rule_ids]
        out[rec.id] = [w for w in words if w]
    return out


def scenario_to_watch(result: Result) -> Any:
    """The one scenario this reader should watch, with the reason, or None.

    A product that loses money at today's prices watches stabilisation (no price cut comes to
    the rescue); a regulated domain watches the two-tier market (its prices may not fall); a
    high-risk position, or one with shelved or unlocked use cases, watches another sharp fall
    (the threat, or the opportunity); anyone else watches the likeliest one.
    """
    by_id = {s.id: s for s in result.scenarios}
    if not by_id:
        return None
    values = result.answers
    derived = result.derived or {}
    margin = values.get("gross_margin_pct")
    if isinstance(margin, (int, float)) and margin < 0 and "stabilization" in by_id:
        return by_id["stabilization"], "loss"
    if derived.get("regulated_domain") is True and "divergence" in by_id:
        return by_id["divergence"], "regulated"
    if "further_decline" in by_id:
        if result.tier == "high" or values.get("archetype") == "gpu_cloud":
            return by_id["further_decline"], "threat"
        if (values.get("deferred_use_cases") or 0) >= 1 or values.get("cost_unlocks_features"):
            return by_id["further_decline"], "opportunity"
    likeliest = max(result.scenarios, key=lambda s: s.probability)
    return likeliest, "likeliest"


def _bill(costs: Costs | None) -> dict[str, Any]:
    """The monthly cost now against the bill: what the headline and the Costs section say."""
    if costs is None:
        return {"current": None, "bill": None, "differs": False, "direction": None,
                "ratio": None, "apart_pct": None, "far": False, "basis": None,
                "in_house": False, "in_house_reason": None}
    check = costs.bill
    return {"current": costs.monthly_usd, "bill": check.reported_usd,
            "differs": bool(check.differs) and costs.volume_basis != "inferred_from_bill",
            "direction": check.direction, "ratio": check.ratio,
            "ratio_words": None if check.ratio is None else ratio_words(check.ratio),
            "apart_pct": check.apart_pct, "far": bool(check.far),
            "basis": costs.volume_basis, "in_house": bool(costs.in_house),
            "in_house_reason": costs.in_house_reason}


def _context(result: Result, rulebase: RuleBase) -> dict[str, Any]:
    q = rulebase.questionnaire
    questions = _question_words(rulebase)
    costs = result.costs
    # result.answers keeps the questionnaire's order (it comes from the answers model's fields).
    answered = [(q.by_id[k], v) for k, v in result.answers.items() if k in q.by_id]
    sources = sorted({r.source for r in result.fired_rules}
                     | {r.source for r in result.recommendations}
                     | {c.source for c in result.cautions} | {"s1-prices", "s5-scenarios"},
                     key=lambda k: list(SECTION_TITLES).index(k) if k in SECTION_TITLES else 99)
    day = report_date()
    return {
        "r": result,
        "costs": costs,
        "answered": answered,
        "cost_bars": charts.cost_bars(result),
        "price_bars": charts.price_bars(result, rulebase.anchors),
        "anchors": rulebase.anchors,
        "sources": sources,
        "tier_high": formatting.number(rulebase.tier_high),
        "tier_medium": formatting.number(rulebase.tier_medium),
        "usd_filter": formatting.money,
        "mtok_filter": formatting.per_mtok,
        "report_date": formatting.long_date(day),
        "bill": _bill(costs),
        "gap_limit": formatting.number(BILL_GAP_PCT),
        "watch": scenario_to_watch(result),
        "because": _because(result, rulebase),
        "cost_notes": _notes(costs, questions),
        "missing_questions": [question_text(m.prompt) for m in result.missing],
        "drivers": [f for f in result.fired_rules if f.points > 0],
        "defences": [f for f in result.fired_rules if f.points < 0],
        "findings": _findings(result, rulebase),
        "v": result.voice,
        "labels": {r.id: r.label for r in rulebase.rules if r.label},
        "key_findings": result.findings,
        "price_source": _price_source(costs),
        "price_label": _price_label(costs),
    }


def _findings(result: Result, rulebase: RuleBase) -> list[Any]:
    """Findings without points, other than those already said as the reason of a
    recommendation in this report ("Why for you"): each statement once."""
    given = {r.id for r in result.recommendations}
    recommends = {r.id: set(r.recommends) for r in rulebase.rules}
    return [f for f in result.fired_rules
            if not f.points and not (recommends.get(f.id, set()) & given)]


def _price_label(costs: Costs | None) -> str:
    """The short date-by-source of today's price, for the cost table's "Prices from" column."""
    source = None if costs is None or costs.current is None else costs.current.price_source
    match = re.search(r"litellm (\d[\w.]*)", source or "")
    if source and "price map" in source and match:
        return f"price map of litellm v{match[1]}"
    return "your own price" if source else "–"


def _price_source(costs: Costs | None) -> str | None:
    """Where today's model price comes from, in words: prices are dated by their source."""
    source = None if costs is None or costs.current is None else costs.current.price_source
    if not source:
        return None
    match = re.search(r"litellm (\d[\w.]*)", source)
    if "price map" in source and match:
        return f"list prices as published in litellm's model price map (version {match[1]})"
    return str(source)


def _svg_charts(result: Result, rulebase: RuleBase) -> dict[str, Any]:
    """The HTML's SVG charts, laid out (charts.layout): the summary's small one, the bill
    beside the computed costs, the prices per million tokens. Only the HTML draws them."""
    return {
        "summary_chart": charts.layout(charts.summary_bars(result), formatting.money,
                                       charts.SUMMARY_WIDTH),
        "cost_chart": charts.layout(charts.cost_bars(result, with_bill=True), formatting.money),
        "price_chart": charts.layout(charts.price_bars(result, rulebase.anchors),
                                     formatting.per_mtok),
    }


def builtin_narrative(result: Result, rulebase: RuleBase,
                      context: dict[str, Any] | None = None) -> Narrative:
    """The offline narrative: templates only, deterministic."""
    context = context or _context(result, rulebase)
    text = environment().get_template("narrative.md.j2").render(context)
    return Narrative(source="builtin", text=text.strip() + "\n", usd=0.0)


def render(result: Result, rulebase: RuleBase, fmt: str = "md") -> str:
    """Render ``result`` (its narrative filled in, built-in if absent) as ``fmt``."""
    context = _context(result, rulebase)
    if result.narrative is None:
        result.narrative = builtin_narrative(result, rulebase, context)
    if fmt == "json":
        # Strict JSON: assess refuses input whose figures are not finite, so allow_nan=False
        # never fires on a valid result; it keeps NaN/Infinity out if one ever slipped by.
        # Control and bidi characters of free text are written as \uXXXX (same value).
        from advisor.core.jsonout import terminal_safe

        return terminal_safe(json.dumps(result.to_dict(), indent=2, ensure_ascii=False,
                                        sort_keys=False, allow_nan=False)) + "\n"
    if fmt == "html":
        context.update(_svg_charts(result, rulebase))
    name = {"md": "report.md.j2", "html": "report.html.j2"}[fmt]
    context["headline"] = environment().get_template("_headline.md.j2").render(context).strip()
    return environment().get_template(name).render(context)
