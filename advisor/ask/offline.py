"""Answers per intent, without any LLM: from the result, a recomputation, and the article.

Every answer leads with the person's own figure (or a plain "cannot, because"), and respects
their constraints: an organisation that must stay on-premises is never told to stay on (or
move between) APIs, its in-house cost is never a list price of $0, and API figures are given
only as what it would cost "if regulation ever allows an API"; with no model named, no cost
is invented; a regulated domain keeps its compliance costs in view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from advisor.ask.answer import Answer
from advisor.ask.figures import count, money, share
from advisor.ask.intents import WHAT_IF_INTENTS, Parsed
from advisor.ask.whatif import WhatIf
from advisor.core.result import Result
from advisor.core.sources import SECTION_KEYS, SECTION_TITLES
from advisor.render import formatting

CANNOT = ("I cannot answer that from this assessment or the article: it is outside what advisor "
          "knows. I can explain the tier and what drives it, the costs (monthly, per task, "
          "against 2023, against the bill), the scenarios, self-hosting and open models, the "
          "recommendations, and recompute what-ifs: \"what if our volume doubles?\", \"what if "
          "we switch to gpt-4o-mini?\", \"what if prices fall another 10x?\", \"what if each "
          "task took 20 calls?\", \"what if stabilization were 70%?\".")
CONFLICTS_ON_PREM = frozenset({"stay-on-api", "multi-provider-strategy", "evaluate-self-hosting"})


@dataclass
class Context:
    """What an answer is built from."""

    question: str
    parsed: Parsed
    answers_file: Any
    base: Result  # the assessment as answered
    now: Result  # the base, or the what-if in force
    whatif: WhatIf | None  # the what-if in force (with this question's edits), if any
    rulebase: Any
    prices: Any
    figures: dict[str, float] = field(default_factory=dict)
    prior_edits: list[Any] = field(default_factory=list)  # the what-if before this question

    def fig(self, name: str, value: float | None) -> str:
        if value is not None:
            self.figures[name] = round(float(value), 6)
        return money(value)


# ---------------------------------------------------------------------------- reading a result


def cost(result: Result, *path: str) -> Any:
    value: Any = result.costs or {}
    for p in path:
        value = value.get(p) if isinstance(value, dict) else None
    return value


def ordered(keys: Any) -> list[str]:
    order = list(SECTION_TITLES)
    return sorted({k for k in keys if k in SECTION_KEYS}, key=order.index)


def in_house(result: Result) -> bool:
    """On-premises required, or a model served in-house (the API is not an option)."""
    current = cost(result, "current") or {}
    return bool(result.answers.get("on_prem_required") or current.get("basis") == "in_house"
                or (current and current.get("input_per_mtok") == 0
                    and current.get("output_per_mtok") == 0))


def monthly(result: Result) -> tuple[float | None, str]:
    """This workload's monthly cost and what it rests on ('' when computed from answers)."""
    current = cost(result, "current") or {}
    if in_house(result):
        if current.get("basis") == "in_house" and current.get("monthly_usd"):
            return current["monthly_usd"], "in-house"
        return None, "in-house"
    if current.get("monthly_usd") is not None:
        basis = cost(result, "volume_basis")
        return current["monthly_usd"], {"inferred_from_bill": "token volume inferred from your "
                                        "bill", "default_sizes": "default token sizes per "
                                        "request"}.get(basis or "", "")
    if cost(result, "reported_spend_usd") is not None:
        return cost(result, "reported_spend_usd"), "your reported bill"
    return None, ""


def api_monthly(result: Result) -> float | None:
    """The list-price API cost of these tokens (for in-house users: if an API were allowed)."""
    current = cost(result, "current") or {}
    if "api_monthly_usd" in current:
        return current["api_monthly_usd"] or None
    tin, tout = cost(result, "monthly_input_tokens"), cost(result, "monthly_output_tokens")
    pin, pout = current.get("input_per_mtok"), current.get("output_per_mtok")
    if None in (tin, tout, pin, pout) or not (pin or pout):
        return None
    return (tin * pin + tout * pout) / 1e6


def requests(result: Result) -> float | None:
    return cost(result, "monthly_requests")


def calls_per_task(result: Result) -> float:
    return float(result.answers.get("calls_per_task") or 1)


def volume_words(result: Result) -> str:
    r = requests(result)
    if r is None:
        return "no volume given"
    cpt = calls_per_task(result)
    if cpt > 1:
        return (f"{count(r)} requests a month, {count(cost(result, 'monthly_calls'))} LLM calls "
                f"({cpt:g} calls per task)")
    return f"{count(r)} requests a month"


def model_name(result: Result) -> str | None:
    from advisor.ask.whatif import WHAT_IF_MODEL

    name = cost(result, "current", "model")
    if name == WHAT_IF_MODEL:
        pin, pout = cost(result, "current", "input_per_mtok"), cost(result, "current",
                                                                     "output_per_mtok")
        return (f"a model at ${pin:g} per million tokens" if pin == pout
                else f"a model at ${pin:g} input / ${pout:g} output per million tokens")
    return name


def _gpus(result: Result) -> str:
    h = cost(result, "self_hosting") or {}
    owned = h.get("gpus_owned") or result.answers.get("self_hosted_gpus")
    hours = h.get("gpu_hours")
    busy = h.get("gpus_busy", None if hours is None else hours / 730)
    parts = []
    if busy is not None:
        parts.append(f"this volume keeps about {busy:.1f} GPU(s) busy around the clock "
                     f"({count(hours)} GPU-hours a month)" if hours is not None else
                     f"this volume keeps about {busy:.1f} GPU(s) busy")
    if owned:
        spare = h.get("spare_gpus", None if busy is None else owned - busy)
        short = h.get("gpu_shortfall")
        parts.append(f"you own {owned:g} GPU(s)"
                     + (f", so about {spare:.1f} are spare" if spare and spare > 0 else "")
                     + (f", about {short:.1f} short: more GPUs are needed" if short else ""))
    return "; ".join(parts) if parts else "the GPU need cannot be sized without token counts"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _on_prem_line(result: Result) -> str:
    return ("You must stay on-premises (on-prem): an API is not an option for you, so advice "
            "about buying from API providers does not apply; your cost is the owned GPU "
            f"capacity, depreciated rather than repriced by the market (faq-q4, faq-q6). "
            f"{_cap(_gpus(result))}.")


def _if_api_allowed(ctx: Context, result: Result) -> str:
    parts = []
    api = api_monthly(result)
    if api:
        parts.append(f"{ctx.fig('api_monthly_usd', api)} a month on {model_name(result)} at list "
                     "prices")
    band = cost(result, "open_model_band") or {}
    if band.get("low_usd"):
        parts.append(f"{ctx.fig('open_band_low_usd', band['low_usd'])}–"
                     f"{ctx.fig('open_band_high_usd', band['high_usd'])} a month on the open-model"
                     " band ($0.10–$0.50 per million tokens)")
    if not parts:
        return ""
    return "If regulation ever allows an API, the same tokens would cost " + " or ".join(
        parts) + "."


def _knowledge(entry_id: str) -> str:
    from advisor.data.rules import load_knowledge

    entry = load_knowledge().by_id.get(entry_id)
    return "" if entry is None else entry.text


def _no_cost_reason(result: Result) -> str:
    if requests(result) is None and cost(result, "current") is None:
        return ("the answers give neither a model nor a volume of this organisation's own "
                "inference")
    if cost(result, "current") is None:
        return "no model is named, so there is no price to apply"
    return "the answers give no token counts or bill to price"


def _archetype(result: Result, rulebase: Any) -> str | None:
    q = rulebase.questionnaire.by_id.get("archetype")
    value = result.answers.get("archetype")
    return None if value is None or q is None else str(q.label_for(value))


def _gpu_cloud_line() -> str:
    return ("For a GPU rental business the question is GPU demand: "
            + _knowledge("medium-gpu-rental"))


def _lines(*parts: str | None) -> str:
    return "\n\n".join(p for p in parts if p) + "\n"


# ---------------------------------------------------------------------------- costs


def monthly_cost(ctx: Context) -> Answer:
    r = ctx.now
    value, basis = monthly(r)
    if in_house(r):
        h = cost(r, "self_hosting") or {}
        figure = (f"On the self-hosting assumptions (GPU price per hour, throughput, fixed "
                  f"cost) it comes to about {ctx.fig('in_house_monthly_usd', value)} a month."
                  if value else
                  f"On the self-hosting assumptions, serving it would cost about "
                  f"{ctx.fig('in_house_monthly_usd', h.get('monthly_usd'))} a month; change "
                  "those assumptions if you have real figures." if h.get("monthly_usd") else "")
        return Answer(_lines(
            f"Your workload runs on-premises on your own GPUs, so its cost is the in-house cost "
            f"of that hardware, not an API price. {figure}", _on_prem_line(r),
            _if_api_allowed(ctx, r)), ["faq-q4", "faq-q6"])
    if value is None:
        band = cost(r, "open_model_band") or {}
        extra = ""
        if band.get("low_usd"):
            extra = (f"For scale: the same tokens would cost "
                     f"{ctx.fig('open_band_low_usd', band['low_usd'])}–"
                     f"{ctx.fig('open_band_high_usd', band['high_usd'])} a month on the "
                     f"open-model band, and "
                     f"{ctx.fig('baseline_2023_usd', cost(r, 'baseline_2023', 'monthly_usd'))} "
                     "at GPT-4's 2023 launch prices. Name a model to price it: \"what would it "
                     "cost on gpt-4o-mini?\"")
        archetype = r.answers.get("archetype")
        return Answer(_lines(f"I cannot give a monthly cost: {_no_cost_reason(r)}"
                             f" ({volume_words(r)}).", extra,
                             _gpu_cloud_line() if archetype == "gpu_cloud" else None),
                      ["s1-prices"] + (["s2-medium"] if archetype == "gpu_cloud" else []))
    lead = (f"**{ctx.fig('monthly_usd', value)} a month**"
            + (f" ({basis})" if basis else f" at today's prices for {model_name(r)}"
               if ctx.whatif is None else f" on {model_name(r)}")
            + f", for {volume_words(r)}"
            + (f", with the what-if in force ({'; '.join(ctx.whatif.labels)})." if ctx.whatif
               else "."))
    lines = [lead]
    bill = cost(r, "reported_spend_usd")
    computed = cost(r, "current", "monthly_usd")
    if bill is not None and computed and basis == "" and abs(bill - computed) > 0.2 * computed:
        lines.append(f"Your bill says **{ctx.fig('bill_usd', bill)} a month**, "
                     f"{bill / computed:.1f}× the {money(computed)} computed from your answers: "
                     "reconcile the two (volume the answers do not show, retries, another "
                     "model in the mix).")
    base = cost(r, "baseline_2023", "monthly_usd")
    if base and basis != "your reported bill":
        lines.append(f"At GPT-4's March 2023 launch prices the same tokens would have cost "
                     f"{ctx.fig('baseline_2023_usd', base)}"
                     + (f", so you pay {formatting.pct(cost(r, 'reduction_vs_2023_pct'))} less."
                        if cost(r, "reduction_vs_2023_pct") is not None else "."))
    expected = cost(r, "scenarios", "expected_monthly_usd")
    if expected is not None:
        lines.append(f"Across the three scenarios, the expected monthly cost in 12–24 months is "
                     f"{ctx.fig('expected_monthly_usd', expected)}.")
    return Answer(_lines(*lines), ["s1-prices", "s5-scenarios"])


def cost_per_task(ctx: Context) -> Answer:
    r = ctx.now
    per = cost(r, "per_task_usd")
    value, basis = monthly(r)
    n = requests(r)
    if per is None and value is not None and n:
        per = value / n
    cpt = calls_per_task(r)
    unit = "task" if cpt > 1 else "request"
    if per is None or in_house(r):
        if in_house(r):
            return Answer(_lines(f"I cannot give an API price per {unit}: you run on-premises "
                                 "(on-prem), so a request costs a share of the owned GPUs, "
                                 "not a list price.", _on_prem_line(r)), ["faq-q4"])
        return Answer(_lines(f"I cannot give a cost per {unit}: {_no_cost_reason(r)}."),
                      ["s1-prices"])
    calls = (f" through all of its {cpt:g} LLM calls ({money(per / cpt)} a call)" if cpt > 1
             else "")
    return Answer(_lines(
        f"**One {unit} costs about {ctx.fig('per_task_usd', per)}**{calls}"
        + (f", on {model_name(r)}" if model_name(r) else "")
        + (f" ({basis})" if basis else "") + ".",
        f"At {volume_words(r)} that is {ctx.fig('monthly_usd', value)} a month."
        if value else None), ["s1-prices"] + (["faq-q5"] if cpt > 1 else []))


def usage_volume(ctx: Context) -> Answer:
    r = ctx.now
    n = requests(r)
    if n is None:
        return Answer(_lines("I cannot say: the answers give no volume (monthly requests, or "
                             "daily users and requests per user)."), [], answered=True)
    a = r.answers
    how = ""
    if a.get("monthly_requests") is None and a.get("daily_users") is not None:
        how = (f" ({count(a['daily_users'])} daily users × {a.get('requests_per_user_per_day'):g}"
               f" requests a day × {ctx.rulebase.defaults.get('days_per_month', 30):g} days)")
    ctx.figures["monthly_requests"] = n
    lines = [f"**{volume_words(r)}**{how}."]
    if calls_per_task(r) > 1:
        ctx.figures["monthly_calls"] = cost(r, "monthly_calls")
        lines.append("Each task fans out into several LLM calls, so every price change is "
                     "multiplied by the calls per task (faq-q5).")
    return Answer(_lines(*lines), ["faq-q5"] if calls_per_task(r) > 1 else [])


def compare_2023(ctx: Context) -> Answer:
    r = ctx.now
    base = cost(r, "baseline_2023", "monthly_usd")
    if base is None:
        return Answer(_lines(f"I cannot compare with 2023: {_no_cost_reason(r)} (the 2023 "
                             "baseline needs the token volume).",
                             _knowledge("prices-reduction")), ["s1-prices"])
    lines = [f"At GPT-4's March 2023 launch prices ($30 / $60 per million input / output "
             f"tokens) the same tokens would cost **{ctx.fig('baseline_2023_usd', base)} a "
             f"month** ({volume_words(r)})."]
    value, _ = monthly(r)
    if in_house(r):
        lines.append(_on_prem_line(r))
        if value:
            lines.append(f"Your in-house cost is about {money(value)} a month.")
    elif value is not None:
        less = 100 * (1 - value / base) if base else None
        lines.append(f"Today you pay {ctx.fig('monthly_usd', value)} a month"
                     + (f", {less:.1f}% less." if less is not None else "."))
    else:
        lines.append(f"I cannot say how much less you pay today: {_no_cost_reason(r)}.")
    from advisor.data.rules import load_rulebase

    red = load_rulebase().anchors["reduction"]
    lines.append(f"For comparison, the article puts the fall at GPT-4-level performance at "
                 f"{red['low_pct']}–{red['high_pct']}% ({red['date']}); your figure differs "
                 "because it compares your model, not the cheapest model of equal quality.")
    return Answer(_lines(*lines), ["s1-prices"])


def bill_gap(ctx: Context) -> Answer:
    r = ctx.now
    bill = cost(r, "reported_spend_usd")
    computed = cost(r, "current", "monthly_usd")
    basis = cost(r, "volume_basis")
    if bill is None:
        value, _ = monthly(r)
        return Answer(_lines("You gave no monthly bill to compare with"
                             + (f"; the computed cost is {ctx.fig('monthly_usd', value)} a month."
                                if value is not None else ".")), ["s1-prices"])
    if computed is None or basis == "inferred_from_bill":
        n = requests(r)
        per = f" ({money(bill / n)} a request over {count(n)} requests)" if n else ""
        return Answer(_lines(
            f"Your bill is **{ctx.fig('bill_usd', bill)} a month**{per}. I cannot check it "
            "against a computed cost: without token sizes per request the token volume can only "
            "be worked back from the bill itself, so the two agree by construction.",
            "Give the average input and output tokens per request to get an independent "
            "figure."), ["s1-prices"])
    ratio = bill / computed if computed else float("inf")
    lines = [f"Your bill: **{ctx.fig('bill_usd', bill)} a month**. Computed from your answers: "
             f"**{ctx.fig('monthly_usd', computed)} a month** ({volume_words(r)} on "
             f"{model_name(r)})."]
    if abs(ratio - 1) <= 0.2:
        lines.append(f"They agree within {abs(ratio - 1) * 100:.0f}%: the answers describe the "
                     "bill well.")
    else:
        lines.append(f"The bill is {ratio:.1f}× the computed figure. Reconcile the two: volume "
                     "the answers do not show (other teams, tests, batch jobs), retries and "
                     "long contexts, or another, dearer model in the mix. A token-use dashboard "
                     "per feature shows which (faq-q7).")
    return Answer(_lines(*lines), ["s1-prices", "faq-q7"])


def budget_share(ctx: Context) -> Answer:
    r = ctx.now
    s = cost(r, "api_share_of_ai_budget")
    budget = r.answers.get("monthly_ai_budget_usd")
    if s is None:
        why = ("no monthly AI budget was given" if budget is None
               else "no API spend is known (no bill, and no computed cost)")
        return Answer(_lines(f"I cannot give the share: {why}.",
                             _knowledge("s6-enterprise-multi-provider")), ["s6-checklist"])
    spend = cost(r, "reported_spend_usd")
    spend = spend if spend is not None else cost(r, "current", "monthly_usd")
    ctx.figures["api_share_of_ai_budget"] = s
    lines = [f"**{share(s)}** of your AI budget goes to the API ({money(spend)} of "
             f"{money(budget)} a month)."]
    if in_house(r):
        lines.append(_on_prem_line(r))
    elif s > 0.5:
        lines.append("That is more than half, the checklist's threshold for enterprise IT: "
                     "run several providers and trial open-model options side by side, so one "
                     "provider's prices do not steer most of the budget (s6).")
    else:
        lines.append("That is under half, so the checklist's multi-provider point is less "
                     "pressing; the rest of the budget is people, integration and compliance.")
    return Answer(_lines(*lines), ["s6-checklist"])


# ---------------------------------------------------------------------------- scenarios


def _scenario_lines(ctx: Context, r: Result, sid: str) -> list[str]:
    items = {s.id: s for s in r.scenarios}
    s = items[sid]
    number = list(items).index(sid) + 1
    lines = []
    head = f"**Scenario {number}: {s.title}** (probability {formatting.percent(s.probability)})"
    if in_house(r):
        lines.append(f"{head}: your in-house cost does not move with market prices. You run "
                     "on-premises (on-prem) on owned hardware, which is depreciated, not "
                     "repriced (faq-q4). " + s.summary)
        api = _if_api_allowed(ctx, r)
        if api:
            lines.append(api)
    elif s.monthly_cost_usd is not None:
        value, _ = monthly(r)
        lines.append(f"{head}: your monthly cost would be about "
                     f"**{ctx.fig(f'{sid}_monthly_usd', s.monthly_cost_usd)}** (today's "
                     f"{money(value)} ×{s.multiplier:g}). {s.summary}")
        if sid == "divergence" and s.multiplier == 1:
            lines.append("Your domain counts as regulated, so in divergence your prices hold: "
                         "validated specialist models form a premium tier.")
    elif r.answers.get("archetype") == "gpu_cloud":
        lines.append(f"{head}: {s.summary}")
    else:
        lines.append(f"{head}: I cannot put a figure on it for you: {_no_cost_reason(r)}. "
                     + s.summary)
    if s.outlook:
        lines.append(f"For you: {s.outlook}")
    if r.answers.get("archetype") == "gpu_cloud":
        lines.append(_gpu_cloud_line())
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
    return Answer(_lines(*lines), ["s5-scenarios"])


def expected_cost(ctx: Context) -> Answer:
    r = ctx.now
    expected = cost(r, "scenarios", "expected_monthly_usd")
    if in_house(r):
        return Answer(_lines("Your in-house cost is the same in every scenario: you run "
                             "on-premises (on-prem), and owned hardware is depreciated, not "
                             "repriced by the market (faq-q4).", _on_prem_line(r),
                             _if_api_allowed(ctx, r)), ["s5-scenarios", "faq-q4"])
    if expected is None:
        return Answer(_lines(f"I cannot give an expected cost: {_no_cost_reason(r)}."),
                      ["s5-scenarios"])
    parts = "; ".join(f"{s.title.lower()} {formatting.percent(s.probability)} × "
                      f"{money(s.monthly_cost_usd)}" for s in r.scenarios)
    value, _ = monthly(r)
    return Answer(_lines(
        f"**{ctx.fig('expected_monthly_usd', expected)} a month** is the expected cost in 12–24 "
        f"months, weighting the three scenarios ({parts}).",
        f"Today: {ctx.fig('monthly_usd', value)} a month." if value is not None else None),
        ["s5-scenarios"])


# ---------------------------------------------------------------------------- what-ifs


def what_if(ctx: Context) -> Answer:
    w = ctx.whatif
    if w is None:
        return Answer(_lines("I could not turn that into a change I can recompute."), [],
                      answered=False)
    before, after = ctx.base, w.result
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
        lines.append(f"{_cap(_gpus(after))}.")
        api = _if_api_allowed(ctx, after)
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
            reason = _no_cost_reason(after)
            if after.answers.get("archetype") == "gpu_cloud":
                lines.append(_gpu_cloud_line())
                lines.append(f"I cannot put a dollar figure on it: {reason}. What to watch is "
                             "the rental price and utilisation of their GPUs as the same work "
                             "needs fewer of them (s2-medium).")
                sources.add("s2-medium")
            else:
                lines.append(f"I cannot recompute a cost for that: {reason}. Name a model "
                             "(\"what would it cost on gpt-4o-mini?\") and I will.")
            return _finish(ctx, lines, sources, answered=True)
        if wants_expected and expected is not None:
            lines.append(f"**{ctx.fig('expected_monthly_usd', expected)} a month** expected in "
                         f"12–24 months with {changes} (before: "
                         f"{money(cost(before, 'scenarios', 'expected_monthly_usd'))}).")
            lines.append(f"Today's monthly cost at these settings: "
                         f"{ctx.fig('monthly_usd', value)}.")
        else:
            lines.append(f"**{ctx.fig('monthly_usd', value)} a month** with {changes}. "
                         + (f"Your assessment: {money(old)}" if old is not None else
                            f"Your assessment has no cost: {_no_cost_reason(before)}")
                         + f"{' (' + basis + ')' if basis else ''}.")
            if expected is not None:
                lines.append(f"Expected in 12–24 months across the scenarios: "
                             f"{ctx.fig('expected_monthly_usd', expected)}.")
        per = cost(after, "per_task_usd")
        if per is not None and ("calls_per_task" in kinds or calls_per_task(after) > 1):
            n_calls = calls_per_task(after)
            lines.append(f"One task: {ctx.fig('per_task_usd', per)} ({n_calls:g} call"
                         f"{'' if n_calls == 1 else 's'}); {volume_words(after)}.")
        elif kinds & {"volume_factor", "requests", "daily_users", "add_requests"} and \
                calls_per_task(after) > 1:
            lines.append(f"Volume: {volume_words(after)}.")
        if after.answers.get("archetype") == "gpu_cloud":
            lines.append(_gpu_cloud_line())
        if kinds & {"model", "price"} and value is not None and old is not None and \
                value < old and (after.answers.get("relies_on_cheap_ai_for_quality")
                                 or after.derived.get("regulated_domain")):
            lines.append("Before switching, test the cheaper model against your own quality "
                         "and audit bar: in your field a lower price must not mean a lower "
                         "standard (s7, faq-q8).")
            sources |= {"s7-risk-factors", "faq-q8"}
    before = w.before or before  # like with like when token sizes were fixed from the bill
    if after.tier != before.tier:
        lines.append(f"The tier would move from **{before.tier}** to **{after.tier}** "
                     f"(score {before.score} → {after.score}).")
    before_recs = {x.id: x for x in before.recommendations}
    after_recs = {x.id: x for x in after.recommendations}
    skip = CONFLICTS_ON_PREM if in_house(after) else frozenset()
    added = [x.title for k, x in after_recs.items() if k not in before_recs and k not in skip]
    dropped = [x.title for k, x in before_recs.items() if k not in after_recs and k not in skip]
    if added:
        lines.append("New recommendation(s): " + "; ".join(added) + ".")
    if dropped:
        lines.append("No longer recommended: " + "; ".join(dropped) + ".")
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
    lines.append("_Recomputed by the engine from your answers with these changes; nothing "
                 "estimated. Say \"reset\" to go back to your assessment._")
    return _finish(ctx, lines, sources)


def _chain(ctx: Context) -> list[Any]:
    return list(ctx.whatif.edits) if ctx.whatif is not None else []


def _finish(ctx: Context, lines: list[str], sources: set[str], *,
            answered: bool = True) -> Answer:
    if ctx.parsed.problems:
        lines.append("Not applied: " + "; ".join(ctx.parsed.problems) + ".")
    return Answer(_lines(*lines), ordered(sources), ctx.whatif.result if ctx.whatif else None,
                  answered=answered)


# ---------------------------------------------------------------------------- hosting, models


def _options(ctx: Context, r: Result) -> tuple[str, float] | None:
    """The cheapest of: the current API, the open-model API (band low), self-hosting."""
    h = cost(r, "self_hosting") or {}
    named = h.get("cheapest_option")
    options = {"current_api": cost(r, "current", "monthly_usd"),
               "open_model_api": cost(r, "open_model_band", "low_usd"),
               "self_hosting": h.get("monthly_usd")}
    options = {k: v for k, v in options.items() if v is not None}
    if not options:
        return None
    if named in options:
        return named, options[named]
    best = min(options, key=lambda k: options[k])
    return best, options[best]


def self_hosting(ctx: Context) -> Answer:
    r = ctx.now
    h = cost(r, "self_hosting") or {}
    faq = _knowledge("faq-q2-self-hosting")
    if in_house(r):
        return Answer(_lines(
            "You must stay on-premises (on-prem), so the API is not an option for you: "
            "self-hosting is what you already do. The question is sizing the owned GPUs: "
            f"{_gpus(r)}.", _if_api_allowed(ctx, r),
            f"From the article ({SECTION_TITLES['faq-q4']}): "
            f"{_knowledge('faq-q4-small-business')}"),
            ["faq-q2", "faq-q4", "faq-q6"])
    value, basis = monthly(r)
    if not h:
        lead = (f"You pay **{ctx.fig('monthly_usd', value)} a month**"
                + (f" ({basis})" if basis else "") + ". " if value is not None else "")
        return Answer(_lines(
            f"{lead}I cannot compute self-hosting for this assessment: it needs a model, "
            "token sizes per request and a volume.",
            f"From the article ({SECTION_TITLES['faq-q2']}): {faq}"), ["faq-q2"])
    lines = []
    if value is not None:
        lines.append(f"You pay **{ctx.fig('monthly_usd', value)} a month** on {model_name(r)} "
                     f"today ({volume_words(r)}).")
    verdict = h.get("verdict")
    be = h.get("break_even_requests")
    if verdict == "stay on API":
        lines.append(f"**Stay on the API at your volume**: the break-even against {model_name(r)}"
                     f" is about {count(be)} requests a month"
                     + (f" ({count(h['break_even_calls'])} LLM calls)"
                        if h.get("break_even_calls") and calls_per_task(r) > 1 else "")
                     + f"; you serve {volume_words(r)}.")
    elif verdict == "never pays":
        lines.append(f"**Self-hosting never pays** under these assumptions: {model_name(r)} "
                     "costs no more per request than the GPU time to serve it.")
    elif verdict == "self-hosting pays":
        lines.append(f"**Self-hosting would pay against {model_name(r)}** at your volume "
                     f"(break-even about {count(be)} requests a month"
                     + (f", {count(h['break_even_calls'])} LLM calls"
                        if h.get("break_even_calls") and calls_per_task(r) > 1 else "")
                     + ").")
    best = _options(ctx, r)
    if h.get("monthly_usd") is not None:
        lines.append(f"Self-hosting would cost about "
                     f"{ctx.fig('self_hosting_monthly_usd', h['monthly_usd'])} a month "
                     f"({h.get('gpus_needed')} GPU(s) busy, plus the always-on minimum and the "
                     "people to run it).")
    if best is not None:
        which, amount = best
        words = {"current_api": f"staying on {model_name(r)}",
                 "open_model_api": "an open-model API (the low end of the $0.10–$0.50 per "
                                   "million band)",
                 "self_hosting": "self-hosting"}[which]
        lines.append(f"The cheapest of the three options is {words}, at about "
                     f"**{ctx.fig('cheapest_monthly_usd', amount)} a month**.")
    lines.append(f"From the article ({SECTION_TITLES['faq-q2']}): {faq}")
    lines.append("These rest on the self-hosting assumptions in the report (GPU price per hour, "
                 "throughput, fixed monthly cost); change them in the answers file if you have "
                 "real quotes.")
    return Answer(_lines(*lines), ["faq-q2", "s1-prices"], matched=["faq-q2-self-hosting"])


def open_vs_closed(ctx: Context) -> Answer:
    r = ctx.now
    band = cost(r, "open_model_band") or {}
    lines = []
    if in_house(r):
        lines.append("You run on-premises (on-prem), so open versus closed is a choice of what "
                     "to run on your own GPUs. " + (_if_api_allowed(ctx, r) or ""))
    elif band.get("low_usd") is not None:
        value, _ = monthly(r)
        lines.append(f"On open models at $0.10–$0.50 per million tokens the same tokens would "
                     f"cost **{ctx.fig('open_band_low_usd', band['low_usd'])}–"
                     f"{ctx.fig('open_band_high_usd', band['high_usd'])} a month**"
                     + (f", against {ctx.fig('monthly_usd', value)} today on {model_name(r)}."
                        if value is not None else f" ({volume_words(r)})."))
        h = cost(r, "self_hosting") or {}
        if h.get("verdict") == "never pays":
            lines.append("Running them on your own GPUs never pays under these assumptions: "
                         "buy open models through an API instead (faq-q2).")
        elif h.get("monthly_usd") is not None:
            lines.append(f"Running them on your own GPUs would cost about "
                         f"{money(h['monthly_usd'])} a month (faq-q2).")
    else:
        lines.append(f"I cannot price open models for you: {_no_cost_reason(r)}.")
    lines.append("The article's caution (§7): " + _knowledge("s7-open-vs-closed") + " Keep a "
                 "hybrid: open "
                 "models where they meet the quality bar, closed ones where the task needs "
                 "the frontier.")
    return Answer(_lines(*lines), ["s1-prices", "s7-risk-factors", "faq-q2"])


def on_prem_fit(ctx: Context) -> Answer:
    r = ctx.now
    a = r.answers
    if in_house(r):
        keep = [x.title for x in r.recommendations if x.id not in CONFLICTS_ON_PREM]
        return Answer(_lines(
            _on_prem_line(r),
            ("What does apply to you: " + "; ".join(keep) + ".") if keep else None,
            "Cloud APIs could only serve work that carries no restricted data, and only where "
            "your regulator allows it. " + (_if_api_allowed(ctx, r) or ""),
            f"From the article ({SECTION_TITLES['faq-q6']}): "
            f"{_knowledge('faq-q6-costs-stay-high')}"),
            ["faq-q4", "faq-q6"])
    if "complian" in ctx.question.lower():
        value, _ = monthly(r)
        spend = (f" on top of the {ctx.fig('monthly_usd', value)} a month of model spend"
                 if value is not None and not in_house(r) else "")
        return Answer(_lines(
            "I cannot put a figure on compliance: advisor does not model it. Validation, audit "
            f"trails and data governance come{spend}, and they do not fall with token prices "
            "(faq-q6); budget them separately.",
            _on_prem_line(r) if in_house(r) else None,
            _knowledge("faq-q6-costs-stay-high")), ["faq-q6"])
    if a.get("regulated") or r.derived.get("regulated_domain"):
        return Answer(_lines(
            "No: your answers say you are regulated but not required to run on-premises. "
            "Regulation (faq-q6) asks for validation, audit trails and data governance, which "
            "cost money on top of token prices; it does not by itself mean your own servers. "
            "An API with the right data agreements can stay; budget compliance separately.",
            _knowledge("faq-q6-costs-stay-high")), ["faq-q6"])
    return Answer(_lines(
        "Nothing in your answers requires on-premises operation or marks the domain as "
        "regulated, so the API-based advice applies as given."), ["faq-q6"])


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
        lines.append(_on_prem_line(r))
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
            for i, x in enumerate(recs[:5], start=1)))
    if not lines:
        lines.append("No recommendation is triggered by these answers; answering the open "
                     "questions would sharpen the picture.")
    return Answer(_lines(*lines), ordered(x.source for x in recs))


_TIER_ORDER = {"lower": 0, "medium": 1, "high": 2}


def why_tier(ctx: Context) -> Answer:
    import re

    from advisor.core.explain import what_if as moves_for

    r, rb = ctx.now, ctx.rulebase
    up = [x for x in r.fired_rules if x.points > 0]
    down = [x for x in r.fired_rules if x.points < 0]
    archetype = _archetype(r, rb)
    lines = [f"Your tier is **{r.tier}** with a score of {r.score} out of 100 (high from "
             f"{formatting.number(rb.tier_high)}, medium from {formatting.number(rb.tier_medium)})"
             + (f"; you answered that the business is: {archetype}." if archetype else ".")]
    if up:
        lines.append("What raises it:\n\n" + "\n".join(
            f"- **{x.points:+g}** `{x.id}`: {x.explanation} *({x.source})*" for x in up[:6]))
    if down:
        lines.append("What protects you:\n\n" + "\n".join(
            f"- **{x.points:+g}** `{x.id}`: {x.explanation} *({x.source})*" for x in down[:4]))
    if not r.fired_rules:
        lines.append("No rule fired: nothing in the answers raises the exposure.")
    asked = [{"low": "lower"}.get(w.lower(), w.lower()) for w in
             re.findall(r"\b(high|medium|lower|low)\b", ctx.question, re.IGNORECASE)]
    asked = [t for t in asked if t != r.tier]
    direction = "up" if asked and _TIER_ORDER[asked[0]] > _TIER_ORDER[r.tier] else "down"
    if r.tier == "lower" and not asked:
        direction = "up"
    source_file = ctx.whatif.answers_file if ctx.whatif else ctx.answers_file
    moves = moves_for(source_file, rb, ctx.prices)[direction]
    q = rb.questionnaire.by_id
    word = "lower" if direction == "down" else "raise"
    if moves:
        lines.append(f"What would {word} the tier (the smallest answer changes the engine "
                     "found):\n\n" + "\n".join(
                         "- " + "; ".join(f"{q[c.question].prompt.rstrip('?')}: "
                                          f"{q[c.question].label_for(c.before)} → "
                                          f"{q[c.question].label_for(c.after)}"
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
    return Answer(_lines(*lines), ordered(srcs))


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
    return Answer(_lines(*lines), ordered(q[m.id].source for m in r.missing if m.id in q))


def moat(ctx: Context) -> Answer:
    r = ctx.now
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
    lines.append(_knowledge("high-defence"))
    if a.get("provider_overlap") in ("yes", "unsure") or "provider" in ctx.question.lower() or (
            "openai" in ctx.question.lower() or "anthropic" in ctx.question.lower()):
        lines.append(_knowledge("high-provider-competition"))
    if r.role == "investor":
        lines.append(_knowledge("s6-investor-moat"))
    return Answer(_lines(*lines), ["s2-high", "s4-business-model"]
                  + (["s6-checklist"] if r.role == "investor" else []))


def gpu_demand(ctx: Context) -> Answer:
    r = ctx.now
    a = r.answers
    if a.get("archetype") == "gpu_cloud":
        return Answer(_lines(_gpu_cloud_line(), _knowledge("medium-chip-alternatives"),
                             "What to do: diversify beyond commodity GPU rental (managed "
                             "inference, specialised services), and test the plan against a "
                             "further tenfold fall in prices (scenario 2)."), ["s2-medium"])
    if a.get("self_hosted_gpus") or in_house(r):
        return Answer(_lines(f"{_cap(_gpus(r))}.", _on_prem_line(r) if in_house(r)
                             else None, "Spare owned capacity is the headroom for the use "
                             "cases that were shelved over cost."), ["faq-q4", "s6-checklist"])
    return Answer(_lines("You rent no GPUs of your own, so GPU demand reaches you only through "
                         "API prices: " + _knowledge("medium-gpu-rental")), ["s2-medium"])


def pricing_model(ctx: Context) -> Answer:
    r = ctx.now
    pm = r.answers.get("pricing_model")
    value, _ = monthly(r)
    lines = []
    if pm == "free_tier" or "free" in ctx.question.lower():
        if value is not None:
            lines.append(f"Your free users cost about **{ctx.fig('monthly_usd', value)} a "
                         f"month** today ({volume_words(r)}).")
        lines.append(_knowledge("s3-free-tiers"))
        sources = ["s3-patterns"]
    else:
        if pm == "per_call":
            lines.append("You charge per call, which ties revenue to a unit price the whole "
                         "market keeps pushing down.")
        lines.append(_knowledge("s4-pricing") + " Move to outcome-based pricing: charge for the "
                     "result or the completed workflow.")
        sources = ["s4-business-model"]
    return Answer(_lines(*lines), sources)


def deferred_use_cases(ctx: Context) -> Answer:
    r = ctx.now
    n = r.answers.get("deferred_use_cases")
    lines = [(f"Yes: reassess the {n} use case(s) you shelved over cost. " if n else
              "Yes: reassess the use cases shelved over cost. ")
             + _knowledge("s6-enterprise-deferred")]
    base, value = cost(r, "baseline_2023", "monthly_usd"), monthly(r)[0]
    if in_house(r):
        lines.append(f"{_cap(_gpus(r))}: spare owned capacity is where those use cases "
                     "can run without new hardware.")
        lines.append(_on_prem_line(r))
    elif base and value is not None:
        lines.append(f"Your current workload costs {money(value)} a month; at 2023 prices it "
                     f"would have cost {money(base)}, so the sums behind those decisions have "
                     "changed. Price each shelved use case the same way (tokens × today's "
                     "price).")
    return Answer(_lines(*lines), ["s6-checklist", "s5-scenarios"])


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
        lines.append(_knowledge("s6-developer-model-choice") + (
            f" You use {model_name(r)}; ask \"what if we switch to …?\" to see another "
            "model's cost for your workload." if model_name(r) else
            " No model is named yet: ask \"what would it cost on …?\" to price one for your "
            "workload."))
    lines.append(_knowledge("s7-quality-barriers"))
    lines.append(_knowledge("faq-q8-cost-and-quality"))
    return Answer(_lines(*lines), ["s6-checklist", "s7-risk-factors", "faq-q8"]
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
    return Answer(_lines(lead, _knowledge("faq-q7-monitoring-tools"),
                         _knowledge("s6-developer-dashboard")), ["s6-checklist", "faq-q7"],
                  matched=["faq-q7-monitoring-tools"])


def cautions(ctx: Context) -> Answer:
    r = ctx.now
    q = ctx.question.lower()
    lines = []
    if "open" in q or "closed" in q or "replace" in q:
        lines.append(_knowledge("s7-open-vs-closed")
                     + " Plan a hybrid of open and closed models.")
        if r.answers.get("assumes_open_source_replaces_closed"):
            lines.append("Your answers say your plans assume this, so it applies to you.")
    elif "quality" in q or "trust" in q:
        lines.append(_knowledge("s7-quality-barriers"))
    else:
        lines.append("Don't plan on a linear decline. " + _knowledge("s7-linear-decline"))
        if r.answers.get("assumes_linear_price_decline"):
            lines.append("Your answers say your plans assume this, so it applies to you.")
        value, _ = monthly(r)
        if value is not None and not in_house(r):
            lines.append(f"If prices simply stop falling (the likeliest scenario, 50%), you keep "
                         f"paying {ctx.fig('monthly_usd', value)} a month: plan for that, and "
                         "treat further cuts as upside.")
    return Answer(_lines(*lines), ["s7-risk-factors", "s5-scenarios"])


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
    return Answer(_lines(*lines), ordered(e.section for e in used), matched=[e.id for e in used])


def knowledge(ctx: Context) -> Answer:
    from advisor.data.rules import load_knowledge

    matches = load_knowledge().search(ctx.question, limit=3)
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
    return Answer(_lines(*lines), ordered(m.entry.section for m in used),
                  matched=[m.entry.id for m in used])


def out_of_scope(ctx: Context) -> Answer:
    return Answer(CANNOT + "\n", [], answered=False)


def reset(ctx: Context) -> Answer:
    inner = monthly_cost(ctx)
    inner.text = "Back to your assessment as answered (every what-if cleared).\n\n" + inner.text
    return inner


def what_if_problem(ctx: Context) -> Answer:
    return Answer("I could not recompute that: " + "; ".join(ctx.parsed.problems) + ".\n", [],
                  answered=False)


def follow_up(ctx: Context) -> Answer:
    if ctx.parsed.edits:
        return what_if(ctx)
    if ctx.parsed.scenario:
        return scenario_explain(ctx)
    if "expected" in ctx.question.lower():
        return expected_cost(ctx)
    return monthly_cost(ctx)


ANSWERS: dict[str, Callable[[Context], Answer]] = {
    "monthly_cost": monthly_cost, "cost_per_task": cost_per_task, "usage_volume": usage_volume,
    "compare_2023": compare_2023, "bill_gap": bill_gap, "budget_share": budget_share,
    "scenario_explain": scenario_explain, "expected_cost": expected_cost,
    "self_hosting": self_hosting, "open_vs_closed": open_vs_closed, "on_prem_fit": on_prem_fit,
    "top_actions": top_actions, "why_tier": why_tier, "confidence": confidence, "moat": moat,
    "gpu_demand": gpu_demand, "pricing_model": pricing_model,
    "deferred_use_cases": deferred_use_cases, "quality_risk": quality_risk,
    "monitoring": monitoring, "cautions": cautions, "sources": sources, "knowledge": knowledge,
    "out_of_scope": out_of_scope, "reset": reset, "what_if_problem": what_if_problem,
    "follow_up": follow_up,
}


def answer_for(ctx: Context) -> Answer:
    """The offline answer to the parsed question."""
    intent = ctx.parsed.intent
    fn = what_if if intent in WHAT_IF_INTENTS and intent != "follow_up" else ANSWERS[intent]
    reply = fn(ctx)
    reply.intent = intent
    reply.figures = dict(ctx.figures)
    if ctx.whatif is not None:
        reply.what_if = list(ctx.whatif.labels)
    return reply
