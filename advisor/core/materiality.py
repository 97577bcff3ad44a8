"""Does the cost matter? (spec/costs.md, materiality)

A $40 bill and a $118,000 one call for different advice. The cost is set against the yardsticks
the answers give: revenue, the AI budget, the gross profit, the users and the requests. Under
1% of revenue or of the AI budget, or under $100 a month, it is immaterial and the advice leads
with strategy; when it exceeds the gross profit (or the product loses money) or takes most of
the AI budget, it is the headline.
"""

from __future__ import annotations

import math
from typing import Any

from advisor.core.cost_records import Materiality

IMMATERIAL_USD = 100.0
IMMATERIAL_SHARE = 0.01
MOST_OF_BUDGET = 0.5


def _share(part: float, whole: float | None) -> float | None:
    """``part / whole``, or None when there is no yardstick (or it is too small to divide by)."""
    if whole is None or whole <= 0:
        return None
    ratio = part / whole
    return round(ratio, 6) if math.isfinite(ratio) else None


def materiality(cost: float | None, cost_basis: str | None, values: dict[str, Any],
                 requests: float | None, budget_share: float | None) -> Materiality:
    """How much ``cost`` (the bill when there is one, else the computed cost) matters."""
    if cost is None:
        return Materiality(None, None, None, None, None, budget_share, None, None, ())
    revenue = values.get("monthly_revenue_usd")
    margin = values.get("gross_margin_pct")
    users = values.get("daily_users")
    per_user = _share(cost, users)
    per_request = _share(cost, requests)
    revenue_share = _share(cost, revenue)
    profit = None if revenue is None or margin is None else revenue * margin / 100
    profit_share = _share(cost, profit)
    reasons: list[str] = []
    if margin is not None and margin < 0:
        reasons.append("loses_money")
    if profit_share is not None and profit_share > 1:
        reasons.append("exceeds_gross_profit")
    if budget_share is not None and budget_share > MOST_OF_BUDGET:
        reasons.append("most_of_budget")
    level: str | None
    if reasons:
        level = "critical"
    else:
        if cost < IMMATERIAL_USD:
            reasons.append("under_100_usd")
        if revenue_share is not None and revenue_share < IMMATERIAL_SHARE:
            reasons.append("under_1pct_revenue")
        if budget_share is not None and budget_share < IMMATERIAL_SHARE:
            reasons.append("under_1pct_budget")
        yardstick = any(x is not None for x in (revenue_share, budget_share, profit_share))
        level = "immaterial" if reasons else "material" if yardstick else None
    return Materiality(round(cost, 6), cost_basis, per_user, per_request, revenue_share,
                       budget_share, profit_share, level, tuple(reasons))
