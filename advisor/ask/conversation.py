"""Ask: plain-language questions about an assessment, answered offline by default.

Answers come from three places, tried in this order:

1. what-ifs the parser understands ("what if our volume doubles?", "what if we switch to
   gpt-4o-mini", "what if stabilization were 70%"): the answers are changed, validated and
   re-assessed by the core, and the two results compared; nothing is estimated;
2. questions about the assessment itself (why this tier, a scenario, self-hosting, the
   recommendations, the costs, what is missing), answered from the result;
3. the article's facts in ``rules/knowledge.toml``, found by keyword retrieval that shows
   which entry matched on which words.

When none applies it says so plainly. With an LLM, the same material grounds the answer and
the guard checks its figures and tier before it is shown; any failure falls back to the
offline answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.core.errors import InputError
from advisor.core.result import Result
from advisor.core.rulebase import RuleBase
from advisor.core.sources import SECTION_KEYS, SECTION_TITLES
from advisor.render import formatting

NO_ANSWER = ("I don't have an answer to that, from this assessment or from the article's "
             "facts. I can explain the tier and what drives it, the costs, the scenarios, "
             "self-hosting and the recommendations, recompute what-ifs (\"what if our volume "
             "doubles?\", \"what if we switch to gpt-4o-mini?\", \"what if each task took 50 "
             "calls?\", \"what if stabilization were 70%?\"), and answer questions on the "
             "article's prices, risk tiers, scenarios, checklist and FAQ.")


@dataclass
class Answer:
    """One answer: Markdown text, the article sections it rests on, and any recomputation."""

    text: str
    sources: list[str]
    recomputed: Result | None = None
    answered: bool = True
    matched: list[str] = field(default_factory=list)  # knowledge entries used, by id
    source: str = "offline"  # "offline" or "llm"
    note: str | None = None  # why an LLM answer was not used
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    usd: float | None = 0.0


def _ordered(keys: Any) -> list[str]:
    order = list(SECTION_TITLES)
    return sorted({k for k in keys if k in SECTION_KEYS}, key=order.index)


# ---------------------------------------------------------------------------- what-ifs

_WHAT_IF = re.compile(
    r"\bwhat if\b|\bwhat happens if\b|\bwhat would happen if\b|\bsuppose\b|\bimagine\b"
    r"|\bif (?:we|our|each|every|the|input|output|volume|traffic|usage|stabili[sz])"
    r"|\bhow would\b.*\bchange if\b", re.IGNORECASE)
_VOLUME_NOUN = r"(?:volume|traffic|usage|requests?|users?|demand|load|queries|customers|calls)"
_FACTOR_WORDS = {"double": 2.0, "twice": 2.0, "triple": 3.0, "quadruple": 4.0, "halve": 0.5,
                 "half": 0.5}
_FACTOR = r"(double|triple|quadruple|halve|half|twice)(?:s|d)?"
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9,
          "bn": 1e9, "billion": 1e9}
_AMOUNT = r"(\d[\d,]*(?:\.\d+)?)\s*(k|thousand|m|mn|million|b|bn|billion)?\b"
_SCENARIO_NAMES: tuple[tuple[str, str], ...] = (
    (r"stabili[sz]\w*|scenario\s*(?:1|one)\b|prices? (?:hold|stabili[sz]\w*)", "stabilization"),
    (r"further (?:sharp )?declines?|(?:another )?sharp (?:fall|decline)|another fall"
     r"|scenario\s*(?:2|two)\b", "further_decline"),
    (r"divergence|two[- ]tier|scenario\s*(?:3|three)\b", "divergence"),
)
_NEGATION = re.compile(r"\b(?:not|no longer|weren't|wasn't|aren't|didn't|don't|stop(?:ped)?|"
                       r"without|no)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_BOOL_PHRASES = {
    "regulated": r"\bregulated\b",
    "on_prem_required": r"\bon[- ]?prem(?:ise|ises)?\b",
    "batch_sampled": r"\bsampl(?:e|ed|ing)\b",
}
_CHOICE_ALIASES = {
    "proprietary_data": ("proprietary data", "domain data", "own data"),
    "integration_depth": ("integration",),
    "switching_cost": ("switching cost", "switching costs"),
    "pricing_model": ("pricing", "charge", "charged", "pricing model"),
    "differentiation_is_access": ("differentiation", "value rests on access"),
    "provider_overlap": ("provider overlap", "providers compete"),
}
_LABEL_ONLY = ("archetype", "industry")  # distinctive option labels, matched on their own


@dataclass
class _Edit:
    label: str
    answers: dict[str, Any] = field(default_factory=dict)
    probabilities: dict[str, float] | None = None


def _amount(number: str, scale: str | None) -> float:
    return float(number.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)


def _show(rulebase: RuleBase, qid: str, value: Any) -> str:
    q = rulebase.questionnaire.by_id.get(qid)
    if value is None:
        return "unanswered"
    if q is not None and q.type in ("choice", "bool"):
        return str(q.label_for(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return formatting.number(value)
    return str(value)


def _volume_edits(q: str, answers: dict[str, Any], days: float, rulebase: RuleBase,
                  problems: list[str]) -> list[_Edit]:
    factor = None
    m = (re.search(rf"\b{_VOLUME_NOUN}\b[^.?!]{{0,40}}?\b{_FACTOR}\b", q, re.I)
         or re.search(rf"\b{_FACTOR}\b[^.?!]{{0,30}}?\b{_VOLUME_NOUN}\b", q, re.I))
    if m:
        factor = _FACTOR_WORDS[m.group(1).lower()]
    m = m or None
    if factor is None:
        m = (re.search(rf"\b{_VOLUME_NOUN}\b[^.?!]{{0,40}}?(\d+(?:\.\d+)?)\s*(?:x|×|times)",
                       q, re.I)
             or re.search(rf"(\d+(?:\.\d+)?)\s*(?:x|×|times)\s+(?:\w+\s+){{0,3}}?"
                          rf"{_VOLUME_NOUN}\b", q, re.I))
        if m:
            factor = float(m.group(1))
    if factor is None:
        m = re.search(rf"\b{_VOLUME_NOUN}\b[^.?!]{{0,40}}?\b(grows?|grew|increases?|rises?|"
                      rf"goes up|up|falls?|fell|drops?|decreases?|shrinks?|goes down|down)\s+"
                      rf"(?:by\s+)?(\d+(?:\.\d+)?)\s*%", q, re.I)
        if m:
            pct = float(m.group(2)) / 100
            down = m.group(1).lower().startswith(("fall", "fell", "drop", "decreas", "shrink",
                                                  "goes down", "down"))
            factor = 1 - pct if down else 1 + pct
    if factor is None:
        return []
    if factor <= 0:
        problems.append("a volume change must leave some volume")
        return []
    for qid in ("monthly_requests", "daily_users"):
        before = answers.get(qid)
        if before is not None:
            after = max(0, round(before * factor))
            return [_Edit(f"{_label(rulebase, qid)}: {formatting.number(before)} → "
                          f"{formatting.number(after)} (×{factor:g})", {qid: after})]
    problems.append("the answers give no volume (monthly requests or daily users) to scale")
    return []


def _label(rulebase: RuleBase, qid: str) -> str:
    return qid.replace("_", " ")


def _absolute_volume_edits(q: str, answers: dict[str, Any], days: float,
                           rulebase: RuleBase) -> list[_Edit]:
    m = re.search(_AMOUNT + r"\s+(?:user\s+|llm\s+)?(?:requests?|queries|questions|tasks|"
                  r"conversations)\s*(?:a|per|each|every|/|in a)\s*(month|day)\b", q, re.I)
    if m:
        n = _amount(m.group(1), m.group(2))
        monthly = round(n * (days if m.group(3).lower() == "day" else 1))
        before = _monthly_requests(answers, days)
        shown = formatting.number(before) if before is not None else "unknown"
        return [_Edit(f"monthly requests: {shown} → {formatting.number(monthly)}",
                      {"monthly_requests": monthly})]
    m = re.search(_AMOUNT + r"\s+(?:daily\s+)?users\b(?:\s*(?:a|per|each)\s*day)?", q, re.I)
    if m and ("daily" in m.group(0).lower() or "day" in m.group(0).lower()):
        users = round(_amount(m.group(1), m.group(2)))
        edit = _Edit(f"daily users: {_show(rulebase, 'daily_users', answers.get('daily_users'))}"
                     f" → {formatting.number(users)}", {"daily_users": users})
        if answers.get("monthly_requests") is not None:
            edit.answers["monthly_requests"] = None  # it would override the daily figures
        return [edit]
    return []


def _monthly_requests(answers: dict[str, Any], days: float) -> float | None:
    if answers.get("monthly_requests") is not None:
        return answers["monthly_requests"]
    if answers.get("daily_users") is not None and answers.get("requests_per_user_per_day"):
        return answers["daily_users"] * answers["requests_per_user_per_day"] * days
    return None


def _model_edits(q: str, answers: dict[str, Any], prices: Any,
                 problems: list[str]) -> list[_Edit]:
    m = (re.search(r"\b(?:switch(?:ed|ing)?|mov(?:e|ed|ing)|chang(?:e|ed|ing)|"
                   r"migrat(?:e|ed|ing)|downgrad(?:e|ed|ing)|upgrad(?:e|ed|ing))\s+"
                   r"(?:\w+\s+){0,3}?to\s+([A-Za-z0-9][\w./:@-]*[\w])", q, re.I)
         or re.search(r"\b(?:use|used|using|went with|go with|ran on|run on|were on|adopt|"
                      r"adopted|pick|picked|chose|choose)\s+(?:the\s+)?"
                      r"([A-Za-z0-9][\w./:@-]*\d[\w./:@-]*)", q, re.I))
    if not m:
        return []
    name = m.group(1).rstrip(".")
    if prices is None:
        problems.append(f"no price table is available to price {name}")
        return []
    try:
        resolved = prices.resolve(name, {})
    except InputError as exc:
        looks_like_model = any(c.isdigit() for c in name) or "/" in name or "-" in name
        if looks_like_model:
            problems.append(f"advisor has no price for the model {name!r} ({exc.message})")
        return []
    return [_Edit(f"model: {answers.get('model') or 'unanswered'} → {resolved.model}",
                  {"model": name})]


def _token_edits(q: str, answers: dict[str, Any]) -> list[_Edit]:
    edits = []
    for kind in ("input", "output"):
        qid = f"avg_{kind}_tokens"
        m = (re.search(rf"\b{kind}\s+tokens?\b(?:\s+(?:per|a|each)\s+(?:call|request))?\s*"
                       rf"(?:were|was|are|is|of|=|to|at|became|become|went to|go to)?\s*"
                       rf"(?:about\s+)?(\d[\d,]*(?:\.\d+)?)\s*(k)?\b", q, re.I)
             or re.search(rf"(\d[\d,]*(?:\.\d+)?)\s*(k)?\s+{kind}\s+tokens?\b", q, re.I))
        if m:
            value = round(_amount(m.group(1), m.group(2)))
            before = answers.get(qid)
            shown = formatting.number(before) if before is not None else "unanswered"
            edits.append(_Edit(f"{kind} tokens per call: {shown} → {formatting.number(value)}",
                               {qid: value}))
    return edits


def _calls_edits(q: str, answers: dict[str, Any]) -> list[_Edit]:
    m = (re.search(r"(\d+)\s+(?:llm\s+)?calls?\s+(?:per|a|an|each|for each|every|in each)\s+"
                   r"(?:task|request)", q, re.I)
         or re.search(r"(?:each|every|a|one|per)\s+(?:task|request)\s+(?:took|takes|needs?|"
                      r"needed|used?|uses|made|makes|required?|requires|had|has)\s+(\d+)\s+"
                      r"(?:llm\s+)?calls?", q, re.I)
         or re.search(r"calls?\s+per\s+(?:task|request)\s*(?:were|was|is|of|=|to|at|went to)?"
                      r"\s*(\d+)", q, re.I))
    if not m:
        return []
    value = int(m.group(1))
    before = answers.get("calls_per_task") or 1
    return [_Edit(f"LLM calls per task: {before} → {value}", {"calls_per_task": value})]


def _probability_edits(q: str, current: dict[str, float], problems: list[str]) -> list[_Edit]:
    for pattern, sid in _SCENARIO_NAMES:
        m = (re.search(rf"(?:{pattern})\s*(?:scenario\s*)?(?:'s\s+)?(?:probability\s*)?"
                       rf"(?:were|was|is|at|of|to|=|became|had|got|gets)?\s*(?:a\s+)?"
                       rf"(?:probability\s+(?:of\s+)?)?(?:at\s+)?(\d+(?:\.\d+)?)\s*%", q, re.I)
             or re.search(rf"probability\s+(?:of\s+)?(?:the\s+)?(?:{pattern})\s*(?:scenario\s*)?"
                          rf"(?:were|was|is|at|of|to|=)?\s*(\d+(?:\.\d+)?)\s*%", q, re.I))
        if not m:
            continue
        p = float(m.group(1)) / 100
        if not 0 <= p <= 1:
            problems.append("a probability must be between 0% and 100%")
            return []
        others = {k: v for k, v in current.items() if k != sid}
        rest = sum(others.values())
        new = {sid: p}
        for k, v in others.items():
            new[k] = (1 - p) * (v / rest if rest > 0 else 1 / len(others))
        new = {k: round(v, 6) for k, v in new.items()}
        drift = round(1 - sum(new.values()), 6)
        last = next(k for k in current if k != sid)
        new[last] = round(new[last] + drift, 6)
        shown = " / ".join(f"{k.replace('_', ' ')} {formatting.percent(v, digits=0)}"
                           for k, v in new.items())
        return [_Edit(f"scenario probabilities → {shown} (the others rescaled to keep their "
                      "ratio)", probabilities={k: new[k] for k in current})]
    return []


def _choice_edits(q: str, answers: dict[str, Any], rulebase: RuleBase) -> list[_Edit]:
    edits = []
    lowered = q.lower()
    for qid, pattern in _BOOL_PHRASES.items():
        m = re.search(pattern, lowered)
        if m:
            value = not _NEGATION.search(lowered[max(0, m.start() - 30):m.start()])
            if answers.get(qid) != value:
                edits.append(_Edit(f"{_label(rulebase, qid)}: "
                                   f"{_show(rulebase, qid, answers.get(qid))} → "
                                   f"{_show(rulebase, qid, value)}", {qid: value}))
    for question in rulebase.questionnaire.questions:
        if question.type != "choice":
            continue
        aliases = _CHOICE_ALIASES.get(question.id, (question.id.replace("_", " "),))
        named = question.id in _LABEL_ONLY or any(a in lowered for a in aliases)
        if not named:
            continue
        for option in question.options:
            words = {str(option.label).lower(), str(option.value).replace("_", " ").lower()}
            if question.id not in _LABEL_ONLY:
                words = {w for w in words if w not in ("none", "other", "yes", "no")}
            elif len(str(option.label)) < 5:
                continue
            if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words):
                if answers.get(question.id) != option.value:
                    edits.append(_Edit(f"{_label(rulebase, question.id)}: "
                                       f"{_show(rulebase, question.id, answers.get(question.id))}"
                                       f" → {option.label}", {question.id: option.value}))
                break
    return edits


def parse_what_if(question: str, answers_file: Any, rulebase: RuleBase, prices: Any
                  ) -> tuple[list[_Edit], list[str]]:
    """The answer changes a what-if question asks for, and why any part was not understood."""
    answers = answers_file.answers
    days = float(rulebase.defaults.get("days_per_month", 30))
    problems: list[str] = []
    current = _probabilities(answers_file, rulebase)
    edits = (_absolute_volume_edits(question, answers, days, rulebase)
             or _volume_edits(question, answers, days, rulebase, problems))
    edits += _model_edits(question, answers, prices, problems)
    edits += _token_edits(question, answers)
    edits += _calls_edits(question, answers)
    edits += _probability_edits(question, current, problems)
    touched = {k for e in edits for k in e.answers}
    edits += [e for e in _choice_edits(question, answers, rulebase)
              if not touched & set(e.answers)]
    return edits, problems


def _probabilities(answers_file: Any, rulebase: RuleBase) -> dict[str, float]:
    given = answers_file.assumptions.get("scenario_probabilities")
    if given is not None:
        return dict(given)
    return dict(rulebase.defaults["scenario_probabilities"])


def recompute(answers_file: Any, edits: list[_Edit], rulebase: RuleBase, prices: Any
              ) -> tuple[Any, Result]:
    """Apply ``edits`` to the answers, validate, and assess again."""
    from advisor.core.assess import assess
    from advisor.data.answers_file import validate_answers

    data = answers_file.as_data()
    answers = dict(data.get("answers") or {})
    for edit in edits:
        for k, v in edit.answers.items():
            if v is None:
                answers.pop(k, None)
            else:
                answers[k] = v
        if edit.probabilities is not None:
            data.setdefault("assumptions", {})["scenario_probabilities"] = edit.probabilities
    data["answers"] = answers
    changed = validate_answers(data, file="<what-if>")
    return changed, assess(changed, rulebase, prices)


def _cost(result: Result, *path: str) -> Any:
    value: Any = result.costs or {}
    for p in path:
        value = value.get(p) if isinstance(value, dict) else None
    return value


def _hosting_line(result: Result) -> str:
    h = _cost(result, "self_hosting") or {}
    if not h.get("verdict"):
        return "n/a"
    be = h.get("break_even_requests")
    return f"{h['verdict']}" + (f" (break-even {formatting.number(be)} requests)" if be else "")


def _what_if_answer(edits: list[_Edit], answers_file: Any, result: Result, rulebase: RuleBase,
                    prices: Any) -> Answer:
    try:
        _, after = recompute(answers_file, edits, rulebase, prices)
    except InputError as exc:
        return Answer(f"That change is not a valid answer, so nothing was recomputed: "
                      f"{exc.message}.", [], None, answered=False)
    rows = [("Tier (score)", f"{result.tier} ({result.score})", f"{after.tier} ({after.score})")]
    money = (
        ("Monthly requests", ("monthly_requests",), formatting.number),
        ("Monthly cost now", ("current", "monthly_usd"), formatting.usd),
        ("Cost per request", ("per_task_usd",), formatting.usd),
        ("Same tokens at 2023 GPT-4 prices", ("baseline_2023", "monthly_usd"), formatting.usd),
        ("Expected monthly cost in 12–24 months", ("scenarios", "expected_monthly_usd"),
         formatting.usd),
        ("Self-hosting cost a month", ("self_hosting", "monthly_usd"), formatting.usd),
    )
    for label, path, fmt in money:
        a, b = _cost(result, *path), _cost(after, *path)
        if a is None and b is None:
            continue
        rows.append((label, fmt(a), fmt(b)))
    if _cost(result, "current", "model") != _cost(after, "current", "model"):
        rows.insert(1, ("Model", str(_cost(result, "current", "model") or "n/a"),
                        str(_cost(after, "current", "model") or "n/a")))
    if _hosting_line(result) != "n/a" or _hosting_line(after) != "n/a":
        rows.append(("Self-hosting verdict", _hosting_line(result), _hosting_line(after)))
    if [s.probability for s in result.scenarios] != [s.probability for s in after.scenarios]:
        for s0, s1 in zip(result.scenarios, after.scenarios, strict=True):
            rows.append((f"{s0.title} (probability)", formatting.percent(s0.probability),
                         formatting.percent(s1.probability)))
    changes = "; ".join(e.label for e in edits)
    lines = [f"**What if** {changes}. Recomputed by the rules engine (not estimated):", "",
             "| | Now | What if |", "|---|---:|---:|"]
    lines += [f"| {label} | {a} | {b} |" for label, a, b in rows]
    lines.append("")
    if after.tier != result.tier:
        lines.append(f"The tier would move from **{result.tier}** to **{after.tier}**.")
    else:
        lines.append(f"The tier stays **{result.tier}**"
                     + (f"; the score moves from {result.score} to {after.score}."
                        if after.score != result.score else "."))
    before_recs = {r.id: r for r in result.recommendations}
    after_recs = {r.id: r for r in after.recommendations}
    added = [r.title for k, r in after_recs.items() if k not in before_recs]
    dropped = [r.title for k, r in before_recs.items() if k not in after_recs]
    if added:
        lines.append("New recommendation(s): " + "; ".join(added) + ".")
    if dropped:
        lines.append("No longer recommended: " + "; ".join(dropped) + ".")
    fired_before = {r.id: r for r in result.fired_rules}
    fired_after = {r.id: r for r in after.fired_rules}
    changed_rules = ([r for k, r in fired_after.items() if k not in fired_before]
                     + [r for k, r in fired_before.items() if k not in fired_after])
    q = rulebase.questionnaire.by_id
    sources = {q[k].source for e in edits for k in e.answers if k in q}
    sources |= {r.source for r in changed_rules}
    sources |= {r.source for k, r in after_recs.items() if k not in before_recs}
    if any(e.probabilities for e in edits) or _cost(result, "scenarios") != _cost(after,
                                                                                 "scenarios"):
        sources.add("s5-scenarios")
    if _cost(result, "self_hosting") != _cost(after, "self_hosting"):
        sources.add("faq-q2")
    return Answer("\n".join(lines) + "\n", _ordered(sources), after)


# ---------------------------------------------------------------------------- the assessment

_WHY_TIER = re.compile(
    r"\bwhy\b[^?]*\b(?:high|medium|lower|low|tier|risk|score|rated|rating|exposed)\b"
    r"|\bhow (?:can|could|do|would|might) (?:we|i)\b[^?]*\b(?:lower|reduce|drop|improve|move|get)"
    r"\b[^?]*\b(?:tier|risk|score|exposure)\b"
    r"|\bwhat would (?:it take|move|lower|raise|change)\b[^?]*\b(?:tier|risk|score)\b",
    re.IGNORECASE)
_SCENARIO = re.compile(r"\bscenarios?\b|\bstabili[sz]\w*|\bfurther decline|\bsharp (?:fall|"
                       r"decline)|\bdivergence\b|\btwo[- ]tier\b", re.IGNORECASE)
_SELF_HOST = re.compile(r"\bself[- ]?host|\bown (?:gpus?|hardware|servers?|infrastructure)\b|"
                        r"\bhost (?:it|the model|models|an? (?:open|llm)\w*)\b|"
                        r"\brun (?:it|the model|models|llms?|our own) (?:ourselves|in[- ]house)"
                        r"|\bin[- ]house (?:model|llm|inference)", re.IGNORECASE)
_RECOMMEND = re.compile(r"\brecommend|\b(?:top|main|key|first) (?:actions?|priorities|steps?|"
                        r"things)\b|\bwhat should (?:we|i) (?:do|focus on|prioriti[sz]e)\b|"
                        r"\bnext steps?\b|\bwhat (?:do|can) (?:we|i) do\b|\bwhere (?:do|should) "
                        r"(?:we|i) start\b", re.IGNORECASE)
_COST = re.compile(r"\bhow much (?:do|does|are|will|would|is) (?:we|our|it|i|this)\b|"
                   r"\b(?:our|my) (?:monthly |current |ai |api )?(?:costs?|spend|bill)\b|"
                   r"\bwhat (?:do|does|will) (?:we|it|this) (?:pay|cost)\b|\bcost us\b|"
                   r"\bhow much cheaper\b|\bcheaper (?:than|since|now|today)\b|"
                   r"\b(?:than|since|vs\.?|versus|compared (?:to|with)) 2023\b|"
                   r"\b2023 prices\b",
                   re.IGNORECASE)
_STATUS = re.compile(r"\bwhat(?:'s| is) (?:our|my|the) (?:risk|tier|score|rating|exposure)\b|"
                     r"\bhow (?:exposed|risky|at risk) (?:are|is) (?:we|us|our)\b|"
                     r"\bare we (?:at )?(?:high|medium|low|lower)?[- ]?risk\b"
                     r"|\bour (?:tier|score)\b",
                     re.IGNORECASE)
_MISSING = re.compile(r"\bconfiden|\bmissing\b|\bunanswered\b|\bwhat (?:else )?should (?:we|i) "
                      r"answer\b|\bhow (?:sure|certain)\b", re.IGNORECASE)
_TIER_WORDS = {"high": "high", "medium": "medium", "lower": "lower", "low": "lower"}
_TIER_ORDER = {"lower": 0, "medium": 1, "high": 2}


def _tier_answer(question: str, answers_file: Any, result: Result, rulebase: RuleBase,
                 prices: Any) -> Answer:
    from advisor.core.explain import what_if

    up = [r for r in result.fired_rules if r.points > 0]
    down = [r for r in result.fired_rules if r.points < 0]
    lines = [f"Your tier is **{result.tier}** with a score of {result.score} out of 100 (high "
             f"from {formatting.number(rulebase.tier_high)}, medium from "
             f"{formatting.number(rulebase.tier_medium)}). The score adds up the points of the "
             "rules that fired:", ""]
    for r in up[:6]:
        lines.append(f"- **{r.points:+g}** `{r.id}`: {r.explanation} *({r.source})*")
    for r in down[:3]:
        lines.append(f"- **{r.points:+g}** `{r.id}` (in your favour): {r.explanation} "
                     f"*({r.source})*")
    if not result.fired_rules:
        lines.append("- No rule fired: nothing in the answers raises the exposure.")
    asked = [_TIER_WORDS[w.lower()] for w in re.findall(r"\b(high|medium|lower|low)\b", question,
                                                        re.IGNORECASE)]
    asked = [t for t in asked if t != result.tier]
    direction = "up" if asked and _TIER_ORDER[asked[0]] > _TIER_ORDER[result.tier] else "down"
    if result.tier == "lower" and not asked:
        direction = "up"
    moves = what_if(answers_file, rulebase, prices)[direction]
    q = rulebase.questionnaire.by_id
    lines.append("")
    word = "lower" if direction == "down" else "raise"
    if moves:
        lines.append(f"What would {word} the tier (the smallest answer changes the engine "
                     "found):")
        for w in moves[:4]:
            parts = "; ".join(f"{q[c.question].prompt.rstrip('?')}: "
                              f"{q[c.question].label_for(c.before)} → "
                              f"{q[c.question].label_for(c.after)}" for c in w.changes)
            lines.append(f"- {parts} ⇒ **{w.tier}** ({w.score})")
    elif not ((direction == "down" and result.tier == "lower")
              or (direction == "up" and result.tier == "high")):
        lines.append(f"No change of one or two answers would {word} the tier.")
    else:
        lines.append("It is already the " + ("lowest" if direction == "down" else "highest")
                     + " tier.")
    sources = {r.source for r in result.fired_rules}
    for w in moves[:4]:
        sources |= {q[c.question].source for c in w.changes}
    return Answer("\n".join(lines) + "\n", _ordered(sources | {f"s2-{_s2(result.tier)}"}))


def _s2(tier: str) -> str:
    return {"high": "high", "medium": "medium", "lower": "lower"}[tier]


def _scenario_answer(question: str, result: Result, rulebase: RuleBase) -> Answer:
    chosen = None
    for i, (pattern, sid) in enumerate(_SCENARIO_NAMES):
        if re.search(pattern, question, re.IGNORECASE) or re.search(
                rf"\b(?:scenario\s*(?:#\s*)?{i + 1}|{('first', 'second', 'third')[i]} scenario)\b",
                question, re.IGNORECASE):
            chosen = sid
            break
    items = [s for s in result.scenarios if chosen is None or s.id == chosen]
    lines = []
    for s in items:
        number = [x.id for x in result.scenarios].index(s.id) + 1
        cost = (f" Your monthly AI cost would be about {formatting.usd(s.monthly_cost_usd)}"
                f" (today's prices ×{s.multiplier:g})." if s.monthly_cost_usd is not None
                and s.multiplier is not None else "")
        lines.append(f"**Scenario {number}: {s.title}** (probability "
                     f"{formatting.percent(s.probability)}). {s.summary}")
        lines.append(f"For you: {s.outlook}{cost}")
        lines.append("")
    expected = _cost(result, "scenarios", "expected_monthly_usd")
    now = _cost(result, "current", "monthly_usd")
    if chosen is None and expected is not None:
        lines.append(f"Weighted by these probabilities, the expected monthly cost in 12–24 "
                     f"months is {formatting.usd(expected)}"
                     + (f", against {formatting.usd(now)} today." if now is not None else "."))
    elif chosen is not None and now is not None:
        lines.append(f"Today the workload costs {formatting.usd(now)} a month.")
    return Answer("\n".join(lines).strip() + "\n", ["s5-scenarios"])


def _self_hosting_answer(result: Result, rulebase: RuleBase) -> Answer:
    from advisor.data.rules import load_knowledge

    h = _cost(result, "self_hosting")
    lines = []
    if h:
        now = _cost(result, "current", "monthly_usd")
        verdict = {"self-hosting pays": "Self-hosting would pay at your volume",
                   "stay on API": "Stay on the API at your volume",
                   "never pays": "Self-hosting never pays under these assumptions"}.get(
            h.get("verdict") or "", "No verdict (no volume to compare with the break-even)")
        lines.append(f"**{verdict}.**")
        if h.get("break_even_requests") is not None:
            lines.append(f"The break-even is about {formatting.number(h['break_even_requests'])} "
                         f"requests a month; you serve "
                         f"{formatting.number(_cost(result, 'monthly_requests'))}.")
        if h.get("monthly_usd") is not None and now is not None:
            lines.append(f"Self-hosting would cost about {formatting.usd(h['monthly_usd'])} a "
                         f"month (with {h.get('gpus_needed')} GPU(s) busy), against "
                         f"{formatting.usd(now)} on the API.")
        lines.append("These use the self-hosting assumptions listed in the report (GPU price "
                     "per hour, throughput, fixed monthly cost); change them in the answers "
                     "file if you have real quotes.")
    else:
        lines.append("This assessment cannot price self-hosting: it needs a model and token "
                     "counts (and a volume for a verdict).")
    entry = load_knowledge().by_id.get("faq-q2-self-hosting")
    matched = []
    if entry is not None:
        lines += ["", f"From the article ({SECTION_TITLES[entry.section]}): {entry.text}"]
        matched.append(entry.id)
    sources = ["faq-q2"]
    if result.answers.get("self_hosted_gpus") or result.answers.get("on_prem_required"):
        entry = load_knowledge().by_id.get("faq-q4-small-business")
        if entry is not None:
            lines.append(f"Owned GPUs also mean ({SECTION_TITLES['faq-q4']}): {entry.text}")
            matched.append(entry.id)
            sources.append("faq-q4")
    return Answer("\n".join(lines) + "\n", sources, matched=matched)


def _recommendations_answer(result: Result) -> Answer:
    if not result.recommendations:
        return Answer("No recommendation is triggered by these answers. Answering the open "
                      "questions would sharpen the picture.\n", [])
    lines = ["Your recommendations, in priority order:", ""]
    for r in result.recommendations:
        title = SECTION_TITLES.get(r.source, r.source)
        lines.append(f"{r.priority}. **{r.title}.** {r.why} *({title})*")
    return Answer("\n".join(lines) + "\n", _ordered(r.source for r in result.recommendations))


def _article_reduction() -> str:
    """The article's headline figure, from the dated anchor kept in rules/anchors.toml."""
    from advisor.data.rules import load_rulebase

    r = load_rulebase().anchors["reduction"]
    return (f"For comparison, the article puts the fall at GPT-4-level performance at "
            f"{r['low_pct']}–{r['high_pct']}% ({r['date']}); your figure differs because it "
            "compares your model, not the cheapest model of equal quality.")


def _cost_answer(result: Result) -> Answer:
    c = result.costs or {}
    now = _cost(result, "current", "monthly_usd")
    if now is None and c.get("reported_spend_usd") is None:
        reasons = "; ".join((c.get("notes") or {}).values()) or "the cost inputs are missing"
        return Answer(f"This assessment has no monthly cost: {reasons}.\n", ["s1-prices"])
    lines = []
    if now is not None:
        lines.append(f"At today's prices for {_cost(result, 'current', 'model')}, the workload "
                     f"costs about **{formatting.usd(now)} a month** "
                     f"({formatting.number(c.get('monthly_requests'))} requests).")
        base = _cost(result, "baseline_2023", "monthly_usd")
        if base is not None:
            lines.append(f"At GPT-4's March 2023 launch prices the same tokens would have cost "
                         f"{formatting.usd(base)}"
                         + (f", so you pay {formatting.pct(c['reduction_vs_2023_pct'])} less."
                            if c.get("reduction_vs_2023_pct") is not None else "."))
            lines.append(_article_reduction())
        band = c.get("open_model_band") or {}
        if band.get("low_usd") is not None:
            lines.append(f"On the open-model band of late 2025 to early 2026 it would cost "
                         f"{formatting.usd(band['low_usd'])} to "
                         f"{formatting.usd(band['high_usd'])}.")
        if c.get("per_task_usd") is not None:
            lines.append(f"One request costs {formatting.usd(c['per_task_usd'])}.")
    if c.get("reported_spend_usd") is not None:
        lines.append(f"You reported {formatting.usd(c['reported_spend_usd'])} a month of API "
                     "spend" + (", more than twice off the computed figure: check the inputs."
                                if c.get("spend_gap_flagged") else "."))
    expected = _cost(result, "scenarios", "expected_monthly_usd")
    if expected is not None:
        lines.append(f"Across the three scenarios the expected monthly cost in 12–24 months is "
                     f"{formatting.usd(expected)}.")
    return Answer(" ".join(lines) + "\n", ["s1-prices", "s5-scenarios"])


def _status_answer(result: Result, rulebase: RuleBase) -> Answer:
    up = [r for r in result.fired_rules if r.points > 0][:3]
    drivers = "; ".join(f"{r.explanation.rstrip('.')} ({r.points:+g})" for r in up)
    text = (f"Your tier is **{result.tier}**: a score of {result.score} out of 100, confidence "
            f"{formatting.percent(result.confidence)}."
            + (f" The main drivers: {drivers}." if drivers else " No risk driver fired."))
    return Answer(text + "\n", _ordered({r.source for r in up} | {f"s2-{_s2(result.tier)}"}))


def _missing_answer(result: Result, rulebase: RuleBase) -> Answer:
    if not result.missing:
        return Answer(f"Confidence is {formatting.percent(result.confidence)}: every question "
                      "that counts for this role is answered.\n", [])
    lines = [f"Confidence is {formatting.percent(result.confidence)} because "
             f"{len(result.missing)} question(s) that matter here are unanswered:", ""]
    lines += [f"- {m.prompt}" for m in result.missing]
    q = rulebase.questionnaire.by_id
    return Answer("\n".join(lines) + "\n",
                  _ordered(q[m.id].source for m in result.missing if m.id in q))


# ---------------------------------------------------------------------------- knowledge


def _knowledge_answer(question: str) -> Answer | None:
    from advisor.data.rules import load_knowledge

    matches = load_knowledge().search(question, limit=3)
    if not matches:
        return None
    top = matches[0]
    lines = [f"From the article ({SECTION_TITLES[top.entry.section]}): {top.entry.text}"]
    used = [top]
    for m in matches[1:]:
        if m.score >= 0.75 * top.score and m.entry.section != top.entry.section:
            lines.append(f"\nRelated ({SECTION_TITLES[m.entry.section]}): {m.entry.text}")
            used.append(m)
            break
    lines.append("\n_Matched " + "; ".join(
        f"knowledge entry `{m.entry.id}` on: {', '.join(m.matched[:5])}" for m in used) + "._")
    return Answer("\n".join(lines) + "\n", _ordered(m.entry.section for m in used),
                  matched=[m.entry.id for m in used])


# ---------------------------------------------------------------------------- offline

_Intent = tuple[re.Pattern[str], Callable[..., Answer]]


def answer_offline(question: str, answers_file: Any, result: Result, rulebase: RuleBase,
                   prices: Any) -> Answer:
    """The answer without any LLM."""
    if _WHAT_IF.search(question):
        edits, problems = parse_what_if(question, answers_file, rulebase, prices)
        if edits:
            answer = _what_if_answer(edits, answers_file, result, rulebase, prices)
            if problems:
                answer.text += "\nNot applied: " + "; ".join(problems) + ".\n"
            return answer
        if problems:
            return Answer("I could not recompute that: " + "; ".join(problems) + ".\n", [],
                          answered=False)
    if _WHY_TIER.search(question):
        return _tier_answer(question, answers_file, result, rulebase, prices)
    if _SCENARIO.search(question):
        return _scenario_answer(question, result, rulebase)
    if _SELF_HOST.search(question):
        return _self_hosting_answer(result, rulebase)
    if _RECOMMEND.search(question):
        return _recommendations_answer(result)
    if _COST.search(question):
        return _cost_answer(result)
    if _STATUS.search(question):
        return _status_answer(result, rulebase)
    if _MISSING.search(question):
        return _missing_answer(result, rulebase)
    found = _knowledge_answer(question)
    if found is not None:
        return found
    if _WHAT_IF.search(question):
        return Answer("I could not turn that into a change I can recompute. I understand "
                      "changes to the volume (\"doubles\", \"2 million requests a month\"), the "
                      "model (\"switch to gpt-4o-mini\"), tokens per call (\"input tokens were "
                      "3000\"), calls per task (\"each task took 50 calls\"), scenario "
                      "probabilities (\"stabilization were 70%\") and the answers to choice "
                      "questions (\"switching cost were high\").\n", [], answered=False)
    return Answer(NO_ANSWER + "\n", [], answered=False)


# ---------------------------------------------------------------------------- with an LLM


def _with_llm(question: str, offline: Answer, result: Result, rulebase: RuleBase,
              settings: Any, store: Any, llm_extra: dict[str, Any]) -> Answer:
    from advisor.data.rules import load_knowledge
    from advisor.llm import guard
    from advisor.llm.client import LLMFailure, complete, seconds
    from advisor.llm.facts import build_facts
    from advisor.llm.prompt import ask_messages, retry_messages, standing_from_counts
    from advisor.llm.secrets import scrub
    from advisor.llm.store_access import SafeStore
    from advisor.render.report import ROLE_LABELS

    kb = load_knowledge()
    entries = [kb.by_id[i] for i in offline.matched if i in kb.by_id]
    for m in kb.search(question, limit=3, min_score=2.0):
        if m.entry not in entries:
            entries.append(m.entry)
    entries = entries[:4]
    facts = build_facts(result, rulebase, notes_for=())
    computed = offline.text if offline.answered else ""
    access = SafeStore(store)
    try:
        messages = ask_messages(facts, role=ROLE_LABELS.get(result.role, result.role),
                                question=question, entries=entries, computed=computed,
                                standing=standing_from_counts(access.failure_counts()))
        allowed = guard.FactFigures([*facts.texts(), computed, *(e.text for e in entries)])
        grounding = set(offline.sources) | {e.section for e in entries} | set(facts.sections)
        attempt_messages = messages
        spent: list[Any] = []
        reason = ""
        for attempt in range(2):
            try:
                completion = complete(settings, attempt_messages, **llm_extra)
            except LLMFailure as failure:
                access.record_failure(failure.kind, settings.model, "", failure.detail)
                reason = {
                    "timeout": f"the model did not answer within {seconds(settings.timeout)}",
                    "rate_limit": "the provider kept refusing with rate limits",
                    "malformed_response": "the provider's response could not be read",
                }.get(failure.kind, "the provider returned an error")
                break
            spent.append(completion)
            text = guard.normalize(completion.text)
            if text.strip() == "NO_ANSWER":
                return _priced(Answer(NO_ANSWER + "\n", [], answered=False, source="llm",
                                      model=settings.model), spent)
            violations = guard.check(text, facts=allowed, tier=result.tier, max_chars=2500,
                                     truncated=completion.truncated)
            for v in violations:
                access.record_failure(v.kind, settings.model, v.span,
                                      f"ask attempt {attempt + 1}: {v.message}")
            if not violations:
                cited = set(re.findall(r"\[([a-z0-9-]+)\]", text))
                sources = _ordered(cited & grounding) or offline.sources
                return _priced(Answer(text, sources, offline.recomputed, True,
                                      matched=[e.id for e in entries], source="llm",
                                      model=settings.model), spent)
            reason = violations[0].message
            attempt_messages = retry_messages(messages, [v.message for v in violations])
        offline.note = scrub(f"The LLM answer was not used: {reason}; the built-in answer is "
                             "shown.")
        offline.model = settings.model
        return _priced(offline, spent)
    finally:
        access.close()


def _priced(answer: Answer, spent: list[Any]) -> Answer:
    if spent:
        answer.input_tokens = sum(c.input_tokens for c in spent)
        answer.output_tokens = sum(c.output_tokens for c in spent)
        answer.usd = (None if any(c.usd is None for c in spent)
                      else round(sum(c.usd for c in spent), 8))
    return answer


# ---------------------------------------------------------------------------- entry points


def answer(question: str, answers_file: Any, rulebase: RuleBase, prices: Any,
           settings: Any | None = None, *, result: Result | None = None, store: Any = None,
           **llm_extra: Any) -> Answer:
    """Answer ``question`` about the assessment of ``answers_file`` (a validated answers file,
    or a path to one). ``result`` may be passed to skip re-assessing; ``settings`` turns on
    the LLM (``llm_extra`` goes to litellm, e.g. ``mock_response`` in tests)."""
    from advisor.core.assess import assess
    from advisor.data.answers_file import read_answers_file

    if isinstance(answers_file, str | Path):
        answers_file = read_answers_file(str(answers_file))
    question = " ".join(str(question).split())
    if not question:
        return Answer("Ask a question in plain words, for example \"why this tier?\" or \"what "
                      "if our volume doubles?\".\n", [], answered=False)
    if result is None:
        result = assess(answers_file, rulebase, prices)
    offline = answer_offline(question, answers_file, result, rulebase, prices)
    if settings is None:
        return offline
    return _with_llm(question, offline, result, rulebase, settings, store, llm_extra)
