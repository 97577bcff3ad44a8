"""``advisor cost`` (the calculator on its own) and ``advisor prices`` (the price table)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from advisor import formatting
from advisor.costs import compute_costs, merge_assumptions
from advisor.errors import InputError
from advisor.paths import default_price_book
from advisor.rulebase import load_rulebase


def run(args: argparse.Namespace) -> int:
    if args.users is not None and args.per_user is None:
        raise InputError("--users needs --per-user (requests per user per day)", path="--per-user")
    if args.per_user is not None and args.users is None:
        raise InputError("--per-user goes with --users", path="--users")
    rulebase = load_rulebase()
    price = default_price_book().resolve(args.model, path="--model")
    values: dict[str, Any] = {
        "monthly_requests": args.requests, "daily_users": args.users,
        "requests_per_user_per_day": args.per_user, "avg_input_tokens": args.input_tokens,
        "avg_output_tokens": args.output_tokens, "calls_per_task": args.calls_per_task,
    }
    assumptions = merge_assumptions(rulebase.defaults, rulebase.anchors, None)
    regulated = args.industry in rulebase.defaults.get("regulated_industries", [])
    costs = compute_costs(values, price, assumptions, regulated_domain=regulated)
    if args.format == "json":
        sys.stdout.write(json.dumps(costs, indent=2) + "\n")
        return 0
    sys.stdout.write(cost_text(costs))
    return 0


def cost_text(c: dict[str, Any]) -> str:
    usd, num = formatting.usd, formatting.number
    cur = c["current"] or {}
    lines = [
        f"Model            {cur.get('model')}  ({formatting.per_mtok(cur.get('input_per_mtok'))}"
        f" in / {formatting.per_mtok(cur.get('output_per_mtok'))} out per M tokens)",
        f"Volume           {num(c['monthly_requests'])} requests, {num(c['monthly_calls'])} calls,"
        f" {num(c['monthly_input_tokens'])} in + {num(c['monthly_output_tokens'])} out tokens"
        " a month",
        f"Today            {usd(cur.get('monthly_usd'))} a month, {usd(c['per_task_usd'])}"
        " per request",
    ]
    if c["baseline_2023"]:
        lines.append(f"GPT-4, Mar 2023  {usd(c['baseline_2023']['monthly_usd'])} a month"
                     f"  (reduction {formatting.pct(c['reduction_vs_2023_pct'])})")
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
                         f"  (p={s[sid]['probability']:g}, ×{s[sid]['multiplier']:g})")
        lines.append(f"  {'Expected':<17}{usd(s['expected_monthly_usd'])} a month")
    h = c["self_hosting"]
    if h:
        be = h["break_even_requests"]
        lines.append(f"Self-hosting     {usd(h['monthly_usd'])} a month; break-even "
                     f"{num(be) + ' requests a month' if be is not None else 'never'}; "
                     f"verdict: {h['verdict'] or 'n/a'}")
    for key, why in sorted(c["notes"].items()):
        lines.append(f"Note: {key}: {why}")
    return "\n".join(lines) + "\n"


def run_prices(args: argparse.Namespace) -> int:
    book = default_price_book()
    rows = book.all()
    if args.query:
        needle = args.query.lower()
        rows = [p for p in rows if needle in p.model.lower()]
    if args.provider:
        rows = [p for p in rows if p.provider == args.provider]
    if args.sort == "input":
        rows.sort(key=lambda p: (p.input_per_mtok, p.model))
    elif args.sort == "output":
        rows.sort(key=lambda p: (p.output_per_mtok, p.model))
    if args.limit is not None:
        rows = rows[: args.limit]
    fmt = args.format or ("text" if sys.stdout.isatty() else "json")
    if fmt == "json":
        data = [{"model": p.model, "provider": p.provider, "input_per_mtok": p.input_per_mtok,
                 "output_per_mtok": p.output_per_mtok, "source": p.source} for p in rows]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    if not rows:
        print("no model matches", file=sys.stderr)
        return 0
    width = min(60, max(len(p.model) for p in rows))
    out = [f"{'model':<{width}}  {'provider':<18} {'$/M in':>10} {'$/M out':>10}"]
    for p in rows:
        out.append(f"{formatting.terminal_escape(p.model):<{width}}  {p.provider[:18]:<18} "
                   f"{p.input_per_mtok:>10.4g} {p.output_per_mtok:>10.4g}")
    out.append(f"{len(rows)} model(s); source: {book.source_label}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0
