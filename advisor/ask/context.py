"""What every Ask answer is built from: the context of one question, and how to read a result.

The helpers here read the costs the way the person's constraints require: in-house cost for an
organisation that must stay on-premises (never a $0 list price), "if regulation ever allows an
API" for the API figures it could have, and a plain reason when there is no cost at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as slot
from typing import Any

from advisor.ask.edits import Parsed
from advisor.ask.figures import count, money
from advisor.ask.reading import cost, field
from advisor.ask.whatif import WhatIf
from advisor.core.result import Result
from advisor.core.sources import SECTION_KEYS, SECTION_TITLES

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
    figures: dict[str, float] = slot(default_factory=dict)
    prior_edits: list[Any] = slot(default_factory=list)  # the what-if before this question

    def fig(self, name: str, value: float | None) -> str:
        if value is not None:
            self.figures[name] = round(float(value), 6)
        return money(value)


# ---------------------------------------------------------------------------- reading a result


def ordered(keys: Any) -> list[str]:
    order = list(SECTION_TITLES)
    return sorted({k for k in keys if k in SECTION_KEYS}, key=order.index)


def in_house(result: Result) -> bool:
    """On-premises required, or a model served in-house (the API is not an option)."""
    current = cost(result, "current")
    return bool(result.answers.get("on_prem_required") or field(current, "basis") == "in_house"
                or (current is not None and field(current, "input_per_mtok") == 0
                    and field(current, "output_per_mtok") == 0))


def monthly(result: Result) -> tuple[float | None, str]:
    """This workload's monthly cost and what it rests on ('' when computed from answers)."""
    current = cost(result, "current")
    if in_house(result):
        if field(current, "basis") == "in_house" and field(current, "monthly_usd"):
            return field(current, "monthly_usd"), "in-house"
        return None, "in-house"
    if field(current, "monthly_usd") is not None:
        basis = cost(result, "volume_basis")
        return field(current, "monthly_usd"), {
            "inferred_from_bill": "token volume inferred from your bill",
            "default_sizes": "default token sizes per request"}.get(basis or "", "")
    if cost(result, "reported_spend_usd") is not None:
        return cost(result, "reported_spend_usd"), "your reported bill"
    return None, ""


def api_monthly(result: Result) -> float | None:
    """The list-price API cost of these tokens (for in-house users: if an API were allowed)."""
    current = cost(result, "current")
    if field(current, "api_monthly_usd") is not None or field(current, "basis") == "in_house":
        return field(current, "api_monthly_usd") or None
    tin, tout = cost(result, "monthly_input_tokens"), cost(result, "monthly_output_tokens")
    pin, pout = field(current, "input_per_mtok"), field(current, "output_per_mtok")
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


def gpus(result: Result) -> str:
    h = cost(result, "self_hosting")
    owned = field(h, "gpus_owned") or result.answers.get("self_hosted_gpus")
    hours = field(h, "gpu_hours")
    busy = field(h, "gpus_busy", None if hours is None else hours / 730)
    parts = []
    if busy is not None:
        parts.append(f"this volume keeps about {_gpu_count(busy)} busy around the clock "
                     f"({count(hours)} GPU-hours a month)" if hours is not None else
                     f"this volume keeps about {_gpu_count(busy)} busy")
    if owned:
        spare = field(h, "spare_gpus", None if busy is None else owned - busy)
        short = field(h, "gpu_shortfall")
        parts.append(f"you own {_gpu_count(owned)}"
                     + (f", so about {spare:.1f} are spare" if spare and spare > 0 else "")
                     + (f", about {short:.1f} short: more GPUs are needed" if short else ""))
    return ("; ".join(parts).replace("about under", "under") if parts
            else "the GPU need cannot be sized without token counts")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def in_house_reason(result: Result) -> str:
    """Why the work runs on owned hardware: "regulation", "on_premises" or "choice" (the
    core's ``in_house_reason``); the wording of every in-house answer follows it."""
    reason = cost(result, "in_house_reason")
    if reason in ("regulation", "on_premises", "choice"):
        return str(reason)
    return "on_premises" if result.answers.get("on_prem_required") else "choice"


def on_prem_line(result: Result) -> str:
    from advisor.ask.say import phrase

    return phrase(f"in_house.{in_house_reason(result)}", {}) + f" {cap(gpus(result))}."


def if_api_allowed(ctx: Context, result: Result) -> str:
    parts = []
    api = api_monthly(result)
    if api:
        parts.append(f"{ctx.fig('api_monthly_usd', api)} a month on {model_name(result)} at list "
                     "prices")
    band = cost(result, "open_model_band")
    if field(band, "low_usd"):
        low = ctx.fig('open_band_low_usd', field(band, 'low_usd'))
        high = ctx.fig('open_band_high_usd', field(band, 'high_usd'))
        parts.append(f"{low}–{high} a month on the open-model band ($0.10–$0.50 per million "
                     "tokens)")
    if not parts:
        return ""
    from advisor.ask.say import phrase

    return phrase(f"api_if.{in_house_reason(result)}", {}, costs=" or ".join(parts))


def knowledge_text(entry_id: str) -> str:
    from advisor.data.rules import load_knowledge

    entry = load_knowledge().by_id.get(entry_id)
    return "" if entry is None else entry.text


def no_cost_reason(result: Result) -> str:
    if requests(result) is None and cost(result, "current") is None:
        return ("the answers give neither a model nor a volume of this organisation's own "
                "inference")
    if cost(result, "current") is None:
        return "no model is named, so there is no price to apply"
    return "the answers give no token counts or bill to price"


def archetype_label(result: Result, rulebase: Any) -> str | None:
    q = rulebase.questionnaire.by_id.get("archetype")
    value = result.answers.get("archetype")
    return None if value is None or q is None else str(q.label_for(value))


def gpu_cloud_line() -> str:
    return ("For a GPU rental business the question is GPU demand: "
            + knowledge_text("medium-gpu-rental"))


def paragraphs(*parts: str | None) -> str:
    return "\n\n".join(p for p in parts if p) + "\n"


def _gpu_count(n: float) -> str:
    """"1 GPU", "2.5 GPUs", "16 GPUs", "under 0.1 GPUs" (never "0 GPUs" for a real load)."""
    if 0 < n < 0.05:
        return "under 0.1 GPUs"
    text = f"{n:.1f}".removesuffix(".0")
    return f"{text} GPU" if text == "1" else f"{text} GPUs"
