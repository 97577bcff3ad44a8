"""The cost model of spec/costs.md: pure arithmetic on answers, a price and assumptions.

No I/O and no network: the caller resolves the model's price (``prices.py``) and merges the
assumptions. Every output whose inputs are missing is ``None`` with a reason in ``notes``,
never an invented figure. Money is in USD per month unless a key says otherwise.
"""

from __future__ import annotations

import math
from typing import Any

from advisor.core.prices import Price
from advisor.core.records import Record

MTOK = 1_000_000
HOURS_PER_MONTH = 730


class CostAssumptions(Record):
    """The numbers the cost model runs on, defaults merged with the user's overrides."""

    __slots__ = ("probabilities", "multipliers", "gpu_hourly_usd", "tokens_per_second_per_gpu",
                 "fixed_monthly_usd", "baseline_input_per_mtok", "baseline_output_per_mtok",
                 "band_low_per_mtok", "band_high_per_mtok", "days_per_month",
                 "spend_gap_factor", "overridden")

    def __init__(self, probabilities: dict[str, float], multipliers: dict[str, float],
                 gpu_hourly_usd: float, tokens_per_second_per_gpu: float,
                 fixed_monthly_usd: float, baseline_input_per_mtok: float,
                 baseline_output_per_mtok: float, band_low_per_mtok: float,
                 band_high_per_mtok: float, days_per_month: float = 30,
                 spend_gap_factor: float = 2.0,
                 overridden: frozenset[str] = frozenset()) -> None:
        self.probabilities = probabilities
        self.multipliers = multipliers
        self.gpu_hourly_usd = gpu_hourly_usd
        self.tokens_per_second_per_gpu = tokens_per_second_per_gpu
        self.fixed_monthly_usd = fixed_monthly_usd
        self.baseline_input_per_mtok = baseline_input_per_mtok
        self.baseline_output_per_mtok = baseline_output_per_mtok
        self.band_low_per_mtok = band_low_per_mtok
        self.band_high_per_mtok = band_high_per_mtok
        self.days_per_month = days_per_month
        self.spend_gap_factor = spend_gap_factor
        self.overridden = overridden

    def as_table(self) -> list[tuple[str, str, str]]:
        """(name, value, where it comes from) rows for the report's assumptions section."""

        def src(key: str, default: str) -> str:
            return "your answers file" if key in self.overridden else default

        p, m = self.probabilities, self.multipliers
        return [
            ("Scenario probabilities", f"{p['stabilization']:.0%} / {p['further_decline']:.0%}"
             f" / {p['divergence']:.0%}", src("scenario_probabilities", "article §5")),
            ("Price multiplier, stabilisation", f"×{m['stabilization']:g}",
             src("scenario_multipliers", "article §5")),
            ("Price multiplier, further decline", f"×{m['further_decline']:g}",
             src("scenario_multipliers", "article §5")),
            ("Price multiplier, divergence (general / regulated)",
             f"×{m['divergence_general']:g} / ×{m['divergence_regulated']:g}",
             src("scenario_multipliers", "article §5")),
            ("GPU price per hour", f"${self.gpu_hourly_usd:,.2f}",
             src("self_hosting", "advisor default")),
            ("Tokens per second per GPU", f"{self.tokens_per_second_per_gpu:,.0f}",
             src("self_hosting", "advisor default")),
            ("Fixed self-hosting cost per month", f"${self.fixed_monthly_usd:,.0f}",
             src("self_hosting", "advisor default")),
            ("2023 baseline (GPT-4 launch, March 2023)",
             f"${self.baseline_input_per_mtok:g} / ${self.baseline_output_per_mtok:g} per M "
             "input / output tokens", "article §1"),
            ("Open-model band (late 2025 to early 2026)",
             f"${self.band_low_per_mtok:.2f}–${self.band_high_per_mtok:.2f} per M tokens",
             src("open_model_band", "article §1")),
            ("Days per month", f"{self.days_per_month:g}", "spec/costs.md"),
        ]


def merge_assumptions(defaults: dict[str, Any], anchors: dict[str, Any],
                      overrides: dict[str, Any] | None) -> CostAssumptions:
    """Defaults from ``rules/assumptions.toml`` and ``anchors.toml``, then the file's overrides.

    ``overrides`` is the answers file's validated ``assumptions`` object; None values are unset.
    """
    probabilities = dict(defaults["scenario_probabilities"])
    multipliers = dict(defaults["scenario_multipliers"])
    hosting = dict(defaults["self_hosting"])
    band = anchors["open_model_band"]
    band_low, band_high = band["low_per_mtok"], band["high_per_mtok"]
    overridden: set[str] = set()
    overrides = overrides or {}
    if overrides.get("scenario_probabilities") is not None:
        probabilities = dict(overrides["scenario_probabilities"])
        overridden.add("scenario_probabilities")
    for key, merged in (("scenario_multipliers", multipliers), ("self_hosting", hosting)):
        given = {k: v for k, v in (overrides.get(key) or {}).items() if v is not None}
        merged.update(given)
        if given:
            overridden.add(key)
    if overrides.get("open_model_band") is not None:
        band_low = overrides["open_model_band"]["low_per_mtok"]
        band_high = overrides["open_model_band"]["high_per_mtok"]
        overridden.add("open_model_band")
    launch = anchors["gpt4_launch"]
    return CostAssumptions(
        probabilities=probabilities, multipliers=multipliers,
        gpu_hourly_usd=float(hosting["gpu_hourly_usd"]),
        tokens_per_second_per_gpu=float(hosting["tokens_per_second_per_gpu"]),
        fixed_monthly_usd=float(hosting["fixed_monthly_usd"]),
        baseline_input_per_mtok=float(launch["input_per_mtok"]),
        baseline_output_per_mtok=float(launch["output_per_mtok"]),
        band_low_per_mtok=float(band_low), band_high_per_mtok=float(band_high),
        days_per_month=float(defaults.get("days_per_month", 30)),
        spend_gap_factor=float(defaults.get("spend_gap_factor", 2.0)),
        overridden=frozenset(overridden),
    )


def _money(x: float | None) -> float | None:
    """Round to a millionth of a dollar: exact to the cent, but keeps tiny per-call costs."""
    if x is None:
        return None
    return round(x, 6) if math.isfinite(x) else None


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _num(values: dict[str, Any], key: str) -> float | None:
    v = values.get(key)
    return None if v is None else float(v)


class Volume(Record):
    __slots__ = ("requests", "calls", "input_tokens", "output_tokens")

    def __init__(self, requests: float | None, calls: float | None,
                 input_tokens: float | None, output_tokens: float | None) -> None:
        self.requests = requests
        self.calls = calls
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens


def volume(values: dict[str, Any], a: CostAssumptions, notes: dict[str, str]) -> Volume:
    requests = _num(values, "monthly_requests")
    if requests is None:
        users, per_user = _num(values, "daily_users"), _num(values, "requests_per_user_per_day")
        if users is not None and per_user is not None:
            requests = users * per_user * a.days_per_month
        else:
            notes["monthly_requests"] = ("no volume: give monthly_requests, or daily_users and "
                                         "requests_per_user_per_day")
    calls_per_task = _num(values, "calls_per_task") or 1.0
    calls = None if requests is None else requests * calls_per_task
    tin, tout = _num(values, "avg_input_tokens"), _num(values, "avg_output_tokens")
    if calls is not None and tin is None and tout is None:
        notes["monthly_input_tokens"] = "no token counts: give avg_input_tokens / avg_output_tokens"
    input_tokens = None if calls is None or (tin is None and tout is None) else calls * (tin or 0)
    output_tokens = None if calls is None or (tin is None and tout is None) else calls * (tout or 0)
    return Volume(requests, calls, input_tokens, output_tokens)


def _cost(input_tokens: float, output_tokens: float, pin: float, pout: float) -> float:
    return input_tokens / MTOK * pin + output_tokens / MTOK * pout


def compute_costs(values: dict[str, Any], price: Price | None, a: CostAssumptions,
                  *, regulated_domain: bool) -> dict[str, Any]:
    """Every key of spec/costs.md, ``None`` where inputs are missing (reason in ``notes``)."""
    notes: dict[str, str] = {}
    vol = volume(values, a, notes)
    tokens_known = vol.input_tokens is not None
    calls_per_task = _num(values, "calls_per_task") or 1.0
    tin = _num(values, "avg_input_tokens") or 0.0
    tout = _num(values, "avg_output_tokens") or 0.0
    have_tokens = values.get("avg_input_tokens") is not None or values.get(
        "avg_output_tokens") is not None

    current = None
    current_usd = None
    if price is None:
        notes["current"] = "no model named: give answers.model to price the workload"
    else:
        if tokens_known:
            current_usd = _cost(vol.input_tokens, vol.output_tokens, price.input_per_mtok,
                                price.output_per_mtok)
        current = {"model": price.model, "input_per_mtok": price.input_per_mtok,
                   "output_per_mtok": price.output_per_mtok, "monthly_usd": _money(current_usd),
                   "price_source": price.source}

    baseline = band = reduction = None
    if tokens_known:
        base_usd = _cost(vol.input_tokens, vol.output_tokens, a.baseline_input_per_mtok,
                         a.baseline_output_per_mtok)
        baseline = {"monthly_usd": _money(base_usd), "input_per_mtok": a.baseline_input_per_mtok,
                    "output_per_mtok": a.baseline_output_per_mtok, "date": "2023-03"}
        total_tokens = vol.input_tokens + vol.output_tokens
        band = {"low_usd": _money(total_tokens / MTOK * a.band_low_per_mtok),
                "high_usd": _money(total_tokens / MTOK * a.band_high_per_mtok),
                "low_per_mtok": a.band_low_per_mtok, "high_per_mtok": a.band_high_per_mtok,
                "date": "late 2025 to early 2026"}
        if current_usd is not None and base_usd > 0:
            reduction = round(100 * (1 - current_usd / base_usd), 2)
        elif current_usd is not None:
            notes["reduction_vs_2023_pct"] = "no tokens, so no reduction to compute"

    reported = _num(values, "monthly_api_spend_usd")
    gap_ratio = gap_flag = None
    if reported is not None and current_usd is not None:
        if current_usd > 0 and reported > 0:
            gap_ratio = _finite(reported / current_usd)
            gap_flag = gap_ratio is None or gap_ratio > a.spend_gap_factor or (
                gap_ratio < 1 / a.spend_gap_factor)
        else:
            gap_flag = (current_usd > 0) != (reported > 0)

    budget = _num(values, "monthly_ai_budget_usd")
    spend = reported if reported is not None else current_usd
    share = None
    if budget is not None and spend is not None:
        ratio = _finite(spend / budget) if budget > 0 else None
        if ratio is not None:
            share = round(ratio, 6)
        else:
            notes["api_share_of_ai_budget"] = "the AI budget is zero (or too small to divide by)"
    elif budget is not None:
        notes["api_share_of_ai_budget"] = "no API spend known (reported or computed)"

    per_task = None
    if price is not None and have_tokens:
        per_task = calls_per_task * _cost(tin, tout, price.input_per_mtok, price.output_per_mtok)

    scenarios = _scenarios(current_usd if current_usd is not None else reported, a,
                           regulated_domain, notes)
    if current_usd is None and reported is not None and scenarios is not None:
        scenarios["basis"] = "reported spend"
    hosting = _self_hosting(vol, price, per_task, tin + tout, calls_per_task, a, notes)

    return {
        "monthly_requests": vol.requests,
        "monthly_calls": vol.calls,
        "monthly_input_tokens": vol.input_tokens,
        "monthly_output_tokens": vol.output_tokens,
        "current": current,
        "baseline_2023": baseline,
        "open_model_band": band,
        "reduction_vs_2023_pct": reduction,
        "reported_spend_usd": reported,
        "spend_gap_ratio": None if gap_ratio is None else round(gap_ratio, 4),
        "spend_gap_flagged": gap_flag,
        "api_share_of_ai_budget": share,
        "per_task_usd": _money(per_task),
        "scenarios": scenarios,
        "self_hosting": hosting,
        "notes": notes,
    }


def _scenarios(base: float | None, a: CostAssumptions, regulated: bool,
               notes: dict[str, str]) -> dict[str, Any] | None:
    if base is None:
        notes["scenarios"] = "no current monthly cost (computed or reported) to project"
        return None
    m = a.multipliers
    mult = {"stabilization": m["stabilization"], "further_decline": m["further_decline"],
            "divergence": m["divergence_regulated"] if regulated else m["divergence_general"]}
    out: dict[str, Any] = {"basis": "computed cost"}
    expected = 0.0
    for sid, factor in mult.items():
        cost = base * factor
        expected += a.probabilities[sid] * cost
        out[sid] = {"probability": a.probabilities[sid], "multiplier": factor,
                    "monthly_usd": _money(cost)}
    out["expected_monthly_usd"] = _money(expected)
    return out


def _self_hosting(vol: Volume, price: Price | None, per_task: float | None, tokens_per_call: float,
                  calls_per_task: float, a: CostAssumptions,
                  notes: dict[str, str]) -> dict[str, Any] | None:
    if price is None or per_task is None:
        notes["self_hosting"] = "needs a model and token counts"
        return None
    seconds_per_request = calls_per_task * tokens_per_call / a.tokens_per_second_per_gpu
    variable_per_request = seconds_per_request / 3600 * a.gpu_hourly_usd
    margin = per_task - variable_per_request
    break_even = a.fixed_monthly_usd / margin if margin > 0 else None
    monthly = gpu_hours = verdict = None
    if vol.requests is not None:
        gpu_hours = vol.requests * seconds_per_request / 3600
        monthly = a.fixed_monthly_usd + gpu_hours * a.gpu_hourly_usd
        if break_even is None:
            verdict = "never pays"
        else:
            verdict = "self-hosting pays" if vol.requests >= break_even else "stay on API"
    elif break_even is None:
        verdict = "never pays"
    else:
        notes["self_hosting.verdict"] = "no volume to compare with the break-even"
    if break_even is None:
        notes["self_hosting.break_even_requests"] = (
            "the API costs no more per request than the GPU time to serve it, so self-hosting "
            "never pays under these assumptions")
    return {"monthly_usd": _money(monthly),
            "gpu_hours": None if gpu_hours is None else round(gpu_hours, 3),
            "gpus_needed": None if gpu_hours is None else math.ceil(gpu_hours / HOURS_PER_MONTH),
            "variable_per_request_usd": _money(variable_per_request),
            "break_even_requests": None if break_even is None else round(break_even),
            "verdict": verdict}
