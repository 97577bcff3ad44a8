"""``advisor cost``: the cost calculator on its own, without an answers file."""

from __future__ import annotations

import argparse
import json
from typing import Any

from advisor.cli.options import (
    margin_pct,
    non_negative_float,
    non_negative_int,
    positive_int,
    share,
)
from advisor.cli.output import emit
from advisor.core.assess import priced_costs
from advisor.core.cost_records import Costs
from advisor.core.costs import merge_assumptions
from advisor.core.errors import InputError
from advisor.core.prices import in_house_by_answers
from advisor.core.wording import ratio_words
from advisor.data import clock
from advisor.data.price_map import default_price_book
from advisor.data.rules import load_rulebase
from advisor.render import formatting
from advisor.render.formats import LEVER_NAMES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, help="model name, e.g. gpt-4o or claude-haiku-4-5")
    vol = p.add_mutually_exclusive_group(required=True)
    vol.add_argument("--requests", type=non_negative_int, metavar="N",
                     help="user requests per month")
    vol.add_argument("--users", type=non_negative_int, metavar="U", help="daily users")
    p.add_argument("--per-user", type=non_negative_float, metavar="R",
                   help="requests per user per day (with --users)")
    p.add_argument("--input-tokens", type=non_negative_int, default=None, metavar="I",
                   help="input tokens per LLM call (default: a chat request's documented size)")
    p.add_argument("--output-tokens", type=non_negative_int, default=None, metavar="O",
                   help="output tokens per LLM call (default: a chat request's documented size)")
    p.add_argument("--calls-per-task", type=positive_int, default=1, metavar="C")
    p.add_argument("--industry", help="industry (regulated ones keep prices in divergence)")
    p.add_argument("--on-prem", action="store_true",
                   help="the work must run on premises: costed in house; an open-weight model "
                        "may be named as people say it (\"Llama 3.1 70B\")")
    p.add_argument("--self-hosted-gpus", type=non_negative_int, default=None, metavar="G",
                   help="GPUs the organisation runs for inference; with an open-weight model "
                        "(\"Qwen 2.5 72B\") the work is costed in house")
    p.add_argument("--bill", type=non_negative_float, metavar="USD",
                   help="what the API bills come to a month: checked against the computed cost")
    p.add_argument("--budget", type=non_negative_float, metavar="USD",
                   help="the whole monthly AI budget (for the API's share of it)")
    p.add_argument("--revenue", type=non_negative_float, metavar="USD",
                   help="monthly revenue of the AI product: whether the cost matters at all")
    p.add_argument("--margin", type=margin_pct, metavar="PCT",
                   help="gross margin of the AI product at today's costs, e.g. 72%% or -15")
    p.add_argument("--cacheable-share", type=share, metavar="S",
                   help="share of each prompt that repeats from call to call (0.6 or 60%%): "
                        "prices prompt caching")
    p.add_argument("--deferrable-share", type=share, metavar="S",
                   help="share of the work that could wait up to a day (0.3 or 30%%): prices "
                        "the batch API")
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    if args.users is not None and args.per_user is None:
        raise InputError("--users needs --per-user (requests per user per day)", path="--per-user")
    if args.per_user is not None and args.users is None:
        raise InputError("--per-user goes with --users", path="--users")
    rulebase = load_rulebase()
    values: dict[str, Any] = {
        "monthly_requests": args.requests, "daily_users": args.users,
        "requests_per_user_per_day": args.per_user, "avg_input_tokens": args.input_tokens,
        "avg_output_tokens": args.output_tokens, "calls_per_task": args.calls_per_task,
        "on_prem_required": True if args.on_prem else None,
        "self_hosted_gpus": args.self_hosted_gpus, "monthly_api_spend_usd": args.bill,
        "monthly_ai_budget_usd": args.budget, "monthly_revenue_usd": args.revenue,
        "gross_margin_pct": args.margin, "cacheable_input_share": args.cacheable_share,
        "deferrable_share": args.deferrable_share,
    }
    prices = default_price_book()
    price = prices.resolve(args.model, path="--model", in_house=in_house_by_answers(values))
    assumptions = merge_assumptions(rulebase.defaults, rulebase.anchors, None)
    regulated = args.industry in rulebase.defaults.get("regulated_industries", [])
    costs = priced_costs(values, price, prices, assumptions, regulated=regulated,
                         as_of=clock.as_of(), model_name=args.model)
    if args.format == "json":
        emit(json.dumps(costs.to_dict(), indent=2, allow_nan=False) + "\n", None)
        return 0
    emit(cost_text(costs), None)
    return 0


_SCENARIOS = (("stabilization", "Stabilisation"), ("further_decline", "Further decline"),
              ("divergence", "Divergence"))


def cost_text(c: Costs) -> str:
    """The calculator's figures for a terminal, rounded as people say them."""
    usd, qty = formatting.money, formatting.quantity
    cur = c.current
    basis = {"default_sizes": "default request sizes, an assumption: give --input-tokens and "
                              "--output-tokens",
             "inferred_from_bill": "sizes inferred from the bill"}.get(c.volume_basis or "")
    volume = f"{qty(c.monthly_requests)} requests"
    if c.monthly_calls is not None and c.monthly_calls != c.monthly_requests:
        volume += f", {qty(c.monthly_calls)} LLM calls"
    name = None if cur is None else cur.name or cur.model
    listed = (f"  ({formatting.per_mtok(cur.input_per_mtok)} in / "
              f"{formatting.per_mtok(cur.output_per_mtok)} out per M tokens)"
              if cur is not None and cur.input_per_mtok is not None else "  (served in house)")
    lines = [
        f"Model            {name}{listed}",
        f"Volume           {volume}, {qty(c.monthly_input_tokens)} input + "
        f"{qty(c.monthly_output_tokens)} output tokens a month"
        + (f"\n                 ({basis})" if basis else ""),
        f"Today            {usd(c.monthly_usd)} a month"
        + (" in house (GPUs and operations)" if c.in_house else "")
        + f", {usd(c.per_task_usd)} per request",
    ]
    bill = c.bill
    if bill.direction in ("higher", "lower") and bill.ratio is not None:
        side = "a floor" if bill.direction == "higher" else "a ceiling"
        lines.append(f"Bill             {usd(bill.reported_usd)} a month, {ratio_words(bill.ratio)}"
                     f" the computed cost: the computed figures are {side}")
    elif bill.direction == "agree":
        lines.append(f"Bill             {usd(bill.reported_usd)} a month, "
                     f"{formatting.whole_pct(bill.apart_pct)} from the computed cost")
    elif bill.direction == "no_bill":
        lines.append("Bill             no API bill is paid")
    if c.baseline_2023 is not None:
        line = f"GPT-4, Mar 2023  {usd(c.baseline_2023.monthly_usd)} a month"
        r = c.reduction_vs_2023_pct
        if r is not None:
            line += (f"  ({formatting.whole_pct(r)} less today)" if r >= 0 else
                     f"  ({1 - r / 100:.1f} times that today)")
        lines.append(line)
    if c.open_model_band is not None:
        band = c.open_model_band
        lines.append(f"Open-model band  {usd(band.low_usd)} – {usd(band.high_usd)} a month"
                     " (late 2025 to early 2026)")
    if c.scenarios is not None:
        s = c.scenarios
        for sid, label in _SCENARIOS:
            one = s.by_id[sid]
            lines.append(f"  {label:<17}{formatting.estimate(one.monthly_usd)} a month"
                         f"  ({formatting.percent(one.probability)} likely, "
                         f"prices ×{one.multiplier:g})")
        lines.append(f"  {'Expected':<17}{formatting.estimate(s.expected_monthly_usd)} a month"
                     + ("  (from the bill)" if s.basis == "bill" else ""))
    h = c.self_hosting
    if h is not None:
        be = h.break_even_requests
        lines.append(f"Self-hosting     {usd(h.monthly_usd)} a month; pays from "
                     f"{qty(be) + ' requests a month' if be is not None else 'no volume'}")
        if h.summary:
            lines.append(f"Cheapest option  {h.summary}")
    for lv in c.levers:
        saving = (f"{usd(lv.monthly_savings_usd)} a month" if lv.monthly_savings_usd is not None
                  else f"{usd(lv.savings_per_10pct_usd)} per 10% of the workload")
        what = LEVER_NAMES[lv.id] + (f" ({lv.model})" if lv.model else "")
        lines.append(f"Lever            {what}: {saving}")
    m = c.materiality
    if m.level is not None:
        parts = [f"{formatting.whole_pct(100 * x)} of {what}" for x, what in (
            (m.revenue_share, "revenue"), (m.budget_share, "the AI budget"),
            (m.gross_profit_share, "gross profit")) if x is not None]
        lines.append(f"Materiality      {m.level}" + (f": {', '.join(parts)}" if parts else ""))
    if c.lifecycle is not None:
        life = c.lifecycle
        verb = "retired on" if life.retired else "retires on"
        line = f"Retirement       {verb} {life.deprecation_date}"
        if life.successor_model:
            line += f"; successor {life.successor_model}"
            if life.successor_monthly_usd is not None:
                line += f" at {usd(life.successor_monthly_usd)} a month"
        lines.append(line)
    for why in c.notes.values():
        lines.append(f"Note: {why}")
    return "\n".join(lines) + "\n"
