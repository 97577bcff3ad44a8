"""Answers that decide something from the engine's figures: how many requests GPUs serve,
which model gets the bill under a goal, which of two models is cheaper, where the savings are,
whether the cost matters at all, and a plain "cannot" for what the figures do not support.

Each handler works out facts from the result in force (the conversation's one state) and
hands them to ``say`` to be worded; any model priced here is priced by the engine (a what-if
on top of the state), never estimated, and none of them changes the state.
"""

from __future__ import annotations

import re

from advisor.ask.answer import Answer
from advisor.ask.context import Context, in_house, model_name, monthly, on_prem_line, volume_words
from advisor.ask.edits import Edit
from advisor.ask.lexicon import read
from advisor.ask.reading import cost, field, finding, findings
from advisor.ask.say import count, money, phrase, reader, words


def _whatif_price(ctx: Context, model: str) -> float | None:
    """The engine's monthly cost of the state in force on ``model``."""
    from advisor.ask.whatif import apply
    from advisor.core.errors import InputError

    chain = list(ctx.whatif.edits) if ctx.whatif is not None else []
    try:
        w = apply(ctx.answers_file, ctx.base, [*chain, Edit("model", model)], ctx.rulebase,
                  ctx.prices)
    except (InputError, ValueError, ArithmeticError):
        return None
    return cost(w.result, "current", "monthly_usd")


def _models_named(ctx: Context) -> list[str]:
    from advisor.ask.tokens import tokenize
    from advisor.ask.understand import _resolve

    out: list[str] = []
    for t in tokenize(ctx.question).items:
        if t.kind == "model":
            name = _resolve(ctx.prices, t.name)
            if name and name not in out:
                out.append(name)
    return out


# ---------------------------------------------------------------------------- capacity


def capacity(ctx: Context) -> Answer:
    r, v = ctx.now, reader(ctx.now, ctx.rulebase)
    h = cost(r, "self_hosting")
    hours, busy = field(h, "gpu_hours"), field(h, "gpus_busy")
    n_req = cost(r, "monthly_requests")
    gpus = ctx.parsed.figures.get("gpus") or field(h, "gpus_owned")
    if hours and busy and n_req and not ctx.parsed.figures.get("gpus") and re.search(
            r"\bhow many gpus\b", ctx.question, re.IGNORECASE):
        needed = field(h, "gpus_needed")
        ctx.figures.update({"gpus_needed": needed, "gpus_at_peak": field(h, "gpus_at_peak")})
        return Answer(phrase("gpus_needed", v, needed=f"{needed:g}",
                             peak=f"{field(h, 'gpus_at_peak'):.1f}", requests=count(n_req),
                             gpu_hours=count(hours)) + "\n", ["faq-q2", "faq-q4"])
    if not hours or not busy or not n_req or not gpus:
        why = ("no GPU count was given or owned" if hours and not gpus else
               "it needs a volume and token sizes per request")
        return Answer(phrase("capacity_missing", v, why=why) + "\n", ["faq-q2"])
    per_hour = n_req / hours
    month_hours = float(ctx.rulebase.defaults.get("days_per_month", 30)) * 24
    peak = round((field(h, "gpus_at_peak") or busy) / busy, 1)
    flat = gpus * month_hours * per_hour
    at_peak = flat / peak
    ctx.figures.update({"capacity_requests": round(at_peak), "gpus": gpus})
    lines = [phrase("capacity", v, gpus=f"{gpus:g}", capacity=count(at_peak),
                    flat=count(flat), requests=count(n_req), gpu_hours=count(hours),
                    per_hour=count(per_hour), hours=f"{month_hours:,.0f}", peak=f"{peak:g}")]
    lines.append(phrase("capacity_load", v, requests=count(n_req),
                        share=f"{n_req / at_peak:.0%}" if at_peak else "n/a"))
    return Answer("\n\n".join(lines) + "\n", ["faq-q2", "faq-q4"])


# ---------------------------------------------------------------------------- goal seek


def goal_seek(ctx: Context) -> Answer:
    r, v = ctx.now, reader(ctx.now, ctx.rulebase)
    goal = ctx.parsed.figures.get("goal_usd")
    if not goal:
        return Answer(phrase("goal_no_target", v) + "\n", [], answered=False)
    if in_house(r):
        return Answer(on_prem_line(r) + "\n", ["faq-q4", "faq-q6"])
    now, _ = monthly(r)
    tin, tout = cost(r, "monthly_input_tokens"), cost(r, "monthly_output_tokens")
    if now is None or tin is None or tout is None:
        from advisor.ask.context import no_cost_reason

        return Answer(f"I cannot search for a model under {money(goal)}: "
                      f"{no_cost_reason(r)}.\n", ["s1-prices"], answered=False)
    current = model_name(r) or "the current model"
    m = re.search(r"\b(?:a|an|per|each|one|every) ((?:contract |support )?(?:task|request|contract|"
                  r"review|ticket|document|call|answer|question|conversation|claim|note|summary)"
                  r"(?: review)?)\b", ctx.question, re.IGNORECASE)
    n_req = cost(r, "monthly_requests") or 0
    unit, per = (m.group(1).lower(), n_req) if m and n_req else ("month", 1.0)
    say = f"a {unit}" if unit != "month" else "a month"
    now_unit = now / per
    if now_unit <= goal:
        ctx.figures["monthly_usd"] = now
        return Answer(phrase("goal_already", v, goal=money(goal), now=money(now_unit),
                             current=current, per=say) + "\n", ["s1-prices"])
    market = ctx.whatif.market if ctx.whatif is not None else 1.0
    priced: list[tuple[float, str]] = []
    for name in read("lexicon.toml")["goal"]["models"]:
        try:
            p = ctx.prices.resolve(name, {})
        except Exception:  # a model the map no longer lists is skipped, not guessed
            continue
        if p.model == cost(r, "current", "model") or not (p.input_per_mtok or p.output_per_mtok):
            continue
        priced.append(((tin * p.input_per_mtok + tout * p.output_per_mtok) / 1e6 * market
                       / per, p.model))
    under = sorted((c, m) for c, m in priced if c <= goal)
    provider = _provider(ctx, cost(r, "current", "model"))
    if re.search(r"\bcheapest\b", ctx.question, re.IGNORECASE):
        under = sorted(under, reverse=True)  # asked for the cheapest: it is the pick
    elif provider:  # a swap within the provider in use first, the most capable that fits
        under = sorted(under, key=lambda cm: (_provider(ctx, cm[1]) == provider, cm[0]))
    if not under:
        cheapest = min(priced, default=None)
        if cheapest is None:
            return Answer(f"I found no priced model to search for {money(goal)}.\n", [],
                          answered=False)
        exact = (_whatif_price(ctx, cheapest[1]) or cheapest[0] * per) / per
        return Answer(phrase("goal_none", v, goal=money(goal), model=cheapest[1],
                             cost=money(exact), per=say) + "\n\n" + phrase("goal_quality", v)
                      + "\n", ["s1-prices"])
    best_guess, best = under[-1]  # the dearest under the goal keeps the most capability
    monthly_exact = _whatif_price(ctx, best) or best_guess * per
    ctx.figures.update({"monthly_usd": monthly_exact, "goal_usd": goal})
    others = ", ".join(f"{name} ({money(c)})" for c, name in sorted(under[:-1])[:3])
    lines = [phrase("goal_met", v, model=best, cost=money(monthly_exact / per),
                    goal=money(goal), now=money(now_unit), current=current, per=say,
                    others=phrase("goal_others", v, list=others) if others else "")]
    lines.append(phrase("goal_quality", v))
    return Answer("\n\n".join(lines) + "\n", ["s1-prices", "s7-risk-factors", "faq-q8"])


def _provider(ctx: Context, model: str | None) -> str | None:
    if not model:
        return None
    try:
        return str(ctx.prices.resolve(model, {}).provider)
    except Exception:  # a name the map does not know has no provider
        return None


# ---------------------------------------------------------------------------- comparison


def compare_models(ctx: Context) -> Answer:
    r, v = ctx.now, reader(ctx.now, ctx.rulebase)
    named = _models_named(ctx)
    open_named = re.search(r"\bopen[- ]?(?:source|weights?|models?)\b", ctx.question, re.I)
    current = cost(r, "current", "model")
    if len(named) == 1 and not open_named and current and named[0] != current:
        named = [named[0], current]
    if len(named) == 1 and open_named:
        band = cost(r, "open_model_band")
        a_cost = _whatif_price(ctx, named[0])
        low, high = field(band, "low_usd"), field(band, "high_usd")
        if a_cost is not None and low is not None:
            verdict = "No" if a_cost > low else "Yes"
            ctx.figures.update({"monthly_usd": a_cost, "open_band_low_usd": low})
            return Answer(phrase("compare_band", v, verdict=verdict, a=named[0],
                                 a_cost=money(a_cost), low=money(low), high=money(high)) + "\n",
                          ["s1-prices", "s7-risk-factors"])
    if not named and ctx.whatif is not None:  # "how does that compare to today?"
        now, _ = monthly(r)
        before, _ = monthly(ctx.base)
        if now is not None and before is not None:
            ctx.figures.update({"monthly_usd": now, "assessment_monthly_usd": before})
            return Answer(phrase("compare_state", v, now=money(now), before=money(before),
                                 changes="; ".join(ctx.whatif.labels),
                                 way="less" if now < before else "more",
                                 diff=money(abs(now - before))) + "\n", ["s1-prices"])
    if len(named) < 2:
        return Answer(phrase("compare_one", v, found=", ".join(named) or "none") + "\n", [],
                      answered=False)
    a, b = named[0], named[1]
    a_cost, b_cost = _whatif_price(ctx, a), _whatif_price(ctx, b)
    if a_cost is None or b_cost is None:
        from advisor.ask.context import no_cost_reason

        return Answer(f"I cannot price both: {no_cost_reason(r)}.\n", ["s1-prices"],
                      answered=False)
    ctx.figures.update({f"{a}_monthly_usd": a_cost, f"{b}_monthly_usd": b_cost})
    if abs(a_cost - b_cost) < 0.005:
        return Answer(phrase("compare_same", v, a=a, b=b, a_cost=money(a_cost),
                             volume=volume_words(r)) + "\n", ["s1-prices"])
    cheaper = a if a_cost < b_cost else b
    lo, hi = min(a_cost, b_cost), max(a_cost, b_cost)
    asked_first_cheaper = a_cost < b_cost
    if not re.match(r"\W*(?:would|is|are|will|does|do|can|could|should)\b", ctx.question,
                    re.IGNORECASE):  # "which…?", "how does … compare?": no yes or no
        verdict = f"{cheaper} is cheaper"
    else:
        verdict = f"Yes, {a} is cheaper" if asked_first_cheaper else f"No, {b} is cheaper"
    times = f"{hi / lo:.1f}×" if lo > 0 else "far"
    text = phrase("compare", v, verdict=verdict, a=a, b=b, a_cost=money(a_cost),
                  b_cost=money(b_cost), cheaper=cheaper, times=times, diff=money(hi - lo),
                  volume=volume_words(r))
    return Answer(text + "\n\n" + phrase("goal_quality", v) + "\n",
                  ["s1-prices", "s7-risk-factors"])


# ---------------------------------------------------------------------------- levers


def levers(ctx: Context) -> Answer:
    r, v = ctx.now, reader(ctx.now, ctx.rulebase)
    if in_house(r):
        return Answer(on_prem_line(r) + "\n", ["faq-q4", "faq-q6"])
    found = list(cost(r, "levers") or ())
    now, _ = monthly(r)
    if not found or now is None:
        from advisor.ask.context import no_cost_reason

        return Answer(phrase("levers_none", v, why=no_cost_reason(r)) + "\n", ["s1-prices"],
                      answered=False)
    ranked = sorted(found, key=lambda lv: -(field(lv, "monthly_savings_usd")
                                            or field(lv, "savings_per_10pct_usd") or 0))
    named = _lever_named(ctx.question)
    ranked = sorted(ranked, key=lambda lv: field(lv, "id") != named)  # the one asked about
    top = ranked[0]
    saving = field(top, "monthly_savings_usd")
    share = _share_named(ctx)
    if saving is None and share is not None and field(top, "savings_if_all_usd") is not None:
        saving = field(top, "savings_if_all_usd") * share  # "half our requests cached"
    saving = saving if saving is not None else field(top, "savings_per_10pct_usd")
    ctx.figures.update({"monthly_usd": now, "top_lever_savings_usd": saving})
    lead = "levers_asked" if named and field(top, "id") == named else "levers_lead"
    per10 = field(top, "monthly_savings_usd") is None and share is None
    if per10:  # the share it applies to is unknown: say the saving per 10% of the work
        lead += "_per10"
    title = words("levers", field(top, "id"))
    title = title[:1].upper() + title[1:] if lead.startswith("levers_asked") else title
    lines = [phrase(lead, v, lever=title, saving=money(saving),
                    all=money(field(top, "savings_if_all_usd")),
                    now=money(now),
                    share_note=(f", with {share:.0%} of the work taking it" if share is not None
                                else ""))]
    rows = []
    for lv in ranked:
        name = words("levers", field(lv, "id"))
        if field(lv, "monthly_savings_usd") is not None:
            rows.append(phrase("levers_line", v, lever=name,
                               saving=money(field(lv, "monthly_savings_usd")),
                               basis=field(lv, "basis", "")))
        else:
            rows.append(phrase("levers_per10", v, lever=name,
                               per10=money(field(lv, "savings_per_10pct_usd")),
                               all=money(field(lv, "savings_if_all_usd")),
                               basis=field(lv, "basis", "")))
    lines.append("\n".join(rows))
    if any(field(lv, "quality") for lv in ranked):
        lines.append(phrase("levers_quality", v))
    return Answer("\n\n".join(lines) + "\n", ["s1-prices", "s6-checklist", "faq-q8"])


def _lever_named(question: str) -> str | None:
    low = " " + " ".join(re.findall(r"[a-z-]+", question.lower())) + " "
    for lever_id, said in read("lexicon.toml")["lever_words"].items():
        if any(f" {w} " in low for w in said):
            return str(lever_id)
    return None


def _share_named(ctx: Context) -> float | None:
    """The share of the work a lever is asked about for: "half", "30%"."""
    from advisor.ask.tokens import tokenize

    if re.search(r"\b(?:everything|all of it|all (?:our|their|the) (?:\w+ )?(?:requests|traffic|"
                 r"work|calls))\b", ctx.question, re.IGNORECASE):
        return 1.0
    for t in tokenize(ctx.question).items:
        if t.kind == "num" and t.unit == "%" and 0 < t.value <= 100:
            return t.value / 100
        if t.kind == "word" and t.cat("factor") and t.text in ("half", "a third", "a quarter"):
            return {"half": 0.5, "a third": 1 / 3, "a quarter": 0.25}[t.text]
    return None


# ---------------------------------------------------------------------------- materiality


def materiality(ctx: Context) -> Answer:
    r, v = ctx.now, reader(ctx.now, ctx.rulebase)
    m = cost(r, "materiality")
    value = field(m, "monthly_usd")
    if value is None:
        value, _ = monthly(r)
    if value is None:
        from advisor.ask.context import no_cost_reason

        return Answer(f"I cannot say: {no_cost_reason(r)}.\n", ["s1-prices"], answered=False)
    level = field(m, "level") or "unknown"
    why = "; ".join(words("reasons", x) for x in field(m, "reasons", ()) or ())
    shares = []
    for key, label in (("revenue_share", "of revenue"), ("budget_share", "of the AI budget"),
                       ("gross_profit_share", "of gross profit")):
        s = field(m, key)
        if s is not None:
            shares.append(f"{s:.0%} {label}" if s >= 0.01 else f"under 1% {label}")
    parts = [x for x in (*(words("reasons", r_) for r_ in field(m, "reasons", ()) or ()),
                         *shares) if x]
    why = "; ".join(dict.fromkeys(parts)) or "set against the answers"
    ctx.figures["monthly_usd"] = value
    text = phrase(f"materiality.{level}", v, cost=money(value), why=why)
    said = finding(r, "materiality")
    if said:  # the report's own sentence on it
        text += "\n\n" + said
    if in_house(r):
        text += "\n\n" + on_prem_line(r)
    return Answer(text + "\n", ["s1-prices", "s6-checklist"])


# ---------------------------------------------------------------------------- cannot


def unsupported(ctx: Context) -> Answer:
    v = reader(ctx.now, ctx.rulebase)
    for entry in read("wording.toml").get("unsupported", []):
        if re.search(entry["match"], ctx.question, re.IGNORECASE):
            return Answer(phrase("unsupported", v, what=entry["what"], missing=entry["missing"])
                          + "\n", [], answered=False)
    return Answer(phrase("unsupported", v, what="that figure",
                         missing="the assessment does not hold what it needs") + "\n", [],
                  answered=False)


def quality_gate(ctx: Context) -> Answer | None:
    """"Is the cheapest model OK for clinical notes?": no, quality gates first."""
    if not re.search(r"\bcheap(?:est|er)?\b", ctx.question, re.I):
        return None
    from advisor.ask.context import knowledge_text

    return Answer(phrase("quality_gate", reader(ctx.now, ctx.rulebase),
                         why=knowledge_text("s7-quality-barriers")) + "\n",
                  ["s7-risk-factors", "faq-q8"])


def brief(ctx: Context) -> Answer:
    """The situation in a few sentences (a board, "in two sentences"): the tier and what
    drives it, the cost against 2023, and the first action."""
    from advisor.ask.advice import why_tier

    r = ctx.now
    lines = []
    drivers = [x for x in r.fired_rules if x.points > 0]
    lines.append(f"The tier is **{r.tier}** (score {r.score} of 100)"
                 + (f": {drivers[0].explanation.rstrip('.')}." if drivers else "."))
    value, _ = monthly(r)
    base = cost(r, "baseline_2023", "monthly_usd")
    first_finding = next(iter(findings(r)), None)
    if first_finding:  # the finding the report leads with, in its words
        lines.append(first_finding)
    elif value is not None and base:
        ctx.figures["monthly_usd"] = value
        lines.append(f"Inference costs {money(value)} a month, against {money(base)} at 2023 "
                     "prices.")
    if r.recommendations:
        first = r.recommendations[0]
        lines.append(f"The first action: {first.title.rstrip('.')}.")
    if not lines:
        return why_tier(ctx)
    return Answer(" ".join(lines) + "\n", ["s2-" + r.tier, "s1-prices"])


def _long(iso: str | None) -> str:
    """"15 November 2026", as the report dates things."""
    import datetime

    from advisor.render.formatting import long_date

    try:
        return long_date(datetime.date.fromisoformat(str(iso)))
    except ValueError:
        return str(iso)


def lifecycle(ctx: Context) -> Answer:
    """Whether the model in use is being retired, as the price map dates it."""
    r, v = ctx.now, reader(ctx.now, ctx.rulebase)
    life = cost(r, "lifecycle")
    name = model_name(r)
    if name is None:
        from advisor.ask.context import no_cost_reason

        return Answer(f"I cannot say: {no_cost_reason(r)}.\n", [], answered=False)
    if life is None:
        return Answer(phrase("lifecycle_none", v, model=name) + "\n", ["s1-prices"])
    said = finding(r, "model_retirement")
    if said:  # the report's own sentence, with the same figures
        yes = "lifecycle_retired_lead" if field(life, "retired") else "lifecycle_lead"
        ctx.figures["successor_monthly_usd"] = field(life, "successor_monthly_usd")
        return Answer(phrase(yes, v, model=field(life, "model"),
                             date=field(life, "deprecation_date")) + " " + said + "\n",
                      ["s1-prices"])
    key = "lifecycle_retired" if field(life, "retired") else "lifecycle_retiring"
    text = phrase(key, v, model=field(life, "model"), date=_long(field(life, "deprecation_date")),
                  days=f"{abs(field(life, 'days_left', 0)):,}")
    successor = field(life, "successor_model")
    if successor:
        ctx.figures["successor_monthly_usd"] = field(life, "successor_monthly_usd")
        text += " " + phrase("lifecycle_successor", v, successor=successor,
                             cost=money(field(life, "successor_monthly_usd")),
                             now=money(monthly(r)[0]))
    return Answer(text + "\n", ["s1-prices"])
