"""Ask with an LLM: the model works through tools that run the core, and the guard checks it.

Tools (OpenAI-style function calling, through litellm):

- ``recompute_what_if``: the engine recomputes the assessment with changed answers;
- ``read_result``: one part of the result in force (summary, costs, scenarios, ...);
- ``article_section``: the article's facts for one section key.

The model's final text is checked by the guard: every figure must come from a tool result, the
assessment's facts or the offline answer, and the tier must be the engine's. A violation is
retried once with the problem named; a second violation, a provider failure, or a model that
keeps calling tools falls back to the offline answer, with a note saying why.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from advisor.ask.answer import Answer
from advisor.ask.context import CANNOT, Context, ordered
from advisor.ask.edits import MAX_FACTOR, SCENARIO_IDS, Edit, merged
from advisor.ask.reading import cost, plain
from advisor.ask.whatif import WhatIf, apply
from advisor.core.errors import InputError
from advisor.core.result import Result
from advisor.core.sources import SECTION_KEYS, SECTION_TITLES

MAX_ROUNDS = 5  # model turns in one answer (tool calls and drafts together)
MAX_DRAFTS = 2
PARTS = ("summary", "costs", "scenarios", "recommendations", "self_hosting", "missing",
         "cautions")

TOOLS: list[dict[str, Any]] = [
    {"type": "function", "function": {
        "name": "recompute_what_if",
        "description": "Recompute the assessment with changed answers, on top of the what-if "
                       "already in force (the rules engine runs; nothing is estimated). Give "
                       "only the changes the question asks about.",
        "parameters": {"type": "object", "properties": {
            "volume_factor": {"type": "number", "description": "multiply the volume, e.g. 2"},
            "monthly_requests": {"type": "number", "description": "set requests a month"},
            "daily_users": {"type": "number", "description": "set daily users"},
            "model": {"type": "string", "description": "another model, e.g. gpt-4o-mini"},
            "price_in_per_mtok": {"type": "number", "description": "$ per million input tokens"},
            "price_out_per_mtok": {"type": "number",
                                   "description": "$ per million output tokens"},
            "calls_per_task": {"type": "integer", "description": "LLM calls per task"},
            "market_price_factor": {"type": "number", "description": "a market-wide price "
                                    "change: 0.1 = prices fall 10x, 1 = they stop falling"},
            "probabilities": {"type": "object", "description": "scenario probabilities, "
                              "summing to 1", "properties": {
                                  k: {"type": "number"} for k in SCENARIO_IDS}},
        }, "additionalProperties": False}}},
    {"type": "function", "function": {
        "name": "read_result",
        "description": "Read one part of the assessment (the what-if in force, if any).",
        "parameters": {"type": "object", "properties": {
            "part": {"type": "string", "enum": list(PARTS)}}, "required": ["part"],
            "additionalProperties": False}}},
    {"type": "function", "function": {
        "name": "article_section",
        "description": "The article's facts for one section, by key.",
        "parameters": {"type": "object", "properties": {
            "key": {"type": "string", "enum": sorted(SECTION_KEYS)}}, "required": ["key"],
            "additionalProperties": False}}},
]


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def result_part(result: Result, part: str) -> dict[str, Any]:
    """One part of a result as plain data (what ``read_result`` returns)."""
    if part == "summary":
        return {"tier": result.tier, "score": result.score, "confidence": result.confidence,
                "role": result.role, "organization": result.organization,
                "drivers": [{"rule": r.id, "points": r.points, "why": r.explanation,
                             "source": r.source} for r in result.fired_rules]}
    if part == "costs":
        keep = ("monthly_requests", "monthly_calls", "current", "baseline_2023",
                "open_model_band", "reduction_vs_2023_pct", "reported_spend_usd",
                "api_share_of_ai_budget", "per_task_usd", "volume_basis")
        return _round({k: plain(cost(result, k)) for k in keep})
    if part == "scenarios":
        return _round({"scenarios": [{"id": s.id, "title": s.title, "probability": s.probability,
                                      "multiplier": s.multiplier,
                                      "monthly_cost_usd": s.monthly_cost_usd,
                                      "outlook": s.outlook, "source": s.source}
                                     for s in result.scenarios],
                       "expected_monthly_usd": cost(result, "scenarios",
                                                    "expected_monthly_usd")})
    if part == "recommendations":
        return {"recommendations": [{"id": r.id, "priority": r.priority, "title": r.title,
                                     "why": r.why, "source": r.source}
                                    for r in result.recommendations]}
    if part == "self_hosting":
        return _round(plain(cost(result, "self_hosting"))
                      or {"unavailable": "needs a model, token counts and a volume"})
    if part == "missing":
        return {"confidence": result.confidence,
                "unanswered": [m.prompt for m in result.missing]}
    if part == "cautions":
        return {"cautions": [{"id": x.id, "text": x.text, "applies": x.applies,
                              "source": x.source} for x in result.cautions]}
    raise ValueError(f"unknown part {part!r}; one of {', '.join(PARTS)}")


class Tools:
    """Runs the tools for one answer, keeping what they returned (for the guard)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.outputs: list[str] = []  # successful results only: the facts a draft may cite
        self.errors: list[str] = []  # tool errors, never facts (they may echo a guess)
        self.sections: set[str] = set()
        self.whatif: WhatIf | None = None
        self.edits: list[Edit] = []  # the edits of the last recompute, in the edit form

    def run(self, name: str, arguments: dict[str, Any], error: str = "") -> str:
        """The tool's result as JSON text; a failure is ``{"error": ...}``, for the model."""
        try:
            if error:
                raise ValueError(error)
            if name == "recompute_what_if":
                out = self._recompute(arguments)
            elif name == "read_result":
                out = result_part(self.ctx.now if self.whatif is None else self.whatif.result,
                                  str(arguments.get("part", "")))
            elif name == "article_section":
                out = self._section(str(arguments.get("key", "")))
            else:
                raise ValueError(f"no tool named {name!r}; the tools are "
                                 + ", ".join(t["function"]["name"] for t in TOOLS))
        except (InputError, ValueError, TypeError, OverflowError) as exc:
            message = exc.message if isinstance(exc, InputError) else str(exc)
            text = json.dumps({"error": message}, ensure_ascii=False, default=str)
            self.errors.append(text)
            return text
        text = json.dumps(out, ensure_ascii=False, default=str)
        self.outputs.append(text)
        return text

    def _section(self, key: str) -> dict[str, Any]:
        from advisor.data.rules import load_knowledge

        if key not in SECTION_KEYS:
            raise ValueError(f"unknown section key {key!r}")
        self.sections.add(key)
        return {"key": key, "title": SECTION_TITLES[key],
                "facts": [e.text for e in load_knowledge().entries if e.section == key]}

    def _edits(self, a: dict[str, Any]) -> list[Edit]:
        edits: list[Edit] = []
        for key in ("volume_factor", "market_price_factor"):
            if a.get(key) is not None:
                f = float(a[key])
                if not math.isfinite(f) or not 1 / MAX_FACTOR <= f <= MAX_FACTOR:
                    raise ValueError(f"{key} {f:g} is beyond what can be computed")
                edits.append(Edit("volume_factor" if key == "volume_factor" else "market", f))
        for key, kind in (("monthly_requests", "requests"), ("daily_users", "daily_users")):
            if a.get(key) is not None:
                n = float(a[key])
                if not math.isfinite(n) or not 0 <= n <= 1e12:
                    raise ValueError(f"{key} {n:g} is beyond what can be computed")
                edits.append(Edit(kind, n))
        if a.get("model"):
            edits.append(Edit("model", self.ctx.prices.resolve(str(a["model"]), {}).model))
        price = {k: float(a[f"price_{k}_per_mtok"]) for k in ("in", "out")
                 if a.get(f"price_{k}_per_mtok") is not None}
        if price:
            edits.append(Edit("price", price))
        if a.get("calls_per_task") is not None:
            edits.append(Edit("calls_per_task", int(a["calls_per_task"])))
        if a.get("probabilities"):
            p = {k: float(a["probabilities"].get(k, 0)) for k in SCENARIO_IDS}
            if abs(sum(p.values()) - 1) > 1e-6:
                raise ValueError("the probabilities must sum to 1")
            edits.append(Edit("probabilities", p))
        if not edits:
            raise ValueError("no change given")
        return edits

    def _recompute(self, a: dict[str, Any]) -> dict[str, Any]:
        ctx = self.ctx
        edits = self._edits(a)
        problem = asked_for(edits, ctx.parsed.edits)
        if problem:
            raise ValueError(problem)

        w = apply(ctx.answers_file, ctx.base, merged(list(ctx.prior_edits), edits), ctx.rulebase,
                  ctx.prices)
        self.whatif, self.edits = w, edits
        r = w.result
        return _round({"changes": w.labels, "tier": r.tier, "score": r.score,
                       "monthly_usd": cost(r, "current", "monthly_usd"),
                       "cost_basis": cost(r, "current", "basis"),
                       "per_task_usd": cost(r, "per_task_usd"),
                       "monthly_requests": cost(r, "monthly_requests"),
                       "monthly_calls": cost(r, "monthly_calls"),
                       "expected_monthly_usd": cost(r, "scenarios", "expected_monthly_usd"),
                       "scenarios": {s.id: s.monthly_cost_usd for s in r.scenarios},
                       "self_hosting_verdict": cost(r, "self_hosting", "verdict"),
                       "before": {"monthly_usd": cost(ctx.base, "current", "monthly_usd"),
                                  "tier": ctx.base.tier}})


_GROUPS = {"volume_factor": "volume", "requests": "volume", "add_requests": "volume",
           "daily_users": "volume", "per_user": "volume", "market": "market", "price": "price",
           "model": "model",
           "calls_per_task": "calls", "probabilities": "probabilities",
           "input_tokens": "tokens", "output_tokens": "tokens", "answer": "answer"}


def asked_for(edits: list[Edit], asked: list[Edit]) -> str | None:
    """Why ``edits`` (a tool call) are not the change the question asked for, or None.

    When the question's own parse found changes, the call may change only those kinds of
    figure (a volume question may not also switch the model). When it found none, the model
    may have understood more than the parser, and the call stands on its own."""
    if not asked:
        return None
    wanted = {_GROUPS[e.kind] for e in asked}
    extra = [e for e in edits if _GROUPS[e.kind] not in wanted]
    if not extra:
        return None
    return (f"the question asks to change {' '.join(e.form() for e in asked)}; this call also "
            f"changes {' '.join(e.form() for e in extra)}, which it did not ask about. Call "
            "again with only the changes asked for")


def answer_with_llm(ctx: Context, offline: Answer, settings: Any, store: Any,
                    extra: dict[str, Any], commit: Any = None) -> Answer:
    """The LLM's answer through tools, guarded; the offline answer when anything fails.

    ``commit(edits, whatif)`` makes the what-if the model recomputed the conversation's state,
    so the text, the JSON (figures, what_if, recomputed) and the next question all agree. Every
    failure is recorded in the store with what the attempt had cost so far."""
    from advisor.data.rules import load_knowledge
    from advisor.llm import guard
    from advisor.llm.client import LLMFailure, complete_with_tools, seconds
    from advisor.llm.facts import build_facts
    from advisor.llm.prompt import ask_tools_messages, standing_from_counts
    from advisor.llm.secrets import scrub
    from advisor.llm.store_access import SafeStore
    from advisor.render.report import ROLE_LABELS

    kb = load_knowledge()
    entries = [kb.by_id[i] for i in offline.matched if i in kb.by_id][:3]
    facts = build_facts(ctx.now, ctx.rulebase, notes_for=())
    computed = offline.text if offline.answered else ""
    tools = Tools(ctx)
    access = SafeStore(store)
    spent: list[Any] = []
    reason = "the model kept calling tools without answering"
    def spent_so_far() -> str:
        tin = sum(c.input_tokens for c in spent)
        tout = sum(c.output_tokens for c in spent)
        usd = None if any(c.usd is None for c in spent) else sum(c.usd for c in spent)
        return (f" (spent so far: {tin} input and {tout} output tokens, "
                + ("cost unknown" if usd is None or (usd == 0 and tin + tout) else
                   f"${usd:.6f}") + ")")

    def record(kind: str, span: str, detail: str) -> None:
        access.record_failure(kind, settings.model, span, detail + spent_so_far())

    try:
        messages: list[dict[str, Any]] = list(ask_tools_messages(
            facts.as_json(), role=ROLE_LABELS.get(ctx.now.role, ctx.now.role),
            question=ctx.question, entries=entries, computed=computed,
            standing=standing_from_counts(access.failure_counts())))
        drafts = 0
        for _ in range(MAX_ROUNDS):
            try:
                turn = complete_with_tools(settings, messages, TOOLS, **extra)
            except LLMFailure as failure:
                record(failure.kind, "", failure.detail)
                reason = {
                    "timeout": f"the model did not answer within {seconds(settings.timeout)}",
                    "rate_limit": "the provider kept refusing with rate limits",
                    "malformed_response": "the provider's response could not be read",
                }.get(failure.kind, "the provider returned an error")
                break
            spent.append(turn)
            if turn.tool_calls:
                messages.append(turn.message)
                for call in turn.tool_calls:
                    result = tools.run(call.name, call.arguments, getattr(call, "error", ""))
                    if result.startswith('{"error"'):
                        record("tool_error", call.name, f"ask tool call {call.name}: {result}")
                    messages.append({"role": "tool", "tool_call_id": call.id,
                                     "content": result})
                continue
            drafts += 1
            text = guard.normalize(turn.text)
            if text.strip() == "NO_ANSWER":
                return _priced(Answer(CANNOT + "\n", [], answered=False, source="llm",
                                      model=settings.model, intent=offline.intent), spent)
            allowed = guard.FactFigures([*facts.texts(), computed, *tools.outputs,
                                         *(e.text for e in entries)])
            violations = guard.check(text, facts=allowed, tier=ctx.now.tier, max_chars=2500,
                                     truncated=turn.truncated)
            violations += constraint_violations(text, ctx)
            for v in violations:
                record(v.kind, v.span, f"ask attempt {drafts}: {v.message}")
            if not violations:
                return _priced(_accepted(ctx, offline, tools, text, entries, facts, settings,
                                         commit), spent)
            reason = violations[0].message
            if drafts >= MAX_DRAFTS:
                break
            messages.append({"role": "assistant", "content": turn.text})
            messages.append({"role": "user", "content": _retry(violations)})
        else:
            record("tool_loop", "", f"ask: {reason}")
        offline.note = scrub(f"The LLM answer was not used: {reason}; the built-in answer is "
                             "shown.")
        offline.model = settings.model
        return _priced(offline, spent, attempted=True)
    finally:
        access.close()


def _accepted(ctx: Context, offline: Answer, tools: Tools, text: str, entries: list[Any],
              facts: Any, settings: Any, commit: Any) -> Answer:
    """The model's answer, with the figures, what-if and state of what it computed."""
    grounding = (set(offline.sources) | {e.section for e in entries} | set(facts.sections)
                 | tools.sections)
    cited = set(re.findall(r"\[([a-z0-9-]+)\]", text))
    from advisor.ask.say import finish

    shown = finish(text, voice="you", limit=ctx.parsed.sentences)  # citations become sources
    reply = Answer(shown, ordered(cited & grounding) or offline.sources, offline.recomputed,
                   True, matched=[e.id for e in entries], source="llm", model=settings.model,
                   intent=offline.intent, figures=dict(offline.figures),
                   what_if=list(offline.what_if))
    w = tools.whatif
    if w is not None:
        if commit is not None:
            commit(tools.edits, w)
        r = w.result
        reply.recomputed, reply.what_if = r, list(w.labels)
        reply.figures = {k: round(float(v), 6) for k, v in (
            ("monthly_usd", cost(r, "current", "monthly_usd")),
            ("per_task_usd", cost(r, "per_task_usd")),
            ("expected_monthly_usd", cost(r, "scenarios", "expected_monthly_usd")),
            ("monthly_requests", cost(r, "monthly_requests"))) if v is not None}
    return reply


_API_ADVICE = re.compile(r"\bstay(?:ing)? on (?:the |an |your )?(?:cloud )?apis?\b"
                         r"|\bmulti[- ]?provider\b|\b(?:move|switch|migrate) (?:\w+ ){0,2}to "
                         r"(?:an? |the )?(?:cloud |hosted |open[- ]model )?apis?\b",
                         re.IGNORECASE)
_ZERO_COST = re.compile(r"\$\s?0(?:\.0+)?(?![\d.,]*[1-9])")


def constraint_violations(text: str, ctx: Context) -> list[Any]:
    """What in a draft contradicts the user's constraints: API advice to an organisation that
    must stay on-premises (unless the question itself quoted it), or a $0 cost where the
    assessment has none (no model, in-house hardware, no usage)."""
    from advisor.ask.context import in_house, monthly
    from advisor.llm.guard import Violation

    out = []
    if in_house(ctx.now):
        m = _API_ADVICE.search(text)
        if m and not _API_ADVICE.search(ctx.question):
            out.append(Violation("contradicts_constraint", m.group(0),
                                 f"the answer advised {m.group(0)!r} to an organisation that "
                                 "must stay on-premises"))
    if monthly(ctx.now)[0] is None or in_house(ctx.now):
        m = _ZERO_COST.search(text)
        if m:
            out.append(Violation("contradicts_constraint", m.group(0),
                                 "the answer gave a $0 cost where the assessment has no cost "
                                 "(no model, no usage or in-house hardware)"))
    return out


def _retry(violations: list[Any]) -> str:
    from advisor.llm.prompt import _render

    return _render("retry.j2", problems=[v.message for v in violations])


def _priced(answer: Answer, spent: list[Any], *, attempted: bool = False) -> Answer:
    """Tokens and dollars the LLM attempt spent. A call that was made never shows $0: when
    the provider gave no price (or tokens were spent at a price of 0), the cost is unknown."""
    if spent:
        answer.input_tokens = sum(c.input_tokens for c in spent)
        answer.output_tokens = sum(c.output_tokens for c in spent)
        usd = None if any(c.usd is None for c in spent) else round(sum(c.usd for c in spent), 8)
        answer.usd = None if usd == 0 else usd
    elif attempted:
        answer.usd = None
    return answer
