"""Answers about the business, without any LLM: the tier and its levers, what to do first,
defences, GPUs, pricing, shelved use cases, quality, monitoring, the article's cautions and
sources. Each leads with what the person answered, and keeps to their constraints.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.ask.answer import Answer
from advisor.ask.context import (
    CANNOT,
    CONFLICTS_ON_PREM,
    Context,
    archetype_label,
    cap,
    cost,
    gpu_cloud_line,
    gpus,
    in_house,
    knowledge_text,
    model_name,
    monthly,
    on_prem_line,
    ordered,
    paragraphs,
    volume_words,
)
from advisor.ask.figures import money
from advisor.core.result import Result
from advisor.core.sources import SECTION_TITLES
from advisor.render import formatting

# ---------------------------------------------------------------------------- the business


def _recs(r: Result) -> list[Any]:
    return [x for x in r.recommendations
            if not (in_house(r) and x.id in CONFLICTS_ON_PREM)]


def _because(rec: Any) -> str:
    """' Because …' from the answers that selected it, when the core gives them in words."""
    words = [b for b in getattr(rec, "because", ()) or () if isinstance(b, str) and " " in b]
    return f" Because {'; '.join(words)}." if words else ""


def top_actions(ctx: Context) -> Answer:
    r = ctx.now
    lines = []
    if in_house(r) and not any(x.id == "plan-owned-capacity" for x in r.recommendations):
        lines.append(on_prem_line(r))
    bill, computed = cost(r, "reported_spend_usd"), cost(r, "current", "monthly_usd")
    if (bill is not None and computed and abs(bill - computed) > 0.2 * computed
            and not any("bill" in x.title.lower() for x in r.recommendations)):
        lines.append(f"First, reconcile the bill: it says {ctx.fig('bill_usd', bill)} a month "
                     f"against {ctx.fig('monthly_usd', computed)} computed from your answers.")
    recs = _recs(r)
    if recs:
        lines.append("Your recommendations, in priority order:\n\n" + "\n".join(
            f"{i}. **{x.title}.**{_because(x)} {x.why} "
            f"*({SECTION_TITLES.get(x.source, x.source)})*"
            for i, x in enumerate(recs[:_how_many(ctx.question)], start=1)))
    if not lines:
        lines.append("No recommendation is triggered by these answers; answering the open "
                     "questions would sharpen the picture.")
    return Answer(paragraphs(*lines), ordered(x.source for x in recs))


def _how_many(question: str) -> int:
    """How many recommendations the question asks for: "top 3" → 3, "do first" → 3, else 5."""
    m = re.search(r"\b(\d+|one|two|three|four|five)\b(?= (?:\w+ )?(?:things|actions|steps|"
                  r"priorities|recommendations|moves))", question, re.IGNORECASE)
    if m:
        word = m.group(1).lower()
        return {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}.get(word) or int(word)
    return 3 if re.search(r"\bfirst\b", question, re.IGNORECASE) else 5


_TIER_ORDER = {"lower": 0, "medium": 1, "high": 2}


_MOVES: dict[str, Any] = {}
_MOVES_KEPT = 32  # answers files whose tier moves are remembered (a conversation's, a batch's)


def tier_moves(answers_file: Any, rulebase: Any, prices: Any) -> Any:
    """The engine's smallest answer changes that move the tier (core.explain.what_if): it
    reassesses dozens of times, so it runs once per set of answers and is remembered."""
    import json

    from advisor.core.explain import what_if as moves_for

    key = json.dumps(answers_file.as_data(), sort_keys=True, default=str) + rulebase.digest
    if key not in _MOVES:
        if len(_MOVES) >= _MOVES_KEPT:
            _MOVES.pop(next(iter(_MOVES)))
        _MOVES[key] = moves_for(answers_file, rulebase, prices)
    return _MOVES[key]


def why_tier(ctx: Context) -> Answer:
    import re


    r, rb = ctx.now, ctx.rulebase
    up = [x for x in r.fired_rules if x.points > 0]
    down = [x for x in r.fired_rules if x.points < 0]
    archetype = archetype_label(r, rb)
    lines = [f"Your tier is **{r.tier}** with a score of {r.score} out of 100 (high from "
             f"{formatting.number(rb.tier_high)}, medium from {formatting.number(rb.tier_medium)})"
             + (f"; you answered that the business is: {archetype}." if archetype else ".")]
    if ctx.whatif is not None:  # the tier under the what-if, against the assessment's
        from advisor.ask.say import phrase, reader

        b = ctx.base
        lines.insert(0, phrase("tier_moved" if b.tier != r.tier else "tier_held",
                               reader(r, rb), before=b.tier, after=r.tier,
                               score_before=b.score, score_after=r.score))
    if up:
        lines.append("What raises it:\n\n" + "\n".join(
            f"- **{x.points:+g}** {x.explanation} *({SECTION_TITLES.get(x.source, x.source)})*"
            for x in up[:6]))
    if down:
        lines.append("What protects you:\n\n" + "\n".join(
            f"- **{x.points:+g}** {x.explanation} *({SECTION_TITLES.get(x.source, x.source)})*"
            for x in down[:4]))
    if not r.fired_rules:
        lines.append("No rule fired: nothing in the answers raises the exposure.")
    asked = [{"low": "lower"}.get(w.lower(), w.lower()) for w in
             re.findall(r"\b(high|medium|lower|low)\b", ctx.question, re.IGNORECASE)]
    asked = [t for t in asked if t != r.tier]
    direction = "up" if asked and _TIER_ORDER[asked[0]] > _TIER_ORDER[r.tier] else "down"
    if r.tier == "lower" and not asked:
        direction = "up"
    source_file = ctx.whatif.answers_file if ctx.whatif else ctx.answers_file
    from advisor.ask.lexicon import read

    change = read("lexicon.toml")["directions"]["tier_change"]
    low = f" {' '.join(re.findall(r'[a-z]+', ctx.question.lower()))} "
    wants_moves = bool(asked) or any(f" {w} " in low for w in change)
    moves = tier_moves(source_file, rb, ctx.prices)[direction] if wants_moves else []
    q = rb.questionnaire.by_id
    word = "lower" if direction == "down" else "raise"
    if not wants_moves:
        pass
    elif moves:
        lines.append(f"What would {word} the tier (the smallest answer changes the engine "
                     "found):\n\n" + "\n".join(
                         "- " + "; ".join(f"{_prompt(q[c.question])}: "
                                          f"{_shown(q[c.question], c.before)} → "
                                          f"{_shown(q[c.question], c.after)}"
                                          for c in w.changes) + f" ⇒ **{w.tier}** ({w.score})"
                         for w in moves[:4]))
    elif (direction == "down" and r.tier == "lower") or (direction == "up" and r.tier == "high"):
        lines.append("It is already the " + ("lowest" if direction == "down" else "highest")
                     + " tier.")
    else:
        lines.append(f"No change of one or two answers would {word} the tier.")
    srcs = {x.source for x in r.fired_rules} | {f"s2-{r.tier}"}
    for w in moves[:4]:
        srcs |= {q[c.question].source for c in w.changes}
    return Answer(paragraphs(*lines), ordered(srcs))


def _prompt(question: Any) -> str:
    """A question's prompt without its typing hint ("(%, e.g. 72%)")."""
    return re.sub(r"\s*\([^)]*\)", "", str(question.prompt)).rstrip("?").strip()


def _shown(question: Any, value: Any) -> str:
    """An answer as a person reads it: "not answered", "-1%", "High"."""
    if value is None:
        return "not answered"
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in str(
            question.prompt):
        return f"{value:g}%"
    return str(question.label_for(value))


def confidence(ctx: Context) -> Answer:
    r = ctx.now
    lines = [f"Confidence is {formatting.percent(r.confidence)}"
             + (f": {len(r.missing)} question(s) that matter here are unanswered."
                if r.missing else ": every question that counts for this role is answered.")]
    if r.missing:
        lines.append("\n".join(f"- {m.prompt}" for m in r.missing[:8]))
    basis = cost(r, "volume_basis")
    if basis and monthly(r)[0] is not None:
        line = "The costs rest on " + {
            "answered": "the token sizes you gave.",
            "inferred_from_bill": "token volume inferred from your bill: at your model's price, "
                                  "the bill divided by your requests gives the tokens per "
                                  "request.",
            "default_sizes": "default token sizes per request (an assumption in the report)."
        }.get(basis, f"{basis}.")
        import re

        if re.search(r"\btokens?\b|how did you|based on|rest on|where do", ctx.question, re.I):
            lines.insert(0, line)
        else:
            lines.append(line)
    elif (cost(r, "monthly_input_tokens") is None and cost(r, "reported_spend_usd") is not None):
        lines.append(f"You gave no token sizes, so the costs rest on your reported bill of "
                     f"{ctx.fig('bill_usd', cost(r, 'reported_spend_usd'))} a month.")
    if in_house(r):
        lines.append("Your in-house cost rests on the self-hosting assumptions (GPU price per "
                     "hour, throughput, fixed cost): on-prem figures are only as good as those.")
    q = ctx.rulebase.questionnaire.by_id
    return Answer(paragraphs(*lines), ordered(q[m.id].source for m in r.missing if m.id in q))


def sells_nothing(r: Result) -> bool:
    """A team that sells nothing (an internal user, a non-profit): never told about paid
    plans, competitors or customers' systems (experience.md, the reader's voice)."""
    a = r.answers
    return a.get("archetype") == "internal_user" or a.get("pricing_model") == "not_applicable"


def _sells_nothing(ctx: Context, topic: str) -> Answer:
    from advisor.ask.say import phrase, reader

    return Answer(phrase(f"sells_nothing_{topic}", reader(ctx.now, ctx.rulebase)) + "\n",
                  ["s6-checklist"])


def moat(ctx: Context) -> Answer:
    r = ctx.now
    if sells_nothing(r):
        return _sells_nothing(ctx, "moat")
    a = r.answers
    q = ctx.rulebase.questionnaire.by_id
    shown = []
    for qid, words in (("switching_cost", "switching cost"), ("proprietary_data",
                       "proprietary data"), ("integration_depth", "integration depth"),
                       ("provider_overlap", "provider overlap")):
        if a.get(qid) is not None and qid in q:
            shown.append(f"{words} {str(q[qid].label_for(a[qid])).lower()}")
    lines = ["As you answered: " + ", ".join(shown) + "." if shown else
             "Your answers do not say how customers are held (switching cost, data, "
             "integration): answer those to sharpen this."]
    lines.append(knowledge_text("high-defence"))
    if a.get("provider_overlap") in ("yes", "unsure") or "provider" in ctx.question.lower() or (
            "openai" in ctx.question.lower() or "anthropic" in ctx.question.lower()):
        lines.append(knowledge_text("high-provider-competition"))
    if r.role == "investor":
        lines.append(knowledge_text("s6-investor-moat"))
    return Answer(paragraphs(*lines), ["s2-high", "s4-business-model"]
                  + (["s6-checklist"] if r.role == "investor" else []))


def gpu_demand(ctx: Context) -> Answer:
    r = ctx.now
    a = r.answers
    if a.get("archetype") == "gpu_cloud":
        return Answer(paragraphs(gpu_cloud_line(), knowledge_text("medium-chip-alternatives"),
                             "What to do: diversify beyond commodity GPU rental (managed "
                             "inference, specialised services), and test the plan against a "
                             "further tenfold fall in prices (scenario 2)."), ["s2-medium"])
    if a.get("self_hosted_gpus") or in_house(r):
        return Answer(paragraphs(f"{cap(gpus(r))}.", on_prem_line(r) if in_house(r)
                             else None, "Spare owned capacity is the headroom for the use "
                             "cases that were shelved over cost."), ["faq-q4", "s6-checklist"])
    return Answer(paragraphs("You rent no GPUs of your own, so GPU demand reaches you only through "
                         "API prices: " + knowledge_text("medium-gpu-rental")), ["s2-medium"])


def pricing_model(ctx: Context) -> Answer:
    r = ctx.now
    if sells_nothing(r):
        return _sells_nothing(ctx, "pricing")
    pm = r.answers.get("pricing_model")
    value, _ = monthly(r)
    lines = []
    if pm == "free_tier" or "free" in ctx.question.lower():
        if value is not None:
            lines.append(f"Your free users cost about **{ctx.fig('monthly_usd', value)} a "
                         f"month** today ({volume_words(r)}).")
        lines.append(knowledge_text("s3-free-tiers"))
        sources = ["s3-patterns"]
    else:
        if pm == "per_call":
            lines.append("You charge per call, which ties revenue to a unit price the whole "
                         "market keeps pushing down.")
        lines.append(knowledge_text("s4-pricing") + " Move to outcome-based pricing: charge "
                     "for the "
                     "result or the completed workflow.")
        sources = ["s4-business-model"]
    return Answer(paragraphs(*lines), sources)


def deferred_use_cases(ctx: Context) -> Answer:
    r = ctx.now
    n = r.answers.get("deferred_use_cases")
    lines = [(f"Yes: reassess the {n} use case(s) you shelved over cost. " if n else
              "Yes: reassess the use cases shelved over cost. ")
             + knowledge_text("s6-enterprise-deferred")]
    base, value = cost(r, "baseline_2023", "monthly_usd"), monthly(r)[0]
    if in_house(r):
        lines.append(f"{cap(gpus(r))}: spare owned capacity is where those use cases "
                     "can run without new hardware.")
        lines.append(on_prem_line(r))
    elif base and value is not None:
        lines.append(f"Your current workload costs {money(value)} a month; at 2023 prices it "
                     f"would have cost {money(base)}, so the sums behind those decisions have "
                     "changed. Price each shelved use case the same way (tokens × today's "
                     "price).")
    return Answer(paragraphs(*lines), ["s6-checklist", "s5-scenarios"])


def quality_risk(ctx: Context) -> Answer:
    r = ctx.now
    a = r.answers
    lines = []
    if r.derived.get("regulated_domain") or a.get("regulated"):
        lines.append("In a regulated domain like yours, quality, audit trails and validation "
                     "come before price: a cheaper model must pass the same checks.")
    if a.get("model_choice_basis") == "highest_performing":
        lines.append("You chose the most capable model rather than one matched to the task: "
                     "test cheaper models against your own quality bar before deciding "
                     "(s6, developers).")
    if "model" in ctx.question.lower():
        lines.append(knowledge_text("s6-developer-model-choice") + (
            f" You use {model_name(r)}; ask \"what if we switch to …?\" to see another "
            "model's cost for your workload." if model_name(r) else
            " No model is named yet: ask \"what would it cost on …?\" to price one for your "
            "workload."))
    lines.append(knowledge_text("s7-quality-barriers"))
    lines.append(knowledge_text("faq-q8-cost-and-quality"))
    return Answer(paragraphs(*lines), ["s6-checklist", "s7-risk-factors", "faq-q8"]
                  if "model" in ctx.question.lower() else ["s7-risk-factors", "faq-q8"])


def monitoring(ctx: Context) -> Answer:
    r = ctx.now
    m = r.answers.get("cost_monitoring")
    lead = {"none": "You have no cost monitoring: build a token-use and cost dashboard, per "
                    "feature and per model.",
            "partial": "Your monitoring is partial: extend it into a dashboard of token use and "
                       "cost per feature, per model and per team, with calls per task and the "
                       "bill beside the computed cost.",
            "dashboard": "You already have a dashboard: keep it per feature and per model, and "
                         "add calls per task and the bill against the computed cost."}.get(
        m or "", "Track token use and cost with a dashboard, per feature and per model.")
    bill, computed = cost(r, "reported_spend_usd"), cost(r, "current", "monthly_usd")
    if bill is not None and computed and cost(r, "bill", "differs"):
        from advisor.ask.say import phrase, reader
        from advisor.core.wording import ratio_words

        lead += " " + phrase("monitoring_reconcile", reader(r, ctx.rulebase),
                             ratio=ratio_words(bill / computed))
    return Answer(paragraphs(lead, knowledge_text("faq-q7-monitoring-tools"),
                         knowledge_text("s6-developer-dashboard")), ["s6-checklist", "faq-q7"],
                  matched=["faq-q7-monitoring-tools"])


def cautions(ctx: Context) -> Answer:
    r = ctx.now
    q = ctx.question.lower()
    lines = []
    if "open" in q or "closed" in q or "replace" in q:
        lines.append(knowledge_text("s7-open-vs-closed")
                     + " Plan a hybrid of open and closed models.")
        if r.answers.get("assumes_open_source_replaces_closed"):
            lines.append("Your answers say your plans assume this, so it applies to you.")
    elif "quality" in q or "trust" in q:
        lines.append(knowledge_text("s7-quality-barriers"))
    else:
        lines.append("Don't plan on a linear decline. " + knowledge_text("s7-linear-decline"))
        if r.answers.get("assumes_linear_price_decline"):
            lines.append("Your answers say your plans assume this, so it applies to you.")
        value, _ = monthly(r)
        if value is not None and not in_house(r):
            lines.append(f"If prices simply stop falling (the likeliest scenario, 50%), you keep "
                         f"paying {ctx.fig('monthly_usd', value)} a month: plan for that, and "
                         "treat further cuts as upside.")
    return Answer(paragraphs(*lines), ["s7-risk-factors", "s5-scenarios"])


def sources(ctx: Context) -> Answer:
    import re

    from advisor.data.rules import load_knowledge

    kb = load_knowledge()
    # A figure asked about ("the 97-99% drop") is found by the figure, then by the words.
    numbers = [n for n in re.findall(r"\d+(?:\.\d+)?", ctx.question) if len(n) >= 2]
    found = [e for e in kb.entries if numbers and all(n in e.text for n in numbers)]
    found += [m.entry for m in kb.search(ctx.question, limit=4) if m.entry not in found]
    if not found:
        return Answer(CANNOT + "\n", [], answered=False)
    used: list[Any] = []
    for e in found:
        if e.section not in {u.section for u in used} and len(used) < 2:
            used.append(e)
    lines = [f"The article covers this in **{SECTION_TITLES[e.section]}**: {e.text}"
             for e in used]
    if in_house(ctx.now) and {u.section for u in used} & {"faq-q4", "faq-q6"}:
        lines.append("That is the part for on-premises (on-prem) organisations like yours.")
    return Answer(paragraphs(*lines), ordered(e.section for e in used),
                  matched=[e.id for e in used])


def knowledge(ctx: Context) -> Answer:
    from advisor.ask.lexicon import read
    from advisor.data.rules import load_knowledge

    generic = set(read("lexicon.toml")["knowledge"]["generic"])
    matches = [m for m in load_knowledge().search(ctx.question, limit=3)
               if set(m.matched) - generic]  # met on a telling word, not only on "cost"
    if not matches:
        return Answer(CANNOT + "\n", [], answered=False)
    top = matches[0]
    lines = [f"From the article ({SECTION_TITLES[top.entry.section]}): {top.entry.text}"]
    used = [top]
    for m in matches[1:]:
        if m.score >= 0.75 * top.score and m.entry.section != top.entry.section:
            lines.append(f"Related ({SECTION_TITLES[m.entry.section]}): {m.entry.text}")
            used.append(m)
            break
    return Answer(paragraphs(*lines), ordered(m.entry.section for m in used),
                  matched=[m.entry.id for m in used])
