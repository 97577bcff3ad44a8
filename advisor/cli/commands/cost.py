"""``advisor cost``: the cost calculator on its own, without an answers file."""

from __future__ import annotations

import argparse
import json
from typing import Any

from advisor.cli.options import non_negative_float, non_negative_int, positive_int
from advisor.cli.output import emit
from advisor.core.costs import compute_costs, merge_assumptions
from advisor.core.errors import InputError
from advisor.core.prices import in_house_by_answers
from advisor.data.price_map import default_price_book
from advisor.data.rules import load_rulebase
from advisor.render import formatting


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
        "self_hosted_gpus": args.self_hosted_gpus,
    }
    price = default_price_book().resolve(args.model, path="--model",
                                         in_house=in_house_by_answers(values))
    assumptions = merge_assumptions(rulebase.defaults, rulebase.anchors, None)
    regulated = args.industry in rulebase.defaults.get("regulated_industries", [])
    costs = compute_costs(values, price, assumptions, regulated_domain=regulated)
    if args.format == "json":
        emit(json.dumps(costs.to_dict(), indent=2, allow_nan=False) + "\n", None)
        return 0
    emit(cost_text(costs.to_dict()), None)
    return 0


def cost_text(c: dict[str, Any]) -> str:
    """The calculator's figures for a terminal, rounded as people say them."""
    usd, qty = formatting.money, formatting.quantity
    cur = c["current"] or {}
    basis = {"default_sizes": "default request sizes, an assumption: give --input-tokens and "
                              "--output-tokens",
             "inferred_from_bill": "sizes inferred from the bill"}.get(c.get("volume_basis") or "")
    calls = c.get("monthly_calls")
    volume = f"{qty(c['monthly_requests'])} requests"
    if calls is not None and calls != c["monthly_requests"]:
        volume += f", {qty(calls)} LLM calls"
    lines = [
        f"Model            {cur.get('model')}  ({formatting.per_mtok(cur.get('input_per_mtok'))}"
        f" in / {formatting.per_mtok(cur.get('output_per_mtok'))} out per M tokens)",
        f"Volume           {volume}, {qty(c['monthly_input_tokens'])} input + "
        f"{qty(c['monthly_output_tokens'])} output tokens a month"
        + (f"\n                 ({basis})" if basis else ""),
        f"Today            {usd(cur.get('monthly_usd'))} a month, {usd(c['per_task_usd'])}"
        " per request",
    ]
    if c["baseline_2023"]:
        lines.append(f"GPT-4, Mar 2023  {usd(c['baseline_2023']['monthly_usd'])} a month"
                     f"  ({formatting.whole_pct(c['reduction_vs_2023_pct'])} less today)"
                     if c.get("reduction_vs_2023_pct") is not None else
                     f"GPT-4, Mar 2023  {usd(c['baseline_2023']['monthly_usd'])} a month")
    if c["open_model_band"]:
        band = c["open_model_band"]
        lines.append(f"Open-model band  {usd(band['low_usd'])} – {usd(band['high_usd'])} a month"
                     " (late 2025 to early 2026)")
    if c["scenarios"]:
        s = c["scenarios"]
        for sid, label in (("stabilization", "Stabilisation"), ("further_decline",
                                                                 "Further decline"),
                           ("divergence", "Divergence")):
            lines.append(f"  {label:<17}{usd(s[sid]['monthly_usd'])} a month"
                         f"  ({formatting.percent(s[sid]['probability'])} likely, "
                         f"prices ×{s[sid]['multiplier']:g})")
        lines.append(f"  {'Expected':<17}{usd(s['expected_monthly_usd'])} a month")
    h = c["self_hosting"]
    if h:
        be = h["break_even_requests"]
        lines.append(f"Self-hosting     {usd(h['monthly_usd'])} a month; pays from "
                     f"{qty(be) + ' requests a month' if be is not None else 'no volume'}")
        if h.get("summary"):
            lines.append(f"Cheapest option  {h['summary']}")
    for why in (c.get("notes") or {}).values():
        lines.append(f"Note: {why}")
    return "\n".join(lines) + "\n"
