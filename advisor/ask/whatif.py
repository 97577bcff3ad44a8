"""What-if edits → a recomputed result, by the core (never estimated).

The edits change the answers file (volume, model, calls per task, tokens, choice answers) or
its assumptions (scenario probabilities, prices per million tokens); the changed file is
validated and assessed again. A market-wide price change (×N) is a price override for the
model in use after the other edits. When the token volume was inferred from the bill, the
token sizes per call are kept fixed, so a volume what-if scales the cost rather than
re-reading the same bill; the bill itself (today's) leaves a what-if that changes the cost.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from advisor.ask.edits import Edit
from advisor.ask.reading import cost
from advisor.core.errors import InputError
from advisor.core.result import Result
from advisor.render import formatting

WHAT_IF_MODEL = "what-if price"
#: The input:output ratio used to work token sizes back from a bill (costs.md default sizes).
DEFAULT_SIZES = (1500, 300)


@dataclass
class WhatIf:
    answers_file: Any
    result: Result
    labels: list[str]
    market: float  # the market-wide price factor in force (1.0 = today's prices)
    edits: list[Edit]  # every edit in force, in order
    before: Result | None = None  # the assessment with the token sizes kept fixed, if they were


def requests_of(answers: dict[str, Any], days: float) -> float | None:
    if answers.get("monthly_requests") is not None:
        return float(answers["monthly_requests"])
    if answers.get("daily_users") is not None and answers.get("requests_per_user_per_day"):
        return float(answers["daily_users"]) * answers["requests_per_user_per_day"] * days
    return None


def _price(prices: Any, name: str, overrides: dict[str, Any]) -> tuple[float, float] | None:
    given = overrides.get(name)
    if given is not None:
        return float(given["input_per_mtok"]), float(given["output_per_mtok"])
    if prices is None:
        return None
    try:
        p = prices.resolve(name, {})
    except InputError:
        return None
    return p.input_per_mtok, p.output_per_mtok


def _freeze_tokens(answers: dict[str, Any], base: Result, prices: Any,
                   overrides: dict[str, Any]) -> None:
    """Keep the token sizes per call that the base result rests on (from the bill)."""
    if answers.get("avg_input_tokens") is not None or answers.get("avg_output_tokens") is not None:
        return
    calls = cost(base, "monthly_calls")
    tin = cost(base, "monthly_input_tokens")
    if calls and tin is not None:
        answers["avg_input_tokens"] = max(0, round(tin / calls))
        answers["avg_output_tokens"] = max(0, round((cost(base, "monthly_output_tokens") or 0)
                                                    / calls))
        return
    bill, model = cost(base, "reported_spend_usd"), answers.get("model")
    if not calls or bill is None or model is None:
        return
    price = _price(prices, model, overrides)
    if price is None or (price[0] <= 0 and price[1] <= 0):
        return
    per_call = bill / calls  # dollars per call, split in the default input:output ratio
    tin, tout = DEFAULT_SIZES
    scale = per_call / ((tin * price[0] + tout * price[1]) / 1e6)
    answers["avg_input_tokens"] = max(0, round(tin * scale))
    answers["avg_output_tokens"] = max(0, round(tout * scale))


def apply(answers_file: Any, base: Result, edits: list[Edit], rulebase: Any,
          prices: Any) -> WhatIf:
    """The answers file with ``edits`` applied in order, and its assessment.

    Raises :class:`InputError` when the changed answers are not valid (the message says why).
    """
    from advisor.core.assess import assess
    from advisor.data.answers_file import validate_answers

    data = copy.deepcopy(answers_file.as_data())
    answers: dict[str, Any] = dict(data.get("answers") or {})
    assumptions: dict[str, Any] = dict(data.get("assumptions") or {})
    overrides: dict[str, Any] = dict(assumptions.get("prices") or {})
    days = float(rulebase.defaults.get("days_per_month", 30))
    labels: list[str] = []
    market = 1.0
    frozen_base = None
    if any(e.kind in ("volume_factor", "requests", "daily_users", "add_requests", "per_user",
                      "model",
                      "price", "calls_per_task", "market") for e in edits):
        frozen = dict(answers)
        _freeze_tokens(frozen, base, prices, overrides)
        # The bill is today's; under a changed volume or price it would change too, so it
        # leaves the what-if (else every what-if would report a gap with an old bill).
        frozen.pop("monthly_api_spend_usd", None)
        if frozen != answers:  # compare like with like: the base with the same fixed sizes
            answers = frozen
            same = {**data, "answers": dict(frozen)}
            frozen_base = assess(validate_answers(same, file="<what-if>"), rulebase, prices,
                                 as_of=getattr(base, "as_of", None))
    for e in edits:
        before = requests_of(answers, days)
        if e.kind == "volume_factor":
            if answers.get("monthly_requests") is not None:
                answers["monthly_requests"] = round(answers["monthly_requests"] * e.value)
            elif answers.get("daily_users") is not None:
                answers["daily_users"] = round(answers["daily_users"] * e.value)
            else:
                raise InputError("the answers give no volume (monthly requests or daily users) "
                                 "to scale", path="answers.monthly_requests")
            labels.append(f"volume ×{e.value:.3g} ({_n(before)} → "
                          f"{_n(requests_of(answers, days))} requests a month)")
        elif e.kind in ("requests", "add_requests"):
            value = e.value + (before or 0) if e.kind == "add_requests" else e.value
            answers["monthly_requests"] = round(value)
            labels.append(f"monthly requests {_n(before)} → {_n(round(value))}")
        elif e.kind == "daily_users":
            answers["daily_users"] = round(e.value)
            answers.pop("monthly_requests", None)
            labels.append(f"daily users → {_n(round(e.value))} "
                          f"({_n(requests_of(answers, days))} requests a month)")
        elif e.kind == "per_user":
            if answers.get("daily_users") is None:
                raise InputError("the answers count requests a month, not daily users, so "
                                 "there is no per-user rate to change",
                                 path="answers.requests_per_user_per_day")
            was = answers.get("requests_per_user_per_day")
            answers["requests_per_user_per_day"] = e.value
            labels.append(f"requests per user a day {_n(was)} → {e.value:g} ({_n(before)} → "
                          f"{_n(requests_of(answers, days))} requests a month)")
        elif e.kind == "model":
            labels.append(f"model {answers.get('model') or 'none named'} → {e.value}")
            answers["model"] = e.value
            market = 1.0
        elif e.kind == "price":
            now = _price(prices, answers["model"], overrides) if answers.get("model") else None
            pin = e.value.get("in", now[0] if now else None)
            pout = e.value.get("out", now[1] if now else None)
            if pin is None or pout is None:
                raise InputError("give both an input and an output price: no model is named to "
                                 "take the other one from", path="assumptions.prices")
            overrides[WHAT_IF_MODEL] = {"input_per_mtok": float(pin),
                                        "output_per_mtok": float(pout)}
            answers["model"] = WHAT_IF_MODEL
            market = 1.0
            labels.append(f"price {_per_m(pin)} input / {_per_m(pout)} output per million tokens"
                          if pin != pout else f"price {_per_m(pin)} per million tokens")
        elif e.kind == "calls_per_task":
            was = answers.get("calls_per_task") or 1
            labels.append(f"LLM calls per task {was} → {e.value}" if was != e.value
                          else f"LLM calls per task back to {e.value}")
            answers["calls_per_task"] = e.value
        elif e.kind == "market":
            market *= e.value
            labels.append(_market_label(e.value))
        elif e.kind == "probabilities":
            assumptions["scenario_probabilities"] = dict(e.value)
            labels.append("scenario probabilities " + " / ".join(
                f"{k.replace('_', ' ')} {formatting.percent(v)}" for k, v in e.value.items()))
        elif e.kind in ("input_tokens", "output_tokens"):
            qid = f"avg_{e.kind}"
            labels.append(f"{e.kind.replace('_', ' ')} per call {_n(answers.get(qid))} → "
                          f"{_n(e.value)}")
            answers[qid] = e.value
        elif e.kind == "answer":
            for qid, value in e.value.items():
                q = rulebase.questionnaire.by_id.get(qid)
                shown = q.label_for(value) if q is not None else value
                labels.append(f"{qid.replace('_', ' ')} → {shown}")
                answers[qid] = value
    if market != 1.0 and answers.get("model"):
        price = _price(prices, answers["model"], overrides)
        if price is not None:
            overrides[answers["model"]] = {"input_per_mtok": price[0] * market,
                                           "output_per_mtok": price[1] * market}
    if overrides:
        assumptions["prices"] = overrides
    data["answers"] = answers
    if assumptions:
        data["assumptions"] = assumptions
    changed = validate_answers(data, file="<what-if>")
    # the same report day as the base: a model's retirement counts from it
    return WhatIf(changed, assess(changed, rulebase, prices, as_of=getattr(base, "as_of", None)),
                  labels, market, list(edits),
                  frozen_base)


def _market_label(factor: float) -> str:
    if factor == 1:
        return "market prices stop falling (today's prices hold)"
    if factor < 1:
        return f"market prices fall to ×{factor:.3g} of today's ({(1 - factor) * 100:.0f}% lower)"
    return f"market prices rise ×{factor:.3g}"


def _n(value: Any) -> str:
    return "n/a" if value is None else formatting.number(round(value))


def _per_m(value: float) -> str:
    return f"${value:g}"
