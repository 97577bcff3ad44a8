"""Answers per intent, without any LLM: costs, scenarios, what-ifs, hosting and constraints here,
the business questions in ``advice``; each from the result, a recomputation and the article.

Every answer leads with the person's own figure (or a plain "cannot, because"), and respects
their constraints: an organisation that must stay on-premises is never told to stay on (or
move between) APIs, its in-house cost is never a list price of $0, and API figures are given
only as what it would cost "if regulation ever allows an API"; with no model named, no cost
is invented; a regulated domain keeps its compliance costs in view.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from advisor.ask import advice, decisions, say
from advisor.ask.answer import Answer
from advisor.ask.context import (
    CANNOT,
    CONFLICTS_ON_PREM,
    Context,
    calls_per_task,
    cap,
    cost,
    gpu_cloud_line,
    gpus,
    if_api_allowed,
    in_house,
    knowledge_text,
    model_name,
    monthly,
    no_cost_reason,
    on_prem_line,
    ordered,
    paragraphs,
    requests,
    volume_words,
)
from advisor.ask.edits import WHAT_IF_INTENTS
from advisor.ask.figures import about, count, money, share
from advisor.ask.reading import field
from advisor.ask.say import phrase, reader, voice_of
from advisor.core.result import Result
from advisor.core.sources import SECTION_TITLES
from advisor.render import formatting

# ---------------------------------------------------------------------------- costs


def monthly_cost(ctx: Context) -> Answer:
    r = ctx.now
    value, basis = monthly(r)
    if in_house(r):
        h = cost(r, "self_hosting")
        figure = (f"On the self-hosting assumptions (GPU price per hour, throughput, fixed "
                  f"cost) it comes to about {ctx.fig('in_house_monthly_usd', value)} a month."
                  if value else
                  f"On the self-hosting assumptions, serving it would cost about "
                  f"{ctx.fig('in_house_monthly_usd', field(h, 'monthly_usd'))} a month; change "
                  "those assumptions if you have real figures." if field(h, "monthly_usd") else "")
        return Answer(paragraphs(
            f"Your workload runs on-premises on your own GPUs, so its cost is the in-house cost "
            f"of that hardware, not an API price. {figure}", on_prem_line(r),
            if_api_allowed(ctx, r)), ["faq-q4", "faq-q6"])
    if value is None:
        band = cost(r, "open_model_band")
        extra = ""
        if field(band, "low_usd"):
            extra = (f"For scale: the same tokens would cost "
                     f"{ctx.fig('open_band_low_usd', field(band, 'low_usd'))}–"
                     f"{ctx.fig('open_band_high_usd', field(band, 'high_usd'))} a month on the "
                     f"open-model band, and "
                     f"{ctx.fig('baseline_2023_usd', cost(r, 'baseline_2023', 'monthly_usd'))} "
                     "at GPT-4's 2023 launch prices. Name a model to price it: \"what would it "
                     "cost on gpt-4o-mini?\"")
        archetype = r.answers.get("archetype")
        return Answer(paragraphs(f"I cannot give a monthly cost: {no_cost_reason(r)}"
                             f" ({volume_words(r)}).", extra,
                             gpu_cloud_line() if archetype == "gpu_cloud" else None),
                      ["s1-prices"] + (["s2-medium"] if archetype == "gpu_cloud" else []))
    v = reader(r, ctx.rulebase)
    on = (f" ({basis})" if basis else f" at today's prices for {model_name(r)}"
          if ctx.whatif is None else f" on {model_name(r)}")
    lines = [phrase("monthly_lead", v, cost=ctx.fig("monthly_usd", value), on=on,
                    volume=volume_words(r))
             + (" " + phrase("monthly_in_force", v, changes="; ".join(ctx.whatif.labels))
                if ctx.whatif else "")]
    bill = cost(r, "reported_spend_usd")
    computed = cost(r, "current", "monthly_usd")
    direction = cost(r, "bill", "direction")
    if bill is not None and computed and basis == "" and cost(r, "bill", "differs"):
        from advisor.core.wording import ratio_words

        lines.append(phrase(f"monthly_bill_{direction}" if direction in ("higher", "lower")
                            else "monthly_bill_higher", v, bill=ctx.fig("bill_usd", bill),
                            computed=money(computed), ratio=ratio_words(bill / computed)))
    elif bill is not None and computed and re.search(
            r"\b(?:bill|invoice|spend|spending|pay|paying|paid)\b", ctx.question, re.IGNORECASE):
        lines.append(phrase("monthly_bill_agrees", v, bill=ctx.fig("bill_usd", bill),
                            apart=f"{abs(bill - computed) / computed:.0%}"))
    base = cost(r, "baseline_2023", "monthly_usd")
    if base and basis != "your reported bill":
        reduction = cost(r, "reduction_vs_2023_pct")
        lines.append(phrase("monthly_2023", v, base=ctx.fig("baseline_2023_usd", base),
                            less=(phrase("monthly_2023_less", v,
                                         pct=formatting.pct(reduction))
                                  if reduction is not None else "")))
    expected = cost(r, "scenarios", "expected_monthly_usd")
    if expected is not None:
        lines.append(phrase("monthly_expected", v,
                            expected=ctx.fig("expected_monthly_usd", expected)))
    return Answer(paragraphs(*lines), ["s1-prices", "s5-scenarios"])


def cost_per_task(ctx: Context) -> Answer:
    r = ctx.now
    per_user = cost(r, "materiality", "per_user_usd")
    if per_user is not None and re.search(r"\bper (?:user|customer|seat|member)\b",
                                          ctx.question, re.IGNORECASE):
        value, _ = monthly(r)
        return Answer(paragraphs(
            f"**About {ctx.fig('per_user_usd', per_user)} a month per daily user**"
            + (f": {money(value)} a month over {count(r.answers.get('daily_users'))} daily "
               "users." if value is not None and r.answers.get("daily_users") else ".")),
            ["s1-prices"])
    per = cost(r, "per_task_usd")
    value, basis = monthly(r)
    n = requests(r)
    if per is None and value is not None and n:
        per = value / n
    cpt = calls_per_task(r)
    unit = "task" if cpt > 1 else "request"
    if in_house(r) and per is not None and value:  # a share of the owned GPUs' month
        ctx.fig("per_task_usd", per)
        return Answer(paragraphs(
            phrase("per_task_in_house", reader(r, ctx.rulebase), unit=unit, cost=money(per),
                   monthly=ctx.fig("in_house_monthly_usd", value), volume=volume_words(r)),
            on_prem_line(r)), ["faq-q4"])
    if per is None or in_house(r):
        if in_house(r):
            return Answer(paragraphs(f"I cannot give an API price per {unit}: you run on-premises "
                                 "(on-prem), so a request costs a share of the owned GPUs, "
                                 "not a list price.", on_prem_line(r)), ["faq-q4"])
        return Answer(paragraphs(f"I cannot give a cost per {unit}: {no_cost_reason(r)}."),
                      ["s1-prices"])
    v = reader(r, ctx.rulebase)
    m = re.search(r"\b(?:per|each|one|a single|a|an) ((?:log |llm |api |support )?[a-z]+?)s?"
                  r"(?: review)?\b(?= cost|\?|$| for| with| on| end)", ctx.question.lower())
    said = m.group(1) if m and m.group(1) not in ("month", "year", "day", "million") else unit
    calls = phrase("per_task_calls", v, calls=f"{cpt:g}", per_call=money(per / cpt)) \
        if cpt > 1 else ""
    return Answer(paragraphs(
        phrase("per_task_lead", v, unit=said, cost=ctx.fig("per_task_usd", per), calls=calls,
               on=f", on {model_name(r)}" if model_name(r) else "",
               basis=f" ({basis})" if basis else ""),
        phrase("per_task_month", v, volume=volume_words(r), cost=ctx.fig("monthly_usd", value))
        if value else None), ["s1-prices"] + (["faq-q5"] if cpt > 1 else []))


def usage_volume(ctx: Context) -> Answer:
    r = ctx.now
    n = requests(r)
    if n is None:
        return Answer(paragraphs("I cannot say: the answers give no volume (monthly requests, or "
                             "daily users and requests per user)."), [], answered=True)
    a = r.answers
    how = ""
    if a.get("monthly_requests") is None and a.get("daily_users") is not None:
        how = (f" ({count(a['daily_users'])} daily users × {a.get('requests_per_user_per_day'):g}"
               f" requests a day × {ctx.rulebase.defaults.get('days_per_month', 30):g} days)")
    ctx.figures["monthly_requests"] = n
    lines = [f"**{volume_words(r)}**{how}."]
    tin, tout = cost(r, "monthly_input_tokens"), cost(r, "monthly_output_tokens")
    if tin is not None and tout is not None:
        ctx.figures.update({"monthly_input_tokens": tin, "monthly_output_tokens": tout})
        lines.append(f"That is {count(tin)} input and {count(tout)} output tokens a month"
                     + (" (worked back from the bill)" if cost(r, "volume_basis")
                        == "inferred_from_bill" else "") + ".")
    if calls_per_task(r) > 1:
        ctx.figures["monthly_calls"] = cost(r, "monthly_calls")
        lines.append("Each task fans out into several LLM calls, so every price change is "
                     "multiplied by the calls per task (faq-q5).")
    return Answer(paragraphs(*lines), ["faq-q5"] if calls_per_task(r) > 1 else [])


def compare_2023(ctx: Context) -> Answer:
    r = ctx.now
    base = cost(r, "baseline_2023", "monthly_usd")
    if base is None:
        return Answer(paragraphs(f"I cannot compare with 2023: {no_cost_reason(r)} (the 2023 "
                             "baseline needs the token volume).",
                             knowledge_text("prices-reduction")), ["s1-prices"])
    lines = [f"At GPT-4's March 2023 launch prices ($30 / $60 per million input / output "
             f"tokens) the same tokens would cost **{ctx.fig('baseline_2023_usd', base)} a "
             f"month** ({volume_words(r)})."]
    value, _ = monthly(r)
    if in_house(r):
        lines.append(on_prem_line(r))
        if value:
            lines.append(f"Your in-house cost is about {money(value)} a month.")
    elif value is not None:
        less = 100 * (1 - value / base) if base else None
        lines.append(f"Today you pay {ctx.fig('monthly_usd', value)} a month"
                     + (f", {less:.1f}% less." if less is not None else "."))
    else:
        lines.append(f"I cannot say how much less you pay today: {no_cost_reason(r)}.")
    from advisor.data.rules import load_rulebase

    red = load_rulebase().anchors["reduction"]
    lines.append(f"For comparison, the article puts the fall at GPT-4-level performance at "
                 f"{red['low_pct']}–{red['high_pct']}% ({red['date']}); your figure differs "
                 "because it compares your model, not the cheapest model of equal quality.")
    return Answer(paragraphs(*lines), ["s1-prices"])


def bill_gap(ctx: Context) -> Answer:
    r = ctx.now
    bill = cost(r, "reported_spend_usd")
    computed = cost(r, "current", "monthly_usd")
    basis = cost(r, "volume_basis")
    today_bill = cost(ctx.base, "reported_spend_usd")
    if bill is None and today_bill is not None and ctx.whatif is not None:
        # the bill is today's: it leaves a what-if, but the question is still about it
        from advisor.core.wording import ratio_words

        now, _ = monthly(r)
        then = cost(ctx.base, "current", "monthly_usd")
        return Answer(paragraphs(phrase(
            "bill_under_whatif", reader(r, ctx.rulebase), bill=ctx.fig("bill_usd", today_bill),
            computed=money(then), ratio=ratio_words(today_bill / then) if then else "n/a",
            now=ctx.fig("monthly_usd", now))), ["s1-prices", "faq-q7"])
    if bill is None:
        value, _ = monthly(r)
        return Answer(paragraphs("You gave no monthly bill to compare with"
                             + (f"; the computed cost is {ctx.fig('monthly_usd', value)} a month."
                                if value is not None else ".")), ["s1-prices"])
    if computed is None or basis == "inferred_from_bill":
        n = requests(r)
        per = f" ({money(bill / n)} a request over {count(n)} requests)" if n else ""
        return Answer(paragraphs(
            f"Your bill is **{ctx.fig('bill_usd', bill)} a month**{per}. I cannot check it "
            "against a computed cost: without token sizes per request the token volume can only "
            "be worked back from the bill itself, so the two agree by construction.",
            "Give the average input and output tokens per request to get an independent "
            "figure."), ["s1-prices"])
    from advisor.core.wording import ratio_words

    v = reader(r, ctx.rulebase)
    ratio = bill / computed if computed else float("inf")
    lines = [phrase("bill_both", v, bill=ctx.fig("bill_usd", bill),
                    computed=ctx.fig("monthly_usd", computed), volume=volume_words(r),
                    model=model_name(r))]
    if abs(ratio - 1) <= 0.2:
        lines.append(phrase("bill_agree", v, apart=f"{abs(ratio - 1) * 100:.0f}%"))
    else:
        lines.append(phrase("bill_higher" if ratio > 1 else "bill_lower", v,
                            ratio=ratio_words(ratio)))
    return Answer(paragraphs(*lines), ["s1-prices", "faq-q7"])


def budget_share(ctx: Context) -> Answer:
    r = ctx.now
    s = cost(r, "api_share_of_ai_budget")
    budget = r.answers.get("monthly_ai_budget_usd")
    if s is None:
        why = ("no monthly AI budget was given" if budget is None
               else "no API spend is known (no bill, and no computed cost)")
        return Answer(paragraphs(f"I cannot give the share: {why}.",
                             knowledge_text("s6-enterprise-multi-provider")), ["s6-checklist"])
    spend = cost(r, "reported_spend_usd")
    spend = spend if spend is not None else cost(r, "current", "monthly_usd")
    ctx.figures["api_share_of_ai_budget"] = s
    lines = [f"**{share(s)}** of your AI budget goes to the API ({money(spend)} of "
             f"{money(budget)} a month)."]
    if in_house(r):
        lines.append(on_prem_line(r))
    elif s > 0.5:
        lines.append("That is more than half, the checklist's threshold for enterprise IT: "
                     "run several providers and trial open-model options side by side, so one "
                     "provider's prices do not steer most of the budget (s6).")
    else:
        lines.append("That is under half, so the checklist's multi-provider point is less "
                     "pressing; the rest of the budget is people, integration and compliance.")
    return Answer(paragraphs(*lines), ["s6-checklist"])


# ---------------------------------------------------------------------------- scenarios


def _scenario_lines(ctx: Context, r: Result, sid: str) -> list[str]:
    items = {s.id: s for s in r.scenarios}
    s = items[sid]
    number = list(items).index(sid) + 1
    lines = []
    v = reader(r, ctx.rulebase)
    head = phrase("scenario_head", v, number=number, title=s.title,
                  probability=formatting.percent(s.probability))
    if in_house(r):
        lines.append(phrase("scenario_in_house", v, head=head, summary=s.summary))
        api = if_api_allowed(ctx, r)
        if api:
            lines.append(api)
    elif s.monthly_cost_usd is not None:
        # the figure the scenario starts from: the computed cost, or the bill when the core
        # scales the scenarios to a bill far from it
        start = s.monthly_cost_usd / s.multiplier if s.multiplier else monthly(r)[0]
        lines.append(phrase("scenario_cost", v, head=head,
                            cost=ctx.fig(f"{sid}_monthly_usd", s.monthly_cost_usd),
                            start=money(start), multiplier=f"{s.multiplier:g}",
                            summary=s.summary))
        if sid == "divergence" and s.multiplier == 1:
            lines.append(phrase("scenario_regulated_hold", v))
    elif r.answers.get("archetype") == "gpu_cloud":
        lines.append(f"{head}: {s.summary}")
    else:
        lines.append(phrase("scenario_no_cost", v, head=head, why=no_cost_reason(r),
                            summary=s.summary))
    if s.outlook:
        lines.append(phrase("scenario_outlook", v, outlook=s.outlook))
    if r.answers.get("archetype") == "gpu_cloud":
        lines.append(gpu_cloud_line())
    return lines


def scenario_explain(ctx: Context) -> Answer:
    r = ctx.now
    sid = ctx.parsed.scenario
    lines = []
    for s in r.scenarios:
        if sid is None or s.id == sid:
            lines += _scenario_lines(ctx, r, s.id)
    if sid is None:
        expected = cost(r, "scenarios", "expected_monthly_usd")
        if expected is not None and not in_house(r):
            lines.append(f"Weighted by these probabilities, the expected monthly cost in 12–24 "
                         f"months is {ctx.fig('expected_monthly_usd', expected)}.")
    return Answer(paragraphs(*lines), ["s5-scenarios"])


def expected_cost(ctx: Context) -> Answer:
    r = ctx.now
    expected = cost(r, "scenarios", "expected_monthly_usd")
    if in_house(r):
        return Answer(paragraphs("Your in-house cost is the same in every scenario: you run "
                             "on-premises (on-prem), and owned hardware is depreciated, not "
                             "repriced by the market (faq-q4).", on_prem_line(r),
                             if_api_allowed(ctx, r)), ["s5-scenarios", "faq-q4"])
    if expected is None:
        return Answer(paragraphs(f"I cannot give an expected cost: {no_cost_reason(r)}."),
                      ["s5-scenarios"])
    parts = "; ".join(f"{s.title.lower()} {formatting.percent(s.probability)} × "
                      f"{money(s.monthly_cost_usd)}" for s in r.scenarios)
    value, _ = monthly(r)
    return Answer(paragraphs(
        f"**{ctx.fig('expected_monthly_usd', expected)} a month** is the expected cost in 12–24 "
        f"months, weighting the three scenarios ({parts}).",
        f"Today: {ctx.fig('monthly_usd', value)} a month." if value is not None else None),
        ["s5-scenarios"])


# ---------------------------------------------------------------------------- what-ifs


def what_if(ctx: Context) -> Answer:
    w = ctx.whatif
    if w is None:
        return Answer(paragraphs("I could not turn that into a change I can recompute."), [],
                      answered=False)
    before, after = ctx.base, w.result
    v = reader(after, ctx.rulebase)
    changes = "; ".join(w.labels)
    kinds = {e.kind for e in ctx.parsed.edits}
    lines: list[str] = []
    sources = {"s5-scenarios"}
    if in_house(after):
        lead = f"With {changes}: you run on-premises (on-prem) on your own GPUs"
        if "market" in kinds or w.market != 1:
            lead += (", so a market price change does not change your in-house cost: owned "
                     "hardware is depreciated, not repriced (faq-q4)")
        lines.append(lead + ".")
        cost_now, _ = monthly(after)
        cost_before, _ = monthly(before)
        if cost_now:
            lines.append(f"In-house cost: about **{ctx.fig('in_house_monthly_usd', cost_now)} a "
                         f"month** on the self-hosting assumptions (your assessment: "
                         f"{money(cost_before)}).")
        lines.append(f"{cap(gpus(after))}.")
        api = if_api_allowed(ctx, after)
        if api:
            lines.append(api)
        sources |= {"faq-q4", "faq-q6"}
    else:
        value, basis = monthly(after)
        old, _ = monthly(before)
        expected = cost(after, "scenarios", "expected_monthly_usd")
        wants_expected = "probabilities" in kinds or "expected" in ctx.question.lower() or any(
            e.kind == "probabilities" for e in _chain(ctx))
        if value is None:
            reason = no_cost_reason(after)
            if after.answers.get("archetype") == "gpu_cloud":
                lines.append(gpu_cloud_line())
                lines.append(f"I cannot put a dollar figure on it: {reason}. What to watch is "
                             "the rental price and utilisation of their GPUs as the same work "
                             "needs fewer of them (s2-medium).")
                sources.add("s2-medium")
            else:
                lines.append(f"I cannot recompute a cost for that: {reason}. Name a model "
                             "(\"what would it cost on gpt-4o-mini?\") and I will.")
            return _finish(ctx, lines, sources, answered=True)
        if wants_expected and expected is not None:
            lines.append(phrase("whatif_expected_lead", v,
                                expected=ctx.fig("expected_monthly_usd", expected),
                                changes=changes, before=money(cost(before, "scenarios",
                                                                   "expected_monthly_usd"))))
            lines.append(phrase("whatif_today", v, cost=ctx.fig("monthly_usd", value)))
        else:
            same = old is not None and abs(value - old) < 0.005
            vs = (phrase("whatif_unchanged", v, before=money(old)) if same else
                  phrase("whatif_before", v, before=money(old)) if old is not None else
                  phrase("whatif_before_none", v, why=no_cost_reason(before)))
            lines.append(phrase("whatif_lead", v, cost=ctx.fig("monthly_usd", value),
                                changes=changes, vs=vs,
                                basis=f" ({basis})" if basis else ""))
            if expected is not None:
                lines.append(phrase("whatif_expected", v,
                                    expected=ctx.fig("expected_monthly_usd", expected)))
        per = cost(after, "per_task_usd")
        if per is not None and ("calls_per_task" in kinds or calls_per_task(after) > 1):
            n_calls = calls_per_task(after)
            lines.append(phrase("whatif_task" if n_calls != 1 else "whatif_task_one", v,
                                per=ctx.fig("per_task_usd", per), calls=f"{n_calls:g}",
                                volume=volume_words(after)))
        elif kinds & {"volume_factor", "requests", "daily_users", "add_requests"} and \
                calls_per_task(after) > 1:
            lines.append(phrase("whatif_volume", v, volume=volume_words(after)))
        if after.answers.get("archetype") == "gpu_cloud":
            lines.append(gpu_cloud_line())
        if kinds & {"model", "price"} and value is not None and old is not None and \
                value < old and (after.answers.get("relies_on_cheap_ai_for_quality")
                                 or after.derived.get("regulated_domain")):
            lines.append(phrase("whatif_quality", v))
            sources |= {"s7-risk-factors", "faq-q8"}
    before = w.before or before  # like with like when token sizes were fixed from the bill
    if after.tier != before.tier:
        lines.append(phrase("whatif_tier", v, before=before.tier, after=after.tier,
                            score_before=before.score, score_after=after.score))
    before_recs = {x.id: x for x in before.recommendations}
    after_recs = {x.id: x for x in after.recommendations}
    skip = CONFLICTS_ON_PREM if in_house(after) else frozenset()
    added = [x.title for k, x in after_recs.items() if k not in before_recs and k not in skip]
    dropped = [x.title for k, x in before_recs.items() if k not in after_recs and k not in skip]
    if added:
        lines.append(phrase("whatif_added", v, titles="; ".join(added)))
    if dropped:
        lines.append(phrase("whatif_dropped", v, titles="; ".join(dropped)))
    sources |= {x.source for k, x in after_recs.items() if k not in before_recs}
    fired_before = {x.id: x for x in before.fired_rules}
    fired_after = {x.id: x for x in after.fired_rules}
    sources |= {x.source for k, x in fired_after.items() if k not in fired_before}
    sources |= {x.source for k, x in fired_before.items() if k not in fired_after}
    q = ctx.rulebase.questionnaire.by_id
    sources |= {q[k].source for e in ctx.parsed.edits if e.kind == "answer"
                for k in e.value if k in q}
    if "model" in kinds or "price" in kinds or "market" in kinds:
        sources.add("s1-prices")
    if "calls_per_task" in kinds:
        sources.add("faq-q5")
    if cost(before, "self_hosting") != cost(after, "self_hosting"):
        sources.add("faq-q2")
    lines.append(phrase("whatif_footer", v))
    return _finish(ctx, lines, sources)


def _chain(ctx: Context) -> list[Any]:
    return list(ctx.whatif.edits) if ctx.whatif is not None else []


def _finish(ctx: Context, lines: list[str], sources: set[str], *,
            answered: bool = True) -> Answer:
    if ctx.parsed.problems:
        lines.append("Not applied: " + "; ".join(ctx.parsed.problems) + ".")
    return Answer(paragraphs(*lines), ordered(sources), ctx.whatif.result if ctx.whatif else None,
                  answered=answered)


# ---------------------------------------------------------------------------- hosting, models


def _options(ctx: Context, r: Result) -> tuple[str, float] | None:
    """The cheapest of: the current API, the open-model API (band low), self-hosting."""
    h = cost(r, "self_hosting")
    named = field(h, "cheapest_option")
    options = {"current_api": cost(r, "current", "monthly_usd"),
               "open_model_api": cost(r, "open_model_band", "low_usd"),
               "self_hosting": field(h, "monthly_usd")}
    options = {k: v for k, v in options.items() if v is not None}
    if not options:
        return None
    if named in options:
        return named, options[named]
    best = min(options, key=lambda k: options[k])
    return best, options[best]


def self_hosting(ctx: Context) -> Answer:
    r = ctx.now
    h = cost(r, "self_hosting")
    faq = knowledge_text("faq-q2-self-hosting")
    if in_house(r):
        from advisor.ask.context import in_house_reason

        v = reader(r, ctx.rulebase)
        reason = in_house_reason(r)
        own, _ = monthly(r)
        low = cost(r, "open_model_band", "low_usd")
        lead = None
        if reason == "choice" and own and low:  # the API is open to them: which is cheaper
            lead = phrase("hosting_choice_api_cheaper" if low < own else "hosting_choice_own",
                          v, low=ctx.fig("open_band_low_usd", low),
                          own=ctx.fig("in_house_monthly_usd", own))
        return Answer(paragraphs(
            lead, phrase(f"hosting_in_house.{reason}", v, gpus=gpus(r)), if_api_allowed(ctx, r),
            f"From the article ({SECTION_TITLES['faq-q4']}): "
            f"{knowledge_text('faq-q4-small-business')}"),
            ["faq-q2", "faq-q4", "faq-q6"])
    value, basis = monthly(r)
    if not h:
        lead = (f"You pay **{ctx.fig('monthly_usd', value)} a month**"
                + (f" ({basis})" if basis else "") + ". " if value is not None else "")
        return Answer(paragraphs(
            f"{lead}I cannot compute self-hosting for this assessment: it needs a model, "
            "token sizes per request and a volume.",
            f"From the article ({SECTION_TITLES['faq-q2']}): {faq}"), ["faq-q2"])
    v = reader(r, ctx.rulebase)
    lines = []
    verdict = field(h, "status")
    be = field(h, "break_even_requests")
    calls = (phrase("hosting_calls", v, calls=count(field(h, "break_even_calls")))
             if field(h, "break_even_calls") and calls_per_task(r) > 1 else "")
    if verdict in ("below_break_even", "never_pays", "pays"):
        lines.append(phrase(f"hosting_{verdict}", v, model=model_name(r), break_even=about(be),
                            calls=calls, volume=volume_words(r)))
    sh = field(h, "monthly_usd")
    asked = re.search(r"\b(?:cheaper|less expensive) than (?:self[- ]?host\w*|running|hosting)"
                      r"|\bcheaper to (?:self[- ]?host|run (?:it )?(?:ourselves|in[- ]house))",
                      ctx.question, re.IGNORECASE)
    if asked and value is not None and sh is not None:  # "is that still cheaper than …?"
        api_first = re.search(r"cheaper than", ctx.question, re.IGNORECASE)
        api_cheaper = value <= sh
        lines.insert(0, phrase("hosting_yes" if api_cheaper == bool(api_first) else "hosting_no",
                               v, cost=money(value), model=model_name(r), hosting=money(sh),
                               cheaper="the API" if api_cheaper else "self-hosting"))
    if value is not None:  # the verdict first, then the figure it rests on
        lines.append(phrase("hosting_paying", v, cost=ctx.fig("monthly_usd", value),
                            model=model_name(r), volume=volume_words(r)))
    best = _options(ctx, r)
    if field(h, "monthly_usd") is not None:
        lines.append(phrase("hosting_cost", v,
                            cost=ctx.fig("self_hosting_monthly_usd", field(h, "monthly_usd")),
                            gpus=_gpus(h)))
    if best is not None:
        which, amount = best
        lines.append(phrase("hosting_cheapest", v, cost=ctx.fig("cheapest_monthly_usd", amount),
                            option=phrase(f"option_{which}", v, model=model_name(r))))
    if best is not None and re.search(r"\bcheapest\b", ctx.question, re.IGNORECASE):
        lines.insert(0, lines.pop())  # asked for the cheapest option: it leads
    from advisor.ask.intents import personal

    # the FAQ speaks of millions of requests a month: quoted for a question about the article,
    # or to a client at that scale, never as a catalogue line to a small one
    if (requests(r) or 0) >= 1_000_000 or not personal(ctx.question):
        lines.append(f"From the article ({SECTION_TITLES['faq-q2']}): {faq}")
    lines.append(phrase("hosting_assumptions", v))
    return Answer(paragraphs(*lines), ["faq-q2", "s1-prices"], matched=["faq-q2-self-hosting"])


def open_vs_closed(ctx: Context) -> Answer:
    r = ctx.now
    band = cost(r, "open_model_band")
    lines = []
    if in_house(r):
        lines.append("You run on-premises (on-prem), so open versus closed is a choice of what "
                     "to run on your own GPUs. " + (if_api_allowed(ctx, r) or ""))
    elif field(band, "low_usd") is not None:
        value, _ = monthly(r)
        lines.append(f"On open models at $0.10–$0.50 per million tokens the same tokens would "
                     f"cost **{ctx.fig('open_band_low_usd', field(band, 'low_usd'))}–"
                     f"{ctx.fig('open_band_high_usd', field(band, 'high_usd'))} a month**"
                     + (f", against {ctx.fig('monthly_usd', value)} today on {model_name(r)}."
                        if value is not None else f" ({volume_words(r)})."))
        h = cost(r, "self_hosting")
        if field(h, "verdict") == "never pays":
            lines.append("Running them on your own GPUs never pays under these assumptions: "
                         "buy open models through an API instead (faq-q2).")
        elif field(h, "monthly_usd") is not None:
            lines.append(f"Running them on your own GPUs would cost about "
                         f"{money(field(h, 'monthly_usd'))} a month (faq-q2).")
    else:
        lines.append(f"I cannot price open models for you: {no_cost_reason(r)}.")
    if cost(r, "current", "quality") == "fine_tuned":
        lines.append(phrase("fine_tune_open", reader(r, ctx.rulebase), model=model_name(r)))
    lines.append("The article's caution (§7): " + knowledge_text("s7-open-vs-closed") + " Keep a "
                 "hybrid: open "
                 "models where they meet the quality bar, closed ones where the task needs "
                 "the frontier.")
    return Answer(paragraphs(*lines), ["s1-prices", "s7-risk-factors", "faq-q2"])


def on_prem_fit(ctx: Context) -> Answer:
    r = ctx.now
    a = r.answers
    if in_house(r):
        keep = [x.title for x in r.recommendations if x.id not in CONFLICTS_ON_PREM]
        return Answer(paragraphs(
            on_prem_line(r),
            ("What does apply to you: " + "; ".join(keep) + ".") if keep else None,
            "Cloud APIs could only serve work that carries no restricted data, and only where "
            "your regulator allows it. " + (if_api_allowed(ctx, r) or ""),
            f"From the article ({SECTION_TITLES['faq-q6']}): "
            f"{knowledge_text('faq-q6-costs-stay-high')}"),
            ["faq-q4", "faq-q6"])
    if "complian" in ctx.question.lower():
        value, _ = monthly(r)
        spend = (f" on top of the {ctx.fig('monthly_usd', value)} a month of model spend"
                 if value is not None and not in_house(r) else "")
        return Answer(paragraphs(
            "I cannot put a figure on compliance: advisor does not model it. Validation, audit "
            f"trails and data governance come{spend}, and they do not fall with token prices "
            "(faq-q6); budget them separately.",
            on_prem_line(r) if in_house(r) else None,
            knowledge_text("faq-q6-costs-stay-high")), ["faq-q6"])
    if a.get("regulated") or r.derived.get("regulated_domain"):
        return Answer(paragraphs(
            "No: your answers say you are regulated but not required to run on-premises. "
            "Regulation (faq-q6) asks for validation, audit trails and data governance, which "
            "cost money on top of token prices; it does not by itself mean your own servers. "
            "An API with the right data agreements can stay; budget compliance separately.",
            knowledge_text("faq-q6-costs-stay-high")), ["faq-q6"])
    return Answer(paragraphs(
        "Nothing in your answers requires on-premises operation or marks the domain as "
        "regulated, so the API-based advice applies as given."), ["faq-q6"])


def out_of_scope(ctx: Context) -> Answer:
    return Answer(CANNOT + "\n", [], answered=False)


def reset(ctx: Context) -> Answer:
    inner = monthly_cost(ctx)
    inner.text = "Back to your assessment as answered (every what-if cleared).\n\n" + inner.text
    return inner


def undo(ctx: Context) -> Answer:
    undone = ctx.parsed.figures.get("undone") or []
    inner = monthly_cost(ctx)
    head = (phrase("undone", {}, what="; ".join(undone)) if undone
            else phrase("nothing_to_undo", {}))
    inner.text = head + "\n\n" + inner.text
    return inner


def what_if_problem(ctx: Context) -> Answer:
    return Answer("I could not recompute that: " + "; ".join(ctx.parsed.problems) + ".\n", [],
                  answered=False)


def follow_up(ctx: Context) -> Answer:
    if ctx.parsed.edits:
        return what_if(ctx)
    if ctx.parsed.scenario:
        reply = scenario_explain(ctx)
    elif "expected" in ctx.question.lower():
        reply = expected_cost(ctx)
    else:
        return monthly_cost(ctx)  # names the what-if in force itself
    if ctx.whatif is not None:
        reply.text = (f"With the what-if in force ({'; '.join(ctx.whatif.labels)}), not "
                      f"today's figures:\n\n" + reply.text)
        reply.recomputed = ctx.whatif.result
    return reply


ANSWERS: dict[str, Callable[[Context], Answer]] = {
    "monthly_cost": monthly_cost, "cost_per_task": cost_per_task, "usage_volume": usage_volume,
    "compare_2023": compare_2023, "bill_gap": bill_gap, "budget_share": budget_share,
    "scenario_explain": scenario_explain, "expected_cost": expected_cost,
    "self_hosting": self_hosting, "open_vs_closed": open_vs_closed, "on_prem_fit": on_prem_fit,
    "top_actions": advice.top_actions, "why_tier": advice.why_tier,
    "confidence": advice.confidence, "moat": advice.moat, "gpu_demand": advice.gpu_demand,
    "pricing_model": advice.pricing_model, "deferred_use_cases": advice.deferred_use_cases,
    "quality_risk": advice.quality_risk, "monitoring": advice.monitoring,
    "cautions": advice.cautions, "sources": advice.sources, "knowledge": advice.knowledge,
    "out_of_scope": out_of_scope, "reset": reset, "what_if_problem": what_if_problem,
    "follow_up": follow_up, "capacity": decisions.capacity, "goal_seek": decisions.goal_seek,
    "compare_models": decisions.compare_models, "levers": decisions.levers,
    "materiality": decisions.materiality, "unsupported": decisions.unsupported,
    "brief": decisions.brief, "undo": undo, "lifecycle": decisions.lifecycle,
}

#: Topics whose answer reads the result in force without saying so themselves.
_SAYS_STATE = frozenset({"monthly_cost", "follow_up", "reset", "what_if_problem", "undo"})


def answer_for(ctx: Context) -> Answer:
    """The offline answer to the parsed question, said in the reader's voice."""
    intent = ctx.parsed.intent
    said_noop = bool(ctx.parsed.noops and not ctx.parsed.edits and intent in WHAT_IF_INTENTS)
    fn = (monthly_cost if said_noop
          else what_if if intent in WHAT_IF_INTENTS and intent != "follow_up"
          else ANSWERS.get(intent, advice.knowledge))
    reply = (decisions.quality_gate(ctx) if intent == "quality_risk" else None) or fn(ctx)
    if ctx.parsed.also and ctx.parsed.also in ANSWERS and intent == ctx.parsed.topic:
        more = ANSWERS[ctx.parsed.also](ctx)
        if more.answered:
            reply.text = reply.text.rstrip("\n") + "\n\n" + more.text
            reply.sources = ordered([*reply.sources, *more.sources])
    reply.intent = intent
    v = reader(ctx.now, ctx.rulebase)
    head = []
    if said_noop:
        head.append(" ".join(phrase("noop", v, said=e.said or e.form(), now=_now(ctx, e))
                             for e in ctx.parsed.noops))
    elif (ctx.whatif is not None and intent not in WHAT_IF_INTENTS
          and intent not in _SAYS_STATE and reply.answered):
        head.append(phrase("what_if_in_force", v, changes="; ".join(ctx.whatif.labels)))
        reply.recomputed = reply.recomputed or ctx.whatif.result
    tail = []
    yearly = ctx.figures.get("monthly_usd")
    before, _ = monthly(ctx.base)
    if (intent in WHAT_IF_INTENTS and yearly is not None and before is not None
            and re.search(r"\b(?:per|a|each|every) year\b|\bannual\w*|\byearly\b",
                          ctx.question, re.IGNORECASE)):
        diff = (yearly - before) * 12
        tail.append(phrase("per_year", v, year=money(yearly * 12), before=money(before * 12),
                           diff=money(abs(diff)), way="less" if diff < 0 else "more"))
    if ctx.parsed.unknown:
        tail.append(phrase("unknown", v, words=", ".join(f"'{w}'" for w in ctx.parsed.unknown)))
    reply.text = say.finish("\n\n".join([*head, reply.text.rstrip("\n"), *tail]),
                            voice=voice_of(ctx.now),
                            limit=ctx.parsed.sentences)
    reply.figures = dict(ctx.figures)
    if ctx.whatif is not None:
        reply.what_if = list(ctx.whatif.labels)
    return reply


def _now(ctx: Context, edit: Any) -> str:
    """What a no-op edit finds in force, in words ("3 calls per task")."""
    a = (ctx.whatif.answers_file if ctx.whatif else ctx.answers_file).answers
    if edit.kind == "calls_per_task":
        return f"{a.get('calls_per_task') or 1} calls per task"
    if edit.kind == "model":
        return f"the model is {edit.value}"
    return volume_words(ctx.now)


def _gpus(h: dict[str, Any]) -> str:
    """"2 GPUs" or "1 GPU": what the self-hosting figure pays for."""
    n = max(field(h, "gpus_needed") or 0, field(h, "always_on_gpus") or 0)
    n = int(n) if float(n).is_integer() else n
    return f"{n:g} GPU" if n == 1 else f"{n:g} GPUs"
